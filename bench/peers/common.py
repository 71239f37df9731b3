"""Shared harness for the peer job-queue benchmarks (`bench/run broker`).

Each peer module (bullmq_peer.py, saq_peer.py, ...) defines
  * its no-op task(s), which call `on_job(t0)` below, and
  * a `Peer` class: how to enqueue one job, how to enqueue a batch (if the
    library has a bulk API), and the command line of the library's own worker.

This module runs the same four measurements for every peer and prints ONE
JSON line on stdout (progress goes to stderr):

  {"queue": ..., "enqueue_single_per_s": X, "enqueue_bulk_per_s": X|null,
   "drain_per_s": X, "pickup_p50_ms": X, "pickup_p99_ms": X,
   "postgres_record": false, ...extra keys...}

Measurement method (identical for every peer):

  single  `--single-jobs` jobs (default 5,000, at most --jobs) enqueued one call
          at a time, sequentially, from one producer, no worker running.
          jobs/s = count / wall time of the loop (after 200 warm-up calls).
  bulk    --jobs jobs enqueued with the library's bulk API in batches of
          --batch (default 1,000); null when the library has no bulk API.
  drain   --jobs no-op jobs are pre-enqueued (those the bulk phase just
          enqueued, when the library has a bulk API), then ONE worker process is
          started. Inside the worker, the job handler records the wall clock
          (time.time_ns) when the FIRST job starts and when the N-th job
          finishes, and writes both to a file. drain/s = N / (last - first).
          Worker interpreter start-up and connection set-up are therefore not
          counted; the library's own per-job bookkeeping (fetch, ack, result
          and state writes) between the first and the last job is.
  pickup  a fresh worker is started and left idle (blocked waiting on Redis).
          Jobs are submitted one at a time: t0 = time.time_ns() just before
          the enqueue call, passed as the job argument; the handler computes
          time.time_ns() - t0 on entry and RPUSHes it to a Redis list, which
          the producer BLPOPs before sleeping 10 ms and sending the next one.
          20 warm-up probes are discarded, then --samples (300) are kept.

Every figure is the median over --runs runs (each run flushes its Redis DB
first and uses fresh worker processes).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
LAT_KEY = "bench:pickup_latency_ns"

# --------------------------------------------------------------------------
# Worker side: called by every peer's no-op task, inside the worker process.
# Jobs carry one integer `t0`: 0 for throughput jobs, time.time_ns() at the
# enqueue call for pickup probes. All supported worker modes run handlers on a
# single thread, so plain module globals are enough.
# --------------------------------------------------------------------------
_drain_n: Optional[int] = None
_drain_first = 0
_drain_count = 0
_lat_client = None


def on_job(t0: int) -> None:
    now = time.time_ns()
    global _drain_n, _drain_first, _drain_count, _lat_client
    if t0:
        latency = now - int(t0)
        if _lat_client is None:
            import redis

            _lat_client = redis.Redis.from_url(os.environ["BENCH_REDIS_URL"])
        _lat_client.rpush(LAT_KEY, latency)
        return
    if _drain_n is None:
        _drain_n = int(os.environ.get("BENCH_DRAIN_N", "0"))
    if not _drain_first:
        _drain_first = now
    _drain_count += 1
    if _drain_count == _drain_n:
        end = time.time_ns()
        path = os.environ["BENCH_DONE_FILE"]
        with open(path + ".tmp", "w") as f:
            json.dump({"first_start_ns": _drain_first, "last_end_ns": end, "count": _drain_count}, f)
        os.replace(path + ".tmp", path)


def redis_url() -> str:
    return os.environ["BENCH_REDIS_URL"]


# --------------------------------------------------------------------------
# Producer side.
# --------------------------------------------------------------------------
def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class PhaseTimeout(Exception):
    pass


class phase_deadline:
    """Raise PhaseTimeout in the main thread if the block runs too long."""

    def __init__(self, seconds: float, what: str):
        self.seconds, self.what = seconds, what

    def _fire(self, signum, frame):
        raise PhaseTimeout(f"{self.what}: no result within {self.seconds:.0f} s")

    def __enter__(self):
        self._old = signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._old)
        return False


class Deadline:
    """Async context manager bounding one phase.

    Async peers: asyncio.timeout (cancels the awaiting code cleanly).
    Sync peers: SIGALRM (interrupts a blocking socket call).
    """

    def __init__(self, seconds: float, what: str, use_async: bool):
        self.seconds, self.what, self.use_async = seconds, what, use_async

    async def __aenter__(self):
        if self.use_async:
            self.cm = asyncio.timeout(self.seconds)
            await self.cm.__aenter__()
        else:
            self.cm = phase_deadline(self.seconds, self.what)
            self.cm.__enter__()
        return self

    async def __aexit__(self, et, e, tb):
        if not self.use_async:
            return self.cm.__exit__(et, e, tb)
        try:
            return await self.cm.__aexit__(et, e, tb)
        except TimeoutError:
            raise PhaseTimeout(f"{self.what}: no result within {self.seconds:.0f} s") from None


_live_workers: list["WorkerProc"] = []


class WorkerProc:
    """One worker process, in its own process group, always killed at the end.

    Its process-group id is also written to $BENCH_PIDDIR (when set) so that
    bench/run can kill it even if this harness itself is SIGKILLed.
    """

    def __init__(self, argv: list[str], env: dict, log_path: str):
        self.argv, self.env, self.log_path = argv, env, log_path
        self.proc: Optional[subprocess.Popen] = None
        self.pidfile: Optional[str] = None

    def start(self) -> "WorkerProc":
        logf = open(self.log_path, "ab")
        logf.write(("\n$ " + " ".join(self.argv) + "\n").encode())
        logf.flush()
        self.proc = subprocess.Popen(
            self.argv, env=self.env, cwd=HERE, stdin=subprocess.DEVNULL,
            stdout=logf, stderr=subprocess.STDOUT, start_new_session=True,
        )
        logf.close()
        _live_workers.append(self)
        piddir = os.environ.get("BENCH_PIDDIR")
        if piddir:
            self.pidfile = os.path.join(piddir, f"worker-{self.proc.pid}.pgid")
            with open(self.pidfile, "w") as f:
                f.write(str(self.proc.pid))
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace: float = 5.0) -> None:
        if self.proc is None:
            return
        pgid = self.proc.pid  # start_new_session: pgid == pid
        if self.proc.poll() is None:
            try:
                os.killpg(pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        # Sweep the whole group (the leader and anything it forked).
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self in _live_workers:
            _live_workers.remove(self)
        if self.pidfile:
            try:
                os.unlink(self.pidfile)
            except FileNotFoundError:
                pass
        self.proc = None

    def log_tail(self, n: int = 15) -> str:
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode(errors="replace").splitlines()
            return " | ".join(lines[-n:])
        except OSError:
            return ""


def _stop_all_workers() -> None:
    for w in list(_live_workers):
        try:
            w.stop(grace=2)
        except Exception:
            pass


def _on_term(signum, frame):
    _stop_all_workers()
    raise SystemExit(128 + signum)


def percentile(sorted_vals: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_vals:
        raise ValueError("no samples")
    pos = (len(sorted_vals) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (pos - lo)


def median_or_none(vals: list[Optional[float]]) -> Optional[float]:
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


class BasePeer:
    """Interface a peer module implements (see the peer files)."""

    label = "peer"           # row label in the results table
    worker_desc = ""         # how the worker runs (documented in the output)
    has_bulk = False
    bulk_desc = ""

    def __init__(self, args):
        self.args = args

    async def setup(self) -> None: ...
    async def close(self) -> None: ...

    # Either sync or async (`async def`) in the subclass:
    def enqueue_single(self, t0: int) -> None:
        raise NotImplementedError

    def enqueue_bulk(self, n: int) -> None:
        raise NotImplementedError

    def worker_argv(self, mode: str) -> list[str]:
        """mode: 'drain' (may be a burst worker) or 'pickup' (must stay up)."""
        raise NotImplementedError


def _is_async(fn: Callable) -> bool:
    return inspect.iscoroutinefunction(fn)


class Runner:
    def __init__(self, peer: BasePeer, args, module_name: str):
        import redis

        self.peer, self.args, self.module_name = peer, args, module_name
        self.r = redis.Redis.from_url(args.redis_url, socket_timeout=30)
        self.single_async = _is_async(peer.enqueue_single)
        self.bulk_async = peer.has_bulk and _is_async(peer.enqueue_bulk)
        self.tmp = tempfile.mkdtemp(prefix=f"bench-{module_name}-")
        self.log_dir = os.environ.get("BENCH_LOG_DIR") or self.tmp
        self.log_path = os.path.join(self.log_dir, f"{module_name}-{args.tag}-worker.log")
        self.per_run: list[dict] = []
        self.errors: list[str] = []
        self.phases = [p.strip() for p in args.only.split(",")] if args.only else ["single", "bulk", "drain", "pickup"]
        self.preloaded = False  # the bulk phase left N jobs for the drain

    # -- helpers ----------------------------------------------------------
    def deadline(self, seconds: float, what: str) -> Deadline:
        return Deadline(seconds, what, self.single_async)

    def flush(self) -> None:
        self.r.flushdb()

    async def single(self, t0: int) -> None:
        if self.single_async:
            await self.peer.enqueue_single(t0)
        else:
            self.peer.enqueue_single(t0)

    async def enqueue_n_single(self, n: int) -> float:
        f = self.peer.enqueue_single
        if self.single_async:
            start = time.perf_counter()
            for _ in range(n):
                await f(0)
        else:
            start = time.perf_counter()
            for _ in range(n):
                f(0)
        return time.perf_counter() - start

    async def enqueue_n_bulk(self, n: int) -> float:
        f, batch = self.peer.enqueue_bulk, self.args.batch
        sizes = [batch] * (n // batch) + ([n % batch] if n % batch else [])
        if self.bulk_async:
            start = time.perf_counter()
            for s in sizes:
                await f(s)
        else:
            start = time.perf_counter()
            for s in sizes:
                f(s)
        return time.perf_counter() - start

    def worker(self, mode: str, drain_n: int, done_file: str) -> WorkerProc:
        env = dict(os.environ)
        env.update(
            BENCH_REDIS_URL=self.args.redis_url,
            BENCH_DRAIN_N=str(drain_n),
            BENCH_DONE_FILE=done_file,
            PYTHONPATH=HERE + os.pathsep + env.get("PYTHONPATH", ""),
            PYTHONDONTWRITEBYTECODE="1",
        )
        return WorkerProc(self.peer.worker_argv(mode), env, self.log_path).start()

    # -- phases -----------------------------------------------------------
    async def phase_single(self) -> float:
        n = min(self.args.single_jobs, self.args.jobs)
        self.flush()
        await self.enqueue_n_single(200)  # warm-up: connections, scripts
        self.flush()
        async with self.deadline(30 + n / 100, "enqueue single"):
            el = await self.enqueue_n_single(n)
        self.flush()
        return n / el

    async def phase_bulk(self) -> Optional[float]:
        if not self.peer.has_bulk:
            return None
        n = self.args.jobs
        self.flush()
        await self.enqueue_n_bulk(min(self.args.batch, n))  # warm-up
        self.flush()
        async with self.deadline(30 + n / 200, "enqueue bulk"):
            el = await self.enqueue_n_bulk(n)
        i = self.phases.index("bulk") if "bulk" in self.phases else -1
        if 0 <= i < len(self.phases) - 1 and self.phases[i + 1] == "drain":
            # The drain phase runs next on exactly these N no-op jobs (saves
            # enqueueing them again; for Celery that is ~15 s a run).
            self.preloaded = True
        else:
            self.flush()
        return n / el

    async def phase_drain(self) -> float:
        n = self.args.jobs
        if not self.preloaded:
            self.flush()
            async with self.deadline(60 + n / 100, "pre-enqueue for drain"):
                if self.peer.has_bulk:
                    await self.enqueue_n_bulk(n)
                elif hasattr(self.peer, "preload"):  # faster unmeasured set-up
                    await self.peer.preload(n)
                else:
                    await self.enqueue_n_single(n)
        self.preloaded = False
        done = os.path.join(self.tmp, f"drain-{time.time_ns()}.json")
        timeout = 60 + n / 80  # i.e. fails below ~80 jobs/s
        w = self.worker("drain", n, done)
        try:
            deadline = time.monotonic() + timeout
            while not os.path.exists(done):
                if time.monotonic() > deadline:
                    raise PhaseTimeout(f"drain: {n} jobs not done within {timeout:.0f} s; worker log: {w.log_tail()}")
                if not w.alive() and not os.path.exists(done):
                    raise RuntimeError(f"drain: worker exited (rc={w.proc.returncode}) before finishing; log: {w.log_tail()}")
                time.sleep(0.02)
            with open(done) as f:
                d = json.load(f)
        finally:
            w.stop()
        self.flush()
        secs = (d["last_end_ns"] - d["first_start_ns"]) / 1e9
        return n / secs

    async def phase_pickup(self) -> tuple[float, float]:
        self.flush()
        w = self.worker("pickup", 0, os.path.join(self.tmp, "unused"))
        try:
            # Wait until the worker runs jobs: probe until one comes back.
            async with self.deadline(90, "pickup: worker start-up"):
                deadline = time.monotonic() + 60
                while True:
                    if not w.alive():
                        raise RuntimeError(f"pickup: worker exited (rc={w.proc.returncode}); log: {w.log_tail()}")
                    if time.monotonic() > deadline:
                        raise PhaseTimeout(f"pickup: worker ran no job within 60 s; log: {w.log_tail()}")
                    await self.single(time.time_ns())
                    if self.r.blpop([LAT_KEY], timeout=1):
                        break
            time.sleep(1.0)  # let stray start-up probes finish, then forget them
            self.r.delete(LAT_KEY)
            samples: list[float] = []
            missed = 0
            total = 20 + self.args.samples
            async with self.deadline(60 + total * 0.5, "pickup sampling"):
                for i in range(total):
                    await self.single(time.time_ns())
                    got = self.r.blpop([LAT_KEY], timeout=5)
                    if got is None:
                        missed += 1
                        if missed > max(3, self.args.samples // 20):
                            raise RuntimeError(f"pickup: {missed} probes not run within 5 s; log: {w.log_tail()}")
                    elif i >= 20:
                        samples.append(int(got[1]) / 1e6)
                    time.sleep(0.010)
        finally:
            w.stop()
        self.flush()
        samples.sort()
        return percentile(samples, 0.50), percentile(samples, 0.99)

    async def run(self) -> dict:
        phases = self.phases
        await self.peer.setup()
        per_run: list[dict] = self.per_run
        errors: list[str] = self.errors
        try:
            for run in range(1, self.args.runs + 1):
                res: dict[str, Any] = {}
                per_run.append(res)
                for ph in phases:
                    t = time.monotonic()
                    try:
                        if ph == "single":
                            res["enqueue_single_per_s"] = await self.phase_single()
                        elif ph == "bulk":
                            res["enqueue_bulk_per_s"] = await self.phase_bulk()
                        elif ph == "drain":
                            res["drain_per_s"] = await self.phase_drain()
                        elif ph == "pickup":
                            res["pickup_p50_ms"], res["pickup_p99_ms"] = await self.phase_pickup()
                        else:
                            raise ValueError(f"unknown phase {ph}")
                    except (Exception, PhaseTimeout) as e:  # a failed phase is reported, the rest goes on
                        self.preloaded = False
                        errors.append(f"run {run} {ph}: {type(e).__name__}: {e}")
                        log(f"{self.peer.label}: run {run} {ph} FAILED: {e}")
                        try:
                            _stop_all_workers()
                            self.flush()
                        except Exception:
                            pass
                        continue
                    shown = {k: round(v, 2) for k, v in res.items() if v is not None}
                    log(f"{self.peer.label}: run {run} {ph} done in {time.monotonic() - t:.1f}s {shown}")
        finally:
            try:
                await self.peer.close()
            except Exception:
                pass
            _stop_all_workers()
        return self.summary()

    def summary(self) -> dict:
        per_run = [r for r in self.per_run if r]
        errors = self.errors
        keys = ["enqueue_single_per_s", "enqueue_bulk_per_s", "drain_per_s", "pickup_p50_ms", "pickup_p99_ms"]
        out: dict[str, Any] = {"queue": self.peer.label}
        for k in keys:
            v = median_or_none([r.get(k) for r in per_run])
            out[k] = None if v is None else round(v, 3 if k.startswith("pickup") else 1)
        out["postgres_record"] = False
        phases = [p.strip() for p in self.args.only.split(",")] if self.args.only else ["single", "bulk", "drain", "pickup"]
        metric_of = {"single": "enqueue_single_per_s", "bulk": "enqueue_bulk_per_s",
                     "drain": "drain_per_s", "pickup": "pickup_p50_ms"}
        out["failed_phases"] = [ph for ph in phases
                                if not (ph == "bulk" and not self.peer.has_bulk) and out.get(metric_of.get(ph, "")) is None]
        out.update(
            runs=self.args.runs,
            jobs=self.args.jobs,
            single_jobs=min(self.args.single_jobs, self.args.jobs),
            bulk_batch=self.args.batch if self.peer.has_bulk else None,
            bulk_api=self.peer.bulk_desc if self.peer.has_bulk else None,
            pickup_samples=self.args.samples,
            worker=self.peer.worker_desc,
            per_run=[{k: (None if v is None else round(v, 3)) for k, v in r.items()} for r in per_run],
            errors=errors,
        )
        return out


def parse_args(argv=None, default_concurrency: Optional[int] = None):
    p = argparse.ArgumentParser()
    p.add_argument("--redis-url", required=True, help="Redis URL incl. the DB this peer may FLUSHDB")
    p.add_argument("--jobs", type=int, default=20000, help="jobs for drain and bulk enqueue")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--single-jobs", type=int, default=5000, help="jobs for single enqueue (capped at --jobs)")
    p.add_argument("--batch", type=int, default=1000, help="bulk batch size")
    p.add_argument("--samples", type=int, default=300, help="pickup latency samples per run")
    p.add_argument("--only", default="", help="comma list of phases: single,bulk,drain,pickup")
    p.add_argument("--tag", default="main", help="label for log files")
    if default_concurrency is not None:
        p.add_argument("--concurrency", type=int, default=default_concurrency)
    return p.parse_args(argv)


def main(module_name: str) -> None:
    """Entry point of every peer file.

    The peer file re-imports itself by module name so that task functions are
    registered under `<module>.<name>` (not `__main__.<name>`), which is what
    the separately started worker process imports.
    """
    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGINT, _on_term)
    sys.path.insert(0, HERE)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--redis-url")
    known, _ = pre.parse_known_args()
    if known.redis_url:  # peer modules read it at import time
        os.environ["BENCH_REDIS_URL"] = known.redis_url
    mod = importlib.import_module(module_name)
    args = parse_args(default_concurrency=getattr(mod, "DEFAULT_CONCURRENCY", None))
    peer = mod.Peer(args)
    log(f"{peer.label}: {args.runs} run(s), {args.jobs} jobs, worker: {peer.worker_desc}")
    runner = Runner(peer, args, module_name)
    try:
        out = asyncio.run(runner.run())
    except BaseException as e:
        # Killed (e.g. bench/run's timeout): report what was measured so far.
        _stop_all_workers()
        runner.errors.append(f"harness interrupted ({type(e).__name__}: {e}); later phases not measured")
        print(json.dumps(runner.summary()), flush=True)
        raise
    finally:
        _stop_all_workers()
        if runner.errors and runner.log_dir == runner.tmp:
            log(f"worker log kept: {runner.log_path}")
        else:
            shutil.rmtree(runner.tmp, ignore_errors=True)
    print(json.dumps(out), flush=True)
