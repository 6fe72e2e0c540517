/**
 * The pure parts of the test/real helpers: `$(VAR)` expansion as the kubelet does it (cases from
 * kubernetes/kubernetes third_party/forked/golang/expansion/expand_test.go) and the
 * NetworkPolicy egress rules the squid suite relies on.
 */
import * as assert from "assert";
import { expandVars, resolveEnv } from "../lib/kubelet";
import { egressAllowed } from "../lib/netpol";

describe("test/real helpers: kubelet $(VAR) expansion", () => {
  const vars = { VAR_A: "A", VAR_EMPTY: "", PW: "p$ss" };
  for (const [input, want] of [
    ["$(VAR_A)", "A"],
    ["___$(VAR_A)___", "___A___"],
    ["$(VAR_EMPTY)", ""],
    ["$(VAR_A)$(VAR_A)", "AA"],
    ["$(UNDEFINED)", "$(UNDEFINED)"],
    ["$$(VAR_A)", "$(VAR_A)"],
    ["$$", "$"],
    ["$VAR_A", "$VAR_A"],
    ["foo$", "foo$"],
    ["$(VAR_A", "$(VAR_A"],
    ["redis://:$(PW)@h", "redis://:p$ss@h"],
  ]) {
    it(`${JSON.stringify(input)} -> ${JSON.stringify(want)}`, () =>
      assert.equal(expandVars(input, vars), want));
  }

  it("env values see only earlier entries; Secret values are taken verbatim", () => {
    const docs = [
      { kind: "Secret", metadata: { name: "s" }, data: { K: Buffer.from("$(A)x").toString("base64") } },
    ];
    const env = resolveEnv(docs, {
      env: [
        { name: "B", value: "$(A)" },
        { name: "A", value: "1" },
        { name: "C", value: "$(A)$(B)" },
        { name: "S", valueFrom: { secretKeyRef: { name: "s", key: "K" } } },
      ],
    });
    assert.deepEqual(env, { B: "$(A)", A: "1", C: "1$(A)", S: "$(A)x" });
  });
});

describe("test/real helpers: NetworkPolicy egress evaluation", () => {
  const pod = { kind: "Pod", metadata: { name: "p", labels: { app: "sandbox" } }, spec: {} };
  const policy = (spec: any) => ({ kind: "NetworkPolicy", metadata: { name: "n" }, spec });

  it("a pod no Egress policy selects may send anywhere", () => {
    assert.ok(
      egressAllowed([policy({ podSelector: {}, policyTypes: ["Ingress"] })], pod, {
        ip: "1.2.3.4",
        port: 80,
      }),
    );
  });

  it("an Egress policy without rules denies everything", () => {
    assert.ok(
      !egressAllowed([policy({ podSelector: {}, policyTypes: ["Egress"] })], pod, {
        ip: "1.2.3.4",
        port: 80,
      }),
    );
  });

  it("ipBlock with except, ports and protocols", () => {
    const docs = [
      policy({
        podSelector: { matchLabels: { app: "sandbox" } },
        policyTypes: ["Egress"],
        egress: [
          {
            to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }],
            ports: [{ port: 443, protocol: "TCP" }],
          },
        ],
      }),
    ];
    assert.ok(egressAllowed(docs, pod, { ip: "203.0.113.1", port: 443 }));
    assert.ok(!egressAllowed(docs, pod, { ip: "10.1.2.3", port: 443 }));
    assert.ok(!egressAllowed(docs, pod, { ip: "203.0.113.1", port: 80 }));
    assert.ok(!egressAllowed(docs, pod, { ip: "203.0.113.1", port: 443, protocol: "UDP" }));
  });

  it("podSelector alone means the policy's namespace; with namespaceSelector, the selected ones", () => {
    const docs = [
      policy({
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          { to: [{ podSelector: { matchLabels: { app: "proxy" } } }] },
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [{ port: 53, protocol: "UDP" }],
          },
        ],
      }),
    ];
    assert.ok(egressAllowed(docs, pod, { podLabels: { app: "proxy" }, namespace: "dify", port: 3128 }));
    assert.ok(!egressAllowed(docs, pod, { podLabels: { app: "proxy" }, namespace: "other", port: 3128 }));
    const dns = { podLabels: { "k8s-app": "kube-dns" }, namespace: "kube-system", port: 53 };
    assert.ok(egressAllowed(docs, pod, { ...dns, protocol: "UDP" }));
    assert.ok(!egressAllowed(docs, pod, { ...dns, namespace: "dify", protocol: "UDP" }));
  });
});
