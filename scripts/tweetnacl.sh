#!/usr/bin/env bash
# Makes Debian's tweetnacl (node-tweetnacl, nacl.min.js) available to the build,
# which embeds it in the sender page (Plugins/EmbedWebPlugin): either the installed
# package, or the package unpacked into <repo>/.deps/node-tweetnacl. Unpacking with
# `apt-get download` + `dpkg -x` takes only the file: installing the package would
# pull in Debian's nodejs, which the build does not need and which can clash with a
# nodejs from elsewhere. Idempotent: with the file present it touches nothing.
#
#   scripts/tweetnacl.sh        prints the path of nacl.min.js it found or unpacked
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The same two places, in the same order, as Plugins/EmbedWebPlugin looks in.
INSTALLED=/usr/share/nodejs/tweetnacl/nacl.min.js
UNPACKED_ROOT=$REPO/.deps/node-tweetnacl
UNPACKED=$UNPACKED_ROOT/usr/share/nodejs/tweetnacl/nacl.min.js

for file in "$INSTALLED" "$UNPACKED"; do
    [ -r "$file" ] && { echo "$file"; exit 0; }
done

command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 \
    || { echo "tweetnacl: no apt-get/dpkg here; install tweetnacl 1.0.3 so that $INSTALLED exists" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sealdrop-tweetnacl.XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt's download sandbox user cannot write into a private temp dir; as root, download
# as root (what apt does anyway, with a warning), as another user, as that user.
download() { (cd "$work" && apt-get download -q -o APT::Sandbox::User="$(id -un)" node-tweetnacl) >&2; }
if ! download; then
    # A fresh machine may have no package lists yet.
    echo "tweetnacl: updating the package lists" >&2
    if [ "$(id -u)" -eq 0 ]; then apt-get update -q >&2; else sudo apt-get update -q >&2; fi
    download || { echo "tweetnacl: apt-get download node-tweetnacl failed" >&2; exit 1; }
fi
rm -rf "$UNPACKED_ROOT"
mkdir -p "$UNPACKED_ROOT"
dpkg -x "$work"/node-tweetnacl_*.deb "$UNPACKED_ROOT"
[ -r "$UNPACKED" ] || { echo "tweetnacl: the package has no $UNPACKED" >&2; exit 1; }
echo "tweetnacl: unpacked $(basename "$work"/node-tweetnacl_*.deb) into $UNPACKED_ROOT" >&2
echo "$UNPACKED"
