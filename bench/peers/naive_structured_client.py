"""The peer of `bench/run llm-jobs`: how a team without a structured-output layer calls an
OpenAI-compatible server for QD scores. One request per packet with the same prompt and
`response_format` as velocity sends, `json.loads` of the answer, the same schema checked with
`jsonschema`, the same evidence rule; no recovery, no retry. A fixed number of requests in
flight (the server's slot count, which it has to be told).

Prints one JSON line: jobs, valid, valid_share, calls_per_valid, jobs_per_s.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import jsonschema

NAMES = ["smile_intensity", "brow_furrow", "eye_widen", "lip_press", "head_nod", "gaze_away"]


def packet(n: int) -> dict:
    """The same packets as `velocity bench llm-jobs` (LLMJobsBenchCommand.packet)."""
    count = 8 + n % 13
    signals = [{"t_ms": i * 250, "name": NAMES[(n + i) % len(NAMES)], "value": ((n * 31 + i * 17) % 101) / 100}
               for i in range(count)]
    return {"person_id": f"bench-person-{n % 97}", "lead_id": f"bench-lead-{n}", "session_id": f"bench-session-{n}",
            "consent": True, "signals": signals, "scene": {"video_asset_id": f"vid-{n % 5}", "timestamp_ms": n * 1000}}


def load_template(path: str) -> tuple[str, str, dict]:
    text = open(path, encoding="utf-8").read()
    sections = dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M))
    schema_block = sections["answer schema"].strip()
    schema = json.loads(schema_block.removeprefix("```json").removesuffix("```"))
    return sections["system"].strip(), sections["user"].strip(), schema


def fill(text: str, values: dict) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-url", required=True)
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--template", required=True)
    args = parser.parse_args()
    system, user, schema = load_template(args.template)
    def one(n: int) -> bool:
        p = packet(n)
        # The same per-packet schema velocity sends: evidence bounded by the last reading.
        bounded = json.loads(json.dumps(schema))
        bounded["properties"]["evidence"]["items"]["maximum"] = len(p["signals"]) - 1
        validator = jsonschema.Draft202012Validator(bounded)
        lines = "\n".join(f"{i} | {s['t_ms']} | {s['name']} | {s['value']}" for i, s in enumerate(p["signals"]))
        scene = f" They watched marketing video {p['scene']['video_asset_id']} from {p['scene']['timestamp_ms']} ms."
        values = {"session_id": p["session_id"], "lead_id": p["lead_id"], "scene": scene,
                  "count": str(len(p["signals"])), "signals": lines}
        body = {"model": "bench", "temperature": 0.2, "max_tokens": 400,
                "messages": [{"role": "system", "content": fill(system, values)},
                             {"role": "user", "content": fill(user, values)}],
                "response_format": {"type": "json_schema",
                                    "json_schema": {"name": "qd_score", "schema": bounded, "strict": True}}}
        request = urllib.request.Request(args.server_url + "/v1/chat/completions", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                completion = json.loads(response.read())
            answer = json.loads(completion["choices"][0]["message"]["content"])
            validator.validate(answer)
            return all(isinstance(i, int) and 0 <= i < len(p["signals"]) for i in answer["evidence"])
        except Exception:  # noqa: BLE001 - any failure is an invalid result for this client
            return False

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        results = list(pool.map(one, range(args.jobs)))
    elapsed = time.monotonic() - started
    valid = sum(results)
    print(json.dumps({"jobs": args.jobs, "valid": valid, "valid_share": valid / args.jobs,
                      "calls_per_valid": args.jobs / valid if valid else 0.0, "jobs_per_s": args.jobs / elapsed}))


if __name__ == "__main__":
    sys.exit(main())
