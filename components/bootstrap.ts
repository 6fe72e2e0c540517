/**
 * The unattended first run (dify:adminEmail): the values of the chart's bootstrap hook Job
 * (chart/templates/bootstrap-job.yaml, chart/files/bootstrap.py) and what its last run reported.
 * Pure functions; the one cluster read (the Job and its pod) goes through the ClusterReader.
 *
 * How a run is reported: the Job's pod writes {"ok", "summary"} to its termination message. A
 * failed run fails the Job, hence the Helm hook, hence `pulumi up` (the release is not rolled back:
 * atomic is off). The next `pulumi up` reads that failed Job before registering anything, warns
 * with its summary and sets bootstrap.retryOf to the failed Job's uid: the release changes, the
 * hook runs again. After a successful run retryOf keeps its value, so nothing changes.
 */

/** The marketplace plugin of the OpenAI model provider. */
export const openaiPluginId = "langgenius/openai";

/** Pod template annotation carrying bootstrap.retryOf (read back from the last Job). */
export const retryAnnotation = "dify-nkp.io/retry-of";

/** Dify's password rule (api/libs/password.py): at least 8 characters with letters and digits. */
export const adminPasswordRule = /^(?=.*[a-zA-Z])(?=.*\d).{8,}$/;

/** Marketplace plugin ids: <author>/<name>. */
export const pluginIdRule = /^[a-z0-9_-]+\/[a-z0-9_-]+$/;

export interface BootstrapSettings {
  adminEmail: string;
  adminName: string;
  /** dify:plugins as given (undefined when unset). */
  plugins?: string[];
  pluginPackageUrls: string[];
  openaiApiBase: string;
}

/** Plugins the Job installs: dify:plugins, else langgenius/openai when an OpenAI key is configured. */
export function effectivePlugins(plugins: string[] | undefined, openaiKeySet: boolean): string[] {
  return plugins ?? (openaiKeySet ? [openaiPluginId] : []);
}

/** The chart's bootstrap.* values (the admin password goes to secrets.adminPassword). */
export function bootstrapValues(
  s: BootstrapSettings | undefined,
  openaiKeySet: boolean,
  retryOf: string,
): Record<string, unknown> {
  if (!s)
    return {
      adminEmail: "",
      adminName: "",
      plugins: [],
      pluginPackageUrls: [],
      openaiApiBase: "",
      retryOf: "",
    };
  return {
    adminEmail: s.adminEmail,
    adminName: s.adminName,
    plugins: effectivePlugins(s.plugins, openaiKeySet),
    pluginPackageUrls: s.pluginPackageUrls,
    openaiApiBase: s.openaiApiBase,
    retryOf,
  };
}

/** The last bootstrap Job as read from the cluster. */
export interface BootstrapJob {
  uid: string;
  /** Job condition Complete or Failed; neither while it runs. */
  state: "complete" | "failed" | "running";
  /** bootstrap.retryOf the Job ran with (its pod template annotation). */
  retryOf: string;
  /** Termination message of the Job's newest pod, if any. */
  message?: string;
}

/** A run's result from its termination message: the script's JSON, else (log tail) its last line. */
export function parseResult(message: string | undefined): { ok?: boolean; summary?: string } {
  const text = (message ?? "").trim();
  if (!text) return {};
  try {
    const data = JSON.parse(text);
    if (data && typeof data === "object" && typeof data.summary === "string") {
      return { ok: data.ok === true, summary: data.summary };
    }
  } catch {
    // FallbackToLogsOnError: the tail of the log instead of the script's JSON.
  }
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l);
  return { summary: lines[lines.length - 1] };
}

/** One line saying what the last run did (the `bootstrap` stack output). */
export function describeRun(job: BootstrapJob | undefined): string {
  if (!job) return "not run";
  const { ok, summary } = parseResult(job.message);
  if (job.state === "running") return "running";
  const noResult = "the Job failed without a result (kubectl logs job/<release>-bootstrap)";
  if (job.state === "failed") return `FAILED: ${summary ?? noResult}`;
  if (ok === false) return `FAILED: ${summary}`;
  return summary ?? "completed (the pod recorded no result)";
}

/** True when the last run failed and the next up must run the Job again. */
export function needsRetry(job: BootstrapJob | undefined): boolean {
  return !!job && (job.state === "failed" || parseResult(job.message).ok === false);
}

/** bootstrap.retryOf for this up: the failed Job's uid (a new run), else the value the last Job ran with. */
export function nextRetryOf(job: BootstrapJob | undefined): string {
  if (!job) return "";
  return needsRetry(job) ? job.uid : job.retryOf;
}

/** The parts of a batch/v1 Job and a v1 Pod read here (plain objects, as the API returns them). */
export interface JobObject {
  metadata?: { uid?: string };
  spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
  status?: { conditions?: { type?: string; status?: string }[] };
}
export interface PodObject {
  metadata?: { creationTimestamp?: string | Date; ownerReferences?: { uid?: string }[] };
  status?: { containerStatuses?: { name?: string; state?: { terminated?: { message?: string } } }[] };
}

/** The Job's state and the termination message of its newest pod (container "bootstrap"). */
export function jobRunOf(job: JobObject, pods: PodObject[]): BootstrapJob {
  const uid = job.metadata?.uid ?? "";
  const cond = (t: string) => (job.status?.conditions ?? []).some((c) => c.type === t && c.status === "True");
  const own = pods
    .filter((p) => (p.metadata?.ownerReferences ?? []).some((o) => o.uid === uid))
    .sort((a, b) => String(time(b)).localeCompare(String(time(a))));
  const status = own[0]?.status?.containerStatuses?.find((c) => c.name === "bootstrap");
  return {
    uid,
    state: cond("Failed") ? "failed" : cond("Complete") ? "complete" : "running",
    retryOf: job.spec?.template?.metadata?.annotations?.[retryAnnotation] ?? "",
    message: status?.state?.terminated?.message,
  };
}

function time(p: PodObject): string {
  const t = p.metadata?.creationTimestamp;
  return t instanceof Date ? t.toISOString() : (t ?? "");
}
