#!/usr/bin/env bash
# Installs the Debian 12 packages the benchmark needs beyond scripts/deps.sh:
# wrk (load), hyperfine (CGI start-up), linux-perf (profile), PyNaCl (sealed boxes,
# keys) and matplotlib (the chart) for Debian's /usr/bin/python3.
# Idempotent: with everything installed it only asks dpkg.
set -euo pipefail

packages=(wrk hyperfine linux-perf python3 python3-nacl python3-matplotlib curl)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "bench deps: not a Debian-like system; install these yourself if missing: ${packages[*]}" >&2
    exit 0
fi
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null \
    | awk '$2 == "ii" { print $1 }' || true)
missing=()
for package in "${packages[@]}"; do
    grep -qxF "$package" <<<"$installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "bench deps: missing ${missing[*]}, and not root without sudo; install them as root." >&2
    exit 1
fi
echo "bench deps: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
