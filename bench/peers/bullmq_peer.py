"""BullMQ (Python port) peer.

Producer: Queue.add (single) and Queue.addBulk (bulk, batches of --batch).
Worker:   this file run with `worker` as first argument: one process, a
          bullmq.Worker with --concurrency (default 10) and library defaults
          otherwise (completed jobs are kept, as BullMQ does by default).
"""
import asyncio
import os
import signal
import sys
from importlib.metadata import version

import common

QUEUE = "bench"
DEFAULT_CONCURRENCY = 10


async def process(job, token):
    common.on_job(job.data["t0"])


class Peer(common.BasePeer):
    has_bulk = True
    bulk_desc = "Queue.addBulk"

    def __init__(self, args):
        super().__init__(args)
        self.label = f"bullmq {version('bullmq')} (concurrency {args.concurrency})"
        self.worker_desc = f"bullmq.Worker, 1 process, concurrency {args.concurrency}"

    async def setup(self):
        from bullmq import Queue

        self.q = Queue(QUEUE, {"connection": self.args.redis_url})

    async def close(self):
        await self.q.close()

    async def enqueue_single(self, t0):
        await self.q.add("noop", {"t0": t0})

    async def enqueue_bulk(self, n):
        await self.q.addBulk([{"name": "noop", "data": {"t0": 0}} for _ in range(n)])

    def worker_argv(self, mode):
        return [sys.executable, os.path.join(common.HERE, "bullmq_peer.py"), "worker", str(self.args.concurrency)]


async def worker_main(concurrency: int):
    from bullmq import Worker

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    w = Worker(QUEUE, process, {"connection": common.redis_url(), "concurrency": concurrency})
    await stop.wait()
    await w.close(force=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        asyncio.run(worker_main(int(sys.argv[2])))
    else:
        common.main("bullmq_peer")
