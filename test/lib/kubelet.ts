/**
 * What the kubelet would hand a container of a rendered manifest: its command line, its
 * environment (values, Secret and ConfigMap references, `$(VAR)` expansion), its config files
 * and its probes. Used by the test/real suites to run the chart's programs as processes.
 *
 * The `$(VAR)` rules mirror kubernetes/kubernetes third_party/forked/golang/expansion/expand.go:
 * `$(NAME)` is replaced when NAME is defined (for env values: by an earlier entry of the same
 * list), left as written otherwise; `$$` is an escaped `$`; any other `$` is kept.
 */
import { find, podSpec } from "../chart/render";

/** Expands `$(VAR)` references the way the kubelet does (see the module comment). */
export function expandVars(input: string, vars: Record<string, string>): string {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== "$" || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i++;
    } else if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close < 0) {
        // Unterminated: the kubelet keeps "$(" and the rest as written.
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      out += Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

/** The decoded data of a rendered Secret (data is base64, stringData plain). */
export function secretData(docs: any[], name: string): Record<string, string> {
  const s = find(docs, "Secret", name);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries<string>(s.data ?? {}))
    out[k] = Buffer.from(v, "base64").toString("utf8");
  Object.assign(out, s.stringData ?? {});
  return out;
}

/** The data of a rendered ConfigMap. */
export function configMapData(docs: any[], name: string): Record<string, string> {
  return { ...(find(docs, "ConfigMap", name).data ?? {}) };
}

/** A container of a workload, init containers included. */
export function containerOf(workload: any, name: string): any {
  const spec = podSpec(workload);
  const c = [...(spec.initContainers ?? []), ...spec.containers].find((x: any) => x.name === name);
  if (!c) throw new Error(`container ${name} not in ${workload.kind}/${workload.metadata.name}`);
  return c;
}

/** The environment of a container as the kubelet builds it (envFrom, then env in order). */
export function resolveEnv(docs: any[], container: any): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const data = from.secretRef
      ? secretData(docs, from.secretRef.name)
      : configMapData(docs, from.configMapRef.name);
    for (const [k, v] of Object.entries(data)) env[(from.prefix ?? "") + k] = v;
  }
  for (const e of container.env ?? []) {
    const ref = e.valueFrom;
    if (ref?.secretKeyRef) {
      const data = secretData(docs, ref.secretKeyRef.name);
      if (!(ref.secretKeyRef.key in data)) {
        if (ref.secretKeyRef.optional) continue;
        throw new Error(`env ${e.name}: key ${ref.secretKeyRef.key} not in Secret ${ref.secretKeyRef.name}`);
      }
      env[e.name] = data[ref.secretKeyRef.key];
    } else if (ref?.configMapKeyRef) {
      env[e.name] = configMapData(docs, ref.configMapKeyRef.name)[ref.configMapKeyRef.key];
    } else if (ref) {
      throw new Error(`env ${e.name}: valueFrom ${Object.keys(ref).join(",")} is not supported here`);
    } else {
      env[e.name] = expandVars(String(e.value ?? ""), env);
    }
  }
  return env;
}

/** command and args with `$(VAR)` expanded (either may be absent: the image's entrypoint/cmd). */
export function commandLine(
  container: any,
  env: Record<string, string>,
): { command?: string[]; args?: string[] } {
  const x = (l?: string[]) => l?.map((s) => expandVars(String(s), env));
  return { command: x(container.command), args: x(container.args) };
}

/** A volume mount resolved to what backs it. */
export interface Mount {
  mountPath: string;
  subPath?: string;
  readOnly: boolean;
  /** volume name: a claim template, a PVC, an emptyDir, or a ConfigMap */
  volume: string;
  source:
    | { kind: "pvc"; claim: string }
    | { kind: "emptyDir" }
    | { kind: "configMap"; data: Record<string, string> };
}

/** The volume mounts of a container with their sources. */
export function mountsOf(docs: any[], workload: any, container: any): Mount[] {
  const spec = podSpec(workload);
  const claims = new Set((workload.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name));
  return (container.volumeMounts ?? []).map((m: any): Mount => {
    const base = { mountPath: m.mountPath, subPath: m.subPath, readOnly: !!m.readOnly, volume: m.name };
    if (claims.has(m.name)) return { ...base, source: { kind: "pvc", claim: m.name } };
    const v = (spec.volumes ?? []).find((x: any) => x.name === m.name);
    if (!v) throw new Error(`volume ${m.name} of ${container.name} is not defined`);
    if (v.emptyDir) return { ...base, source: { kind: "emptyDir" } };
    if (v.persistentVolumeClaim)
      return { ...base, source: { kind: "pvc", claim: v.persistentVolumeClaim.claimName } };
    if (v.configMap)
      return { ...base, source: { kind: "configMap", data: configMapData(docs, v.configMap.name) } };
    throw new Error(`volume ${m.name}: only emptyDir, PVC and ConfigMap volumes are supported here`);
  });
}

/** A probe handler reduced to what a test runs: a shell-free argv, an HTTP GET or a TCP connect. */
export type Probe =
  | { exec: string[] }
  | { httpGet: { path: string; port: number; scheme: string } }
  | { tcpSocket: { port: number } };

/** A container's probe with named ports resolved to numbers. */
export function probeOf(container: any, kind: "startupProbe" | "readinessProbe" | "livenessProbe"): Probe {
  const p = container[kind];
  if (!p) throw new Error(`container ${container.name} has no ${kind}`);
  const port = (x: string | number) => {
    if (typeof x === "number") return x;
    const named = (container.ports ?? []).find((c: any) => c.name === x);
    if (!named) throw new Error(`${kind} of ${container.name}: no container port named ${x}`);
    return named.containerPort as number;
  };
  if (p.exec) return { exec: p.exec.command };
  if (p.httpGet) {
    return {
      httpGet: {
        path: p.httpGet.path ?? "/",
        port: port(p.httpGet.port),
        scheme: p.httpGet.scheme ?? "HTTP",
      },
    };
  }
  if (p.tcpSocket) return { tcpSocket: { port: port(p.tcpSocket.port) } };
  throw new Error(`${kind} of ${container.name}: no handler`);
}
