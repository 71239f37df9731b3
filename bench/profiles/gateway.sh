#!/usr/bin/env bash
# Gateway profile: bench/profiles/gateway.sh LABEL → bench/profiles/gateway-LABEL.txt
# Runs `bench/run gateway --no-build --runs 1 --duration 8` (its RESULTS.md section and raw
# figures are put back afterwards) and samples the velocity gateway process with
# `perf record -e cpu-clock` for 4 s inside its submit phase and 4 s inside its status phase;
# keeps the bench's table and the top shared objects and symbols of each phase.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: bench/profiles/gateway.sh LABEL" >&2; exit 2; }
OUT="$ROOT/bench/profiles/gateway-$1.txt"
TMP=$(mktemp -d /tmp/velocity-gateway-profile.XXXXXX)
cp "$ROOT/bench/RESULTS.md" "$TMP/RESULTS.md"
cp "$ROOT/bench/results/gateway.jsonl" "$TMP/gateway.jsonl" 2>/dev/null || true
restore() {
  cp "$TMP/RESULTS.md" "$ROOT/bench/RESULTS.md"
  [ -f "$TMP/gateway.jsonl" ] && cp "$TMP/gateway.jsonl" "$ROOT/bench/results/gateway.jsonl"
  rm -rf "$TMP"
}
trap restore EXIT
"$ROOT/bench/run" gateway --no-build --runs 1 --duration 8 > "$TMP/bench.out" 2> "$TMP/bench.err" &
BENCH=$!
record() { # phase marker, output
  until grep -q "$1" "$TMP/bench.err" 2>/dev/null; do
    kill -0 "$BENCH" 2>/dev/null || { cat "$TMP/bench.err" >&2; exit 1; }
    sleep 0.2
  done
  sleep 2
  perf record -q -e cpu-clock -F 2000 -p "$(pgrep -f 'velocity gateway$' | head -1)" -o "$2" -- sleep 4 2>> "$TMP/perf.log" || { cat "$TMP/perf.log" >&2; exit 1; }
}
record "velocity: submits" "$TMP/submit.data"
record "velocity: status reads" "$TMP/status.data"
wait "$BENCH"
set +o pipefail  # `head` closes the pipes of perf report early
{
  echo "# Gateway profile: $1"
  echo
  echo "Command: \`bench/profiles/gateway.sh $1\` ($(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) CPUs): \`bench/run gateway --no-build --runs 1 --duration 8\`, the velocity gateway sampled with \`perf record -e cpu-clock -F 2000\` for 4 s in each phase (software clock; no call graphs: the Swift runtime has no frame pointers). Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). One run with perf sampling: the rates are noisy and lower than the bench's own (RESULTS.md); the shares of time are what this is for."
  echo
  grep -E '^\|' "$TMP/bench.out"
  for phase in submit status; do
    echo
    echo "## $phase phase: shared objects"
    echo
    echo '```'
    perf report -i "$TMP/$phase.data" --stdio --no-children --sort dso -g none 2>/dev/null | grep -E '^ +[0-9]' | head -8
    echo '```'
    echo
    echo "## $phase phase: top symbols"
    echo
    echo '```'
    perf report -i "$TMP/$phase.data" --stdio --no-children --sort dso,symbol -g none 2>/dev/null | grep -E '^ +[0-9]' | head -25 | cut -c1-150
    echo '```'
  done
} > "$OUT"
echo "wrote $OUT" >&2
