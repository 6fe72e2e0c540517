// One gRPC call to Weaviate's weaviate.v1.Weaviate/Search (grpc/proto/v1/weaviate.proto and
// search_get.proto of github.com/weaviate/weaviate v1.27.0), with Node's own HTTP/2 client.
// Run inside a test/real network namespace:
//   node grpc-search.js <host:port> <collection> <property> [apiKey]
// Prints {"status": <grpc-status>, "message": <grpc-message>, "reply": <reply bytes as latin1>}.
// The request: SearchRequest{collection, properties{non_ref_properties: [property]},
// uses_127_api: true}, encoded by hand (three fields; no protobuf library needed).
"use strict";
const http2 = require("http2");

const [target, collection, property, apiKey] = process.argv.slice(2);

function varint(n) {
  const out = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
const tag = (field, wire) => varint((field << 3) | wire);
const name = Buffer.from(collection, "utf8");
const prop = Buffer.from(property, "utf8");
const properties = Buffer.concat([tag(1, 2), varint(prop.length), prop]);
const message = Buffer.concat([
  tag(1, 2),
  varint(name.length),
  name,
  tag(20, 2),
  varint(properties.length),
  properties,
  tag(102, 0),
  varint(1),
]);
const frame = Buffer.alloc(5 + message.length);
frame.writeUInt8(0, 0);
frame.writeUInt32BE(message.length, 1);
message.copy(frame, 5);

const client = http2.connect(`http://${target}`);
client.on("error", (e) => {
  console.log(JSON.stringify({ status: -1, message: String(e), reply: "" }));
  process.exit(0);
});
const headers = {
  ":method": "POST",
  ":path": "/weaviate.v1.Weaviate/Search",
  "content-type": "application/grpc",
  te: "trailers",
};
if (apiKey) headers.authorization = `Bearer ${apiKey}`;
const req = client.request(headers);
const chunks = [];
let status = null;
let grpcMessage = "";
req.on("response", (h) => {
  // A trailers-only response carries the status in the headers.
  if (h["grpc-status"] !== undefined) {
    status = Number(h["grpc-status"]);
    grpcMessage = decodeURIComponent(h["grpc-message"] ?? "");
  }
});
req.on("trailers", (t) => {
  status = Number(t["grpc-status"]);
  grpcMessage = decodeURIComponent(t["grpc-message"] ?? "");
});
req.on("data", (c) => chunks.push(c));
req.on("end", () => {
  console.log(
    JSON.stringify({ status, message: grpcMessage, reply: Buffer.concat(chunks).toString("latin1") }),
  );
  client.close();
});
req.end(frame);
