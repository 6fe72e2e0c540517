/**
 * Stack configuration (namespace `dify:`): keys, defaults, the version matrix and validation.
 * parseConfig is pure: it takes raw strings and returns a typed config or throws a
 * ConfigError listing every problem, before any resource is touched.
 */

/** Companion images of a Dify release (what upstream's docker-compose pins for that version). */
export interface CompanionImages {
  pluginDaemonTag: string;
  sandboxTag: string;
  weaviateTag: string;
  postgresTag: string;
  redisTag: string;
  ssrfProxyTag: string;
}

/** Version matrix: Dify version -> companion image tags. Add a row per supported version. */
export const versionMatrix: Record<string, CompanionImages> = {
  "1.11.4": {
    pluginDaemonTag: "0.5.2-local",
    sandboxTag: "0.2.12",
    weaviateTag: "1.27.0",
    postgresTag: "16.10",
    redisTag: "7.4.5",
    ssrfProxyTag: "6.6-24.04_beta",
  },
};

export const defaultImageTag = "1.11.4";

/** Credentials the program generates unless given as secret config. */
export const credentialKeys = [
  "secretKey",
  "initPassword",
  "postgresPassword",
  "redisPassword",
  "pluginDaemonKey",
  "pluginInnerApiKey",
  "sandboxApiKey",
  "weaviateApiKey",
] as const;
export type CredentialKey = (typeof credentialKeys)[number];

export interface DifyConfig {
  imageTag: string;
  imageRepository: string;
  images: CompanionImages & { pluginDaemonRepository: string; sandboxRepository: string; weaviateRepository: string; postgresRepository: string; redisRepository: string; ssrfProxyRepository: string };
  webImage?: { repository: string; tag: string };
  webImageBasePath: string;
  imageRegistry: string;
  imagePullSecrets: string[];
  namespace: string;
  releaseName: string;
  path: string;
  ingressClassName: string;
  entrypoints: string[];
  tls: boolean;
  scheme: "http" | "https";
  externalHost?: string;
  traefikNamespace?: string;
  traefikServiceName?: string;
  addressTimeoutSeconds: number;
  helmTimeoutSeconds: number;
  storageClass: string;
  weaviateStorageClass: string;
  filesStorageClass: string;
  filesAccessMode: "ReadWriteOnce" | "ReadWriteMany";
  sizes: { postgres: string; redis: string; weaviate: string; difyFiles: string; pluginDaemon: string };
  postgresUser: string;
  postgresDatabase: string;
  postgresEnabled: boolean;
  postgresHost?: string;
  postgresPort?: number;
  redisEnabled: boolean;
  redisHost?: string;
  redisPort?: number;
  s3?: { endpoint: string; bucket: string; region: string; accessKey: string; secretKey: string; addressStyle: string };
  marketplaceEnabled: boolean;
  pipMirrorUrl: string;
  networkPolicy: boolean;
  ssrfProxy: boolean;
  openaiApiKey?: string;
  /** Credentials given as secret config (override generated and adopted values). */
  credentials: Partial<Record<CredentialKey, string>>;
}

/** Every problem found in the configuration, each naming its key and the fix. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid stack configuration (${problems.length} problem(s)):\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** Keys read as secrets (never printed). */
export const secretConfigKeys = [...credentialKeys, "openaiApiKey", "s3AccessKey", "s3SecretKey"];

/** All keys the program reads, for the unknown-key check. */
export const knownKeys = [
  "imageTag", "imageRepository", "pluginDaemonTag", "sandboxTag", "weaviateTag", "postgresTag", "redisTag", "ssrfProxyTag",
  "pluginDaemonImage", "sandboxImage", "weaviateImage", "postgresImage", "redisImage", "ssrfProxyImage",
  "webImage", "webImageBasePath", "imageRegistry", "imagePullSecrets", "namespace", "releaseName", "path",
  "ingressClassName", "entrypoints", "tls", "scheme", "externalHost", "traefikNamespace", "traefikServiceName",
  "addressTimeoutSeconds", "helmTimeoutSeconds", "storageClass", "weaviateStorageClass", "filesStorageClass", "filesAccessMode",
  "postgresSize", "redisSize", "weaviateSize", "difyFilesSize", "pluginDaemonSize", "postgresUser", "postgresDatabase",
  "postgresHost", "postgresPort", "redisHost", "redisPort", "s3Endpoint", "s3Bucket", "s3Region", "s3AddressStyle",
  "marketplaceEnabled", "pipMirrorUrl", "networkPolicy", "ssrfProxy", ...secretConfigKeys,
];

// Kubernetes resource.Quantity grammar (decimal or binary SI suffix, or exponent).
const quantityRe = /^[+]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const dnsLabelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const hostRe = /^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f]*:[0-9A-Fa-f:.]+|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/;
const imageRefRe = /^([a-z0-9.\-_/:]+?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))$/;

/** True when s is a positive Kubernetes quantity such as 20Gi. */
export function isQuantity(s: string): boolean {
  return quantityRe.test(s) && !/^[+]?0*(\.0*)?([A-Za-z].*)?$/.test(s);
}

/** Splits "repo/name:tag" (registry host with port allowed) into repository and tag. */
export function parseImageRef(ref: string): { repository: string; tag: string } | undefined {
  const m = imageRefRe.exec(ref);
  if (!m || m[1].endsWith("/")) return undefined;
  return { repository: m[1], tag: m[2] };
}

/** Parses and validates raw config strings (key without the `dify:` prefix). */
export function parseConfig(raw: Record<string, string | undefined>): DifyConfig {
  const problems: string[] = [];
  const get = (k: string): string | undefined => {
    const v = raw[k];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const str = (k: string, def: string) => get(k) ?? def;
  const bool = (k: string, def: boolean): boolean => {
    const v = get(k);
    if (v === undefined) return def;
    if (v === "true" || v === "false") return v === "true";
    problems.push(`dify:${k} must be true or false (got "${v}")`);
    return def;
  };
  const int = (k: string, def: number | undefined, min: number, max: number): number | undefined => {
    const v = get(k);
    if (v === undefined) return def;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`dify:${k} must be a whole number from ${min} to ${max} (got "${v}")`);
      return def;
    }
    return Number(v);
  };
  const list = (k: string, def: string[]): string[] => {
    const v = get(k);
    if (v === undefined) return def;
    return v.split(",").map((s) => s.trim()).filter((s) => s !== "");
  };

  for (const k of Object.keys(raw)) {
    if (!knownKeys.includes(k)) problems.push(`dify:${k} is not a known setting (see docs/config.md for the list)`);
  }

  // Images and versions.
  const imageTag = str("imageTag", defaultImageTag);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(imageTag)) problems.push(`dify:imageTag "${imageTag}" is not a valid image tag (e.g. 1.11.4)`);
  const row = versionMatrix[imageTag];
  const companionKeys: (keyof CompanionImages)[] = ["pluginDaemonTag", "sandboxTag", "weaviateTag", "postgresTag", "redisTag", "ssrfProxyTag"];
  const companions = {} as CompanionImages;
  const missing: string[] = [];
  for (const k of companionKeys) {
    const v = get(k) ?? row?.[k];
    if (v === undefined) missing.push(`dify:${k}`);
    companions[k] = v ?? "";
  }
  if (missing.length > 0) {
    problems.push(
      `dify:imageTag ${imageTag} is not in the version matrix (known: ${Object.keys(versionMatrix).join(", ")}): ` +
        `give its companion image tags explicitly: ${missing.join(", ")} (see upstream docker-compose.yaml of that release)`,
    );
  }
  const weaviateTag = companions.weaviateTag;
  const wv = /^(\d+)\.(\d+)/.exec(weaviateTag);
  if (weaviateTag && (!wv || Number(wv[1]) < 1 || (Number(wv[1]) === 1 && Number(wv[2]) < 27))) {
    problems.push(`dify:weaviateTag "${weaviateTag}" is too old or not a version: Dify 1.11 needs Weaviate >= 1.27`);
  }
  const repoOf = (k: string, def: string) => {
    const v = str(k, def);
    if (!/^[a-z0-9]+([._\-/][a-z0-9]+)*$/.test(v)) problems.push(`dify:${k} "${v}" is not an image repository (e.g. ${def})`);
    return v;
  };

  // Exposure.
  const path = str("path", "/dify");
  if (!path.startsWith("/")) problems.push(`dify:path "${path}" must start with / (e.g. /dify, or / for root mode)`);
  else if (path !== "/" && path.endsWith("/")) problems.push(`dify:path "${path}" must not end with / (use ${path.replace(/\/+$/, "")})`);
  else if (!/^\/[A-Za-z0-9._~/-]*$/.test(path)) problems.push(`dify:path "${path}" may contain only letters, digits and . _ ~ - /`);

  let webImage: { repository: string; tag: string } | undefined;
  const webRaw = get("webImage");
  if (webRaw !== undefined) {
    webImage = parseImageRef(webRaw);
    if (!webImage) problems.push(`dify:webImage "${webRaw}" must be repository:tag (e.g. registry.example.local/dify/dify-web:1.11.4-dify)`);
  }
  const webImageBasePath = str("webImageBasePath", path);
  if (path !== "/" && !webImage) {
    problems.push(
      `dify:path is ${path}, but the official dify-web image only serves at "/" (its base path is compiled in). ` +
        `Build a web image for ${path} with "scripts/build-web-image.sh --base-path ${path} --image <registry>/dify-web:${imageTag}-${path.replace(/\//g, "") || "root"}", ` +
        `push it, and set dify:webImage to it; or set dify:path to / to serve Dify at the root.`,
    );
  }
  if (webImage && webImageBasePath !== path) {
    problems.push(`dify:webImageBasePath "${webImageBasePath}" must equal dify:path "${path}": the web image only works under the base path it was built with`);
  }

  const scheme = str("scheme", "https");
  if (scheme !== "http" && scheme !== "https") problems.push(`dify:scheme must be http or https (got "${scheme}")`);

  const externalHost = get("externalHost");
  if (externalHost !== undefined) {
    if (externalHost.includes("://")) problems.push(`dify:externalHost "${externalHost}" must not contain a scheme (set dify:scheme instead)`);
    else if (externalHost.includes("/")) problems.push(`dify:externalHost "${externalHost}" must not contain a path (set dify:path instead)`);
    else if (!hostRe.test(externalHost)) problems.push(`dify:externalHost "${externalHost}" must be a DNS name or an IP address, without port`);
  }

  const traefikNamespace = get("traefikNamespace");
  const traefikServiceName = get("traefikServiceName");
  if ((traefikNamespace === undefined) !== (traefikServiceName === undefined)) {
    problems.push("dify:traefikNamespace and dify:traefikServiceName must be set together (both name the Traefik LoadBalancer Service)");
  }
  for (const [k, v] of [["namespace", str("namespace", "dify")], ["releaseName", str("releaseName", "dify")], ["traefikNamespace", traefikNamespace], ["traefikServiceName", traefikServiceName]] as const) {
    if (v !== undefined && (!dnsLabelRe.test(v) || v.length > 53)) problems.push(`dify:${k} "${v}" must be a lowercase DNS label of at most 53 characters`);
  }

  // Storage.
  const storageClass = str("storageClass", "nutanix-volume");
  const sizes = {
    postgres: str("postgresSize", "20Gi"),
    redis: str("redisSize", "8Gi"),
    weaviate: str("weaviateSize", "50Gi"),
    difyFiles: str("difyFilesSize", "20Gi"),
    pluginDaemon: str("pluginDaemonSize", "10Gi"),
  };
  const sizeKeys: Record<keyof typeof sizes, string> = { postgres: "postgresSize", redis: "redisSize", weaviate: "weaviateSize", difyFiles: "difyFilesSize", pluginDaemon: "pluginDaemonSize" };
  for (const [k, v] of Object.entries(sizes) as [keyof typeof sizes, string][]) {
    if (!isQuantity(v)) problems.push(`dify:${sizeKeys[k]} "${v}" is not a positive Kubernetes quantity (e.g. 20Gi, 512Mi)`);
  }
  const filesAccessMode = str("filesAccessMode", "ReadWriteOnce");
  if (filesAccessMode !== "ReadWriteOnce" && filesAccessMode !== "ReadWriteMany") {
    problems.push(`dify:filesAccessMode must be ReadWriteOnce or ReadWriteMany (got "${filesAccessMode}")`);
  }
  const filesStorageClass = str("filesStorageClass", storageClass);
  if (filesAccessMode === "ReadWriteMany" && filesStorageClass === storageClass && get("filesStorageClass") === undefined) {
    problems.push(`dify:filesAccessMode ReadWriteMany needs dify:filesStorageClass naming an RWX class (e.g. a Nutanix Files class); ${storageClass} is block storage (RWO)`);
  }

  // Data stores.
  const postgresHost = get("postgresHost");
  const redisHost = get("redisHost");
  const s3Endpoint = get("s3Endpoint");
  const s3Bucket = get("s3Bucket");
  const s3AccessKey = get("s3AccessKey");
  const s3SecretKey = get("s3SecretKey");
  let s3: DifyConfig["s3"];
  if ([s3Endpoint, s3Bucket, s3AccessKey, s3SecretKey].some((v) => v !== undefined)) {
    const need = { s3Endpoint, s3Bucket, s3AccessKey, s3SecretKey };
    const absent = Object.entries(need).filter(([, v]) => v === undefined).map(([k]) => `dify:${k}`);
    if (absent.length > 0) problems.push(`S3 file storage needs ${absent.join(", ")} as well (set all of dify:s3Endpoint, dify:s3Bucket, dify:s3AccessKey, dify:s3SecretKey)`);
    if (s3Endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(s3Endpoint)) problems.push(`dify:s3Endpoint "${s3Endpoint}" must be an http(s) URL (e.g. https://objects.example.local)`);
    if (get("filesAccessMode") !== undefined || get("filesStorageClass") !== undefined) problems.push("dify:filesAccessMode/dify:filesStorageClass conflict with S3 file storage: choose one");
    s3 = { endpoint: s3Endpoint ?? "", bucket: s3Bucket ?? "", region: str("s3Region", "us-east-1"), accessKey: s3AccessKey ?? "", secretKey: s3SecretKey ?? "", addressStyle: str("s3AddressStyle", "path") };
  }

  const credentials: Partial<Record<CredentialKey, string>> = {};
  for (const k of credentialKeys) {
    const v = get(k);
    if (v !== undefined) credentials[k] = v;
  }
  if (credentials.initPassword !== undefined && credentials.initPassword.length > 30) {
    problems.push(`dify:initPassword has ${credentials.initPassword.length} characters; Dify accepts at most 30`);
  }
  if (credentials.redisPassword !== undefined && !/^[A-Za-z0-9._~-]+$/.test(credentials.redisPassword)) {
    problems.push("dify:redisPassword may contain only letters, digits and . _ ~ - (it is part of the Celery broker URL)");
  }
  if (credentials.secretKey !== undefined && credentials.secretKey.length < 32) {
    problems.push("dify:secretKey must have at least 32 characters (e.g. openssl rand -hex 32)");
  }

  const cfg: DifyConfig = {
    imageTag,
    imageRepository: repoOf("imageRepository", "langgenius/dify"),
    images: {
      ...companions,
      pluginDaemonRepository: repoOf("pluginDaemonImage", "langgenius/dify-plugin-daemon"),
      sandboxRepository: repoOf("sandboxImage", "langgenius/dify-sandbox"),
      weaviateRepository: repoOf("weaviateImage", "semitechnologies/weaviate"),
      postgresRepository: repoOf("postgresImage", "postgres"),
      redisRepository: repoOf("redisImage", "redis"),
      ssrfProxyRepository: repoOf("ssrfProxyImage", "ubuntu/squid"),
    },
    webImage,
    webImageBasePath,
    imageRegistry: str("imageRegistry", "").replace(/\/+$/, ""),
    imagePullSecrets: list("imagePullSecrets", []),
    namespace: str("namespace", "dify"),
    releaseName: str("releaseName", "dify"),
    path,
    ingressClassName: str("ingressClassName", "kommander-traefik"),
    entrypoints: list("entrypoints", ["websecure"]),
    tls: bool("tls", true),
    scheme: scheme as "http" | "https",
    externalHost,
    traefikNamespace,
    traefikServiceName,
    addressTimeoutSeconds: int("addressTimeoutSeconds", 300, 0, 3600)!,
    helmTimeoutSeconds: int("helmTimeoutSeconds", 900, 60, 7200)!,
    storageClass,
    weaviateStorageClass: str("weaviateStorageClass", storageClass),
    filesStorageClass,
    filesAccessMode: filesAccessMode as DifyConfig["filesAccessMode"],
    sizes,
    postgresUser: str("postgresUser", "dify"),
    postgresDatabase: str("postgresDatabase", "dify"),
    postgresEnabled: postgresHost === undefined,
    postgresHost,
    postgresPort: int("postgresPort", undefined, 1, 65535),
    redisEnabled: redisHost === undefined,
    redisHost,
    redisPort: int("redisPort", undefined, 1, 65535),
    s3,
    marketplaceEnabled: bool("marketplaceEnabled", true),
    pipMirrorUrl: str("pipMirrorUrl", ""),
    networkPolicy: bool("networkPolicy", true),
    ssrfProxy: bool("ssrfProxy", false),
    openaiApiKey: get("openaiApiKey"),
    credentials,
  };
  if (cfg.postgresPort !== undefined && cfg.postgresEnabled) problems.push("dify:postgresPort applies to an external PostgreSQL: set dify:postgresHost too, or remove dify:postgresPort");
  if (cfg.redisPort !== undefined && cfg.redisEnabled) problems.push("dify:redisPort applies to an external Redis: set dify:redisHost too, or remove dify:redisPort");
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(cfg.storageClass)) problems.push(`dify:storageClass "${cfg.storageClass}" is not a StorageClass name`);
  if (problems.length > 0) throw new ConfigError(problems);
  return cfg;
}
