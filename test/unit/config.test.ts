import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigError, isQuantity, parseConfig, versionMatrix } from "../../components/config";
import { repoRoot } from "../lib/paths";

const webImage = "registry.example.local/dify/dify-web:1.11.4-dify";

/** Asserts that parsing fails and one problem contains every given fragment. */
function rejects(raw: Record<string, string>, ...fragments: string[]): void {
  try {
    parseConfig(raw);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${e}`);
    const hit = e.problems.find((p) => fragments.every((f) => p.includes(f)));
    assert.ok(hit, `no problem mentions ${JSON.stringify(fragments)}; got:\n${e.problems.join("\n")}`);
    return;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

describe("config: defaults", () => {
  it("applies the original spec's defaults with only the web image set", () => {
    const c = parseConfig({ webImage });
    assert.strictEqual(c.imageTag, "1.11.4");
    assert.strictEqual(c.namespace, "dify");
    assert.strictEqual(c.releaseName, "dify");
    assert.strictEqual(c.path, "/dify");
    assert.strictEqual(c.ingressClassName, "kommander-traefik");
    assert.strictEqual(c.scheme, "https");
    assert.strictEqual(c.storageClass, "nutanix-volume");
    assert.deepStrictEqual(c.sizes, { postgres: "20Gi", redis: "8Gi", weaviate: "50Gi", difyFiles: "20Gi", pluginDaemon: "10Gi" });
    assert.strictEqual(c.postgresUser, "dify");
    assert.strictEqual(c.postgresDatabase, "dify");
    assert.deepStrictEqual(c.entrypoints, ["websecure"]);
    assert.strictEqual(c.webImageBasePath, "/dify");
    assert.deepStrictEqual(c.webImage, { repository: "registry.example.local/dify/dify-web", tag: "1.11.4-dify" });
  });

  it("takes the companion images of 1.11.4 from the version matrix", () => {
    const c = parseConfig({ path: "/" });
    assert.strictEqual(c.images.pluginDaemonTag, "0.5.2-local");
    assert.strictEqual(c.images.sandboxTag, "0.2.12");
    assert.strictEqual(c.images.weaviateTag, "1.27.0");
    assert.ok(c.images.postgresTag.startsWith("16."));
    assert.ok(c.images.redisTag.startsWith("7."));
  });

  it("accepts an unknown Dify tag when every companion tag is given", () => {
    const c = parseConfig({ path: "/", imageTag: "1.12.0", pluginDaemonTag: "0.6.0-local", sandboxTag: "0.2.13", weaviateTag: "1.28.0", postgresTag: "16.11", redisTag: "7.4.6", ssrfProxyTag: "6.6-24.04_beta" });
    assert.strictEqual(c.images.weaviateTag, "1.28.0");
  });

  it("treats empty values (Pulumi.yaml defaults) as unset", () => {
    const c = parseConfig({ path: "/", externalHost: "", postgresHost: "", secretKey: "" });
    assert.strictEqual(c.externalHost, undefined);
    assert.strictEqual(c.postgresEnabled, true);
    assert.deepStrictEqual(c.credentials, {});
  });

  it("keeps secret overrides and the OpenAI key", () => {
    const c = parseConfig({ path: "/", postgresPassword: "pw-from-config", openaiApiKey: "sk-test" });
    assert.strictEqual(c.credentials.postgresPassword, "pw-from-config");
    assert.strictEqual(c.openaiApiKey, "sk-test");
  });

  it("switches to external data stores and S3 when configured", () => {
    const c = parseConfig({ path: "/", postgresHost: "pg.example.local", postgresPort: "5433", redisHost: "redis.example.local", s3Endpoint: "https://objects.example.local", s3Bucket: "dify", s3AccessKey: "a", s3SecretKey: "b" });
    assert.strictEqual(c.postgresEnabled, false);
    assert.strictEqual(c.postgresPort, 5433);
    assert.strictEqual(c.redisEnabled, false);
    assert.strictEqual(c.s3?.bucket, "dify");
  });

  it("declares in Pulumi.yaml the same defaults as the code", () => {
    const project = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8"));
    assert.strictEqual(project.name, "dify");
    const raw: Record<string, string> = {};
    for (const [k, v] of Object.entries<any>(project.config)) raw[k] = String(v.default);
    const fromYaml = parseConfig({ ...raw, path: "/" });
    const fromCode = parseConfig({ path: "/" });
    assert.deepStrictEqual(fromYaml, fromCode);
  });
});

describe("config: each bad value is refused with its key and the fix", () => {
  it("path without a leading slash", () => rejects({ path: "dify" }, "dify:path", "must start with /"));
  it("path with a trailing slash", () => rejects({ path: "/dify/", webImage }, "dify:path", "must not end with /"));
  it("path with odd characters", () => rejects({ path: "/di fy", webImage }, "dify:path", "may contain only"));
  it("sub-path without a base-path web image", () => rejects({ path: "/dify" }, "dify:webImage", "build-web-image.sh", "dify:path to /"));
  it("web image base path different from the path", () => rejects({ webImage, webImageBasePath: "/other" }, "dify:webImageBasePath", "must equal dify:path"));
  it("web image without a tag", () => rejects({ webImage: "registry.example.local/dify-web" }, "dify:webImage", "repository:tag"));
  it("scheme other than http/https", () => rejects({ path: "/", scheme: "ftp" }, "dify:scheme", "http or https"));
  it("external host with a scheme", () => rejects({ path: "/", externalHost: "https://dify.example.com" }, "dify:externalHost", "must not contain a scheme"));
  it("external host with a path", () => rejects({ path: "/", externalHost: "dify.example.com/dify" }, "dify:externalHost", "must not contain a path"));
  it("external host with a port", () => rejects({ path: "/", externalHost: "dify.example.com:8443" }, "dify:externalHost", "without port"));
  it("size that is not a quantity", () => rejects({ path: "/", postgresSize: "20GB" }, "dify:postgresSize", "Kubernetes quantity"));
  it("size of zero", () => rejects({ path: "/", redisSize: "0Gi" }, "dify:redisSize", "positive"));
  it("unknown tag without companions", () => rejects({ path: "/", imageTag: "1.99.0" }, "dify:imageTag 1.99.0", "dify:pluginDaemonTag", "dify:weaviateTag"));
  it("Weaviate older than 1.27", () => rejects({ path: "/", weaviateTag: "1.24.0" }, "dify:weaviateTag", ">= 1.27"));
  it("Traefik namespace without a name", () => rejects({ path: "/", traefikNamespace: "kommander" }, "dify:traefikNamespace and dify:traefikServiceName"));
  it("namespace that is not a DNS label", () => rejects({ path: "/", namespace: "Dify_NS" }, "dify:namespace", "DNS label"));
  it("timeout that is not a number", () => rejects({ path: "/", addressTimeoutSeconds: "soon" }, "dify:addressTimeoutSeconds", "whole number"));
  it("boolean that is not true/false", () => rejects({ path: "/", networkPolicy: "yes" }, "dify:networkPolicy", "true or false"));
  it("S3 without its other settings", () => rejects({ path: "/", s3Bucket: "dify" }, "dify:s3Endpoint", "dify:s3AccessKey"));
  it("S3 together with an RWX files class", () => rejects({ path: "/", s3Endpoint: "https://o.example", s3Bucket: "b", s3AccessKey: "a", s3SecretKey: "s", filesAccessMode: "ReadWriteMany", filesStorageClass: "nutanix-files" }, "conflict with S3"));
  it("ReadWriteMany on the block storage class", () => rejects({ path: "/", filesAccessMode: "ReadWriteMany" }, "dify:filesStorageClass", "RWX"));
  it("external port without an external host", () => rejects({ path: "/", postgresPort: "5433" }, "dify:postgresPort", "dify:postgresHost"));
  it("setup password longer than 30 characters", () => rejects({ path: "/", initPassword: "x".repeat(31) }, "dify:initPassword", "at most 30"));
  it("Redis password that would break the broker URL", () => rejects({ path: "/", redisPassword: "a@b:c" }, "dify:redisPassword"));
  it("short secret key", () => rejects({ path: "/", secretKey: "short" }, "dify:secretKey", "32"));
  it("unknown setting", () => rejects({ path: "/", imageTg: "1.11.4" }, "dify:imageTg", "not a known setting"));

  it("reports every problem at once", () => {
    try {
      parseConfig({ path: "dify", webImage, scheme: "ftp", postgresSize: "big" });
      assert.fail("accepted");
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.strictEqual(e.problems.length, 3);
    }
  });
});

describe("config: quantities", () => {
  it("accepts Kubernetes quantities", () => {
    for (const q of ["20Gi", "512Mi", "1.5Gi", "100G", "1e3", "2Ti"]) assert.ok(isQuantity(q), q);
  });
  it("rejects non-quantities and zero", () => {
    for (const q of ["20GB", "Gi", "-1Gi", "0", "0Gi", "20 Gi", ""]) assert.ok(!isQuantity(q), q);
  });
  it("knows only supported versions in the matrix", () => {
    assert.deepStrictEqual(Object.keys(versionMatrix), ["1.11.4"]);
  });
});
