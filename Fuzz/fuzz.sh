#!/usr/bin/env bash
# libFuzzer for SealDrop's request path, built outside SwiftPM (no Package.swift
# change): the library modules are compiled with coverage and AddressSanitizer,
# then linked with Fuzz/FuzzEntry.swift, the harness in
# Tests/SealDropTests/FuzzRegressionTests.swift and the in-memory store.
#
#   Fuzz/fuzz.sh build                    build .build-fuzz/sealdrop-fuzz
#   Fuzz/fuzz.sh run SECONDS [TARGET]     build, then fuzz TARGET for SECONDS on one core
#
# Targets: `requests` (default): whole FastCGI requests, parameters and body, through
# the request path (FuzzHarness); `fields`: a route, a proof and fields whose values
# the fuzzer makes, in a well-formed body, so that nearly every input reaches the
# endpoints' field conversions past the link lookup and the proof (FieldFuzzHarness).
#
# Environment: FUZZ_BUILD (.build-fuzz), FUZZ_CORPUS (.run/fuzz/corpus-TARGET, the
# working corpus, seeded from Fuzz/corpus or Fuzz/corpus-fields), FUZZ_ARGS (extra
# libFuzzer flags). A crashing input is written to Tests/SealDropTests/Regressions/
# (named fields-… for the fields target), where the normal test run
# (FuzzRegressionTests) replays it; the run then exits non-zero.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
command -v swiftc >/dev/null 2>&1 || PATH="/opt/swift/usr/bin:$PATH"
OUT=${FUZZ_BUILD:-$REPO/.build-fuzz}
REGRESSIONS=$REPO/Tests/SealDropTests/Regressions
BINARY=$OUT/sealdrop-fuzz

# -O as shipped; -g for readable crash stacks; coverage + ASan everywhere.
COMMON=(-swift-version 6 -O -g -sanitize=fuzzer,address -parse-as-library -warnings-as-errors
        -I "$OUT" -I Sources/CFastCGI -I Sources/CSodium -I Sources/CMariaDB
        -Xcc -I/usr/include/mariadb)

# module NAME [extra flags]: one object and one .swiftmodule per library module,
# with the generated sources of $OUT/generated/NAME/ (the build-tool plugin's work).
module() {
    local name=$1
    shift
    local files
    mapfile -t files < <(find "Sources/$name" "$OUT/generated/$name" -name '*.swift' 2>/dev/null | sort)
    swiftc "${COMMON[@]}" "$@" -module-name "$name" -wmo -c "${files[@]}" \
        -emit-module -emit-module-path "$OUT/$name.swiftmodule" -o "$OUT/$name.o"
}

# What Plugins/EmbedWebPlugin does for `swift build`: the sender page (Web/ and
# Debian's tweetnacl, which scripts/tweetnacl.sh finds or unpacks) as Swift source.
embed_web() {
    local nacl files
    nacl=$(scripts/tweetnacl.sh) || exit 1
    mapfile -t files < <(find Web -maxdepth 1 -type f ! -name '.*' | sort)
    mkdir -p "$OUT/generated/SealDrop"
    swiftc -swift-version 6 -O Sources/EmbedWeb/main.swift -o "$OUT/EmbedWeb"
    "$OUT/EmbedWeb" "$OUT/generated/SealDrop/EmbeddedWeb.swift" "${files[@]}" "$nacl"
}

build() {
    mkdir -p "$OUT"
    local sources=(Sources/FastCGI/*.swift Sources/Sodium/*.swift Sources/MariaDB/*.swift Sources/SealDrop/*/*.swift
                   Sources/EmbedWeb/*.swift Web/*
                   Fuzz/*.swift Tests/SealDropTests/FuzzRegressionTests.swift Tests/SealDropTests/FieldFuzzHarness.swift
                   Tests/SealDropTests/InMemoryStore.swift)
    # Rebuild only when a source is newer than the binary.
    if [ -x "$BINARY" ] && [ -z "$(find "${sources[@]}" -newer "$BINARY" -print -quit)" ]; then
        echo "fuzz: $BINARY is up to date"
        return 0
    fi
    echo "fuzz: building $BINARY"
    embed_web
    module FastCGI
    module Sodium
    module MariaDB
    module SealDrop -enable-testing
    swiftc "${COMMON[@]}" -D SEALDROP_FUZZER -module-name SealDropFuzz \
        Fuzz/*.swift Tests/SealDropTests/FuzzRegressionTests.swift Tests/SealDropTests/FieldFuzzHarness.swift \
        Tests/SealDropTests/InMemoryStore.swift \
        "$OUT"/FastCGI.o "$OUT"/Sodium.o "$OUT"/MariaDB.o "$OUT"/SealDrop.o \
        -use-ld=lld -lfcgi -lsodium -lmariadb -o "$BINARY"
}

run() {
    local seconds=$1 target=${2:-requests} seeds prefix
    [[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: SECONDS must be a positive number, not '$seconds'" >&2; exit 2; }
    case $target in
        requests) seeds=Fuzz/corpus; prefix=$REGRESSIONS/ ;;
        fields) seeds=Fuzz/corpus-fields; prefix=$REGRESSIONS/fields- ;;
        *) echo "fuzz: TARGET must be requests or fields, not '$target'" >&2; exit 2 ;;
    esac
    local corpus=${FUZZ_CORPUS:-$REPO/.run/fuzz/corpus-$target}
    build
    mkdir -p "$corpus" "$REGRESSIONS"
    cp -n "$seeds"/* "$corpus"/
    echo "fuzz: fuzzing $target for ${seconds}s on one core (corpus $corpus)"
    local before after
    before=$(find "$REGRESSIONS" -type f | wc -l)
    # Swift's interactive crash backtracer would hold each crashing run for a while.
    export SWIFT_BACKTRACE=enable=no
    # -fork=1: one worker process that is restarted after a crash, so one run
    # collects every crash it finds instead of stopping at the first.
    # -close_fd_mask=2: the responder's log line per request would drown
    # libFuzzer's own output (which it keeps on a copy of stderr).
    # shellcheck disable=SC2086
    SEALDROP_FUZZ_TARGET=$target "$BINARY" "$corpus" -dict=Fuzz/sealdrop.dict -max_total_time="$seconds" -max_len=8192 \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=2 \
        -artifact_prefix="$prefix" ${FUZZ_ARGS:-}
    after=$(find "$REGRESSIONS" -type f | wc -l)
    if [ "$after" -gt "$before" ]; then
        echo "fuzz: $((after - before)) new crashing input(s) in $REGRESSIONS; the test run now replays them" >&2
        exit 1
    fi
    echo "fuzz: no crash"
}

case ${1:-} in
    build) build ;;
    run) run "${2:-}" "${3:-requests}" ;;
    *) echo "usage: $0 build | run SECONDS [requests|fields]" >&2; exit 2 ;;
esac
