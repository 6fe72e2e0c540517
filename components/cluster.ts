/**
 * Read-only access to the target cluster for what Pulumi cannot express: listing Services
 * by label, reading the retained credentials Secret, listing IngressClasses and CRDs.
 * The reader is replaceable so unit tests never touch a cluster.
 */
import * as k8s from "@kubernetes/client-node";

export interface ServiceSummary {
  namespace: string;
  name: string;
  type: string;
  labels: Record<string, string>;
  ingress: { ip?: string; hostname?: string }[];
}

export interface ClusterReader {
  listServices(): Promise<ServiceSummary[]>;
  readService(namespace: string, name: string): Promise<ServiceSummary | undefined>;
  /** Decoded data of a Secret, or undefined when it does not exist. */
  readSecretData(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  listIngressClasses(): Promise<string[]>;
  hasCrd(name: string): Promise<boolean>;
}

function summary(s: k8s.V1Service): ServiceSummary {
  return {
    namespace: s.metadata?.namespace ?? "",
    name: s.metadata?.name ?? "",
    type: s.spec?.type ?? "ClusterIP",
    labels: s.metadata?.labels ?? {},
    ingress: (s.status?.loadBalancer?.ingress ?? []).map((i) => ({ ip: i.ip, hostname: i.hostname })),
  };
}

function isNotFound(e: unknown): boolean {
  const code = (e as { code?: number; statusCode?: number }).code ?? (e as { statusCode?: number }).statusCode;
  return code === 404;
}

/** A reader on the kubeconfig the Kubernetes provider uses (stack config, else KUBECONFIG). */
export function kubeReader(kubeconfig?: string, context?: string): ClusterReader {
  const kc = new k8s.KubeConfig();
  if (kubeconfig && kubeconfig.trim().startsWith("apiVersion")) kc.loadFromString(kubeconfig);
  else if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  if (context) kc.setCurrentContext(context);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const net = kc.makeApiClient(k8s.NetworkingV1Api);
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  return {
    async listServices() {
      return (await core.listServiceForAllNamespaces()).items.map(summary);
    },
    async readService(namespace, name) {
      try {
        return summary(await core.readNamespacedService({ namespace, name }));
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async readSecretData(namespace, name) {
      try {
        const s = await core.readNamespacedSecret({ namespace, name });
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, "base64").toString("utf8");
        return out;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async listIngressClasses() {
      return (await net.listIngressClass()).items.map((c) => c.metadata?.name ?? "");
    },
    async hasCrd(name) {
      try {
        await ext.readCustomResourceDefinition({ name });
        return true;
      } catch (e) {
        if (isNotFound(e)) return false;
        throw e;
      }
    },
  };
}

let override: ClusterReader | undefined;

/** Replaces the cluster reader (unit tests). */
export function setClusterReader(r: ClusterReader | undefined): void {
  override = r;
}

export function clusterReader(kubeconfig?: string, context?: string): ClusterReader {
  return override ?? kubeReader(kubeconfig, context);
}
