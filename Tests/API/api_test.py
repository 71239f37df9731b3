"""Schemathesis against a live gateway: a whole `velocity dev` stack of its own (the browser
tests' Stack, in .run/api on ports of its own), its /openapi.json, every route, every check.

Each operation gets --max-examples generated requests in every phase (examples, coverage,
fuzzing, and the stateful phase, which follows the document's links from each create to its
reads). A failure is a 5xx, an answer that does not match its documented status or schema, a
schema-violating request that is accepted, or (where ops/schemathesis.toml does not say why not)
a schema-valid one that is refused. Run through ops/api-test.sh (ops/test.sh runs it)."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Browser"))
from stack import ROOT, Stack  # noqa: E402

RUN_DIR = os.path.join(ROOT, ".run", "api")


def main():
    examples = os.environ.get("VELOCITY_API_EXAMPLES", "30")
    # Fixed, so a run is repeatable; VELOCITY_API_SEED=random explores new cases.
    seed = os.environ.get("VELOCITY_API_SEED", "20261207")
    stack = Stack(run_dir=RUN_DIR, redis_port=int(os.environ.get("VELOCITY_API_REDIS_PORT", "16393")),
                  postgres_port=int(os.environ.get("VELOCITY_API_POSTGRES_PORT", "15443")))
    try:
        stack.start()
        print(f"ok - velocity dev is up on {stack.base}")
        status, me = stack.json("GET", "/v1/me")
        assert status == 200, (status, me)
        # An admin of the stack's tenant: every route is reachable, none only answers 403.
        admin = stack.create_key(me["tenant"], "admin")
        status, document = stack.request("GET", "/openapi.json", key=admin)
        assert status == 200, status
        schema_path = os.path.join(RUN_DIR, "openapi.json")
        with open(schema_path, "wb") as f:
            f.write(document)
        operations = sum(len(methods) for methods in json.loads(document)["paths"].values())
        print(f"ok - /openapi.json: {operations} operations")
        command = [
            os.path.join(os.path.dirname(sys.executable), "st"), "--config-file",
            os.path.join(ROOT, "ops", "schemathesis.toml"), "run", schema_path, "--url", stack.base,
            "--header", f"Authorization: Bearer {admin}", "--max-examples", examples, "--workers", "2",
            "--no-color", "--report", "junit", "--report-dir", os.path.join(RUN_DIR, "report"),
        ]
        if seed != "random":
            command += ["--seed", seed]
        print("$ " + " ".join(command).replace(admin, "<admin key>"), flush=True)
        return subprocess.run(command, cwd=RUN_DIR).returncode
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
