#!/usr/bin/env bash
# deploy/systemd/ under real systemd: a minimal Debian 12 with systemd (cached in
# .run/chroot), booted in a container (systemd-nspawn), set up as the README's nginx
# guide says (binary in /usr/local/bin, user sealdrop, /etc/sealdrop/sealdrop.env,
# the two units copied unchanged, the socket enabled). The container's /run/sealdrop
# is a directory of the host, where nginx runs deploy/nginx/sealdrop.conf in front
# of the socket; its /run/db holds the shared test MariaDB's socket.
#
#   - the first request starts the service through the socket; the flow passes
#   - the responder runs as `sealdrop`, no capabilities, no new privileges, seccomp;
#     systemd-analyze security rates the service
#   - `systemctl restart sealdrop.service` repeated under steady load fails no request
#   - a crashed responder is restarted (Restart=on-failure)
#   - `systemctl stop` ends it with status 0, and the next request starts it again
#
# Needs root, systemd-nspawn (package systemd-container) and, the first time,
# deb.debian.org.
set -uo pipefail
TEST_NAME=systemd
# shellcheck source=Tests/deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root "a container" "$@"
for tool in systemd-nspawn nsenter debootstrap nginx; do
    command -v "$tool" >/dev/null || die "$tool is missing; run Tests/deploy/deps.sh"
done

S=$DEPLOY_RUN_DIR/systemd
HOST_SOCK_DIR=$S/run-sealdrop
IMAGE=$REPO/.run/chroot/bookworm-systemd
NSPAWN_PID=""

cleanup() {
    nginx_stop "$S/nginx"
    if [ -n "$NSPAWN_PID" ] && alive "$NSPAWN_PID"; then
        # SIGTERM: nspawn asks the container's systemd for a clean power-off.
        kill -TERM "$NSPAWN_PID" 2>/dev/null || true
        poll "$DEPLOY_TIMEOUT" gone "$NSPAWN_PID" || kill -KILL "$NSPAWN_PID" 2>/dev/null || true
    fi
}

begin_test

# ------------------------------------------------------------ the image

# Made once from the minimal Debian: systemd added, nothing else.
if [ ! -f "$IMAGE/.sealdrop-complete" ]; then
    minbase=$(minbase_root) || die "no minimal Debian to start from"
    say "adding systemd to a copy of $minbase (once)"
    rm -rf "$IMAGE.partial" "$IMAGE"
    cp -a "$minbase" "$IMAGE.partial"
    rm -rf "$IMAGE.partial/opt/sealdrop" "$IMAGE.partial/.sealdrop-complete"
    cp /etc/resolv.conf "$IMAGE.partial/etc/resolv.conf"
    if ! unshare --mount --propagation private bash -c '
            mount -t proc proc "$1/proc" &&
            chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
            chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd systemd-sysv &&
            chroot "$1" apt-get clean' image "$IMAGE.partial" >"$REPO/.run/chroot/systemd-image.log" 2>&1; then
        show_log "$REPO/.run/chroot/systemd-image.log"
        die "installing systemd into the image failed"
    fi
    touch "$IMAGE.partial/.sealdrop-complete"
    mv "$IMAGE.partial" "$IMAGE"
fi

# The README's steps 3-5, inside the image.
install -m 0755 "$SEALDROP_PORTABLE_BIN" "$IMAGE/usr/local/bin/sealdrop"
chroot "$IMAGE" id sealdrop >/dev/null 2>&1 \
    || chroot "$IMAGE" useradd --system --no-create-home --shell /usr/sbin/nologin sealdrop \
    || die "useradd in the image failed"
install -d -m 0750 "$IMAGE/etc/sealdrop"
write_config "$IMAGE/etc/sealdrop/sealdrop.env" /run/db/mysqld.sock
chroot "$IMAGE" chgrp sealdrop /etc/sealdrop /etc/sealdrop/sealdrop.env
chmod 0640 "$IMAGE/etc/sealdrop/sealdrop.env"
cp "$REPO/deploy/systemd/sealdrop.socket" "$REPO/deploy/systemd/sealdrop.service" "$IMAGE/etc/systemd/system/"
chroot "$IMAGE" systemctl enable sealdrop.socket >/dev/null 2>&1 || die "systemctl enable sealdrop.socket failed"
mkdir -p "$IMAGE/run/db"
check "sealdrop check-config as user sealdrop (in the image)" \
    unshare --mount --propagation private bash -c 'mount --bind "$2" "$1/run/db" && mount -t proc proc "$1/proc" &&
        chroot --userspec=sealdrop:sealdrop "$1" /usr/local/bin/sealdrop check-config --config /etc/sealdrop/sealdrop.env' \
        check "$IMAGE" "$STACK_DIR"

# ------------------------------------------------------------ boot

rm -rf "$S"
mkdir -p "$HOST_SOCK_DIR"
chmod 0755 "$S" "$HOST_SOCK_DIR"
setsid systemd-nspawn --quiet --register=no --keep-unit --directory="$IMAGE" --boot \
    --bind="$STACK_DIR:/run/db" --bind="$HOST_SOCK_DIR:/run/sealdrop" \
    </dev/null >"$S/console.log" 2>&1 &
NSPAWN_PID=$!
SOCK=$HOST_SOCK_DIR/sealdrop.sock
if ! poll "$DEPLOY_TIMEOUT" test -S "$SOCK"; then
    show_log "$S/console.log" 30
    die "the container's systemd did not create /run/sealdrop/sealdrop.sock"
fi
leader=$(pgrep -P "$NSPAWN_PID" | head -n1)
[ -n "$leader" ] || die "no container process under systemd-nspawn ($NSPAWN_PID)"
inside() { nsenter --target "$leader" --all "$@"; }
say "container booted (systemd $(inside systemctl --version | awk 'NR == 1 { print $2 }'))"

socket_listening() { [ "$(inside systemctl show -p ActiveState --value sealdrop.socket)" = active ]; }
check "sealdrop.socket is listening" socket_listening
service_inactive() { [ "$(inside systemctl show -p ActiveState --value sealdrop.service)" = inactive ]; }
check "sealdrop.service is not started before the first request" service_inactive

nginx_setup "$S/nginx" "$SOCK" $((DEPLOY_PORT_BASE + 15)) $((DEPLOY_PORT_BASE + 16))
nginx_in "$S/nginx" </dev/null || { show_log "$S/nginx/logs/error.log"; die "nginx did not start"; }
URL=https://127.0.0.1:$((DEPLOY_PORT_BASE + 15))
CA=$S/nginx/tls/cert.pem
health_ok() { [ "$(status_of --cacert "$CA" "$URL/health")" = 200 ]; }
poll "$DEPLOY_TIMEOUT" health_ok || {
    inside journalctl -u sealdrop --no-pager -n 20 | sed 's/^/    /'
    show_log "$S/nginx/logs/error.log"
    die "$URL/health did not answer 200"
}

# ------------------------------------------------------------ checks

flow "nginx + systemd socket activation" "$URL" --ca "$CA"

main_pid() { inside systemctl show -p MainPID --value sealdrop.service; }
sandboxed() {
    local pid status uid
    pid=$(main_pid)
    [ "$pid" -gt 0 ] 2>/dev/null || { echo "no main process"; return 1; }
    status=$(inside cat "/proc/$pid/status")
    uid=$(inside id -u sealdrop)
    grep -q "^Uid:\s*$uid\s" <<<"$status" || { echo "not running as sealdrop ($uid)"; grep '^Uid' <<<"$status"; return 1; }
    grep -q '^NoNewPrivs:\s*1' <<<"$status" || { echo "NoNewPrivs is off"; return 1; }
    grep -q '^CapEff:\s*0*$' <<<"$status" || { echo "has capabilities: $(grep '^CapEff' <<<"$status")"; return 1; }
    grep -q '^Seccomp:\s*2' <<<"$status" || { echo "no seccomp filter"; return 1; }
    # fd 0 is the socket systemd listens on.
    inside readlink "/proc/$pid/fd/0" | grep -q '^socket:' || { echo "fd 0 is not a socket"; return 1; }
}
check "the responder runs as sealdrop, without capabilities or new privileges, under seccomp, socket on fd 0" sandboxed

exposure() {
    local line
    line=$(inside systemd-analyze security sealdrop.service --no-pager 2>&1 | grep 'Overall exposure level') \
        || { echo "systemd-analyze security gave no rating"; return 1; }
    echo "$line"
    # systemd rates 0-10; below 2 it calls a service well protected ("OK").
    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) { exit !($i < 2.0) } exit 1 }' <<<"$line"
}
check "systemd-analyze security rates the service below 2.0 (OK)" exposure
say "$(inside systemd-analyze security sealdrop.service --no-pager 2>&1 | grep 'Overall exposure level')"

# workers_of PID: the container's processes whose parent is PID, one a line.
workers_of() {
    # shellcheck disable=SC2016
    inside bash -c 'for s in /proc/[0-9]*/stat; do
        read -r -a f <"$s" 2>/dev/null && [ "${f[3]}" = "$1" ] && echo "${f[0]}"; done' - "$1"
}

# served_by PID: the new main process or one of its worker processes (the unit runs a
# supervisor) has served a request of the load (journald knows which process wrote a
# line; the request ids are nginx's).
served_by() {
    local pid
    for pid in "$1" $(workers_of "$1"); do
        inside journalctl -u sealdrop.service "_PID=$pid" -o cat --no-pager | grep -q " GET /health " && return 0
    done
    return 1
}

restarts_under_load() {
    local ready=$S/load-ready load_pid result i old new
    rm -f "$ready"
    # One request every 60 ms or so stays under the site's 20 a second per address.
    # 45 s outlasts five restarts even on a busy machine; each restart needs the load
    # still running to show the new process serving.
    "$PYTHON" "$REPO/Tests/deploy/load.py" "$URL/health" 45 --workers 1 --interval 0.06 --ca "$CA" --ready "$ready" \
        >"$S/load.out" 2>&1 &
    load_pid=$!
    poll 15 test -e "$ready" || { kill "$load_pid" 2>/dev/null; echo "the load never got an answer"; return 1; }
    for i in 1 2 3 4 5; do
        old=$(main_pid)
        # systemd refuses a 6th start within 10 s (StartLimitBurst=, a guard against
        # crash loops that upgrades never meet); forget the earlier starts.
        inside systemctl reset-failed sealdrop.service
        inside systemctl restart sealdrop.service || { echo "systemctl restart failed"; kill "$load_pid"; return 1; }
        new=$(main_pid)
        [ "$new" != "$old" ] && [ "$new" -gt 0 ] || { echo "restart $i: main pid $old -> $new"; kill "$load_pid"; return 1; }
        poll 15 served_by "$new" || { echo "restart $i: process $new served nothing"; kill "$load_pid"; return 1; }
    done
    wait "$load_pid"
    result=$?
    cat "$S/load.out"
    return "$result"
}
check "5 × systemctl restart sealdrop.service under steady load fail no request" restarts_under_load

# two_workers_without MAIN PID: MAIN has two worker processes, and PID is not one of them.
two_workers_without() {
    local now
    now=$(workers_of "$1")
    [ "$(grep -c . <<<"$now")" = 2 ] && ! grep -qx "$2" <<<"$now"
}

# The unit runs `serve --processes 2`: a worker killed with -9 is replaced by the
# supervisor within the service, which systemd never sees fail.
worker_replaced() {
    local main before victim after
    main=$(main_pid)
    before=$(workers_of "$main")
    [ "$(wc -l <<<"$before")" = 2 ] || { echo "expected 2 worker processes under $main, found: $before"; return 1; }
    victim=$(head -n1 <<<"$before")
    inside bash -c "kill -KILL $victim"
    poll 10 two_workers_without "$main" "$victim" \
        || { echo "worker $victim was not replaced: $(workers_of "$main" | paste -sd' ')"; return 1; }
    after=$(workers_of "$main" | paste -sd' ')
    [ "$(main_pid)" = "$main" ] || { echo "the service was restarted ($main -> $(main_pid))"; return 1; }
    health_ok || { echo "no 200 after the worker was replaced"; return 1; }
    echo "worker $victim killed; workers now $after under the same main pid $main"
}
check "a killed worker process is replaced by the supervisor; the service keeps its main pid" worker_replaced

restarted_after_crash() {
    local old new
    old=$(main_pid)
    inside systemctl reset-failed sealdrop.service
    inside systemctl kill --signal=SIGKILL sealdrop.service
    # RestartSec=2s; requests made meanwhile wait in the socket's backlog.
    poll 20 bash -c "p=\$(nsenter --target $leader --all systemctl show -p MainPID --value sealdrop.service); [ \"\$p\" -gt 0 ] && [ \"\$p\" != $old ]" \
        || { echo "not restarted"; inside systemctl status sealdrop.service --no-pager | tail -n 5; return 1; }
    new=$(main_pid)
    health_ok || { echo "no 200 after the restart"; return 1; }
    echo "main pid $old killed, $new serves; NRestarts=$(inside systemctl show -p NRestarts --value sealdrop.service)"
}
check "a crashed responder is restarted (Restart=on-failure) and serves" restarted_after_crash

clean_stop() {
    inside systemctl stop sealdrop.service
    local result status
    result=$(inside systemctl show -p Result --value sealdrop.service)
    status=$(inside systemctl show -p ExecMainStatus --value sealdrop.service)
    echo "Result=$result ExecMainStatus=$status"
    [ "$result" = success ] && [ "$status" = 0 ]
}
check "systemctl stop: the responder exits with status 0" clean_stop
check "after a stop, the next request starts the service again through the socket" health_ok

summary
