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
CMDLINE="bench/run broker-curves${*:+ $*}"
BUILD=1 ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) BUILD=0; shift ;;
    --runs|--jobs|--backlog)
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
exec "$VENV/bin/python" "$BENCH_DIR/lib/broker_curves.py" --velocity "$VELOCITY_BIN" \
  --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
