import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { chartDigest } from "../../components/chart-digest";
import { parseConfig } from "../../components/config";
import { credentialSource } from "../../components/secrets";
import { buildChartValues, credentialsSecretName, Credentials, externalUrl, fullnameOf, setupUrl } from "../../components/values";
import { repoRoot } from "../lib/paths";

const creds: Credentials = {
  secretKey: "k".repeat(64), initPassword: "init", postgresPassword: "pg", redisPassword: "rd",
  pluginDaemonKey: "pd", pluginInnerApiKey: "in", sandboxApiKey: "sb", weaviateApiKey: "wv",
};
const webImage = "registry.example.local/dify/dify-web:1.11.4-dify";

/** Every key path of a values tree, leaves only. */
function leafPaths(o: any, prefix = ""): string[] {
  if (o === null || typeof o !== "object" || Array.isArray(o) || Object.keys(o).length === 0) return [prefix];
  return Object.entries(o).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe("URLs", () => {
  it("builds the sub-path URL from an IP", () => assert.strictEqual(externalUrl("https", "198.51.100.10", "/dify"), "https://198.51.100.10/dify"));
  it("builds the root URL", () => assert.strictEqual(externalUrl("https", "198.51.100.10", "/"), "https://198.51.100.10"));
  it("uses a hostname", () => assert.strictEqual(externalUrl("https", "dify.example.com", "/dify"), "https://dify.example.com/dify"));
  it("keeps IPv6 in brackets", () => assert.strictEqual(externalUrl("https", "[2001:db8::10]", "/dify"), "https://[2001:db8::10]/dify"));
  it("adds /install for the setup page", () => assert.strictEqual(setupUrl("https://198.51.100.10/dify"), "https://198.51.100.10/dify/install"));
});

describe("names", () => {
  it("uses the release name when it contains dify", () => assert.strictEqual(fullnameOf("dify"), "dify"));
  it("appends -dify otherwise", () => assert.strictEqual(fullnameOf("prod"), "prod-dify"));
  it("names the credentials Secret after the fullname", () => assert.strictEqual(credentialsSecretName("dify"), "dify-credentials"));
});

describe("chart values mapping", () => {
  const chartValues = YAML.parse(fs.readFileSync(path.join(repoRoot, "chart", "values.yaml"), "utf8"));
  const known = new Set(leafPaths(chartValues));
  const isKnown = (p: string) => known.has(p) || [...known].some((k) => p.startsWith(`${k}.`));

  it("produces only keys that chart/values.yaml declares", () => {
    const cfg = parseConfig({ webImage, s3Endpoint: "https://o.example", s3Bucket: "b", s3AccessKey: "a", s3SecretKey: "s" });
    const values = buildChartValues(cfg, creds, "198.51.100.10", "kommander", "digest");
    const unknown = leafPaths(values).filter((p) => !isKnown(p));
    assert.deepStrictEqual(unknown, []);
  });

  it("maps the NKP exposure and the discovered address", () => {
    const v: any = buildChartValues(parseConfig({ webImage }), creds, "198.51.100.10", "kommander", "d1");
    assert.deepStrictEqual(v.expose, { ingressClassName: "kommander-traefik", path: "/dify", entrypoints: ["websecure"], tls: true, annotations: {}, middlewareCrd: true });
    assert.deepStrictEqual(v.external, { scheme: "https", host: "198.51.100.10" });
    assert.deepStrictEqual(v.images.web, { repository: "registry.example.local/dify/dify-web", tag: "1.11.4-dify", basePath: "/dify" });
    assert.deepStrictEqual(v.networkPolicy, { enabled: true, ingressNamespaces: ["kommander"] });
    assert.strictEqual(v.deployment.chartDigest, "d1");
  });

  it("maps the credentials into the chart's secret values", () => {
    const v: any = buildChartValues(parseConfig({ path: "/" }), creds, "h", undefined, "d");
    assert.strictEqual(v.secrets.difySecretKey, creds.secretKey);
    assert.strictEqual(v.postgresql.auth.password, "pg");
    assert.strictEqual(v.redis.auth.password, "rd");
    assert.strictEqual(v.secrets.weaviateApiKey, "wv");
    assert.strictEqual(v.expose.middlewareCrd, false);
    assert.deepStrictEqual(v.images.web, { repository: "", tag: "", basePath: "" });
  });

  it("maps the original spec's sizes and storage class", () => {
    const v: any = buildChartValues(parseConfig({ path: "/", postgresSize: "50Gi", weaviateSize: "100Gi" }), creds, "h", undefined, "d");
    assert.strictEqual(v.postgresql.persistence.size, "50Gi");
    assert.strictEqual(v.weaviate.persistence.size, "100Gi");
    assert.strictEqual(v.storage.storageClassName, "nutanix-volume");
    assert.strictEqual(v.weaviate.persistence.storageClass, "nutanix-volume");
  });

  it("maps external data stores and the registry prefix", () => {
    const v: any = buildChartValues(parseConfig({ path: "/", postgresHost: "pg.example", redisHost: "rd.example", redisPort: "6380", imageRegistry: "registry.example.local/mirror/", imagePullSecrets: "pull-a, pull-b" }), creds, "h", undefined, "d");
    assert.strictEqual(v.postgresql.enabled, false);
    assert.strictEqual(v.postgresql.external.host, "pg.example");
    assert.deepStrictEqual(v.redis.external, { host: "rd.example", port: "6380" });
    assert.strictEqual(v.global.imageRegistry, "registry.example.local/mirror");
    assert.deepStrictEqual(v.global.imagePullSecrets, ["pull-a", "pull-b"]);
  });
});

describe("credential source", () => {
  it("prefers explicit config", () => assert.strictEqual(credentialSource("x", "y"), "config"));
  it("adopts retained cluster data over a new random value", () => assert.strictEqual(credentialSource(undefined, "y"), "cluster"));
  it("generates when nothing exists", () => assert.strictEqual(credentialSource(undefined, undefined), "generated"));
  it("treats empty strings as absent", () => assert.strictEqual(credentialSource("", ""), "generated"));
});

describe("chart digest", () => {
  it("is stable for the same files and changes with any edit", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digest-"));
    fs.mkdirSync(path.join(dir, "templates"));
    fs.writeFileSync(path.join(dir, "Chart.yaml"), "name: x\n");
    fs.writeFileSync(path.join(dir, "templates", "a.yaml"), "a: 1\n");
    const d1 = chartDigest(dir);
    assert.strictEqual(chartDigest(dir), d1);
    fs.writeFileSync(path.join(dir, "templates", "a.yaml"), "a: 2\n");
    assert.notStrictEqual(chartDigest(dir), d1);
  });
  it("covers the bundled chart", () => assert.match(chartDigest(path.join(repoRoot, "chart")), /^[0-9a-f]{64}$/));
});
