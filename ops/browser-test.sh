#!/usr/bin/env bash
# The dashboard's browser tests: headless Debian chromium, driven by Selenium (test venv), against
# a whole `velocity dev` stack (gateway, emulated box of 2 GPUs, its own Redis and PostgreSQL in
# .run/browser on ports of their own). ops/test.sh runs it after `swift test`.
#
#   ops/browser-test.sh          # needs a built velocity (swift build) and ops/test-venv.sh's venv
#
# Screenshots of every page land in .run/browser/screenshots (docs/screenshots holds the
# committed ones); the stack's log is .run/browser/dev.log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
if ! command -v swift >/dev/null 2>&1; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
VENV="$ROOT/.run/test-venv"
bash "$ROOT/ops/test-venv.sh"  # a no-op when the venv has its pinned packages
for tool in chromium chromedriver; do
    command -v "$tool" >/dev/null || { echo "browser-test: $tool not found (ops/install-deps.sh installs it)" >&2; exit 1; }
done
BIN_PATH="$(swift build --show-bin-path)"
# Always: incremental, and a stale binary would test old code.
swift build --product velocity
export VELOCITY_BIN="$BIN_PATH/velocity"
exec "$VENV/bin/python" "$ROOT/Tests/Browser/dashboard_test.py" "$@"
