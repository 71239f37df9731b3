"""Orchestrator of `bench/run broker` (run by bench/run inside bench/.venv).

bench/run prepares the venv, the Redis server, PostgreSQL and the velocity
binary; this script runs every peer harness and our binary with bounded
timeouts, kills whatever they leave behind, writes bench/results/broker.jsonl
and bench/RESULTS.md, and prints the table and, as its LAST stdout line,

  RESULT drain_per_s=.. drain_ratio=.. bulk_per_s=.. bulk_ratio=.. pickup_p50_ms=.. pickup_p99_ms=..
         redis_cpu_us_per_job_drain=.. redis_cpu_us_per_job_bulk=..
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from typing import Any, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_md  # noqa: E402

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS_DIR = os.path.join(BENCH, "peers")
METRICS = ["enqueue_single_per_s", "enqueue_bulk_per_s", "drain_per_s", "pickup_p50_ms", "pickup_p99_ms"]

# (key, file, redis db, extra args). Each peer gets its own Redis DB, which
# its harness FLUSHDBs before and after every phase. DB 0 is velocity's.
PEERS = [
    ("bullmq", "bullmq (concurrency 10)", "bullmq_peer.py", 1, ["--concurrency", "10"]),
    ("bullmq-c1", "bullmq (concurrency 1)", "bullmq_peer.py", 2, ["--concurrency", "1", "--only", "drain"]),
    ("saq", "saq (concurrency 50)", "saq_peer.py", 3, []),
    ("huey", "huey (1 thread)", "huey_peer.py", 4, []),
    ("rq", "rq (SimpleWorker)", "rq_peer.py", 5, []),
    ("celery", "celery (solo pool)", "celery_peer.py", 6, []),
]
# Redis' process CPU per job in velocity's bulk and drain phases (INFO cpu around each phase;
# INFO commandstats has the per-command split, see bench/profiles/broker.sh).
REDIS_COST = ["redis_cpu_us_per_job_bulk", "redis_cpu_us_per_job_drain", "redis_script_us_per_job_drain"]
PHASE_OF = {"enqueue_single_per_s": "single", "enqueue_bulk_per_s": "bulk", "drain_per_s": "drain",
            "pickup_p50_ms": "pickup", "pickup_p99_ms": "pickup"}

_current: Optional[subprocess.Popen] = None


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def sweep_piddir(piddir: str) -> None:
    """Kill worker process groups a peer harness registered and did not stop."""
    for name in os.listdir(piddir):
        path = os.path.join(piddir, name)
        try:
            pgid = int(open(path).read().strip())
            os.killpg(pgid, signal.SIGKILL)
            log(f"killed leftover worker process group {pgid}")
        except (ValueError, OSError):
            pass
        try:
            os.unlink(path)
        except OSError:
            pass


def run_bounded(argv: list[str], timeout: float, stdout_path: str, piddir: str, env=None) -> tuple[int, str]:
    """Run argv in its own process group; kill the group on timeout.

    Returns (rc, note). rc 124 means timed out."""
    global _current
    with open(stdout_path, "wb") as out:
        p = subprocess.Popen(argv, stdout=out, stdin=subprocess.DEVNULL, env=env,
                             start_new_session=True, cwd=os.path.dirname(BENCH))
        _current = p
        pidfile = os.path.join(piddir, f"child-{p.pid}.pgid")
        with open(pidfile, "w") as f:
            f.write(str(p.pid))
        note = ""
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            note = f"timed out after {timeout:.0f} s"
            log(f"{argv[1] if len(argv) > 1 else argv[0]}: {note}; killing it")
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
            rc = 124
        finally:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            _current = None
            sweep_piddir(piddir)
    return rc, note


def last_json(path: str) -> Optional[dict]:
    try:
        lines = open(path, "rb").read().decode(errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        line = line.strip()
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and "queue" in obj:
                return obj
    return None


def num(v) -> Optional[float]:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def flushdb(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url, socket_timeout=30).flushdb()


def run_peers(a, piddir: str) -> list[dict]:
    rows = []
    wanted = [p.strip() for p in a.peers.split(",")] if a.peers else None
    timeout = a.peer_timeout or (120 + a.runs * (120 + a.jobs / 40))
    for key, label, fname, db, extra in PEERS:
        if wanted and key not in wanted:
            continue
        url = f"redis://127.0.0.1:{a.redis_port}/{db}"
        out = os.path.join(a.log_dir, f"{key}.out")
        argv = [sys.executable, os.path.join(PEERS_DIR, fname), "--redis-url", url,
                "--jobs", str(a.jobs), "--runs", str(a.runs), "--tag", key] + extra
        log(f"== peer {key} (redis db {db}, timeout {timeout:.0f} s)")
        env = dict(os.environ, BENCH_PIDDIR=piddir, BENCH_LOG_DIR=a.log_dir)
        t = time.monotonic()
        rc, note = run_bounded(argv, timeout, out, piddir, env=env)
        obj = last_json(out)
        if obj is not None and rc != 0:
            obj.setdefault("errors", []).append(note or f"harness exited {rc}")
            log(f"peer {key}: {note or f'harness exited {rc}'}; partial result kept")
        if obj is None:
            obj = {"queue": label, "error": note or f"harness exited {rc} without a result"}
            for m in METRICS:
                obj[m] = None
            obj["postgres_record"] = False
            log(f"peer {key} FAILED: {obj['error']} (logs in {a.log_dir})")
        elif obj.get("errors"):
            log(f"peer {key}: partial failures: {obj['errors']}")
        obj["_key"] = key
        obj["_seconds"] = round(time.monotonic() - t, 1)
        rows.append(obj)
    return rows


def run_ours(a, piddir: str, postgres: bool) -> dict:
    label = "velocity + Postgres record" if postgres else "velocity"
    url = f"redis://127.0.0.1:{a.redis_port}"
    argv = [a.velocity_bin, "bench", "broker", "--redis-url", url, "--jobs", str(a.jobs), "--json"]
    if postgres:
        if not a.pg_url:
            return {"queue": label, "error": f"PostgreSQL not available: {a.pg_error or 'not started'}",
                    "postgres_record": True, **{m: None for m in METRICS}}
        argv += ["--with-postgres-record", "--postgres-url", a.pg_url]
    timeout = a.ours_timeout or (120 + a.jobs / 50)
    runs: list[dict] = []
    errors: list[str] = []
    for i in range(1, a.runs + 1):
        flushdb(url + "/0")
        log(f"== {label}: run {i}/{a.runs}: {' '.join(argv)}")
        out = os.path.join(a.log_dir, f"velocity{'-pg' if postgres else ''}-{i}.out")
        rc, note = run_bounded(argv, timeout, out, piddir)
        obj = last_json(out)
        if rc != 0 or obj is None:
            tail = ""
            try:
                tail = " | ".join(open(out, errors="replace").read().splitlines()[-5:])
            except OSError:
                pass
            errors.append(f"run {i}: {note or f'exit {rc}'}{'' if obj else ', no JSON line'}; stdout tail: {tail}")
            log(f"{label} run {i} FAILED: {errors[-1]}")
            if obj is None:
                continue
        runs.append(obj)
        log(f"{label} run {i}: {json.dumps(obj)}")
    flushdb(url + "/0")
    res: dict[str, Any] = {"queue": label}
    for m in METRICS + REDIS_COST:
        vals = [num(r.get(m)) for r in runs]
        vals = [v for v in vals if v is not None]
        res[m] = round(statistics.median(vals), 3) if vals else None
    res["postgres_record"] = postgres
    res["runs"] = a.runs
    res["per_run"] = runs
    res["errors"] = errors
    if not runs:
        res["error"] = errors[-1] if errors else "no result"
    if runs and runs[0].get("queue"):
        res["reported_queue"] = runs[0]["queue"]
    return res


def fmt_rate(r: dict, m: str) -> str:
    v = num(r.get(m))
    if v is None:
        return "failed" if PHASE_OF[m] in (r.get("failed_phases") or []) else "—"
    return f"{v:,.0f}"


def fmt_ms(v) -> str:
    v = num(v)
    return "—" if v is None else f"{v:.2f}"


def machine_info(a) -> dict:
    model = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import redis

    info = redis.Redis(host="127.0.0.1", port=a.redis_port).info("server")
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "redis": info.get("redis_version", "?"),
        "loadavg_at_start": a.loadavg,
        "postgres": a.pg_version or None,
    }


def versions() -> dict:
    from importlib.metadata import version

    out = {}
    for n in ("bullmq", "saq", "huey", "rq", "celery", "kombu", "redis", "hiredis"):
        try:
            out[n] = version(n)
        except Exception:
            out[n] = "?"
    return out


def write_report(a, meta: dict, rows: list[dict], ours: list[dict]) -> str:
    lines = []
    lines.append("# Broker benchmark: velocity vs. Redis job queues")
    lines.append("")
    lines.append(f"- Date: {meta['date']}")
    lines.append(f"- Machine: {meta['nproc']} CPUs (nproc), {meta['cpu']}, Linux {meta['kernel']}; "
                 f"load average when the bench started: {meta['loadavg_at_start']}")
    lines.append(f"- Redis {meta['redis']} on 127.0.0.1, started by the bench (`--save \"\" --appendonly no`), one server for every row")
    if meta.get("postgres"):
        lines.append(f"- {meta['postgres']} on 127.0.0.1 (fsync=on) for the Postgres-record row")
    lines.append(f"- Command: `{a.cmdline}`")
    lines.append(f"- Python {meta['python']}; peers: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    lines.append(f"- {a.jobs:,} no-op jobs for drain and bulk enqueue, {min(5000, a.jobs):,} for single enqueue, "
                 f"300 pickup samples; every figure is the median of {a.runs} run(s)")
    if a.peers_only:
        lines.append("- **Peers only** (`--peers-only`): velocity was not run.")
    lines.append("")
    lines.append("| queue | enqueue single/s | bulk/s | drain jobs/s | pickup p50 / p99 ms | Redis CPU µs/job bulk / drain |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    notes = []
    for r in rows + ours:
        name = r.get("queue", r.get("_key", "?"))
        if r.get("error") and all(num(r.get(m)) is None for m in METRICS):
            lines.append(f"| {name} | failed | | | | |")
            notes.append(f"{name}: {r['error']}")
            continue
        if num(r.get("pickup_p50_ms")) is None:
            pick = "failed" if "pickup" in (r.get("failed_phases") or []) else "—"
        else:
            pick = f"{fmt_ms(r.get('pickup_p50_ms'))} / {fmt_ms(r.get('pickup_p99_ms'))}"
        bulk_cpu, drain_cpu = num(r.get("redis_cpu_us_per_job_bulk")), num(r.get("redis_cpu_us_per_job_drain"))
        cost = "—" if drain_cpu is None else f"{'—' if bulk_cpu is None else f'{bulk_cpu:.1f}'} / {drain_cpu:.1f}"
        lines.append(f"| {name} | {fmt_rate(r, 'enqueue_single_per_s')} | {fmt_rate(r, 'enqueue_bulk_per_s')} "
                     f"| {fmt_rate(r, 'drain_per_s')} | {pick} | {cost} |")
        for e in r.get("errors") or []:
            notes.append(f"{name}: {e}")
    lines.append("")
    lines.append("\"—\": not measured (no bulk API in that library, or a drain-only row).")
    if notes:
        lines.append("")
        lines.append("Failures:")
        lines.append("")
        for n in notes:
            lines.append(f"- {n}")
    lines.append("")
    lines.append("## How each figure is measured")
    lines.append("")
    lines.append(f"- **enqueue single/s**: {min(5000, a.jobs):,} jobs, one API call per job, sequential, one producer, no worker running "
                 "(after 200 warm-up calls).")
    lines.append("- **bulk/s**: all jobs through the library's bulk API in batches of 1,000 "
                 "(bullmq `Queue.addBulk`, rq `Queue.enqueue_many`, celery `group(...).apply_async()`); "
                 "huey and saq have none.")
    lines.append("- **drain jobs/s**: the jobs are pre-enqueued, then ONE worker process is started; the no-op handler "
                 "records the wall clock when the first job starts and when the N-th job ends: N ÷ (last − first). "
                 "Worker start-up is not counted.")
    lines.append("- **Redis CPU µs/job**: the Redis server's CPU time (`INFO cpu`, user + sys) over the phase ÷ jobs, "
                 "measured by `velocity bench broker` around its own phases (not for peers, whose harnesses do not "
                 "split their phases on the server). Per-command splits: `bench/profiles/broker-*.txt`.")
    lines.append("- **pickup p50 / p99**: idle worker; one job at a time, 10 ms apart, 20 warm-up + 300 samples; "
                 "latency = handler entry − the `time.time_ns()` taken just before the enqueue call "
                 "(passed as the job argument).")
    workers = [f"{r.get('queue')}: {r.get('worker')}" for r in rows if r.get("worker")]
    if workers:
        lines.append("- Workers (one process each, library defaults, logging at WARNING): " + "; ".join(workers) + ".")
    lines.append("- velocity: `velocity bench broker --redis-url … --jobs N --json`, run once per run; "
                 "medians over runs are taken here. The Postgres row adds "
                 "`--with-postgres-record --postgres-url …` and only its drain figure is shown.")
    lines.append("")
    lines.append("Raw JSON lines: `bench/results/broker.jsonl`. Method details: `bench/README.md`.")
    lines.append("")
    text = "\n".join(lines)
    results_md.replace_section("broker", text)
    return text


def ratio(a_: Optional[float], b: Optional[float]) -> str:
    if a_ is None or b is None or b == 0:
        return "n/a"
    return f"{a_ / b:.2f}"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--redis-port", type=int, required=True)
    p.add_argument("--jobs", type=int, default=20000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--peers-only", action="store_true")
    p.add_argument("--peers", default="")
    p.add_argument("--velocity-bin", default="")
    p.add_argument("--pg-url", default="")
    p.add_argument("--pg-error", default="")
    p.add_argument("--pg-version", default="")
    p.add_argument("--cmdline", default="bench/run broker")
    p.add_argument("--log-dir", required=True)
    p.add_argument("--loadavg", default="")
    p.add_argument("--peer-timeout", type=float, default=float(os.environ.get("BENCH_PEER_TIMEOUT", 0) or 0))
    p.add_argument("--ours-timeout", type=float, default=float(os.environ.get("BENCH_OURS_TIMEOUT", 0) or 0))
    a = p.parse_args()

    piddir = os.path.join(a.log_dir, "pids")
    os.makedirs(piddir, exist_ok=True)

    def on_term(signum, frame):
        if _current is not None:
            try:
                os.killpg(_current.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        sweep_piddir(piddir)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)

    meta = machine_info(a)
    t0 = time.monotonic()
    rows = run_peers(a, piddir)
    ours: list[dict] = []
    if not a.peers_only:
        ours.append(run_ours(a, piddir, postgres=False))
        pg = run_ours(a, piddir, postgres=True)
        # Only the drain figure is meaningful with the Postgres record.
        for m in METRICS:
            if m != "drain_per_s":
                pg[m] = None
        ours.append(pg)

    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", "broker.jsonl"), "w") as f:
        for r in rows + ours:
            f.write(json.dumps({k: v for k, v in r.items() if not k.startswith("_")}) + "\n")
    text = write_report(a, meta, rows, ours)
    log(f"bench took {time.monotonic() - t0:.0f} s; wrote bench/RESULTS.md and bench/results/broker.jsonl")
    table = [l for l in text.splitlines() if l.startswith("|")]
    print("\n".join(table), flush=True)

    best_drain = max((v for v in (num(r.get("drain_per_s")) for r in rows) if v is not None), default=None)
    best_bulk = max((v for v in (num(r.get("enqueue_bulk_per_s")) for r in rows) if v is not None), default=None)
    if a.peers_only or not ours:
        d = b = p50 = p99 = drain = bulk = cpu_drain = cpu_bulk = "n/a"
        rc = 0
    else:
        o = ours[0]

        def shown(metric: str, places: int) -> str:
            v = num(o.get(metric))
            return "n/a" if v is None else f"{v:.{places}f}"

        d = ratio(num(o.get("drain_per_s")), best_drain)
        b = ratio(num(o.get("enqueue_bulk_per_s")), best_bulk)
        drain, bulk = shown("drain_per_s", 0), shown("enqueue_bulk_per_s", 0)
        p50, p99 = shown("pickup_p50_ms", 3), shown("pickup_p99_ms", 3)
        cpu_drain, cpu_bulk = shown("redis_cpu_us_per_job_drain", 2), shown("redis_cpu_us_per_job_bulk", 2)
        rc = 1 if o.get("error") else 0
    print(f"RESULT drain_per_s={drain} drain_ratio={d} bulk_per_s={bulk} bulk_ratio={b} pickup_p50_ms={p50} "
          f"pickup_p99_ms={p99} redis_cpu_us_per_job_drain={cpu_drain} redis_cpu_us_per_job_bulk={cpu_bulk}", flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
