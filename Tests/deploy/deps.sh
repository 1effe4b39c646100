#!/usr/bin/env bash
# Installs the Debian 12 packages the deployment tests (Tests/deploy/) need on top of
# scripts/deps.sh: Apache with mod_fcgid, cgi-fcgi, debootstrap for the chroot test,
# and the Python client's libraries. Idempotent: when everything is installed it only
# asks dpkg and never touches the network.
set -euo pipefail

packages=(
    # Tests/deploy/apache.sh: Apache 2.4 + mod_fcgid (+ mod_proxy_fcgi, in apache2 itself)
    apache2 libapache2-mod-fcgid
    # Tests/deploy/nginx.sh: the responder on an inherited socket, nginx in front
    nginx spawn-fcgi
    # Tests/deploy/chroot.sh: a minimal Debian and a FastCGI client outside it;
    # Tests/deploy/systemd.sh: that Debian booted with systemd in a container
    debootstrap libfcgi-bin systemd-container
    # the client that drives the flow (Tests/deploy/flow.py), test certificates,
    # free-port lookup (ss), setpriv and unshare
    python3 python3-nacl python3-requests curl openssl iproute2 util-linux
    # `make portable`: the static archives of the C libraries (libssl.a, libz.a
    # come with the -dev packages), strip, objdump
    libfcgi-dev libsodium-dev libmariadb-dev libssl-dev zlib1g-dev binutils build-essential
    # the sender page in a sub-folder (Tests/python/browser_test.py from apache.sh)
    chromium chromium-driver python3-venv
)

# The tests never use the system-wide Apache the package sets up: they start their own
# instance on a loopback port. (On a machine running systemd, the package starts that
# system Apache on port 80; `systemctl disable --now apache2` stops it if unwanted.)
scripts=$(dirname "${BASH_SOURCE[0]}")/../../scripts
"$scripts/apt-install.sh" "deploy deps" "${packages[@]}"
# `make portable` embeds Debian's tweetnacl in the sender page.
"$scripts/tweetnacl.sh" >/dev/null
