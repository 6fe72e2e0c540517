#!/usr/bin/env bash
# A real Traefik 3.6 reading Ingresses and Middlewares from the simulated cluster, like NKP's
# kommander-traefik: entrypoints web (plain) and websecure (TLS, default self-signed
# certificate), all on 127.0.0.1; its API on a loopback port.
#   bash scripts/traefik.sh start --state-dir D   (the sim's state dir; prints the ports)
#   bash scripts/traefik.sh stop --state-dir D
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${DIFY_NKP_CACHE:-$HOME/.cache/dify-nkp}/bin
state=${SIM_STATE_DIR:-$repo/.sim}
cmd=${1:-}
[ -n "$cmd" ] && shift
while [ $# -gt 0 ]; do
  case $1 in
    --state-dir) state=$2; shift ;;
    *) echo "traefik: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
freeport() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

case $cmd in
  start)
    [ -f "$state/kubeconfig" ] || { echo "traefik: no simulated cluster in $state (run scripts/sim.sh up)" >&2; exit 1; }
    web=$(freeport); websecure=$(freeport); api=$(freeport)
    KUBECONFIG=$state/kubeconfig setsid "$bin/traefik" \
      --global.checkNewVersion=false --global.sendAnonymousUsage=false --log.level=INFO \
      --entrypoints.web.address="127.0.0.1:$web" \
      --entrypoints.websecure.address="127.0.0.1:$websecure" --entrypoints.websecure.http.tls=true \
      --entrypoints.traefik.address="127.0.0.1:$api" --api.insecure=true --api.dashboard=false \
      --providers.kubernetesingress --providers.kubernetesingress.ingressclass=kommander-traefik \
      --providers.kubernetesingress.allowexternalnameservices=true \
      --providers.kubernetescrd --providers.kubernetescrd.allowexternalnameservices=true \
      --providers.kubernetescrd.allowcrossnamespace=true \
      >"$state/traefik.log" 2>&1 </dev/null &
    echo $! >"$state/traefik.pid"
    printf '{"web":%s,"websecure":%s,"api":%s}\n' "$web" "$websecure" "$api" >"$state/traefik.json"
    for _ in $(seq 1 100); do
      if curl -sf "http://127.0.0.1:$api/api/overview" >/dev/null; then cat "$state/traefik.json"; exit 0; fi
      kill -0 "$(cat "$state/traefik.pid")" 2>/dev/null || break
      sleep 0.2
    done
    echo "traefik: failed to start; last lines of $state/traefik.log:" >&2
    tail -n 20 "$state/traefik.log" >&2
    exit 1 ;;
  stop)
    if [ -f "$state/traefik.pid" ]; then
      pid=$(cat "$state/traefik.pid")
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      rm -f "$state/traefik.pid"
    fi ;;
  *) echo "usage: traefik.sh start|stop [--state-dir D]" >&2; exit 2 ;;
esac
