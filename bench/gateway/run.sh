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
. "$BENCH_DIR/lib/prepare.sh"

if ! command -v wrk >/dev/null; then
  say "installing wrk (Debian package)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq >&2 && apt-get install -y -qq wrk >&2
  else sudo apt-get update -qq >&2 && sudo apt-get install -y -qq wrk >&2; fi
fi
bash "$ROOT/ops/install-deps.sh" >&2
bench_venv
bench_velocity "$BUILD"
bench_loadavg
exec "$VENV/bin/python" "$BENCH_DIR/lib/gateway_bench.py" --velocity "$VELOCITY_BIN" --cmdline "$CMDLINE" "${ARGS[@]}"
