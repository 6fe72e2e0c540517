/**
 * Credentials of the release. Effective value of each: secret stack config if set, else
 * the value already in the cluster's credentials Secret (a re-created stack adopts retained
 * data instead of locking itself out), else a `random` resource (stable across updates).
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CredentialKey, credentialKeys, DifyConfig } from "./config";
import { Credentials } from "./values";

/** Key of each credential in the release Secret (chart/templates/secret.yaml). */
export const secretDataKeys: Record<CredentialKey, string> = {
  secretKey: "SECRET_KEY",
  initPassword: "INIT_PASSWORD",
  postgresPassword: "DB_PASSWORD",
  redisPassword: "REDIS_PASSWORD",
  pluginDaemonKey: "PLUGIN_DAEMON_KEY",
  pluginInnerApiKey: "INNER_API_KEY_FOR_PLUGIN",
  sandboxApiKey: "CODE_EXECUTION_API_KEY",
  weaviateApiKey: "WEAVIATE_API_KEY",
};

export type CredentialSource = "config" | "cluster" | "generated";

/** Where a credential comes from: explicit config wins, then retained cluster data, then random. */
export function credentialSource(override: string | undefined, existing: string | undefined): CredentialSource {
  if (override !== undefined && override !== "") return "config";
  if (existing !== undefined && existing !== "") return "cluster";
  return "generated";
}

export interface DifyCredentialsArgs {
  config: DifyConfig;
  /** Decoded data of the existing credentials Secret, if any. */
  existing?: Record<string, string>;
  existingName: string;
}

export class DifyCredentials extends pulumi.ComponentResource {
  public readonly values: pulumi.Output<Credentials>;
  public readonly sources: Record<CredentialKey, CredentialSource>;

  constructor(name: string, args: DifyCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dify-nkp:index:Credentials", name, {}, opts);
    const child = { parent: this };
    const pw = (n: string, length: number, extra: Partial<random.RandomPasswordArgs> = {}) =>
      new random.RandomPassword(`${name}-${n}`, { length, special: false, minLower: 2, minUpper: 2, minNumeric: 2, ...extra }, child).result;
    const generated: Record<CredentialKey, pulumi.Output<string>> = {
      // 32 random bytes as hex, like `openssl rand -hex 32` of the original deploy.sh.
      secretKey: new random.RandomBytes(`${name}-secret-key`, { length: 32 }, child).hex,
      // Typed by a person on the setup page: at most 30 characters, letters and digits.
      initPassword: pw("init-password", 20),
      postgresPassword: pw("postgres-password", 32),
      redisPassword: pw("redis-password", 32),
      pluginDaemonKey: pw("plugin-daemon-key", 48),
      pluginInnerApiKey: pw("plugin-inner-api-key", 48),
      sandboxApiKey: pw("sandbox-api-key", 48),
      weaviateApiKey: pw("weaviate-api-key", 48),
    };
    const sources = {} as Record<CredentialKey, CredentialSource>;
    const chosen = {} as Record<CredentialKey, pulumi.Output<string>>;
    for (const k of credentialKeys) {
      const existing = args.existing?.[secretDataKeys[k]];
      sources[k] = credentialSource(args.config.credentials[k], existing);
      chosen[k] =
        sources[k] === "config" ? pulumi.output(args.config.credentials[k] as string)
        : sources[k] === "cluster" ? pulumi.output(existing as string)
        : generated[k];
    }
    const adopted = credentialKeys.filter((k) => sources[k] === "cluster");
    if (adopted.length > 0) {
      // Only names, never values.
      pulumi.log.info(`Credentials kept from the existing Secret ${args.existingName}: ${adopted.join(", ")}. ` +
        "To rotate one, set it as secret stack config.", this);
    }
    this.sources = sources;
    this.values = pulumi.secret(pulumi.all(chosen).apply((c) => c as Credentials));
    this.registerOutputs({ sources });
  }
}
