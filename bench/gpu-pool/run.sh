#!/usr/bin/env bash
# bench/run gpu-pool [--runs N] [--gpus K] [--render-seconds T] [--jobs-per-gpu N] [--image-width W] [--no-peer] [--no-build]
#
# K emulated GPUs (in-process ComfyUI emulators, render time T) with one media worker each
# drain K×N Dream Weaver jobs submitted at once, on a private Redis started here.
# efficiency = completed jobs per second ÷ (K ÷ T); target ≥ 0.97. In the same run, the peer:
# the same workers with prefetch off (claim, upload, render, store in turn, as hand-rolled
# workers do). Room photos are 128 px wide by default: the emulator decodes, transforms and
# encodes every image on the CPU of this (shared, 2-core) machine, and that time counts against
# the ideal K ÷ T although no worker can hide it (at 512 px it costs ~0.1 s a render here).
# Medians over runs go to the gpu-pool section of bench/RESULTS.md; the last stdout line is
#   RESULT pool_efficiency=<x> naive_efficiency=<y>
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
CMDLINE="bench/run gpu-pool${*:+ $*}"
RUNS=3 GPUS=4 RENDER=2 PER_GPU=10 WIDTH=128 PEER=1 BUILD=1
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=${2:?}; shift 2 ;;
    --gpus) GPUS=${2:?}; shift 2 ;;
    --render-seconds) RENDER=${2:?}; shift 2 ;;
    --jobs-per-gpu) PER_GPU=${2:?}; shift 2 ;;
    --image-width) WIDTH=${2:?}; shift 2 ;;
    --no-peer) PEER=0; shift ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ && $GPUS =~ ^[1-9][0-9]*$ && $PER_GPU =~ ^[1-9][0-9]*$ ]] \
  || { echo "--runs, --gpus and --jobs-per-gpu must be positive integers" >&2; exit 2; }
. "$BENCH_DIR/lib/prepare.sh"

bench_velocity "$BUILD"

TMP=$(mktemp -d /tmp/velocity-gpu-pool.XXXXXX)
REDIS_PID=""
cleanup() {
  if [ -n "$REDIS_PID" ]; then kill -TERM "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
${REDIS_SERVER:-redis-server} --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$TMP" \
  --daemonize no --logfile "$TMP/redis.log" &
REDIS_PID=$!
for _ in $(seq 100); do
  redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && break
  kill -0 "$REDIS_PID" 2>/dev/null || { cat "$TMP/redis.log" >&2; echo "redis-server failed to start" >&2; exit 1; }
  sleep 0.1
done
bench_loadavg

WORKERS=(prefetch)
[ "$PEER" = 1 ] && WORKERS+=(naive)
: > "$TMP/runs.jsonl"
cd "$ROOT"
for run in $(seq "$RUNS"); do
  for worker in "${WORKERS[@]}"; do
    say "run $run/$RUNS: $worker, $GPUS GPUs × $PER_GPU jobs, ${RENDER}s renders"
    "$VELOCITY_BIN" bench gpu-pool --redis-url "redis://127.0.0.1:$PORT" --gpus "$GPUS" --render-seconds "$RENDER" \
      --jobs-per-gpu "$PER_GPU" --image-width "$WIDTH" --worker "$worker" | tail -n 1 | tee -a "$TMP/runs.jsonl" >&2
  done
done
python3 "$BENCH_DIR/gpu-pool/report.py" --runs-file "$TMP/runs.jsonl" --cmdline "$CMDLINE" --loadavg "$LOADAVG" \
  --redis-version "$(${REDIS_SERVER:-redis-server} --version | sed 's/.*v=\([^ ]*\).*/\1/')"
