import * as assert from "assert";
import { ClusterReader, ServiceSummary } from "../../components/cluster";
import { nothingReleased } from "../lib/fake-cluster";
import {
  addressFromStatus,
  discoverTraefik,
  pendingAddressMessage,
  pickTraefikService,
} from "../../components/traefik";

const svc = (
  namespace: string,
  name: string,
  type: string,
  labels: Record<string, string>,
  ingress: { ip?: string; hostname?: string }[] = [],
): ServiceSummary => ({ namespace, name, type, labels, ingress });
const nkpLabels = {
  "app.kubernetes.io/name": "traefik",
  "app.kubernetes.io/instance": "kommander-traefik",
  "helm.toolkit.fluxcd.io/name": "traefik",
};
const stockNkp = svc("kommander", "kommander-traefik", "LoadBalancer", nkpLabels, [{ ip: "198.51.100.10" }]);
const dashboard = svc("kommander", "kommander-traefik-dashboard", "ClusterIP", nkpLabels);
const prometheus = svc("kommander", "kommander-traefik-prometheus", "ClusterIP", nkpLabels);
const other = svc("default", "kubernetes", "ClusterIP", {});

describe("Traefik selection", () => {
  it("finds the stock NKP Service by its instance and name labels", () => {
    assert.strictEqual(
      pickTraefikService([other, dashboard, stockNkp, prometheus]).name,
      "kommander-traefik",
    );
  });

  it("finds a Service with the original spec's label", () => {
    const seed = svc("traefik", "my-traefik", "LoadBalancer", {
      "app.kubernetes.io/name": "kommander-traefik",
    });
    assert.strictEqual(pickTraefikService([other, seed]).name, "my-traefik");
  });

  it("falls back to a LoadBalancer Service named kommander-traefik", () => {
    const byName = svc("kommander-default-workspace", "kommander-traefik", "LoadBalancer", {});
    assert.strictEqual(pickTraefikService([byName]).namespace, "kommander-default-workspace");
  });

  it("prefers the stock labels over the other lookups", () => {
    const seed = svc("x", "seed", "LoadBalancer", { "app.kubernetes.io/name": "kommander-traefik" });
    assert.strictEqual(pickTraefikService([seed, stockNkp]).name, "kommander-traefik");
  });

  it("lets the override win over discovery", () => {
    const mine = svc("ingress", "edge", "LoadBalancer", {});
    assert.strictEqual(
      pickTraefikService([stockNkp, mine], { namespace: "ingress", name: "edge" }).name,
      "edge",
    );
  });

  it("refuses an override naming a missing Service", () => {
    assert.throws(
      () => pickTraefikService([stockNkp], { namespace: "ingress", name: "edge" }),
      /ingress\/edge .*does not exist.*kubectl -n ingress get svc/,
    );
  });

  it("refuses an override naming a ClusterIP Service", () => {
    assert.throws(
      () => pickTraefikService([dashboard], { namespace: "kommander", name: "kommander-traefik-dashboard" }),
      /not of type LoadBalancer/,
    );
  });

  it("refuses when no Traefik exists and lists what it saw", () => {
    const nginx = svc("ingress-nginx", "ingress-nginx-controller", "LoadBalancer", {
      "app.kubernetes.io/name": "ingress-nginx",
    });
    assert.throws(
      () => pickTraefikService([other, dashboard, nginx]),
      (e: Error) =>
        /No LoadBalancer Service of the platform Traefik/.test(e.message) &&
        e.message.includes("kommander/kommander-traefik-dashboard (ClusterIP)") &&
        e.message.includes("ingress-nginx/ingress-nginx-controller (LoadBalancer)") &&
        !e.message.includes("default/kubernetes") &&
        /dify:traefikNamespace and dify:traefikServiceName/.test(e.message),
    );
  });

  it("says so when it saw nothing at all", () => {
    assert.throws(() => pickTraefikService([]), /Services seen: none/);
  });

  it("refuses several Services with the original spec's label", () => {
    const a = svc("a", "t1", "LoadBalancer", { "app.kubernetes.io/name": "kommander-traefik" });
    const b = svc("b", "t2", "LoadBalancer", { "app.kubernetes.io/name": "kommander-traefik" });
    assert.throws(
      () => pickTraefikService([a, b]),
      /Several LoadBalancer Services match label app.kubernetes.io\/name=kommander-traefik: a\/t1 \(LoadBalancer\), b\/t2/,
    );
  });

  it("ignores ClusterIP-only Traefik Services", () => {
    assert.throws(() => pickTraefikService([dashboard, prometheus]), /No LoadBalancer Service/);
  });

  it("refuses several candidates and names them", () => {
    const second = { ...stockNkp, namespace: "kommander-default-workspace" };
    assert.throws(
      () => pickTraefikService([stockNkp, second]),
      (e: Error) =>
        /Several LoadBalancer Services/.test(e.message) &&
        e.message.includes("kommander/kommander-traefik") &&
        e.message.includes("kommander-default-workspace/kommander-traefik"),
    );
  });
});

describe("LoadBalancer address", () => {
  it("takes the IP", () => assert.strictEqual(addressFromStatus([{ ip: "198.51.100.10" }]), "198.51.100.10"));
  it("takes the hostname of cloud load balancers", () =>
    assert.strictEqual(addressFromStatus([{ hostname: "lb.example.com" }]), "lb.example.com"));
  it("brackets IPv6", () =>
    assert.strictEqual(addressFromStatus([{ ip: "2001:db8::10" }]), "[2001:db8::10]"));
  it("is undefined while pending", () => assert.strictEqual(addressFromStatus([]), undefined));
  it("skips empty entries", () =>
    assert.strictEqual(addressFromStatus([{}, { ip: "198.51.100.11" }]), "198.51.100.11"));
  it("takes the first entry of a dual-stack Service", () =>
    assert.strictEqual(
      addressFromStatus([{ ip: "198.51.100.10" }, { ip: "2001:db8::10" }]),
      "198.51.100.10",
    ));
  it("prefers the IP when both are given", () =>
    assert.strictEqual(
      addressFromStatus([{ ip: "198.51.100.10", hostname: "lb.example.com" }]),
      "198.51.100.10",
    ));
  it("explains a pending address with MetalLB and the kubectl command", () => {
    const m = pendingAddressMessage({ namespace: "kommander", name: "kommander-traefik" }, 300);
    assert.match(
      m,
      /after 300s \(dify:addressTimeoutSeconds\).*MetalLB.*pool may be exhausted.*kubectl -n kommander describe svc kommander-traefik.*dify:externalHost/s,
    );
  });
});

function reader(
  services: ServiceSummary[],
  opts: { classes?: string[]; crd?: boolean | null; later?: ServiceSummary; noList?: boolean } = {},
): ClusterReader {
  return {
    listServices: async () => {
      if (opts.noList) throw new Error("listed Services although an override was given");
      return services;
    },
    readService: async (ns, name) =>
      opts.later ?? services.find((s) => s.namespace === ns && s.name === name),
    readNamespace: async () => undefined,
    readSecretData: async () => undefined,
    listIngressClasses: async () => opts.classes ?? ["kommander-traefik"],
    hasCrd: async () => (opts.crd === null ? undefined : (opts.crd ?? true)),
    readJob: async () => undefined,
    ...nothingReleased,
  };
}
const base = {
  needAddress: true,
  timeoutSeconds: 1,
  pollSeconds: 0.1,
  ingressClassName: "kommander-traefik",
  subPath: true,
  warn: () => undefined,
};

describe("Traefik discovery", () => {
  it("returns the Service and its address", async () => {
    assert.deepStrictEqual(await discoverTraefik(reader([stockNkp]), base), {
      namespace: "kommander",
      name: "kommander-traefik",
      address: "198.51.100.10",
    });
  });

  it("waits for an address assigned later", async () => {
    const pending = { ...stockNkp, ingress: [] };
    const r = await discoverTraefik(reader([pending], { later: stockNkp }), { ...base, timeoutSeconds: 5 });
    assert.strictEqual(r.address, "198.51.100.10");
  });

  it("gives up after the timeout and points at MetalLB", async () => {
    const pending = { ...stockNkp, ingress: [] };
    await assert.rejects(
      discoverTraefik(reader([pending], { later: pending }), base),
      /no LoadBalancer address after 1s.*MetalLB.*describe svc kommander-traefik.*dify:externalHost/s,
    );
  });

  it("does not wait when an external host replaces the address", async () => {
    const pending = { ...stockNkp, ingress: [] };
    assert.deepStrictEqual(await discoverTraefik(reader([pending]), { ...base, needAddress: false }), {
      namespace: "kommander",
      name: "kommander-traefik",
    });
  });

  it("refuses a missing IngressClass and lists the existing ones", async () => {
    await assert.rejects(
      discoverTraefik(reader([stockNkp], { classes: ["nginx"] }), base),
      /IngressClass kommander-traefik .*does not exist; existing classes: nginx/,
    );
  });

  it("warns when the Middleware CRD is missing in path mode", async () => {
    const warnings: string[] = [];
    await discoverTraefik(reader([stockNkp], { crd: false }), { ...base, warn: (m) => warnings.push(m) });
    assert.strictEqual(warnings.length, 1);
    assert.match(warnings[0], /middlewares\.traefik\.io/);
  });

  it("warns when it may not read CRDs in path mode", async () => {
    const warnings: string[] = [];
    await discoverTraefik(reader([stockNkp], { crd: null }), { ...base, warn: (m) => warnings.push(m) });
    assert.match(warnings.join(), /Could not check .*middlewares\.traefik\.io/);
  });

  it("reads an overridden Service directly, without listing every namespace", async () => {
    const mine = svc("ingress", "edge", "LoadBalancer", {}, [{ hostname: "lb.example.com" }]);
    const r = await discoverTraefik(reader([mine], { noList: true }), {
      ...base,
      override: { namespace: "ingress", name: "edge" },
    });
    assert.deepStrictEqual(r, { namespace: "ingress", name: "edge", address: "lb.example.com" });
  });

  it("refuses an overridden Service that does not exist", async () => {
    await assert.rejects(
      discoverTraefik(reader([], { noList: true }), {
        ...base,
        override: { namespace: "ingress", name: "edge" },
      }),
      /ingress\/edge .*does not exist/,
    );
  });

  it("still discovers Traefik with an external host, for the NetworkPolicy namespace", async () => {
    await assert.rejects(
      discoverTraefik(reader([other]), { ...base, needAddress: false }),
      /No LoadBalancer Service/,
    );
  });

  it("does not need the Middleware CRD in root mode", async () => {
    const warnings: string[] = [];
    await discoverTraefik(reader([stockNkp], { crd: false }), {
      ...base,
      subPath: false,
      warn: (m) => warnings.push(m),
    });
    assert.deepStrictEqual(warnings, []);
  });
});
