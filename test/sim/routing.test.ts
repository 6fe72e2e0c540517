/**
 * The chart's sub-path routes in a real Traefik (issue 10): the redirects of the 1.11.4 web's
 * root leaks, nothing else claimed at the host's root, and the headers the plugin daemon gets on
 * /dify/e/. The chart's Ingresses and Middlewares are rendered with the built Helm and applied to
 * the simulated cluster; web, api and plugin daemon Services point at loopback stubs
 * (ExternalName localhost, test only). Only 127.0.0.1 is contacted.
 */
import * as assert from "assert";
import * as http from "http";
import * as net from "net";
import { base } from "../chart/matrix";
import { renderOk } from "../chart/render";
import { httpGet, Sim, startSim, startTraefik, Traefik, waitFor } from "../lib/sim";

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** A loopback HTTP stub that records what it receives. */
async function stub(name: string) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    res.end(name);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as net.AddressInfo).port, seen, close: () => server.close() };
}

describe("sim: the chart's sub-path routes in a real Traefik", function () {
  this.timeout(180000);
  const host = base.external.host as string;
  let sim: Sim;
  let traefik: Traefik;
  const stubs: Record<string, Awaited<ReturnType<typeof stub>>> = {};
  const reset = () => Object.values(stubs).forEach((s) => s.seen.splice(0));
  /** GET through the websecure entrypoint as a browser of https://<host> would send it. */
  const get = async (p: string, headers: Record<string, string> = {}) => {
    reset();
    const res = await httpGet(`https://127.0.0.1:${traefik.websecure}${p}`, { Host: host, ...headers });
    const hit = Object.entries(stubs).find(([, s]) => s.seen.length > 0);
    return { status: res.status, location: res.headers.location, backend: hit?.[0], seen: hit?.[1].seen[0] };
  };

  before(async () => {
    sim = startSim("routing");
    const objects = renderOk(base).filter((d) => d.kind === "Ingress" || d.kind === "Middleware");
    sim.kubectl(["create", "namespace", "dify"]);
    for (const component of ["web", "api", "plugin-daemon"]) {
      const s = (stubs[component] = await stub(component));
      objects.push({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: `dify-${component}` },
        spec: { type: "ExternalName", externalName: "localhost", ports: [{ name: "http", port: s.port }] },
      });
    }
    sim.kubectl(
      ["-n", "dify", "apply", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
    );
    traefik = startTraefik(sim);
    // 2 web + 7 api/daemon + 2 redirect paths; a router with a Middleware is enabled once it loaded.
    const ours = async () =>
      (await traefik.routers()).filter((r: any) => r.provider === "kubernetes" && r.name.includes("dify"));
    const enabled = async () => (await ours()).filter((r: any) => r.status === "enabled").length;
    await waitFor("the chart's routers", async () => (await enabled()) === 11, 60000, 300);
  });
  after(() => {
    Object.values(stubs).forEach((s) => s.close());
    traefik?.stop();
    sim?.down();
  });

  it("/signin and /account answer 302 to the same path under /dify, query kept, no backend reached", async () => {
    assert.deepStrictEqual(await get("/signin"), {
      status: 302,
      location: `https://${host}/dify/signin`,
      backend: undefined,
      seen: undefined,
    });
    const account = await get("/account?tab=members");
    assert.strictEqual(account.status, 302);
    assert.strictEqual(account.location, `https://${host}/dify/account?tab=members`);
    assert.strictEqual(account.backend, undefined);
  });

  it("the redirect targets are the web's own pages, prefix kept", async () => {
    const r = await get("/dify/signin");
    assert.deepStrictEqual([r.status, r.backend, r.seen?.url], [200, "web", "/dify/signin"]);
  });

  it("claims nothing else at the root: /, near misses, NKP's /dkp, root icons and manifest unrouted", async () => {
    for (const p of [
      "/",
      "/signin/x",
      "/signinx",
      "/accounts",
      "/apps",
      "/dkp/kommander/dashboard",
      "/manifest.json",
      "/icon-192x192.png",
      "/apple-touch-icon.png",
      "/browserconfig.xml",
    ]) {
      const r = await get(p);
      assert.deepStrictEqual([r.status, r.location, r.backend], [404, undefined, undefined], p);
    }
    const rules = (await traefik.routers())
      .filter((r: any) => r.provider === "kubernetes")
      .map((r: any) => (r.rule as string).replace(/"/g, "`"));
    const rootRules = rules.filter((r) => !/^(Path|PathPrefix)\(`\/dify[`/]/.test(r));
    assert.deepStrictEqual(rootRules.sort(), ["Path(`/account`)", "Path(`/signin`)"]);
  });

  it("only on websecure, like every route of the release", async () => {
    reset();
    const res = await httpGet(`http://127.0.0.1:${traefik.web}/signin`, { Host: host });
    assert.strictEqual(res.status, 404);
  });

  it("/dify/e/: the daemon gets X-Original-Host = host + /dify, never a client's Dify-Hook-Url", async () => {
    const spoofed = { "Dify-Hook-Url": "https://evil.example/e/x", "X-Original-Host": "evil.example" };
    const r = await get("/dify/e/hook123/callback?x=1", spoofed);
    assert.deepStrictEqual(
      [r.status, r.backend, r.seen?.url],
      [200, "plugin-daemon", "/e/hook123/callback?x=1"],
    );
    const h = r.seen!.headers;
    assert.strictEqual(h["dify-hook-url"], undefined);
    assert.strictEqual(h["x-original-host"], `${host}/dify`);
    // What Traefik forwards besides (the daemon 0.5.2 reads none of these).
    assert.strictEqual(h["x-forwarded-proto"], "https");
    assert.strictEqual(h["x-forwarded-host"], host);
    assert.strictEqual(h["x-forwarded-prefix"], "/dify");
    // internal/service/endpoint.go then builds http://<X-Original-Host>/e/<hook><path>:
    assert.strictEqual(
      `http://${h["x-original-host"]}/e/hook123/callback`,
      `http://${host}/dify/e/hook123/callback`,
    );
  });

  it("the api routes get the same header treatment and keep working", async () => {
    const r = await get("/dify/console/api/setup", { "Dify-Hook-Url": "https://evil.example/" });
    assert.deepStrictEqual(
      [r.status, r.backend, r.seen?.url, r.seen?.headers["dify-hook-url"]],
      [200, "api", "/console/api/setup", undefined],
    );
  });
});
