"""The peer of `bench/run gateway`: the submit/status gateway people write by hand.

Starlette on uvicorn (uvloop + httptools), asyncpg and redis-py's asyncio client with hiredis:
POST /v1/jobs validates the JSON, INSERTs the job (autocommit: durable before the 202, like
ours), pushes its id to a Redis list and stores its hash; GET /v1/jobs/{id} reads the hash and
falls back to Postgres. Bearer key checked against a digest kept in memory. No batching: each
request is its own commit, which is what a hand-rolled gateway does.
"""
import contextlib
import hashlib
import json
import os
import time
import uuid

import asyncpg
import redis.asyncio as redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

KEY_DIGEST = hashlib.sha256(os.environ["BENCH_KEY"].encode()).hexdigest()
KINDS = {"cpu.task": "cpu", "crm.import": "cpu", "llm.chat": "llm", "dream_weaver.render": "media"}
state = {}


def error(status, code, message):
    return JSONResponse({"error": {"code": code, "message": message, "details": {}}}, status_code=status)


def authorized(request):
    header = request.headers.get("authorization", "")
    return header.startswith("Bearer ") and hashlib.sha256(header[7:].encode()).hexdigest() == KEY_DIGEST


async def submit(request: Request):
    if not authorized(request):
        return error(401, "unauthenticated", "bad key")
    try:
        body = json.loads(await request.body())
    except ValueError:
        return error(400, "malformed_json", "not JSON")
    if not isinstance(body, dict) or body.get("kind") not in KINDS:
        return error(422, "invalid_request", "kind")
    payload = body.get("payload", {})
    if not isinstance(payload, dict):
        return error(422, "invalid_request", "payload")
    job_id = str(uuid.uuid4())
    queue = KINDS[body["kind"]]
    now = time.time()
    await state["pg"].execute(
        "INSERT INTO peer_jobs (id, kind, queue, tenant, payload, state, created_at) "
        "VALUES ($1, $2, $3, 'bench', $4, 'queued', to_timestamp($5))",
        job_id, body["kind"], queue, json.dumps(payload), now)
    async with state["redis"].pipeline(transaction=True) as pipe:
        pipe.hset(f"peer:job:{job_id}", mapping={"id": job_id, "kind": body["kind"], "queue": queue,
                                                   "state": "queued", "created": now})
        pipe.lpush(f"peer:queue:{queue}", job_id)
        await pipe.execute()
    return JSONResponse({"id": job_id, "status": "queued"}, status_code=202)


async def status(request: Request):
    if not authorized(request):
        return error(401, "unauthenticated", "bad key")
    job_id = request.path_params["id"]
    job = await state["redis"].hgetall(f"peer:job:{job_id}")
    if not job:
        row = await state["pg"].fetchrow("SELECT id::text, kind, queue, state FROM peer_jobs WHERE id = $1::uuid", job_id)
        if row is None:
            return error(404, "not_found", "job not found")
        job = dict(row)
    def text(value):
        return value.decode() if isinstance(value, bytes) else value

    return JSONResponse({text(k): text(v) for k, v in job.items()})


@contextlib.asynccontextmanager
async def lifespan(app):
    state["pg"] = await asyncpg.create_pool(os.environ["BENCH_POSTGRES_URL"], min_size=4, max_size=16)
    state["redis"] = redis.from_url(os.environ["BENCH_REDIS_URL"])
    yield
    await state["pg"].close()
    await state["redis"].aclose()


app = Starlette(routes=[Route("/v1/jobs", submit, methods=["POST"]), Route("/v1/jobs/{id}", status)],
                lifespan=lifespan)
