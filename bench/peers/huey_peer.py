"""Huey peer.

Producer: calling the task (one enqueue per call). Huey has no bulk-enqueue
          API, so bulk is "—".
Worker:   the library's own consumer, `huey_consumer huey_peer.huey -w 1 -k
          thread -q`: one process, one worker thread; RedisHuey's default
          blocking dequeue (BRPOP), so an idle consumer does not poll.
"""
import os
import sys
from importlib.metadata import version

from huey import RedisHuey

import common

huey = RedisHuey("bench", url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))


@huey.task()
def noop(t0):
    common.on_job(t0)


class Peer(common.BasePeer):
    has_bulk = False
    label = f"huey {version('huey')} (1 thread)"
    worker_desc = "`huey_consumer huey_peer.huey -w 1 -k thread -q`"

    def enqueue_single(self, t0):
        noop(t0)

    def worker_argv(self, mode):
        exe = os.path.join(os.path.dirname(sys.executable), "huey_consumer")
        return [exe, "huey_peer.huey", "-w", "1", "-k", "thread", "-q"]


if __name__ == "__main__":
    common.main("huey_peer")
