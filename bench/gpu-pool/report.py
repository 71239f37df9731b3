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
    gpus, jobs = first["gpus"], first["jobs"]

    def median(worker: str, key: str) -> float:
        return statistics.median(run[key] for run in by_worker[worker])

    losses = ("lost_to_model_loads", "lost_in_prompts", "lost_between_prompts", "lost_at_the_end")

    def lost(worker: str, key: str) -> str:
        # Runs of before the breakdown was measured have none.
        values = [run[key] for run in by_worker[worker] if key in run]
        return f"{statistics.median(values):.3f}" if values else "—"

    rows = []
    for worker, label in (("prefetch", "velocity media worker (prefetch, model-aware claims)"),
                          ("naive", "naive worker (in turn, queue order)")):
        if worker not in by_worker:
            continue
        values = ", ".join(f"{run['efficiency']:.3f}" for run in by_worker[worker])
        rows.append(
            f"| {label} | {median(worker, 'wall_seconds'):.1f} s | {median(worker, 'ideal_wall_seconds'):.1f} s "
            f"| {median(worker, 'efficiency'):.3f} | {median(worker, 'model_loads_per_100'):.1f} | "
            + " | ".join(lost(worker, key) for key in losses) + f" | {values} |")
    efficiency = median("prefetch", "efficiency")
    loads = median("prefetch", "model_loads_per_100")
    naive = median("naive", "efficiency") if "naive" in by_worker else None
    naive_loads = median("naive", "model_loads_per_100") if "naive" in by_worker else None
    text = "\n".join([
        "## gpu-pool: media workers keeping a box's GPUs busy",
        "",
        f"`{args.cmdline}` — {time.strftime('%Y-%m-%d')}, {gpus} emulated L4s (in-process ComfyUI emulators), "
        f"{jobs} Dream Weaver jobs queued at once, a 50/50 mix of {' and '.join(first['workflows'])} (different "
        f"checkpoints; one fits in an L4 beside a render, another loads in {first['model_load_seconds']:g} s), "
        f"renders of median {first['render_seconds']:g} s (log-normal, sigma {first['render_spread']:g}, drawn from "
        f"each job's seed), {first['photo_mb']} MB photos in, {first['output_mb']} MB PNGs out at "
        f"{first['bandwidth_mb_per_s']:g} MB/s per backend; both workers get the same job list (seed {first['seed']}). "
        f"Private Redis {args.redis_version}, load average before the runs {args.loadavg}. "
        f"Medians of {len(by_worker['prefetch'])} runs.",
        "",
        "Efficiency = the GPUs' busy time (each render's sampling as it took, the emulators' own sum) ÷ (GPUs × wall time): the share of GPU time "
        "spent rendering. Targets: ≥ 0.95 where the naive worker is ≤ 0.85, model loads per 100 jobs ≤ a third of "
        "naive's.",
        "",
        "| worker | wall | ideal wall | efficiency | model loads per 100 jobs | lost: loading models | lost: a prompt's "
        "other nodes | lost: between prompts | lost: at the end | runs |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "The naive worker claims a job in queue order, reads and uploads its photo, renders (loading the "
        "checkpoint when the previous job used the other one), fetches and stores the output, then claims the next, "
        "as hand-rolled workers do. The velocity worker claims and uploads the next job 1.5 s before the current "
        "render's estimated end, stores a finished render while the next one runs, and claims the jobs of the "
        "workflow its GPU holds ahead of older ones of the other (never ahead of a job accepted 30 s before them; "
        "a claim looks through the 64 oldest for one).",
        "",
        "The lost columns split the GPU time that was not sampling (shares of GPUs × wall, from the emulators' own "
        "clocks): loading checkpoints (a GPU whose workflow's jobs ran out loads the other); a prompt's other nodes "
        "(hashing and decoding the photo, saving the PNG: ComfyUI's own work, which no worker can overlap); the "
        "executor waiting between two prompts (the websocket's end message, the worker's `POST /prompt`); and each "
        "GPU idle after its last prompt while the others finish the backlog.",
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
    result += f" model_loads_per_100={loads:.1f}"
    if naive_loads is not None:
        result += f" naive_model_loads_per_100={naive_loads:.1f}"
    print(result)


if __name__ == "__main__":
    main()
