/**
 * Access to the target cluster for what Pulumi cannot express: listing Services by label,
 * reading the retained credentials Secret, IngressClasses, CRDs, the last bootstrap Job with its
 * pods, Helm's release records, the release's PVCs, workloads and migration Job. Read-only but
 * for one write: a Helm release record marked failed after an interrupted run
 * (updateHelmRecord), as Helm itself does.
 * The reader is replaceable so unit tests never touch a cluster.
 */
import * as os from "os";
import * as path from "path";
import * as k8s from "@kubernetes/client-node";
import { BootstrapJob, jobRunOf, JobObject, PodObject } from "./bootstrap";
import { UserError } from "./errors";
import { HelmRecord, parseRecord, recordSelector } from "./helm-storage";
import type { NamespaceSummary } from "./namespace";
import { JobFacts, WorkloadReadiness } from "./recovery";

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
  /** Labels of a namespace; undefined when it does not exist, "forbidden" when RBAC does not allow reading it. */
  readNamespace(name: string): Promise<NamespaceSummary | undefined | "forbidden">;
  /** Decoded data of a Secret, or undefined when it does not exist. */
  readSecretData(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  listIngressClasses(): Promise<string[]>;
  /** Whether a CustomResourceDefinition exists; undefined when RBAC does not allow reading it. */
  hasCrd(name: string): Promise<boolean | undefined>;
  /** A Job and the termination message of its newest pod, or undefined when it does not exist. */
  readJob(namespace: string, name: string): Promise<BootstrapJob | undefined>;
  /** Helm's records of a release (storage Secrets), decoded; [] when there are none. */
  listHelmRecords(namespace: string, release: string): Promise<HelmRecord[]>;
  /** Names of the PersistentVolumeClaims matching a label selector. */
  listPvcNames(namespace: string, selector: string): Promise<string[]>;
  /** Readiness of the Deployments and StatefulSets matching a label selector. */
  listWorkloads(namespace: string, selector: string): Promise<WorkloadReadiness[]>;
  /** How a Job (the migration) ended, or undefined when it does not exist. */
  readJobOutcome(namespace: string, name: string): Promise<JobFacts | undefined>;
  /**
   * Replaces a Helm record's payload and labels, on the condition that the Secret is still at
   * the resourceVersion it was read at (a concurrent Helm write makes this fail, not clobber).
   */
  updateHelmRecord(
    namespace: string,
    rec: HelmRecord,
    update: { release: string; labels: Record<string, string> },
  ): Promise<void>;
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

function statusOf(e: unknown): number | undefined {
  const x = e as { code?: number; statusCode?: number };
  return x.code ?? x.statusCode;
}
const isNotFound = (e: unknown) => statusOf(e) === 404;
const isForbidden = (e: unknown) => statusOf(e) === 403;

/** The useful part of a client error: the API's Status message, else the first line. */
function errorDetail(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  if (typeof body === "string") {
    try {
      const m = JSON.parse(body)?.message;
      if (typeof m === "string") return m;
    } catch {
      // not JSON
    }
  }
  const cause = (e as { cause?: { message?: string } }).cause?.message;
  const msg = ((e as { message?: string }).message ?? String(e)).split("\n")[0];
  return cause ? `${msg} (${cause})` : msg;
}

/**
 * An error of a cluster read turned into a message a user can act on: what was being done,
 * against which API server, and where the connection settings come from.
 */
export function clusterError(e: unknown, what: string, server: string | undefined): UserError {
  const status = statusOf(e);
  const detail = errorDetail(e);
  if (status === 401)
    return new UserError(
      `The Kubernetes API server ${server ?? ""} refused the credentials when trying to ${what} (HTTP 401): renew the kubeconfig (KUBECONFIG or kubernetes:kubeconfig).`,
    );
  if (status === 403)
    return new UserError(
      `Not allowed to ${what} (HTTP 403, RBAC): the deploying identity needs read access to it. ${detail}`,
    );
  if (status !== undefined && status >= 400 && status < 600)
    return new UserError(`Kubernetes API error when trying to ${what}: HTTP ${status}: ${detail}`);
  return new UserError(
    `Cannot reach the Kubernetes API server ${server ?? "(none configured)"} when trying to ${what}: ${detail}. ` +
      "Check KUBECONFIG (or kubernetes:kubeconfig) and kubernetes:context.",
  );
}

/**
 * How `kubernetes:kubeconfig` is read, as the Kubernetes provider reads it: the file's
 * content (YAML or JSON) or a path to it (`~/` expanded).
 */
export function kubeconfigSource(value: string, home = os.homedir()): { content: string } | { file: string } {
  const v = value.trim();
  if (v.includes("\n") || v.startsWith("{") || v.startsWith("apiVersion")) return { content: value };
  return { file: v.startsWith("~/") ? path.join(home, v.slice(2)) : v };
}

/**
 * The cluster the program deploys to, resolved once: the reader and the Kubernetes provider
 * both use it. `kubeconfig` is the resolved config as text for the provider (paths made
 * absolute); undefined in a pod, where the provider finds the in-cluster account itself.
 */
export interface KubeAccess {
  config: k8s.KubeConfig;
  kubeconfig?: string;
}

/** Resolves kubernetes:kubeconfig / kubernetes:context, else KUBECONFIG / ~/.kube/config, as the provider would. */
export function resolveKube(kubeconfig?: string, context?: string): KubeAccess {
  const kc = new k8s.KubeConfig();
  if (kubeconfig) {
    const src = kubeconfigSource(kubeconfig);
    if ("content" in src) kc.loadFromString(src.content);
    else kc.loadFromFile(src.file);
  } else kc.loadFromDefault();
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw new UserError(
        `kubernetes:context "${context}" is not in the kubeconfig (contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(", ") || "none"
        })`,
      );
    }
    kc.setCurrentContext(context);
  }
  // client-node's in-cluster user (a token file) has no kubeconfig form the provider reads.
  const inCluster = kc.getCurrentUser()?.name === "inClusterUser";
  return { config: kc, kubeconfig: inCluster ? undefined : kc.exportConfig() };
}

/** A reader on the resolved cluster. */
export function kubeReader(kube: KubeAccess): ClusterReader {
  const kc = kube.config;
  const server = kc.getCurrentCluster()?.server;
  const fail =
    (what: string) =>
    (e: unknown): never => {
      throw clusterError(e, what, server);
    };
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const net = kc.makeApiClient(k8s.NetworkingV1Api);
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  return {
    async listServices() {
      try {
        return (await core.listServiceForAllNamespaces()).items.map(summary);
      } catch (e) {
        if (isForbidden(e)) {
          throw new UserError(
            "Not allowed to list Services in all namespaces (RBAC), so the platform Traefik cannot be discovered: " +
              "set dify:traefikNamespace and dify:traefikServiceName to its LoadBalancer Service (NKP: kommander / kommander-traefik).",
          );
        }
        return fail("list Services in all namespaces")(e);
      }
    },
    async readService(namespace, name) {
      try {
        return summary(await core.readNamespacedService({ namespace, name }));
      } catch (e) {
        if (isNotFound(e)) return undefined;
        return fail(`read Service ${namespace}/${name}`)(e);
      }
    },
    async readNamespace(name) {
      try {
        const ns = await core.readNamespace({ name });
        return { name, labels: ns.metadata?.labels ?? {} };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        if (isForbidden(e)) return "forbidden";
        return fail(`read Namespace ${name}`)(e);
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
        return fail(`read the credentials Secret ${namespace}/${name}`)(e);
      }
    },
    async listIngressClasses() {
      return (await net.listIngressClass().catch(fail("list IngressClasses"))).items.map(
        (c) => c.metadata?.name ?? "",
      );
    },
    async readJob(namespace, name) {
      try {
        const job = await batch.readNamespacedJob({ namespace, name });
        const pods = await core.listNamespacedPod({
          namespace,
          labelSelector: `batch.kubernetes.io/job-name=${name}`,
        });
        return jobRunOf(job as JobObject, pods.items as PodObject[]);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        return fail(`read the Job ${namespace}/${name}`)(e);
      }
    },
    async listHelmRecords(namespace, release) {
      const what = `list the Helm records of ${namespace}/${release}`;
      const list = await core
        .listNamespacedSecret({ namespace, labelSelector: recordSelector(release) })
        .catch(fail(what));
      return list.items
        .filter((s) => s.type === "helm.sh/release.v1" && s.data?.release)
        .map((s) =>
          parseRecord({
            name: s.metadata?.name ?? "",
            resourceVersion: s.metadata?.resourceVersion,
            labels: s.metadata?.labels ?? {},
            release: Buffer.from(s.data?.release ?? "", "base64").toString("utf8"),
          }),
        );
    },
    async listPvcNames(namespace, selector) {
      const list = await core
        .listNamespacedPersistentVolumeClaim({ namespace, labelSelector: selector })
        .catch(fail(`list the PersistentVolumeClaims of ${namespace}`));
      return list.items.map((p) => p.metadata?.name ?? "").sort();
    },
    async listWorkloads(namespace, selector) {
      const what = `list the workloads of ${namespace}`;
      const [deps, sets] = await Promise.all([
        apps.listNamespacedDeployment({ namespace, labelSelector: selector }).catch(fail(what)),
        apps.listNamespacedStatefulSet({ namespace, labelSelector: selector }).catch(fail(what)),
      ]);
      const of = (
        kind: WorkloadReadiness["kind"],
        w: k8s.V1Deployment | k8s.V1StatefulSet,
      ): WorkloadReadiness => ({
        kind,
        name: w.metadata?.name ?? "",
        desired: w.spec?.replicas ?? 1,
        ready: w.status?.readyReplicas ?? 0,
        updated: w.status?.updatedReplicas ?? 0,
        observed: (w.status?.observedGeneration ?? 0) >= (w.metadata?.generation ?? 0),
      });
      return [...deps.items.map((d) => of("Deployment", d)), ...sets.items.map((s) => of("StatefulSet", s))];
    },
    async readJobOutcome(namespace, name) {
      try {
        const j = await batch.readNamespacedJob({ namespace, name });
        const cond = (t: string) => j.status?.conditions?.find((c) => c.type === t && c.status === "True");
        return {
          name,
          image: j.spec?.template?.spec?.containers?.[0]?.image,
          failedPods: j.status?.failed ?? 0,
          failedReason: cond("Failed")?.reason,
          complete: cond("Complete") !== undefined,
        };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        return fail(`read the Job ${namespace}/${name}`)(e);
      }
    },
    async updateHelmRecord(namespace, rec, update) {
      const where = `${namespace}/${rec.secretName}`;
      const s = await core
        .readNamespacedSecret({ namespace, name: rec.secretName })
        .catch(fail(`read ${where}`));
      if (rec.resourceVersion && s.metadata?.resourceVersion !== rec.resourceVersion) {
        throw new UserError(
          `The Helm record ${where} changed while this run read it: ` +
            "another Helm operation is running. Wait for it to end, then run pulumi up again.",
        );
      }
      s.metadata = { ...s.metadata, labels: { ...s.metadata?.labels, ...update.labels } };
      s.data = { ...s.data, release: Buffer.from(update.release, "utf8").toString("base64") };
      await core
        .replaceNamespacedSecret({ namespace, name: rec.secretName, body: s })
        .catch(fail(`update ${where}`));
    },
    async hasCrd(name) {
      try {
        await ext.readCustomResourceDefinition({ name });
        return true;
      } catch (e) {
        if (isNotFound(e)) return false;
        if (isForbidden(e)) return undefined;
        return fail(`read CustomResourceDefinition ${name}`)(e);
      }
    },
  };
}

let override: ClusterReader | undefined;

/** Replaces the cluster reader (unit tests). */
export function setClusterReader(r: ClusterReader | undefined): void {
  override = r;
}

export function clusterReader(kube: KubeAccess): ClusterReader {
  return override ?? kubeReader(kube);
}
