#!/usr/bin/env bash
# Runs the Swift tests and the interop tests against a real warren, then prints one summary.
# Exits non-zero when any test fails or a suite could not run.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
PYTHON=${PYTHON:-/usr/bin/python3}
BUILD_DIR=${BUILD_DIR:-.build}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

echo "== Swift tests"
$SWIFT test --skip-build --scratch-path "$BUILD_DIR" --xunit-output "$results/swift.xml"
swift_status=$?

echo "== Interop tests (pytest + pika + amqp-tools against a real warren; the three-node cluster cases are in make cluster-test)"
WARREN_BIN="$PWD/$BUILD_DIR/debug/warren" $PYTHON -m pytest Tests/Interop -q -p no:cacheprovider -m "not cluster" \
    --junitxml="$results/interop.xml"
interop_status=$?

$PYTHON - "$results" "$swift_status" "$interop_status" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
folder, swift_status, interop_status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def count(paths):
    total = failed = skipped = 0
    for path in paths:
        root = ET.parse(path).getroot()
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for suite in suites:
            total += int(suite.get("tests", 0))
            failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skipped += int(suite.get("skipped", 0))
    return total, failed, skipped
swift = count(glob.glob(f"{folder}/swift*.xml"))
interop = count(glob.glob(f"{folder}/interop.xml"))
print(f"\nSwift tests:   {swift[0]} run, {swift[1]} failed (exit {swift_status})")
print(f"Interop tests: {interop[0]} run, {interop[1]} failed, {interop[2]} skipped (exit {interop_status})")
failed = swift[1] + interop[1]
passed = swift[0] + interop[0] - failed - swift[2] - interop[2]
if swift[0] == 0 or interop[0] == 0:
    print("error: a test suite ran no tests", file=sys.stderr)
    failed += 1
if (swift_status != 0 or interop_status != 0) and failed == 0:
    failed = 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
