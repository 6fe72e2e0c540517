/** The Dify release: the bundled chart installed with helm.v3.Release, plus what users need to reach it. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartDigest, chartPath } from "./chart-contract";
import { DifyConfig } from "./config";
import { NamespacePlan } from "./namespace";
import { DifyCredentials } from "./secrets";
import { TraefikInfo } from "./traefik";
import { externalUrl, publicHost, setupUrl, UrlHost } from "./host";
import { buildChartValues } from "./values";

export interface DifyReleaseArgs {
  config: DifyConfig;
  traefik: TraefikInfo;
  credentials: DifyCredentials;
  /** Whether the program owns the namespace (components/namespace.ts). */
  namespacePlan: NamespacePlan;
  /** bootstrap.retryOf (components/bootstrap.ts nextRetryOf); "" for none. */
  bootstrapRetryOf?: string;
}

/**
 * One Helm release of chart/, through the Kubernetes provider given in opts (children inherit
 * it), in a namespace that either exists already (checked, never relabelled) or is created
 * here with the Pod Security labels of components/namespace.ts. The namespace is never deleted
 * by `pulumi destroy`: it holds the retained PVCs and the credentials Secret
 * (helm.sh/resource-policy: keep) a later stack adopts.
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
    if (cfg.bootstrap) this.adminPassword = pulumi.secret(args.credentials.values.apply((c) => c.adminPassword));

    // A content hash of chart/ in the values: any chart edit changes the release inputs.
    const digest = chartDigest();
    const values = pulumi.secret(
      args.credentials.values.apply((creds) =>
        buildChartValues(cfg, creds, this.address, args.traefik.namespace, digest, args.bootstrapRetryOf)),
    );
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
      },
      { parent: this, dependsOn: namespace ? [namespace] : [] },
    );
    this.registerOutputs({ url: this.url, setupUrl: this.setupUrl, address: this.address });
  }
}
