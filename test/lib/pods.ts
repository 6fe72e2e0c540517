/**
 * Runs a container of a rendered workload in a Netns the way the kubelet would: the rendered
 * command/args over the image's entrypoint/cmd, the resolved environment, the volumes at their
 * mountPath (claims persist across restarts, emptyDirs and the image's writable directories
 * start empty), the user of the securityContext, postStart hooks and probes.
 *
 * What stands in for the image is given by the caller (`Image`): the Debian program, its
 * entrypoint (as the official image's, cited there) and the directories the image owns.
 */
import * as fs from "fs";
import * as path from "path";
import { commandLine, containerOf, Mount, mountsOf, Probe, probeOf, resolveEnv } from "./kubelet";
import { ContainerSpec, ExecResult, Netns, Proc } from "./netns";

/** What replaces a container image on this machine. */
export interface Image {
  /** ENTRYPOINT of the image (argv). */
  entrypoint: string[];
  /** CMD of the image (argv). */
  cmd: string[];
  /** User the program runs as here (the image's user standing in for runAsUser). Absent: root. */
  user?: string;
  group?: string;
  /** Directories the image provides writable (its layer): fresh at every start, owned by writableOwner. */
  writable?: string[];
  /** Owner of the writable directories (user[:group]). Defaults to `user`. */
  writableOwner?: string;
  /** Directories to put first on PATH (where Debian installs what the image has on PATH). */
  path?: string[];
  /** Working directory. */
  cwd?: string;
}

export class Pod {
  /** Container name -> running process. */
  readonly procs = new Map<string, Proc>();
  private starts = 0;

  /**
   * @param docs the rendered manifests (Secrets and ConfigMaps are read from them)
   * @param workload the rendered Deployment/StatefulSet/Job/Pod
   * @param ip the pod's stand-in address (must be one of the namespace's addresses)
   */
  constructor(
    readonly ns: Netns,
    public docs: any[],
    readonly workload: any,
    readonly ip: string,
  ) {}

  get name(): string {
    return this.workload.metadata.name;
  }

  /** The pod's hostname (a StatefulSet's first pod name; Deployments get the same form here). */
  get hostname(): string {
    return `${this.name}-0`;
  }

  /** Host directory backing a claim (persistent for the life of the namespace). */
  claimDir(claim: string): string {
    return path.join(this.ns.dir, "pvc", `${claim}-${this.name}-0`);
  }

  /** The environment of a container as the kubelet builds it from the current docs. */
  env(container: string): Record<string, string> {
    return resolveEnv(this.docs, containerOf(this.workload, container));
  }

  /** The argv of a container: command replaces ENTRYPOINT, args replace CMD (Kubernetes rules). */
  argv(container: string, image: Image): string[] {
    const c = containerOf(this.workload, container);
    const { command, args } = commandLine(c, this.env(container));
    if (command) return [...command, ...(args ?? [])];
    return [...image.entrypoint, ...(args ?? image.cmd)];
  }

  /** The mounts of a container; fresh directories for emptyDirs and the image's writable ones. */
  spec(container: string, image: Image, fresh = true): ContainerSpec {
    const c = containerOf(this.workload, container);
    const run = fresh ? ++this.starts : this.starts;
    const owned = (dir: string) => {
      fs.mkdirSync(dir, { recursive: true });
      if (image.user) chown(dir, image.user, image.group);
      return dir;
    };
    const mounts = mountsOf(this.docs, this.workload, c).map((m: Mount) => {
      let src: string;
      if (m.source.kind === "pvc") {
        src = owned(this.claimDir(m.source.claim));
      } else if (m.source.kind === "emptyDir") {
        src = owned(path.join(this.ns.dir, "empty", `${this.name}-${m.volume}-${run}`));
      } else {
        const dir = path.join(this.ns.dir, "configmaps", `${this.name}-${m.volume}-${run}`);
        fs.mkdirSync(dir, { recursive: true });
        for (const [k, v] of Object.entries(m.source.data))
          fs.writeFileSync(path.join(dir, k), v, { mode: 0o644 });
        src = m.subPath ? path.join(dir, m.subPath) : dir;
        if (!fs.existsSync(src)) {
          throw new Error(`${container}: subPath ${m.subPath} not in ConfigMap volume ${m.volume}`);
        }
      }
      return { src, dst: m.mountPath, readOnly: m.readOnly };
    });
    for (const [i, w] of (image.writable ?? []).entries()) {
      const dir = path.join(this.ns.dir, "layer", `${this.name}-${container}-${run}-${i}`);
      fs.mkdirSync(dir, { recursive: true });
      const owner = image.writableOwner ?? image.user;
      if (owner) chown(dir, owner.split(":")[0], owner.split(":")[1] ?? image.group);
      mounts.push({ src: dir, dst: w, readOnly: false });
    }
    // The kubelet's /etc/hosts of the pod: localhost and the pod's own name on its address.
    const hosts = path.join(this.ns.dir, "pod-hosts", `${this.name}-${run}`);
    fs.mkdirSync(path.dirname(hosts), { recursive: true });
    fs.writeFileSync(
      hosts,
      `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${this.ip}\t${this.hostname}\n`,
    );
    mounts.push({ src: hosts, dst: "/etc/hosts", readOnly: false });
    const env = this.env(container);
    const basePath = process.env.PATH ?? "/usr/bin:/bin";
    return {
      name: `${this.name}-${container}`,
      user: image.user,
      group: image.group,
      mounts,
      env: { PATH: [...(image.path ?? []), basePath].join(":"), HOSTNAME: this.hostname, ...env },
      cwd: image.cwd,
      hostname: this.hostname,
    };
  }

  /** Starts a container (its postStart hook, if any, is returned for the caller to await). */
  start(container: string, image: Image): { proc: Proc; postStart?: Promise<ExecResult> } {
    const spec = this.spec(container, image);
    const proc = this.ns.start(spec, this.argv(container, image));
    this.procs.set(container, proc);
    const hook = containerOf(this.workload, container).lifecycle?.postStart?.exec?.command;
    return { proc, postStart: hook ? this.ns.exec(spec, hook, { timeoutMs: 240000 }) : undefined };
  }

  /** Runs a command in a running container (kubectl exec: same mounts, env and user). */
  exec(container: string, image: Image, argv: string[], opts: { input?: string; timeoutMs?: number } = {}) {
    return this.ns.exec(this.spec(container, image, false), argv, opts);
  }

  /**
   * Runs one probe once, as the kubelet would; resolves to true when it succeeds.
   * `without` removes variables from an exec probe's environment (to show what it relies on).
   */
  async probe(
    container: string,
    image: Image,
    kind: "startupProbe" | "readinessProbe" | "livenessProbe",
    without: string[] = [],
  ): Promise<boolean> {
    const p: Probe = probeOf(containerOf(this.workload, container), kind);
    if ("exec" in p) {
      const spec = this.spec(container, image, false);
      for (const k of without) delete spec.env![k];
      return (await this.ns.exec(spec, p.exec, { timeoutMs: 10000 })).code === 0;
    }
    if ("httpGet" in p) {
      const url = `${p.httpGet.scheme.toLowerCase()}://${this.ip}:${p.httpGet.port}${p.httpGet.path}`;
      const curl = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "5", url];
      const r = await this.ns.exec({ name: "kubelet" }, curl);
      const status = Number(r.stdout);
      return status >= 200 && status < 400;
    }
    return tcpOpen(this.ns, this.ip, p.tcpSocket.port);
  }
}

/** Can a TCP connection to ip:port be opened from inside the namespace? */
export async function tcpOpen(ns: Netns, ip: string, port: number): Promise<boolean> {
  const r = await ns.exec({ name: "tcp" }, ["bash", "-c", `exec 3<>/dev/tcp/${ip}/${port}`], {
    timeoutMs: 5000,
  });
  return r.code === 0;
}

function chown(dir: string, user: string, group?: string) {
  const id = (db: string, name: string, field: number) => {
    if (/^\d+$/.test(name)) return Number(name);
    const line = fs
      .readFileSync(db, "utf8")
      .split("\n")
      .find((l) => l.split(":")[0] === name);
    if (!line) throw new Error(`no ${name} in ${db}`);
    return Number(line.split(":")[field]);
  };
  const uid = id("/etc/passwd", user, 2);
  const gid = group ? id("/etc/group", group, 2) : /^\d+$/.test(user) ? uid : id("/etc/passwd", user, 3);
  fs.chownSync(dir, uid, gid);
}

/**
 * Stand-in ClusterIPs for the rendered Services, as CoreDNS would answer them: only the FQDN
 * <service>.<namespace>.svc.<domain> (short forms resolve through the pod's search list).
 * Addresses are 10.96.1.N in render order, so a test can name them with serviceIP().
 */
export function serviceRecords(
  docs: any[],
  namespace: string,
  domain = "cluster.local",
): Record<string, string> {
  const out: Record<string, string> = {};
  docs
    .filter((d) => d.kind === "Service")
    .forEach((s, i) => {
      out[`${s.metadata.name}.${namespace}.svc.${domain}`] = `10.96.1.${i + 1}`;
    });
  return out;
}

/** The stand-in ClusterIP of a Service in serviceRecords(). */
export function serviceIP(records: Record<string, string>, service: string): string {
  const hit = Object.entries(records).find(([name]) => name.split(".")[0] === service);
  if (!hit) throw new Error(`no Service ${service} rendered`);
  return hit[1];
}
