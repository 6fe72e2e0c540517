/**
 * Test helpers: a simulated NKP cluster per suite (scripts/sim.sh), kubectl against it, a real
 * Traefik (scripts/traefik.sh), polling, loopback HTTP, and the engine runner.
 * Network rule: only 127.0.0.0/8 is ever contacted (pod IPs, ClusterIPs and the
 * LoadBalancer address 198.51.100.x are fake).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { repoRoot, tool } from "./paths";

export const simScript = path.join(repoRoot, "scripts", "sim.sh");
export const traefikScript = path.join(repoRoot, "scripts", "traefik.sh");
/** State dir of `npm run sim:up` (scripts/sim.sh without --state-dir). */
export const defaultStateDir = process.env.SIM_STATE_DIR || path.join(repoRoot, ".sim");

export interface Sim {
  stateDir: string;
  kubeconfig: string;
  /** https://127.0.0.1:<port> of the kube-apiserver. */
  server: string;
  kubectl(args: string[], input?: string): string;
  /** kubectl returning exit status and output instead of throwing. */
  tryKubectl(args: string[], input?: string): { status: number; stdout: string; stderr: string };
  getJson<T = any>(args: string[]): T;
  /** PIDs of the processes sim.sh started (from the state dir's *.pid files). */
  pids(): number[];
  down(): void;
}

function runScript(script: string, args: string[]): string {
  const r = spawnSync("bash", [script, ...args], { encoding: "utf8", timeout: 5 * 60 * 1000 });
  if (r.status !== 0) {
    throw new Error(`${path.basename(script)} ${args.join(" ")} failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  }
  return r.stdout;
}

/** A Sim handle for a state dir whose cluster is already up (no process is started). */
export function simAt(stateDir: string): Sim {
  const kubeconfig = path.join(stateDir, "kubeconfig");
  const tryKubectl = (args: string[], input?: string) => {
    const r = spawnSync(tool("kubectl"), ["--kubeconfig", kubeconfig, ...args], { input, encoding: "utf8", timeout: 120000 });
    return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? String(r.error ?? "") };
  };
  const kubectl = (args: string[], input?: string) => {
    const r = tryKubectl(args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const server = /server: (\S+)/.exec(fs.readFileSync(kubeconfig, "utf8"))?.[1] ?? "";
  return {
    stateDir,
    kubeconfig,
    server,
    kubectl,
    tryKubectl,
    getJson: (args) => JSON.parse(kubectl([...args, "-o", "json"])),
    pids: () => pidFiles(stateDir).map((f) => Number(fs.readFileSync(path.join(stateDir, f), "utf8").trim())),
    down: () => {
      runScript(simScript, ["down", "--state-dir", stateDir]);
    },
  };
}

/**
 * Starts a simulated NKP cluster in a fresh temporary state dir (options as scripts/sim.sh
 * up: --no-traefik, --two-traefik, --no-ingressclass, --address-pending, --address-delay N).
 * Call down() in an after hook; a failed start throws with sim.sh's output (log tails).
 */
export function startSim(name: string, options: string[] = []): Sim {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `dify-sim-${name}-`));
  runScript(simScript, ["up", "--state-dir", stateDir, ...options]);
  return simAt(stateDir);
}

/**
 * The shared default cluster (`npm run sim:up`, state in .sim/): started if not running,
 * reused if it is (sim.sh up is idempotent). Not stopped by the helper.
 */
export function ensureSim(options: string[] = []): Sim {
  runScript(simScript, ["up", "--state-dir", defaultStateDir, ...options]);
  return simAt(defaultStateDir);
}

/** *.pid files of a state dir. */
export function pidFiles(stateDir: string): string[] {
  return fs.existsSync(stateDir) ? fs.readdirSync(stateDir).filter((f) => f.endsWith(".pid")) : [];
}

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
  const ports = JSON.parse(runScript(traefikScript, ["start", "--state-dir", sim.stateDir, "--kubeconfig", sim.kubeconfig]));
  const routers = async () => JSON.parse((await httpGet(`http://127.0.0.1:${ports.api}/api/http/routers`)).body) as any[];
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

export interface StackRun {
  status: number;
  stdout: string;
  stderr: string;
  /** Parsed result file (outputs with secrets shown as "[secret]"), or the error. */
  result: any;
}

/** Runs scripts/stack.ts (the real engine, inline program) against a sim. */
export function runStack(sim: Sim, stateDir: string, command: string, stack: string, args: string[] = []): StackRun {
  const resultFile = path.join(stateDir, `result-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  const r = spawnSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", "stack.ts"), command, "--stack", stack, "--result", resultFile, ...args],
    {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, KUBECONFIG: sim.kubeconfig, DIFY_NKP_STATE: stateDir, PULUMI_CONFIG_PASSPHRASE: "e2e-test-passphrase" },
      timeout: 9 * 60 * 1000,
    },
  );
  const result = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, "utf8")) : undefined;
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, result };
}

/**
 * GET (http or https, self-signed accepted) to a loopback address: status and body. Any other
 * host is refused (tests may only send traffic to 127.0.0.0/8).
 */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
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
