import * as assert from "assert";
import { createdByLabel, planNamespace, podSecurityLabels } from "../../components/namespace";

const enforce = "pod-security.kubernetes.io/enforce";

describe("release namespace and Pod Security", () => {
  const ours = { [createdByLabel.key]: createdByLabel.value };

  it("creates a missing namespace at enforce=baseline, warning and auditing what restricted would refuse", () => {
    const plan = planNamespace("dify", undefined);
    assert.strictEqual(plan.manage, true);
    assert.deepStrictEqual(plan.labels, {
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
      "dify.nkp/created-by": "dify-nkp",
    });
  });

  it("keeps managing a namespace it created earlier (a later run, or a new stack after destroy)", () => {
    const plan = planNamespace("dify", { name: "dify", labels: { ...podSecurityLabels, ...ours } });
    assert.strictEqual(plan.manage, true);
    assert.strictEqual(plan.labels[enforce], "baseline");
  });

  it("never relabels someone else's namespace", () => {
    const levels: Record<string, string>[] = [{}, { [enforce]: "baseline" }, { [enforce]: "privileged" }];
    for (const labels of levels) {
      assert.deepStrictEqual(planNamespace("team-a", { name: "team-a", labels }), {
        manage: false,
        labels: {},
      });
    }
  });

  it("accepts warn or audit at restricted: only enforce rejects pods", () => {
    const labels = {
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
    };
    assert.strictEqual(planNamespace("team-a", { name: "team-a", labels }).manage, false);
  });

  it("refuses a namespace that enforces restricted, naming the label and both fixes", () => {
    for (const extra of [{}, ours]) {
      const labels = { [enforce]: "restricted", ...extra };
      assert.throws(
        () => planNamespace("locked", { name: "locked", labels }),
        (e: Error) => {
          assert.match(e.message, /^Namespace locked \(dify:namespace\) enforces Pod Security "restricted"/);
          assert.match(
            e.message,
            /sandbox, the plugin daemon and the SSRF proxy: their images run as root\. /,
          );
          assert.match(e.message, /Nothing was changed\./);
          const fix =
            "kubectl label namespace locked pod-security.kubernetes.io/enforce=baseline --overwrite";
          assert.ok(e.message.includes(fix));
          assert.match(e.message, /set dify:namespace to a namespace that does not exist yet/);
          return true;
        },
      );
    }
  });

  it("without the right to read the namespace: neither creates nor relabels it, and says it is unchecked", () => {
    const plan = planNamespace("dify", "forbidden");
    assert.strictEqual(plan.manage, false);
    assert.match(
      plan.warning ?? "",
      /Not allowed to read Namespace dify \(RBAC\).*not checked and it is not created/,
    );
    assert.ok(
      plan.warning?.includes('allow "baseline" (label pod-security.kubernetes.io/enforce=baseline or none)'),
    );
  });
});
