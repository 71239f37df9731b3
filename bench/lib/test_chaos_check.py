"""The chaos checker on records made by hand: it passes a clean run and catches each thing it
is there to catch. Run: python3 -m unittest discover -s bench/lib -p 'test_*.py' (ops/test.sh
runs it before its chaos phase)."""
import json
import unittest

from chaos_check import check

LOSS = {"redis_flushall"}


def submission(job, kind="cpu", key=None, status=202):
    return {"key": key or f"key-{job}", "kind": kind, "status": status, "job": job}


def row(kind="cpu.task", state="succeeded", attempts=1, attempt_id="1", code=""):
    result = json.dumps({"attempt": attempts, "attempt_id": attempt_id}) if kind == "cpu.task" else ""
    return {"kind": kind, "state": state, "attempts": attempts, "result": result, "error_code": code}


def start(job, attempt, attempt_id, at_ms, worker="cpu-1"):
    return {"event": "start", "job": job, "attempt": attempt, "attempt_id": attempt_id, "at_ms": at_ms,
            "worker": worker}


class ChaosCheckTests(unittest.TestCase):
    def verdict(self, submissions, rows, journal, faults=(), blobs=None):
        return check(list(submissions), rows, list(journal), list(faults), LOSS, 0, blobs or {})

    def test_a_clean_run_passes_with_its_counted_duplicates(self):
        verdict = self.verdict(
            [submission("a"), submission("b"), submission("r", kind="render")],
            {"a": row(), "b": row(attempts=2, attempt_id="7"), "r": row(kind="dream_weaver.render")},
            [start("a", 1, "1", 100), start("b", 1, "2", 100), start("b", 2, "7", 4000)], blobs={"r": True})
        self.assertEqual((verdict["lost"], verdict["unexplained_duplicates"], verdict["stale_acks_accepted"]),
                         (0, 0, 0), verdict["problems"])
        self.assertEqual(verdict["duplicates"], 1)

    def test_a_2xx_without_a_row_an_open_job_and_a_lost_png_are_lost(self):
        verdict = self.verdict(
            [submission("a"), submission("b"), submission("r", kind="render"), submission("x", status=503)],
            {"b": row(state="queued", attempts=0), "r": row(kind="dream_weaver.render")}, [], blobs={"r": False})
        self.assertEqual(verdict["lost"], 3)
        self.assertEqual(verdict["refused"], 1)

    def test_a_rerun_without_a_new_attempt_is_unexplained_unless_redis_lost_data_between(self):
        journal = [start("a", 1, "1", 100), start("a", 1, "5", 9000)]
        rows = {"a": row(attempt_id="5")}
        self.assertEqual(self.verdict([submission("a")], rows, journal)["unexplained_duplicates"], 1)
        flush = [{"kind": "redis_flushall", "started": 5.0, "ended": 5.1}]
        verdict = self.verdict([submission("a")], rows, journal, flush)
        self.assertEqual((verdict["unexplained_duplicates"], verdict["data_loss_reruns"]), (0, 1))
        # The FLUSHALL was sent just before the first run and took effect after it: still explained.
        late = [{"kind": "redis_flushall", "started": 0.09, "ended": 0.2}]
        self.assertEqual(self.verdict([submission("a")], rows, journal, late)["data_loss_reruns"], 1)
        # A fault that ended before the first run explains nothing.
        early = [{"kind": "redis_flushall", "started": 0.01, "ended": 0.05}]
        self.assertEqual(self.verdict([submission("a")], rows, journal, early)["unexplained_duplicates"], 1)

    def test_an_ack_kept_from_an_attempt_that_is_not_the_latest_is_a_stale_ack(self):
        journal = [start("a", 1, "1", 100), start("a", 2, "9", 4000, worker="cpu-2")]
        verdict = self.verdict([submission("a")], {"a": row(attempts=2, attempt_id="1")}, journal)
        self.assertEqual(verdict["stale_acks_accepted"], 1)

    def test_one_idempotency_key_with_two_jobs_and_a_success_nobody_ran_are_unexplained(self):
        verdict = self.verdict([submission("a", key="k"), submission("b", key="k")], {"a": row(), "b": row()},
                               [start("a", 1, "1", 100)])
        self.assertEqual(verdict["unexplained_duplicates"], 2)


if __name__ == "__main__":
    unittest.main()
