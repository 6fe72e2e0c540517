import * as assert from "assert";
import * as util from "util";
import { RunError } from "@pulumi/pulumi/errors";
import { reportable, UserError } from "../../components/errors";

describe("errors: how failures leave the program", () => {
  it("a refusal is a pulumi.RunError whose stack is its message line alone", () => {
    const e = new UserError("dify:path must start with /");
    assert.ok(RunError.isInstance(e));
    assert.strictEqual(e.stack, "UserError: dify:path must start with /");
    assert.strictEqual(reportable(e), e);
  });

  it("a bug becomes a RunError naming it, with the project's own frames and no node_modules frame", () => {
    let bug: Error | undefined;
    try {
      void (undefined as unknown as { x: number }).x;
    } catch (e) {
      bug = e as Error;
    }
    bug!.stack += "\n    at Stack.initialize (/repo/node_modules/@pulumi/resource.ts:1598:22)";
    const r = reportable(bug);
    assert.ok(RunError.isInstance(r));
    assert.match(r.message, /^TypeError: Cannot read properties of undefined/);
    assert.match(r.message, /at .*errors\.test\.ts:\d+:\d+/);
    assert.doesNotMatch(r.message + r.stack, /node_modules/);
  });

  it("the runtime's colored inspect of a reported error terminates (Node 20.20 loops on @scope/file frames)", () => {
    const e = new Error("boom");
    e.stack += "\n    at Stack.initialize (/repo/node_modules/@pulumi/resource.ts:1598:22)";
    const shown = util.inspect(reportable(e), { colors: true });
    assert.match(shown, /boom/);
  });
});
