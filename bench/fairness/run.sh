#!/usr/bin/env bash
# bench/run fairness [--runs N] [--heavy-jobs N] [--light-batch N] [--interval-ms MS] [--workers K]
#                    [--concurrency C] [--no-peer] [--no-build]
# Fair share under a flood: tenant "heavy" queues 50,000 no-op batch jobs; tenant "light" queues a
# 1,000-job batch of the same priority once half of the flood has run, and one interactive job every 50 ms all
# along; K (4) worker processes drain the queue. Measured against the light tenant alone, against
# the same run with fair share off, and through BullMQ's Python port. See bench/lib/fairness_bench.py.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
. "$BENCH_DIR/lib/prepare.sh"
bench_options fairness "--no-peer" "--runs --heavy-jobs --light-batch --interval-ms --workers --concurrency" "$@"
bash "$ROOT/ops/install-deps.sh" >&2
bench_venv
bench_velocity "$BUILD"
bench_loadavg
exec "$VENV/bin/python" "$BENCH_DIR/lib/fairness_bench.py" --velocity "$VELOCITY_BIN" --python "$VENV/bin/python" \
  --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
