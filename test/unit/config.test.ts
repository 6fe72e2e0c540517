import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { credentialsSecretKeys } from "../../components/chart-contract";
import {
  ConfigError,
  configNotes,
  credentialKeys,
  isQuantity,
  parseConfig,
  parseQuantity,
  plainSecretKeys,
  versionMatrix,
} from "../../components/config";
import { configCatalogue, knownKeys, secretConfigKeys } from "../../components/config-catalogue";
import { checkHost } from "../../components/host";
import { configDoc, pulumiYaml, withGenerated } from "../../scripts/config-reference";
import { repoRoot } from "../lib/paths";

const webImage = "registry.example.local/dify/dify-web:1.11.4-dify";
const s3 = {
  s3Endpoint: "https://objects.example.local",
  s3Bucket: "dify-files",
  s3AccessKey: "a",
  s3SecretKey: "b",
};
const project = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8"));
/** The raw config the Pulumi CLI hands the program when the stack sets nothing: Pulumi.yaml's defaults. */
const projectDefaults: Record<string, string> = Object.fromEntries(
  Object.entries<any>(project.config).map(([k, v]) => [k, String(v.default)]),
);

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
    assert.strictEqual(c.imageRepository, "langgenius/dify");
    assert.strictEqual(c.namespace, "dify");
    assert.strictEqual(c.releaseName, "dify");
    assert.strictEqual(c.path, "/dify");
    assert.strictEqual(c.subPath, true);
    assert.strictEqual(c.ingressClassName, "kommander-traefik");
    assert.strictEqual(c.scheme, "https");
    assert.strictEqual(c.tls, true);
    assert.deepStrictEqual(c.entrypoints, ["websecure"]);
    assert.strictEqual(c.storageClass, "nutanix-volume");
    assert.strictEqual(c.weaviateStorageClass, "nutanix-volume");
    assert.strictEqual(c.filesStorageClass, "nutanix-volume");
    assert.strictEqual(c.filesAccessMode, "ReadWriteOnce");
    assert.deepStrictEqual(c.sizes, {
      postgres: "20Gi",
      redis: "8Gi",
      weaviate: "50Gi",
      difyFiles: "20Gi",
      pluginDaemon: "10Gi",
    });
    assert.strictEqual(c.postgresUser, "dify");
    assert.strictEqual(c.postgresDatabase, "dify");
    assert.strictEqual(c.postgresEnabled, true);
    assert.strictEqual(c.redisEnabled, true);
    assert.strictEqual(c.addressTimeoutSeconds, 300);
    assert.strictEqual(c.helmTimeoutSeconds, 900);
    assert.strictEqual(c.webImageBasePath, "/dify");
    assert.deepStrictEqual(c.webImage, {
      repository: "registry.example.local/dify/dify-web",
      tag: "1.11.4-dify",
    });
    assert.strictEqual(c.externalHost, undefined);
    assert.deepStrictEqual(c.credentials, {});
    assert.deepStrictEqual(c.warnings, []);
  });

  it("takes the companion images of 1.11.4 from the version matrix", () => {
    const c = parseConfig({ path: "/" });
    assert.deepStrictEqual(
      { ...c.images },
      {
        pluginDaemonTag: "0.5.2-local",
        sandboxTag: "0.2.12",
        weaviateTag: "1.27.0",
        postgresTag: "16.10",
        redisTag: "7.4.5",
        ssrfProxyTag: "6.6-24.04_beta",
        pluginDaemonRepository: "langgenius/dify-plugin-daemon",
        sandboxRepository: "langgenius/dify-sandbox",
        weaviateRepository: "semitechnologies/weaviate",
        postgresRepository: "postgres",
        redisRepository: "redis",
        ssrfProxyRepository: "ubuntu/squid",
      },
    );
  });

  it("accepts an unknown Dify tag when every companion tag is given", () => {
    const companions = {
      pluginDaemonTag: "0.6.0-local",
      sandboxTag: "0.2.13",
      weaviateTag: "1.28.0",
      postgresTag: "16.11",
      redisTag: "7.4.6",
    };
    const c = parseConfig({ path: "/", imageTag: "1.12.0", ...companions, ssrfProxyTag: "6.6-24.04_beta" });
    assert.strictEqual(c.images.weaviateTag, "1.28.0");
    const off = parseConfig({ path: "/", imageTag: "1.12.0", ...companions, ssrfProxy: "false" });
    assert.strictEqual(off.images.ssrfProxyTag, "", "the Squid tag is needed only with dify:ssrfProxy");
  });

  it("runs the SSRF proxy by default, as upstream's compose does; the opt-out is warned about", () => {
    assert.strictEqual(parseConfig({ path: "/" }).ssrfProxy, true);
    const off = parseConfig({ path: "/", ssrfProxy: "false" });
    assert.strictEqual(off.ssrfProxy, false);
    assert.strictEqual(off.warnings.length, 1);
    assert.match(
      off.warnings[0],
      /^dify:ssrfProxy is false: code in the sandbox and the HTTP requests Dify makes/,
    );
    assert.match(off.warnings[0], /can reach cluster Services, nodes and cloud metadata addresses/);
  });

  it("carries root mode as subPath false", () =>
    assert.strictEqual(parseConfig({ path: "/" }).subPath, false));

  it("lets a companion tag override the matrix", () => {
    assert.strictEqual(parseConfig({ path: "/", sandboxTag: "0.2.13" }).images.sandboxTag, "0.2.13");
  });

  it("treats empty values (Pulumi.yaml defaults) as unset", () => {
    const c = parseConfig({ path: "/", externalHost: "", postgresHost: "", secretKey: "", webImage: "" });
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
    const c = parseConfig({
      path: "/",
      postgresHost: "pg.example.local",
      postgresPort: "5433",
      postgresPassword: "pw",
      redisHost: "redis.example.local",
      ...s3,
    });
    assert.strictEqual(c.postgresEnabled, false);
    assert.strictEqual(c.postgresPort, 5433);
    assert.strictEqual(c.redisEnabled, false);
    assert.deepStrictEqual(c.s3, {
      endpoint: s3.s3Endpoint,
      bucket: "dify-files",
      region: "us-east-1",
      accessKey: "a",
      secretKey: "b",
      addressStyle: "path",
    });
  });

  it("brackets an IPv6 external host", () => {
    assert.strictEqual(
      parseConfig({ path: "/", externalHost: "2001:db8::10" }).externalHost,
      "[2001:db8::10]",
    );
    assert.strictEqual(
      parseConfig({ path: "/", externalHost: "[2001:db8::10]" }).externalHost,
      "[2001:db8::10]",
    );
  });

  it("accepts ReadWriteMany with a Nutanix Files class", () => {
    const c = parseConfig({
      path: "/",
      filesAccessMode: "ReadWriteMany",
      filesStorageClass: "nutanix-files",
    });
    assert.strictEqual(c.filesStorageClass, "nutanix-files");
  });

  it("splits comma-separated lists", () => {
    const c = parseConfig({ path: "/", imagePullSecrets: "pull-a, pull-b", entrypoints: "websecure,web" });
    assert.deepStrictEqual(c.imagePullSecrets, ["pull-a", "pull-b"]);
    assert.deepStrictEqual(c.entrypoints, ["websecure", "web"]);
  });
});

describe("config: Pulumi.yaml", () => {
  it("is the project dify, so the keys are dify:<key>", () => assert.strictEqual(project.name, "dify"));

  it("declares exactly the keys the program reads", () => {
    assert.deepStrictEqual(Object.keys(project.config).sort(), [...knownKeys].sort());
  });

  it("gives every key a type, a description and a default", () => {
    for (const [k, v] of Object.entries<any>(project.config)) {
      assert.ok(["string", "integer", "boolean"].includes(v.type), `${k}: type`);
      assert.ok(typeof v.description === "string" && v.description.length > 10, `${k}: description`);
      assert.ok("default" in v, `${k}: default`);
    }
  });

  it("gives secret keys no default value", () => {
    for (const k of secretConfigKeys) assert.strictEqual(project.config[k].default, "", k);
  });

  it("declares the same defaults as the code", () => {
    assert.deepStrictEqual(parseConfig({ ...projectDefaults, path: "/" }), parseConfig({ path: "/" }));
  });

  it("accepts S3 together with the project defaults (a default is not a setting)", () => {
    assert.strictEqual(parseConfig({ ...projectDefaults, path: "/", ...s3 }).s3?.bucket, "dify-files");
  });

  it("Pulumi.example.yaml holds placeholders only and known keys", () => {
    const example = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.example.yaml"), "utf8"));
    for (const [k, v] of Object.entries<any>(example.config)) {
      const [ns, key] = k.split(":");
      if (ns === "dify") assert.ok(knownKeys.includes(key), k);
      if (secretConfigKeys.includes(key)) assert.fail(`${k} must not appear with a value`);
      assert.ok(!/\d+\.\d+\.\d+\.\d+/.test(String(v)), `${k} holds an address`);
    }
  });
});

describe("config: the catalogue (components/config-catalogue.ts)", () => {
  it("generated Pulumi.yaml's config block and docs/config.md's key tables (npm run config-reference)", () => {
    for (const file of [pulumiYaml, configDoc]) {
      const text = fs.readFileSync(file, "utf8");
      assert.ok(
        text === withGenerated(file === pulumiYaml ? "pulumi" : "doc", text),
        `${path.relative(repoRoot, file)} is out of date: run npm run config-reference`,
      );
    }
  });

  it("lists each key once, with a description in English and Japanese", () => {
    assert.strictEqual(new Set(knownKeys).size, knownKeys.length);
    for (const k of configCatalogue) assert.ok(k.doc.length > 10 && k.ja.length > 3, k.key);
  });

  it("marks as secret exactly the keys stored in the release Secret", () => {
    assert.deepStrictEqual([...secretConfigKeys].sort(), Object.keys(credentialsSecretKeys).sort());
    for (const k of credentialKeys) assert.ok(secretConfigKeys.includes(k), k);
  });
});

describe("config: docs/config.md", () => {
  const doc = fs.readFileSync(path.join(repoRoot, "docs", "config.md"), "utf8");
  it("documents every key", () => {
    const missing = knownKeys.filter((k) => !doc.includes(`| \`${k}\` |`));
    assert.deepStrictEqual(missing, []);
  });
  it("maps every flag and environment variable of the original deploy.sh", () => {
    for (const flag of [
      "--image-tag",
      "--openai-api-key",
      "--external-host",
      "--traefik-namespace",
      "--traefik-service-name",
      "DIFY_SECRET_KEY",
      "POSTGRES_USERNAME",
      "POSTGRES_DATABASE",
      "POSTGRES_PASSWORD",
      "POSTGRES_SIZE",
      "REDIS_SIZE",
      "WEAVIATE_SIZE",
      "DIFY_FILES_SIZE",
      "KUBECONFIG",
    ]) {
      assert.ok(doc.includes(flag), flag);
    }
  });
});

describe("config: each bad value is refused with its key and the fix", () => {
  it("path without a leading slash", () =>
    rejects({ path: "dify" }, 'dify:path "dify"', "must start with /"));
  it("path with a trailing slash", () =>
    rejects({ path: "/dify/", webImage }, "dify:path", "must not end with /", "use /dify"));
  it("path with odd characters", () =>
    rejects({ path: "/di fy", webImage }, "dify:path", "may contain only"));
  it("path with an empty segment", () => rejects({ path: "/a//b", webImage }, "dify:path", "//"));
  it("sub-path without a base-path web image", () =>
    rejects(
      { path: "/dify" },
      "dify:webImage",
      'official dify-web image only serves at "/"',
      "scripts/build-web-image.sh --version 1.11.4 --base-path /dify",
      "dify:path to /",
    ));
  it("web image base path different from the path", () =>
    rejects({ webImage, webImageBasePath: "/other" }, "dify:webImageBasePath", "must equal dify:path"));
  it("web image without a tag", () =>
    rejects({ webImage: "registry.example.local/dify-web" }, "dify:webImage", "repository:tag"));
  it("web image with a registry port but no tag", () =>
    rejects({ webImage: "registry.example.local:5000/dify-web" }, "dify:webImage", "repository:tag"));
  it("scheme other than http/https", () =>
    rejects({ path: "/", scheme: "ftp" }, "dify:scheme", "http or https"));
  it("external host with a scheme", () =>
    rejects(
      { path: "/", externalHost: "https://dify.example.com" },
      "dify:externalHost",
      "must not contain a scheme",
      "dify:scheme",
    ));
  it("external host with a path", () =>
    rejects(
      { path: "/", externalHost: "dify.example.com/dify" },
      "dify:externalHost",
      "must not contain a path",
      "dify:path",
    ));
  it("external host with a port", () =>
    rejects({ path: "/", externalHost: "dify.example.com:8443" }, "dify:externalHost", "without port"));
  it("external host that is a broken IPv4 address", () =>
    rejects({ path: "/", externalHost: "198.51.100.300" }, "dify:externalHost", "not a valid IPv4"));
  it("external host with odd characters", () =>
    rejects({ path: "/", externalHost: "dify_host" }, "dify:externalHost", "DNS name or an IP"));
  it("size that is not a quantity", () =>
    rejects({ path: "/", postgresSize: "20GB" }, 'dify:postgresSize "20GB"', "Kubernetes quantity", "20Gi"));
  it("size with a milli suffix", () =>
    rejects({ path: "/", weaviateSize: "500m" }, "dify:weaviateSize", "Kubernetes quantity"));
  it("size of zero", () => rejects({ path: "/", redisSize: "0Gi" }, "dify:redisSize", "positive"));
  it("size without a unit", () =>
    rejects({ path: "/", difyFilesSize: "20" }, "dify:difyFilesSize", "20 bytes", "20Gi"));
  it("unknown tag without companions", () =>
    rejects(
      { path: "/", imageTag: "1.99.0" },
      "dify:imageTag 1.99.0",
      "dify:pluginDaemonTag",
      "dify:sandboxTag",
      "dify:weaviateTag",
      "dify:postgresTag",
      "dify:redisTag",
      "docker-compose",
    ));
  it("unknown tag with the SSRF proxy (the default) but no Squid tag", () =>
    rejects(
      {
        path: "/",
        imageTag: "1.99.0",
        pluginDaemonTag: "a",
        sandboxTag: "b",
        weaviateTag: "1.28.0",
        postgresTag: "16",
        redisTag: "7",
      },
      "dify:ssrfProxyTag",
    ));
  it("image tag with a slash", () =>
    rejects({ path: "/", imageTag: "1.11/4" }, "dify:imageTag", "not a valid image tag"));
  it("Weaviate older than 1.27", () =>
    rejects({ path: "/", weaviateTag: "1.24.0" }, "dify:weaviateTag", ">= 1.27"));
  it("repository with a tag", () =>
    rejects({ path: "/", imageRepository: "langgenius/dify:1.11.4" }, "dify:imageRepository", "without tag"));
  it("registry with a scheme", () =>
    rejects({ path: "/", imageRegistry: "https://registry.example.local" }, "dify:imageRegistry", "scheme"));
  it("Traefik namespace without a name", () =>
    rejects(
      { path: "/", traefikNamespace: "kommander" },
      "dify:traefikNamespace and dify:traefikServiceName",
    ));
  it("namespace that is not a DNS label", () =>
    rejects({ path: "/", namespace: "Dify_NS" }, "dify:namespace", "DNS label"));
  it("release name longer than Helm allows", () =>
    rejects({ path: "/", releaseName: "d".repeat(54) }, "dify:releaseName", "at most 53"));
  it("IngressClass that is not a name", () =>
    rejects({ path: "/", ingressClassName: "Kommander Traefik" }, "dify:ingressClassName"));
  it("entrypoint that is not a name", () =>
    rejects({ path: "/", entrypoints: "web secure" }, "dify:entrypoints"));
  it("timeout that is not a number", () =>
    rejects({ path: "/", addressTimeoutSeconds: "soon" }, "dify:addressTimeoutSeconds", "whole number"));
  it("timeout of zero", () =>
    rejects({ path: "/", addressTimeoutSeconds: "0" }, "dify:addressTimeoutSeconds", "from 1"));
  it("Helm timeout below a minute", () =>
    rejects({ path: "/", helmTimeoutSeconds: "30" }, "dify:helmTimeoutSeconds", "from 60"));
  it("boolean that is not true/false", () =>
    rejects({ path: "/", networkPolicy: "yes" }, "dify:networkPolicy", "true or false"));
  it("S3 without its other settings", () =>
    rejects(
      { path: "/", s3Bucket: "dify-files" },
      "dify:s3Endpoint",
      "dify:s3AccessKey",
      "dify:s3SecretKey",
    ));
  it("S3 endpoint that is not a URL", () =>
    rejects({ path: "/", ...s3, s3Endpoint: "objects.example.local" }, "dify:s3Endpoint", "http(s) URL"));
  it("S3 address style other than path/virtual", () =>
    rejects({ path: "/", ...s3, s3AddressStyle: "host" }, "dify:s3AddressStyle"));
  it("S3 together with an RWX files volume", () =>
    rejects(
      { path: "/", ...s3, filesAccessMode: "ReadWriteMany", filesStorageClass: "nutanix-files" },
      "S3 file storage replaces",
    ));
  it("ReadWriteMany on the block storage class", () =>
    rejects(
      { path: "/", filesAccessMode: "ReadWriteMany" },
      "dify:filesStorageClass",
      "nutanix-volume",
      "Nutanix Files",
    ));
  it("access mode that does not exist", () =>
    rejects({ path: "/", filesAccessMode: "RWX" }, "dify:filesAccessMode", "ReadWriteOnce or ReadWriteMany"));
  it("external PostgreSQL without its password", () =>
    rejects(
      { path: "/", postgresHost: "pg.example.local" },
      "dify:postgresHost",
      "--secret dify:postgresPassword",
    ));
  it("external host with a port in it", () =>
    rejects(
      { path: "/", postgresHost: "pg.example.local:5433", postgresPassword: "pw" },
      "dify:postgresHost",
      "dify:postgresPort",
    ));
  it("external port without an external host", () =>
    rejects({ path: "/", postgresPort: "5433" }, "dify:postgresPort", "dify:postgresHost"));
  it("port out of range", () =>
    rejects({ path: "/", redisHost: "r.example", redisPort: "70000" }, "dify:redisPort", "65535"));
  it("PostgreSQL user with odd characters", () =>
    rejects({ path: "/", postgresUser: "dify-user" }, "dify:postgresUser", "identifier"));
  it("setup password longer than 30 characters", () =>
    rejects({ path: "/", initPassword: "x".repeat(31) }, "dify:initPassword", "at most 30"));
  it("Redis password that would break the broker URL", () =>
    rejects({ path: "/", redisPassword: "a@b:c" }, "dify:redisPassword", "broker URL"));
  const badPasswords = [
    ["a space", "test pw"],
    ["a tab", "test\tpw"],
    ["a newline", "test\npw"],
    ["a backslash", "te\\st"],
    ["a leading quote", "'test"],
  ];
  for (const [what, pw] of badPasswords) {
    it(`PostgreSQL password with ${what}, which plugin daemon 0.5.2 cannot pass on`, () =>
      rejects(
        { path: "/", postgresPassword: pw },
        "dify:postgresPassword",
        "key=value connection string",
        "choose another password",
      ));
  }
  it("accepts a PostgreSQL password with a quote inside and other punctuation", () => {
    const pw = "p'w=x!@#$%&*()";
    assert.strictEqual(parseConfig({ path: "/", postgresPassword: pw }).credentials.postgresPassword, pw);
  });
  for (const bad of ["50MB", "0", "1.5Mi", "-1"]) {
    it(`plugin package size ${bad}`, () =>
      rejects({ path: "/", pluginMaxPackageSize: bad }, "dify:pluginMaxPackageSize", "Ki, Mi or Gi"));
  }
  it("sizing profile that does not exist", () =>
    rejects({ path: "/", sizing: "large" }, "dify:sizing must be small or medium"));
  it("public path that a root redirect would send to itself", () =>
    rejects({ path: "/account", webImage }, "dify:path /account", "dify:rootRedirects"));
  it("the same path without root redirects", () =>
    assert.strictEqual(
      parseConfig({ path: "/account", webImage, rootRedirects: "false" }).rootRedirects,
      false,
    ));
  it("PIP mirror that is not a URL", () =>
    rejects({ path: "/", pipMirrorUrl: "pypi.local" }, "dify:pipMirrorUrl", "http(s) URL"));
  it("unknown setting", () =>
    rejects({ path: "/", imageTg: "1.11.4" }, "dify:imageTg", "not a known setting"));

  it("reports every problem at once, in a stable order", () => {
    try {
      parseConfig({
        path: "dify",
        webImage,
        scheme: "ftp",
        postgresSize: "big",
        externalHost: "https://x.example",
      });
      assert.fail("accepted");
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.strictEqual(e.problems.length, 4);
      assert.match(
        e.message,
        /dify:path "dify" must start with \/.*dify:scheme.*dify:externalHost .*must not contain a scheme.*dify:postgresSize "big"/s,
      );
    }
  });
});

describe("config: warnings and notes", () => {
  it("warns about a short secret key instead of refusing an existing one", () => {
    const c = parseConfig({ path: "/", secretKey: "short-but-in-use" });
    assert.strictEqual(c.credentials.secretKey, "short-but-in-use");
    assert.match(c.warnings.join("\n"), /dify:secretKey is shorter than 32/);
  });
  it("warns about http URLs on a TLS entrypoint", () =>
    assert.match(parseConfig({ path: "/", scheme: "http" }).warnings.join("\n"), /dify:scheme is http/));
  it("explains what the OpenAI key does (and does not do)", () => {
    const [note] = configNotes(parseConfig({ path: "/", openaiApiKey: "sk-test" }));
    assert.match(note, /OPENAI_API_KEY.*reads no such variable.*Settings > Model Provider.*OpenAI plugin/s);
    assert.ok(!note.includes("sk-test"));
    assert.deepStrictEqual(configNotes(parseConfig({ path: "/" })), []);
  });
  it("names secret keys stored as plain text, and only those", () => {
    const raw = {
      path: "/",
      postgresPassword: "pw",
      redisPassword: "rd",
      openaiApiKey: "",
      namespace: "dify",
    };
    assert.deepStrictEqual(
      plainSecretKeys(raw, (k) => k === "dify:redisPassword"),
      ["postgresPassword"],
    );
  });
  it("lists every credential as a secret key", () => {
    for (const k of credentialKeys) assert.ok(secretConfigKeys.includes(k), k);
  });
});

describe("config: quantities", () => {
  it("parses binary and decimal suffixes to bytes", () => {
    assert.strictEqual(parseQuantity("20Gi"), 20 * 2 ** 30);
    assert.strictEqual(parseQuantity("512Mi"), 512 * 2 ** 20);
    assert.strictEqual(parseQuantity("1.5Gi"), 1.5 * 2 ** 30);
    assert.strictEqual(parseQuantity("100G"), 100e9);
    assert.strictEqual(parseQuantity("2Ti"), 2 * 2 ** 40);
    assert.strictEqual(parseQuantity("1048576"), 2 ** 20);
  });
  it("accepts what the chart accepts", () => {
    for (const q of ["20Gi", "512Mi", "1.5Gi", "100G", "2Ti", ".5Gi", "1Ei"]) assert.ok(isQuantity(q), q);
  });
  it("rejects non-quantities, zero and forms the chart refuses", () => {
    for (const q of ["20GB", "Gi", "-1Gi", "+1Gi", "0", "0Gi", "20 Gi", "", "1e3", "500m", "1.Gi", "20gi"])
      assert.ok(!isQuantity(q), q);
  });
});

describe("config: hosts", () => {
  it("keeps DNS names and IPv4 addresses", () => {
    assert.deepStrictEqual(checkHost("dify.example.com"), { host: "dify.example.com" });
    assert.deepStrictEqual(checkHost("198.51.100.10"), { host: "198.51.100.10" });
  });
  it("brackets IPv6", () => assert.deepStrictEqual(checkHost("2001:db8::1"), { host: "[2001:db8::1]" }));
  it("refuses brackets around a name", () => assert.ok("reason" in checkHost("[dify.example.com]")));
  it("refuses a trailing colon", () => assert.ok("reason" in checkHost("dify.example.com:")));
});

describe("config: version matrix", () => {
  it("knows only supported versions", () => assert.deepStrictEqual(Object.keys(versionMatrix), ["1.11.4"]));
});

describe("config: the unattended first run", () => {
  const on = { path: "/", adminEmail: "admin@example.com" };

  it("is off without dify:adminEmail", () => {
    assert.strictEqual(parseConfig({ path: "/" }).bootstrap, undefined);
    const defaults = parseConfig({ ...projectDefaults, path: "/" });
    assert.strictEqual(defaults.bootstrap, undefined, "adminName's default is not a setting");
  });

  it("reads its settings, with the name defaulting to admin", () => {
    const cfg = parseConfig({
      ...on,
      plugins: "langgenius/openai, langgenius/ollama",
      pluginPackageUrls: "https://files.example.local/a.difypkg",
      openaiApiKey: "sk-test",
      openaiApiBase: "https://gw.example.local",
    });
    assert.deepStrictEqual(cfg.bootstrap, {
      adminEmail: "admin@example.com",
      adminName: "admin",
      plugins: ["langgenius/openai", "langgenius/ollama"],
      pluginPackageUrls: ["https://files.example.local/a.difypkg"],
      openaiApiBase: "https://gw.example.local",
    });
    assert.strictEqual(
      parseConfig(on).bootstrap?.plugins,
      undefined,
      "unset: the default is decided with the key",
    );
  });

  it("refuses its settings without dify:adminEmail, naming them", () => {
    rejects(
      { path: "/", plugins: "langgenius/openai", adminPassword: "Secret-pw-1" },
      "dify:plugins, dify:adminPassword take effect only with the unattended first run",
      "set dify:adminEmail",
    );
  });

  it("refuses bad values before anything changes, each with its key", () => {
    rejects({ ...on, adminEmail: "admin" }, 'dify:adminEmail "admin" is not an email address');
    rejects(
      { ...on, adminName: "x".repeat(31) },
      "dify:adminName has 31 characters; Dify accepts at most 30",
    );
    rejects(
      { ...on, adminPassword: "onlyletters" },
      "dify:adminPassword must have at least 8 characters with letters and digits",
    );
    rejects({ ...on, plugins: "OpenAI" }, 'dify:plugins "OpenAI" is not a marketplace plugin id');
    rejects(
      { ...on, pluginPackageUrls: "/tmp/openai.difypkg" },
      'dify:pluginPackageUrls "/tmp/openai.difypkg" is not an http(s) URL',
    );
    rejects(
      { ...on, openaiApiKey: "sk-x", openaiApiBase: "gw.example.local" },
      'dify:openaiApiBase "gw.example.local" must be an http(s) URL',
    );
    rejects(
      { ...on, openaiApiBase: "https://gw.example.local" },
      "dify:openaiApiBase",
      "set dify:openaiApiKey too",
    );
  });

  it("the admin password is a secret credential like the others", () => {
    assert.ok(secretConfigKeys.includes("adminPassword"));
    assert.strictEqual(
      parseConfig({ ...on, adminPassword: "Secret-pw-1" }).credentials.adminPassword,
      "Secret-pw-1",
    );
  });

  it("the OpenAI key note tells how to let the first run use it", () => {
    const [note] = configNotes(parseConfig({ path: "/", openaiApiKey: "sk-test" }));
    assert.match(note, /Set dify:adminEmail to have the unattended first run install the OpenAI plugin/);
    assert.deepStrictEqual(configNotes(parseConfig({ ...on, openaiApiKey: "sk-test" })), []);
  });
});
