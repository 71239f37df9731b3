#!/usr/bin/env bash
# bench/run broker-curves [--runs N] [--jobs N] [--backlog N] [--no-build]
# Scaling curves of the broker on one private Redis: drain rate versus worker processes
# (1, 2, 4) and versus claim batch size (1 … 256), each over a paused backlog of --jobs no-op
# jobs released at once; then a --backlog (1,000,000) job backlog enqueued and drained by two
# worker processes, with Redis' memory before, queued and after. Medians of --runs runs; plots
# (PNG, matplotlib) and tables go to bench/RESULTS.md. See bench/lib/broker_curves.py.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
. "$BENCH_DIR/lib/prepare.sh"
bench_options broker-curves "" "--runs --jobs --backlog" "$@"
bash "$ROOT/ops/install-deps.sh" >&2
bench_venv
bench_velocity "$BUILD"
bench_loadavg
exec "$VENV/bin/python" "$BENCH_DIR/lib/broker_curves.py" --velocity "$VELOCITY_BIN" \
  --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
