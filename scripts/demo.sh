#!/usr/bin/env bash
# The main job on the embedded default: builds the offline toolchain (cached), starts the
# simulated NKP cluster, and runs `pulumi up` of this project on it with the real engine.
#   npm start                    sub-path /dify (web image name as built by build-web-image.sh)
#   npm start -- --config path=/ root mode with the stock web image
# Extra arguments go to scripts/stack.ts (--config key=value, --secret key=value).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/tools.sh
export DIFY_NKP_STATE=${DIFY_NKP_STATE:-$PWD/.sim/stacks}
# `sim.sh up` starts an empty cluster unless one is running: a stack state from an earlier
# cluster would describe resources that no longer exist, so start that stack afresh.
if ! bash scripts/sim.sh status >/dev/null 2>&1; then
  rm -rf "$DIFY_NKP_STATE/backend" "$DIFY_NKP_STATE/work"
fi
bash scripts/sim.sh up
export KUBECONFIG=$PWD/.sim/kubeconfig
mkdir -p "$DIFY_NKP_STATE"
# The passphrase encrypts the demo stack's secrets; generated once, kept beside its state.
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ]; then
  [ -s "$DIFY_NKP_STATE/passphrase" ] || (umask 077 && openssl rand -hex 24 >"$DIFY_NKP_STATE/passphrase")
  PULUMI_CONFIG_PASSPHRASE=$(cat "$DIFY_NKP_STATE/passphrase")
  export PULUMI_CONFIG_PASSPHRASE
fi
# On the simulated cluster no image is pulled; on a real cluster dify:webImage names the
# image you built and pushed with scripts/build-web-image.sh.
node -r ts-node/register/transpile-only scripts/stack.ts up --stack nkp-sim \
  --config webImage=registry.example.local/dify/dify-web:1.11.4-dify "$@"
echo
echo "Simulated cluster: export KUBECONFIG=$KUBECONFIG; kubectl -n dify get pods,svc,ingress,pvc"
echo "Stop it with: npm run sim:down"
