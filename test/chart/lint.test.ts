/** helm lint with Helm 3 and 4, Kubernetes versions, and the chart used alone with --set. */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { tool } from "../lib/paths";
import { base, matrix } from "./matrix";
import { chartDir, render, renderChart, renderOk, toSetValues } from "./render";

const names = (docs: any[]) => docs.map((d) => `${d.kind}/${d.metadata.name}`).sort();

describe("chart: lint, Helm versions and Kubernetes versions", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lint-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const [helm, label] of [["helm", "Helm 3"], ["helm4", "Helm 4"]]) {
    for (const mode of ["path mode", "root mode", "SSRF proxy"]) {
      it(`helm lint --strict is clean with ${label} (${mode})`, () => {
        const file = path.join(dir, `${helm}-${mode.replace(/ /g, "-")}.yaml`);
        fs.writeFileSync(file, YAML.stringify(matrix[mode].values));
        const r = spawnSync(tool(helm), ["lint", "--strict", chartDir, "-f", file], { encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        assert.doesNotMatch(r.stdout, /\[(WARNING|ERROR)\]/);
      });
    }

    it(`helm lint with ${label} without values reports the validation list`, () => {
      const r = spawnSync(tool(helm), ["lint", chartDir], { encoding: "utf8" });
      assert.notStrictEqual(r.status, 0);
      assert.match(r.stdout + r.stderr, /Invalid values for the dify chart/);
    });
  }

  for (const kube of ["1.29.0", "1.34.0"]) {
    it(`renders the same objects for Kubernetes ${kube}`, () => {
      const docs = renderOk(base, { kubeVersion: kube });
      assert.deepStrictEqual(names(docs), names(renderOk(base)));
      assert.ok(docs.every((d) => !/beta/.test(d.apiVersion) || d.kind === "Middleware"), "no beta Kubernetes API");
    });
  }

  it("refuses Kubernetes older than 1.29", () => {
    const r = render(base, { kubeVersion: "1.28.0" });
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /kubeVersion/);
  });

  it("Helm 4 renders exactly what Helm 3 renders", () => {
    for (const mode of ["path mode", "root mode"]) {
      assert.deepStrictEqual(renderOk(matrix[mode].values, { helm: tool("helm4") }), renderOk(matrix[mode].values), mode);
    }
  });

  it("the chart alone with --set only renders what the values file renders", () => {
    const r = renderChart(toSetValues(base));
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(r.docs, renderOk(base));
  });

  it("the README's root-mode --set command renders", () => {
    const values = { ...toSetValues(matrix["root mode"].values), "expose.entrypoints": "{websecure}", "api.replicas": "2" };
    const r = renderChart(values);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.docs.find((d) => d.kind === "Deployment" && d.metadata.name === "dify-api").spec.replicas, 2);
  });
});
