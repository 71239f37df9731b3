"""Celery peer.

Producer: Task.apply_async (single) and group(...).apply_async() (bulk, one
          group per batch of --batch; Celery has no other multi-message
          publish API — `chunks` would merge jobs into fewer messages).
          No result backend (Celery's default), JSON serializer.
Worker:   the library's own CLI, `celery -A celery_peer worker --pool=solo`:
          ONE process executing tasks in its own event loop (prefork -c 2
          would be 3 processes). Default prefetch multiplier (4), -l WARNING.
"""
import os
import sys
from importlib.metadata import version

from celery import Celery, group

import common

QUEUE = "bench"
app = Celery("celery_peer", broker=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
app.conf.task_default_queue = QUEUE
app.conf.broker_connection_retry_on_startup = True


@app.task(name="noop")
def noop(t0):
    common.on_job(t0)


class Peer(common.BasePeer):
    has_bulk = True
    bulk_desc = "group(...).apply_async()"
    label = f"celery {version('celery')} (solo pool)"
    worker_desc = "`celery -A celery_peer worker --pool=solo -Q bench -l WARNING`"

    async def setup(self):
        app.conf.broker_url = self.args.redis_url

    def enqueue_single(self, t0):
        noop.apply_async((t0,))

    def enqueue_bulk(self, n):
        group(noop.s(0) for _ in range(n)).apply_async()

    def worker_argv(self, mode):
        return [sys.executable, "-m", "celery", "-A", "celery_peer", "worker", "--pool=solo",
                "-Q", QUEUE, "-l", "WARNING"]


if __name__ == "__main__":
    common.main("celery_peer")
