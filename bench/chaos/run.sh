#!/usr/bin/env bash
# bench/run chaos [--faults N] [--rate R] [--seed S] [--redis single|sentinel|cluster] [--short] [--no-build]
# A steady mixed load (CPU jobs, LLM chats, Dream Weaver renders) through two gateways while a
# seeded schedule injects N faults (default 30: kill -9 of workers, the agent, gateways, emulated
# ComfyUIs and LLM servers; a frozen worker; a ComfyUI that stops answering; Redis killed and
# restarted from its AOF; FLUSHALL; PostgreSQL crashed; the blob store's disk full), then a
# checker over PostgreSQL, the blobs and the workers' attempt journals. R submits per second
# (default 60). --redis: one server with AOF (default; faults: restart, FLUSHALL), a master and
# replica under three Sentinels, or a Redis Cluster (faults: master failover, FLUSHALL).
# --short: ops/test.sh's variant, nothing written to bench/RESULTS.md; the exit status says
# whether the checker passed. VELOCITY_CHAOS_DIRECTORY keeps the run's logs, journals and
# records there (default a new /tmp/velocity-chaos.*). See bench/lib/chaos_bench.py.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
. "$BENCH_DIR/lib/prepare.sh"
bench_options chaos "--short" "--faults --rate --seed --redis:single|sentinel|cluster" "$@"
bash "$ROOT/ops/install-deps.sh" >&2
bench_velocity "$BUILD"
bench_loadavg
[ -z "${VELOCITY_CHAOS_DIRECTORY:-}" ] || ARGS+=(--directory "$VELOCITY_CHAOS_DIRECTORY")
exec python3 "$BENCH_DIR/lib/chaos_bench.py" --velocity "$VELOCITY_BIN" --cmdline "$CMDLINE" --loadavg "$LOADAVG" "${ARGS[@]}"
