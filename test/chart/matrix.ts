/** The render matrix: every mode the chart supports, as the install cases in chart/ci/. */
import { credentialsSecretKeys } from "../../components/chart-contract";
import { baseValues, ciValues, merge } from "./render";

export const base = baseValues();

/** Credential keys of the release Secret (components/chart-contract.ts). */
export const secretKeys: string[] = Object.values(credentialsSecretKeys);

export interface Case {
  values: any;
  /** chart/ci/<file>-values.yaml merged over the base. */
  file: string;
  release?: string;
  /** fullname of the release (names of every object). */
  fullname: string;
  /** Secret every secretKeyRef must name. */
  secret: string;
}

/** chart/ci/NN-<case>-values.yaml over the base (00-path-mode-values.yaml), the way `helm -f 00 -f NN` merges. */
const c = (file: string, extra: Partial<Case> = {}): Case =>
  ({ values: merge(base, ciValues(file)), file, fullname: "dify", secret: "dify-credentials", ...extra });

/** Every install case of chart/ci/, by name (the files double as examples for `helm install -f`). */
export const matrix: Record<string, Case> = {
  "path mode": c("00-path-mode"),
  "root mode": c("01-root-mode"),
  "external DNS host": c("02-external-dns-host"),
  "registry prefix and pull secrets": c("03-registry-mirror"),
  "RWX files": c("04-rwx-files"),
  "S3 files": c("05-s3-files"),
  "external Postgres and Redis": c("06-external-data-stores"),
  "NetworkPolicy off": c("07-networkpolicy-off"),
  // The SSRF proxy is on by default: the reference install runs it.
  "SSRF proxy": c("00-path-mode"),
  "SSRF proxy off": c("08-ssrf-proxy-off"),
  "Weaviate off, Redis without password": c("09-no-weaviate-no-redis-password"),
  "existing Secret": c("10-existing-secret", { secret: "my-dify-credentials" }),
  "edge cases (IPv6 host, deeper path, decimal size, numeric port and replicas)": c("11-edge-cases"),
  "medium sizing, 100Mi plugins, public file URLs, no root redirects": c("12-medium-sizing"),
  "ingress from all namespaces": c("13-ingress-from-all-namespaces"),
  "unattended first run through the SSRF proxy": c("14-first-run"),
  "release prod (not containing dify)": c("00-path-mode", { release: "prod", fullname: "prod-dify", secret: "prod-dify-credentials" }),
};
