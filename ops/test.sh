#!/usr/bin/env bash
# THE test command (CI runs it through .ci/run).
#
#   ops/test.sh                 # install deps, start services, build, run every test
#   ops/test.sh --filter Foo    # extra arguments go to `swift test`
#
# 1. installs the system packages (ops/install-deps.sh; a no-op when all are there),
# 2. starts a private Redis on 127.0.0.1:16390, a Redis Cluster on 16400-16405 (ops/redis-cluster.sh)
#    and PostgreSQL on 127.0.0.1:15440 with their state in .run/test (wiped first, so every run
#    starts clean), and exports VELOCITY_TEST_REDIS_URL, VELOCITY_TEST_REDIS_CLUSTER_URL and
#    VELOCITY_TEST_POSTGRES_URL for the tests,
# 3. creates the ignored test venv with moto's S3 server (ops/test-venv.sh, from PyPI),
#    then runs `swift build --build-tests`, then `swift test "$@"`,
# 4. runs the dashboard's browser tests (ops/browser-test.sh: headless chromium + Selenium against
#    a `velocity dev` stack of their own) unless swift test got arguments,
# 5. runs schemathesis against /openapi.json of a live gateway (ops/api-test.sh), under the same
#    rule, then libFuzzer over the parsers of outside bytes for 20 s a target (ops/fuzz.sh), then
#    the chaos suite's short run (ops/chaos-test.sh: 11 faults under load, then its checker)
#    (VELOCITY_BROWSER_TESTS=1 / VELOCITY_API_TESTS=1 / VELOCITY_FUZZ_TESTS=1 /
#    VELOCITY_CHAOS_TESTS=1 run each with arguments too),
# 6. always stops the servers on exit, and exits non-zero when either part failed.
#
# The ports can be moved with VELOCITY_TEST_REDIS_PORT / VELOCITY_TEST_POSTGRES_PORT /
# VELOCITY_TEST_REDIS_CLUSTER_PORTS (six, comma-separated). VELOCITY_TEST_REDIS=cluster runs the
# suite with the Redis Cluster as the shared Redis of every test.
# Server logs stay in .run/test (redis.log, postgres/server.log) after the run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

REDIS_PORT="${VELOCITY_TEST_REDIS_PORT:-16390}"
POSTGRES_PORT="${VELOCITY_TEST_POSTGRES_PORT:-15440}"
CLUSTER_PORTS="${VELOCITY_TEST_REDIS_CLUSTER_PORTS:-16400,16401,16402,16403,16404,16405}"
RUN_DIR="$ROOT/.run/test"
# VELOCITY_TEST_REDIS=cluster: every test that takes the shared Redis takes the cluster instead.
TEST_REDIS="${VELOCITY_TEST_REDIS:-single}"
if [[ "$TEST_REDIS" != single && "$TEST_REDIS" != cluster ]]; then
    echo "VELOCITY_TEST_REDIS must be single or cluster, not '$TEST_REDIS'" >&2
    exit 2
fi

section() {
    printf '\n==================== %s ====================\n' "$*"
}

if ! command -v swift >/dev/null 2>&1; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

section "Installing system dependencies"
bash "$ROOT/ops/install-deps.sh"

section "Starting Redis and PostgreSQL in .run/test"
# A previous run killed before its cleanup may have left servers running on the old data dir.
if [[ -d "$RUN_DIR" ]]; then
    bash "$ROOT/ops/redis-cluster.sh" stop "$RUN_DIR/cluster" || true
    bash "$ROOT/ops/services.sh" stop "$RUN_DIR" || true
    # As root with an unreachable checkout, the cluster lives under /tmp behind a symlink.
    if [[ -L "$RUN_DIR/postgres" ]]; then
        rm -rf "$(readlink -f "$RUN_DIR/postgres")"
    fi
    rm -rf "$RUN_DIR"
fi

# shellcheck disable=SC2317  # invoked by the EXIT trap
stop_services() {
    local status=$?
    trap - EXIT
    section "Stopping Redis, the Redis Cluster and PostgreSQL"
    bash "$ROOT/ops/redis-cluster.sh" stop "$RUN_DIR/cluster" || echo "warning: stopping the cluster failed" >&2
    # Private clusters of tests that were stopped before they could stop them (RedisClusterProcess).
    local private
    for private in "${TMPDIR:-/tmp}"/velocity-cluster-*/; do
        if [[ -d "$private" ]]; then
            bash "$ROOT/ops/redis-cluster.sh" stop "$private" || true
            rm -rf "$private" || true
        fi
    done
    bash "$ROOT/ops/services.sh" stop "$RUN_DIR" || echo "warning: stopping services failed" >&2
    exit "$status"
}
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash "$ROOT/ops/services.sh" start "$RUN_DIR" --redis-port "$REDIS_PORT" --postgres-port "$POSTGRES_PORT"
# The broker's conformance suite runs on a Redis Cluster too (3 masters + 3 replicas).
bash "$ROOT/ops/redis-cluster.sh" start "$RUN_DIR/cluster" --ports "$CLUSTER_PORTS"
# shellcheck source=/dev/null
source "$RUN_DIR/cluster/env"
export VELOCITY_TEST_REDIS_CLUSTER_URL="$VELOCITY_REDIS_CLUSTER_URL"
echo "VELOCITY_TEST_REDIS_CLUSTER_URL=$VELOCITY_TEST_REDIS_CLUSTER_URL"
# shellcheck source=/dev/null
source "$RUN_DIR/env"
export VELOCITY_TEST_REDIS_URL="$VELOCITY_REDIS_URL"
export VELOCITY_TEST_REDIS_SERVER_URL="$VELOCITY_REDIS_URL"
if [[ "$TEST_REDIS" == cluster ]]; then
    export VELOCITY_TEST_REDIS_URL="$VELOCITY_TEST_REDIS_CLUSTER_URL"
fi
export VELOCITY_TEST_POSTGRES_URL="$VELOCITY_POSTGRES_URL"
echo "VELOCITY_TEST_REDIS_URL=$VELOCITY_TEST_REDIS_URL"
echo "VELOCITY_TEST_POSTGRES_URL=$VELOCITY_TEST_POSTGRES_URL"

# Tests may start private redis-server processes of their own; PostgreSQL's server tools
# (initdb, pg_ctl) are not on PATH on Debian, so add them at the end too.
REDIS_BIN_DIR="$(dirname "$(command -v redis-server)")"
PG_BIN_DIR="$(pg_config --bindir 2>/dev/null || true)"
export PATH="$REDIS_BIN_DIR:$PATH${PG_BIN_DIR:+:$PG_BIN_DIR}"

section "Toolchain"
command -v swift
swift --version

section "Test venv (moto S3 server for the hydration tests)"
bash "$ROOT/ops/test-venv.sh"
export VELOCITY_TEST_MOTO="$ROOT/.run/test-venv/bin/moto_server"

section "swift build --build-tests"
swift build --build-tests

section "swift test $*"
set +e
swift test "$@"
status=$?
set -e

if [[ $status -ne 0 ]]; then
    echo
    echo "swift test failed (exit $status); server logs: $RUN_DIR/redis.log, $RUN_DIR/postgres/server.log"
fi

# The phases after `swift test`, each against servers of its own. With a --filter (or other
# swift test arguments) a phase runs only when its variable is 1. Usage: after_tests VARIABLE
# TITLE WHERE-TO-LOOK COMMAND…
after_tests() {
    local variable="$1" title="$2" where="$3"
    shift 3
    [[ $swift_arguments -eq 0 || "${!variable:-0}" == "1" ]] || return 0
    section "$title"
    set +e
    "$@"
    local phase_status=$?
    set -e
    if [[ $phase_status -ne 0 ]]; then
        echo "$title failed (exit $phase_status); $where"
        [[ $status -ne 0 ]] || status=$phase_status
    fi
}
swift_arguments=$#
# The dashboard in headless chromium, against a whole `velocity dev` stack of its own.
after_tests VELOCITY_BROWSER_TESTS "Browser tests (ops/browser-test.sh)" \
    "stack log: .run/browser/dev.log, screenshots: .run/browser/screenshots" bash "$ROOT/ops/browser-test.sh"
# Schemathesis against /openapi.json of a live gateway (its own `velocity dev` stack).
after_tests VELOCITY_API_TESTS "API tests: schemathesis against /openapi.json (ops/api-test.sh)" \
    "stack log: .run/api/dev.log, report: .run/api/report" bash "$ROOT/ops/api-test.sh"
# libFuzzer over the parsers of outside bytes, 20 s a target, from a fixed seed so a run is
# repeatable (ops/fuzz.sh alone draws a new one: longer runs explore).
after_tests VELOCITY_FUZZ_TESTS "Fuzzing: 20 s a target (ops/fuzz.sh)" "logs and the inputs: .run/fuzz" \
    env VELOCITY_FUZZ_SEED="${VELOCITY_FUZZ_SEED:-20261207}" bash "$ROOT/ops/fuzz.sh" 20
# Faults under load: the chaos suite's short variant, every fault kind once against the debug
# build, then its checker; a fixed seed, so a run is repeatable (bench/run chaos draws a new one).
after_tests VELOCITY_CHAOS_TESTS "Chaos: 11 faults under load (ops/chaos-test.sh)" \
    "logs, journals and the clients' records: .run/chaos" bash "$ROOT/ops/chaos-test.sh"
exit "$status"
