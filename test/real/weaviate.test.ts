/**
 * The chart's Weaviate StatefulSet (the bundled chart/charts/weaviate) run for real: the 1.27.0
 * server built from its Go module by scripts/tools.sh (the image runs the same binary; see
 * test/lib/images.ts), with the rendered env, volume and probes, in a private network
 * namespace where dify-weaviate resolves to a stand-in address. Clients use the api
 * container's rendered WEAVIATE_* env.
 */
import * as assert from "assert";
import * as path from "path";
import { baseValues, find, renderOk } from "../chart/render";
import { checkPrograms, weaviateImage } from "../lib/images";
import { checkPrerequisites, Netns, waitFor } from "../lib/netns";
import { Pod, serviceRecords } from "../lib/pods";

const POD_IP = "10.244.0.13";
const OBJECT_ID = "5b6e6f3a-1f1e-4c1b-9d55-3a0d1c0b2a11";

describe("real Weaviate 1.27.0 runs the chart's StatefulSet", function () {
  this.timeout(180000);
  let ns: Netns;
  let pod: Pod;
  let api: Record<string, string>;

  /** HTTP from a client pod: [status, body]. */
  async function http(method: string, url: string, key?: string, body?: unknown): Promise<[number, string]> {
    const args = [
      "curl",
      "-s",
      "-m",
      "20",
      "-X",
      method,
      "-w",
      "\n%{http_code}",
      "-H",
      "Content-Type: application/json",
    ];
    if (key) args.push("-H", `Authorization: Bearer ${key}`);
    if (body !== undefined) args.push("--data-binary", "@-");
    const input = body === undefined ? undefined : JSON.stringify(body);
    const r = await ns.exec({ name: "client" }, [...args, url], { input });
    const i = r.stdout.lastIndexOf("\n");
    return [Number(r.stdout.slice(i + 1)), r.stdout.slice(0, i)];
  }

  async function grpc(key?: string): Promise<{ status: number; message: string; reply: string }> {
    const target = api.WEAVIATE_GRPC_ENDPOINT.replace(/^grpc:\/\//, "");
    const script = path.join(__dirname, "..", "lib", "grpc-search.js");
    const r = await ns.exec({ name: "client" }, [
      process.execPath,
      script,
      target,
      "Doc",
      "text",
      ...(key ? [key] : []),
    ]);
    return JSON.parse(r.stdout);
  }

  async function boot() {
    pod.start("weaviate", weaviateImage);
    await waitFor(
      () => pod.probe("weaviate", weaviateImage, "startupProbe"),
      90000,
      "the startup probe",
      500,
    );
  }

  before(async function () {
    checkPrerequisites();
    checkPrograms("weaviate");
    const docs = renderOk(baseValues());
    ns = await Netns.create({
      namespace: "dify",
      records: serviceRecords(docs, "dify"),
      addresses: [POD_IP],
    });
    pod = new Pod(ns, docs, find(docs, "StatefulSet", "dify-weaviate"), POD_IP);
    api = new Pod(ns, docs, find(docs, "Deployment", "dify-api"), POD_IP).env("api");
  });

  after(async () => {
    await ns?.close();
  });

  it("starts with the rendered env; the chart's readiness and liveness paths answer", async () => {
    const env = pod.env("weaviate");
    assert.equal(env.AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED, "false");
    assert.equal(env.AUTHENTICATION_APIKEY_ALLOWED_KEYS, baseValues().secrets.weaviateApiKey);
    assert.equal(env.PERSISTENCE_DATA_PATH, "/var/lib/weaviate");
    await boot();
    for (const kind of ["readinessProbe", "livenessProbe"] as const) {
      assert.ok(await pod.probe("weaviate", weaviateImage, kind), kind);
    }
    const [status, body] = await http("GET", `${api.WEAVIATE_ENDPOINT}/v1/meta`, api.WEAVIATE_API_KEY);
    assert.equal(status, 200, body);
    assert.equal(JSON.parse(body).version, "1.27.0");
  });

  it("refuses anonymous HTTP and gRPC; accepts the Secret's API key on both", async () => {
    const schema = `${api.WEAVIATE_ENDPOINT}/v1/schema`;
    assert.equal((await http("GET", schema))[0], 401);
    assert.equal((await http("GET", schema, "test-not-the-key"))[0], 401);
    const created = await http("POST", schema, api.WEAVIATE_API_KEY, {
      class: "Doc",
      vectorizer: "none",
      properties: [{ name: "text", dataType: ["text"] }],
    });
    assert.equal(created[0], 200, created[1]);
    const anonymous = await grpc();
    assert.notEqual(anonymous.status, 0);
    assert.match(anonymous.message, /^extract auth: /);
    const wrong = await grpc("test-not-the-key");
    assert.notEqual(wrong.status, 0);
    const ok = await grpc(api.WEAVIATE_API_KEY);
    assert.equal(ok.status, 0, ok.message);
  });

  it("keeps objects across a restart (data on the claim)", async () => {
    const obj = {
      class: "Doc",
      id: OBJECT_ID,
      properties: { text: "kept across restarts" },
      vector: [0.1, 0.2, 0.3],
    };
    const put = await http("POST", `${api.WEAVIATE_ENDPOINT}/v1/objects`, api.WEAVIATE_API_KEY, obj);
    assert.equal(put[0], 200, put[1]);
    await pod.procs.get("weaviate")!.stop("SIGTERM");
    await boot();
    const objectURL = `${api.WEAVIATE_ENDPOINT}/v1/objects/Doc/${OBJECT_ID}`;
    const [status, body] = await http("GET", objectURL, api.WEAVIATE_API_KEY);
    assert.equal(status, 200, body);
    assert.equal(JSON.parse(body).properties.text, "kept across restarts");
    const search = await grpc(api.WEAVIATE_API_KEY);
    assert.equal(search.status, 0, search.message);
    assert.ok(search.reply.includes("kept across restarts"), `gRPC Search: ${JSON.stringify(search)}`);
  });
});
