"""bench/run crm-import: a 1,000,000-row Indian broker sheet through velocity's CRM import, beside the
same pipeline written in Python (bench/peers/crm_import_python.py), on one private PostgreSQL.

Data (bench/lib/crm_import_gen.py, cached in bench/.cache/crm-import/ by rows, seed and generator
source): the sheet, 5% in-file duplicates, 2% broken rows, 10% rows matching one of the existing people,
plus as many existing people again that match nothing. Checked once when generated.

Each run, on a fresh database of one private Redis + PostgreSQL (ops/services.sh):
  1. `velocity gateway` (migrates the tables), an operator key (`velocity keys create --json`), the
     existing people COPYed into crm_people / crm_person_identities and ANALYZEd;
  2. the peer, in schema `peer` of the same database (it reads crm_people, writes copies), then the
     schema dropped and a CHECKPOINT, so that velocity starts on a quiet server;
  3. `velocity worker --queue cpu --handler crm`, then
       T0 multipart POST /api/crm/imports (file=leads.csv, default_region=IN) → 202 {"id"}
       poll GET /api/crm/imports/{id}?limit=1 every 200 ms until status in_review → T1
       PUT /api/crm/imports/{id}/review-proposal with REVIEW_BULK (not timed)
       T2 POST /api/crm/imports/{id}/commit → 202 (the batch is committing); poll until it is committed,
          or back in_review when proposals the bulk rules left undecided remain (fuzzy candidates) → T3
     the worker's peak RSS is its VmHWM, read before it is stopped.
Figures (medians over runs): rows/s to proposals = rows ÷ (T1 − T0), proposals s, commit s, peak RSS;
ratio = ours rows/s ÷ the peer's. Writes the `crm-import` section of bench/RESULTS.md (`crm-import-N` for
another --rows N), appends to
bench/results/crm-import.jsonl; last stdout line
  RESULT rows_per_s=<ours> ratio=<ours ÷ peer> peak_rss_mib=<worker peak>

Environment: BENCH_OURS_TIMEOUT / BENCH_PEER_TIMEOUT (seconds per phase / for the whole peer; default
scale with --rows), BENCH_CRM_WORKER_ARGS / BENCH_CRM_GATEWAY_ARGS (extra flags, shell-split),
BENCH_KEEP_LOGS=1 (keep the temp dir with the gateway, worker and peer logs, and the run's database
in the stopped PostgreSQL cluster, for EXPLAIN and statement logs afterwards).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import http.client
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

sys.dont_write_bytecode = True  # no __pycache__ left in bench/lib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_md  # noqa: E402
from loopback import free_port, log  # noqa: E402

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)
GEN = os.path.join(BENCH, "lib", "crm_import_gen.py")
PEER = os.path.join(BENCH, "peers", "crm_import_python.py")
TENANT = "bench"

# The review the harness applies between "proposals ready" and "commit" — the one place to change
# when the shape of `where` changes: approve every proposal without a merge candidate, merge those
# whose best candidate is at least 0.95; the rest stay pending.
REVIEW_BULK = {"bulk": [
    {"decision": "approve", "where": {"max_candidate_confidence": None, "has_merge_candidate": False}},
    {"decision": "merge", "where": {"min_candidate_confidence": 0.95}},
]}
POLL_S = 0.2

# Only for --peer-only, when no gateway migrates the database: the part of velocity's migration 302
# (PlatformMigrations+CRM.swift) that the seed and the peer use.
FALLBACK_DDL = """
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE TABLE IF NOT EXISTS crm_accounts (id uuid PRIMARY KEY, tenant_id text NOT NULL, name text NOT NULL,
    name_key text NOT NULL, source_batch_id uuid, created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS crm_people (id uuid PRIMARY KEY, tenant_id text NOT NULL, full_name text NOT NULL,
    first_name text, last_name text, salutation text, name_key text NOT NULL, primary_phone text,
    phones text[] NOT NULL DEFAULT '{}', primary_email text, emails text[] NOT NULL DEFAULT '{}', city text,
    state text, country text, account_id uuid REFERENCES crm_accounts (id), job_title text, source_batch_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS crm_people_tenant ON crm_people (tenant_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS crm_people_phone_suffix ON crm_people (tenant_id, right(primary_phone, 7));
CREATE INDEX IF NOT EXISTS crm_people_city_name ON crm_people (tenant_id, lower(city),
    (left(name_key, 2) || '|' || left(regexp_replace(name_key, '^.* ', ''), 3)));
CREATE INDEX IF NOT EXISTS crm_people_name_trgm ON crm_people USING gin (name_key public.gin_trgm_ops);
CREATE TABLE IF NOT EXISTS crm_person_identities (tenant_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('phone', 'email')), value text NOT NULL,
    person_id uuid NOT NULL REFERENCES crm_people (id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, kind, value, person_id));
"""
COUNTRY_PREFIXES = [("+971", "AE"), ("+91", "IN"), ("+44", "GB"), ("+65", "SG"), ("+1", "US")]


class BenchError(Exception):
    pass


# ------------------------------------------------------------------------------------------ processes
class Processes:
    """Every process the harness starts, each in its own process group, killed at exit."""

    def __init__(self) -> None:
        self.items: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(argv, start_new_session=True, **kwargs)
        self.items.append((name, process))
        return process

    def stop(self, process: subprocess.Popen, grace: float = 10.0) -> None:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        try:  # whatever is left of its group
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.items = [(n, p) for n, p in self.items if p is not process]

    def stop_all(self) -> None:
        for _, process in list(reversed(self.items)):
            self.stop(process, grace=5.0)


def tail(path: str, lines: int = 30) -> str:
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log)"


def proc_status(pid: int, field: str) -> float | None:
    """VmHWM / VmRSS of a live process, MiB."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def proc_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a live process so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


# ----------------------------------------------------------------------------------------------- data
def ensure_data(rows: int, seed: int, python: str) -> tuple[str, dict]:
    """The generated files, from the cache when the same rows, seed and generator made them."""
    with open(GEN, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    cache = os.path.join(BENCH, ".cache")
    os.makedirs(cache, exist_ok=True)
    ignore = os.path.join(cache, ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w") as f:
            f.write("*\n")
    target = os.path.join(cache, "crm-import", f"rows-{rows}-seed-{seed}-{digest}")
    manifest = os.path.join(target, "manifest.json")
    if not os.path.exists(manifest):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        building = target + f".tmp-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        log(f"generating {rows:,} rows (seed {seed}) into {target} and checking them")
        started = time.time()
        subprocess.run([python, GEN, "--rows", str(rows), "--seed", str(seed), "--out", building, "--verify"],
                       check=True, stdout=subprocess.DEVNULL, timeout=max(600, rows // 500))
        shutil.rmtree(target, ignore_errors=True)
        os.rename(building, target)
        log(f"data ready in {time.time() - started:.0f} s")
    with open(manifest) as f:
        return target, json.load(f)


def psql(url: str, sql: str) -> str:
    result = subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", url, "-Atqc", sql], capture_output=True,
                            text=True, timeout=600)
    if result.returncode != 0:
        raise BenchError(f"psql failed: {sql[:120]}…: {result.stderr.strip()}")
    return result.stdout


def seed_existing(pg_url: str, data: str, ddl: bool) -> int:
    """The existing people of the sheet's tenant: COPY into crm_people and crm_person_identities."""
    import psycopg

    path = os.path.join(data, "existing_people.csv")
    with psycopg.connect(pg_url) as conn, conn.cursor() as cur:
        if ddl:
            cur.execute(FALLBACK_DDL)
        people = 0
        with open(path, newline="", encoding="utf-8") as f:
            records = list(csv.DictReader(f))
        with cur.copy("COPY crm_people (id, tenant_id, full_name, first_name, last_name, name_key, primary_phone, "
                      "phones, primary_email, emails, city, country) FROM STDIN") as copy:
            for r in records:
                words = r["full_name"].split()
                phone, email = r["primary_phone"] or None, r["primary_email"] or None
                country = next((c for prefix, c in COUNTRY_PREFIXES if phone and phone.startswith(prefix)), None)
                copy.write_row((r["id"], r["tenant_id"], r["full_name"], words[0],
                                words[-1] if len(words) > 1 else None, r["name_key"], phone,
                                [phone] if phone else [], email, [email] if email else [], r["city"] or None, country))
                people += 1
        with cur.copy("COPY crm_person_identities (tenant_id, kind, value, person_id) FROM STDIN") as copy:
            for r in records:
                if r["primary_phone"]:
                    copy.write_row((r["tenant_id"], "phone", r["primary_phone"], r["id"]))
                if r["primary_email"]:
                    copy.write_row((r["tenant_id"], "email", r["primary_email"], r["id"]))
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE crm_people")
        cur.execute("VACUUM ANALYZE crm_person_identities")
    return people


# ------------------------------------------------------------------------------------------------ HTTP
class API:
    def __init__(self, port: int, token: str):
        self.port, self.token = port, token

    def request(self, method: str, path: str, body: dict | None = None, timeout: float = 60) -> tuple[int, dict | str]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                     headers={"Authorization": f"Bearer {self.token}",
                                              **({"Content-Type": "application/json"} if data else {})})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode("utf-8", "replace")
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def upload(self, path: str, fields: dict[str, str], timeout: float) -> tuple[int, dict | str]:
        """multipart/form-data, the file streamed from disk with a Content-Length."""
        boundary = "velocity-bench-" + uuid.uuid4().hex
        head = b""
        for name, value in fields.items():
            head += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode()
        head += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\n"
                 "Content-Type: text/csv\r\n\r\n").encode()
        tail_bytes = f"\r\n--{boundary}--\r\n".encode()
        size = os.path.getsize(path)

        def body():
            yield head
            with open(path, "rb") as f:
                while block := f.read(1 << 20):
                    yield block
            yield tail_bytes

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            try:
                connection.request("POST", "/api/crm/imports", body=body(), headers={
                    "Authorization": f"Bearer {self.token}", "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(len(head) + size + len(tail_bytes))})
            except (BrokenPipeError, ConnectionResetError) as error:
                # The server answered (413, 401…) and closed before the whole body was sent: read that answer.
                try:
                    response = connection.getresponse()
                    return response.status, response.read().decode("utf-8", "replace")
                except Exception:
                    raise BenchError(f"the upload was cut off by the gateway: {error}") from None
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
        finally:
            connection.close()
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text


def wait_http(port: int, process: subprocess.Popen, what: str, log_path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{what} exited with {process.returncode}:\n{tail(log_path)}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
            return
        except urllib.error.HTTPError:
            return  # it answered
        except Exception:
            time.sleep(0.1)
    raise BenchError(f"{what} did not answer on port {port} within {timeout:.0f} s:\n{tail(log_path)}")


# ------------------------------------------------------------------------------------------------ ours
class Worker:
    """`velocity worker`: stdout copied to a log by a thread, which also spots the ready line."""

    def __init__(self, processes: Processes, argv: list[str], log_path: str, env: dict):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.ready = threading.Event()
        self.process = processes.start("worker", argv, stdout=subprocess.PIPE, stderr=self.log, env=env, text=True)
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        for line in self.process.stdout:
            self.log.write(line)
            self.log.flush()
            if " ready on " in line:
                self.ready.set()

    def close(self) -> None:
        self.thread.join(timeout=5)
        self.log.close()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.1):
            if self.process.poll() is not None:
                raise BenchError(f"the worker exited with {self.process.returncode}:\n{tail(self.log_path)}")
            if time.monotonic() > deadline:
                raise BenchError(f"the worker printed no 'ready on' line within {timeout:.0f} s:\n{tail(self.log_path)}")


def poll_until(api: API, batch: str, want: str | tuple[str, ...], deadline_s: float, watch: list[tuple[str, subprocess.Popen, str]],
               worker_pid: int, rss: dict) -> tuple[float, dict]:
    """Polls the batch every POLL_S until its status is `want` (or one of them); returns (monotonic
    time, body)."""
    wanted = (want,) if isinstance(want, str) else want
    deadline = time.monotonic() + deadline_s
    last_status, last_log, errors = None, 0.0, 0
    while True:
        try:
            status, body = api.request("GET", f"/api/crm/imports/{batch}?limit=1", timeout=30)
            errors = 0
        except (urllib.error.URLError, OSError) as error:  # refused, reset, timed out
            errors += 1
            if errors >= 10:
                raise BenchError(f"GET /api/crm/imports/{batch} failed 10 times in a row: {error}") from None
            time.sleep(1)
            continue
        now = time.monotonic()
        current = rss.get("worker_rss_mib", 0.0)
        sample = proc_status(worker_pid, "VmRSS")
        if sample is not None:
            rss["worker_rss_mib"] = max(current, sample)
        if status != 200 or not isinstance(body, dict):
            raise BenchError(f"GET /api/crm/imports/{batch} answered {status}: {str(body)[:2000]}")
        state = body.get("status")
        if state in wanted:
            return now, body
        if state in ("failed", "awaiting_mapping"):
            raise BenchError(f"batch {batch} is {state} (waiting for {want}): {json.dumps(body)[:4000]}")
        for name, process, log_path in watch:
            if process.poll() is not None:
                raise BenchError(f"the {name} exited with {process.returncode} while the batch was {state}:\n"
                                 f"{tail(log_path)}")
        if state != last_status or now - last_log > 10:
            log(f"  {state}: rows_read {body.get('rows_read')}/{body.get('row_count')}, errors "
                f"{body.get('rows_with_errors')}, proposals {body.get('proposal_counts')}")
            last_status, last_log = state, now
        if now > deadline:
            raise BenchError(f"batch {batch} still {state} after {deadline_s:.0f} s (waiting for {want}): "
                             f"{json.dumps(body)[:2000]}")
        time.sleep(POLL_S)


def run_ours(args, processes: Processes, tmp: str, run: int, pg_url: str, redis_url: str, gateway_port: int,
             gateway: subprocess.Popen, token: str, data: str, phase_timeout: float) -> dict:
    blobs = os.path.join(tmp, "blobs")
    env = dict(os.environ, VELOCITY_LOG_LEVEL=os.environ.get("VELOCITY_LOG_LEVEL", "warning"))
    argv = [args.velocity, "worker", "--queue", "cpu", "--handler", "crm", "--blob-directory", blobs,
            "--redis-url", redis_url, "--postgres-url", pg_url] + shlex.split(os.environ.get("BENCH_CRM_WORKER_ARGS", ""))
    worker_log = os.path.join(tmp, f"worker-{run}.log")
    log(f"run {run}: {' '.join(argv[1:])}")
    worker = Worker(processes, argv, worker_log, env)
    try:
        worker.wait_ready()
        api = API(gateway_port, token)
        gateway_log = os.path.join(tmp, f"gateway-{run}.log")
        watch = [("worker", worker.process, worker_log), ("gateway", gateway, gateway_log)]
        rss: dict = {}
        csv_path = os.path.join(data, "leads.csv")
        log(f"run {run}: velocity: upload {os.path.getsize(csv_path) / 2**20:.0f} MiB")
        t0 = time.monotonic()
        status, body = api.upload(csv_path, {"default_region": "IN"}, timeout=phase_timeout)
        t_upload = time.monotonic()
        if status != 202 or not isinstance(body, dict) or "id" not in body:
            raise BenchError(f"POST /api/crm/imports answered {status}: {str(body)[:2000]}")
        batch = body["id"]
        log(f"  202 after {t_upload - t0:.1f} s: batch {batch}, {body.get('status')}")
        t1, ready = poll_until(api, batch, "in_review", phase_timeout, watch, worker.process.pid, rss)
        cpu_proposals = proc_cpu_s(worker.process.pid)
        log(f"  proposals ready after {t1 - t0:.1f} s (worker CPU {cpu_proposals or 0:.1f} s): {ready.get('proposal_counts')}")
        status, reviewed = api.request("PUT", f"/api/crm/imports/{batch}/review-proposal", REVIEW_BULK, timeout=phase_timeout)
        if status not in (200, 202):
            raise BenchError(f"PUT review-proposal answered {status}: {str(reviewed)[:2000]}")
        _, after_review = api.request("GET", f"/api/crm/imports/{batch}?limit=1", timeout=30)
        counts_review = after_review.get("proposal_counts") if isinstance(after_review, dict) else None
        log(f"  reviewed: {counts_review}")
        t2 = time.monotonic()
        status, body = api.request("POST", f"/api/crm/imports/{batch}/commit", {}, timeout=phase_timeout)
        if status not in (200, 202):
            raise BenchError(f"POST commit answered {status}: {str(body)[:2000]}")
        t3, done = poll_until(api, batch, ("committed", "in_review"), phase_timeout, watch, worker.process.pid, rss)
        peak = proc_status(worker.process.pid, "VmHWM")
        cpu_done = proc_cpu_s(worker.process.pid)
        gateway_peak = proc_status(gateway.pid, "VmHWM")
        log(f"  {done.get('status')} after {t3 - t2:.1f} s of commit: {done.get('proposal_counts')}; worker VmHWM {peak:.0f} MiB")
        rows = int(ready.get("rows_read") or ready.get("row_count") or 0) or args.rows
        people = int(psql(pg_url, f"SELECT count(*) FROM crm_people WHERE tenant_id = '{TENANT}'").strip())
        return {
            "batch_id": batch, "rows": rows, "row_count": ready.get("row_count"),
            "rows_with_errors": ready.get("rows_with_errors"),
            "proposal_counts_ready": ready.get("proposal_counts"), "proposal_counts_reviewed": counts_review,
            "proposal_counts_done": done.get("proposal_counts"), "people_after": people,
            "upload_s": round(t_upload - t0, 3), "proposals_s": round(t1 - t0, 3), "commit_s": round(t3 - t2, 3),
            "rows_per_s": round(rows / (t1 - t0), 1), "peak_rss_mib": round(peak, 1) if peak else None,
            "worker_cpu_proposals_s": round(cpu_proposals, 2) if cpu_proposals is not None else None,
            "worker_cpu_commit_s": round(cpu_done - cpu_proposals, 2)
                if cpu_done is not None and cpu_proposals is not None else None,
            "sampled_rss_mib": round(rss.get("worker_rss_mib", 0.0), 1),
            "gateway_peak_rss_mib": round(gateway_peak, 1) if gateway_peak else None,
        }
    finally:
        processes.stop(worker.process)
        worker.close()


def start_gateway(args, processes: Processes, tmp: str, run: int, pg_url: str, redis_url: str,
                  upload_bytes: int) -> tuple[subprocess.Popen, int]:
    port = free_port(18680)
    blobs = os.path.join(tmp, "blobs")
    os.makedirs(blobs, exist_ok=True)
    env = dict(os.environ, VELOCITY_RATE_LIMIT_PER_SECOND="1000000", VELOCITY_RATE_LIMIT_BURST="1000000",
               VELOCITY_MAX_UPLOAD_BYTES=str(max(25 << 20, upload_bytes * 2)),
               VELOCITY_LOG_LEVEL=os.environ.get("VELOCITY_LOG_LEVEL", "warning"))
    argv = [args.velocity, "gateway", "--port", str(port), "--redis-url", redis_url, "--postgres-url", pg_url,
            "--blob-directory", blobs] + shlex.split(os.environ.get("BENCH_CRM_GATEWAY_ARGS", ""))
    log_path = os.path.join(tmp, f"gateway-{run}.log")
    gateway = processes.start("gateway", argv, env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    wait_http(port, gateway, "velocity gateway", log_path)
    return gateway, port


def create_key(args, pg_url: str) -> str:
    result = subprocess.run([args.velocity, "keys", "create", "--tenant", TENANT, "--role", "operator", "--json",
                             "--postgres-url", pg_url], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise BenchError(f"velocity keys create failed: {result.stderr.strip()[-2000:]}")
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])["token"]
    except (ValueError, KeyError, IndexError):
        raise BenchError(f"velocity keys create printed no token: {result.stdout[-500:]!r}") from None


# ------------------------------------------------------------------------------------------------ peer
def run_peer(args, tmp: str, run: int, pg_url: str, data: str, timeout: float, processes: Processes) -> dict:
    log_path = os.path.join(tmp, f"peer-{run}.log")
    argv = [args.python, PEER, "--csv", os.path.join(data, "leads.csv"), "--postgres-url", pg_url, "--tenant", TENANT]
    log(f"run {run}: python peer ({os.path.basename(PEER)})")
    with open(log_path, "w") as err:
        process = processes.start("peer", argv, stdout=subprocess.PIPE, stderr=err, text=True)
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            processes.stop(process)
            raise BenchError(f"the peer ran past {timeout:.0f} s:\n{tail(log_path)}") from None
        processes.stop(process)
    if process.returncode != 0 or not out.strip():
        raise BenchError(f"the peer failed ({process.returncode}):\n{tail(log_path)}")
    result = json.loads(out.strip().splitlines()[-1])
    log(f"  peer: {result['rows']:,} rows → {result['proposals']:,} proposals in {result['proposals_s']:.1f} s "
        f"({result['rows_per_s']:,.0f} rows/s), commit {result['commit_s']:.1f} s, peak RSS {result['peak_rss_mib']:.0f} MiB; "
        f"{result['with_candidates']:,} with candidates ({result['candidates_ge_095']:,} ≥ 0.95); steps {result['steps_s']}")
    return result


# ------------------------------------------------------------------------------------------------ main
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--velocity", default="")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--cmdline", default="bench/run crm-import")
    parser.add_argument("--loadavg", default="")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--peer-only", action="store_true", help="no velocity: tables from FALLBACK_DDL")
    args = parser.parse_args()
    if args.rows < 1000 or args.runs < 1:
        raise SystemExit("--rows must be ≥ 1000 and --runs ≥ 1")
    if args.no_peer and args.peer_only:
        raise SystemExit("--no-peer and --peer-only leave nothing to run")
    if not args.peer_only and not os.access(args.velocity, os.X_OK):
        raise SystemExit(f"velocity binary not found: {args.velocity!r}")
    ours_timeout = float(os.environ.get("BENCH_OURS_TIMEOUT", max(300, args.rows / 1000)))
    peer_timeout = float(os.environ.get("BENCH_PEER_TIMEOUT", max(600, args.rows / 250)))

    data, manifest = ensure_data(args.rows, args.seed, args.python)
    csv_bytes = os.path.getsize(os.path.join(data, "leads.csv"))
    log(f"data: {data} ({csv_bytes / 2**20:.0f} MiB, {manifest['existing_people']:,} existing people)")

    tmp = tempfile.mkdtemp(prefix="velocity-bench-crm.")
    services = os.path.join(tmp, "services")
    processes = Processes()
    redis_port, pg_port = free_port(16780), free_port(15780)
    redis_url, pg_base = f"redis://127.0.0.1:{redis_port}", f"postgresql://velocity@127.0.0.1:{pg_port}"

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    rows: list[dict] = []
    failure: str | None = None
    pg_version = ""
    try:
        log(f"starting Redis :{redis_port} and PostgreSQL :{pg_port}")
        subprocess.run(["bash", os.path.join(ROOT, "ops/services.sh"), "start", services, "--redis-port",
                        str(redis_port), "--postgres-port", str(pg_port)], check=True, stdout=sys.stderr, timeout=180)
        pg_version = psql(f"{pg_base}/velocity", "SHOW server_version").strip()
        for run in range(1, args.runs + 1):
            database = f"crm_bench_{run}"
            pg_url = f"{pg_base}/{database}"
            psql(f"{pg_base}/velocity", f"DROP DATABASE IF EXISTS {database}")
            psql(f"{pg_base}/velocity", f"CREATE DATABASE {database}")
            subprocess.run(["redis-cli", "-p", str(redis_port), "FLUSHALL"], check=True, capture_output=True, timeout=30)
            gateway = None
            try:
                if not args.peer_only:
                    gateway, gateway_port = start_gateway(args, processes, tmp, run, pg_url, redis_url, csv_bytes)
                    token = create_key(args, pg_url)
                people = seed_existing(pg_url, data, ddl=args.peer_only)
                log(f"run {run}: {people:,} existing people in {database}")
                if not args.no_peer:
                    peer = run_peer(args, tmp, run, pg_url, data, peer_timeout, processes)
                    rows.append({"run": run, "impl": "python", **peer})
                    psql(pg_url, "DROP SCHEMA IF EXISTS peer CASCADE")
                    psql(pg_url, "CHECKPOINT")
                if not args.peer_only:
                    ours = run_ours(args, processes, tmp, run, pg_url, redis_url, gateway_port, gateway, token, data,
                                    ours_timeout)
                    rows.append({"run": run, "impl": "velocity", **ours})
            finally:
                if gateway is not None:
                    processes.stop(gateway)
            if os.environ.get("BENCH_KEEP_LOGS") != "1":
                psql(f"{pg_base}/velocity", f"DROP DATABASE IF EXISTS {database}")
    except BenchError as error:
        failure = str(error)
        log(f"FAILED: {failure}")
    except Exception as error:  # a harness bug or an unexpected answer: still clean up and record it
        import traceback

        failure = f"{type(error).__name__}: {error}"
        log(f"FAILED: {traceback.format_exc()}")
    finally:
        processes.stop_all()
        subprocess.run(["bash", os.path.join(ROOT, "ops/services.sh"), "stop", services], stdout=sys.stderr,
                       stderr=sys.stderr, timeout=120)
        if os.environ.get("BENCH_KEEP_LOGS") == "1" or failure:
            log(f"logs kept in {tmp}")
            shutil.rmtree(os.path.join(tmp, "blobs"), ignore_errors=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    if args.peer_only:  # harness testing: nothing written to RESULTS.md or the jsonl
        if failure:
            sys.exit(1)
        write_section(args, rows, manifest, pg_version, csv_bytes, record=False)
        return
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", "crm-import.jsonl"), "a") as f:
        for row in rows:
            f.write(json.dumps({"at": stamp, "cmdline": args.cmdline, "loadavg": args.loadavg, "rows_requested": args.rows,
                                "seed": args.seed, **row}) + "\n")
        if failure:
            f.write(json.dumps({"at": stamp, "cmdline": args.cmdline, "failed": failure[:4000]}) + "\n")
    if failure:
        print(f"RESULT rows_per_s=n/a ratio=n/a peak_rss_mib=n/a failed=1")
        sys.exit(1)
    write_section(args, rows, manifest, pg_version, csv_bytes)


def write_section(args, rows: list[dict], manifest: dict, pg_version: str, csv_bytes: int, record: bool = True) -> None:
    def median(impl: str, key: str) -> float | None:
        values = [row[key] for row in rows if row["impl"] == impl and row.get(key) is not None]
        return statistics.median(values) if values else None

    def fmt(value, spec: str) -> str:
        return "—" if value is None else format(value, spec)

    def peer_steps() -> str:
        steps = [row["steps_s"] for row in rows if row["impl"] == "python" and row.get("steps_s")]
        if not steps:
            return ""
        m = {k: statistics.median(s[k] for s in steps) for k in steps[0]}
        return (f" Its proposals time splits into read + normalize + COPY {m['read_s']:.1f} s, duplicate groups "
                f"{m['in_file_groups_s']:.1f} s, proposals `INSERT … GROUP BY` {m['group_s']:.1f} s, matching "
                f"{m['match_s']:.1f} s (almost all of it the `(city, name prefix)` block join).")

    ours_rate, peer_rate = median("velocity", "rows_per_s"), median("python", "rows_per_s")
    ratio = ours_rate / peer_rate if ours_rate and peer_rate else None
    peak = median("velocity", "peak_rss_mib")
    expected = manifest["expected"]
    counts = manifest["counts"]

    def counts_of(impl: str) -> str:
        last = [row for row in rows if row["impl"] == impl]
        if not last:
            return "—"
        row = last[-1]
        if impl == "python":
            return (f"{row['proposals']:,} proposals, {row['with_candidates']:,} with candidates "
                    f"({row['candidates_ge_095']:,} ≥ 0.95), {row['rows_with_errors']:,} error rows, "
                    f"{row['committed']:,} committed")
        done = row.get("proposal_counts_done") or {}
        return (f"{sum(v for v in (row.get('proposal_counts_ready') or {}).values() if isinstance(v, int)):,} proposals, "
                f"{row.get('rows_with_errors')} error rows, {done.get('committed', '?')} committed, "
                f"{done.get('pending', '?')} left pending")

    lines = [
        f"## crm-import: a {args.rows:,}-row broker sheet to reviewed proposals and committed people",
        "",
        f"Command: `{args.cmdline}` · {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} cores · load average at "
        f"start {args.loadavg} · PostgreSQL {pg_version} (fsync on) · medians of {args.runs} run(s).",
        "",
        f"Data (`bench/lib/crm_import_gen.py`, seed {args.seed}): {manifest['rows']:,} rows, "
        f"{csv_bytes / 2**20:.0f} MiB, UTF-8 with BOM, {manifest['rows_with_quoted_newlines']:,} records with quoted "
        f"newlines; {expected['duplicate_rows_folded']:,} in-file duplicates, "
        f"{sum(v for k, v in counts.items() if k.startswith('broken:')):,} broken rows "
        f"({expected['rows_with_errors']:,} unusable + {expected['stray_quote_rows']:,} stray quotes), "
        f"{expected['proposals_matching_existing']:,} rows matching one of {manifest['existing_people']:,} existing "
        f"people (phone {counts.get('match:phone', 0) + counts.get('match:phone_whatsapp', 0):,}, e-mail only "
        f"{counts.get('match:email', 0):,}, misspelt name + phone suffix {counts.get('match:fuzzy', 0):,}); "
        f"expected {expected['person_proposals']:,} person proposals.",
        "",
        "| pipeline | rows/s to proposals | upload → proposals s | commit s | peak RSS MiB | outcome (last run) |",
        "|---|---|---|---|---|---|",
    ]
    if any(row["impl"] == "velocity" for row in rows):
        lines.append(
            f"| **velocity** (gateway upload, `velocity worker --handler crm`) | {fmt(ours_rate, ',.0f')} | "
            f"{fmt(median('velocity', 'proposals_s'), '.1f')} | {fmt(median('velocity', 'commit_s'), '.1f')} | "
            f"{fmt(peak, '.0f')} | {counts_of('velocity')} |")
    if any(row["impl"] == "python" for row in rows):
        lines.append(
            f"| Python (csv + phonenumbers + psycopg COPY, set-based SQL, one process) | {fmt(peer_rate, ',.0f')} | "
            f"{fmt(median('python', 'proposals_s'), '.1f')} | {fmt(median('python', 'commit_s'), '.1f')} | "
            f"{fmt(median('python', 'peak_rss_mib'), '.0f')} | {counts_of('python')} |")
    lines += [
        "",
        f"Ratio (rows/s, velocity ÷ Python, same run): {fmt(ratio, '.2f')}. Targets: ratio ≥ 3, worker peak RSS ≤ "
        f"256 MiB, 1M rows to proposals in under 60 s on 2 cores.",
        "",
        "- Velocity: T0 = start of the multipart upload of `leads.csv`; proposals ready = the batch's status "
        "`in_review` (polled every 200 ms); review `approve` where no merge candidate, `merge` where the best "
        "candidate ≥ 0.95 (not timed); commit = POST commit → status `committed`, or `in_review` again when proposals the rules left undecided remain; velocity counts parse errors as error rows (rows whose phone or e-mail is unusable carry normalization issues instead). Peak RSS = the worker's VmHWM.",
        "- Python: the same rules in `bench/peers/crm_import_python.py`, timed from opening the file; it runs "
        "first in each run, on the same seeded database, in schema `peer` (dropped before velocity runs). "
        "Peak RSS = its VmHWM." + peer_steps(),
        "- The two sides store different amounts: velocity a reviewable proposal per person, lead, property interest and "
        "account (the issue's contract), the peer one wide row per person with its lead and interest fields; rows/s "
        "counts source rows.",
        "- Raw figures: `bench/results/crm-import.jsonl`.",
        "",
    ]
    if record:
        # The issue's size (1,000,000 rows) has the section; other sizes keep one each beside it.
        results_md.replace_section("crm-import" if args.rows == 1_000_000 else f"crm-import-{args.rows}", "\n".join(lines))
    print("\n".join(lines), file=sys.stderr)
    print(f"RESULT rows_per_s={fmt(ours_rate, '.0f') if ours_rate else 'n/a'} ratio={fmt(ratio, '.2f') if ratio else 'n/a'} "
          f"peak_rss_mib={fmt(peak, '.0f') if peak else 'n/a'}")


if __name__ == "__main__":
    main()
