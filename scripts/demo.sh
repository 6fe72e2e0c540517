#!/usr/bin/env bash
# The main job on the embedded default: builds the offline toolchain (cached), starts the
# simulated NKP cluster, and runs this project with the real `pulumi` CLI on it, as a user
# would: a local file backend, `pulumi stack select --create`, `pulumi config set`, `pulumi up`.
#   npm start                    sub-path /dify (web image name as built by build-web-image.sh)
#   npm start -- --config path=/ root mode with the stock web image
# Extra arguments: --config key=value (pulumi config set) and --secret key=value (pulumi config
# set --secret, the value on stdin). Afterwards, in your shell:
#   eval "$(npm run -s pulumi:env)"; export KUBECONFIG=.sim/kubeconfig; pulumi stack output
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/paths.sh
. scripts/lib/paths.sh
stack=nkp-sim
config=(webImage=registry.example.local/dify/dify-web:1.11.4-dify) secrets=()
while [ $# -gt 0 ]; do
  case $1 in
    --config) config+=("${2:?--config needs key=value}"); shift ;;
    --secret) secrets+=("${2:?--secret needs key=value}"); shift ;;
    *) echo "demo: unknown argument $1 (use --config key=value or --secret key=value)" >&2; exit 2 ;;
  esac
  shift
done

bash scripts/deps.sh
bash scripts/tools.sh
# `sim.sh up` starts an empty cluster unless one is running: a stack state from an earlier
# cluster would describe resources that no longer exist, so start that stack afresh.
if ! bash scripts/sim.sh status >/dev/null 2>&1; then
  rm -rf "$stacks/backend"
fi
bash scripts/sim.sh up
export KUBECONFIG=$sim_state/kubeconfig
# PATH (pulumi and its language host first), PULUMI_HOME, PULUMI_BACKEND_URL, the passphrase
# (generated once into $stacks/passphrase) and the offline switches; registers the built
# provider plugins and runs `pulumi login file://$stacks/backend`.
eval "$(node -r ts-node/register/transpile-only scripts/lib/pulumi.ts env --state "$stacks")"

pulumi stack select --create "$stack"
for kv in "${config[@]}"; do
  key=${kv%%=*}
  [[ $key == *:* ]] || key=dify:$key
  pulumi config set "$key" "${kv#*=}"
done
for kv in "${secrets[@]}"; do
  key=${kv%%=*}
  [[ $key == *:* ]] || key=dify:$key
  printf '%s' "${kv#*=}" | pulumi config set --secret "$key"
done
pulumi up --yes --non-interactive
echo
echo "Simulated cluster: export KUBECONFIG=$KUBECONFIG; kubectl -n dify get pods,svc,ingress,pvc"
echo "This stack from your shell: eval \"\$(npm run -s pulumi:env)\"; pulumi stack output --show-secrets initPassword"
echo "Stop it with: npm run sim:down"
