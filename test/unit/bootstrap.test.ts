import * as assert from "assert";
import {
  adminPasswordRule,
  BootstrapJob,
  bootstrapValues,
  describeRun,
  effectivePlugins,
  needsRetry,
  jobRunOf,
  nextRetryOf,
  parseResult,
  pluginIdRule,
} from "../../components/bootstrap";

const settings = {
  adminEmail: "admin@example.com",
  adminName: "admin",
  pluginPackageUrls: [],
  openaiApiBase: "",
};
const job = (over: Partial<BootstrapJob>): BootstrapJob => ({
  uid: "uid-1",
  state: "complete",
  retryOf: "",
  ...over,
});
const result = (ok: boolean, summary: string) => JSON.stringify({ ok, summary });

describe("bootstrap: values of the chart's Job", () => {
  it("installs langgenius/openai by default when an OpenAI key is set, nothing otherwise", () => {
    assert.deepStrictEqual(effectivePlugins(undefined, true), ["langgenius/openai"]);
    assert.deepStrictEqual(effectivePlugins(undefined, false), []);
    assert.deepStrictEqual(effectivePlugins([], true), [], "an explicit empty list wins");
    assert.deepStrictEqual(effectivePlugins(["langgenius/ollama"], true), ["langgenius/ollama"]);
  });

  it("without dify:adminEmail the Job is off (empty adminEmail)", () => {
    assert.strictEqual(bootstrapValues(undefined, true, "").adminEmail, "");
  });

  it("maps the settings and the retry marker", () => {
    assert.deepStrictEqual(
      bootstrapValues({ ...settings, openaiApiBase: "https://gw.example.com" }, true, "uid-9"),
      {
        adminEmail: "admin@example.com",
        adminName: "admin",
        plugins: ["langgenius/openai"],
        pluginPackageUrls: [],
        openaiApiBase: "https://gw.example.com",
        retryOf: "uid-9",
      },
    );
  });

  it("Dify's password rule and the plugin id shape", () => {
    for (const ok of ["abcdefg1", "Generated0Password9xyzABCD"]) assert.ok(adminPasswordRule.test(ok), ok);
    for (const bad of ["short1", "onlyletters", "12345678"]) assert.ok(!adminPasswordRule.test(bad), bad);
    assert.ok(
      pluginIdRule.test("langgenius/openai") && !pluginIdRule.test("OpenAI") && !pluginIdRule.test("a/b/c"),
    );
  });
});

describe("bootstrap: what the last run reported", () => {
  it("reads the script's JSON result", () => {
    assert.deepStrictEqual(parseResult(result(true, "admin created")), {
      ok: true,
      summary: "admin created",
    });
    assert.deepStrictEqual(parseResult(""), {});
  });

  it("falls back to the last log line (FallbackToLogsOnError)", () => {
    assert.deepStrictEqual(parseResult("bootstrap: a\nTraceback ...\nMemoryError\n"), {
      summary: "MemoryError",
    });
  });

  it("describes success, failure, a run without a result and no run", () => {
    assert.strictEqual(
      describeRun(job({ message: result(true, "admin created; OpenAI credential set") })),
      "admin created; OpenAI credential set",
    );
    const failed = job({ state: "failed", message: result(false, "admin FAILED") });
    assert.strictEqual(describeRun(failed), "FAILED: admin FAILED");
    assert.match(
      describeRun(job({ state: "failed" })),
      /^FAILED: the Job failed without a result \(kubectl logs/,
    );
    assert.strictEqual(describeRun(job({})), "completed (the pod recorded no result)");
    assert.strictEqual(describeRun(undefined), "not run");
  });

  it("a success keeps retryOf (no change on the next up); a failure sets it to the failed Job (a new run)", () => {
    const good = job({ retryOf: "uid-0", message: result(true, "admin exists") });
    assert.ok(!needsRetry(good));
    assert.strictEqual(nextRetryOf(good), "uid-0");
    const bad = job({
      uid: "uid-7",
      state: "failed",
      retryOf: "uid-0",
      message: result(false, "admin FAILED"),
    });
    assert.ok(needsRetry(bad));
    assert.strictEqual(nextRetryOf(bad), "uid-7");
    assert.strictEqual(nextRetryOf(undefined), "");
    assert.strictEqual(nextRetryOf(job({ state: "running", retryOf: "uid-3" })), "uid-3");
  });
});

describe("bootstrap: reading the Job from the cluster", () => {
  const pod = (uid: string, at: string, message?: string) => ({
    metadata: { creationTimestamp: at, ownerReferences: [{ uid }] },
    status: { containerStatuses: [{ name: "bootstrap", state: { terminated: { message } } }] },
  });

  it("takes the state from the Job's conditions and the message from its newest own pod", () => {
    const run = jobRunOf(
      {
        metadata: { uid: "job-2" },
        spec: { template: { metadata: { annotations: { "dify-nkp.io/retry-of": "job-1" } } } },
        status: { conditions: [{ type: "Failed", status: "True" }] },
      },
      [
        pod("job-2", "2026-01-01T00:00:01Z", "old"),
        pod("job-2", "2026-01-01T00:00:09Z", "new"),
        pod("job-1", "2026-01-01T00:00:20Z", "another Job's pod"),
      ],
    );
    assert.deepStrictEqual(run, { uid: "job-2", state: "failed", retryOf: "job-1", message: "new" });
  });

  it("a Job without conditions is running; one without pods has no message", () => {
    assert.deepStrictEqual(jobRunOf({ metadata: { uid: "j" } }, []), {
      uid: "j",
      state: "running",
      retryOf: "",
      message: undefined,
    });
    const complete = { conditions: [{ type: "Complete", status: "True" }] };
    const done = jobRunOf({ metadata: { uid: "j" }, status: complete }, []);
    assert.strictEqual(done.state, "complete");
  });
});
