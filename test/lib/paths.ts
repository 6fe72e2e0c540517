import * as os from "os";
import * as path from "path";

/** Root of the repository. */
export const repoRoot = path.resolve(__dirname, "..", "..");

/** Cache of built tools (outside the clone, shared between runs). */
export const cacheDir = process.env.DIFY_NKP_CACHE || path.join(os.homedir(), ".cache", "dify-nkp");

/** Folder of the binaries built by scripts/tools.sh. */
export const binDir = path.join(cacheDir, "bin");

/** Absolute path of a built tool, e.g. tool("helm"). */
export function tool(name: string): string {
  return path.join(binDir, name);
}
