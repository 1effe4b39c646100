#!/usr/bin/env bash
# nginx with deploy/nginx/sealdrop.conf in front of the portable binary, started the
# way deploy/systemd/ starts it: the listening socket on fd 0.
#
#   1. The units pass `systemd-analyze verify`.
#   2. The responder runs as the units say (their ExecStart, socket path, mode and
#      group, and as root: an unprivileged user with no new privileges), its socket
#      made and handed over on fd 0 by systemd's own systemd-socket-activate.
#   3. nginx runs the site file with only ports, paths and the certificate changed
#      (TLS kept, with a self-signed certificate): the end-to-end flow passes; the
#      HTTP server redirects and serves certificate challenges; limit_req answers 429
#      in JSON; a stopped responder is a JSON 503; SIGTERM ends the responder with 0.
#   4. An upgrade as the README describes it (systemctl restart with the socket held
#      by systemd; here Tests/deploy/socket_holder.py holds it), repeated under
#      steady load, drops no request.
set -uo pipefail
TEST_NAME=nginx
# shellcheck source=Tests/deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v nginx >/dev/null || die "nginx is missing; run Tests/deploy/deps.sh"
command -v systemd-socket-activate >/dev/null || die "systemd-socket-activate is missing (package systemd)"

pick_ports
P_HTTPS=$((DEPLOY_PORT_BASE + 11))
P_HTTP=$((DEPLOY_PORT_BASE + 12))
N=$DEPLOY_RUN_DIR/nginx
SOCK=$N/sealdrop.sock
UNIT_DIR=$REPO/deploy/systemd
RESPONDER_PID=""
HOLDER_PID=""

cleanup() {
    nginx_stop "$N"
    stop_pid "$RESPONDER_PID"
    stop_pid "$HOLDER_PID"
}

begin_test

nginx_stop "$N"
rm -rf "$N"
mkdir -p "$N/logs" "$N/units" "$N/acme/.well-known/acme-challenge"

# ------------------------------------------------------------ the units

unit_value() { sed -n "s/^$2=//p" "$UNIT_DIR/$1" | tail -n1; }

# systemd-analyze checks ExecStart's binary exists: point it at the one under test.
cp "$UNIT_DIR/sealdrop.socket" "$N/units/"
sed "s|^ExecStart=/usr/local/bin/sealdrop |ExecStart=$SEALDROP_PORTABLE_BIN |" "$UNIT_DIR/sealdrop.service" \
    >"$N/units/sealdrop.service"
verify_units() {
    local output
    output=$(systemd-analyze verify "$N/units/sealdrop.socket" "$N/units/sealdrop.service" 2>&1) || { echo "$output"; return 1; }
    # Unknown keys and bad values are only warnings there.
    [ -z "$output" ] || { echo "$output"; return 1; }
}
check "deploy/systemd units pass systemd-analyze verify" verify_units

listen_stream=$(unit_value sealdrop.socket ListenStream)
socket_mode=$(unit_value sealdrop.socket SocketMode)
socket_group=$(unit_value sealdrop.socket SocketGroup)
exec_start=$(unit_value sealdrop.service ExecStart)
check "the service takes the socket on fd 0 (StandardInput=socket, Accept=no)" \
    test "$(unit_value sealdrop.service StandardInput)/$(unit_value sealdrop.socket Accept)" = "socket/no"
[ -n "$listen_stream" ] && [ -n "$exec_start" ] || die "no ListenStream= or ExecStart= in $UNIT_DIR"

write_config "$N/sealdrop.env"
# The command line of ExecStart, with this run's binary and settings file.
exec_start=${exec_start//\/usr\/local\/bin\/sealdrop/$SEALDROP_PORTABLE_BIN}
exec_start=${exec_start//\/etc\/sealdrop\/sealdrop.env/$N/sealdrop.env}
read -r -a responder_command <<<"$exec_start"
# User=, Group=, NoNewPrivileges=: as root, run as the web user (standing in for
# the `sealdrop` account), who may read the settings through its group.
if $IS_ROOT; then
    chgrp "$WEB_USER" "$N/sealdrop.env"
    chmod 0640 "$N/sealdrop.env"
    responder_command=(setpriv --reuid="$WEB_USER" --regid="$WEB_USER" --init-groups --no-new-privs -- "${responder_command[@]}")
fi

# SocketMode= and SocketGroup= (the group nginx's workers are in).
own_socket() {
    $IS_ROOT && chgrp "$socket_group" "$SOCK"
    chmod "$socket_mode" "$SOCK"
}

start_socket_activated() {
    rm -f "$SOCK"
    # --inetd without --accept: the listening socket becomes fd 0 of the command,
    # started at the first connection, as StandardInput=socket with Accept=no does.
    setsid systemd-socket-activate --inetd -l "$SOCK" "${responder_command[@]}" \
        </dev/null >>"$N/logs/responder.log" 2>&1 &
    RESPONDER_PID=$!
    poll "$DEPLOY_TIMEOUT" test -S "$SOCK" || { show_log "$N/logs/responder.log"; die "no socket at $SOCK"; }
    own_socket
}

# ------------------------------------------------------------ nginx

check "the site passes to the socket the socket unit makes ($listen_stream)" \
    grep -q "fastcgi_pass unix:$listen_stream;" "$REPO/deploy/nginx/sealdrop.conf"
nginx_setup "$N" "$SOCK" "$P_HTTPS" "$P_HTTP"
changed_lines() {
    local other
    other=$(diff "$REPO/deploy/nginx/sealdrop.conf" "$N/sealdrop.conf" | grep '^<' \
        | grep -vE 'listen |ssl_certificate|/var/log/nginx/|/var/www/letsencrypt|fastcgi_pass unix:' || true)
    [ -z "$other" ] || { echo "also changed: $other"; return 1; }
}
check "the test copy of sealdrop.conf differs only in ports, paths and certificate" changed_lines
nginx_cmd() { nginx_in "$N" "$@"; }
check "nginx accepts the site (nginx -t)" nginx_cmd -t -q

start_socket_activated
nginx_in "$N" </dev/null || { show_log "$N/logs/error.log"; die "nginx did not start"; }
URL=https://127.0.0.1:$P_HTTPS
CA=$N/tls/cert.pem
health_ok() { [ "$(status_of --cacert "$CA" "$URL/health")" = 200 ]; }
poll "$DEPLOY_TIMEOUT" health_ok || { show_log "$N/logs/error.log"; show_log "$N/logs/responder.log"; die "$URL/health did not answer 200"; }
say "nginx $(nginx -v 2>&1 | sed 's|.*/||') on $URL, responder on fd 0 from systemd-socket-activate"

# ------------------------------------------------------------ checks

flow "nginx + socket activation (TLS)" "$URL" --ca "$CA"

# The unit's ExecStart runs a supervisor (--processes 2): the oldest process is the
# master, and each of its workers serves the same socket, inherited on fd 0.
fd0_is_the_socket() {
    local master pid workers
    master=$(pgrep -o -f "^$SEALDROP_PORTABLE_BIN serve .*--config $N/sealdrop.env")
    [ -n "$master" ] || { echo "no responder process"; return 1; }
    workers=$(pgrep -P "$master")
    [ "$(grep -c . <<<"$workers")" = 2 ] || { echo "expected 2 worker processes under $master, found: $workers"; return 1; }
    for pid in $master $workers; do
        # fd 0 is a socket whose inode is the one bound at $SOCK.
        local fd0
        fd0=$(readlink "/proc/$pid/fd/0")
        grep -q "^socket:" <<<"$fd0" || { echo "fd 0 of $pid is $fd0"; return 1; }
        # /proc/net/unix lists the listening socket's path with its inode.
        grep -q " ${fd0//[^0-9]/} $SOCK\$" /proc/net/unix || { echo "fd 0 ($fd0) of $pid is not the socket bound at $SOCK"; return 1; }
        if $IS_ROOT; then
            [ "$(stat -c %U "/proc/$pid")" = "$WEB_USER" ] || { echo "$pid runs as $(stat -c %U "/proc/$pid")"; return 1; }
            grep -q '^NoNewPrivs:\s*1' "/proc/$pid/status" || { echo "NoNewPrivs is not set for $pid"; return 1; }
        fi
    done
}
check "the responder's supervisor and its 2 workers serve the socket on their fd 0$($IS_ROOT && echo ", as $WEB_USER with no new privileges")" fd0_is_the_socket

redirects() {
    local headers
    headers=$(curl -s -o /dev/null -D - --max-time 10 "http://127.0.0.1:$P_HTTP/register?x=1") || return 1
    grep -q '^HTTP/1.1 308' <<<"$headers" && grep -qi '^Location: https://127.0.0.1/register?x=1' <<<"$headers" \
        || { echo "$headers"; return 1; }
}
check "plain HTTP redirects to https (308, path and query kept)" redirects
echo "acme-token-content" >"$N/acme/.well-known/acme-challenge/test-token"
chmod -R a+rX "$N/acme"
acme() { [ "$(curl -s --max-time 10 "http://127.0.0.1:$P_HTTP/.well-known/acme-challenge/test-token")" = acme-token-content ]; }
check "plain HTTP serves certificate challenges" acme

too_many() {
    local i code headers statuses=""
    for i in $(seq 1 30); do
        headers=$(curl -s -D - -o "$N/tmp/429.body" --max-time 10 --cacert "$CA" \
            -H 'Content-Type: application/json' -d '{"link_token":"link_unknown"}' "$URL/challenge_request") || return 1
        code=$(head -n1 <<<"$headers" | awk '{ print $2 }')
        statuses+="$code "
        if [ "$code" = 429 ]; then
            grep -qi '^Content-Type: application/json' <<<"$headers" || { echo "429 is not JSON"; return 1; }
            grep -qi '^Retry-After: [0-9]' <<<"$headers" || { echo "429 without Retry-After"; return 1; }
            grep -q '"error"' "$N/tmp/429.body" || { echo "429 body: $(cat "$N/tmp/429.body")"; return 1; }
            echo "statuses: $statuses"
            # The ones before went through to SealDrop, which knows no such link.
            [[ $statuses == 404\ * ]] || return 1
            return 0
        fi
    done
    echo "30 quick requests, no 429: $statuses"
    return 1
}
check "limit_req on /challenge_request answers 429 in JSON with Retry-After" too_many

# The request id is nginx's $request_id, passed as REQUEST_ID; a client's own
# X-Request-ID could name another request's log line, and is not used.
request_ids() {
    local headers id
    headers=$(curl -s -D - -o /dev/null --max-time 10 --cacert "$CA" -H 'X-Request-ID: forged-by-the-client' "$URL/health") \
        || return 1
    id=$(sed -n 's/^X-Request-ID: \([^[:space:]]*\).*/\1/ip' <<<"$headers")
    [[ $id =~ ^[0-9a-f]{32}$ ]] || { echo "X-Request-ID: '$id'"; return 1; }
    poll 5 grep -q " $id GET /health 200 " "$N/logs/responder.log" || { echo "no log line $id"; return 1; }
    ! grep -q 'forged-by-the-client' "$N/logs/responder.log" || { echo "the client's id reached the log"; return 1; }
}
check "request ids are nginx's \$request_id, never a client's X-Request-ID" request_ids

# nginx refuses TRACE itself, before any location: the site answers it as SealDrop
# answers a wrong method, in JSON with Allow, on both servers.
trace_refused() {
    local url headers
    for url in "$URL/health" "http://127.0.0.1:$P_HTTP/health"; do
        headers=$(curl -s -D - -o "$N/tmp/405.body" --max-time 10 --cacert "$CA" -X TRACE "$url") || return 1
        grep -q '^HTTP/[0-9.]* 405' <<<"$headers" && grep -qi '^Content-Type: application/json' <<<"$headers" \
            && grep -qi '^Allow: GET, HEAD, POST, OPTIONS' <<<"$headers" \
            && grep -q '^{"error":"Method TRACE is not allowed here"}$' "$N/tmp/405.body" \
            || { echo "$url: $headers"; cat "$N/tmp/405.body"; return 1; }
    done
}
check "TRACE is a JSON 405 with Allow: GET, HEAD, POST, OPTIONS (https and http)" trace_refused

# SIGTERM: the responder finishes and exits 0 (Restart=on-failure leaves it stopped).
check "SIGTERM stops the responder with exit status 0" sigterm_exits_zero "$N/logs/responder.log"

unavailable() {
    local headers
    headers=$(curl -s -D - -o "$N/tmp/503.body" --max-time 10 --cacert "$CA" "$URL/health") || return 1
    grep -q '^HTTP/[0-9.]* 503' <<<"$headers" && grep -qi '^Content-Type: application/json' <<<"$headers" \
        && grep -qi '^Retry-After:' <<<"$headers" || { echo "$headers"; cat "$N/tmp/503.body"; return 1; }
}
check "with the responder stopped, nginx answers a JSON 503 with Retry-After" unavailable

# ------------------------------------------------------------ upgrade under load

# systemd keeps the socket while the service restarts; the holder does the same.
rm -f "$SOCK"
"$PYTHON" "$REPO/Tests/deploy/socket_holder.py" "$SOCK" "$socket_mode" "$($IS_ROOT && echo "$socket_group" || echo -)" \
    -- "${responder_command[@]}" >"$N/logs/holder.out" 2>>"$N/logs/responder.log" &
HOLDER_PID=$!
poll "$DEPLOY_TIMEOUT" health_ok || { show_log "$N/logs/responder.log"; die "the held responder did not answer"; }

restarts_drop_nothing() {
    local ready=$N/tmp/load-ready load_pid result i started
    rm -f "$ready"
    # One request every 60 ms or so stays under the site's 20 a second per address
    # (a 429 would count as a failure).
    "$PYTHON" "$REPO/Tests/deploy/load.py" "$URL/health" 6 --workers 1 --interval 0.06 --ca "$CA" --ready "$ready" \
        >"$N/tmp/load.out" 2>&1 &
    load_pid=$!
    poll 15 test -e "$ready" || { kill "$load_pid" 2>/dev/null; echo "the load never got an answer"; return 1; }
    local pid lines
    for i in 1 2 3 4 5 6; do
        kill -HUP "$HOLDER_PID"
        # A restart is done once the new process has served a request of the load. The
        # holder starts it only after the old one exited, so every line logged since
        # is the new one's (the ids are nginx's, which name no process).
        poll 15 bash -c "[ \$(grep -c '^started' '$N/logs/holder.out') -ge $((i + 1)) ]" \
            || { echo "restart $i: no new process"; kill "$load_pid" 2>/dev/null; return 1; }
        lines=$(wc -l <"$N/logs/responder.log")
        pid=$(awk '/^started/ { pid = $2 } END { print pid }' "$N/logs/holder.out")
        poll 15 bash -c "tail -n +$((lines + 1)) '$N/logs/responder.log' | grep -q ' GET /health 200 '" \
            || { echo "restart $i: process $pid served nothing"; kill "$load_pid" 2>/dev/null; return 1; }
    done
    wait "$load_pid"
    result=$?
    cat "$N/tmp/load.out"
    started=$(grep -c '^started' "$N/logs/holder.out")
    echo "$((started - 1)) restarts; exit statuses: $(awk '/^exited/ { print $3 }' "$N/logs/holder.out" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
    # Every stopped process exited 0 (SIGTERM is a clean stop).
    awk '/^exited/ && $3 != 0 { bad = 1 } END { exit bad }' "$N/logs/holder.out" || return 1
    return "$result"
}
check "6 restarts under steady load drop no request (socket held as systemd holds it)" restarts_drop_nothing

if grep -qE '\[(emerg|alert|crit)\]' "$N/logs/error.log"; then
    fail "nginx's error log has critical errors"
    grep -E '\[(emerg|alert|crit)\]' "$N/logs/error.log" | tail -n 5 | sed 's/^/    /'
else
    pass "nginx's error log has no critical errors"
fi

summary
