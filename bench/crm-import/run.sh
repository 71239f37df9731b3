#!/usr/bin/env bash
# bench/run crm-import [--rows N] [--runs N] [--no-peer] [--no-build]
# A generated Indian broker sheet (default 1,000,000 rows) through velocity's CRM import — upload to
# proposals ready, commit to done, the worker's peak RSS — beside the same pipeline in Python
# (bench/peers/crm_import_python.py); see bench/lib/crm_import_bench.py.
# Hidden, for working on the harness: --seed N (data seed, default 7), --peer-only (no velocity; the
# CRM tables made from the harness's copy of the migration; nothing written to RESULTS.md).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
. "$BENCH_DIR/lib/prepare.sh"
bench_options crm-import "--no-peer --peer-only" "--rows --runs --seed" "$@"
PEER_ONLY=0
case " ${ARGS[*]} " in *" --peer-only "*) PEER_ONLY=1 ;; esac
bash "$ROOT/ops/install-deps.sh" >&2
bench_venv

VELOCITY_BIN=${VELOCITY_BIN:-$ROOT/.build-release/release/velocity}
if [ "$PEER_ONLY" = 0 ]; then bench_velocity "$BUILD"; fi
bench_loadavg
exec "$VENV/bin/python" "$BENCH_DIR/lib/crm_import_bench.py" --velocity "$VELOCITY_BIN" --python "$VENV/bin/python" \
  --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
