# SealDrop on a MariaDB Galera cluster (issue 14): three nodes on loopback, a
# responder on each, nginx in front (scripts/cluster.sh). Included by the Makefile.
#
#   make test-cluster    build with tests, start the cluster, run the ClusterTests suite
#                        and the Python seed flow through it, stop it (scripts/test-cluster.sh)
#   make cluster         start the cluster and leave it running; `make cluster-stop` stops it
#   make bench-cluster   throughput and p99 of /send, bearer /fetch and challenge fetch on
#                        one node vs the cluster, same machine, same run (bench/run.sh
#                        cluster, see bench/cluster.sh); on demand, not part of CI
#
# Variables: CLUSTER_PORT_BASE (18900; the cluster uses it up to +44), CLUSTER_DIR
# (.run/cluster).

CLUSTER_PORT_BASE ?= 18900
CLUSTER_DIR ?= $(CURDIR)/.run/cluster

.PHONY: test-cluster cluster cluster-stop bench-cluster

test-cluster: deps check-swift
	swift build --build-tests $(SWIFT_FLAGS)
	SCRATCH=$(SCRATCH) CLUSTER_PORT_BASE=$(CLUSTER_PORT_BASE) CLUSTER_DIR=$(CLUSTER_DIR) scripts/test-cluster.sh

cluster: deps build
	CLUSTER_PORT_BASE=$(CLUSTER_PORT_BASE) CLUSTER_DIR=$(CLUSTER_DIR) SEALDROP_BIN="$(BIN)" scripts/cluster.sh start

cluster-stop:
	CLUSTER_PORT_BASE=$(CLUSTER_PORT_BASE) CLUSTER_DIR=$(CLUSTER_DIR) scripts/cluster.sh stop

bench-cluster:
	CLUSTER_PORT_BASE=$(CLUSTER_PORT_BASE) bench/run.sh cluster
