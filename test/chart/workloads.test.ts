/** Storage, security, probes, resources, restarts, migration and network policies. */
import * as assert from "assert";
import { base, matrix } from "./matrix";
import { containers, envOf, find, merge, podLabels, podSpec, quantity, renderOk, selects, totalRequests, workloads } from "./render";

const template = (d: any) => d.spec.template;

describe("chart: storage", () => {
  it("api and worker mount the files PVC at /app/api/storage; it and the Secret survive uninstall", () => {
    const d = renderOk(base);
    const pvc = find(d, "PersistentVolumeClaim", "dify-files");
    assert.strictEqual(pvc.metadata.annotations["helm.sh/resource-policy"], "keep");
    assert.deepStrictEqual(pvc.spec.accessModes, ["ReadWriteOnce"]);
    assert.strictEqual(pvc.spec.resources.requests.storage, "20Gi");
    for (const name of ["dify-api", "dify-worker"]) {
      const spec = podSpec(find(d, "Deployment", name));
      const mount = spec.containers[0].volumeMounts.find((m: any) => m.mountPath === "/app/api/storage");
      assert.strictEqual(spec.volumes.find((v: any) => v.name === mount.name).persistentVolumeClaim.claimName, "dify-files", name);
      assert.strictEqual(spec.securityContext.fsGroup, 1001, name);
    }
    assert.strictEqual(find(d, "Secret", "dify-credentials").metadata.annotations["helm.sh/resource-policy"], "keep");
  });

  it("RWO: api and worker require a node that runs one of them, and roll with Recreate", () => {
    const d = renderOk(base);
    for (const name of ["dify-api", "dify-worker"]) {
      const dep = find(d, "Deployment", name);
      const term = podSpec(dep).affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
      assert.strictEqual(term.topologyKey, "kubernetes.io/hostname");
      for (const other of ["dify-api", "dify-worker"]) assert.ok(selects(term.labelSelector, podLabels(find(d, "Deployment", other))), `${name} does not follow ${other}`);
      assert.strictEqual(dep.spec.strategy.type, "Recreate", name);
    }
    assert.strictEqual(podSpec(find(d, "Deployment", "dify-worker-beat")).affinity, undefined, "beat mounts no files volume");
  });

  for (const mode of ["RWX files", "S3 files"]) {
    it(`${mode}: no pod affinity and rolling updates`, () => {
      const d = renderOk(matrix[mode].values);
      for (const name of ["dify-api", "dify-worker"]) {
        assert.strictEqual(podSpec(find(d, "Deployment", name)).affinity, undefined, name);
        assert.strictEqual(find(d, "Deployment", name).spec.strategy, undefined, name);
      }
    });
  }

  it("RWX uses its own class and access mode; S3 renders no files PVC", () => {
    const pvc = find(renderOk(matrix["RWX files"].values), "PersistentVolumeClaim", "dify-files");
    assert.deepStrictEqual(pvc.spec.accessModes, ["ReadWriteMany"]);
    assert.strictEqual(pvc.spec.storageClassName, "nutanix-files");
    assert.ok(!renderOk(matrix["S3 files"].values).some((x) => x.kind === "PersistentVolumeClaim" && x.metadata.name === "dify-files"));
  });

  it("every PVC and volume claim template uses the storage class from values", () => {
    const d = renderOk(base);
    for (const p of d.filter((x) => x.kind === "PersistentVolumeClaim")) assert.strictEqual(p.spec.storageClassName, "nutanix-volume", p.metadata.name);
    for (const s of d.filter((x) => x.kind === "StatefulSet")) {
      for (const t of s.spec.volumeClaimTemplates) assert.strictEqual(t.spec.storageClassName, "nutanix-volume", s.metadata.name);
    }
    const sizes = Object.fromEntries(d.filter((x) => x.kind === "StatefulSet").map((s) => [s.metadata.name, s.spec.volumeClaimTemplates[0].spec.resources.requests.storage]));
    assert.deepStrictEqual(sizes, { "dify-postgresql": "20Gi", "dify-redis": "8Gi", "dify-weaviate": "50Gi" });
  });

  it("per-component storage classes override the default", () => {
    const d = renderOk(merge(base, { postgresql: { persistence: { storageClass: "fast" } }, redis: { persistence: { storageClass: "fast" } }, pluginDaemon: { persistence: { storageClass: "fast" } } }));
    assert.strictEqual(find(d, "StatefulSet", "dify-postgresql").spec.volumeClaimTemplates[0].spec.storageClassName, "fast");
    assert.strictEqual(find(d, "StatefulSet", "dify-redis").spec.volumeClaimTemplates[0].spec.storageClassName, "fast");
    assert.strictEqual(find(d, "PersistentVolumeClaim", "dify-plugin-daemon").spec.storageClassName, "fast");
  });

  it("the plugin daemon keeps /app/storage on its own kept PVC and shares the process namespace", () => {
    const d = renderOk(base);
    const dep = find(d, "Deployment", "dify-plugin-daemon");
    const spec = podSpec(dep);
    assert.strictEqual(spec.shareProcessNamespace, true);
    assert.strictEqual(dep.spec.strategy.type, "Recreate");
    const mount = spec.containers[0].volumeMounts.find((m: any) => m.mountPath === "/app/storage");
    assert.strictEqual(spec.volumes.find((v: any) => v.name === mount.name).persistentVolumeClaim.claimName, "dify-plugin-daemon");
    const pvc = find(d, "PersistentVolumeClaim", "dify-plugin-daemon");
    assert.strictEqual(pvc.metadata.annotations["helm.sh/resource-policy"], "keep");
    assert.strictEqual(pvc.spec.resources.requests.storage, "10Gi");
  });

  it("Weaviate without persistence uses an emptyDir and no claim", () => {
    const w = find(renderOk(merge(base, { weaviate: { persistence: { enabled: false, size: "", storageClass: "" } } })), "StatefulSet", "dify-weaviate");
    assert.strictEqual(w.spec.volumeClaimTemplates, undefined);
    assert.deepStrictEqual(podSpec(w).volumes, [{ name: "data", emptyDir: {} }]);
  });
});

describe("chart: data stores", () => {
  it("Postgres: official image as 999, PGDATA below the mount, fsGroup applied only on a mismatch", () => {
    const pg = find(renderOk(base), "StatefulSet", "dify-postgresql");
    const spec = podSpec(pg);
    assert.deepStrictEqual([spec.securityContext.runAsUser, spec.securityContext.fsGroup, spec.securityContext.runAsNonRoot], [999, 999, true]);
    assert.strictEqual(spec.securityContext.fsGroupChangePolicy, "OnRootMismatch");
    const c = spec.containers[0];
    assert.strictEqual(c.image, "postgres:16.10");
    const data = c.volumeMounts.find((m: any) => m.name === "data").mountPath;
    assert.ok(envOf(pg).PGDATA.startsWith(`${data}/`), "PGDATA must be a subdirectory of the volume");
    assert.deepStrictEqual(c.readinessProbe.exec.command.join(" ").includes("pg_isready"), true);
  });

  it("Postgres re-syncs the role password from the Secret at every start, over the local socket, off the command line", () => {
    const c = podSpec(find(renderOk(base), "StatefulSet", "dify-postgresql")).containers[0];
    const script = c.lifecycle.postStart.exec.command.join(" ");
    assert.match(script, /ALTER ROLE CURRENT_USER WITH PASSWORD/);
    assert.match(script, /psql .*-h \/var\/run\/postgresql/);
    assert.match(script, /"\$POSTGRES_PASSWORD"/);
    assert.doesNotMatch(script, /-v pw=|PASSWORD=/, "the password must not be a psql argument");
    assert.doesNotMatch(script, /test-/);
  });

  it("Redis: requirepass from the environment, append-only file on the volume, redis-cli probes authenticated", () => {
    const spec = podSpec(find(renderOk(base), "StatefulSet", "dify-redis"));
    assert.deepStrictEqual([spec.securityContext.runAsUser, spec.securityContext.fsGroup], [999, 999]);
    const c = spec.containers[0];
    assert.deepStrictEqual(c.args, ["--appendonly", "yes", "--dir", "/data", "--requirepass", "$(REDIS_PASSWORD)"]);
    assert.strictEqual(c.volumeMounts.find((m: any) => m.name === "data").mountPath, "/data");
    assert.match(c.readinessProbe.exec.command.join(" "), /redis-cli ping/);
    assert.strictEqual(envOf(find(renderOk(base), "StatefulSet", "dify-redis")).REDISCLI_AUTH, "$(REDIS_PASSWORD)");
  });

  it("Weaviate: ClusterIP HTTP 8080 and gRPC 50051, ready/live probes, non-root", () => {
    const d = renderOk(base);
    const svc = find(d, "Service", "dify-weaviate");
    assert.deepStrictEqual(svc.spec.ports.map((p: any) => [p.name, p.port]), [["http", 8080], ["grpc", 50051]]);
    const spec = podSpec(find(d, "StatefulSet", "dify-weaviate"));
    assert.strictEqual(spec.containers[0].readinessProbe.httpGet.path, "/v1/.well-known/ready");
    assert.strictEqual(spec.containers[0].livenessProbe.httpGet.path, "/v1/.well-known/live");
    assert.strictEqual(spec.securityContext.runAsNonRoot, true);
    assert.strictEqual(spec.containers[0].image, "semitechnologies/weaviate:1.27.0");
  });

  it("Weaviate takes extra pod annotations (the Pulumi program's key checksum)", () => {
    const w = find(renderOk(merge(base, { weaviate: { podAnnotations: { "checksum/credentials": "abc" } } })), "StatefulSet", "dify-weaviate");
    assert.strictEqual(template(w).metadata.annotations["checksum/credentials"], "abc");
  });
});

describe("chart: security and probes", () => {
  it("runs Dify as 1001 and Postgres/Redis as 999, non-root, all capabilities dropped", () => {
    const d = renderOk(base);
    const cases: [string, string, number][] = [
      ["Deployment", "dify-api", 1001], ["Deployment", "dify-worker", 1001], ["Deployment", "dify-worker-beat", 1001], ["Deployment", "dify-web", 1001],
      ["Job", "dify-migrate", 1001], ["Pod", "dify-test", 1001], ["StatefulSet", "dify-postgresql", 999], ["StatefulSet", "dify-redis", 999], ["StatefulSet", "dify-weaviate", 1000],
    ];
    for (const [kind, name, uid] of cases) {
      const sc = podSpec(find(d, kind, name)).securityContext;
      assert.deepStrictEqual([sc.runAsUser, sc.runAsGroup, sc.fsGroup, sc.runAsNonRoot, sc.seccompProfile.type], [uid, uid, uid, true, "RuntimeDefault"], name);
      for (const c of containers(find(d, kind, name))) assert.deepStrictEqual(c.securityContext.capabilities.drop, ["ALL"], `${name}/${c.name}`);
    }
  });

  it("only the sandbox, the plugin daemon and squid run as root, documented exceptions", () => {
    const d = renderOk(matrix["SSRF proxy"].values);
    const root = workloads(d).filter((w) => !podSpec(w).securityContext?.runAsNonRoot).map((w) => w.metadata.name).sort();
    assert.deepStrictEqual(root, ["dify-plugin-daemon", "dify-sandbox", "dify-ssrf-proxy"]);
  });

  it("probes: api /health, daemon /health/check, sandbox /health, Postgres pg_isready, Redis ping", () => {
    const d = renderOk(base);
    const http = (name: string) => podSpec(find(d, "Deployment", name)).containers[0];
    assert.deepStrictEqual([http("dify-api").readinessProbe.httpGet.path, http("dify-api").livenessProbe.httpGet.path], ["/health", "/health"]);
    assert.strictEqual(http("dify-api").startupProbe.httpGet.path, "/health");
    assert.strictEqual(http("dify-api").ports[0].containerPort, 5001);
    assert.strictEqual(http("dify-plugin-daemon").readinessProbe.httpGet.path, "/health/check");
    assert.strictEqual(http("dify-plugin-daemon").ports[0].containerPort, 5002);
    assert.strictEqual(http("dify-sandbox").readinessProbe.httpGet.path, "/health");
    assert.strictEqual(http("dify-sandbox").ports[0].containerPort, 8194);
    assert.strictEqual(http("dify-web").ports[0].containerPort, 3000);
  });

  it("beat runs exactly once and never twice during a rollout", () => {
    const beat = find(renderOk(merge(base, { worker: { replicas: 3 }, api: { replicas: 2 } })), "Deployment", "dify-worker-beat");
    assert.strictEqual(beat.spec.replicas, 1);
    assert.strictEqual(beat.spec.strategy.type, "Recreate");
  });

  it("replicas come from values (as numbers, also when given as strings)", () => {
    const d = renderOk(merge(base, { api: { replicas: 2 }, worker: { replicas: "3" }, web: { replicas: 2 } }));
    assert.deepStrictEqual(["dify-api", "dify-worker", "dify-web"].map((n) => find(d, "Deployment", n).spec.replicas), [2, 3, 2]);
  });
});

describe("chart: resources", () => {
  it("requests at most 2 vCPU and 4 GiB in total by default (Dify's documented minimum host)", () => {
    const { cpu, memory } = totalRequests(renderOk(base));
    assert.ok(cpu <= 2, `total CPU requests ${cpu}`);
    assert.ok(memory <= 4 * 1024 ** 3, `total memory requests ${memory / 1024 ** 2}Mi`);
  });

  it("every request is within its limit", () => {
    for (const w of workloads(renderOk(matrix["SSRF proxy"].values))) {
      for (const c of containers(w)) {
        for (const r of ["cpu", "memory"]) assert.ok(quantity(c.resources.requests[r]) <= quantity(c.resources.limits[r]), `${w.metadata.name}/${c.name} ${r}`);
      }
    }
  });

  it("resources from values replace the default of that component only", () => {
    const custom = { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "4", memory: "8Gi" } };
    const d = renderOk(merge(base, { api: { resources: custom } }));
    assert.deepStrictEqual(podSpec(find(d, "Deployment", "dify-api")).containers[0].resources, custom);
    assert.notDeepStrictEqual(podSpec(find(d, "Deployment", "dify-worker")).containers[0].resources, custom);
  });
});

describe("chart: restarts on change (checksums)", () => {
  // Long-running pods only: the migration Job is a hook, recreated on every upgrade anyway.
  const pods = (values: any) => {
    const d = renderOk(values);
    return Object.fromEntries(d.filter((w) => w.kind === "Deployment" || w.kind === "StatefulSet").map((w) => [w.metadata.name, template(w)]));
  };
  const changed = (a: Record<string, any>, b: Record<string, any>) => Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
  const before = () => pods(base);

  it("a Dify-only change restarts the app pods, never Postgres, Redis, Weaviate, the sandbox or the plugin daemon", () => {
    const after = pods(merge(base, { external: { host: "dify.example.com" }, secrets: { openaiApiKey: "test-openaikey-other" }, images: { dify: { tag: "1.11.5" } } }));
    // The SSRF proxy too: its allow-list names the public host.
    const restarted = ["dify-api", "dify-ssrf-proxy", "dify-web", "dify-worker", "dify-worker-beat"];
    assert.deepStrictEqual(changed(before(), after), restarted);
  });

  it("a new database password restarts Postgres and its clients only", () => {
    const after = pods(merge(base, { postgresql: { auth: { password: "test-pgpassword-new" } } }));
    assert.deepStrictEqual(changed(before(), after), ["dify-api", "dify-plugin-daemon", "dify-postgresql", "dify-worker", "dify-worker-beat"]);
  });

  it("a new sandbox key restarts the sandbox and the app, not the data stores", () => {
    const after = pods(merge(base, { secrets: { sandboxApiKey: "test-sandboxkey-new" } }));
    assert.deepStrictEqual(changed(before(), after), ["dify-api", "dify-sandbox", "dify-worker", "dify-worker-beat"]);
  });

  it("a new Redis password restarts Redis and its clients", () => {
    const after = pods(merge(base, { redis: { auth: { password: "test-redispassword-new" } } }));
    assert.deepStrictEqual(changed(before(), after), ["dify-api", "dify-plugin-daemon", "dify-redis", "dify-worker", "dify-worker-beat"]);
  });

  it("checksums do not expose a hash of a weak password alone (they are keyed with SECRET_KEY)", () => {
    const a = template(find(renderOk(base), "StatefulSet", "dify-postgresql")).metadata.annotations["checksum/credentials"];
    const b = template(find(renderOk(merge(base, { secrets: { difySecretKey: "test-secretkey-other" } })), "StatefulSet", "dify-postgresql")).metadata.annotations["checksum/credentials"];
    assert.notStrictEqual(a, b);
    const plain = require("crypto").createHash("sha256").update(JSON.stringify([base.postgresql.auth.password])).digest("hex");
    assert.notStrictEqual(a, plain);
  });
});

describe("chart: migration", () => {
  const job = () => find(renderOk(base), "Job", "dify-migrate");

  it("is a hook after install and before each upgrade, replaced on the next run", () => {
    const a = job().metadata.annotations;
    assert.strictEqual(a["helm.sh/hook"], "post-install,pre-upgrade");
    assert.strictEqual(a["helm.sh/hook-delete-policy"], "before-hook-creation");
  });

  it("fails the release quickly on a failed migration and never hangs", () => {
    const j = job();
    assert.ok(j.spec.backoffLimit <= 3);
    assert.ok(j.spec.activeDeadlineSeconds > 0);
    assert.strictEqual(podSpec(j).restartPolicy, "Never");
  });

  it("waits for Postgres (pg_isready) and Redis (redis-cli, authenticated) with the stack's own images", () => {
    const init = podSpec(job()).initContainers;
    assert.deepStrictEqual(init.map((c: any) => [c.name, c.image]), [["wait-for-postgres", "postgres:16.10"], ["wait-for-redis", "redis:7.4.5"]]);
    assert.match(init[0].command.join(" "), /pg_isready/);
    assert.match(init[1].command.join(" "), /redis-cli .*ping/);
    assert.deepStrictEqual(init[1].env.find((e: any) => e.name === "REDISCLI_AUTH").valueFrom.secretKeyRef, { name: "dify-credentials", key: "REDIS_PASSWORD" });
  });

  it("uses the api image, MIGRATION_ENABLED=false like api, worker and beat", () => {
    const d = renderOk(base);
    assert.strictEqual(podSpec(find(d, "Job", "dify-migrate")).containers[0].image, "langgenius/dify-api:1.11.4");
    for (const [kind, name] of [["Job", "dify-migrate"], ["Deployment", "dify-api"], ["Deployment", "dify-worker"], ["Deployment", "dify-worker-beat"]]) {
      assert.strictEqual(envOf(find(d, kind, name)).MIGRATION_ENABLED, "false", name);
    }
  });
});

describe("chart: network policies", () => {
  const policy = (d: any[], name: string) => find(d, "NetworkPolicy", name);
  const clients = (np: any) => np.spec.ingress[0].from[0].podSelector.matchExpressions.find((m: any) => m.key === "app.kubernetes.io/component").values.sort();

  it("each data store and internal service accepts only its clients (and the helm test)", () => {
    const d = renderOk(base);
    assert.deepStrictEqual(clients(policy(d, "dify-postgresql")), ["api", "migrate", "plugin-daemon", "test", "worker", "worker-beat"]);
    assert.deepStrictEqual(clients(policy(d, "dify-redis")), ["api", "migrate", "plugin-daemon", "test", "worker", "worker-beat"]);
    assert.deepStrictEqual(clients(policy(d, "dify-weaviate")), ["api", "migrate", "test", "worker"]);
    assert.deepStrictEqual(clients(policy(d, "dify-sandbox")), ["api", "ssrf-proxy", "test", "worker"]);
    assert.deepStrictEqual(clients(policy(d, "dify-plugin-daemon")), ["api", "ssrf-proxy", "test", "worker"]);
    assert.deepStrictEqual(clients(policy(d, "dify-api")), ["plugin-daemon", "ssrf-proxy", "test", "web", "worker"]);
    assert.deepStrictEqual(clients(policy(d, "dify-web")), ["ssrf-proxy", "test"]);
    assert.deepStrictEqual(clients(policy(d, "dify-ssrf-proxy")), ["api", "sandbox", "test", "worker"]);
    for (const name of ["dify-postgresql", "dify-redis", "dify-weaviate", "dify-sandbox"]) assert.strictEqual(policy(d, name).spec.ingress.length, 1, name);
  });

  it("the SSRF proxy is a client of exactly the Services its squid.conf allows as Dify's own", () => {
    const d = renderOk(base);
    const conf: string = find(d, "ConfigMap", "dify-ssrf-proxy").data["squid.conf"];
    const own = /^\s*acl dify_own dstdom_regex(?: -[a-z])+ \^\(([^)]*)\)/m.exec(conf)![1].split("|")
      .map((n) => n.replace(/\\/g, ""));
    const viaProxy = d.filter((x) => x.kind === "NetworkPolicy" && clients(x).includes("ssrf-proxy"))
      .map((x) => x.metadata.name);
    assert.deepStrictEqual(viaProxy.sort(), own.sort());
    const off = renderOk(matrix["SSRF proxy off"].values).filter((x) => x.kind === "NetworkPolicy");
    assert.ok(!off.some((x) => clients(x).includes("ssrf-proxy")), "the proxy is a client although disabled");
  });

  it("with the SSRF proxy the sandbox may send only to the proxy and the cluster DNS", () => {
    const np = policy(renderOk(base), "dify-sandbox");
    assert.deepStrictEqual(np.spec.policyTypes, ["Ingress", "Egress"]);
    assert.deepStrictEqual(np.spec.egress, [
      {
        to: [{
          podSelector: {
            matchLabels: {
              "app.kubernetes.io/name": "dify",
              "app.kubernetes.io/instance": "dify",
              "app.kubernetes.io/component": "ssrf-proxy",
            },
          },
        }],
        ports: [{ port: 3128, protocol: "TCP" }],
      },
      {
        to: [{
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
          podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
        }],
        ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }],
      },
    ]);
    // Only the sandbox's egress is limited: api, worker and plugin daemon reach the internet
    // directly, as in upstream's compose.
    const egress = renderOk(base).filter((x) => x.kind === "NetworkPolicy" && x.spec.policyTypes.includes("Egress"));
    assert.deepStrictEqual(egress.map((x) => x.metadata.name), ["dify-sandbox"]);
  });

  it("the DNS the sandbox may query can be named (another namespace or labels)", () => {
    const dns = { networkPolicy: { dnsNamespace: "dns", dnsPodLabels: { app: "node-cache" } } };
    const np = policy(renderOk(merge(base, dns)), "dify-sandbox");
    assert.deepStrictEqual(np.spec.egress[1].to, [{
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns" } },
      podSelector: { matchLabels: { app: "node-cache" } },
    }]);
  });

  it("without the SSRF proxy the sandbox's egress is not limited (the opt-out)", () => {
    const np = policy(renderOk(matrix["SSRF proxy off"].values), "dify-sandbox");
    assert.deepStrictEqual(np.spec.policyTypes, ["Ingress"]);
    assert.strictEqual(np.spec.egress, undefined);
  });

  it("web, api and the plugin daemon also accept the ingress controller's namespaces", () => {
    const d = renderOk(base);
    for (const name of ["dify-web", "dify-api", "dify-plugin-daemon"]) {
      const rule = policy(d, name).spec.ingress.find((r: any) => r.from[0].namespaceSelector);
      assert.deepStrictEqual(rule.from[0].namespaceSelector.matchExpressions[0].values, ["kommander"], name);
    }
  });

  it("admits every namespace only when asked to (networkPolicy.ingressFromAllNamespaces)", () => {
    const d = renderOk(matrix["ingress from all namespaces"].values);
    for (const name of ["dify-web", "dify-api", "dify-plugin-daemon"]) {
      const rule = policy(d, name).spec.ingress.find((r: any) => r.from[0].namespaceSelector);
      assert.deepStrictEqual(rule.from[0].namespaceSelector, {}, name);
    }
  });

  it("the client lists name the components' real pod labels", () => {
    const d = renderOk(base);
    const components = new Set(workloads(d).map((w) => podLabels(w)["app.kubernetes.io/component"]));
    for (const np of d.filter((x) => x.kind === "NetworkPolicy")) {
      for (const c of clients(np)) assert.ok(components.has(c), `${np.metadata.name}: no pod with component ${c}`);
    }
  });

  it("disabled: none rendered", () => {
    assert.ok(!renderOk(matrix["NetworkPolicy off"].values).some((x) => x.kind === "NetworkPolicy"));
  });
});

describe("chart: SSRF proxy", () => {
  it("refuses internal destinations except Dify's own Services and public address", () => {
    const conf: string = find(renderOk(matrix["SSRF proxy"].values), "ConfigMap", "dify-ssrf-proxy").data["squid.conf"];
    const lines = conf.split("\n").map((l) => l.trim());
    const access = lines.filter((l) => l.startsWith("http_access"));
    // The internal deny comes first and spares only Dify's own names and public address
    // (test/real/squid.test.ts runs this against a real squid).
    assert.deepStrictEqual(access, ["http_access deny !Safe_ports", "http_access deny CONNECT !SSL_ports",
      "http_access deny internal !dify_own !dify_public", "http_access allow localnet", "http_access deny all"]);
    assert.ok(lines.includes("acl dify_public dst 198.51.100.10"));
    assert.ok(lines.some((l) => l.startsWith("acl internal dst") && l.includes("169.254.0.0/16") && l.includes("10.0.0.0/8")));
    assert.ok(lines.includes("acl dify_own dstdom_regex -n -i " +
      "^(dify-api|dify-web|dify-plugin-daemon|dify-sandbox)(\\.dify(\\.svc(\\.cluster\\.local)?)?)?$"));
    assert.ok(lines.includes("dns_defnames on"));
  });

  it("Dify's own names end at global.clusterDomain", () => {
    const conf: string = find(renderOk(merge(matrix["SSRF proxy"].values, { global: { clusterDomain: "corp.internal" } })),
      "ConfigMap", "dify-ssrf-proxy").data["squid.conf"];
    assert.ok(conf.includes("(\\.dify(\\.svc(\\.corp\\.internal)?)?)?$\n"), conf);
  });

  it("a DNS public host is matched by name", () => {
    const conf: string = find(renderOk(merge(matrix["SSRF proxy"].values, { external: { host: "dify.example.com" } })), "ConfigMap", "dify-ssrf-proxy").data["squid.conf"];
    assert.ok(conf.includes("acl dify_public dstdomain dify.example.com"));
  });
});

describe("chart: helm test", () => {
  it("checks api /health, web, plugin daemon /health/check, sandbox /health and Weaviate ready with the api image", () => {
    const pod = find(renderOk(matrix["registry prefix and pull secrets"].values), "Pod", "dify-test");
    assert.strictEqual(pod.metadata.annotations["helm.sh/hook"], "test");
    assert.strictEqual(pod.spec.restartPolicy, "Never");
    assert.strictEqual(pod.spec.containers[0].image, "registry.example.local/mirror/langgenius/dify-api:1.11.4");
    assert.deepStrictEqual(pod.spec.containers[0].args.slice(1), [
      "http://dify-api:5001/health", "http://dify-web:3000/dify/apps", "http://dify-plugin-daemon:5002/health/check",
      "http://dify-sandbox:8194/health", "http://dify-weaviate:8080/v1/.well-known/ready",
    ]);
  });

  it("is not rendered when tests.enabled=false", () => {
    assert.ok(!renderOk(merge(base, { tests: { enabled: false } })).some((x) => x.kind === "Pod"));
  });
});
