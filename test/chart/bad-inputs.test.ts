/** The shared table of bad inputs (test/shared/bad-inputs.ts) against both layers: parseConfig and the chart alone. */
import * as assert from "assert";
import { ConfigError, parseConfig } from "../../components/config";
import { badInputs, validConfig } from "../shared/bad-inputs";
import { baseValues, renderChart, toSetValues } from "./render";

/** The problems parseConfig reports, or [] when it accepts the config. */
function programProblems(raw: Record<string, string>): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${e}`);
    return e.problems;
  }
}

describe("bad inputs: the program refuses each, naming its dify: key", () => {
  it("accepts the valid base config", () => assert.deepStrictEqual(programProblems(validConfig), []));
  for (const c of badInputs) {
    it(c.what, () => {
      const problems = programProblems({ ...validConfig, ...c.config });
      const hit = problems.some((p) => p.includes(c.program));
      assert.ok(hit, `no problem mentions ${JSON.stringify(c.program)}; got:\n${problems.join("\n")}`);
    });
  }
});

describe("bad inputs: the chart alone (helm --set) refuses each, naming its value", () => {
  const base = toSetValues(baseValues());
  it("renders the valid base values", () => assert.strictEqual(renderChart(base).status, 0));
  for (const c of badInputs) {
    it(c.what, () => {
      const r = renderChart({ ...base, ...c.set });
      assert.notStrictEqual(r.status, 0, "rendered");
      assert.ok(r.stderr.includes(c.chart), `helm did not say ${JSON.stringify(c.chart)}; it said:\n${r.stderr}`);
    });
  }
});
