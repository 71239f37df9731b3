"""SAQ peer.

Producer: Queue.enqueue (single). SAQ has no bulk-enqueue API (Queue.map
          enqueues concurrently and then waits for the results), so bulk is "—".
Worker:   the library's own CLI, `python -m saq saq_peer.settings` (one
          process, --workers 1), concurrency 50, library defaults otherwise.
"""
import os
import sys
from importlib.metadata import version

import common

QUEUE = "bench"
CONCURRENCY = 50


async def noop(ctx, *, t0):
    common.on_job(t0)


def settings():
    from saq import Queue

    return {
        "queue": Queue.from_url(common.redis_url(), name=QUEUE),
        "functions": [noop],
        "concurrency": CONCURRENCY,
    }


class Peer(common.BasePeer):
    has_bulk = False
    label = f"saq {version('saq')} (concurrency {CONCURRENCY})"
    worker_desc = f"`python -m saq saq_peer.settings --workers 1`, concurrency {CONCURRENCY}"

    async def setup(self):
        from saq import Queue

        self.q = Queue.from_url(self.args.redis_url, name=QUEUE)
        await self.q.connect()

    async def close(self):
        await self.q.disconnect()

    async def enqueue_single(self, t0):
        await self.q.enqueue("noop", t0=t0)

    async def preload(self, n):
        """Unmeasured set-up for the drain: enqueue concurrently, as Queue.map does."""
        import asyncio

        for i in range(0, n, 500):
            await asyncio.gather(*(self.q.enqueue("noop", t0=0) for _ in range(min(500, n - i))))

    def worker_argv(self, mode):
        return [sys.executable, "-m", "saq", "saq_peer.settings", "--workers", "1"]


if __name__ == "__main__":
    common.main("saq_peer")
