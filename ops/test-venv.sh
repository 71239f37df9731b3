#!/usr/bin/env bash
# Creates the ignored test venv .run/test-venv with moto's S3 server (PyPI `moto[server]`),
# which the hydration tests start on loopback as an S3-compatible endpoint, and Selenium, which
# the dashboard's browser tests drive Debian's chromium with (through /usr/bin/chromedriver:
# Selenium never downloads a browser or a driver here), and schemathesis, which ops/api-test.sh
# runs against the gateway's /openapi.json.
#
#   ops/test-venv.sh            # idempotent: reinstalls only when the pinned requirements change
#
# The tests find `moto_server` through VELOCITY_TEST_MOTO, else at .run/test-venv/bin/moto_server.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
VENV="$ROOT/.run/test-venv"
# Pinned so every machine runs the tests against the same S3 emulation.
REQUIREMENTS="moto[server]==5.2.5 selenium==4.51.0 schemathesis==4.32.5"
STAMP="$VENV/.requirements"

if [[ -x "$VENV/bin/moto_server" && "$(cat "$STAMP" 2>/dev/null)" == "$REQUIREMENTS" ]]; then
    exit 0
fi
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || { echo "ops/test-venv.sh: $PYTHON not found (install python3 and python3-venv)" >&2; exit 1; }
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check $REQUIREMENTS
echo "$REQUIREMENTS" > "$STAMP"
"$VENV/bin/moto_server" --help >/dev/null
echo "moto_server: $VENV/bin/moto_server"
