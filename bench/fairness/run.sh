#!/usr/bin/env bash
# bench/run fairness [--runs N] [--heavy-jobs N] [--light-batch N] [--interval-ms MS] [--workers K]
#                    [--concurrency C] [--no-peer] [--no-build]
# Fair share under a flood: tenant "heavy" queues 50,000 no-op batch jobs; tenant "light" queues a
# 1,000-job batch of the same priority a second later and one interactive job every 50 ms all
# along; K (4) worker processes drain the queue. Measured against the light tenant alone, against
# the same run with fair share off, and through BullMQ's Python port. See bench/lib/fairness_bench.py.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
CMDLINE="bench/run fairness${*:+ $*}"
BUILD=1 ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) BUILD=0; shift ;;
    --no-peer) ARGS+=(--no-peer); shift ;;
    --runs|--heavy-jobs|--light-batch|--interval-ms|--workers|--concurrency)
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "$1 needs a positive integer" >&2; exit 2; }
      ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
. "$BENCH_DIR/lib/prepare.sh"
bash "$ROOT/ops/install-deps.sh" >&2
bench_venv
bench_velocity "$BUILD"
bench_loadavg
exec "$VENV/bin/python" "$BENCH_DIR/lib/fairness_bench.py" --velocity "$VELOCITY_BIN" --python "$VENV/bin/python" \
  --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
