#!/usr/bin/env bash
# Installs those of the named Debian packages that are missing; the one place that
# knows how (scripts/deps.sh, Tests/deploy/deps.sh and bench/deps.sh list what they
# need and call this). Idempotent: when everything is installed it only asks dpkg
# (well under a second) and never touches the network.
#
#   scripts/apt-install.sh LABEL PACKAGE...
set -euo pipefail

label=$1
shift
packages=("$@")

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "$label: not a Debian-like system (no dpkg-query/apt-get); install these yourself if missing: ${packages[*]}" >&2
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
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "$label: missing packages (${missing[*]}), not root, and sudo is not installed; install them as root." >&2
    exit 1
fi

echo "$label: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
