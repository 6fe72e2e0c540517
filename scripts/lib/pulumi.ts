/**
 * The real `pulumi` CLI, driven the way a user drives it: `pulumi login file://<dir>`, `stack init`,
 * `config set [--secret]`, `up --yes`, `preview --expect-no-changes`, `stack output --json`,
 * `destroy --yes`, `stack rm --yes`, in the project folder, with the Node.js language host and
 * the provider plugins built by scripts/tools.sh. Used by `npm start`, the e2e suite and the
 * benchmark.
 *
 * Offline environment of every run (no pulumi.com, no plugin download):
 *   PATH                 <cache>/bin first (pulumi, pulumi-language-nodejs), then node's folder
 *   PULUMI_HOME          <state>/home; its plugins/ is the shared <cache>/pulumi-home/plugins,
 *                        where the built providers are registered (`pulumi plugin install --file`)
 *   PULUMI_BACKEND_URL   file://<state>/backend (also the login: a file backend, local state)
 *   PULUMI_CONFIG_PASSPHRASE, PULUMI_SKIP_UPDATE_CHECK, PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION,
 *   PULUMI_IGNORE_AMBIENT_PLUGINS (providers from PULUMI_HOME; the host is found beside pulumi)
 *   PULUMI_NODEJS_TYPESCRIPT, PULUMI_NODEJS_TSCONFIG_PATH from Pulumi.yaml (runtimeOptionsEnv)
 * Secret values reach `pulumi config set --secret` on stdin, never on a command line.
 *
 *   node -r ts-node/register/transpile-only scripts/lib/pulumi.ts env [--state DIR]
 * prints the environment as shell exports (for `eval` in scripts/demo.sh), after registering the
 * plugins and logging in; the passphrase is generated once into <state>/passphrase unless
 * PULUMI_CONFIG_PASSPHRASE is set.
 */
import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { binDir, cacheDir, repoRoot, stacksDir, tool } from "./paths";

/** Provider plugins the program needs, with the versions its npm SDKs ask for. */
const plugins = [
  { name: "kubernetes", pkg: "@pulumi/kubernetes" },
  { name: "random", pkg: "@pulumi/random" },
];

/** PULUMI_HOME holding the registered provider plugins, shared by every state dir. */
export const sharedPulumiHome = path.join(cacheDir, "pulumi-home");

function sdkVersion(projectDir: string, pkg: string): string {
  const file = path.join(projectDir, "node_modules", pkg, "package.json");
  return JSON.parse(fs.readFileSync(file, "utf8")).version;
}

/**
 * Registers the locally built provider plugins in the shared PULUMI_HOME at the versions the
 * project's npm SDKs request (no download involved); skips those already current.
 */
export function registerPlugins(projectDir = repoRoot): void {
  const env = { ...process.env, PULUMI_HOME: sharedPulumiHome, PULUMI_SKIP_UPDATE_CHECK: "true" };
  for (const p of plugins) {
    const version = sdkVersion(projectDir, p.pkg);
    const bin = tool(`pulumi-resource-${p.name}`);
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run "npm run tools" first`);
    const dest = path.join(
      sharedPulumiHome,
      "plugins",
      `resource-${p.name}-v${version}`,
      `pulumi-resource-${p.name}`,
    );
    const [src, dst] = [fs.statSync(bin), fs.existsSync(dest) ? fs.statSync(dest) : undefined];
    if (dst && dst.size === src.size && dst.mtimeMs >= src.mtimeMs) continue;
    execFileSync(
      tool("pulumi"),
      ["plugin", "install", "resource", p.name, version, "--file", bin, "--reinstall"],
      {
        env,
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
  }
}

/**
 * What a current Node.js language host derives from Pulumi.yaml's `runtime.options` for the
 * node process (PULUMI_NODEJS_TYPESCRIPT, PULUMI_NODEJS_TSCONFIG_PATH). The CLI sends those
 * options to the host over RPC, which the stand-in host (sdk v3.68.0) predates: it would drop
 * `tsconfig` and type-check on every run. Set here, from the same Pulumi.yaml, the project's own
 * @pulumi/pulumi reads them exactly as under a normal install.
 */
export function runtimeOptionsEnv(projectDir: string): Record<string, string> {
  const project = YAML.parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
  const options = (typeof project.runtime === "object" && project.runtime?.options) || {};
  const env: Record<string, string> = {};
  if (options.typescript !== false) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (typeof options.tsconfig === "string") env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
  return env;
}

/** PATH of a clean environment (system folders only). */
const systemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The offline environment of the CLI for a state dir (see the header). */
export function offlineEnv(
  stateDir: string,
  passphrase: string,
  basePath = process.env.PATH,
): Record<string, string> {
  const home = path.join(stateDir, "home");
  fs.mkdirSync(path.join(stateDir, "backend"), { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  const link = path.join(home, "plugins");
  if (!fs.existsSync(link)) {
    fs.mkdirSync(path.join(sharedPulumiHome, "plugins"), { recursive: true });
    fs.symlinkSync(path.join(sharedPulumiHome, "plugins"), link);
  }
  return {
    PATH: [binDir, path.dirname(process.execPath), basePath ?? systemPath].join(path.delimiter),
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${path.join(stateDir, "backend")}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // Providers from PULUMI_HOME (registered above), not the copies on PATH in <cache>/bin.
    PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
  };
}

export interface CliRun {
  /** The pulumi arguments (never a secret: those go on stdin). */
  args: string[];
  status: number;
  stdout: string;
  stderr: string;
  /** stdout then stderr: the CLI prints progress and diagnostics to stdout, the final error to stderr. */
  output: string;
  /** Wall time of the command. */
  seconds: number;
}

export interface PulumiOptions {
  /** Folder holding Pulumi.yaml (the repository, or a clone of it). */
  projectDir?: string;
  /** Backend, PULUMI_HOME and (with configInState) the stack config files. */
  stateDir: string;
  /** Encrypts the stacks' secrets. */
  passphrase: string;
  /**
   * Extra environment (KUBECONFIG, CI, ...). With cleanEnv, the only variables passed besides
   * the offline ones; otherwise added to this process's environment.
   */
  env?: Record<string, string>;
  /** Start from an empty environment (as Pulumi Deployments does), not this process's. */
  cleanEnv?: boolean;
  /**
   * Keep Pulumi.<stack>.yaml in the state dir (`--config-file`) instead of the project folder,
   * so parallel or failed runs never leave stack files in the working tree.
   */
  configInState?: boolean;
  /** Stream the CLI's output to this process (a demo) instead of only capturing it. */
  inherit?: boolean;
  /** Per-command timeout; default 15 minutes. */
  timeoutMs?: number;
}

/** A project folder plus a local file backend: what `pulumi login file://...` sets up. */
export class Pulumi {
  readonly projectDir: string;
  readonly env: Record<string, string>;

  constructor(readonly opts: PulumiOptions) {
    this.projectDir = opts.projectDir ?? repoRoot;
    const base = opts.cleanEnv ? {} : (process.env as Record<string, string>);
    const basePath = opts.cleanEnv ? systemPath : process.env.PATH;
    const offline = offlineEnv(opts.stateDir, opts.passphrase, basePath);
    this.env = { ...base, ...runtimeOptionsEnv(this.projectDir), ...opts.env, ...offline };
  }

  /** Runs `pulumi ARGS` in the project folder (or CWD); never throws (see status). */
  run(args: string[], input?: string, cwd = this.projectDir): CliRun {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(tool("pulumi"), args, {
      cwd,
      env: this.env,
      input: input ?? "",
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      timeout: this.opts.timeoutMs ?? 15 * 60 * 1000,
      stdio: ["pipe", this.opts.inherit ? "inherit" : "pipe", this.opts.inherit ? "inherit" : "pipe"],
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const stdout = r.stdout ?? "";
    const stderr = (r.stderr ?? "") + (r.error ? `\n${r.error}` : "");
    return { args, status: r.status ?? 1, stdout, stderr, output: stdout + stderr, seconds };
  }

  /** Runs `pulumi ARGS`; throws with the end of its output when it fails. */
  ok(args: string[], input?: string): CliRun {
    const r = this.run(args, input);
    if (r.status !== 0) throw failed(r);
    return r;
  }

  /** Registers the built provider plugins (registerPlugins), then `pulumi login file://<state>/backend`. */
  login(): CliRun {
    registerPlugins(this.projectDir);
    return this.ok(["login", this.env.PULUMI_BACKEND_URL]);
  }

  /** A stack of the project in this backend (nothing is created yet). */
  stack(name: string): PulumiStack {
    return new PulumiStack(this, name);
  }
}

/** One stack: every command names it explicitly (`--stack`), so no selection state is shared. */
export class PulumiStack {
  constructor(
    readonly pulumi: Pulumi,
    readonly name: string,
  ) {}

  private get stackArgs(): string[] {
    return ["--stack", this.name];
  }

  /** Config file flag when the stack files live in the state dir. */
  private get configArgs(): string[] {
    if (!this.pulumi.opts.configInState) return [];
    return ["--config-file", path.join(this.pulumi.opts.stateDir, `Pulumi.${this.name}.yaml`)];
  }

  private run(args: string[], input?: string): CliRun {
    return this.pulumi.run([...args, ...this.stackArgs], input);
  }

  /**
   * `pulumi stack init NAME`. With configInState, in a folder holding only a copy of Pulumi.yaml,
   * so that the stack file it writes (the passphrase salt) lands in the state dir too.
   */
  init(): CliRun {
    const args = ["stack", "init", this.name];
    if (!this.pulumi.opts.configInState) return this.pulumi.ok(args);
    const dir = path.join(this.pulumi.opts.stateDir, "project");
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(this.pulumi.projectDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const r = this.pulumi.run(args, undefined, dir);
    if (r.status !== 0) throw failed(r);
    fs.renameSync(path.join(dir, `Pulumi.${this.name}.yaml`), this.configArgs[1]);
    return r;
  }

  /**
   * `pulumi config set [--secret] KEY` per entry, the value on stdin. A key without a
   * namespace gets `dify:`. Throws on the first failure (the message never holds the value).
   */
  setConfig(values: Record<string, string>, opts: { secret?: boolean } = {}): void {
    for (const [k, v] of Object.entries(values)) {
      const key = k.includes(":") ? k : `dify:${k}`;
      const args = ["config", "set", ...(opts.secret ? ["--secret"] : []), key, ...this.configArgs];
      const r = this.run(args, v);
      if (r.status !== 0)
        throw new Error(`pulumi ${[...args, ...this.stackArgs].join(" ")} failed:\n${r.output}`);
    }
  }

  /** `pulumi config rm KEY` per key (missing keys are fine). */
  rmConfig(keys: string[]): void {
    for (const k of keys) this.run(["config", "rm", k.includes(":") ? k : `dify:${k}`, ...this.configArgs]);
  }

  /** `pulumi up --yes --non-interactive [--skip-preview]`. */
  up(opts: { skipPreview?: boolean } = {}): CliRun {
    const args = ["up", "--yes", "--non-interactive", ...(opts.skipPreview ? ["--skip-preview"] : [])];
    return this.run([...args, ...this.configArgs]);
  }

  /** `pulumi preview --non-interactive [--expect-no-changes] [--json]` (--json: the plan's steps on stdout). */
  preview(opts: { expectNoChanges?: boolean; json?: boolean } = {}): CliRun {
    const args = ["preview", "--non-interactive", ...(opts.expectNoChanges ? ["--expect-no-changes"] : [])];
    return this.run([...args, ...(opts.json ? ["--json"] : []), ...this.configArgs]);
  }

  /** `pulumi refresh --yes --non-interactive`. */
  refresh(): CliRun {
    return this.run(["refresh", "--yes", "--non-interactive", ...this.configArgs]);
  }

  /** `pulumi destroy --yes --non-interactive`. */
  destroy(): CliRun {
    return this.run(["destroy", "--yes", "--non-interactive", ...this.configArgs]);
  }

  /** `pulumi stack rm --yes` (the stack's state; the config file too when it is in the state dir). */
  rm(): CliRun {
    const r = this.run(["stack", "rm", "--yes"]);
    if (r.status === 0 && this.pulumi.opts.configInState) fs.rmSync(this.configArgs[1], { force: true });
    return r;
  }

  /** `pulumi stack output --json [--show-secrets]`: the outputs, secrets as "[secret]" unless shown. */
  outputs(opts: { showSecrets?: boolean } = {}): { run: CliRun; outputs: Record<string, any> } {
    const run = this.run(["stack", "output", "--json", ...(opts.showSecrets ? ["--show-secrets"] : [])]);
    return { run, outputs: run.status === 0 ? JSON.parse(run.stdout) : {} };
  }

  /** The last update of `pulumi stack history --json`: kind, result, resourceChanges. */
  lastUpdate(): { kind: string; result: string; resourceChanges: Record<string, number> } {
    const r = this.run(["stack", "history", "--json", "--page-size", "1"]);
    if (r.status !== 0) throw new Error(`pulumi stack history failed:\n${r.output}`);
    const [last] = JSON.parse(r.stdout);
    return { kind: last.kind, result: last.result, resourceChanges: last.resourceChanges ?? {} };
  }
}

/** The passphrase of a state dir: PULUMI_CONFIG_PASSPHRASE, else one generated once beside the state. */
export function statePassphrase(stateDir: string): string {
  if (process.env.PULUMI_CONFIG_PASSPHRASE !== undefined) return process.env.PULUMI_CONFIG_PASSPHRASE;
  const file = path.join(stateDir, "passphrase");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(24).toString("hex"), { mode: 0o600 });
  }
  return fs.readFileSync(file, "utf8").trim();
}

/** The error of a failed CLI run: the command and the end of its output. */
function failed(r: CliRun): Error {
  return new Error(`pulumi ${r.args.join(" ")} failed (exit ${r.status}):\n${r.output.slice(-6000)}`);
}

/** Single-quotes a value for a POSIX shell. */
function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

if (require.main === module) {
  const [cmd, ...rest] = process.argv.slice(2);
  const stateAt = rest.indexOf("--state");
  const stateDir = path.resolve(stateAt >= 0 ? rest[stateAt + 1] : stacksDir);
  if (cmd !== "env" || (stateAt >= 0 && !rest[stateAt + 1])) {
    console.error("usage: scripts/lib/pulumi.ts env [--state DIR]");
    process.exit(2);
  }
  try {
    const p = new Pulumi({ stateDir, passphrase: statePassphrase(stateDir) });
    p.login();
    const keys = [...Object.keys(offlineEnv(stateDir, "")), ...Object.keys(runtimeOptionsEnv(p.projectDir))];
    for (const k of keys.sort()) console.log(`export ${k}=${shellQuote(p.env[k])}`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
