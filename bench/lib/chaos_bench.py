"""bench/run chaos: a steady mixed load through two gateways while a seeded schedule injects
faults, then a checker over PostgreSQL, the blob store and the workers' journals.

Load: clients submit no-op CPU jobs (`cpu.task`, run by `velocity worker --handler sleep:100`
with 3 s leases), LLM chats (`llm.chat`, on the box's emulated SGLang) and Dream Weaver renders
(on its emulated ComfyUIs), each request with an Idempotency-Key and retried, key unchanged, on
the other gateway when it gets no answer or a 5xx. Faults (chaos_faults.py): kill -9 of a worker,
the agent, a gateway, an emulated ComfyUI and the LLM server; a worker frozen past its leases; a
ComfyUI that stops answering; Redis killed and restarted from its AOF; FLUSHALL; PostgreSQL
crashed and restarted; the blob store's filesystem full. Afterwards every accepted job must end
(chaos_check.py). The last line is
  RESULT accepted=<n> lost=<0> unexplained_duplicates=<0> stale_acks_accepted=<0> faults=<k> …
"""
from __future__ import annotations

import argparse
import glob
import http.client
import json
import os
import random
import re
import struct
import sys
import tempfile
import threading
import time
import uuid
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_md  # noqa: E402
from chaos_check import TERMINAL, check  # noqa: E402
from chaos_faults import DATA_LOSS, Faults, run_schedule, schedule  # noqa: E402
from chaos_stack import Stack  # noqa: E402
from loopback import log  # noqa: E402

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)


def png(width: int, height: int) -> bytes:
    raw = b"".join(b"\x00" + bytes((180, 140, 90)) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


class Load:
    """Client threads submitting at `rate` per second in all, until stopped."""

    MIX = [("cpu", 0.85), ("llm", 0.10), ("render", 0.05)]

    def __init__(self, stack: Stack, rate: float, threads: int, seed: int):
        self.stack, self.rate, self.threads = stack, rate, threads
        self.rng = random.Random(seed)
        self.records: list[dict] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.sequence = 0
        self.image = png(64, 48)
        self.started = 0.0

    def next_kind(self) -> tuple[int, str]:
        with self.lock:
            self.sequence += 1
            roll, total = self.rng.random(), 0.0
            for kind, share in self.MIX:
                total += share
                if roll < total:
                    return self.sequence, kind
            return self.sequence, "cpu"

    def request(self, number: int, kind: str, key: str) -> tuple[str, str, bytes, dict]:
        headers = {"Authorization": f"Bearer {self.stack.key}", "Idempotency-Key": key}
        if kind == "render":
            boundary = uuid.uuid4().hex
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                     for name, value in (("room_type", "living_room"), ("style", f"chaos {number}"))]
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="room.png"\r\n'
                         f'Content-Type: image/png\r\n\r\n'.encode() + self.image + b"\r\n")
            parts.append(f"--{boundary}--\r\n".encode())
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
            return "POST", "/dream-weaver", b"".join(parts), headers
        if kind == "llm":
            body = {"kind": "llm.chat", "max_attempts": 10, "payload": {
                "model": "chaos-llm", "max_tokens": 16,
                "messages": [{"role": "user", "content": f"Describe listing {number} in one line."}]}}
        else:
            body = {"kind": "cpu.task", "payload": {"n": number}, "max_attempts": 10,
                    "timeouts": {"heartbeat_ms": 3000}}
        headers["Content-Type"] = "application/json"
        return "POST", "/v1/jobs", json.dumps(body).encode(), headers

    def client(self, index: int) -> None:
        connections: dict[int, http.client.HTTPConnection] = {}
        interval = self.threads / self.rate
        next_at = time.time() + index * interval / self.threads
        while not self.stop.is_set():
            time.sleep(max(0.0, next_at - time.time()))
            next_at = max(next_at + interval, time.time() - 1.0)
            number, kind = self.next_kind()
            key = f"chaos-{uuid.uuid4()}"
            method, path, body, headers = self.request(number, kind, key)
            record = {"key": key, "kind": kind, "status": 0, "job": None, "tries": 0, "at": time.time()}
            for attempt in range(8):
                port = self.stack.gateway_ports[(number + attempt) % len(self.stack.gateway_ports)]
                record["tries"] += 1
                try:
                    connection = connections.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=15)
                    connections[port] = connection
                    connection.request(method, path, body, headers)
                    response = connection.getresponse()
                    answer = response.read()
                    record["status"] = response.status
                    if 200 <= response.status < 300:
                        parsed = json.loads(answer)
                        record["job"] = parsed.get("job_id") or parsed.get("id")
                        break
                    if response.status < 500 and response.status != 429:
                        record["answer"] = answer[:300].decode(errors="replace")
                        break
                except (OSError, http.client.HTTPException, ValueError) as error:
                    connections.pop(port, None)
                    record["status"], record["error"] = 0, type(error).__name__
                time.sleep(0.3 * (attempt + 1))
            with self.lock:
                self.records.append(record)

    def start(self) -> list[threading.Thread]:
        self.started = time.time()
        threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(self.threads)]
        for thread in threads:
            thread.start()
        return threads


def read_rows(stack: Stack, ids: list[str]) -> dict[str, dict]:
    rows: dict[str, dict] = {}
    for start in range(0, len(ids), 2000):
        chunk = ",".join(ids[start:start + 2000])
        sql = ("SELECT id, kind, state, attempts, coalesce(error_code, ''), coalesce(result, '') FROM jobs "
               f"WHERE id = ANY('{{{chunk}}}'::uuid[])")
        for job, kind, state, attempts, code, result in stack.psql(sql):
            rows[job] = {"kind": kind, "state": state, "attempts": int(attempts), "error_code": code,
                         "result": result}
    return rows


def wait_terminal(stack: Stack, ids: list[str], seconds: float) -> dict[str, dict]:
    deadline = time.time() + seconds
    while True:
        try:
            rows = read_rows(stack, ids)
        except Exception as error:  # PostgreSQL may still be recovering from the last fault
            log(f"  cannot read the jobs yet: {error}")
            rows = {}
        open_ = [job for job in ids if rows.get(job, {}).get("state") not in TERMINAL]
        if not open_ or time.time() > deadline:
            return rows
        log(f"  {len(open_):,} of {len(ids):,} accepted jobs still open")
        time.sleep(5)


FENCED = re.compile(r"job (\S+) was taken away|completion of job (\S+) refused|failure of job (\S+): stale_attempt")

REDIS_SETUP = {
    "single": "one Redis (AOF, appendfsync everysec)",
    "sentinel": "a Redis master and replica (AOF) under three Sentinels",
    "cluster": "a Redis Cluster of 3 masters and 3 replicas",
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--faults", type=int, default=30)
    parser.add_argument("--rate", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--short", action="store_true")
    parser.add_argument("--redis", choices=["single", "sentinel", "cluster"], default="single")
    parser.add_argument("--velocity", required=True)
    parser.add_argument("--cmdline", required=True)
    parser.add_argument("--loadavg", default="")
    parser.add_argument("--directory", default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 1 << 31)
    rng = random.Random(seed)
    directory = args.directory or tempfile.mkdtemp(prefix="velocity-chaos.")
    Stack.wipe(ROOT, directory)
    log(f"chaos: seed {seed}, {args.faults} faults, {args.rate:g} submits/s, Redis {args.redis}, in {directory}")
    stack = Stack(ROOT, args.velocity, directory, cpu_workers=2, gpus=4, render_seconds=0.5, redis=args.redis)
    fault_events: list[dict] = []
    try:
        stack.start()
        faults = Faults(stack, rng)
        plan = schedule(faults.kinds(), args.faults, rng)
        log(f"stack up: gateways {stack.gateway_ports}, Redis {stack.redis_url}, PostgreSQL :{stack.pg_port}; "
            f"schedule: {', '.join(plan)}")
        load = Load(stack, args.rate, threads=16, seed=seed)
        threads = load.start()
        run_schedule(faults, plan, rng, fault_events)
        time.sleep(3)
        load.stop.set()
        for thread in threads:
            thread.join()
        duration = time.time() - load.started
        accepted_ids = sorted({r["job"] for r in load.records if 200 <= r["status"] < 300 and r["job"]})
        log(f"load stopped after {duration:.0f} s: {len(load.records):,} submissions, {len(accepted_ids):,} "
            f"accepted; waiting for every accepted job to end")
        rows = wait_terminal(stack, accepted_ids, 240)
        blob_ok = {}
        for job in accepted_ids:
            if rows.get(job, {}).get("kind") == "dream_weaver.render" and rows[job]["state"] == "succeeded":
                try:
                    status, body = stack.get(f"/dream-weaver/result/{job}")
                    blob_ok[job] = status == 200 and body.startswith(b"\x89PNG")
                except Exception:
                    blob_ok[job] = False
        journal = []
        for path in glob.glob(os.path.join(stack.journals, "*.jsonl")):
            for line in open(path):
                try:
                    journal.append(json.loads(line))
                except ValueError:
                    pass  # a line cut short by kill -9
        # Attempts the broker fenced off (a frozen worker's, after its lease ran out): the worker
        # learned it from a heartbeat, a progress report or a refused acknowledgement.
        fenced = set()
        for path in glob.glob(os.path.join(stack.logs, "worker-*.log")):
            for match in FENCED.finditer(open(path, errors="replace").read()):
                fenced.add(next(group for group in match.groups() if group))
    finally:
        stack.stop()
    with open(os.path.join(directory, "submissions.jsonl"), "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in load.records)
    with open(os.path.join(directory, "faults.jsonl"), "w") as f:
        f.writelines(json.dumps(e) + "\n" for e in fault_events)
    verdict = check(load.records, rows, journal, fault_events, DATA_LOSS, len(fenced), blob_ok)
    for problem in verdict["problems"]:
        log(f"  PROBLEM: {problem}")
    return report(args, seed, duration, verdict, fault_events, directory)


def report(args, seed: int, duration: float, verdict: dict, fault_events: list[dict], directory: str) -> int:
    fault_counts: dict[str, int] = {}
    for event in fault_events:
        fault_counts[event["kind"]] = fault_counts.get(event["kind"], 0) + 1
    result = (f"RESULT accepted={verdict['accepted']} lost={verdict['lost']} "
              f"unexplained_duplicates={verdict['unexplained_duplicates']} "
              f"stale_acks_accepted={verdict['stale_acks_accepted']} faults={verdict['faults']} "
              f"duplicates={verdict['duplicates']} data_loss_reruns={verdict['data_loss_reruns']} "
              f"fenced_attempts={verdict['fenced_attempts']} seed={seed}")
    summary = (f"{verdict['accepted']:,} accepted in {duration:.0f} s ({verdict['by_kind']}), states "
               f"{verdict['states']}, failures {verdict['failure_codes'] or 'none'}, {verdict['refused']:,} "
               f"submissions refused after their retries, {verdict['blobs_checked']:,} render PNGs checked")
    log(summary)
    ok = (verdict["lost"] == 0 and verdict["unexplained_duplicates"] == 0 and verdict["stale_acks_accepted"] == 0
          and verdict["faults_failed"] == 0 and verdict["accepted"] > 0)
    if not args.short:
        record = {"date": time.strftime("%Y-%m-%dT%H:%M:%S"), "cmdline": args.cmdline, "loadavg": args.loadavg,
                  "seed": seed, "redis": args.redis, "duration_s": round(duration, 1), **{k: v for k, v in verdict.items() if k != "problems"},
                  "fault_counts": fault_counts}
        os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
        with open(os.path.join(BENCH, "results", "chaos.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")
        rows = "\n".join(f"| {kind} | {count} |" for kind, count in sorted(fault_counts.items()))
        text = "\n".join([
            f"# Chaos: faults under a steady mixed load, then a checker (Redis: {REDIS_SETUP[args.redis]})",
            "",
            f"Command: `{args.cmdline}` · {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} cores · load "
            f"{args.loadavg} · seed {seed}.",
            "",
            "| accepted jobs | lost | unexplained duplicates | stale acks accepted | faults | counted duplicates "
            "(lease expired) | reruns after Redis data loss | attempts fenced off |",
            "|---|---|---|---|---|---|---|---|",
            f"| {verdict['accepted']:,} | {verdict['lost']} | {verdict['unexplained_duplicates']} | "
            f"{verdict['stale_acks_accepted']} | {verdict['faults']} | {verdict['duplicates']} | "
            f"{verdict['data_loss_reruns']} | {verdict['fenced_attempts']} |",
            "",
            "| fault | times |",
            "|---|---|",
            rows,
            "",
            f"- {summary}.",
            f"- Setup: {REDIS_SETUP[args.redis]} and a private PostgreSQL 15, two `velocity gateway`s, two "
            "`velocity worker --handler sleep:100 --concurrency 8 --journal …` on `cpu`, one `velocity agent` over 4 "
            "emulated L4s in split mode (an emulated ComfyUI on GPUs 0-1, 0.5 s renders; an emulated SGLang on 2-3), "
            "all supervised (restarted 1-2 s after they die). Clients submit at a steady rate with an Idempotency-Key, "
            "retrying on the other gateway after no answer or a 5xx.",
            "- The checker: every 2xx job has its PostgreSQL row and ended; every succeeded render's PNG is served; "
            "each extra run of a CPU job (workers' journals) is a counted attempt or follows a fault that lost Redis "
            "writes; a succeeded CPU job's result names the attempt whose ack the broker kept, which must be its "
            "latest. No peer is run beside it: no queue compared here ships a fault-injection checker to run.",
            f"- Raw figures: `bench/results/chaos.jsonl`; logs of the run in `{directory}`.",
            "",
            result,
        ])
        results_md.replace_section("chaos" if args.redis == "single" else f"chaos-{args.redis}", text + "\n")
    print(result, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
