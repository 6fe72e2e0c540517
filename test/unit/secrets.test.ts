import * as assert from "assert";
import { credentialsSecretKeys } from "../../components/chart-contract";
import { credentialKeys, parseConfig } from "../../components/config";
import { encodeRelease, parseRecord, recordSecretName } from "../../components/helm-storage";
import {
  adoptedKeys,
  credentialSource,
  generatedKeys,
  overrideWarnings,
  planCredentials,
  recordedCredentials,
  retainedDataError,
} from "../../components/secrets";

const root = { path: "/" };

describe("credential source", () => {
  it("prefers explicit config", () => assert.strictEqual(credentialSource("x", "y"), "config"));
  it("adopts retained cluster data over a new random value", () =>
    assert.strictEqual(credentialSource(undefined, "y"), "cluster"));
  it("generates when nothing exists", () =>
    assert.strictEqual(credentialSource(undefined, undefined), "generated"));
  it("treats empty strings as absent", () => assert.strictEqual(credentialSource("", ""), "generated"));
  it("leaves a value empty when it must not be generated", () =>
    assert.strictEqual(credentialSource(undefined, undefined, false), "none"));
});

describe("credential plan", () => {
  it("generates everything on a fresh cluster (the admin password only with dify:adminEmail)", () => {
    const { adminPassword, ...plan } = planCredentials(parseConfig(root), undefined);
    assert.ok(Object.values(plan).every((s) => s === "generated"));
    assert.strictEqual(adminPassword, "none");
    const withAdmin = planCredentials(parseConfig({ ...root, adminEmail: "admin@example.com" }), undefined);
    assert.strictEqual(withAdmin.adminPassword, "generated");
    assert.ok(
      !generatedKeys(parseConfig(root)).includes("adminPassword"),
      "no random resource without adminEmail",
    );
  });

  it("keeps a retained admin password in the Secret even without dify:adminEmail (nothing is lost)", () => {
    const plan = planCredentials(parseConfig(root), { ADMIN_PASSWORD: "Retained-pw-1" });
    assert.strictEqual(plan.adminPassword, "cluster");
  });

  it("adopts each key found in the existing Secret and generates the rest", () => {
    const plan = planCredentials(parseConfig(root), { SECRET_KEY: "k", DB_PASSWORD: "pw" });
    assert.strictEqual(plan.secretKey, "cluster");
    assert.strictEqual(plan.postgresPassword, "cluster");
    assert.strictEqual(plan.redisPassword, "generated");
  });

  it("lets config win over the existing Secret", () => {
    const plan = planCredentials(parseConfig({ ...root, postgresPassword: "new" }), { DB_PASSWORD: "old" });
    assert.strictEqual(plan.postgresPassword, "config");
  });

  it("takes the password of an external PostgreSQL from config only", () => {
    const cfg = parseConfig({ ...root, postgresHost: "pg.example", postgresPassword: "ext" });
    assert.strictEqual(planCredentials(cfg, { DB_PASSWORD: "old-internal" }).postgresPassword, "config");
    assert.ok(!generatedKeys(cfg).includes("postgresPassword"));
  });

  it("uses an external Redis without password unless one is configured", () => {
    const cfg = parseConfig({ ...root, redisHost: "redis.example" });
    assert.strictEqual(planCredentials(cfg, { REDIS_PASSWORD: "old-internal" }).redisPassword, "none");
    assert.ok(!generatedKeys(cfg).includes("redisPassword"));
    assert.strictEqual(
      planCredentials(parseConfig({ ...root, redisHost: "redis.example", redisPassword: "ext" }))
        .redisPassword,
      "config",
    );
  });

  it("maps every credential to the chart's Secret key", () => {
    assert.deepStrictEqual(credentialKeys.map((k) => credentialsSecretKeys[k]).sort(), [
      "ADMIN_PASSWORD",
      "CODE_EXECUTION_API_KEY",
      "DB_PASSWORD",
      "INIT_PASSWORD",
      "INNER_API_KEY_FOR_PLUGIN",
      "PLUGIN_DAEMON_KEY",
      "REDIS_PASSWORD",
      "SECRET_KEY",
      "WEAVIATE_API_KEY",
    ]);
  });
});

describe("credential messages", () => {
  it("warns when a configured SECRET_KEY replaces the one in use, without printing either", () => {
    const [w] = overrideWarnings(
      parseConfig({ ...root, secretKey: "n".repeat(40) }),
      { SECRET_KEY: "o".repeat(40) },
      "dify/dify-credentials",
    );
    assert.match(
      w,
      /dify:secretKey differs from the SECRET_KEY stored in dify\/dify-credentials.*signs every user out/,
    );
    assert.ok(!w.includes("nnnn") && !w.includes("oooo"));
  });

  it("stays quiet when the configured SECRET_KEY is the one in use", () => {
    assert.deepStrictEqual(
      overrideWarnings(
        parseConfig({ ...root, secretKey: "k".repeat(40) }),
        { SECRET_KEY: "k".repeat(40) },
        "x",
      ),
      [],
    );
  });

  it("reports as adopted only the keys that differ from the stack's own random values", () => {
    const plan = planCredentials(parseConfig(root), { SECRET_KEY: "retained", DB_PASSWORD: "same" });
    assert.deepStrictEqual(
      adoptedKeys(
        plan,
        { SECRET_KEY: "retained", DB_PASSWORD: "same" },
        { secretKey: "fresh", postgresPassword: "same" },
      ),
      ["secretKey"],
    );
  });
});

describe("credentials after the Secret is gone", () => {
  const rec = (revision: number, status: string, config: Record<string, unknown>) =>
    parseRecord({
      name: recordSecretName("dify", revision),
      labels: {},
      release: encodeRelease({ version: revision, info: { status }, config }),
    });

  it("takes them from the newest deployed Helm record, as Secret data", () => {
    const got = recordedCredentials([
      rec(1, "superseded", { secrets: { difySecretKey: "old" } }),
      rec(2, "deployed", { secrets: { difySecretKey: "k2" }, postgresql: { auth: { password: "pw2" } } }),
      rec(3, "failed", { secrets: { difySecretKey: "k3" } }),
    ]);
    assert.deepStrictEqual(got, { revision: 2, data: { SECRET_KEY: "k2", DB_PASSWORD: "pw2" } });
  });

  it("has none without a record holding them", () => {
    assert.strictEqual(recordedCredentials([]), undefined);
    assert.strictEqual(recordedCredentials([rec(1, "pending-install", {})]), undefined);
  });

  it("refuses to generate credentials against retained volumes, with the ways to restore them", () => {
    const plan = planCredentials(parseConfig({ ...root, secretKey: "s".repeat(40) }), undefined);
    const e = retainedDataError(plan, ["data-dify-redis-0", "dify-files"], "dify", "dify-credentials");
    assert.ok(e);
    assert.match(e.message, /PersistentVolumeClaims data-dify-redis-0, dify-files/);
    assert.match(e.message, /kubectl -n dify apply -f dify-credentials\.yaml/);
    assert.match(e.message, /pulumi config set --secret dify:initPassword <value>/);
    assert.ok(!e.message.includes("dify:secretKey <value>"), "asks for a key that is already configured");
    assert.match(e.message, /kubectl -n dify delete pvc data-dify-redis-0 dify-files/);
  });

  it("lets a fresh namespace generate them", () => {
    const plan = planCredentials(parseConfig(root), undefined);
    assert.strictEqual(retainedDataError(plan, [], "dify", "dify-credentials"), undefined);
  });
});
