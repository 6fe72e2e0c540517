#!/usr/bin/env bash
# A simulated NKP cluster on 127.0.0.1: etcd, kube-apiserver, controller-manager, scheduler
# and kwok (fake node, pods, volumes), shaped like a stock NKP cluster (kommander-traefik
# LoadBalancer Service with a MetalLB-like address, IngressClass, nutanix-volume, the
# traefik.io Middleware CRD). No kubelet, no container runs; pod IPs are fake.
#
#   bash scripts/sim.sh up [--state-dir D] [--no-traefik] [--two-traefik] [--no-ingressclass]
#                          [--address-pending | --address-delay SECONDS]
#   bash scripts/sim.sh down [--state-dir D]
#   bash scripts/sim.sh status|kubeconfig [--state-dir D]
#   bash scripts/sim.sh set-address [--state-dir D] NAMESPACE NAME IP
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${DIFY_NKP_CACHE:-$HOME/.cache/dify-nkp}
bin=$cache/bin
state=${SIM_STATE_DIR:-$repo/.sim}
LB_IP=198.51.100.10     # documentation range: written like MetalLB does, never contacted
LB_IP_2=198.51.100.11

cmd=${1:-}
[ -n "$cmd" ] && shift
traefik=one ingressclass=yes address=now delay=0
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --state-dir) state=$2; shift ;;
    --no-traefik) traefik=none ;;
    --two-traefik) traefik=two ;;
    --no-ingressclass) ingressclass=no ;;
    --address-pending) address=never ;;
    --address-delay) address=delayed; delay=$2; shift ;;
    *) args+=("$1") ;;
  esac
  shift
done
mkdir -p "$state"
state=$(cd "$state" && pwd)
kubeconfig=$state/kubeconfig
kc() { "$bin/kubectl" --kubeconfig "$kubeconfig" "$@"; }

die() { echo "sim: $*" >&2; exit 1; }

freeport() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

alive() { [ -f "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

# start NAME CMD... : runs CMD in its own process group, logs to NAME.log
start() {
  local name=$1; shift
  setsid "$@" >"$state/$name.log" 2>&1 < /dev/null &
  echo $! >"$state/$name.pid"
}

fail_with_log() {
  echo "sim: $1 failed to start; last lines of $state/$1.log:" >&2
  tail -n 25 "$state/$1.log" >&2 || true
  stop_all
  exit 1
}

# wait_for NAME SECONDS CHECK... : polls CHECK until it succeeds
wait_for() {
  local name=$1 secs=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    alive "$name" || fail_with_log "$name"
    [ $SECONDS -lt $end ] || fail_with_log "$name"
    sleep 0.3
  done
}

stop_all() {
  local names=(traefik address kwok kube-scheduler kube-controller-manager kube-apiserver etcd)
  for n in "${names[@]}"; do
    if [ -f "$state/$n.pid" ]; then
      local pid; pid=$(cat "$state/$n.pid")
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for n in "${names[@]}"; do
    if [ -f "$state/$n.pid" ]; then
      local pid; pid=$(cat "$state/$n.pid")
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      rm -f "$state/$n.pid"
    fi
  done
}

certs() {
  local d=$state/pki
  [ -f "$d/sa.key" ] && return 0
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=dify-nkp-sim-ca" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$d/apiserver.key" \
    -out "$d/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.96.0.1\n' >"$d/ext.cnf"
  openssl x509 -req -in "$d/apiserver.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 3650 -extfile "$d/ext.cnf" -out "$d/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
  chmod 600 "$d"/*.key
}

write_kubeconfig() {
  local port=$1 token=$2
  cat >"$kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: nkp-sim
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority-data: $(base64 -w0 <"$state/pki/ca.crt")
users:
- name: admin
  user:
    token: $token
contexts:
- name: nkp-sim
  context: {cluster: nkp-sim, user: admin}
current-context: nkp-sim
EOF
  chmod 600 "$kubeconfig"
}

traefik_service() {
  sed "s/NAMESPACE/$1/g" "$repo/sim/traefik-service.yaml.tpl" | kc apply -f - >/dev/null
}

set_address() {
  kc -n "$1" patch service "$2" --subresource=status --type=merge \
    -p "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"$3\",\"ipMode\":\"VIP\"}]}}}" >/dev/null
}

up() {
  if alive kube-apiserver; then
    echo "sim: already up (state $state)"
    echo "export KUBECONFIG=$kubeconfig"
    return 0
  fi
  for t in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
    [ -x "$bin/$t" ] || die "$bin/$t is missing: run 'npm run tools' (bash scripts/tools.sh) first"
  done
  stop_all
  rm -rf "$state/etcd"
  certs
  local t0=$SECONDS etcd_port peer_port api_port token
  etcd_port=$(freeport); peer_port=$(freeport); api_port=$(freeport)
  token=$(openssl rand -hex 24)
  printf '%s,admin,admin,system:masters\n' "$token" >"$state/tokens.csv"
  chmod 600 "$state/tokens.csv"
  write_kubeconfig "$api_port" "$token"

  start etcd "$bin/etcd" --name sim --data-dir "$state/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "sim=http://127.0.0.1:$peer_port" --unsafe-no-fsync --log-level warn
  wait_for etcd 30 curl -sf "http://127.0.0.1:$etcd_port/health"

  start kube-apiserver "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --endpoint-reconciler-type none --tls-cert-file "$state/pki/apiserver.crt" \
    --tls-private-key-file "$state/pki/apiserver.key" --client-ca-file "$state/pki/ca.crt" \
    --token-auth-file "$state/tokens.csv" --authorization-mode RBAC \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$state/pki/sa.pub" --service-account-signing-key-file "$state/pki/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 --allow-privileged=true --enable-priority-and-fairness=false
  wait_for kube-apiserver 60 kc get --raw /readyz

  start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$kubeconfig" \
    --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 \
    --service-account-private-key-file "$state/pki/sa.key" --root-ca-file "$state/pki/ca.crt" \
    --controllers '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller' \
    --concurrent-deployment-syncs 10 --concurrent-replicaset-syncs 10
  start kube-scheduler "$bin/kube-scheduler" --kubeconfig "$kubeconfig" \
    --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 0
  start kwok "$bin/kwok" --kubeconfig "$kubeconfig" --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake --cidr 10.244.0.0/16 \
    --node-ip 10.0.0.10 -c "$repo/sim/stages/lifecycle.yaml" -c "$repo/sim/stages/volume.yaml"

  kc apply -f "$repo/sim/nkp-base.yaml" -f "$repo/sim/traefik-crds.yaml" >/dev/null
  [ "$ingressclass" = yes ] || kc delete ingressclass kommander-traefik >/dev/null
  wait_for kube-controller-manager 60 sh -c "'$bin/kubectl' --kubeconfig '$kubeconfig' -n default get serviceaccount default"
  wait_for kwok 60 sh -c "'$bin/kubectl' --kubeconfig '$kubeconfig' get node nkp-worker-0 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
  alive kube-scheduler || fail_with_log kube-scheduler

  case $traefik in
    one|two) traefik_service kommander ;;
  esac
  [ "$traefik" = two ] && { traefik_service kommander-default-workspace; set_address kommander-default-workspace kommander-traefik "$LB_IP_2"; }
  case $address in
    now) [ "$traefik" = none ] || set_address kommander kommander-traefik "$LB_IP" ;;
    delayed)
      [ "$traefik" = none ] || start address sh -c "sleep $delay && '$bin/kubectl' --kubeconfig '$kubeconfig' -n kommander patch service kommander-traefik --subresource=status --type=merge -p '{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"$LB_IP\"}]}}}'" ;;
    never) ;;
  esac
  echo "sim: up in $((SECONDS - t0))s (state $state, API https://127.0.0.1:$api_port)"
  echo "export KUBECONFIG=$kubeconfig"
}

case $cmd in
  up) up ;;
  down)
    stop_all
    echo "sim: down (logs kept in $state)" ;;
  status)
    if alive kube-apiserver; then kc get nodes,svc -A; else echo "sim: down"; exit 1; fi ;;
  kubeconfig) echo "$kubeconfig" ;;
  set-address)
    [ ${#args[@]} -eq 3 ] || die "usage: sim.sh set-address NAMESPACE NAME IP"
    set_address "${args[0]}" "${args[1]}" "${args[2]}" ;;
  *) die "usage: sim.sh up|down|status|kubeconfig|set-address [options] (see the header of $0)" ;;
esac
