import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { gzipSync } from "zlib";
import {
  decodeRelease,
  encodeRelease,
  HelmRecord,
  isPending,
  parseRecord,
  recordSecretName,
  withStatus,
} from "../../components/helm-storage";
import {
  diagnoseFailure,
  FailureFacts,
  interruptedDescription,
  planRepair,
  recoveryBefore,
  staleAfterSeconds,
  WorkloadReadiness,
} from "../../components/recovery";

/** A record as Helm's secret driver stores it (JSON, gzip, base64), read back by parseRecord. */
function record(
  revision: number,
  status: string,
  config: Record<string, unknown> = {},
  chart = "dify",
): HelmRecord {
  const raw = {
    name: "dify",
    namespace: "dify",
    version: revision,
    config,
    manifest: "---\n",
    info: { status, description: "Install complete", last_deployed: "2026-12-01T12:00:00Z" },
    chart: {
      metadata: { name: chart, version: "0.1.0" },
      templates: [{ name: "templates/x.yaml", data: "eA==" }],
    },
  };
  return parseRecord({
    name: recordSecretName("dify", revision),
    resourceVersion: String(100 + revision),
    labels: { owner: "helm", name: "dify", status, version: String(revision) },
    release: encodeRelease(raw),
  });
}

describe("Helm release records", () => {
  it("reads a record written by Helm 3.22 itself", () => {
    // The `release` entry of sh.helm.release.v1.t1.v4, written by `helm upgrade` (v3.22.0) of a
    // one-Deployment chart "tiny" (values image=x:4) on the simulated cluster.
    const release = fs.readFileSync(path.join(__dirname, "fixtures", "helm-release-t1-v4.b64"), "utf8");
    const r = parseRecord({ name: "sh.helm.release.v1.t1.v4", labels: {}, release });
    assert.deepStrictEqual(
      [r.revision, r.status, r.description, r.chartName, r.chartVersion],
      [4, "deployed", "Upgrade complete", "tiny", "0.1.0"],
    );
    assert.deepStrictEqual(r.config, { image: "x:4" });
    assert.match(r.lastDeployed ?? "", /^2026-12-01T12:50:40/);
    assert.deepStrictEqual(decodeRelease(encodeRelease(r.raw)), r.raw);
  });

  it("decodes what it encodes, every field kept", () => {
    const rel = {
      name: "dify",
      version: 3,
      info: { status: "deployed" },
      chart: { files: [{ name: "a", data: "AAE=" }] },
    };
    assert.deepStrictEqual(decodeRelease(encodeRelease(rel)), rel);
  });

  it("reads records stored before Helm compressed them (plain JSON in base64)", () => {
    const plain = Buffer.from(JSON.stringify({ version: 1, info: { status: "deployed" } })).toString(
      "base64",
    );
    assert.strictEqual(decodeRelease(plain).info.status, "deployed");
  });

  it("writes gzip like Helm (magic header), so Helm decompresses it", () => {
    const b = Buffer.from(encodeRelease({ a: 1 }), "base64");
    assert.deepStrictEqual([...b.subarray(0, 3)], [0x1f, 0x8b, 0x08]);
    assert.deepStrictEqual(decodeRelease(gzipSync(Buffer.from('{"a":1}')).toString("base64")), { a: 1 });
  });

  it("summarises revision, status, chart and the values", () => {
    const r = record(4, "pending-upgrade", { images: { dify: { tag: "1.11.4" } } });
    assert.strictEqual(r.revision, 4);
    assert.strictEqual(r.status, "pending-upgrade");
    assert.strictEqual(r.chartName, "dify");
    assert.strictEqual(r.secretName, "sh.helm.release.v1.dify.v4");
    assert.deepStrictEqual(r.config, { images: { dify: { tag: "1.11.4" } } });
  });

  it("names the Secret when a record is not a Helm release", () => {
    assert.throws(
      () => parseRecord({ name: "sh.helm.release.v1.dify.v1", labels: {}, release: "bm90IGpzb24=" }),
      /sh\.helm\.release\.v1\.dify\.v1 cannot be decoded/,
    );
  });

  it("marks a record failed as Helm does: payload status and description, status and modifiedAt labels", () => {
    const r = record(2, "pending-install");
    const out = withStatus(r, "failed", interruptedDescription, new Date("2026-12-01T12:30:00Z"));
    assert.deepStrictEqual(out.labels, { status: "failed", modifiedAt: "1796128200" });
    const back = decodeRelease(out.release);
    assert.strictEqual(back.info.status, "failed");
    assert.strictEqual(back.info.description, interruptedDescription);
    assert.strictEqual(back.info.last_deployed, "2026-12-01T12:00:00Z");
    assert.deepStrictEqual(back.chart, r.raw.chart);
  });

  it("knows Helm's pending states", () => {
    const statuses = ["pending-install", "pending-upgrade", "pending-rollback", "deployed", "failed"];
    assert.deepStrictEqual(statuses.map(isPending), [true, true, true, false, false]);
  });
});

describe("recovery before Helm acts", () => {
  const id = "dify/dify";
  // The records' last_deployed is 2026-12-01T12:00:00Z; ten minutes later with a 60 s timeout.
  const clock = { now: new Date("2026-12-01T12:10:00Z"), staleSeconds: staleAfterSeconds(60) };

  it("waits twice the Helm timeout plus a minute before it calls a pending revision interrupted", () => {
    assert.strictEqual(staleAfterSeconds(900), 1860);
  });

  it("refuses a pending revision whose operation may still run, saying when to retry and how to end it", () => {
    const early = { now: new Date("2026-12-01T12:01:00Z"), staleSeconds: 180 };
    const upgrading = [record(1, "deployed"), record(2, "pending-upgrade")];
    assert.throws(
      () => recoveryBefore("update", upgrading, "dify", id, early),
      new RegExp(
        "revision 2 has been pending-upgrade for 60s: its operation may still be running.*Nothing was changed" +
          ".*after 120s more.*helm -n dify rollback dify 1",
        "s",
      ),
    );
    assert.throws(
      () => recoveryBefore("create", [record(1, "pending-install")], "dify", id, early),
      (e: Error) => /pending-install for 60s/.test(e.message) && !e.message.includes("rollback"),
    );
  });

  it("does nothing on a fresh namespace or a deployed release being upgraded", () => {
    assert.deepStrictEqual(recoveryBefore("create", [], "dify", id, clock), { action: "none" });
    const deployed = [record(1, "superseded"), record(2, "deployed")];
    assert.deepStrictEqual(recoveryBefore("update", deployed, "dify", id, clock), { action: "none" });
  });

  it("marks an interrupted install failed so the next install resumes over it", () => {
    const r = recoveryBefore("create", [record(1, "pending-install")], "dify", id, clock);
    assert.strictEqual(r.action, "mark-failed");
    if (r.action !== "mark-failed") return;
    assert.strictEqual(r.record.revision, 1);
    assert.match(
      r.note,
      /revision 1 was left pending-install since 2026-12-01T12:00:00Z by an interrupted run/,
    );
    assert.match(r.note, /No resource, volume or Secret is deleted/);
  });

  it("marks an interrupted upgrade failed and names the revision the upgrade starts from", () => {
    const history = [record(1, "superseded"), record(2, "deployed"), record(3, "pending-upgrade")];
    const r = recoveryBefore("update", history, "dify", id, clock);
    assert.strictEqual(r.action, "mark-failed");
    if (r.action === "mark-failed") {
      assert.strictEqual(r.record.revision, 3);
      assert.match(r.note, /upgrades from revision 2, the last deployed one/);
    }
  });

  it("takes over a deployed release the stack has no record of", () => {
    const r = recoveryBefore("create", [record(1, "deployed")], "dify", id, clock);
    assert.strictEqual(r.action, "mark-failed");
    if (r.action === "mark-failed") assert.match(r.note, /takes it over \(helm install --replace\)/);
  });

  it("leaves a failed release to helm install --replace / upgrade", () => {
    assert.deepStrictEqual(recoveryBefore("create", [record(1, "failed")], "dify", id, clock), {
      action: "none",
    });
    const failedUpgrade = [record(1, "deployed"), record(2, "failed")];
    assert.deepStrictEqual(recoveryBefore("update", failedUpgrade, "dify", id, clock), { action: "none" });
  });

  it("refuses a release of another chart under the same name", () => {
    assert.throws(
      () => recoveryBefore("create", [record(1, "deployed", {}, "wordpress")], "dify", id, clock),
      /installed from the chart "wordpress", not "dify".*dify:releaseName or dify:namespace/,
    );
  });
});

describe("repair generation", () => {
  const cfg = (repair?: number) => (repair === undefined ? {} : { deployment: { repair: String(repair) } });

  it("is 0 with no release and carries the deployed revision's value when all is well", () => {
    assert.deepStrictEqual(planRepair([], {}), { generation: 0, reasons: [] });
    assert.deepStrictEqual(planRepair([record(1, "deployed")], {}), { generation: 0, reasons: [] });
    const carried = [record(4, "superseded", cfg(1)), record(5, "deployed", cfg(2))];
    assert.deepStrictEqual(planRepair(carried, {}), { generation: 2, reasons: [] });
  });

  it("moves on when the newest revision failed or was interrupted", () => {
    assert.deepStrictEqual(planRepair([record(1, "deployed", cfg(1)), record(2, "failed", cfg(1))], {}), {
      generation: 2,
      reasons: ["its newest revision 2 is failed"],
    });
    assert.deepStrictEqual(planRepair([record(1, "pending-install")], {}).generation, 1);
  });

  it("moves on when the credentials Secret was deleted", () => {
    assert.deepStrictEqual(
      planRepair([record(3, "deployed", cfg(0))], { secretMissing: "dify/dify-credentials" }),
      { generation: 1, reasons: ["the Secret dify/dify-credentials is missing"] },
    );
  });

  it("is stable once the repaired revision is deployed", () => {
    const after = [record(2, "failed", cfg(0)), record(3, "deployed", cfg(1))];
    assert.strictEqual(planRepair(after, {}).generation, 1);
  });
});

describe("failure messages", () => {
  const api = (ready: number, updated = 1): WorkloadReadiness => ({
    kind: "Deployment",
    name: "dify-api",
    desired: 1,
    ready,
    updated,
    observed: true,
  });
  const base: FailureFacts = {
    namespace: "dify",
    releaseId: "dify/dify",
    instanceSelector: "app.kubernetes.io/instance=dify",
    timeoutSeconds: 60,
    op: "update",
    workloads: [],
    deployed: { revision: 3, imageTag: "1.11.4" },
  };
  const hookErr =
    'Helm release "dify/dify" failed to initialize completely. Use Helm CLI to investigate: ' +
    "error running update: failed to become available within allocated timeout. Error: Helm Release dify/dify: " +
    "pre-upgrade hooks failed: 1 error occurred:\n" +
    "\t* job dify-migrate failed: BackoffLimitExceeded";

  it("says the migration failed, that the old pods keep serving, where the log is and how to go back", () => {
    const m = diagnoseFailure([hookErr], {
      ...base,
      migrateJob: {
        name: "dify-migrate",
        image: "langgenius/dify-api:1.11.5",
        failedPods: 3,
        failedReason: "BackoffLimitExceeded",
        complete: false,
      },
    });
    assert.ok(m);
    assert.match(
      m,
      new RegExp(
        "^The database migration failed: Job dify/dify-migrate " +
          "\\(image langgenius/dify-api:1\\.11\\.5\\) stopped with BackoffLimitExceeded after 3 failed pod\\(s\\)",
      ),
    );
    assert.match(m, /revision 3 \(image tag 1\.11\.4\) were not replaced and keep serving/);
    assert.match(m, /kubectl -n dify logs job\/dify-migrate --all-containers/);
    assert.match(m, /pulumi config set dify:imageTag 1\.11\.4/);
  });

  it("names every workload that was not Ready after a Helm timeout", () => {
    const m = diagnoseFailure(["... Error: context deadline exceeded"], {
      ...base,
      workloads: [
        api(0),
        { kind: "StatefulSet", name: "dify-redis", desired: 1, ready: 1, updated: 1, observed: true },
        { ...api(0), name: "dify-worker" },
      ],
    });
    assert.ok(m);
    assert.match(
      m,
      new RegExp(
        "dify:helmTimeoutSeconds=60s; not Ready: " +
          "Deployment dify/dify-api \\(0 of 1 ready, 1 updated\\), Deployment dify/dify-worker",
      ),
    );
    assert.ok(!m.includes("dify-redis"));
    assert.match(m, /kubectl -n dify describe deployment dify-api/);
  });

  it("counts a rollout the controller has not observed yet as not Ready", () => {
    const m = diagnoseFailure(["context deadline exceeded"], {
      ...base,
      workloads: [{ ...api(1), observed: false }],
    });
    assert.match(m ?? "", /Deployment dify\/dify-api/);
  });

  it("adds nothing to other errors", () => {
    const other = diagnoseFailure(["admission webhook denied the request"], { ...base, workloads: [api(0)] });
    assert.strictEqual(other, undefined);
    assert.strictEqual(
      diagnoseFailure(["context deadline exceeded"], { ...base, workloads: [api(1)] }),
      undefined,
    );
  });
});
