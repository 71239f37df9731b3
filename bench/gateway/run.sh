#!/usr/bin/env bash
# bench/run gateway [--runs N] [--duration S] [--connections N] [--no-build]
# velocity's gateway vs. a hand-rolled Starlette gateway under wrk; see bench/lib/gateway_bench.py.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
CMDLINE="bench/run gateway${*:+ $*}"
BUILD=1 ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) BUILD=0; shift ;;
    --runs|--duration|--connections|--threads) ARGS+=("$1" "${2:?}"); shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }

if ! command -v wrk >/dev/null; then
  say "installing wrk (Debian package)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq >&2 && apt-get install -y -qq wrk >&2
  else sudo apt-get update -qq >&2 && sudo apt-get install -y -qq wrk >&2; fi
fi
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
exec "$VENV/bin/python" "$BENCH_DIR/lib/gateway_bench.py" --velocity "$VELOCITY_BIN" --cmdline "$CMDLINE" "${ARGS[@]}"
