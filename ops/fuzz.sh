#!/usr/bin/env bash
# libFuzzer over the parsers that read outside bytes (Sources/FuzzTargets): builds velocity-fuzz
# with -sanitize=fuzzer,address in .build-fuzz, then runs each target for SECONDS on a copy of
# its committed corpus (fuzz/corpus/<target>). ops/test.sh runs it with 20 s a target.
#
#   ops/fuzz.sh [SECONDS] [TARGET…]      # default 60 s, every target
#   VELOCITY_FUZZ_SEED=N ops/fuzz.sh …    # libFuzzer's -seed (default 0: a new one each run)
#
# A crash, a sanitizer report, a hang (10 s an input) or a broken property fails the run and
# leaves the input in .run/fuzz/crashes/<target>-crash-…; fix it and copy the input into
# fuzz/regressions/<target>/ so the ordinary suite replays it (FuzzCorpusTests). New corpus
# entries a run found are in .run/fuzz/corpus/<target> (merge the useful ones into fuzz/corpus
# with `-merge=1`).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
if ! command -v swift >/dev/null 2>&1; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
SECONDS_EACH="${1:-60}"
shift || true
[[ "$SECONDS_EACH" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: SECONDS must be a positive integer, not '$SECONDS_EACH'" >&2; exit 64; }
SEED="${VELOCITY_FUZZ_SEED:-0}"
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "fuzz: VELOCITY_FUZZ_SEED must be a number, not '$SEED'" >&2; exit 64; }
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(images csv json-recovery json-schema sse multipart comfyui metrics openai)
for target in "${TARGETS[@]}"; do
    [[ -d "fuzz/corpus/$target" ]] || { echo "fuzz: no target '$target' (no fuzz/corpus/$target)" >&2; exit 64; }
done

echo "fuzz: building velocity-fuzz with -sanitize=fuzzer,address (.build-fuzz)"
mkdir -p .run/fuzz
set +e
swift build --scratch-path .build-fuzz --product velocity-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld > .run/fuzz/build.log 2>&1
build_status=$?
set -e
if [[ $build_status -ne 0 ]]; then
    # An older binary may be there: never fuzz it in place of the sources.
    grep -E "error:" .run/fuzz/build.log | sort -u | head -20 >&2
    echo "fuzz: the build failed (exit $build_status); the whole log: .run/fuzz/build.log" >&2
    exit 1
fi
tail -1 .run/fuzz/build.log
BIN="$(swift build --scratch-path .build-fuzz --show-bin-path)/velocity-fuzz"

RUN=".run/fuzz"
status=0
for target in "${TARGETS[@]}"; do
    rm -rf "$RUN/corpus/$target"
    mkdir -p "$RUN/corpus/$target" "$RUN/crashes"
    set +e
    # SWIFT_BACKTRACE off: libFuzzer reports the crash; Swift's handler only adds noise under ASan.
    LSAN_OPTIONS="suppressions=$ROOT/fuzz/lsan-suppressions.txt" \
        SWIFT_BACKTRACE=enable=no VELOCITY_FUZZ_TARGET="$target" "$BIN" "$RUN/corpus/$target" "fuzz/corpus/$target" "fuzz/regressions/$target" \
        -seed="$SEED" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$RUN/crashes/$target-" -print_final_stats=1 > "$RUN/$target.log" 2>&1
    code=$?
    set -e
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$RUN/$target.log" | grep -o '[0-9]*$' || echo 0)"
    if [[ $code -eq 0 ]]; then
        echo "ok - $target: $runs inputs in ${SECONDS_EACH} s, no finding"
    else
        echo "not ok - $target: exit $code after $runs inputs; the input: $(ls "$RUN"/crashes/"$target"-* 2>/dev/null | head -1)"
        grep -E "ERROR:|fuzz property broken|Fatal error|SUMMARY" "$RUN/$target.log" | head -5
        status=1
    fi
done
exit "$status"
