/** components/chart-contract.ts against the real chart: what the program assumes is what `helm template` renders. */
import * as assert from "assert";
import {
  chartPath, componentName, credentialsSecretKeys, credentialsSecretName, rootRedirectPaths, servicePorts,
} from "../../components/chart-contract";
import { baseValues, chartDir, merge, renderOk } from "./render";

/** Every optional credential set, so the Secret carries all its keys. */
const s3 = { enabled: true, endpoint: "https://objects.example.local", bucket: "dify", accessKey: "test-s3a", secretKey: "test-s3s" };
const allKeys = merge(baseValues(), {
  dify: { fileStorage: { s3 } },
  bootstrap: { adminEmail: "admin@example.com" }, secrets: { adminPassword: "test-adminpw-4711" },
});
const names = (docs: any[], kind: string) => docs.filter((d) => d.kind === kind).map((d) => d.metadata.name).sort();

describe("chart contract (components/chart-contract.ts) against helm template", () => {
  it("points at the chart the tests render", () => assert.strictEqual(chartPath, chartDir));

  it("names the credentials Secret and every key it holds", () => {
    const name = credentialsSecretName("dify");
    const secret = renderOk(allKeys).find((d) => d.kind === "Secret" && d.metadata.name === name);
    assert.ok(secret, `no Secret ${name}`);
    const keys = Object.keys({ ...secret.data, ...secret.stringData }).sort();
    assert.deepStrictEqual(keys, Object.values(credentialsSecretKeys).sort());
  });

  const long = "team-a-" + "x".repeat(46);
  for (const release of ["dify", "prod", "my-dify-staging", long]) {
    const shown = release.length > 20 ? `${release.slice(0, 12)}... (${release.length} characters)` : release;
    it(`applies the chart's fullname rule to release ${shown}`, () => {
      const docs = renderOk(baseValues(), { release });
      const secrets = names(docs, "Secret").filter((n) => n.endsWith("-credentials"));
      assert.deepStrictEqual(secrets, [credentialsSecretName(release)]);
      const services = Object.keys(servicePorts).map((c) => componentName(release, c)).sort();
      assert.deepStrictEqual(names(docs, "Service"), services);
    });
  }

  it("keeps each component's Service port", () => {
    const docs = renderOk(baseValues());
    for (const [component, port] of Object.entries(servicePorts)) {
      const svc = docs.find((d) => d.kind === "Service" && d.metadata.name === componentName("dify", component));
      assert.strictEqual(svc?.spec.ports[0].port, port, component);
    }
  });

  it("knows the root paths the chart redirects in sub-path mode", () => {
    const name = componentName("dify", "root-redirects");
    const ing = renderOk(baseValues()).find((d) => d.kind === "Ingress" && d.metadata.name === name);
    assert.deepStrictEqual(ing?.spec.rules[0].http.paths.map((p: any) => p.path), rootRedirectPaths);
  });
});
