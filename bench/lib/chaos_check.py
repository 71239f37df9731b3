"""The chaos run's checker: what the clients were promised (their 2xx answers), against what
PostgreSQL, the blob store and the workers' attempt journals say happened. Pure: it takes the
records and returns the verdict, so it can be read (and tried) without a stack."""
from __future__ import annotations

import json
from collections import Counter, defaultdict

TERMINAL = {"succeeded", "failed", "canceled", "dead"}


def check(submissions: list[dict], rows: dict[str, dict], journal: list[dict], faults: list[dict],
          data_loss_kinds: set[str], fenced: int, blob_ok: dict[str, bool]) -> dict:
    """submissions: one per client request {key, kind, status, job}; rows: PostgreSQL's jobs by id
    {kind, state, attempts, result, error_code}; journal: the CPU workers' attempt lines;
    faults: {kind, started, ended}; fenced: attempts the workers were told were no longer theirs;
    blob_ok: per succeeded render, whether its PNG was served."""
    verdict: dict = {"problems": []}

    def problem(text: str) -> None:
        if len(verdict["problems"]) < 20:
            verdict["problems"].append(text)

    accepted: dict[str, dict] = {}
    jobs_per_key: dict[str, set[str]] = defaultdict(set)
    for sub in submissions:
        if 200 <= sub["status"] < 300 and sub.get("job"):
            accepted[sub["job"]] = sub
            jobs_per_key[sub["key"]].add(sub["job"])
    verdict["accepted"] = len(accepted)
    verdict["refused"] = sum(1 for sub in submissions if not 200 <= sub["status"] < 300)
    verdict["by_kind"] = dict(Counter(sub["kind"] for sub in accepted.values()))
    # One idempotency key, one job, however often the client had to retry it.
    split_keys = [key for key, jobs in jobs_per_key.items() if len(jobs) > 1]
    for key in split_keys[:5]:
        problem(f"idempotency key {key} made {len(jobs_per_key[key])} jobs")

    # Lost: a 2xx without its row, or a row that never ended.
    lost = 0
    states: Counter = Counter()
    for job, sub in accepted.items():
        row = rows.get(job)
        if row is None:
            lost += 1
            problem(f"{sub['kind']} job {job} got {sub['status']} but has no PostgreSQL row")
        elif row["state"] not in TERMINAL:
            lost += 1
            problem(f"{sub['kind']} job {job} never ended (state {row['state']}, {row['attempts']} attempts)")
        else:
            states[row["state"]] += 1
    verdict["states"] = dict(states)
    verdict["failure_codes"] = dict(Counter(
        f"{row['kind']}:{row['error_code']}" for job, row in rows.items()
        if job in accepted and row["state"] in {"failed", "dead"}))

    # Blobs: every succeeded render's PNG is served.
    missing_blobs = [job for job, ok in blob_ok.items() if not ok]
    for job in missing_blobs[:5]:
        problem(f"render {job} succeeded but its PNG is not served")
    verdict["blobs_checked"] = len(blob_ok)
    verdict["blobs_lost"] = len(missing_blobs)
    lost += len(missing_blobs)
    verdict["lost"] = lost

    # Executions of the CPU jobs, from the journals: each start after the first must be a counted
    # attempt (a higher attempt number: its predecessor's lease expired or it failed) or follow a
    # fault that lost Redis's writes.
    starts: dict[str, list[dict]] = defaultdict(list)
    for line in journal:
        if line.get("event") == "start":
            starts[line["job"]].append(line)
    # A fault that loses Redis writes may do so at any moment from its start until it ends (a
    # FLUSHALL runs while it is sent; a failover's topology settles, sometimes through a second
    # failover, before the fault counts as over): a rerun is explained by one whose span meets
    # the span between the two runs.
    loss_spans = [(f["started"] * 1000, f["ended"] * 1000) for f in faults if f["kind"] in data_loss_kinds]
    duplicates = data_loss_reruns = unexplained = 0
    for job, runs in starts.items():
        if job not in accepted:
            continue
        runs.sort(key=lambda line: line["at_ms"])
        for before, after in zip(runs, runs[1:]):
            if after["attempt"] > before["attempt"]:
                duplicates += 1
            elif any(start <= after["at_ms"] and end >= before["at_ms"] for start, end in loss_spans):
                data_loss_reruns += 1
            else:
                unexplained += 1
                problem(f"cpu job {job} ran twice as attempt {before['attempt']} → {after['attempt']} "
                        f"({before['worker']} then {after['worker']}) with no fault that lost Redis data between")
    verdict["duplicates"] = duplicates
    verdict["data_loss_reruns"] = data_loss_reruns

    # Stale acknowledgements: a succeeded CPU job's result names the attempt whose ack the broker
    # kept; it must be the job's latest attempt.
    stale_accepted = 0
    for job, row in rows.items():
        if job not in accepted or row["kind"] != "cpu.task" or row["state"] != "succeeded":
            continue
        runs = starts.get(job)
        try:
            kept = str(json.loads(row["result"] or "{}").get("attempt_id"))
        except ValueError:
            kept = None
        if not runs:
            unexplained += 1
            problem(f"cpu job {job} succeeded but no worker journaled running it")
            continue
        latest = max(runs, key=lambda line: line["at_ms"])
        if kept != str(latest["attempt_id"]):
            stale_accepted += 1
            problem(f"cpu job {job}: the broker kept attempt {kept}'s ack, but attempt {latest['attempt_id']} "
                    f"({latest['worker']}) started after it")
    verdict["unexplained_duplicates"] = unexplained + len(split_keys)
    verdict["stale_acks_accepted"] = stale_accepted
    verdict["fenced_attempts"] = fenced
    verdict["faults"] = sum(1 for f in faults if not f["kind"].endswith("_failed"))
    verdict["faults_failed"] = sum(1 for f in faults if f["kind"].endswith("_failed"))
    return verdict
