#!/usr/bin/env bash
# bench/run webhooks [--jobs N] [--down-jobs N] [--down-seconds S] [--no-build]
# Signed webhooks from job ends to a loopback receiver: N no-op jobs (default 10,000) each naming
# the receiver, run by a worker; deliveries per second and the p99 from a job's end to its
# delivery. Then the receiver goes away for S seconds (default 60) while M more jobs (default
# 1,000) end: all must arrive once it is back, none under two ids. See bench/lib/webhooks_bench.py.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
CMDLINE="bench/run webhooks${*:+ $*}"
BUILD=1 ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) BUILD=0; shift ;;
    --jobs|--down-jobs|--down-seconds)
      [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "$1 needs a non-negative integer" >&2; exit 2; }
      ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
. "$BENCH_DIR/lib/prepare.sh"
bash "$ROOT/ops/install-deps.sh" >&2
bench_velocity "$BUILD"
bench_loadavg
exec python3 "$BENCH_DIR/lib/webhooks_bench.py" --velocity "$VELOCITY_BIN" --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
