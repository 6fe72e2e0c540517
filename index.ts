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
import { componentName, credentialsSecretName } from "./components/chart-contract";
import { clusterReader } from "./components/cluster";
import { DifyRelease } from "./components/dify";
import { reportable } from "./components/errors";
import { kubernetesProvider } from "./components/kube-provider";
import { planNamespace } from "./components/namespace";
import { DifyCredentials } from "./components/secrets";
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
  const secretName = credentialsSecretName(config.releaseName);
  const existing = await reader.readSecretData(config.namespace, secretName);
  // The last unattended run: a failed one is reported now and run again (a new bootstrap.retryOf).
  const jobName = componentName(config.releaseName, "bootstrap");
  const lastRun = config.bootstrap ? await reader.readJob(config.namespace, jobName) : undefined;
  if (needsRetry(lastRun)) {
    pulumi.log.warn(`The last unattended first run (Job ${config.namespace}/${jobName}) ${describeRun(lastRun)}. ` +
      `This update runs it again; its log: kubectl -n ${config.namespace} logs job/${jobName}`);
  }

  // The cluster the reader read, for every Kubernetes resource; aliased to v0.1.0's default provider.
  const provider = kubernetesProvider(kube);
  const credentials = new DifyCredentials("dify", { config, existing, existingName: `${config.namespace}/${secretName}` });
  const bootstrapRetryOf = nextRetryOf(lastRun);
  const dify = new DifyRelease("dify", { config, traefik, credentials, namespacePlan, bootstrapRetryOf }, {
    providers: { kubernetes: provider },
  });
  // What the run of this update did (read once the release, hooks included, is done).
  const bootstrap = config.bootstrap
    ? dify.release.status.apply(() => reader.readJob(config.namespace, jobName).then(describeRun,
      (e) => `unknown (${e instanceof Error ? e.message : String(e)})`))
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
export = () => main().catch((e: unknown) => {
  throw reportable(e);
});
