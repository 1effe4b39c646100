#!/usr/bin/env bash
# Installs the Debian 12 packages SealDrop needs to build, test and run its dev stack.
# Idempotent: when everything is installed it only asks dpkg (well under a second)
# and never touches the network.
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
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: not a Debian-like system (no dpkg-query/apt-get); install these yourself if missing: ${packages[*]}" >&2
    exit 0
fi

# One dpkg-query call for all packages; unknown packages print nothing on stdout.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null \
    | awk '$2 == "ii" { print $1 }' || true)
missing=()
for package in "${packages[@]}"; do
    # Any nginx flavour will do (nginx-light, nginx-full, ... all ship /usr/sbin/nginx).
    [ "$package" = nginx ] && [ -x /usr/sbin/nginx ] && continue
    grep -qxF "$package" <<<"$installed" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "deps: missing packages (${missing[*]}) and not root, and sudo is not installed; install them as root." >&2
    exit 1
fi

echo "deps: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
