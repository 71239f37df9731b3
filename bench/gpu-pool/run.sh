#!/usr/bin/env bash
# bench/run gpu-pool [--runs N] [--gpus K] [--jobs-per-gpu N] [--render-seconds T] [--render-spread S]
#                    [--model-load-seconds L] [--working-vram-gib G] [--photo-mb A-B] [--output-mb A-B]
#                    [--bandwidth-mb-per-s M] [--image-width W] [--seed N] [--no-peer] [--no-build]
#
# A GPU box as it is: K emulated L4s (in-process ComfyUI emulators) that hold one SDXL checkpoint
# each beside a render (12 GiB working VRAM), load another in L s (6) when a workflow needs it,
# render in T s (4, log-normal spread S 0.3, drawn from each job's seed), take a 4-12 MB phone
# photo in and give a 2-6 MB PNG out at M MB/s (200). K×N (4×40) Dream Weaver jobs of two
# workflows on different checkpoints (the shipped one and bench/gpu-pool/dream_weaver_twilight,
# drawn 50/50 from --seed) are queued at once, on a private Redis started here. Ours: media
# workers with prefetch and model-aware claims. The peer in the same run: the same workers naive
# (claim, upload, render, store in turn, in queue order), as hand-rolled workers do. Both get the
# same job list.
#   efficiency = the GPUs' busy sampling time ÷ (K × wall), from the emulators' own counts
#   model_loads_per_100 = checkpoint loads per 100 jobs
# Medians over runs go to the gpu-pool section of bench/RESULTS.md; the last stdout line is
#   RESULT pool_efficiency=<x> naive_efficiency=<y> model_loads_per_100=<ours> naive_model_loads_per_100=<naive>
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
CMDLINE="bench/run gpu-pool${*:+ $*}"
RUNS=3 PEER=1 BUILD=1 PASS=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=${2:?}; shift 2 ;;
    --gpus|--jobs-per-gpu|--render-seconds|--render-spread|--model-load-seconds|--working-vram-gib|--photo-mb|--output-mb|--bandwidth-mb-per-s|--image-width|--seed)
      PASS+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    --no-peer) PEER=0; shift ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "--runs must be a positive integer" >&2; exit 2; }
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
    say "run $run/$RUNS: $worker"
    "$VELOCITY_BIN" bench gpu-pool --redis-url "redis://127.0.0.1:$PORT" --worker "$worker" "${PASS[@]}" \
      | tail -n 1 | tee -a "$TMP/runs.jsonl" >&2
  done
done
python3 "$BENCH_DIR/gpu-pool/report.py" --runs-file "$TMP/runs.jsonl" --cmdline "$CMDLINE" --loadavg "$LOADAVG" \
  --redis-version "$(${REDIS_SERVER:-redis-server} --version | sed 's/.*v=\([^ ]*\).*/\1/')"
