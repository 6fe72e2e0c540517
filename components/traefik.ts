/**
 * Finds the platform Traefik (NKP's kommander-traefik) and its public address.
 * The decisions are pure functions; discoverTraefik does the I/O with a ClusterReader.
 */
import { ClusterReader, ServiceSummary } from "./cluster";

export interface TraefikOverride {
  namespace?: string;
  name?: string;
}

const describe = (s: ServiceSummary) => `${s.namespace}/${s.name} (${s.type})`;

/** The lookups, in order: stock NKP labels, the original spec's label, the Service name. */
export const traefikLookups: { what: string; match: (s: ServiceSummary) => boolean }[] = [
  {
    what: "labels app.kubernetes.io/instance=kommander-traefik,app.kubernetes.io/name=traefik",
    match: (s) => s.labels["app.kubernetes.io/instance"] === "kommander-traefik" && s.labels["app.kubernetes.io/name"] === "traefik",
  },
  { what: "label app.kubernetes.io/name=kommander-traefik", match: (s) => s.labels["app.kubernetes.io/name"] === "kommander-traefik" },
  { what: "name kommander-traefik", match: (s) => s.name === "kommander-traefik" },
];

/** Picks the platform Traefik among all Services; throws a message a user can act on. */
export function pickTraefikService(all: ServiceSummary[], override?: TraefikOverride): ServiceSummary {
  const fix = "Set dify:traefikNamespace and dify:traefikServiceName to the LoadBalancer Service of the platform Traefik.";
  if (override?.namespace && override?.name) {
    const svc = all.find((s) => s.namespace === override.namespace && s.name === override.name);
    if (!svc) {
      throw new Error(`Traefik Service ${override.namespace}/${override.name} (from dify:traefikNamespace/dify:traefikServiceName) does not exist. ` +
        `Check with: kubectl -n ${override.namespace} get svc`);
    }
    if (svc.type !== "LoadBalancer") {
      throw new Error(`Traefik Service ${describe(svc)} is not of type LoadBalancer, so it has no external address. ${fix}`);
    }
    return svc;
  }
  const lbs = all.filter((s) => s.type === "LoadBalancer");
  for (const lookup of traefikLookups) {
    const found = lbs.filter(lookup.match);
    if (found.length === 1) return found[0];
    if (found.length > 1) {
      throw new Error(`Several LoadBalancer Services match ${lookup.what}: ${found.map(describe).join(", ")}. ${fix}`);
    }
  }
  const seen = all.filter((s) => s.name.includes("traefik") || Object.values(s.labels).some((v) => v.includes("traefik")));
  throw new Error(
    `No LoadBalancer Service of the platform Traefik found (looked for ${traefikLookups.map((l) => l.what).join("; then ")}). ` +
      `Traefik-like Services seen: ${seen.length ? seen.map(describe).join(", ") : "none"}. ${fix}`,
  );
}

/** The public address of a LoadBalancer status: IP, else hostname; IPv6 in brackets for URLs. */
export function addressFromStatus(ingress: { ip?: string; hostname?: string }[]): string | undefined {
  const first = ingress.find((i) => i.ip || i.hostname);
  if (!first) return undefined;
  if (first.ip) return first.ip.includes(":") ? `[${first.ip}]` : first.ip;
  return first.hostname;
}

export interface TraefikInfo {
  namespace: string;
  name: string;
  /** Public address (bracketed if IPv6), or undefined when dify:externalHost replaces it. */
  address?: string;
}

export interface DiscoverOptions {
  override?: TraefikOverride;
  /** Wait for the address; false when dify:externalHost is set. */
  needAddress: boolean;
  timeoutSeconds: number;
  pollSeconds?: number;
  ingressClassName: string;
  pathMode: boolean;
  warn: (msg: string) => void;
}

/** Discovers Traefik, checks the IngressClass and Middleware CRD, waits for the address. */
export async function discoverTraefik(reader: ClusterReader, opts: DiscoverOptions): Promise<TraefikInfo> {
  const classes = await reader.listIngressClasses();
  if (!classes.includes(opts.ingressClassName)) {
    throw new Error(`IngressClass ${opts.ingressClassName} (dify:ingressClassName) does not exist; existing classes: ${classes.length ? classes.join(", ") : "none"}. ` +
      "Set dify:ingressClassName to the platform Traefik's class (NKP: kommander-traefik).");
  }
  if (opts.pathMode && !(await reader.hasCrd("middlewares.traefik.io"))) {
    opts.warn("The Traefik Middleware CRD (middlewares.traefik.io) is missing: the /dify api routes need its StripPrefix middleware and will not work until Traefik's CRDs are installed.");
  }
  let svc = pickTraefikService(await reader.listServices(), opts.override);
  if (!opts.needAddress) return { namespace: svc.namespace, name: svc.name };
  const deadline = Date.now() + opts.timeoutSeconds * 1000;
  for (;;) {
    const address = addressFromStatus(svc.ingress);
    if (address) return { namespace: svc.namespace, name: svc.name, address };
    if (Date.now() >= deadline) {
      throw new Error(
        `Traefik Service ${svc.namespace}/${svc.name} has no LoadBalancer address after ${opts.timeoutSeconds}s (dify:addressTimeoutSeconds). ` +
          `MetalLB has not assigned one: its address pool may be exhausted or not announced. Check: kubectl -n ${svc.namespace} describe svc ${svc.name} ` +
          "(look for AllocationFailed events) and kubectl -n metallb-system get ipaddresspools. Or set dify:externalHost to the address or DNS name users reach Traefik at.",
      );
    }
    await new Promise((r) => setTimeout(r, (opts.pollSeconds ?? 2) * 1000));
    svc = (await reader.readService(svc.namespace, svc.name)) ?? svc;
  }
}
