/**
 * Pod Security Admission of the real kube-apiserver (enabled by default in 1.34) on the
 * simulated cluster, against every pod the chart renders: the labels the program gives a
 * namespace it creates admit them all; "restricted" rejects exactly the three root images.
 * Only server-side dry runs: nothing is stored, no pod runs.
 */
import * as assert from "assert";
import { podSecurityLabels } from "../../components/namespace";
import { base } from "../chart/matrix";
import { podSpec, renderOk, workloads } from "../chart/render";
import { Sim, startSim, waitFor } from "../lib/sim";

/** Every pod of a full release (SSRF proxy, in-cluster data stores, Weaviate, helm test) as a bare Pod. */
function releasePods(namespace: string): { component: string; pod: any }[] {
  return workloads(renderOk(base, { namespace })).map((w) => {
    const labels = w.kind === "Pod" ? w.metadata.labels : w.spec.template.metadata.labels;
    const component = labels["app.kubernetes.io/component"];
    // A StatefulSet's pods get a volume per claim template (what its controller adds).
    const claims = (w.spec.volumeClaimTemplates ?? []).map((t: any) => ({
      name: t.metadata.name,
      persistentVolumeClaim: { claimName: `${t.metadata.name}-psa-${component}` },
    }));
    const spec = { ...podSpec(w), volumes: [...(podSpec(w).volumes ?? []), ...claims] };
    return {
      component,
      pod: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `psa-${component}`, namespace, labels },
        spec,
      },
    };
  });
}

describe("Pod Security Admission of the simulated cluster's kube-apiserver", function () {
  this.timeout(180000);
  let sim: Sim;

  /** A namespace with labels, once its default ServiceAccount exists (pods need it to be admitted). */
  async function namespace(name: string, labels: Record<string, string>): Promise<void> {
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
    sim.kubectl(["apply", "-f", "-"], JSON.stringify(ns));
    const sa = () => sim.tryKubectl(["-n", name, "get", "serviceaccount", "default"]).status === 0;
    await waitFor(`ServiceAccount ${name}/default`, sa);
  }
  const dryRun = (pod: any) => sim.tryKubectl(["create", "--dry-run=server", "-f", "-"], JSON.stringify(pod));

  before(() => {
    sim = startSim("psa", ["--no-traefik"]);
  });
  after(() => sim?.down());

  it("enforces: a privileged pod is rejected in a namespace at baseline", async () => {
    await namespace("psa-check", { "pod-security.kubernetes.io/enforce": "baseline" });
    const r = dryRun({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "privileged", namespace: "psa-check" },
      spec: {
        containers: [{ name: "c", image: "example.invalid/x:1", securityContext: { privileged: true } }],
      },
    });
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /violates PodSecurity "baseline:latest": privileged/);
  });

  it("admits every pod of the release in a namespace labelled as the program creates it", async () => {
    await namespace("psa-baseline", { ...podSecurityLabels });
    const pods = releasePods("psa-baseline");
    assert.deepStrictEqual(pods.map((p) => p.component).sort(), [
      "api",
      "migrate",
      "plugin-daemon",
      "postgresql",
      "redis",
      "sandbox",
      "ssrf-proxy",
      "test",
      "weaviate",
      "web",
      "worker",
      "worker-beat",
    ]);
    const warned: string[] = [];
    for (const { component, pod } of pods) {
      const r = dryRun(pod);
      assert.strictEqual(r.status, 0, `${component} rejected: ${r.stderr}`);
      // warn=restricted: the apiserver reports what the stricter level would refuse.
      if (/would violate PodSecurity "restricted:latest"/.test(r.stderr)) warned.push(component);
    }
    assert.deepStrictEqual(warned.sort(), ["plugin-daemon", "sandbox", "ssrf-proxy"]);
  });

  it("rejects exactly the sandbox, plugin daemon and SSRF proxy at restricted (baseline is the minimum)", async () => {
    await namespace("psa-restricted", { "pod-security.kubernetes.io/enforce": "restricted" });
    const rejected: string[] = [];
    for (const { component, pod } of releasePods("psa-restricted")) {
      const r = dryRun(pod);
      if (r.status !== 0) {
        assert.match(r.stderr, /violates PodSecurity "restricted:latest"/, component);
        rejected.push(component);
      }
    }
    assert.deepStrictEqual(rejected.sort(), ["plugin-daemon", "sandbox", "ssrf-proxy"]);
  });
});
