/** The Dify release: the bundled chart installed with helm.v3.Release. */
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartDigest } from "./chart-digest";
import { DifyConfig } from "./config";
import { DifyCredentials } from "./secrets";
import { TraefikInfo } from "./traefik";
import { buildChartValues, externalUrl, setupUrl } from "./values";

/** Absolute path of the bundled chart (next to this folder, wherever the project is checked out). */
export const chartPath = path.join(__dirname, "..", "chart");

export interface DifyReleaseArgs {
  config: DifyConfig;
  traefik: TraefikInfo;
  credentials: DifyCredentials;
  provider?: k8s.Provider;
}

export class DifyRelease extends pulumi.ComponentResource {
  public readonly url: string;
  public readonly setupUrl: string;
  public readonly host: string;
  public readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: DifyReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dify-nkp:index:DifyRelease", name, {}, opts);
    const cfg = args.config;
    this.host = cfg.externalHost ?? (args.traefik.address as string);
    this.url = externalUrl(cfg.scheme, this.host, cfg.path);
    this.setupUrl = setupUrl(this.url);
    const values = pulumi.secret(
      args.credentials.values.apply((creds) => buildChartValues(cfg, creds, this.host, args.traefik.namespace, chartDigest(chartPath))),
    );
    this.release = new k8s.helm.v3.Release(
      name,
      {
        name: cfg.releaseName,
        chart: chartPath,
        namespace: cfg.namespace,
        createNamespace: true,
        values,
        timeout: cfg.helmTimeoutSeconds,
        skipAwait: false,
        waitForJobs: true,
        atomic: false,
        cleanupOnFail: false,
        maxHistory: 10,
      },
      { parent: this, provider: args.provider },
    );
    this.registerOutputs({ url: this.url, setupUrl: this.setupUrl });
  }
}
