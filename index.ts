/**
 * dify-nkp: Dify Community Edition on Nutanix Kubernetes Platform, behind the platform Traefik.
 *
 * Reads and validates the stack config, finds Traefik and its address, checks the target
 * namespace's Pod Security level, reads the retained credentials Secret, then registers the
 * resources. The module exports one async function:
 * the Pulumi Node.js runtime calls it and uses the object it resolves to as the stack
 * outputs (`pulumi up`). Being a function, every check (config, Traefik, IngressClass, address)
 * finishes before the first resource is registered, and nothing runs on import.
 */
import * as pulumi from "@pulumi/pulumi";
import { describeRun, needsRetry, nextRetryOf } from "./components/bootstrap";
import {
  chartName,
  componentName,
  credentialsSecretName,
  instanceSelector,
} from "./components/chart-contract";
import { clusterReader } from "./components/cluster";
import { DifyRelease, explainLastFailure, hooksReachEngine, resumeInterrupted } from "./components/dify";
import { reportable } from "./components/errors";
import { kubernetesProvider } from "./components/kube-provider";
import { planNamespace } from "./components/namespace";
import { planRepair, recoveryBefore, staleAfterSeconds } from "./components/recovery";
import {
  DifyCredentials,
  planCredentials,
  recordedCredentials,
  retainedDataError,
} from "./components/secrets";
import { kubeAccess, loadConfig } from "./components/stack-config";
import { discoverTraefik } from "./components/traefik";

const main = async () => {
  const config = loadConfig();
  const kube = kubeAccess();
  const reader = clusterReader(kube);

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

  // The cluster the reader read, for every Kubernetes resource; aliased to v0.1.0's default provider.
  const provider = kubernetesProvider(kube);
  const credentials = new DifyCredentials("dify", {
    config,
    existing,
    existingName: `${config.namespace}/${secretName}`,
  });
  const bootstrapRetryOf = nextRetryOf(lastRun);
  const recovery = { cluster: reader, repair: repair.generation, hooks };
  const dify = new DifyRelease(
    "dify",
    { config, traefik, credentials, namespacePlan, bootstrapRetryOf, ...recovery },
    {
      providers: { kubernetes: provider },
    },
  );
  // What the run of this update did (read once the release, hooks included, is done).
  const bootstrap = config.bootstrap
    ? dify.release.status.apply(() =>
        reader
          .readJob(config.namespace, jobName)
          .then(describeRun, (e) => `unknown (${e instanceof Error ? e.message : String(e)})`),
      )
    : undefined;

  return {
    url: dify.url,
    setupUrl: dify.setupUrl,
    namespace: dify.namespace,
    releaseName: dify.releaseName,
    releaseStatus: dify.release.status.status,
    traefikService: `${traefik.namespace}/${traefik.name}`,
    address: dify.address,
    initPassword: dify.initPassword,
    // Only with the unattended first run (dify:adminEmail): its admin and what its last run did.
    ...(config.bootstrap
      ? { adminEmail: config.bootstrap.adminEmail, adminPassword: dify.adminPassword, bootstrap }
      : {}),
  };
};

// Every failure leaves as a Pulumi RunError: a clean message, reported at once (components/errors.ts).
export = () =>
  main().catch((e: unknown) => {
    throw reportable(e);
  });
