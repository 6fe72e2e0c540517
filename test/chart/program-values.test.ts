/** The values the Pulumi program builds (components/values.ts) pass the chart's schema and validation. */
import * as assert from "assert";
import { parseConfig } from "../../components/config";
import { urlHost } from "../../components/host";
import { buildChartValues, Credentials } from "../../components/values";
import { find, podSpec, render } from "./render";

const creds: Credentials = {
  secretKey: "test-secretkey-" + "k".repeat(48), initPassword: "test-init", postgresPassword: "test-pg", redisPassword: "test-redis",
  pluginDaemonKey: "test-pd", pluginInnerApiKey: "test-inner", sandboxApiKey: "test-sb", weaviateApiKey: "test-wv",
  adminPassword: "",
};
const webImage = "registry.example.local/dify/dify-web:1.11.4-dify";

describe("chart: values built by the Pulumi program", () => {
  const cases: [string, Record<string, string>][] = [
    ["sub-path with a base-path image", { webImage }],
    ["root mode", { path: "/" }],
    ["registry prefix and a DNS host", { webImage, imageRegistry: "registry.example.local/mirror", externalHost: "dify.example.com" }],
  ];
  for (const [what, raw] of cases) {
    it(`${what}: renders`, () => {
      const values = buildChartValues(parseConfig(raw), creds, urlHost("198.51.100.10"), "kommander", "digest");
      const r = render(values);
      assert.strictEqual(r.status, 0, r.stderr);
      const web = podSpec(find(r.docs, "Deployment", "dify-web")).containers[0];
      if (raw.webImage) assert.strictEqual(web.image, webImage, "the base-path web image is used as given");
      const weaviate = find(r.docs, "StatefulSet", "dify-weaviate");
      assert.ok(weaviate.spec.template.metadata.annotations?.["checksum/credentials"], "the program's Weaviate key checksum reaches the pod");
    });
  }
});
