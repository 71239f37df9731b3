#!/usr/bin/env bash
# The chaos suite's short variant: the checker's own tests (bench/lib/test_chaos_check.py), then
# `bench/run chaos --short` against the debug build — every fault kind once (11 faults at 30
# submits/s) under a mixed load, then the checker. ops/test.sh runs it after `swift test`.
#
#   ops/chaos-test.sh                                  # the fixed seed, one Redis with AOF
#   VELOCITY_CHAOS_SEED=42 VELOCITY_CHAOS_REDIS=cluster ops/chaos-test.sh
#
# Logs, attempt journals and the clients' records stay in .run/chaos.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
if ! command -v swift >/dev/null 2>&1; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
python3 -m unittest discover -s "$ROOT/bench/lib" -p 'test_chaos*.py'
BIN_PATH="$(swift build --show-bin-path)"
# Always: incremental, and a stale binary would test old code.
swift build --product velocity
VELOCITY_BIN="$BIN_PATH/velocity" VELOCITY_CHAOS_DIRECTORY="$ROOT/.run/chaos" exec bash "$ROOT/bench/run" chaos \
    --short --no-build --faults 11 --rate 30 --seed "${VELOCITY_CHAOS_SEED:-20261207}" --redis "${VELOCITY_CHAOS_REDIS:-single}"
