#!/usr/bin/env bash
# Schemathesis (test venv) against /openapi.json of a live gateway: a whole `velocity dev` stack
# with its own Redis and PostgreSQL in .run/api on ports of their own. ops/test.sh runs it after
# `swift test`; it fails on any failed check (ops/schemathesis.toml says which run).
#
#   ops/api-test.sh                        # 30 examples per operation, a fixed seed
#   VELOCITY_API_EXAMPLES=200 VELOCITY_API_SEED=random ops/api-test.sh
#
# The stack's log is .run/api/dev.log; a JUnit report lands in .run/api/report.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
if ! command -v swift >/dev/null 2>&1; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
VENV="$ROOT/.run/test-venv"
bash "$ROOT/ops/test-venv.sh"  # a no-op when the venv has its pinned packages
BIN_PATH="$(swift build --show-bin-path)"
# Always: incremental, and a stale binary would test old code.
swift build --product velocity
export VELOCITY_BIN="$BIN_PATH/velocity"
exec "$VENV/bin/python" "$ROOT/Tests/API/api_test.py" "$@"
