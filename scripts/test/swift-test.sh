# shellcheck shell=bash
# Runs `swift test` with a deadline and can end it with everything it started.
# Sourced by scripts/test.sh and scripts/test-cluster.sh, which set REPO and SCRATCH.
#
# `swift test` runs in a session of its own. SwiftPM starts the test binary in a
# process group of its own, which a group signal would miss, but it stays in the
# session, so a time-out or an interrupt can end everything the tests started.

swift_pid=""
tail_pid=""

# use_built_sealdrop LABEL TARGET: puts swift on PATH and exports SEALDROP_BIN (the
# sealdrop `make TARGET` built first) and SEALDROP_REPO; says what is missing if not.
use_built_sealdrop() {
    command -v swift >/dev/null 2>&1 || PATH="/opt/swift/usr/bin:$PATH"
    command -v swift >/dev/null 2>&1 || { echo "$1: swift is neither on PATH nor in /opt/swift/usr/bin." >&2; return 1; }
    local bin_dir
    bin_dir=$(swift build --scratch-path "$SCRATCH" -Xswiftc -warnings-as-errors --show-bin-path) || return 1
    export SEALDROP_BIN=$bin_dir/sealdrop SEALDROP_REPO=$REPO
    [ -x "$SEALDROP_BIN" ] || { echo "$1: $SEALDROP_BIN is missing; run '$2' (it builds first)." >&2; return 1; }
}

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
            RUN_DIR=$dir "$REPO/scripts/stack.sh" stop >/dev/null 2>&1
            [ -n "${SEALDROP_KEEP_RUN_DIRS:-}" ] || rm -rf "$dir"
        done
    done
}

# Stops the log's tail, if one is running.
end_swift_tail() {
    [ -z "$tail_pid" ] || kill "$tail_pid" 2>/dev/null
    tail_pid=""
}

# stop_at_exit LABEL COMMAND...: however the script ends (an interrupt exits 130, a
# TERM 143), `swift test` and everything it started end, then COMMAND stops the stack.
stop_at_exit() {
    stop_label=$1
    shift
    stop_command=("$@")
    trap stop_everything EXIT
    trap 'echo "$stop_label: interrupted" >&2; exit 130' INT
    trap 'echo "$stop_label: terminated" >&2; exit 143' TERM
}

stop_everything() {
    end_swift_tests
    end_swift_tail
    "${stop_command[@]}" >/dev/null || echo "$stop_label: '${stop_command[*]}' failed" >&2
}

# run_swift_tests LOG TIMEOUT [ARGUMENT...]: `swift test --skip-build` with the
# arguments, its output in LOG and shown as it grows; sets swift_status (124 when it
# did not finish within TIMEOUT seconds and was stopped).
run_swift_tests() {
    local log=$1 timeout=$2
    shift 2
    : >"$log"
    # A background job of this shell is not a process-group leader, so setsid does not
    # fork: $! is swift test itself, and the id of its new session.
    setsid swift test --scratch-path "$SCRATCH" --skip-build "$@" </dev/null >"$log" 2>&1 &
    swift_pid=$!
    # tail shows the log as it grows and ends once swift test has ended and been reaped.
    tail -n +1 -f -s 0.2 --pid="$swift_pid" "$log" &
    tail_pid=$!

    # A hung test must not hang CI.
    local deadline=$((SECONDS + timeout)) timed_out=false
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
        printf "\ntest: swift test did not finish within %ss and was stopped\n" "$timeout" | tee -a "$log"
        [ "$swift_status" -ne 0 ] || swift_status=124
    fi
}

# swift_summary LOG: the lines of a `swift test` log the summary shows. Swift
# Testing: each failed test once (its issues are in the log above), then its closing
# line; XCTest's count when there are XCTest cases.
swift_summary() {
    grep -aE '^✘ Test .* failed after' "$1" | grep -av 'Test run with' | cut -c1-240 | head -n 60
    grep -aE 'Test run with [0-9]+ tests?' "$1" | tail -n 1
    grep -aE 'Executed [1-9][0-9]* tests?' "$1" | tail -n 1
}
