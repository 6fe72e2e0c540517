/** The Dify release: the bundled chart installed with helm.v3.Release, plus what users need to reach it. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartDigest, chartName, chartPath, instanceSelector, migrateJobName } from "./chart-contract";
import { ClusterReader } from "./cluster";
import { DifyConfig } from "./config";
import { HelmRecord, withStatus } from "./helm-storage";
import { externalUrl, publicHost, setupUrl, UrlHost } from "./host";
import { NamespacePlan } from "./namespace";
import {
  diagnoseFailure,
  HelmOperation,
  interruptedDescription,
  newest,
  newestDeployed,
  recoveryBefore,
  staleAfterSeconds,
} from "./recovery";
import { DifyCredentials } from "./secrets";
import { TraefikInfo } from "./traefik";
import { buildChartValues, difyImageTagIn } from "./values";

export interface DifyReleaseArgs {
  config: DifyConfig;
  traefik: TraefikInfo;
  credentials: DifyCredentials;
  /** Whether the program owns the namespace (components/namespace.ts). */
  namespacePlan: NamespacePlan;
  /** bootstrap.retryOf (components/bootstrap.ts nextRetryOf); "" for none. */
  bootstrapRetryOf?: string;
  /** Cluster access of the hooks: Helm's records before Helm acts, the workloads after a failure. */
  cluster: ClusterReader;
  /** deployment.repair (components/recovery.ts planRepair). */
  repair: number;
  /**
   * Whether the engine takes resource and error hooks (hooksReachEngine). Without them index.ts
   * resumes an interrupted revision itself before registering, and a failure is explained at the
   * start of the next run (components/recovery.ts lastFailure).
   */
  hooks: boolean;
}

/**
 * Whether resource hooks reach the engine: the SDK asks the engine (SupportsFeature), but a
 * Node.js language host older than hooks (such as the v3.68 stand-in this project's tests build)
 * relays the monitor without RegisterResourceHook. Registers a hook no resource uses and reports
 * whether the call was implemented.
 */
export async function hooksReachEngine(): Promise<boolean> {
  // The SDK's gRPC monitor and generated protobuf modules have no public typings.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const monitor = (pulumi.runtime as unknown as { getMonitor(): any }).getMonitor();
  if (!monitor?.registerResourceHook) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RegisterResourceHookRequest } = require("@pulumi/pulumi/proto/resource_pb");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Callback } = require("@pulumi/pulumi/proto/callback_pb");
  const cb = new Callback();
  cb.setTarget("127.0.0.1:1");
  cb.setToken("dify-nkp-probe");
  const req = new RegisterResourceHookRequest();
  req.setName("dify-nkp-hook-probe");
  req.setCallback(cb);
  return new Promise((resolve) =>
    monitor.registerResourceHook(req, (err: { code?: number } | null) => resolve(!err || err.code !== 12)),
  );
}

/** The operator's message for a failed Helm operation (diagnoseFailure on what the cluster shows). */
export async function explainFailure(
  cluster: ClusterReader,
  cfg: DifyConfig,
  op: HelmOperation,
  errors: string[],
): Promise<string | undefined> {
  const [workloads, migrateJob, records] = await Promise.all([
    cluster.listWorkloads(cfg.namespace, instanceSelector(cfg.releaseName)),
    cluster.readJobOutcome(cfg.namespace, migrateJobName(cfg.releaseName)),
    cluster.listHelmRecords(cfg.namespace, cfg.releaseName),
  ]);
  const deployed = newestDeployed(records);
  return diagnoseFailure(errors, {
    namespace: cfg.namespace,
    releaseId: `${cfg.namespace}/${cfg.releaseName}`,
    instanceSelector: instanceSelector(cfg.releaseName),
    timeoutSeconds: cfg.helmTimeoutSeconds,
    op,
    migrateJob,
    workloads,
    deployed: deployed && { revision: deployed.revision, imageTag: difyImageTagIn(deployed.config) },
  });
}

/**
 * The failure of the newest revision, explained from Helm's own description of it, for the run
 * after it (where no error hook explained it as it happened). Undefined when it did not fail.
 */
export async function explainLastFailure(
  cluster: ClusterReader,
  cfg: DifyConfig,
  records: HelmRecord[],
): Promise<string | undefined> {
  const last = newest(records);
  if (!last || last.status !== "failed" || last.description === interruptedDescription) return undefined;
  const op: HelmOperation = newestDeployed(records) ? "update" : "create";
  const message = await explainFailure(cluster, cfg, op, [last.description]);
  const id = `${cfg.namespace}/${cfg.releaseName}`;
  return message && `The last change of ${id} (revision ${last.revision}) failed. ${message}`;
}

/**
 * Marks a revision an interrupted run left pending failed so that Helm resumes: right before
 * Helm acts (a hook) or, without hooks, before the release is registered in a real run.
 */
export async function resumeInterrupted(
  cluster: ClusterReader,
  cfg: DifyConfig,
  op: HelmOperation,
  log: (note: string) => void,
): Promise<void> {
  const releaseId = `${cfg.namespace}/${cfg.releaseName}`;
  const records = await cluster.listHelmRecords(cfg.namespace, cfg.releaseName);
  const clock = { now: new Date(), staleSeconds: staleAfterSeconds(cfg.helmTimeoutSeconds) };
  const plan = recoveryBefore(op, records, chartName, releaseId, clock);
  if (plan.action !== "mark-failed") return;
  const update = withStatus(plan.record, "failed", plan.description, new Date());
  await cluster.updateHelmRecord(cfg.namespace, plan.record, update);
  log(plan.note);
}

/**
 * One Helm release of chart/, through the Kubernetes provider given in opts (children inherit
 * it), in a namespace that either exists already (checked, never relabelled) or is created
 * here with the Pod Security labels of components/namespace.ts. The namespace is never deleted
 * by `pulumi destroy`: it holds the retained PVCs and the credentials Secret
 * (helm.sh/resource-policy: keep) a later stack adopts.
 *
 * Resource hooks (they run in `up`, never in `preview`): right before Helm installs or upgrades,
 * a revision an interrupted run left pending is marked failed, so Helm resumes instead of
 * refusing (`replace: true` lets an install take over such a release); after a failure, the
 * operator gets a message naming the failed migration Job or the workloads that were not Ready.
 */
export class DifyRelease extends pulumi.ComponentResource {
  public readonly url: string;
  public readonly setupUrl: string;
  /** Host in the URL: dify:externalHost or the Traefik address (IPv6 in brackets). */
  public readonly address: UrlHost;
  public readonly namespace: string;
  public readonly releaseName: string;
  public readonly initPassword: pulumi.Output<string>;
  /** The admin password of the unattended first run (secret); undefined without dify:adminEmail. */
  public readonly adminPassword?: pulumi.Output<string>;
  public readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: DifyReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dify-nkp:index:DifyRelease", name, {}, opts);
    const cfg = args.config;
    this.address = publicHost(cfg, args.traefik.address);
    this.url = externalUrl(cfg.scheme, this.address, cfg.path);
    this.setupUrl = setupUrl(this.url);
    this.namespace = cfg.namespace;
    this.releaseName = cfg.releaseName;
    this.initPassword = pulumi.secret(args.credentials.values.apply((c) => c.initPassword));
    if (cfg.bootstrap)
      this.adminPassword = pulumi.secret(args.credentials.values.apply((c) => c.adminPassword));

    // A content hash of chart/ in the values: any chart edit changes the release inputs.
    const digest = chartDigest();
    const values = pulumi.secret(
      args.credentials.values.apply((creds) =>
        buildChartValues(
          cfg,
          creds,
          this.address,
          args.traefik.namespace,
          digest,
          args.bootstrapRetryOf,
          args.repair,
        ),
      ),
    );
    // A hook registers with the engine when it is constructed: only when the engine takes them.
    const hooks = args.hooks ? this.hooks(name, args) : undefined;
    // retainOnDelete: destroy leaves the namespace and its data. A later stack finds it by its
    // created-by label and applies the same object again (server-side apply updates it).
    const namespace = args.namespacePlan.manage
      ? new k8s.core.v1.Namespace(
          `${name}-namespace`,
          { metadata: { name: cfg.namespace, labels: args.namespacePlan.labels } },
          { parent: this, retainOnDelete: true },
        )
      : undefined;
    this.release = new k8s.helm.v3.Release(
      name,
      {
        name: cfg.releaseName,
        chart: chartPath,
        namespace: cfg.namespace,
        // The namespace exists before the release (created above, or by its owner).
        createNamespace: false,
        values,
        timeout: cfg.helmTimeoutSeconds,
        skipAwait: false,
        waitForJobs: true,
        atomic: false,
        cleanupOnFail: false,
        maxHistory: 10,
        // An install over a release left failed (or marked failed by the hook above) takes it
        // over instead of "cannot re-use a name that is still in use" (helm install --replace).
        replace: true,
      },
      { parent: this, dependsOn: namespace ? [namespace] : [], hooks },
    );
    this.registerOutputs({ url: this.url, setupUrl: this.setupUrl, address: this.address });
  }

  /** Resume an interrupted revision right before Helm acts; explain a failure as it happens. */
  private hooks(name: string, args: DifyReleaseArgs): pulumi.ResourceHookBinding {
    const cfg = args.config;
    const cluster = args.cluster;
    const releaseId = `${cfg.namespace}/${cfg.releaseName}`;
    const resume = (op: HelmOperation) =>
      new pulumi.ResourceHook(`${name}-resume-before-${op}`, () =>
        resumeInterrupted(cluster, cfg, op, (note) => pulumi.log.warn(note, this)),
      );
    const explain = new pulumi.ErrorHook(`${name}-explain-failure`, async (hook) => {
      try {
        const op: HelmOperation = hook.failedOperation === "create" ? "create" : "update";
        const message = await explainFailure(cluster, cfg, op, hook.errors);
        if (message) pulumi.log.error(message, this);
      } catch (e) {
        pulumi.log.warn(`Could not inspect ${releaseId} after the failure: ${(e as Error).message}`, this);
      }
      return false;
    });
    return { beforeCreate: [resume("create")], beforeUpdate: [resume("update")], onError: [explain] };
  }
}
