import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import {
  chartDigest,
  chartName,
  credentialsSecretName,
  fullnameOf,
  instanceSelector,
  isChartFile,
  migrateJobName,
} from "../../components/chart-contract";
import { parseConfig } from "../../components/config";
import { externalUrl, publicHost, setupUrl, urlHost } from "../../components/host";
import {
  buildChartValues,
  credentialsInValues,
  Credentials,
  difyImageTagIn,
  weaviateKeyChecksum,
} from "../../components/values";
import { repoRoot } from "../lib/paths";

const creds: Credentials = {
  secretKey: "k".repeat(64),
  initPassword: "init",
  postgresPassword: "pg",
  redisPassword: "rd",
  pluginDaemonKey: "pd",
  pluginInnerApiKey: "in",
  sandboxApiKey: "sb",
  weaviateApiKey: "wv",
  adminPassword: "",
};
const webImage = "registry.example.local/dify/dify-web:1.11.4-dify";

/** Every key path of a values tree, leaves only. */
function leafPaths(o: any, prefix = ""): string[] {
  if (o === null || typeof o !== "object" || Array.isArray(o) || Object.keys(o).length === 0) return [prefix];
  return Object.entries(o).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe("URLs", () => {
  it("builds the sub-path URL from an IP", () =>
    assert.strictEqual(
      externalUrl("https", urlHost("198.51.100.10"), "/dify"),
      "https://198.51.100.10/dify",
    ));
  it("builds the root URL", () =>
    assert.strictEqual(externalUrl("https", urlHost("198.51.100.10"), "/"), "https://198.51.100.10"));
  it("uses a hostname", () =>
    assert.strictEqual(
      externalUrl("https", urlHost("dify.example.com"), "/dify"),
      "https://dify.example.com/dify",
    ));
  it("keeps IPv6 in brackets", () =>
    assert.strictEqual(
      externalUrl("https", urlHost("[2001:db8::10]"), "/dify"),
      "https://[2001:db8::10]/dify",
    ));
  it("brackets a bare IPv6 address", () =>
    assert.strictEqual(externalUrl("https", urlHost("2001:db8::10"), "/"), "https://[2001:db8::10]"));
  it("adds /install for the setup page", () =>
    assert.strictEqual(setupUrl("https://198.51.100.10/dify"), "https://198.51.100.10/dify/install"));
  it("adds /install at the root too", () =>
    assert.strictEqual(
      setupUrl(externalUrl("https", urlHost("198.51.100.10"), "/")),
      "https://198.51.100.10/install",
    ));
  it("uses http when configured", () =>
    assert.strictEqual(
      externalUrl("http", urlHost("dify.example.com"), "/dify"),
      "http://dify.example.com/dify",
    ));
  it("prefers the external host over the Traefik address", () =>
    assert.strictEqual(
      publicHost({ externalHost: urlHost("dify.example.com") }, urlHost("198.51.100.10")),
      "dify.example.com",
    ));
  it("falls back to the Traefik address", () =>
    assert.strictEqual(publicHost({}, urlHost("198.51.100.10")), "198.51.100.10"));
  it("refuses to build a URL without any host", () =>
    assert.throws(() => publicHost({}, undefined), /dify:externalHost/));
  it("leaves bracketed and DNS hosts alone", () => {
    assert.strictEqual(urlHost("[2001:db8::10]"), "[2001:db8::10]");
    assert.strictEqual(urlHost("lb.example.com"), "lb.example.com");
  });
});

describe("names", () => {
  it("uses the release name when it contains dify", () => assert.strictEqual(fullnameOf("dify"), "dify"));
  it("appends -dify otherwise", () => assert.strictEqual(fullnameOf("prod"), "prod-dify"));
  it("names the credentials Secret after the fullname", () =>
    assert.strictEqual(credentialsSecretName("dify"), "dify-credentials"));
});

describe("chart values mapping", () => {
  const chartValues = YAML.parse(fs.readFileSync(path.join(repoRoot, "chart", "values.yaml"), "utf8"));
  const known = new Set(leafPaths(chartValues));
  const isKnown = (p: string) => known.has(p) || [...known].some((k) => p.startsWith(`${k}.`));

  const configs: Record<string, Record<string, string>> = {
    "sub-path": { webImage },
    root: { path: "/" },
    "external stores and S3": {
      path: "/",
      postgresHost: "pg.example",
      postgresPassword: "pw",
      redisHost: "rd.example",
      redisPort: "6380",
      s3Endpoint: "https://o.example",
      s3Bucket: "bkt",
      s3AccessKey: "a",
      s3SecretKey: "s",
    },
    "RWX, registry, SSRF proxy off": {
      path: "/",
      filesAccessMode: "ReadWriteMany",
      filesStorageClass: "nutanix-files",
      imageRegistry: "reg.example/dify",
      imagePullSecrets: "pull",
      ssrfProxy: "false",
    },
  };
  const typeOf = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);
  const at = (o: any, p: string) => p.split(".").reduce((x, k) => (x === undefined ? undefined : x[k]), o);

  for (const [name, raw] of Object.entries(configs)) {
    it(`produces only keys that chart/values.yaml declares, with its types (${name})`, () => {
      const values = buildChartValues(
        parseConfig(raw),
        creds,
        urlHost("198.51.100.10"),
        "kommander",
        "digest",
      );
      const unknown = leafPaths(values).filter((p) => !isKnown(p));
      assert.deepStrictEqual(unknown, []);
      const wrongType = leafPaths(values).filter(
        (p) => known.has(p) && typeOf(at(values, p)) !== typeOf(at(chartValues, p)),
      );
      assert.deepStrictEqual(
        wrongType.map((p) => `${p}: ${typeOf(at(values, p))} instead of ${typeOf(at(chartValues, p))}`),
        [],
      );
    });
  }

  it("sets every value the chart marks Required", () => {
    const required = fs
      .readFileSync(path.join(repoRoot, "chart", "values.yaml"), "utf8")
      .split("\n")
      .map((l) => /@param (\S+) .*Required\.$/.exec(l)?.[1])
      .filter((p): p is string => p !== undefined);
    assert.ok(required.length > 10);
    const values = buildChartValues(
      parseConfig({ webImage }),
      creds,
      urlHost("198.51.100.10"),
      "kommander",
      "digest",
    );
    assert.deepStrictEqual(
      required.filter((p) => at(values, p) === undefined || at(values, p) === ""),
      [],
    );
  });

  it("maps the NKP exposure and the discovered address", () => {
    const v: any = buildChartValues(
      parseConfig({ webImage }),
      creds,
      urlHost("198.51.100.10"),
      "kommander",
      "d1",
    );
    assert.deepStrictEqual(v.expose, {
      ingressClassName: "kommander-traefik",
      path: "/dify",
      entrypoints: ["websecure"],
      tls: true,
      annotations: {},
      middlewareCrd: true,
      rootRedirects: true,
    });
    assert.deepStrictEqual(v.external, { scheme: "https", host: "198.51.100.10" });
    assert.deepStrictEqual(v.images.web, {
      repository: "registry.example.local/dify/dify-web",
      tag: "1.11.4-dify",
      basePath: "/dify",
    });
    assert.deepStrictEqual(v.networkPolicy, { enabled: true, ingressNamespaces: ["kommander", "dify"] });
    assert.deepStrictEqual(v.ssrfProxy, { enabled: true });
    assert.strictEqual(v.deployment.chartDigest, "d1");
  });

  it("maps the upstream-parity settings, leaving empty ones to the chart's defaults", () => {
    const defaults: any = buildChartValues(parseConfig({ webImage }), creds, urlHost("h"), undefined, "d");
    const picked = (v: any) => [
      v.global.sizing,
      v.dify.pluginMaxPackageSize,
      v.dify.internalFilesUrl,
      v.expose.rootRedirects,
    ];
    assert.deepStrictEqual(picked(defaults), ["", "", true, true]);
    const raw = {
      webImage,
      sizing: "medium",
      pluginMaxPackageSize: "100Mi",
      internalFilesUrl: "false",
      rootRedirects: "false",
    };
    const v: any = buildChartValues(parseConfig(raw), creds, urlHost("h"), undefined, "d");
    assert.deepStrictEqual(picked(v), ["medium", "100Mi", false, false]);
  });

  it("maps the credentials into the chart's secret values", () => {
    const v: any = buildChartValues(parseConfig({ path: "/" }), creds, urlHost("h"), undefined, "d");
    assert.strictEqual(v.secrets.difySecretKey, creds.secretKey);
    assert.strictEqual(v.postgresql.auth.password, "pg");
    assert.strictEqual(v.redis.auth.password, "rd");
    assert.strictEqual(v.secrets.weaviateApiKey, "wv");
    assert.strictEqual(v.expose.middlewareCrd, false);
    assert.deepStrictEqual(v.images.web, { repository: "", tag: "", basePath: "" });
  });

  it("maps the original spec's sizes and storage class", () => {
    const v: any = buildChartValues(
      parseConfig({ path: "/", postgresSize: "50Gi", weaviateSize: "100Gi" }),
      creds,
      urlHost("h"),
      undefined,
      "d",
    );
    assert.strictEqual(v.postgresql.persistence.size, "50Gi");
    assert.strictEqual(v.weaviate.persistence.size, "100Gi");
    assert.strictEqual(v.storage.storageClassName, "nutanix-volume");
    assert.strictEqual(v.weaviate.persistence.storageClass, "nutanix-volume");
  });

  it("keeps the stock web image at the root and a custom one without base path", () => {
    const v: any = buildChartValues(
      parseConfig({ path: "/", webImage: "registry.example.local/dify-web:1.11.4-custom" }),
      creds,
      urlHost("h"),
      undefined,
      "d",
    );
    assert.deepStrictEqual(v.images.web, {
      repository: "registry.example.local/dify-web",
      tag: "1.11.4-custom",
      basePath: "",
    });
  });

  it("maps the images of the version matrix", () => {
    const v: any = buildChartValues(parseConfig({ path: "/" }), creds, urlHost("h"), undefined, "d");
    assert.deepStrictEqual(v.images.dify, { repository: "langgenius/dify", tag: "1.11.4" });
    assert.deepStrictEqual(v.images.pluginDaemon, {
      repository: "langgenius/dify-plugin-daemon",
      tag: "0.5.2-local",
    });
    assert.deepStrictEqual(v.images.sandbox, { repository: "langgenius/dify-sandbox", tag: "0.2.12" });
    assert.deepStrictEqual(v.weaviate.image, { repository: "semitechnologies/weaviate", tag: "1.27.0" });
    assert.deepStrictEqual(v.images.postgres, { repository: "postgres", tag: "16.10" });
    assert.deepStrictEqual(v.images.redis, { repository: "redis", tag: "7.4.5" });
  });

  it("maps S3 file storage and an RWX files class", () => {
    const s3: any = buildChartValues(
      parseConfig({
        path: "/",
        s3Endpoint: "https://o.example",
        s3Bucket: "bkt",
        s3AccessKey: "a",
        s3SecretKey: "s",
      }),
      creds,
      urlHost("h"),
      undefined,
      "d",
    );
    assert.deepStrictEqual(s3.dify.fileStorage.s3, {
      enabled: true,
      endpoint: "https://o.example",
      bucket: "bkt",
      region: "us-east-1",
      accessKey: "a",
      secretKey: "s",
      addressStyle: "path",
    });
    const rwx: any = buildChartValues(
      parseConfig({ path: "/", filesAccessMode: "ReadWriteMany", filesStorageClass: "nutanix-files" }),
      creds,
      urlHost("h"),
      undefined,
      "d",
    );
    assert.strictEqual(rwx.dify.fileStorage.accessMode, "ReadWriteMany");
    assert.strictEqual(rwx.dify.fileStorage.storageClass, "nutanix-files");
  });

  it("maps the OpenAI key into the release Secret values only", () => {
    const v: any = buildChartValues(
      parseConfig({ path: "/", openaiApiKey: "sk-test" }),
      creds,
      urlHost("h"),
      undefined,
      "d",
    );
    assert.strictEqual(v.secrets.openaiApiKey, "sk-test");
    assert.strictEqual(JSON.stringify(v.dify).includes("sk-test"), false);
  });

  it("restarts Weaviate when its key changes, without revealing the key", () => {
    const v1: any = buildChartValues(parseConfig({ path: "/" }), creds, urlHost("h"), undefined, "d");
    const v2: any = buildChartValues(
      parseConfig({ path: "/" }),
      { ...creds, weaviateApiKey: "rotated" },
      urlHost("h"),
      undefined,
      "d",
    );
    const a1 = v1.weaviate.podAnnotations["checksum/credentials"];
    assert.match(a1, /^[0-9a-f]{64}$/);
    assert.notStrictEqual(v2.weaviate.podAnnotations["checksum/credentials"], a1);
    assert.strictEqual(weaviateKeyChecksum(creds), a1);
    assert.notStrictEqual(
      a1,
      require("crypto").createHash("sha256").update(creds.weaviateApiKey).digest("hex"),
    );
  });

  it("puts an IPv6 address in brackets", () => {
    const v: any = buildChartValues(
      parseConfig({ path: "/" }),
      creds,
      urlHost("2001:db8::10"),
      "kommander",
      "d",
    );
    assert.strictEqual(v.external.host, "[2001:db8::10]");
  });

  it("admits the release namespace alone when Traefik's is unknown, and names a shared one once", () => {
    const v: any = buildChartValues(parseConfig({ path: "/" }), creds, urlHost("h"), undefined, "d");
    assert.deepStrictEqual(v.networkPolicy.ingressNamespaces, ["dify"]);
    const cfg = parseConfig({ path: "/", namespace: "kommander" });
    const shared: any = buildChartValues(cfg, creds, urlHost("h"), "kommander", "d");
    assert.deepStrictEqual(shared.networkPolicy.ingressNamespaces, ["kommander"]);
  });

  it("maps external data stores and the registry prefix", () => {
    const v: any = buildChartValues(
      parseConfig({
        path: "/",
        postgresHost: "pg.example",
        postgresPassword: "pg",
        redisHost: "rd.example",
        redisPort: "6380",
        imageRegistry: "registry.example.local/mirror/",
        imagePullSecrets: "pull-a, pull-b",
      }),
      creds,
      urlHost("h"),
      undefined,
      "d",
    );
    assert.strictEqual(v.postgresql.enabled, false);
    assert.strictEqual(v.postgresql.external.host, "pg.example");
    assert.deepStrictEqual(v.redis.external, { host: "rd.example", port: "6380" });
    assert.strictEqual(v.global.imageRegistry, "registry.example.local/mirror");
    assert.deepStrictEqual(v.global.imagePullSecrets, ["pull-a", "pull-b"]);
  });
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
  it("covers the bundled chart", () =>
    assert.match(chartDigest(path.join(repoRoot, "chart")), /^[0-9a-f]{64}$/));
  it("changes when a file is renamed or added", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digest-"));
    fs.writeFileSync(path.join(dir, "a.yaml"), "x");
    const d1 = chartDigest(dir);
    fs.renameSync(path.join(dir, "a.yaml"), path.join(dir, "b.yaml"));
    const d2 = chartDigest(dir);
    fs.writeFileSync(path.join(dir, "c.yaml"), "");
    assert.notStrictEqual(d1, d2);
    assert.notStrictEqual(chartDigest(dir), d2);
  });
  it("ignores editor leftovers and hidden files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digest-"));
    fs.writeFileSync(path.join(dir, "a.yaml"), "x");
    const d1 = chartDigest(dir);
    fs.writeFileSync(path.join(dir, "a.yaml~"), "y");
    fs.writeFileSync(path.join(dir, ".a.yaml.swp"), "y");
    assert.strictEqual(chartDigest(dir), d1);
    assert.ok(isChartFile(".helmignore"));
  });
});

describe("credentials in chart values", () => {
  it("finds every credential where buildChartValues put it", () => {
    const all = { ...creds, adminPassword: "ad" };
    const values = buildChartValues(
      parseConfig({ path: "/" }),
      all,
      urlHost("198.51.100.10"),
      "kommander",
      "digest",
    );
    assert.deepStrictEqual(credentialsInValues(values), all);
  });

  it("skips empty and missing values", () => {
    assert.deepStrictEqual(credentialsInValues({ secrets: { difySecretKey: "" }, redis: { auth: {} } }), {});
  });

  it("reads the Dify image tag; names the chart, the release's selector and its migration Job", () => {
    assert.strictEqual(difyImageTagIn({ images: { dify: { tag: "1.11.4" } } }), "1.11.4");
    assert.strictEqual(difyImageTagIn({}), undefined);
    assert.strictEqual(chartName, "dify");
    assert.strictEqual(
      instanceSelector("dify"),
      "app.kubernetes.io/name=dify,app.kubernetes.io/instance=dify",
    );
    assert.strictEqual(migrateJobName("team"), "team-dify-migrate");
  });
});
