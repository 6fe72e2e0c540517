/* eslint-disable @typescript-eslint/no-explicit-any -- Helm's release record is untyped JSON, read field by field */
/**
 * Helm 3's release records as the "secret" storage driver keeps them: one Secret per revision,
 * `sh.helm.release.v1.<name>.v<revision>`, labelled owner=helm, name, status, version, whose
 * `release` key holds base64(gzip(JSON of the release)). Mirrors helm.sh/helm/v3
 * pkg/storage/driver/util.go (encodeRelease/decodeRelease) and secrets.go (newSecretsObject,
 * Update) of v3.18.6, the Helm SDK inside the Kubernetes provider 4.25. Pure: no cluster access.
 */
import { gunzipSync, gzipSync, constants } from "zlib";

/** Status values of a Helm release (helm.sh/helm/v3 pkg/release/status.go). */
export const helmStatuses = [
  "unknown",
  "deployed",
  "uninstalled",
  "superseded",
  "failed",
  "uninstalling",
  "pending-install",
  "pending-upgrade",
  "pending-rollback",
] as const;
export type HelmStatus = (typeof helmStatuses)[number];

/** A status that Helm treats as "another operation is in progress". */
export function isPending(status: string): boolean {
  return status === "pending-install" || status === "pending-upgrade" || status === "pending-rollback";
}

/** Name of the Secret holding a revision (driver.makeKey). */
export function recordSecretName(release: string, revision: number): string {
  return `sh.helm.release.v1.${release}.v${revision}`;
}

/** Label selector of every record of a release. */
export function recordSelector(release: string): string {
  return `owner=helm,name=${release}`;
}

/** The parts of a decoded release the program uses; `raw` keeps every field for re-encoding. */
export interface HelmRecord {
  /** Name of the storage Secret. */
  secretName: string;
  /** resourceVersion of that Secret (an update of it is conditional on it). */
  resourceVersion?: string;
  revision: number;
  status: string;
  description: string;
  /** RFC 3339 time of the last change Helm recorded. */
  lastDeployed?: string;
  chartName: string;
  chartVersion: string;
  /** The user-supplied values of the revision (Helm's `config`): holds credentials, never print it. */
  config: Record<string, unknown>;
  raw: Record<string, any>;
}

const gzipMagic = Buffer.from([0x1f, 0x8b, 0x08]);

/** Decodes the `release` entry (already base64-decoded once by the Secret's data encoding). */
export function decodeRelease(data: string): Record<string, any> {
  let b = Buffer.from(data, "base64");
  // Helm skips decompression when the gzip header is missing (records from before compression).
  if (b.length > 3 && b.subarray(0, 3).equals(gzipMagic)) b = gunzipSync(b);
  return JSON.parse(b.toString("utf8"));
}

/** Encodes a release as Helm stores it (JSON, gzip at best compression, base64). */
export function encodeRelease(rel: Record<string, any>): string {
  return gzipSync(Buffer.from(JSON.stringify(rel), "utf8"), { level: constants.Z_BEST_COMPRESSION }).toString(
    "base64",
  );
}

/** A storage Secret (name, resourceVersion, its `release` data already decoded from the Secret's base64). */
export interface RecordSecret {
  name: string;
  resourceVersion?: string;
  labels: Record<string, string>;
  release: string;
}

/** Reads one record; throws naming the Secret when it is not a Helm 3 release. */
export function parseRecord(s: RecordSecret): HelmRecord {
  let raw: Record<string, any>;
  try {
    raw = decodeRelease(s.release);
  } catch (e) {
    const why = (e as Error).message;
    throw new Error(
      `The Helm release record ${s.name} cannot be decoded (${why}): it is not a Helm 3 release.`,
      {
        cause: e,
      },
    );
  }
  return {
    secretName: s.name,
    resourceVersion: s.resourceVersion,
    revision: Number(raw.version ?? s.labels.version),
    status: String(raw.info?.status ?? s.labels.status ?? "unknown"),
    description: String(raw.info?.description ?? ""),
    lastDeployed: raw.info?.last_deployed,
    chartName: String(raw.chart?.metadata?.name ?? ""),
    chartVersion: String(raw.chart?.metadata?.version ?? ""),
    config: raw.config ?? {},
    raw,
  };
}

/**
 * The record with a new status and description, as Helm writes a release it gives up on
 * (Upgrade.failRelease / Install.failRelease: status, description, then storage Update, which
 * also sets the `status` and `modifiedAt` labels).
 */
export function withStatus(
  rec: HelmRecord,
  status: HelmStatus,
  description: string,
  now: Date,
): { release: string; labels: Record<string, string> } {
  const raw = { ...rec.raw, info: { ...rec.raw.info, status, description } };
  return {
    release: encodeRelease(raw),
    labels: { status, modifiedAt: String(Math.floor(now.getTime() / 1000)) },
  };
}
