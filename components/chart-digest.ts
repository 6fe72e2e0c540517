/** Content hash of the chart folder, so `pulumi up` applies chart edits (not only version bumps). */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Files that never reach Helm: hidden files (except .helmignore) and editor leftovers. */
export function isChartFile(name: string): boolean {
  if (name.startsWith(".") && name !== ".helmignore") return false;
  return !/(~|\.swp|\.swo|\.orig|\.rej|\.bak)$/.test(name);
}

function files(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => isChartFile(e.name))
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))]));
}

/** sha256 over the sorted relative paths ("/"-separated) and contents of every chart file under dir. */
export function chartDigest(dir: string): string {
  const h = crypto.createHash("sha256");
  const rel = files(dir).map((f) => ({ f, key: f.split(path.sep).join("/") })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { f, key } of rel) {
    h.update(key).update("\0").update(fs.readFileSync(path.join(dir, f))).update("\0");
  }
  return h.digest("hex");
}
