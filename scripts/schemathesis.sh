#!/usr/bin/env bash
# Property-based API testing: schemathesis (pinned, from PyPI, in a venv under .run/)
# runs every check it has against a live SealDrop from openapi.yaml. Passes only when
# no request got a 5xx and no response broke the spec.
#
#   scripts/schemathesis.sh BASE_URL        e.g. http://127.0.0.1:18095
#
# The server should have its flood limits off (SEALDROP_ADDRESS_REQUESTS_PER_MINUTE=0,
# SEALDROP_ADDRESS_REGISTRATIONS_PER_HOUR=0, SEALDROP_LINK_SENDS_PER_MINUTE=0), or most
# answers are 429 and little is tested; `make schemathesis` starts such a stack.
#
# Environment: SCHEMATHESIS_MAX_EXAMPLES (30 per operation and phase),
# SCHEMATHESIS_SEED (fixed by default so CI is repeatable; "random" for a new one),
# SCHEMATHESIS_VENV (<repo>/.run/venv), SCHEMATHESIS_ARGS (extra arguments).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE_URL=${1:-}
[ -n "$BASE_URL" ] || { echo "usage: $0 BASE_URL" >&2; exit 2; }
BASE_URL=${BASE_URL%/}
VENV=${SCHEMATHESIS_VENV:-$REPO/.run/venv}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-30}
SEED=${SCHEMATHESIS_SEED:-20261127}
SPEC=$REPO/openapi.yaml
# Pinned so a new release cannot change what passes; both install from PyPI wheels.
PINS=(schemathesis==4.32.5 openapi-spec-validator==0.9.0)

say() { echo "schemathesis.sh: $*"; }
die() { echo "schemathesis.sh: $*" >&2; exit 1; }

# ------------------------------------------------------------------ the venv

"$REPO/scripts/venv.sh" "$VENV" "${PINS[@]}" || die "no venv with ${PINS[*]}"

# ------------------------------------------------------------ the spec itself

say "validating $SPEC (openapi-spec-validator)"
"$VENV/bin/python" - "$SPEC" <<'EOF'
import sys, yaml
from openapi_spec_validator import validate
with open(sys.argv[1], encoding="utf-8") as handle:
    validate(yaml.safe_load(handle))
EOF

# ------------------------------------------------------------- test data

code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BASE_URL/health" || true)
[ "$code" = 200 ] || die "$BASE_URL/health answered ${code:-nothing}, not 200; start the stack first"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sealdrop-schemathesis.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Two real links, so generated requests also reach the code behind the link lookup
# (sends stored, challenges issued, contacts found) and not only 404. The key is the
# public key of RFC 8032's first test vector; keys may be registered more than once.
register() {
    curl -s --max-time 10 -H 'Content-Type: application/json' \
        -d '{"public_key":"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=","display_name":"schemathesis"}' \
        "$BASE_URL/register" | sed -n 's/.*"link_token":"\([^"]*\)".*/\1/p'
}
link_a=$(register)
link_b=$(register)
[ -n "$link_a" ] && [ -n "$link_b" ] || die "registering test links at $BASE_URL/register failed"

cat >"$WORK/schemathesis.toml" <<EOF
# Written by scripts/schemathesis.sh for one run.

# Real links drawn half of the time wherever a link token goes; a sender's and a
# recipient's link apart, so a permission request does not name one link twice.
[dictionaries.links]
values = ["$link_a", "$link_b"]
[dictionaries.senders]
values = ["$link_a"]
[dictionaries.recipients]
values = ["$link_b"]

[parameters]
"path.link_token" = { dictionary = "links", probability = 0.5 }
"body.link_token" = { dictionary = "links", probability = 0.5 }
"body.from_link_token" = { dictionary = "senders", probability = 0.5 }
"body.to_link_token" = { dictionary = "recipients", probability = 0.5 }

# Size limits are answered 413 (documented in openapi.yaml), which is a rejection too.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "413", "429", "5xx"]

# nginx itself refuses TRACE before SealDrop sees the request (the stack's config answers
# a JSON 405 whose Allow names the API's methods, not the path's); every other method
# not in the spec reaches SealDrop and must be 405 with the path's Allow.
[phases.coverage]
unexpected-methods = ["get", "put", "post", "delete", "options", "patch", "query"]

# JSON Schema cannot say "a valid Ed25519 curve point" (about 1 in 16 random 32-byte
# keys is one), so a schema-valid key may still be refused with 400.
[[operations]]
include-operation-id = "register"
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429", "5xx"]

# Nor can it say "from_link_token and to_link_token differ" (400 when equal).
[[operations]]
include-operation-id = "requestMessagePermission"
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429", "5xx"]
EOF

seed_args=()
[ "$SEED" = random ] || seed_args=(--seed "$SEED")

say "running against $BASE_URL ($MAX_EXAMPLES examples per operation, seed ${SEED})"
cd "$WORK"
# shellcheck disable=SC2086
"$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run "$SPEC" \
    --url "$BASE_URL" --checks all --max-examples "$MAX_EXAMPLES" "${seed_args[@]}" \
    --workers 1 --request-timeout 15 --no-color ${SCHEMATHESIS_ARGS:-}
