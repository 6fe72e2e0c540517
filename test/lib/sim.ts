/**
 * Test helpers: the simulated NKP cluster (scripts/lib/sim.ts), a real Traefik
 * (scripts/traefik.sh), polling and loopback HTTP.
 * Network rule: only 127.0.0.0/8 is ever contacted (pod IPs, ClusterIPs and the
 * LoadBalancer address 198.51.100.x are fake).
 */
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as path from "path";
import { repoRoot } from "../../scripts/lib/paths";
import { runScript, Sim } from "../../scripts/lib/sim";

export { ensureSim, pidFiles, runScript, Sim, simAt, simScript, startSim } from "../../scripts/lib/sim";

export const traefikScript = path.join(repoRoot, "scripts", "traefik.sh");

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

export interface Traefik {
  web: number;
  websecure: number;
  api: number;
  /** Traefik's computed HTTP routers (GET /api/http/routers). */
  routers(): Promise<any[]>;
  /**
   * Polls the routers until one matches. Match on `status === "enabled"` too when the router
   * uses a Middleware: Traefik lists the router (disabled) before the CRD provider's
   * middleware has arrived.
   */
  waitForRouter(match: (router: any) => boolean, timeoutMs?: number): Promise<any>;
  stop(): void;
}

/** Starts a real Traefik against the sim (scripts/traefik.sh start); stop() it in a finally/after. */
export function startTraefik(sim: Sim): Traefik {
  const ports = JSON.parse(
    runScript(traefikScript, ["start", "--state-dir", sim.stateDir, "--kubeconfig", sim.kubeconfig]),
  );
  const routers = async () =>
    JSON.parse((await httpGet(`http://127.0.0.1:${ports.api}/api/http/routers`)).body) as any[];
  return {
    ...ports,
    routers,
    waitForRouter: (match, timeoutMs = 30000) =>
      waitFor("a Traefik router", async () => (await routers()).find(match), timeoutMs, 300),
    stop: () => {
      runScript(traefikScript, ["stop", "--state-dir", sim.stateDir]);
    },
  };
}

/** Polls fn (sync or async) until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60000,
  everyMs = 500,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * GET (http or https, self-signed accepted) to a loopback address: status and body. Any other
 * host is refused (tests may only send traffic to 127.0.0.0/8).
 */
export function httpGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const host = new URL(url).hostname;
  if (!/^127\.\d+\.\d+\.\d+$/.test(host) && host !== "localhost") {
    return Promise.reject(new Error(`httpGet: ${host} is not a loopback address`));
  }
  const mod = url.startsWith("https") ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { rejectUnauthorized: false, timeout: 10000, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("timeout", () => req.destroy(new Error(`httpGet ${url}: timed out`)));
    req.on("error", reject);
  });
}
