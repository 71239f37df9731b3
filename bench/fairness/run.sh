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
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
bash "$ROOT/ops/install-deps.sh" >&2

VENV="$BENCH_DIR/.venv" REQ="$BENCH_DIR/requirements.txt"
STAMP="$VENV/.requirements.sha256" WANT=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  say "creating $VENV and installing bench/requirements.txt"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ" >&2
  echo "$WANT" > "$STAMP"
fi

VELOCITY_BIN=${VELOCITY_BIN:-$ROOT/.build-release/release/velocity}
if [ "$BUILD" = 1 ]; then
  say "building velocity (swift build -c release --product velocity --scratch-path .build-release)"
  (cd "$ROOT" && swift build -c release --product velocity --scratch-path .build-release) >&2
fi
[ -x "$VELOCITY_BIN" ] || { echo "velocity binary not found: $VELOCITY_BIN" >&2; exit 1; }
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
case $LOADAVG in 0.[0-4]*) ;; *) say "WARNING: load average is $LOADAVG; other work will skew the figures" ;; esac
exec "$VENV/bin/python" "$BENCH_DIR/lib/fairness_bench.py" --velocity "$VELOCITY_BIN" --python "$VENV/bin/python" \
  --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
