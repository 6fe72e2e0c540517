/**
 * What the program checks and reads before registering any resource: Traefik and its address,
 * the namespace's Pod Security level, Helm's records of the release (an interrupted or failed
 * operation, a deleted credentials Secret, volumes left without credentials) and the last
 * unattended first run. Every refusal is thrown here, so nothing in the cluster changes first.
 */
import * as pulumi from "@pulumi/pulumi";
import { describeRun, needsRetry, nextRetryOf } from "./bootstrap";
import { chartName, componentName, credentialsSecretName, instanceSelector } from "./chart-contract";
import { ClusterReader } from "./cluster";
import { DifyConfig } from "./config";
import { explainLastFailure, hooksReachEngine, resumeInterrupted } from "./dify";
import { planNamespace } from "./namespace";
import { planRepair, recoveryBefore, staleAfterSeconds } from "./recovery";
import { planCredentials, recordedCredentials, retainedDataError } from "./secrets";
import { discoverTraefik } from "./traefik";

/** Runs the checks and reads in order; throws the first refusal. */
export async function preflight(reader: ClusterReader, config: DifyConfig) {
  const traefik = await discoverTraefik(reader, {
    override: { namespace: config.traefikNamespace, name: config.traefikServiceName },
    needAddress: config.externalHost === undefined,
    timeoutSeconds: config.addressTimeoutSeconds,
    ingressClassName: config.ingressClassName,
    subPath: config.subPath,
    warn: (m) => pulumi.log.warn(m),
  });
  // Refuses a namespace whose Pod Security level rejects the release's pods, before any change.
  const namespacePlan = planNamespace(config.namespace, await reader.readNamespace(config.namespace));
  if (namespacePlan.warning) pulumi.log.warn(namespacePlan.warning);
  const ns = config.namespace;
  const releaseId = `${ns}/${config.releaseName}`;
  const secretName = credentialsSecretName(config.releaseName);
  const records = await reader.listHelmRecords(ns, config.releaseName);
  // Refused here, before anything changes: a release of another chart under this name, or a
  // revision whose Helm operation may still be running.
  recoveryBefore("update", records, chartName, releaseId, {
    now: new Date(),
    staleSeconds: staleAfterSeconds(config.helmTimeoutSeconds),
  });
  const secret = await reader.readSecretData(ns, secretName);
  // The Secret deleted by hand while the release exists: its values come back from Helm's record.
  const recorded = secret ? undefined : recordedCredentials(records);
  if (recorded) {
    pulumi.log.warn(
      `The Secret ${ns}/${secretName} is missing: this run puts it back with the credentials of ` +
        `Helm release ${releaseId} revision ${recorded.revision}, so the retained data keeps opening.`,
    );
  }
  const existing = secret ?? recorded?.data;
  if (!existing) {
    // No credentials anywhere: new ones must not meet volumes a previous install left.
    const volumes = await reader.listPvcNames(ns, instanceSelector(config.releaseName));
    const refused = retainedDataError(planCredentials(config, undefined), volumes, ns, secretName);
    if (refused) throw refused;
  }
  // With hooks, an interrupted revision is resumed right before Helm acts and a failure is
  // explained as it happens; without (an older language host), here and at the next run.
  const hooks = await hooksReachEngine();
  if (!hooks && !pulumi.runtime.isDryRun()) {
    await resumeInterrupted(reader, config, "update", (note) => pulumi.log.warn(note));
  }
  const explained = await explainLastFailure(reader, config, records);
  if (explained) pulumi.log.warn(explained);
  const secretMissing = !secret && records.length > 0 ? `${ns}/${secretName}` : undefined;
  const repair = planRepair(records, { secretMissing });
  if (repair.reasons.length > 0) {
    pulumi.log.warn(
      `Helm release ${releaseId}: ${repair.reasons.join("; ")}, ` +
        `so this run applies it again (deployment.repair=${repair.generation}).`,
    );
  }
  // The last unattended run: a failed one is reported now and run again (a new bootstrap.retryOf).
  const jobName = componentName(config.releaseName, "bootstrap");
  const lastRun = config.bootstrap ? await reader.readJob(config.namespace, jobName) : undefined;
  if (needsRetry(lastRun)) {
    pulumi.log.warn(
      `The last unattended first run (Job ${config.namespace}/${jobName}) ${describeRun(lastRun)}. ` +
        `This update runs it again; its log: kubectl -n ${config.namespace} logs job/${jobName}`,
    );
  }

  return {
    traefik,
    namespacePlan,
    existing,
    existingName: `${config.namespace}/${secretName}`,
    hooks,
    repair: repair.generation,
    bootstrapRetryOf: nextRetryOf(lastRun),
    jobName,
  };
}
