/** Pure mapping from stack config, credentials and address to the chart's values (keys exactly as chart/values.yaml). */
import { createHmac } from "crypto";
import { bootstrapValues } from "./bootstrap";
import { CredentialKey, credentialKeys, DifyConfig } from "./config";
import { UrlHost } from "./host";
import type { Credentials } from "./secrets";

export type { Credentials } from "./secrets";

/**
 * Annotation value that changes with the Weaviate API key (the subchart cannot read secrets.*,
 * so without it a key change would not restart Weaviate). An HMAC keyed with SECRET_KEY, so the
 * annotation, readable by anyone who may read pods, reveals nothing about the key.
 */
export function weaviateKeyChecksum(creds: Pick<Credentials, "secretKey" | "weaviateApiKey">): string {
  return createHmac("sha256", creds.secretKey).update(creds.weaviateApiKey).digest("hex");
}

/**
 * Namespaces whose pods may reach web, api and the plugin daemon: the platform Traefik's and
 * the release's own (the chart's podSelector rules cover Dify's components already).
 */
export function ingressNamespaces(traefikNamespace: string | undefined, releaseNamespace: string): string[] {
  return [...new Set([traefikNamespace, releaseNamespace].filter((n): n is string => !!n))];
}

/** Where buildChartValues puts each credential (a unit test keeps both in step). */
export const credentialValuePaths: Record<CredentialKey, readonly string[]> = {
  secretKey: ["secrets", "difySecretKey"],
  initPassword: ["secrets", "initPassword"],
  postgresPassword: ["postgresql", "auth", "password"],
  redisPassword: ["redis", "auth", "password"],
  pluginDaemonKey: ["secrets", "pluginDaemonKey"],
  pluginInnerApiKey: ["secrets", "pluginInnerApiKey"],
  sandboxApiKey: ["secrets", "sandboxApiKey"],
  weaviateApiKey: ["secrets", "weaviateApiKey"],
  adminPassword: ["secrets", "adminPassword"],
};

function at(values: Record<string, unknown>, keys: readonly string[]): unknown {
  let v: unknown = values;
  for (const k of keys) v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** The non-empty credentials found in chart values (e.g. a Helm record's), by credential key. */
export function credentialsInValues(values: Record<string, unknown>): Partial<Credentials> {
  const out: Partial<Credentials> = {};
  for (const k of credentialKeys) {
    const v = at(values, credentialValuePaths[k]);
    if (typeof v === "string" && v !== "") out[k] = v;
  }
  return out;
}

/** The Dify image tag in chart values (images.dify.tag), e.g. of a Helm record. */
export function difyImageTagIn(values: Record<string, unknown>): string | undefined {
  const tag = at(values, ["images", "dify", "tag"]);
  return typeof tag === "string" && tag !== "" ? tag : undefined;
}

/**
 * Values for chart/ (keys exactly as chart/values.yaml). bootstrapRetryOf: bootstrap.retryOf,
 * from the last bootstrap Job (components/bootstrap.ts nextRetryOf); repair: deployment.repair
 * (components/recovery.ts planRepair).
 */
export function buildChartValues(
  cfg: DifyConfig,
  creds: Credentials,
  host: UrlHost,
  traefikNamespace: string | undefined,
  chartDigest: string,
  bootstrapRetryOf = "",
  repair = 0,
): Record<string, unknown> {
  const img = cfg.images;
  return {
    global: {
      imageRegistry: cfg.imageRegistry,
      imagePullSecrets: cfg.imagePullSecrets,
      imagePullPolicy: "",
      existingSecret: "",
      sizing: cfg.sizing,
    },
    expose: {
      ingressClassName: cfg.ingressClassName,
      path: cfg.path,
      entrypoints: cfg.entrypoints,
      tls: cfg.tls,
      annotations: {},
      middlewareCrd: cfg.subPath,
      rootRedirects: cfg.rootRedirects,
    },
    external: { scheme: cfg.scheme, host },
    images: {
      dify: { repository: cfg.imageRepository, tag: cfg.imageTag },
      // basePath is what the image was built with: the path in sub-path mode, "" (none) at the root.
      web: cfg.webImage
        ? {
            repository: cfg.webImage.repository,
            tag: cfg.webImage.tag,
            basePath: cfg.subPath ? cfg.webImageBasePath : "",
          }
        : { repository: "", tag: "", basePath: "" },
      pluginDaemon: { repository: img.pluginDaemonRepository, tag: img.pluginDaemonTag },
      sandbox: { repository: img.sandboxRepository, tag: img.sandboxTag },
      postgres: { repository: img.postgresRepository, tag: img.postgresTag },
      redis: { repository: img.redisRepository, tag: img.redisTag },
      ssrfProxy: { repository: img.ssrfProxyRepository, tag: img.ssrfProxyTag },
    },
    secrets: {
      difySecretKey: creds.secretKey,
      initPassword: creds.initPassword,
      openaiApiKey: cfg.openaiApiKey ?? "",
      pluginDaemonKey: creds.pluginDaemonKey,
      pluginInnerApiKey: creds.pluginInnerApiKey,
      sandboxApiKey: creds.sandboxApiKey,
      weaviateApiKey: creds.weaviateApiKey,
      adminPassword: creds.adminPassword,
    },
    storage: { storageClassName: cfg.storageClass },
    postgresql: {
      enabled: cfg.postgresEnabled,
      auth: {
        username: cfg.postgresUser,
        password: creds.postgresPassword,
        database: cfg.postgresDatabase,
        pluginDatabase: "",
      },
      persistence: { size: cfg.sizes.postgres, storageClass: "" },
      external: { host: cfg.postgresHost ?? "", port: cfg.postgresPort ? String(cfg.postgresPort) : "" },
    },
    redis: {
      enabled: cfg.redisEnabled,
      auth: { password: creds.redisPassword },
      persistence: { size: cfg.sizes.redis, storageClass: "" },
      external: { host: cfg.redisHost ?? "", port: cfg.redisPort ? String(cfg.redisPort) : "" },
    },
    weaviate: {
      enabled: true,
      image: { repository: img.weaviateRepository, tag: img.weaviateTag },
      persistence: { enabled: true, size: cfg.sizes.weaviate, storageClass: cfg.weaviateStorageClass },
      podAnnotations: { "checksum/credentials": weaviateKeyChecksum(creds) },
    },
    dify: {
      fileStorage: {
        enabled: true,
        size: cfg.sizes.difyFiles,
        storageClass: cfg.filesStorageClass === cfg.storageClass ? "" : cfg.filesStorageClass,
        accessMode: cfg.filesAccessMode,
        s3: cfg.s3
          ? {
              enabled: true,
              endpoint: cfg.s3.endpoint,
              bucket: cfg.s3.bucket,
              region: cfg.s3.region,
              accessKey: cfg.s3.accessKey,
              secretKey: cfg.s3.secretKey,
              addressStyle: cfg.s3.addressStyle,
            }
          : { enabled: false },
      },
      marketplaceEnabled: cfg.marketplaceEnabled,
      pipMirrorUrl: cfg.pipMirrorUrl,
      pluginMaxPackageSize: cfg.pluginMaxPackageSize,
      internalFilesUrl: cfg.internalFilesUrl,
    },
    pluginDaemon: { persistence: { size: cfg.sizes.pluginDaemon, storageClass: "" } },
    ssrfProxy: { enabled: cfg.ssrfProxy },
    networkPolicy: {
      enabled: cfg.networkPolicy,
      ingressNamespaces: ingressNamespaces(traefikNamespace, cfg.namespace),
    },
    bootstrap: bootstrapValues(cfg.bootstrap, cfg.openaiApiKey !== undefined, bootstrapRetryOf),
    tests: { enabled: true },
    deployment: { chartDigest, repair: String(repair) },
  };
}
