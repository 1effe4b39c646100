# Sourced by the deployment tests (Tests/deploy/*.sh): results, polling, the portable
# binary, and the MariaDB they share (scripts/stack.sh with a run dir of its own).
#
# Environment:
#   SEALDROP_PORTABLE_BIN  the binary under test (default: built by `make portable`)
#   DEPLOY_RUN_DIR         where the tests' servers live (default /tmp/sealdrop-deploy-<uid>:
#                          when run as root, Apache's and nginx's workers run as www-data
#                          and must reach it, which they cannot inside a private .run/)
#   DEPLOY_PORT_BASE       first of the 20 loopback ports the tests use (default: the
#                          first of 18700, 18720, ... whose 20 ports are all free)
#   DEPLOY_TIMEOUT         seconds to wait for a server to become ready (60)
#   DEBIAN_MIRROR          for debootstrap (http://deb.debian.org/debian)

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
command -v swift >/dev/null 2>&1 || PATH="/opt/swift/usr/bin:$PATH"
DEPLOY_RUN_DIR=${DEPLOY_RUN_DIR:-${TMPDIR:-/tmp}/sealdrop-deploy-$(id -u)}
STACK_DIR=$DEPLOY_RUN_DIR/db
DEPLOY_TIMEOUT=${DEPLOY_TIMEOUT:-60}
PYTHON=/usr/bin/python3
IS_ROOT=false
[ "$(id -u)" -eq 0 ] && IS_ROOT=true
# The account web servers started by root hand their workers to (Debian's).
WEB_USER=www-data

PASSES=0
FAILURES=0
TEST_NAME=${TEST_NAME:-deploy}

say() { echo "$TEST_NAME: $*"; }
die() { echo "$TEST_NAME: $*" >&2; exit 1; }
pass() { PASSES=$((PASSES + 1)); echo "PASS: $TEST_NAME: $*"; }
fail() { FAILURES=$((FAILURES + 1)); echo "FAIL: $TEST_NAME: $*"; }

# check DESCRIPTION COMMAND...: PASS when COMMAND succeeds; its output is shown on
# failure. COMMAND runs in this shell (so it may wait for this shell's children).
check() {
    local what=$1 output
    shift
    output=$(mktemp)
    if "$@" >"$output" 2>&1; then
        pass "$what"
    else
        fail "$what"
        sed 's/^/    /' "$output" | tail -n 30
    fi
    rm -f "$output"
}

# Counts the PASS/FAIL lines of a child (flow.py) into this test's totals.
count_results() {
    local line
    while IFS= read -r line; do
        echo "$line"
        case $line in
            PASS:*) PASSES=$((PASSES + 1)) ;;
            FAIL:*) FAILURES=$((FAILURES + 1)) ;;
        esac
    done
}

# flow NAME URL [flow.py options]: the end-to-end flow through a front server.
flow() {
    local name=$1 url=$2
    shift 2
    count_results < <("$PYTHON" "$REPO/Tests/deploy/flow.py" "$url" --name "$TEST_NAME: $name" "$@" 2>&1)
}

summary() {
    echo "==== $TEST_NAME: $PASSES passed, $FAILURES failed"
    [ "$FAILURES" -eq 0 ] && [ "$PASSES" -gt 0 ]
}

# poll SECONDS COMMAND...: true once COMMAND succeeds, false after SECONDS.
poll() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.1
    done
}

# alive PID: exists and is not a zombie.
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# stop_pid PID: SIGTERM, then SIGKILL after DEPLOY_TIMEOUT seconds.
stop_pid() {
    local pid=$1
    [ -n "$pid" ] && alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    poll "$DEPLOY_TIMEOUT" gone "$pid" || { kill -KILL "$pid" 2>/dev/null || true; }
}

gone() { ! alive "$1"; }

# HTTP status of a GET (000 when nothing answered).
status_of() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" 2>/dev/null || true
}

show_log() {
    [ -s "$1" ] || return 0
    echo "----- last lines of $1 -----"
    tail -n "${2:-20}" "$1" | sed 's/^/    /'
}

# A run dir only this user controls, which other users may traverse (0711) but not
# list: a root-started web server's workers (www-data) need to reach paths inside.
prepare_run_dir() {
    local dir=$1
    if [ -L "$dir" ] || { [ -e "$dir" ] && [ "$(stat -c %u "$dir")" != "$(id -u)" ]; }; then
        die "$dir exists and is not a directory of mine; set DEPLOY_RUN_DIR elsewhere"
    fi
    mkdir -p "$dir"
    chmod 0711 "$dir"
}

# Sets SEALDROP_PORTABLE_BIN, building dist/sealdrop.fcgi when it was not given.
portable_bin() {
    if [ -z "${SEALDROP_PORTABLE_BIN:-}" ]; then
        say "building the portable binary (make portable)"
        make --no-print-directory -C "$REPO" -f Makefile -f mk/deploy.mk portable >&2 \
            || die "make portable failed"
        SEALDROP_PORTABLE_BIN=$REPO/dist/sealdrop.fcgi
    fi
    [ -x "$SEALDROP_PORTABLE_BIN" ] || die "SEALDROP_PORTABLE_BIN is not an executable: $SEALDROP_PORTABLE_BIN"
    export SEALDROP_PORTABLE_BIN
}

# Starts (or reuses) the shared MariaDB with a migrated database; sets DB_SOCKET,
# DB_USER, DB_PASSWORD, DB_NAME. stack.sh also starts its own responder and nginx
# on DEPLOY_STACK_PORT, which the tests do not use. Stopped at exit by whoever
# started it (run.sh sets DEPLOY_DB_KEEP=1 for the tests it runs).
DB_STARTED_HERE=false
db_start() {
    prepare_run_dir "$DEPLOY_RUN_DIR"
    [ -n "${STACK_PORT:-}" ] || pick_ports
    local stack=(env RUN_DIR="$STACK_DIR" HTTP_PORT="$STACK_PORT" SEALDROP_BIN="$SEALDROP_PORTABLE_BIN"
                 "$REPO/scripts/stack.sh")
    if ! "${stack[@]}" status >/dev/null 2>&1; then
        [ "${DEPLOY_DB_KEEP:-0}" = 1 ] || DB_STARTED_HERE=true
    fi
    "${stack[@]}" start >"$DEPLOY_RUN_DIR/db-start.log" 2>&1 \
        || { cat "$DEPLOY_RUN_DIR/db-start.log" >&2; die "scripts/stack.sh start failed"; }
    # stack.sh keeps its dir private (0700); the socket inside must be reachable by
    # the web servers' workers. The files in it stay 0600.
    chmod 0711 "$STACK_DIR"
    DB_SOCKET=$(sed -n 's/^DB_SOCKET=//p' "$STACK_DIR/sealdrop.env")
    DB_USER=$(sed -n 's/^DB_USER=//p' "$STACK_DIR/sealdrop.env")
    DB_PASSWORD=$(sed -n 's/^DB_PASSWORD=//p' "$STACK_DIR/sealdrop.env")
    DB_NAME=$(sed -n 's/^DB_NAME=//p' "$STACK_DIR/sealdrop.env")
    [ -S "$DB_SOCKET" ] || die "no MariaDB socket at $DB_SOCKET"
}

db_stop() {
    $DB_STARTED_HERE || return 0
    RUN_DIR="$STACK_DIR" HTTP_PORT="$STACK_PORT" "$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || true
}

# begin_test: what every test does before its own set-up. At exit the test's
# `cleanup` (the servers it started), if it has one, runs and then db_stop; INT and
# TERM exit through them. Then the ports, the binary under test and the database.
begin_test() {
    trap 'if declare -F cleanup >/dev/null; then cleanup; fi; db_stop' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    pick_ports
    portable_bin
    db_start
}

# write_config FILE [DB_SOCKET [LINE...]]: SealDrop settings for the shared database,
# as a user would write them (no BASE_URL: links come from the request), plus LINEs.
# Every test request comes from 127.0.0.1, so the per-address flood limits are off.
write_config() {
    local file=$1 socket=${2:-$DB_SOCKET}
    shift
    [ $# -eq 0 ] || shift
    (
        umask 077
        cat >"$file" <<EOF
DB_SOCKET=$socket
DB_USER=$DB_USER
DB_PASSWORD=$DB_PASSWORD
DB_NAME=$DB_NAME
SEALDROP_ADDRESS_REQUESTS_PER_MINUTE=0
SEALDROP_ADDRESS_REGISTRATIONS_PER_HOUR=0
EOF
        [ $# -eq 0 ] || printf '%s\n' "$@" >>"$file"
    )
}

# Picks DEPLOY_PORT_BASE (exported, so the tests run.sh starts share it): the
# stack's nginx listens on base+0, Apache on base+1..6, nginx on base+11..12.
ports_in_use() {
    ss -Htln 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }'
}
pick_ports() {
    if [ -z "${DEPLOY_PORT_BASE:-}" ]; then
        local used base port free
        used=" $(ports_in_use | tr '\n' ' ') "
        for base in $(seq 18700 20 19680); do
            free=true
            for port in $(seq "$base" $((base + 19))); do
                case $used in *" $port "*) free=false; break ;; esac
            done
            if $free; then DEPLOY_PORT_BASE=$base; break; fi
        done
        [ -n "${DEPLOY_PORT_BASE:-}" ] || die "no 20 free ports from 18700 on; set DEPLOY_PORT_BASE"
    fi
    [[ $DEPLOY_PORT_BASE =~ ^[0-9]+$ ]] || die "DEPLOY_PORT_BASE must be a port number"
    export DEPLOY_PORT_BASE
    STACK_PORT=$DEPLOY_PORT_BASE
}

# A self-signed certificate for 127.0.0.1, for the TLS parts of the site configs.
make_certificate() {
    local dir=$1
    [ -s "$dir/cert.pem" ] && [ -s "$dir/key.pem" ] && return 0
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
        -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
        -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
}

# nginx_setup DIR SOCKET HTTPS_PORT HTTP_PORT: DIR/sealdrop.conf is the shipped site
# (deploy/nginx/sealdrop.conf) with only its ports (loopback), paths, certificate
# (self-signed) and socket changed; DIR/nginx.conf is what Debian's nginx.conf puts
# around a site, cut down to DIR.
nginx_setup() {
    local dir=$1 sock=$2 https=$3 http=$4 user_line=""
    mkdir -p "$dir/logs" "$dir/tmp" "$dir/tls" "$dir/acme"
    make_certificate "$dir/tls" || die "openssl could not make a test certificate"
    sed -e "s|^\(\s*\)listen 80;|\1listen 127.0.0.1:$http;|" \
        -e "s|^\(\s*\)listen 443 ssl http2;|\1listen 127.0.0.1:$https ssl http2;|" \
        -e '/^\s*listen \[::\]:/d' \
        -e "s|/etc/letsencrypt/live/drop.example.org/fullchain.pem|$dir/tls/cert.pem|" \
        -e "s|/etc/letsencrypt/live/drop.example.org/privkey.pem|$dir/tls/key.pem|" \
        -e "s|/var/log/nginx/|$dir/logs/|g" \
        -e "s|/var/www/letsencrypt|$dir/acme|g" \
        -e "s|unix:/run/sealdrop/sealdrop.sock|unix:$sock|g" \
        "$REPO/deploy/nginx/sealdrop.conf" >"$dir/sealdrop.conf"
    # Started by root, nginx runs its workers as www-data, as installed.
    $IS_ROOT && user_line="user $WEB_USER;"
    cat >"$dir/nginx.conf" <<EOF
# Generated by Tests/deploy/lib.sh (nginx_setup).
$user_line
daemon on;
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 512; }
http {
    default_type application/octet-stream;
    access_log $dir/logs/access.log;
    client_body_temp_path $dir/tmp/body;
    fastcgi_temp_path $dir/tmp/fastcgi;
    proxy_temp_path $dir/tmp/proxy;
    scgi_temp_path $dir/tmp/scgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    include $dir/sealdrop.conf;
}
EOF
}

nginx_in() {
    local dir=$1
    shift
    nginx -p "$dir/" -e "$dir/logs/error.log" -c "$dir/nginx.conf" "$@"
}

# Graceful stop (QUIT) of the nginx of DIR, if it runs.
nginx_stop() {
    local pid
    [ -s "$1/nginx.pid" ] || return 0
    pid=$(cat "$1/nginx.pid")
    alive "$pid" || return 0
    kill -QUIT "$pid" 2>/dev/null || true
    poll "$DEPLOY_TIMEOUT" gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
}

# Prints the path of a minimal Debian 12 (debootstrap --variant=minbase), made once
# in .run/chroot: the marker is written only after debootstrap finished.
minbase_root() {
    local cache=$REPO/.run/chroot root
    root=$cache/bookworm-minbase
    if [ ! -f "$root/.sealdrop-complete" ]; then
        echo "$TEST_NAME: debootstrap --variant=minbase bookworm into $root (once)" >&2
        mkdir -p "$cache"
        rm -rf "$root.partial" "$root"
        if ! debootstrap --variant=minbase bookworm "$root.partial" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
                >"$cache/debootstrap.log" 2>&1; then
            show_log "$cache/debootstrap.log" >&2
            echo "$TEST_NAME: debootstrap failed (log: $cache/debootstrap.log)" >&2
            return 1
        fi
        touch "$root.partial/.sealdrop-complete"
        mv "$root.partial" "$root"
    fi
    echo "$root"
}

# require_root WHY ARGS...: re-runs the calling test (with its ARGS) as root through
# `sudo -n` when not root already; fails the test, saying WHY, when that is impossible.
require_root() {
    local why=$1
    shift
    $IS_ROOT && return 0
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        exec sudo -n --preserve-env=SEALDROP_PORTABLE_BIN,DEPLOY_RUN_DIR,DEPLOY_PORT_BASE,DEPLOY_DB_KEEP,DEPLOY_TIMEOUT "$0" "$@"
    fi
    fail "the $TEST_NAME test needs root ($why), and sudo -n is not available"
    summary
    exit 1
}

# sigterm_exits_zero LOG: SIGTERM to $RESPONDER_PID, which must then exit with status 0
# (it finishes what it has in flight; Restart=on-failure leaves it stopped).
sigterm_exits_zero() {
    kill -TERM "$RESPONDER_PID"
    local status
    wait "$RESPONDER_PID"
    status=$?
    RESPONDER_PID=""
    [ "$status" -eq 0 ] || { echo "exit status $status"; show_log "$1"; return 1; }
}
