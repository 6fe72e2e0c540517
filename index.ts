/**
 * dify-nkp: Dify Community Edition on Nutanix Kubernetes Platform, behind the platform Traefik.
 * Reads the stack config, finds Traefik and its address, and installs the bundled chart.
 * Everything is validated and discovered before the first resource is registered.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { clusterReader } from "./components/cluster";
import { parseConfig } from "./components/config";
import { DifyRelease } from "./components/dify";
import { DifyCredentials } from "./components/secrets";
import { discoverTraefik } from "./components/traefik";
import { credentialsSecretName } from "./components/values";

/** Raw `dify:*` stack config as strings, key without the prefix. */
function rawConfig(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(pulumi.runtime.allConfig())) {
    if (k.startsWith("dify:")) out[k.slice("dify:".length)] = v;
  }
  return out;
}

export = async () => {
  const config = parseConfig(rawConfig());
  const kube = new pulumi.Config("kubernetes");
  const reader = clusterReader(kube.get("kubeconfig"), kube.get("context"));

  const traefik = await discoverTraefik(reader, {
    override: { namespace: config.traefikNamespace, name: config.traefikServiceName },
    needAddress: config.externalHost === undefined,
    timeoutSeconds: config.addressTimeoutSeconds,
    ingressClassName: config.ingressClassName,
    pathMode: config.path !== "/",
    warn: (m) => pulumi.log.warn(m),
  });
  const secretName = credentialsSecretName(config.releaseName);
  const existing = await reader.readSecretData(config.namespace, secretName);

  const traefikService = k8s.core.v1.Service.get("platform-traefik", `${traefik.namespace}/${traefik.name}`);
  const credentials = new DifyCredentials("dify", { config, existing, existingName: `${config.namespace}/${secretName}` });
  const dify = new DifyRelease("dify", { config, traefik, credentials });
  if (config.openaiApiKey !== undefined) {
    pulumi.log.info("dify:openaiApiKey is kept in the release Secret (OPENAI_API_KEY) for reference only: Dify 1.x reads no such variable. " +
      "Enter the key in Dify under Settings > Model Provider after installing the OpenAI plugin.");
  }

  return {
    url: dify.url,
    setupUrl: dify.setupUrl,
    namespace: config.namespace,
    releaseName: config.releaseName,
    releaseStatus: dify.release.status.status,
    traefikService: pulumi.interpolate`${traefikService.metadata.namespace}/${traefikService.metadata.name}`,
    address: dify.host,
    initPassword: pulumi.secret(credentials.values.apply((c) => c.initPassword)),
  };
};
