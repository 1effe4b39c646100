#!/usr/bin/env bash
# The benchmark of issue 6: SealDrop against the bare ceiling of its own
# architecture (libfcgi on a unix socket behind nginx, MariaDB), in one run.
#
#   bench/run.sh            build, start everything, measure, write bench/results/latest.*, stop
#   bench/run.sh profile    build, start everything, profile /send with perf, write
#                           bench/results/profile-send.txt, stop
#   bench/run.sh up|down    start or stop the bench stack and the ceilings (for poking at it)
#   bench/run.sh cluster    build, then one MariaDB server against a 3-node Galera cluster
#                           (bench/cluster.sh), write bench/results/cluster.*, stop
#
# Environment (defaults in brackets):
#   BENCH_RUN_DIR [.run/bench]     data, sockets, logs, generated configs, raw wrk output
#   BENCH_HTTP_PORT [18480]        SealDrop's nginx (default limits); the ceilings' nginx listens on +1
#                                  (health), +2 (send); the limits-off SealDrop's nginx on +3, the
#                                  one-process SealDrop's (BENCH_LAYOUTS=1) on +4
#   BENCH_THREADS [4]              worker threads of SealDrop (in all) and of both ceilings
#   BENCH_PROCESSES [2]            SealDrop's worker processes under its supervisor, as
#                                  users run it (`serve --processes 2 --threads 2`); the
#                                  threads are shared out among them (BENCH_THREADS / N each)
#   BENCH_DURATION [10]            seconds per wrk run
#   BENCH_RUNS [3]                 runs per side of each scenario; the median is reported
#   BENCH_CONNECTIONS [64]         wrk connections
#   BENCH_LONG_REQUESTS [1000000]  requests of the long RSS run (0 skips it)
#   BENCH_CGI_RUNS [50]            hyperfine runs of one CGI-mode request
#   BENCH_SCENARIOS [all]          comma-separated subset (link_info,fetch_limits,send_limits,health,
#                                  send_100,send_16k,fetch_challenge,fetch_chained,register,
#                                  fetch_200,mixed)
#   BENCH_LAYOUTS [0]              1: also a limits-on SealDrop as 1 process × BENCH_THREADS
#                                  threads (port +4), and /health and /send on it against the
#                                  stack's BENCH_PROCESSES × BENCH_THREADS/N (layout_health,
#                                  layout_send)
#   BENCH_SEND_LINKS [8192]        links /send spreads over (16 KiB boxes: the first 1024)
#   BENCH_ADDRESSES [200000]       distinct client addresses in X-Forwarded-For (every 10th an
#                                  IPv6 /64); BENCH_XFF=0 sends none
#   BENCH_PROFILE_SECONDS [15]     perf sampling time of `profile`
#   BENCH_RESULTS_DIR [bench/results]  where latest.{md,json,png} and profile-send.txt go
#   SCRATCH [.build-bench]         SwiftPM scratch path of the release build
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
command -v swift >/dev/null 2>&1 || PATH="/opt/swift/usr/bin:$PATH"
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

SCRATCH=${SCRATCH:-.build-bench}
export BENCH_RUN_DIR=${BENCH_RUN_DIR:-$REPO/.run/bench}
case $BENCH_RUN_DIR in /*) ;; *) BENCH_RUN_DIR=$REPO/$BENCH_RUN_DIR ;; esac
export BENCH_HTTP_PORT=${BENCH_HTTP_PORT:-18480}
export BENCH_THREADS=${BENCH_THREADS:-4}
export BENCH_PROCESSES=${BENCH_PROCESSES:-2}
[ $((BENCH_THREADS % BENCH_PROCESSES)) -eq 0 ] || { echo "bench: BENCH_THREADS must be a multiple of BENCH_PROCESSES" >&2; exit 2; }
export BENCH_RESULTS_DIR=${BENCH_RESULTS_DIR:-$REPO/bench/results}
export BENCH_CEILING_HEALTH_PORT=$((BENCH_HTTP_PORT + 1))
export BENCH_CEILING_SEND_PORT=$((BENCH_HTTP_PORT + 2))
export BENCH_OFF_PORT=$((BENCH_HTTP_PORT + 3))
export BENCH_LAYOUTS=${BENCH_LAYOUTS:-0}
if [ "$BENCH_LAYOUTS" = 1 ]; then
    export BENCH_ONE_PROCESS_PORT=$((BENCH_HTTP_PORT + 4))
else
    export BENCH_ONE_PROCESS_PORT=0
fi
CEILING_DIR=$BENCH_RUN_DIR/ceiling
OFF_DIR=$BENCH_RUN_DIR/off
ONE_DIR=$BENCH_RUN_DIR/one-process
# The flood limits, all of them; the limits-on side runs with none of these set.
LIMIT_VARIABLES=(SEALDROP_LINK_SENDS_PER_MINUTE SEALDROP_ADDRESS_REQUESTS_PER_MINUTE
    SEALDROP_ADDRESS_WINDOW_SECONDS SEALDROP_ADDRESS_REGISTRATIONS_PER_HOUR
    SEALDROP_ADDRESS_PERMISSION_REQUESTS_PER_DAY SEALDROP_LINK_OPEN_REQUESTS
    SEALDROP_MAILBOX_MAX_MESSAGES SEALDROP_MAILBOX_MAX_BYTES SEALDROP_MAX_OUTSTANDING_CHALLENGES
    SEALDROP_IPV6_PREFIX_LENGTH SEALDROP_LIMIT_FOLD_MILLISECONDS)
# wrk sends every request with X-Forwarded-For from one of BENCH_ADDRESSES clients;
# nginx talks to both SealDrop sides from 127.0.0.1, which both trust.
BENCH_TRUSTED_PROXIES=127.0.0.1
# /usr/bin/python3: Debian's, with python3-nacl and python3-matplotlib (not a pyenv shim).
PYTHON=/usr/bin/python3

say() { echo "bench: $*"; }
die() { echo "bench: $*" >&2; exit 1; }

stack() {
    RUN_DIR=$BENCH_RUN_DIR HTTP_PORT=$BENCH_HTTP_PORT SEALDROP_PROCESSES=$BENCH_PROCESSES \
        SEALDROP_THREADS=$((BENCH_THREADS / BENCH_PROCESSES)) \
        SEALDROP_BIN=${SEALDROP_BIN:-} "$REPO/scripts/stack.sh" "$@"
}

build() {
    bench/deps.sh
    scripts/deps.sh
    say "building SealDrop (release, scratch path $SCRATCH)"
    swift build -c release --scratch-path "$SCRATCH" --product sealdrop -Xswiftc -warnings-as-errors
    SEALDROP_BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/sealdrop
    export SEALDROP_BIN
    say "building the ceiling responders"
    make -s -C bench/ceiling OUT="$REPO/$SCRATCH/ceiling"
    export BENCH_CEILING_BIN_DIR=$REPO/$SCRATCH/ceiling
}

# ------------------------------------------------------------- ceilings

ceiling_alive() { # PIDFILE
    [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

ceiling_stop_pid() { # PIDFILE WHAT SIGNAL
    ceiling_alive "$1" || { rm -f "$1"; return 0; }
    local pid deadline=$((SECONDS + 30))
    pid=$(cat "$1")
    kill "-$3" "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || { kill -KILL "$pid" 2>/dev/null || true; break; }
        sleep 0.1
    done
    rm -f "$1"
    say "$2 stopped"
}

ceilings_stop() {
    [ -d "$CEILING_DIR" ] || return 0
    ceiling_stop_pid "$CEILING_DIR/nginx.pid" "ceiling nginx" QUIT
    ceiling_stop_pid "$CEILING_DIR/health.pid" "health ceiling" TERM
    ceiling_stop_pid "$CEILING_DIR/send.pid" "send ceiling" TERM
    rm -f "$CEILING_DIR"/*.sock
}

ceiling_launch() { # NAME BINARY
    local sock=$CEILING_DIR/$1.sock
    rm -f "$sock"
    # The database settings are the responder's, from the file stack.sh wrote.
    setsid bash -c 'set -a; source "$1"; set +a; echo $$ >"$2"; exec "$3" "$4" "$5"' _ \
        "$BENCH_RUN_DIR/sealdrop.env" "$CEILING_DIR/$1.pid" "$2" "$sock" "$BENCH_THREADS" \
        </dev/null >>"$CEILING_DIR/$1.log" 2>&1 &
    local deadline=$((SECONDS + 30))
    until [ -S "$sock" ]; do
        [ $SECONDS -lt $deadline ] || { tail -n 20 "$CEILING_DIR/$1.log" >&2; die "$1 ceiling did not create $sock"; }
        sleep 0.1
    done
}

ceilings_start() {
    ceilings_stop
    mkdir -p "$CEILING_DIR/nginx"
    ceiling_launch health "$BENCH_CEILING_BIN_DIR/health-ceiling"
    ceiling_launch send "$BENCH_CEILING_BIN_DIR/send-ceiling"
    # The same template stack.sh renders for SealDrop, so nginx is set up identically.
    $PYTHON scripts/nginx_conf.py deploy/nginx/dev.conf.in "$CEILING_DIR" \
        "$BENCH_CEILING_HEALTH_PORT:$CEILING_DIR/health.sock" "$BENCH_CEILING_SEND_PORT:$CEILING_DIR/send.sock" \
        >"$CEILING_DIR/nginx.conf"
    nginx -p "$CEILING_DIR/nginx/" -e "$CEILING_DIR/nginx-error.log" -c "$CEILING_DIR/nginx.conf" </dev/null \
        || { tail -n 20 "$CEILING_DIR/nginx-error.log" >&2; die "the ceiling nginx did not start"; }
    local port path code
    for port in "$BENCH_CEILING_HEALTH_PORT:/health" "$BENCH_CEILING_SEND_PORT:/send"; do
        path=${port#*:}
        port=${port%%:*}
        code=$(curl -s -o /dev/null -w '%{http_code}' --retry 20 --retry-connrefused --retry-delay 0 \
            --max-time 5 "http://127.0.0.1:$port$path" || true)
        case $code in 200|400) ;; *) die "ceiling on port $port answered $code for $path" ;; esac
    done
    say "ceilings ready: health :$BENCH_CEILING_HEALTH_PORT, send :$BENCH_CEILING_SEND_PORT"
}

# ---------------------------------------------- the other SealDrop sides

side_stop() { # DIR WHAT
    [ -d "$1" ] || return 0
    ceiling_stop_pid "$1/nginx.pid" "$2 nginx" QUIT
    ceiling_stop_pid "$1/sealdrop.pid" "$2 SealDrop" TERM
    rm -f "$1/sealdrop.sock"
}

# side_start DIR PORT PROCESSES on|off WHAT: another `sealdrop serve` beside the
# stack's, same binary, config file and MariaDB, with PROCESSES processes sharing
# BENCH_THREADS threads; `off` switches the flood limits off or out of reach in its
# environment (the settings the bench ran with before issue 13), `on` leaves the
# shipped defaults. Both trust nginx's X-Forwarded-For. Its nginx is the stack's
# template rendered by scripts/nginx_conf.py, as the ceilings' is.
side_start() {
    local dir=$1 port=$2 processes=$3 limits=$4 what=$5
    side_stop "$dir" "$what"
    mkdir -p "$dir/nginx"
    local sock=$dir/sealdrop.sock
    rm -f "$sock"
    (
        for v in "${LIMIT_VARIABLES[@]}"; do unset "$v"; done
        if [ "$limits" = off ]; then
            export SEALDROP_LINK_SENDS_PER_MINUTE=0 SEALDROP_ADDRESS_REQUESTS_PER_MINUTE=0 \
                SEALDROP_ADDRESS_REGISTRATIONS_PER_HOUR=0 SEALDROP_ADDRESS_PERMISSION_REQUESTS_PER_DAY=0 \
                SEALDROP_MAILBOX_MAX_MESSAGES=10000000 SEALDROP_MAILBOX_MAX_BYTES=1099511627776
        fi
        export SEALDROP_TRUSTED_PROXIES=$BENCH_TRUSTED_PROXIES
        setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$dir/sealdrop.pid" \
            "$SEALDROP_BIN" serve --listen "$sock" --processes "$processes" \
            --threads $((BENCH_THREADS / processes)) --config "$BENCH_RUN_DIR/sealdrop.env" \
            </dev/null >>"$dir/sealdrop.log" 2>&1 &
    )
    local deadline=$((SECONDS + 30))
    until [ -S "$sock" ]; do
        [ $SECONDS -lt $deadline ] || { tail -n 20 "$dir/sealdrop.log" >&2; die "the $what SealDrop did not create $sock"; }
        sleep 0.1
    done
    $PYTHON scripts/nginx_conf.py deploy/nginx/dev.conf.in "$dir" "$port:$sock" >"$dir/nginx.conf"
    nginx -p "$dir/nginx/" -e "$dir/nginx-error.log" -c "$dir/nginx.conf" </dev/null \
        || { tail -n 20 "$dir/nginx-error.log" >&2; die "the $what nginx did not start"; }
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --retry 20 --retry-connrefused --retry-delay 0 \
        --max-time 5 "http://127.0.0.1:$port/health" || true)
    [ "$code" = 200 ] || die "the $what SealDrop on port $port answered $code for /health"
    say "$what SealDrop ready: :$port ($processes × $((BENCH_THREADS / processes)), limits $limits)"
}

sides_start() {
    side_start "$OFF_DIR" "$BENCH_OFF_PORT" "$BENCH_PROCESSES" off limits-off
    if [ "$BENCH_LAYOUTS" = 1 ]; then
        side_start "$ONE_DIR" "$BENCH_ONE_PROCESS_PORT" 1 on one-process
    fi
}

sides_stop() {
    side_stop "$ONE_DIR" one-process
    side_stop "$OFF_DIR" limits-off
}

# --------------------------------------------------------------- stack

up() {
    # A fresh responder every time, so its idle RSS is that of a new process.
    stack stop >/dev/null
    # The stack's responder runs the shipped defaults, as users do (issue 13): no
    # flood-limit variable set, only the proxy whose X-Forwarded-For it believes.
    # The environment wins over the config file and reaches the responder.
    for v in "${LIMIT_VARIABLES[@]}"; do unset "$v"; done
    export SEALDROP_TRUSTED_PROXIES=$BENCH_TRUSTED_PROXIES
    stack start
    sides_start
    ceilings_start
}

down() {
    ceilings_stop
    sides_stop
    stack stop
}

case ${1:-all} in
    all)
        build
        trap down EXIT
        up
        mkdir -p "$BENCH_RUN_DIR/raw"
        $PYTHON bench/driver/main.py
        $PYTHON bench/driver/report.py "$BENCH_RESULTS_DIR/latest.json"
        say "wrote $BENCH_RESULTS_DIR/latest.md, latest.json, latest.png"
        ;;
    profile)
        build
        trap down EXIT
        up
        $PYTHON bench/driver/profile.py
        ;;
    cluster)
        build
        # shellcheck source=bench/cluster.sh
        . bench/cluster.sh
        trap sides_down EXIT
        sides_up
        $PYTHON bench/driver/cluster.py
        ;;
    up) build; up ;;
    down) down ;;
    *) echo "usage: $0 [all|profile|up|down|cluster]" >&2; exit 2 ;;
esac
