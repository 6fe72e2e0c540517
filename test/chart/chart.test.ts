import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { tool } from "../lib/paths";
import { baseValues, chartDir, containers, envOf, find, merge, podSpec, render, renderOk, totalRequests, workloads } from "./render";

const base = baseValues();
const secretValues = (v: any) => [
  ...Object.values(v.secrets),
  v.postgresql.auth.password,
  v.redis.auth.password,
].filter((s) => typeof s === "string" && s !== "") as string[];

/** The render matrix: each mode the chart supports. */
const matrix: Record<string, any> = {
  "path mode": base,
  "root mode": merge(base, { expose: { path: "/" }, images: { web: { repository: "", tag: "", basePath: "" } } }),
  "external DNS host": merge(base, { external: { host: "dify.example.com" } }),
  "registry prefix": merge(base, { global: { imageRegistry: "registry.example.local/mirror", imagePullSecrets: ["pull-secret"] } }),
  RWX: merge(base, { dify: { fileStorage: { accessMode: "ReadWriteMany", storageClass: "nutanix-files" } } }),
  S3: merge(base, { dify: { fileStorage: { s3: { enabled: true, endpoint: "https://objects.example.local", bucket: "dify", accessKey: "SECRETVALUE-s3a", secretKey: "SECRETVALUE-s3s" } } } }),
  "external Postgres/Redis": merge(base, { postgresql: { enabled: false, external: { host: "pg.example.local", port: "5433" } }, redis: { enabled: false, external: { host: "redis.example.local" } } }),
  "NetworkPolicy off": merge(base, { networkPolicy: { enabled: false } }),
  "SSRF proxy": merge(base, { ssrfProxy: { enabled: true } }),
};

describe("chart: render matrix", () => {
  for (const [mode, values] of Object.entries(matrix)) {
    describe(mode, () => {
      const docs = renderOk(values);
      const secretName = "dify-credentials";
      const secret = docs.find((d) => d.kind === "Secret");

      it("every Service selector matches a pod template", () => {
        for (const svc of docs.filter((d) => d.kind === "Service")) {
          const sel = svc.spec.selector;
          const match = workloads(docs).some((w) => {
            const labels = w.kind === "Pod" ? w.metadata.labels : w.spec.template.metadata.labels;
            return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
          });
          assert.ok(match, `Service ${svc.metadata.name} selects no pods`);
        }
      });

      it("every secretKeyRef names the release Secret and one of its keys", () => {
        const keys = Object.keys(secret.data);
        for (const w of workloads(docs)) {
          for (const c of containers(w)) {
            for (const e of c.env ?? []) {
              const ref = e.valueFrom?.secretKeyRef;
              if (!ref) continue;
              assert.strictEqual(ref.name, secretName, `${w.metadata.name}/${c.name} ${e.name}`);
              assert.ok(keys.includes(ref.key), `${w.metadata.name}/${c.name} ${e.name} -> missing key ${ref.key}`);
            }
          }
        }
      });

      it("every claimName names a rendered PVC", () => {
        const pvcs = docs.filter((d) => d.kind === "PersistentVolumeClaim").map((d) => d.metadata.name);
        for (const w of workloads(docs)) {
          for (const v of podSpec(w).volumes ?? []) {
            if (v.persistentVolumeClaim) assert.ok(pvcs.includes(v.persistentVolumeClaim.claimName), `${w.metadata.name}: ${v.persistentVolumeClaim.claimName}`);
          }
        }
      });

      it("no secret value appears outside the Secret", () => {
        const outside = YAML.stringify(docs.filter((d) => d.kind !== "Secret"));
        for (const s of secretValues(values)) assert.ok(!outside.includes(s), `secret value ${s.slice(0, 14)}... leaked`);
        const b64 = secretValues(values).map((s) => Buffer.from(s).toString("base64"));
        for (const s of b64) assert.ok(!outside.includes(s), "base64 of a secret leaked");
      });

      it("every container has requests, limits and a pinned image", () => {
        for (const w of workloads(docs)) {
          for (const c of containers(w)) {
            assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${w.metadata.name}/${c.name} requests`);
            assert.ok(c.resources?.limits?.cpu && c.resources?.limits?.memory, `${w.metadata.name}/${c.name} limits`);
            assert.match(c.image, /:[A-Za-z0-9._-]+$/, `${w.metadata.name}/${c.name} image ${c.image}`);
            assert.doesNotMatch(c.image, /:latest$/);
          }
        }
      });

      it("all Services are ClusterIP", () => {
        for (const svc of docs.filter((d) => d.kind === "Service")) assert.strictEqual(svc.spec.type, "ClusterIP", svc.metadata.name);
      });
    });
  }
});

describe("chart: environment contract", () => {
  const docs = renderOk(base);
  const url = "https://198.51.100.10/dify";

  it("gives api, worker, beat and the migration the same Dify settings", () => {
    const api = envOf(find(docs, "Deployment", "dify-api"));
    for (const name of ["dify-worker", "dify-worker-beat"]) {
      const other = envOf(find(docs, "Deployment", name));
      assert.deepStrictEqual({ ...other, MODE: "api" }, api, name);
    }
    const job = envOf(find(docs, "Job", "dify-migrate"));
    assert.deepStrictEqual({ ...job, MODE: "api" }, api);
    assert.strictEqual(envOf(find(docs, "Deployment", "dify-worker")).MODE, "worker");
    assert.strictEqual(envOf(find(docs, "Deployment", "dify-worker-beat")).MODE, "beat");
    assert.strictEqual(job.MODE, "job");
    assert.deepStrictEqual(find(docs, "Job", "dify-migrate").spec.template.spec.containers[0].args, ["db", "upgrade"]);
  });

  it("sets every variable Dify 1.11.4 reads on the api", () => {
    const e = envOf(find(docs, "Deployment", "dify-api"));
    assert.deepStrictEqual(e.SECRET_KEY, { secret: "SECRET_KEY", from: "dify-credentials" });
    assert.strictEqual(e.MIGRATION_ENABLED, "false");
    assert.strictEqual(e.DB_TYPE, "postgresql");
    assert.strictEqual(e.DB_HOST, "dify-postgresql");
    assert.strictEqual(e.DB_PORT, "5432");
    assert.strictEqual(e.DB_USERNAME, "dify");
    assert.strictEqual(e.DB_DATABASE, "dify");
    assert.deepStrictEqual(e.DB_PASSWORD, { secret: "DB_PASSWORD", from: "dify-credentials" });
    assert.strictEqual(e.REDIS_HOST, "dify-redis");
    assert.strictEqual(e.REDIS_PORT, "6379");
    assert.strictEqual(e.REDIS_DB, "0");
    assert.deepStrictEqual(e.REDIS_PASSWORD, { secret: "REDIS_PASSWORD", from: "dify-credentials" });
    assert.strictEqual(e.CELERY_BROKER_URL, "redis://:$(REDIS_PASSWORD)@dify-redis:6379/1");
    assert.strictEqual(e.STORAGE_TYPE, "opendal");
    assert.strictEqual(e.OPENDAL_SCHEME, "fs");
    assert.strictEqual(e.OPENDAL_FS_ROOT, "storage");
    assert.strictEqual(e.VECTOR_STORE, "weaviate");
    assert.strictEqual(e.WEAVIATE_ENDPOINT, "http://dify-weaviate:8080");
    assert.strictEqual(e.WEAVIATE_GRPC_ENDPOINT, "grpc://dify-weaviate:50051");
    assert.deepStrictEqual(e.WEAVIATE_API_KEY, { secret: "WEAVIATE_API_KEY", from: "dify-credentials" });
    assert.strictEqual(e.CODE_EXECUTION_ENDPOINT, "http://dify-sandbox:8194");
    assert.deepStrictEqual(e.CODE_EXECUTION_API_KEY, { secret: "CODE_EXECUTION_API_KEY", from: "dify-credentials" });
    assert.strictEqual(e.PLUGIN_DAEMON_URL, "http://dify-plugin-daemon:5002");
    assert.deepStrictEqual(e.PLUGIN_DAEMON_KEY, { secret: "PLUGIN_DAEMON_KEY", from: "dify-credentials" });
    assert.deepStrictEqual(e.INNER_API_KEY_FOR_PLUGIN, { secret: "INNER_API_KEY_FOR_PLUGIN", from: "dify-credentials" });
    assert.deepStrictEqual(e.INIT_PASSWORD, { secret: "INIT_PASSWORD", from: "dify-credentials" });
    assert.strictEqual(e.MARKETPLACE_ENABLED, "true");
    assert.strictEqual(e.INTERNAL_FILES_URL, "http://dify-api:5001");
    // The original spec's SERVER_URL/CONSOLE_URL are read by nothing in Dify.
    assert.strictEqual(e.SERVER_URL, undefined);
    assert.strictEqual(e.CONSOLE_URL, undefined);
  });

  it("builds every public URL from one base, APP_WEB_URL without the path", () => {
    const e = envOf(find(docs, "Deployment", "dify-api"));
    for (const k of ["CONSOLE_API_URL", "CONSOLE_WEB_URL", "SERVICE_API_URL", "FILES_URL", "TRIGGER_URL"]) assert.strictEqual(e[k], url, k);
    assert.strictEqual(e.APP_WEB_URL, "https://198.51.100.10");
    assert.strictEqual(e.ENDPOINT_URL_TEMPLATE, `${url}/e/{hook_id}`);
    const web = envOf(find(docs, "Deployment", "dify-web"));
    assert.strictEqual(web.CONSOLE_API_URL, url);
    assert.strictEqual(web.APP_API_URL, url);
    assert.strictEqual(web.HOSTNAME, "0.0.0.0");
  });

  it("builds root-mode URLs without a path", () => {
    const e = envOf(find(renderOk(matrix["root mode"]), "Deployment", "dify-api"));
    assert.strictEqual(e.CONSOLE_API_URL, "https://198.51.100.10");
    assert.strictEqual(e.ENDPOINT_URL_TEMPLATE, "https://198.51.100.10/e/{hook_id}");
    assert.strictEqual(e.APP_WEB_URL, "https://198.51.100.10");
  });

  it("uses the external host in every URL", () => {
    const e = envOf(find(renderOk(matrix["external DNS host"]), "Deployment", "dify-api"));
    assert.strictEqual(e.CONSOLE_WEB_URL, "https://dify.example.com/dify");
  });

  it("configures the plugin daemon with its keys, its own database and persistent storage", () => {
    const d = find(docs, "Deployment", "dify-plugin-daemon");
    const e = envOf(d);
    assert.deepStrictEqual(e.SERVER_KEY, { secret: "PLUGIN_DAEMON_KEY", from: "dify-credentials" });
    assert.deepStrictEqual(e.DIFY_INNER_API_KEY, { secret: "INNER_API_KEY_FOR_PLUGIN", from: "dify-credentials" });
    assert.strictEqual(e.DIFY_INNER_API_URL, "http://dify-api:5001");
    assert.strictEqual(e.DB_DATABASE, "dify_plugin");
    assert.strictEqual(e.PLUGIN_REMOTE_INSTALLING_HOST, "0.0.0.0");
    assert.strictEqual(e.PLUGIN_REMOTE_INSTALLING_PORT, "5003");
    assert.strictEqual(e.PLUGIN_STORAGE_LOCAL_ROOT, "/app/storage");
    assert.strictEqual(e.REDIS_HOST, "dify-redis");
    assert.strictEqual(d.spec.template.spec.shareProcessNamespace, true);
    assert.strictEqual(d.spec.strategy.type, "Recreate");
    const mount = d.spec.template.spec.containers[0].volumeMounts.find((m: any) => m.mountPath === "/app/storage");
    const vol = d.spec.template.spec.volumes.find((v: any) => v.name === mount.name);
    assert.strictEqual(vol.persistentVolumeClaim.claimName, "dify-plugin-daemon");
    assert.strictEqual(find(docs, "PersistentVolumeClaim", "dify-plugin-daemon").metadata.annotations["helm.sh/resource-policy"], "keep");
  });

  it("configures the sandbox and Weaviate with their keys", () => {
    const sb = envOf(find(docs, "Deployment", "dify-sandbox"));
    assert.deepStrictEqual(sb.API_KEY, { secret: "CODE_EXECUTION_API_KEY", from: "dify-credentials" });
    assert.strictEqual(sb.SANDBOX_PORT, "8194");
    const wv = envOf(find(docs, "StatefulSet", "dify-weaviate"));
    assert.deepStrictEqual(wv.AUTHENTICATION_APIKEY_ALLOWED_KEYS, { secret: "WEAVIATE_API_KEY", from: "dify-credentials" });
    assert.strictEqual(wv.AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED, "false");
    const svc = find(docs, "Service", "dify-weaviate");
    assert.deepStrictEqual(svc.spec.ports.map((p: any) => p.port), [8080, 50051]);
  });

  it("keeps the original spec's app labels", () => {
    for (const [kind, name, app] of [["Deployment", "dify-api", "dify-api"], ["Deployment", "dify-web", "dify-web"], ["Deployment", "dify-worker", "dify-worker"], ["StatefulSet", "dify-weaviate", "dify-weaviate"]]) {
      assert.strictEqual(find(docs, kind, name).spec.template.metadata.labels.app, app);
    }
  });

  it("uses S3 settings instead of a files PVC", () => {
    const d = renderOk(matrix.S3);
    const e = envOf(find(d, "Deployment", "dify-api"));
    assert.strictEqual(e.STORAGE_TYPE, "s3");
    assert.strictEqual(e.S3_BUCKET_NAME, "dify");
    assert.deepStrictEqual(e.S3_SECRET_KEY, { secret: "S3_SECRET_KEY", from: "dify-credentials" });
    assert.ok(!d.some((x) => x.kind === "PersistentVolumeClaim" && x.metadata.name === "dify-files"));
  });

  it("points at external Postgres and Redis and deploys neither", () => {
    const d = renderOk(matrix["external Postgres/Redis"]);
    const e = envOf(find(d, "Deployment", "dify-api"));
    assert.strictEqual(e.DB_HOST, "pg.example.local");
    assert.strictEqual(e.DB_PORT, "5433");
    assert.strictEqual(e.REDIS_HOST, "redis.example.local");
    assert.ok(!d.some((x) => x.kind === "StatefulSet" && /postgresql|redis/.test(x.metadata.name)));
  });
});

describe("chart: exposure", () => {
  const paths = (ing: any) => ing.spec.rules[0].http.paths.map((p: any) => `${p.path}->${p.backend.service.name}`);

  it("path mode: web keeps /dify, api and daemon routes are stripped by a Middleware", () => {
    const docs = renderOk(base);
    const web = find(docs, "Ingress", "dify-web");
    const api = find(docs, "Ingress", "dify-api");
    assert.deepStrictEqual(paths(web), ["/dify->dify-web", "/dify/->dify-web"]);
    assert.deepStrictEqual(web.spec.rules[0].http.paths.map((p: any) => p.pathType), ["Exact", "Prefix"]);
    assert.deepStrictEqual(paths(api), [
      "/dify/console/api->dify-api", "/dify/api->dify-api", "/dify/v1->dify-api", "/dify/files->dify-api",
      "/dify/mcp->dify-api", "/dify/triggers->dify-api", "/dify/e/->dify-plugin-daemon",
    ]);
    for (const ing of [web, api]) {
      assert.strictEqual(ing.spec.ingressClassName, "kommander-traefik");
      assert.strictEqual(ing.spec.tls, undefined);
      assert.strictEqual(ing.spec.rules[0].host, undefined);
      assert.strictEqual(ing.metadata.annotations["traefik.ingress.kubernetes.io/router.entrypoints"], "websecure");
      assert.strictEqual(ing.metadata.annotations["traefik.ingress.kubernetes.io/router.tls"], "true");
    }
    assert.strictEqual(web.metadata.annotations["traefik.ingress.kubernetes.io/router.middlewares"], undefined);
    assert.strictEqual(api.metadata.annotations["traefik.ingress.kubernetes.io/router.middlewares"], "dify-dify-strip-prefix@kubernetescrd");
    const mw = find(docs, "Middleware", "dify-strip-prefix");
    assert.strictEqual(mw.apiVersion, "traefik.io/v1alpha1");
    assert.deepStrictEqual(mw.spec, { stripPrefix: { prefixes: ["/dify"] } });
  });

  it("root mode: no prefix, no Middleware, the stock web image", () => {
    const docs = renderOk(matrix["root mode"]);
    assert.deepStrictEqual(paths(find(docs, "Ingress", "dify-web")), ["/->dify-web"]);
    assert.ok(paths(find(docs, "Ingress", "dify-api")).includes("/console/api->dify-api"));
    assert.ok(!docs.some((d) => d.kind === "Middleware"));
    assert.strictEqual(podSpec(find(docs, "Deployment", "dify-web")).containers[0].image, "langgenius/dify-web:1.11.4");
    assert.strictEqual(podSpec(find(docs, "Deployment", "dify-web")).containers[0].readinessProbe.httpGet.path, "/apps");
  });

  it("path mode: the web image is the base-path one and its probe uses the base path", () => {
    const web = podSpec(find(renderOk(base), "Deployment", "dify-web")).containers[0];
    assert.strictEqual(web.image, "registry.example.local/dify/dify-web:1.11.4-dify");
    assert.strictEqual(web.readinessProbe.httpGet.path, "/dify/apps");
  });

  it("the helm test checks api, web, daemon, sandbox and weaviate", () => {
    const pod = find(renderOk(base), "Pod", "dify-test");
    assert.strictEqual(pod.metadata.annotations["helm.sh/hook"], "test");
    assert.deepStrictEqual(pod.spec.containers[0].args.slice(1), [
      "http://dify-api:5001/health", "http://dify-web:3000/dify/apps", "http://dify-plugin-daemon:5002/health/check",
      "http://dify-sandbox:8194/health", "http://dify-weaviate:8080/v1/.well-known/ready",
    ]);
  });
});

describe("chart: images, storage, security", () => {
  it("applies the registry prefix and pull secrets to every container, init and subchart included", () => {
    const docs = renderOk(matrix["registry prefix"]);
    for (const w of workloads(docs)) {
      assert.deepStrictEqual(podSpec(w).imagePullSecrets, [{ name: "pull-secret" }], w.metadata.name);
      for (const c of containers(w)) assert.ok(c.image.startsWith("registry.example.local/mirror/"), `${w.metadata.name}/${c.name}: ${c.image}`);
    }
  });

  it("keeps api and worker on one node for the RWO files volume, and not with RWX", () => {
    const docs = renderOk(base);
    for (const name of ["dify-api", "dify-worker"]) {
      const aff = podSpec(find(docs, "Deployment", name)).affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
      assert.strictEqual(aff.topologyKey, "kubernetes.io/hostname");
      assert.strictEqual(find(docs, "Deployment", name).spec.template.metadata.labels["dify.nkp/files-volume"], "true");
    }
    assert.strictEqual(podSpec(find(renderOk(matrix.RWX), "Deployment", "dify-api")).affinity, undefined);
    const pvc = find(renderOk(matrix.RWX), "PersistentVolumeClaim", "dify-files");
    assert.deepStrictEqual(pvc.spec.accessModes, ["ReadWriteMany"]);
    assert.strictEqual(pvc.spec.storageClassName, "nutanix-files");
  });

  it("keeps files and credentials on uninstall and uses the storage class everywhere", () => {
    const docs = renderOk(base);
    assert.strictEqual(find(docs, "PersistentVolumeClaim", "dify-files").metadata.annotations["helm.sh/resource-policy"], "keep");
    assert.strictEqual(find(docs, "Secret", "dify-credentials").metadata.annotations["helm.sh/resource-policy"], "keep");
    for (const d of docs.filter((x) => x.kind === "PersistentVolumeClaim")) assert.strictEqual(d.spec.storageClassName, "nutanix-volume");
    for (const s of docs.filter((x) => x.kind === "StatefulSet")) {
      for (const t of s.spec.volumeClaimTemplates) assert.strictEqual(t.spec.storageClassName, "nutanix-volume", s.metadata.name);
    }
    assert.strictEqual(find(docs, "StatefulSet", "dify-postgresql").spec.volumeClaimTemplates[0].spec.resources.requests.storage, "20Gi");
  });

  it("runs Dify as 1001 and Postgres/Redis as 999, non-root, without privilege escalation", () => {
    const docs = renderOk(base);
    for (const [kind, name, uid] of [["Deployment", "dify-api", 1001], ["Deployment", "dify-worker", 1001], ["Deployment", "dify-web", 1001], ["StatefulSet", "dify-postgresql", 999], ["StatefulSet", "dify-redis", 999]] as const) {
      const sc = podSpec(find(docs, kind, name)).securityContext;
      assert.strictEqual(sc.runAsUser, uid, name);
      assert.strictEqual(sc.runAsNonRoot, true, name);
      assert.strictEqual(sc.seccompProfile.type, "RuntimeDefault", name);
      for (const c of containers(find(docs, kind, name))) {
        assert.strictEqual(c.securityContext.allowPrivilegeEscalation, false, `${name}/${c.name}`);
        assert.deepStrictEqual(c.securityContext.capabilities.drop, ["ALL"], `${name}/${c.name}`);
      }
    }
  });

  it("restricts data stores to their clients with NetworkPolicies, and drops them when disabled", () => {
    const docs = renderOk(base);
    const pg = find(docs, "NetworkPolicy", "dify-postgresql");
    const clients = pg.spec.ingress[0].from[0].podSelector.matchExpressions.find((m: any) => m.key === "app.kubernetes.io/component").values;
    assert.deepStrictEqual(clients, ["api", "worker", "worker-beat", "migrate", "plugin-daemon", "test"]);
    const web = find(docs, "NetworkPolicy", "dify-web");
    assert.deepStrictEqual(web.spec.ingress[1].from[0].namespaceSelector.matchExpressions[0].values, ["kommander"]);
    for (const name of ["dify-redis", "dify-weaviate", "dify-sandbox", "dify-plugin-daemon", "dify-api"]) find(docs, "NetworkPolicy", name);
    assert.ok(!renderOk(matrix["NetworkPolicy off"]).some((d) => d.kind === "NetworkPolicy"));
  });

  it("runs the migration as a hook once per install and before each upgrade, waiting for the data stores", () => {
    const job = find(renderOk(base), "Job", "dify-migrate");
    assert.strictEqual(job.metadata.annotations["helm.sh/hook"], "post-install,pre-upgrade");
    assert.strictEqual(job.metadata.annotations["helm.sh/hook-delete-policy"], "before-hook-creation");
    assert.deepStrictEqual(job.spec.template.spec.initContainers.map((c: any) => c.name), ["wait-for-postgres", "wait-for-redis"]);
    assert.strictEqual(envOf(job).MIGRATION_ENABLED, "false");
  });

  it("syncs the Postgres password from the Secret at every start", () => {
    const pg = podSpec(find(renderOk(base), "StatefulSet", "dify-postgresql")).containers[0];
    const script = pg.lifecycle.postStart.exec.command.join(" ");
    assert.match(script, /ALTER ROLE CURRENT_USER WITH PASSWORD :'pw'/);
    assert.doesNotMatch(script, /SECRETVALUE/);
  });

  it("requests at most 2 vCPU and 4 GiB in total by default", () => {
    const { cpu, memory: mem } = totalRequests(renderOk(base));
    assert.ok(cpu <= 2, `total CPU requests ${cpu}`);
    assert.ok(mem <= 4 * 1024 ** 3, `total memory requests ${mem / 1024 ** 2}Mi`);
  });

  it("changing only a Dify setting leaves Postgres, Redis, Weaviate and the sandbox untouched", () => {
    const before = renderOk(base);
    const after = renderOk(merge(base, { external: { host: "dify.example.com" }, secrets: { openaiApiKey: "SECRETVALUE-other" }, images: { dify: { tag: "1.11.5" } } }));
    for (const [kind, name] of [["StatefulSet", "dify-postgresql"], ["StatefulSet", "dify-redis"], ["StatefulSet", "dify-weaviate"], ["Deployment", "dify-sandbox"], ["Deployment", "dify-plugin-daemon"]]) {
      const strip = (d: any) => ({ ...d.spec.template, metadata: { ...d.spec.template.metadata, labels: {} } });
      assert.deepStrictEqual(strip(find(after, kind, name)), strip(find(before, kind, name)), name);
    }
    assert.notDeepStrictEqual(find(after, "Deployment", "dify-api").spec.template, find(before, "Deployment", "dify-api").spec.template);
  });

  it("restarts the api when a credential it reads changes", () => {
    const a = find(renderOk(base), "Deployment", "dify-api").spec.template.metadata.annotations["checksum/credentials"];
    const b = find(renderOk(merge(base, { postgresql: { auth: { password: "SECRETVALUE-new" } } })), "Deployment", "dify-api").spec.template.metadata.annotations["checksum/credentials"];
    assert.notStrictEqual(a, b);
  });
});

describe("chart: existing Secret", () => {
  it("uses global.existingSecret everywhere and renders no Secret of its own", () => {
    const v = merge(base, { global: { existingSecret: "my-dify-credentials" } });
    v.secrets = {};
    v.postgresql.auth.password = "";
    v.redis.auth.password = "";
    const docs = renderOk(v);
    assert.ok(!docs.some((d) => d.kind === "Secret"));
    let refs = 0;
    for (const w of workloads(docs)) {
      for (const c of containers(w)) {
        for (const e of c.env ?? []) {
          if (!e.valueFrom?.secretKeyRef) continue;
          refs++;
          assert.strictEqual(e.valueFrom.secretKeyRef.name, "my-dify-credentials", `${w.metadata.name}/${c.name} ${e.name}`);
        }
      }
    }
    assert.ok(refs > 20);
    assert.strictEqual(envOf(find(docs, "Deployment", "dify-api")).CELERY_BROKER_URL, "redis://:$(REDIS_PASSWORD)@dify-redis:6379/1");
  });
});

describe("chart: values and validation", () => {
  it("values.yaml holds no fixed values (only empty strings, lists, maps and flags)", () => {
    const leaves = (o: any, p = ""): [string, any][] =>
      o && typeof o === "object" && !Array.isArray(o) && Object.keys(o).length > 0 ? Object.entries(o).flatMap(([k, v]) => leaves(v, p ? `${p}.${k}` : k)) : [[p, o]];
    for (const file of ["values.yaml", "charts/weaviate/values.yaml"]) {
      for (const [k, v] of leaves(YAML.parse(fs.readFileSync(path.join(chartDir, file), "utf8")))) {
        const empty = v === "" || (Array.isArray(v) && v.length === 0) || (v && typeof v === "object" && Object.keys(v).length === 0) || typeof v === "boolean";
        assert.ok(empty, `${file}: ${k} = ${JSON.stringify(v)}`);
      }
    }
  });

  it("values.schema.json types every key of values.yaml", () => {
    const schema = JSON.parse(fs.readFileSync(path.join(chartDir, "values.schema.json"), "utf8"));
    const walk = (o: any, s: any, p: string) => {
      for (const [k, v] of Object.entries(o)) {
        const sub = s?.properties?.[k];
        assert.ok(sub && sub.type, `schema lacks ${p}${k}`);
        if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) walk(v, sub, `${p}${k}.`);
      }
    };
    walk(YAML.parse(fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8")), schema, "");
  });

  const failsWith = (values: any, fragment: string) => {
    const r = render(values);
    assert.notStrictEqual(r.status, 0, "rendered although invalid");
    assert.ok(r.stderr.includes(fragment), `stderr lacks ${JSON.stringify(fragment)}:\n${r.stderr}`);
  };
  const without = (dotted: string) => {
    const v = JSON.parse(JSON.stringify(base));
    const keys = dotted.split(".");
    let o = v;
    for (const k of keys.slice(0, -1)) o = o[k];
    o[keys[keys.length - 1]] = typeof o[keys[keys.length - 1]] === "object" ? [] : "";
    return v;
  };

  for (const [key, fragment] of [
    ["expose.ingressClassName", "expose.ingressClassName is required"],
    ["expose.path", "expose.path is required"],
    ["external.scheme", "external.scheme must be http or https"],
    ["external.host", "external.host is required"],
    ["images.dify.repository", "images.dify.repository is required"],
    ["images.dify.tag", "images.dify.tag is required"],
    ["images.sandbox.tag", "images.sandbox.repository and images.sandbox.tag are required"],
    ["images.postgres.tag", "images.postgres.repository and images.postgres.tag are required"],
    ["secrets.difySecretKey", "secrets.difySecretKey is required"],
    ["secrets.initPassword", "secrets.initPassword is required"],
    ["secrets.pluginDaemonKey", "secrets.pluginDaemonKey is required"],
    ["secrets.weaviateApiKey", "secrets.weaviateApiKey is required"],
    ["postgresql.auth.password", "postgresql.auth.password is required"],
    ["postgresql.auth.username", "postgresql.auth.username is required"],
    ["storage.storageClassName", "storage.storageClassName is required"],
    ["postgresql.persistence.size", "postgresql.persistence.size is required"],
    ["dify.fileStorage.size", "dify.fileStorage.size is required"],
    ["weaviate.persistence.storageClass", "weaviate.persistence.storageClass is required"],
  ]) {
    it(`fails without ${key}`, () => failsWith(without(key), fragment));
  }

  it("fails on a path without a leading slash", () => failsWith(merge(base, { expose: { path: "dify" } }), 'expose.path "dify" must start with /'));
  it("fails on a path with a trailing slash", () => failsWith(merge(base, { expose: { path: "/dify/" } }), "must not end with /"));
  it("fails on a size that is not a quantity", () => failsWith(merge(base, { redis: { persistence: { size: "8GB" } } }), 'redis.persistence.size "8GB" is not a Kubernetes quantity'));
  it("fails on a scheme other than http/https", () => failsWith(merge(base, { external: { scheme: "ftp" } }), "external.scheme must be http or https"));
  it("fails on a host with a scheme", () => failsWith(merge(base, { external: { host: "https://x.example" } }), "must not contain a scheme"));
  it("fails on a host with a path", () => failsWith(merge(base, { external: { host: "x.example/dify" } }), "must not contain a path"));
  it("fails in path mode with the stock web image and says how to build one", () =>
    failsWith(merge(base, { images: { web: { repository: "", tag: "", basePath: "" } } }), "scripts/build-web-image.sh"));
  it("fails when the web image's base path differs from the path", () => failsWith(merge(base, { images: { web: { basePath: "/other" } } }), "must equal expose.path"));
  it("fails on a setup password over 30 characters", () => failsWith(merge(base, { secrets: { initPassword: "x".repeat(31) } }), "at most 30"));
  it("fails on Weaviate older than 1.27", () => failsWith(merge(base, { weaviate: { image: { tag: "1.24.0" } } }), "needs Weaviate >= 1.27"));
  it("fails on S3 without its settings", () => failsWith(merge(base, { dify: { fileStorage: { s3: { enabled: true } } } }), "dify.fileStorage.s3.bucket is required"));
  it("fails on an external Postgres without host", () => failsWith(merge(base, { postgresql: { enabled: false } }), "postgresql.external.host is required"));
  it("fails on an unknown access mode", () => failsWith(merge(base, { dify: { fileStorage: { accessMode: "ReadOnlyMany" } } }), "dify.fileStorage.accessMode must be"));

  it("reports every problem at once", () => {
    const r = render(merge(base, { expose: { path: "dify" }, external: { scheme: "ftp" }, redis: { persistence: { size: "x" } } }));
    assert.match(r.stderr, /\(3 problem\(s\)\)/);
  });
});

describe("chart: lint and Kubernetes versions", function () {
  this.timeout(60000);
  const valuesFile = () => {
    const f = path.join(fs.mkdtempSync(path.join(require("os").tmpdir(), "lint-")), "values.yaml");
    fs.writeFileSync(f, YAML.stringify(base));
    return f;
  };

  for (const helm of ["helm", "helm4"]) {
    it(`helm lint --strict is clean with ${helm === "helm" ? "Helm 3" : "Helm 4"}`, () => {
      const r = spawnSync(tool(helm), ["lint", "--strict", chartDir, "-f", valuesFile()], { encoding: "utf8" });
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /\[(WARNING|ERROR)\]/);
    });
  }

  for (const kube of ["1.29.0", "1.34.0"]) {
    it(`renders for Kubernetes ${kube}`, () => assert.ok(renderOk(base, { kubeVersion: kube }).length > 20));
  }

  it("refuses Kubernetes older than 1.29", () => {
    const r = render(base, { kubeVersion: "1.28.0" });
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /kubeVersion/);
  });

  it("renders with Helm 4 the same objects as Helm 3", () => {
    const names = (docs: any[]) => docs.map((d) => `${d.kind}/${d.metadata.name}`).sort();
    assert.deepStrictEqual(names(renderOk(base, { helm: tool("helm4") })), names(renderOk(base)));
  });
});
