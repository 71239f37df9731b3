"""bench/run gateway: velocity's gateway vs. a hand-rolled Starlette gateway, under wrk.

Both gateways run on one private Redis and one private PostgreSQL (fsync on, synchronous
commit on: a submit is durable before its 202), started here through ops/services.sh. wrk, a
second process on loopback, drives each with 64 connections: first submits (POST /v1/jobs),
then status reads (GET /v1/jobs/{id}) of jobs that phase created. Each run measures both
gateways back to back; figures are medians over runs. Writes the `gateway` section of
bench/RESULTS.md and bench/results/gateway.jsonl; the last stdout line is
  RESULT submit_per_s=.. submit_p99_ms=.. status_per_s=.. status_ratio=..
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_md  # noqa: E402
from loopback import free_port, log, start_services, stop_services, wait_http  # noqa: E402

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)
HERE = os.path.join(BENCH, "gateway")


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(text: str) -> dict:
    def duration(value: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
        return float(number) * UNITS[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    percentiles = {p: duration(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    failed = int(non2xx.group(1)) if non2xx else 0
    return {
        # wrk's Requests/sec counts error answers too; only successful ones count here.
        "per_s": rps * (requests - failed) / requests if requests else 0.0,
        "wrk_requests_per_s": rps, "p50_ms": percentiles.get("50"), "p90_ms": percentiles.get("90"),
        "p99_ms": percentiles.get("99"), "requests": requests, "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
    }


def wrk(url: str, script: str, args, env: dict) -> dict:
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "-s", script, url]
    output = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
    result = parse_wrk(output)
    if result["non_2xx"] or result["socket_errors"]:
        log(f"WARNING: {result['non_2xx']} non-2xx responses, {result['socket_errors']} socket errors")
    return result


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-Atqc", sql], capture_output=True, text=True, check=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--velocity", required=True)
    parser.add_argument("--cmdline", required=True)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="velocity-gateway-bench.")
    services = os.path.join(tmp, "services")
    processes: list[subprocess.Popen] = []
    redis_port, pg_port = start_services(ROOT, services, 16580, 15580)
    try:
        env = dict(os.environ)
        env["VELOCITY_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}"
        env["VELOCITY_POSTGRES_URL"] = pg_url = f"postgresql://velocity@127.0.0.1:{pg_port}/velocity"
        key = subprocess.run([args.velocity, "keys", "create", "--tenant", "bench", "--role", "submitter"],
                             env=env, capture_output=True, text=True, check=True).stdout.strip()
        env["BENCH_KEY"] = key
        gateway_port, peer_port = free_port(18480), free_port(18580)
        gateway_env = dict(env, VELOCITY_RATE_LIMIT_PER_SECOND="1000000", VELOCITY_RATE_LIMIT_BURST="1000000",
                           VELOCITY_GATEWAY_PORT=str(gateway_port), VELOCITY_BLOB_DIRECTORY=os.path.join(tmp, "blobs"),
                           VELOCITY_LOG_LEVEL="warning")
        gateway = subprocess.Popen([args.velocity, "gateway"], env=gateway_env, stdout=open(os.path.join(tmp, "gateway.log"), "w"),
                                   stderr=subprocess.STDOUT, start_new_session=True)
        processes.append(gateway)
        wait_http(f"http://127.0.0.1:{gateway_port}/health", gateway, "velocity gateway")

        psql(pg_url, "CREATE TABLE peer_jobs (id uuid PRIMARY KEY, kind text NOT NULL, queue text NOT NULL, "
                     "tenant text NOT NULL, payload text NOT NULL, state text NOT NULL, created_at timestamptz NOT NULL)")
        peer_env = dict(env, BENCH_REDIS_URL=env["VELOCITY_REDIS_URL"], BENCH_POSTGRES_URL=pg_url)
        peer = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "hand_rolled_gateway:app", "--port", str(peer_port), "--workers", "2",
             "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"],
            cwd=HERE, env=peer_env, stdout=open(os.path.join(tmp, "peer.log"), "w"), stderr=subprocess.STDOUT,
            start_new_session=True)
        processes.append(peer)
        wait_http(f"http://127.0.0.1:{peer_port}/v1/jobs/00000000-0000-0000-0000-000000000000", peer, "peer gateway")

        targets = {
            "velocity": (gateway_port, "SELECT id FROM jobs ORDER BY random() LIMIT 5000"),
            "hand-rolled (Starlette + asyncpg + redis-py, 2 workers)": (peer_port, "SELECT id FROM peer_jobs ORDER BY random() LIMIT 5000"),
        }
        runs: list[dict] = []
        for run in range(1, args.runs + 1):
            for name, (port, ids_sql) in targets.items():
                base = f"http://127.0.0.1:{port}"
                log(f"run {run}/{args.runs}: {name}: submits for {args.duration} s")
                submit = wrk(f"{base}/v1/jobs", os.path.join(HERE, "submit.lua"), args, env)
                ids_path = os.path.join(tmp, "ids.txt")
                with open(ids_path, "w") as f:
                    f.write(psql(pg_url, ids_sql))
                log(f"run {run}/{args.runs}: {name}: status reads for {args.duration} s")
                status = wrk(base, os.path.join(HERE, "status.lua"), args, dict(env, BENCH_IDS=ids_path))
                runs.append({"run": run, "target": name, "submit": submit, "status": status})
                log(f"  submit {submit['per_s']:.0f}/s p99 {submit['p99_ms']:.1f} ms; status {status['per_s']:.0f}/s "
                    f"p99 {status['p99_ms']:.1f} ms")
        # Every accepted velocity submit is a row: durable before its 202.
        rows = int(psql(pg_url, "SELECT count(*) FROM jobs").strip())
        accepted = sum(r["submit"]["requests"] - r["submit"]["non_2xx"] for r in runs if r["target"] == "velocity")
        log(f"velocity: {rows} job rows in Postgres for {accepted} accepted submits")
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except Exception:
                pass
        stop_services(ROOT, services)

    def median(target: str, phase: str, metric: str) -> float:
        return statistics.median(r[phase][metric] for r in runs if r["target"] == target)

    names = list(targets)
    lines = [
        "# Gateway benchmark: velocity vs. a hand-rolled gateway",
        "",
        f"Command: `{args.cmdline}` · {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} cores · "
        f"wrk {args.threads} threads, {args.connections} connections, {args.duration} s per phase, "
        f"median of {args.runs} runs.",
        "",
        "| gateway | submit/s | submit p50 / p99 ms | status/s | status p50 / p99 ms | failed requests |",
        "|---|---|---|---|---|---|",
    ]
    for name in names:
        lines.append(
            f"| {name} | {median(name, 'submit', 'per_s'):,.0f} | {median(name, 'submit', 'p50_ms'):.1f} / "
            f"{median(name, 'submit', 'p99_ms'):.1f} | {median(name, 'status', 'per_s'):,.0f} | "
            f"{median(name, 'status', 'p50_ms'):.1f} / {median(name, 'status', 'p99_ms'):.1f} | "
            f"{sum(r[p]['non_2xx'] + r[p]['socket_errors'] for r in runs if r['target'] == name for p in ('submit', 'status')):,} |")
    ours, peer = names
    lines += [
        "",
        f"Ratios (velocity ÷ hand-rolled, same run): submit/s {median(ours, 'submit', 'per_s') / median(peer, 'submit', 'per_s'):.2f}×, "
        f"status/s {median(ours, 'status', 'per_s') / median(peer, 'status', 'per_s'):.2f}×. "
        f"Velocity submits answered 202 {accepted:,}; job rows in Postgres {rows:,} (more: wrk does not count "
        "requests still in flight when a phase ends).",
        "- Rates count successful answers only (wrk's Requests/sec also counts errors and is kept in the raw "
        "figures); failed requests are non-2xx answers plus socket errors (wrk's 2 s timeout) over all runs.",
        "",
        "- Both: one private Redis and PostgreSQL 15 (fsync and synchronous_commit on) on this machine, a "
        "submit is in Postgres before its 202; wrk on the same machine. Velocity: `velocity gateway` (release), "
        "API key auth and the per-tenant rate limit on every request (limit set out of reach; tokens taken from "
        "the shared Redis bucket in blocks, `RateLimiter`), concurrent "
        "submits committed together by `SubmitBatcher`. Peer: `bench/gateway/hand_rolled_gateway.py`, one INSERT "
        "commit per request, 2 uvicorn workers.",
        "- Raw figures: `bench/results/gateway.jsonl`.",
        "",
        f"RESULT submit_per_s={median(ours, 'submit', 'per_s'):.0f} submit_p99_ms={median(ours, 'submit', 'p99_ms'):.1f} "
        f"status_per_s={median(ours, 'status', 'per_s'):.0f} "
        f"status_ratio={median(ours, 'status', 'per_s') / median(peer, 'status', 'per_s'):.2f}",
    ]
    text = "\n".join(lines) + "\n"
    results_md.replace_section("gateway", text)
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", "gateway.jsonl"), "w") as f:
        for r in runs:
            f.write(json.dumps(r) + "\n")
    print(text)


if __name__ == "__main__":
    main()
