"""Orchestrator of `bench/run fairness` (run by bench/fairness/run.sh inside bench/.venv).

One private Redis on loopback. Each run, in this order, each phase on a flushed Redis with fresh
worker processes:

  velocity alone   the light tenant only: one interactive job every --interval-ms (200 of them)
  velocity mixed   heavy floods --heavy-jobs batch jobs; once half of them ran light queues --light-batch
                   of the same priority; light's interactive jobs (priority 10) every --interval-ms
                   until both batches are done
  velocity unfair  mixed again with the queue's fair share off (`fair: false`): the drain it is
                   compared with
  bullmq alone, bullmq mixed   the same through BullMQ's Python port (bench/peers/bullmq_fairness.py)

--workers (4) worker processes with --concurrency (16) each: `velocity worker --handler noop`, or
bullmq.Worker processes. Figures (medians over --runs):

  light_p99_ratio   p99 of the interactive jobs' wait (claimed − created, the scripts' clock) in
                    mixed ÷ the same alone
  light_share       the light tenant's share of the jobs finished while both were backlogged (from
                    the light batch's arrival until either batch was done)
  throughput_cost   1 − drain rate (both batches, first queued to last done) with fair share ÷ without
  eta_error         median |predicted − actual| ÷ actual of the time to done of 50 light batch jobs,
                    predicted by the ETA their status showed right after they were queued
  peer_light_p99_ratio   light_p99_ratio of BullMQ

Writes bench/RESULTS.md (section "fairness") and bench/results/fairness.jsonl; the last stdout line
is `RESULT light_p99_ratio=.. light_share=.. throughput_cost=.. eta_error=.. peer_light_p99_ratio=..`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_md  # noqa: E402
from loopback import free_port, log  # noqa: E402

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUEUE = "fairbench"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, int(round(p * len(ordered) + 0.5)) - 1))]


class Redis:
    def __init__(self, directory: str):
        self.port = free_port(16520)
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", directory, "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=sys.stderr)
        for _ in range(100):
            if self.cli("PING") == "PONG":
                return
            time.sleep(0.05)
        raise SystemExit("redis-server did not start")

    def cli(self, *command: str) -> str:
        done = subprocess.run(["redis-cli", "-p", str(self.port), *command], capture_output=True, text=True)
        return done.stdout.strip()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def velocity_phase(args, redis: Redis, phase: str, fair: bool) -> dict:
    redis.cli("FLUSHALL")
    workers = []
    for index in range(args.workers):
        workers.append(subprocess.Popen(
            [args.velocity, "worker", "--queue", QUEUE, "--handler", "noop", "--redis-url", redis.url,
             "--concurrency", str(args.concurrency), "--worker-id", f"fair-{index}"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True))
    try:
        for worker in workers:
            line = worker.stdout.readline()
            if "ready" not in line:
                raise SystemExit(f"a velocity worker did not start: {line!r}")
        command = [args.velocity, "bench", "fairness", "--redis-url", redis.url, "--phase", phase, "--queue", QUEUE,
                   "--heavy-jobs", str(args.heavy_jobs), "--light-batch", str(args.light_batch),
                   "--interval-ms", str(args.interval_ms)] + ([] if fair else ["--fair-off"])
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)


def bullmq_phase(args, redis: Redis, phase: str) -> dict:
    redis.cli("FLUSHALL")
    command = [args.python, os.path.join(BENCH, "peers", "bullmq_fairness.py"), "--redis-url", redis.url,
               "--phase", phase, "--heavy-jobs", str(args.heavy_jobs), "--light-batch", str(args.light_batch),
               "--interval-ms", str(args.interval_ms), "--workers", str(args.workers),
               "--concurrency", str(args.concurrency)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"bullmq {phase} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summarize(alone: dict, mixed: dict, unfair: dict | None) -> dict:
    figures = {
        "alone_p50_ms": percentile(alone["interactive_waits_ms"], 0.5),
        "alone_p99_ms": percentile(alone["interactive_waits_ms"], 0.99),
        "mixed_p50_ms": percentile(mixed["interactive_waits_ms"], 0.5),
        "mixed_p99_ms": percentile(mixed["interactive_waits_ms"], 0.99),
        "drain_per_s": mixed["drained_jobs"] * 1000 / max(mixed["drain_ms"], 1),
    }
    figures["light_p99_ratio"] = figures["mixed_p99_ms"] / max(figures["alone_p99_ms"], 0.001)
    if "window_light" in mixed:
        total = mixed["window_light"] + mixed["window_heavy"]
        figures["light_share"] = mixed["window_light"] / total if total else float("nan")
        errors = [abs(predicted - actual) / actual for predicted, actual, *_ in mixed["eta"] if actual > 0]
        figures["eta_error"] = statistics.median(errors) if errors else float("nan")
        figures["eta_samples"] = len(errors)
    if unfair is not None:
        figures["unfair_drain_per_s"] = unfair["drained_jobs"] * 1000 / max(unfair["drain_ms"], 1)
        figures["throughput_cost"] = 1 - figures["drain_per_s"] / figures["unfair_drain_per_s"]
    if "light_batch_done_ms" in mixed:
        figures["light_batch_done_ms"] = mixed["light_batch_done_ms"]
    return figures


def median_of(runs: list[dict], key: str) -> float:
    values = [run[key] for run in runs if key in run]
    return statistics.median(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--velocity", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--cmdline", required=True)
    parser.add_argument("--loadavg", default="")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--heavy-jobs", type=int, default=50000)
    parser.add_argument("--light-batch", type=int, default=1000)
    parser.add_argument("--interval-ms", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="velocity-fairness.")
    redis = Redis(directory)
    ours, peers = [], []
    try:
        for run in range(1, args.runs + 1):
            log(f"run {run}/{args.runs}: velocity alone")
            alone = velocity_phase(args, redis, "alone", True)
            log(f"run {run}/{args.runs}: velocity mixed (fair share on)")
            mixed = velocity_phase(args, redis, "mixed", True)
            log(f"run {run}/{args.runs}: velocity mixed (fair share off)")
            unfair = velocity_phase(args, redis, "mixed", False)
            ours.append(summarize(alone, mixed, unfair))
            log(f"  velocity: {json.dumps({k: round(v, 3) for k, v in ours[-1].items()})}")
            if not args.no_peer:
                log(f"run {run}/{args.runs}: bullmq alone, mixed")
                peers.append(summarize(bullmq_phase(args, redis, "alone"), bullmq_phase(args, redis, "mixed"), None))
                log(f"  bullmq: {json.dumps({k: round(v, 3) for k, v in peers[-1].items()})}")
    finally:
        redis.stop()
        shutil.rmtree(directory, ignore_errors=True)

    result = {key: median_of(ours, key) for key in ours[0]}
    peer = {key: median_of(peers, key) for key in peers[0]} if peers else {}
    record = {"when": dt.datetime.now().isoformat(timespec="seconds"), "command": args.cmdline, "runs": args.runs,
              "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {args.loadavg}", "velocity": ours,
              "bullmq": peers}
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", "fairness.jsonl"), "a") as f:
        f.write(json.dumps(record) + "\n")

    def cell(figures: dict, key: str, digits: int = 1) -> str:
        value = figures.get(key)
        return "—" if value is None or value != value else f"{value:,.{digits}f}"

    lines = [
        "## Fair share under a flood (`bench/run fairness`)",
        "",
        f"`{args.cmdline}` — {record['when']}, {record['machine']}; medians of {args.runs} runs. "
        f"Heavy tenant: {args.heavy_jobs:,} no-op batch jobs; light tenant: a {args.light_batch:,}-job batch of the "
        f"same priority once half of the flood had run, and one interactive job (higher priority) every {args.interval_ms} ms; "
        f"{args.workers} worker processes × concurrency {args.concurrency}, one private Redis.",
        "",
        "| | velocity (fair share) | velocity (fair share off) | BullMQ (Python) |",
        "|---|---:|---:|---:|",
        f"| interactive wait alone, p50 / p99 (ms) | {cell(result, 'alone_p50_ms')} / {cell(result, 'alone_p99_ms')} | "
        f"| {cell(peer, 'alone_p50_ms')} / {cell(peer, 'alone_p99_ms')} |",
        f"| interactive wait under the flood, p50 / p99 (ms) | {cell(result, 'mixed_p50_ms')} / "
        f"{cell(result, 'mixed_p99_ms')} | | {cell(peer, 'mixed_p50_ms')} / {cell(peer, 'mixed_p99_ms')} |",
        f"| p99 ratio (flood ÷ alone; target ≤ 2) | **{cell(result, 'light_p99_ratio', 2)}** | | "
        f"{cell(peer, 'light_p99_ratio', 2)} |",
        f"| light tenant's share while both backlogged (target ≥ 0.45) | **{cell(result, 'light_share', 3)}** | | — |",
        f"| drain of both batches (jobs/s) | {cell(result, 'drain_per_s', 0)} | {cell(result, 'unfair_drain_per_s', 0)} "
        f"| {cell(peer, 'drain_per_s', 0)} |",
        f"| throughput cost of fair share (target ≤ 0.10) | **{cell(result, 'throughput_cost', 3)}** | | |",
        f"| ETA error, median \\|predicted − actual\\| ÷ actual (target ≤ 0.25) | **{cell(result, 'eta_error', 3)}** "
        f"| | — |",
        f"| light batch done after its arrival (ms) | | | {cell(peer, 'light_batch_done_ms', 0)} |",
        "",
        "BullMQ has no fair share (BullMQ Pro's groups are the paid extra): its light batch waits behind the "
        "whole flood. Waits are claimed − created from each system's own job records (velocity: the scripts' "
        "Redis clock; BullMQ: the handler's start, read in the handler, minus the job's `timestamp`).",
    ]
    results_md.replace_section("fairness", "\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"RESULT light_p99_ratio={cell(result, 'light_p99_ratio', 3)} light_share={cell(result, 'light_share', 3)} "
          f"throughput_cost={cell(result, 'throughput_cost', 3)} eta_error={cell(result, 'eta_error', 3)} "
          f"peer_light_p99_ratio={cell(peer, 'light_p99_ratio', 3)}")


if __name__ == "__main__":
    main()
