/** Ingresses, the StripPrefix Middleware and the web image per mode. */
import * as assert from "assert";
import { base, matrix } from "./matrix";
import { find, merge, podSpec, renderOk } from "./render";

const routes = (ing: any) => ing.spec.rules[0].http.paths.map((p: any) => `${p.pathType} ${p.path} -> ${p.backend.service.name}:${p.backend.service.port.name}`);
const traefik = (key: string) => `traefik.ingress.kubernetes.io/${key}`;

describe("chart: exposure", () => {
  it("path mode: the web keeps /dify and everything below it, unstripped", () => {
    const web = find(renderOk(base), "Ingress", "dify-web");
    // Traefik's Prefix is a character prefix: /dify exactly plus /dify/ keeps /difyx out.
    assert.deepStrictEqual(routes(web), ["Exact /dify -> dify-web:http", "Prefix /dify/ -> dify-web:http"]);
    assert.strictEqual(web.metadata.annotations[traefik("router.middlewares")], undefined);
  });

  it("path mode: api and plugin-daemon routes go through the StripPrefix Middleware of the release namespace", () => {
    const d = renderOk(base, { namespace: "dify-prod" });
    const api = find(d, "Ingress", "dify-api");
    assert.deepStrictEqual(routes(api), [
      "Prefix /dify/console/api -> dify-api:http", "Prefix /dify/api -> dify-api:http", "Prefix /dify/v1 -> dify-api:http",
      "Prefix /dify/files -> dify-api:http", "Prefix /dify/mcp -> dify-api:http", "Prefix /dify/triggers -> dify-api:http",
      "Prefix /dify/e/ -> dify-plugin-daemon:http",
    ]);
    assert.strictEqual(api.metadata.annotations[traefik("router.middlewares")],
      "dify-prod-dify-strip-prefix@kubernetescrd,dify-prod-dify-hook-headers@kubernetescrd");
    const mw = find(d, "Middleware", "dify-strip-prefix");
    assert.strictEqual(mw.apiVersion, "traefik.io/v1alpha1");
    assert.strictEqual(mw.metadata.namespace ?? "dify-prod", "dify-prod");
    assert.deepStrictEqual(mw.spec, { stripPrefix: { prefixes: ["/dify"] } });
  });

  it("every Ingress: class from values, no host, no spec.tls, pinned to the entrypoints with router.tls", () => {
    for (const ing of renderOk(base).filter((x) => x.kind === "Ingress")) {
      assert.strictEqual(ing.spec.ingressClassName, "kommander-traefik");
      assert.strictEqual(ing.spec.tls, undefined);
      assert.strictEqual(ing.spec.rules.length, 1);
      assert.strictEqual(ing.spec.rules[0].host, undefined);
      assert.strictEqual(ing.metadata.annotations[traefik("router.entrypoints")], "websecure");
      assert.strictEqual(ing.metadata.annotations[traefik("router.tls")], "true");
    }
  });

  it("several entrypoints are joined; without entrypoints and tls no router annotation is set; extra annotations are added", () => {
    const several = renderOk(merge(base, { expose: { entrypoints: ["websecure", "internal"] } }));
    assert.strictEqual(find(several, "Ingress", "dify-web").metadata.annotations[traefik("router.entrypoints")], "websecure,internal");
    const none = renderOk(merge(base, { expose: { entrypoints: [], tls: false, annotations: { "example.com/owner": "team-ai" } } }));
    for (const name of ["dify-web", "dify-api"]) {
      const a = find(none, "Ingress", name).metadata.annotations;
      assert.strictEqual(a[traefik("router.entrypoints")], undefined);
      assert.strictEqual(a[traefik("router.tls")], undefined);
      assert.strictEqual(a["example.com/owner"], "team-ai");
    }
  });

  it("root mode: everything at /, no Middleware, the stock web image", () => {
    const d = renderOk(matrix["root mode"].values);
    assert.deepStrictEqual(routes(find(d, "Ingress", "dify-web")), ["Prefix / -> dify-web:http"]);
    assert.deepStrictEqual(routes(find(d, "Ingress", "dify-api")), [
      "Prefix /console/api -> dify-api:http", "Prefix /api -> dify-api:http", "Prefix /v1 -> dify-api:http",
      "Prefix /files -> dify-api:http", "Prefix /mcp -> dify-api:http", "Prefix /triggers -> dify-api:http",
      "Prefix /e/ -> dify-plugin-daemon:http",
    ]);
    assert.strictEqual(find(d, "Ingress", "dify-api").metadata.annotations[traefik("router.middlewares")], undefined);
    assert.ok(!d.some((x) => x.kind === "Middleware"));
    assert.strictEqual(podSpec(find(d, "Deployment", "dify-web")).containers[0].image, "langgenius/dify-web:1.11.4");
  });

  it("path mode without the Middleware CRD leaves stripping to the operator", () => {
    const d = renderOk(merge(base, { expose: { middlewareCrd: false } }));
    assert.ok(!d.some((x) => x.kind === "Middleware"));
    assert.strictEqual(find(d, "Ingress", "dify-api").metadata.annotations[traefik("router.middlewares")], undefined);
  });

  it("path mode uses the base-path web image, and its probe and the helm test use the base path", () => {
    const d = renderOk(base);
    const web = podSpec(find(d, "Deployment", "dify-web")).containers[0];
    assert.strictEqual(web.image, "registry.example.local/dify/dify-web:1.11.4-dify");
    assert.strictEqual(web.readinessProbe.httpGet.path, "/dify/apps");
    assert.strictEqual(web.livenessProbe.tcpSocket.port, "http");
    assert.ok(find(d, "Pod", "dify-test").spec.containers[0].args.includes("http://dify-web:3000/dify/apps"));
  });

  it("root mode probes and tests the web at /apps", () => {
    const d = renderOk(matrix["root mode"].values);
    assert.strictEqual(podSpec(find(d, "Deployment", "dify-web")).containers[0].readinessProbe.httpGet.path, "/apps");
    assert.ok(find(d, "Pod", "dify-test").spec.containers[0].args.includes("http://dify-web:3000/apps"));
  });

  it("the registry prefix leaves a web image that names its own registry alone, and prefixes a short one", () => {
    const full = podSpec(find(renderOk(matrix["registry prefix and pull secrets"].values), "Deployment", "dify-web")).containers[0];
    assert.strictEqual(full.image, "registry.example.local/dify/dify-web:1.11.4-dify");
    const short = merge(matrix["registry prefix and pull secrets"].values, { images: { web: { repository: "dify/dify-web" } } });
    assert.strictEqual(podSpec(find(renderOk(short), "Deployment", "dify-web")).containers[0].image, "registry.example.local/mirror/dify/dify-web:1.11.4-dify");
  });
});
