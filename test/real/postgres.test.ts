/**
 * The chart's PostgreSQL StatefulSet run for real: Debian's PostgreSQL 15 (production runs the
 * postgres:16 image; see test/lib/images.ts for what differs) with the rendered env, volumes,
 * postStart hook and probes, inside a private network namespace where dify-postgresql resolves
 * to a stand-in address. Clients use the api container's rendered DB_* env.
 */
import * as assert from "assert";
import * as path from "path";
import { baseValues, find, renderOk, withValue } from "../chart/render";
import { checkPrograms, PG_BIN, postgresImage } from "../lib/images";
import { checkPrerequisites, Netns, waitFor } from "../lib/netns";
import { Pod, serviceIP, serviceRecords } from "../lib/pods";

const POD_IP = "10.244.0.11";
// Quotes, $, %, a backtick and a semicolon: what the postStart hook must pass to ALTER ROLE unchanged.
// A backslash or whitespace is refused by the chart itself (the plugin daemon's key=value DSN
// would mangle it: chart validation, test/shared/bad-inputs.ts), so no install can carry one.
const ROTATED = "rot'ated\"$HOME%s`;pw";

describe("real PostgreSQL runs the chart's StatefulSet (Debian 15 standing in for postgres:16)", function () {
  this.timeout(180000);
  let ns: Netns;
  let pod: Pod;
  let docs: any[];
  const logs: string[] = [];
  const hookOutput: string[] = [];

  /** psql as the api connects: DB_HOST/DB_PORT/DB_USERNAME/DB_DATABASE of its rendered env. */
  async function loginAsApi(password: string) {
    const api = find(docs, "Deployment", "dify-api");
    const env = new Pod(ns, docs, api, POD_IP).env("api");
    const conninfo = `host=${env.DB_HOST} port=${env.DB_PORT} user=${env.DB_USERNAME} dbname=${env.DB_DATABASE} sslmode=disable`;
    const sql = "SELECT current_user || '@' || current_database() || ' ' || host(inet_server_addr())";
    return ns.exec({ name: "api", env: { PGPASSWORD: password, PGCONNECT_TIMEOUT: "5" } }, [
      path.join(PG_BIN, "psql"),
      "-X",
      "-At",
      conninfo,
      "-c",
      sql,
    ]);
  }

  async function boot() {
    const { proc, postStart } = pod.start("postgresql", postgresImage);
    const hook = await postStart!;
    hookOutput.push(hook.stdout + hook.stderr);
    assert.equal(hook.code, 0, `postStart failed: ${hook.stderr}\n${proc.log()}`);
    await waitFor(() => pod.probe("postgresql", postgresImage, "startupProbe"), 60000, "the startup probe");
    return proc;
  }

  async function restart() {
    const proc = pod.procs.get("postgresql")!;
    logs.push(proc.log());
    // The image's STOPSIGNAL is SIGINT (fast shutdown).
    assert.equal((await proc.stop("SIGINT")).code, 0, proc.log());
    return boot();
  }

  before(async function () {
    checkPrerequisites();
    checkPrograms("postgres");
    docs = renderOk(baseValues());
    ns = await Netns.create({
      namespace: "dify",
      records: serviceRecords(docs, "dify"),
      addresses: [POD_IP],
    });
    pod = new Pod(ns, docs, find(docs, "StatefulSet", "dify-postgresql"), POD_IP);
  });

  after(async () => {
    await ns?.close();
  });

  it("first boot with the rendered env creates the role and database; the postStart sync succeeds", async () => {
    const env = pod.env("postgresql");
    assert.deepEqual(
      [env.POSTGRES_USER, env.POSTGRES_DB, env.PGDATA],
      ["dify", "dify", "/var/lib/postgresql/data/pgdata"],
    );
    const proc = await boot();
    assert.match(proc.log(), /PostgreSQL init process complete/);
    const r = await loginAsApi(baseValues().postgresql.auth.password);
    assert.equal(r.code, 0, r.stderr);
    // Reached over TCP on the Service's stand-in address, not the socket or loopback (trusted).
    assert.equal(r.stdout.trim(), `dify@dify ${serviceIP(serviceRecords(docs, "dify"), "dify-postgresql")}`);
  });

  it("the app user logs in over TCP with the Secret's password only", async () => {
    const wrong = await loginAsApi("test-not-the-password");
    assert.equal(wrong.code, 2, wrong.stdout);
    assert.match(wrong.stderr, /password authentication failed for user "dify"/);
  });

  it("the chart's startup, readiness and liveness probes pass", async () => {
    for (const kind of ["startupProbe", "readinessProbe", "livenessProbe"] as const) {
      assert.ok(await pod.probe("postgresql", postgresImage, kind), kind);
    }
  });

  it("a rotated Secret (quotes, $, %, backtick, semicolon) takes effect at the next start; the old password fails", async () => {
    const old = baseValues().postgresql.auth.password;
    pod.docs = docs = renderOk(withValue(baseValues(), "postgresql.auth.password", ROTATED));
    assert.equal(pod.env("postgresql").POSTGRES_PASSWORD, ROTATED);
    await restart();
    const fresh = await loginAsApi(ROTATED);
    assert.equal(fresh.code, 0, fresh.stderr);
    const stale = await loginAsApi(old);
    assert.equal(stale.code, 2);
    assert.match(stale.stderr, /password authentication failed/);
    // Data and role survived the restart: the database is the one initialised first.
    assert.ok(!pod.procs.get("postgresql")!.log().includes("init process complete"), "initialised twice");
  });

  it("no password reaches the server log or the hook's output", () => {
    const all = [...logs, pod.procs.get("postgresql")!.log(), ...hookOutput].join("\n");
    assert.ok(all.length > 0);
    for (const pw of [baseValues().postgresql.auth.password, ROTATED]) {
      assert.ok(!all.includes(pw), "a password is in the server log");
    }
  });
});
