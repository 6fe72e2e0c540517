/**
 * The release namespace and Pod Security Admission. The sandbox, the plugin daemon and the
 * SSRF proxy run as root (their images need it), so the release needs the Pod Security level
 * "baseline" at least; "restricted" rejects their pods. Pure decisions: the Namespace
 * resource itself is registered by DifyRelease.
 */
import { UserError } from "./errors";

/** The least Pod Security level every pod of the release passes. */
export const minimumPodSecurityLevel = "baseline";

/** Pod Security labels of a namespace the program creates: enforce baseline, report what restricted would refuse. */
export const podSecurityLabels: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": minimumPodSecurityLevel,
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
};

/**
 * Marks a namespace this program created, so every later run (and a new stack after
 * `pulumi destroy`, which keeps the namespace) keeps managing its labels. A namespace
 * without it belongs to someone else: it is checked, never relabelled.
 */
export const createdByLabel = { key: "dify.nkp/created-by", value: "dify-nkp" } as const;

export interface NamespaceSummary {
  name: string;
  labels: Record<string, string>;
}

export interface NamespacePlan {
  /** Register the Namespace resource: the program created it (now or on an earlier run). */
  manage: boolean;
  /** Labels of the managed namespace (empty when not managed). */
  labels: Record<string, string>;
  /** Something the user should know (logged as a warning). */
  warning?: string;
}

/** Levels of Pod Security Admission that refuse the release's root pods. */
const refusingLevels = ["restricted"];

/**
 * What to do with the release namespace, given what the cluster has (undefined: no such
 * namespace; "forbidden": RBAC does not let the deploying identity read it). Throws, before
 * anything is changed, when the namespace enforces a level the release's pods cannot pass.
 */
export function planNamespace(
  name: string,
  existing: NamespaceSummary | undefined | "forbidden",
): NamespacePlan {
  const level = minimumPodSecurityLevel;
  const label = "pod-security.kubernetes.io/enforce";
  if (existing === "forbidden") {
    return {
      manage: false,
      labels: {},
      warning:
        `Not allowed to read Namespace ${name} (RBAC), so its Pod Security level is not checked ` +
        `and it is not created: it must exist and allow "${level}" (label ${label}=${level} or none).`,
    };
  }
  const enforce = existing?.labels[label];
  if (enforce !== undefined && refusingLevels.includes(enforce)) {
    throw new UserError(
      `Namespace ${name} (dify:namespace) enforces Pod Security "${enforce}" (label ${label}=${enforce}), ` +
        "which rejects the sandbox, the plugin daemon and the SSRF proxy: their images run as root. " +
        `Nothing was changed. Allow "${level}" there ` +
        `(kubectl label namespace ${name} ${label}=${level} --overwrite), ` +
        `or set dify:namespace to a namespace that does not exist yet (created with enforce=${level}).`,
    );
  }
  const manage = existing === undefined || existing.labels[createdByLabel.key] === createdByLabel.value;
  return {
    manage,
    labels: manage ? { ...podSecurityLabels, [createdByLabel.key]: createdByLabel.value } : {},
  };
}
