"""bench/run webhooks: signed webhooks from job ends to a loopback receiver.

One private Redis and PostgreSQL (ops/services.sh), `velocity gateway` (release) with internal
destinations allowed (the receiver is on loopback), and `velocity worker --queue cpu --handler
noop`. Phase 1: N jobs naming the receiver are submitted while no worker runs, then the worker
drains them at once: every delivery is owed within about a second, so the figures are the
sender's throughput and the p99 from a job's end (its `finished_at`, Redis time) to the
receiver having the request, backlog included. Phase 2: the receiver closes its port for S
seconds while M more jobs end; after it is back every job must arrive, and no job may arrive
under two different webhook-ids. Writes the `webhooks` section of bench/RESULTS.md and
bench/results/webhooks.jsonl; the last stdout line is
  RESULT deliveries_per_s=.. p99_ms=.. lost=..
"""
from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import http.client
import http.server
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_md  # noqa: E402
from loopback import free_port, log, start_services, stop_services, wait_http  # noqa: E402

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)


class Receiver:
    """Records (arrival, webhook-id, job id, job finished_at) of every POST; answers 200."""

    def __init__(self, port: int):
        self.port = port
        self.lock = threading.Lock()
        self.arrivals: list[tuple[float, str, str, float]] = []
        self.server: http.server.ThreadingHTTPServer | None = None
        # Away: the port is closed, and requests on connections kept alive from before are cut
        # without an answer (a stopped server's keep-alive threads would otherwise go on serving).
        self.away = False

    def start(self) -> None:
        receiver = self
        self.away = False

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if receiver.away:
                    self.close_connection = True
                    return
                now = time.time()
                data = json.loads(body).get("data", {})
                finished = data.get("finished_at")
                ended = datetime.datetime.fromisoformat(finished.replace("Z", "+00:00")).timestamp() if finished else now
                with receiver.lock:
                    receiver.arrivals.append((now, self.headers.get("webhook-id", ""), data.get("id", ""), ended))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.away = True
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def snapshot(self) -> list[tuple[float, str, str, float]]:
        with self.lock:
            return list(self.arrivals)


def submit_all(port: int, key: str, count: int, url: str) -> list[str]:
    body = json.dumps({"kind": "cpu.task", "payload": {}, "webhook_url": url})
    local = threading.local()

    def one(_: int) -> str:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local.conn.request("POST", "/v1/jobs", body, {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        response = local.conn.getresponse()
        answer = json.loads(response.read())
        if response.status != 202:
            raise SystemExit(f"submit answered {response.status}: {answer}")
        return answer["id"]

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        return list(pool.map(one, range(count)))


def wait_for(ids: set[str], receiver: Receiver, limit: float) -> float:
    deadline = time.time() + limit
    while time.time() < deadline:
        if ids <= {job for _, _, job, _ in receiver.snapshot()}:
            return time.time()
        time.sleep(0.2)
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--down-jobs", type=int, default=1_000)
    parser.add_argument("--down-seconds", type=int, default=60)
    parser.add_argument("--velocity", required=True)
    parser.add_argument("--cmdline", required=True)
    parser.add_argument("--loadavg", default="")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="velocity-webhooks-bench.")
    services = os.path.join(tmp, "services")
    processes: list[subprocess.Popen] = []
    redis_port, pg_port = start_services(ROOT, services, 16680, 15680)
    receiver = Receiver(free_port(18780))
    receiver.start()
    url = f"http://127.0.0.1:{receiver.port}/hook"
    try:
        env = dict(os.environ, VELOCITY_REDIS_URL=f"redis://127.0.0.1:{redis_port}",
                   VELOCITY_POSTGRES_URL=f"postgresql://velocity@127.0.0.1:{pg_port}/velocity", VELOCITY_LOG_LEVEL="warning")
        key = subprocess.run([args.velocity, "keys", "create", "--tenant", "bench", "--role", "submitter"],
                             env=env, capture_output=True, text=True, check=True).stdout.strip()
        gateway_port = free_port(18880)
        gateway = subprocess.Popen(
            [args.velocity, "gateway"], start_new_session=True, stdout=open(os.path.join(tmp, "gateway.log"), "w"),
            stderr=subprocess.STDOUT,
            env=dict(env, VELOCITY_GATEWAY_PORT=str(gateway_port), VELOCITY_RATE_LIMIT_PER_SECOND="0",
                     VELOCITY_BLOB_DIRECTORY=os.path.join(tmp, "blobs"), VELOCITY_WEBHOOK_ALLOW_INTERNAL="true"))
        processes.append(gateway)
        wait_http(f"http://127.0.0.1:{gateway_port}/health", gateway, "velocity gateway")

        def start_worker() -> subprocess.Popen:
            worker = subprocess.Popen(
                [args.velocity, "worker", "--queue", "cpu", "--handler", "noop", "--concurrency", "16"], env=env,
                start_new_session=True, stdout=open(os.path.join(tmp, "worker.log"), "a"), stderr=subprocess.STDOUT)
            processes.append(worker)
            return worker

        log(f"phase 1: submitting {args.jobs:,} jobs naming {url}, no worker running")
        burst = set(submit_all(gateway_port, key, args.jobs, url))
        start_worker()
        done = wait_for(burst, receiver, 600)
        arrivals = [a for a in receiver.snapshot() if a[2] in burst]
        if not done:
            log(f"WARNING: only {len({a[2] for a in arrivals}):,} of {len(burst):,} delivered in 10 minutes")
        first, last = min(a[0] for a in arrivals), max(a[0] for a in arrivals)
        first_end = min(a[3] for a in arrivals)
        latencies = sorted((a[0] - a[3]) * 1000 for a in arrivals)
        p50 = latencies[len(latencies) // 2]
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        per_s = len(arrivals) / max(last - first, 1e-3)
        log(f"  {len(arrivals):,} deliveries in {last - first:.2f} s ({per_s:,.0f}/s); end→delivery p50 {p50:.0f} ms, "
            f"p99 {p99:.0f} ms; last delivery {last - first_end:.2f} s after the first job ended")

        log(f"phase 2: the receiver goes away for {args.down_seconds} s while {args.down_jobs:,} more jobs end")
        receiver.stop()
        down_at = time.time()
        outage = set(submit_all(gateway_port, key, args.down_jobs, url))
        time.sleep(max(0.0, args.down_seconds - (time.time() - down_at)))
        receiver.start()
        back_at = time.time()
        recovered = wait_for(outage, receiver, 600)
        received = [a for a in receiver.snapshot() if a[2] in outage]
        ids_per_job: dict[str, set[str]] = {}
        for _, webhook_id, job, _ in received:
            ids_per_job.setdefault(job, set()).add(webhook_id)
        lost = len(outage - set(ids_per_job))
        two_ids = sum(1 for ids in ids_per_job.values() if len(ids) > 1)
        catch_up = (recovered - back_at) if recovered else float("nan")
        log(f"  back after {back_at - down_at:.0f} s: all {len(outage) - lost:,} of {len(outage):,} delivered "
            f"{catch_up:.1f} s later; {len(received) - len(ids_per_job):,} repeats, {two_ids} jobs under two ids, "
            f"{lost} lost")
    finally:
        receiver.stop()
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except Exception:
                pass
        stop_services(ROOT, services)

    record = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"), "cmdline": args.cmdline, "loadavg": args.loadavg, "jobs": args.jobs,
        "deliveries_per_s": per_s, "p50_ms": p50, "p99_ms": p99, "down_seconds": args.down_seconds,
        "down_jobs": args.down_jobs, "lost": lost, "two_ids": two_ids, "catch_up_s": catch_up,
    }
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", "webhooks.jsonl"), "a") as f:
        f.write(json.dumps(record) + "\n")
    lines = [
        "# Webhooks benchmark: job ends to a loopback receiver",
        "",
        f"Command: `{args.cmdline}` · {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} cores · load {args.loadavg}.",
        "",
        "| phase | jobs | deliveries/s | end → delivery p50 / p99 ms | lost | jobs under two ids |",
        "|---|---|---|---|---|---|",
        f"| burst: {args.jobs:,} queued jobs drained at once | {args.jobs:,} | {per_s:,.0f} | {p50:,.0f} / {p99:,.0f} | "
        f"{args.jobs - len({a[2] for a in arrivals})} | — |",
        f"| receiver away {args.down_seconds} s | {args.down_jobs:,} | — | all within {catch_up:.1f} s of its return | "
        f"{lost} | {two_ids} |",
        "",
        "- No Redis queue compared here ships outbound webhooks (BullMQ, Sidekiq, Oban, River, Asynq): there is no "
        "peer to run beside it.",
        "- Setup: one private Redis and PostgreSQL 15 (fsync on), `velocity gateway` and `velocity worker --handler "
        "noop --concurrency 16` (release), a Python `ThreadingHTTPServer` receiver answering 200 at once. Deliveries "
        "are signed (Standard Webhooks), checked against internal ranges (allowed here: the receiver is on loopback) "
        "and pinned to the checked address; the sender keeps 64 requests in flight, 16 per host (`webhook_per_destination`).",
        "- End → delivery is from the job's `finished_at` (Redis time of its end) to the receiver reading the "
        "request; in the burst it includes the wait behind the other deliveries owed. While the receiver is away "
        "deliveries back off (1 s doubling, ±25 % jitter), so the catch-up time is mostly the last backoff.",
        "- Raw figures: `bench/results/webhooks.jsonl`.",
        "",
        f"RESULT deliveries_per_s={per_s:.0f} p99_ms={p99:.0f} lost={lost}",
    ]
    text = "\n".join(lines) + "\n"
    results_md.replace_section("webhooks", text)
    print(text, end="")


if __name__ == "__main__":
    main()
