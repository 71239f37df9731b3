#!/usr/bin/env bash
# bench/run llm [--runs N] [--slots N] [--tokens-per-second R] [--no-build]
# The LLM dispatcher against the OpenAI emulator: batch throughput ÷ the emulator's capacity and
# chat p99 under a batch ÷ idle chat p99, side by side with naive fixed-concurrency clients.
# See bench/lib/llm_bench.py.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
CMDLINE="bench/run llm${*:+ $*}"
BUILD=1 ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) BUILD=0; shift ;;
    --runs|--slots|--tokens-per-second|--prefill-ms|--max-tokens|--chat-rate|--measure-seconds|--idle-seconds|--modes)
      ARGS+=("$1" "${2:?}"); shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
. "$BENCH_DIR/lib/prepare.sh"

bench_velocity "$BUILD"
command -v redis-server >/dev/null || bash "$ROOT/ops/install-deps.sh" >&2
bench_loadavg
exec python3 "$BENCH_DIR/lib/llm_bench.py" --velocity "$VELOCITY_BIN" --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
