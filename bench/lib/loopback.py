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
