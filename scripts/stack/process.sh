# shellcheck shell=bash
# Process helpers of the dev/test stack: liveness by pid file, detached start, stop, logs.
# Sourced by scripts/stack.sh (and scripts/cluster.sh), which set the paths and settings used here.

# alive PID: the process exists and is not a zombie (a child of this script that
# exited stays visible to kill -0 until reaped).
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    if [ -r "/proc/$1/stat" ]; then
        local stat
        stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
        stat=${stat##*) }
        [ "${stat%% *}" != Z ] || return 1
    fi
    return 0
}

# pid_alive FILE MARK: the pid in FILE is alive and its command line contains MARK
# (a path unique to this run dir), so a recycled pid or another stack never counts.
pid_alive() {
    local file=$1 mark=$2 pid
    [ -s "$file" ] || return 1
    pid=$(head -n1 "$file" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    alive "$pid" || return 1
    if [ -r "/proc/$pid/cmdline" ]; then
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$mark" || return 1
    fi
    return 0
}

pid_of() { head -n1 "$1"; }

# wait_gone PID SECONDS: true once PID has exited.
wait_gone() {
    local pid=$1 deadline=$((SECONDS + $2))
    while alive "$pid"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.1
    done
}

# Shell code that closes every descriptor above 2. Daemons must not keep what their
# caller's caller left open: Foundation's Process (the Swift tests run this script
# through it) learns that a child exited when an inherited socket closes, so a
# daemon holding that socket makes it wait forever.
# shellcheck disable=SC2016
CLOSE_FDS='for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; '

# detached COMMAND...: runs COMMAND with only stdin/stdout/stderr open.
detached() {
    bash -c "$CLOSE_FDS"'exec "$@"' bash "$@"
}

# launch PIDFILE COMMAND...: runs COMMAND in the background, detached (own session,
# stdin from /dev/null, no inherited descriptors), and records its pid. The pid is
# written by the shell that then becomes COMMAND (exec), so it is right whether or
# not setsid had to fork. The new session keeps a Ctrl-C in the caller's terminal
# from reaching the stack.
launch() {
    local pidfile=$1
    shift
    # shellcheck disable=SC2016
    setsid bash -c "$CLOSE_FDS"'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null &
}

# stop_pid FILE MARK SIGNAL WHAT: signal the process and wait for it to exit.
stop_pid() {
    local file=$1 mark=$2 signal=$3 what=$4 pid
    if ! pid_alive "$file" "$mark"; then
        rm -f "$file"
        return 0
    fi
    pid=$(pid_of "$file")
    kill "-$signal" "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$STACK_TIMEOUT"; then
        say "$what (pid $pid) did not exit within ${STACK_TIMEOUT}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 10 || die "$what (pid $pid) survived SIGKILL"
    fi
    rm -f "$file"
    say "$what stopped"
}

show_log() {
    local file=$1
    [ -s "$file" ] || return 0
    echo "----- last lines of $file -----" >&2
    tail -n 25 "$file" >&2
}

fail_with_logs() {
    echo "stack: $1" >&2
    shift
    local file
    for file in "$@"; do show_log "$file"; done
    exit 1
}

check_socket_path() {
    # sun_path holds 108 bytes including the terminating NUL.
    [ ${#1} -lt 108 ] || die "socket path too long for a unix socket (${#1} bytes, max 107): $1; use a shorter RUN_DIR"
}
