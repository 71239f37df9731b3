#!/usr/bin/env bash
# bench/run mode-switch [--cycles N] [--gpus K] [--no-build]
#
# A box agent with K emulated GPUs (fake nvidia-smi, `velocity emulator comfyui|openai` as its
# backends) switches media → llm → split → media, N times, on a private Redis and PostgreSQL
# started here. Each switch's time runs from the operator's request to its last audited step;
# its overhead is that time minus the time its new backends took to start and pass their health
# checks (start_backends started → health_check succeeded, from box_mode_switch_events).
# Writes the `mode-switch` section of bench/RESULTS.md; last stdout line:
#   RESULT switch_overhead_s=<median> switch_s=<median>
# Target: switch_overhead_s ≤ 2.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(dirname "$BENCH_DIR")
CMDLINE="bench/run mode-switch${*:+ $*}"
CYCLES=3 GPUS=4 BUILD=1
while [ $# -gt 0 ]; do
  case $1 in
    --cycles) CYCLES=${2:?}; shift 2 ;;
    --gpus) GPUS=${2:?}; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "usage: bench/run mode-switch [--cycles N] [--gpus K] [--no-build]" >&2; exit 2 ;;
  esac
done
[[ $CYCLES =~ ^[1-9][0-9]*$ && $GPUS =~ ^[1-9][0-9]*$ ]] || { echo "--cycles/--gpus must be positive integers" >&2; exit 2; }
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
cd "$ROOT"

VELOCITY_BIN=${VELOCITY_BIN:-.build-release/release/velocity}
if [ "$BUILD" = 1 ]; then
  say "building velocity (release, .build-release)"
  swift build -c release --product velocity --scratch-path .build-release >&2
fi
[ -x "$VELOCITY_BIN" ] || { echo "velocity binary not found: $VELOCITY_BIN (build it or set VELOCITY_BIN)" >&2; exit 1; }

free_port() { python3 "$BENCH_DIR/lib/free_port.py" "$1"; }
RUN_DIR=$(mktemp -d /tmp/velocity-bench-switch.XXXXXX)
REDIS_PORT=$(free_port 16590)
PG_PORT=$(free_port 16640)
cleanup() {
  bash "$ROOT/ops/services.sh" stop "$RUN_DIR/services" >/dev/null 2>&1 || true
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
bash "$ROOT/ops/services.sh" start "$RUN_DIR/services" --redis-port "$REDIS_PORT" --postgres-port "$PG_PORT" >&2

LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
say "switching $CYCLES× media → llm → split → media on $GPUS emulated GPUs (load average $LOADAVG)"
"$VELOCITY_BIN" bench mode-switch --redis-url "redis://127.0.0.1:$REDIS_PORT" \
  --postgres-url "postgresql://velocity@127.0.0.1:$PG_PORT/velocity" --gpus "$GPUS" --cycles "$CYCLES" \
  --work-directory "$RUN_DIR/box" > "$RUN_DIR/samples.json"

python3 - "$RUN_DIR/samples.json" "$CMDLINE" "$LOADAVG" "$GPUS" "$CYCLES" <<'PY'
import json, statistics, sys, os
sys.path.insert(0, os.path.join(os.getcwd(), "bench", "lib"))
from results_md import replace_section
samples = json.load(open(sys.argv[1]))
cmd, load, gpus, cycles = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
med = lambda xs: statistics.median(xs)
rows = []
for path in sorted({(s["from"], s["to"]) for s in samples}):
    group = [s for s in samples if (s["from"], s["to"]) == path]
    rows.append(f"| {path[0]} → {path[1]} | {len(group)} | {med([s['switch_s'] for s in group]):.2f} | "
                f"{med([s['backend_start_s'] for s in group]):.2f} | {med([s['overhead_s'] for s in group]):.2f} | "
                f"{max(s['overhead_s'] for s in group):.2f} |")
overhead = med([s["overhead_s"] for s in samples])
total = med([s["switch_s"] for s in samples])
steps = sorted({k for s in samples for k in s["steps_s"]})
step_line = ", ".join(f"{k} {med([s['steps_s'].get(k, 0) for s in samples]) * 1000:.0f} ms" for k in steps)
text = f"""## Mode switch (`bench/run mode-switch`)

Command: `{cmd}` — {gpus} emulated GPUs, {cycles} rounds of media → llm → split → media, load average {load}
at the start. Each switch is timed from the operator's request (the `requested_at` of its audit row) to its last
audited step; **overhead = switch time − backend start** (start_backends started → health_check succeeded: the
emulated backends' own start-up). The box is idle (no job running, so the drain is immediate) and its models
are in place (the bench agent's hydrate step returns them without a store). Medians in seconds. Target: overhead ≤ 2 s. No peer: hand-rolled boxes switch
by hand (stop services, edit units, start services), which is minutes of operator time.

| switch | n | switch s | backend start s | overhead s | max overhead s |
|---|---|---|---|---|---|
""" + "\n".join(rows) + f"""

Median step times: {step_line}.

RESULT switch_overhead_s={overhead:.2f} switch_s={total:.2f}
"""
replace_section("mode-switch", text)
print(f"RESULT switch_overhead_s={overhead:.2f} switch_s={total:.2f}")
PY
