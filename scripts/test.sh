#!/usr/bin/env bash
# The test run behind `make test` (which builds first): starts a private test stack,
# runs `swift test` and the Python seed flow against it, always stops the stack,
# prints a summary and exits non-zero if anything failed.
#
# Environment: SCRATCH (SwiftPM scratch path, default .build), TEST_HTTP_PORT (18080),
# TEST_RUN_DIR (<repo>/.run/test), SWIFT_TEST_TIMEOUT (seconds, 1800). The build must already exist (`make test` does it).
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
command -v swift >/dev/null 2>&1 || PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null 2>&1 || { echo "test: swift is neither on PATH nor in /opt/swift/usr/bin." >&2; exit 1; }

SCRATCH=${SCRATCH:-.build}
export RUN_DIR=${TEST_RUN_DIR:-$REPO/.run/test}
export HTTP_PORT=${TEST_HTTP_PORT:-18080}

bin_dir=$(swift build --scratch-path "$SCRATCH" -Xswiftc -warnings-as-errors --show-bin-path) || exit 1
export SEALDROP_BIN=$bin_dir/sealdrop
export SEALDROP_REPO=$REPO
[ -x "$SEALDROP_BIN" ] || { echo "test: $SEALDROP_BIN is missing; run 'make test' (it builds first)." >&2; exit 1; }

stop_stack() { scripts/stack.sh stop || echo "test: stopping the test stack failed" >&2; }
trap stop_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A stack left behind by an interrupted run would still serve an older binary.
scripts/stack.sh stop >/dev/null
scripts/stack.sh start || { echo "test: the test stack did not start" >&2; exit 1; }
# shellcheck source=/dev/null
source "$RUN_DIR/stack.env"

echo "test: swift test (stack $SEALDROP_TEST_BASE_URL, run dir $RUN_DIR)"
swift_log=$RUN_DIR/swift-test.log
# A hung test must not hang CI: the whole run gets SWIFT_TEST_TIMEOUT seconds.
timeout -k 15 "${SWIFT_TEST_TIMEOUT:-1800}" swift test --scratch-path "$SCRATCH" --skip-build 2>&1 | tee "$swift_log"
swift_status=${PIPESTATUS[0]}
[ "$swift_status" -ne 124 ] || echo "test: swift test did not finish within ${SWIFT_TEST_TIMEOUT:-1800}s; stopped" | tee -a "$swift_log"

echo "test: Python seed flow"
/usr/bin/python3 Tests/python/seed_flow.py "$SEALDROP_TEST_BASE_URL"
python_status=$?

echo
echo "================ test summary ================"
# Swift Testing's failed tests and closing line, and XCTest's count.
grep -aE '^✘' "$swift_log" | grep -avE 'Test run with' | head -n 80
grep -aE 'Test run with [0-9]+ tests?' "$swift_log" | tail -n 1
grep -aE 'Executed [0-9]+ tests?' "$swift_log" | tail -n 1
[ "$swift_status" -eq 0 ] && echo "swift test: passed" || echo "swift test: FAILED (exit $swift_status; full log $swift_log)"
[ "$python_status" -eq 0 ] && echo "seed flow (Python): passed" || echo "seed flow (Python): FAILED (exit $python_status)"
echo "=============================================="

[ "$swift_status" -eq 0 ] && [ "$python_status" -eq 0 ]
