// Stand-in HTTP servers for test/real (not any upstream program): one process listening on
// every given address, answering any request with 200 "reached <address>" and printing one JSON
// line per accepted TCP connection, so a test can prove that a request never reached it.
//   node standin-http.js 10.96.1.2:5001 203.0.113.10:443 [::1]:18080 ...
"use strict";
const http = require("http");

const targets = process.argv.slice(2);
let listening = 0;
for (const target of targets) {
  const i = target.lastIndexOf(":");
  const host = target.slice(0, i).replace(/^\[|\]$/g, "");
  const port = Number(target.slice(i + 1));
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`reached ${target} ${req.method} ${req.url}\n`);
  });
  server.on("connection", (socket) => {
    console.log(JSON.stringify({ accepted: target, from: socket.remoteAddress }));
  });
  server.listen(port, host, () => {
    if (++listening === targets.length) console.log(JSON.stringify({ listening: targets }));
  });
}
