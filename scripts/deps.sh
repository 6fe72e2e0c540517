#!/usr/bin/env bash
# Installs the Debian packages the scripts and tests use when a command is missing (a fresh
# machine). Called by scripts/test.sh and scripts/demo.sh; needs root (apt-get) only when
# something is missing.
set -euo pipefail

# command -> Debian package (scripts/sim.sh, tools.sh, the bootstrap client tests)
declare -A pkg=([openssl]=openssl [curl]=curl [git]=git [setsid]=util-linux [python3]=python3)
# test/real: the programs (Debian bookworm's PostgreSQL 15, Redis 7.0, squid 5.7) and what
# builds their private network namespace (unshare/nsenter/setpriv, ip, dnsmasq as cluster DNS)
pkg+=([/usr/lib/postgresql/15/bin/postgres]=postgresql-15 [redis-server]=redis-server [redis-cli]=redis-tools
  [/usr/sbin/squid]=squid [dnsmasq]=dnsmasq-base [ip]=iproute2 [unshare]=util-linux [nsenter]=util-linux
  [setpriv]=util-linux)
need=()
for cmd in "${!pkg[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || need+=("${pkg[$cmd]}")
done
[ "${#need[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing Debian packages: ${need[*]}; install them (sudo apt-get install ${need[*]}) or run as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}"
