#!/usr/bin/env bash
# bench/run llm-jobs [--runs N] [--jobs N] [--slots N] [--tokens-per-second R] [--broken-rate F] [--no-build]
# qd.score jobs through the LLM dispatcher against the emulator answering a share of them with
# broken JSON, beside a naive client; see bench/lib/llm_jobs_bench.py.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
CMDLINE="bench/run llm-jobs${*:+ $*}"
BUILD=1 ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) BUILD=0; shift ;;
    --runs|--jobs|--slots|--tokens-per-second|--broken-rate) ARGS+=("$1" "${2:?}"); shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
. "$BENCH_DIR/lib/prepare.sh"
bash "$ROOT/ops/install-deps.sh" >&2
bench_venv
bench_velocity "$BUILD"
bench_loadavg
exec "$VENV/bin/python" "$BENCH_DIR/lib/llm_jobs_bench.py" --velocity "$VELOCITY_BIN" --python "$VENV/bin/python" \
  --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
