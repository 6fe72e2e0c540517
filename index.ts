/**
 * dify-nkp: Dify Community Edition on Nutanix Kubernetes Platform, behind the platform Traefik.
 *
 * Reads and validates the stack config, runs the pre-flight checks and reads
 * (components/preflight.ts: Traefik, namespace, Helm's records, retained credentials), then
 * registers the resources. The module exports one async function:
 * the Pulumi Node.js runtime calls it and uses the object it resolves to as the stack
 * outputs (`pulumi up`). Being a function, every check (config, Traefik, IngressClass, address)
 * finishes before the first resource is registered, and nothing runs on import.
 */
import { describeRun } from "./components/bootstrap";
import { clusterReader } from "./components/cluster";
import { DifyRelease } from "./components/dify";
import { reportable } from "./components/errors";
import { kubernetesProvider } from "./components/kube-provider";
import { preflight } from "./components/preflight";
import { DifyCredentials } from "./components/secrets";
import { kubeAccess, loadConfig } from "./components/stack-config";

const main = async () => {
  const config = loadConfig();
  const kube = kubeAccess();
  const reader = clusterReader(kube);

  const { traefik, namespacePlan, existing, existingName, hooks, repair, bootstrapRetryOf, jobName } =
    await preflight(reader, config);

  // The cluster the reader read, for every Kubernetes resource; aliased to v0.1.0's default provider.
  const provider = kubernetesProvider(kube);
  const credentials = new DifyCredentials("dify", { config, existing, existingName });
  const recovery = { cluster: reader, repair, hooks };
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
