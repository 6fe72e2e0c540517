/**
 * Stack configuration (namespace `dify:`): keys, defaults, the version matrix and validation.
 * parseConfig is pure: it takes raw strings and returns a typed config or throws a
 * ConfigError listing every problem, before any resource is touched. It imports nothing
 * from Pulumi; components/stack-config.ts feeds it the stack's values.
 *
 * Defaults repeat the ones declared in Pulumi.yaml (a unit test keeps both in step), so the
 * result is the same whether a key is absent or carries its project default. For the same
 * reason no rule here depends on whether a key was "set": only on its value.
 */
import { isIP } from "net";
import { UserError } from "./errors";

/** Companion images of a Dify release (what upstream's docker-compose pins for that version). */
export interface CompanionImages {
  pluginDaemonTag: string;
  sandboxTag: string;
  weaviateTag: string;
  postgresTag: string;
  redisTag: string;
  ssrfProxyTag: string;
}

/**
 * Version matrix: Dify version -> companion image tags. Add a row per supported version.
 * 1.11.4: plugin daemon and sandbox as in upstream's docker-compose of the release; Weaviate
 * 1.27.0 (the api's v4 gRPC client needs >= 1.27); Postgres 16 and Redis 7 as the original
 * spec asks (compose pins 15/6); Squid pinned instead of compose's `latest`.
 */
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

export type AccessMode = "ReadWriteOnce" | "ReadWriteMany";

export interface DifyConfig {
  imageTag: string;
  imageRepository: string;
  images: CompanionImages & {
    pluginDaemonRepository: string;
    sandboxRepository: string;
    weaviateRepository: string;
    postgresRepository: string;
    redisRepository: string;
    ssrfProxyRepository: string;
  };
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
  /** Public host replacing the Traefik address; an IPv6 address is stored in brackets. */
  externalHost?: string;
  traefikNamespace?: string;
  traefikServiceName?: string;
  addressTimeoutSeconds: number;
  helmTimeoutSeconds: number;
  storageClass: string;
  weaviateStorageClass: string;
  filesStorageClass: string;
  filesAccessMode: AccessMode;
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
  /** Credentials given as secret config (override adopted and generated values). */
  credentials: Partial<Record<CredentialKey, string>>;
  /** Things that work but deserve a look; the program logs them as warnings. */
  warnings: string[];
}

/** Every problem found in the configuration, each naming its key and the fix. */
export class ConfigError extends UserError {
  constructor(public readonly problems: string[]) {
    super(`Invalid stack configuration (${problems.length} problem(s)):\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** Keys holding secrets: set them with `pulumi config set --secret`; never printed. */
export const secretConfigKeys: readonly string[] = [...credentialKeys, "openaiApiKey", "s3AccessKey", "s3SecretKey"];

/** All keys the program reads (Pulumi.yaml declares exactly these). */
export const knownKeys: readonly string[] = [
  "imageTag", "imageRepository", "pluginDaemonTag", "sandboxTag", "weaviateTag", "postgresTag", "redisTag", "ssrfProxyTag",
  "pluginDaemonImage", "sandboxImage", "weaviateImage", "postgresImage", "redisImage", "ssrfProxyImage",
  "webImage", "webImageBasePath", "imageRegistry", "imagePullSecrets", "namespace", "releaseName", "path",
  "ingressClassName", "entrypoints", "tls", "scheme", "externalHost", "traefikNamespace", "traefikServiceName",
  "addressTimeoutSeconds", "helmTimeoutSeconds", "storageClass", "weaviateStorageClass", "filesStorageClass", "filesAccessMode",
  "postgresSize", "redisSize", "weaviateSize", "difyFilesSize", "pluginDaemonSize", "postgresUser", "postgresDatabase",
  "postgresHost", "postgresPort", "redisHost", "redisPort", "s3Endpoint", "s3Bucket", "s3Region", "s3AddressStyle",
  "marketplaceEnabled", "pipMirrorUrl", "networkPolicy", "ssrfProxy", ...secretConfigKeys,
];

/** The StorageClass of Nutanix Volumes (block storage: ReadWriteOnce only). */
export const nutanixBlockClass = "nutanix-volume";

// ---------------------------------------------------------------------------------------
// Small parsers (pure, exported for tests)

const quantityRe = /^([0-9]+(\.[0-9]+)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const quantityFactor: Record<string, number> = {
  "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/**
 * Bytes of a storage quantity such as 20Gi, or undefined when it is not one. Accepts the
 * subset of Kubernetes' resource.Quantity the chart accepts for volume sizes: a plain
 * decimal number with an optional binary (Ki..Ei) or decimal (k..E) suffix; no sign, no
 * exponent, no milli.
 */
export function parseQuantity(s: string): number | undefined {
  const m = quantityRe.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * quantityFactor[m[3] ?? ""];
}

/** True when s is a positive storage quantity. */
export function isQuantity(s: string): boolean {
  const q = parseQuantity(s);
  return q !== undefined && q > 0;
}

/** Splits "registry[:port]/repo/name:tag" into repository and tag (digests are not supported). */
export function parseImageRef(ref: string): { repository: string; tag: string } | undefined {
  const m = /^([a-z0-9.\-_/:]+?):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(ref);
  if (!m || m[1].endsWith("/") || m[1].startsWith("/") || m[1].includes("//")) return undefined;
  return { repository: m[1], tag: m[2] };
}

const dnsLabelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const hostnameRe = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Checks a host that browsers use (no scheme, port or path). Returns the host for URLs (an
 * IPv6 address in brackets) or the reason it is not one.
 */
export function checkHost(value: string): { host: string } | { reason: string } {
  if (value.includes("://")) return { reason: "must not contain a scheme" };
  if (value.includes("/")) return { reason: "must not contain a path" };
  if (value.startsWith("[") && value.endsWith("]")) {
    return isIP(value.slice(1, -1)) === 6 ? { host: value } : { reason: "has brackets around something that is not an IPv6 address" };
  }
  if (isIP(value) === 6) return { host: `[${value}]` };
  if (isIP(value) === 4) return { host: value };
  if (/:\d*$/.test(value)) return { reason: "must be a host without port (Traefik serves Dify on its websecure entrypoint, 443)" };
  if (/^[0-9.]+$/.test(value)) return { reason: "is not a valid IPv4 address" };
  if (value.length > 253 || !hostnameRe.test(value)) return { reason: "must be a DNS name or an IP address, without port" };
  return { host: value };
}

// ---------------------------------------------------------------------------------------

/** Parses and validates raw config strings (key without the `dify:` prefix). */
export function parseConfig(raw: Record<string, string | undefined>): DifyConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
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
  const name = (k: string, v: string | undefined, re: RegExp, max: number, what: string) => {
    const chars = re === dnsSubdomainRe ? "lowercase letters, digits, - and ." : "lowercase letters, digits and -";
    if (v !== undefined && (!re.test(v) || v.length > max)) problems.push(`dify:${k} "${v}" must be ${what} (${chars}; at most ${max} characters)`);
  };

  for (const k of Object.keys(raw)) {
    if (!knownKeys.includes(k)) problems.push(`dify:${k} is not a known setting (see docs/config.md for the list)`);
  }

  // Images and versions.
  const imageTag = str("imageTag", defaultImageTag);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(imageTag)) problems.push(`dify:imageTag "${imageTag}" is not a valid image tag (e.g. ${defaultImageTag})`);
  const ssrfProxy = bool("ssrfProxy", false);
  const row = versionMatrix[imageTag];
  // An unknown version needs the tag of every companion image the release runs.
  const companionKeys: (keyof CompanionImages)[] = ["pluginDaemonTag", "sandboxTag", "weaviateTag", "postgresTag", "redisTag", "ssrfProxyTag"];
  const companions = {} as CompanionImages;
  const missing: string[] = [];
  for (const k of companionKeys) {
    const v = get(k) ?? row?.[k];
    if (v === undefined && (k !== "ssrfProxyTag" || ssrfProxy)) missing.push(`dify:${k}`);
    companions[k] = v ?? "";
  }
  if (missing.length > 0) {
    problems.push(
      `dify:imageTag ${imageTag} is not in the version matrix (known: ${Object.keys(versionMatrix).join(", ")}): ` +
        `give its companion image tags explicitly: ${missing.join(", ")} (read them from upstream's docker/docker-compose.yaml of that release), ` +
        `or add a row to versionMatrix in components/config.ts`,
    );
  }
  for (const k of companionKeys) {
    const v = companions[k];
    if (v !== "" && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(v)) problems.push(`dify:${k} "${v}" is not a valid image tag`);
  }
  const wv = /^v?(\d+)\.(\d+)/.exec(companions.weaviateTag);
  if (companions.weaviateTag && (!wv || Number(wv[1]) < 1 || (Number(wv[1]) === 1 && Number(wv[2]) < 27))) {
    problems.push(`dify:weaviateTag "${companions.weaviateTag}" is too old or not a version: Dify 1.11 needs Weaviate >= 1.27 (e.g. 1.27.0)`);
  }
  const repoOf = (k: string, def: string) => {
    const v = str(k, def);
    if (!/^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._\-/][a-z0-9]+)*$/.test(v)) problems.push(`dify:${k} "${v}" is not an image repository without tag (e.g. ${def})`);
    return v;
  };

  // Exposure.
  const path = str("path", "/dify");
  if (!path.startsWith("/")) problems.push(`dify:path "${path}" must start with / (e.g. /dify, or / for root mode)`);
  else if (path !== "/" && path.endsWith("/")) problems.push(`dify:path "${path}" must not end with / (use ${path.replace(/\/+$/, "") || "/"})`);
  else if (!/^\/[A-Za-z0-9._~/-]*$/.test(path)) problems.push(`dify:path "${path}" may contain only letters, digits and . _ ~ - /`);
  else if (path.includes("//")) problems.push(`dify:path "${path}" must not contain an empty segment (//)`);
  const pathMode = path !== "/";

  let webImage: { repository: string; tag: string } | undefined;
  const webRaw = get("webImage");
  if (webRaw !== undefined) {
    webImage = parseImageRef(webRaw);
    if (!webImage) problems.push(`dify:webImage "${webRaw}" must be repository:tag (e.g. registry.example.local/dify/dify-web:${defaultImageTag}-dify)`);
  }
  const webImageBasePath = str("webImageBasePath", path);
  if (pathMode && webRaw === undefined && path.startsWith("/")) {
    const slug = path.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
    problems.push(
      `dify:path is ${path}, but the official dify-web image only serves at "/" (its base path is compiled in at build time). ` +
        `Build a web image for ${path} with "scripts/build-web-image.sh --version ${imageTag} --base-path ${path} --image <registry>/dify-web:${imageTag}-${slug} --push" ` +
        `and set dify:webImage to that image; or set dify:path to / to serve Dify at the root with the stock image.`,
    );
  }
  if (webImage && webImageBasePath !== path) {
    problems.push(`dify:webImageBasePath "${webImageBasePath}" must equal dify:path "${path}": the web image only works under the base path it was built with (rebuild it, or change dify:path)`);
  }

  const scheme = str("scheme", "https");
  if (scheme !== "http" && scheme !== "https") problems.push(`dify:scheme must be http or https (got "${scheme}")`);

  let externalHost: string | undefined;
  const externalRaw = get("externalHost");
  if (externalRaw !== undefined) {
    const h = checkHost(externalRaw);
    if ("reason" in h) {
      const fix = h.reason.includes("scheme") ? " (set dify:scheme instead)" : h.reason.includes("path") ? " (set dify:path instead)" : "";
      problems.push(`dify:externalHost "${externalRaw}" ${h.reason}${fix}`);
    } else externalHost = h.host;
  }

  const traefikNamespace = get("traefikNamespace");
  const traefikServiceName = get("traefikServiceName");
  if ((traefikNamespace === undefined) !== (traefikServiceName === undefined)) {
    problems.push("dify:traefikNamespace and dify:traefikServiceName must be set together (both name the LoadBalancer Service of the platform Traefik)");
  }
  const namespace = str("namespace", "dify");
  const releaseName = str("releaseName", "dify");
  name("namespace", namespace, dnsLabelRe, 63, "a DNS label");
  name("releaseName", releaseName, dnsLabelRe, 53, "a DNS label");
  name("traefikNamespace", traefikNamespace, dnsLabelRe, 63, "a DNS label");
  name("traefikServiceName", traefikServiceName, dnsLabelRe, 63, "a DNS label");
  const ingressClassName = str("ingressClassName", "kommander-traefik");
  name("ingressClassName", ingressClassName, dnsSubdomainRe, 253, "an IngressClass name");
  const entrypoints = list("entrypoints", ["websecure"]);
  for (const e of entrypoints) {
    if (!/^[A-Za-z0-9_-]+$/.test(e)) problems.push(`dify:entrypoints "${e}" is not a Traefik entrypoint name (comma-separated, e.g. websecure)`);
  }
  const tls = bool("tls", true);
  if (scheme === "http" && (tls || entrypoints.includes("websecure"))) {
    warnings.push("dify:scheme is http but the Ingresses are served over TLS (dify:tls / dify:entrypoints websecure): Dify will write http:// URLs that browsers are redirected away from. Use dify:scheme https unless Traefik serves Dify on a plain-HTTP entrypoint.");
  }

  const imageRegistry = str("imageRegistry", "").replace(/\/+$/, "");
  if (imageRegistry.includes("://")) problems.push(`dify:imageRegistry "${imageRegistry}" must not contain a scheme (e.g. registry.example.local/dify)`);
  else if (imageRegistry !== "" && !/^[A-Za-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(imageRegistry)) {
    problems.push(`dify:imageRegistry "${imageRegistry}" must be a registry host with an optional project path (e.g. registry.example.local:5000/dify)`);
  }
  const imagePullSecrets = list("imagePullSecrets", []);
  for (const s of imagePullSecrets) name("imagePullSecrets", s, dnsSubdomainRe, 253, "a Secret name");

  // Storage.
  const storageClass = str("storageClass", nutanixBlockClass);
  const weaviateStorageClass = str("weaviateStorageClass", storageClass);
  const filesStorageClass = str("filesStorageClass", storageClass);
  name("storageClass", storageClass, dnsSubdomainRe, 253, "a StorageClass name");
  name("weaviateStorageClass", get("weaviateStorageClass"), dnsSubdomainRe, 253, "a StorageClass name");
  name("filesStorageClass", get("filesStorageClass"), dnsSubdomainRe, 253, "a StorageClass name");
  const sizeKeys = { postgres: "postgresSize", redis: "redisSize", weaviate: "weaviateSize", difyFiles: "difyFilesSize", pluginDaemon: "pluginDaemonSize" } as const;
  const sizeDefaults = { postgres: "20Gi", redis: "8Gi", weaviate: "50Gi", difyFiles: "20Gi", pluginDaemon: "10Gi" };
  const sizes = { ...sizeDefaults };
  for (const [k, key] of Object.entries(sizeKeys) as [keyof typeof sizes, string][]) {
    const v = str(key, sizeDefaults[k]);
    sizes[k] = v;
    const bytes = parseQuantity(v);
    if (bytes === undefined) problems.push(`dify:${key} "${v}" is not a Kubernetes quantity (e.g. 20Gi, 512Mi)`);
    else if (bytes <= 0) problems.push(`dify:${key} "${v}" must be a positive size (e.g. ${sizeDefaults[k]})`);
    else if (bytes < 2 ** 20) problems.push(`dify:${key} "${v}" is only ${bytes} bytes: add a unit (e.g. ${v}Gi)`);
  }
  const filesAccessMode = str("filesAccessMode", "ReadWriteOnce");
  if (filesAccessMode !== "ReadWriteOnce" && filesAccessMode !== "ReadWriteMany") {
    problems.push(`dify:filesAccessMode must be ReadWriteOnce or ReadWriteMany (got "${filesAccessMode}")`);
  } else if (filesAccessMode === "ReadWriteMany" && filesStorageClass === nutanixBlockClass) {
    problems.push(
      `dify:filesAccessMode ReadWriteMany needs a ReadWriteMany StorageClass, but the files volume would use ${nutanixBlockClass} (Nutanix Volumes, block storage, ReadWriteOnce only): ` +
        "set dify:filesStorageClass to a Nutanix Files class, or keep ReadWriteOnce (api and worker then share one node), or use S3 (dify:s3Endpoint)",
    );
  }

  // Data stores.
  const postgresHost = get("postgresHost");
  const redisHost = get("redisHost");
  for (const [k, v] of [["postgresHost", postgresHost], ["redisHost", redisHost]] as const) {
    if (v === undefined) continue;
    const h = checkHost(v);
    if ("reason" in h) problems.push(`dify:${k} "${v}" ${h.reason}${h.reason.includes("port") ? ` (set dify:${k.replace("Host", "Port")})` : ""}`);
  }
  const postgresPort = int("postgresPort", undefined, 1, 65535);
  const redisPort = int("redisPort", undefined, 1, 65535);
  if (postgresPort !== undefined && postgresHost === undefined) problems.push("dify:postgresPort applies to an external PostgreSQL: set dify:postgresHost too, or remove dify:postgresPort");
  if (redisPort !== undefined && redisHost === undefined) problems.push("dify:redisPort applies to an external Redis: set dify:redisHost too, or remove dify:redisPort");
  const postgresUser = str("postgresUser", "dify");
  const postgresDatabase = str("postgresDatabase", "dify");
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(postgresUser)) problems.push(`dify:postgresUser "${postgresUser}" must be a plain PostgreSQL identifier (letters, digits, _; at most 63)`);
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(postgresDatabase)) problems.push(`dify:postgresDatabase "${postgresDatabase}" must be a plain PostgreSQL identifier (letters, digits, _; at most 63)`);

  const s3Keys = ["s3Endpoint", "s3Bucket", "s3AccessKey", "s3SecretKey", "s3Region", "s3AddressStyle"] as const;
  const s3Raw = Object.fromEntries(s3Keys.map((k) => [k, get(k)])) as Record<(typeof s3Keys)[number], string | undefined>;
  let s3: DifyConfig["s3"];
  if (s3Keys.some((k) => s3Raw[k] !== undefined)) {
    const absent = (["s3Endpoint", "s3Bucket", "s3AccessKey", "s3SecretKey"] as const).filter((k) => s3Raw[k] === undefined).map((k) => `dify:${k}`);
    if (absent.length > 0) problems.push(`S3 file storage needs ${absent.join(", ")} as well (set all of dify:s3Endpoint, dify:s3Bucket, dify:s3AccessKey, dify:s3SecretKey; the keys with --secret)`);
    if (s3Raw.s3Endpoint !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(s3Raw.s3Endpoint)) problems.push(`dify:s3Endpoint "${s3Raw.s3Endpoint}" must be an http(s) URL (e.g. https://objects.example.local)`);
    if (s3Raw.s3Bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s3Raw.s3Bucket)) problems.push(`dify:s3Bucket "${s3Raw.s3Bucket}" is not an S3 bucket name (3-63 lowercase letters, digits, . and -)`);
    const addressStyle = s3Raw.s3AddressStyle ?? "path";
    if (addressStyle !== "path" && addressStyle !== "virtual") problems.push(`dify:s3AddressStyle must be path or virtual (got "${addressStyle}")`);
    if (filesAccessMode === "ReadWriteMany" || get("filesStorageClass") !== undefined) {
      problems.push("dify:filesAccessMode ReadWriteMany / dify:filesStorageClass configure the files volume, which S3 file storage replaces: remove them or the dify:s3* settings");
    }
    s3 = {
      endpoint: s3Raw.s3Endpoint ?? "",
      bucket: s3Raw.s3Bucket ?? "",
      region: s3Raw.s3Region ?? "us-east-1",
      accessKey: s3Raw.s3AccessKey ?? "",
      secretKey: s3Raw.s3SecretKey ?? "",
      addressStyle,
    };
  }

  const pipMirrorUrl = str("pipMirrorUrl", "");
  if (pipMirrorUrl !== "" && !/^https?:\/\/\S+$/.test(pipMirrorUrl)) problems.push(`dify:pipMirrorUrl "${pipMirrorUrl}" must be an http(s) URL (e.g. https://pypi.example.local/simple)`);

  // Credentials given as secret config.
  const credentials: Partial<Record<CredentialKey, string>> = {};
  for (const k of credentialKeys) {
    const v = get(k);
    if (v !== undefined) credentials[k] = v;
  }
  if (postgresHost !== undefined && credentials.postgresPassword === undefined) {
    problems.push(`dify:postgresHost is set (external PostgreSQL), so its password cannot be generated: pulumi config set --secret dify:postgresPassword <password of ${postgresUser}>`);
  }
  if (credentials.initPassword !== undefined && credentials.initPassword.length > 30) {
    problems.push(`dify:initPassword has ${credentials.initPassword.length} characters; Dify accepts at most 30`);
  }
  if (credentials.redisPassword !== undefined && !/^[A-Za-z0-9._~-]+$/.test(credentials.redisPassword)) {
    problems.push("dify:redisPassword may contain only letters, digits and . _ ~ - (it is part of the Celery broker URL)");
  }
  if (credentials.secretKey !== undefined && credentials.secretKey.length < 32) {
    warnings.push("dify:secretKey is shorter than 32 characters; keep it if an existing installation uses it, else generate a new one (openssl rand -hex 32) before the first deployment");
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
    imageRegistry,
    imagePullSecrets,
    namespace,
    releaseName,
    path,
    ingressClassName,
    entrypoints,
    tls,
    scheme: scheme as DifyConfig["scheme"],
    externalHost,
    traefikNamespace,
    traefikServiceName,
    addressTimeoutSeconds: int("addressTimeoutSeconds", 300, 1, 3600) as number,
    helmTimeoutSeconds: int("helmTimeoutSeconds", 900, 60, 7200) as number,
    storageClass,
    weaviateStorageClass,
    filesStorageClass,
    filesAccessMode: filesAccessMode as AccessMode,
    sizes,
    postgresUser,
    postgresDatabase,
    postgresEnabled: postgresHost === undefined,
    postgresHost,
    postgresPort,
    redisEnabled: redisHost === undefined,
    redisHost,
    redisPort,
    s3,
    marketplaceEnabled: bool("marketplaceEnabled", true),
    pipMirrorUrl,
    networkPolicy: bool("networkPolicy", true),
    ssrfProxy,
    openaiApiKey: get("openaiApiKey"),
    credentials,
    warnings,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return cfg;
}

/** Informational notes about a valid config (logged by the program, never containing a secret). */
export function configNotes(cfg: DifyConfig): string[] {
  const notes: string[] = [];
  if (cfg.openaiApiKey !== undefined) {
    notes.push(
      "dify:openaiApiKey is stored in the release Secret (key OPENAI_API_KEY) for the operator only: Dify 1.x reads no such variable. " +
        "To use it, sign in to Dify, open Settings > Model Provider, install the OpenAI plugin and paste the key there.",
    );
  }
  return notes;
}

/** Secret keys whose value is stored as plain text in the stack's config (isSecret says which full keys are encrypted). */
export function plainSecretKeys(raw: Record<string, string | undefined>, isSecret: (fullKey: string) => boolean): string[] {
  return secretConfigKeys.filter((k) => (raw[k] ?? "").trim() !== "" && !isSecret(`dify:${k}`));
}
