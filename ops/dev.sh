#!/usr/bin/env bash
# Install, build and run: the README's "run" command.
#
#   ops/dev.sh [extra velocity dev arguments, e.g. --gpus 4 --mode split]
#
# 1. installs the system packages (ops/install-deps.sh; a no-op when all are there),
# 2. builds the `velocity` executable,
# 3. starts a private Redis on 127.0.0.1:6390 and PostgreSQL on 127.0.0.1:5440 with their state
#    in .run/dev (kept between runs; ports movable with VELOCITY_DEV_REDIS_PORT and
#    VELOCITY_DEV_POSTGRES_PORT),
# 4. runs `velocity dev`: the gateway on http://127.0.0.1:8080, four emulated GPUs (fake nvidia-smi),
#    one emulated ComfyUI per GPU and an emulated OpenAI-compatible server started by the box agent,
#    models hydrated from hydration/dev; it prints the URLs and an operator API key
#    (also written to .run/dev/client.env for `source`).
#
# The servers KEEP RUNNING after velocity exits (the next ops/dev.sh reuses them).
# Stop them with:
#
#   ops/services.sh stop .run/dev
#
# To point other tools at them: source .run/dev/env (exports VELOCITY_REDIS_URL and
# VELOCITY_POSTGRES_URL).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

REDIS_PORT="${VELOCITY_DEV_REDIS_PORT:-6390}"
POSTGRES_PORT="${VELOCITY_DEV_POSTGRES_PORT:-5440}"
RUN_DIR="$ROOT/.run/dev"

section() {
    printf '\n==================== %s ====================\n' "$*"
}

if ! command -v swift >/dev/null 2>&1; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

section "Installing system dependencies"
bash "$ROOT/ops/install-deps.sh"

section "swift build --product velocity"
swift build --product velocity
BIN_PATH="$(swift build --show-bin-path)"

section "Starting Redis and PostgreSQL in .run/dev"
bash "$ROOT/ops/services.sh" start "$RUN_DIR" --redis-port "$REDIS_PORT" --postgres-port "$POSTGRES_PORT"
# shellcheck source=/dev/null
source "$RUN_DIR/env"
echo "VELOCITY_REDIS_URL=$VELOCITY_REDIS_URL"
echo "VELOCITY_POSTGRES_URL=$VELOCITY_POSTGRES_URL"
echo "(servers keep running; stop them with: ops/services.sh stop .run/dev)"

section "velocity dev"
exec "$BIN_PATH/velocity" dev --run-directory "$RUN_DIR" --redis-port "$REDIS_PORT" --postgres-port "$POSTGRES_PORT" "$@"
