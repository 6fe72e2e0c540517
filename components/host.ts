/**
 * Hosts in URLs. A host is normalised once where it enters the program (dify:externalHost in
 * parseConfig, the Traefik LoadBalancer status in traefik.ts) into a UrlHost; everything after
 * that (URLs, chart values) uses it as it is.
 */
import { isIP } from "net";
import { UserError } from "./errors";

/** A host ready for a URL: a DNS name or IPv4 address as given, an IPv6 address in brackets. */
export type UrlHost = string & { readonly __urlHost: unique symbol };

/** Host part of a URL: an IPv6 address gets brackets, anything else is kept. */
export function urlHost(host: string): UrlHost {
  return (host.includes(":") && !host.startsWith("[") ? `[${host}]` : host) as UrlHost;
}

const hostnameRe =
  /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Checks a host that browsers use (no scheme, port or path). Returns the host for URLs (an
 * IPv6 address in brackets) or the reason it is not one.
 */
export function checkHost(value: string): { host: UrlHost } | { reason: string } {
  if (value.includes("://")) return { reason: "must not contain a scheme" };
  if (value.includes("/")) return { reason: "must not contain a path" };
  if (value.startsWith("[") && value.endsWith("]")) {
    return isIP(value.slice(1, -1)) === 6
      ? { host: urlHost(value) }
      : { reason: "has brackets around something that is not an IPv6 address" };
  }
  if (isIP(value) !== 0) return { host: urlHost(value) };
  if (/:\d*$/.test(value))
    return { reason: "must be a host without port (Traefik serves Dify on its websecure entrypoint, 443)" };
  if (/^[0-9.]+$/.test(value)) return { reason: "is not a valid IPv4 address" };
  if (value.length > 253 || !hostnameRe.test(value))
    return { reason: "must be a DNS name or an IP address, without port" };
  return { host: urlHost(value) };
}

/** The host browsers use: dify:externalHost, else the Traefik LoadBalancer address. */
export function publicHost(cfg: { externalHost?: UrlHost }, address: UrlHost | undefined): UrlHost {
  const host = cfg.externalHost ?? address;
  if (!host)
    throw new UserError("No public host: the Traefik address is unknown and dify:externalHost is not set");
  return host;
}

/** Public base URL, e.g. https://198.51.100.10/dify (path "/" gives no suffix). */
export function externalUrl(scheme: string, host: UrlHost, path: string): string {
  return `${scheme}://${host}${path === "/" ? "" : path}`;
}

/** The first-admin setup page. */
export function setupUrl(base: string): string {
  return `${base}/install`;
}
