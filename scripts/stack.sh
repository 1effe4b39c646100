#!/usr/bin/env bash
# The private SealDrop dev/test stack: MariaDB (unix socket only), the sealdrop
# FastCGI responder, and nginx on 127.0.0.1. Everything lives under $RUN_DIR; nothing
# system-wide is configured (no /etc changes, no systemctl).
#
#   scripts/stack.sh start|stop|status|db-start|db-stop
#
# Environment:
#   RUN_DIR           where data, sockets, pids, logs and configs live (default <repo>/.run)
#   HTTP_PORT         nginx port on 127.0.0.1 (default 8080)
#   SEALDROP_BIN      the built sealdrop executable (needed by `start`)
#   SEALDROP_THREADS  responder worker threads (default 4)
#   STACK_TIMEOUT     seconds to wait for each piece to become ready (default 60)
#
# `start` is idempotent: running pieces (pid file + live process) are kept; the
# responder is restarted when its binary or config changed, nginx is reloaded when
# its config changed. After a successful start $RUN_DIR/stack.env holds the
# SEALDROP_TEST_* variables the test suites read.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# mariadbd and nginx live in /usr/sbin, which is not on a normal user's PATH on Debian.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

RUN_DIR=${RUN_DIR:-$REPO/.run}
HTTP_PORT=${HTTP_PORT:-8080}
SEALDROP_BIN=${SEALDROP_BIN:-}
SEALDROP_THREADS=${SEALDROP_THREADS:-4}
STACK_TIMEOUT=${STACK_TIMEOUT:-60}
DB_NAME=sealdrop
DB_USER=sealdrop

say() { echo "stack: $*"; }
die() { echo "stack: $*" >&2; exit 1; }

# Absolute RUN_DIR, so every path written into configs stays valid from any cwd.
case $RUN_DIR in /*) ;; *) RUN_DIR="$PWD/$RUN_DIR" ;; esac
case $RUN_DIR in *[[:space:]\'\"\;\#\$\\]*) die "RUN_DIR must not contain spaces, quotes or shell/config metacharacters: $RUN_DIR" ;; esac
[[ $HTTP_PORT =~ ^[0-9]+$ ]] && [ "$HTTP_PORT" -ge 1 ] && [ "$HTTP_PORT" -le 65535 ] \
    || die "HTTP_PORT must be a port number, not '$HTTP_PORT'"
[[ $SEALDROP_THREADS =~ ^[1-9][0-9]*$ ]] || die "SEALDROP_THREADS must be a positive number, not '$SEALDROP_THREADS'"

MY_CNF=$RUN_DIR/my.cnf
DATA_DIR=$RUN_DIR/mariadb
DB_SOCK=$RUN_DIR/mysqld.sock
DB_PID=$RUN_DIR/mysqld.pid
DB_LOG=$RUN_DIR/mysqld.log
APP_ENV=$RUN_DIR/sealdrop.env
APP_SOCK=$RUN_DIR/sealdrop.sock
APP_PID=$RUN_DIR/sealdrop.pid
APP_LOG=$RUN_DIR/sealdrop.log
NGINX_CONF=$RUN_DIR/nginx.conf
NGINX_PID=$RUN_DIR/nginx.pid
NGINX_LOG=$RUN_DIR/nginx-error.log
NGINX_TEMPLATE=$REPO/deploy/nginx/dev.conf.in
STACK_ENV=$RUN_DIR/stack.env
BASE_URL=http://127.0.0.1:$HTTP_PORT
# What identifies each piece's process: a path unique to this run dir in its command line.
DB_MARK="--defaults-file=$MY_CNF"
APP_MARK=$APP_SOCK
NGINX_MARK=$NGINX_CONF

IS_ROOT=false
[ "$(id -u)" -eq 0 ] && IS_ROOT=true
# mariadb-install-db gives this OS user an all-privilege account authenticated by
# the unix socket (no password), which the script then uses for administration.
ADMIN_USER=$(id -un)

# ---------------------------------------------------------------- helpers

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

# --------------------------------------------------------------- MariaDB

mariadb_cnf() {
    cat <<EOF
# Generated by scripts/stack.sh; private MariaDB of the SealDrop dev/test stack.
[client]
socket = $DB_SOCK
user = $ADMIN_USER

[mysqld]
datadir = $DATA_DIR
socket = $DB_SOCK
pid-file = $DB_PID
log-error = $DB_LOG
# Unix socket only: nothing else on this machine sees this server.
skip-networking
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
# Small footprint: the machine is shared.
innodb_buffer_pool_size = 64M
innodb_log_file_size = 48M
EOF
    # mariadbd refuses to run as root unless told to; the data dir is root's then.
    if $IS_ROOT; then echo "user = root"; fi
}

db_ping() {
    mariadb-admin --defaults-file="$MY_CNF" --connect-timeout=2 ping >/dev/null 2>&1
}

db_install() {
    # The marker is written only after a complete install, so an interrupted one
    # (no marker) is wiped and redone instead of leaving a half-made data dir.
    [ -f "$DATA_DIR/.sealdrop-installed" ] && return 0
    rm -rf "$DATA_DIR"
    mkdir -p "$DATA_DIR"
    say "initialising MariaDB data in $DATA_DIR"
    local user_opt=()
    $IS_ROOT && user_opt=(--user=root)
    if ! mariadb-install-db --defaults-file="$MY_CNF" "${user_opt[@]}" \
            --auth-root-authentication-method=socket --auth-root-socket-user="$ADMIN_USER" --skip-test-db \
            >"$RUN_DIR/mysqld-install.log" 2>&1; then
        fail_with_logs "mariadb-install-db failed" "$RUN_DIR/mysqld-install.log"
    fi
    touch "$DATA_DIR/.sealdrop-installed"
}

db_start() {
    mkdir -p "$RUN_DIR"
    chmod 700 "$RUN_DIR"
    check_socket_path "$DB_SOCK"
    command -v mariadbd >/dev/null || die "mariadbd not found; run scripts/deps.sh (package mariadb-server)"
    mariadb_cnf >"$MY_CNF"
    if pid_alive "$DB_PID" "$DB_MARK" && db_ping; then
        say "MariaDB already running (pid $(pid_of "$DB_PID"))"
        return 0
    fi
    if ! pid_alive "$DB_PID" "$DB_MARK"; then
        db_install
        rm -f "$DB_PID" "$DB_SOCK"
        say "starting MariaDB on $DB_SOCK"
        # mariadbd rewrites the same pid into $DB_PID itself and removes it on exit.
        launch "$DB_PID" mariadbd "$DB_MARK" >>"$DB_LOG" 2>&1
    fi
    local deadline=$((SECONDS + STACK_TIMEOUT))
    until db_ping; do
        if ! pid_alive "$DB_PID" "$DB_MARK"; then
            # The launcher may not have written the pid yet in the first instant.
            sleep 0.2
            pid_alive "$DB_PID" "$DB_MARK" || fail_with_logs "MariaDB exited during start-up" "$DB_LOG"
        fi
        [ $SECONDS -lt $deadline ] || fail_with_logs "MariaDB did not answer ping within ${STACK_TIMEOUT}s" "$DB_LOG"
        sleep 0.2
    done
    say "MariaDB ready (pid $(pid_of "$DB_PID"))"
}

db_stop() {
    if ! pid_alive "$DB_PID" "$DB_MARK"; then
        rm -f "$DB_PID"
        return 0
    fi
    local pid
    pid=$(pid_of "$DB_PID")
    # A clean shutdown through the admin account; SIGTERM does the same if that fails.
    mariadb-admin --defaults-file="$MY_CNF" --connect-timeout=5 shutdown >/dev/null 2>&1 \
        || kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$STACK_TIMEOUT"; then
        say "MariaDB (pid $pid) did not exit within ${STACK_TIMEOUT}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 10 || die "MariaDB (pid $pid) survived SIGKILL"
    fi
    rm -f "$DB_PID"
    say "MariaDB stopped"
}

# Creates the database and the application account (idempotent). The password is
# made once and kept in $APP_ENV; ALTER USER keeps the server in step with it.
db_provision() {
    local password=$1
    mariadb --defaults-file="$MY_CNF" --batch <<EOF || fail_with_logs "creating database $DB_NAME failed" "$DB_LOG"
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$password';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';
-- Test suites may make scratch databases of their own, named sealdrop_*.
GRANT ALL PRIVILEGES ON \`${DB_NAME}\\_%\`.* TO '$DB_USER'@'localhost';
EOF
}

# ------------------------------------------------------------ configuration

existing_password() {
    [ -f "$APP_ENV" ] || return 0
    sed -n 's/^DB_PASSWORD=//p' "$APP_ENV" | head -n1
}

new_password() {
    od -An -N24 -tx1 /dev/urandom | tr -d ' \n'
}

# Writes $APP_ENV (0600: it holds the password); true when its content changed.
write_app_env() {
    local password=$1 tmp
    tmp=$(mktemp "$RUN_DIR/.sealdrop.env.XXXXXX")
    cat >"$tmp" <<EOF
# Generated by scripts/stack.sh: configuration of the dev/test responder.
DB_SOCKET=$DB_SOCK
DB_USER=$DB_USER
DB_PASSWORD=$password
DB_NAME=$DB_NAME
BASE_URL=$BASE_URL
EOF
    chmod 600 "$tmp"
    if [ -f "$APP_ENV" ] && cmp -s "$tmp" "$APP_ENV"; then
        rm -f "$tmp"
        return 1
    fi
    mv "$tmp" "$APP_ENV"
    return 0
}

write_stack_env() {
    local password=$1 tmp
    tmp=$(mktemp "$RUN_DIR/.stack.env.XXXXXX")
    cat >"$tmp" <<EOF
# Generated by scripts/stack.sh after a successful start; source it to reach the stack.
export SEALDROP_TEST_BASE_URL=$BASE_URL
export SEALDROP_TEST_DB_SOCKET=$DB_SOCK
export SEALDROP_TEST_DB_USER=$DB_USER
export SEALDROP_TEST_DB_PASSWORD=$password
export SEALDROP_TEST_DB_NAME=$DB_NAME
export SEALDROP_TEST_RUN_DIR=$RUN_DIR
EOF
    chmod 600 "$tmp"
    mv "$tmp" "$STACK_ENV"
}

# ------------------------------------------------------------- responder

app_start() {
    local restart=$1
    check_socket_path "$APP_SOCK"
    if pid_alive "$APP_PID" "$APP_MARK"; then
        local running_exe
        running_exe=$(readlink "/proc/$(pid_of "$APP_PID")/exe" 2>/dev/null || echo "?")
        if ! $restart && [ ! "$SEALDROP_BIN" -nt "$APP_PID" ] \
                && [ "$running_exe" = "$(readlink -f "$SEALDROP_BIN")" ]; then
            say "responder already running (pid $(pid_of "$APP_PID"))"
            return 0
        fi
        say "binary or configuration changed; restarting the responder"
        app_stop
    fi
    rm -f "$APP_PID" "$APP_SOCK"
    say "starting responder on $APP_SOCK ($SEALDROP_THREADS threads)"
    launch "$APP_PID" "$SEALDROP_BIN" serve --listen "$APP_SOCK" --threads "$SEALDROP_THREADS" \
        --config "$APP_ENV" >>"$APP_LOG" 2>&1
    local deadline=$((SECONDS + STACK_TIMEOUT))
    until [ -S "$APP_SOCK" ]; do
        if [ -s "$APP_PID" ] && ! pid_alive "$APP_PID" "$APP_MARK"; then
            fail_with_logs "the responder exited during start-up" "$APP_LOG"
        fi
        [ $SECONDS -lt $deadline ] || fail_with_logs "the responder did not create $APP_SOCK within ${STACK_TIMEOUT}s" "$APP_LOG"
        sleep 0.1
    done
}

app_stop() {
    # SIGTERM: the responder stops accepting, finishes in-flight requests, exits 0.
    stop_pid "$APP_PID" "$APP_MARK" TERM "responder"
    rm -f "$APP_SOCK"
}

# ----------------------------------------------------------------- nginx

render_nginx_conf() {
    local user_line=""
    $IS_ROOT && user_line="user root;"
    # Comment lines are left alone so their mentions of the placeholders survive.
    sed -e "/^[[:space:]]*#/!{s|@RUN_DIR@|$RUN_DIR|g; s|@HTTP_PORT@|$HTTP_PORT|g; s|@USER_LINE@|$user_line|g;}" \
        "$NGINX_TEMPLATE"
}

nginx_cmd() {
    # -e: the error log used before the config is read (Debian's default is
    # /var/log/nginx/error.log, which a normal user cannot open).
    nginx -p "$RUN_DIR/nginx/" -e "$NGINX_LOG" -c "$NGINX_CONF" "$@"
}

nginx_start() {
    command -v nginx >/dev/null || die "nginx not found; run scripts/deps.sh (package nginx)"
    mkdir -p "$RUN_DIR/nginx"
    local tmp changed=false
    tmp=$(mktemp "$RUN_DIR/.nginx.conf.XXXXXX")
    render_nginx_conf >"$tmp"
    if [ -f "$NGINX_CONF" ] && cmp -s "$tmp" "$NGINX_CONF"; then
        rm -f "$tmp"
    else
        mv "$tmp" "$NGINX_CONF"
        changed=true
    fi
    nginx_cmd -t -q 2>>"$NGINX_LOG" || fail_with_logs "the generated $NGINX_CONF is invalid" "$NGINX_LOG"
    if pid_alive "$NGINX_PID" "$NGINX_MARK"; then
        if $changed; then
            say "nginx configuration changed; reloading"
            nginx_cmd -s reload
        else
            say "nginx already running (pid $(pid_of "$NGINX_PID"))"
        fi
        return 0
    fi
    rm -f "$NGINX_PID"
    say "starting nginx on $BASE_URL"
    # nginx daemonizes itself; it only needs its inherited descriptors closed.
    detached nginx -p "$RUN_DIR/nginx/" -e "$NGINX_LOG" -c "$NGINX_CONF" </dev/null \
        || fail_with_logs "nginx failed to start" "$NGINX_LOG"
}

nginx_stop() {
    # QUIT: graceful, finishes open requests.
    stop_pid "$NGINX_PID" "$NGINX_MARK" QUIT "nginx"
}

# ---------------------------------------------------------------- health

wait_health() {
    local deadline=$((SECONDS + STACK_TIMEOUT)) code=000
    while :; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE_URL/health" 2>/dev/null) || true
        [ "$code" = 200 ] && return 0
        if ! pid_alive "$APP_PID" "$APP_MARK"; then
            fail_with_logs "the responder is not running (last /health status $code)" "$APP_LOG" "$NGINX_LOG"
        fi
        [ $SECONDS -lt $deadline ] || fail_with_logs \
            "$BASE_URL/health did not answer 200 within ${STACK_TIMEOUT}s (last status $code)" \
            "$APP_LOG" "$NGINX_LOG" "$DB_LOG"
        sleep 0.2
    done
}

# -------------------------------------------------------------- commands

cmd_start() {
    [ -n "$SEALDROP_BIN" ] || die "SEALDROP_BIN is not set (path of the built sealdrop executable)"
    [ -x "$SEALDROP_BIN" ] || die "SEALDROP_BIN is not an executable file: $SEALDROP_BIN"
    case $SEALDROP_BIN in /*) ;; *) SEALDROP_BIN="$PWD/$SEALDROP_BIN" ;; esac
    command -v curl >/dev/null || die "curl not found; run scripts/deps.sh"
    # Configs and the password file are private to the user running the stack.
    umask 077
    db_start
    local password config_changed=false
    password=$(existing_password)
    [ -n "$password" ] || password=$(new_password)
    write_app_env "$password" && config_changed=true
    db_provision "$password"
    say "applying the schema"
    "$SEALDROP_BIN" migrate --config "$APP_ENV" >>"$APP_LOG" 2>&1 \
        || fail_with_logs "'sealdrop migrate' failed" "$APP_LOG"
    app_start "$config_changed"
    nginx_start
    wait_health
    write_stack_env "$password"
    say "ready: $BASE_URL (run dir $RUN_DIR)"
}

cmd_stop() {
    [ -d "$RUN_DIR" ] || { say "nothing to stop in $RUN_DIR"; return 0; }
    # Front first, so nothing new arrives while the responder drains.
    nginx_stop
    app_stop
    db_stop
    rm -f "$STACK_ENV"
}

cmd_status() {
    local all=true line
    local what file mark
    for line in "MariaDB|$DB_PID|$DB_MARK" "responder|$APP_PID|$APP_MARK" "nginx|$NGINX_PID|$NGINX_MARK"; do
        IFS='|' read -r what file mark <<<"$line"
        if pid_alive "$file" "$mark"; then
            echo "$what: running (pid $(pid_of "$file"))"
        else
            echo "$what: stopped"
            all=false
        fi
    done
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE_URL/health" 2>/dev/null) || true
    echo "health: $BASE_URL/health -> ${code:-000}"
    $all
}

case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    db-start) umask 077; db_start ;;
    db-stop) db_stop ;;
    *) echo "usage: $0 start|stop|status|db-start|db-stop" >&2; exit 2 ;;
esac
