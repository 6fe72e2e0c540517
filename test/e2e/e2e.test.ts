/**
 * End to end: the real `pulumi` CLI as a user runs it (scripts/lib/pulumi.ts: file backend,
 * `stack init`, `config set`, `up --yes`, ...) with the Node.js language host and the built
 * kubernetes and random providers, against the simulated NKP cluster; a real Traefik routes
 * the release's Ingresses to loopback stubs.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { defaultImageTag, versionMatrix } from "../../components/config";
import { createdByLabel, podSecurityLabels } from "../../components/namespace";
import { CliRun, Pulumi, PulumiStack } from "../../scripts/lib/pulumi";
import { repoRoot, tool } from "../lib/paths";
import { httpGet, Sim, startSim, startTraefik, waitFor } from "../lib/sim";

const webImage = "registry.example.local/dify/dify-web:1.11.4-dify";
const lbIp = "198.51.100.10";

function ok(run: CliRun): CliRun {
  assert.strictEqual(run.status, 0, `pulumi ${run.args.join(" ")} failed:\n${run.output.slice(-4000)}`);
  return run;
}

/** The CLI on a sim, with a state dir of its own (backend, stack config files). */
function cli(sim: Sim, stateDir: string): Pulumi {
  const p = new Pulumi({
    stateDir,
    passphrase: "e2e-test-passphrase",
    env: { KUBECONFIG: sim.kubeconfig },
    configInState: true,
  });
  p.login();
  return p;
}

/** `pulumi stack init NAME` and `pulumi config set` of each entry. */
function newStack(p: Pulumi, name: string, config: Record<string, string> = {}): PulumiStack {
  const s = p.stack(name);
  s.init();
  s.setConfig(config);
  return s;
}

/** What a Pulumi user reads as a JavaScript stack trace ("    at fn (file.ts:1:2)"). */
const stackTrace = /^\s+at .*(\(.*:\d+:\d+\)|:\d+:\d+)$/m;

/** Live (not terminating) pods of the namespace: name prefix (component) -> uid. */
function podUids(sim: Sim, ns = "dify"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of sim.getJson(["-n", ns, "get", "pods"]).items) {
    if (p.metadata.deletionTimestamp || p.metadata.ownerReferences?.[0]?.kind === "Job") continue;
    out[p.metadata.labels["app.kubernetes.io/component"]] = p.metadata.uid;
  }
  return out;
}

function assertAllReady(sim: Sim, ns = "dify"): void {
  for (const kind of ["deployments", "statefulsets"]) {
    const items = sim.getJson(["-n", ns, "get", kind]).items;
    assert.ok(items.length > 0, `no ${kind}`);
    for (const d of items)
      assert.strictEqual(
        d.status.readyReplicas ?? 0,
        d.spec.replicas,
        `${kind}/${d.metadata.name} not ready`,
      );
  }
}

function secretData(sim: Sim, ns: string, name: string): Record<string, string> {
  const s = sim.getJson(["-n", ns, "get", "secret", name]);
  return Object.fromEntries(
    Object.entries<string>(s.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
  );
}

/** Creates (or updates) a namespace with these labels. */
function labelledNamespace(sim: Sim, name: string, labels: Record<string, string>): void {
  const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
  sim.kubectl(["apply", "-f", "-"], JSON.stringify(ns));
}

/** What a namespace holds besides what Kubernetes puts in every namespace. */
function contents(sim: Sim, ns: string): string[] {
  return sim
    .getJson(["-n", ns, "get", "all,secrets,configmaps,pvc,ingress,networkpolicies"])
    .items.filter((o: any) => o.metadata.name !== "kube-root-ca.crt")
    .map((o: any) => `${o.kind}/${o.metadata.name}`);
}

const restricted = { "pod-security.kubernetes.io/enforce": "restricted" };

/** A loopback HTTP stub that records the paths it receives. */
async function stub(name: string): Promise<{ port: number; seen: string[]; close: () => void }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? "");
    res.end(name);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as net.AddressInfo).port, seen, close: () => server.close() };
}

/**
 * Points the release's web, api and plugin-daemon Services at loopback stubs (ExternalName
 * localhost, test only), starts Traefik, and returns a request function and the stubs.
 */
async function routeThroughTraefik(sim: Sim) {
  const stubs = {
    web: await stub("web"),
    api: await stub("api"),
    "plugin-daemon": await stub("plugin-daemon"),
  };
  for (const [component, s] of Object.entries(stubs)) {
    sim.kubectl(["-n", "dify", "delete", "service", `dify-${component}`]);
    sim.kubectl(
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: `dify-${component}`, namespace: "dify" },
        spec: { type: "ExternalName", externalName: "localhost", ports: [{ name: "http", port: s.port }] },
      }),
    );
  }
  const traefik = startTraefik(sim);
  // Wait until Traefik has computed the release's routers. A router that uses a Middleware is
  // listed before the Middleware loads, so count enabled ones.
  const enabled = async () =>
    (await traefik.routers()).filter((r: any) => r.provider === "kubernetes" && r.status === "enabled");
  await waitFor("the release's routers in Traefik", async () => (await enabled()).length >= 8, 30000, 300);
  const reset = () => Object.values(stubs).forEach((s) => s.seen.splice(0));
  const through = async (p: string, entry: "websecure" | "web" = "websecure") => {
    reset();
    const res = await httpGet(
      `${entry === "websecure" ? "https" : "http"}://127.0.0.1:${traefik[entry]}${p}`,
    );
    const hit = Object.entries(stubs).find(([, s]) => s.seen.length > 0);
    return { status: res.status, backend: hit?.[0], path: hit?.[1].seen[0] };
  };
  const stop = () => {
    Object.values(stubs).forEach((s) => s.close());
    traefik.stop();
  };
  return { through, stop };
}

describe("e2e: pulumi up on the simulated NKP (sub-path /dify)", function () {
  this.timeout(600000);
  let sim: Sim;
  let p: Pulumi;
  /** `pulumi config set` of webImage and the entries, then `pulumi up --yes`. */
  const up = (stack: PulumiStack, config: Record<string, string> = {}) => {
    stack.setConfig({ webImage, ...config });
    return stack.up();
  };

  before(() => {
    sim = startSim("e2e");
    p = cli(sim, fs.mkdtempSync(path.join(os.tmpdir(), "dify-e2e-state-")));
  });
  after(() => sim?.down());

  let dev: PulumiStack;
  let firstUp: CliRun;
  let firstUids: Record<string, string>;

  it("1. a fresh stack finds kommander-traefik, installs the release, and outputs the URLs", () => {
    dev = newStack(p, "dev");
    firstUp = ok(up(dev));
    assert.strictEqual(dev.lastUpdate().result, "succeeded");
    const { outputs } = dev.outputs();
    assert.strictEqual(outputs.url, `https://${lbIp}/dify`);
    assert.strictEqual(outputs.setupUrl, `https://${lbIp}/dify/install`);
    assert.strictEqual(outputs.traefikService, "kommander/kommander-traefik");
    assert.strictEqual(outputs.address, lbIp);
    assert.strictEqual(outputs.initPassword, "[secret]");
    assertAllReady(sim);
    const job = sim.getJson(["-n", "dify", "get", "job", "dify-migrate"]);
    assert.strictEqual(job.status.succeeded, 1);
    const components = Object.keys(podUids(sim)).sort();
    assert.deepStrictEqual(components, [
      "api",
      "plugin-daemon",
      "postgresql",
      "redis",
      "sandbox",
      "ssrf-proxy",
      "weaviate",
      "web",
      "worker",
      "worker-beat",
    ]);
    firstUids = podUids(sim);
  });

  it("creates the namespace at Pod Security baseline, and the real admission admitted every pod", () => {
    const ns = sim.getJson(["get", "namespace", "dify"]);
    const { "kubernetes.io/metadata.name": _name, ...labels } = ns.metadata.labels;
    assert.deepStrictEqual(labels, { ...podSecurityLabels, [createdByLabel.key]: createdByLabel.value });
    // The admission enforces here: a privileged pod is refused (dry run, nothing stored).
    const privileged = sim.tryKubectl([
      "-n",
      "dify",
      "run",
      "privileged",
      "--image=example.invalid/x:1",
      "--privileged",
      "--dry-run=server",
    ]);
    assert.notStrictEqual(privileged.status, 0);
    assert.match(privileged.stderr, /violates PodSecurity "baseline:latest"/);
    const refused = sim.getJson([
      "-n",
      "dify",
      "get",
      "events",
      "--field-selector",
      "reason=FailedCreate",
    ]).items;
    assert.deepStrictEqual(
      refused.map((e: any) => e.message),
      [],
    );
  });

  it("keeps secrets out of stack outputs and the engine's log", () => {
    const secrets = secretData(sim, "dify", "dify-credentials");
    const { run } = dev.outputs();
    ok(run);
    for (const v of Object.values(secrets)) {
      assert.ok(!run.output.includes(v), "a credential appeared in pulumi stack output");
      assert.ok(!firstUp.output.includes(v), "a credential appeared in the log of pulumi up");
    }
    assert.ok(secrets.INIT_PASSWORD.length <= 30);
    const shown = dev.outputs({ showSecrets: true }).outputs;
    assert.strictEqual(
      shown.initPassword,
      secrets.INIT_PASSWORD,
      "stack output --show-secrets reveals the setup password",
    );
  });

  it("2. up again with nothing changed: preview --expect-no-changes passes and no pod is recreated", () => {
    ok(dev.preview({ expectNoChanges: true }));
    ok(up(dev));
    const changes = dev.lastUpdate().resourceChanges;
    assert.deepStrictEqual(
      Object.keys(changes).filter((k) => k !== "same" && k !== "read"),
      [],
    );
    assert.deepStrictEqual(podUids(sim), firstUids);
  });

  it("2b. dify:adminEmail adds the bootstrap hook Job; it completes, outputs appear, a second up changes nothing", () => {
    // Without dify:adminEmail (tests 1 and 2) nothing of it exists.
    const before = sim.tryKubectl(["-n", "dify", "get", "job", "dify-bootstrap"]);
    assert.strictEqual(before.status, 1, "a bootstrap Job exists");
    assert.ok(!("ADMIN_PASSWORD" in secretData(sim, "dify", "dify-credentials")));
    for (const k of ["adminEmail", "adminPassword", "bootstrap"]) assert.ok(!(k in dev.outputs().outputs), k);

    dev.setConfig({ openaiApiKey: "sk-e2e-test-key" }, { secret: true });
    const run = ok(up(dev, { adminEmail: "admin@example.com" }));
    const job = sim.getJson(["-n", "dify", "get", "job", "dify-bootstrap"]);
    assert.strictEqual(job.status.succeeded, 1, "the simulated kubelet (kwok) completes the Job's pod");
    assert.strictEqual(job.metadata.annotations["helm.sh/hook"], "post-install,post-upgrade");
    const migrate = sim.getJson(["-n", "dify", "get", "job", "dify-migrate"]);
    assert.ok(Date.parse(job.metadata.creationTimestamp) >= Date.parse(migrate.metadata.creationTimestamp));
    const c = job.spec.template.spec.containers[0];
    assert.strictEqual(c.image, "langgenius/dify-api:1.11.4");
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef.key ?? e.value]));
    assert.strictEqual(env.BOOTSTRAP_API_URL, "http://dify-api:5001");
    assert.strictEqual(env.BOOTSTRAP_PLUGINS, "langgenius/openai", "the default with an OpenAI key");
    assert.strictEqual(env.BOOTSTRAP_ADMIN_PASSWORD, "ADMIN_PASSWORD");
    const script = sim.getJson(["-n", "dify", "get", "configmap", "dify-bootstrap"]).data["bootstrap.py"];
    assert.strictEqual(
      script,
      fs.readFileSync(path.join(repoRoot, "chart", "files", "bootstrap.py"), "utf8"),
    );

    const secrets = secretData(sim, "dify", "dify-credentials");
    assert.match(secrets.ADMIN_PASSWORD, /^(?=.*[a-zA-Z])(?=.*\d).{8,}$/, "Dify's password rule");
    const { outputs } = dev.outputs();
    assert.strictEqual(outputs.adminEmail, "admin@example.com");
    assert.strictEqual(outputs.adminPassword, "[secret]");
    // kwok runs no container: the pod leaves no termination message, and the output says so.
    assert.strictEqual(outputs.bootstrap, "completed (the pod recorded no result)");
    assert.strictEqual(dev.outputs({ showSecrets: true }).outputs.adminPassword, secrets.ADMIN_PASSWORD);
    for (const v of [secrets.ADMIN_PASSWORD, "sk-e2e-test-key"]) {
      assert.ok(!run.output.includes(v), "a secret in the log of pulumi up");
    }

    const uid = job.metadata.uid;
    ok(dev.preview({ expectNoChanges: true }));
    ok(up(dev));
    const changes = Object.keys(dev.lastUpdate().resourceChanges).filter((k) => k !== "same" && k !== "read");
    assert.deepStrictEqual(changes, []);
    const after = sim.getJson(["-n", "dify", "get", "job", "dify-bootstrap"]);
    assert.strictEqual(after.metadata.uid, uid, "the Job did not run again");
    assert.deepStrictEqual(podUids(sim), firstUids, "no pod was recreated");
    dev.rmConfig(["adminEmail", "openaiApiKey"]);
  });

  it("3. a Dify-only change (the public host) recreates the app pods, never the data stores", () => {
    ok(up(dev, { externalHost: "dify.example.com" }));
    const now = podUids(sim);
    for (const c of ["api", "worker", "worker-beat", "web"])
      assert.notStrictEqual(now[c], firstUids[c], `${c} was not recreated`);
    for (const c of ["postgresql", "redis", "weaviate", "sandbox"])
      assert.strictEqual(now[c], firstUids[c], `${c} was recreated`);
    const api = sim.getJson(["-n", "dify", "get", "deployment", "dify-api"]);
    const env = api.spec.template.spec.containers[0].env;
    assert.strictEqual(
      env.find((e: any) => e.name === "CONSOLE_API_URL").value,
      "https://dify.example.com/dify",
    );
  });

  it("4. an image tag change runs the migration Job again for the new version", () => {
    const before = sim.getJson(["-n", "dify", "get", "job", "dify-migrate"]).metadata.uid;
    ok(
      up(dev, {
        externalHost: "dify.example.com",
        imageTag: "1.11.5",
        ...versionMatrix[defaultImageTag],
      }),
    );
    const job = sim.getJson(["-n", "dify", "get", "job", "dify-migrate"]);
    assert.notStrictEqual(job.metadata.uid, before);
    assert.strictEqual(job.status.succeeded, 1);
    assert.strictEqual(job.spec.template.spec.containers[0].image, "langgenius/dify-api:1.11.5");
    const api = sim.getJson(["-n", "dify", "get", "deployment", "dify-api"]);
    assert.strictEqual(api.spec.template.spec.containers[0].image, "langgenius/dify-api:1.11.5");
    assertAllReady(sim);
  });

  it("7. a real Traefik routes /dify: api and daemon stripped, web with the prefix, websecure only", async () => {
    ok(up(dev));
    const t = await routeThroughTraefik(sim);
    try {
      assert.deepStrictEqual(await t.through("/dify/console/api/x"), {
        status: 200,
        backend: "api",
        path: "/console/api/x",
      });
      assert.deepStrictEqual(await t.through("/dify/v1/chat-messages"), {
        status: 200,
        backend: "api",
        path: "/v1/chat-messages",
      });
      assert.deepStrictEqual(await t.through("/dify/files/abc/file-preview"), {
        status: 200,
        backend: "api",
        path: "/files/abc/file-preview",
      });
      assert.deepStrictEqual(await t.through("/dify/apps"), {
        status: 200,
        backend: "web",
        path: "/dify/apps",
      });
      assert.deepStrictEqual(await t.through("/dify/_next/static/x.js"), {
        status: 200,
        backend: "web",
        path: "/dify/_next/static/x.js",
      });
      assert.deepStrictEqual(await t.through("/dify"), { status: 200, backend: "web", path: "/dify" });
      assert.deepStrictEqual(await t.through("/dify/e/abc"), {
        status: 200,
        backend: "plugin-daemon",
        path: "/e/abc",
      });
      assert.deepStrictEqual(await t.through("/dify/explore"), {
        status: 200,
        backend: "web",
        path: "/dify/explore",
      });
      assert.deepStrictEqual(await t.through("/difyx"), { status: 404, backend: undefined, path: undefined });
      // The web's root leaks are redirected (302) without reaching a backend; the root stays unclaimed.
      assert.deepStrictEqual(await t.through("/signin"), {
        status: 302,
        backend: undefined,
        path: undefined,
      });
      assert.deepStrictEqual(await t.through("/"), { status: 404, backend: undefined, path: undefined });
      assert.deepStrictEqual(await t.through("/other"), { status: 404, backend: undefined, path: undefined });
      assert.deepStrictEqual(await t.through("/dify/apps", "web"), {
        status: 404,
        backend: undefined,
        path: undefined,
      });
    } finally {
      t.stop();
    }
  });

  it("5. destroy keeps the data; a re-created stack reuses it with the same credentials", () => {
    const pvcs = () =>
      Object.fromEntries(
        sim.getJson(["-n", "dify", "get", "pvc"]).items.map((p: any) => [p.metadata.name, p.metadata.uid]),
      );
    const pvcsBefore = pvcs();
    const credsBefore = secretData(sim, "dify", "dify-credentials");
    ok(dev.destroy());
    assert.deepStrictEqual(sim.getJson(["-n", "dify", "get", "deployments,statefulsets"]).items, []);
    assert.deepStrictEqual(sim.getJson(["-n", "dify", "get", "secrets", "-l", "owner=helm"]).items, []);
    assert.deepStrictEqual(pvcs(), pvcsBefore);
    assert.deepStrictEqual(Object.keys(pvcsBefore).sort(), [
      "data-dify-postgresql-0",
      "data-dify-redis-0",
      "data-dify-weaviate-0",
      "dify-files",
      "dify-plugin-daemon",
    ]);
    ok(dev.rm());

    const again = newStack(p, "dev-again");
    const run = ok(up(again));
    assert.match(
      run.output,
      /Credentials kept from the existing Secret dify\/dify-credentials: secretKey, initPassword, postgresPassword/,
    );
    assert.strictEqual(again.outputs().outputs.url, `https://${lbIp}/dify`);
    assertAllReady(sim);
    assert.deepStrictEqual(pvcs(), pvcsBefore, "PVCs were replaced");
    const credsAfter = secretData(sim, "dify", "dify-credentials");
    assert.deepStrictEqual(credsAfter, credsBefore, "credentials changed against retained data");
  });
});

describe("e2e: root mode and plain Helm on the simulated NKP", function () {
  this.timeout(600000);
  let sim: Sim;
  let p: Pulumi;

  before(() => {
    sim = startSim("e2e-root");
    p = cli(sim, fs.mkdtempSync(path.join(os.tmpdir(), "dify-e2e-root-")));
  });
  after(() => sim?.down());

  it("7. root mode with the stock web image: everything at /, routed by a real Traefik", async () => {
    const root = newStack(p, "root", { path: "/" });
    ok(root.up());
    assert.strictEqual(root.outputs().outputs.url, `https://${lbIp}`);
    assert.ok(!sim.getJson(["-n", "dify", "get", "middlewares.traefik.io"]).items.length);
    const web = sim.getJson(["-n", "dify", "get", "deployment", "dify-web"]);
    assert.strictEqual(web.spec.template.spec.containers[0].image, "langgenius/dify-web:1.11.4");
    const t = await routeThroughTraefik(sim);
    try {
      assert.deepStrictEqual(await t.through("/console/api/x"), {
        status: 200,
        backend: "api",
        path: "/console/api/x",
      });
      assert.deepStrictEqual(await t.through("/apps"), { status: 200, backend: "web", path: "/apps" });
      assert.deepStrictEqual(await t.through("/e/abc"), {
        status: 200,
        backend: "plugin-daemon",
        path: "/e/abc",
      });
      assert.deepStrictEqual(await t.through("/explore"), { status: 200, backend: "web", path: "/explore" });
      assert.deepStrictEqual(await t.through("/apps", "web"), {
        status: 404,
        backend: undefined,
        path: undefined,
      });
    } finally {
      t.stop();
    }
  });

  it("refuses a namespace that enforces Pod Security restricted, before changing anything", () => {
    labelledNamespace(sim, "locked", restricted);
    const run = newStack(p, "locked", { path: "/", namespace: "locked" }).up();
    assert.notStrictEqual(run.status, 0, "up succeeded");
    assert.match(run.output, /Namespace locked \(dify:namespace\) enforces Pod Security "restricted"/);
    assert.match(run.output, /Nothing was changed/);
    assert.doesNotMatch(run.output, stackTrace);
    const labels = sim.getJson(["get", "namespace", "locked"]).metadata.labels;
    assert.strictEqual(
      labels["pod-security.kubernetes.io/enforce"],
      "restricted",
      "the namespace was relabelled",
    );
    assert.deepStrictEqual(contents(sim, "locked"), []);
  });

  const helmSets = [
    "expose.ingressClassName=kommander-traefik",
    "expose.path=/",
    "external.scheme=https",
    `external.host=${lbIp}`,
    "images.dify.repository=langgenius/dify",
    "images.dify.tag=1.11.4",
    "images.pluginDaemon.repository=langgenius/dify-plugin-daemon",
    "images.pluginDaemon.tag=0.5.2-local",
    "images.sandbox.repository=langgenius/dify-sandbox",
    "images.sandbox.tag=0.2.12",
    "images.postgres.repository=postgres",
    "images.postgres.tag=16.10",
    "images.redis.repository=redis",
    "images.redis.tag=7.4.5",
    "images.ssrfProxy.repository=ubuntu/squid",
    "images.ssrfProxy.tag=6.6-24.04_beta",
    "networkPolicy.ingressNamespaces={kommander,plain}",
    "weaviate.image.repository=semitechnologies/weaviate",
    "weaviate.image.tag=1.27.0",
    "weaviate.persistence.size=50Gi",
    "weaviate.persistence.storageClass=nutanix-volume",
    "storage.storageClassName=nutanix-volume",
    "postgresql.auth.username=dify",
    "postgresql.auth.database=dify",
    "postgresql.persistence.size=20Gi",
    "redis.persistence.size=8Gi",
    "dify.fileStorage.size=20Gi",
    "pluginDaemon.persistence.size=10Gi",
  ];
  const helmSecrets = [
    "secrets.difySecretKey",
    "secrets.initPassword",
    "secrets.pluginDaemonKey",
    "secrets.pluginInnerApiKey",
    "secrets.sandboxApiKey",
    "secrets.weaviateApiKey",
    "postgresql.auth.password",
    "redis.auth.password",
  ].map((k) => `${k}=${require("crypto").randomBytes(12).toString("hex")}`);
  const helm = (args: string[]) =>
    spawnSync(tool("helm"), ["--kubeconfig", sim.kubeconfig, ...args], { encoding: "utf8" });

  it("8. plain helm upgrade --install with --set only: validates server-side, ready at Pod Security baseline", () => {
    const sets = [...helmSets, ...helmSecrets].flatMap((s) => ["--set", s]);
    // The namespace as the README says to prepare it: baseline enforced, restricted reported.
    labelledNamespace(sim, "plain", podSecurityLabels);
    const dry = helm([
      "upgrade",
      "--install",
      "plain",
      path.join(repoRoot, "chart"),
      "-n",
      "plain",
      "--create-namespace",
      "--dry-run=server",
      ...sets,
    ]);
    assert.strictEqual(dry.status, 0, dry.stderr);
    const r = helm([
      "upgrade",
      "--install",
      "plain",
      path.join(repoRoot, "chart"),
      "-n",
      "plain",
      "--create-namespace",
      "--wait",
      "--wait-for-jobs",
      "--timeout",
      "5m",
      ...sets,
    ]);
    assert.strictEqual(r.status, 0, r.stderr);
    assertAllReady(sim, "plain");
    assert.strictEqual(sim.getJson(["-n", "plain", "get", "job", "plain-dify-migrate"]).status.succeeded, 1);
    // The test pod's hook wiring (kwok completes it; its HTTP checks need real containers).
    const t = helm(["test", "plain", "-n", "plain", "--timeout", "2m"]);
    assert.strictEqual(t.status, 0, t.stderr);
    assert.match(t.stdout, /TEST SUITE:\s+plain-dify-test[\s\S]*Phase:\s+Succeeded/);
  });

  it("8. plain helm into a namespace enforcing restricted fails with the chart's message, installs nothing", () => {
    labelledNamespace(sim, "plain-locked", restricted);
    const sets = [...helmSets, ...helmSecrets].flatMap((s) => ["--set", s]);
    const r = helm([
      "upgrade",
      "--install",
      "plain",
      path.join(repoRoot, "chart"),
      "-n",
      "plain-locked",
      ...sets,
    ]);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /namespace plain-locked enforces Pod Security "restricted"/);
    assert.match(
      r.stderr,
      /kubectl label namespace plain-locked pod-security\.kubernetes\.io\/enforce=baseline/,
    );
    assert.deepStrictEqual(contents(sim, "plain-locked"), []);
  });

  it("8. plain helm without a required value fails with that value's message and installs nothing", () => {
    const sets = [...helmSets.filter((s) => !s.startsWith("external.host=")), ...helmSecrets].flatMap((s) => [
      "--set",
      s,
    ]);
    const r = helm([
      "upgrade",
      "--install",
      "plain2",
      path.join(repoRoot, "chart"),
      "-n",
      "plain2",
      "--create-namespace",
      ...sets,
    ]);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /external\.host is required/);
    assert.deepStrictEqual(sim.getJson(["-n", "plain2", "get", "all"]).items, []);
  });
});

describe("e2e: faults are refused before anything changes", function () {
  this.timeout(300000);

  /**
   * Runs up on a new stack and asserts that it failed with the message, printed as Pulumi prints a
   * user-facing error (no "unhandled exception", no stack trace), and left no trace in the cluster.
   */
  function refused(p: Pulumi, sim: Sim, config: Record<string, string>, message: RegExp): CliRun {
    const run = newStack(p, `fault-${Date.now()}`, config).up();
    assert.notStrictEqual(run.status, 0, "up succeeded");
    assert.match(run.output, message);
    assert.doesNotMatch(run.output, /unhandled exception/);
    assert.doesNotMatch(run.output, stackTrace);
    assert.strictEqual(sim.tryKubectl(["get", "namespace", "dify"]).status, 1, "namespace dify was created");
    return run;
  }
  const withWeb = (config: Record<string, string> = {}) => ({ webImage, ...config });

  describe("on a cluster without Traefik", () => {
    let sim: Sim;
    let p: Pulumi;
    before(() => {
      sim = startSim("fault-none", ["--no-traefik"]);
      p = cli(sim, fs.mkdtempSync(path.join(os.tmpdir(), "dify-fault-")));
    });
    after(() => sim?.down());

    it("no Traefik Service", () =>
      refused(
        p,
        sim,
        withWeb(),
        /No LoadBalancer Service of the platform Traefik found.*dify:traefikNamespace/s,
      ));
    it("an override naming a missing Service", () =>
      refused(
        p,
        sim,
        withWeb({ traefikNamespace: "ingress", traefikServiceName: "edge" }),
        /ingress\/edge .*does not exist/,
      ));
    it("bad config values, all listed at once", () =>
      refused(
        p,
        sim,
        withWeb({ path: "dify", postgresSize: "20GB", externalHost: "https://x.example" }),
        /dify:path "dify" must start with \/.*dify:externalHost .*must not contain a scheme.*dify:postgresSize "20GB"/s,
      ));
    it("a sub-path without a base-path web image", () =>
      refused(p, sim, {}, /official dify-web image only serves at "\/".*build-web-image\.sh/s));
  });

  /** A sim started with OPTIONS, the CLI on it, and the refusal of up with CONFIG. */
  function refusedOn(
    name: string,
    options: string[],
    config: Record<string, string>,
    message: RegExp,
  ): CliRun {
    const sim = startSim(name, options);
    try {
      return refused(
        cli(sim, fs.mkdtempSync(path.join(os.tmpdir(), "dify-fault-"))),
        sim,
        withWeb(config),
        message,
      );
    } finally {
      sim.down();
    }
  }

  it("two Traefik candidates", () =>
    refusedOn(
      "fault-two",
      ["--two-traefik"],
      {},
      /Several LoadBalancer Services match .*kommander\/kommander-traefik.*kommander-default-workspace\/kommander-traefik/s,
    ));

  it("the address never assigned: a bounded wait pointing at MetalLB", () => {
    const run = refusedOn(
      "fault-pending",
      ["--address-pending"],
      { addressTimeoutSeconds: "3" },
      /no LoadBalancer address after 3s.*MetalLB/s,
    );
    assert.ok(run.seconds < 120);
  });

  it("the IngressClass missing", () =>
    refusedOn("fault-class", ["--no-ingressclass"], {}, /IngressClass kommander-traefik .*does not exist/));
});
