/** The render matrix: every mode the chart supports, as values over the valid base. */
import { baseValues, merge } from "./render";

export const base = baseValues();

/** Credential keys of the release Secret (docs/DESIGN.md). */
export const secretKeys = [
  "SECRET_KEY", "INIT_PASSWORD", "OPENAI_API_KEY", "PLUGIN_DAEMON_KEY", "INNER_API_KEY_FOR_PLUGIN", "CODE_EXECUTION_API_KEY",
  "WEAVIATE_API_KEY", "DB_PASSWORD", "REDIS_PASSWORD", "S3_ACCESS_KEY", "S3_SECRET_KEY",
];

const stockWeb = { images: { web: { repository: "", tag: "", basePath: "" } } };

export interface Case {
  values: any;
  release?: string;
  /** fullname of the release (names of every object). */
  fullname: string;
  /** Secret every secretKeyRef must name. */
  secret: string;
}

const c = (values: any, extra: Partial<Case> = {}): Case => ({ values, fullname: "dify", secret: "dify-credentials", ...extra });

export const matrix: Record<string, Case> = {
  "path mode": c(base),
  "root mode": c(merge(base, { expose: { path: "/" }, ...stockWeb })),
  "external DNS host": c(merge(base, { external: { host: "dify.example.com" } })),
  "registry prefix and pull secrets": c(merge(base, { global: { imageRegistry: "registry.example.local/mirror", imagePullSecrets: ["pull-secret", "other-pull-secret"], imagePullPolicy: "Always" } })),
  "RWX files": c(merge(base, { dify: { fileStorage: { accessMode: "ReadWriteMany", storageClass: "nutanix-files" } } })),
  "S3 files": c(merge(base, { dify: { fileStorage: { s3: { enabled: true, endpoint: "https://objects.example.local", bucket: "dify", accessKey: "test-s3access-o5p6", secretKey: "test-s3secret-q7r8" } } } })),
  "external Postgres and Redis": c(merge(base, { postgresql: { enabled: false, external: { host: "pg.example.local", port: "5433" } }, redis: { enabled: false, external: { host: "redis.example.local" } } })),
  "NetworkPolicy off": c(merge(base, { networkPolicy: { enabled: false } })),
  "SSRF proxy": c(merge(base, { ssrfProxy: { enabled: true } })),
  "Weaviate off, Redis without password": c(merge(base, { weaviate: { enabled: false }, redis: { auth: { password: "" } }, secrets: { weaviateApiKey: "" } })),
  "existing Secret": c(
    merge(merge(base, { global: { existingSecret: "my-dify-credentials" } }), { secrets: { difySecretKey: "", initPassword: "", pluginDaemonKey: "", pluginInnerApiKey: "", sandboxApiKey: "", weaviateApiKey: "", openaiApiKey: "" }, postgresql: { auth: { password: "" } }, redis: { auth: { password: "" } } }),
    { secret: "my-dify-credentials" },
  ),
  "release prod (not containing dify)": c(base, { release: "prod", fullname: "prod-dify", secret: "prod-dify-credentials" }),
};
