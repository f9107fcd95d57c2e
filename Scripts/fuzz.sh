#!/usr/bin/env bash
# `make fuzz`: every coverage-guided target for FUZZ_SECONDS each (libFuzzer), one after the other,
# then the live fuzzer against a real warren for FUZZ_SECONDS; prints one report and exits non-zero
# if anything crashed or broke an invariant. Findings land in .build-fuzz/findings/<target>/.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
PYTHON=${PYTHON:-/usr/bin/python3}
BUILD_DIR=${BUILD_DIR:-.build}
FUZZ_DIR=${FUZZ_DIR:-.build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-8192}
FUZZ_SEED=${FUZZ_SEED:-$(date +%s)}

fail() { echo "error: $*" >&2; exit 1; }
command -v "$SWIFT" >/dev/null || fail "the Swift toolchain ($SWIFT) is not on PATH"
runtime=$(find "$(dirname "$(dirname "$(command -v "$SWIFT")")")/lib" -name 'libclang_rt.fuzzer-*.a' -print -quit 2>/dev/null)
[ -n "$runtime" ] || fail "libFuzzer's runtime (libclang_rt.fuzzer) is not in the Swift toolchain; -sanitize=fuzzer cannot link"

echo "== building warren (replayer and live target) and the libFuzzer build of warren-fuzz"
$SWIFT build --scratch-path "$BUILD_DIR" || fail "swift build failed"
$SWIFT build --scratch-path "$FUZZ_DIR" --product warren-fuzz --sanitize=fuzzer -Xswiftc -DFUZZING \
    || fail "the fuzzer build failed"
fuzzer="$FUZZ_DIR/debug/warren-fuzz"
findings="$FUZZ_DIR/findings"
report=()
crashed=0
for target in $("$BUILD_DIR/debug/warren-fuzz" --list); do
    corpus="$FUZZ_DIR/corpus/$target"
    mkdir -p "$corpus" "$findings/$target"
    echo "== $target for ${FUZZ_SECONDS}s"
    SWIFT_BACKTRACE=enable=no WARREN_FUZZ_TARGET=$target "$fuzzer" -max_total_time="$FUZZ_SECONDS" -max_len="$FUZZ_MAX_LEN" -timeout=10 \
        -rss_limit_mb=2048 -use_value_profile=1 -print_final_stats=1 -artifact_prefix="$findings/$target/" \
        "$corpus" "Fuzz/corpus/$target" > "$FUZZ_DIR/$target.log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$FUZZ_DIR/$target.log" | tail -1)
    coverage=$(grep -o 'cov: [0-9]*' "$FUZZ_DIR/$target.log" | tail -1)
    found=$(find "$findings/$target" -type f | wc -l)
    [ "$status" -ne 0 ] || [ "$found" -ne 0 ] && crashed=1
    report+=("$(printf '%-20s %10s inputs  %-10s %3s findings  (exit %s, log %s)' "$target" "${runs:-?}" "$coverage" "$found" "$status" "$FUZZ_DIR/$target.log")")
done

echo "== live fuzzer for ${FUZZ_SECONDS}s (seed $FUZZ_SEED)"
live=$($PYTHON Tests/Interop/live_fuzz.py --warren "$BUILD_DIR/debug/warren" --seconds "$FUZZ_SECONDS" \
    --seed "$FUZZ_SEED" --out "$findings/live" 2>&1)
live_status=$?
echo "$live"
[ "$live_status" -eq 0 ] || crashed=1

echo
echo "== fuzz report (${FUZZ_SECONDS}s per target)"
printf '%s\n' "${report[@]}"
echo "$live" | grep '^seed' || echo "live fuzzer: did not report (exit $live_status)"
if [ "$crashed" -ne 0 ]; then
    echo "FINDINGS: reproduce with $BUILD_DIR/debug/warren-fuzz TARGET FILE (or live_fuzz.py --replay); see $findings"
    exit 1
fi
echo "no findings"
