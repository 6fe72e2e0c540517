import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { repoRoot } from "../lib/paths";
import { httpGet, Sim, startSim, waitFor } from "../lib/sim";


const isHello = (rule: string) => /^PathPrefix\(["`]\/hello["`]\)$/.test(rule);

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

describe("simulated NKP cluster", function () {
  this.timeout(180000);
  let sim: Sim;

  before(() => {
    sim = startSim("base");
  });
  after(() => sim?.down());

  it("comes up with a Ready fake node and reports Kubernetes v1.34.4", () => {
    const version = JSON.parse(sim.kubectl(["get", "--raw", "/version"]));
    assert.strictEqual(version.gitVersion, "v1.34.4");
    const node = sim.getJson(["get", "node", "nkp-worker-0"]);
    const ready = node.status.conditions.find((c: any) => c.type === "Ready");
    assert.strictEqual(ready.status, "True");
  });

  it("is shaped like stock NKP: Traefik Services, IngressClass, nutanix-volume, Middleware CRD", () => {
    const svc = sim.getJson(["-n", "kommander", "get", "svc", "kommander-traefik"]);
    assert.strictEqual(svc.spec.type, "LoadBalancer");
    assert.strictEqual(svc.metadata.labels["app.kubernetes.io/name"], "traefik");
    assert.strictEqual(svc.metadata.labels["app.kubernetes.io/instance"], "kommander-traefik");
    assert.deepStrictEqual(svc.spec.ports.map((p: any) => p.port), [80, 443]);
    assert.strictEqual(sim.getJson(["-n", "kommander", "get", "svc", "kommander-traefik-dashboard"]).spec.type, "ClusterIP");
    const ic = sim.getJson(["get", "ingressclass", "kommander-traefik"]);
    assert.strictEqual(ic.spec.controller, "traefik.io/ingress-controller");
    assert.strictEqual(ic.metadata.annotations["ingressclass.kubernetes.io/is-default-class"], "true");
    const sc = sim.getJson(["get", "storageclass", "nutanix-volume"]);
    assert.strictEqual(sc.volumeBindingMode, "WaitForFirstConsumer");
    assert.strictEqual(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
    sim.kubectl(["get", "crd", "middlewares.traefik.io"]);
  });

  it("gives the Traefik Service a MetalLB-like address", () => {
    const svc = sim.getJson(["-n", "kommander", "get", "svc", "kommander-traefik"]);
    assert.strictEqual(svc.status.loadBalancer.ingress[0].ip, "198.51.100.10");
  });

  it("makes a Deployment's pods Ready", async () => {
    sim.kubectl(["create", "deployment", "hello", "--image=example.invalid/hello:1", "--replicas=2"]);
    await waitFor("deployment ready", () => sim.getJson(["get", "deployment", "hello"]).status.readyReplicas === 2);
  });

  it("binds a StatefulSet's PVC on nutanix-volume and makes its pod Ready", async () => {
    sim.kubectl(["apply", "-f", "-"], `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: example.invalid/db:1}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`);
    await waitFor("pvc bound", () => sim.getJson(["get", "pvc", "data-db-0"]).status.phase === "Bound");
    const pvc = sim.getJson(["get", "pvc", "data-db-0"]);
    assert.strictEqual(pvc.spec.storageClassName, "nutanix-volume");
    await waitFor("statefulset ready", () => sim.getJson(["get", "statefulset", "db"]).status.readyReplicas === 1);
  });

  it("completes a Job", async () => {
    sim.kubectl(["create", "job", "once", "--image=example.invalid/job:1"]);
    await waitFor("job complete", () => sim.getJson(["get", "job", "once"]).status.succeeded === 1);
  });

  it("rejects an invalid object in server-side dry-run", () => {
    const r = sim.tryKubectl(["apply", "--dry-run=server", "--validate=strict", "-f", "-"], `
apiVersion: v1
kind: ConfigMap
metadata: {name: bad, namespace: default}
data: {a: b}
notAField: true
`);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /notAField/);
  });

  it("lets a real Traefik route an Ingress on websecure to a loopback stub", async () => {
    const seen: string[] = [];
    const stub = http.createServer((req, res) => {
      seen.push(req.url ?? "");
      res.end("stub");
    });
    await new Promise<void>((r) => stub.listen(0, "127.0.0.1", () => r()));
    const stubPort = (stub.address() as net.AddressInfo).port;
    execFileSync("bash", [path.join(repoRoot, "scripts", "traefik.sh"), "start", "--state-dir", sim.stateDir], { stdio: "ignore" });
    sim.kubectl(["apply", "-f", "-"], `
apiVersion: v1
kind: Service
metadata: {name: stub, namespace: default}
spec:
  type: ExternalName
  externalName: localhost
  ports: [{name: http, port: ${stubPort}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: stub
  namespace: default
  annotations:
    traefik.ingress.kubernetes.io/router.entrypoints: websecure
    traefik.ingress.kubernetes.io/router.tls: "true"
spec:
  ingressClassName: kommander-traefik
  rules:
  - http:
      paths:
      - {path: /hello, pathType: Prefix, backend: {service: {name: stub, port: {name: http}}}}
`);
    try {
      const ports = JSON.parse(fs.readFileSync(path.join(sim.stateDir, "traefik.json"), "utf8"));
      const end = Date.now() + 30000;
      let routers: any[] = [];
      while (Date.now() < end) {
        routers = JSON.parse((await httpGet(`http://127.0.0.1:${ports.api}/api/http/routers`)).body);
        if (routers.some((r) => isHello(r.rule))) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      const router = routers.find((r) => isHello(r.rule));
      assert.ok(router, `no router for /hello in ${JSON.stringify(routers.map((r) => r.rule))}`);
      assert.deepStrictEqual(router.entryPoints, ["websecure"]);
      const res = await httpGet(`https://127.0.0.1:${ports.websecure}/hello/world`);
      assert.strictEqual(res.status, 200);
      assert.deepStrictEqual(seen, ["/hello/world"]);
      const plain = await httpGet(`http://127.0.0.1:${ports.web}/hello/world`);
      assert.strictEqual(plain.status, 404, "the plain web entrypoint must not serve it");
    } finally {
      stub.close();
      execFileSync("bash", [path.join(repoRoot, "scripts", "traefik.sh"), "stop", "--state-dir", sim.stateDir]);
    }
  });

  it("sim.sh down stops every process and frees its ports", async () => {
    const pids = fs.readdirSync(sim.stateDir).filter((f) => f.endsWith(".pid")).map((f) => Number(fs.readFileSync(path.join(sim.stateDir, f), "utf8")));
    assert.ok(pids.length >= 5, `expected the control plane's pid files, got ${pids.length}`);
    const apiPort = Number(/127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(sim.kubeconfig, "utf8"))![1]);
    sim.down();
    for (const pid of pids) {
      assert.throws(() => process.kill(pid, 0), `process ${pid} still alive`);
    }
    assert.strictEqual(await portOpen(apiPort), false);
    assert.deepStrictEqual(fs.readdirSync(sim.stateDir).filter((f) => f.endsWith(".pid")), []);
  });
});

describe("simulated NKP cluster variants", function () {
  this.timeout(120000);

  it("--address-pending leaves the Traefik Service without an address", () => {
    const sim = startSim("pending", ["--address-pending"]);
    try {
      const svc = sim.getJson(["-n", "kommander", "get", "svc", "kommander-traefik"]);
      assert.deepStrictEqual(svc.status.loadBalancer, {});
    } finally {
      sim.down();
    }
  });
});
