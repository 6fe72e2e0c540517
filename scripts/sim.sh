#!/usr/bin/env bash
# A simulated NKP cluster on 127.0.0.1: etcd, kube-apiserver, controller-manager, scheduler
# and kwok (fake node, pods, volumes), shaped like a stock NKP cluster (kommander-traefik
# LoadBalancer Service with a MetalLB-like address, IngressClass, nutanix-volume, the
# traefik.io Middleware CRD). No kubelet, no container runs; pod IPs are fake. Test-only faults
# (sim/stages/faults.yaml) act on images tagged *-sim-fail-migration / *-sim-never-ready only.
#
#   bash scripts/sim.sh up [--state-dir D] [--no-traefik] [--two-traefik] [--no-ingressclass]
#                          [--address-pending | --address-delay SECONDS]
#   bash scripts/sim.sh down [--state-dir D]
#   bash scripts/sim.sh status|kubeconfig [--state-dir D]
#   bash scripts/sim.sh set-address [--state-dir D] NAMESPACE NAME IP
#
# State dir: --state-dir, else $SIM_STATE_DIR, else <repo>/.sim. It holds the kubeconfig, the
# PKI (kept between runs), one NAME.pid and NAME.log per process, and etcd's data.
#   up      starts a fresh, empty cluster (etcd data is wiped) and waits until the node is Ready
#           and the default ServiceAccount exists. Already up with every process alive: says so
#           and exits 0 (options given then are ignored: `down` first to change them). Partly
#           up (a process died): stops the rest and starts afresh. A failed start prints the
#           failing process's log tail, stops everything it started and keeps the logs.
#   down    stops every process of the state dir (process groups, TERM then KILL), removes
#           etcd's data (logs and PKI stay). Safe when nothing runs.
#   --no-traefik       no kommander-traefik Services (the IngressClass stays)
#   --two-traefik      a second kommander-traefik LoadBalancer in kommander-default-workspace
#   --no-ingressclass  no IngressClass kommander-traefik
#   --address-pending  the LoadBalancer Services never get an address (MetalLB out of IPs)
#   --address-delay N  they get it N seconds after `up` returns (a background process)
# Every process listens on 127.0.0.1 only; the LoadBalancer addresses (198.51.100.0/24,
# documentation range) are written into the Service status and never contacted.
set -Eeuo pipefail

# shellcheck source=scripts/lib/paths.sh
. "$(dirname "$0")/lib/paths.sh"
state=$sim_state
LB_IP=198.51.100.10     # documentation range: written like MetalLB does, never contacted
LB_IP_2=198.51.100.11

die() { echo "sim: $*" >&2; exit 1; }

cmd=${1:-}
[ -n "$cmd" ] && shift
traefik=one ingressclass=yes address=now delay=0
args=()
up_options="$*"
while [ $# -gt 0 ]; do
  case $1 in
    --state-dir) state=$2; shift ;;
    --no-traefik) traefik=none ;;
    --two-traefik) traefik=two ;;
    --no-ingressclass) ingressclass=no ;;
    --address-pending) address=never ;;
    --address-delay)
      [[ ${2:-} =~ ^[0-9]+$ ]] || die "--address-delay needs a number of seconds"
      address=delayed; delay=$2; shift ;;
    *) args+=("$1") ;;
  esac
  shift
done
mkdir -p "$state"
state=$(cd "$state" && pwd)
kubeconfig=$state/kubeconfig
kc() { "$bin/kubectl" --kubeconfig "$kubeconfig" "$@"; }

components=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

# shellcheck source=scripts/lib/proc.sh
. "$repo/scripts/lib/proc.sh"

alive() { [ -f "$state/$1.pid" ] && pid_running "$(cat "$state/$1.pid")"; }

# start NAME CMD... : runs CMD in its own process group, logs to NAME.log
start() {
  local name=$1; shift
  setsid "$@" >"$state/$name.log" 2>&1 < /dev/null &
  echo $! >"$state/$name.pid"
}

fail_with_log() {
  trap - ERR
  echo "sim: $1 failed to start; last lines of $state/$1.log:" >&2
  tail -n 25 "$state/$1.log" >&2 || true
  stop_all
  echo "sim: stopped; logs kept in $state" >&2
  exit 1
}

# ERR trap during up: a step (kubectl apply, a patch) failed after processes were started.
up_failed() {
  trap - ERR
  echo "sim: up failed at: $1" >&2
  echo "sim: stopping what was started" >&2
  local n
  for n in "${components[@]}"; do
    if [ -f "$state/$n.pid" ] && ! alive "$n"; then
      echo "sim: $n is not running; last lines of $state/$n.log:" >&2
      tail -n 25 "$state/$n.log" >&2 || true
    fi
  done
  stop_all
  echo "sim: stopped; logs kept in $state" >&2
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
  local n files=()
  for n in traefik address kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do files+=("$state/$n.pid"); done
  stop_pidfiles "${files[@]}"
  rm -rf "$state/etcd" "$state/traefik.json"
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

# The LoadBalancer Services to give an address, as "NAMESPACE IP" lines.
lb_services() {
  case $traefik in
    one) echo "kommander $LB_IP" ;;
    two) echo "kommander $LB_IP"; echo "kommander-default-workspace $LB_IP_2" ;;
  esac
}

up() {
  local n running=() dead=()
  for n in "${components[@]}"; do
    if alive "$n"; then running+=("$n"); elif [ -f "$state/$n.pid" ]; then dead+=("$n"); fi
  done
  if [ ${#running[@]} -eq ${#components[@]} ]; then
    echo "sim: already up (state $state, started with: $(cat "$state/up-options" 2>/dev/null))"
    echo "export KUBECONFIG=$kubeconfig"
    return 0
  fi
  if [ ${#running[@]} -gt 0 ] || [ ${#dead[@]} -gt 0 ]; then
    echo "sim: partly up (not running: ${dead[*]:-none}); restarting" >&2
  fi
  for t in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
    [ -x "$bin/$t" ] || die "$bin/$t is missing: run 'npm run tools' (bash scripts/tools.sh) first"
  done
  stop_all
  trap 'echo "sim: interrupted; stopping what was started" >&2; stop_all; exit 130' INT TERM
  rm -f "$state/traefik.log" "$state/address.log"
  echo "$up_options" >"$state/up-options"
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
  trap 'up_failed "$BASH_COMMAND"' ERR

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
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 --node-monitor-grace-period 2m \
    --service-account-private-key-file "$state/pki/sa.key" --root-ca-file "$state/pki/ca.crt" \
    --controllers '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller' \
    --concurrent-deployment-syncs 10 --concurrent-replicaset-syncs 10
  start kube-scheduler "$bin/kube-scheduler" --kubeconfig "$kubeconfig" \
    --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 0
  start kwok "$bin/kwok" --kubeconfig "$kubeconfig" --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake --cidr 10.244.0.0/16 \
    --node-ip 10.0.0.10 -c "$repo/sim/stages/lifecycle.yaml" -c "$repo/sim/stages/volume.yaml" \
    -c "$repo/sim/stages/faults.yaml"

  kc apply -f "$repo/sim/nkp-base.yaml" -f "$repo/sim/traefik-crds.yaml" >/dev/null
  [ "$ingressclass" = yes ] || kc delete ingressclass kommander-traefik >/dev/null
  wait_for kube-controller-manager 60 sh -c "'$bin/kubectl' --kubeconfig '$kubeconfig' -n default get serviceaccount default"
  wait_for kwok 60 sh -c "'$bin/kubectl' --kubeconfig '$kubeconfig' get node nkp-worker-0 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
  alive kube-scheduler || fail_with_log kube-scheduler

  local ns ip
  while read -r ns ip; do
    traefik_service "$ns"
    case $address in
      now) set_address "$ns" kommander-traefik "$ip" ;;
    esac
  done < <(lb_services)
  if [ "$address" = delayed ] && [ "$traefik" != none ]; then
    # Like MetalLB allocating late: a background process (address.pid, stopped by down).
    # shellcheck disable=SC2016,SC2046
    start address bash -c 'sim=$1 dir=$2; sleep "$3"; shift 3
      while [ $# -gt 1 ]; do bash "$sim" set-address --state-dir "$dir" "$1" kommander-traefik "$2"; shift 2; done' \
      sim-address "$repo/scripts/sim.sh" "$state" "$delay" $(lb_services)
  fi
  trap - ERR INT TERM
  echo "sim: up in $((SECONDS - t0))s (state $state, API https://127.0.0.1:$api_port)"
  echo "export KUBECONFIG=$kubeconfig"
}

case $cmd in
  up)
    [ ${#args[@]} -eq 0 ] || die "unknown option for up: ${args[*]} (see the header of $0)"
    up ;;
  down)
    stop_all
    echo "sim: down (logs kept in $state)" ;;
  status)
    for n in "${components[@]}" address traefik; do
      if alive "$n"; then echo "sim: $n running (pid $(cat "$state/$n.pid"))"
      elif [ "$n" = address ] && [ -f "$state/$n.pid" ]; then echo "sim: delayed address written"
      elif [ -f "$state/$n.pid" ]; then echo "sim: $n NOT running (see $state/$n.log)"; fi
    done
    if alive kube-apiserver; then
      echo "export KUBECONFIG=$kubeconfig"
      kc get nodes,svc -A
    else echo "sim: down"; exit 1; fi ;;
  kubeconfig) echo "$kubeconfig" ;;
  set-address)
    [ ${#args[@]} -eq 3 ] || die "usage: sim.sh set-address NAMESPACE NAME IP"
    set_address "${args[0]}" "${args[1]}" "${args[2]}" ;;
  *) die "usage: sim.sh up|down|status|kubeconfig|set-address [options] (see the header of $0)" ;;
esac
