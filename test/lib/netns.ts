/**
 * A private network namespace standing in for a cluster network: loopback only, no route out,
 * the chart's Service names resolving to stand-in addresses that exist only inside it.
 *
 * - The namespace is held by one `unshare -n -m` process (its "pause container"); everything
 *   else joins it with `nsenter`. Killing the holder and the processes started here removes it.
 * - Every stand-in address is added to `lo` inside the namespace, so a program listening on
 *   0.0.0.0 answers on its Service address (kube-proxy's job in a cluster) and nothing that is
 *   sent to these addresses can leave the machine.
 * - Name resolution as a pod sees it: /etc/hosts holds only localhost (the kubelet's file), and
 *   /etc/resolv.conf (bind-mounted in the holder's private mount namespace) points at a dnsmasq
 *   playing CoreDNS on 10.96.0.10 with the kubelet's search list and ndots:5. dnsmasq answers the
 *   given names and NXDOMAIN for everything else (it has no upstream).
 * - A "container" is a process in the namespace with its own mount namespace (its volumes
 *   bind-mounted at their mountPath), its environment and its user (setpriv).
 *
 * Needs root, util-linux (unshare, nsenter, setpriv), iproute2 and dnsmasq (.ci/run installs them).
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The cluster DNS address inside the namespace (kube-dns' usual ClusterIP). */
export const DNS_ADDRESS = "10.96.0.10";

export interface NetnsOptions {
  /** Kubernetes namespace of the release: first search domain (<ns>.svc.<domain>). */
  namespace: string;
  /** Cluster domain. Defaults to cluster.local. */
  clusterDomain?: string;
  /** DNS records: every name (short, .ns, .ns.svc, FQDN or any other) -> address. */
  records: Record<string, string>;
  /** Extra addresses put on lo without a name (e.g. a pod IP). */
  addresses?: string[];
}

export interface ContainerSpec {
  /** For logs and error messages. */
  name: string;
  /** User to run as (name or uid; setpriv). Absent: root. */
  user?: string;
  /** Group (name or gid). Defaults to the user's primary group. */
  group?: string;
  /** Bind mounts: host path -> path inside the container. */
  mounts?: { src: string; dst: string; readOnly?: boolean }[];
  /** The complete environment (nothing is inherited from the test process but PATH). */
  env?: Record<string, string>;
  /** Working directory inside the container. */
  cwd?: string;
  /** Hostname (own UTS namespace), as the kubelet sets the pod name. Absent: the machine's. */
  hostname?: string;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** A long-running process started in the namespace. */
export class Proc {
  readonly exited: Promise<Exit>;
  private done = false;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.on("exit", (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      }),
    );
  }

  get running(): boolean {
    return !this.done;
  }

  /** Everything the process wrote to stdout and stderr so far. */
  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, "utf8") : "";
  }

  /** Sends a signal and waits for the exit (SIGKILL after the timeout). */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 30000): Promise<Exit> {
    if (this.done) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

function need(cmd: string, pkg: string) {
  if (spawnSync("sh", ["-c", `command -v ${cmd}`]).status !== 0) {
    throw new Error(`${cmd} is not installed (Debian package ${pkg}); .ci/run installs what test/real needs`);
  }
}

/** Throws a clear message when the machine cannot run the real-program suites. */
export function checkPrerequisites(extra: { cmd: string; pkg: string }[] = []) {
  if (process.getuid?.() !== 0) throw new Error("test/real needs root (network and mount namespaces)");
  for (const [cmd, pkg] of [
    ["unshare", "util-linux"],
    ["nsenter", "util-linux"],
    ["setpriv", "util-linux"],
    ["ip", "iproute2"],
    ["dnsmasq", "dnsmasq-base"],
    ["curl", "curl"],
  ])
    need(cmd, pkg);
  for (const e of extra) need(e.cmd, e.pkg);
}

export class Netns {
  /** Scratch directory of this namespace (volumes, logs, config files). Removed by close(). */
  readonly dir: string;
  private holder!: ChildProcess;
  private procs: Proc[] = [];

  private constructor(readonly opts: NetnsOptions) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "netns-"));
    fs.chmodSync(this.dir, 0o755);
  }

  /** Creates the namespace and starts its resolver. */
  static async create(opts: NetnsOptions): Promise<Netns> {
    checkPrerequisites();
    const ns = new Netns(opts);
    try {
      await ns.boot();
    } catch (e) {
      await ns.close();
      throw e;
    }
    return ns;
  }

  get clusterDomain(): string {
    return this.opts.clusterDomain ?? "cluster.local";
  }

  /** PID of the holder (for nsenter -t). */
  get pid(): number {
    return this.holder.pid!;
  }

  private async boot() {
    // Pod addresses first: a program picking "its" address (Weaviate's memberlist) takes the pod IP.
    const addrs = [
      ...new Set([...(this.opts.addresses ?? []), ...Object.values(this.opts.records), DNS_ADDRESS]),
    ];
    for (const a of addrs)
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(a)) throw new Error(`stand-in address ${a}: IPv4 only`);
    const d = this.clusterDomain;
    const ns = this.opts.namespace;
    fs.writeFileSync(
      path.join(this.dir, "hosts"),
      "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
    );
    fs.writeFileSync(
      path.join(this.dir, "resolv.conf"),
      `search ${ns}.svc.${d} svc.${d} ${d}\nnameserver ${DNS_ADDRESS}\noptions ndots:5\n`,
    );
    fs.writeFileSync(
      path.join(this.dir, "dns-records"),
      Object.entries(this.opts.records)
        .map(([name, ip]) => `${ip}\t${name}\n`)
        .join(""),
    );
    const script = [
      "set -e",
      "ip link set lo up",
      ...addrs.map((a) => `ip addr add ${a}/32 dev lo`),
      `mount --bind ${this.dir}/hosts /etc/hosts`,
      `mount --bind ${this.dir}/resolv.conf /etc/resolv.conf`,
      // No route but loopback: anything else is unreachable from inside.
      'test -z "$(ip route show default)"',
      "echo ready",
      "exec sleep infinity",
    ].join("\n");
    this.holder = spawn("unshare", ["-n", "-m", "--propagation", "private", "sh", "-c", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    live.add(this.holder);
    this.holder.on("exit", () => live.delete(this.holder));
    await new Promise<void>((resolve, reject) => {
      let err = "";
      this.holder.stderr!.on("data", (b) => (err += b));
      this.holder.stdout!.on("data", (b) => String(b).includes("ready") && resolve());
      this.holder.on("exit", (code) => reject(new Error(`network namespace setup failed (${code}): ${err}`)));
    });
    const dns = this.start1({ name: "dnsmasq" }, [
      "dnsmasq",
      "--keep-in-foreground",
      "--log-facility=-",
      "--no-resolv",
      "--no-hosts",
      "--no-poll",
      `--addn-hosts=${this.dir}/dns-records`,
      "--address=/#/",
      `--listen-address=${DNS_ADDRESS}`,
      "--bind-interfaces",
      "--user=nobody",
      "--group=nogroup",
      "--pid-file=",
    ]);
    const first = Object.keys(this.opts.records)[0] ?? "localhost";
    await waitFor(
      async () => {
        if (!dns.running) throw new Error(`dnsmasq exited: ${dns.log()}`);
        return (await this.exec({ name: "probe" }, ["getent", "ahostsv4", first])).code === 0;
      },
      5000,
      "dnsmasq",
    );
  }

  /** The argv that runs `argv` as a container of this namespace. */
  private wrap(spec: ContainerSpec, argv: string[]): string[] {
    const lines = ["set -e"];
    for (const m of spec.mounts ?? []) {
      const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
      const dir = fs.statSync(m.src).isDirectory();
      // Mount points that the host lacks are created empty (the image would have them).
      const dst = q(m.dst);
      lines.push(dir ? `mkdir -p ${dst}` : `test -e ${dst} || { mkdir -p "$(dirname ${dst})"; : > ${dst}; }`);
      lines.push(`mount --bind ${q(m.src)} ${dst}`);
      if (m.readOnly) lines.push(`mount -o remount,bind,ro ${dst}`);
    }
    if (spec.hostname) lines.push(`hostname '${spec.hostname}'`);
    if (spec.cwd) lines.push(`cd '${spec.cwd}'`);
    const priv = spec.user
      ? [
          "setpriv",
          `--reuid=${spec.user}`,
          `--regid=${spec.group ?? spec.user}`,
          ...(/^\d+$/.test(spec.user) ? ["--clear-groups"] : ["--init-groups"]),
          "--",
        ]
      : [];
    lines.push('exec "$@"');
    return [
      "nsenter",
      "-t",
      String(this.pid),
      "-n",
      "-m",
      "--",
      "unshare",
      "-m",
      ...(spec.hostname ? ["-u"] : []),
      "--propagation",
      "private",
      "--",
      "sh",
      "-c",
      lines.join("\n"),
      "sh",
      ...priv,
      ...argv,
    ];
  }

  private envOf(spec: ContainerSpec): Record<string, string> {
    return { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", ...(spec.env ?? {}) };
  }

  /** Runs a command to completion in a container of the namespace. */
  exec(
    spec: ContainerSpec,
    argv: string[],
    opts: { input?: string; timeoutMs?: number } = {},
  ): Promise<ExecResult> {
    return new Promise((resolve) => {
      const w = this.wrap(spec, argv);
      const input = opts.input !== undefined;
      const stdio: ("pipe" | "ignore")[] = [input ? "pipe" : "ignore", "pipe", "pipe"];
      const child = spawn(w[0], w.slice(1), { env: this.envOf(spec), stdio });
      live.add(child);
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (b) => (stdout += b));
      child.stderr!.on("data", (b) => (stderr += b));
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30000);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        live.delete(child);
        resolve({ code, signal, stdout, stderr });
      });
      if (input) {
        child.stdin!.on("error", () => undefined); // a command that exits without reading its input
        child.stdin!.end(opts.input);
      }
    });
  }

  private start1(spec: ContainerSpec, argv: string[]): Proc {
    const logFile = path.join(this.dir, "logs", `${spec.name}-${this.procs.length + 1}.log`);
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const fd = fs.openSync(logFile, "a");
    const w = this.wrap(spec, argv);
    const child = spawn(w[0], w.slice(1), { env: this.envOf(spec), stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    live.add(child);
    child.on("exit", () => live.delete(child));
    const p = new Proc(spec.name, child, logFile);
    this.procs.push(p);
    return p;
  }

  /** Starts a long-running process in a container of the namespace (log: <dir>/logs/<name>-<n>.log). */
  start(spec: ContainerSpec, argv: string[]): Proc {
    return this.start1(spec, argv);
  }

  /** Stops every process started here, then the namespace; removes the scratch directory. */
  async close() {
    await Promise.all(this.procs.map((p) => p.stop("SIGTERM", 10000)));
    if (this.holder && this.holder.exitCode === null) {
      this.holder.kill("SIGKILL");
      await new Promise((r) => this.holder.once("exit", r));
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls until check() is true (throws after timeoutMs, naming what was awaited). */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
  everyMs = 200,
) {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
