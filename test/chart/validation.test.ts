/** values.yaml, values.schema.json and the one validate template. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { base, matrix } from "./matrix";
import { chartDir, merge, render, withValue } from "./render";

/** Renders and expects exactly one reported problem containing the fragment. */
function failsWith(values: any, fragment: string, problems = 1) {
  const r = render(values);
  assert.notStrictEqual(r.status, 0, "rendered although invalid");
  assert.ok(r.stderr.includes(fragment), `stderr lacks ${JSON.stringify(fragment)}:\n${r.stderr}`);
  assert.ok(r.stderr.includes(`(${problems} problem(s))`), `expected ${problems} problem(s):\n${r.stderr}`);
}

const leaves = (o: any, p = ""): [string, any][] =>
  o && typeof o === "object" && !Array.isArray(o) && Object.keys(o).length > 0
    ? Object.entries(o).flatMap(([k, v]) => leaves(v, p ? `${p}.${k}` : k))
    : [[p, o]];

describe("chart: values.yaml and schema", () => {
  for (const file of ["values.yaml", "charts/weaviate/values.yaml"]) {
    it(`${file} holds no fixed values (only empty strings, lists, maps and flags)`, () => {
      for (const [k, v] of leaves(YAML.parse(fs.readFileSync(path.join(chartDir, file), "utf8")))) {
        const empty = v === "" || (Array.isArray(v) && v.length === 0) || (v && typeof v === "object" && Object.keys(v).length === 0) || typeof v === "boolean";
        assert.ok(empty, `${file}: ${k} = ${JSON.stringify(v)}`);
      }
    });
  }

  it("documents every key of values.yaml with @param", () => {
    const text = fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8");
    for (const [k] of leaves(YAML.parse(text))) assert.ok(text.includes(`@param ${k} `), `no @param for ${k}`);
  });

  for (const [file, schemaFile] of [["values.yaml", "values.schema.json"], ["charts/weaviate/values.yaml", "charts/weaviate/values.schema.json"]]) {
    it(`${schemaFile} types every key of ${file} and refuses unknown keys`, () => {
      const schema = JSON.parse(fs.readFileSync(path.join(chartDir, schemaFile), "utf8"));
      assert.strictEqual(schema.$schema, "http://json-schema.org/draft-07/schema#");
      const walk = (o: any, s: any, p: string) => {
        for (const [k, v] of Object.entries(o)) {
          const sub = s?.properties?.[k];
          assert.ok(sub && sub.type, `schema lacks ${p}${k}`);
          if (v === "") assert.ok([sub.type].flat().includes("string"), `${p}${k}: an empty string must be allowed`);
          if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) walk(v, sub, `${p}${k}.`);
        }
        if (s.properties && p !== "" && !p.endsWith("resources.")) assert.strictEqual(s.additionalProperties, false, `${p} accepts unknown keys`);
      };
      walk(YAML.parse(fs.readFileSync(path.join(chartDir, file), "utf8")), schema, "");
    });
  }

  it("a misspelt key is refused by the schema", () => {
    const r = render(merge(base, { expose: { pth: "/dify" } }));
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /additional properties 'pth' not allowed/);
  });

  it("a value of the wrong type is refused by the schema", () => {
    const r = render(merge(base, { expose: { tls: "sometimes" } }));
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /\/expose\/tls/);
  });
});

describe("chart: validation, one message per problem", () => {
  /** Every value that is always required, and the message part a user relies on. */
  const required: [string, string][] = [
    ["expose.ingressClassName", "expose.ingressClassName is required"],
    ["expose.path", "expose.path is required"],
    ["external.scheme", "external.scheme must be http or https"],
    ["external.host", "external.host is required"],
    ["images.dify.repository", "images.dify.repository is required"],
    ["images.dify.tag", "images.dify.tag is required"],
    ["images.pluginDaemon.repository", "images.pluginDaemon.repository and images.pluginDaemon.tag are required"],
    ["images.pluginDaemon.tag", "images.pluginDaemon.repository and images.pluginDaemon.tag are required"],
    ["images.sandbox.repository", "images.sandbox.repository and images.sandbox.tag are required"],
    ["images.sandbox.tag", "images.sandbox.repository and images.sandbox.tag are required"],
    ["images.postgres.repository", "images.postgres.repository and images.postgres.tag are required"],
    ["images.postgres.tag", "images.postgres.repository and images.postgres.tag are required"],
    ["images.redis.repository", "images.redis.repository and images.redis.tag are required"],
    ["images.redis.tag", "images.redis.repository and images.redis.tag are required"],
    ["weaviate.image.repository", "weaviate.image.repository and weaviate.image.tag are required"],
    ["weaviate.image.tag", "weaviate.image.repository and weaviate.image.tag are required"],
    ["secrets.difySecretKey", "secrets.difySecretKey is required"],
    ["secrets.initPassword", "secrets.initPassword is required"],
    ["secrets.pluginDaemonKey", "secrets.pluginDaemonKey is required"],
    ["secrets.pluginInnerApiKey", "secrets.pluginInnerApiKey is required"],
    ["secrets.sandboxApiKey", "secrets.sandboxApiKey is required"],
    ["secrets.weaviateApiKey", "secrets.weaviateApiKey is required"],
    ["postgresql.auth.username", "postgresql.auth.username is required"],
    ["postgresql.auth.password", "postgresql.auth.password is required"],
    ["postgresql.auth.database", "postgresql.auth.database is required"],
    ["storage.storageClassName", "storage.storageClassName is required"],
    ["postgresql.persistence.size", "postgresql.persistence.size is required"],
    ["redis.persistence.size", "redis.persistence.size is required"],
    ["weaviate.persistence.size", "weaviate.persistence.size is required"],
    ["weaviate.persistence.storageClass", "weaviate.persistence.storageClass is required"],
    ["dify.fileStorage.size", "dify.fileStorage.size is required"],
    ["pluginDaemon.persistence.size", "pluginDaemon.persistence.size is required"],
  ];
  for (const [key, fragment] of required) {
    it(`fails without ${key}`, () => failsWith(withValue(base, key, ""), fragment));
  }

  const conditional: [string, any, string][] = [
    ["images.web.* in sub-path mode (says why and how to build one)", { images: { web: { repository: "", tag: "", basePath: "" } } }, "scripts/build-web-image.sh --base-path /dify"],
    ["images.web.tag in sub-path mode", { images: { web: { tag: "" } } }, "needs a web image built with NEXT_PUBLIC_BASE_PATH=/dify"],
    ["images.ssrfProxy.* when the SSRF proxy is on", { ssrfProxy: { enabled: true }, images: { ssrfProxy: { tag: "" } } }, "images.ssrfProxy.repository and images.ssrfProxy.tag are required when ssrfProxy.enabled"],
    ["networkPolicy.ingressNamespaces (who may reach web, api and daemon is an explicit choice)",
      { networkPolicy: { ingressNamespaces: [] } },
      "networkPolicy.ingressNamespaces is required when networkPolicy.enabled"],
    ["networkPolicy.ingressNamespaces (the message names the opt-out key)",
      { networkPolicy: { ingressNamespaces: [] } },
      "or set networkPolicy.ingressFromAllNamespaces=true to admit every namespace"],
    ["postgresql.external.host with an external Postgres", { postgresql: { enabled: false } }, "postgresql.external.host is required when postgresql.enabled=false"],
    ["redis.external.host with an external Redis", { redis: { enabled: false } }, "redis.external.host is required when redis.enabled=false"],
    ["dify.fileStorage.s3.bucket with S3", { dify: { fileStorage: { s3: { enabled: true, endpoint: "https://o.example", accessKey: "test-a", secretKey: "test-b" } } } }, "dify.fileStorage.s3.bucket is required"],
    ["dify.fileStorage.s3.endpoint with S3", { dify: { fileStorage: { s3: { enabled: true, bucket: "b", accessKey: "test-a", secretKey: "test-b" } } } }, "dify.fileStorage.s3.endpoint is required"],
    ["dify.fileStorage.s3.secretKey with S3", { dify: { fileStorage: { s3: { enabled: true, endpoint: "https://o.example", bucket: "b", accessKey: "test-a" } } } }, "dify.fileStorage.s3.secretKey is required"],
  ];
  for (const [what, patch, fragment] of conditional) {
    it(`fails without ${what}`, () => failsWith(merge(base, patch), fragment));
  }

  const bad: [string, any, string][] = [
    ["a path without a leading slash", { expose: { path: "dify" } }, 'expose.path "dify" must start with /'],
    ["a path with a trailing slash", { expose: { path: "/dify/" } }, 'expose.path "/dify/" must not end with / (use /dify)'],
    ["a path with a space", { expose: { path: "/my dify" } }, "may contain only letters, digits"],
    ["a path with //", { expose: { path: "/a//b" }, images: { web: { basePath: "/a//b" } } }, "must not contain //"],
    ["a scheme other than http/https", { external: { scheme: "ftp" } }, 'external.scheme must be http or https (got "ftp")'],
    ["a host with a scheme", { external: { host: "https://dify.example.com" } }, "must not contain a scheme"],
    ["a host with a path", { external: { host: "dify.example.com/dify" } }, "must not contain a path"],
    ["a host with a port", { external: { host: "dify.example.com:8443" } }, "without port"],
    ["an IPv6 host without brackets", { external: { host: "2001:db8::10" } }, "bracketed IPv6"],
    ["a files size that is not a quantity", { dify: { fileStorage: { size: "20 GB" } } }, 'dify.fileStorage.size "20 GB" is not a Kubernetes quantity'],
    ["a Redis size that is not a quantity", { redis: { persistence: { size: "8GB" } } }, 'redis.persistence.size "8GB" is not a Kubernetes quantity'],
    ["a Postgres size that is not a quantity", { postgresql: { persistence: { size: "big" } } }, 'postgresql.persistence.size "big" is not a Kubernetes quantity'],
    ["a Weaviate size that is not a quantity", { weaviate: { persistence: { size: "-1Gi" } } }, 'weaviate.persistence.size "-1Gi" is not a Kubernetes quantity'],
    ["a plugin daemon size that is not a quantity", { pluginDaemon: { persistence: { size: "10gi" } } }, 'pluginDaemon.persistence.size "10gi" is not a Kubernetes quantity'],
    ["an unknown access mode", { dify: { fileStorage: { accessMode: "ReadOnlyMany" } } }, "dify.fileStorage.accessMode must be ReadWriteOnce or ReadWriteMany"],
    ["a setup password over 30 characters", { secrets: { initPassword: "test-" + "x".repeat(26) } }, "secrets.initPassword has 31 characters; Dify accepts at most 30"],
    ["Weaviate older than 1.27", { weaviate: { image: { tag: "1.26.9" } } }, 'weaviate.image.tag "1.26.9" is too old: Dify 1.11 needs Weaviate >= 1.27'],
    ["a Weaviate tag that is no version", { weaviate: { image: { tag: "latest" } } }, 'weaviate.image.tag "latest" must be a version such as 1.27.0'],
    ["a web image built for another base path", { images: { web: { basePath: "/other" } } }, 'images.web.basePath ("/other") must equal expose.path ("/dify")'],
    ["a base-path web image at the root", { expose: { path: "/" } }, 'images.web.basePath is "/dify" but expose.path is /'],
    ["a Redis password that breaks the broker URL", { redis: { auth: { password: "test-p@ss:word" } } }, "redis.auth.password may contain only"],
    ["an external Postgres port that is no port", { postgresql: { enabled: false, external: { host: "pg.example", port: "99999" } } }, 'postgresql.external.port "99999" must be a port number'],
    ["an external Redis port that is no number", { redis: { enabled: false, external: { host: "r.example", port: "redis" } } }, 'redis.external.port "redis" must be a port number'],
    ["zero api replicas", { api: { replicas: 0 } }, 'api.replicas "0" must be a positive whole number'],
    ["worker replicas that are no number", { worker: { replicas: "two" } }, 'worker.replicas "two" must be a positive whole number'],
    ["an extra env name that is not a variable name", { dify: { extraEnv: { "BAD-NAME": "1" } } }, 'dify.extraEnv key "BAD-NAME" is not a valid environment variable name'],
    ["an unknown pull policy", { global: { imagePullPolicy: "Sometimes" } }, "global.imagePullPolicy must be Always, IfNotPresent or Never"],
    ["a registry with a scheme", { global: { imageRegistry: "https://registry.example.local" } }, "global.imageRegistry \"https://registry.example.local\" must not contain a scheme"],
    ["an S3 endpoint that is no URL", { dify: { fileStorage: { s3: { enabled: true, endpoint: "objects.example", bucket: "b", accessKey: "test-a", secretKey: "test-b" } } } }, "dify.fileStorage.s3.endpoint \"objects.example\" must be a URL"],
    ["an unknown S3 address style", { dify: { fileStorage: { s3: { enabled: true, endpoint: "https://o.example", bucket: "b", accessKey: "test-a", secretKey: "test-b", addressStyle: "host" } } } }, "dify.fileStorage.s3.addressStyle must be path or virtual"],
    ["both ingress namespaces and every namespace", { networkPolicy: { ingressFromAllNamespaces: true } },
      "networkPolicy.ingressNamespaces and networkPolicy.ingressFromAllNamespaces=true contradict each other"],
    ["an ingress namespace that is no namespace name",
      { networkPolicy: { ingressNamespaces: ["kommander", "Kommander Traefik"] } },
      'networkPolicy.ingressNamespaces entry "Kommander Traefik" is not a namespace name'],
    ["the plugin database equal to the Dify database", { postgresql: { auth: { database: "dify_plugin" } } }, "postgresql.auth.pluginDatabase must differ from postgresql.auth.database"],
  ];
  for (const [what, patch, fragment] of bad) {
    it(`fails on ${what}`, () => failsWith(merge(base, patch), fragment));
  }

  it("counts the setup password in characters, not bytes (30 non-ASCII characters pass)", () => {
    assert.strictEqual(render(merge(base, { secrets: { initPassword: "パ".repeat(30) } })).status, 0);
    failsWith(merge(base, { secrets: { initPassword: "パ".repeat(31) } }), "secrets.initPassword has 31 characters");
  });

  it("accepts valid edge cases: a bracketed IPv6 host, a deeper path, decimal sizes, numeric ports and replicas", () => {
    const r = render(matrix["edge cases (IPv6 host, deeper path, decimal size, numeric port and replicas)"].values);
    assert.strictEqual(r.status, 0, r.stderr);
  });

  it("needs no ingress namespaces without NetworkPolicies", () => {
    const r = render(merge(base, { networkPolicy: { enabled: false, ingressNamespaces: [] } }));
    assert.strictEqual(r.status, 0, r.stderr);
  });

  it("with global.existingSecret no credential value is required, S3 keys included", () => {
    const v = merge(matrix["existing Secret"].values, { dify: { fileStorage: { s3: { enabled: true, endpoint: "https://o.example", bucket: "b" } } } });
    const r = render(v);
    assert.strictEqual(r.status, 0, r.stderr);
  });

  it("reports every problem at once, whichever template Helm renders first (the subchart included)", () => {
    const r = render(merge(base, { expose: { path: "dify" }, external: { scheme: "ftp" }, redis: { persistence: { size: "x" } }, weaviate: { persistence: { size: "" } } }));
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /Invalid values for the dify chart \(4 problem\(s\)\)/);
    for (const k of ["expose.path", "external.scheme", "redis.persistence.size", "weaviate.persistence.size"]) assert.ok(r.stderr.includes(`- ${k}`), k);
  });

  it("an empty install lists every required value in one message", () => {
    const r = render({});
    assert.notStrictEqual(r.status, 0);
    const count = Number(/\((\d+) problem\(s\)\)/.exec(r.stderr)?.[1]);
    assert.ok(count >= 20, r.stderr);
    assert.ok(r.stderr.includes("expose.ingressClassName is required") && r.stderr.includes("secrets.difySecretKey is required"));
  });
});
