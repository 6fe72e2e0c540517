#!/usr/bin/env bash
# A real Traefik 3.6 reading Ingresses and Middlewares from the simulated cluster, like NKP's
# kommander-traefik: Ingress provider (class kommander-traefik) and CRD provider, ExternalName
# Services allowed (the only way to reach a loopback stub: EndpointSlices refuse 127.0.0.1),
# entrypoints web (plain) and websecure (TLS, Traefik's default self-signed certificate), and
# the API (insecure, no dashboard), all on free 127.0.0.1 ports. Log and access log: D/traefik.log (appended).
#   bash scripts/traefik.sh start [--state-dir D] [--kubeconfig K]
#       prints {"web":P,"websecure":P,"api":P} (also written to D/traefik.json) once the API
#       answers; the process is D/traefik.pid, its log D/traefik.log. Already running: prints
#       the same ports and exits 0.
#   bash scripts/traefik.sh stop [--state-dir D]     (sim.sh down stops it too)
# D defaults to $SIM_STATE_DIR, else <repo>/.sim (the sim's state dir); K defaults to
# D/kubeconfig (its admin token: Traefik needs to list/watch Ingresses, Services,
# EndpointSlices, Secrets, IngressClasses and the traefik.io CRDs).
set -euo pipefail
# shellcheck source=scripts/lib/paths.sh
. "$(dirname "$0")/lib/paths.sh"
state=$sim_state
kubeconfig=
cmd=${1:-}
[ -n "$cmd" ] && shift
while [ $# -gt 0 ]; do
  case $1 in
    --state-dir) state=$2; shift ;;
    --kubeconfig) kubeconfig=$2; shift ;;
    *) echo "traefik: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$state"
state=$(cd "$state" && pwd)
kubeconfig=${kubeconfig:-$state/kubeconfig}
# shellcheck source=scripts/lib/proc.sh
. "$repo/scripts/lib/proc.sh"
alive() { [ -f "$state/traefik.pid" ] && pid_running "$(cat "$state/traefik.pid")"; }

stop() { stop_pidfiles "$state/traefik.pid"; }

case $cmd in
  start)
    [ -x "$bin/traefik" ] || { echo "traefik: $bin/traefik is missing: run 'npm run tools' first" >&2; exit 1; }
    [ -f "$kubeconfig" ] || { echo "traefik: no kubeconfig $kubeconfig (run scripts/sim.sh up)" >&2; exit 1; }
    if alive && [ -f "$state/traefik.json" ]; then cat "$state/traefik.json"; exit 0; fi
    stop
    web=$(freeport); websecure=$(freeport); api=$(freeport)
    echo "=== traefik.sh start $(date -u +%FT%TZ): web $web websecure $websecure api $api" >>"$state/traefik.log"
    KUBECONFIG=$kubeconfig setsid "$bin/traefik" \
      --global.checkNewVersion=false --global.sendAnonymousUsage=false --log.level=INFO --log.nocolor=true --accesslog=true \
      --entrypoints.web.address="127.0.0.1:$web" \
      --entrypoints.websecure.address="127.0.0.1:$websecure" --entrypoints.websecure.http.tls=true \
      --entrypoints.traefik.address="127.0.0.1:$api" --api.insecure=true --api.dashboard=false \
      --providers.kubernetesingress --providers.kubernetesingress.ingressclass=kommander-traefik \
      --providers.kubernetesingress.allowexternalnameservices=true \
      --providers.kubernetescrd --providers.kubernetescrd.allowexternalnameservices=true \
      --providers.kubernetescrd.allowcrossnamespace=true \
      >>"$state/traefik.log" 2>&1 </dev/null &
    echo $! >"$state/traefik.pid"
    printf '{"web":%s,"websecure":%s,"api":%s}\n' "$web" "$websecure" "$api" >"$state/traefik.json"
    for _ in $(seq 1 150); do
      if curl -sf "http://127.0.0.1:$api/api/overview" >/dev/null; then cat "$state/traefik.json"; exit 0; fi
      alive || break
      sleep 0.2
    done
    echo "traefik: failed to start; last lines of $state/traefik.log:" >&2
    tail -n 20 "$state/traefik.log" >&2
    stop
    rm -f "$state/traefik.json"
    exit 1 ;;
  stop)
    stop
    rm -f "$state/traefik.json" ;;
  *) echo "usage: traefik.sh start|stop [--state-dir D] [--kubeconfig K]" >&2; exit 2 ;;
esac
