/**
 * NetworkPolicy egress evaluation on rendered manifests (no CNI runs here), by the rules of
 * the Kubernetes API (networking.k8s.io/v1 NetworkPolicy reference):
 *   - a pod is egress-isolated when a policy of its namespace selects it with "Egress" in
 *     policyTypes (or, without policyTypes, with an egress section);
 *   - an isolated pod may send a packet when some egress rule of some such policy matches it:
 *     `to` absent or empty = any peer, `ports` absent or empty = any port;
 *   - a peer is an ipBlock (cidr minus except), or a podSelector (pods of the policy's
 *     namespace), or a namespaceSelector (all pods of the selected namespaces), or both
 *     selectors (pods selected in namespaces selected).
 */
import * as net from "net";
import { podLabels, selects } from "../chart/render";

export interface Destination {
  /** Labels of the destination pod (absent: not a pod, e.g. an address outside the cluster). */
  podLabels?: Record<string, string>;
  /** Namespace of the destination pod. */
  namespace?: string;
  /** Labels of that namespace; default: the kubernetes.io/metadata.name label the API server sets. */
  namespaceLabels?: Record<string, string>;
  /** Destination address (for ipBlock peers). */
  ip?: string;
  port: number;
  protocol?: "TCP" | "UDP" | "SCTP";
}

function inBlock(ip: string, block: { cidr: string; except?: string[] }): boolean {
  const family = net.isIPv6(ip) ? "ipv6" : "ipv4";
  const list = (cidrs: string[]) => {
    const l = new net.BlockList();
    for (const c of cidrs) {
      const [addr, bits] = c.split("/");
      if ((net.isIPv6(addr) ? "ipv6" : "ipv4") === family) l.addSubnet(addr, Number(bits), family);
    }
    return l;
  };
  return list([block.cidr]).check(ip, family) && !list(block.except ?? []).check(ip, family);
}

function peerMatches(peer: any, policyNamespace: string, to: Destination): boolean {
  if (peer.ipBlock) return to.ip !== undefined && inBlock(to.ip, peer.ipBlock);
  if (!to.podLabels || !to.namespace) return false;
  const nsLabels = to.namespaceLabels ?? { "kubernetes.io/metadata.name": to.namespace };
  if (peer.namespaceSelector && !selects(peer.namespaceSelector, nsLabels)) return false;
  if (!peer.namespaceSelector && to.namespace !== policyNamespace) return false;
  return peer.podSelector ? selects(peer.podSelector, to.podLabels) : true;
}

function portMatches(ports: any[] | undefined, to: Destination): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== (to.protocol ?? "TCP")) return false;
    if (p.port === undefined) return true;
    if (typeof p.port !== "number")
      throw new Error(`named port ${p.port} in an egress rule: not evaluated here`);
    return p.endPort ? to.port >= p.port && to.port <= p.endPort : to.port === p.port;
  });
}

/**
 * May a pod of `workload` (in `namespace`) send to `to` under the rendered NetworkPolicies?
 * Only policies in the rendered documents count (a cluster may have more).
 */
export function egressAllowed(docs: any[], workload: any, to: Destination, namespace = "dify"): boolean {
  const labels = podLabels(workload);
  const policies = docs
    .filter((d) => d.kind === "NetworkPolicy" && (d.metadata.namespace ?? namespace) === namespace)
    .filter((p) => selects(p.spec.podSelector ?? {}, labels))
    .filter((p) =>
      p.spec.policyTypes ? p.spec.policyTypes.includes("Egress") : p.spec.egress !== undefined,
    );
  if (policies.length === 0) return true;
  const peerOk = (rule: any) =>
    !rule.to || rule.to.length === 0 || rule.to.some((peer: any) => peerMatches(peer, namespace, to));
  return policies.some((p) =>
    (p.spec.egress ?? []).some((rule: any) => peerOk(rule) && portMatches(rule.ports, to)),
  );
}
