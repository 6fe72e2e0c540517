/**
 * What stands in for the chart's images in test/real: the same program from Debian (or, for
 * Weaviate, built from its Go module by scripts/tools.sh), started the way the image starts it.
 * Versions differ from production; each entry says how and what that means for the tests.
 */
import * as fs from "fs";
import * as path from "path";
import { repoRoot, tool } from "./paths";
import { Image } from "./pods";

export const PG_BIN = "/usr/lib/postgresql/15/bin";

/**
 * postgres:16.10 in production; Debian bookworm's PostgreSQL 15 here. The first boot is
 * test/real/images/postgres-entrypoint.sh (the official entrypoint's init steps, cited there);
 * PGDATA layout, pg_hba rules, scram-sha-256 and the socket directory (/var/run/postgresql)
 * are the same in 15 and 16. The image's postgres user is uid 999; Debian's is a system uid,
 * which owns the volumes here as fsGroup 999 would.
 */
export const postgresImage: Image = {
  entrypoint: [path.join(repoRoot, "test", "real", "images", "postgres-entrypoint.sh")],
  cmd: ["postgres"],
  user: "postgres",
  path: [PG_BIN],
};

/**
 * redis:7.4.5 in production; Debian bookworm's Redis 7.0 here. The image's entrypoint
 * (docker-library/redis docker-entrypoint.sh) prepends redis-server when the first argument is
 * an option, which the chart's args are. One difference: the official image is compiled with
 * protected-mode off, Debian's is not; with the chart's --requirepass protected mode does not
 * apply (Redis applies it only to a default user without a password), so both behave the same.
 */
export const redisImage: Image = {
  entrypoint: [
    "sh",
    "-c",
    'case "$1" in -*) set -- redis-server "$@" ;; esac; exec "$@"',
    "docker-entrypoint.sh",
  ],
  cmd: ["redis-server"],
  user: "redis",
};

/**
 * semitechnologies/weaviate:1.27.0: the same server, built from github.com/weaviate/weaviate
 * v1.27.0 cmd/weaviate-server (tools/weaviate). ENTRYPOINT/CMD from the module's Dockerfile:
 * /bin/weaviate --host 0.0.0.0 --port 8080 --scheme http. Runs as uid 1000 (the chart's runAsUser).
 */
export const weaviateImage: Image = {
  entrypoint: [tool("weaviate")],
  cmd: ["--host", "0.0.0.0", "--port", "8080", "--scheme", "http"],
  user: "1000",
  group: "1000",
  cwd: "/",
};

/**
 * ubuntu/squid:6.6-24.04_beta in production; Debian bookworm's squid 5.7 here. The image's
 * entrypoint.sh (Ubuntu's OCI image) runs `squid -Nz` (creates cache directories), then squid
 * with its CMD `-f /etc/squid/squid.conf -NYC`; squid starts as root and drops to `proxy`
 * (cache_effective_user, the same default in both builds). The directories the image owns
 * (/var/log/squid, /var/spool/squid, /var/cache/squid, /run) are fresh per start, owned by proxy.
 */
export const squidImage: Image = {
  entrypoint: ["sh", "-c", '/usr/sbin/squid -Nz && exec /usr/sbin/squid "$@"', "entrypoint.sh"],
  cmd: ["-f", "/etc/squid/squid.conf", "-NYC"],
  writable: ["/var/log/squid", "/var/spool/squid", "/var/cache/squid", "/run"],
  writableOwner: "proxy:proxy",
};

/** Throws when a program test/real runs is missing (with the package or tool that provides it). */
export function checkPrograms(...which: ("postgres" | "redis" | "weaviate" | "squid")[]) {
  const need: Record<string, [string, string]> = {
    postgres: [path.join(PG_BIN, "postgres"), "Debian package postgresql-15"],
    redis: ["/usr/bin/redis-server", "Debian package redis-server (redis-cli: redis-tools)"],
    weaviate: [tool("weaviate"), "bash scripts/tools.sh weaviate"],
    squid: ["/usr/sbin/squid", "Debian package squid"],
  };
  for (const w of which) {
    const [file, from] = need[w];
    if (!fs.existsSync(file)) throw new Error(`${file} is missing; install it with: ${from} (.ci/run does)`);
  }
}
