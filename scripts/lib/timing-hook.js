/**
 * Preloaded into the program's node process by the benchmark (NODE_OPTIONS=--require this):
 * appends one JSON line to $DIFY_NKP_TIMINGS with epoch milliseconds of
 *   start     the node process started (the language host launched it)
 *   loaded    the program module (index.ts, absolute path required by @pulumi/pulumi's cmd/run)
 *             finished loading: node, the SDK runtime, ts-node, transpiling the program
 *   returned  the program's exported function resolved (config read, cluster reads, resources declared)
 *   exit      the process exits (the engine has answered every registration: provider check/diff)
 * Other node processes (not @pulumi/pulumi's cmd/run) are left alone.
 */
"use strict";
const fs = require("fs");
const path = require("path");

const out = process.env.DIFY_NKP_TIMINGS;
if (out && /[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]run/.test(process.argv[1] || "")) {
  const Module = require("module");
  const now = () => performance.timeOrigin + performance.now();
  const mark = { start: performance.timeOrigin };
  const load = Module._load;
  Module._load = function (request) {
    const exported = load.apply(this, arguments);
    if (mark.loaded === undefined && path.isAbsolute(request) && !request.includes("node_modules")) {
      mark.loaded = now();
      Module._load = load;
      if (typeof exported === "function") {
        return async (...args) => {
          const r = await exported(...args);
          mark.returned = now();
          return r;
        };
      }
    }
    return exported;
  };
  process.on("exit", () => {
    mark.exit = now();
    fs.appendFileSync(out, `${JSON.stringify(mark)}\n`);
  });
}
