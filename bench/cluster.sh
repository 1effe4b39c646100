#!/usr/bin/env bash
# One MariaDB server against a 3-node Galera cluster (issue 14), same machine, same
# run: throughput and p99 of POST /send, bearer POST /fetch and challenge + signed
# fetch through nginx, the two sides' runs interleaved, and what wsrep_sync_wait
# costs a read. Writes bench/results/cluster.{md,json}; stops what it started.
# On demand (`make bench-cluster`), not part of CI.
#
#   one node  scripts/stack.sh (RUN_DIR .run/bench-one, port B+50): plain MariaDB, the
#             responder as 3 processes x 2 threads behind one nginx socket
#   cluster   scripts/cluster.sh (CLUSTER_DIR .run/bench-cluster, ports from B): three
#             Galera nodes, a responder of 1 process x 2 threads on each, nginx
#             round-robin over them
# Both: 6 worker threads in all, flood limits out of reach, the same nginx template,
# the same wrk scripts and fixtures (bench/lua, bench/driver/fixtures.py).
#
#   variant   with BENCH_VARIANT_BIN set: another sealdrop (e.g. one built without the
#             wsrep_sync_wait line, to see what the wait costs whole requests) on the
#             same three nodes, as responders 4-6 of scripts/cluster.sh (port B+4)
#
# Environment: CLUSTER_PORT_BASE (B, 18900), BENCH_DURATION (10 s per run), BENCH_RUNS
# (3 per side, median reported), BENCH_CONNECTIONS (64), SCRATCH (.build-bench),
# BENCH_VARIANT_BIN, BENCH_SIDES (one,cluster, and variant when BENCH_VARIANT_BIN is set).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
command -v swift >/dev/null 2>&1 || PATH="/opt/swift/usr/bin:$PATH"
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

SCRATCH=${SCRATCH:-.build-bench}
export CLUSTER_PORT_BASE=${CLUSTER_PORT_BASE:-18900}
export CLUSTER_DIR=$REPO/.run/bench-cluster
export BENCH_ONE_DIR=$REPO/.run/bench-one
export BENCH_ONE_PORT=$((CLUSTER_PORT_BASE + 50))
export BENCH_CLUSTER_DATA=$CLUSTER_DIR/bench
export BENCH_SIDES=${BENCH_SIDES:-one,cluster${BENCH_VARIANT_BIN:+,variant}}
export BENCH_RESULTS_DIR=${BENCH_RESULTS_DIR:-$REPO/bench/results}

say() { echo "bench-cluster: $*"; }

one() {
    RUN_DIR=$BENCH_ONE_DIR HTTP_PORT=$BENCH_ONE_PORT SEALDROP_PROCESSES=3 SEALDROP_THREADS=2 \
        SEALDROP_BIN=${SEALDROP_BIN:-} scripts/stack.sh "$@"
}

down() {
    scripts/cluster.sh stop >/dev/null || true
    one stop >/dev/null || true
}

scripts/apt-install.sh "bench-cluster deps" wrk python3 python3-nacl curl
scripts/deps.sh
say "building SealDrop (release, scratch path $SCRATCH)"
swift build -c release --scratch-path "$SCRATCH" --product sealdrop -Xswiftc -warnings-as-errors
SEALDROP_BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/sealdrop
export SEALDROP_BIN

trap down EXIT
# Flood limits off or out of reach, on both sides: one address hammering a few links
# is the point here. The environment wins over the responders' config files.
export SEALDROP_LINK_SENDS_PER_MINUTE=0 SEALDROP_ADDRESS_REQUESTS_PER_MINUTE=0 \
    SEALDROP_ADDRESS_REGISTRATIONS_PER_HOUR=0 SEALDROP_MAILBOX_MAX_MESSAGES=10000000 \
    SEALDROP_MAILBOX_MAX_BYTES=1099511627776 SEALDROP_MAX_OUTSTANDING_CHALLENGES=100
one stop >/dev/null
one start
CLUSTER_SECOND_BIN=${BENCH_VARIANT_BIN:-} SEALDROP_PROCESSES=1 SEALDROP_THREADS=2 scripts/cluster.sh start
# The driver administers each side's database through a my.cnf in its run directory.
mkdir -p "$BENCH_CLUSTER_DATA"
ln -sfn "$(readlink -f "$CLUSTER_DIR/nodes")/node1/my.cnf" "$BENCH_CLUSTER_DATA/my.cnf"

/usr/bin/python3 bench/driver/cluster.py
