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
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }

VELOCITY_BIN=${VELOCITY_BIN:-$ROOT/.build-release/release/velocity}
if [ "$BUILD" = 1 ]; then
  say "building velocity (swift build -c release --product velocity --scratch-path .build-release)"
  (cd "$ROOT" && swift build -c release --product velocity --scratch-path .build-release) >&2
fi
[ -x "$VELOCITY_BIN" ] || { echo "velocity binary not found: $VELOCITY_BIN" >&2; exit 1; }
command -v redis-server >/dev/null || bash "$ROOT/ops/install-deps.sh" >&2
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
case $LOADAVG in 0.[0-4]*) ;; *) say "WARNING: load average is $LOADAVG; other work will skew the figures" ;; esac
exec python3 "$BENCH_DIR/lib/llm_bench.py" --velocity "$VELOCITY_BIN" --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
