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
command -v swift >/dev/null 2>&1 || PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null 2>&1 || { echo "test: swift is neither on PATH nor in /opt/swift/usr/bin." >&2; exit 1; }

SCRATCH=${SCRATCH:-.build}
SWIFT_TEST_TIMEOUT=${SWIFT_TEST_TIMEOUT:-1800}
export RUN_DIR=${TEST_RUN_DIR:-$REPO/.run/test}
export HTTP_PORT=${TEST_HTTP_PORT:-18080}

bin_dir=$(swift build --scratch-path "$SCRATCH" -Xswiftc -warnings-as-errors --show-bin-path) || exit 1
export SEALDROP_BIN=$bin_dir/sealdrop
export SEALDROP_REPO=$REPO
[ -x "$SEALDROP_BIN" ] || { echo "test: $SEALDROP_BIN is missing; run 'make test' (it builds first)." >&2; exit 1; }

# ------------------------------------------------- ending `swift test` early
# `swift test` runs in a session of its own. SwiftPM starts the test binary in a
# process group of its own, which a group signal would miss, but it stays in the
# session, so a time-out or an interrupt can end everything the tests started.

swift_pid=""
tail_pid=""

# finished PID: the process is gone or a zombie waiting to be reaped.
finished() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    [ "${stat%% *}" = Z ]
}

# session_members SID: pids of the live processes of that session.
session_members() {
    local file line fields
    for file in /proc/[0-9]*/stat; do
        line=$(cat "$file" 2>/dev/null) || continue
        read -r -a fields <<<"${line##*) }"
        # fields: state ppid pgrp session ...
        [ "${fields[3]:-}" = "$1" ] && [ "${fields[0]}" != Z ] && echo "${file:6:-5}"
    done
}

# Ends the test process and everything in its session, then the private stacks its
# tests had started (PrivateStack names their run dirs <name>-<test pid>-<id>).
end_swift_tests() {
    [ -n "$swift_pid" ] || return 0
    local members pid deadline dir
    members=$(session_members "$swift_pid")
    [ -n "$members" ] || return 0
    # shellcheck disable=SC2086
    kill -TERM $members 2>/dev/null
    deadline=$((SECONDS + 15))
    while [ -n "$(session_members "$swift_pid")" ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    # shellcheck disable=SC2046
    kill -KILL $(session_members "$swift_pid") 2>/dev/null
    for pid in $members; do
        for dir in "$REPO"/.run/*-"$pid"-*/; do
            [ -f "$dir/my.cnf" ] || continue
            RUN_DIR=$dir scripts/stack.sh stop >/dev/null 2>&1
            [ -n "${SEALDROP_KEEP_RUN_DIRS:-}" ] || rm -rf "$dir"
        done
    done
}

stop_stack() {
    end_swift_tests
    [ -z "$tail_pid" ] || kill "$tail_pid" 2>/dev/null
    scripts/stack.sh stop || echo "test: stopping the test stack failed" >&2
}
trap stop_stack EXIT
trap 'echo "test: interrupted" >&2; exit 130' INT
trap 'echo "test: terminated" >&2; exit 143' TERM

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
: >"$swift_log"
# A background job of this shell is not a process-group leader, so setsid does not
# fork: $! is swift test itself, and the id of its new session.
setsid swift test --scratch-path "$SCRATCH" --skip-build </dev/null >"$swift_log" 2>&1 &
swift_pid=$!
# tail shows the log as it grows and ends once swift test has ended and been reaped.
tail -n +1 -f -s 0.2 --pid="$swift_pid" "$swift_log" &
tail_pid=$!

# A hung test must not hang CI.
deadline=$((SECONDS + SWIFT_TEST_TIMEOUT))
timed_out=false
until finished "$swift_pid"; do
    if [ $SECONDS -ge $deadline ]; then
        timed_out=true
        end_swift_tests
        break
    fi
    sleep 1
done
wait "$swift_pid"
swift_status=$?
swift_pid=""
wait "$tail_pid" 2>/dev/null
tail_pid=""
if $timed_out; then
    printf "\ntest: swift test did not finish within %ss and was stopped\n" "$SWIFT_TEST_TIMEOUT" | tee -a "$swift_log"
    [ "$swift_status" -ne 0 ] || swift_status=124
fi

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
# Swift Testing: each failed test once (its issues are in the log above), then its
# closing line; XCTest's count when there are XCTest cases.
grep -aE '^✘ Test .* failed after' "$swift_log" | grep -av 'Test run with' | cut -c1-240 | head -n 60
grep -aE 'Test run with [0-9]+ tests?' "$swift_log" | tail -n 1
grep -aE 'Executed [1-9][0-9]* tests?' "$swift_log" | tail -n 1
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
