/**
 * Credentials of the release. Effective value of each: secret stack config if set, else the
 * value already in the cluster's `<fullname>-credentials` Secret (a re-created stack adopts
 * retained data instead of locking itself out of it), else a `random` resource (stable across
 * updates because it lives in the stack's state). All values are Pulumi secrets.
 *
 * Only RandomPassword and RandomBytes are used (the offline test provider supports no other).
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { credentialsSecretKeys } from "./chart-contract";
import { CredentialKey, credentialKeys, DifyConfig } from "./config";
import { UserError } from "./errors";
import { HelmRecord } from "./helm-storage";
import { newest, newestDeployed } from "./recovery";
import { credentialsInValues } from "./values";

export type Credentials = Record<CredentialKey, string>;

/** config: secret stack config; cluster: the existing Secret; generated: random; none: empty. */
export type CredentialSource = "config" | "cluster" | "generated" | "none";

/** Where a credential comes from: explicit config wins, then retained cluster data, then random (if allowed). */
export function credentialSource(
  override: string | undefined,
  existing: string | undefined,
  generate = true,
): CredentialSource {
  if (override !== undefined && override !== "") return "config";
  if (existing !== undefined && existing !== "") return "cluster";
  return generate ? "generated" : "none";
}

/** True for the password of an external PostgreSQL/Redis (it belongs to that server). */
function ofExternalServer(cfg: DifyConfig, k: CredentialKey): boolean {
  return (k === "postgresPassword" && !cfg.postgresEnabled) || (k === "redisPassword" && !cfg.redisEnabled);
}

/** True for the admin password without the unattended first run (nothing is generated for it then). */
function unusedAdminPassword(cfg: DifyConfig, k: CredentialKey): boolean {
  return k === "adminPassword" && cfg.bootstrap === undefined;
}

/**
 * The source of every credential. Passwords of external PostgreSQL/Redis belong to those
 * servers: they come from config only (parseConfig requires the PostgreSQL one; an external
 * Redis without dify:redisPassword is used without a password). The admin password is
 * generated only with dify:adminEmail; a retained one stays in the Secret either way.
 */
export function planCredentials(
  cfg: DifyConfig,
  existing?: Record<string, string>,
): Record<CredentialKey, CredentialSource> {
  const plan = {} as Record<CredentialKey, CredentialSource>;
  for (const k of credentialKeys) {
    plan[k] = ofExternalServer(cfg, k)
      ? credentialSource(cfg.credentials[k], undefined, false)
      : credentialSource(
          cfg.credentials[k],
          existing?.[credentialsSecretKeys[k]],
          !unusedAdminPassword(cfg, k),
        );
  }
  return plan;
}

/** Keys a `random` resource is registered for (every in-release credential in use). */
export function generatedKeys(cfg: DifyConfig): CredentialKey[] {
  return credentialKeys.filter((k) => !ofExternalServer(cfg, k) && !unusedAdminPassword(cfg, k));
}

/**
 * Warnings about config values that replace a different value already in use. Never
 * contains a value. SECRET_KEY is the one whose change users feel (sessions end).
 */
export function overrideWarnings(
  cfg: DifyConfig,
  existing: Record<string, string> | undefined,
  secretName: string,
): string[] {
  const out: string[] = [];
  const current = existing?.[credentialsSecretKeys.secretKey];
  if (cfg.credentials.secretKey !== undefined && current && current !== cfg.credentials.secretKey) {
    out.push(
      `dify:secretKey differs from the SECRET_KEY stored in ${secretName}: this update replaces it, which signs every user out and invalidates signed file links. ` +
        "Remove dify:secretKey to keep the stored key.",
    );
  }
  return out;
}

/** Keys adopted from the cluster whose value differs from the stack's own random value. */
export function adoptedKeys(
  plan: Record<CredentialKey, CredentialSource>,
  existing: Record<string, string> | undefined,
  generated: Partial<Credentials>,
): CredentialKey[] {
  return credentialKeys.filter(
    (k) => plan[k] === "cluster" && existing?.[credentialsSecretKeys[k]] !== generated[k],
  );
}

/**
 * The credentials a Helm record of the release holds (its values), as Secret data: the newest
 * deployed revision, else the newest. The source when the Secret was deleted by hand while the
 * release exists; undefined when no record holds any.
 */
export function recordedCredentials(
  records: HelmRecord[],
): { revision: number; data: Record<string, string> } | undefined {
  const rec = newestDeployed(records) ?? newest(records);
  if (!rec) return undefined;
  const creds = credentialsInValues(rec.config);
  const data: Record<string, string> = {};
  for (const k of credentialKeys)
    if (creds[k] !== undefined) data[credentialsSecretKeys[k]] = creds[k] as string;
  return Object.keys(data).length > 0 ? { revision: rec.revision, data } : undefined;
}

/**
 * The error when new random credentials would meet retained data: the release's PVCs exist but
 * neither the Secret nor a Helm record holds the credentials. Says how to restore them. Undefined
 * when nothing would be generated or there is no retained volume.
 */
export function retainedDataError(
  plan: Record<CredentialKey, CredentialSource>,
  pvcNames: string[],
  namespace: string,
  secretName: string,
): UserError | undefined {
  const missing = credentialKeys.filter((k) => plan[k] === "generated");
  if (missing.length === 0 || pvcNames.length === 0) return undefined;
  return new UserError(
    `The namespace ${namespace} holds retained data of this release (PersistentVolumeClaims ${pvcNames.join(", ")}) ` +
      `but its credentials are gone: the Secret ${namespace}/${secretName} does not exist ` +
      "and no Helm release record holds them. New random credentials would not match the data, " +
      "so nothing was changed. Restore them, then run pulumi up again:\n" +
      `  - from a backup of the Secret: kubectl -n ${namespace} apply -f ${secretName}.yaml\n` +
      `  - or as secret stack config: ${missing
        .map((k) => `pulumi config set --secret dify:${k} <value>`)
        .join("; ")}` +
      "\n" +
      "To start over without the old data instead, delete the claims first (this deletes the data): " +
      `kubectl -n ${namespace} delete pvc ${pvcNames.join(" ")}`,
  );
}

export interface DifyCredentialsArgs {
  config: DifyConfig;
  /** Decoded data of the existing credentials Secret, if any. */
  existing?: Record<string, string>;
  /** "<namespace>/<name>" of that Secret, for messages. */
  existingName: string;
}

/** The release credentials: random resources plus the choice between config, cluster and random. */
export class DifyCredentials extends pulumi.ComponentResource {
  /** Effective credentials, as one secret Output. */
  public readonly values: pulumi.Output<Credentials>;

  constructor(name: string, args: DifyCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dify-nkp:index:Credentials", name, {}, opts);
    const child = { parent: this };
    const pw = (n: string, length: number) =>
      new random.RandomPassword(
        `${name}-${n}`,
        { length, special: false, minLower: 2, minUpper: 2, minNumeric: 2 },
        child,
      ).result;
    const factories: Record<CredentialKey, () => pulumi.Output<string>> = {
      // 32 random bytes as hex, like `openssl rand -hex 32` of the original deploy.sh.
      secretKey: () => new random.RandomBytes(`${name}-secret-key`, { length: 32 }, child).hex,
      // Typed by a person on the setup page: at most 30 characters, letters and digits only.
      initPassword: () => pw("init-password", 20),
      postgresPassword: () => pw("postgres-password", 32),
      // Letters and digits: the Redis password is part of the Celery broker URL.
      redisPassword: () => pw("redis-password", 32),
      pluginDaemonKey: () => pw("plugin-daemon-key", 48),
      pluginInnerApiKey: () => pw("plugin-inner-api-key", 48),
      sandboxApiKey: () => pw("sandbox-api-key", 48),
      // Dify's rule: at least 8 characters with letters and digits (minNumeric guarantees digits).
      adminPassword: () => pw("admin-password", 24),
      weaviateApiKey: () => pw("weaviate-api-key", 48),
    };
    const generated: Partial<Record<CredentialKey, pulumi.Output<string>>> = {};
    for (const k of generatedKeys(args.config)) generated[k] = factories[k]();

    const plan = planCredentials(args.config, args.existing);
    const chosen = {} as Record<CredentialKey, pulumi.Output<string>>;
    for (const k of credentialKeys) {
      const src = plan[k];
      chosen[k] =
        src === "config"
          ? pulumi.secret(args.config.credentials[k] as string)
          : src === "cluster"
            ? pulumi.secret(args.existing?.[credentialsSecretKeys[k]] as string)
            : src === "generated"
              ? (generated[k] as pulumi.Output<string>)
              : pulumi.output("");
    }

    for (const w of overrideWarnings(args.config, args.existing, args.existingName)) pulumi.log.warn(w, this);
    if (credentialKeys.some((k) => plan[k] === "cluster")) {
      // Report only keys that differ from this stack's own random values (a re-created stack
      // or a value set outside Pulumi), names only, never values. Runs once values are known.
      pulumi.all(generated).apply((g) => {
        const adopted = adoptedKeys(plan, args.existing, g);
        if (adopted.length > 0) {
          pulumi.log.info(
            `Credentials kept from the existing Secret ${args.existingName}: ${adopted.join(", ")}. ` +
              "They match the retained data; to rotate one, set it as secret stack config (pulumi config set --secret dify:<key> <value>).",
            this,
          );
        }
      });
    }

    this.values = pulumi.secret(pulumi.all(chosen).apply((c) => c as Credentials));
    this.registerOutputs({ values: this.values });
  }
}
