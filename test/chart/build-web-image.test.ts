import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { repoRoot } from "../lib/paths";

const script = path.join(repoRoot, "scripts", "build-web-image.sh");
const run = (...args: string[]) => spawnSync("bash", [script, ...args], { encoding: "utf8" });
/** The commands a dry run would execute, each as its argument list. */
const commands = (out: string) => out.split("\n").filter((l) => l.startsWith("+ ")).map((l) => l.slice(2).split(" "));

describe("build-web-image.sh", () => {
  it("builds from the release tag with the base path as build argument and pushes", () => {
    const r = run("--base-path", "/dify", "--image", "registry.example.local/dify/dify-web:1.11.4-dify", "--version", "1.11.4", "--tool", "docker", "--push", "--dry-run");
    assert.strictEqual(r.status, 0, r.stderr);
    const [clone, build, push] = commands(r.stdout);
    assert.deepStrictEqual(clone.slice(0, 6), ["git", "clone", "--depth", "1", "--branch", "1.11.4"]);
    assert.deepStrictEqual(build.slice(0, 6), ["docker", "build", "--build-arg", "NEXT_PUBLIC_BASE_PATH=/dify", "--tag", "registry.example.local/dify/dify-web:1.11.4-dify"]);
    assert.ok(build[build.length - 1].endsWith("/dify/web"));
    assert.deepStrictEqual(push, ["docker", "push", "registry.example.local/dify/dify-web:1.11.4-dify"]);
    assert.match(r.stdout, /pulumi config set dify:webImage registry.example.local\/dify\/dify-web:1.11.4-dify/);
    assert.ok(r.stdout.includes("--set expose.path=/dify --set images.web.repository=registry.example.local/dify/dify-web --set images.web.tag=1.11.4-dify --set images.web.basePath=/dify"), r.stdout);
  });

  it("uses a provided source checkout without cloning (air-gapped build hosts)", () => {
    const r = run("--base-path", "/dify", "--image", "r/dify-web:x", "--source", "/srv/dify", "--tool", "buildah", "--dry-run");
    assert.strictEqual(r.status, 0, r.stderr);
    const cmds = commands(r.stdout);
    assert.strictEqual(cmds.length, 1);
    assert.deepStrictEqual(cmds[0], ["buildah", "bud", "--build-arg", "NEXT_PUBLIC_BASE_PATH=/dify", "--tag", "r/dify-web:x", "--file", "/srv/dify/web/Dockerfile", "/srv/dify/web"]);
  });

  for (const [args, message] of [
    [["--image", "r/w:1"], "--base-path is required"],
    [["--base-path", "dify", "--image", "r/w:1"], "must start with /"],
    [["--base-path", "/dify/", "--image", "r/w:1"], "must not end with /"],
    [["--base-path", "/dify"], "--image is required"],
    [["--base-path", "/dify", "--image", "r/w"], "needs an explicit tag"],
    [["--base-path", "/dify", "--image", "r/w:1", "--version", "latest"], "--version must be a Dify release"],
    [["--base-path", "/dify", "--image", "r/w:1", "--tool", "kaniko"], "--tool must be"],
  ] as [string[], string][]) {
    it(`refuses ${args.join(" ")}`, () => {
      const r = run(...args, "--dry-run");
      assert.strictEqual(r.status, 2);
      assert.ok(r.stderr.includes(message), r.stderr);
    });
  }
});
