/**
 * Faults in the middle of a change, decided from Helm's own records and what the cluster shows:
 * - an interrupted run leaves the newest revision `pending-*` (Helm's "another operation is in
 *   progress") or, for an interrupted first install, a release the stack has no record of;
 * - a failed or interrupted change must be applied again even when the stack's inputs did not
 *   change (the repair generation in the values);
 * - a failed migration or a Helm timeout deserves a message naming the Job or the workloads.
 * Pure functions only; components/dify.ts runs them in resource hooks.
 */
import { UserError } from "./errors";
import { HelmRecord, isPending } from "./helm-storage";

export type HelmOperation = "create" | "update";

/** Records sorted by revision, newest last. */
export function byRevision(records: HelmRecord[]): HelmRecord[] {
  return [...records].sort((a, b) => a.revision - b.revision);
}

export function newest(records: HelmRecord[]): HelmRecord | undefined {
  return byRevision(records).pop();
}

export function newestDeployed(records: HelmRecord[]): HelmRecord | undefined {
  return byRevision(records)
    .filter((r) => r.status === "deployed")
    .pop();
}

/** What to do with Helm's records right before the provider installs or upgrades the release. */
export type Recovery =
  { action: "none" } | { action: "mark-failed"; record: HelmRecord; description: string; note: string };

/**
 * How long a pending revision may still belong to a live Helm operation: its hooks and its wait
 * each take up to the timeout (install: wait, then the post-install migration; upgrade: the
 * pre-upgrade migration, then the wait), plus a minute for the rest.
 */
export function staleAfterSeconds(helmTimeoutSeconds: number): number {
  return 2 * helmTimeoutSeconds + 60;
}

/** Helm's description of a revision this program marked failed (shown by `helm history`). */
export const interruptedDescription =
  "Interrupted before it finished; marked failed by pulumi up (dify-nkp) to resume";

/**
 * Decides whether the newest revision must be marked failed before Helm acts, so that Helm
 * resumes instead of refusing:
 * - pending-* / uninstalling, older than `staleSeconds`: the run that started it is gone (this
 *   run holds the stack lock) and no Helm operation of it can still be waiting, yet Helm refuses
 *   every upgrade while it stays so ("another operation is in progress"). A younger one may still
 *   be running: a killed `pulumi up` leaves its provider plugin finishing the operation (up to
 *   its timeout for the hooks and again for the wait), so this throws, saying when to retry;
 * - before an install (the stack has no record of the release): a release that is already
 *   deployed or superseded was installed by a run whose state was never saved, or belongs to a
 *   re-created stack: marking it failed lets `helm install --replace` take it over, adopting its
 *   resources, volumes and Secret as they are.
 * Throws when the release in the cluster was not installed from this chart.
 */
export function recoveryBefore(
  op: HelmOperation,
  records: HelmRecord[],
  chartName: string,
  releaseId: string,
  clock: { now: Date; staleSeconds: number },
): Recovery {
  const last = newest(records);
  if (!last) return { action: "none" };
  if (last.chartName !== chartName) {
    throw new UserError(
      `The Helm release ${releaseId} in the cluster was installed from the chart "${last.chartName}", ` +
        `not "${chartName}": it belongs to something else. Choose another dify:releaseName or dify:namespace.`,
    );
  }
  const deployed = newestDeployed(records);
  const since = last.lastDeployed ? ` since ${last.lastDeployed}` : "";
  if (isPending(last.status) || last.status === "uninstalling") {
    const started = last.lastDeployed ? Date.parse(last.lastDeployed) : NaN;
    const age = Math.floor((clock.now.getTime() - started) / 1000);
    if (Number.isFinite(age) && age < clock.staleSeconds) {
      const [ns, name] = releaseId.split("/");
      const undo = deployed && op === "update" ? ` helm -n ${ns} rollback ${name} ${deployed.revision}` : "";
      throw new UserError(
        `Helm release ${releaseId} revision ${last.revision} has been ${last.status} for ${age}s: its operation may ` +
          "still be running (a killed pulumi up leaves its Kubernetes provider finishing it). Nothing was changed. " +
          `Run pulumi up again after ${clock.staleSeconds - age}s more (it then resumes the release by itself)` +
          (undo ? `, or, if no pulumi or helm process works on it any more, end it now:${undo}` : "") +
          ".",
      );
    }
    const then =
      op === "create" || !deployed
        ? "installs over it, adopting what it had created"
        : `upgrades from ${deployed ? `revision ${deployed.revision}, the last deployed one` : "it"}`;
    return {
      action: "mark-failed",
      record: last,
      description: interruptedDescription,
      note:
        `Helm release ${releaseId} revision ${last.revision} was left ${last.status}${since} ` +
        `by an interrupted run; it is marked failed and this run ${then}. No resource, volume or Secret is deleted.`,
    };
  }
  if (op === "create" && (last.status === "deployed" || last.status === "superseded")) {
    return {
      action: "mark-failed",
      record: last,
      description: "Taken over by pulumi up (dify-nkp): the stack had no record of this release",
      note:
        `Helm release ${releaseId} revision ${last.revision} is ${last.status} ` +
        "but this stack has no record of it " +
        "(the run that installed it was interrupted before saving its state, or the stack was re-created): " +
        "this run takes it over (helm install --replace), keeping every resource, volume and Secret.",
    };
  }
  return { action: "none" };
}

function repairOf(rec: HelmRecord | undefined): number {
  const v = (rec?.config?.deployment as Record<string, unknown> | undefined)?.repair;
  return typeof v === "string" && /^\d+$/.test(v) ? Number(v) : 0;
}

/**
 * The repair generation to put in the values, and why it moved. Helm's provider only acts on a
 * change of the inputs, so a release whose newest revision did not finish (failed, pending) or
 * whose credentials Secret was deleted by hand gets a new generation: the next upgrade re-applies
 * the whole manifest (Helm re-creates missing objects). Otherwise the generation of the last
 * deployed revision is carried on, so a converged release shows no change.
 */
export function planRepair(
  records: HelmRecord[],
  problems: { secretMissing?: string },
): { generation: number; reasons: string[] } {
  const last = newest(records);
  if (!last) return { generation: 0, reasons: [] };
  const reasons: string[] = [];
  if (last.status !== "deployed") reasons.push(`its newest revision ${last.revision} is ${last.status}`);
  if (problems.secretMissing) reasons.push(`the Secret ${problems.secretMissing} is missing`);
  if (reasons.length === 0) return { generation: repairOf(newestDeployed(records) ?? last), reasons };
  return { generation: Math.max(...records.map(repairOf)) + 1, reasons };
}

/** A Deployment or StatefulSet as far as readiness goes. */
export interface WorkloadReadiness {
  kind: "Deployment" | "StatefulSet";
  name: string;
  desired: number;
  ready: number;
  updated: number;
  /** False while the controller has not seen the newest spec (status.observedGeneration). */
  observed: boolean;
}

export function notReady(w: WorkloadReadiness): boolean {
  return !w.observed || w.updated < w.desired || w.ready < w.desired;
}

/** The migration Job as far as the message goes. */
export interface JobFacts {
  name: string;
  image?: string;
  failedPods: number;
  /** Reason of the Failed condition (e.g. BackoffLimitExceeded), when the Job failed. */
  failedReason?: string;
  complete: boolean;
}

export interface FailureFacts {
  namespace: string;
  /** "<namespace>/<release>". */
  releaseId: string;
  instanceSelector: string;
  timeoutSeconds: number;
  op: HelmOperation;
  migrateJob?: JobFacts;
  workloads: WorkloadReadiness[];
  /** The last deployed revision and its Dify image tag, when there is one. */
  deployed?: { revision: number; imageTag?: string };
}

const hookFailure = /(pre|post)-(install|upgrade) hooks failed|failed (pre|post)-install/;
const timedOut = /context deadline exceeded|timed out waiting for the condition|failed to become available/;

/**
 * A message for an operator when Helm failed: which Job or workloads, where the log is, what
 * to run. Undefined when the failure is none of the cases below (the provider's error stands).
 */
export function diagnoseFailure(errors: string[], f: FailureFacts): string | undefined {
  const err = errors[0] ?? "";
  const job = f.migrateJob;
  const logs = job
    ? `Its log: kubectl -n ${f.namespace} logs job/${job.name} --all-containers ` +
      `(pods: kubectl -n ${f.namespace} get pods -l job-name=${job.name}).`
    : "";
  const kept =
    f.op === "update" && f.deployed
      ? `Nothing was upgraded: the api, worker and web pods of revision ${f.deployed.revision}` +
        `${f.deployed.imageTag ? ` (image tag ${f.deployed.imageTag})` : ""} were not replaced and keep serving. `
      : "";
  const back =
    f.op === "update" && f.deployed?.imageTag
      ? `, or go back to the previous version (pulumi config set dify:imageTag ${f.deployed.imageTag})`
      : "";
  if (hookFailure.test(err) && job && !job.complete) {
    const how = job.failedReason
      ? `stopped with ${job.failedReason} after ${job.failedPods} failed pod(s)`
      : `did not complete within dify:helmTimeoutSeconds=${f.timeoutSeconds}`;
    return (
      `The database migration failed: Job ${f.namespace}/${job.name}` +
      `${job.image ? ` (image ${job.image})` : ""} ${how}. ` +
      kept +
      logs +
      ` Fix the cause${back}, then run pulumi up again: it runs the migration again.`
    );
  }
  if (timedOut.test(err)) {
    const stuck = f.workloads.filter(notReady);
    if (stuck.length === 0) return undefined;
    const list = stuck.map(
      (w) => `${w.kind} ${f.namespace}/${w.name} (${w.ready} of ${w.desired} ready, ${w.updated} updated)`,
    );
    const first = stuck[0];
    return (
      `Helm gave up after dify:helmTimeoutSeconds=${f.timeoutSeconds}s; not Ready: ${list.join(", ")}. ` +
      "A Deployment with a rolling update keeps serving from its previous pods meanwhile; one that is recreated " +
      "(a ReadWriteOnce files volume) waits for its new pods. " +
      `See why: kubectl -n ${f.namespace} get pods -l ${f.instanceSelector}; ` +
      `kubectl -n ${f.namespace} describe ${first.kind.toLowerCase()} ${first.name}. ` +
      "Once the cause is gone, run pulumi up again: it resumes the release " +
      "(raise dify:helmTimeoutSeconds if the images are only slow to pull)."
    );
  }
  return undefined;
}
