#!/usr/bin/env bash
# bench/run chaos [--faults N] [--rate R] [--seed S] [--redis single|sentinel|cluster] [--short] [--directory DIR] [--no-build]
# A steady mixed load (CPU jobs, LLM chats, Dream Weaver renders) through two gateways while a
# seeded schedule injects N faults (default 30: kill -9 of workers, the agent, gateways, emulated
# ComfyUIs and LLM servers; a frozen worker; a ComfyUI that stops answering; Redis killed and
# restarted from its AOF; FLUSHALL; PostgreSQL crashed; the blob store's disk full), then a
# checker over PostgreSQL, the blobs and the workers' attempt journals. R submits per second
# (default 60). --redis: one server with AOF (default; faults: restart, FLUSHALL), a master and
# replica under three Sentinels, or a Redis Cluster (faults: master failover, FLUSHALL).
# --short: ops/test.sh's variant, nothing written to bench/RESULTS.md; the exit status says
# whether the checker passed. See bench/lib/chaos_bench.py.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
CMDLINE="bench/run chaos${*:+ $*}"
BUILD=1 ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) BUILD=0; shift ;;
    --short) ARGS+=("$1"); shift ;;
    --faults|--rate|--seed)
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "$1 needs a positive integer" >&2; exit 2; }
      ARGS+=("$1" "$2"); shift 2 ;;
    --redis)
      [[ ${2:-} =~ ^(single|sentinel|cluster)$ ]] || { echo "--redis must be single, sentinel or cluster" >&2; exit 2; }
      ARGS+=("$1" "$2"); shift 2 ;;
    --directory)
      [ -n "${2:-}" ] || { echo "--directory needs a path" >&2; exit 2; }
      ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
. "$BENCH_DIR/lib/prepare.sh"
bash "$ROOT/ops/install-deps.sh" >&2
bench_velocity "$BUILD"
bench_loadavg
exec python3 "$BENCH_DIR/lib/chaos_bench.py" --velocity "$VELOCITY_BIN" --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
