/** Renders chart/ with the built Helm and parses the manifests. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { repoRoot, tool } from "../lib/paths";

export const chartDir = path.join(repoRoot, "chart");

export const ciDir = path.join(chartDir, "ci");

/** The values of chart/ci/<name>-values.yaml (name without the suffix, e.g. "05-s3-files"). */
export function ciValues(name: string): any {
  return YAML.parse(fs.readFileSync(path.join(ciDir, `${name}-values.yaml`), "utf8"));
}

/**
 * A complete valid set of values: chart/ci/00-path-mode-values.yaml (test placeholders only;
 * every credential starts with "test-"). A fresh copy on every call.
 */
export function baseValues(): any {
  return ciValues("00-path-mode");
}

/** Every credential in a values object (the strings that must never leave the Secret). */
export function credentialsOf(v: any): string[] {
  const s3 = v.dify?.fileStorage?.s3 ?? {};
  return [...Object.values(v.secrets ?? {}), v.postgresql?.auth?.password, v.redis?.auth?.password, s3.accessKey, s3.secretKey]
    .filter((s): s is string => typeof s === "string" && s !== "");
}

/** Deep merge (objects merged, arrays and scalars replaced); never mutates its inputs. */
export function merge(a: any, b: any): any {
  if (b === undefined) return structuredClone(a);
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const out: any = structuredClone(a);
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
    return out;
  }
  return structuredClone(b);
}

/** Sets a dotted key ("a.b.c") in a copy of an object. */
export function withValue(values: any, dotted: string, value: unknown): any {
  const out = structuredClone(values);
  const keys = dotted.split(".");
  let o = out;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys[keys.length - 1]] = value;
  return out;
}

export interface Rendered {
  status: number;
  stderr: string;
  docs: any[];
  text: string;
}

export interface RenderOpts {
  helm?: string;
  kubeVersion?: string;
  release?: string;
  namespace?: string;
  extra?: string[];
  chart?: string;
}

function helmTemplate(args: string[], opts: RenderOpts): Rendered {
  const r = spawnSync(opts.helm ?? tool("helm"), [
    "template", opts.release ?? "dify", opts.chart ?? chartDir, "-n", opts.namespace ?? "dify",
    "--kube-version", opts.kubeVersion ?? "1.34.0", ...args, ...(opts.extra ?? []),
  ], { encoding: "utf8" });
  const docs = r.status === 0 ? YAML.parseAllDocuments(r.stdout).map((d) => d.toJSON()).filter((d) => d) : [];
  return { status: r.status ?? 1, stderr: r.stderr, docs, text: r.stdout };
}

/** helm template of chart/ with the given values (merged over none; pass baseValues() yourself). */
export function render(values: any, opts: RenderOpts = {}): Rendered {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
  const file = path.join(dir, "values.yaml");
  fs.writeFileSync(file, YAML.stringify(values), { mode: 0o600 });
  try {
    return helmTemplate(["-f", file], opts);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * helm template with --set only, the way a user runs the chart alone:
 * renderChart({ "expose.path": "/", ... }). Lists use Helm's {a,b} syntax.
 */
export function renderChart(setValues: Record<string, string>, opts: RenderOpts = {}): Rendered {
  const sets = Object.entries(setValues).flatMap(([k, v]) => ["--set", `${k}=${v.replace(/,/g, "\\,")}`]);
  return helmTemplate(sets, opts);
}

/** The --set form of a values object (dotted keys; lists as {a,b}). */
export function toSetValues(values: any, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values ?? {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v)) out[key] = `{${v.join(",")}}`;
    else if (v && typeof v === "object") Object.assign(out, toSetValues(v, key));
    else out[key] = String(v);
  }
  return out;
}

const cache = new Map<string, any[]>();

/** Renders and fails the test with Helm's message if rendering fails (memoised per values and options). */
export function renderOk(values: any, opts: RenderOpts = {}): any[] {
  const key = JSON.stringify([values, opts]);
  const hit = cache.get(key);
  if (hit) return structuredClone(hit);
  const r = render(values, opts);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  cache.set(key, r.docs);
  return structuredClone(r.docs);
}

/**
 * NOTES.txt as Helm prints it after an install (helm template does not render notes, and
 * install --dry-run needs a cluster): a copy of the chart renders it as a template.
 */
export function renderNotes(values: any, opts: RenderOpts = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notes-"));
  try {
    const copy = path.join(dir, "chart");
    fs.cpSync(chartDir, copy, { recursive: true });
    const notes = path.join(copy, "templates", "NOTES.txt");
    fs.writeFileSync(path.join(copy, "templates", "_notes-under-test.tpl"), `{{- define "test.notes" -}}\n${fs.readFileSync(notes, "utf8")}\n{{- end -}}\n`);
    fs.rmSync(notes);
    fs.writeFileSync(path.join(copy, "templates", "notes-under-test.yaml"), 'kind: Notes\ntext: |\n{{- include "test.notes" . | nindent 2 }}\n');
    const r = render(values, { ...opts, chart: copy, extra: ["--show-only", "templates/notes-under-test.yaml"] });
    if (r.status !== 0) throw new Error(`rendering NOTES.txt failed: ${r.stderr}`);
    return r.docs[0].text;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const find = (docs: any[], kind: string, name: string) => {
  const d = docs.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!d) throw new Error(`${kind}/${name} not rendered; have ${docs.map((x) => `${x.kind}/${x.metadata?.name}`).join(", ")}`);
  return d;
};

/** Pod spec of a workload (Deployment, StatefulSet, Job) or a Pod. */
export const podSpec = (d: any) => (d.kind === "Pod" ? d.spec : d.spec.template.spec);

/** Pod labels of a workload or a Pod. */
export const podLabels = (d: any): Record<string, string> => (d.kind === "Pod" ? d.metadata.labels : d.spec.template.metadata.labels) ?? {};

/** All containers of a workload, init containers included. */
export const containers = (d: any): any[] => [...(podSpec(d).initContainers ?? []), ...podSpec(d).containers];

/** env of a workload's main container as name -> value | {secret: key, from: secret name}. */
export function envOf(d: any, container?: string): Record<string, any> {
  const c = podSpec(d).containers.find((x: any) => !container || x.name === container);
  const out: Record<string, any> = {};
  for (const e of c.env ?? []) out[e.name] = e.valueFrom?.secretKeyRef ? { secret: e.valueFrom.secretKeyRef.key, from: e.valueFrom.secretKeyRef.name } : e.value;
  return out;
}

export const workloads = (docs: any[]) => docs.filter((d) => ["Deployment", "StatefulSet", "Job", "Pod"].includes(d.kind));

/** Does a label selector ({matchLabels, matchExpressions} or a plain map) select these labels? */
export function selects(selector: any, labels: Record<string, string>): boolean {
  const matchLabels = selector.matchLabels ?? (selector.matchExpressions ? {} : selector);
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  return (selector.matchExpressions ?? []).every((m: any) => {
    switch (m.operator) {
      case "In": return m.values.includes(labels[m.key]);
      case "NotIn": return !m.values.includes(labels[m.key]);
      case "Exists": return m.key in labels;
      case "DoesNotExist": return !(m.key in labels);
      default: throw new Error(`operator ${m.operator}`);
    }
  });
}

// The Kubernetes client's quantity parser ("250m", "512Mi", "1.5"), not a hand-rolled one.
const { quantityToScalar } = require("@kubernetes/client-node/dist/util.js");

/** A Kubernetes quantity as a number (cores or bytes). */
export const quantity = (q: string | number): number => Number(quantityToScalar(String(q)));

/**
 * Sum of the requests of the long-running workloads and Jobs (CPU cores, bytes), each pod
 * counted as the scheduler does: max(largest init container, sum of containers), times replicas.
 */
export function totalRequests(docs: any[]): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const w of workloads(docs).filter((d) => d.kind !== "Pod")) {
    const spec = podSpec(w);
    const sum = (res: "cpu" | "memory") => spec.containers.reduce((n: number, c: any) => n + quantity(c.resources.requests[res]), 0);
    const init = (res: "cpu" | "memory") => Math.max(0, ...(spec.initContainers ?? []).map((c: any) => quantity(c.resources.requests[res])));
    const replicas = w.kind === "Job" ? 1 : (w.spec.replicas ?? 1);
    cpu += Math.max(sum("cpu"), init("cpu")) * replicas;
    memory += Math.max(sum("memory"), init("memory")) * replicas;
  }
  return { cpu, memory };
}
