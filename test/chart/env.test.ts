/** The environment contract of ../shared/facts/dify-1.11.4.md, component by component. */
import * as assert from "assert";
import { base, matrix } from "./matrix";
import { envOf, find, merge, podSpec, renderOk } from "./render";

const sec = (key: string, from = "dify-credentials") => ({ secret: key, from });

/** What api, worker, beat and the migration Job share (MODE aside), for the base values. */
const appContract: Record<string, any> = {
  LOG_LEVEL: "INFO",
  MIGRATION_ENABLED: "false",
  SECRET_KEY: sec("SECRET_KEY"),
  INIT_PASSWORD: sec("INIT_PASSWORD"),
  CONSOLE_API_URL: "https://198.51.100.10/dify",
  CONSOLE_WEB_URL: "https://198.51.100.10/dify",
  SERVICE_API_URL: "https://198.51.100.10/dify",
  APP_WEB_URL: "https://198.51.100.10",
  FILES_URL: "https://198.51.100.10/dify",
  TRIGGER_URL: "https://198.51.100.10/dify",
  ENDPOINT_URL_TEMPLATE: "https://198.51.100.10/dify/e/{hook_id}",
  INTERNAL_FILES_URL: "http://dify-api:5001",
  DB_TYPE: "postgresql",
  DB_HOST: "dify-postgresql",
  DB_PORT: "5432",
  DB_USERNAME: "dify",
  DB_PASSWORD: sec("DB_PASSWORD"),
  DB_DATABASE: "dify",
  REDIS_HOST: "dify-redis",
  REDIS_PORT: "6379",
  REDIS_PASSWORD: sec("REDIS_PASSWORD"),
  REDIS_DB: "0",
  CELERY_BROKER_URL: "redis://:$(REDIS_PASSWORD)@dify-redis:6379/1",
  STORAGE_TYPE: "opendal",
  OPENDAL_SCHEME: "fs",
  OPENDAL_FS_ROOT: "storage",
  VECTOR_STORE: "weaviate",
  WEAVIATE_ENDPOINT: "http://dify-weaviate:8080",
  WEAVIATE_GRPC_ENDPOINT: "grpc://dify-weaviate:50051",
  WEAVIATE_API_KEY: sec("WEAVIATE_API_KEY"),
  CODE_EXECUTION_ENDPOINT: "http://dify-sandbox:8194",
  CODE_EXECUTION_API_KEY: sec("CODE_EXECUTION_API_KEY"),
  PLUGIN_DAEMON_URL: "http://dify-plugin-daemon:5002",
  PLUGIN_DAEMON_KEY: sec("PLUGIN_DAEMON_KEY"),
  INNER_API_KEY_FOR_PLUGIN: sec("INNER_API_KEY_FOR_PLUGIN"),
  MARKETPLACE_ENABLED: "true",
  MARKETPLACE_API_URL: "https://marketplace.dify.ai",
};

/** Asserts every entry of a contract on an env map (extra variables are allowed). */
function assertContract(env: Record<string, any>, contract: Record<string, any>, where: string) {
  for (const [k, v] of Object.entries(contract)) assert.deepStrictEqual(env[k], v, `${where}: ${k}`);
}

describe("chart: environment contract", () => {
  const docs = () => renderOk(base);

  for (const [kind, name, mode] of [["Deployment", "dify-api", "api"], ["Deployment", "dify-worker", "worker"], ["Deployment", "dify-worker-beat", "beat"], ["Job", "dify-migrate", "job"]]) {
    it(`${name} gets every shared Dify variable and MODE=${mode}`, () => {
      const env = envOf(find(docs(), kind, name));
      assertContract(env, { ...appContract, MODE: mode }, name);
    });
  }

  it("api, worker, beat and the migration share exactly one environment (MODE aside)", () => {
    const d = docs();
    const api = envOf(find(d, "Deployment", "dify-api"));
    for (const [kind, name] of [["Deployment", "dify-worker"], ["Deployment", "dify-worker-beat"], ["Job", "dify-migrate"]]) {
      assert.deepStrictEqual({ ...envOf(find(d, kind, name)), MODE: "api" }, api, name);
    }
  });

  it("the migration runs flask db upgrade through MODE=job", () => {
    const c = podSpec(find(docs(), "Job", "dify-migrate")).containers[0];
    assert.deepStrictEqual(c.args, ["db", "upgrade"]);
    assert.strictEqual(c.command, undefined, "the image entrypoint must run (it maps MODE=job to flask)");
  });

  it("sets none of the seed's SERVER_URL / CONSOLE_URL (Dify reads neither)", () => {
    const env = envOf(find(docs(), "Deployment", "dify-api"));
    assert.strictEqual(env.SERVER_URL, undefined);
    assert.strictEqual(env.CONSOLE_URL, undefined);
  });

  it("web gets its public API bases, the marketplace and a listen address", () => {
    assertContract(envOf(find(docs(), "Deployment", "dify-web")), {
      CONSOLE_API_URL: "https://198.51.100.10/dify",
      APP_API_URL: "https://198.51.100.10/dify",
      MARKETPLACE_API_URL: "https://marketplace.dify.ai",
      MARKETPLACE_URL: "https://marketplace.dify.ai",
      PM2_INSTANCES: "1",
      HOSTNAME: "0.0.0.0",
      PORT: "3000",
    }, "dify-web");
  });

  it("the plugin daemon gets its keys, its own database, Redis, remote install and persistent storage settings", () => {
    assertContract(envOf(find(docs(), "Deployment", "dify-plugin-daemon")), {
      SERVER_PORT: "5002",
      SERVER_KEY: sec("PLUGIN_DAEMON_KEY"),
      DIFY_INNER_API_URL: "http://dify-api:5001",
      DIFY_INNER_API_KEY: sec("INNER_API_KEY_FOR_PLUGIN"),
      DB_TYPE: "postgresql",
      DB_HOST: "dify-postgresql",
      DB_PORT: "5432",
      DB_USERNAME: "dify",
      DB_PASSWORD: sec("DB_PASSWORD"),
      DB_DATABASE: "dify_plugin",
      REDIS_HOST: "dify-redis",
      REDIS_PORT: "6379",
      REDIS_PASSWORD: sec("REDIS_PASSWORD"),
      PLUGIN_REMOTE_INSTALLING_ENABLED: "false",
      PLUGIN_REMOTE_INSTALLING_HOST: "0.0.0.0",
      PLUGIN_REMOTE_INSTALLING_PORT: "5003",
      PLUGIN_STORAGE_TYPE: "local",
      PLUGIN_STORAGE_LOCAL_ROOT: "/app/storage",
      PLUGIN_WORKING_PATH: "/app/storage/cwd",
      PLUGIN_INSTALLED_PATH: "plugin",
      PIP_MIRROR_URL: "",
      FORCE_VERIFYING_SIGNATURE: "true",
      MARKETPLACE_ENABLED: "true",
    }, "dify-plugin-daemon");
  });

  it("the plugin daemon's key pair mirrors the api's (same Secret keys, crossed)", () => {
    const d = docs();
    const api = envOf(find(d, "Deployment", "dify-api"));
    const daemon = envOf(find(d, "Deployment", "dify-plugin-daemon"));
    assert.deepStrictEqual(daemon.SERVER_KEY, api.PLUGIN_DAEMON_KEY);
    assert.deepStrictEqual(daemon.DIFY_INNER_API_KEY, api.INNER_API_KEY_FOR_PLUGIN);
    assert.deepStrictEqual(envOf(find(d, "Deployment", "dify-sandbox")).API_KEY, api.CODE_EXECUTION_API_KEY);
    assert.deepStrictEqual(envOf(find(d, "StatefulSet", "dify-weaviate")).AUTHENTICATION_APIKEY_ALLOWED_KEYS, api.WEAVIATE_API_KEY);
  });

  it("the sandbox gets its key and settings", () => {
    assertContract(envOf(find(docs(), "Deployment", "dify-sandbox")), {
      API_KEY: sec("CODE_EXECUTION_API_KEY"),
      GIN_MODE: "release",
      WORKER_TIMEOUT: "15",
      ENABLE_NETWORK: "true",
      SANDBOX_PORT: "8194",
    }, "dify-sandbox");
  });

  it("Weaviate gets API-key authentication and no anonymous access", () => {
    assertContract(envOf(find(docs(), "StatefulSet", "dify-weaviate")), {
      PERSISTENCE_DATA_PATH: "/var/lib/weaviate",
      DEFAULT_VECTORIZER_MODULE: "none",
      CLUSTER_HOSTNAME: "node1",
      AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED: "false",
      AUTHENTICATION_APIKEY_ENABLED: "true",
      AUTHENTICATION_APIKEY_ALLOWED_KEYS: sec("WEAVIATE_API_KEY"),
      AUTHENTICATION_APIKEY_USERS: "dify",
      AUTHORIZATION_ADMINLIST_ENABLED: "true",
      AUTHORIZATION_ADMINLIST_USERS: "dify",
    }, "dify-weaviate");
  });

  it("Postgres and Redis take their passwords from the Secret", () => {
    const d = docs();
    assertContract(envOf(find(d, "StatefulSet", "dify-postgresql")), {
      POSTGRES_USER: "dify", POSTGRES_PASSWORD: sec("DB_PASSWORD"), POSTGRES_DB: "dify", PGDATA: "/var/lib/postgresql/data/pgdata",
    }, "dify-postgresql");
    assertContract(envOf(find(d, "StatefulSet", "dify-redis")), { REDIS_PASSWORD: sec("REDIS_PASSWORD"), REDISCLI_AUTH: "$(REDIS_PASSWORD)" }, "dify-redis");
  });

  it("S3 mode replaces the opendal settings with S3 ones from the Secret", () => {
    const env = envOf(find(renderOk(matrix["S3 files"].values), "Deployment", "dify-api"));
    assertContract(env, {
      STORAGE_TYPE: "s3", S3_ENDPOINT: "https://objects.example.local", S3_BUCKET_NAME: "dify", S3_REGION: "us-east-1",
      S3_ADDRESS_STYLE: "path", S3_ACCESS_KEY: sec("S3_ACCESS_KEY"), S3_SECRET_KEY: sec("S3_SECRET_KEY"),
    }, "dify-api");
    assert.strictEqual(env.OPENDAL_SCHEME, undefined);
  });

  it("external Postgres and Redis are used by the app and the plugin daemon", () => {
    const d = renderOk(matrix["external Postgres and Redis"].values);
    for (const name of ["dify-api", "dify-plugin-daemon"]) {
      assertContract(envOf(find(d, "Deployment", name)), { DB_HOST: "pg.example.local", DB_PORT: "5433", REDIS_HOST: "redis.example.local", REDIS_PORT: "6379" }, name);
    }
    assert.strictEqual(envOf(find(d, "Deployment", "dify-api")).CELERY_BROKER_URL, "redis://:$(REDIS_PASSWORD)@redis.example.local:6379/1");
  });

  it("without a Redis password no password reaches Redis or the broker URL", () => {
    const d = renderOk(matrix["Weaviate off, Redis without password"].values);
    const env = envOf(find(d, "Deployment", "dify-api"));
    assert.strictEqual(env.REDIS_PASSWORD, undefined);
    assert.strictEqual(env.CELERY_BROKER_URL, "redis://dify-redis:6379/1");
    assert.ok(!podSpec(find(d, "StatefulSet", "dify-redis")).containers[0].args.includes("--requirepass"));
    assert.strictEqual(env.VECTOR_STORE, undefined, "no vector store without Weaviate (set one through dify.extraEnv)");
  });

  it("the SSRF proxy carries the outbound traffic of the app and the sandbox", () => {
    const d = renderOk(matrix["SSRF proxy"].values);
    const api = envOf(find(d, "Deployment", "dify-api"));
    assert.strictEqual(api.SSRF_PROXY_HTTP_URL, "http://dify-ssrf-proxy:3128");
    assert.strictEqual(api.SSRF_PROXY_HTTPS_URL, "http://dify-ssrf-proxy:3128");
    assertContract(envOf(find(d, "Deployment", "dify-sandbox")), { HTTP_PROXY: "http://dify-ssrf-proxy:3128", HTTPS_PROXY: "http://dify-ssrf-proxy:3128" }, "sandbox");
  });

  it("the SSRF proxy is on by default; off, the app and the sandbox have no proxy variables", () => {
    const api = envOf(find(renderOk(base), "Deployment", "dify-api"));
    assert.strictEqual(api.SSRF_PROXY_HTTP_URL, "http://dify-ssrf-proxy:3128");
    const off = renderOk(matrix["SSRF proxy off"].values);
    assert.ok(!off.some((x) => x.metadata.name === "dify-ssrf-proxy"), "the proxy was rendered although disabled");
    const proxyVars = {
      "dify-api": ["SSRF_PROXY_HTTP_URL", "SSRF_PROXY_HTTPS_URL"], "dify-sandbox": ["HTTP_PROXY", "HTTPS_PROXY"],
    };
    for (const [name, keys] of Object.entries(proxyVars)) {
      for (const k of keys) assert.strictEqual(envOf(find(off, "Deployment", name))[k], undefined, `${name} ${k}`);
    }
  });

  it("names every Service after the release (release prod: prod-dify-*), the Weaviate subchart included", () => {
    const d = renderOk(base, { release: "prod" });
    const env = envOf(find(d, "Deployment", "prod-dify-api"));
    assertContract(env, {
      DB_HOST: "prod-dify-postgresql", REDIS_HOST: "prod-dify-redis", WEAVIATE_ENDPOINT: "http://prod-dify-weaviate:8080",
      CODE_EXECUTION_ENDPOINT: "http://prod-dify-sandbox:8194", PLUGIN_DAEMON_URL: "http://prod-dify-plugin-daemon:5002",
      INTERNAL_FILES_URL: "http://prod-dify-api:5001", SECRET_KEY: sec("SECRET_KEY", "prod-dify-credentials"),
    }, "prod-dify-api");
    const services = d.filter((x) => x.kind === "Service").map((x) => x.metadata.name).sort();
    assert.deepStrictEqual(services, [
      "prod-dify-api", "prod-dify-plugin-daemon", "prod-dify-postgresql", "prod-dify-redis", "prod-dify-sandbox",
      "prod-dify-ssrf-proxy", "prod-dify-weaviate", "prod-dify-web",
    ]);
  });

  it("passes dify.extraEnv to api, worker and beat", () => {
    const d = renderOk(merge(base, { dify: { extraEnv: { UPLOAD_FILE_SIZE_LIMIT: "50" } } }));
    for (const name of ["dify-api", "dify-worker", "dify-worker-beat"]) assert.strictEqual(envOf(find(d, "Deployment", name)).UPLOAD_FILE_SIZE_LIMIT, "50", name);
  });
});

describe("chart: public URLs in every mode", () => {
  const cases: [string, any, string, string][] = [
    ["path mode", base, "https://198.51.100.10/dify", "https://198.51.100.10"],
    ["root mode", matrix["root mode"].values, "https://198.51.100.10", "https://198.51.100.10"],
    ["external DNS host", matrix["external DNS host"].values, "https://dify.example.com/dify", "https://dify.example.com"],
    ["plain http", merge(base, { external: { scheme: "http" } }), "http://198.51.100.10/dify", "http://198.51.100.10"],
    ["IPv6 host", merge(base, { external: { host: "[2001:db8::10]" } }), "https://[2001:db8::10]/dify", "https://[2001:db8::10]"],
    ["deeper path", merge(base, { expose: { path: "/apps/dify" }, images: { web: { basePath: "/apps/dify" } } }), "https://198.51.100.10/apps/dify", "https://198.51.100.10"],
  ];
  for (const [mode, values, url, origin] of cases) {
    it(`${mode}: every URL from ${url}, APP_WEB_URL ${origin}`, () => {
      const d = renderOk(values);
      assertContract(envOf(find(d, "Deployment", "dify-api")), {
        CONSOLE_API_URL: url, CONSOLE_WEB_URL: url, SERVICE_API_URL: url, FILES_URL: url, TRIGGER_URL: url,
        APP_WEB_URL: origin, ENDPOINT_URL_TEMPLATE: `${url}/e/{hook_id}`,
      }, mode);
      assertContract(envOf(find(d, "Deployment", "dify-web")), { CONSOLE_API_URL: url, APP_API_URL: url }, mode);
    });
  }
});
