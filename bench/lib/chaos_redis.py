"""The Redis a chaos run uses, and its Redis faults: one server with AOF (ops/services.sh's), a
master with a replica under three Sentinels, or a Redis Cluster (ops/redis-cluster.sh: 3 masters,
3 replicas). Each says which faults it can take: a restart from the AOF, a master failover, and
a FLUSHALL (every master's)."""
from __future__ import annotations

import os
import signal
import subprocess
import time

from loopback import free_port


def redis_cli(port: int, *args: str, timeout: float = 5) -> str:
    done = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args], capture_output=True, text=True,
                          timeout=timeout)
    return done.stdout.strip()


def pid_of(port: int) -> int | None:
    for line in redis_cli(port, "INFO", "server").splitlines():
        if line.startswith("process_id:"):
            return int(line.split(":", 1)[1])
    return None


def wait_ping(port: int, seconds: float = 10) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if redis_cli(port, "PING", timeout=1) == "PONG":
                return
        except subprocess.TimeoutExpired:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"redis on :{port} did not answer PING in {seconds:.0f} s")


def restart_services(root: str, services: str, redis_port: int, pg_port: int) -> None:
    """ops/services.sh start on the ports a run already has: starts whichever of its Redis and
    PostgreSQL is down (from its AOF, from its WAL), leaves the other alone."""
    subprocess.run(["bash", os.path.join(root, "ops/services.sh"), "start", services, "--redis-port", str(redis_port),
                    "--postgres-port", str(pg_port)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class SingleRedis:
    """ops/services.sh's Redis: appendonly yes, appendfsync everysec."""

    kinds = ["redis_restart", "redis_flushall"]

    def __init__(self, root: str, services: str, port: int, pg_port: int):
        self.root, self.services, self.port, self.pg_port = root, services, port, pg_port
        self.url = f"redis://127.0.0.1:{port}"

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def restart(self) -> str:
        pid = int(open(os.path.join(self.services, "redis.pid")).read().strip())
        os.kill(pid, signal.SIGKILL)
        time.sleep(2)
        restart_services(self.root, self.services, self.port, self.pg_port)
        return f"kill -9 redis-server (pid {pid}), restarted 2 s later from its AOF (appendfsync everysec)"

    def flushall(self) -> str:
        redis_cli(self.port, "FLUSHALL")
        return "FLUSHALL: Redis loses every job; the reconcilers restore them from PostgreSQL"


class SentinelRedis:
    """Two redis-servers (AOF), one replicating the other, watched by three Sentinels (quorum 2,
    a master is down after 1 s)."""

    kinds = ["redis_failover", "redis_flushall"]
    MASTER = "chaos"

    def __init__(self, directory: str):
        self.directory = directory
        self.ports = [free_port(16820), 0]
        self.ports[1] = free_port(self.ports[0] + 1)
        self.sentinels: list[int] = []
        base = self.ports[1] + 1
        for _ in range(3):
            port = free_port(base)
            self.sentinels.append(port)
            base = port + 1
        self.url = "redis-sentinel://" + ",".join(f"127.0.0.1:{p}" for p in self.sentinels) + f"/{self.MASTER}"

    def _conf(self, name: str) -> str:
        return os.path.join(self.directory, name, "redis.conf")

    def _start_server(self, index: int) -> None:
        subprocess.run(["redis-server", self._conf(f"redis-{index}")], check=True, stdout=subprocess.DEVNULL)
        wait_ping(self.ports[index])

    def start(self) -> None:
        for index, port in enumerate(self.ports):
            node = os.path.join(self.directory, f"redis-{index}")
            os.makedirs(node, exist_ok=True)
            lines = [f"port {port}", "bind 127.0.0.1", f"dir {node}", f"pidfile {node}/redis.pid",
                     f"logfile {node}/redis.log", "daemonize yes", "appendonly yes", "appendfsync everysec"]
            if index == 1:
                lines.append(f"replicaof 127.0.0.1 {self.ports[0]}")
            with open(self._conf(f"redis-{index}"), "w") as f:
                f.write("\n".join(lines) + "\n")
            self._start_server(index)
        for number, port in enumerate(self.sentinels):
            node = os.path.join(self.directory, f"sentinel-{number}")
            os.makedirs(node, exist_ok=True)
            with open(os.path.join(node, "sentinel.conf"), "w") as f:
                f.write("\n".join([
                    f"port {port}", "bind 127.0.0.1", f"dir {node}", f"pidfile {node}/sentinel.pid",
                    f"logfile {node}/sentinel.log", "daemonize yes",
                    f"sentinel monitor {self.MASTER} 127.0.0.1 {self.ports[0]} 2",
                    f"sentinel down-after-milliseconds {self.MASTER} 1000",
                    f"sentinel failover-timeout {self.MASTER} 5000",
                    f"sentinel parallel-syncs {self.MASTER} 1"]) + "\n")
            subprocess.run(["redis-server", os.path.join(node, "sentinel.conf"), "--sentinel"], check=True,
                           stdout=subprocess.DEVNULL)
            wait_ping(port)
        # Every Sentinel knows the replica and the other Sentinels before a fault can come.
        deadline = time.time() + 30
        while time.time() < deadline:
            ready = all(
                "num-other-sentinels" in (info := redis_cli(port, "SENTINEL", "MASTER", self.MASTER))
                and info.split("num-other-sentinels\n", 1)[1].split("\n", 1)[0] == "2"
                and info.split("num-slaves\n", 1)[1].split("\n", 1)[0] == "1" for port in self.sentinels)
            if ready:
                return
            time.sleep(0.2)
        raise RuntimeError("the Sentinels did not find each other and the replica in 30 s")

    def master_port(self) -> int:
        answer = redis_cli(self.sentinels[0], "SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.MASTER).splitlines()
        return int(answer[1])

    def failover(self) -> str:
        old = self.master_port()
        pid = pid_of(old)
        os.kill(pid, signal.SIGKILL)
        deadline = time.time() + 30
        while time.time() < deadline and self.master_port() == old:
            time.sleep(0.2)
        took = 30 - (deadline - time.time())
        if self.master_port() == old:
            raise RuntimeError(f"the Sentinels did not fail over from :{old} in 30 s")
        self._start_server(self.ports.index(old))
        settled = self.wait_settled()
        return (f"kill -9 the master :{old} (pid {pid}); the Sentinels promoted :{self.master_port()} in "
                f"{took:.1f} s; the old master came back as its replica; settled after {settled:.1f} s")

    def settled(self) -> bool:
        """Every Sentinel names one master, it says it is the master, and the other server
        replicates it with its link up: until then a write may still land where it is lost."""
        try:
            named = {redis_cli(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.MASTER, timeout=2)
                     for port in self.sentinels}
            if len(named) != 1:
                return False
            master = int(next(iter(named)).splitlines()[1])
            if not redis_cli(master, "ROLE", timeout=2).startswith("master"):
                return False
            replica = next(port for port in self.ports if port != master)
            info = redis_cli(replica, "INFO", "replication", timeout=2)
            return f"master_port:{master}" in info and "master_link_status:up" in info
        except (subprocess.TimeoutExpired, IndexError, ValueError):
            return False

    def wait_settled(self, seconds: float = 60) -> float:
        """Seconds until the topology has held settled for 3 s (a second failover can follow the
        first while the promoted master is slow to answer)."""
        started = time.time()
        steady_since = None
        while time.time() - started < seconds:
            if self.settled():
                steady_since = steady_since or time.time()
                if time.time() - steady_since >= 3:
                    return time.time() - started
            else:
                steady_since = None
            time.sleep(0.25)
        raise RuntimeError(f"the Sentinel topology did not settle in {seconds:.0f} s")

    def flushall(self) -> str:
        port = self.master_port()
        redis_cli(port, "FLUSHALL")
        return f"FLUSHALL on the master :{port} (and so its replica)"

    def stop(self) -> None:
        for path in [os.path.join(self.directory, f"sentinel-{n}", "sentinel.pid") for n in range(3)] + [
                os.path.join(self.directory, f"redis-{n}", "redis.pid") for n in range(2)]:
            try:
                os.kill(int(open(path).read().strip()), signal.SIGKILL)
            except (OSError, ValueError):
                pass


class ClusterRedis:
    """ops/redis-cluster.sh: 3 masters + 3 replicas, node timeout 1 s, no persistence."""

    kinds = ["redis_failover", "redis_flushall"]

    def __init__(self, root: str, directory: str):
        self.root, self.directory = root, directory
        ports, base = [], 16830
        while len(ports) < 6:
            port = free_port(base)
            if free_port(port + 10000) == port + 10000:  # the cluster bus port too
                ports.append(port)
            base = port + 1
        self.ports = ports
        self.url = "redis-cluster://" + ",".join(f"127.0.0.1:{p}" for p in ports[:3])

    def start(self) -> None:
        subprocess.run(["bash", os.path.join(self.root, "ops/redis-cluster.sh"), "start", self.directory, "--ports",
                        ",".join(map(str, self.ports))], check=True, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        subprocess.run(["bash", os.path.join(self.root, "ops/redis-cluster.sh"), "stop", self.directory],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def masters(self) -> list[int]:
        for port in self.ports:
            try:
                nodes = redis_cli(port, "CLUSTER", "NODES", timeout=2)
            except subprocess.TimeoutExpired:
                continue
            if nodes:
                return sorted(int(line.split()[1].split("@")[0].split(":")[1]) for line in nodes.splitlines()
                              if "master" in line.split()[2] and "fail" not in line.split()[2])
        return []

    def healthy(self) -> bool:
        return all("cluster_state:ok" in redis_cli(port, "CLUSTER", "INFO") for port in self.ports)

    def failover(self) -> str:
        old = self.masters()[0]
        pid = pid_of(old)
        os.kill(pid, signal.SIGKILL)
        started = time.time()
        while time.time() - started < 30 and old in self.masters():
            time.sleep(0.2)
        took = time.time() - started
        if old in self.masters():
            raise RuntimeError(f"no replica took over from :{old} in 30 s")
        subprocess.run(["redis-server", os.path.join(self.directory, str(old), "redis.conf")], check=True,
                       stdout=subprocess.DEVNULL)
        wait_ping(old)
        while time.time() - started < 60 and not self.healthy():
            time.sleep(0.2)
        return f"kill -9 the cluster master :{old} (pid {pid}); its replica took over in {took:.1f} s; it rejoined"

    def flushall(self) -> str:
        masters = self.masters()
        for port in masters:
            redis_cli(port, "FLUSHALL")
        return f"FLUSHALL on every master ({', '.join(f':{p}' for p in masters)})"


def make(kind: str, root: str, directory: str, services: str, port: int, pg_port: int):
    if kind == "sentinel":
        return SentinelRedis(os.path.join(directory, "sentinel"))
    if kind == "cluster":
        return ClusterRedis(root, os.path.join(directory, "cluster"))
    return SingleRedis(root, services, port, pg_port)

