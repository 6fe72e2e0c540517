/**
 * Finds the platform Traefik (NKP's kommander-traefik) and its public address.
 * The decisions are pure functions; discoverTraefik does the I/O with a ClusterReader.
 */
import { ClusterReader, ServiceSummary } from "./cluster";
import { UserError } from "./errors";
import { UrlHost, urlHost } from "./host";

export interface TraefikOverride {
  namespace?: string;
  name?: string;
}

const describe = (s: ServiceSummary) => `${s.namespace}/${s.name} (${s.type})`;

/** The lookups, in order: stock NKP labels, the original spec's label, the Service name. */
export const traefikLookups: { what: string; match: (s: ServiceSummary) => boolean }[] = [
  {
    what: "labels app.kubernetes.io/instance=kommander-traefik,app.kubernetes.io/name=traefik",
    match: (s) =>
      s.labels["app.kubernetes.io/instance"] === "kommander-traefik" &&
      s.labels["app.kubernetes.io/name"] === "traefik",
  },
  {
    what: "label app.kubernetes.io/name=kommander-traefik",
    match: (s) => s.labels["app.kubernetes.io/name"] === "kommander-traefik",
  },
  { what: "name kommander-traefik", match: (s) => s.name === "kommander-traefik" },
];

/** Picks the platform Traefik among all Services; throws a message a user can act on. */
export function pickTraefikService(all: ServiceSummary[], override?: TraefikOverride): ServiceSummary {
  const fix =
    "Set dify:traefikNamespace and dify:traefikServiceName to the LoadBalancer Service of the platform Traefik.";
  if (override?.namespace && override?.name) {
    const svc = all.find((s) => s.namespace === override.namespace && s.name === override.name);
    if (!svc) {
      throw new UserError(
        `Traefik Service ${override.namespace}/${override.name} (from dify:traefikNamespace/dify:traefikServiceName) does not exist. ` +
          `Check with: kubectl -n ${override.namespace} get svc`,
      );
    }
    if (svc.type !== "LoadBalancer") {
      throw new UserError(
        `Traefik Service ${describe(svc)} is not of type LoadBalancer, so it has no external address. ${fix}`,
      );
    }
    return svc;
  }
  const lbs = all.filter((s) => s.type === "LoadBalancer");
  for (const lookup of traefikLookups) {
    const found = lbs.filter(lookup.match);
    if (found.length === 1) return found[0];
    if (found.length > 1) {
      throw new UserError(
        `Several LoadBalancer Services match ${lookup.what}: ${found.map(describe).join(", ")}. ${fix}`,
      );
    }
  }
  // What was seen: every LoadBalancer Service and every Service that looks like Traefik.
  const seen = all.filter(
    (s) =>
      s.type === "LoadBalancer" ||
      s.name.includes("traefik") ||
      Object.values(s.labels).some((v) => v.includes("traefik")),
  );
  const shown =
    seen.slice(0, 20).map(describe).join(", ") + (seen.length > 20 ? `, and ${seen.length - 20} more` : "");
  throw new UserError(
    `No LoadBalancer Service of the platform Traefik found (looked for ${traefikLookups.map((l) => l.what).join("; then ")}). ` +
      `LoadBalancer and Traefik-like Services seen: ${seen.length ? shown : "none"}. ${fix}`,
  );
}

/** The public address of a LoadBalancer status: IP, else hostname; IPv6 in brackets for URLs. */
export function addressFromStatus(ingress: { ip?: string; hostname?: string }[]): UrlHost | undefined {
  const first = ingress.find((i) => i.ip || i.hostname);
  const host = first?.ip || first?.hostname;
  return host ? urlHost(host) : undefined;
}

export interface TraefikInfo {
  namespace: string;
  name: string;
  /** Public address (bracketed if IPv6), or undefined when dify:externalHost replaces it. */
  address?: UrlHost;
}

export interface DiscoverOptions {
  override?: TraefikOverride;
  /** Wait for the address; false when dify:externalHost is set. */
  needAddress: boolean;
  timeoutSeconds: number;
  pollSeconds?: number;
  ingressClassName: string;
  /** Sub-path mode (DifyConfig.subPath): the Middleware CRD is checked. */
  subPath: boolean;
  warn: (msg: string) => void;
}

/** The message of a Service that never got a LoadBalancer address. */
export function pendingAddressMessage(
  svc: { namespace: string; name: string },
  timeoutSeconds: number,
): string {
  return (
    `Traefik Service ${svc.namespace}/${svc.name} has no LoadBalancer address after ${timeoutSeconds}s (dify:addressTimeoutSeconds). ` +
    "MetalLB has not assigned one: its address pool may be exhausted, or the Service is still pending. " +
    `Check: kubectl -n ${svc.namespace} describe svc ${svc.name} (look for AllocationFailed events) and kubectl -n metallb-system get ipaddresspools. ` +
    "Then free or add an address, raise dify:addressTimeoutSeconds, or set dify:externalHost to the address or DNS name users reach Traefik at."
  );
}

/**
 * Discovers Traefik, checks the IngressClass and (sub-path mode) the Middleware CRD, and
 * waits for the LoadBalancer address unless dify:externalHost replaces it. Traefik is
 * discovered even with dify:externalHost: its namespace is what the NetworkPolicies admit.
 */
export async function discoverTraefik(reader: ClusterReader, opts: DiscoverOptions): Promise<TraefikInfo> {
  const classes = await reader.listIngressClasses();
  if (!classes.includes(opts.ingressClassName)) {
    throw new UserError(
      `IngressClass ${opts.ingressClassName} (dify:ingressClassName) does not exist; existing classes: ${classes.length ? classes.join(", ") : "none"}. ` +
        "Set dify:ingressClassName to the platform Traefik's class (NKP: kommander-traefik).",
    );
  }
  if (opts.subPath) {
    const crd = await reader.hasCrd("middlewares.traefik.io");
    if (crd === false) {
      opts.warn(
        "The Traefik Middleware CRD (middlewares.traefik.io) is missing: in sub-path mode the chart creates a StripPrefix Middleware for the api routes, " +
          "so the release will fail until Traefik's CRDs are installed (or use dify:path / at the root).",
      );
    } else if (crd === undefined) {
      opts.warn(
        "Could not check for the Traefik Middleware CRD (middlewares.traefik.io): reading CustomResourceDefinitions is not allowed. Sub-path mode needs it.",
      );
    }
  }
  let svc: ServiceSummary;
  const o = opts.override;
  if (o?.namespace && o?.name) {
    // An explicit Service needs no cluster-wide list (works with namespace-scoped RBAC).
    const found = await reader.readService(o.namespace, o.name);
    svc = pickTraefikService(found ? [found] : [], o);
  } else {
    svc = pickTraefikService(await reader.listServices());
  }
  if (!opts.needAddress) return { namespace: svc.namespace, name: svc.name };
  const deadline = Date.now() + opts.timeoutSeconds * 1000;
  for (;;) {
    const address = addressFromStatus(svc.ingress);
    if (address) return { namespace: svc.namespace, name: svc.name, address };
    if (Date.now() >= deadline) throw new UserError(pendingAddressMessage(svc, opts.timeoutSeconds));
    await new Promise((r) =>
      setTimeout(r, Math.min((opts.pollSeconds ?? 2) * 1000, Math.max(0, deadline - Date.now()))),
    );
    svc = (await reader.readService(svc.namespace, svc.name)) ?? svc;
  }
}
