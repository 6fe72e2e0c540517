/**
 * What the tests read back from a simulated cluster (through kubectl): pods, PVCs, the
 * credentials Secret, Helm's release records and workload readiness.
 */
import * as assert from "assert";
import { Sim } from "./sim";

/** Live (not terminating, not Job) pods of the namespace: component label -> uid. */
export function podUids(sim: Sim, ns = "dify"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of sim.getJson(["-n", ns, "get", "pods"]).items) {
    if (p.metadata.deletionTimestamp || p.metadata.ownerReferences?.[0]?.kind === "Job") continue;
    out[p.metadata.labels["app.kubernetes.io/component"]] = p.metadata.uid;
  }
  return out;
}

/** PVC name -> uid and bound volume. */
export function pvcs(sim: Sim, ns = "dify"): Record<string, string> {
  return Object.fromEntries(
    sim
      .getJson(["-n", ns, "get", "pvc"])
      .items.map((p: any) => [p.metadata.name, `${p.metadata.uid} ${p.spec.volumeName}`]),
  );
}

/** Decoded data of a Secret. */
export function secretData(sim: Sim, ns: string, name: string): Record<string, string> {
  const s = sim.getJson(["-n", ns, "get", "secret", name]);
  return Object.fromEntries(
    Object.entries<string>(s.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
  );
}

/**
 * Helm's records of a release from their labels, oldest first: "<revision> <status>". Labels
 * only: the records themselves (each with the whole chart) exceed kubectl's output buffer.
 */
export function helmHistory(sim: Sim, ns = "dify", release = "dify"): string[] {
  const columns = "custom-columns=V:.metadata.labels.version,S:.metadata.labels.status";
  return sim
    .kubectl(["-n", ns, "get", "secrets", "-l", `owner=helm,name=${release}`, "-o", columns, "--no-headers"])
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => l.trim().split(/\s+/))
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([v, status]) => `${v} ${status}`);
}

/** Every Deployment and StatefulSet of the namespace has all its replicas ready. */
export function assertAllReady(sim: Sim, ns = "dify"): void {
  for (const kind of ["deployments", "statefulsets"]) {
    const items = sim.getJson(["-n", ns, "get", kind]).items;
    assert.ok(items.length > 0, `no ${kind}`);
    for (const d of items) {
      assert.strictEqual(
        d.status.readyReplicas ?? 0,
        d.spec.replicas,
        `${kind}/${d.metadata.name} not ready`,
      );
    }
  }
}

/** The image of a Deployment's first container. */
export function deploymentImage(sim: Sim, name: string, ns = "dify"): string {
  return sim.getJson(["-n", ns, "get", "deployment", name]).spec.template.spec.containers[0].image;
}
