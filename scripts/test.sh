#!/usr/bin/env bash
# The one test runner: builds (or reuses) the offline toolchain, type-checks, runs every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/tools.sh
npx tsc --noEmit -p .
exec npx mocha "$@"
