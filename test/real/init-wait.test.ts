/**
 * The init containers that hold Dify's pods until PostgreSQL and Redis answer, run for real
 * with their rendered command and env (pg_isready and redis-cli from Debian's PostgreSQL 15 and
 * Redis 7.0 standing in for the postgres:16 and redis:7.4 images they use), against the real
 * servers of the chart's StatefulSets, in a private network namespace where the Service names
 * resolve to stand-in addresses.
 */
import * as assert from "assert";
import { baseValues, find, podSpec, renderOk, workloads } from "../chart/render";
import { checkPrograms, PG_BIN, postgresImage, redisImage } from "../lib/images";
import { checkPrerequisites, Netns, waitFor } from "../lib/netns";
import { Image, Pod, serviceRecords } from "../lib/pods";

const CLIENT_IP = "10.244.0.30";
// The init containers run the postgres and redis images (their own command, so no entrypoint).
const waitImage = (name: string): Image => ({
  entrypoint: [],
  cmd: [],
  path: name === "wait-for-postgres" ? [PG_BIN] : [],
});

describe("real init containers wait for the real PostgreSQL and Redis", function () {
  this.timeout(180000);
  let ns: Netns;
  let docs: any[];
  let waits: { pod: Pod; container: string }[];

  /** Runs an init container's rendered command with its rendered env (minus `without`). */
  const run = (w: { pod: Pod; container: string }, timeoutMs: number, without: string[] = []) => {
    const spec = w.pod.spec(w.container, waitImage(w.container));
    for (const k of without) delete spec.env![k];
    return ns.exec(spec, w.pod.argv(w.container, waitImage(w.container)), { timeoutMs });
  };

  before(async function () {
    checkPrerequisites([{ cmd: "redis-cli", pkg: "redis-tools" }]);
    checkPrograms("postgres", "redis");
    docs = renderOk(baseValues());
    ns = await Netns.create({
      namespace: "dify",
      records: serviceRecords(docs, "dify"),
      addresses: [CLIENT_IP, "10.244.0.31", "10.244.0.32"],
    });
    waits = workloads(docs).flatMap((w) =>
      (podSpec(w).initContainers ?? [])
        .filter((c: any) => c.name.startsWith("wait-for-"))
        .map((c: any) => ({ pod: new Pod(ns, docs, w, CLIENT_IP), container: c.name as string })),
    );
  });

  after(async () => {
    await ns?.close();
  });

  it("every Dify workload waits for both stores (api, worker, beat, plugin daemon, migration)", () => {
    const by = (c: string) =>
      waits
        .filter((w) => w.container === c)
        .map((w) => w.pod.name)
        .sort();
    const expected = ["dify-api", "dify-migrate", "dify-plugin-daemon", "dify-worker", "dify-worker-beat"];
    assert.deepEqual(by("wait-for-postgres"), expected);
    assert.deepEqual(by("wait-for-redis"), expected);
  });

  it("keeps waiting while the servers are down", async () => {
    for (const w of waits.filter((x) => x.pod.name === "dify-api")) {
      const r = await run(w, 3000);
      assert.equal(
        r.signal,
        "SIGKILL",
        `${w.container} exited (${r.code}) with no server: ${r.stdout}${r.stderr}`,
      );
      assert.match(r.stdout, /waiting for (postgres|redis)/);
    }
  });

  it("finishes once the chart's PostgreSQL and Redis run; without the Redis password it keeps waiting", async () => {
    const pg = new Pod(ns, docs, find(docs, "StatefulSet", "dify-postgresql"), "10.244.0.31");
    const redis = new Pod(ns, docs, find(docs, "StatefulSet", "dify-redis"), "10.244.0.32");
    const { postStart } = pg.start("postgresql", postgresImage);
    redis.start("redis", redisImage);
    assert.equal((await postStart!).code, 0);
    await waitFor(() => redis.probe("redis", redisImage, "readinessProbe"), 30000, "redis");
    for (const w of waits) {
      const r = await run(w, 30000);
      assert.equal(r.code, 0, `${w.pod.name}/${w.container}: ${r.stdout}${r.stderr}`);
    }
    const api = waits.find((w) => w.pod.name === "dify-api" && w.container === "wait-for-redis")!;
    const anonymous = await run(api, 3000, ["REDISCLI_AUTH"]);
    assert.equal(anonymous.signal, "SIGKILL", "wait-for-redis passed without the password");
  });
});
