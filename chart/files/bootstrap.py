"""Unattended first run of Dify 1.11.4: admin account, plugins, OpenAI credential.

Runs inside the cluster with the api image's own Python (standard library only) and talks to the api
Service over plain http. Every call follows the console API of Dify 1.11.4 as read from upstream source
(paths relative to api/ at commit 0ef8b5a0): controllers/console/setup.py, init_validate.py,
auth/login.py, wraps.py, libs/token.py, libs/password.py, workspace/plugin.py, workspace/model_providers.py.

Settings come from the environment. Secrets (BOOTSTRAP_ADMIN_PASSWORD, INIT_PASSWORD,
BOOTSTRAP_OPENAI_API_KEY) must come from a Secret; they are never printed (every log line is redacted).

Idempotent: it sets up only when setup is not finished, installs only missing plugins, and writes the
OpenAI credential only when none exists or when the configured key changed. A run with nothing to do
sends no write call (only GETs and the login). It never creates, re-creates or re-passwords an admin
once setup is finished.

Exit status 0 when everything asked for is in place, 1 when any step failed (each failure is printed
with what failed and what to do), 2 for bad settings. The last line printed is a one-line summary; the
same summary is written as JSON to BOOTSTRAP_RESULT_FILE when set (e.g. /dev/termination-log).
"""

import base64
import hashlib
import hmac
import http.client
import http.cookies
import io
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile

# The OpenAI model provider of the langgenius/openai plugin (provider ids are <org>/<plugin>/<provider>).
OPENAI_PLUGIN = "langgenius/openai"
OPENAI_PROVIDER = "langgenius/openai/openai"
# Credentials this client writes are named "<prefix><fingerprint>"; anything else was made by a person.
CREDENTIAL_PREFIX = "dify-nkp "
# libs/password.py password_pattern
PASSWORD_RULE = re.compile(r"^(?=.*[a-zA-Z])(?=.*\d).{8,}$")
# Marketplace plugin ids as Dify writes them: <author>/<name>
PLUGIN_ID_RULE = re.compile(r"^[a-z0-9_-]+/[a-z0-9_-]+$")
# PLUGIN_MAX_PACKAGE_SIZE default of Dify 1.11.4 (52428800 bytes)
MAX_PACKAGE_BYTES = 50 * 1024 * 1024
# Error bodies quoted in messages are cut to this length.
MAX_QUOTE = 300


class Failure(Exception):
    """A step that failed; the message says what failed and what to do."""


class Settings:
    """Everything the run needs, read once from the environment."""

    def __init__(self, env):
        self.api_url = env.get("BOOTSTRAP_API_URL", "").rstrip("/")
        self.email = env.get("BOOTSTRAP_ADMIN_EMAIL", "").strip()
        self.name = env.get("BOOTSTRAP_ADMIN_NAME", "").strip() or "admin"
        self.password = env.get("BOOTSTRAP_ADMIN_PASSWORD", "")
        self.init_password = env.get("INIT_PASSWORD", "")
        self.plugins = split_list(env.get("BOOTSTRAP_PLUGINS", ""))
        self.package_urls = split_list(env.get("BOOTSTRAP_PLUGIN_PACKAGE_URLS", ""))
        self.openai_key = env.get("BOOTSTRAP_OPENAI_API_KEY", "").strip()
        self.openai_base = env.get("BOOTSTRAP_OPENAI_API_BASE", "").strip()
        self.language = env.get("BOOTSTRAP_LANGUAGE", "").strip()
        self.api_wait = number(env, "BOOTSTRAP_API_WAIT_SECONDS", 600)
        self.task_wait = number(env, "BOOTSTRAP_TASK_WAIT_SECONDS", 900)
        self.poll = number(env, "BOOTSTRAP_POLL_SECONDS", 5)
        self.request_timeout = number(env, "BOOTSTRAP_REQUEST_TIMEOUT_SECONDS", 120)
        self.result_file = env.get("BOOTSTRAP_RESULT_FILE", "")

    def problems(self):
        """Every bad setting, each naming the variable and the fix."""
        out = []
        url = urllib.parse.urlsplit(self.api_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            out.append("BOOTSTRAP_API_URL must be the api Service URL, e.g. http://dify-api:5001")
        if not re.match(r"^[^@\s]+@[^@\s]+$", self.email):
            out.append("BOOTSTRAP_ADMIN_EMAIL must be an email address (dify:adminEmail)")
        if len(self.name) > 30:
            out.append("BOOTSTRAP_ADMIN_NAME must be at most 30 characters (dify:adminName)")
        if not PASSWORD_RULE.match(self.password):
            out.append(
                "BOOTSTRAP_ADMIN_PASSWORD must have at least 8 characters with letters and digits"
                " (dify:adminPassword)"
            )
        for plugin in self.plugins:
            if not PLUGIN_ID_RULE.match(plugin):
                out.append(f"BOOTSTRAP_PLUGINS: {plugin!r} is not a marketplace id like langgenius/openai")
        for link in self.package_urls:
            if urllib.parse.urlsplit(link).scheme not in ("http", "https"):
                out.append(f"BOOTSTRAP_PLUGIN_PACKAGE_URLS: {link!r} is not an http(s) URL of a .difypkg file")
        if self.openai_base and urllib.parse.urlsplit(self.openai_base).scheme not in ("http", "https"):
            out.append("BOOTSTRAP_OPENAI_API_BASE must be an http(s) URL (dify:openaiApiBase)")
        return out

    def secrets(self):
        values = [self.password, self.init_password, self.openai_key]
        return [v for v in values if v] + [b64(v) for v in values if v]


def split_list(text):
    return [item for item in re.split(r"[\s,]+", text) if item]


def number(env, key, default):
    raw = env.get(key, "")
    try:
        return float(raw) if raw else float(default)
    except ValueError:
        raise SystemExit(f"bootstrap: {key} must be a number of seconds, got {raw!r}")


def b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class Log:
    """Prints lines with every known secret replaced by ***."""

    def __init__(self, secrets):
        self.secrets = [s for s in secrets if s]

    def add_secret(self, value):
        if value and value not in self.secrets:
            self.secrets.append(value)

    def redact(self, text):
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def __call__(self, text):
        print("bootstrap: " + self.redact(str(text)), flush=True)


class Response:
    def __init__(self, status, body, headers):
        self.status = status
        self.body = body
        self.headers = headers

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except ValueError:
            return None

    def reason(self):
        """The api's error message (libs/external_api.py shape: code, message, status) or the body."""
        data = self.json()
        if isinstance(data, dict) and data.get("message"):
            text = f"{data.get('code', 'error')}: {data['message']}"
        else:
            text = self.body.decode("utf-8", "replace").strip() or "(empty body)"
        return f"HTTP {self.status} {text[:MAX_QUOTE]}"


class Console:
    """The console API over plain http, with cookies handled by hand.

    libs/token.py names the cookies __Host-access_token etc. and marks them Secure when the public URLs
    are https, even though this client talks plain http to the Service: a standard cookie jar would
    drop them, so Set-Cookie is read here and the Cookie header written here.
    """

    def __init__(self, settings, log):
        self.base = settings.api_url + "/console/api"
        self.timeout = settings.request_timeout
        self.log = log
        self.cookies = {}
        # The api is reached directly, never through an egress proxy from the environment.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())

    def request(self, method, path, body=None, content_type="application/json", csrf=True):
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
            headers["Content-Type"] = content_type
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        token = self.csrf_token()
        if csrf and token:
            headers["X-CSRF-Token"] = token
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                result = Response(resp.status, resp.read(), resp.headers)
        except urllib.error.HTTPError as err:
            result = Response(err.code, err.read(), err.headers)
        self.keep_cookies(result.headers)
        return result

    def keep_cookies(self, headers):
        for line in headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie()
            try:
                jar.load(line)
            except http.cookies.CookieError:
                continue
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970")
                if morsel.value and not expired:
                    self.cookies[name] = morsel.value
                    self.log.add_secret(morsel.value)
                else:
                    self.cookies.pop(name, None)

    def cookie(self, name):
        return self.cookies.get("__Host-" + name) or self.cookies.get(name)

    def csrf_token(self):
        return self.cookie("csrf_token")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect from the api means the URL is wrong; report it instead of following it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Run:
    def __init__(self, settings, log):
        self.s = settings
        self.log = log
        self.api = Console(settings, log)
        self.done = []
        self.failed = []

    # -- steps -------------------------------------------------------------------------------------

    def wait_for_api(self):
        """GET /console/api/setup (setup.py) answers once the api has its database."""
        deadline = time.monotonic() + self.s.api_wait
        last = "no answer"
        while True:
            try:
                resp = self.api.request("GET", "/setup", csrf=False)
                data = resp.json()
                if resp.status == 200 and isinstance(data, dict) and data.get("step"):
                    return data["step"]
                last = resp.reason()
            except (OSError, http.client.HTTPException) as err:
                last = f"{type(err).__name__}: {err}"
            if time.monotonic() >= deadline:
                raise Failure(
                    f"the api at {self.s.api_url} was not ready within {self.s.api_wait:g}s (last: {last})."
                    " Check the api pod (kubectl logs deploy/<release>-api) and run pulumi up again"
                )
            time.sleep(self.s.poll)

    def setup(self, step):
        """setup.py + init_validate.py: validate INIT_PASSWORD (session cookie), then create the admin."""
        if step == "finished":
            self.log("setup is finished: using the existing admin")
            self.done.append("admin exists")
            return
        self.log(f"setup not started: creating the admin {self.s.email}")
        if self.s.init_password:
            resp = self.api.request("POST", "/init", {"password": self.s.init_password}, csrf=False)
            if resp.status == 403:
                self.log("setup was finished meanwhile by someone else; not creating an admin")
                self.done.append("admin exists")
                return
            if resp.status != 201:
                raise Failure(
                    f"the api refused INIT_PASSWORD ({resp.reason()}); no admin was created."
                    " The credentials Secret's INIT_PASSWORD must be the one the api runs with:"
                    " restart the api after changing it, then run pulumi up again"
                )
        body = {"email": self.s.email, "name": self.s.name, "password": self.s.password}
        if self.s.language:
            body["language"] = self.s.language
        resp = self.api.request("POST", "/setup", body, csrf=False)
        if resp.status == 403:
            self.log("setup was finished meanwhile by someone else; not creating an admin")
            self.done.append("admin exists")
            return
        if resp.status != 201:
            raise Failure(
                f"creating the admin failed ({resp.reason()}). Check dify:adminEmail, dify:adminName and"
                " dify:adminPassword, then run pulumi up again (nothing was created)"
            )
        self.done.append("admin created")

    def login(self):
        """auth/login.py: the password field is Base64 (wraps.py decrypt_password_field); tokens are cookies."""
        body = {"email": self.s.email, "password": b64(self.s.password), "remember_me": True}
        resp = self.api.request("POST", "/login", body, csrf=False)
        data = resp.json()
        if resp.status == 401:
            raise Failure(
                f"the stack's admin password does not log in as {self.s.email} ({resp.reason()}); nothing was"
                " changed. If the password was changed in the Dify UI, store it with"
                " `pulumi config set --secret dify:adminPassword <current password>` and run pulumi up again."
                " Dify locks the login after repeated failures (LOGIN_LOCKOUT_DURATION)"
            )
        if resp.status == 429:
            raise Failure(
                f"Dify has locked the login of {self.s.email} ({resp.reason()}); wait and run pulumi up again"
            )
        if resp.status != 200 or not isinstance(data, dict) or data.get("result") != "success":
            detail = resp.reason() if resp.status != 200 else f"answer {json.dumps(data)[:MAX_QUOTE]}"
            raise Failure(
                f"logging in as {self.s.email} failed ({detail}). Check that dify:adminEmail is a member of"
                " the workspace and that email/password login is enabled"
            )
        if not self.api.cookie("access_token") or not self.api.csrf_token():
            raise Failure(
                "the login answered without access_token and csrf_token cookies (libs/token.py);"
                " is BOOTSTRAP_API_URL the Dify 1.11.4 api Service?"
            )

    def get(self, path, what):
        resp = self.api.request("GET", path)
        data = resp.json()
        if resp.status != 200 or not isinstance(data, dict):
            raise Failure(f"reading {what} failed ({resp.reason()})")
        return data

    def installed_plugins(self):
        """workspace/plugin.py GET list (paged, 256 at most per page)."""
        out = {}
        page = 1
        while True:
            data = self.get(f"/workspaces/current/plugin/list?page={page}&page_size=256", "installed plugins")
            for plugin in data.get("plugins") or []:
                out[plugin.get("plugin_id")] = plugin
            if len(out) >= int(data.get("total") or 0) or not data.get("plugins"):
                return out
            page += 1

    def wait_for_task(self, task_id, names):
        """workspace/plugin.py GET tasks/<task_id> until success or failed (plugin_daemon.py statuses)."""
        deadline = time.monotonic() + self.s.task_wait
        while True:
            task = self.get(f"/workspaces/current/plugin/tasks/{urllib.parse.quote(task_id)}", "install task")
            task = task.get("task") or {}
            status = task.get("status")
            if status == "success":
                return
            if status == "failed":
                reasons = [
                    f"{p.get('plugin_id') or p.get('plugin_unique_identifier')}: {shorten(p.get('message') or '')}"
                    for p in task.get("plugins") or []
                    if p.get("status") == "failed"
                ]
                raise Failure(
                    f"installing {names} failed ({'; '.join(reasons) or 'no reason given'})."
                    " The plugin daemon installs Python requirements at this point: check its egress"
                    " (or PIP_MIRROR_URL) and its log, then run pulumi up again"
                )
            if time.monotonic() >= deadline:
                raise Failure(
                    f"installing {names} did not finish within {self.s.task_wait:g}s (task {task_id} is"
                    f" {status}). It may still finish: check Plugins in the Dify UI; the next pulumi up skips"
                    " plugins that are installed by then"
                )
            time.sleep(self.s.poll)

    def start_install(self, path, identifiers, names):
        resp = self.api.request("POST", path, {"plugin_unique_identifiers": identifiers})
        data = resp.json()
        if resp.status != 200 or not isinstance(data, dict):
            raise Failure(f"installing {names} was refused ({resp.reason()})")
        if not data.get("all_installed"):
            self.log(f"waiting for install task {data.get('task_id')}")
            self.wait_for_task(str(data.get("task_id")), names)

    def install_packages(self, installed):
        """Offline path: download each .difypkg, then upload/pkg and install/pkg (workspace/plugin.py)."""
        for link in self.s.package_urls:
            try:
                pkg = download(link)
                plugin_id, version = package_manifest(pkg, link)
                if plugin_id in installed:
                    have = installed[plugin_id].get("version")
                    note = "" if have == version else f" (installed {have}, package {version}: left as is)"
                    self.log(f"{plugin_id} already installed{note}")
                    continue
                resp = self.api.request("POST", "/workspaces/current/plugin/upload/pkg", *multipart(pkg, link))
                data = resp.json()
                if resp.status != 200 or not isinstance(data, dict) or not data.get("unique_identifier"):
                    raise Failure(
                        f"uploading {link} failed ({resp.reason()}). An unsigned or repackaged package needs"
                        " FORCE_VERIFYING_SIGNATURE=false on the plugin daemon"
                    )
                self.log(f"installing {plugin_id} {version} from {link}")
                self.start_install("/workspaces/current/plugin/install/pkg", [data["unique_identifier"]], plugin_id)
                installed[plugin_id] = {"plugin_id": plugin_id, "version": version}
                self.done.append(f"{plugin_id} installed")
            except Failure as err:
                self.fail(f"plugin package {link}", err)

    def install_marketplace(self, installed):
        """Marketplace path: latest identifiers through the api (list/latest-versions), then install/marketplace.

        The api asks the marketplace itself (services/plugin/plugin_service.py fetch_latest_plugin_version),
        the same egress it needs to download the package, so this Job needs no route to the internet.
        """
        missing = [p for p in self.s.plugins if p not in installed]
        if not missing:
            return
        resp = self.api.request("POST", "/workspaces/current/plugin/list/latest-versions", {"plugin_ids": missing})
        data = resp.json()
        if resp.status != 200 or not isinstance(data, dict):
            self.fail("marketplace", Failure(f"asking the api for the latest plugin versions failed ({resp.reason()})"))
            return
        versions = data.get("versions") or {}
        for plugin_id in missing:
            latest = versions.get(plugin_id) or {}
            identifier = latest.get("unique_identifier")
            if not identifier:
                self.fail(
                    plugin_id,
                    Failure(
                        "the marketplace did not answer for it: either the api cannot reach MARKETPLACE_API_URL"
                        " (egress or the SSRF proxy) or the id is wrong. Fix the egress, check dify:plugins, or"
                        " install from a package with dify:pluginPackageUrls"
                    ),
                )
                continue
            try:
                self.log(f"installing {identifier} from the marketplace")
                self.start_install("/workspaces/current/plugin/install/marketplace", [identifier], plugin_id)
                installed[plugin_id] = {"plugin_id": plugin_id, "version": latest.get("version")}
                self.done.append(f"{plugin_id} installed")
            except Failure as err:
                self.fail(plugin_id, err)

    def plugins(self):
        if not self.s.plugins and not self.s.package_urls:
            return
        installed = self.installed_plugins()
        before = len(self.done)
        self.install_packages(installed)
        self.install_marketplace(installed)
        if len(self.done) == before and not self.failed:
            self.done.append("plugins already installed")

    def openai(self):
        """workspace/model_providers.py: create or update the OpenAI provider credential.

        The credential this client writes is named CREDENTIAL_PREFIX + an HMAC of the key (and base URL)
        keyed by the admin password: the name tells whether the configured key changed without reading
        the key back (the api only returns it obfuscated) and without revealing anything about it.
        """
        if not self.s.openai_key:
            return
        providers = self.get("/workspaces/current/model-providers", "model providers").get("data") or []
        provider = next((p for p in providers if p.get("provider") == OPENAI_PROVIDER), None)
        if provider is None:
            raise Failure(
                f"the OpenAI model provider is not there because the plugin {OPENAI_PLUGIN} is not installed;"
                " add it to dify:plugins (marketplace) or dify:pluginPackageUrls (offline)"
            )
        custom = provider.get("custom_configuration") or {}
        credentials = custom.get("available_credentials") or []
        name = CREDENTIAL_PREFIX + self.fingerprint()
        ours = [c for c in credentials if str(c.get("credential_name", "")).startswith(CREDENTIAL_PREFIX)]
        path = f"/workspaces/current/model-providers/{OPENAI_PROVIDER}/credentials"
        values = {"openai_api_key": self.s.openai_key}
        if self.s.openai_base:
            values["openai_api_base"] = self.s.openai_base
        if ours and ours[0].get("credential_name") == name:
            self.done.append("OpenAI credential unchanged")
            return
        if ours:
            self.log("the configured OpenAI key changed: updating the credential dify-nkp wrote")
            body = {"credential_id": ours[0]["credential_id"], "credentials": values, "name": name}
            self.credential_call("PUT", path, body, 200)
            self.done.append("OpenAI credential updated")
            return
        if credentials:
            others = ", ".join(repr(c.get("credential_name")) for c in credentials)
            self.done.append("OpenAI credential left as is")
            self.log(
                f"OpenAI already has credentials set in the Dify UI ({others}); dify:openaiApiKey was not"
                " written. Delete them in the UI to let pulumi up manage the key"
            )
            return
        self.log("setting the OpenAI credential")
        self.credential_call("POST", path, {"credentials": values, "name": name}, 201)
        if not custom.get("current_credential_id"):
            self.activate(path, name)
        self.done.append("OpenAI credential set")

    def activate(self, path, name):
        """A provider record left without an active credential stays so after a create; switch to ours."""
        providers = self.get("/workspaces/current/model-providers", "model providers").get("data") or []
        provider = next((p for p in providers if p.get("provider") == OPENAI_PROVIDER), {})
        custom = provider.get("custom_configuration") or {}
        if custom.get("current_credential_id"):
            return
        ours = next((c for c in custom.get("available_credentials") or [] if c.get("credential_name") == name), None)
        if ours:
            self.credential_call("POST", path + "/switch", {"credential_id": ours["credential_id"]}, 200)

    def credential_call(self, method, path, body, expected):
        resp = self.api.request(method, path, body)
        if resp.status != expected:
            raise Failure(
                f"the api rejected the OpenAI credential ({resp.reason()}). Dify checks the key against"
                " the provider: fix dify:openaiApiKey / dify:openaiApiBase or the api's egress to it,"
                " then run pulumi up again"
            )

    def fingerprint(self):
        msg = json.dumps([self.s.openai_key, self.s.openai_base]).encode("utf-8")
        return hmac.new(self.s.password.encode("utf-8"), msg, hashlib.sha256).hexdigest()[:16]

    # -- driver ------------------------------------------------------------------------------------

    def fail(self, what, err):
        self.failed.append(f"{what} FAILED")
        self.log(f"FAILED {what}: {err}")

    def run(self):
        try:
            step = self.wait_for_api()
            self.setup(step)
            self.login()
        except Failure as err:
            self.fail("admin", err)
            return
        try:
            self.plugins()
        except Failure as err:
            self.fail("plugins", err)
        try:
            self.openai()
        except Failure as err:
            self.fail("OpenAI credential", err)

    def summary(self):
        return "; ".join(self.done + self.failed) or "nothing to do"


def shorten(text, keep=300):
    """One line; a long daemon message (its installer's whole output) keeps its start and its end."""
    text = " ".join(str(text).split())
    return text if len(text) <= 2 * keep else f"{text[:keep]} ... {text[-keep:]}"


def download(link):
    """Fetches a .difypkg; honours HTTP(S)_PROXY / NO_PROXY from the environment (e.g. the SSRF proxy)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(link), timeout=120) as resp:
            data = resp.read(MAX_PACKAGE_BYTES + 1)
    except (OSError, ValueError) as err:
        raise Failure(f"downloading it failed ({err}); the URL must be reachable from the cluster")
    if len(data) > MAX_PACKAGE_BYTES:
        raise Failure(f"it is larger than {MAX_PACKAGE_BYTES} bytes (PLUGIN_MAX_PACKAGE_SIZE)")
    return data


def package_manifest(pkg, link):
    """(plugin id, version) from the package's manifest.yaml top-level author/name/version."""
    try:
        with zipfile.ZipFile(io.BytesIO(pkg)) as archive:
            text = archive.read("manifest.yaml").decode("utf-8")
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError):
        raise Failure("it is not a .difypkg (a zip with manifest.yaml)")
    fields = {}
    for line in text.splitlines():
        match = re.match(r"^(author|name|version):\s*['\"]?([^'\"#\s]+)", line)
        if match and match.group(1) not in fields:
            fields[match.group(1)] = match.group(2)
    if "author" not in fields or "name" not in fields:
        raise Failure("its manifest.yaml has no top-level author and name")
    return f"{fields['author']}/{fields['name']}", fields.get("version")


def multipart(pkg, link):
    """The multipart body of upload/pkg: one file field named "pkg"."""
    boundary = uuid.uuid4().hex
    filename = os.path.basename(urllib.parse.urlsplit(link).path) or "plugin.difypkg"
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"pkg\"; filename=\"{filename}\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode("ascii")
    return head + pkg + f"\r\n--{boundary}--\r\n".encode("ascii"), f"multipart/form-data; boundary={boundary}"


def write_result(path, ok, summary):
    if not path:
        return
    try:
        with open(path, "w", encoding="utf-8") as out:
            json.dump({"ok": ok, "summary": summary}, out)
    except OSError:
        pass


def main(env):
    settings = Settings(env)
    log = Log(settings.secrets())
    problems = settings.problems()
    if problems:
        for problem in problems:
            log(f"bad setting: {problem}")
        write_result(settings.result_file, False, "bad settings: " + "; ".join(problems))
        return 2
    log(f"api {settings.api_url}, admin {settings.email}")
    run = Run(settings, log)
    try:
        run.run()
    except Exception as err:  # an unexpected answer must still end with a clear line and no secret
        run.fail("bootstrap", f"unexpected {type(err).__name__}: {err}")
    summary = log.redact(run.summary())
    ok = not run.failed
    write_result(settings.result_file, ok, summary)
    log(("done: " if ok else "incomplete (run pulumi up again after fixing the above): ") + summary)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(os.environ))
