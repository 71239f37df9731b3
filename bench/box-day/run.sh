#!/usr/bin/env bash
# bench/run box-day [--day-seconds S] [--gpus K] [--runs N] [--no-build]
#
# A compressed day of a GPU box (BoxDayPlan): a morning LLM batch due at 30% of the day, renders
# from 25% to 75% with a lunchtime peak (3× from 40% to 55%) that needs every GPU, a late batch at
# 75% due at 95%. The same day runs four times on an emulated box of K GPUs (in-process agent,
# emulated ComfyUIs and LLM server, real media workers and LLM dispatcher): fixed media, fixed
# llm, fixed split, and the autopilot (starting in media). Batch lines run as backfill, their
# windows registered with the broker (the mode advice plans for them) and promoted as they near.
# Measured per policy: renders' wait p95 (submit → claim; a render never started waits until the
# end of the run), batch lines that ended inside their window, GPU-seconds idle while any job
# waited (switches included), switches made. With --runs N (1), fixed media and the autopilot run N
# times, in turn (media, autopilot, media, ...): the render p95 compared is a sub-second figure
# that moves with the machine's load, so the medians are compared; llm and split run once.
# Writes the `box-day` section of bench/RESULTS.md; last stdout line:
#   RESULT autopilot_idle_share=<x> best_fixed_idle_share=<y> render_wait_p95_s=<z> media_render_wait_p95_s=<m> batches_on_time=<w>
# Targets: the autopilot's idle share ≤ half the best fixed mode's, every batch on time, render
# p95 no worse than fixed media's by more than 20%.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
. "$BENCH_DIR/lib/prepare.sh"
bench_options box-day "" "--day-seconds --gpus --runs" "$@"
RUNS=1 PASS=()
while [ ${#ARGS[@]} -gt 0 ]; do
  if [ "${ARGS[0]}" = --runs ]; then RUNS=${ARGS[1]}; else PASS+=("${ARGS[0]}" "${ARGS[1]}"); fi
  ARGS=("${ARGS[@]:2}")
done
cd "$ROOT"
bench_velocity "$BUILD"

RUN_DIR=$(mktemp -d /tmp/velocity-bench-box-day.XXXXXX)
REDIS_PORT=$(python3 "$BENCH_DIR/lib/free_port.py" 16690)
PG_PORT=$(python3 "$BENCH_DIR/lib/free_port.py" 16740)
cleanup() {
  bash "$ROOT/ops/services.sh" stop "$RUN_DIR/services" >/dev/null 2>&1 || true
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
bash "$ROOT/ops/services.sh" start "$RUN_DIR/services" --redis-port "$REDIS_PORT" --postgres-port "$PG_PORT" >&2

bench_loadavg
: > "$RUN_DIR/outcomes.jsonl"
POLICIES="media llm split autopilot"
for ((RUN = 2; RUN <= RUNS; RUN++)); do POLICIES+=" media autopilot"; done
N=0
for POLICY in $POLICIES; do
  N=$((N + 1))
  say "a compressed day on an emulated box: $POLICY"
  "$VELOCITY_BIN" bench box-day --redis-url "redis://127.0.0.1:$REDIS_PORT" \
    --postgres-url "postgresql://velocity@127.0.0.1:$PG_PORT/velocity" --namespace "day$POLICY$N" --policy "$POLICY" \
    --work-directory "$RUN_DIR/box-$POLICY-$N" "${PASS[@]}" >> "$RUN_DIR/outcomes.jsonl"
  tail -n 1 "$RUN_DIR/outcomes.jsonl" >&2
done

python3 "$BENCH_DIR/box-day/report.py" "$RUN_DIR/outcomes.jsonl" "$CMDLINE" "$LOADAVG"
