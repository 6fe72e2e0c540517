/**
 * A FAKE Dify 1.11.4 console API, for testing chart/files/bootstrap.py. It is not Dify: it keeps its
 * state in memory and implements only the contract the bootstrap client relies on, as read from the
 * upstream source (YFGaia/dify-plus at commit 0ef8b5a0 = Dify 1.11.4; paths relative to api/) and
 * written down in ../shared/facts/dify-1.11.4-console-api.md. Each endpoint cites the file it mirrors.
 * It listens on 127.0.0.1 only. It also serves .difypkg files under /files/ (a stand-in for any file
 * server reachable from the cluster).
 */
import { createHash, randomBytes } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";

export interface Credential {
  id: string;
  name: string;
  values: Record<string, string>;
}
export interface Installed {
  plugin_id: string;
  plugin_unique_identifier: string;
  version: string;
}
export interface Call {
  method: string;
  path: string;
  csrfHeader: boolean;
  cookieNames: string[];
}

export interface FakeOptions {
  /** INIT_PASSWORD the fake api runs with (empty: none). */
  initPassword?: string;
  /** CONSOLE_WEB_URL and CONSOLE_API_URL are https: libs/token.py is_secure() → __Host- names, Secure. */
  secure?: boolean;
  /** An admin that already finished setup. */
  admin?: { email: string; name: string; password: string };
  /** Plugins already installed. */
  installed?: Installed[];
  /** What the marketplace knows (id → latest version), or false when the api cannot reach it. */
  marketplace?: Record<string, string> | false;
  /** Plugin ids whose install task ends "failed", with this daemon message. */
  failing?: Record<string, string>;
  /** How many task polls stay "running" before the task ends. */
  taskPolls?: number;
  /** Credentials already stored for the OpenAI provider. */
  credentials?: Credential[];
  /** The provider's key check (model_provider_service validate): true when the key is accepted. */
  acceptKey?: (key: string) => boolean;
  /** Files served under /files/<name>. */
  files?: Record<string, Buffer>;
  /** The first N GET /console/api/setup answer 502 (api starting). */
  notReadyFor?: number;
}

const OPENAI_PROVIDER = "langgenius/openai/openai";
// libs/password.py password_pattern
const PASSWORD_RULE = /^(?=.*[a-zA-Z])(?=.*\d).{8,}$/;
const WRITE_READS = new Set([
  "/console/api/login",
  "/console/api/workspaces/current/plugin/list/latest-versions",
]);

/** Reads the entries of a zip written without compression (what the tests build). */
export function storedZipEntries(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at + 30 <= buf.length && buf.readUInt32LE(at) === 0x04034b50) {
    const size = buf.readUInt32LE(at + 18);
    const nameLen = buf.readUInt16LE(at + 26);
    const extraLen = buf.readUInt16LE(at + 28);
    const name = buf.subarray(at + 30, at + 30 + nameLen).toString("utf8");
    const start = at + 30 + nameLen + extraLen;
    out[name] = buf.subarray(start, start + size).toString("utf8");
    at = start + size;
  }
  return out;
}

export class FakeDify {
  readonly calls: Call[] = [];
  /** Every token and session id handed out (so a test can check none is printed). */
  issued: string[] = [];
  initPassword: string;
  secure: boolean;
  admin?: { email: string; name: string; password: string };
  installed: Installed[];
  marketplace: Record<string, string> | false;
  failing: Record<string, string>;
  taskPolls: number;
  credentials: Credential[];
  currentCredentialId?: string;
  acceptKey: (key: string) => boolean;
  files: Record<string, Buffer>;
  notReadyFor: number;
  private server?: http.Server;
  private sessions = new Map<string, boolean>();
  private tokens = new Map<string, string>();
  private csrf = new Map<string, string>();
  private uploads = new Map<string, { plugin_id: string; version: string }>();
  private tasks = new Map<string, { polls: number; plugins: Installed[] }>();

  constructor(o: FakeOptions = {}) {
    this.initPassword = o.initPassword ?? "";
    this.secure = o.secure ?? false;
    this.admin = o.admin;
    this.installed = [...(o.installed ?? [])];
    this.marketplace = o.marketplace ?? { "langgenius/openai": "0.2.7" };
    this.failing = o.failing ?? {};
    this.taskPolls = o.taskPolls ?? 2;
    this.credentials = [...(o.credentials ?? [])];
    this.currentCredentialId = this.credentials[0]?.id;
    this.acceptKey = o.acceptKey ?? ((key) => key.startsWith("sk-"));
    this.files = o.files ?? {};
    this.notReadyFor = o.notReadyFor ?? 0;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => this.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Calls that change state (everything but GETs, the login and the read-only latest-versions POST). */
  writes(): Call[] {
    return this.calls.filter((c) => c.method !== "GET" && !WRITE_READS.has(c.path));
  }

  /** libs/token.py _real_cookie_name */
  cookieName(name: string): string {
    return this.secure ? `__Host-${name}` : name;
  }

  /** Logs in as the admin the way a browser would (for tests probing the fake itself). */
  issueTokens(): { access: string; csrf: string } {
    const access = randomBytes(16).toString("hex");
    const csrf = randomBytes(16).toString("hex");
    this.issued.push(access, csrf);
    this.tokens.set(access, this.admin!.email);
    this.csrf.set(csrf, this.admin!.email);
    return { access, csrf };
  }

  private handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://fake");
    const cookies = parseCookies(req.headers.cookie ?? "");
    this.calls.push({
      method: req.method ?? "",
      path: url.pathname,
      csrfHeader: typeof req.headers["x-csrf-token"] === "string",
      cookieNames: Object.keys(cookies),
    });
    const send = (status: number, data: unknown, setCookies: string[] = []) => {
      const cookieHeader = setCookies.length ? { "Set-Cookie": setCookies } : {};
      res.writeHead(status, { "Content-Type": "application/json", ...cookieHeader });
      res.end(JSON.stringify(data));
    };
    // libs/exception.py BaseHTTPException + libs/external_api.py: {code, message, status}
    const error = (status: number, code: string, message: string) => send(status, { code, message, status });
    const json = () => {
      try {
        return JSON.parse(body.toString("utf8") || "{}");
      } catch {
        return {};
      }
    };
    const route = `${req.method} ${url.pathname}`;

    if (req.method === "GET" && url.pathname.startsWith("/files/")) {
      const file = this.files[url.pathname.slice("/files/".length)];
      if (!file) return error(404, "not_found", "no such file");
      res.writeHead(200, { "Content-Type": "application/octet-stream" });
      return res.end(file);
    }

    // controllers/console/setup.py SetupApi.get
    if (route === "GET /console/api/setup") {
      if (this.notReadyFor > 0) {
        this.notReadyFor--;
        res.writeHead(502);
        return res.end("api starting");
      }
      return send(
        200,
        this.admin ? { step: "finished", setup_at: "2026-01-01T00:00:00" } : { step: "not_started" },
      );
    }
    // controllers/console/init_validate.py InitValidateAPI.post: marks the Flask session (cookie "session")
    if (route === "POST /console/api/init") {
      if (this.admin) return error(403, "already_setup", "Dify has been successfully installed.");
      const sid = cookies["session"] ?? randomBytes(8).toString("hex");
      const ok = json().password === this.initPassword;
      this.sessions.set(sid, ok);
      this.issued.push(sid);
      const cookie = `session=${sid}; HttpOnly; Path=/`;
      const failed = { code: "init_validate_failed", message: "Init validation failed.", status: 401 };
      if (!ok) return send(401, failed, [cookie]);
      return send(201, { result: "success" }, [cookie]);
    }
    // controllers/console/setup.py SetupApi.post (+ get_init_validate_status of init_validate.py)
    if (route === "POST /console/api/setup") {
      if (this.admin) return error(403, "already_setup", "Dify has been successfully installed.");
      if (this.initPassword && !this.sessions.get(cookies["session"] ?? "")) {
        return error(401, "not_init_validated", "Init validation has not been completed yet.");
      }
      const p = json();
      if (typeof p.email !== "string" || !p.email.includes("@"))
        return error(400, "invalid_param", "email invalid");
      if (typeof p.name !== "string" || p.name.length > 30)
        return error(400, "invalid_param", "name invalid");
      if (typeof p.password !== "string" || !PASSWORD_RULE.test(p.password)) {
        const rule = "Password must contain letters and numbers, and the length must be greater than 8.";
        return error(400, "invalid_param", rule);
      }
      this.admin = { email: p.email.toLowerCase(), name: p.name, password: p.password };
      return send(201, { result: "success" });
    }
    // controllers/console/auth/login.py LoginApi.post behind wraps.py setup_required and decrypt_password_field
    if (route === "POST /console/api/login") {
      if (!this.admin) {
        return this.initPassword
          ? error(401, "not_init_validated", "Init validation has not been completed yet.")
          : error(401, "not_setup", "Dify has not been initialized and installed yet.");
      }
      const p = json();
      const decoded =
        typeof p.password === "string" ? Buffer.from(p.password, "base64").toString("utf8") : "";
      if (typeof p.password !== "string" || Buffer.from(decoded, "utf8").toString("base64") !== p.password) {
        return error(401, "authentication_failed", "Invalid encrypted data");
      }
      if (String(p.email).toLowerCase() !== this.admin.email || decoded !== this.admin.password) {
        return error(401, "authentication_failed", "Invalid email or password.");
      }
      const { access, csrf } = this.issueTokens();
      const refresh = randomBytes(16).toString("hex");
      this.issued.push(refresh);
      const attrs = `Path=/; SameSite=Lax; Max-Age=3600${this.secure ? "; Secure" : ""}`;
      return send(200, { result: "success" }, [
        `${this.cookieName("access_token")}=${access}; HttpOnly; ${attrs}`,
        `${this.cookieName("refresh_token")}=${refresh}; HttpOnly; ${attrs}`,
        `${this.cookieName("csrf_token")}=${csrf}; ${attrs}`,
      ]);
    }

    if (!url.pathname.startsWith("/console/api/workspaces/current/"))
      return error(404, "not_found", "Not Found");
    // libs/login.py login_required: access token from the cookie (libs/token.py extract_access_token), then
    // libs/token.py check_csrf_token: X-CSRF-Token must equal the csrf cookie and be signed for this user.
    const user = this.tokens.get(cookies[this.cookieName("access_token")] ?? "");
    if (!user) return error(401, "unauthorized", "Unauthorized");
    const header = req.headers["x-csrf-token"];
    const csrfCookie = cookies[this.cookieName("csrf_token")];
    if (typeof header !== "string" || header !== csrfCookie || this.csrf.get(header) !== user) {
      return error(401, "unauthorized", "CSRF token is missing or invalid.");
    }
    const sub = url.pathname.slice("/console/api/workspaces/current".length);
    const plugin = "/plugin/";

    // controllers/console/workspace/plugin.py PluginListApi.get
    if (req.method === "GET" && sub === `${plugin}list`) {
      const page = Number(url.searchParams.get("page") ?? 1);
      const size = Number(url.searchParams.get("page_size") ?? 256);
      const items = this.installed
        .slice((page - 1) * size, page * size)
        .map((p) => ({ ...p, name: p.plugin_id.split("/")[1], installation_id: `inst-${p.plugin_id}` }));
      return send(200, { plugins: items, total: this.installed.length });
    }
    // plugin.py PluginListLatestVersionsApi.post → services/plugin/plugin_service.py fetch_latest_plugin_version
    // (asks the marketplace; a failure is logged and leaves the id without an answer)
    if (req.method === "POST" && sub === `${plugin}list/latest-versions`) {
      const versions: Record<string, unknown> = {};
      for (const id of json().plugin_ids ?? []) {
        const v = this.marketplace ? this.marketplace[id] : undefined;
        versions[id] =
          v === undefined
            ? null
            : {
                plugin_id: id,
                version: v,
                unique_identifier: identifier(id, v),
                status: "active",
                deprecated_reason: "",
                alternative_plugin_id: "",
              };
      }
      return send(200, { versions });
    }
    // plugin.py PluginInstallFromMarketplaceApi.post (plugin_service.py install_from_marketplace_pkg downloads it)
    if (req.method === "POST" && sub === `${plugin}install/marketplace`) {
      const ids: string[] = json().plugin_unique_identifiers ?? [];
      if (!this.marketplace) return error(400, "invalid_param", "marketplace download failed");
      return send(
        200,
        this.startTask(
          ids.map((uid) => {
            const [id, rest] = uid.split(":");
            return { plugin_id: id, plugin_unique_identifier: uid, version: rest.split("@")[0] };
          }),
        ),
      );
    }
    // plugin.py PluginUploadFromPkgApi.post: multipart field "pkg" → PluginDecodeResponse (plugin_daemon.py)
    if (req.method === "POST" && sub === `${plugin}upload/pkg`) {
      const pkg = multipartFile(req.headers["content-type"] ?? "", body, "pkg");
      if (!pkg) return error(400, "invalid_param", "no pkg file");
      const manifest = storedZipEntries(pkg)["manifest.yaml"] ?? "";
      const field = (k: string) => new RegExp(`^${k}:\\s*(\\S+)`, "m").exec(manifest)?.[1];
      const author = field("author");
      const name = field("name");
      const version = field("version") ?? "0.0.1";
      if (!author || !name) return error(400, "invalid_param", "plugin package decode failed");
      const uid = `${author}/${name}:${version}@${createHash("sha256").update(pkg).digest("hex")}`;
      this.uploads.set(uid, { plugin_id: `${author}/${name}`, version });
      return send(200, { unique_identifier: uid, manifest: { author, name, version }, verification: null });
    }
    // plugin.py PluginInstallFromPkgApi.post
    if (req.method === "POST" && sub === `${plugin}install/pkg`) {
      const ids: string[] = json().plugin_unique_identifiers ?? [];
      const known = ids.map((uid) => ({ uid, u: this.uploads.get(uid) }));
      if (known.some((k) => !k.u))
        return error(400, "invalid_param", "plugin not found, please upload it first");
      const plugins = known.map((k) => ({ ...k.u!, plugin_unique_identifier: k.uid }));
      return send(200, this.startTask(plugins));
    }
    // plugin.py PluginFetchInstallTaskApi.get → PluginInstallTask (core/plugin/entities/plugin_daemon.py)
    const task = /^\/plugin\/tasks\/([^/]+)$/.exec(sub);
    if (req.method === "GET" && task) {
      const t = this.tasks.get(task[1]);
      if (!t) return error(400, "invalid_param", "task not found");
      t.polls++;
      const finished = t.polls > this.taskPolls;
      const plugins = t.plugins.map((p) => ({
        plugin_unique_identifier: p.plugin_unique_identifier,
        plugin_id: p.plugin_id,
        icon: "",
        labels: {},
        status: !finished ? "running" : this.failing[p.plugin_id] ? "failed" : "success",
        message: finished ? (this.failing[p.plugin_id] ?? "") : "",
      }));
      const failed = plugins.some((p) => p.status === "failed");
      if (finished) {
        for (const p of t.plugins)
          if (!this.failing[p.plugin_id] && !this.has(p.plugin_id)) this.installed.push(p);
      }
      return send(200, {
        task: {
          id: task[1],
          status: !finished ? "running" : failed ? "failed" : "success",
          total_plugins: plugins.length,
          completed_plugins: finished ? plugins.length : 0,
          plugins,
        },
      });
    }

    // controllers/console/workspace/model_providers.py ModelProviderListApi.get → ProviderResponse
    // (services/entities/model_provider_entities.py; custom_configuration.available_credentials)
    if (req.method === "GET" && sub === "/model-providers") {
      const data = this.has("langgenius/openai")
        ? [
            {
              provider: OPENAI_PROVIDER,
              label: { en_US: "OpenAI" },
              preferred_provider_type: "custom",
              custom_configuration: {
                status: this.currentCredentialId ? "active" : "no-configure",
                current_credential_id: this.currentCredentialId ?? null,
                current_credential_name:
                  this.credentials.find((c) => c.id === this.currentCredentialId)?.name ?? null,
                available_credentials: this.credentials.map((c) => ({
                  credential_id: c.id,
                  credential_name: c.name,
                })),
              },
              system_configuration: { enabled: false, quota_configurations: [] },
            },
          ]
        : [];
      return send(200, { data });
    }
    // model_providers.py ModelProviderCredentialApi.post/.put → core/entities/provider_configuration.py
    // create_provider_credential / update_provider_credential (both validate the key with the provider)
    const cred = /^\/model-providers\/(.+)\/credentials(\/switch)?$/.exec(sub);
    if (cred && cred[1] === OPENAI_PROVIDER && this.has("langgenius/openai")) {
      const p = json();
      if (cred[2] && req.method === "POST") {
        if (!this.credentials.some((c) => c.id === p.credential_id))
          return error(400, "invalid_param", "not found");
        this.currentCredentialId = p.credential_id;
        return send(200, { result: "success" });
      }
      if (req.method === "POST" || req.method === "PUT") {
        const values = p.credentials ?? {};
        if (typeof p.name === "string" && p.name.length > 30)
          return error(400, "invalid_param", "name too long");
        if (!this.acceptKey(String(values.openai_api_key ?? ""))) {
          return error(400, "invalid_param", `Incorrect API key provided: ${values.openai_api_key}`);
        }
        const clash = this.credentials.find((c) => c.name === p.name && c.id !== p.credential_id);
        if (clash) return error(400, "invalid_param", `Credential with name '${p.name}' already exists.`);
        if (req.method === "PUT") {
          const c = this.credentials.find((x) => x.id === p.credential_id);
          if (!c) return error(400, "invalid_param", "Credential record not found.");
          c.values = values;
          if (p.name) c.name = p.name;
          return send(200, { result: "success" });
        }
        const c = { id: randomUUID(), name: p.name ?? `API KEY ${this.credentials.length + 1}`, values };
        this.credentials.push(c);
        if (!this.currentCredentialId) this.currentCredentialId = c.id;
        return send(201, { result: "success" });
      }
    }
    return error(404, "not_found", `fake has no ${route}`);
  }

  has(pluginId: string): boolean {
    return this.installed.some((p) => p.plugin_id === pluginId);
  }

  private startTask(plugins: Installed[]) {
    const id = randomUUID();
    this.tasks.set(id, { polls: 0, plugins });
    return { all_installed: false, task_id: id };
  }
}

function randomUUID(): string {
  const h = randomBytes(16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The marketplace's package identifier shape: <org>/<name>:<version>@<sha256>. */
export function identifier(id: string, version: string): string {
  return `${id}:${version}@${createHash("sha256").update(`${id}:${version}`).digest("hex")}`;
}

function parseCookies(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

function multipartFile(contentType: string, body: Buffer, field: string): Buffer | undefined {
  const m = /boundary=([^;]+)/.exec(contentType);
  if (!m) return undefined;
  const sep = Buffer.from(`--${m[1]}`);
  let at = body.indexOf(sep);
  while (at >= 0) {
    const next = body.indexOf(sep, at + sep.length);
    if (next < 0) break;
    const part = body.subarray(at + sep.length + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    const head = part.subarray(0, split).toString("utf8");
    if (new RegExp(`name="${field}"`).test(head)) return part.subarray(split + 4);
    at = next;
  }
  return undefined;
}
