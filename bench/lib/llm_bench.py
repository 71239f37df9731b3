"""bench/run llm: the LLM dispatcher against the OpenAI-compatible emulator.

One private Redis and one emulator process (SLOTS decode slots, a fixed per-token time, so its
capacity for a request size is known: slots / (prefill + max_tokens / tokens_per_second)).
Each run, for each client mode, `velocity bench llm` runs the LLM dispatcher in that mode:
  idle phase   chats (llm.chat, 16 tokens) at a steady trickle, alone: their p99 latency;
  batch phase  llm.batch lines (64 tokens) enough for a steady state, plus the same trickle:
               batch lines finished per second over the steady window ÷ capacity = saturation,
               and the chats' p99 ÷ the idle p99 = chat_p99_ratio.
Latency is the broker's (submitted → finished). Modes: `aimd` (the dispatcher as shipped:
AIMD on the server's queue gauges, knowing nothing of the slot count), and naive clients with
a fixed number of requests in flight (`fixed:SLOTS`, which needs the slot count; `fixed:4`,
under-feeding; `fixed:4xSLOTS`, over-feeding). Figures are medians over runs. Writes the `llm`
section of bench/RESULTS.md and bench/results/llm.jsonl; the last stdout line is
  RESULT llm_saturation=.. chat_p99_ratio=..   (the aimd mode)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_md  # noqa: E402
from loopback import free_port, log  # noqa: E402

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def wait_idle(base: str) -> None:
    """Until the emulator has nothing running or queued (requests of an earlier run drain)."""
    for _ in range(600):
        stats = get_json(base + "/emulator/stats")
        if stats["running"] == 0 and stats["queued"] == 0:
            return
        time.sleep(0.1)
    raise SystemExit("the emulator did not drain")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--velocity", required=True)
    parser.add_argument("--cmdline", default="bench/run llm")
    parser.add_argument("--loadavg", default="")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--slots", type=int, default=32)
    parser.add_argument("--tokens-per-second", type=float, default=100.0)
    parser.add_argument("--prefill-ms", type=float, default=20.0)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--chat-rate", type=float, default=4.0)
    parser.add_argument("--idle-seconds", type=float, default=15.0)
    parser.add_argument("--measure-seconds", type=float, default=25.0)
    parser.add_argument("--modes", default="")
    parser.add_argument("--rerender", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rerender:
        rerender(args)
        return
    slots = args.slots
    modes = args.modes.split(",") if args.modes else ["aimd", f"fixed:{slots}", "fixed:4", f"fixed:{4 * slots}"]

    tmp = tempfile.mkdtemp(prefix="velocity-bench-llm.")
    processes: list[subprocess.Popen] = []

    def cleanup(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    signal.signal(signal.SIGTERM, lambda *_: (cleanup(), sys.exit(143)))
    try:
        redis_port = free_port(16579)
        redis = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", tmp, "--logfile", os.path.join(tmp, "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(redis)
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", redis_port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        redis_url = f"redis://127.0.0.1:{redis_port}"

        emulator_port = free_port(30100)
        emulator_cmd = [args.velocity, "emulator", "openai", "--port", str(emulator_port), "--model", "bench",
                        "--slots", str(slots), "--tokens-per-second", str(args.tokens_per_second),
                        "--prefill-ms", str(args.prefill_ms)]
        emulator = subprocess.Popen(emulator_cmd, stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "emu.log"), "w"),
                                    text=True)
        processes.append(emulator)
        ready = emulator.stdout.readline()
        if "ready on" not in ready:
            raise SystemExit(f"the emulator did not start: {ready!r}")
        base = f"http://127.0.0.1:{emulator_port}"
        capacity = get_json(f"{base}/emulator/capacity?max_tokens={args.max_tokens}")
        log(f"emulator: {' '.join(emulator_cmd[1:])}; capacity {capacity['requests_per_second']:.2f} req/s "
            f"at max_tokens={args.max_tokens}")

        rows: list[dict] = []
        for run in range(1, args.runs + 1):
            for mode in modes:
                wait_idle(base)
                command = [args.velocity, "bench", "llm", "--redis-url", redis_url, "--server-url", base, "--mode", mode,
                           "--max-tokens", str(args.max_tokens), "--chat-rate", str(args.chat_rate),
                           "--idle-seconds", str(args.idle_seconds), "--measure-seconds", str(args.measure_seconds)]
                log(f"run {run}/{args.runs}: {mode}")
                output = subprocess.run(command, capture_output=True, text=True, timeout=900)
                if output.returncode != 0:
                    raise SystemExit(f"{mode} failed: {output.stderr[-2000:]}")
                figures = json.loads(output.stdout.strip().splitlines()[-1])
                figures["run"] = run
                rows.append(figures)
                log(f"  saturation {figures['saturation']:.3f}  chat p99 idle {figures['idle_p99_ms']:.0f} ms, "
                    f"busy {figures['busy_p99_ms']:.0f} ms (×{figures['chat_p99_ratio']:.2f}), "
                    f"window mean {figures['window_mean']:.1f}")
    finally:
        cleanup()

    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", "llm.jsonl"), "a") as f:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        for row in rows:
            f.write(json.dumps({"at": stamp, "cmdline": args.cmdline, "loadavg": args.loadavg, **row}) + "\n")
    render(rows, modes, args, capacity)


def rerender(args: argparse.Namespace) -> None:
    """Writes the section again from the last run recorded in bench/results/llm.jsonl."""
    with open(os.path.join(BENCH, "results", "llm.jsonl")) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    last = rows[-1]["at"]
    rows = [row for row in rows if row["at"] == last]
    modes = list(dict.fromkeys(row["mode"] for row in rows))
    args.runs = max(row["run"] for row in rows)
    args.cmdline = rows[-1].get("cmdline", args.cmdline)
    args.loadavg = rows[-1].get("loadavg", args.loadavg)
    args.slots = int(next(m for m in modes if m.startswith("fixed:")).partition(":")[2]) if any(m.startswith("fixed:") for m in modes) else args.slots
    capacity = {"requests_per_second": rows[0]["capacity_rps"], "tokens_per_second": rows[0]["capacity_tokens_per_s"]}
    render(rows, modes, args, capacity)


def render(rows: list[dict], modes: list[str], args: argparse.Namespace, capacity: dict) -> None:
    slots = args.slots
    def median(mode: str, key: str) -> float:
        return statistics.median(row[key] for row in rows if row["mode"] == mode)

    lines = [
        "## llm: the LLM dispatcher against the OpenAI emulator",
        "",
        f"Command: `{args.cmdline}` (load average at start: {args.loadavg}). Emulator: {slots} decode slots, "
        f"{args.tokens_per_second:g} tokens/s per request, {args.prefill_ms:g} ms prefill; batch lines of "
        f"{args.max_tokens // 2}-{args.max_tokens * 3 // 2} tokens (evenly spread, mean {args.max_tokens}), so its capacity is "
        f"{capacity['tokens_per_second']:.0f} tokens/s ({capacity['requests_per_second']:.2f} lines/s). Chats of 16 tokens "
        f"at {args.chat_rate:g}/s: {args.idle_seconds:g} s alone, then {args.measure_seconds:g} s during the batch "
        "(after a 5 s warm-up). Latency is the broker's, submitted → finished. Medians of "
        f"{args.runs} runs; private Redis, one dispatcher process, 2-core development machine.",
        "",
        "| client | saturation (batch tokens/s ÷ capacity) | batch lines/s | chat p99 idle | chat p99 during batch | p99 ratio | in flight |",
        "|---|---|---|---|---|---|---|",
    ]
    names = {"aimd": "**velocity LLMDispatcher (AIMD on SGLang metrics)**"}
    for mode in modes:
        name = names.get(mode, f"naive, fixed {mode.partition(':')[2]} in flight")
        lines.append(
            f"| {name} | {median(mode, 'saturation'):.3f} | {median(mode, 'batch_rps'):.1f} | "
            f"{median(mode, 'idle_p99_ms'):.0f} ms | {median(mode, 'busy_p99_ms'):.0f} ms | "
            f"{median(mode, 'chat_p99_ratio'):.2f} | "
            + (f"window {median(mode, 'window_mean'):.0f} (mean of its settings)" if mode == "aimd" else mode.partition(':')[2])
            + " |")
    headline = "aimd" if "aimd" in modes else modes[0]
    saturation = median(headline, "saturation")
    ratio = median(headline, "chat_p99_ratio")
    lines += [
        "",
        f"Targets: saturation ≥ 0.95 (measured {saturation:.3f}), chat p99 ratio ≤ 2 (measured {ratio:.2f}). "
        "The naive fixed-concurrency client matches only when told the slot count; with fewer requests in flight it "
        "under-feeds the server, with more it queues chats behind the batch at the server.",
        "",
    ]
    results_md.replace_section("llm", "\n".join(lines))
    print(f"RESULT llm_saturation={saturation:.3f} chat_p99_ratio={ratio:.2f}")




if __name__ == "__main__":
    main()
