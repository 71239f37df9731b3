"""Orchestrator of `bench/run broker-curves`: the broker's drain rate as curves, not points.

One private Redis (no persistence). Every point: `velocity bench drain enqueue` empties the
bench queue, pauses it and bulk-enqueues the backlog; K `velocity bench drain work` processes
start and block on the paused queue; after 1.5 s `velocity bench drain release` resumes it and
times the drain until every job has succeeded (worker start-up is not counted). Curves:

- drain versus worker processes (1, 2, 4), 64 handlers and claims of up to 64 each;
- drain versus claim batch size (1, 8, 32, 64, 128, 256), one worker process with
  max(64, batch) handlers;
- a --backlog job backlog (1,000,000) drained by two worker processes, with Redis'
  `used_memory` before, with the backlog queued and after the drain (finished jobs keep their
  hashes for the result TTL).

Writes bench/results/broker-curves.jsonl, two PNG plots under bench/results/ and the
`broker-curves` section of bench/RESULTS.md; the last stdout line is
  RESULT drain_1w=.. drain_2w=.. drain_4w=.. best_batch=.. backlog_drain_per_s=.. bytes_per_queued_job=..
"""
from __future__ import annotations

import argparse
import json
import os
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
WORKERS = [1, 2, 4]
BATCHES = [1, 8, 32, 64, 128, 256]


def velocity_json(argv: list[str], timeout: float) -> dict:
    out = subprocess.run(argv, check=True, capture_output=True, text=True, timeout=timeout).stdout
    return json.loads(out.strip().splitlines()[-1])


def point(a, url: str, jobs: int, workers: int, batch: int, concurrency: int) -> dict:
    """One drain of a `jobs` backlog by `workers` processes; the enqueue and release figures."""
    common = ["--redis-url", url]
    enqueue = velocity_json([a.velocity, "bench", "drain", "enqueue", *common, "--jobs", str(jobs)], 600)
    procs = [subprocess.Popen([a.velocity, "bench", "drain", "work", *common, "--concurrency", str(concurrency),
                               "--claim-batch", str(batch), "--worker-id", f"curve-{i}"],
                              stdout=subprocess.DEVNULL, start_new_session=True) for i in range(workers)]
    try:
        time.sleep(1.5)
        for p in procs:
            if p.poll() is not None:
                raise SystemExit(f"a worker exited early with {p.returncode}")
        release = velocity_json([a.velocity, "bench", "drain", "release", *common, "--jobs", str(jobs)], 900)
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
    return {"jobs": jobs, "workers": workers, "claim_batch": batch, "concurrency": concurrency, **enqueue, **release}


def median_point(a, url: str, jobs: int, workers: int, batch: int, concurrency: int, rows: list) -> dict:
    runs = []
    for run in range(a.runs):
        r = point(a, url, jobs, workers, batch, concurrency)
        r["run"] = run + 1
        rows.append(r)
        log(f"workers={workers} batch={batch}: {r['drain_per_s']:,.0f} jobs/s, "
            f"Redis {r['redis_cpu_us_per_job']:.1f} µs/job")
        runs.append(r)
    return {k: statistics.median(r[k] for r in runs) if isinstance(runs[0][k], (int, float)) else runs[0][k]
            for k in runs[0]}


def plot(path: str, xs: list, ys: list, xlabel: str, title: str, log_x: bool = False) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
    ax.plot(xs, ys, marker="o")
    if log_x:
        ax.set_xscale("log", base=2)
    ax.set_xticks(xs)
    ax.set_xticklabels([str(x) for x in xs])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("drain, jobs/s")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--velocity", required=True)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--jobs", type=int, default=40000)
    p.add_argument("--backlog", type=int, default=1000000)
    p.add_argument("--cmdline", default="bench/run broker-curves")
    p.add_argument("--loadavg", default="")
    a = p.parse_args()

    work = tempfile.mkdtemp(prefix="velocity-curves.")
    port = free_port(16679)
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", work], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}"
    rows: list[dict] = []
    t0 = time.monotonic()
    try:
        time.sleep(0.5)
        by_workers = [median_point(a, url, a.jobs, k, 64, 64, rows) for k in WORKERS]
        by_batch = [median_point(a, url, a.jobs, 1, b, max(64, b), rows) for b in BATCHES]
        backlog = point(a, url, a.backlog, 2, 64, 64)
        backlog["curve"] = "backlog"
        rows.append(backlog)
        log(f"backlog of {a.backlog:,}: enqueued at {backlog['enqueue_per_s']:,.0f}/s, "
            f"drained at {backlog['drain_per_s']:,.0f}/s")
    finally:
        redis.terminate()
        redis.wait()
        shutil.rmtree(work, ignore_errors=True)

    results = os.path.join(BENCH, "results")
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, "broker-curves.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    plot(os.path.join(results, "broker-curve-workers.png"), WORKERS, [r["drain_per_s"] for r in by_workers],
         "worker processes (64 handlers each)", "Drain vs worker processes (2-core machine, one Redis)")
    plot(os.path.join(results, "broker-curve-batch.png"), BATCHES, [r["drain_per_s"] for r in by_batch],
         "claim batch size (one worker process)", "Drain vs claim batch size", log_x=True)

    mib = 1024 * 1024
    lines = [
        "# Broker scaling curves", "",
        f"Command: `{a.cmdline}` · {time.strftime('%Y-%m-%d %H:%M')} UTC · {os.cpu_count()} CPUs · load average at "
        f"start {a.loadavg} · {a.jobs:,}-job backlogs, median of {a.runs} run(s) per point · took "
        f"{time.monotonic() - t0:.0f} s", "",
        "Each point: the backlog is bulk-enqueued into a paused queue, the worker processes start and block on it, "
        "then the queue is resumed and timed until every job has succeeded (no-op handlers; worker start-up not "
        "counted). One private Redis 7.0 without persistence; workers and Redis share the machine's cores.", "",
        "## Drain versus worker processes", "",
        "| worker processes | drain jobs/s | Redis CPU µs/job |", "|---:|---:|---:|",
        *[f"| {r['workers']} | {r['drain_per_s']:,.0f} | {r['redis_cpu_us_per_job']:.1f} |" for r in by_workers], "",
        "![drain versus worker processes](results/broker-curve-workers.png)", "",
        "## Drain versus claim batch size", "",
        "| claim batch | handlers | drain jobs/s | Redis CPU µs/job |", "|---:|---:|---:|---:|",
        *[f"| {r['claim_batch']} | {r['concurrency']} | {r['drain_per_s']:,.0f} | {r['redis_cpu_us_per_job']:.1f} |"
          for r in by_batch], "",
        "![drain versus claim batch size](results/broker-curve-batch.png)", "",
        f"## A {a.backlog:,}-job backlog", "",
        "| step | figure |", "|---|---:|",
        f"| bulk enqueue | {backlog['enqueue_per_s']:,.0f} jobs/s ({backlog['enqueue_seconds']:.1f} s) |",
        f"| Redis used_memory before | {backlog['used_memory_before'] / mib:,.1f} MiB |",
        f"| with the backlog queued | {backlog['used_memory_after'] / mib:,.1f} MiB: "
        f"{backlog['bytes_per_queued_job']:,.0f} bytes per queued job |",
        f"| drain, 2 worker processes | {backlog['drain_per_s']:,.0f} jobs/s ({backlog['drain_seconds']:.1f} s), "
        f"Redis CPU {backlog['redis_cpu_us_per_job']:.1f} µs/job |",
        f"| used_memory after the drain | {backlog['used_memory_drained'] / mib:,.1f} MiB |", "",
        "A queued job holds its hash (the submission's fields), its ready-index entries (its tenant's set and "
        "`queued_at`) and its share of the capped events stream. After the drain each finished job keeps its hash "
        "(state, result, times) for the result TTL (24 h by default); the finished index is trimmed to the newest "
        "100,000.", "",
        "Raw points: `bench/results/broker-curves.jsonl`.", "",
    ]
    best = max(by_batch, key=lambda r: r["drain_per_s"])
    lines.append(f"RESULT drain_1w={by_workers[0]['drain_per_s']:.0f} drain_2w={by_workers[1]['drain_per_s']:.0f} "
                 f"drain_4w={by_workers[2]['drain_per_s']:.0f} best_batch={best['claim_batch']} "
                 f"backlog_drain_per_s={backlog['drain_per_s']:.0f} "
                 f"bytes_per_queued_job={backlog['bytes_per_queued_job']:.0f}")
    text = "\n".join(lines)
    results_md.replace_section("broker-curves", text)
    print("\n".join(l for l in lines if l.startswith("|")), flush=True)
    print(lines[-1], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
