#!/usr/bin/env bash
# The one test runner: builds (or reuses) the offline toolchain, type-checks, runs every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/tools.sh
npx tsc --noEmit -p .
npm run -s lint
if [ $# -eq 0 ]; then
  set -- 'test/unit/**/*.test.ts' 'test/bootstrap/**/*.test.ts' 'test/chart/**/*.test.ts' \
    'test/real/**/*.test.ts' 'test/sim/**/*.test.ts' 'test/e2e/**/*.test.ts'
fi
exec npx mocha "$@"
