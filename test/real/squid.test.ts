/**
 * The chart's SSRF proxy run for real: Debian's squid 5.7 (production runs ubuntu/squid 6.6;
 * see test/lib/images.ts) with the rendered squid.conf mounted where the Deployment mounts it,
 * inside a private network namespace that stands in for the cluster network:
 *   - every rendered Service resolves (by its FQDN, through the pod's search list, as CoreDNS
 *     answers) to a stand-in ClusterIP on which a stand-in HTTP server listens;
 *   - Dify's public address (external.host: a private LoadBalancer address, as on NKP) and the
 *     "internet" (public.example, 203.0.113.10, a documentation address) exist only here;
 *   - internal targets (another private address, loopback, the link-local metadata address,
 *     the other private ranges) have stand-in servers that record every connection, so
 *     "refused before any connection" is checked, not assumed;
 *   - the attacker's DNS names (a public zone the attacker controls, answering with internal
 *     addresses) are served by the same resolver.
 * Requests come from the api's and the sandbox's pod addresses through the proxy URL of their
 * rendered env. squid 5.7 and 6.6 read the directives of this squid.conf the same way (acl
 * src/dst/dstdom_regex/port/method, http_access, http_port, dns_defnames, cache,
 * coredump_dir are unchanged between them).
 */
import * as assert from "assert";
import * as path from "path";
import { baseValues, find, merge, renderOk } from "../chart/render";
import { checkPrograms, squidImage } from "../lib/images";
import { checkPrerequisites, Netns, Proc, waitFor } from "../lib/netns";
import { Pod, serviceIP, serviceRecords } from "../lib/pods";
import { egressAllowed } from "../lib/netpol";

const SQUID_IP = "10.244.0.14";
const API_IP = "10.244.0.21";
const SANDBOX_IP = "10.244.0.22";
const LB_IP = "10.20.0.50"; // external.host: Traefik's LoadBalancer address on the node network
const INTERNAL_IP = "10.20.0.51"; // a node or service next to it: must stay unreachable
const PUBLIC_IP = "203.0.113.10";

const values = merge(baseValues(), { ssrfProxy: { enabled: true }, external: { host: LB_IP } });

describe("real squid runs the chart's SSRF proxy config (Debian 5.7 standing in for ubuntu/squid 6.6)", function () {
  this.timeout(120000);
  let ns: Netns;
  let pod: Pod;
  let docs: any[];
  let servers: Proc;
  let records: Record<string, string>;
  const proxyOf: Record<string, string> = {};
  const clientIP: Record<string, string> = { api: API_IP, sandbox: SANDBOX_IP };

  /** One request through the proxy from a client pod: status, squid's error tag, body. */
  async function viaProxy(client: "api" | "sandbox", url: string, connect = false) {
    const args = [
      "curl",
      "-sS",
      "-m",
      "15",
      "--interface",
      clientIP[client],
      "-x",
      proxyOf[client],
      "-D",
      "-",
      "-w",
      "\n%{http_code} %{http_connect}",
    ];
    if (connect) args.push("-p", "-k");
    const r = await ns.exec({ name: `${client}-client` }, [...args, url]);
    const lines = r.stdout.trimEnd().split("\n");
    const [code, connectCode] = lines.pop()!.split(" ").map(Number);
    const text = lines.join("\n");
    return {
      status: connect ? connectCode : code,
      squidError: /^X-Squid-Error: (\S+)/im.exec(text)?.[1] ?? "",
      body: `${text}${r.code ? ` (curl exit ${r.code}: ${r.stderr.trim()})` : ""}`,
    };
  }

  /** Every connection the stand-in servers accepted so far (address:port). */
  const reached = () =>
    servers
      .log()
      .split("\n")
      .filter((l) => l.startsWith('{"accepted"'))
      .map((l) => JSON.parse(l).accepted);

  async function expectRefused(urls: string[], connect = false) {
    const before = reached().length;
    for (const client of ["api", "sandbox"] as const) {
      for (const url of urls) {
        const r = await viaProxy(client, url, connect);
        assert.equal(r.status, 403, `${client} ${connect ? "CONNECT " : ""}${url}: ${r.body}`);
        assert.equal(r.squidError, "ERR_ACCESS_DENIED", `${client} ${url}: ${r.body}`);
      }
    }
    assert.deepEqual(reached().slice(before), [], "a refused request reached its target");
  }

  async function expectReached(client: "api" | "sandbox", url: string, target: string) {
    const r = await viaProxy(client, url);
    assert.equal(r.status, 200, `${client} ${url}: ${r.squidError} ${r.body}`);
    assert.match(r.body, new RegExp(`reached ${target.replace(/[.[\]]/g, "\\$&")} GET`));
  }

  before(async function () {
    checkPrerequisites();
    checkPrograms("squid");
    docs = renderOk(values);
    records = {
      ...serviceRecords(docs, "dify"),
      "public.example": PUBLIC_IP,
      // The attacker's zone: names shaped like Dify's Services, answering with internal addresses.
      "dify-api.dify.svc.evil.example": INTERNAL_IP,
      "dify-api.dify.svc.cluster.local.evil.example": INTERNAL_IP,
      "dify-api.evil.example": INTERNAL_IP,
      "metadata.evil.example": "169.254.169.254",
    };
    ns = await Netns.create({
      namespace: "dify",
      records,
      addresses: [
        SQUID_IP,
        API_IP,
        SANDBOX_IP,
        LB_IP,
        INTERNAL_IP,
        PUBLIC_IP,
        "169.254.169.254",
        "192.168.10.10",
        "172.16.10.10",
        "100.64.10.10",
      ],
    });
    const own = (svc: string, port: number) => `${serviceIP(records, svc)}:${port}`;
    const listen = [
      own("dify-api", 5001),
      own("dify-web", 3000),
      own("dify-plugin-daemon", 5002),
      own("dify-sandbox", 8194),
      own("dify-redis", 6379),
      own("dify-weaviate", 8080),
      `${LB_IP}:80`,
      `${LB_IP}:443`,
      `${PUBLIC_IP}:80`,
      `${PUBLIC_IP}:443`,
      `${PUBLIC_IP}:25`,
      `${PUBLIC_IP}:8080`,
      `${INTERNAL_IP}:80`,
      `${INTERNAL_IP}:443`,
      `${INTERNAL_IP}:5001`,
      "169.254.169.254:80",
      "169.254.169.254:443",
      "192.168.10.10:80",
      "172.16.10.10:80",
      "100.64.10.10:80",
      "127.0.0.1:18080",
      "[::1]:18080",
    ];
    const standins = path.join(__dirname, "..", "lib", "standin-http.js");
    servers = ns.start({ name: "standins" }, [process.execPath, standins, ...listen]);
    await waitFor(() => servers.log().includes('"listening"'), 10000, "the stand-in servers");
    pod = new Pod(ns, docs, find(docs, "Deployment", "dify-ssrf-proxy"), SQUID_IP);
    proxyOf.api = new Pod(ns, docs, find(docs, "Deployment", "dify-api"), API_IP).env(
      "api",
    ).SSRF_PROXY_HTTP_URL;
    proxyOf.sandbox = new Pod(ns, docs, find(docs, "Deployment", "dify-sandbox"), SANDBOX_IP).env(
      "sandbox",
    ).HTTP_PROXY;
  });

  after(async () => {
    await ns?.close();
  });

  it("parses the rendered squid.conf without errors or warnings and starts; the probes pass", async () => {
    const parsed = await ns.exec(pod.spec("squid", squidImage), [
      "/usr/sbin/squid",
      "-k",
      "parse",
      "-f",
      "/etc/squid/squid.conf",
    ]);
    assert.equal(parsed.code, 0, parsed.stderr);
    const problems = parsed.stderr.split("\n").filter((l) => /ERROR|WARNING|FATAL|BUNGLED/i.test(l));
    assert.deepEqual(problems, []);
    const { proc } = pod.start("squid", squidImage);
    await waitFor(
      async () => {
        if (!proc.running) throw new Error(`squid exited: ${proc.log()}`);
        return pod.probe("squid", squidImage, "readinessProbe");
      },
      30000,
      "the readiness probe",
    );
    assert.ok(await pod.probe("squid", squidImage, "livenessProbe"), proc.log());
    assert.equal(proxyOf.api, "http://dify-ssrf-proxy:3128");
    assert.equal(proxyOf.sandbox, proxyOf.api);
    assert.ok(proc.running, proc.log());
  });

  it("refuses loopback, private ranges and the link-local metadata address before connecting", async () => {
    await expectRefused([
      "http://127.0.0.1:18080/",
      "http://localhost:18080/",
      "http://[::1]:18080/",
      `http://${INTERNAL_IP}/`,
      "http://192.168.10.10/",
      "http://172.16.10.10/",
      "http://100.64.10.10/",
      "http://169.254.169.254/latest/meta-data/",
      "http://metadata.evil.example/latest/meta-data/",
      // Services of the release that are not Dify's own entry points.
      "http://dify-redis:6379/",
      "http://dify-weaviate.dify.svc.cluster.local:8080/v1/schema",
    ]);
  });

  it("refuses unsafe ports, CONNECT to a non-TLS port and CONNECT to internal targets", async () => {
    await expectRefused([`http://public.example:25/`, `http://${PUBLIC_IP}:25/`]);
    await expectRefused(
      [
        `https://public.example:80/`,
        `https://${INTERNAL_IP}:443/`,
        "https://169.254.169.254:443/",
        `https://dify-api.dify.svc.evil.example:443/`,
      ],
      true,
    );
  });

  it("allows Dify's own Services by every name a pod may use, its public address and public hosts", async () => {
    const api = new Pod(ns, docs, find(docs, "Deployment", "dify-api"), API_IP).env("api");
    const apiTarget = `${serviceIP(records, "dify-api")}:5001`;
    for (const client of ["api", "sandbox"] as const) {
      // INTERNAL_FILES_URL is how the api hands files to plugins and the sandbox.
      await expectReached(client, `${api.INTERNAL_FILES_URL}/files/x`, apiTarget);
      for (const name of ["dify-api.dify", "dify-api.dify.svc", "dify-api.dify.svc.cluster.local"]) {
        await expectReached(client, `http://${name}:5001/files/x`, apiTarget);
      }
      await expectReached(client, `http://dify-web:3000/`, `${serviceIP(records, "dify-web")}:3000`);
      await expectReached(client, `http://${LB_IP}/dify/`, `${LB_IP}:80`);
      await expectReached(client, "http://public.example/", `${PUBLIC_IP}:80`);
      await expectReached(client, "http://public.example:8080/", `${PUBLIC_IP}:8080`);
    }
    const tunnel = await viaProxy("sandbox", "https://public.example/", true);
    assert.equal(tunnel.status, 200, tunnel.body);
    assert.ok(reached().includes(`${PUBLIC_IP}:443`));
  });

  it("refuses the allow-list bypass: names shaped like Dify's Services in another domain (regression)", async () => {
    // Before the fix the "Dify's own Services" rule matched dify-api.dify.svc.<anything> and won
    // over the internal deny: a name in the attacker's zone pointing inside passed with 200.
    await expectRefused([
      "http://dify-api.dify.svc.evil.example:5001/",
      "http://dify-api.dify.svc.cluster.local.evil.example:5001/",
      "http://dify-api.evil.example:5001/",
      "http://dify-api.dify.svc.evil.example/",
    ]);
  });

  it("the sandbox cannot bypass the proxy: its NetworkPolicy allows egress only to the proxy and DNS", () => {
    const sandbox = find(docs, "Deployment", "dify-sandbox");
    const labelsOf = (kind: string, name: string) => find(docs, kind, name).spec.template.metadata.labels;
    const proxy = { podLabels: labelsOf("Deployment", "dify-ssrf-proxy"), namespace: "dify", port: 3128 };
    assert.ok(egressAllowed(docs, sandbox, proxy), "sandbox -> ssrf-proxy:3128 must be allowed");
    const dns = {
      ip: "10.96.0.10",
      port: 53,
      podLabels: { "k8s-app": "kube-dns" },
      namespace: "kube-system",
    };
    assert.ok(egressAllowed(docs, sandbox, { ...dns, protocol: "UDP" }), "sandbox -> DNS must be allowed");
    for (const to of [
      { ip: PUBLIC_IP, port: 443 },
      { ip: PUBLIC_IP, port: 80 },
      { ip: "169.254.169.254", port: 80 },
      { ip: LB_IP, port: 443 },
      { podLabels: labelsOf("Deployment", "dify-api"), namespace: "dify", port: 5001 },
      { podLabels: labelsOf("StatefulSet", "dify-postgresql"), namespace: "dify", port: 5432 },
    ]) {
      assert.ok(!egressAllowed(docs, sandbox, to), `sandbox -> ${JSON.stringify(to)} must be blocked`);
    }
  });
});
