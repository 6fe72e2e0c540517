import * as assert from "assert";
import { clusterError, kubeconfigSource, kubeReader, resolveKube } from "../../components/cluster";

const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: ctx, context: {cluster: c, user: u}}]
current-context: ctx
`;

describe("cluster access settings", () => {
  it("reads kubernetes:kubeconfig as content when it is YAML or JSON", () => {
    assert.ok("content" in kubeconfigSource(kubeconfig("https://127.0.0.1:6443")));
    assert.ok("content" in kubeconfigSource('{"apiVersion":"v1"}'));
  });
  it("reads kubernetes:kubeconfig as a path otherwise, expanding ~/", () => {
    assert.deepStrictEqual(kubeconfigSource("/home/ubuntu/nkp/kube.conf"), {
      file: "/home/ubuntu/nkp/kube.conf",
    });
    assert.deepStrictEqual(kubeconfigSource("~/nkp/kube.conf", "/home/op"), {
      file: "/home/op/nkp/kube.conf",
    });
  });
  it("resolves one kubeconfig for the provider, with the chosen context current", () => {
    const two = kubeconfig("https://a.example:6443").replace(
      "contexts: [",
      "contexts: [{name: b, context: {cluster: c, user: u}}, ",
    );
    const kube = resolveKube(two, "b");
    assert.strictEqual(kube.config.getCurrentContext(), "b");
    assert.strictEqual(JSON.parse(kube.kubeconfig ?? "{}")["current-context"], "b");
  });
  it("refuses a kubernetes:context the kubeconfig does not have", () => {
    assert.throws(
      () => resolveKube(kubeconfig("https://127.0.0.1:6443"), "prod"),
      /kubernetes:context "prod" is not in the kubeconfig \(contexts: ctx\)/,
    );
  });
});

describe("cluster errors", () => {
  const server = "https://api.example:6443";
  it("explains an unreachable API server with the settings to check", () => {
    const e = clusterError(new Error("connect ECONNREFUSED"), "list IngressClasses", server);
    assert.match(
      e.message,
      /Cannot reach the Kubernetes API server https:\/\/api\.example:6443 when trying to list IngressClasses: connect ECONNREFUSED.*KUBECONFIG.*kubernetes:context/,
    );
  });
  it("explains expired credentials", () => {
    assert.match(
      clusterError({ code: 401, message: "Unauthorized" }, "list IngressClasses", server).message,
      /refused the credentials.*HTTP 401.*renew the kubeconfig/,
    );
  });
  it("explains missing RBAC rights", () => {
    assert.match(
      clusterError(
        { code: 403, body: '{"message":"ingressclasses is forbidden"}' },
        "list IngressClasses",
        server,
      ).message,
      /Not allowed to list IngressClasses \(HTTP 403, RBAC\).*ingressclasses is forbidden/,
    );
  });
  it("keeps the API's own message of other errors", () => {
    assert.match(
      clusterError(
        { code: 500, body: '{"message":"etcd timeout"}', message: "HTTP-Code: 500\nHeaders: ..." },
        "read Service a/b",
        server,
      ).message,
      /when trying to read Service a\/b: HTTP 500: etcd timeout$/,
    );
  });
  it("reports a real connection failure that way", async () => {
    const reader = kubeReader(resolveKube(kubeconfig("https://127.0.0.1:1")));
    await assert.rejects(
      reader.listIngressClasses(),
      /Cannot reach the Kubernetes API server https:\/\/127\.0\.0\.1:1 when trying to list IngressClasses/,
    );
  });
});
