"""The faults of a chaos run and their seeded schedule. Each fault acts on the real process or
server (SIGKILL, SIGSTOP, FLUSHALL, an immediate PostgreSQL shutdown, a full filesystem), holds it
for a while, and heals it (or leaves the healing to the supervisor, as systemd would)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time

from chaos_redis import restart_services
from chaos_stack import PG_BIN, Stack
from loopback import log

# Faults after which Redis may have lost writes: a job that ran before one may run again after it
# without its attempt being counted (the reconciler re-enqueues it from PostgreSQL).
DATA_LOSS = {"redis_restart", "redis_failover", "redis_flushall"}


class Faults:
    def __init__(self, stack: Stack, rng: random.Random):
        self.stack, self.rng = stack, rng

    def kinds(self) -> list[str]:
        kinds = ["worker_kill", "worker_stall", "agent_kill", "gateway_kill", "comfyui_kill", "llm_kill",
                 "backend_stall", "postgres_restart"] + self.stack.redis.kinds
        if self.stack.blob_mount:
            kinds.append("disk_full")
        return kinds

    def run(self, kind: str) -> str:
        """Injects and heals one fault; what was done, for the log."""
        return getattr(self, kind)()

    # -- processes --------------------------------------------------------------------------------

    def worker_kill(self) -> str:
        unit = self.stack.units[f"worker-{self.rng.randrange(self.stack.cpu_workers) + 1}"]
        unit.kill9()
        return f"kill -9 {unit.name} (its leases expire, the supervisor restarts it)"

    def worker_stall(self) -> str:
        """A worker frozen past its jobs' leases, then thawed: its late acknowledgements must be
        refused (another attempt owns the job by then)."""
        unit = self.stack.units[f"worker-{self.rng.randrange(self.stack.cpu_workers) + 1}"]
        unit.held_until = float("inf")
        unit.signal_group(signal.SIGSTOP)
        time.sleep(7)
        unit.signal_group(signal.SIGCONT)
        unit.held_until = 0.0
        return f"SIGSTOP {unit.name} for 7 s (past its 3 s leases), then SIGCONT"

    def agent_kill(self) -> str:
        unit = self.stack.units["agent"]
        unit.kill9()
        return "kill -9 the agent (its backends live on: the restarted agent must stop them)"

    def gateway_kill(self) -> str:
        unit = self.stack.units[f"gateway-{self.rng.randrange(2) + 1}"]
        unit.kill9(hold=3.0)
        return f"kill -9 {unit.name} mid-request (back after 3 s)"

    def _backend(self, needle: str, name: str) -> int:
        """One of the agent's live backends whose command line holds `needle`, drawn by the seed."""
        pids = self.stack.backends(needle)
        if not pids:
            raise RuntimeError(f"no {name} ran for 30 s")
        return self.rng.choice(pids)

    def comfyui_kill(self) -> str:
        pid = self._backend("emulator comfyui", "emulated ComfyUI")
        os.kill(pid, signal.SIGKILL)
        return f"kill -9 an emulated ComfyUI (pid {pid}); the agent restarts it"

    def llm_kill(self) -> str:
        pid = self._backend("emulator openai", "emulated LLM server")
        os.kill(pid, signal.SIGKILL)
        return f"kill -9 the emulated SGLang (pid {pid}); the agent restarts it"

    def backend_stall(self) -> str:
        """A network peer that stops answering: an emulated ComfyUI frozen mid-render."""
        pid = self._backend("emulator comfyui", "emulated ComfyUI")
        os.kill(pid, signal.SIGSTOP)
        time.sleep(10)
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
        return f"SIGSTOP an emulated ComfyUI (pid {pid}) for 10 s, then SIGCONT"

    # -- servers ----------------------------------------------------------------------------------

    def redis_restart(self) -> str:
        return self.stack.redis.restart()

    def redis_failover(self) -> str:
        return self.stack.redis.failover()

    def redis_flushall(self) -> str:
        return self.stack.redis.flushall()

    def postgres_restart(self) -> str:
        data = os.path.join(os.path.realpath(os.path.join(self.stack.services, "postgres")), "data")
        command = [f"{PG_BIN}/pg_ctl", "-D", data, "stop", "-m", "immediate"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--"] + command
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(3)
        restart_services(self.stack.root, self.stack.services, self.stack.redis_port, self.stack.pg_port)
        return "PostgreSQL stopped in immediate mode (a crash: recovery from WAL), restarted 3 s later"

    def disk_full(self) -> str:
        filler = os.path.join(self.stack.blobs, ".chaos-filler")
        with open(filler, "wb") as f:
            chunk = b"\0" * (1 << 20)
            try:
                while True:
                    f.write(chunk)
                    f.flush()
            except OSError:
                pass
        time.sleep(6)
        os.remove(filler)
        return "the blob store's filesystem full for 6 s (a 256 MiB tmpfs filled to the last byte)"


def schedule(kinds: list[str], count: int, rng: random.Random) -> list[str]:
    """`count` faults: every kind once per round, each round in a seeded order."""
    out: list[str] = []
    while len(out) < count:
        round_ = list(kinds)
        rng.shuffle(round_)
        out.extend(round_)
    return out[:count]


def run_schedule(faults: Faults, plan: list[str], rng: random.Random, events: list[dict]) -> None:
    for number, kind in enumerate(plan, 1):
        time.sleep(rng.uniform(3.0, 6.0))
        started = time.time()
        try:
            what = faults.run(kind)
        except Exception as error:  # a fault that could not be injected is reported, not hidden
            what = f"could not inject: {error}"
            kind = kind + "_failed"
        events.append({"kind": kind, "started": started, "ended": time.time(), "what": what})
        log(f"  fault {number}/{len(plan)} {kind}: {what}")
