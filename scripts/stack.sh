#!/usr/bin/env bash
# The private SealDrop dev/test stack: MariaDB (unix socket only), the sealdrop
# FastCGI responder, and nginx on 127.0.0.1. Everything lives under $RUN_DIR; nothing
# system-wide is configured (no /etc changes, no systemctl).
#
#   scripts/stack.sh start|stop|status|db-start|db-stop|responder-start|responder-stop
#
# db-* and responder-* act on that piece alone (tests of a database outage, of a
# responder started while the database is down); responder-start needs a stack that
# was started once (its config file) and does not wait for the database.
#
# Environment:
#   RUN_DIR           where data, sockets, pids, logs and configs live (default <repo>/.run)
#   HTTP_PORT         nginx port on 127.0.0.1 (default 8080)
#   SEALDROP_BIN      the built sealdrop executable (needed by `start`, `responder-start`)
#   SEALDROP_PROCESSES responder worker processes under its supervisor (default 2)
#   SEALDROP_THREADS  worker threads in each of them (default 2): 2 × 2 keeps both
#                     cores of a small machine busy while one worker's crash costs
#                     only what it had in flight
#   STACK_TIMEOUT     seconds to wait for each piece to become ready (default 60)
#   DB_EXTRA_CNF      more lines for MariaDB's [mysqld] section (a test of a server
#                     with a statement-based binary log sets log-bin and binlog_format)
# SealDrop settings in the environment (e.g. SEALDROP_LINK_SENDS_PER_MINUTE=0) reach
# the responder, where the environment wins over its config file.
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
SEALDROP_PROCESSES=${SEALDROP_PROCESSES:-2}
SEALDROP_THREADS=${SEALDROP_THREADS:-2}
STACK_TIMEOUT=${STACK_TIMEOUT:-60}
DB_NAME=sealdrop
DB_USER=sealdrop

say() { echo "stack: $*"; }
die() { echo "stack: $*" >&2; exit 1; }

# One spelling of RUN_DIR (absolute, no trailing or double slashes): paths written
# into configs must stay valid from any cwd, and processes are recognised by them.
RUN_DIR=$(realpath -ms -- "$RUN_DIR")
case $RUN_DIR in *[[:space:]\'\"\;\#\$\\]*) die "RUN_DIR must not contain spaces, quotes or shell/config metacharacters: $RUN_DIR" ;; esac
if ! [[ $HTTP_PORT =~ ^[0-9]{1,5}$ ]] || [ "$HTTP_PORT" -lt 1 ] || [ "$HTTP_PORT" -gt 65535 ]; then
    die "HTTP_PORT must be a port number, not '$HTTP_PORT'"
fi
[[ $SEALDROP_THREADS =~ ^[1-9][0-9]*$ ]] || die "SEALDROP_THREADS must be a positive number, not '$SEALDROP_THREADS'"
[[ $SEALDROP_PROCESSES =~ ^[1-9][0-9]*$ ]] || die "SEALDROP_PROCESSES must be a positive number, not '$SEALDROP_PROCESSES'"

MY_CNF=$RUN_DIR/my.cnf
DATA_DIR=$RUN_DIR/mariadb
DB_SOCK=$RUN_DIR/mysqld.sock
DB_PID=$RUN_DIR/mysqld.pid
DB_LOG=$RUN_DIR/mysqld.log
DB_TMP=$RUN_DIR/mysqld-tmp
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

# shellcheck source=scripts/stack/process.sh
. "$REPO/scripts/stack/process.sh"
# shellcheck source=scripts/stack/mariadb.sh
. "$REPO/scripts/stack/mariadb.sh"
# shellcheck source=scripts/stack/responder.sh
. "$REPO/scripts/stack/responder.sh"
# shellcheck source=scripts/stack/nginx.sh
. "$REPO/scripts/stack/nginx.sh"

cmd_start() {
    require_binary
    command -v curl >/dev/null || die "curl not found; run scripts/deps.sh"
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

cmd_responder_start() {
    require_binary
    [ -f "$APP_ENV" ] || die "$APP_ENV does not exist; run '$0 start' once first"
    app_start false
    say "responder running (pid $(pid_of "$APP_PID"))"
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

# Configs, logs and the password file are private to the user running the stack.
umask 077
case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    db-start) db_start ;;
    db-stop) db_stop ;;
    responder-start) cmd_responder_start ;;
    responder-stop) app_stop ;;
    *) echo "usage: $0 start|stop|status|db-start|db-stop|responder-start|responder-stop" >&2; exit 2 ;;
esac
