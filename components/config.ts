/**
 * Stack configuration (namespace `dify:`): the version matrix and validation. parseConfig is
 * pure: it takes raw strings and returns a typed config or throws a ConfigError listing every
 * problem, before any resource is touched. It imports nothing from Pulumi;
 * components/stack-config.ts feeds it the stack's values.
 *
 * Keys and defaults come from the catalogue (components/config-catalogue.ts), which Pulumi.yaml
 * is generated from, so the result is the same whether a key is absent or carries its project
 * default. For the same reason no rule here depends on whether a key was "set": only on its value.
 */
import { adminPasswordRule, BootstrapSettings, pluginIdRule } from "./bootstrap";
import { rootRedirectPaths } from "./chart-contract";
import { configKey, knownKeys, secretConfigKeys } from "./config-catalogue";
import { checkHost, UrlHost } from "./host";
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

/** The Dify version a stack gets unless dify:imageTag says otherwise. */
export const defaultImageTag = String(configKey("imageTag").default);

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
  "adminPassword",
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
  /** Sub-path mode (dify:path is not /): a web image built for the path, a StripPrefix Middleware. */
  subPath: boolean;
  ingressClassName: string;
  entrypoints: string[];
  tls: boolean;
  scheme: "http" | "https";
  /** Public host replacing the Traefik address (normalised: an IPv6 address in brackets). */
  externalHost?: UrlHost;
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
  s3?: {
    endpoint: string;
    bucket: string;
    region: string;
    accessKey: string;
    secretKey: string;
    addressStyle: string;
  };
  marketplaceEnabled: boolean;
  pipMirrorUrl: string;
  networkPolicy: boolean;
  ssrfProxy: boolean;
  /** Largest plugin package as the chart takes it (bytes or <n>Ki|Mi|Gi); "" leaves the chart's default. */
  pluginMaxPackageSize: string;
  /** INTERNAL_FILES_URL set to the api Service (the trade-off of docs/chart.md). */
  internalFilesUrl: boolean;
  /** Resource profile; "" leaves the chart's default (small). */
  sizing: "" | "small" | "medium";
  /** Sub-path mode: exact-path redirects of the web's root leaks (/signin, /account). */
  rootRedirects: boolean;
  openaiApiKey?: string;
  /** The unattended first run (dify:adminEmail and its companions); undefined when off. */
  bootstrap?: BootstrapSettings;
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

/** The StorageClass of Nutanix Volumes (block storage: ReadWriteOnce only). */
export const nutanixBlockClass = "nutanix-volume";

// ---------------------------------------------------------------------------------------
// Small parsers (pure, exported for tests)

const quantityRe = /^([0-9]+(\.[0-9]+)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const quantityFactor: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
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

// ---------------------------------------------------------------------------------------
// Parsing, one function per section; each reads its keys with the catalogue's defaults.

/** The raw values, read with the catalogue's defaults; collects every problem and warning. */
class Input {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  constructor(private readonly raw: Record<string, string | undefined>) {}

  /** The trimmed value; undefined when absent or empty (an empty value is the project default). */
  get(k: string): string | undefined {
    const v = this.raw[k];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  }
  /** The value, else the catalogue's default. */
  str(k: string): string {
    return this.get(k) ?? String(configKey(k).default);
  }
  bool(k: string): boolean {
    const def = configKey(k).default === true;
    const v = this.get(k);
    if (v === undefined) return def;
    if (v === "true" || v === "false") return v === "true";
    this.problems.push(`dify:${k} must be true or false (got "${v}")`);
    return def;
  }
  /** A whole number in [min, max]; the catalogue's default, or undefined when it has none. */
  int(k: string, min: number, max: number): number | undefined {
    const d = configKey(k).default;
    const def = typeof d === "number" ? d : undefined;
    const v = this.get(k);
    if (v === undefined) return def;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      this.problems.push(`dify:${k} must be a whole number from ${min} to ${max} (got "${v}")`);
      return def;
    }
    return Number(v);
  }
  /** A comma-separated list. */
  list(k: string): string[] {
    return this.str(k)
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }
  /** Checks a Kubernetes object name. */
  name(k: string, v: string | undefined, re: RegExp, max: number, what: string): void {
    const chars =
      re === dnsSubdomainRe ? "lowercase letters, digits, - and ." : "lowercase letters, digits and -";
    if (v !== undefined && (!re.test(v) || v.length > max)) {
      this.problems.push(`dify:${k} "${v}" must be ${what} (${chars}; at most ${max} characters)`);
    }
  }
}

const tagRe = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const companionKeys: (keyof CompanionImages)[] = [
  "pluginDaemonTag",
  "sandboxTag",
  "weaviateTag",
  "postgresTag",
  "redisTag",
  "ssrfProxyTag",
];

type Features = Pick<
  DifyConfig,
  | "marketplaceEnabled"
  | "pipMirrorUrl"
  | "networkPolicy"
  | "ssrfProxy"
  | "pluginMaxPackageSize"
  | "internalFilesUrl"
  | "sizing"
>;

function parseFeatures(i: Input): Features {
  const pipMirrorUrl = i.str("pipMirrorUrl");
  if (pipMirrorUrl !== "" && !/^https?:\/\/\S+$/.test(pipMirrorUrl))
    i.problems.push(
      `dify:pipMirrorUrl "${pipMirrorUrl}" must be an http(s) URL (e.g. https://pypi.example.local/simple)`,
    );
  const pluginMaxPackageSize = i.str("pluginMaxPackageSize");
  if (pluginMaxPackageSize !== "" && !/^[1-9][0-9]*(Ki|Mi|Gi)?$/.test(pluginMaxPackageSize)) {
    i.problems.push(
      `dify:pluginMaxPackageSize "${pluginMaxPackageSize}" must be a size in bytes ` +
        "or with Ki, Mi or Gi (e.g. 100Mi)",
    );
  }
  const sizing = i.str("sizing");
  if (sizing !== "" && sizing !== "small" && sizing !== "medium") {
    i.problems.push(`dify:sizing must be small or medium (got "${sizing}")`);
  }
  const ssrfProxy = i.bool("ssrfProxy");
  if (!ssrfProxy) {
    i.warnings.push(
      "dify:ssrfProxy is false: code in the sandbox and the HTTP requests Dify makes for users (HTTP Request nodes, " +
        "files fetched by URL) go out directly and can reach cluster Services, nodes and cloud metadata addresses; " +
        "the sandbox's egress is not limited. Upstream's docker-compose always uses the proxy: remove the setting " +
        "unless the Squid image cannot be used.",
    );
  }
  return {
    marketplaceEnabled: i.bool("marketplaceEnabled"),
    pipMirrorUrl,
    networkPolicy: i.bool("networkPolicy"),
    ssrfProxy,
    pluginMaxPackageSize,
    internalFilesUrl: i.bool("internalFilesUrl"),
    sizing: sizing as DifyConfig["sizing"],
  };
}

/** Image tags (the version matrix, overridable per image), repositories, registry and pull secrets. */
function parseImages(
  i: Input,
  ssrfProxy: boolean,
): Pick<DifyConfig, "imageTag" | "imageRepository" | "images" | "imageRegistry" | "imagePullSecrets"> {
  const imageTag = i.str("imageTag");
  if (!tagRe.test(imageTag))
    i.problems.push(`dify:imageTag "${imageTag}" is not a valid image tag (e.g. ${defaultImageTag})`);
  const row = versionMatrix[imageTag];
  // An unknown version needs the tag of every companion image the release runs.
  const companions = {} as CompanionImages;
  const missing: string[] = [];
  for (const k of companionKeys) {
    const v = i.get(k) ?? row?.[k];
    if (v === undefined && (k !== "ssrfProxyTag" || ssrfProxy)) missing.push(`dify:${k}`);
    companions[k] = v ?? "";
  }
  if (missing.length > 0) {
    i.problems.push(
      `dify:imageTag ${imageTag} is not in the version matrix (known: ${Object.keys(versionMatrix).join(", ")}): ` +
        `give its companion image tags explicitly: ${missing.join(", ")} (read them from upstream's docker/docker-compose.yaml of that release), ` +
        `or add a row to versionMatrix in components/config.ts`,
    );
  }
  for (const k of companionKeys) {
    const v = companions[k];
    if (v !== "" && !tagRe.test(v)) i.problems.push(`dify:${k} "${v}" is not a valid image tag`);
  }
  const wv = /^v?(\d+)\.(\d+)/.exec(companions.weaviateTag);
  if (companions.weaviateTag && (!wv || Number(wv[1]) < 1 || (Number(wv[1]) === 1 && Number(wv[2]) < 27))) {
    i.problems.push(
      `dify:weaviateTag "${companions.weaviateTag}" is too old or not a version: Dify 1.11 needs Weaviate >= 1.27 (e.g. 1.27.0)`,
    );
  }
  const repoOf = (k: string) => {
    const v = i.str(k);
    if (!/^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._\-/][a-z0-9]+)*$/.test(v))
      i.problems.push(
        `dify:${k} "${v}" is not an image repository without tag (e.g. ${configKey(k).default})`,
      );
    return v;
  };
  const imageRegistry = i.str("imageRegistry").replace(/\/+$/, "");
  if (imageRegistry.includes("://"))
    i.problems.push(
      `dify:imageRegistry "${imageRegistry}" must not contain a scheme (e.g. registry.example.local/dify)`,
    );
  else if (imageRegistry !== "" && !/^[A-Za-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(imageRegistry)) {
    i.problems.push(
      `dify:imageRegistry "${imageRegistry}" must be a registry host with an optional project path (e.g. registry.example.local:5000/dify)`,
    );
  }
  const imagePullSecrets = i.list("imagePullSecrets");
  for (const s of imagePullSecrets) i.name("imagePullSecrets", s, dnsSubdomainRe, 253, "a Secret name");
  return {
    imageTag,
    imageRepository: repoOf("imageRepository"),
    images: {
      ...companions,
      pluginDaemonRepository: repoOf("pluginDaemonImage"),
      sandboxRepository: repoOf("sandboxImage"),
      weaviateRepository: repoOf("weaviateImage"),
      postgresRepository: repoOf("postgresImage"),
      redisRepository: repoOf("redisImage"),
      ssrfProxyRepository: repoOf("ssrfProxyImage"),
    },
    imageRegistry,
    imagePullSecrets,
  };
}

type Exposure = Pick<
  DifyConfig,
  | "path"
  | "subPath"
  | "webImage"
  | "webImageBasePath"
  | "scheme"
  | "externalHost"
  | "traefikNamespace"
  | "traefikServiceName"
  | "namespace"
  | "releaseName"
  | "ingressClassName"
  | "entrypoints"
  | "tls"
  | "addressTimeoutSeconds"
  | "helmTimeoutSeconds"
  | "rootRedirects"
>;

/** Path (and the web image it needs), URL, Traefik, names and timeouts. */
function parseExposure(i: Input, imageTag: string): Exposure {
  const path = i.str("path");
  if (!path.startsWith("/"))
    i.problems.push(`dify:path "${path}" must start with / (e.g. /dify, or / for root mode)`);
  else if (path !== "/" && path.endsWith("/"))
    i.problems.push(`dify:path "${path}" must not end with / (use ${path.replace(/\/+$/, "") || "/"})`);
  else if (!/^\/[A-Za-z0-9._~/-]*$/.test(path))
    i.problems.push(`dify:path "${path}" may contain only letters, digits and . _ ~ - /`);
  else if (path.includes("//")) i.problems.push(`dify:path "${path}" must not contain an empty segment (//)`);
  const subPath = path !== "/";

  let webImage: { repository: string; tag: string } | undefined;
  const webRaw = i.get("webImage");
  if (webRaw !== undefined) {
    webImage = parseImageRef(webRaw);
    if (!webImage)
      i.problems.push(
        `dify:webImage "${webRaw}" must be repository:tag (e.g. registry.example.local/dify/dify-web:${defaultImageTag}-dify)`,
      );
  }
  const webImageBasePath = i.get("webImageBasePath") ?? path;
  if (subPath && webRaw === undefined && path.startsWith("/")) {
    const slug = path.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
    i.problems.push(
      `dify:path is ${path}, but the official dify-web image only serves at "/" (its base path is compiled in at build time). ` +
        `Build a web image for ${path} with "scripts/build-web-image.sh --version ${imageTag} --base-path ${path} --image <registry>/dify-web:${imageTag}-${slug} --push" ` +
        `and set dify:webImage to that image; or set dify:path to / to serve Dify at the root with the stock image.`,
    );
  }
  if (webImage && webImageBasePath !== path) {
    i.problems.push(
      `dify:webImageBasePath "${webImageBasePath}" must equal dify:path "${path}": the web image only works under the base path it was built with (rebuild it, or change dify:path)`,
    );
  }

  const scheme = i.str("scheme");
  if (scheme !== "http" && scheme !== "https")
    i.problems.push(`dify:scheme must be http or https (got "${scheme}")`);

  let externalHost: UrlHost | undefined;
  const externalRaw = i.get("externalHost");
  if (externalRaw !== undefined) {
    const h = checkHost(externalRaw);
    if ("reason" in h) {
      const fix = h.reason.includes("scheme")
        ? " (set dify:scheme instead)"
        : h.reason.includes("path")
          ? " (set dify:path instead)"
          : "";
      i.problems.push(`dify:externalHost "${externalRaw}" ${h.reason}${fix}`);
    } else externalHost = h.host;
  }

  const traefikNamespace = i.get("traefikNamespace");
  const traefikServiceName = i.get("traefikServiceName");
  if ((traefikNamespace === undefined) !== (traefikServiceName === undefined)) {
    i.problems.push(
      "dify:traefikNamespace and dify:traefikServiceName must be set together (both name the LoadBalancer Service of the platform Traefik)",
    );
  }
  const namespace = i.str("namespace");
  const releaseName = i.str("releaseName");
  i.name("namespace", namespace, dnsLabelRe, 63, "a DNS label");
  i.name("releaseName", releaseName, dnsLabelRe, 53, "a DNS label");
  i.name("traefikNamespace", traefikNamespace, dnsLabelRe, 63, "a DNS label");
  i.name("traefikServiceName", traefikServiceName, dnsLabelRe, 63, "a DNS label");
  const ingressClassName = i.str("ingressClassName");
  i.name("ingressClassName", ingressClassName, dnsSubdomainRe, 253, "an IngressClass name");
  const entrypoints = i.list("entrypoints");
  for (const e of entrypoints) {
    if (!/^[A-Za-z0-9_-]+$/.test(e))
      i.problems.push(
        `dify:entrypoints "${e}" is not a Traefik entrypoint name (comma-separated, e.g. websecure)`,
      );
  }
  const tls = i.bool("tls");
  if (scheme === "http" && (tls || entrypoints.includes("websecure"))) {
    i.warnings.push(
      "dify:scheme is http but the Ingresses are served over TLS (dify:tls / dify:entrypoints websecure): Dify will write http:// URLs that browsers are redirected away from. Use dify:scheme https unless Traefik serves Dify on a plain-HTTP entrypoint.",
    );
  }
  const rootRedirects = i.bool("rootRedirects");
  if (subPath && rootRedirects && rootRedirectPaths.includes(path)) {
    i.problems.push(
      `dify:path ${path} is one of the root paths dify:rootRedirects sends to the public path: ` +
        "set dify:rootRedirects to false or choose another path",
    );
  }
  return {
    path,
    subPath,
    webImage,
    webImageBasePath,
    scheme: scheme as DifyConfig["scheme"],
    externalHost,
    traefikNamespace,
    traefikServiceName,
    namespace,
    releaseName,
    ingressClassName,
    entrypoints,
    tls,
    rootRedirects,
    addressTimeoutSeconds: i.int("addressTimeoutSeconds", 1, 3600) as number,
    helmTimeoutSeconds: i.int("helmTimeoutSeconds", 60, 7200) as number,
  };
}

const sizeKeys = {
  postgres: "postgresSize",
  redis: "redisSize",
  weaviate: "weaviateSize",
  difyFiles: "difyFilesSize",
  pluginDaemon: "pluginDaemonSize",
} as const;

/** StorageClasses, volume sizes and the files volume's access mode. */
function parseStorage(
  i: Input,
): Pick<
  DifyConfig,
  "storageClass" | "weaviateStorageClass" | "filesStorageClass" | "filesAccessMode" | "sizes"
> {
  const storageClass = i.str("storageClass");
  const weaviateStorageClass = i.get("weaviateStorageClass") ?? storageClass;
  const filesStorageClass = i.get("filesStorageClass") ?? storageClass;
  i.name("storageClass", storageClass, dnsSubdomainRe, 253, "a StorageClass name");
  i.name("weaviateStorageClass", i.get("weaviateStorageClass"), dnsSubdomainRe, 253, "a StorageClass name");
  i.name("filesStorageClass", i.get("filesStorageClass"), dnsSubdomainRe, 253, "a StorageClass name");
  const sizes = {} as DifyConfig["sizes"];
  for (const [k, key] of Object.entries(sizeKeys) as [keyof DifyConfig["sizes"], string][]) {
    const v = i.str(key);
    sizes[k] = v;
    const bytes = parseQuantity(v);
    if (bytes === undefined)
      i.problems.push(`dify:${key} "${v}" is not a Kubernetes quantity (e.g. 20Gi, 512Mi)`);
    else if (bytes <= 0)
      i.problems.push(`dify:${key} "${v}" must be a positive size (e.g. ${configKey(key).default})`);
    else if (bytes < 2 ** 20)
      i.problems.push(`dify:${key} "${v}" is only ${bytes} bytes: add a unit (e.g. ${v}Gi)`);
  }
  const filesAccessMode = i.str("filesAccessMode");
  if (filesAccessMode !== "ReadWriteOnce" && filesAccessMode !== "ReadWriteMany") {
    i.problems.push(`dify:filesAccessMode must be ReadWriteOnce or ReadWriteMany (got "${filesAccessMode}")`);
  } else if (filesAccessMode === "ReadWriteMany" && filesStorageClass === nutanixBlockClass) {
    i.problems.push(
      `dify:filesAccessMode ReadWriteMany needs a ReadWriteMany StorageClass, but the files volume would use ${nutanixBlockClass} (Nutanix Volumes, block storage, ReadWriteOnce only): ` +
        "set dify:filesStorageClass to a Nutanix Files class, or keep ReadWriteOnce (api and worker then share one node), or use S3 (dify:s3Endpoint)",
    );
  }
  return {
    storageClass,
    weaviateStorageClass,
    filesStorageClass,
    filesAccessMode: filesAccessMode as AccessMode,
    sizes,
  };
}

type DataStores = Pick<
  DifyConfig,
  | "postgresUser"
  | "postgresDatabase"
  | "postgresEnabled"
  | "postgresHost"
  | "postgresPort"
  | "redisEnabled"
  | "redisHost"
  | "redisPort"
>;

/** The bundled or an external PostgreSQL and Redis. */
function parseDataStores(i: Input): DataStores {
  const postgresHost = i.get("postgresHost");
  const redisHost = i.get("redisHost");
  for (const [k, v] of [
    ["postgresHost", postgresHost],
    ["redisHost", redisHost],
  ] as const) {
    if (v === undefined) continue;
    const h = checkHost(v);
    if ("reason" in h)
      i.problems.push(
        `dify:${k} "${v}" ${h.reason}${h.reason.includes("port") ? ` (set dify:${k.replace("Host", "Port")})` : ""}`,
      );
  }
  const postgresPort = i.int("postgresPort", 1, 65535);
  const redisPort = i.int("redisPort", 1, 65535);
  if (postgresPort !== undefined && postgresHost === undefined)
    i.problems.push(
      "dify:postgresPort applies to an external PostgreSQL: set dify:postgresHost too, or remove dify:postgresPort",
    );
  if (redisPort !== undefined && redisHost === undefined)
    i.problems.push(
      "dify:redisPort applies to an external Redis: set dify:redisHost too, or remove dify:redisPort",
    );
  const postgresUser = i.str("postgresUser");
  const postgresDatabase = i.str("postgresDatabase");
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(postgresUser))
    i.problems.push(
      `dify:postgresUser "${postgresUser}" must be a plain PostgreSQL identifier (letters, digits, _; at most 63)`,
    );
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(postgresDatabase))
    i.problems.push(
      `dify:postgresDatabase "${postgresDatabase}" must be a plain PostgreSQL identifier (letters, digits, _; at most 63)`,
    );
  return {
    postgresUser,
    postgresDatabase,
    postgresEnabled: postgresHost === undefined,
    postgresHost,
    postgresPort,
    redisEnabled: redisHost === undefined,
    redisHost,
    redisPort,
  };
}

const s3Keys = [
  "s3Endpoint",
  "s3Bucket",
  "s3AccessKey",
  "s3SecretKey",
  "s3Region",
  "s3AddressStyle",
] as const;

/** S3 file storage instead of the files volume: all or nothing. */
function parseS3(i: Input, storage: Pick<DifyConfig, "filesAccessMode">): DifyConfig["s3"] {
  const raw = Object.fromEntries(s3Keys.map((k) => [k, i.get(k)])) as Record<
    (typeof s3Keys)[number],
    string | undefined
  >;
  if (!s3Keys.some((k) => raw[k] !== undefined)) return undefined;
  const absent = (["s3Endpoint", "s3Bucket", "s3AccessKey", "s3SecretKey"] as const)
    .filter((k) => raw[k] === undefined)
    .map((k) => `dify:${k}`);
  if (absent.length > 0)
    i.problems.push(
      `S3 file storage needs ${absent.join(", ")} as well (set all of dify:s3Endpoint, dify:s3Bucket, dify:s3AccessKey, dify:s3SecretKey; the keys with --secret)`,
    );
  if (raw.s3Endpoint !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(raw.s3Endpoint))
    i.problems.push(
      `dify:s3Endpoint "${raw.s3Endpoint}" must be an http(s) URL (e.g. https://objects.example.local)`,
    );
  if (raw.s3Bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(raw.s3Bucket))
    i.problems.push(
      `dify:s3Bucket "${raw.s3Bucket}" is not an S3 bucket name (3-63 lowercase letters, digits, . and -)`,
    );
  const addressStyle = raw.s3AddressStyle ?? "path";
  if (addressStyle !== "path" && addressStyle !== "virtual")
    i.problems.push(`dify:s3AddressStyle must be path or virtual (got "${addressStyle}")`);
  if (storage.filesAccessMode === "ReadWriteMany" || i.get("filesStorageClass") !== undefined) {
    i.problems.push(
      "dify:filesAccessMode ReadWriteMany / dify:filesStorageClass configure the files volume, which S3 file storage replaces: remove them or the dify:s3* settings",
    );
  }
  return {
    endpoint: raw.s3Endpoint ?? "",
    bucket: raw.s3Bucket ?? "",
    region: raw.s3Region ?? "us-east-1",
    accessKey: raw.s3AccessKey ?? "",
    secretKey: raw.s3SecretKey ?? "",
    addressStyle,
  };
}

/** Credentials given as secret config, and the rules their values must meet. */
function parseSecrets(
  i: Input,
  stores: Pick<DifyConfig, "postgresHost" | "postgresUser">,
): Pick<DifyConfig, "credentials" | "openaiApiKey"> {
  const credentials: Partial<Record<CredentialKey, string>> = {};
  for (const k of credentialKeys) {
    const v = i.get(k);
    if (v !== undefined) credentials[k] = v;
  }
  if (stores.postgresHost !== undefined && credentials.postgresPassword === undefined) {
    i.problems.push(
      `dify:postgresHost is set (external PostgreSQL), so its password cannot be generated: pulumi config set --secret dify:postgresPassword <password of ${stores.postgresUser}>`,
    );
  }
  if (credentials.initPassword !== undefined && credentials.initPassword.length > 30) {
    i.problems.push(
      `dify:initPassword has ${credentials.initPassword.length} characters; Dify accepts at most 30`,
    );
  }
  // Plugin daemon 0.5.2 writes it unquoted into a key=value DSN (internal/db/pg/pg.go); its driver (pgx,
  // pgconn/config.go) ends the value at whitespace, unescapes backslashes and reads a leading ' as a quote.
  const pg = credentials.postgresPassword;
  if (pg !== undefined && (/[\s\\]/.test(pg) || pg.startsWith("'"))) {
    i.problems.push(
      "dify:postgresPassword must not contain spaces, tabs or other whitespace or a backslash, " +
        "nor start with ' (the plugin daemon puts it unquoted into a key=value connection string and would " +
        "crash-loop): choose another password",
    );
  }
  if (credentials.redisPassword !== undefined && !/^[A-Za-z0-9._~-]+$/.test(credentials.redisPassword)) {
    i.problems.push(
      "dify:redisPassword may contain only letters, digits and . _ ~ - (it is part of the Celery broker URL)",
    );
  }
  if (credentials.secretKey !== undefined && credentials.secretKey.length < 32) {
    i.warnings.push(
      "dify:secretKey is shorter than 32 characters; keep it if an existing installation uses it, else generate a new one (openssl rand -hex 32) before the first deployment",
    );
  }
  return { credentials, openaiApiKey: i.get("openaiApiKey") };
}

/** Keys of the unattended first run besides dify:adminPassword (a credential). */
const firstRunKeys = ["adminEmail", "adminName", "plugins", "pluginPackageUrls", "openaiApiBase"] as const;
const httpUrlRe = /^https?:\/\/[^\s/]+(\/\S*)?$/;

/** The unattended first run (chart/files/bootstrap.py): on with dify:adminEmail; its keys need it. */
function parseFirstRun(i: Input): BootstrapSettings | undefined {
  const adminEmail = i.get("adminEmail");
  if (adminEmail === undefined) {
    const orphans = [...firstRunKeys.slice(1), "adminPassword"].filter(
      (k) => i.get(k) !== undefined && i.get(k) !== String(configKey(k).default),
    );
    if (orphans.length > 0) {
      i.problems.push(
        `${orphans.map((k) => `dify:${k}`).join(", ")} take effect only with the unattended first run: ` +
          "set dify:adminEmail to turn it on, or remove them",
      );
    }
    return undefined;
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(adminEmail)) {
    i.problems.push(`dify:adminEmail "${adminEmail}" is not an email address (e.g. admin@example.com)`);
  }
  const adminName = i.str("adminName");
  if (adminName.length > 30) {
    i.problems.push(`dify:adminName has ${adminName.length} characters; Dify accepts at most 30`);
  }
  const plugins = i.get("plugins") === undefined ? undefined : i.list("plugins");
  for (const p of plugins ?? []) {
    if (!pluginIdRule.test(p)) {
      i.problems.push(
        `dify:plugins "${p}" is not a marketplace plugin id ` +
          "(comma-separated <author>/<name>, e.g. langgenius/openai)",
      );
    }
  }
  const pluginPackageUrls = i.list("pluginPackageUrls");
  for (const u of pluginPackageUrls) {
    if (!httpUrlRe.test(u)) {
      i.problems.push(
        `dify:pluginPackageUrls "${u}" is not an http(s) URL of a .difypkg file ` +
          "reachable from the cluster",
      );
    }
  }
  const openaiApiBase = i.str("openaiApiBase");
  if (openaiApiBase !== "" && !httpUrlRe.test(openaiApiBase)) {
    i.problems.push(
      `dify:openaiApiBase "${openaiApiBase}" must be an http(s) URL ` +
        "(e.g. https://llm-gateway.example.com)",
    );
  }
  if (openaiApiBase !== "" && i.get("openaiApiKey") === undefined) {
    i.problems.push(
      "dify:openaiApiBase is the gateway of the OpenAI credential: " +
        "set dify:openaiApiKey too, or remove it",
    );
  }
  const adminPassword = i.get("adminPassword");
  if (adminPassword !== undefined && !adminPasswordRule.test(adminPassword)) {
    i.problems.push(
      "dify:adminPassword must have at least 8 characters with letters and digits " +
        "(Dify's password rule)",
    );
  }
  return { adminEmail, adminName, plugins, pluginPackageUrls, openaiApiBase };
}

/** Parses and validates raw config strings (key without the `dify:` prefix). */
export function parseConfig(raw: Record<string, string | undefined>): DifyConfig {
  const i = new Input(raw);
  for (const k of Object.keys(raw)) {
    if (!knownKeys.includes(k))
      i.problems.push(`dify:${k} is not a known setting (see docs/config.md for the list)`);
  }
  const features = parseFeatures(i);
  const images = parseImages(i, features.ssrfProxy);
  const exposure = parseExposure(i, images.imageTag);
  const storage = parseStorage(i);
  const stores = parseDataStores(i);
  const s3 = parseS3(i, storage);
  const secrets = parseSecrets(i, stores);
  const bootstrap = parseFirstRun(i);
  if (i.problems.length > 0) throw new ConfigError(i.problems);
  return {
    ...images,
    ...exposure,
    ...storage,
    ...stores,
    s3,
    ...features,
    ...secrets,
    bootstrap,
    warnings: i.warnings,
  };
}

/** Informational notes about a valid config (logged by the program, never containing a secret). */
export function configNotes(cfg: DifyConfig): string[] {
  const notes: string[] = [];
  if (cfg.openaiApiKey !== undefined && cfg.bootstrap === undefined) {
    notes.push(
      "dify:openaiApiKey is stored in the release Secret (key OPENAI_API_KEY) only: Dify 1.x reads no such variable. " +
        "Set dify:adminEmail to have the unattended first run install the OpenAI plugin " +
        "and set the key as its credential, " +
        "or sign in to Dify, open Settings > Model Provider, install the OpenAI plugin and paste the key there.",
    );
  }
  return notes;
}

/** Secret keys whose value is stored as plain text in the stack's config (isSecret says which full keys are encrypted). */
export function plainSecretKeys(
  raw: Record<string, string | undefined>,
  isSecret: (fullKey: string) => boolean,
): string[] {
  return secretConfigKeys.filter((k) => (raw[k] ?? "").trim() !== "" && !isSecret(`dify:${k}`));
}
