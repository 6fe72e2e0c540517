/**
 * Benchmark (not a test): wall time of a fresh `pulumi up` to all Ready, of an unchanged
 * `up`, and of a plain `helm upgrade --install --wait` of the same chart and values, on one
 * simulated NKP cluster; prints the ratios and the stack's default resource requests.
 *   node -r ts-node/register/transpile-only scripts/bench.ts
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { runStack, startSim } from "../test/lib/sim";
import { baseValues, merge, renderOk, totalRequests } from "../test/chart/render";
import { tool } from "../test/lib/paths";

function timed<T>(fn: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const r = fn();
  return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}

const sim = startSim("bench");
try {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), "dify-bench-"));
  const cfg = ["--config", "webImage=registry.example.local/dify/dify-web:1.11.4-dify"];
  const [first, tFirst] = timed(() => runStack(sim, state, "up", "bench", cfg));
  if (first.status !== 0) throw new Error(first.stderr);
  const [second, tSecond] = timed(() => runStack(sim, state, "up", "bench", cfg));
  if (second.status !== 0) throw new Error(second.stderr);

  const values = merge(baseValues(), { networkPolicy: { ingressNamespaces: ["kommander"] } });
  const file = path.join(state, "values.yaml");
  fs.writeFileSync(file, YAML.stringify(values), { mode: 0o600 });
  const [helm, tHelm] = timed(() =>
    spawnSync(tool("helm"), ["--kubeconfig", sim.kubeconfig, "upgrade", "--install", "plain", path.join(__dirname, "..", "chart"), "-n", "plain", "--create-namespace", "-f", file, "--wait", "--wait-for-jobs", "--timeout", "10m"], { encoding: "utf8" }),
  );
  fs.rmSync(file);
  if (helm.status !== 0) throw new Error(helm.stderr);

  const { cpu, memory: mem } = totalRequests(renderOk(values));
  console.log(`pulumi up, fresh stack to all Ready : ${tFirst.toFixed(1)} s`);
  console.log(`pulumi up, nothing changed          : ${tSecond.toFixed(1)} s`);
  console.log(`helm upgrade --install --wait       : ${tHelm.toFixed(1)} s`);
  console.log(`ratio fresh up / helm               : ${(tFirst / tHelm).toFixed(2)}`);
  console.log(`ratio unchanged up / helm           : ${(tSecond / tHelm).toFixed(2)}`);
  console.log(`default requests of the stack       : ${cpu.toFixed(2)} vCPU, ${(mem / 1024 ** 3).toFixed(2)} GiB (incl. migration Job)`);
} finally {
  sim.down();
}
