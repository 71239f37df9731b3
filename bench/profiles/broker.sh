#!/usr/bin/env bash
# Broker profile: bench/profiles/broker.sh LABEL [JOBS] → bench/profiles/broker-LABEL.txt
# Needs the release build (swift build -c release --product velocity --scratch-path .build-release).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: bench/profiles/broker.sh LABEL [JOBS]" >&2; exit 2; }
exec python3 "$ROOT/bench/lib/broker_profile.py" "$ROOT" "$@"
