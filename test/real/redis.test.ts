/**
 * The chart's Redis StatefulSet run for real: Debian's Redis 7.0 (production runs redis:7.4.5;
 * see test/lib/images.ts for what differs) with the rendered args, env, volume and probes, in
 * a private network namespace where dify-redis resolves to a stand-in address. Clients use the
 * api container's rendered env (REDIS_* and the Celery broker URL the kubelet expands).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { baseValues, find, renderOk } from "../chart/render";
import { checkPrograms, redisImage } from "../lib/images";
import { checkPrerequisites, Netns, waitFor } from "../lib/netns";
import { Pod, serviceRecords } from "../lib/pods";

const POD_IP = "10.244.0.12";

describe("real Redis runs the chart's StatefulSet (Debian 7.0 standing in for redis:7.4)", function () {
  this.timeout(120000);
  let ns: Netns;
  let pod: Pod;
  let docs: any[];
  let api: Record<string, string>;
  const password = baseValues().redis.auth.password;

  /** redis-cli from a client pod with the given env (REDISCLI_AUTH is how redis-cli takes a password). */
  const cli = (env: Record<string, string>, ...args: string[]) =>
    ns
      .exec({ name: "client", env }, ["redis-cli", "--no-auth-warning", ...args])
      .then((r) => (r.stdout + r.stderr).trim());
  const asApi = (...args: string[]) =>
    cli({ REDISCLI_AUTH: api.REDIS_PASSWORD }, "-h", api.REDIS_HOST, "-p", api.REDIS_PORT, ...args);

  async function boot() {
    pod.start("redis", redisImage);
    await waitFor(() => pod.probe("redis", redisImage, "readinessProbe"), 30000, "the readiness probe");
  }

  before(async function () {
    checkPrerequisites([{ cmd: "redis-cli", pkg: "redis-tools" }]);
    checkPrograms("redis");
    docs = renderOk(baseValues());
    ns = await Netns.create({
      namespace: "dify",
      records: serviceRecords(docs, "dify"),
      addresses: [POD_IP],
    });
    pod = new Pod(ns, docs, find(docs, "StatefulSet", "dify-redis"), POD_IP);
    api = new Pod(ns, docs, find(docs, "Deployment", "dify-api"), POD_IP).env("api");
  });

  after(async () => {
    await ns?.close();
  });

  it("starts with the chart's args, the password expanded from the Secret by the kubelet", async () => {
    assert.deepEqual(pod.argv("redis", redisImage).slice(-7), [
      "docker-entrypoint.sh",
      "--appendonly",
      "yes",
      "--dir",
      "/data",
      "--requirepass",
      password,
    ]);
    await boot();
    assert.equal(await asApi("CONFIG", "GET", "appendonly"), "appendonly\nyes");
    assert.equal(await asApi("CONFIG", "GET", "dir"), "dir\n/data");
  });

  it("requires AUTH: anonymous and wrong-password clients are refused, the Secret's password works", async () => {
    const anonymous = await cli({}, "-h", api.REDIS_HOST, "-p", api.REDIS_PORT, "SET", "k", "v");
    assert.match(anonymous, /NOAUTH Authentication required/);
    const wrong = await cli(
      { REDISCLI_AUTH: "test-wrong" },
      "-h",
      api.REDIS_HOST,
      "-p",
      api.REDIS_PORT,
      "PING",
    );
    assert.match(wrong, /WRONGPASS/);
    assert.equal(await asApi("PING"), "PONG");
    // What Celery connects with: the broker URL with $(REDIS_PASSWORD) expanded by the kubelet,
    // parsed as kombu/redis-py do (empty user = AUTH <password>; redis-cli -u would send user "").
    const broker = new URL(api.CELERY_BROKER_URL);
    assert.deepEqual([broker.username, decodeURIComponent(broker.password)], ["", password]);
    assert.equal(
      await cli(
        { REDISCLI_AUTH: decodeURIComponent(broker.password) },
        "-h",
        broker.hostname,
        "-p",
        broker.port,
        "-n",
        broker.pathname.slice(1),
        "PING",
      ),
      "PONG",
    );
  });

  it("appendonly keeps every acknowledged write across a crash (SIGKILL) and restart", async () => {
    assert.equal(await asApi("SET", "dify:real", "kept"), "OK");
    await pod.procs.get("redis")!.stop("SIGKILL");
    assert.ok(
      fs.readdirSync(path.join(pod.claimDir("data"), "appendonlydir")).some((f) => f.endsWith(".aof")),
    );
    await boot();
    assert.equal(await asApi("GET", "dify:real"), "kept");
  });

  it("the chart's readiness and liveness probes pass, and fail without the password", async () => {
    for (const kind of ["readinessProbe", "livenessProbe"] as const) {
      assert.ok(await pod.probe("redis", redisImage, kind), kind);
      assert.ok(
        !(await pod.probe("redis", redisImage, kind, ["REDISCLI_AUTH"])),
        `${kind} without REDISCLI_AUTH`,
      );
    }
  });
});
