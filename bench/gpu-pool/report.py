"""bench/run gpu-pool's report: medians of the runs' JSON lines (one per `velocity bench gpu-pool`),
the gpu-pool section of bench/RESULTS.md, bench/results/gpu-pool.jsonl, and the RESULT line."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import results_md  # noqa: E402

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs-file", required=True)
    parser.add_argument("--cmdline", required=True)
    parser.add_argument("--loadavg", default="")
    parser.add_argument("--redis-version", default="")
    args = parser.parse_args()

    runs = [json.loads(line) for line in open(args.runs_file) if line.strip()]
    by_worker: dict[str, list[dict]] = {}
    for run in runs:
        by_worker.setdefault(run["worker"], []).append(run)
    if "prefetch" not in by_worker:
        sys.exit("no prefetch runs")
    first = by_worker["prefetch"][0]
    gpus, render, jobs = first["gpus"], first["render_seconds"], first["jobs"]

    def median(worker: str, key: str) -> float:
        return statistics.median(run[key] for run in by_worker[worker])

    rows = []
    for worker, label in (("prefetch", "velocity media worker (prefetch)"), ("naive", "naive worker (upload after claim)")):
        if worker not in by_worker:
            continue
        values = ", ".join(f"{run['efficiency']:.3f}" for run in by_worker[worker])
        rows.append(
            f"| {label} | {median(worker, 'wall_seconds'):.2f} s | {median(worker, 'jobs_per_second'):.3f} "
            f"| {median(worker, 'efficiency'):.3f} | {values} |")
    efficiency = median("prefetch", "efficiency")
    naive = median("naive", "efficiency") if "naive" in by_worker else None
    ideal_wall = jobs * render / gpus
    text = "\n".join([
        "## gpu-pool: media workers keeping emulated GPUs busy",
        "",
        f"`{args.cmdline}` — {time.strftime('%Y-%m-%d')}, {gpus} emulated GPUs (in-process ComfyUI emulators), "
        f"{render:g} s renders, {jobs} Dream Weaver jobs submitted at once, private Redis {args.redis_version}, "
        f"load average before the runs {args.loadavg}. Medians of {len(by_worker['prefetch'])} runs.",
        "",
        f"Efficiency = completed jobs per second ÷ (GPUs ÷ render time) = {ideal_wall:g} s ÷ wall time. "
        "Target ≥ 0.97.",
        "",
        "| worker | wall (ideal {:g} s) | jobs/s (ideal {:.3f}) | efficiency | runs |".format(ideal_wall, gpus / render),
        "|---|---|---|---|---|",
        *rows,
        "",
        "The naive worker is the same code with prefetch off: it claims a job, reads and uploads its photo, renders, "
        "fetches and stores the output, then claims the next, as hand-rolled workers do; its GPU waits during every "
        "claim, upload and store. The velocity worker claims and uploads the next job while the current one renders, "
        "and stores a finished render while the next one runs.",
        "",
    ])
    results_md.replace_section("gpu-pool", text)
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", "gpu-pool.jsonl"), "a") as f:
        for run in runs:
            f.write(json.dumps({**run, "cmdline": args.cmdline, "date": time.strftime("%Y-%m-%dT%H:%M:%S")}) + "\n")
    result = f"RESULT pool_efficiency={efficiency:.3f}"
    if naive is not None:
        result += f" naive_efficiency={naive:.3f}"
    print(result)


if __name__ == "__main__":
    main()
