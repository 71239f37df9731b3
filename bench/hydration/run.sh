#!/usr/bin/env bash
# bench/run hydration [--runs N] [--size-mib N] [--no-build]
# velocity hydrate (parallel ranged libcurl download + sha256 + fsync + rename) of one file from
# a loopback range server vs one `curl -o` stream of the same file; and velocity's sha256 rate
# (velocity hydrate verify) vs sha256sum. Median of N runs; see bench/lib/hydration_bench.py.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
CMDLINE="bench/run hydration${*:+ $*}"
BUILD=1 ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) BUILD=0; shift ;;
    --runs|--size-mib|--ranges|--chunk-mib) ARGS+=("$1" "${2:?}"); shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
. "$BENCH_DIR/lib/prepare.sh"
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }
command -v sha256sum >/dev/null || { echo "sha256sum is required" >&2; exit 1; }

bench_velocity "$BUILD"
bench_loadavg
exec python3 "$BENCH_DIR/lib/hydration_bench.py" --velocity "$VELOCITY_BIN" --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
