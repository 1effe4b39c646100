# SealDrop: build, run the private dev stack, test.
#
#   make run     install what is missing, build, start MariaDB + responder + nginx
#                on http://127.0.0.1:$(HTTP_PORT) (data under .run/); harmless twice
#   make stop    stop that stack
#   make test    install what is missing, build with tests, run `swift test` and the
#                Python seed flow against a separate test stack (.run/test), stop it
#   make build   compile (warnings are errors)
#   make clean   stop the stacks under .run/, remove them and the build output
#
# Variables: HTTP_PORT (8080), TEST_HTTP_PORT (18080), TEST_RUN_DIR (.run/test),
# SCRATCH (SwiftPM scratch path, .build), SEALDROP_THREADS (4).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

# The Swift toolchain lives in /opt/swift on the machines this is made for.
ifeq ($(shell command -v swift 2>/dev/null),)
export PATH := /opt/swift/usr/bin:$(PATH)
endif

SCRATCH ?= .build
HTTP_PORT ?= 8080
TEST_HTTP_PORT ?= 18080
TEST_RUN_DIR ?= $(CURDIR)/.run/test
RUN_DIR := $(CURDIR)/.run

SWIFT_FLAGS := --scratch-path $(SCRATCH) -Xswiftc -warnings-as-errors
# Absolute path of the built executable (asks SwiftPM, so it follows SCRATCH and the triple).
BIN = $$(swift build $(SWIFT_FLAGS) --show-bin-path)/sealdrop

.PHONY: build run stop test clean deps check-swift

deps:
	@scripts/deps.sh

check-swift:
	@command -v swift >/dev/null || { echo "make: swift is neither on PATH nor in /opt/swift/usr/bin; install the Swift 6 toolchain first." >&2; exit 1; }

build: check-swift
	swift build $(SWIFT_FLAGS)

run: deps build
	RUN_DIR=$(RUN_DIR) HTTP_PORT=$(HTTP_PORT) SEALDROP_BIN="$(BIN)" scripts/stack.sh start

stop:
	RUN_DIR=$(RUN_DIR) HTTP_PORT=$(HTTP_PORT) scripts/stack.sh stop

test: deps check-swift
	swift build --build-tests $(SWIFT_FLAGS)
	SCRATCH=$(SCRATCH) TEST_HTTP_PORT=$(TEST_HTTP_PORT) TEST_RUN_DIR=$(TEST_RUN_DIR) scripts/test.sh

# Stops every stack under .run/ (dev, test, leftovers of interrupted test runs)
# before deleting their data.
clean:
	-for dir in $(RUN_DIR) $(RUN_DIR)/*/ $(TEST_RUN_DIR); do \
	    if [ -f "$$dir/my.cnf" ]; then RUN_DIR="$$dir" scripts/stack.sh stop; fi; \
	done
	rm -rf $(SCRATCH) $(RUN_DIR)

# Further targets, one file per concern: deployment (portable binary, deploy
# tests), the benchmark, and the quality gates (schemathesis, fuzzing, sanitizers).
-include mk/*.mk
