/** The shared locations (scripts/lib/paths.ts owns them), for tests. */
export { binDir, cacheDir, repoRoot, simStateDir, tool } from "../../scripts/lib/paths";
