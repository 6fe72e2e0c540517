/**
 * Runs the real Pulumi engine on this project's program offline, through the Automation API
 * with an inline program (the Node.js language host cannot be built here: see docs/DESIGN.md).
 * Each run is its own Node process, so index.ts is loaded fresh.
 *
 *   node -r ts-node/register/transpile-only scripts/stack.ts <up|preview|destroy|refresh|outputs|rm>
 *     --stack NAME [--config key=value]... [--secret key=value]... [--expect-no-changes]
 *     [--result FILE]
 *
 * Environment: KUBECONFIG (target cluster), DIFY_NKP_STATE (backend + workspace, default
 * <cache>/stacks), PULUMI_CONFIG_PASSPHRASE (required; encrypts the stack's secrets).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import * as YAML from "yaml";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

const repoRoot = path.resolve(__dirname, "..");
const cacheDir = process.env.DIFY_NKP_CACHE || path.join(os.homedir(), ".cache", "dify-nkp");
const binDir = path.join(cacheDir, "bin");

/** Provider plugins the program needs, with the versions its npm SDKs ask for. */
const plugins = [
  { name: "kubernetes", pkg: "@pulumi/kubernetes" },
  { name: "random", pkg: "@pulumi/random" },
];

export interface Args {
  command: string;
  stack: string;
  config: Record<string, { value: string; secret: boolean }>;
  expectNoChanges: boolean;
  result?: string;
}

/** Parses the command line; throws with a usage message on bad input. */
export function parseArgs(argv: string[]): Args {
  const usage =
    "usage: stack.ts <up|preview|destroy|refresh|outputs|rm> --stack NAME [--config k=v]... [--secret k=v]... [--expect-no-changes] [--result FILE]";
  const [command, ...rest] = argv;
  if (!["up", "preview", "destroy", "refresh", "outputs", "rm"].includes(command ?? "")) {
    throw new Error(usage);
  }
  const args: Args = { command, stack: "", config: {}, expectNoChanges: false };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const next = () => {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${usage}`);
      return v;
    };
    if (flag === "--stack") args.stack = next();
    else if (flag === "--result") args.result = next();
    else if (flag === "--expect-no-changes") args.expectNoChanges = true;
    else if (flag === "--config" || flag === "--secret") {
      const kv = next();
      const eq = kv.indexOf("=");
      if (eq <= 0) throw new Error(`${flag} takes key=value, got "${flag === "--secret" ? "<hidden>" : kv}"`);
      const key = kv.slice(0, eq);
      args.config[key.includes(":") ? key : `dify:${key}`] = { value: kv.slice(eq + 1), secret: flag === "--secret" };
    } else throw new Error(`unknown argument ${flag}\n${usage}`);
  }
  if (!args.stack) throw new Error(`--stack is required\n${usage}`);
  return args;
}

function sdkVersion(pkg: string): string {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", pkg, "package.json"), "utf8")).version;
}

/** Registers the locally built provider plugins in PULUMI_HOME (no download involved). */
function installPlugins(pulumi: string, env: NodeJS.ProcessEnv): void {
  const home = env.PULUMI_HOME as string;
  for (const p of plugins) {
    const version = sdkVersion(p.pkg);
    const bin = path.join(binDir, `pulumi-resource-${p.name}`);
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run "npm run tools" first`);
    const dest = path.join(home, "plugins", `resource-${p.name}-v${version}`, `pulumi-resource-${p.name}`);
    if (fs.existsSync(dest) && fs.statSync(dest).size === fs.statSync(bin).size && fs.statSync(dest).mtimeMs >= fs.statSync(bin).mtimeMs) continue;
    execFileSync(pulumi, ["plugin", "install", "resource", p.name, version, "--file", bin, "--reinstall"], { env, stdio: "inherit" });
  }
}

export async function run(args: Args): Promise<Record<string, unknown>> {
  const passphrase = process.env.PULUMI_CONFIG_PASSPHRASE;
  if (passphrase === undefined) throw new Error("PULUMI_CONFIG_PASSPHRASE must be set (it encrypts the stack's secrets)");
  const state = process.env.DIFY_NKP_STATE || path.join(cacheDir, "stacks");
  const workDir = path.join(state, "work", args.stack);
  fs.mkdirSync(path.join(state, "backend"), { recursive: true });
  fs.mkdirSync(workDir, { recursive: true });
  // The project's own Pulumi.yaml (config declarations, types) governs the inline run too;
  // its `main` points into the repository, which an inline program does not use.
  const project = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8"));
  delete project.main;
  fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), YAML.stringify(project));

  const env: Record<string, string> = {
    PULUMI_HOME: path.join(cacheDir, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${path.join(state, "backend")}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
  Object.assign(process.env, env);
  const pulumiCommand = await PulumiCommand.get({ root: cacheDir, skipVersionCheck: true });
  installPlugins(pulumiCommand.command, process.env);

  const program = async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require(path.join(repoRoot, "index"));
    return typeof mod === "function" ? await mod() : { ...mod };
  };
  const stack: Stack = await LocalWorkspace.createOrSelectStack(
    { stackName: args.stack, projectName: "dify", program },
    { workDir, pulumiCommand, envVars: env },
  );
  if (Object.keys(args.config).length > 0) await stack.setAllConfig(args.config);

  const onOutput = (s: string) => process.stderr.write(s);
  switch (args.command) {
    case "up": {
      const r = await stack.up({ onOutput, color: "never" });
      return { result: r.summary.result, resourceChanges: r.summary.resourceChanges, outputs: await stack.outputs() };
    }
    case "preview": {
      const r = await stack.preview({ onOutput, color: "never", expectNoChanges: args.expectNoChanges });
      return { changeSummary: r.changeSummary };
    }
    case "refresh": {
      const r = await stack.refresh({ onOutput, color: "never" });
      return { result: r.summary.result, resourceChanges: r.summary.resourceChanges };
    }
    case "destroy": {
      const r = await stack.destroy({ onOutput, color: "never" });
      return { result: r.summary.result, resourceChanges: r.summary.resourceChanges };
    }
    case "outputs":
      return { outputs: await stack.outputs() };
    case "rm":
      await stack.workspace.removeStack(args.stack, { force: true });
      return {};
  }
  throw new Error(`unknown command ${args.command}`);
}

/** Output values with secrets hidden, for printing. */
export function printable(result: Record<string, unknown>): unknown {
  return JSON.parse(
    JSON.stringify(result, (_k, v) =>
      v && typeof v === "object" && "secret" in v && "value" in v ? (v.secret ? "[secret]" : v.value) : v,
    ),
  );
}

if (require.main === module) {
  (async () => {
    let args: Args;
    try {
      args = parseArgs(process.argv.slice(2));
    } catch (e) {
      console.error((e as Error).message);
      process.exit(2);
    }
    try {
      const result = await run(args);
      // Secrets stay out of files and logs: only the printable form is written.
      const shown = printable(result);
      if (args.result) fs.writeFileSync(args.result, JSON.stringify(shown, null, 2));
      console.log(JSON.stringify(shown, null, 2));
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      if (args.result) fs.writeFileSync(args.result, JSON.stringify({ error: msg }, null, 2));
      console.error(msg);
      process.exit(1);
    }
  })();
}
