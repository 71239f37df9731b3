"""What every bench harness that starts servers on loopback needs: a free port and a log line."""
from __future__ import annotations

import socket
import sys
import time


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port(base: int) -> int:
    """The first port from `base` on that 127.0.0.1 can bind now."""
    for port in range(base, base + 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise SystemExit("no free port")


def start_services(root: str, directory: str, redis_base: int, postgres_base: int) -> tuple[int, int]:
    """A private Redis and PostgreSQL in `directory` (ops/services.sh); their ports."""
    import os
    import subprocess

    redis_port, pg_port = free_port(redis_base), free_port(postgres_base)
    log(f"starting Redis :{redis_port} and PostgreSQL :{pg_port} in {directory}")
    subprocess.run(["bash", os.path.join(root, "ops/services.sh"), "start", directory, "--redis-port", str(redis_port),
                    "--postgres-port", str(pg_port)], check=True, stdout=sys.stderr)
    return redis_port, pg_port


def stop_services(root: str, directory: str) -> None:
    import os
    import subprocess

    subprocess.run(["bash", os.path.join(root, "ops/services.sh"), "stop", directory], stdout=sys.stderr)


def wait_http(url: str, process, what: str) -> None:
    """Until `url` answers at all (an HTTP error is an answer); fails if `process` exits first."""
    import urllib.error
    import urllib.request

    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except urllib.error.HTTPError:
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not answer {url}")
