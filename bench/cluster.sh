# shellcheck shell=bash
# `bench/run.sh cluster` (make bench-cluster): one MariaDB server against a 3-node
# Galera cluster (issue 14), same machine, same run: throughput and p99 of POST /send,
# bearer POST /fetch and challenge + signed fetch through nginx, the sides' runs
# interleaved, and what wsrep_sync_wait costs a read (bench/driver/cluster.py). Writes
# bench/results/cluster.{md,json}. On demand, not part of CI.
#
#   one       scripts/stack.sh (RUN_DIR .run/bench-one, port B+50): plain MariaDB, the
#             responder as 3 processes x 2 threads behind one nginx socket
#   cluster   scripts/cluster.sh (CLUSTER_DIR .run/bench-cluster, ports from B): three
#             Galera nodes, a responder of 1 process x 2 threads on each, nginx
#             round-robin over them
#   variant   with BENCH_VARIANT_BIN set: another sealdrop (e.g. one built without the
#             wsrep_sync_wait line, to see what the wait costs whole requests) on the
#             same three nodes, as responders 4-6 of scripts/cluster.sh (port B+4)
# Each side: 6 worker threads in all, flood limits out of reach, the same nginx
# template, the same wrk scripts and fixtures (bench/lua, bench/driver/fixtures.py).
#
# Environment: CLUSTER_PORT_BASE (B, 18900), BENCH_VARIANT_BIN, BENCH_SIDES (one,cluster,
# and variant when BENCH_VARIANT_BIN is set); BENCH_DURATION, BENCH_RUNS and
# BENCH_CONNECTIONS as for bench/run.sh.
# Sourced by bench/run.sh, which sets REPO and has built SEALDROP_BIN.

export CLUSTER_PORT_BASE=${CLUSTER_PORT_BASE:-18900}
# Limits are out of reach on every side here: few send links and one client address
# (no X-Forwarded-For) measure what they did before issue 13's limits-on bench.
export BENCH_SEND_LINKS=${BENCH_SEND_LINKS:-256} BENCH_XFF=${BENCH_XFF:-0}
# No limits-off side of bench/run.sh here: fixtures go through each side's own port.
export BENCH_OFF_PORT=0
export CLUSTER_DIR=$REPO/.run/bench-cluster
export BENCH_ONE_DIR=$REPO/.run/bench-one
export BENCH_ONE_PORT=$((CLUSTER_PORT_BASE + 50))
export BENCH_CLUSTER_DATA=$CLUSTER_DIR/bench
export BENCH_SIDES=${BENCH_SIDES:-one,cluster${BENCH_VARIANT_BIN:+,variant}}

one_node() {
    RUN_DIR=$BENCH_ONE_DIR HTTP_PORT=$BENCH_ONE_PORT SEALDROP_PROCESSES=3 SEALDROP_THREADS=2 \
        "$REPO/scripts/stack.sh" "$@"
}

sides_down() {
    "$REPO/scripts/cluster.sh" stop >/dev/null || true
    one_node stop >/dev/null || true
}

sides_up() {
    # Flood limits off or out of reach, as in `up`, on both sides; the environment
    # wins over the responders' config files.
    export SEALDROP_LINK_SENDS_PER_MINUTE=0 SEALDROP_ADDRESS_REQUESTS_PER_MINUTE=0 \
        SEALDROP_ADDRESS_REGISTRATIONS_PER_HOUR=0 SEALDROP_ADDRESS_PERMISSION_REQUESTS_PER_DAY=0 \
        SEALDROP_MAILBOX_MAX_MESSAGES=10000000 \
        SEALDROP_MAILBOX_MAX_BYTES=1099511627776
    one_node stop >/dev/null
    one_node start
    CLUSTER_SECOND_BIN=${BENCH_VARIANT_BIN:-} SEALDROP_PROCESSES=1 SEALDROP_THREADS=2 "$REPO/scripts/cluster.sh" start
    # The driver administers each side's database through a my.cnf in its run directory.
    mkdir -p "$BENCH_CLUSTER_DATA"
    ln -sfn "$(readlink -f "$CLUSTER_DIR/nodes")/node1/my.cnf" "$BENCH_CLUSTER_DATA/my.cnf"
}
