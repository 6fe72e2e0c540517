/**
 * End to end, shaped like a Pulumi Deployments run (docs/Pulumi.nkp-cluster.deploy.yaml): a fresh
 * `git clone` of the committed HEAD into a temp dir, `npm ci` as the pre-run command, CI=true, no
 * TTY, an environment of nothing but PATH and the Pulumi variables, and stack config only: the
 * kubeconfig *content* as the secret `kubernetes:kubeconfig` (no KUBECONFIG, no ~/.kube/config:
 * HOME is an empty temp dir). Then `pulumi up`, a no-op `pulumi preview --expect-no-changes`,
 * `pulumi destroy`, `pulumi stack rm`.
 * Differences from the hosted service, by necessity: a local file backend and a passphrase
 * instead of Pulumi Cloud, and the CLI and plugins built by scripts/tools.sh instead of the
 * executor image's.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CliRun, Pulumi, PulumiStack, registerPlugins } from "../../scripts/lib/pulumi";
import { repoRoot } from "../lib/paths";
import { Sim, startSim } from "../lib/sim";

const webImage = "registry.example.local/dify/dify-web:1.11.4-dify";

function ok(run: CliRun): CliRun {
  assert.strictEqual(run.status, 0, `pulumi ${run.args.join(" ")} failed:\n${run.output.slice(-4000)}`);
  return run;
}

describe("e2e: a Pulumi Deployments-shaped run (fresh clone, npm ci, env and stack config only)", function () {
  this.timeout(900000);
  let sim: Sim;
  let work: string;
  let clone: string;
  let p: Pulumi;
  let stack: PulumiStack;
  let kubeconfig: string;
  let token: string;
  let upRun: CliRun;

  before(() => {
    sim = startSim("deployments");
    work = fs.mkdtempSync(path.join(os.tmpdir(), "dify-deployments-"));
    clone = path.join(work, "src");
    const head = execFileSync("git", ["-C", repoRoot, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    execFileSync("git", ["clone", "--quiet", "--no-checkout", repoRoot, clone]);
    execFileSync("git", ["-C", clone, "checkout", "--quiet", "--detach", head]);
    kubeconfig = fs.readFileSync(sim.kubeconfig, "utf8");
    token = /token: (\S+)/.exec(kubeconfig)![1];
    const home = path.join(work, "home");
    fs.mkdirSync(home);
    // Before npm ci: @pulumi/kubernetes's install script asks the CLI for the plugin, which must
    // then already be registered (no download).
    registerPlugins();
    p = new Pulumi({
      projectDir: clone,
      stateDir: path.join(work, "state"),
      passphrase: "deployments-test-passphrase",
      cleanEnv: true,
      // npm's own cache of this machine, so `npm ci` installs the lock file offline.
      env: { CI: "true", HOME: home, npm_config_cache: npmCache() },
    });
  });
  after(() => {
    sim?.down();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("npm ci in the fresh clone installs the locked dependencies without a terminal", () => {
    // The pre-run command of the deploy settings, in the same environment as every pulumi run
    // (@pulumi/kubernetes's install script finds the provider already registered).
    // --offline: from the npm cache only (tests send no traffic beyond loopback).
    const r = spawnSync("npm", ["ci", "--offline", "--no-audit", "--no-fund"], {
      cwd: clone,
      env: p.env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 10 * 60 * 1000,
    });
    assert.strictEqual(r.status, 0, `npm ci failed:\n${r.stdout}${r.stderr}`);
    assert.ok(fs.existsSync(path.join(clone, "node_modules", "@pulumi", "pulumi", "package.json")));
    assert.strictEqual(p.env.KUBECONFIG, undefined);
    assert.ok(!fs.existsSync(path.join(p.env.HOME, ".kube")));
  });

  it("up with the kubeconfig content as secret config only: the release is installed", () => {
    p.login();
    stack = p.stack("nkp-cluster");
    stack.init();
    stack.setConfig({ "kubernetes:kubeconfig": kubeconfig }, { secret: true });
    stack.setConfig({ webImage });
    const stackFile = fs.readFileSync(path.join(clone, "Pulumi.nkp-cluster.yaml"), "utf8");
    assert.ok(!stackFile.includes(token), "the kubeconfig token is in the stack file in plain text");
    assert.match(stackFile, /kubernetes:kubeconfig:\s+secure: /);

    upRun = ok(stack.up());
    assert.strictEqual(stack.lastUpdate().result, "succeeded");
    assert.strictEqual(stack.outputs().outputs.url, "https://198.51.100.10/dify");
    for (const kind of ["deployments", "statefulsets"]) {
      for (const d of sim.getJson(["-n", "dify", "get", kind]).items) {
        assert.strictEqual(
          d.status.readyReplicas ?? 0,
          d.spec.replicas,
          `${kind}/${d.metadata.name} not ready`,
        );
      }
    }
    assert.ok(!upRun.output.includes(token), "the kubeconfig token appeared in the log of pulumi up");
  });

  it("a no-op preview --expect-no-changes passes", () => {
    const r = ok(stack.preview({ expectNoChanges: true }));
    assert.ok(!r.output.includes(token));
  });

  it("destroy removes the release and stack rm the stack", () => {
    ok(stack.destroy());
    assert.deepStrictEqual(sim.getJson(["-n", "dify", "get", "deployments,statefulsets"]).items, []);
    ok(stack.rm());
    assert.ok(!fs.existsSync(path.join(clone, "Pulumi.nkp-cluster.yaml")), "stack rm left the stack file");
  });
});

/** npm's cache folder on this machine (`npm config get cache`). */
function npmCache(): string {
  return execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim();
}
