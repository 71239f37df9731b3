"""RQ peer.

Producer: Queue.enqueue (single) and Queue.enqueue_many with
          Queue.prepare_data (bulk, one pipeline per batch of --batch).
Worker:   the library's own CLI, `rq worker -w rq.worker.SimpleWorker`
          (executes jobs in the worker process, no fork per job), --burst for
          the drain, a normal long-running worker for pickup latency.
          Logging at WARNING; library defaults otherwise (results kept 500 s).
"""
import os
import sys
from importlib.metadata import version

import common

QUEUE = "bench"


def noop(t0):
    common.on_job(t0)


class Peer(common.BasePeer):
    has_bulk = True
    bulk_desc = "Queue.enqueue_many"
    label = f"rq {version('rq')} (SimpleWorker)"
    worker_desc = "`rq worker -w rq.worker.SimpleWorker --logging_level WARNING` (--burst for drain)"

    async def setup(self):
        from redis import Redis
        from rq import Queue

        self.conn = Redis.from_url(self.args.redis_url)
        self.q = Queue(QUEUE, connection=self.conn)

    async def close(self):
        self.conn.close()

    def enqueue_single(self, t0):
        self.q.enqueue(noop, t0)

    def enqueue_bulk(self, n):
        from rq import Queue

        self.q.enqueue_many([Queue.prepare_data(noop, (0,)) for _ in range(n)])

    def worker_argv(self, mode):
        exe = os.path.join(os.path.dirname(sys.executable), "rq")
        argv = [exe, "worker", "-w", "rq.worker.SimpleWorker", "--url", self.args.redis_url,
                "--logging_level", "WARNING", "--path", common.HERE]
        if mode == "drain":
            argv.append("--burst")
        return argv + [QUEUE]


if __name__ == "__main__":
    common.main("rq_peer")
