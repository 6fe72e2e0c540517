import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ClusterReader, ServiceSummary, setClusterReader } from "../../components/cluster";
import { repoRoot } from "../lib/paths";

interface Registered { type: string; name: string; inputs: any; id?: string }
let registered: Registered[] = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs, id: args.id });
      if (args.type === "random:index/randomPassword:RandomPassword") return { id: args.name, state: { ...args.inputs, result: `generated-${args.name}` } };
      if (args.type === "random:index/randomBytes:RandomBytes") return { id: args.name, state: { ...args.inputs, hex: `hex-${args.name}`, base64: "b64" } };
      if (args.type === "kubernetes:core/v1:Service") {
        const [namespace, name] = String(args.id).split("/");
        return { id: args.id as string, state: { metadata: { namespace, name }, status: { loadBalancer: { ingress: [{ ip: "198.51.100.10" }] } } } };
      }
      if (args.type === "kubernetes:helm.sh/v3:Release") return { id: `${args.inputs.namespace}/${args.inputs.name}`, state: { ...args.inputs, status: { status: "deployed" } } };
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: () => ({}),
  },
  "dify",
  "test",
  false,
);

const traefikSvc: ServiceSummary = {
  namespace: "kommander", name: "kommander-traefik", type: "LoadBalancer",
  labels: { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "kommander-traefik" }, ingress: [{ ip: "198.51.100.10" }],
};

function fakeCluster(existingSecret?: Record<string, string>): ClusterReader {
  return {
    listServices: async () => [traefikSvc],
    readService: async () => traefikSvc,
    readSecretData: async (ns, name) => (ns === "dify" && name === "dify-credentials" ? existingSecret : undefined),
    listIngressClasses: async () => ["kommander-traefik"],
    hasCrd: async () => true,
  };
}

const value = <T>(o: pulumi.Output<T> | T): Promise<T> =>
  pulumi.Output.isInstance(o) ? new Promise((r) => (o as pulumi.Output<T>).apply((v) => { r(v); return v; })) : Promise.resolve(o as T);

/** Runs index.ts with the given `dify:*` config against a fake cluster. */
async function runProgram(config: Record<string, string>, existing?: Record<string, string>): Promise<Record<string, any>> {
  registered = [];
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) all[`dify:${k}`] = v;
  pulumi.runtime.setAllConfig(all, Object.keys(all).filter((k) => /Password|Key$/.test(k)));
  setClusterReader(fakeCluster(existing));
  const file = require.resolve(path.join(repoRoot, "index"));
  delete require.cache[file];
  const program = require(file) as () => Promise<Record<string, any>>;
  const outputs = await program();
  await new Promise((r) => setTimeout(r, 50));
  return outputs;
}

const secretSig = "4dabf18193072939515e22adb298388d";
/** Unwraps a value the engine received as a secret; fails if it is not one. */
function unsecret(v: any): any {
  assert.ok(v && v[secretSig], `expected a secret, got ${typeof v}`);
  return v.value;
}
/** The registered releases, with their values unwrapped (they must arrive as a secret). */
const release = () =>
  registered.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => ({ ...r, inputs: { ...r.inputs, values: unsecret(r.inputs.values) } }));

describe("program (Pulumi mocks)", function () {
  this.timeout(30000);
  after(() => setClusterReader(undefined));

  it("registers the random credentials, reads the Traefik Service and installs one release of the bundled chart", async () => {
    const out = await runProgram({ path: "/" });
    const randoms = registered.filter((r) => r.type.startsWith("random:")).map((r) => r.name).sort();
    assert.deepStrictEqual(randoms, [
      "dify-init-password", "dify-plugin-daemon-key", "dify-plugin-inner-api-key", "dify-postgres-password",
      "dify-redis-password", "dify-sandbox-api-key", "dify-secret-key", "dify-weaviate-api-key",
    ]);
    const svc = registered.find((r) => r.type === "kubernetes:core/v1:Service");
    assert.strictEqual(svc?.id, "kommander/kommander-traefik");
    assert.strictEqual(release().length, 1);
    const rel = release()[0].inputs;
    assert.strictEqual(rel.chart, path.join(repoRoot, "chart"));
    assert.strictEqual(rel.namespace, "dify");
    assert.strictEqual(rel.name, "dify");
    assert.strictEqual(rel.createNamespace, true);
    assert.strictEqual(rel.values.external.host, "198.51.100.10");
    assert.strictEqual(rel.values.secrets.initPassword, "generated-dify-init-password");
    assert.strictEqual(rel.values.secrets.difySecretKey, "hex-dify-secret-key");
    assert.strictEqual(await value(out.url), "https://198.51.100.10");
    assert.strictEqual(await value(out.setupUrl), "https://198.51.100.10/install");
    assert.strictEqual(await value(out.traefikService), "kommander/kommander-traefik");
  });

  it("marks the initial password output and the release values as secret", async () => {
    const out = await runProgram({ path: "/" });
    const raw = registered.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
    assert.strictEqual(raw.inputs.values[secretSig], "1b47061264138c4ac30d75fd1eb44270");
    assert.strictEqual(await pulumi.isSecret(out.initPassword), true);
    const random = registered.find((r) => r.name === "dify-init-password")!;
    assert.strictEqual(random.inputs.length, 20);
    assert.strictEqual(random.inputs.special, false);
  });

  it("lets secret config replace generated credentials", async () => {
    await runProgram({ path: "/", postgresPassword: "from-config-pw", secretKey: "s".repeat(40) });
    const v = release()[0].inputs.values;
    assert.strictEqual(v.postgresql.auth.password, "from-config-pw");
    assert.strictEqual(v.secrets.difySecretKey, "s".repeat(40));
    assert.strictEqual(v.redis.auth.password, "generated-dify-redis-password");
  });

  it("adopts credentials retained in the cluster instead of generating new ones", async () => {
    await runProgram({ path: "/" }, { DB_PASSWORD: "retained-pw", SECRET_KEY: "retained-key" });
    const v = release()[0].inputs.values;
    assert.strictEqual(v.postgresql.auth.password, "retained-pw");
    assert.strictEqual(v.secrets.difySecretKey, "retained-key");
    assert.strictEqual(v.secrets.sandboxApiKey, "generated-dify-sandbox-api-key");
  });

  it("uses the external host instead of the Traefik address", async () => {
    const out = await runProgram({ webImage: "registry.example.local/dify-web:1.11.4-dify", externalHost: "dify.example.com" });
    assert.strictEqual(await value(out.url), "https://dify.example.com/dify");
    assert.strictEqual(release()[0].inputs.values.external.host, "dify.example.com");
  });

  it("registers nothing when the config is invalid", async () => {
    await assert.rejects(runProgram({ path: "dify" }), /dify:path/);
    assert.deepStrictEqual(registered, []);
  });
});
