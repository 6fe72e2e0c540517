/**
 * What the program knows about the bundled chart (chart/): where it is, its content digest,
 * how it names objects, the credentials Secret and its keys, the components' Services.
 * test/chart/chart-contract.test.ts pins every fact here against `helm template` of chart/.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** Absolute path of the bundled chart (next to this folder, wherever the project is checked out). */
export const chartPath = path.join(__dirname, "..", "chart");

/** Chart fullname for a release (dify.fullname: the release name if it contains "dify", else <release>-dify). */
export function fullnameOf(releaseName: string): string {
  const name = releaseName.includes("dify") ? releaseName : `${releaseName}-dify`;
  return name.slice(0, 50).replace(/-+$/, "");
}

/** Name of a component's objects (dify.componentName). */
export function componentName(releaseName: string, component: string): string {
  return `${fullnameOf(releaseName)}-${component}`.slice(0, 63).replace(/-+$/, "");
}

/** The chart's name (chart/Chart.yaml `name`), which Helm records with every revision. */
export const chartName: string = YAML.parse(fs.readFileSync(path.join(chartPath, "Chart.yaml"), "utf8")).name;

/** Label selector of every object of a release (dify.selectorLabels without the component). */
export function instanceSelector(releaseName: string): string {
  return `app.kubernetes.io/name=dify,app.kubernetes.io/instance=${releaseName}`;
}

/** Name of the release's migration Job (chart/templates/migrate-job.yaml). */
export function migrateJobName(releaseName: string): string {
  return componentName(releaseName, "migrate");
}

/** Name of the release's credentials Secret. */
export function credentialsSecretName(releaseName: string): string {
  return componentName(releaseName, "credentials");
}

/** Keys of the credentials Secret (chart/templates/secret.yaml), by the dify: key whose value each holds. */
export const credentialsSecretKeys = {
  secretKey: "SECRET_KEY",
  initPassword: "INIT_PASSWORD",
  openaiApiKey: "OPENAI_API_KEY",
  adminPassword: "ADMIN_PASSWORD",
  pluginDaemonKey: "PLUGIN_DAEMON_KEY",
  pluginInnerApiKey: "INNER_API_KEY_FOR_PLUGIN",
  sandboxApiKey: "CODE_EXECUTION_API_KEY",
  weaviateApiKey: "WEAVIATE_API_KEY",
  postgresPassword: "DB_PASSWORD",
  redisPassword: "REDIS_PASSWORD",
  s3AccessKey: "S3_ACCESS_KEY",
  s3SecretKey: "S3_SECRET_KEY",
} as const;

/** Services of a default install, by component, with their (first) port. */
export const servicePorts = {
  api: 5001,
  web: 3000,
  "plugin-daemon": 5002,
  sandbox: 8194,
  postgresql: 5432,
  redis: 6379,
  weaviate: 8080,
  "ssrf-proxy": 3128,
} as const;

/**
 * Root paths the chart redirects under the public path in sub-path mode (dify.rootRedirectPaths,
 * expose.rootRedirects): where the 1.11.4 web navigates without its base path. A public path
 * equal to one of them would collide with its own redirect.
 */
export const rootRedirectPaths: readonly string[] = ["/signin", "/account"];

/** Files that never reach Helm: hidden files (except .helmignore) and editor leftovers. */
export function isChartFile(name: string): boolean {
  if (name.startsWith(".") && name !== ".helmignore") return false;
  return !/(~|\.swp|\.swo|\.orig|\.rej|\.bak)$/.test(name);
}

function files(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => isChartFile(e.name))
    .flatMap((e) =>
      e.isDirectory() ? files(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))],
    );
}

/**
 * Content hash of a chart folder: sha256 over the sorted relative paths ("/"-separated) and
 * contents of every chart file, so `pulumi up` applies chart edits (not only version bumps).
 */
export function chartDigest(dir = chartPath): string {
  const h = crypto.createHash("sha256");
  const rel = files(dir)
    .map((f) => ({ f, key: f.split(path.sep).join("/") }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { f, key } of rel) {
    h.update(key)
      .update("\0")
      .update(fs.readFileSync(path.join(dir, f)))
      .update("\0");
  }
  return h.digest("hex");
}
