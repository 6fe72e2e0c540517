/** Test helpers: a simulated NKP cluster per suite, kubectl, and the engine runner. */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { repoRoot, tool } from "./paths";

export interface Sim {
  stateDir: string;
  kubeconfig: string;
  kubectl(args: string[], input?: string): string;
  /** kubectl returning exit status and output instead of throwing. */
  tryKubectl(args: string[], input?: string): { status: number; stdout: string; stderr: string };
  getJson<T = any>(args: string[]): T;
  down(): void;
}

/** Starts a simulated NKP cluster in its own state dir (options as scripts/sim.sh up). */
export function startSim(name: string, options: string[] = []): Sim {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `dify-sim-${name}-`));
  execFileSync("bash", [path.join(repoRoot, "scripts", "sim.sh"), "up", "--state-dir", stateDir, ...options], { stdio: ["ignore", "pipe", "inherit"] });
  const kubeconfig = path.join(stateDir, "kubeconfig");
  const tryKubectl = (args: string[], input?: string) => {
    const r = spawnSync(tool("kubectl"), ["--kubeconfig", kubeconfig, ...args], { input, encoding: "utf8" });
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  };
  const kubectl = (args: string[], input?: string) => {
    const r = tryKubectl(args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  return {
    stateDir,
    kubeconfig,
    kubectl,
    tryKubectl,
    getJson: (args) => JSON.parse(kubectl([...args, "-o", "json"])),
    down: () => {
      execFileSync("bash", [path.join(repoRoot, "scripts", "sim.sh"), "down", "--state-dir", stateDir], { stdio: "ignore" });
    },
  };
}

/** Polls fn until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 60000, everyMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = fn();
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

/** GET (http or https, self-signed accepted) to a loopback address: status and body. */
export function httpGet(url: string): Promise<{ status: number; body: string }> {
  const mod = url.startsWith("https") ? https : http;
  return new Promise((resolve, reject) => {
    mod.get(url, { rejectUnauthorized: false, timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}
