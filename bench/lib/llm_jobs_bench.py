"""bench/run llm-jobs: qd.score jobs against the OpenAI-compatible emulator answering a share
of them broken, through velocity's LLM dispatcher and through a naive client.

One private Redis + PostgreSQL (ops/services.sh) and one emulator process (SLOTS decode
slots, --broken-json-rate spread evenly over fenced, prose, trailing comma, single quotes,
truncated and schema violation). Each run: `velocity bench llm-jobs` (the dispatcher with the
qd.score processor: recovery, schema check, answers fed back) and the naive peer
(bench/peers/naive_structured_client.py: one request, json.loads, jsonschema, no retry, SLOTS in
flight) score the same JOBS packets. Figures are medians over runs:
  valid_share        jobs ending with a valid QD bundle ÷ jobs
  calls_per_valid    LLM requests ÷ valid bundles
  saturation         the emulator's busy slot-seconds ÷ (slots × time), between 10% and 90% done
Writes the `llm-jobs` section of bench/RESULTS.md and bench/results/llm-jobs.jsonl; last line
  RESULT valid_share=.. naive_valid_share=.. calls_per_valid=.. saturation=..
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
ROOT = os.path.dirname(BENCH)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--velocity", required=True)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--cmdline", default="bench/run llm-jobs")
    parser.add_argument("--loadavg", default="")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--tokens-per-second", type=float, default=400.0)
    parser.add_argument("--broken-rate", type=float, default=0.2)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="velocity-bench-llm-jobs.")
    services = os.path.join(tmp, "services")
    processes: list[subprocess.Popen] = []
    redis_port, pg_port = free_port(16680), free_port(15680)
    log(f"starting Redis :{redis_port} and PostgreSQL :{pg_port}")
    subprocess.run(["bash", os.path.join(ROOT, "ops/services.sh"), "start", services, "--redis-port", str(redis_port),
                    "--postgres-port", str(pg_port)], check=True, stdout=sys.stderr)

    def cleanup(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
        subprocess.run(["bash", os.path.join(ROOT, "ops/services.sh"), "stop", services], stdout=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)

    signal.signal(signal.SIGTERM, lambda *_: (cleanup(), sys.exit(143)))
    rows: list[dict] = []
    try:
        port = free_port(30300)
        emulator_cmd = [args.velocity, "emulator", "openai", "--port", str(port), "--model", "bench",
                        "--slots", str(args.slots), "--tokens-per-second", str(args.tokens_per_second),
                        "--prefill-ms", "20", "--broken-json-rate", str(args.broken_rate), "--seed", "7"]
        emulator = subprocess.Popen(emulator_cmd, stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "emu.log"), "w"),
                                    text=True)
        processes.append(emulator)
        ready = emulator.stdout.readline()
        if "ready on" not in ready:
            raise SystemExit(f"the emulator did not start: {ready!r}")
        base = f"http://127.0.0.1:{port}"
        log(f"emulator: {' '.join(emulator_cmd[1:])}")
        for run in range(1, args.runs + 1):
            log(f"run {run}/{args.runs}: velocity ({args.jobs} qd.score jobs)")
            ours = subprocess.run(
                [args.velocity, "bench", "llm-jobs", "--redis-url", f"redis://127.0.0.1:{redis_port}",
                 "--postgres-url", f"postgresql://velocity@127.0.0.1:{pg_port}/velocity", "--server-url", base,
                 "--jobs", str(args.jobs), "--prompts", os.path.join(ROOT, "prompts")],
                capture_output=True, text=True, timeout=1200)
            if ours.returncode != 0:
                raise SystemExit(f"velocity bench llm-jobs failed: {ours.stderr[-2000:]}")
            figures = json.loads(ours.stdout.strip().splitlines()[-1])
            log(f"  valid {figures['valid_share']:.4f}, calls/valid {figures['calls_per_valid']:.3f}, "
                f"saturation {figures['saturation']:.3f}, {figures['jobs_per_s']:.1f} jobs/s")
            rows.append({"run": run, "client": "velocity", **figures})
            log(f"run {run}/{args.runs}: naive client ({args.slots} in flight)")
            peer = subprocess.run(
                [args.python, os.path.join(BENCH, "peers", "naive_structured_client.py"), "--server-url", base,
                 "--jobs", str(args.jobs), "--concurrency", str(args.slots),
                 "--template", os.path.join(ROOT, "prompts", "qd_score.md")],
                capture_output=True, text=True, timeout=1200)
            if peer.returncode != 0:
                raise SystemExit(f"the naive client failed: {peer.stderr[-2000:]}")
            naive = json.loads(peer.stdout.strip().splitlines()[-1])
            log(f"  valid {naive['valid_share']:.4f}, {naive['jobs_per_s']:.1f} jobs/s")
            rows.append({"run": run, "client": "naive", **naive})
    finally:
        cleanup()

    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    with open(os.path.join(BENCH, "results", "llm-jobs.jsonl"), "a") as f:
        for row in rows:
            f.write(json.dumps({"at": stamp, "cmdline": args.cmdline, "loadavg": args.loadavg, **row}) + "\n")

    def median(client: str, key: str) -> float:
        return statistics.median(row[key] for row in rows if row["client"] == client)

    valid, naive_valid = median("velocity", "valid_share"), median("naive", "valid_share")
    calls, saturation = median("velocity", "calls_per_valid"), median("velocity", "saturation")
    lines = [
        "## llm-jobs: qd.score with broken model JSON",
        "",
        f"Command: `{args.cmdline}` (load average at start: {args.loadavg}). Emulator: {args.slots} decode slots, "
        f"{args.tokens_per_second:g} tokens/s per request, 20 ms prefill, answers to `response_format` broken at a rate of "
        f"{args.broken_rate:g} spread evenly over fenced, prose-wrapped, trailing comma, single quotes, truncated "
        f"(finish_reason length) and schema-violating. {args.jobs} qd.score packets per run; medians of {args.runs} runs; "
        "private Redis and PostgreSQL, 2-core development machine.",
        "",
        "| client | valid share | LLM calls per valid | slot saturation | jobs/s |",
        "|---|---|---|---|---|",
        f"| **velocity** (LLM dispatcher: recovery, schema check, answers fed back ≤ 3) | {valid:.4f} | {calls:.3f} | "
        f"{saturation:.3f} | {median('velocity', 'jobs_per_s'):.1f} |",
        f"| naive client (json.loads + jsonschema, no retry, {args.slots} in flight) | {naive_valid:.4f} | "
        f"{median('naive', 'calls_per_valid'):.3f} | — | {median('naive', 'jobs_per_s'):.1f} |",
        "",
        f"Targets: valid share ≥ 0.995 (measured {valid:.4f}), calls per valid ≤ 1.3 (measured {calls:.3f}), saturation ≥ "
        f"0.95 (measured {saturation:.3f}). Fenced, prose, trailing-comma and single-quoted answers are recovered in place; "
        "truncated and schema-violating ones cost one more call with the validator's messages fed back.",
        "",
    ]
    results_md.replace_section("llm-jobs", "\n".join(lines))
    print(f"RESULT valid_share={valid:.4f} naive_valid_share={naive_valid:.4f} calls_per_valid={calls:.3f} "
          f"saturation={saturation:.3f}")


if __name__ == "__main__":
    main()
