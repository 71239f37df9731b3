"""Where the broker's time goes: `bench/profiles/broker.sh LABEL` writes bench/profiles/broker-LABEL.txt.

One private Redis; `velocity bench broker --profile` runs its three phases (single enqueue,
bulk enqueue, drain) and reports, per job, Redis' process CPU, the broker scripts' time and the
commands they run (INFO commandstats, reset before each phase). Meanwhile `perf record -e
cpu-clock` samples the Redis server (software clock: this machine has no hardware counters);
the summary keeps its top symbols. Figures of one run; the rates are noisy, the per-job command
counts are not.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from loopback import free_port, log


def main() -> None:
    root, label = sys.argv[1], sys.argv[2]
    jobs = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    velocity = os.path.join(root, ".build-release/release/velocity")
    out_path = os.path.join(root, "bench/profiles", f"broker-{label}.txt")
    work = tempfile.mkdtemp(prefix="velocity-profile.")
    port = free_port(16579)
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", work], stdout=subprocess.DEVNULL)
    perf = None
    try:
        time.sleep(0.5)
        if shutil.which("perf"):
            perf = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F", "2000", "-p", str(redis.pid),
                                     "-o", os.path.join(work, "perf.data")], stderr=subprocess.DEVNULL)
            time.sleep(0.3)
        command = [velocity, "bench", "broker", "--redis-url", f"redis://127.0.0.1:{port}", "--jobs", str(jobs),
                   "--profile", "--json"]
        log(" ".join(command))
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        symbols = ""
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait()
            report = subprocess.run(["perf", "report", "-i", os.path.join(work, "perf.data"), "--stdio",
                                     "--no-children", "--sort", "dso,symbol"], capture_output=True, text=True)
            symbols = "\n".join(line for line in report.stdout.splitlines()
                                if "%" in line and not line.startswith("#"))[:4000]
    finally:
        if perf and perf.poll() is None:
            perf.kill()
        redis.terminate()
        redis.wait()
        shutil.rmtree(work, ignore_errors=True)

    lines = [f"# Broker profile: {label}", "",
             f"Command: `bench/profiles/broker.sh {label}` ({time.strftime('%Y-%m-%d %H:%M')} UTC, "
             f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}); {jobs} jobs; one run.", "",
             "| phase | jobs/s | Redis CPU µs/job | script µs/job |", "|---|---:|---:|---:|"]
    rates = {"single": result["enqueue_single_per_s"], "bulk": result["enqueue_bulk_per_s"],
             "drain": result["drain_per_s"]}
    for phase in ("single", "bulk", "drain"):
        lines.append(f"| {phase} | {rates[phase]:,.0f} | {result[f'redis_cpu_us_per_job_{phase}']} | "
                     f"{result[f'redis_script_us_per_job_{phase}']} |")
    lines += ["", f"Pickup p50 / p99: {result['pickup_p50_ms']} / {result['pickup_p99_ms']} ms.", ""]
    for phase in ("single", "bulk", "drain"):
        lines += [f"## Redis commands per job: {phase}", "", "| command | calls/job | µs/job |", "|---|---:|---:|"]
        lines += [f"| {name} | {calls} | {usec} |" for name, calls, usec in result[f"redis_commands_{phase}"]]
        lines.append("")
    if symbols:
        lines += ["## redis-server, top symbols (perf record -e cpu-clock, all phases)", "", "```", symbols, "```"]
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    log(f"wrote {out_path}")


if __name__ == "__main__":
    main()
