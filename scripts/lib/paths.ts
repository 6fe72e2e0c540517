/**
 * Where things live, for scripts and tests. The one TypeScript owner of these rules;
 * scripts/lib/paths.sh is its shell twin (test/sim checks that both agree).
 */
import * as os from "os";
import * as path from "path";

/** Root of the repository. */
export const repoRoot = path.resolve(__dirname, "..", "..");

/** Cache of built tools, build logs and PULUMI_HOME (outside the clone, shared between runs). */
export const cacheDir = process.env.DIFY_NKP_CACHE || path.join(os.homedir(), ".cache", "dify-nkp");

/** Folder of the binaries built by scripts/tools.sh. */
export const binDir = path.join(cacheDir, "bin");

/** Absolute path of a built tool, e.g. tool("helm"). */
export function tool(name: string): string {
  return path.join(binDir, name);
}

/** State dir of the default simulated cluster (`npm run sim:up`, scripts/sim.sh without --state-dir). */
export const simStateDir = process.env.SIM_STATE_DIR || path.join(repoRoot, ".sim");

/** State of the demo's Pulumi stacks (file backend), beside the cluster it describes. */
export const stacksDir = process.env.DIFY_NKP_STATE || path.join(simStateDir, "stacks");
