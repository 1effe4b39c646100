#!/usr/bin/env bash
# A Python virtual environment under .run/ with exact versions from PyPI, made
# once and remade only when a pin changes; the one place that knows how
# (scripts/schemathesis.sh and scripts/browser-test.sh use it).
#
#   scripts/venv.sh VENV [--system-site-packages] PIN...    e.g. selenium==4.53.0
#
# --system-site-packages lets the venv see Debian's Python packages too (python3-nacl,
# whose libsodium is the system's). Prints nothing on success; exits non-zero with
# one sentence on failure.
set -euo pipefail

VENV=$1
shift
options=()
if [ "${1:-}" = --system-site-packages ]; then
    options=(--system-site-packages)
    shift
fi
PINS=("$@")
die() { echo "venv.sh: $*" >&2; exit 1; }

ready() {
    [ -x "$VENV/bin/python" ] || return 1
    # A venv made with other options is remade too (one without the marker had none).
    [ "$(cat "$VENV/.sealdrop-options" 2>/dev/null || echo none)" = "${options[*]:-none}" ] || return 1
    "$VENV/bin/python" - "${PINS[@]}" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, wanted = pin.split("==")
    if version(name) != wanted:
        sys.exit(1)
PY
}
ready && exit 0

# Debian's python3 makes venvs only with python3-venv (ensurepip) installed.
if ! /usr/bin/python3 -c 'import ensurepip' 2>/dev/null; then
    "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" venv python3-venv >/dev/null || die "installing python3-venv failed"
fi
echo "venv.sh: installing ${PINS[*]} into $VENV"
rm -rf "$VENV"
/usr/bin/python3 -m venv "${options[@]}" "$VENV" || die "python3 -m venv $VENV failed"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${PINS[@]}" || die "pip install ${PINS[*]} failed"
echo "${options[*]:-none}" >"$VENV/.sealdrop-options"
