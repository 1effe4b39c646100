#!/usr/bin/env bash
# All deployment tests: Apache + mod_fcgid with htaccess.example and the Apache vhosts
# (apache.sh), nginx + socket activation + the systemd units (nginx.sh), the units
# under real systemd in a container (systemd.sh), the portable binary in a minimal
# Debian chroot (chroot.sh). Each starts the real servers on
# loopback ports of its own; they share one MariaDB (scripts/stack.sh, started here
# and stopped at the end).
#
#   Tests/deploy/run.sh [apache|nginx|systemd|chroot ...]
#
# Installs missing Debian packages (Tests/deploy/deps.sh) and builds dist/sealdrop.fcgi
# (`make portable`) unless SEALDROP_PORTABLE_BIN names a built one. Prints every
# PASS/FAIL line, then a summary; exits non-zero if anything failed.
set -uo pipefail
TEST_NAME=deploy
# shellcheck source=Tests/deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(apache nginx systemd chroot)
for name in "${tests[@]}"; do
    [ -x "$REPO/Tests/deploy/$name.sh" ] || die "no test Tests/deploy/$name.sh"
done

"$REPO/Tests/deploy/deps.sh" || die "installing the test packages failed"
begin_test
# The tests reuse this database and leave it running for the next one.
export DEPLOY_DB_KEEP=1

declare -A results
for name in "${tests[@]}"; do
    echo "---------------- Tests/deploy/$name.sh"
    "$REPO/Tests/deploy/$name.sh"
    results[$name]=$?
done

echo
echo "================ deployment tests ================"
status=0
for name in "${tests[@]}"; do
    if [ "${results[$name]}" -eq 0 ]; then
        echo "$name: passed"
    else
        echo "$name: FAILED (exit ${results[$name]})"
        status=1
    fi
done
echo "binary: $SEALDROP_PORTABLE_BIN, $(stat -c %s "$SEALDROP_PORTABLE_BIN") bytes"
echo "=================================================="
exit "$status"
