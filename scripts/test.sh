#!/usr/bin/env bash
# The test run behind `make test` (which builds first): starts a private test stack,
# runs `swift test`, the Python seed flow and the sender page in headless Chromium
# against it, always stops the stack, prints a summary and exits non-zero if
# anything failed.
#
# Environment: SCRATCH (SwiftPM scratch path, default .build), TEST_HTTP_PORT (18080),
# TEST_RUN_DIR (<repo>/.run/test), SWIFT_TEST_TIMEOUT (seconds for `swift test`, 1800).
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1
# shellcheck source=scripts/test/swift-test.sh
. "$REPO/scripts/test/swift-test.sh"

SCRATCH=${SCRATCH:-.build}
SWIFT_TEST_TIMEOUT=${SWIFT_TEST_TIMEOUT:-1800}
export RUN_DIR=${TEST_RUN_DIR:-$REPO/.run/test}
export HTTP_PORT=${TEST_HTTP_PORT:-18080}
use_built_sealdrop test "make test" || exit 1

stop_at_exit test scripts/stack.sh stop

# ------------------------------------------------------------------- run

# A stack left behind by an interrupted run would still serve an older binary.
scripts/stack.sh stop >/dev/null
# Every request of the tests comes from 127.0.0.1, so the flood limits are off on
# this stack (0 counts nothing); the tests about them start a private stack with
# small limits. Settings in the environment reach the responder and win over its file.
SEALDROP_ADDRESS_REGISTRATIONS_PER_HOUR=0 SEALDROP_ADDRESS_REQUESTS_PER_MINUTE=0 SEALDROP_LINK_SENDS_PER_MINUTE=0 \
    SEALDROP_ADDRESS_PERMISSION_REQUESTS_PER_DAY=0 scripts/stack.sh start || { echo "test: the test stack did not start" >&2; exit 1; }
# shellcheck source=/dev/null
source "$RUN_DIR/stack.env"

echo "test: swift test (stack $SEALDROP_TEST_BASE_URL, run dir $RUN_DIR)"
swift_log=$RUN_DIR/swift-test.log
# The cluster suite runs with its own cluster, under `make test-cluster`.
run_swift_tests "$swift_log" "$SWIFT_TEST_TIMEOUT" --skip ClusterTests

echo "test: Python seed flow"
/usr/bin/python3 Tests/python/seed_flow.py "$SEALDROP_TEST_BASE_URL"
python_status=$?

# The sender page (issue 15) in headless Chromium: a registered link opened as a
# browser does, messages typed and sent, opened with libsodium; the size limits, the
# 429 and 404 pages, the CSP. Screenshots of every state in $RUN_DIR/screenshots.
echo "test: sender page in Chromium (scripts/browser-test.sh)"
browser_log=$RUN_DIR/browser-test.log
browser_started=$SECONDS
scripts/browser-test.sh "$SEALDROP_TEST_BASE_URL" "$RUN_DIR/screenshots" 2>&1 | tee "$browser_log"
browser_status=${PIPESTATUS[0]}
browser_seconds=$((SECONDS - browser_started))

# Property-based API testing from openapi.yaml (issue 4): every check schemathesis
# has, a bounded number of examples, against the same stack.
echo "test: schemathesis (openapi.yaml, all checks)"
schemathesis_log=$RUN_DIR/schemathesis.log
SCHEMATHESIS_MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-30} scripts/schemathesis.sh "$SEALDROP_TEST_BASE_URL" 2>&1 | tee "$schemathesis_log"
schemathesis_status=${PIPESTATUS[0]}

# The deployments users run (issue 3): the portable binary under Apache + mod_fcgid
# with htaccess.example, nginx with a socket on fd 0, the systemd units, a bare chroot.
# SKIP_DEPLOY_TESTS=1 leaves them out of a quick local run; CI always runs them.
deploy_log=$RUN_DIR/deploy-test.log
if [ -n "${SKIP_DEPLOY_TESTS:-}" ] && [ -z "${CI:-}" ]; then
    echo "test: deployment tests skipped (SKIP_DEPLOY_TESTS)" | tee "$deploy_log"
    deploy_status=skipped
else
    echo "test: deployment tests (Tests/deploy/run.sh)"
    Tests/deploy/run.sh 2>&1 | tee "$deploy_log"
    deploy_status=${PIPESTATUS[0]}
fi

echo
echo "================ test summary ================"
swift_summary "$swift_log"
[ "$swift_status" -eq 0 ] && echo "swift test: passed" || echo "swift test: FAILED (exit $swift_status; full log $swift_log)"
[ "$python_status" -eq 0 ] && echo "seed flow (Python): passed" || echo "seed flow (Python): FAILED (exit $python_status)"
grep -aE '^FAIL: browser: ' "$browser_log" | cut -c1-240
if [ "$browser_status" -eq 0 ]; then
    echo "sender page (Chromium): passed, $(grep -aoE '^browser: [0-9]+ passed' "$browser_log" | grep -oE '[0-9]+') checks in ${browser_seconds}s"
else
    echo "sender page (Chromium): FAILED (exit $browser_status; full log $browser_log)"
fi
[ "$schemathesis_status" -eq 0 ] && echo "schemathesis: passed" || echo "schemathesis: FAILED (exit $schemathesis_status; full log $schemathesis_log)"
grep -aE '^(apache|nginx|systemd|chroot): (passed|FAILED)' "$deploy_log" | sed 's/^/deployment /'
case $deploy_status in
    skipped) echo "deployment tests: SKIPPED (not counted as passed)" ;;
    0) echo "deployment tests: passed" ;;
    *) echo "deployment tests: FAILED (exit $deploy_status; full log $deploy_log)" ;;
esac
echo "=============================================="

[ "$swift_status" -eq 0 ] && [ "$python_status" -eq 0 ] && [ "$browser_status" -eq 0 ] && [ "$schemathesis_status" -eq 0 ] && [ "$deploy_status" != skipped ] && [ "$deploy_status" -eq 0 ]
