#!/usr/bin/env bash
# A Redis Cluster on loopback for tests and development: 3 masters + 3 replicas.
#
#   ops/redis-cluster.sh start DIR [--ports P1,P2,P3,P4,P5,P6]   # default 16400-16405
#   ops/redis-cluster.sh stop DIR
#
# start runs six `redis-server --cluster-enabled yes` (no persistence, node timeout 1 s so a
# failover takes a few seconds), joins them with `redis-cli --cluster create --cluster-replicas 1`,
# waits until every node says cluster_state:ok, and writes DIR/env:
#   export VELOCITY_REDIS_CLUSTER_URL=redis-cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3
# Each node's config, pid, log and nodes.conf live in DIR/<port>/. stop shuts every node down.
set -euo pipefail

usage() {
    echo "usage: ops/redis-cluster.sh start DIR [--ports P1,P2,P3,P4,P5,P6] | stop DIR" >&2
    exit 2
}
die() {
    echo "redis-cluster: $*" >&2
    exit 1
}

[[ $# -ge 2 ]] || usage
ACTION="$1"
DIR="$2"
shift 2
PORTS="16400,16401,16402,16403,16404,16405"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --ports) [[ $# -ge 2 ]] || usage; PORTS="$2"; shift 2 ;;
        --ports=*) PORTS="${1#*=}"; shift ;;
        *) usage ;;
    esac
done
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd -P)"

stop_all() {
    local node pid
    for node in "$DIR"/*/; do
        [[ -f "$node/redis.pid" ]] || continue
        pid="$(cat "$node/redis.pid" 2>/dev/null || true)"
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && [[ "$(ps -p "$pid" -o comm= || true)" == redis-server* ]]; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$node/redis.pid"
    done
}

case "$ACTION" in
    stop)
        stop_all
        exit 0
        ;;
    start) ;;
    *) usage ;;
esac

command -v redis-server >/dev/null 2>&1 || die "redis-server not found: run ops/install-deps.sh"
IFS=, read -r -a PORT_LIST <<<"$PORTS"
[[ ${#PORT_LIST[@]} -eq 6 ]] || die "--ports needs six ports, got '$PORTS'"
for port in "${PORT_LIST[@]}"; do
    # Each node also listens on port + 10000 (the cluster bus).
    [[ "$port" =~ ^[0-9]+$ ]] && ((port > 0 && port <= 55535)) || die "'$port' is not a port of 1-55535"
done

stop_all
for port in "${PORT_LIST[@]}"; do
    node="$DIR/$port"
    rm -rf "$node"
    mkdir -p "$node"
    cat >"$node/redis.conf" <<EOF
port $port
bind 127.0.0.1
protected-mode yes
dir $node
pidfile $node/redis.pid
logfile $node/redis.log
daemonize yes
save ""
appendonly no
cluster-enabled yes
cluster-config-file $node/nodes.conf
cluster-node-timeout 1000
cluster-replica-validity-factor 0
EOF
    redis-server "$node/redis.conf" || die "redis-server on port $port did not start (see $node/redis.log)"
done
for port in "${PORT_LIST[@]}"; do
    for _ in $(seq 100); do
        [[ "$(redis-cli -p "$port" ping 2>/dev/null || true)" == PONG ]] && break
        sleep 0.1
    done
    [[ "$(redis-cli -p "$port" ping 2>/dev/null || true)" == PONG ]] || die "node $port does not answer (see $DIR/$port/redis.log)"
    # Ours, not another server already on that port (a daemonized node that failed to bind exits quietly).
    [[ "$(redis-cli -p "$port" config get dir 2>/dev/null | sed -n 2p)" == "$DIR/$port" ]] ||
        die "port $port answers, but not as the node started in $DIR/$port (is the port taken?)"
done

NODES=()
for port in "${PORT_LIST[@]}"; do NODES+=("127.0.0.1:$port"); done
redis-cli --cluster create "${NODES[@]}" --cluster-replicas 1 --cluster-yes >"$DIR/create.log" 2>&1 ||
    die "redis-cli --cluster create failed: $(tail -5 "$DIR/create.log")"

for _ in $(seq 200); do
    ok=1
    for port in "${PORT_LIST[@]}"; do
        info="$(redis-cli -p "$port" cluster info 2>/dev/null || true)"
        [[ "$info" == *"cluster_state:ok"* && "$info" == *"cluster_slots_ok:16384"* ]] || ok=0
    done
    # Every replica has found its master too (a failover test needs them ready).
    replicas="$(redis-cli -p "${PORT_LIST[0]}" cluster nodes 2>/dev/null | grep -c ' slave ' || true)"
    [[ $ok -eq 1 && "$replicas" -eq 3 ]] && break
    sleep 0.1
done
[[ $ok -eq 1 ]] || die "the cluster did not reach cluster_state:ok (see $DIR/*/redis.log)"

echo "export VELOCITY_REDIS_CLUSTER_URL=redis-cluster://127.0.0.1:${PORT_LIST[0]},127.0.0.1:${PORT_LIST[1]},127.0.0.1:${PORT_LIST[2]}" >"$DIR/env"
echo "redis cluster ready: ${NODES[*]} (3 masters, 3 replicas)"
