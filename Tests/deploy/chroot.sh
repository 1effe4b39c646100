#!/usr/bin/env bash
# The portable binary on a host that has nothing it could borrow: a minimal Debian 12
# (debootstrap --variant=minbase, cached in .run/chroot) without Swift, libfcgi,
# libsodium, MariaDB Connector/C or OpenSSL's libraries. Inside it, the binary
#
#   - has all its libraries (ldd),
#   - runs `migrate` and `check-config` with the .env beside it,
#   - answers as a CGI program: /health 200 with the database, 503 in JSON without
#     it, an unknown route 404 in JSON, and a POST /register read from stdin whose
#     link carries the sub-folder it was installed in,
#   - serves FastCGI on a socket, asked by cgi-fcgi from outside, and passes the
#     end-to-end flow through nginx (deploy/nginx/sealdrop.conf).
#
# The database is the shared test MariaDB, whose socket directory is bind-mounted
# into the chroot in a mount namespace of the test's own (so nothing stays mounted).
# Needs root (chroot, mounts) and, the first time, deb.debian.org.
set -uo pipefail
TEST_NAME=chroot
# shellcheck source=Tests/deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root "chroot, bind mounts" "$@"
for tool in debootstrap unshare chroot cgi-fcgi nginx; do
    command -v "$tool" >/dev/null || die "$tool is missing; run Tests/deploy/deps.sh"
done

CR=$DEPLOY_RUN_DIR/chroot
SOCK_DIR=$CR/sock
RESPONDER_PID=""

cleanup() {
    nginx_stop "$CR/nginx"
    stop_pid "$RESPONDER_PID"
}

begin_test

# ------------------------------------------------------------ the minimal Debian

ROOT=$(minbase_root) || die "no minimal Debian to test in"

# Nothing SealDrop links could come from the chroot itself.
bare() {
    local found
    found=$(find "$ROOT" -xdev \( -name 'libfcgi.so*' -o -name 'libsodium.so*' -o -name 'libmariadb.so*' \
        -o -name 'libssl.so*' -o -name 'libcrypto.so*' -o -name 'libswift*' -o -name 'swift*' \
        -o -name 'libFoundation*' \) -print 2>/dev/null | grep -v "^$ROOT/opt/sealdrop/" || true)
    [ -z "$found" ] || { echo "the chroot has: $found"; return 1; }
    echo "glibc $(chroot "$ROOT" /usr/bin/ldd --version | head -n1 | awk '{ print $NF }')"
}
check "the chroot has no Swift, libfcgi, libsodium, MariaDB Connector/C or OpenSSL" bare

mkdir -p "$ROOT/opt/sealdrop" "$ROOT/run/db" "$ROOT/run/sock"
install -m 0755 "$SEALDROP_PORTABLE_BIN" "$ROOT/opt/sealdrop/sealdrop.fcgi"
write_config "$ROOT/opt/sealdrop/.env" /run/db/mysqld.sock
rm -rf "$CR"
mkdir -p "$SOCK_DIR"
chmod 0755 "$CR" "$SOCK_DIR"

# in_chroot COMMAND...: COMMAND in the chroot, in a mount namespace of its own where
# the database's socket directory is /run/db, $SOCK_DIR is /run/sock and /proc is
# mounted (SealDrop finds the .env beside it through /proc/self/exe).
# Every step execs the next, so the command keeps the pid the caller started.
CHROOT_SCRIPT='
    root=$1 db=$2 sock=$3
    shift 3
    mount --bind "$db" "$root/run/db" && mount --bind "$sock" "$root/run/sock" \
        && mount -t proc proc "$root/proc" || exit 125
    exec chroot "$root" "$@"'
in_chroot() {
    unshare --mount --propagation private bash -c "$CHROOT_SCRIPT" in_chroot "$ROOT" "$STACK_DIR" "$SOCK_DIR" "$@"
}

libraries() {
    local output
    output=$(in_chroot /usr/bin/ldd /opt/sealdrop/sealdrop.fcgi) || { echo "$output"; return 1; }
    echo "$output"
    ! grep -q 'not found' <<<"$output"
}
check "ldd in the chroot finds every library" libraries
check "sealdrop migrate in the chroot (settings from the .env beside it)" in_chroot /opt/sealdrop/sealdrop.fcgi migrate
check "sealdrop check-config in the chroot" in_chroot /opt/sealdrop/sealdrop.fcgi check-config

# ------------------------------------------------------------ CGI

# cgi METHOD PATH [BODY] [VAR=VALUE...]: one CGI request as a web server makes it for
# https://drop.example.test/drop/PATH; prints the response (headers, blank line, body).
cgi() {
    local method=$1 path=$2 body=${3:-}
    shift 3 2>/dev/null || shift $#
    in_chroot /usr/bin/env -i REQUEST_METHOD="$method" PATH_INFO="$path" REQUEST_URI="/drop$path" \
        SCRIPT_NAME=/drop/sealdrop.fcgi HTTP_HOST=drop.example.test HTTPS=on SERVER_PROTOCOL=HTTP/1.1 \
        REMOTE_ADDR=127.0.0.1 GATEWAY_INTERFACE=CGI/1.1 CONTENT_TYPE=application/json \
        CONTENT_LENGTH="${#body}" "$@" /opt/sealdrop/sealdrop.fcgi <<<"$body"
}

# expect_cgi STATUS PATTERN METHOD PATH [BODY] [VAR=VALUE...]
expect_cgi() {
    local status=$1 pattern=$2 response
    shift 2
    response=$(cgi "$@" 2>/dev/null) || { echo "exit status $?: $response"; return 1; }
    echo "$response" | head -n 1
    grep -q "^Status: $status" <<<"$response" && grep -qi '^Content-Type: application/json' <<<"$response" \
        && grep -qE -- "$pattern" <<<"$response" || { echo "$response"; return 1; }
}
check "CGI: GET /health answers 200 with the database" expect_cgi 200 '"status":"healthy"' GET /health ""
check "CGI: GET /health answers 503 in JSON when the database is unreachable" \
    expect_cgi 503 '"error"' GET /health "" DB_SOCKET=/run/no-such-db/mysqld.sock
check "CGI: an unknown route answers 404 in JSON (no database needed)" \
    expect_cgi 404 '"error"' GET /no-such-route "" DB_SOCKET=/run/no-such-db/mysqld.sock
key=$("$PYTHON" -c 'import base64, nacl.signing; print(base64.b64encode(bytes(nacl.signing.SigningKey.generate().verify_key)).decode())')
check "CGI: POST /register (body on stdin) links into the sub-folder it runs in" \
    expect_cgi 201 '"link":"https://drop.example.test/drop/l/link_[A-Za-z0-9_-]{32}"' \
    POST /register "{\"public_key\":\"$key\"}"

# ------------------------------------------------------------ FastCGI

rm -f "$SOCK_DIR/sealdrop.sock"
setsid unshare --mount --propagation private bash -c "$CHROOT_SCRIPT" in_chroot "$ROOT" "$STACK_DIR" "$SOCK_DIR" \
    /opt/sealdrop/sealdrop.fcgi serve --listen /run/sock/sealdrop.sock --threads 2 \
    </dev/null >>"$CR/responder.log" 2>&1 &
RESPONDER_PID=$!
poll "$DEPLOY_TIMEOUT" test -S "$SOCK_DIR/sealdrop.sock" || { show_log "$CR/responder.log"; die "the chroot responder made no socket"; }

fastcgi_health() {
    local response
    response=$(env -i REQUEST_METHOD=GET PATH_INFO=/health REQUEST_URI=/health SCRIPT_NAME= \
        SERVER_PROTOCOL=HTTP/1.1 cgi-fcgi -bind -connect "$SOCK_DIR/sealdrop.sock" </dev/null) \
        || { echo "cgi-fcgi failed: $response"; return 1; }
    grep -q '"status":"healthy"' <<<"$response" || { echo "$response"; return 1; }
    echo "$response" | tail -n 1
}
check "FastCGI: cgi-fcgi from outside gets /health from the responder in the chroot" fastcgi_health

nginx_setup "$CR/nginx" "$SOCK_DIR/sealdrop.sock" $((DEPLOY_PORT_BASE + 13)) $((DEPLOY_PORT_BASE + 14))
nginx_in "$CR/nginx" </dev/null || { show_log "$CR/nginx/logs/error.log"; die "nginx did not start"; }
URL=https://127.0.0.1:$((DEPLOY_PORT_BASE + 13))
health_ok() { [ "$(status_of --cacert "$CR/nginx/tls/cert.pem" "$URL/health")" = 200 ]; }
poll "$DEPLOY_TIMEOUT" health_ok || { show_log "$CR/nginx/logs/error.log"; show_log "$CR/responder.log"; die "$URL/health did not answer 200"; }
flow "FastCGI in the chroot behind nginx" "$URL" --ca "$CR/nginx/tls/cert.pem"

check "FastCGI: SIGTERM stops the chroot responder with exit status 0" sigterm_exits_zero "$CR/responder.log"

summary
