/** Renders chart/ with the built Helm and parses the manifests. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { repoRoot, tool } from "../lib/paths";

export const chartDir = path.join(repoRoot, "chart");

/** A complete valid set of values (test placeholders only; secrets are recognisable markers). */
export function baseValues(): any {
  return {
    expose: { ingressClassName: "kommander-traefik", path: "/dify", entrypoints: ["websecure"], tls: true },
    external: { scheme: "https", host: "198.51.100.10" },
    images: {
      dify: { repository: "langgenius/dify", tag: "1.11.4" },
      web: { repository: "registry.example.local/dify/dify-web", tag: "1.11.4-dify", basePath: "/dify" },
      pluginDaemon: { repository: "langgenius/dify-plugin-daemon", tag: "0.5.2-local" },
      sandbox: { repository: "langgenius/dify-sandbox", tag: "0.2.12" },
      postgres: { repository: "postgres", tag: "16.10" },
      redis: { repository: "redis", tag: "7.4.5" },
      ssrfProxy: { repository: "ubuntu/squid", tag: "6.6-24.04_beta" },
    },
    secrets: {
      difySecretKey: "SECRETVALUE-secretkey-0123456789abcdef", initPassword: "SECRETVALUE-init",
      pluginDaemonKey: "SECRETVALUE-pdk", pluginInnerApiKey: "SECRETVALUE-inner", sandboxApiKey: "SECRETVALUE-sbx",
      weaviateApiKey: "SECRETVALUE-wv", openaiApiKey: "SECRETVALUE-openai",
    },
    storage: { storageClassName: "nutanix-volume" },
    postgresql: { auth: { username: "dify", password: "SECRETVALUE-pg", database: "dify" }, persistence: { size: "20Gi" } },
    redis: { auth: { password: "SECRETVALUE-redis" }, persistence: { size: "8Gi" } },
    weaviate: { image: { repository: "semitechnologies/weaviate", tag: "1.27.0" }, persistence: { size: "50Gi", storageClass: "nutanix-volume" } },
    dify: { fileStorage: { size: "20Gi" } },
    pluginDaemon: { persistence: { size: "10Gi" } },
    networkPolicy: { ingressNamespaces: ["kommander"] },
  };
}

/** Deep merge (objects merged, arrays and scalars replaced). */
export function merge(a: any, b: any): any {
  if (b === undefined) return a;
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const out: any = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
    return out;
  }
  return b;
}

export interface Rendered {
  status: number;
  stderr: string;
  docs: any[];
  text: string;
}

/** helm template of chart/ with the given values (merged over none; pass baseValues() yourself). */
export function render(values: any, opts: { helm?: string; kubeVersion?: string; release?: string; namespace?: string; extra?: string[] } = {}): Rendered {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
  const file = path.join(dir, "values.yaml");
  fs.writeFileSync(file, YAML.stringify(values));
  const r = spawnSync(opts.helm ?? tool("helm"), [
    "template", opts.release ?? "dify", chartDir, "-n", opts.namespace ?? "dify", "-f", file,
    "--kube-version", opts.kubeVersion ?? "1.34.0", ...(opts.extra ?? []),
  ], { encoding: "utf8" });
  fs.rmSync(dir, { recursive: true, force: true });
  const docs = r.status === 0 ? YAML.parseAllDocuments(r.stdout).map((d) => d.toJSON()).filter((d) => d) : [];
  return { status: r.status ?? 1, stderr: r.stderr, docs, text: r.stdout };
}

/** Renders and fails the test with Helm's message if rendering fails. */
export function renderOk(values: any, opts: Parameters<typeof render>[1] = {}): any[] {
  const r = render(values, opts);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return r.docs;
}

export const find = (docs: any[], kind: string, name: string) => {
  const d = docs.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!d) throw new Error(`${kind}/${name} not rendered; have ${docs.map((x) => `${x.kind}/${x.metadata?.name}`).join(", ")}`);
  return d;
};

/** Pod spec of a workload (Deployment, StatefulSet, Job) or a Pod. */
export const podSpec = (d: any) => (d.kind === "Pod" ? d.spec : d.spec.template.spec);

/** All containers of a workload, init containers included. */
export const containers = (d: any) => [...(podSpec(d).initContainers ?? []), ...podSpec(d).containers];

/** env of a workload's main container as name -> value | {secret: key}. */
export function envOf(d: any, container?: string): Record<string, any> {
  const c = podSpec(d).containers.find((x: any) => !container || x.name === container);
  const out: Record<string, any> = {};
  for (const e of c.env ?? []) out[e.name] = e.valueFrom?.secretKeyRef ? { secret: e.valueFrom.secretKeyRef.key, from: e.valueFrom.secretKeyRef.name } : e.value;
  return out;
}

export const workloads = (docs: any[]) => docs.filter((d) => ["Deployment", "StatefulSet", "Job", "Pod"].includes(d.kind));

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { quantityToScalar } = require("@kubernetes/client-node/dist/util.js");

/** Sum of the main containers' requests of the long-running and Job workloads (CPU cores, bytes). */
export function totalRequests(docs: any[]): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const w of workloads(docs).filter((d) => d.kind !== "Pod")) {
    for (const c of podSpec(w).containers) {
      cpu += Number(quantityToScalar(c.resources.requests.cpu)) * (w.spec.replicas ?? 1);
      memory += Number(quantityToScalar(c.resources.requests.memory)) * (w.spec.replicas ?? 1);
    }
  }
  return { cpu, memory };
}
