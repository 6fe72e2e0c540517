/**
 * The simulated NKP cluster (scripts/sim.sh) and a real Traefik against it (scripts/traefik.sh).
 * Only 127.0.0.0/8 is contacted: the LoadBalancer address, ClusterIPs and pod IPs are fake.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { binDir, repoRoot } from "../lib/paths";
import { httpGet, pidFiles, portOpen, Sim, simScript, startSim, startTraefik, waitFor } from "../lib/sim";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Gone = no such process, or a zombie waiting to be reaped. */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/** TCP listening sockets (address:port) of a process, from /proc (no ss/netstat needed). */
function listeners(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      /* fd closed meanwhile */
    }
  }
  const out: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of fs.readFileSync(file, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== "0A" || !inodes.has(f[9])) continue;
      const [hex, port] = f[1].split(":");
      const addr =
        hex.length === 8
          ? [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".")
          : hex === "00000000000000000000000001000000"
            ? "::1"
            : hex === "0000000000000000FFFF00000100007F"
              ? "::ffff:127.0.0.1"
              : `[${hex}]`;
      out.push(`${addr}:${parseInt(port, 16)}`);
    }
  }
  return out;
}

/** Live (non-zombie) processes whose command line mentions s. */
function processesMentioning(s: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
      if (cmd.includes(s) && !processGone(Number(pid))) found.push(`${pid} ${cmd}`);
    } catch {
      /* exited meanwhile */
    }
  }
  return found;
}

const apiPort = (sim: Sim) => Number(new URL(sim.server).port);

describe("simulated NKP cluster", function () {
  this.timeout(180000);
  let sim: Sim;

  before(() => {
    const t0 = Date.now();
    sim = startSim("base");
    console.log(`      (sim up in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  });
  after(() => {
    if (sim && pidFiles(sim.stateDir).length > 0) sim.down();
  });

  it("comes up with a Ready fake node and reports Kubernetes v1.34.4", () => {
    const version = JSON.parse(sim.kubectl(["get", "--raw", "/version"]));
    assert.strictEqual(version.gitVersion, "v1.34.4");
    assert.match(sim.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    const nodes = sim.getJson(["get", "nodes"]).items;
    assert.strictEqual(nodes.length, 1);
    const node = nodes[0];
    assert.strictEqual(node.metadata.annotations["kwok.x-k8s.io/node"], "fake");
    assert.strictEqual(node.status.conditions.find((c: any) => c.type === "Ready").status, "True");
    assert.strictEqual(node.status.allocatable.cpu, "32");
    assert.strictEqual(node.status.allocatable.pods, "110");
  });

  it("is shaped like stock NKP: Traefik Services, IngressClass, nutanix-volume, Middleware CRD", () => {
    const labels = {
      "app.kubernetes.io/name": "traefik",
      "app.kubernetes.io/instance": "kommander-traefik",
      "app.kubernetes.io/managed-by": "Helm",
      "helm.toolkit.fluxcd.io/name": "traefik",
      "helm.toolkit.fluxcd.io/namespace": "kommander",
    };
    const svc = sim.getJson(["-n", "kommander", "get", "svc", "kommander-traefik"]);
    assert.strictEqual(svc.spec.type, "LoadBalancer");
    assert.deepStrictEqual(svc.metadata.labels, labels);
    assert.deepStrictEqual(
      svc.spec.ports.map((p: any) => [p.name, p.port]),
      [
        ["web", 80],
        ["websecure", 443],
      ],
    );
    for (const name of ["kommander-traefik-dashboard", "kommander-traefik-prometheus"]) {
      const s = sim.getJson(["-n", "kommander", "get", "svc", name]);
      assert.strictEqual(s.spec.type, "ClusterIP");
      assert.deepStrictEqual(s.metadata.labels, labels);
    }
    const lbs = sim
      .getJson(["get", "svc", "-A", "-l", "app.kubernetes.io/name=traefik"])
      .items.filter((s: any) => s.spec.type === "LoadBalancer");
    assert.deepStrictEqual(
      lbs.map((s: any) => `${s.metadata.namespace}/${s.metadata.name}`),
      ["kommander/kommander-traefik"],
    );
    const ic = sim.getJson(["get", "ingressclass", "kommander-traefik"]);
    assert.strictEqual(ic.spec.controller, "traefik.io/ingress-controller");
    assert.strictEqual(ic.metadata.annotations["ingressclass.kubernetes.io/is-default-class"], "true");
    const sc = sim.getJson(["get", "storageclass", "nutanix-volume"]);
    assert.strictEqual(sc.provisioner, "csi.nutanix.com");
    assert.strictEqual(sc.reclaimPolicy, "Delete");
    assert.strictEqual(sc.volumeBindingMode, "WaitForFirstConsumer");
    assert.strictEqual(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
    assert.strictEqual(sim.getJson(["get", "storageclass"]).items.length, 1);
    const crd = sim.getJson(["get", "crd", "middlewares.traefik.io"]);
    assert.deepStrictEqual(
      crd.spec.versions.map((v: any) => [v.name, v.served]),
      [["v1alpha1", true]],
    );
    sim.kubectl(
      ["apply", "--dry-run=server", "-f", "-"],
      `
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: strip, namespace: default}
spec: {stripPrefix: {prefixes: [/x]}}
`,
    );
  });

  it("gives the Traefik Service a MetalLB-like address", () => {
    const svc = sim.getJson(["-n", "kommander", "get", "svc", "kommander-traefik"]);
    assert.strictEqual(svc.status.loadBalancer.ingress.length, 1);
    assert.strictEqual(svc.status.loadBalancer.ingress[0].ip, "198.51.100.10");
  });

  it("makes a Deployment's pods Ready", async () => {
    sim.kubectl(["create", "deployment", "hello", "--image=example.invalid/hello:1", "--replicas=2"]);
    await waitFor(
      "deployment ready",
      () => sim.getJson(["get", "deployment", "hello"]).status.readyReplicas === 2,
    );
    const pods = sim.getJson(["get", "pods", "-l", "app=hello"]).items;
    assert.strictEqual(pods.length, 2);
    for (const p of pods) {
      assert.strictEqual(p.spec.nodeName, "nkp-worker-0");
      assert.strictEqual(p.status.phase, "Running");
    }
  });

  it("binds a StatefulSet's PVC on nutanix-volume only once its pod is scheduled, and makes the pod Ready", async () => {
    sim.kubectl(
      ["apply", "-f", "-"],
      `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: unused, namespace: default}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
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
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 8Gi}}}
`,
    );
    await waitFor("pvc bound", () => sim.getJson(["get", "pvc", "data-db-0"]).status.phase === "Bound");
    const pvc = sim.getJson(["get", "pvc", "data-db-0"]);
    assert.strictEqual(pvc.spec.storageClassName, "nutanix-volume");
    assert.strictEqual(pvc.metadata.annotations["volume.kubernetes.io/selected-node"], "nkp-worker-0");
    assert.strictEqual(pvc.status.capacity.storage, "8Gi");
    const pv = sim.getJson(["get", "pv", pvc.spec.volumeName]);
    assert.strictEqual(pv.status.phase, "Bound");
    assert.strictEqual(pv.spec.persistentVolumeReclaimPolicy, "Delete");
    await waitFor(
      "statefulset ready",
      () => sim.getJson(["get", "statefulset", "db"]).status.readyReplicas === 1,
    );
    // WaitForFirstConsumer: a claim no pod uses stays Pending, as on NKP.
    assert.strictEqual(sim.getJson(["get", "pvc", "unused"]).status.phase, "Pending");
  });

  it("completes a Job, and a `helm test` pod", async () => {
    sim.kubectl(["create", "job", "once", "--image=example.invalid/job:1"]);
    sim.kubectl(
      ["apply", "-f", "-"],
      `
apiVersion: v1
kind: Pod
metadata: {name: release-test, namespace: default, annotations: {helm.sh/hook: test}}
spec: {restartPolicy: Never, containers: [{name: c, image: example.invalid/test:1}]}
`,
    );
    await waitFor("job complete", () => {
      const job = sim.getJson(["get", "job", "once"]);
      return (
        job.status.succeeded === 1 &&
        job.status.conditions?.some((c: any) => c.type === "Complete" && c.status === "True")
      );
    });
    await waitFor(
      "test pod succeeded",
      () => sim.getJson(["get", "pod", "release-test"]).status.phase === "Succeeded",
    );
    // a plain Deployment pod keeps running
    assert.ok(
      sim.getJson(["get", "pods", "-l", "app=hello"]).items.every((p: any) => p.status.phase === "Running"),
    );
  });

  it("rejects an invalid object in server-side dry-run", () => {
    const bad = sim.tryKubectl(
      ["apply", "--dry-run=server", "--validate=strict", "-f", "-"],
      `
apiVersion: v1
kind: ConfigMap
metadata: {name: bad, namespace: default}
data: {a: b}
notAField: true
`,
    );
    assert.notStrictEqual(bad.status, 0);
    assert.match(bad.stderr, /unknown field "notAField"/);
    const good = sim.tryKubectl(
      ["apply", "--dry-run=server", "--validate=strict", "-f", "-"],
      `
apiVersion: v1
kind: ConfigMap
metadata: {name: good, namespace: default}
data: {a: b}
`,
    );
    assert.strictEqual(good.status, 0, good.stderr);
    assert.strictEqual(
      sim.tryKubectl(["get", "configmap", "good"]).status,
      1,
      "a dry run must not create anything",
    );
  });

  it("lets a real Traefik route Ingresses (plain and with a Middleware) on websecure to a loopback stub", async () => {
    const seen: { url: string; prefix?: string }[] = [];
    const stub = http.createServer((req, res) => {
      seen.push({ url: req.url ?? "", prefix: req.headers["x-forwarded-prefix"] as string | undefined });
      res.end("stub");
    });
    await new Promise<void>((r) => stub.listen(0, "127.0.0.1", () => r()));
    const stubPort = (stub.address() as net.AddressInfo).port;
    const traefik = startTraefik(sim);
    try {
      sim.kubectl(
        ["apply", "-f", "-"],
        `
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
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: strip, namespace: default}
spec: {stripPrefix: {prefixes: [/app]}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: stripped
  namespace: default
  annotations:
    traefik.ingress.kubernetes.io/router.entrypoints: websecure
    traefik.ingress.kubernetes.io/router.tls: "true"
    traefik.ingress.kubernetes.io/router.middlewares: default-strip@kubernetescrd
spec:
  ingressClassName: kommander-traefik
  rules:
  - http:
      paths:
      - {path: /app, pathType: Prefix, backend: {service: {name: stub, port: {name: http}}}}
`,
      );
      // A router shows up before its middleware (another provider) arrives: wait for "enabled".
      const hello = await traefik.waitForRouter(
        (r) => /^PathPrefix\(["`]\/hello["`]\)$/.test(r.rule) && r.status === "enabled",
      );
      assert.deepStrictEqual(hello.entryPoints, ["websecure"]);
      const app = await traefik.waitForRouter(
        (r) => /^PathPrefix\(["`]\/app["`]\)$/.test(r.rule) && r.status === "enabled",
      );
      assert.deepStrictEqual(app.middlewares, ["default-strip@kubernetescrd"]);

      const res = await httpGet(`https://127.0.0.1:${traefik.websecure}/hello/world?q=1`);
      assert.strictEqual(res.status, 200);
      assert.strictEqual(res.body, "stub");
      assert.deepStrictEqual(seen, [{ url: "/hello/world?q=1", prefix: undefined }]);

      seen.splice(0);
      const stripped = await httpGet(`https://127.0.0.1:${traefik.websecure}/app/console`);
      assert.strictEqual(stripped.status, 200);
      assert.deepStrictEqual(seen, [{ url: "/console", prefix: "/app" }]);

      seen.splice(0);
      const plain = await httpGet(`http://127.0.0.1:${traefik.web}/hello/world`);
      assert.strictEqual(plain.status, 404, "the plain web entrypoint must not serve it");
      assert.deepStrictEqual(seen, []);
    } finally {
      stub.close();
      traefik.stop();
    }
  });

  it("listens on 127.0.0.1 only", async () => {
    const traefik = startTraefik(sim);
    try {
      const all = sim.pids().flatMap((pid) => listeners(pid));
      assert.ok(all.length >= 6, `expected etcd, apiserver and traefik listeners, got ${all}`);
      for (const l of all) assert.match(l, /^(127\.\d+\.\d+\.\d+|::ffff:127\.0\.0\.1):\d+$/);
      assert.ok(all.includes(`127.0.0.1:${traefik.websecure}`));
    } finally {
      traefik.stop();
    }
  });

  it("sim.sh down stops every process and frees its ports", async () => {
    const traefik = startTraefik(sim);
    const pids = sim.pids();
    assert.ok(
      pids.length >= 6,
      `expected the control plane's and Traefik's pid files, got ${pidFiles(sim.stateDir)}`,
    );
    const ports = [
      apiPort(sim),
      traefik.web,
      traefik.websecure,
      traefik.api,
      ...pids.flatMap((p) => listeners(p).map((l) => Number(l.split(":").pop()))),
    ];
    const t0 = Date.now();
    sim.down();
    console.log(`      (sim down in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    for (const pid of pids) assert.ok(processGone(pid), `process ${pid} still alive`);
    for (const port of new Set(ports))
      assert.strictEqual(await portOpen(port), false, `port ${port} still open`);
    assert.deepStrictEqual(pidFiles(sim.stateDir), []);
    assert.ok(!fs.existsSync(path.join(sim.stateDir, "etcd")), "etcd data removed");
    for (const log of [
      "etcd",
      "kube-apiserver",
      "kube-controller-manager",
      "kube-scheduler",
      "kwok",
      "traefik",
    ]) {
      assert.ok(fs.existsSync(path.join(sim.stateDir, `${log}.log`)), `${log}.log kept`);
    }
    // down again is harmless
    sim.down();
  });
});

describe("simulated NKP cluster variants", function () {
  this.timeout(120000);

  const lbAddresses = (sim: Sim) =>
    sim
      .getJson(["get", "svc", "-A", "-l", "app.kubernetes.io/instance=kommander-traefik"])
      .items.filter((s: any) => s.spec.type === "LoadBalancer")
      .map((s: any) => [
        `${s.metadata.namespace}/${s.metadata.name}`,
        s.status.loadBalancer.ingress?.[0]?.ip ?? null,
      ])
      .sort((a: string[], b: string[]) => a[0].localeCompare(b[0]));

  it("--address-pending leaves the Traefik Service without an address", async () => {
    const sim = startSim("pending", ["--address-pending"]);
    try {
      await sleep(2000);
      assert.deepStrictEqual(lbAddresses(sim), [["kommander/kommander-traefik", null]]);
    } finally {
      sim.down();
    }
  });

  it("--two-traefik --address-delay: two candidates whose addresses arrive later; up is idempotent", async () => {
    const sim = startSim("two", ["--two-traefik", "--address-delay", "4"]);
    try {
      assert.deepStrictEqual(lbAddresses(sim), [
        ["kommander-default-workspace/kommander-traefik", null],
        ["kommander/kommander-traefik", null],
      ]);
      const again = spawnSync("bash", [simScript, "up", "--state-dir", sim.stateDir], { encoding: "utf8" });
      assert.strictEqual(again.status, 0, again.stderr);
      assert.match(again.stdout, /already up/);
      await waitFor("addresses", () => lbAddresses(sim).every(([, ip]: string[]) => ip), 30000);
      assert.deepStrictEqual(lbAddresses(sim), [
        ["kommander-default-workspace/kommander-traefik", "198.51.100.11"],
        ["kommander/kommander-traefik", "198.51.100.10"],
      ]);
    } finally {
      sim.down();
    }
  });

  it("--no-traefik --no-ingressclass: no platform Traefik at all", () => {
    const sim = startSim("none", ["--no-traefik", "--no-ingressclass"]);
    try {
      assert.deepStrictEqual(
        sim.getJson(["get", "svc", "-A", "-l", "app.kubernetes.io/name=traefik"]).items,
        [],
      );
      assert.deepStrictEqual(sim.getJson(["get", "ingressclass"]).items, []);
      sim.kubectl(["get", "storageclass", "nutanix-volume"]);
      sim.kubectl(["get", "crd", "middlewares.traefik.io"]);
    } finally {
      sim.down();
    }
  });

  it("a crashed up keeps the logs, shows the failing component's log tail and leaves nothing running", () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "dify-sim-badcache-"));
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-sim-crash-"));
    try {
      fs.mkdirSync(path.join(cache, "bin"));
      for (const t of ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"]) {
        fs.symlinkSync(path.join(binDir, t), path.join(cache, "bin", t));
      }
      fs.writeFileSync(
        path.join(cache, "bin", "kwok"),
        "#!/bin/sh\necho 'kwok: stage file broken on purpose' >&2\nexit 3\n",
        { mode: 0o755 },
      );
      const r = spawnSync("bash", [simScript, "up", "--state-dir", stateDir], {
        encoding: "utf8",
        env: { ...process.env, DIFY_NKP_CACHE: cache },
      });
      assert.notStrictEqual(r.status, 0);
      assert.match(
        r.stderr,
        /kwok failed to start; last lines of .*kwok\.log:\nkwok: stage file broken on purpose/,
      );
      assert.deepStrictEqual(pidFiles(stateDir), []);
      assert.ok(
        fs.readFileSync(path.join(stateDir, "kube-apiserver.log"), "utf8").length > 0,
        "apiserver log kept",
      );
      assert.deepStrictEqual(processesMentioning(stateDir), [], "no process of the crashed sim left");
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe("scripts/lib: one rule for the tool cache and the state dirs", () => {
  /** The shell side's values (scripts/lib/paths.sh) and the TypeScript side's, in one environment. */
  function both(env: Record<string, string>) {
    const sh = spawnSync(
      "bash",
      ["-c", '. scripts/lib/paths.sh; printf "%s\\n" "$repo" "$cache" "$bin" "$sim_state" "$stacks"'],
      { cwd: repoRoot, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: os.homedir(), ...env } },
    );
    const ts = spawnSync(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        "-e",
        'const p = require("./scripts/lib/paths"); console.log([p.repoRoot, p.cacheDir, p.binDir, p.simStateDir, p.stacksDir].join("\\n"))',
      ],
      { cwd: repoRoot, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: os.homedir(), ...env } },
    );
    assert.strictEqual(sh.status, 0, sh.stderr);
    assert.strictEqual(ts.status, 0, ts.stderr);
    return { sh: sh.stdout.trim().split("\n"), ts: ts.stdout.trim().split("\n") };
  }

  it("paths.sh and paths.ts agree by default and under every override", () => {
    const defaults = both({});
    assert.deepStrictEqual(defaults.sh, defaults.ts);
    assert.deepStrictEqual(defaults.ts.slice(1), [
      path.join(os.homedir(), ".cache", "dify-nkp"),
      path.join(os.homedir(), ".cache", "dify-nkp", "bin"),
      path.join(repoRoot, ".sim"),
      path.join(repoRoot, ".sim", "stacks"),
    ]);
    const set = both({ DIFY_NKP_CACHE: "/tmp/c", SIM_STATE_DIR: "/tmp/s", DIFY_NKP_STATE: "/tmp/p" });
    assert.deepStrictEqual(set.sh, set.ts);
    assert.deepStrictEqual(set.ts.slice(1), ["/tmp/c", "/tmp/c/bin", "/tmp/s", "/tmp/p"]);
  });
});
