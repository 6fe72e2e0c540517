/**
 * Benchmark (not a test), through the real `pulumi` CLI on one simulated NKP cluster:
 *   - fresh `pulumi up --yes` to all Ready, no-op `pulumi preview --expect-no-changes`,
 *     no-op `pulumi up --yes` (and with --skip-preview), the same preview with type checking
 *     forced on (what every run paid before tsconfig.pulumi.json), and one refusal (a config
 *     mistake) until the CLI exits;
 *   - a plain `helm upgrade --install --wait` of the same chart with the values the stack
 *     computed (read from its state), fresh and unchanged;
 *   - the ratios against the targets of issue 9, and where the time of a no-op preview goes.
 *   npm run bench
 * Secrets: the stack's values are written to a 0600 temp file for helm and removed at once.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { kubeReader, resolveKube } from "../components/cluster";
import { repoRoot, tool } from "./lib/paths";
import { CliRun, Pulumi } from "./lib/pulumi";
import { startSim } from "./lib/sim";

// The Kubernetes client's quantity parser ("250m", "512Mi"), not a hand-rolled one.

const { quantityToScalar } = require("@kubernetes/client-node/dist/util.js");

const webImage = "registry.example.local/dify/dify-web:1.11.4-dify";
const timingHook = path.join(__dirname, "lib", "timing-hook.js");

function ok(run: CliRun): CliRun {
  if (run.status !== 0) throw new Error(`pulumi ${run.args.join(" ")} failed:\n${run.output.slice(-4000)}`);
  return run;
}

function timed<T>(fn: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const r = fn();
  return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}

/** The signature key Pulumi's state marks a secret value with ({ <sig>: <secret sig>, plaintext: JSON }). */
const secretSig = "4dabf18193072939515e22adb298388d";

/** A value from `pulumi stack export --show-secrets` with its secret envelopes opened. */
function unsecret(v: any): any {
  if (Array.isArray(v)) return v.map(unsecret);
  if (v && typeof v === "object") {
    if (secretSig in v && "plaintext" in v) return unsecret(JSON.parse(v.plaintext));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unsecret(x)]));
  }
  return v;
}

/** Sum of the CPU and memory requests of the namespace's workloads (max of init containers, Jobs once). */
function requests(items: any[]): { cpu: number; memory: number } {
  const q = (v: string | undefined) => Number(quantityToScalar(String(v ?? "0")));
  let cpu = 0;
  let memory = 0;
  for (const w of items) {
    const spec = w.spec.template.spec;
    const replicas = w.kind === "Job" ? 1 : (w.spec.replicas ?? 1);
    for (const res of ["cpu", "memory"] as const) {
      const main = spec.containers.reduce((n: number, c: any) => n + q(c.resources?.requests?.[res]), 0);
      const init = Math.max(
        0,
        ...(spec.initContainers ?? []).map((c: any) => q(c.resources?.requests?.[res])),
      );
      const v = Math.max(main, init) * replicas;
      if (res === "cpu") cpu += v;
      else memory += v;
    }
  }
  return { cpu, memory };
}

/** Times the reads the program makes (discovery, IngressClass, CRD, retained Secret) with a fresh client. */
async function clusterReads(kubeconfig: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = kubeReader(resolveKube(fs.readFileSync(kubeconfig, "utf8")));
  await r.listServices();
  await r.listIngressClasses();
  await r.hasCrd("middlewares.traefik.io");
  await r.readSecretData("dify", "dify-credentials");
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Phases of one CLI run from the program's node timestamps (scripts/lib/timing-hook.js). */
function phases(run: CliRun, startedAt: number, mark: Record<string, number>): [string, number][] {
  const end = startedAt + run.seconds * 1000;
  return [
    ["CLI start, stack and plugins, language host, until node runs", mark.start - startedAt],
    ["node + SDK runtime + ts-node + program modules load", mark.loaded - mark.start],
    ["program: config, cluster reads, resources declared", mark.returned - mark.loaded],
    ["engine: registrations, provider check/diff, outputs", mark.exit - mark.returned],
    ["after node: engine wrap-up, summary, CLI exit", end - mark.exit],
  ].map(([what, ms]) => [what as string, (ms as number) / 1000]);
}

async function main(): Promise<void> {
  const sim = startSim("bench");
  const row = (what: string, value: string) => console.log(`${what.padEnd(62)}: ${value}`);
  try {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-bench-"));
    const p = new Pulumi({
      stateDir,
      passphrase: crypto.randomBytes(16).toString("hex"),
      env: { KUBECONFIG: sim.kubeconfig },
      configInState: true,
    });
    p.login();
    const stack = p.stack("bench");
    stack.init();
    stack.setConfig({ webImage });

    const fresh = ok(stack.up());
    row("pulumi up --yes, fresh stack to all Ready", `${fresh.seconds.toFixed(1)} s`);
    // Its parts, as the CLI reports them: the update after the preview, and the Helm release in it.
    const releaseTime = /helm\.sh\/v3:Release\s+\S+\s+created \(([\d.]+)s\)/.exec(fresh.output)?.[1];
    const updateTime = /Duration: (\S+)/.exec(fresh.output)?.[1];
    row("  of which the update (after its preview), CLI's Duration", updateTime ?? "?");
    row("  of which the helm.v3.Release create (install + wait)", releaseTime ? `${releaseTime} s` : "?");
    const preview = ok(stack.preview({ expectNoChanges: true }));
    row("pulumi preview --expect-no-changes, no-op", `${preview.seconds.toFixed(1)} s`);
    const noop = ok(stack.up());
    row("pulumi up --yes, nothing changed", `${noop.seconds.toFixed(1)} s`);
    const noopSkip = ok(stack.up({ skipPreview: true }));
    row("pulumi up --yes --skip-preview, nothing changed", `${noopSkip.seconds.toFixed(1)} s`);
    const withEnv = (env: Record<string, string>) =>
      new Pulumi({ ...p.opts, env: { ...p.opts.env, ...env } }).stack("bench");
    const checked = ok(withEnv({ PULUMI_NODEJS_TRANSPILE_ONLY: "false" }).preview({ expectNoChanges: true }));
    row("  the same preview, type-checking the program on the run", `${checked.seconds.toFixed(1)} s`);

    const bad = p.stack("refusal");
    bad.init();
    const refusal = bad.up();
    if (refusal.status === 0 || !/dify-web/.test(refusal.output))
      throw new Error(`no refusal:\n${refusal.output}`);
    row("a refusal (sub-path without dify:webImage), until the CLI exits", `${refusal.seconds.toFixed(1)} s`);

    // Where a no-op preview's time goes: one more, with the timing hook in its node process.
    const timings = path.join(stateDir, "timings.jsonl");
    const version = ok(p.run(["version"]));
    const startedAt = Date.now();
    const profiled = ok(
      withEnv({ DIFY_NKP_TIMINGS: timings, NODE_OPTIONS: `--require ${timingHook}` }).preview({
        expectNoChanges: true,
      }),
    );
    const marks = fs
      .readFileSync(timings, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    row(`where a no-op preview goes (this one: ${profiled.seconds.toFixed(1)} s)`, "");
    row("  pulumi version (the CLI binary alone)", `${version.seconds.toFixed(2)} s`);
    for (const [what, sec] of phases(profiled, startedAt, marks[0])) row(`  ${what}`, `${sec.toFixed(2)} s`);
    row(
      "  of the program: its cluster reads, timed alone",
      `${(await clusterReads(sim.kubeconfig)).toFixed(2)} s`,
    );

    // Plain Helm with the values the stack computed.
    const exported = JSON.parse(ok(p.run(["stack", "export", "--show-secrets", "--stack", "bench"])).stdout);
    const release = exported.deployment.resources.find(
      (r: any) => r.type === "kubernetes:helm.sh/v3:Release",
    );
    const file = path.join(stateDir, "values.yaml");
    fs.writeFileSync(file, YAML.stringify(unsecret(release.inputs.values)), { mode: 0o600 });
    const chart = path.join(repoRoot, "chart");
    const helm = () => {
      const args = [
        "--kubeconfig",
        sim.kubeconfig,
        "upgrade",
        "--install",
        "plain",
        chart,
        "-n",
        "plain",
        "--create-namespace",
        "-f",
        file,
        "--wait",
        "--wait-for-jobs",
        "--timeout",
        "10m",
      ];
      const [r, sec] = timed(() => spawnSync(tool("helm"), args, { encoding: "utf8" }));
      if (r.status !== 0) throw new Error(r.stderr);
      return sec;
    };
    let helmFresh: number;
    let helmNoop: number;
    try {
      helmFresh = helm();
      helmNoop = helm();
    } finally {
      fs.rmSync(file);
    }
    row("helm upgrade --install --wait, fresh", `${helmFresh.toFixed(1)} s`);
    row("helm upgrade --install --wait, unchanged", `${helmNoop.toFixed(1)} s`);

    const verdict = (v: number, max: number, unit = "") =>
      `${v.toFixed(2)}${unit} (target <= ${max}${unit}: ${v <= max ? "met" : "MISSED"})`;
    row("ratio fresh pulumi up / fresh helm", verdict(fresh.seconds / helmFresh, 1.5));
    row("ratio no-op pulumi up / unchanged helm", verdict(noop.seconds / helmNoop, 1.2));
    row("ratio no-op pulumi up --skip-preview / unchanged helm", verdict(noopSkip.seconds / helmNoop, 1.2));
    row("no-op preview", verdict(preview.seconds, 4, " s"));
    row("refusal", verdict(refusal.seconds, 5, " s"));

    const items = ["deployments", "statefulsets", "jobs"].flatMap(
      (k) => sim.getJson(["-n", "dify", "get", k]).items,
    );
    const { cpu, memory } = requests(items);
    const gib = (memory / 1024 ** 3).toFixed(2);
    row("default requests of the stack (incl. migration Job)", `${cpu.toFixed(2)} vCPU, ${gib} GiB`);
  } finally {
    sim.down();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
