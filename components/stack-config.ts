/**
 * The Pulumi-facing side of the configuration: reads the running stack's `dify:*` values,
 * validates them with the pure parseConfig (which throws one ConfigError listing every
 * problem), and logs warnings and notes. Secret values are wrapped with pulumi.secret where
 * they are used (components/secrets.ts, the release values); nothing here prints a value.
 */
import * as pulumi from "@pulumi/pulumi";
import { KubeAccess, resolveKube } from "./cluster";
import { configNotes, DifyConfig, parseConfig, plainSecretKeys } from "./config";

/** Raw `dify:*` stack config as strings, key without the prefix. */
export function rawStackConfig(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(pulumi.runtime.allConfig())) {
    if (k.startsWith("dify:")) out[k.slice("dify:".length)] = v;
  }
  return out;
}

/** The validated stack config; throws ConfigError before any resource exists. */
export function loadConfig(): DifyConfig {
  const raw = rawStackConfig();
  const cfg = parseConfig(raw);
  for (const w of cfg.warnings) pulumi.log.warn(w);
  const isSecret = (pulumi.runtime as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  if (typeof isSecret === "function") {
    for (const k of plainSecretKeys(raw, isSecret)) {
      pulumi.log.warn(
        `dify:${k} is stored as plain text in the stack config: set it with pulumi config set --secret dify:${k} <value>`,
      );
    }
  }
  for (const n of configNotes(cfg)) pulumi.log.info(n);
  return cfg;
}

/** The target cluster from the Kubernetes provider's settings, resolved once for the reader and the provider. */
export function kubeAccess(): KubeAccess {
  const kube = new pulumi.Config("kubernetes");
  return resolveKube(kube.get("kubeconfig"), kube.get("context"));
}
