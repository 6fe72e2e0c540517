/**
 * The simulated NKP cluster (scripts/sim.sh) from TypeScript, for scripts and tests: start one
 * in its own state dir, kubectl against it, stop it. Only 127.0.0.0/8 is ever contacted (pod
 * IPs, ClusterIPs and the LoadBalancer address 198.51.100.x are fake).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot, simStateDir, tool } from "./paths";

export const simScript = path.join(repoRoot, "scripts", "sim.sh");

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

/** Runs a script of scripts/ with bash; throws with its output when it fails. */
export function runScript(script: string, args: string[]): string {
  const r = spawnSync("bash", [script, ...args], { encoding: "utf8", timeout: 5 * 60 * 1000 });
  if (r.status !== 0) {
    const how = r.status ?? r.signal;
    throw new Error(
      `${path.basename(script)} ${args.join(" ")} failed (exit ${how}):\n${r.stdout}${r.stderr}`,
    );
  }
  return r.stdout;
}

/** *.pid files of a state dir. */
export function pidFiles(stateDir: string): string[] {
  return fs.existsSync(stateDir) ? fs.readdirSync(stateDir).filter((f) => f.endsWith(".pid")) : [];
}

/** A Sim handle for a state dir whose cluster is already up (no process is started). */
export function simAt(stateDir: string): Sim {
  const kubeconfig = path.join(stateDir, "kubeconfig");
  const tryKubectl = (args: string[], input?: string) => {
    const r = spawnSync(tool("kubectl"), ["--kubeconfig", kubeconfig, ...args], {
      input,
      encoding: "utf8",
      timeout: 120000,
    });
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
 * Call down() when done; a failed start throws with sim.sh's output (log tails).
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
  runScript(simScript, ["up", "--state-dir", simStateDir, ...options]);
  return simAt(simStateDir);
}
