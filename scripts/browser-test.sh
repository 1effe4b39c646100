#!/usr/bin/env bash
# The sender page in headless Chromium (Tests/python/browser_test.py), with Selenium
# from PyPI (pinned, in a venv under .run/ that also sees Debian's python3-nacl) and
# Debian's chromium and chromium-driver (scripts/deps.sh installs them).
#
#   scripts/browser-test.sh BASE_URL OUT_DIR [--quick] [--name NAME]
#
# Environment: BROWSER_VENV (<repo>/.run/venv-browser).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${BROWSER_VENV:-$REPO/.run/venv-browser}
# Pinned so a new release cannot change what passes.
PINS=(selenium==4.50.0)

for tool in /usr/bin/chromium /usr/bin/chromedriver; do
    [ -x "$tool" ] || { echo "browser-test: $tool is missing; run scripts/deps.sh (chromium, chromium-driver)" >&2; exit 1; }
done
"$REPO/scripts/venv.sh" "$VENV" --system-site-packages "${PINS[@]}" >&2 \
    || { echo "browser-test: no venv with ${PINS[*]}" >&2; exit 1; }

# Selenium Manager would otherwise try to download a driver and send statistics:
# there is no network here but the package registries, and the driver is Debian's.
export SE_OFFLINE=true SE_AVOID_STATS=true
exec "$VENV/bin/python" -B "$REPO/Tests/python/browser_test.py" "$@"
