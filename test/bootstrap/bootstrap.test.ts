/**
 * chart/files/bootstrap.py (the unattended first run) against a FAKE Dify console API (./fake-dify.ts,
 * which cites the upstream file behind each endpoint). These tests prove the client follows the
 * contract read from Dify 1.11.4's source; they do not prove a running Dify behaves the same.
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../lib/paths";
import { FakeDify, FakeOptions, Installed, identifier } from "./fake-dify";

const script = path.join(repoRoot, "chart", "files", "bootstrap.py");
const ADMIN = { email: "admin@example.com", name: "admin", password: "Test-admin-pw-4711" };
const INIT = "test-initpw-4711";
const KEY = "sk-test-0123456789abcdef";
const KEY2 = "sk-test-fedcba9876543210";
const secrets = [ADMIN.password, INIT, KEY, KEY2];
const b64 = (s: string) => Buffer.from(s).toString("base64");

interface Result {
  code: number | null;
  out: string;
  lines: string[];
  summary: string;
  result: any;
}

/** Runs the client once against the fake, the way the Job does (env only). */
async function runClient(url: string, env: Record<string, string> = {}): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bootstrap-"));
  const resultFile = path.join(dir, "result.json");
  const child = spawn("python3", [script], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      BOOTSTRAP_API_URL: url,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_NAME: ADMIN.name,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      INIT_PASSWORD: INIT,
      BOOTSTRAP_PLUGINS: "langgenius/openai",
      BOOTSTRAP_OPENAI_API_KEY: KEY,
      BOOTSTRAP_POLL_SECONDS: "0.02",
      BOOTSTRAP_API_WAIT_SECONDS: "3",
      BOOTSTRAP_TASK_WAIT_SECONDS: "3",
      BOOTSTRAP_RESULT_FILE: resultFile,
      // An egress proxy in the environment must not be used for the api (it is reached directly).
      HTTP_PROXY: "http://127.0.0.1:9",
      http_proxy: "http://127.0.0.1:9",
      NO_PROXY: "",
      no_proxy: "",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const lines = out.trim().split("\n");
  const result = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, "utf8")) : undefined;
  fs.rmSync(dir, { recursive: true, force: true });
  allOutput.push(out);
  return { code, out, lines, summary: lines[lines.length - 1], result };
}

const allOutput: string[] = [];
let fake: FakeDify;
let url: string;
const issuedTokens: string[] = [];
async function start(o: FakeOptions = {}) {
  fake = new FakeDify({ initPassword: INIT, ...o });
  fake.issued = issuedTokens;
  url = await fake.start();
}
afterEach(async () => fake && (await fake.stop()));

const openaiInstalled: Installed = {
  plugin_id: "langgenius/openai",
  plugin_unique_identifier: identifier("langgenius/openai", "0.2.7"),
  version: "0.2.7",
};
const paths = (method?: string) =>
  fake.calls.filter((c) => !method || c.method === method).map((c) => c.path);

/** A .difypkg (zip, stored) with a manifest, built with Python's zipfile. */
function difypkg(author: string, name: string, version: string): Buffer {
  const manifest = `version: ${version}\ntype: plugin\nauthor: ${author}\nname: ${name}\nlabel:\n  en_US: ${name}\n`;
  const py =
    "import io,sys,zipfile\nb=io.BytesIO()\nz=zipfile.ZipFile(b,'w',zipfile.ZIP_STORED)\n" +
    "z.writestr('manifest.yaml',sys.argv[1])\nz.writestr('main.py','print(1)')\nz.close()\n" +
    "sys.stdout.buffer.write(b.getvalue())";
  const r = spawnSync("python3", ["-c", py, manifest]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}

describe("bootstrap client (chart/files/bootstrap.py) against a fake Dify 1.11.4 console API", function () {
  this.timeout(30000);

  it("fresh install: validates INIT_PASSWORD, creates the admin, installs OpenAI, sets the key", async () => {
    await start();
    const r = await runClient(url);
    if (process.env.SHOW_BOOTSTRAP_LOG) console.log(r.out);
    assert.equal(r.code, 0, r.out);
    assert.match(r.summary, /done: admin created; langgenius\/openai installed; OpenAI credential set$/);
    const summary = "admin created; langgenius/openai installed; OpenAI credential set";
    assert.deepEqual(r.result, { ok: true, summary });
    assert.deepEqual(fake.admin, ADMIN);
    assert.ok(fake.has("langgenius/openai"));
    assert.equal(fake.credentials.length, 1);
    assert.deepEqual(fake.credentials[0].values, { openai_api_key: KEY });
    assert.match(fake.credentials[0].name, /^dify-nkp [0-9a-f]{16}$/);
    assert.equal(fake.currentCredentialId, fake.credentials[0].id);
    assert.deepEqual(paths("POST").slice(0, 3), [
      "/console/api/init",
      "/console/api/setup",
      "/console/api/login",
    ]);
  });

  it("already set up: no init or setup call, logs in and goes on", async () => {
    await start({ admin: { ...ADMIN }, installed: [openaiInstalled] });
    const r = await runClient(url);
    assert.equal(r.code, 0, r.out);
    assert.ok(!paths("POST").includes("/console/api/init") && !paths("POST").includes("/console/api/setup"));
    assert.match(r.summary, /admin exists; plugins already installed; OpenAI credential set$/);
  });

  it("wrong INIT_PASSWORD: says so, creates no admin and installs nothing", async () => {
    await start({ initPassword: "another-init-pw" });
    const r = await runClient(url);
    assert.equal(r.code, 1);
    assert.match(r.out, /the api refused INIT_PASSWORD \(HTTP 401 init_validate_failed/);
    assert.match(r.out, /restart the api after changing it/);
    assert.equal(fake.admin, undefined);
    assert.deepEqual(paths("POST"), ["/console/api/init"]);
    assert.deepEqual(r.result, { ok: false, summary: "admin FAILED" });
  });

  it("login 401 (password changed in the UI): clear report, nothing changed", async () => {
    const changed = { ...ADMIN, password: "Changed-in-ui-99" };
    await start({ admin: changed });
    const r = await runClient(url);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /the stack's admin password does not log in as admin@example\.com \(HTTP 401 authentication_failed/,
    );
    assert.match(r.out, /pulumi config set --secret dify:adminPassword/);
    assert.deepEqual(fake.admin, changed, "the admin is neither re-created nor re-passworded");
    assert.deepEqual(fake.writes(), []);
    assert.deepEqual(fake.installed, []);
  });

  it("CSRF: the api answers 401 without X-CSRF-Token, and the client always sends it", async () => {
    await start({ admin: { ...ADMIN } });
    const { access, csrf } = fake.issueTokens();
    const probe = (headers: Record<string, string>) =>
      fetch(`${url}/console/api/workspaces/current/plugin/list`, {
        headers: { Cookie: `access_token=${access}; csrf_token=${csrf}`, ...headers },
      });
    const without = await probe({});
    assert.equal(without.status, 401);
    assert.equal(((await without.json()) as any).message, "CSRF token is missing or invalid.");
    assert.equal((await probe({ "X-CSRF-Token": csrf })).status, 200);
    fake.calls.length = 0;
    const r = await runClient(url);
    assert.equal(r.code, 0, r.out);
    const workspaceCalls = fake.calls.filter((c) => c.path.startsWith("/console/api/workspaces/"));
    assert.ok(workspaceCalls.length >= 4);
    assert.ok(
      workspaceCalls.every((c) => c.csrfHeader),
      "every call behind login_required carries X-CSRF-Token",
    );
  });

  it("https public URLs: sends the Secure __Host- cookies back over plain http", async () => {
    await start({ secure: true });
    const r = await runClient(url);
    assert.equal(r.code, 0, r.out);
    const workspaceCalls = fake.calls.filter((c) => c.path.startsWith("/console/api/workspaces/"));
    assert.ok(
      workspaceCalls.every(
        (c) => c.cookieNames.includes("__Host-access_token") && c.cookieNames.includes("__Host-csrf_token"),
      ),
    );
    assert.ok(fake.has("langgenius/openai"));
  });

  it("plugin already installed: no install call", async () => {
    await start({ admin: { ...ADMIN }, installed: [openaiInstalled] });
    const r = await runClient(url, { BOOTSTRAP_OPENAI_API_KEY: "" });
    assert.equal(r.code, 0, r.out);
    assert.match(r.summary, /admin exists; plugins already installed$/);
    assert.deepEqual(fake.writes(), []);
    assert.ok(!paths().some((p) => p.includes("latest-versions") || p.includes("/install/")));
  });

  it("install task failing: reports the daemon's message; the next run installs it", async () => {
    await start({ admin: { ...ADMIN }, failing: { "langgenius/openai": "pip install failed: no index" } });
    const r = await runClient(url);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /installing langgenius\/openai failed \(langgenius\/openai: pip install failed: no index\)/,
    );
    assert.match(r.out, /PIP_MIRROR_URL/);
    assert.match(r.summary, /langgenius\/openai FAILED; OpenAI credential FAILED$/);
    assert.match(r.out, /plugin langgenius\/openai is not installed/);
    fake.failing = {};
    const again = await runClient(url);
    assert.equal(again.code, 0, again.out);
    assert.match(again.summary, /admin exists; langgenius\/openai installed; OpenAI credential set$/);
  });

  it("a daemon message of a whole installer log is cut to one line, its start and its end", async () => {
    const log = `uv venv\n${"DEBUG resolving\n".repeat(200)}error: invalid peer certificate: UnknownIssuer`;
    await start({ admin: { ...ADMIN }, failing: { "langgenius/openai": log } });
    const r = await runClient(url, { BOOTSTRAP_OPENAI_API_KEY: "" });
    assert.equal(r.code, 1);
    const line = r.lines.find((l) => l.includes("installing langgenius/openai failed"))!;
    assert.ok(line.length < 1200, `${line.length} characters`);
    assert.match(line, /\(langgenius\/openai: uv venv DEBUG resolving .* \.\.\. .*UnknownIssuer\)/);
  });

  it("marketplace unreachable: names the egress and the offline option, installs nothing", async () => {
    await start({ admin: { ...ADMIN }, marketplace: false });
    const r = await runClient(url, { BOOTSTRAP_OPENAI_API_KEY: "" });
    assert.equal(r.code, 1);
    assert.match(r.out, /FAILED langgenius\/openai: the marketplace did not answer for it: /);
    assert.match(r.out, /either the api cannot reach MARKETPLACE_API_URL \(egress or the SSRF proxy\)/);
    assert.match(r.out, /dify:pluginPackageUrls/);
    assert.ok(!paths().some((p) => p.includes("/install/")));
    assert.deepEqual(r.result, { ok: false, summary: "admin exists; langgenius/openai FAILED" });
  });

  it(".difypkg path: downloads, uploads, installs from the package; never asks the marketplace", async () => {
    const pkg = difypkg("langgenius", "openai", "0.2.7");
    await start({
      admin: { ...ADMIN },
      marketplace: false,
      files: { "langgenius-openai_0.2.7.difypkg": pkg },
    });
    const env = {
      BOOTSTRAP_PLUGIN_PACKAGE_URLS: `${url}/files/langgenius-openai_0.2.7.difypkg`,
      NO_PROXY: "127.0.0.1",
      no_proxy: "127.0.0.1",
    };
    const r = await runClient(url, env);
    assert.equal(r.code, 0, r.out);
    assert.match(r.summary, /admin exists; langgenius\/openai installed; OpenAI credential set$/);
    assert.deepEqual(
      paths("POST").filter((p) => p.includes("/plugin/")),
      [
        "/console/api/workspaces/current/plugin/upload/pkg",
        "/console/api/workspaces/current/plugin/install/pkg",
      ],
    );
    assert.ok(fake.installed[0].plugin_unique_identifier.startsWith("langgenius/openai:0.2.7@"));
    fake.calls.length = 0;
    const again = await runClient(url, env);
    assert.equal(again.code, 0, again.out);
    assert.deepEqual(fake.writes(), [], "an installed package is not uploaded again");
    assert.match(again.summary, /plugins already installed; OpenAI credential unchanged$/);
  });

  it("credential set: only when absent; one made in the UI is left as is", async () => {
    const ui = {
      id: "6f1c2b9e-0000-4000-8000-000000000001",
      name: "API KEY 1",
      values: { openai_api_key: "sk-ui" },
    };
    await start({ admin: { ...ADMIN }, installed: [openaiInstalled], credentials: [ui] });
    const r = await runClient(url);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /OpenAI already has credentials set in the Dify UI \('API KEY 1'\)/);
    assert.match(r.summary, /OpenAI credential left as is$/);
    assert.deepEqual(fake.credentials, [ui]);
    assert.deepEqual(fake.writes(), []);
  });

  it("key changed: the credential it wrote is updated in place, not duplicated", async () => {
    await start({ admin: { ...ADMIN }, installed: [openaiInstalled] });
    assert.equal((await runClient(url)).code, 0);
    const first = { ...fake.credentials[0] };
    fake.calls.length = 0;
    const base = "https://gw.example.com/v1";
    const r = await runClient(url, { BOOTSTRAP_OPENAI_API_KEY: KEY2, BOOTSTRAP_OPENAI_API_BASE: base });
    assert.equal(r.code, 0, r.out);
    assert.match(r.summary, /OpenAI credential updated$/);
    assert.equal(fake.credentials.length, 1);
    assert.equal(fake.credentials[0].id, first.id);
    assert.notEqual(fake.credentials[0].name, first.name);
    assert.deepEqual(fake.credentials[0].values, { openai_api_key: KEY2, openai_api_base: base });
    assert.deepEqual(
      fake.writes().map((c) => `${c.method} ${c.path}`),
      ["PUT /console/api/workspaces/current/model-providers/langgenius/openai/openai/credentials"],
    );
  });

  it("credential rejected by the provider: says what to fix", async () => {
    await start({ admin: { ...ADMIN }, installed: [openaiInstalled], acceptKey: () => false });
    const r = await runClient(url);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /the api rejected the OpenAI credential \(HTTP 400 invalid_param: Incorrect API key provided: \*\*\*\)/,
    );
    assert.match(r.out, /fix dify:openaiApiKey/);
    assert.equal(fake.credentials.length, 0);
  });

  it("second run with nothing changed sends no write call", async () => {
    await start();
    assert.equal((await runClient(url)).code, 0);
    fake.calls.length = 0;
    const r = await runClient(url);
    assert.equal(r.code, 0, r.out);
    assert.match(r.summary, /done: admin exists; plugins already installed; OpenAI credential unchanged$/);
    assert.deepEqual(fake.writes(), []);
    assert.deepEqual(paths("POST"), ["/console/api/login"]);
    assert.ok(paths("GET").length >= 3);
  });

  it("api not ready in time: bounded wait, then says which pod to look at", async () => {
    await start({ notReadyFor: 1000 });
    const r = await runClient(url, { BOOTSTRAP_API_WAIT_SECONDS: "0.3" });
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /the api at http:\/\/127\.0\.0\.1:\d+ was not ready within 0\.3s \(last: HTTP 502 api starting\)/,
    );
    assert.match(r.out, /kubectl logs/);
    assert.deepEqual(fake.writes(), []);
  });

  it("api becoming ready: waits through 502s and then sets up", async () => {
    await start({ notReadyFor: 3 });
    const r = await runClient(url);
    assert.equal(r.code, 0, r.out);
    assert.match(r.summary, /admin created/);
  });

  it("bad settings: refused with exit 2 before any call, naming the key", async () => {
    await start();
    const r = await runClient(url, { BOOTSTRAP_ADMIN_PASSWORD: "short", BOOTSTRAP_PLUGINS: "OpenAI" });
    assert.equal(r.code, 2);
    assert.match(
      r.out,
      /BOOTSTRAP_ADMIN_PASSWORD must have at least 8 characters with letters and digits \(dify:adminPassword\)/,
    );
    assert.match(r.out, /BOOTSTRAP_PLUGINS: 'OpenAI' is not a marketplace id/);
    assert.deepEqual(fake.calls, []);
  });

  it("no secret in any log line (passwords, key, their Base64, session tokens)", async () => {
    // Runs the paths that print the most, including an error echoing the key, then checks every run so far.
    await start({ secure: true });
    await runClient(url);
    await runClient(url, { BOOTSTRAP_OPENAI_API_KEY: KEY2 });
    await fake.stop();
    await start({ admin: { ...ADMIN }, installed: [openaiInstalled], acceptKey: () => false });
    await runClient(url);
    await runClient(url, { BOOTSTRAP_ADMIN_PASSWORD: "Wrong-password-1" });
    const text = allOutput.join("\n");
    assert.ok(allOutput.length >= 4);
    for (const s of [...secrets, ...secrets.map(b64), "Wrong-password-1", ...issuedTokens]) {
      assert.ok(!text.includes(s), `a log line contains a secret (${s.slice(0, 4)}…)`);
    }
    assert.ok(!/access_token=|csrf_token=|session=/.test(text), "no cookie value is printed");
  });
});
