"""The processes of a chaos run and their supervisor: a private Redis (AOF) and PostgreSQL, two
gateways, CPU workers that journal their attempts, and a GPU box agent over emulated GPUs
(emulated ComfyUIs and an emulated SGLang), each restarted like systemd's Restart=always would
after it dies. See chaos_bench.py."""
from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.request

import chaos_redis
from loopback import free_port, log, start_services, stop_services, wait_http

PG_BIN = "/usr/lib/postgresql/15/bin"


class Managed:
    """One supervised process (its own process group, like a systemd unit's cgroup)."""

    def __init__(self, name: str, argv: list[str], env: dict, log_path: str, ready=None, restart_after: float = 1.0):
        self.name, self.argv, self.env, self.log_path = name, argv, env, log_path
        self.ready, self.restart_after = ready, restart_after
        self.process: subprocess.Popen | None = None
        self.held_until = 0.0  # no restart before this time (a fault holds it down)
        self.starts = 0

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, env=self.env, start_new_session=True, stdin=subprocess.DEVNULL,
                                        stdout=open(self.log_path, "a"), stderr=subprocess.STDOUT)
        self.starts += 1

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, sig: int) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass

    def kill9(self, hold: float = 0.0) -> None:
        self.held_until = time.time() + max(hold, self.restart_after)
        self.signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def stop(self) -> None:
        if self.alive():
            self.signal_group(signal.SIGCONT)
            self.signal_group(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self.process.wait()


class Stack:
    """Everything of one run, in `directory`; `start()` brings it up, `stop()` takes it down."""

    def __init__(self, root: str, velocity: str, directory: str, cpu_workers: int, gpus: int, render_seconds: float,
                 redis: str = "single"):
        self.root, self.velocity, self.directory, self.redis_kind = root, velocity, directory, redis
        self.cpu_workers, self.gpus, self.render_seconds = cpu_workers, gpus, render_seconds
        self.services = os.path.join(directory, "services")
        self.blobs = os.path.join(directory, "blobs")
        self.logs = os.path.join(directory, "logs")
        self.journals = os.path.join(directory, "journals")
        self.units: dict[str, Managed] = {}
        self.blob_mount = False
        self._stop = threading.Event()
        self._supervisor: threading.Thread | None = None

    # -- bring-up -------------------------------------------------------------------------------

    @staticmethod
    def wipe(root: str, directory: str) -> None:
        """An empty `directory`: what an earlier run left there (its servers, its blob mount,
        its records) would otherwise join this one."""
        if os.path.isdir(os.path.join(directory, "services")):
            stop_services(root, os.path.join(directory, "services"))
        blobs = os.path.realpath(os.path.join(directory, "blobs"))
        if any(line.split()[1] == blobs for line in open("/proc/mounts") if len(line.split()) > 1):
            subprocess.run(["umount", "-l", blobs], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)

    def start(self) -> None:
        for path in (self.blobs, self.logs, self.journals):
            os.makedirs(path, exist_ok=True)
        self.blob_mount = self._mount_blobs()
        self.redis_port, self.pg_port = start_services(self.root, self.services, 16800, 15800)
        self.redis = chaos_redis.make(self.redis_kind, self.root, self.directory, self.services, self.redis_port,
                                      self.pg_port)
        self.redis.start()
        self.redis_url = self.redis.url
        self.pg_url = f"postgresql://velocity@127.0.0.1:{self.pg_port}/velocity"
        self.env = dict(os.environ, VELOCITY_REDIS_URL=self.redis_url, VELOCITY_POSTGRES_URL=self.pg_url,
                        VELOCITY_BLOB_DIRECTORY=self.blobs, VELOCITY_LOG_LEVEL="info")
        self.key = subprocess.run([self.velocity, "keys", "create", "--tenant", "chaos", "--role", "operator"],
                                  env=self.env, capture_output=True, text=True, check=True).stdout.strip()
        self.gateway_ports = []
        for index in range(2):
            port = free_port(18900 + 10 * index)
            self.gateway_ports.append(port)
            self._add(f"gateway-{index + 1}", [self.velocity, "gateway"],
                      dict(self.env, VELOCITY_GATEWAY_PORT=str(port), VELOCITY_RATE_LIMIT_PER_SECOND="0",
                           VELOCITY_DASHBOARD_SAMPLE_MS="1000"),
                      ready=f"http://127.0.0.1:{port}/health", restart_after=2.0)
        for index in range(self.cpu_workers):
            worker = f"cpu-{index + 1}"
            self._add(f"worker-{index + 1}",
                      [self.velocity, "worker", "--queue", "cpu", "--handler", "sleep:100", "--concurrency", "8",
                       "--worker-id", worker, "--journal", os.path.join(self.journals, f"{worker}.jsonl")], self.env)
        self._add("agent", [self.velocity, "agent", "--config", self._agent_config(), "--box", "chaos-box"],
                  dict(self.env, VELOCITY_WORKFLOW=os.path.join(self.root, "workflows/dream_weaver.manifest.json"),
                       VELOCITY_PROMPTS=os.path.join(self.root, "prompts")), restart_after=2.0)
        for unit in self.units.values():
            unit.start()
        for unit in self.units.values():
            if unit.ready:
                wait_http(unit.ready, unit.process, unit.name)
        self.wait_box_ready(240)
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)
        self._supervisor.start()

    def _add(self, name: str, argv: list[str], env: dict, ready=None, restart_after: float = 1.0) -> None:
        self.units[name] = Managed(name, argv, env, os.path.join(self.logs, f"{name}.log"), ready, restart_after)

    def _mount_blobs(self) -> bool:
        """A 256 MiB tmpfs under the blob store where this user may mount one, so the disk-full
        fault fills a real filesystem; else the fault is skipped."""
        if os.geteuid() != 0:
            return False
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", self.blobs],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return done.returncode == 0

    def _agent_config(self) -> str:
        """The emulated box (JSON is YAML): 4 GPUs in split mode — an emulated ComfyUI on each of
        the first two, an emulated SGLang over the other two."""
        comfyui_base = free_port(18300)
        while any(free_port(comfyui_base + i) != comfyui_base + i for i in range(self.gpus)):
            comfyui_base += self.gpus
        config = {
            "box": "chaos-box", "initial_mode": "split",
            "nvidia_smi": [self.velocity, "emulator", "nvidia-smi", "--count", str(self.gpus)],
            "comfyui": {"command": [
                "{velocity}", "emulator", "comfyui", "--listen", "127.0.0.1", "--port", "{port}", "--input-directory",
                "{input_dir}", "--output-directory", "{output_dir}", "--temp-directory", "{temp_dir}",
                "--extra-model-paths-config", "{extra_model_paths}", "--render-seconds", str(self.render_seconds),
                "--cuda-device", "{gpu_index}"], "environment": {"CUDA_VISIBLE_DEVICES": "{gpu_uuid}"}},
            "comfyui_base_port": comfyui_base,
            "llm": {"command": ["{velocity}", "emulator", "openai", "--port", "{port}", "--model", "chaos-llm",
                                "--slots", "16", "--tokens-per-second", "400"]},
            "llm_port": free_port(18400),
            "work_directory": os.path.join(self.directory, "agent"),
            "hydration": {"manifests": os.path.join(self.root, "hydration/dev"),
                          "root": os.path.join(self.directory, "models")},
            "drain_deadline_seconds": 10, "readiness_timeout_seconds": 60, "max_restart_backoff_seconds": 2,
            "max_consecutive_start_failures": 1000,
        }
        path = os.path.join(self.directory, "agent.yaml")
        with open(path, "w") as f:
            json.dump(config, f, indent=2)
        return path

    # -- supervision ----------------------------------------------------------------------------

    def _supervise(self) -> None:
        while not self._stop.wait(0.25):
            for unit in self.units.values():
                if not unit.alive() and time.time() >= unit.held_until:
                    log(f"  supervisor: restarting {unit.name}")
                    unit.start()

    def stop(self) -> None:
        self._stop.set()
        if self._supervisor:
            self._supervisor.join()
        for unit in self.units.values():
            unit.stop()
        if hasattr(self, "redis"):
            self.redis.stop()
        stop_services(self.root, self.services)
        if self.blob_mount:
            subprocess.run(["umount", "-l", self.blobs], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # -- reads ----------------------------------------------------------------------------------

    def get(self, path: str, port: int | None = None, timeout: float = 10):
        request = urllib.request.Request(f"http://127.0.0.1:{port or self.gateway_ports[0]}{path}",
                                         headers={"Authorization": f"Bearer {self.key}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()

    def box_ready(self) -> bool:
        try:
            _, body = self.get("/v1/gpus")
        except Exception:
            return False
        boxes = json.loads(body)["data"]
        return any(box.get("alive") and box.get("mode") == "split" and sum(
            1 for gpu in box.get("gpus", []) if gpu.get("backend_state") == "consuming") >= 2 for box in boxes)

    def wait_box_ready(self, seconds: float) -> bool:
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.box_ready():
                return True
            time.sleep(0.5)
        raise SystemExit(f"the emulated box did not come up in {seconds:.0f} s: see {self.logs}/agent.log")

    def backends(self, needle: str, wait: float = 30.0) -> list[int]:
        """Live pids of the agent's backends whose command line holds `needle` ("emulator
        comfyui", "emulator openai"), from the pid files its lanes keep; waits up to `wait`
        seconds for one (after an agent restart they take a moment)."""
        deadline = time.time() + wait
        while True:
            found = []
            for path in glob.glob(os.path.join(self.directory, "agent", "*", "backend.pid")):
                try:
                    pid = int(open(path).read().strip())
                    cmdline = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
                except (OSError, ValueError):
                    continue
                if needle in cmdline:
                    found.append(pid)
            if found or time.time() > deadline:
                return sorted(found)
            time.sleep(0.5)

    def psql(self, sql: str) -> list[list[str]]:
        done = subprocess.run([f"{PG_BIN}/psql", "-X", "-q", "-A", "-t", "-F", "\t", "-h", "127.0.0.1", "-p",
                               str(self.pg_port), "-U", "velocity", "-d", "velocity", "-c", sql],
                              capture_output=True, text=True, check=True)
        return [line.split("\t") for line in done.stdout.splitlines() if line]
