/** The bootstrap hook Job (bootstrap.adminEmail): ordering, environment, network policy, no secret literal. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { retryAnnotation } from "../../components/bootstrap";
import { base } from "./matrix";
import { chartDir, credentialsOf, envOf, find, merge, podLabels, podSpec, render, renderOk, selects } from "./render";

const boot = {
  bootstrap: {
    adminEmail: "admin@example.com", plugins: ["langgenius/openai"],
    pluginPackageUrls: ["http://files.example.local/a.difypkg"],
  },
  secrets: { adminPassword: "test-adminpw-4711" },
};
const withBoot = merge(base, boot);
const sec = (key: string, from = "dify-credentials") => ({ secret: key, from });

describe("chart: bootstrap Job", () => {
  it("without bootstrap.adminEmail nothing of it is rendered and the Secret has no ADMIN_PASSWORD", () => {
    const d = renderOk(base);
    assert.ok(!d.some((x) => x.metadata?.name === "dify-bootstrap"));
    assert.ok(!("ADMIN_PASSWORD" in find(d, "Secret", "dify-credentials").data));
  });

  it("is a post-install/post-upgrade hook that runs after the migration, replaced on the next run", () => {
    const d = renderOk(withBoot);
    const job = find(d, "Job", "dify-bootstrap");
    const migrate = find(d, "Job", "dify-migrate");
    const hooks = (x: any) => x.metadata.annotations["helm.sh/hook"].split(",");
    assert.deepStrictEqual(hooks(job), ["post-install", "post-upgrade"]);
    assert.ok(hooks(migrate).includes("post-install"));
    const weight = (x: any) => Number(x.metadata.annotations["helm.sh/hook-weight"]);
    assert.ok(weight(job) > weight(migrate), "on install, Helm runs the migration (lower weight) first");
    const cm = find(d, "ConfigMap", "dify-bootstrap");
    assert.ok(weight(cm) < weight(job), "the script's ConfigMap exists before the Job");
    for (const x of [job, cm]) {
      assert.strictEqual(x.metadata.annotations["helm.sh/hook-delete-policy"], "before-hook-creation");
    }
    assert.strictEqual(job.spec.backoffLimit, 0, "no Kubernetes retry: it would repeat a failed login");
    assert.ok(job.spec.activeDeadlineSeconds > 600 + 900);
  });

  it("runs files/bootstrap.py from its ConfigMap with the api image's Python", () => {
    const d = renderOk(withBoot);
    const job = find(d, "Job", "dify-bootstrap");
    const api = find(d, "Deployment", "dify-api");
    const c = podSpec(job).containers[0];
    assert.strictEqual(c.image, podSpec(api).containers[0].image);
    assert.deepStrictEqual(c.command, ["python", "/bootstrap/bootstrap.py"]);
    const script = fs.readFileSync(path.join(chartDir, "files", "bootstrap.py"), "utf8");
    assert.strictEqual(find(d, "ConfigMap", "dify-bootstrap").data["bootstrap.py"], script);
    const vol = podSpec(job).volumes.find((v: any) => v.name === "script");
    assert.strictEqual(vol.configMap.name, "dify-bootstrap");
    assert.deepStrictEqual(c.volumeMounts, [{ name: "script", mountPath: "/bootstrap", readOnly: true }]);
    assert.strictEqual(c.terminationMessagePolicy, "FallbackToLogsOnError");
    assert.strictEqual(podSpec(job).restartPolicy, "Never");
    assert.strictEqual(podSpec(job).securityContext.runAsNonRoot, true);
  });

  it("calls the api Service by its rendered name and port; secrets only from the credentials Secret", () => {
    const d = renderOk(withBoot);
    const svc = find(d, "Service", "dify-api");
    const env = envOf(find(d, "Job", "dify-bootstrap"));
    assert.strictEqual(env.BOOTSTRAP_API_URL, `http://${svc.metadata.name}:${svc.spec.ports[0].port}`);
    assert.deepStrictEqual(env, {
      BOOTSTRAP_API_URL: "http://dify-api:5001",
      BOOTSTRAP_ADMIN_EMAIL: "admin@example.com",
      BOOTSTRAP_ADMIN_NAME: "admin",
      BOOTSTRAP_ADMIN_PASSWORD: sec("ADMIN_PASSWORD"),
      INIT_PASSWORD: sec("INIT_PASSWORD"),
      BOOTSTRAP_OPENAI_API_KEY: sec("OPENAI_API_KEY"),
      BOOTSTRAP_OPENAI_API_BASE: "",
      BOOTSTRAP_PLUGINS: "langgenius/openai",
      BOOTSTRAP_PLUGIN_PACKAGE_URLS: "http://files.example.local/a.difypkg",
      BOOTSTRAP_API_WAIT_SECONDS: "600",
      BOOTSTRAP_TASK_WAIT_SECONDS: "900",
      BOOTSTRAP_RESULT_FILE: "/dev/termination-log",
      // The SSRF proxy is on by default: package downloads go through it.
      HTTP_PROXY: "http://dify-ssrf-proxy:3128", HTTPS_PROXY: "http://dify-ssrf-proxy:3128", NO_PROXY: "dify-api",
    });
    const secret = find(d, "Secret", "dify-credentials");
    assert.strictEqual(Buffer.from(secret.data.ADMIN_PASSWORD, "base64").toString(), "test-adminpw-4711");
    const key = podSpec(find(d, "Job", "dify-bootstrap")).containers[0].env
      .find((e: any) => e.name === "BOOTSTRAP_OPENAI_API_KEY");
    assert.strictEqual(key.valueFrom.secretKeyRef.optional, true, "no key configured: the variable is simply absent");
  });

  it("bootstrap.retryOf is only the pod annotation the program reads back (a new value, a new run)", () => {
    const job = find(renderOk(merge(withBoot, { bootstrap: { retryOf: "uid-1" } })), "Job", "dify-bootstrap");
    assert.deepStrictEqual(job.spec.template.metadata.annotations, { [retryAnnotation]: "uid-1" });
    const again = find(renderOk(withBoot), "Job", "dify-bootstrap");
    assert.deepStrictEqual(again.spec.template.metadata.annotations, { [retryAnnotation]: "" });
  });

  it("with global.existingSecret reads ADMIN_PASSWORD from that Secret", () => {
    const values = merge(withBoot, {
      global: { existingSecret: "my-dify-credentials" }, secrets: { adminPassword: "" },
    });
    const env = envOf(find(renderOk(values), "Job", "dify-bootstrap"));
    assert.deepStrictEqual(env.BOOTSTRAP_ADMIN_PASSWORD, sec("ADMIN_PASSWORD", "my-dify-credentials"));
  });

  it("names follow the release (prod -> prod-dify-bootstrap calling prod-dify-api)", () => {
    const env = envOf(find(renderOk(withBoot, { release: "prod" }), "Job", "prod-dify-bootstrap"));
    assert.strictEqual(env.BOOTSTRAP_API_URL, "http://prod-dify-api:5001");
  });

  it("the api NetworkPolicy admits the Job's pods on the api port", () => {
    const d = renderOk(withBoot);
    const labels = podLabels(find(d, "Job", "dify-bootstrap"));
    const np = find(d, "NetworkPolicy", "dify-api");
    const admits = (r: any) => r.from.some((f: any) => f.podSelector && selects(f.podSelector, labels));
    const rule = np.spec.ingress.find(admits);
    assert.ok(rule, "no ingress rule of dify-api selects the bootstrap pods");
    assert.deepStrictEqual(rule.ports, [{ port: 5001, protocol: "TCP" }]);
    assert.ok(!find(renderOk(base), "NetworkPolicy", "dify-api").spec.ingress[0].from[0].podSelector
      .matchExpressions[1].values.includes("bootstrap"), "without the Job no rule names it");
  });

  it("with the SSRF proxy: package downloads go through it (its policy admits the Job), the api directly", () => {
    const d = renderOk(merge(withBoot, { ssrfProxy: { enabled: true } }));
    const job = find(d, "Job", "dify-bootstrap");
    const env = envOf(job);
    const proxy = find(d, "Service", "dify-ssrf-proxy");
    assert.strictEqual(env.HTTP_PROXY, `http://${proxy.metadata.name}:${proxy.spec.ports[0].port}`);
    assert.strictEqual(env.HTTPS_PROXY, env.HTTP_PROXY);
    assert.strictEqual(env.NO_PROXY, "dify-api");
    const np = find(d, "NetworkPolicy", "dify-ssrf-proxy");
    const admits = (r: any) => r.from.some((f: any) => f.podSelector && selects(f.podSelector, podLabels(job)));
    assert.ok(np.spec.ingress.some(admits));
    const off = merge(withBoot, { ssrfProxy: { enabled: false } });
    assert.ok(!("HTTP_PROXY" in envOf(find(renderOk(off), "Job", "dify-bootstrap"))), "without the proxy: direct");
  });

  it("no secret literal in any rendered object but the Secret (ConfigMap script included)", () => {
    const values = merge(withBoot, { secrets: { openaiApiKey: "test-openaikey-i9j0" } });
    const d = renderOk(values);
    const creds = credentialsOf(values);
    assert.ok(creds.includes("test-adminpw-4711"));
    for (const x of d.filter((x) => x.kind !== "Secret")) {
      const text = JSON.stringify(x);
      for (const s of creds) {
        assert.ok(!text.includes(s), `${x.kind}/${x.metadata?.name} contains a credential`);
        const encoded = Buffer.from(s).toString("base64");
        assert.ok(!text.includes(encoded), `${x.kind}/${x.metadata?.name} contains a base64 credential`);
      }
    }
  });

  describe("validation (before anything is installed)", () => {
    const cases: [string, any, string][] = [
      ["admin password missing", { secrets: { adminPassword: "" } },
        "secrets.adminPassword is required with bootstrap.adminEmail"],
      ["admin password too weak", { secrets: { adminPassword: "onlyletters" } },
        "secrets.adminPassword must have at least 8 characters with letters and digits"],
      ["admin email not an address", { bootstrap: { adminEmail: "admin" } },
        'bootstrap.adminEmail "admin" is not an email address'],
      ["admin name too long", { bootstrap: { adminName: "x".repeat(31) } },
        "bootstrap.adminName must be at most 30 characters"],
      ["plugin id", { bootstrap: { plugins: ["OpenAI"] } },
        'bootstrap.plugins: "OpenAI" is not a marketplace plugin id'],
      ["package URL", { bootstrap: { pluginPackageUrls: ["/tmp/a.difypkg"] } },
        'bootstrap.pluginPackageUrls: "/tmp/a.difypkg" is not an http(s) URL'],
      ["wait", { bootstrap: { apiWaitSeconds: "ten" } },
        'bootstrap.apiWaitSeconds "ten" must be a whole number of seconds'],
      ["gateway URL", { bootstrap: { openaiApiBase: "gw.example.com" } },
        'bootstrap.openaiApiBase "gw.example.com" must be an http(s) URL'],
    ];
    for (const [name, over, message] of cases) {
      it(`${name}: ${message}`, () => {
        const r = render(merge(withBoot, over));
        assert.notStrictEqual(r.status, 0);
        assert.ok(r.stderr.includes(message), r.stderr);
      });
    }
  });
});
