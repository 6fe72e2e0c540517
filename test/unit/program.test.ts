import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { BootstrapJob } from "../../components/bootstrap";
import { chartDigest } from "../../components/chart-contract";
import { ClusterReader, ServiceSummary, setClusterReader } from "../../components/cluster";
import { encodeRelease, HelmRecord, parseRecord, recordSecretName } from "../../components/helm-storage";
import { nothingReleased } from "../lib/fake-cluster";
import { repoRoot } from "../lib/paths";

interface Registered {
  type: string;
  name: string;
  inputs: any;
  id?: string;
  provider?: string;
}
let registered: Registered[] = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({
        type: args.type,
        name: args.name,
        inputs: args.inputs,
        id: args.id,
        provider: args.provider,
      });
      if (args.type === "random:index/randomPassword:RandomPassword")
        return { id: args.name, state: { ...args.inputs, result: `generated-${args.name}` } };
      if (args.type === "random:index/randomBytes:RandomBytes")
        return { id: args.name, state: { ...args.inputs, hex: `hex-${args.name}`, base64: "b64" } };
      if (args.type === "kubernetes:helm.sh/v3:Release")
        return {
          id: `${args.inputs.namespace}/${args.inputs.name}`,
          state: { ...args.inputs, status: { status: "deployed" } },
        };
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: () => ({}),
  },
  "dify",
  "test",
  false,
);

// The MockMonitor of @pulumi/pulumi 3.248 (runtime/mocks.js) cannot register resource or error
// hooks; like the engine's ResourceMonitor.RegisterResourceHook/RegisterErrorHook, these
// stand-ins acknowledge the registration (and record the hook names). Hooks never run under mocks.
let hookNames: string[] = [];
const monitor = (pulumi.runtime as any).getMonitor();
const acknowledge = (req: { getName(): string }, cb: (err: null, res: object) => void) => {
  hookNames.push(req.getName());
  cb(null, {});
};
monitor.registerResourceHook = acknowledge;
monitor.registerErrorHook = acknowledge;

const traefikSvc: ServiceSummary = {
  namespace: "kommander",
  name: "kommander-traefik",
  type: "LoadBalancer",
  labels: { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "kommander-traefik" },
  ingress: [{ ip: "198.51.100.10" }],
};

interface FakeCluster {
  services?: ServiceSummary[];
  secret?: Record<string, string>;
  /** Labels of the existing namespace dify (absent: it does not exist), or "forbidden". */
  namespace?: Record<string, string> | "forbidden";
  job?: BootstrapJob;
  records?: HelmRecord[];
  pvcs?: string[];
}
let clusterCalls: string[] = [];

function fakeCluster(opts: FakeCluster = {}): ClusterReader {
  const services = opts.services ?? [traefikSvc];
  return {
    listServices: async () => (clusterCalls.push("listServices"), services),
    readService: async (ns, name) => (
      clusterCalls.push(`readService ${ns}/${name}`),
      services.find((s) => s.namespace === ns && s.name === name)
    ),
    readNamespace: async (name) => {
      clusterCalls.push(`readNamespace ${name}`);
      if (opts.namespace === "forbidden") return "forbidden";
      return name === "dify" && opts.namespace ? { name, labels: opts.namespace } : undefined;
    },
    readSecretData: async (ns, name) => (
      clusterCalls.push(`readSecret ${ns}/${name}`),
      ns === "dify" && name === "dify-credentials" ? opts.secret : undefined
    ),
    listIngressClasses: async () => ["kommander-traefik"],
    hasCrd: async () => true,
    readJob: async (ns, name) => (clusterCalls.push(`readJob ${ns}/${name}`), opts.job),
    ...nothingReleased,
    listHelmRecords: async () => opts.records ?? [],
    listPvcNames: async (ns, selector) => (clusterCalls.push(`listPvcs ${ns} ${selector}`), opts.pvcs ?? []),
  };
}

const value = <T>(o: pulumi.Output<T> | T): Promise<T> =>
  pulumi.Output.isInstance(o)
    ? new Promise((r) =>
        (o as pulumi.Output<T>).apply((v) => {
          r(v);
          return v;
        }),
      )
    : Promise.resolve(o as T);

let logs: string[] = [];

/** kubernetes:kubeconfig of every run (the fake reader replaces the cluster; the provider gets this). */
const kubeconfig = JSON.stringify({
  apiVersion: "v1",
  kind: "Config",
  "current-context": "nkp",
  clusters: [{ name: "nkp", cluster: { server: "https://127.0.0.1:6443" } }],
  users: [{ name: "admin", user: { token: "test-token" } }],
  contexts: [{ name: "nkp", context: { cluster: "nkp", user: "admin" } }],
});

/**
 * Runs index.ts (fresh from the require cache) with the given `dify:*` config against a fake
 * cluster, and waits until every registration has arrived. Keys in `secretKeys` are marked
 * as secret config, like `pulumi config set --secret`.
 */
async function runProgram(
  config: Record<string, string>,
  cluster: FakeCluster = {},
  secretKeys?: string[],
): Promise<Record<string, any>> {
  registered = [];
  logs = [];
  clusterCalls = [];
  const all: Record<string, string> = { "kubernetes:kubeconfig": kubeconfig };
  for (const [k, v] of Object.entries(config)) all[`dify:${k}`] = v;
  pulumi.runtime.setAllConfig(
    all,
    (secretKeys ?? Object.keys(config).filter((k) => /Password|Key$/.test(k))).map((k) => `dify:${k}`),
  );
  setClusterReader(fakeCluster(cluster));
  const file = require.resolve(path.join(repoRoot, "index"));
  delete require.cache[file];
  const program = require(file) as () => Promise<Record<string, any>>;
  const origLog = console.log;
  const origWarn = console.warn;
  console.log = (m: string) => logs.push(String(m));
  console.warn = (m: string) => logs.push(String(m));
  try {
    const outputs = await program();
    await value(outputs.releaseStatus);
    await new Promise((r) => setTimeout(r, 50));
    return outputs;
  } finally {
    console.log = origLog;
    console.warn = origWarn;
  }
}

/** A Helm record of release dify as Helm's secret driver stores it, read back by parseRecord. */
function record(
  revision: number,
  status: string,
  config: Record<string, unknown>,
  chart = "dify",
): HelmRecord {
  const raw = {
    name: "dify",
    namespace: "dify",
    version: revision,
    config,
    info: { status },
    chart: { metadata: { name: chart } },
  };
  return parseRecord({ name: recordSecretName("dify", revision), labels: {}, release: encodeRelease(raw) });
}

const secretSig = "4dabf18193072939515e22adb298388d";
/** Unwraps a value the engine received as a secret; fails if it is not one. */
function unsecret(v: any): any {
  assert.ok(v && v[secretSig], `expected a secret, got ${typeof v}`);
  return v.value;
}
/** The registered releases, with their values unwrapped (they must arrive as a secret). */
const releases = () =>
  registered
    .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
    .map((r) => ({ ...r, inputs: { ...r.inputs, values: unsecret(r.inputs.values) } }));
const randomNames = () =>
  registered
    .filter((r) => r.type.startsWith("random:"))
    .map((r) => r.name)
    .sort();
const webImage = "registry.example.local/dify-web:1.11.4-dify";

describe("program (Pulumi mocks)", function () {
  this.timeout(30000);
  after(() => setClusterReader(undefined));

  it("registers the random credentials, one Kubernetes provider and one release of the bundled chart through it", async () => {
    const out = await runProgram({ webImage });
    assert.deepStrictEqual(randomNames(), [
      "dify-init-password",
      "dify-plugin-daemon-key",
      "dify-plugin-inner-api-key",
      "dify-postgres-password",
      "dify-redis-password",
      "dify-sandbox-api-key",
      "dify-secret-key",
      "dify-weaviate-api-key",
    ]);
    assert.strictEqual(registered.find((r) => r.name === "dify-secret-key")?.inputs.length, 32);
    const kubeTypes = registered.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.type);
    assert.deepStrictEqual(kubeTypes, ["kubernetes:core/v1:Namespace", "kubernetes:helm.sh/v3:Release"]);
    const providers = registered.filter((r) => r.type === "pulumi:providers:kubernetes");
    assert.strictEqual(providers.length, 1);
    const providerKube = JSON.parse(unsecret(providers[0].inputs.kubeconfig));
    assert.strictEqual(
      providerKube.clusters[0].cluster.server,
      "https://127.0.0.1:6443",
      "the provider gets the resolved kubeconfig",
    );
    assert.strictEqual(releases().length, 1);
    assert.match(releases()[0].provider ?? "", /pulumi:providers:kubernetes::kubernetes::/);
    const ns = registered.find((r) => r.type === "kubernetes:core/v1:Namespace");
    assert.match(ns?.provider ?? "", /pulumi:providers:kubernetes::kubernetes::/, "the namespace's provider");
    const rel = releases()[0].inputs;
    assert.strictEqual(rel.chart, path.join(repoRoot, "chart"));
    assert.ok(path.isAbsolute(rel.chart));
    assert.strictEqual(rel.namespace, "dify");
    assert.strictEqual(rel.name, "dify");
    assert.strictEqual(rel.createNamespace, false);
    assert.strictEqual(rel.timeout, 900);
    assert.strictEqual(rel.skipAwait, false);
    assert.strictEqual(rel.atomic, false);
    assert.strictEqual(rel.values.external.host, "198.51.100.10");
    assert.strictEqual(rel.values.expose.path, "/dify");
    assert.deepStrictEqual(rel.values.networkPolicy.ingressNamespaces, ["kommander", "dify"]);
    assert.strictEqual(rel.values.deployment.chartDigest, chartDigest(path.join(repoRoot, "chart")));
    assert.strictEqual(rel.values.secrets.initPassword, "generated-dify-init-password");
    assert.strictEqual(rel.values.secrets.difySecretKey, "hex-dify-secret-key");
    assert.strictEqual(rel.values.postgresql.auth.password, "generated-dify-postgres-password");
    assert.strictEqual(await value(out.url), "https://198.51.100.10/dify");
    assert.strictEqual(await value(out.setupUrl), "https://198.51.100.10/dify/install");
    assert.strictEqual(await value(out.traefikService), "kommander/kommander-traefik");
    assert.strictEqual(await value(out.address), "198.51.100.10");
    assert.strictEqual(out.namespace, "dify");
    assert.strictEqual(out.releaseName, "dify");
    assert.strictEqual(await value(out.initPassword), "generated-dify-init-password");
    assert.deepStrictEqual(clusterCalls, [
      "listServices",
      "readNamespace dify",
      "readSecret dify/dify-credentials",
      "listPvcs dify app.kubernetes.io/name=dify,app.kubernetes.io/instance=dify",
    ]);
  });

  it("marks the setup password output and the release values as secret", async () => {
    const out = await runProgram({ path: "/" });
    const raw = registered.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
    assert.ok(raw.inputs.values[secretSig], "values are not a secret");
    assert.strictEqual(await pulumi.isSecret(out.initPassword), true);
    for (const k of ["url", "setupUrl", "traefikService", "address"])
      assert.notStrictEqual(await pulumi.isSecret(pulumi.output(out[k])), true, k);
    const random = registered.find((r) => r.name === "dify-init-password")!;
    assert.ok(random.inputs.length <= 30);
    assert.strictEqual(random.inputs.special, false);
  });

  it("lets secret config replace generated credentials", async () => {
    const out = await runProgram({
      path: "/",
      postgresPassword: "from-config-pw",
      secretKey: "s".repeat(40),
      initPassword: "typed-by-admin",
    });
    const v = releases()[0].inputs.values;
    assert.strictEqual(v.postgresql.auth.password, "from-config-pw");
    assert.strictEqual(v.secrets.difySecretKey, "s".repeat(40));
    assert.strictEqual(v.secrets.initPassword, "typed-by-admin");
    assert.strictEqual(v.redis.auth.password, "generated-dify-redis-password");
    assert.strictEqual(await value(out.initPassword), "typed-by-admin");
    assert.strictEqual(await pulumi.isSecret(out.initPassword), true);
    assert.ok(!logs.join("\n").includes("plain text"), "secret config was reported as plain text");
  });

  it("adopts credentials retained in the cluster and logs their names, never their values", async () => {
    await runProgram({ path: "/" }, { secret: { DB_PASSWORD: "retained-pw", SECRET_KEY: "retained-key" } });
    const v = releases()[0].inputs.values;
    assert.strictEqual(v.postgresql.auth.password, "retained-pw");
    assert.strictEqual(v.secrets.difySecretKey, "retained-key");
    assert.strictEqual(v.secrets.sandboxApiKey, "generated-dify-sandbox-api-key");
    const text = logs.join("\n");
    assert.match(
      text,
      /Credentials kept from the existing Secret dify\/dify-credentials: secretKey, postgresPassword\./,
    );
    assert.ok(!text.includes("retained-pw") && !text.includes("retained-key"));
  });

  it("says nothing about adoption when the Secret holds the stack's own values", async () => {
    await runProgram(
      { path: "/" },
      { secret: { DB_PASSWORD: "generated-dify-postgres-password", SECRET_KEY: "hex-dify-secret-key" } },
    );
    assert.ok(!logs.join("\n").includes("Credentials kept"));
  });

  it("uses the external host instead of the Traefik address and still admits Traefik's namespace", async () => {
    const pending = { ...traefikSvc, ingress: [] };
    const out = await runProgram({ webImage, externalHost: "dify.example.com" }, { services: [pending] });
    assert.strictEqual(await value(out.url), "https://dify.example.com/dify");
    assert.strictEqual(await value(out.address), "dify.example.com");
    const v = releases()[0].inputs.values;
    assert.strictEqual(v.external.host, "dify.example.com");
    assert.deepStrictEqual(v.networkPolicy.ingressNamespaces, ["kommander", "dify"]);
  });

  it("reads an overridden Traefik Service", async () => {
    const edge: ServiceSummary = {
      namespace: "ingress",
      name: "edge",
      type: "LoadBalancer",
      labels: {},
      ingress: [{ ip: "2001:db8::10" }],
    };
    const out = await runProgram(
      { path: "/", traefikNamespace: "ingress", traefikServiceName: "edge" },
      { services: [traefikSvc, edge] },
    );
    assert.strictEqual(out.traefikService, "ingress/edge");
    assert.deepStrictEqual(
      clusterCalls.filter((c) => c.startsWith("readService")),
      ["readService ingress/edge"],
    );
    assert.strictEqual(await value(out.url), "https://[2001:db8::10]");
    assert.ok(!clusterCalls.includes("listServices"));
  });

  it("brings its own passwords to external PostgreSQL and Redis", async () => {
    await runProgram({
      path: "/",
      postgresHost: "pg.example.local",
      postgresPassword: "ext-pw",
      redisHost: "redis.example.local",
    });
    assert.ok(!randomNames().includes("dify-postgres-password"));
    assert.ok(!randomNames().includes("dify-redis-password"));
    const v = releases()[0].inputs.values;
    assert.strictEqual(v.postgresql.enabled, false);
    assert.strictEqual(v.postgresql.auth.password, "ext-pw");
    assert.strictEqual(v.redis.auth.password, "");
  });

  it("keeps the OpenAI key in the release values and explains the UI step without printing it", async () => {
    await runProgram({ path: "/", openaiApiKey: "sk-test-123" });
    assert.strictEqual(releases()[0].inputs.values.secrets.openaiApiKey, "sk-test-123");
    assert.match(logs.join("\n"), /Settings > Model Provider/);
    assert.ok(!logs.join("\n").includes("sk-test-123"));
  });

  it("warns about a secret stored as plain text", async () => {
    await runProgram({ path: "/", postgresPassword: "plain-pw" }, {}, []);
    assert.match(logs.join("\n"), /dify:postgresPassword is stored as plain text.*--secret/);
    assert.ok(!logs.join("\n").includes("plain-pw"));
  });

  it("registers nothing when the config is invalid", async () => {
    await assert.rejects(runProgram({ path: "dify", postgresSize: "20GB" }), /dify:path.*dify:postgresSize/s);
    assert.deepStrictEqual(registered, []);
    assert.deepStrictEqual(clusterCalls, []);
  });

  const namespaces = () => registered.filter((r) => r.type === "kubernetes:core/v1:Namespace");

  it("creates a missing namespace with the Pod Security labels, before the release", async () => {
    await runProgram({ path: "/" });
    assert.deepStrictEqual(
      namespaces().map((n) => n.inputs.metadata),
      [
        {
          name: "dify",
          labels: {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
            "dify.nkp/created-by": "dify-nkp",
          },
        },
      ],
    );
    const order = registered.map((r) => r.type);
    assert.ok(order.indexOf("kubernetes:core/v1:Namespace") < order.indexOf("kubernetes:helm.sh/v3:Release"));
  });

  it("keeps managing the namespace it created on an earlier run", async () => {
    const labels = { "dify.nkp/created-by": "dify-nkp", "pod-security.kubernetes.io/enforce": "baseline" };
    await runProgram({ path: "/" }, { namespace: labels });
    assert.strictEqual(namespaces().length, 1);
  });

  it("installs into an existing namespace of someone else without touching it", async () => {
    await runProgram({ path: "/" }, { namespace: { team: "a" } });
    assert.deepStrictEqual(namespaces(), []);
    assert.strictEqual(releases().length, 1);
  });

  it("registers nothing when the namespace enforces Pod Security restricted", async () => {
    const restricted = { "pod-security.kubernetes.io/enforce": "restricted" };
    await assert.rejects(
      runProgram({ path: "/" }, { namespace: restricted }),
      /Namespace dify \(dify:namespace\) enforces Pod Security "restricted".*Nothing was changed/s,
    );
    assert.deepStrictEqual(registered, []);
    assert.ok(!clusterCalls.includes("readSecret dify/dify-credentials"));
  });

  it("warns when it may not read the namespace, and neither creates nor relabels it", async () => {
    await runProgram({ path: "/" }, { namespace: "forbidden" });
    assert.deepStrictEqual(namespaces(), []);
    assert.match(logs.join("\n"), /Not allowed to read Namespace dify \(RBAC\)/);
  });

  it("registers nothing when Traefik cannot be found", async () => {
    await assert.rejects(
      runProgram({ path: "/" }, { services: [] }),
      /No LoadBalancer Service of the platform Traefik/,
    );
    assert.deepStrictEqual(registered, []);
  });

  describe("the unattended first run (dify:adminEmail)", () => {
    const admin = { path: "/", adminEmail: "admin@example.com", openaiApiKey: "sk-test-123" };
    const done = (over: Partial<BootstrapJob> = {}): BootstrapJob => ({
      uid: "job-1",
      state: "complete",
      retryOf: "",
      message: JSON.stringify({ ok: true, summary: "admin created" }),
      ...over,
    });

    it("without it: no admin password, no Job read, no new output, the Job off", async () => {
      const out = await runProgram({ path: "/", openaiApiKey: "sk-test-123" });
      assert.ok(!randomNames().includes("dify-admin-password"));
      assert.ok(!clusterCalls.some((c) => c.startsWith("readJob")));
      for (const k of ["adminEmail", "adminPassword", "bootstrap"]) assert.ok(!(k in out), k);
      assert.strictEqual(releases()[0].inputs.values.bootstrap.adminEmail, "");
      assert.strictEqual(releases()[0].inputs.values.secrets.adminPassword, "");
    });

    it("generates the admin password, turns the Job on with langgenius/openai, outputs what the run did", async () => {
      const out = await runProgram(admin, { job: done() });
      assert.ok(randomNames().includes("dify-admin-password"));
      const generated = registered.find((r) => r.name === "dify-admin-password")!;
      assert.strictEqual(generated.inputs.special, false);
      assert.ok(generated.inputs.length >= 8 && generated.inputs.minNumeric >= 1);
      const values = releases()[0].inputs.values;
      assert.deepStrictEqual(values.bootstrap, {
        adminEmail: "admin@example.com",
        adminName: "admin",
        plugins: ["langgenius/openai"],
        pluginPackageUrls: [],
        openaiApiBase: "",
        retryOf: "",
      });
      assert.strictEqual(values.secrets.adminPassword, "generated-dify-admin-password");
      assert.strictEqual(out.adminEmail, "admin@example.com");
      assert.strictEqual(await pulumi.isSecret(out.adminPassword), true);
      assert.strictEqual(await value(out.adminPassword), "generated-dify-admin-password");
      assert.strictEqual(await pulumi.isSecret(out.bootstrap), false);
      assert.strictEqual(await value(out.bootstrap), "admin created");
      const reads = clusterCalls.filter((c) => c.startsWith("readJob"));
      assert.deepStrictEqual(
        reads,
        ["readJob dify/dify-bootstrap", "readJob dify/dify-bootstrap"],
        "before and after",
      );
    });

    it("a successful last run keeps its retry marker: nothing changes", async () => {
      await runProgram(admin, { job: done({ retryOf: "job-0" }) });
      assert.strictEqual(releases()[0].inputs.values.bootstrap.retryOf, "job-0");
      assert.ok(!logs.join("\n").includes("last unattended first run"));
    });

    it("a failed last run is reported before any change and run again, without printing a secret", async () => {
      const failed = done({
        uid: "job-7",
        state: "failed",
        message: JSON.stringify({ ok: false, summary: "admin exists; admin FAILED" }),
      });
      await runProgram({ ...admin, adminPassword: "Typed-admin-pw-1" }, { job: failed });
      const text = logs.join("\n");
      assert.match(
        text,
        /The last unattended first run \(Job dify\/dify-bootstrap\) FAILED: admin exists; admin FAILED/,
      );
      assert.match(text, /This update runs it again; its log: kubectl -n dify logs job\/dify-bootstrap/);
      assert.strictEqual(releases()[0].inputs.values.bootstrap.retryOf, "job-7");
      assert.strictEqual(releases()[0].inputs.values.secrets.adminPassword, "Typed-admin-pw-1");
      assert.ok(!text.includes("Typed-admin-pw-1") && !text.includes("sk-test-123"));
    });
  });
});

describe("program (Pulumi mocks): faults in the middle of a change", function () {
  this.timeout(30000);
  after(() => setClusterReader(undefined));

  it("binds resume hooks before install and upgrade and the failure explainer; can take a release over", async () => {
    hookNames = [];
    await runProgram({ path: "/" });
    assert.deepStrictEqual(hookNames.sort(), [
      "dify-explain-failure",
      "dify-nkp-hook-probe",
      "dify-resume-before-create",
      "dify-resume-before-update",
    ]);
    assert.strictEqual(releases()[0].inputs.replace, true);
    assert.strictEqual(releases()[0].inputs.values.deployment.repair, "0");
  });

  it("puts back the values of Helm's record when the Secret was deleted by hand, and upgrades to re-create it", async () => {
    const values = {
      secrets: { difySecretKey: "recorded-key", initPassword: "recorded-init" },
      postgresql: { auth: { password: "recorded-pw" } },
      deployment: { repair: "0" },
    };
    await runProgram(
      { path: "/" },
      { records: [record(1, "superseded", {}), record(2, "deployed", values)] },
    );
    const v = releases()[0].inputs.values;
    assert.strictEqual(v.secrets.difySecretKey, "recorded-key");
    assert.strictEqual(v.secrets.initPassword, "recorded-init");
    assert.strictEqual(v.postgresql.auth.password, "recorded-pw");
    assert.strictEqual(v.deployment.repair, "1");
    const text = logs.join("\n");
    assert.match(
      text,
      /The Secret dify\/dify-credentials is missing: this run puts it back with the credentials .*revision 2/,
    );
    assert.match(
      text,
      /dify\/dify-credentials is missing, so this run applies it again \(deployment\.repair=1\)/,
    );
    assert.ok(!text.includes("recorded-key") && !text.includes("recorded-pw"));
  });

  it("applies a release again when its newest revision failed; keeps the generation once deployed", async () => {
    const secret = { SECRET_KEY: "k" };
    const failedOnce = [record(1, "deployed", { deployment: { repair: "0" } }), record(2, "failed", {})];
    await runProgram({ path: "/" }, { secret, records: failedOnce });
    assert.strictEqual(releases()[0].inputs.values.deployment.repair, "1");
    assert.match(logs.join("\n"), /its newest revision 2 is failed, so this run applies it again/);
    const repaired = [record(2, "failed", {}), record(3, "deployed", { deployment: { repair: "1" } })];
    await runProgram({ path: "/" }, { secret, records: repaired });
    assert.strictEqual(releases()[0].inputs.values.deployment.repair, "1");
    assert.ok(!logs.join("\n").includes("applies it again"));
  });

  it("refuses new credentials against retained data volumes, before registering anything", async () => {
    const pvcs = ["data-dify-postgresql-0", "dify-files"];
    await assert.rejects(
      runProgram({ path: "/" }, { pvcs }),
      new RegExp(
        "retained data of this release \\(PersistentVolumeClaims data-dify-postgresql-0, dify-files\\)" +
          ".*Secret dify/dify-credentials does not exist.*kubectl -n dify apply -f dify-credentials\\.yaml" +
          ".*pulumi config set --secret dify:secretKey <value>",
        "s",
      ),
    );
    assert.deepStrictEqual(registered, []);
    assert.ok(
      clusterCalls.includes("listPvcs dify app.kubernetes.io/name=dify,app.kubernetes.io/instance=dify"),
    );
  });

  it("accepts retained data volumes when every credential is given as secret config", async () => {
    const creds = {
      secretKey: "a".repeat(40),
      initPassword: "b1",
      postgresPassword: "c1",
      redisPassword: "d1",
      pluginDaemonKey: "e1",
      pluginInnerApiKey: "f1",
      sandboxApiKey: "g1",
      weaviateApiKey: "h1",
    };
    await runProgram({ path: "/", ...creds }, { pvcs: ["dify-files"] }, Object.keys(creds));
    assert.strictEqual(releases()[0].inputs.values.postgresql.auth.password, "c1");
  });

  it("refuses a release of another chart under the same name", async () => {
    await assert.rejects(
      runProgram({ path: "/" }, { records: [record(1, "deployed", {}, "wordpress")] }),
      /installed from the chart "wordpress", not "dify"/,
    );
    assert.deepStrictEqual(registered, []);
  });
});
