/** Content hash of the chart folder, so `pulumi up` applies chart edits (not only version bumps). */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

function files(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))]))
    .sort();
}

/** sha256 over the sorted relative paths and contents of every file under dir. */
export function chartDigest(dir: string): string {
  const h = crypto.createHash("sha256");
  for (const f of files(dir)) {
    h.update(f.split(path.sep).join("/")).update("\0").update(fs.readFileSync(path.join(dir, f))).update("\0");
  }
  return h.digest("hex");
}
