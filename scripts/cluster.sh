#!/usr/bin/env bash
# SealDrop on a MariaDB Galera cluster (issue 14), all on loopback: three nodes,
# responders each connected to a different node, and nginx spreading requests over
# them. What `make test-cluster` tests on and `make bench-cluster` measures.
# Everything lives under $CLUSTER_DIR; nothing system-wide is configured.
#
#   scripts/cluster.sh start          fresh nodes (the first bootstraps the cluster, the
#                                     others join it by state transfer, one at a time),
#                                     the schema, the responders, nginx; then writes
#                                     $CLUSTER_DIR/cluster.env for the tests
#   scripts/cluster.sh stop           everything; the nodes' data goes, their logs stay
#   scripts/cluster.sh status
#   scripts/cluster.sh node-kill N    kill -9 of node N (1-3)
#   scripts/cluster.sh node-start N   starts node N again: it rejoins (incremental state
#                                     transfer when the others still hold what it
#                                     missed) and this returns once it is Synced
#   scripts/cluster.sh sql N SQL      runs SQL on node N as the administrator
#
# Ports, all on 127.0.0.1, from CLUSTER_PORT_BASE (B):
#   B        nginx, round-robin over responders 1-3: send rate and address limits off
#            (as `make test` has them), mailboxes of 150 unseen messages
#   B+1..3   nginx, responder 1, 2 or 3 alone
#   B+4      nginx, round-robin over responders 4-6, which limit sends to 20 a minute
#            per link (a test checks that the limit holds across nodes)
#   B+10+N   node N's clients   B+20+N its group communication (gmcast.listen_addr)
#   B+30+N   its IST receiver   B+40+N its SST (rsync) receiver
# Responders N and N+3 are on node N: their DB_HOSTS name node N first, by its unix
# socket (as on a database host), then the other two over TCP, to fail over to.
#
# Environment: CLUSTER_DIR (<repo>/.run/cluster), CLUSTER_PORT_BASE (18900),
# SEALDROP_BIN (for start), CLUSTER_SECOND_BIN (what responders 4-6 run instead, so
# the bench can set a variant beside it on the same nodes), SEALDROP_PROCESSES (1) and
# SEALDROP_THREADS (4) of each of responders 1-3 (4-6 run 1 x 2), STACK_TIMEOUT
# (120 s for each piece to be ready).
#
# Run by root, the nodes run as the `mysql` user with their directories owned by it:
# as root, rsync state transfer failed with "Permission denied" on ibdata1 (rsync's
# daemon drops privileges). Their directories must then be reachable by `mysql`; when
# $CLUSTER_DIR is not (a checkout under /root), they go under /tmp instead.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

CLUSTER_DIR=${CLUSTER_DIR:-$REPO/.run/cluster}
CLUSTER_PORT_BASE=${CLUSTER_PORT_BASE:-18900}
SEALDROP_BIN=${SEALDROP_BIN:-}
SEALDROP_PROCESSES=${SEALDROP_PROCESSES:-1}
SEALDROP_THREADS=${SEALDROP_THREADS:-4}
STACK_TIMEOUT=${STACK_TIMEOUT:-120}
DB_NAME=sealdrop
DB_USER=sealdrop
NODES=(1 2 3)

say() { echo "cluster: $*"; }
die() { echo "cluster: $*" >&2; exit 1; }

CLUSTER_DIR=$(realpath -ms -- "$CLUSTER_DIR")
case $CLUSTER_DIR in *[[:space:]\'\"\;\#\$\\,]*) die "CLUSTER_DIR must not contain spaces, commas, quotes or shell/config metacharacters: $CLUSTER_DIR" ;; esac
[[ $CLUSTER_PORT_BASE =~ ^[0-9]{4,5}$ ]] && [ "$CLUSTER_PORT_BASE" -le 65480 ] \
    || die "CLUSTER_PORT_BASE must be a port number up to 65480, not '$CLUSTER_PORT_BASE'"

IS_ROOT=false
[ "$(id -u)" -eq 0 ] && IS_ROOT=true
ADMIN_USER=$(id -un)
CLUSTER_ENV=$CLUSTER_DIR/cluster.env
# Where the nodes' directories are: $CLUSTER_DIR/nodes, or a link to where they went.
NODES_LINK=$CLUSTER_DIR/nodes

# shellcheck source=scripts/stack/process.sh
. "$REPO/scripts/stack/process.sh"
# shellcheck source=scripts/stack/responder.sh
. "$REPO/scripts/stack/responder.sh"
# shellcheck source=scripts/stack/nginx.sh
. "$REPO/scripts/stack/nginx.sh"
# shellcheck source=scripts/cluster/galera.sh
. "$REPO/scripts/cluster/galera.sh"

# ------------------------------------------------------------ responders

RESPONDERS=(1 2 3 4 5 6)

# use_responder N: points responder.sh's variables at responder N (1-6).
use_responder() {
    APP_DIR=$CLUSTER_DIR/r$1
    APP_ENV=$APP_DIR/sealdrop.env
    APP_SOCK=$APP_DIR/sealdrop.sock
    APP_PID=$APP_DIR/sealdrop.pid
    APP_LOG=$APP_DIR/sealdrop.log
    APP_MARK=$APP_SOCK
}

# responder_hosts N: DB_HOSTS of responder N: its own node first, the others after.
responder_hosts() {
    local own=$(( ($1 - 1) % 3 + 1 )) hosts node
    use_node "$own"
    hosts=$NODE_SOCK
    for node in "${NODES[@]}"; do
        [ "$node" -eq "$own" ] || hosts+=",127.0.0.1:$(node_port "$node")"
    done
    echo "$hosts"
}

write_responder_env() { # N PASSWORD
    local limits
    if [ "$1" -le 3 ]; then
        limits="SEALDROP_LINK_SENDS_PER_MINUTE=0
SEALDROP_MAILBOX_MAX_MESSAGES=150"
    else
        limits="SEALDROP_LINK_SENDS_PER_MINUTE=20"
    fi
    use_responder "$1"
    mkdir -p "$APP_DIR"
    cat >"$APP_ENV" <<EOF
# Generated by scripts/cluster.sh: responder $1 of the cluster stack.
DB_HOSTS=$(responder_hosts "$1")
DB_USER=$DB_USER
DB_PASSWORD=$2
DB_NAME=$DB_NAME
BASE_URL=http://127.0.0.1:$CLUSTER_PORT_BASE
# Every request of the tests comes from 127.0.0.1: no address limits.
SEALDROP_ADDRESS_REGISTRATIONS_PER_HOUR=0
SEALDROP_ADDRESS_REQUESTS_PER_MINUTE=0
SEALDROP_ADDRESS_PERMISSION_REQUESTS_PER_DAY=0
$limits
EOF
    chmod 600 "$APP_ENV"
}

responders_start() {
    local n
    for n in "${RESPONDERS[@]}"; do
        use_responder "$n"
        if [ "$n" -le 3 ]; then
            SEALDROP_PROCESSES=$RESPONDER_PROCESSES SEALDROP_THREADS=$RESPONDER_THREADS app_start true
        else
            SEALDROP_BIN=${CLUSTER_SECOND_BIN:-$SEALDROP_BIN} SEALDROP_PROCESSES=1 SEALDROP_THREADS=2 app_start true
        fi
    done
}

responders_stop() {
    local n
    for n in "${RESPONDERS[@]}"; do
        use_responder "$n"
        app_stop
    done
}

# ----------------------------------------------------------------- nginx

RUN_DIR=$CLUSTER_DIR
NGINX_CONF=$CLUSTER_DIR/nginx.conf
NGINX_PID=$CLUSTER_DIR/nginx.pid
NGINX_LOG=$CLUSTER_DIR/nginx-error.log
NGINX_MARK=$NGINX_CONF
BASE_URL=http://127.0.0.1:$CLUSTER_PORT_BASE
FRONT_PORTS=("$CLUSTER_PORT_BASE" $((CLUSTER_PORT_BASE + 1)) $((CLUSTER_PORT_BASE + 2)) $((CLUSTER_PORT_BASE + 3)) $((CLUSTER_PORT_BASE + 4)))

# Replaces stack.sh's renderer: the same template, its server block once per front.
render_nginx_conf() {
    local s=("" "$CLUSTER_DIR/r1/sealdrop.sock" "$CLUSTER_DIR/r2/sealdrop.sock" "$CLUSTER_DIR/r3/sealdrop.sock"
             "$CLUSTER_DIR/r4/sealdrop.sock" "$CLUSTER_DIR/r5/sealdrop.sock" "$CLUSTER_DIR/r6/sealdrop.sock")
    /usr/bin/python3 "$REPO/scripts/nginx_conf.py" "$REPO/deploy/nginx/dev.conf.in" "$CLUSTER_DIR" \
        "${FRONT_PORTS[0]}:${s[1]},${s[2]},${s[3]}" "${FRONT_PORTS[1]}:${s[1]}" "${FRONT_PORTS[2]}:${s[2]}" \
        "${FRONT_PORTS[3]}:${s[3]}" "${FRONT_PORTS[4]}:${s[4]},${s[5]},${s[6]}"
}

fronts_wait() {
    local port code deadline=$((SECONDS + STACK_TIMEOUT))
    for port in "${FRONT_PORTS[@]}"; do
        until code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/health" 2>/dev/null) \
                && [ "$code" = 200 ]; do
            [ $SECONDS -lt $deadline ] || fail_with_logs "http://127.0.0.1:$port/health did not answer 200 (last ${code:-000})" \
                "$NGINX_LOG" "$CLUSTER_DIR"/r*/sealdrop.log
            sleep 0.2
        done
    done
}

# ------------------------------------------------------------- commands

write_cluster_env() { # PASSWORD
    local urls="" sockets="" node
    for node in "${NODES[@]}"; do
        use_node "$node"
        urls+="${urls:+,}http://127.0.0.1:$((CLUSTER_PORT_BASE + node))"
        sockets+="${sockets:+,}$NODE_SOCK"
    done
    cat >"$CLUSTER_ENV" <<EOF
# Generated by scripts/cluster.sh after a successful start; source it to reach the cluster.
export SEALDROP_CLUSTER_URL=http://127.0.0.1:$CLUSTER_PORT_BASE
export SEALDROP_CLUSTER_RESPONDER_URLS=$urls
export SEALDROP_CLUSTER_RATE_LIMITED_URL=http://127.0.0.1:$((CLUSTER_PORT_BASE + 4))
export SEALDROP_CLUSTER_DB_SOCKETS=$sockets
export SEALDROP_CLUSTER_DB_USER=$DB_USER
export SEALDROP_CLUSTER_DB_PASSWORD=$1
export SEALDROP_CLUSTER_DB_NAME=$DB_NAME
export SEALDROP_CLUSTER_SCRIPT=$REPO/scripts/cluster.sh
export CLUSTER_DIR=$CLUSTER_DIR
export CLUSTER_PORT_BASE=$CLUSTER_PORT_BASE
EOF
    chmod 600 "$CLUSTER_ENV"
}

cmd_start() {
    require_binary
    command -v curl >/dev/null || die "curl not found; run scripts/deps.sh"
    [ -e /usr/lib/galera/libgalera_smm.so ] || die "/usr/lib/galera/libgalera_smm.so not found; install galera-4 (scripts/deps.sh)"
    # A fresh cluster every time: what an earlier run left is stopped and wiped.
    cmd_stop >/dev/null
    mkdir -p "$CLUSTER_DIR"
    chmod 700 "$CLUSTER_DIR"
    nodes_prepare
    local started=$SECONDS password node
    password=$(new_password)
    node_bootstrap 1
    node_provision 1 "$password"
    for node in 2 3; do node_join "$node"; done
    say "all nodes Synced in $((SECONDS - started)) s; cluster size $(node_status 1 wsrep_cluster_size)"
    local n
    for n in "${RESPONDERS[@]}"; do write_responder_env "$n" "$password"; done
    say "applying the schema through node 1"
    use_responder 1
    "$SEALDROP_BIN" migrate --config "$APP_ENV" >>"$CLUSTER_DIR/migrate.log" 2>&1 \
        || fail_with_logs "'sealdrop migrate' failed" "$CLUSTER_DIR/migrate.log"
    responders_start
    nginx_start
    fronts_wait
    write_cluster_env "$password"
    say "ready: $BASE_URL (round-robin), ${FRONT_PORTS[1]}-${FRONT_PORTS[3]} (one responder each), ${FRONT_PORTS[4]} (send rate limited)"
}

cmd_stop() {
    [ -d "$CLUSTER_DIR" ] || { say "nothing to stop in $CLUSTER_DIR"; return 0; }
    rm -f "$CLUSTER_ENV"
    nginx_stop
    responders_stop
    nodes_stop
}

cmd_status() {
    local all=true node n code
    for node in "${NODES[@]}"; do
        use_node "$node"
        if pid_alive "$NODE_PID" "$NODE_MARK"; then
            echo "node $node: running (pid $(pid_of "$NODE_PID")), $(node_status "$node" wsrep_local_state_comment || echo '?')"
        else
            echo "node $node: stopped"
            all=false
        fi
    done
    for n in "${RESPONDERS[@]}"; do
        use_responder "$n"
        if pid_alive "$APP_PID" "$APP_MARK"; then echo "responder $n: running"; else echo "responder $n: stopped"; all=false; fi
    done
    for n in "${FRONT_PORTS[@]}"; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$n/health" 2>/dev/null) || true
        echo "health: http://127.0.0.1:$n/health -> ${code:-000}"
    done
    $all
}

node_number() {
    [[ ${1:-} =~ ^[1-3]$ ]] || die "a node number (1, 2 or 3) is needed, not '${1:-}'"
    echo "$1"
}

RESPONDER_PROCESSES=$SEALDROP_PROCESSES
RESPONDER_THREADS=$SEALDROP_THREADS
# Configs, logs and the password are private to the user running the cluster.
umask 077
case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    node-kill) node_kill "$(node_number "${2:-}")" ;;
    node-start) node_restart "$(node_number "${2:-}")" ;;
    sql) node_sql "$(node_number "${2:-}")" "${3:?SQL to run}" ;;
    *) echo "usage: $0 start|stop|status|node-kill N|node-start N|sql N SQL" >&2; exit 2 ;;
esac
