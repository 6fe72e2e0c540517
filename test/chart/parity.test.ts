/**
 * Parity with upstream's own docker-compose of Dify 1.11.4 (issue 10): plugin package size,
 * locale, file URLs, connection pools and sizing, the Postgres password rule, and what the
 * sub-path routes add at the host's root (redirects of the web's leaks, the plugin hook header).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../lib/paths";
import { base, matrix } from "./matrix";
import { envOf, find, merge, podSpec, quantity, render, renderOk, totalRequests, workloads } from "./render";

const appWorkloads: [string, string][] = [
  ["Deployment", "dify-api"], ["Deployment", "dify-worker"], ["Deployment", "dify-worker-beat"],
  ["Job", "dify-migrate"],
];

function failsWith(values: any, fragment: string) {
  const r = render(values);
  assert.notStrictEqual(r.status, 0, "rendered although invalid");
  assert.ok(r.stderr.includes(fragment), `stderr lacks ${JSON.stringify(fragment)}:\n${r.stderr}`);
  assert.ok(r.stderr.includes("(1 problem(s))"), r.stderr);
}

describe("chart: parity with upstream's docker-compose", () => {
  describe("plugin package size", () => {
    it("api, worker and plugin daemon accept 50 MiB by default, as compose sets (the api alone allows 15 MiB)", () => {
      const d = renderOk(base);
      for (const [kind, name] of appWorkloads) {
        assert.strictEqual(envOf(find(d, kind, name)).PLUGIN_MAX_PACKAGE_SIZE, "52428800", name);
      }
      assert.strictEqual(envOf(find(d, "Deployment", "dify-plugin-daemon")).MAX_PLUGIN_PACKAGE_SIZE, "52428800");
    });

    const sizes = [["100Mi", "104857600"], ["1Gi", "1073741824"], ["20971520", "20971520"], ["512Ki", "524288"]];
    for (const [value, bytes] of sizes) {
      it(`dify.pluginMaxPackageSize=${value} gives ${bytes} bytes to the api, the worker and the daemon alike`, () => {
        const d = renderOk(merge(base, { dify: { pluginMaxPackageSize: value } }));
        assert.strictEqual(envOf(find(d, "Deployment", "dify-api")).PLUGIN_MAX_PACKAGE_SIZE, bytes);
        assert.strictEqual(envOf(find(d, "Deployment", "dify-worker")).PLUGIN_MAX_PACKAGE_SIZE, bytes);
        assert.strictEqual(envOf(find(d, "Deployment", "dify-plugin-daemon")).MAX_PLUGIN_PACKAGE_SIZE, bytes);
      });
    }

    for (const bad of ["50MB", "0", "-1Mi", "1.5Mi", "Mi"]) {
      it(`refuses dify.pluginMaxPackageSize=${bad}`, () =>
        failsWith(merge(base, { dify: { pluginMaxPackageSize: bad } }),
          `dify.pluginMaxPackageSize "${bad}" must be a size`));
    }
  });

  it("LANG and LC_ALL are C.UTF-8 on api, worker, beat, the migration and the plugin daemon, as compose sets", () => {
    const d = renderOk(base);
    for (const [kind, name] of [...appWorkloads, ["Deployment", "dify-plugin-daemon"]]) {
      const env = envOf(find(d, kind, name));
      assert.deepStrictEqual([env.LANG, env.LC_ALL], ["C.UTF-8", "C.UTF-8"], name);
    }
  });

  it("INTERNAL_FILES_URL is the api Service by default; internalFilesUrl=false leaves every file URL public", () => {
    const inside = envOf(find(renderOk(base), "Deployment", "dify-worker"));
    assert.strictEqual(inside.INTERNAL_FILES_URL, "http://dify-api:5001");
    for (const [kind, name] of appWorkloads) {
      const env = envOf(find(renderOk(merge(base, { dify: { internalFilesUrl: false } })), kind, name));
      assert.ok(!("INTERNAL_FILES_URL" in env), name);
      assert.strictEqual(env.FILES_URL, "https://198.51.100.10/dify");
    }
  });

  describe("connection pools and Postgres", () => {
    const pgArgs = (v: any): string[] =>
      podSpec(find(renderOk(v), "StatefulSet", "dify-postgresql")).containers[0].args;
    const setting = (args: string[], key: string) => args.find((a) => a.startsWith(`${key}=`))?.split("=")[1];

    it("the pools are explicit (compose's numbers) and max_connections covers them: 4 x 40 + 30 + 10 = 200", () => {
      const d = renderOk(base);
      for (const [kind, name] of appWorkloads) {
        const env = envOf(find(d, kind, name));
        assert.deepStrictEqual([env.SQLALCHEMY_POOL_SIZE, env.SQLALCHEMY_MAX_OVERFLOW], ["30", "10"], name);
      }
      const daemon = envOf(find(d, "Deployment", "dify-plugin-daemon"));
      assert.deepStrictEqual([daemon.DB_MAX_OPEN_CONNS, daemon.DB_MAX_IDLE_CONNS], ["30", "10"]);
      const args = pgArgs(base);
      assert.deepStrictEqual(args.filter((_, i) => i % 2 === 0), Array(args.length / 2).fill("-c"));
      assert.strictEqual(setting(args, "max_connections"), "200");
    });

    it("install case 12 (medium, 2 api and 2 worker replicas): 6 x 40 + 40 = 280", () => {
      const v = matrix["medium sizing, 100Mi plugins, public file URLs, no root redirects"].values;
      assert.strictEqual(setting(pgArgs(v), "max_connections"), "280");
    });

    it("max_connections grows with api and worker replicas (3 + 2 replicas: 7 x 40 + 40 = 320)", () => {
      const args = pgArgs(merge(base, { api: { replicas: 3 }, worker: { replicas: "2" } }));
      assert.strictEqual(setting(args, "max_connections"), "320");
    });

    it("memory settings: compose's for small (effective_cache_size fitted to the limit), larger for medium", () => {
      const small = pgArgs(base);
      const keys = ["shared_buffers", "work_mem", "maintenance_work_mem", "effective_cache_size"];
      assert.deepStrictEqual(keys.map((k) => setting(small, k)), ["128MB", "4MB", "64MB", "1GB"]);
      const medium = pgArgs(merge(base, { global: { sizing: "medium" } }));
      assert.deepStrictEqual(keys.map((k) => setting(medium, k)), ["1GB", "4MB", "256MB", "3GB"]);
    });
  });

  describe("sizing profiles", () => {
    /** The sizing table of docs/chart.md: component -> profile -> [requests cpu, memory, limits cpu, memory]. */
    function docsTable(): Record<string, Record<string, string[]>> {
      const text = fs.readFileSync(path.join(repoRoot, "docs", "chart.md"), "utf8");
      const rows = text.split("\n").filter((l) => /^\| `[a-z-]+` \|/.test(l));
      assert.ok(rows.length >= 10, "docs/chart.md has no sizing table");
      const split = (cell: string) => cell.split("/").map((s) => s.trim());
      return Object.fromEntries(rows.map((l) => {
        const c = l.split("|").slice(1, -1).map((s) => s.trim());
        const profiles = { small: [...split(c[1]), ...split(c[2])], medium: [...split(c[3]), ...split(c[4])] };
        return [c[0].replace(/`/g, ""), profiles];
      }));
    }
    const main = (d: any[], component: string) => {
      const w = component === "migrate" ? find(d, "Job", "dify-migrate")
        : workloads(d).find((x) => x.metadata.name === `dify-${component}` && x.kind !== "Pod");
      assert.ok(w, component);
      return podSpec(w).containers[0].resources;
    };

    for (const profile of ["small", "medium"]) {
      it(`${profile}: every component gets the entry of the docs/chart.md table`, () => {
        const d = renderOk(merge(base, { global: { sizing: profile }, ssrfProxy: { enabled: true } }));
        const table = docsTable();
        for (const [component, row] of Object.entries(table)) {
          const r = main(d, component);
          const got = [r.requests.cpu, r.requests.memory, r.limits.cpu, r.limits.memory];
          assert.deepStrictEqual(got, row[profile], component);
        }
        const rendered = workloads(d).filter((w) => w.kind !== "Pod").map((w) => w.metadata.name.replace(/^dify-/, ""));
        assert.deepStrictEqual(rendered.filter((c) => !(c in table)), [], "a workload missing from the table");
      });
    }

    it("small (the default) keeps the total requests within 2 vCPU / 4 GiB, SSRF proxy included", () => {
      for (const v of [base, merge(base, { ssrfProxy: { enabled: true } })]) {
        const { cpu, memory } = totalRequests(renderOk(v));
        assert.ok(cpu <= 2 && memory <= 4 * 1024 ** 3, `${cpu} vCPU, ${memory / 1024 ** 2} Mi`);
      }
      const d = renderOk(base);
      assert.strictEqual(main(d, "plugin-daemon").limits.memory, "4Gi", "one Python process per installed plugin");
      assert.strictEqual(main(d, "worker").limits.memory, "4Gi", "large PDF indexing");
    });

    it("a component's own resources still replace its profile entry", () => {
      const custom = { requests: { cpu: "3", memory: "3Gi" }, limits: { cpu: "3", memory: "3Gi" } };
      const d = renderOk(merge(base, { global: { sizing: "medium" }, pluginDaemon: { resources: custom } }));
      assert.deepStrictEqual(main(d, "plugin-daemon"), custom);
      assert.strictEqual(quantity(main(d, "worker").limits.memory), 6 * 1024 ** 3);
    });

    it("refuses an unknown profile (the Weaviate subchart renders first and does not hide it)", () =>
      failsWith(merge(base, { global: { sizing: "large" } }), 'global.sizing must be small or medium (got "large")'));
  });

  describe("Postgres password (plugin daemon 0.5.2 puts it unquoted into a key=value DSN)", () => {
    const message = "postgresql.auth.password must not contain spaces, tabs or other whitespace or a backslash, " +
      "nor start with '";
    const bad = [["a space", "test pw"], ["a tab", "test\tpw"], ["a newline", "test\npw"], ["a backslash", "test\\pw"],
      ["a leading quote", "'test-pw"]];
    for (const [what, pw] of bad) {
      it(`refuses one with ${what}`, () => failsWith(merge(base, { postgresql: { auth: { password: pw } } }), message));
    }
    it("accepts a quote inside, = and other punctuation", () => {
      const r = render(merge(base, { postgresql: { auth: { password: "test-p'w=x!@#$%^&*()" } } }));
      assert.strictEqual(r.status, 0, r.stderr);
    });
    it("cannot check a password it does not see (global.existingSecret)", () => {
      assert.strictEqual(render(matrix["existing Secret"].values).status, 0);
    });
  });
});

describe("chart: what the sub-path routes add at the host's root", () => {
  const ingresses = (d: any[]) => d.filter((x) => x.kind === "Ingress");
  const mwAnnotation = "traefik.ingress.kubernetes.io/router.middlewares";

  it("redirects exactly /signin and /account (the 1.11.4 web's raw navigations) under the path, 302", () => {
    const d = renderOk(base, { namespace: "dify-prod" });
    const ing = find(d, "Ingress", "dify-root-redirects");
    const paths = ing.spec.rules[0].http.paths.map((p: any) => `${p.pathType} ${p.path}`);
    assert.deepStrictEqual(paths, ["Exact /signin", "Exact /account"]);
    assert.strictEqual(ing.metadata.annotations[mwAnnotation], "dify-prod-dify-root-redirect@kubernetescrd");
    assert.strictEqual(ing.metadata.annotations["traefik.ingress.kubernetes.io/router.entrypoints"], "websecure");
    const mw = find(d, "Middleware", "dify-root-redirect");
    assert.deepStrictEqual(mw.spec,
      { redirectRegex: { regex: "^(https?://[^/]+)/(.*)$", replacement: "${1}/dify/${2}", permanent: false } });
    // Traefik matches the regex against the full request URL (RE2; this pattern means the same in JS).
    const url = "https://198.51.100.10/signin?redirect_url=%2Fapps";
    assert.strictEqual(url.replace(new RegExp(mw.spec.redirectRegex.regex), "$1/dify/$2"),
      "https://198.51.100.10/dify/signin?redirect_url=%2Fapps");
  });

  it("claims nothing else at the root: no / route, no prefix, nothing under /dkp, no root icons or manifest", () => {
    const deeper = merge(base, { expose: { path: "/tools/dify" }, images: { web: { basePath: "/tools/dify" } } });
    for (const v of [base, deeper]) {
      const d = renderOk(v);
      const prefix = v.expose.path;
      for (const ing of ingresses(d)) {
        for (const p of ing.spec.rules[0].http.paths) {
          const ours = p.path === prefix || p.path.startsWith(`${prefix}/`);
          const redirected = p.pathType === "Exact" && ["/signin", "/account"].includes(p.path);
          assert.ok(ours || redirected, `${ing.metadata.name}: ${p.path}`);
        }
      }
      const mw = find(d, "Middleware", "dify-root-redirect");
      assert.strictEqual(mw.spec.redirectRegex.replacement, `\${1}${prefix}/\${2}`);
    }
  });

  it("no root redirects in root mode, with expose.rootRedirects=false, or without the Middleware CRD", () => {
    const off = [merge(base, { expose: { rootRedirects: false } }), merge(base, { expose: { middlewareCrd: false } })];
    for (const v of [matrix["root mode"].values, ...off]) {
      const names = renderOk(v).map((x) => x.metadata?.name);
      assert.ok(!names.includes("dify-root-redirects") && !names.includes("dify-root-redirect"));
    }
  });

  it("refuses a public path that is one of the redirected root paths", () => {
    failsWith(merge(base, { expose: { path: "/signin" }, images: { web: { basePath: "/signin" } } }),
      "expose.path /signin is one of the root paths expose.rootRedirects sends to the public path");
    const without = merge(base,
      { expose: { path: "/signin", rootRedirects: false }, images: { web: { basePath: "/signin" } } });
    assert.strictEqual(render(without).status, 0);
  });

  it("the plugin daemon gets X-Original-Host = host + path, never a client's Dify-Hook-Url (after the strip)", () => {
    const d = renderOk(base, { namespace: "dify-prod" });
    assert.strictEqual(find(d, "Ingress", "dify-api").metadata.annotations[mwAnnotation],
      "dify-prod-dify-strip-prefix@kubernetescrd,dify-prod-dify-hook-headers@kubernetescrd");
    assert.deepStrictEqual(find(d, "Middleware", "dify-hook-headers").spec,
      { headers: { customRequestHeaders: { "Dify-Hook-Url": "", "X-Original-Host": "198.51.100.10/dify" } } });
    const dns = renderOk(merge(base, { external: { host: "dify.example.com" } }));
    const headers = find(dns, "Middleware", "dify-hook-headers").spec.headers.customRequestHeaders;
    assert.strictEqual(headers["X-Original-Host"], "dify.example.com/dify");
  });
});
