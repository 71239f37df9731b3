"""BullMQ (Python port) side of `bench/run fairness`: the same workload, the same measures.

    python bullmq_fairness.py --redis-url URL --phase alone|mixed [--heavy-jobs N] [--light-batch N]
        [--light-jobs N] [--interval-ms MS] [--workers K] [--concurrency C]
    python bullmq_fairness.py worker URL C        (one worker process; started by the above)

BullMQ has no fair share (groups are a BullMQ Pro feature), so the heavy tenant's flood and the
light tenant's batch share one FIFO; the interactive jobs carry a higher priority (BullMQ: a lower
number; jobs without one would run before every prioritized job, so the batches get priority 10
and the interactive jobs 1). A wait is the handler's start (the clock read in the handler, kept as
the job's return value) minus the job's `timestamp` (when it was added). Prints one JSON line with the raw figures, as velocity's driver does.
"""
import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time

QUEUE = "fairbench"


async def noop(job, token):
    # When the handler started, by this machine's clock like the job's `timestamp`: BullMQ's own
    # `processedOn` is the worker's fetch time, which can precede the add it then picks up.
    return {"started_ms": time.time() * 1000}


async def worker_main(url: str, concurrency: int) -> None:
    from bullmq import Worker

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    worker = Worker(QUEUE, noop, {"connection": url, "concurrency": concurrency})
    print("ready", flush=True)
    await stop.wait()
    await worker.close(force=True)


async def main(args) -> None:
    from bullmq import Job, Queue

    workers = []
    for _ in range(args.workers):
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "worker", args.redis_url, str(args.concurrency)],
                             stdout=subprocess.PIPE, stderr=sys.stderr, text=True, start_new_session=True)
        workers.append(p)
    for p in workers:
        if p.stdout.readline().strip() != "ready":
            raise SystemExit("a bullmq worker did not start")
    queue = Queue(QUEUE, {"connection": args.redis_url})
    interactive: list[str] = []
    stop = asyncio.Event()

    async def submitter():
        count = 0
        while not stop.is_set() and (args.phase == "mixed" or count < args.light_jobs):
            job = await queue.add("interactive", {"tenant": "light"}, {"priority": 1})
            interactive.append(job.id)
            count += 1
            await asyncio.sleep(args.interval_ms / 1000)

    task = asyncio.create_task(submitter())
    result = {"phase": args.phase, "queue": "bullmq"}
    try:
        if args.phase == "mixed":
            heavy_first = heavy_last = None
            for start in range(0, args.heavy_jobs, 5000):
                n = min(5000, args.heavy_jobs - start)
                jobs = await queue.addBulk([{"name": "batch", "data": {"tenant": "heavy"}, "opts": {"priority": 10}}
                                            for _ in range(n)])
                heavy_first = heavy_first or jobs[0]
                heavy_last = jobs[-1]
            # The light batch arrives once half of the flood has run, as in velocity's phase.
            while await queue.getCompletedCount() < args.heavy_jobs // 2:
                await asyncio.sleep(0.005)
            light = await queue.addBulk([{"name": "batch", "data": {"tenant": "light"}, "opts": {"priority": 10}}
                                         for _ in range(args.light_batch)])
            # One priority is one FIFO: when the last of each batch is done, the batches are.
            ends = {}
            while len(ends) < 2:
                for key, job_id in (("heavy", heavy_last.id), ("light", light[-1].id)):
                    job = await Job.fromId(queue, job_id)
                    if key not in ends and job is not None and job.finishedOn:
                        ends[key] = int(job.finishedOn)
                await asyncio.sleep(0.05)
            result["drain_ms"] = max(ends.values()) - int(heavy_first.timestamp)
            result["drained_jobs"] = args.heavy_jobs + args.light_batch
            result["light_batch_done_ms"] = ends["light"] - int(light[0].timestamp)
        if args.phase == "mixed":
            stop.set()
        await task
        waits = []
        for job_id in interactive:
            for _ in range(400):
                job = await Job.fromId(queue, job_id)
                if job is not None and job.finishedOn and isinstance(job.returnvalue, dict):
                    waits.append(job.returnvalue["started_ms"] - job.timestamp)
                    break
                await asyncio.sleep(0.05)
        result["interactive_waits_ms"] = waits
    finally:
        await queue.close()
        for p in workers:
            os.killpg(p.pid, signal.SIGTERM)
        for p in workers:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        asyncio.run(worker_main(sys.argv[2], int(sys.argv[3])))
        sys.exit(0)
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--phase", choices=["alone", "mixed"], required=True)
    parser.add_argument("--heavy-jobs", type=int, default=50000)
    parser.add_argument("--light-batch", type=int, default=1000)
    parser.add_argument("--light-jobs", type=int, default=200)
    parser.add_argument("--interval-ms", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=16)
    asyncio.run(main(parser.parse_args()))
