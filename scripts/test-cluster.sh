#!/usr/bin/env bash
# The test run behind `make test-cluster` (which builds first): starts the Galera
# cluster stack (scripts/cluster.sh: three nodes, their responders, nginx), runs the
# ClusterTests suite and the Python seed flow through it, always stops it, prints a
# summary and exits non-zero if anything failed.
#
# Environment: SCRATCH (SwiftPM scratch path, default .build), CLUSTER_DIR
# (<repo>/.run/cluster), CLUSTER_PORT_BASE (18900), SWIFT_TEST_TIMEOUT (seconds for
# `swift test`, 900).
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1
# shellcheck source=scripts/test/swift-test.sh
. "$REPO/scripts/test/swift-test.sh"

SCRATCH=${SCRATCH:-.build}
SWIFT_TEST_TIMEOUT=${SWIFT_TEST_TIMEOUT:-900}
export CLUSTER_DIR=${CLUSTER_DIR:-$REPO/.run/cluster}
export CLUSTER_PORT_BASE=${CLUSTER_PORT_BASE:-18900}
use_built_sealdrop test-cluster "make test-cluster" || exit 1

stop_at_exit test-cluster scripts/cluster.sh stop

started=$SECONDS
scripts/cluster.sh start || { echo "test-cluster: the cluster did not start" >&2; exit 1; }
# shellcheck source=/dev/null
source "$CLUSTER_DIR/cluster.env"
start_seconds=$((SECONDS - started))

echo "test-cluster: swift test --filter ClusterTests (cluster $SEALDROP_CLUSTER_URL)"
swift_log=$CLUSTER_DIR/swift-test.log
run_swift_tests "$swift_log" "$SWIFT_TEST_TIMEOUT" --filter ClusterTests

echo "test-cluster: Python seed flow, round-robin over the three nodes"
/usr/bin/python3 Tests/python/seed_flow.py "$SEALDROP_CLUSTER_URL"
python_status=$?

echo
echo "============= cluster test summary ============="
# What the tests measured (failover delay, conflicts retried), then the verdicts.
grep -aE '^measured: ' "$swift_log" | cut -c1-320
swift_summary "$swift_log"
# A filter that matched nothing would pass without testing anything.
if [ "$swift_status" -eq 0 ] && ! grep -aqE 'Test run with [1-9][0-9]* tests? (in [0-9]+ suites? )?passed' "$swift_log"; then
    echo "test-cluster: no cluster test ran" | tee -a "$swift_log"
    swift_status=1
fi
[ "$swift_status" -eq 0 ] && echo "cluster swift test: passed" || echo "cluster swift test: FAILED (exit $swift_status; full log $swift_log)"
[ "$python_status" -eq 0 ] && echo "cluster seed flow (Python): passed" || echo "cluster seed flow (Python): FAILED (exit $python_status)"
echo "cluster start ${start_seconds} s; make test-cluster run time $((SECONDS - started)) s (after the build)"
echo "================================================"

[ "$swift_status" -eq 0 ] && [ "$python_status" -eq 0 ]
