# shellcheck shell=bash
# Where things live, for every script (sourced). The one shell owner of these rules;
# scripts/lib/paths.ts is its TypeScript twin (test/sim checks that both agree).
#   repo       the repository root
#   cache      ${DIFY_NKP_CACHE:-$HOME/.cache/dify-nkp}: built tools, build logs, PULUMI_HOME
#   bin        $cache/bin, the built binaries (pulumi, its language host and plugins, helm, ...)
#   sim_state  state dir of the default simulated cluster: ${SIM_STATE_DIR:-$repo/.sim}
#   stacks     state of the demo's Pulumi stacks (file backend): ${DIFY_NKP_STATE:-$sim_state/stacks}
# shellcheck disable=SC2034 # the variables are for the scripts that source this file
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${DIFY_NKP_CACHE:-$HOME/.cache/dify-nkp}
bin=$cache/bin
sim_state=${SIM_STATE_DIR:-$repo/.sim}
stacks=${DIFY_NKP_STATE:-$sim_state/stacks}
