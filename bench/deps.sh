#!/usr/bin/env bash
# Installs the Debian 12 packages the benchmark needs beyond scripts/deps.sh:
# wrk (load), hyperfine (CGI start-up), linux-perf (profile), PyNaCl (sealed boxes,
# keys) and matplotlib (the chart) for Debian's /usr/bin/python3.
# Idempotent: with everything installed it only asks dpkg.
set -euo pipefail

packages=(wrk hyperfine linux-perf python3 python3-nacl python3-matplotlib curl)

exec "$(dirname "${BASH_SOURCE[0]}")/../scripts/apt-install.sh" "bench deps" "${packages[@]}"
