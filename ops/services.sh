#!/usr/bin/env bash
# Starts and stops a private Redis server and a private PostgreSQL cluster, both on loopback,
# with all their state (data, logs, pid files, sockets) under one directory.
#
# Usage:
#   ops/services.sh start DIR [--redis-port P] [--postgres-port P]
#   ops/services.sh stop DIR
#
# Ports default to 6390 (Redis) and 5440 (PostgreSQL). `start` is idempotent: run again on the
# same DIR it reuses the data and leaves running servers alone. `stop` is safe when already
# stopped. After `start`, DIR/env holds, ready to `source`:
#   export VELOCITY_REDIS_URL=redis://127.0.0.1:P
#   export VELOCITY_POSTGRES_URL=postgresql://velocity@127.0.0.1:P/velocity
#
# Layout of DIR:
#   env, ports            URLs to source; the ports `stop` uses
#   redis.conf redis.pid redis.log redis/    Redis config, pid, log, data (AOF)
#   postgres/             PostgreSQL socket dir and server.log; postgres/data is the cluster
#                         (a symlink into /tmp when, as root, the postgres user cannot reach DIR)
#
# PostgreSQL refuses to run as root: as root the cluster is run as the `postgres` system user
# (created by Debian's postgresql package) and DIR/postgres is owned by it; if that user cannot
# reach DIR, the cluster is put under /tmp instead (see resolve_pg_root). Otherwise it runs as the
# current user.
set -euo pipefail

DEFAULT_REDIS_PORT=6390
DEFAULT_POSTGRES_PORT=5440

die() { echo "services: error: $*" >&2; exit 1; }
log() { echo "services: $*"; }

usage() {
    cat >&2 <<'EOF'
usage: ops/services.sh start DIR [--redis-port P] [--postgres-port P]
       ops/services.sh stop DIR
EOF
    exit 2
}

[[ $# -ge 2 ]] || usage
CMD="$1"
DIR_ARG="$2"
shift 2

REDIS_PORT=""
POSTGRES_PORT=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --redis-port) [[ $# -ge 2 ]] || usage; REDIS_PORT="$2"; shift 2 ;;
        --redis-port=*) REDIS_PORT="${1#*=}"; shift ;;
        --postgres-port) [[ $# -ge 2 ]] || usage; POSTGRES_PORT="$2"; shift 2 ;;
        --postgres-port=*) POSTGRES_PORT="${1#*=}"; shift ;;
        *) echo "services: unknown argument: $1" >&2; usage ;;
    esac
done
for p in "$REDIS_PORT" "$POSTGRES_PORT"; do
    if [[ -n "$p" ]] && ! [[ "$p" =~ ^[0-9]+$ && "$p" -ge 1 && "$p" -le 65535 ]]; then
        die "invalid port: $p"
    fi
done

case "$DIR_ARG" in
    *"'"* | *' '* | *'"'*) die "DIR must not contain spaces or quotes: $DIR_ARG" ;;
esac
if [[ "$CMD" == stop && ! -d "$DIR_ARG" ]]; then
    echo "services: $DIR_ARG does not exist; nothing to stop"
    exit 0
fi
mkdir -p "$DIR_ARG"
DIR="$(cd "$DIR_ARG" && pwd -P)"

REDIS_DIR="$DIR/redis"
REDIS_CONF="$DIR/redis.conf"
REDIS_PID="$DIR/redis.pid"
REDIS_LOG="$DIR/redis.log"
PG_LINK="$DIR/postgres"
PG_ROOT="$PG_LINK"               # socket dir and log; owned by the user postgres runs as
PG_DATA="$PG_ROOT/data"
PG_LOG="$PG_ROOT/server.log"
PORTS_FILE="$DIR/ports"
ENV_FILE="$DIR/env"


# ---------------------------------------------------------------------------------------------
# PostgreSQL binaries and the user they run as

find_pg_bin() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return
        fi
    fi
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)"
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
        echo "$dir"
        return
    fi
    die "PostgreSQL server binaries (initdb, pg_ctl) not found: run ops/install-deps.sh"
}

if [[ "$(id -u)" -eq 0 ]]; then
    AS_ROOT=1
else
    AS_ROOT=0
fi

# Runs a PostgreSQL server-side command as the user the cluster belongs to.
as_pg() {
    if [[ $AS_ROOT -eq 1 ]]; then
        # From /, which the postgres user can always read (the caller's cwd may not be).
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Where the cluster lives. Normally DIR/postgres. As root, when the postgres user cannot reach DIR
# (a checkout under /root, say), the cluster goes to /tmp/velocity-postgres-<hash of DIR> instead
# and DIR/postgres is a symlink to it. Removing DIR/postgres (or DIR) discards that cluster too:
# the next start wipes a leftover /tmp directory that no DIR/postgres points at.
set_pg_root() {
    PG_ROOT="$1"
    PG_DATA="$PG_ROOT/data"
    PG_LOG="$PG_ROOT/server.log"
}

resolve_pg_root() {
    local for_start="$1" fallback
    if [[ -L "$PG_LINK" ]]; then
        set_pg_root "$(readlink -f "$PG_LINK")"
    elif [[ $for_start -eq 1 && $AS_ROOT -eq 1 && ! -e "$PG_LINK" ]] \
            && ! (cd / && runuser -u postgres -- test -x "$DIR"); then
        fallback="/tmp/velocity-postgres-$(printf '%s' "$DIR" | cksum | cut -d ' ' -f 1)"
        set_pg_root "$fallback"
        if [[ -n "$(pg_running_port)" ]]; then
            die "a leftover cluster in $PG_DATA is still running: stop it with 'runuser -u postgres -- pg_ctl -D $PG_DATA stop'"
        fi
        log "the postgres user cannot reach $DIR; putting the cluster in $fallback (linked from $PG_LINK)"
        rm -rf "$fallback"
        mkdir -p "$fallback"
        ln -s "$fallback" "$PG_LINK"
    fi
    # Unix socket paths are limited to 107 bytes.
    if (( ${#PG_ROOT} + 16 > 107 )); then
        die "DIR path is too long for PostgreSQL's unix socket ($PG_ROOT/.s.PGSQL.PORT > 107 bytes): use a shorter DIR"
    fi
}

# ---------------------------------------------------------------------------------------------
# Helpers

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when PID is a live process (a zombie, exited but not yet reaped, counts as dead).
pid_alive() {
    [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null \
        && [[ "$(ps -p "$1" -o stat= 2>/dev/null || true)" != Z* ]]
}

# True when PID is alive and is a redis-server (not a recycled pid from a stale pid file).
redis_pid_alive() {
    pid_alive "${1:-}" && [[ "$(ps -p "$1" -o comm= 2>/dev/null || true)" == redis-server* ]]
}

read_pid() {
    if [[ -f "$1" ]]; then
        head -n 1 "$1" | tr -d '[:space:]'
    fi
}

redis_ping() {
    [[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null || true)" == "PONG" ]]
}

# The port the cluster in PG_DATA is running on, empty when it is not running.
pg_running_port() {
    local pid
    [[ -f "$PG_DATA/postmaster.pid" ]] || return 0
    pid="$(read_pid "$PG_DATA/postmaster.pid")"
    if pid_alive "$pid"; then
        sed -n 4p "$PG_DATA/postmaster.pid" | tr -d '[:space:]'
    fi
}

# ---------------------------------------------------------------------------------------------
# Redis

start_redis() {
    local port="$1" pid
    command -v redis-server >/dev/null 2>&1 || die "redis-server not found: run ops/install-deps.sh"
    command -v redis-cli >/dev/null 2>&1 || die "redis-cli not found: run ops/install-deps.sh"

    pid="$(read_pid "$REDIS_PID")"
    if redis_pid_alive "$pid"; then
        if redis_ping "$port" && \
           [[ "$(redis-cli -h 127.0.0.1 -p "$port" config get dir 2>/dev/null | sed -n 2p)" == "$REDIS_DIR" ]]; then
            log "redis already running (pid $pid, port $port)"
            return
        fi
        die "a redis-server for $DIR is already running (pid $pid) but not on port $port: run 'ops/services.sh stop $DIR_ARG' first"
    fi

    if port_in_use "$port"; then
        die "port $port (redis) is already in use by another process: stop it or pass --redis-port"
    fi

    mkdir -p "$REDIS_DIR"
    cat >"$REDIS_CONF" <<EOF
# Written by ops/services.sh; rewritten on every start.
bind 127.0.0.1
protected-mode yes
port $port
daemonize yes
pidfile $REDIS_PID
logfile $REDIS_LOG
dir $REDIS_DIR
appendonly yes
appendfsync everysec
maxmemory-policy noeviction
EOF

    log "starting redis-server on 127.0.0.1:$port"
    redis-server "$REDIS_CONF"

    # daemonize forks before binding, so wait for it to answer.
    local i
    for ((i = 0; i < 100; i++)); do
        if redis_ping "$port"; then
            log "redis ready (pid $(read_pid "$REDIS_PID"))"
            return
        fi
        sleep 0.1
    done
    echo "--- $REDIS_LOG (tail) ---" >&2
    tail -n 20 "$REDIS_LOG" >&2 || true
    die "redis-server did not answer PING on port $port within 10s"
}

stop_redis() {
    local port="$1" pid i
    pid="$(read_pid "$REDIS_PID")"
    if ! redis_pid_alive "$pid"; then
        rm -f "$REDIS_PID"
        log "redis not running"
        return
    fi
    log "stopping redis-server (pid $pid)"
    if [[ -n "$port" ]] && command -v redis-cli >/dev/null 2>&1; then
        redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    fi
    for ((i = 0; i < 50; i++)); do
        pid_alive "$pid" || break
        # If SHUTDOWN could not be sent (unknown port, no redis-cli), fall back to SIGTERM.
        if [[ $i -eq 10 ]]; then
            kill -TERM "$pid" 2>/dev/null || true
        fi
        sleep 0.1
    done
    if pid_alive "$pid"; then
        log "redis-server (pid $pid) did not stop; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$REDIS_PID"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

start_postgres() {
    local port="$1" running
    PG_BIN="$(find_pg_bin)"

    if [[ $AS_ROOT -eq 1 ]] && ! id -u postgres >/dev/null 2>&1; then
        die "running as root but there is no 'postgres' system user: run ops/install-deps.sh"
    fi
    resolve_pg_root 1

    running="$(pg_running_port)"
    if [[ -n "$running" ]]; then
        if [[ "$running" == "$port" ]]; then
            log "postgres already running (port $port)"
            return
        fi
        die "the PostgreSQL cluster in $PG_DATA is already running on port $running, not $port: run 'ops/services.sh stop $DIR_ARG' first"
    fi

    if port_in_use "$port"; then
        die "port $port (postgres) is already in use by another process: stop it or pass --postgres-port"
    fi

    mkdir -p "$PG_ROOT"
    chmod 0700 "$PG_ROOT"
    if [[ $AS_ROOT -eq 1 ]]; then
        chown -R postgres:postgres "$PG_ROOT"
        if ! runuser -u postgres -- test -w "$PG_ROOT"; then
            die "the postgres user cannot reach $PG_ROOT: every parent directory of DIR must be searchable by others (chmod o+x), or use a DIR elsewhere"
        fi
    fi

    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
        log "initdb $PG_DATA"
        if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U velocity --auth=trust -E UTF8 --locale=C \
                >"$PG_ROOT/initdb.log" 2>&1; then
            cat "$PG_ROOT/initdb.log" >&2
            die "initdb failed"
        fi
    else
        log "reusing cluster $PG_DATA"
    fi

    # Tests run many gateways in parallel, each with its pools: allow more than the default 100.
    # A full test run peaks near 430 connections (measured 2026-12-06 from pg_stat_activity):
    # 1000 leaves room for a faster machine that overlaps more tests.
    # Bulk loads (a 1,000,000-row CRM import writes about 5 GB of WAL) with the default 1 GB
    # max_wal_size checkpointed every 6 s, and each checkpoint makes the next write of every
    # page a full-page image: 4 GB is the usual setting for a loading server. WAL is recycled,
    # so small workloads keep a small pg_wal.
    log "starting postgres on 127.0.0.1:$port"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
            -o "-p $port -k '$PG_ROOT' -c listen_addresses=127.0.0.1 -c max_connections=1000 -c max_wal_size=4GB" \
            start >/dev/null; then
        echo "--- $PG_LOG (tail) ---" >&2
        tail -n 30 "$PG_LOG" >&2 || true
        die "pg_ctl start failed"
    fi

    local i
    for ((i = 0; i < 100; i++)); do
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U velocity -d postgres; then
            break
        fi
        sleep 0.1
    done
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U velocity -d postgres \
        || die "postgres did not become ready on port $port within 10s (see $PG_LOG)"

    if [[ "$("$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U velocity -d postgres -tAc \
            "select 1 from pg_database where datname = 'velocity'")" != "1" ]]; then
        log "createdb velocity"
        "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U velocity -O velocity velocity
    fi
    log "postgres ready"
}

stop_postgres() {
    resolve_pg_root 0
    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
        log "postgres not running (no cluster)"
        return
    fi
    if [[ -z "$(pg_running_port)" ]]; then
        log "postgres not running"
        return
    fi
    PG_BIN="$(find_pg_bin)"
    log "stopping postgres"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
}

# ---------------------------------------------------------------------------------------------

case "$CMD" in
    start)
        # Ports: arguments, else the ones this DIR was last started with, else the defaults.
        if [[ -f "$PORTS_FILE" ]]; then
            # shellcheck source=/dev/null
            saved_redis="$(. "$PORTS_FILE"; echo "${REDIS_PORT:-}")"
            # shellcheck source=/dev/null
            saved_pg="$(. "$PORTS_FILE"; echo "${POSTGRES_PORT:-}")"
        fi
        REDIS_PORT="${REDIS_PORT:-${saved_redis:-$DEFAULT_REDIS_PORT}}"
        POSTGRES_PORT="${POSTGRES_PORT:-${saved_pg:-$DEFAULT_POSTGRES_PORT}}"
        [[ "$REDIS_PORT" != "$POSTGRES_PORT" ]] || die "redis and postgres ports must differ"

        start_redis "$REDIS_PORT"
        printf 'REDIS_PORT=%s\nPOSTGRES_PORT=%s\n' "$REDIS_PORT" "$POSTGRES_PORT" >"$PORTS_FILE"
        start_postgres "$POSTGRES_PORT"

        cat >"$ENV_FILE" <<EOF
export VELOCITY_REDIS_URL=redis://127.0.0.1:$REDIS_PORT
export VELOCITY_POSTGRES_URL=postgresql://velocity@127.0.0.1:$POSTGRES_PORT/velocity
EOF
        log "services up; env in $ENV_FILE"
        ;;
    stop)
        if [[ -f "$PORTS_FILE" ]]; then
            # shellcheck source=/dev/null
            saved_redis="$(. "$PORTS_FILE"; echo "${REDIS_PORT:-}")"
        fi
        REDIS_PORT="${REDIS_PORT:-${saved_redis:-}}"
        status=0
        stop_redis "$REDIS_PORT" || status=1
        stop_postgres || status=1
        exit "$status"
        ;;
    *)
        usage
        ;;
esac
