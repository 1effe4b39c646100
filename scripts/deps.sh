#!/usr/bin/env bash
# Installs the Debian 12 packages SealDrop needs to build, test and run its dev stack.
# Idempotent (scripts/apt-install.sh, scripts/tweetnacl.sh): when everything is
# installed it only asks dpkg and never touches the network.
set -euo pipefail

packages=(
    # build: C toolchain and the three C libraries behind the Swift wrappers
    build-essential pkg-config libfcgi-dev libsodium-dev libmariadb-dev
    # the portable binary links OpenSSL (which libmariadb needs) statically
    libssl-dev
    # what the Swift toolchain in /opt/swift links against or loads at run time
    # (the linker, C/C++ runtime headers, Foundation's curl/xml, the driver's editline)
    binutils libc6-dev libgcc-12-dev libstdc++-12-dev libcurl4 libxml2 libedit2
    libncurses6 libsqlite3-0 libuuid1 zlib1g-dev tzdata
    # the private dev/test stack (scripts/stack.sh)
    mariadb-server mariadb-client nginx curl spawn-fcgi
    # Tests/python/seed_flow.py
    python3 python3-nacl python3-requests
    # Tests/python/browser_test.py: headless Chromium driven by Selenium (from PyPI,
    # in a venv: scripts/browser-test.sh)
    chromium chromium-driver python3-venv
)

here=$(dirname "${BASH_SOURCE[0]}")
"$here/apt-install.sh" deps "${packages[@]}"
# The sender page embeds Debian's tweetnacl at build time: installed, or unpacked
# into .deps/ (without the nodejs the package would pull in).
"$here/tweetnacl.sh" >/dev/null
