import * as assert from "assert";
import * as fs from "fs";
import * as YAML from "yaml";
import { matrix, secretKeys } from "./matrix";
import { ciDir, containers, credentialsOf, podLabels, podSpec, renderOk, selects, workloads } from "./render";

describe("chart: render matrix", () => {
  it("renders every install case in chart/ci/", () => {
    const files = fs.readdirSync(ciDir).filter((f) => f.endsWith("-values.yaml")).map((f) => f.replace(/-values\.yaml$/, ""));
    assert.deepStrictEqual([...new Set(Object.values(matrix).map((k) => k.file))].sort(), files.sort());
  });

  for (const [mode, kase] of Object.entries(matrix)) {
    describe(mode, () => {
      const docs = () => renderOk(kase.values, { release: kase.release });
      const registry: string = kase.values.global?.imageRegistry ?? "";
      const pullSecrets: string[] = kase.values.global?.imagePullSecrets ?? [];

      it("every Service selects pods that have its target ports", () => {
        const d = docs();
        for (const svc of d.filter((x) => x.kind === "Service")) {
          const pods = workloads(d).filter((w) => w.kind !== "Pod" && selects(svc.spec.selector, podLabels(w)));
          assert.ok(pods.length > 0, `Service ${svc.metadata.name} selects no pods`);
          for (const p of svc.spec.ports) {
            const named = pods.every((w) => podSpec(w).containers.some((ct: any) => (ct.ports ?? []).some((cp: any) => cp.name === p.targetPort)));
            assert.ok(named, `Service ${svc.metadata.name} port ${p.name} -> ${p.targetPort}: no such container port`);
          }
        }
      });

      it("every Ingress backend is a rendered Service and port", () => {
        const d = docs();
        for (const ing of d.filter((x) => x.kind === "Ingress")) {
          for (const p of ing.spec.rules[0].http.paths) {
            const svc = d.find((x) => x.kind === "Service" && x.metadata.name === p.backend.service.name);
            assert.ok(svc, `${ing.metadata.name} ${p.path} -> ${p.backend.service.name}`);
            assert.ok(svc.spec.ports.some((sp: any) => sp.name === p.backend.service.port.name), `${p.path}: port ${p.backend.service.port.name}`);
          }
        }
      });

      it("every secretKeyRef names the release Secret and one of its keys", () => {
        const d = docs();
        const secret = d.find((x) => x.kind === "Secret");
        const keys = secret ? Object.keys(secret.data) : secretKeys;
        if (kase.values.global?.existingSecret) assert.strictEqual(secret, undefined, "a Secret rendered although global.existingSecret is set");
        else assert.strictEqual(secret.metadata.name, kase.secret);
        let refs = 0;
        for (const w of workloads(d)) {
          for (const ct of containers(w)) {
            for (const e of ct.env ?? []) {
              const ref = e.valueFrom?.secretKeyRef;
              if (!ref) continue;
              refs++;
              assert.strictEqual(ref.name, kase.secret, `${w.metadata.name}/${ct.name} ${e.name}`);
              assert.ok(keys.includes(ref.key), `${w.metadata.name}/${ct.name} ${e.name} -> missing key ${ref.key}`);
            }
          }
        }
        assert.ok(refs > 20, `only ${refs} secretKeyRefs`);
      });

      it("every volume claim and mount resolves", () => {
        const d = docs();
        const pvcs = d.filter((x) => x.kind === "PersistentVolumeClaim").map((x) => x.metadata.name);
        for (const w of workloads(d)) {
          const spec = podSpec(w);
          const volumes = new Set([...(spec.volumes ?? []).map((v: any) => v.name), ...(w.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name)]);
          for (const v of spec.volumes ?? []) {
            if (v.persistentVolumeClaim) assert.ok(pvcs.includes(v.persistentVolumeClaim.claimName), `${w.metadata.name}: claim ${v.persistentVolumeClaim.claimName}`);
            if (v.configMap) assert.ok(d.some((x) => x.kind === "ConfigMap" && x.metadata.name === v.configMap.name), `${w.metadata.name}: ConfigMap ${v.configMap.name}`);
          }
          for (const ct of containers(w)) {
            for (const m of ct.volumeMounts ?? []) assert.ok(volumes.has(m.name), `${w.metadata.name}/${ct.name}: volume ${m.name}`);
          }
        }
      });

      it("no credential appears outside the Secret, in clear or base64", () => {
        const outside = YAML.stringify(docs().filter((x) => x.kind !== "Secret"));
        for (const s of credentialsOf(kase.values)) {
          assert.ok(!outside.includes(s), `credential ${s.slice(0, 12)}... leaked`);
          assert.ok(!outside.includes(Buffer.from(s).toString("base64")), `base64 of ${s.slice(0, 12)}... leaked`);
        }
      });

      it("every container has requests, limits and a pinned image from the registry, every pod the pull secrets", () => {
        for (const w of workloads(docs())) {
          assert.deepStrictEqual(podSpec(w).imagePullSecrets ?? [], pullSecrets.map((name) => ({ name })), `${w.metadata.name} imagePullSecrets`);
          for (const ct of containers(w)) {
            const where = `${w.metadata.name}/${ct.name}`;
            assert.ok(ct.resources?.requests?.cpu && ct.resources?.requests?.memory, `${where} requests`);
            assert.ok(ct.resources?.limits?.cpu && ct.resources?.limits?.memory, `${where} limits`);
            assert.match(ct.image, /:[A-Za-z0-9._-]+$/, `${where} image ${ct.image}`);
            assert.doesNotMatch(ct.image, /:latest$/);
            // A repository with its own registry host (the base-path web image) is not prefixed.
            const ownHost = `${kase.values.images.web.repository}:`;
            if (registry) assert.ok(ct.image.startsWith(`${registry}/`) || ct.image.startsWith(ownHost), `${where}: ${ct.image}`);
            assert.strictEqual(ct.imagePullPolicy, kase.values.global?.imagePullPolicy || "IfNotPresent", where);
          }
        }
      });

      it("no container may escalate privileges and every pod uses the RuntimeDefault seccomp profile", () => {
        for (const w of workloads(docs())) {
          for (const ct of containers(w)) {
            assert.strictEqual(ct.securityContext?.allowPrivilegeEscalation, false, `${w.metadata.name}/${ct.name}`);
            const seccomp = ct.securityContext?.seccompProfile?.type ?? podSpec(w).securityContext?.seccompProfile?.type;
            assert.strictEqual(seccomp, "RuntimeDefault", `${w.metadata.name}/${ct.name}`);
          }
          assert.strictEqual(podSpec(w).automountServiceAccountToken, false, w.metadata.name);
        }
      });

      it("every pod carries the seed's app label and the component labels", () => {
        for (const w of workloads(docs())) {
          const l = podLabels(w);
          assert.strictEqual(l.app, `dify-${l["app.kubernetes.io/component"]}`, w.metadata.name);
          assert.strictEqual(l["app.kubernetes.io/instance"], kase.release ?? "dify");
          assert.strictEqual(w.metadata.name.startsWith(`${kase.fullname}-`), true, w.metadata.name);
        }
      });

      it("all Services are ClusterIP and every NetworkPolicy selects pods", () => {
        const d = docs();
        for (const svc of d.filter((x) => x.kind === "Service")) assert.strictEqual(svc.spec.type, "ClusterIP", svc.metadata.name);
        for (const np of d.filter((x) => x.kind === "NetworkPolicy")) {
          assert.ok(workloads(d).some((w) => selects(np.spec.podSelector, podLabels(w))), `NetworkPolicy ${np.metadata.name} selects nothing`);
        }
      });
    });
  }
});
