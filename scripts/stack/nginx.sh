# shellcheck shell=bash
# nginx in front of the responder: config rendered from deploy/nginx/dev.conf.in, start/reload/stop, health.
# Sourced by scripts/stack.sh (and scripts/cluster.sh), which set the paths and settings used here.

render_nginx_conf() {
    local user_line=""
    $IS_ROOT && user_line="user root;"
    # Comment lines are left alone so their mentions of the placeholders survive.
    sed -e "/^[[:space:]]*#/!{s|@RUN_DIR@|$RUN_DIR|g; s|@HTTP_PORT@|$HTTP_PORT|g; s|@USER_LINE@|$user_line|g;}" \
        "$NGINX_TEMPLATE"
}

nginx_cmd() {
    # -e: the error log used before the config is read (Debian's default is
    # /var/log/nginx/error.log, which a normal user cannot open).
    nginx -p "$RUN_DIR/nginx/" -e "$NGINX_LOG" -c "$NGINX_CONF" "$@"
}

nginx_start() {
    command -v nginx >/dev/null || die "nginx not found; run scripts/deps.sh (package nginx)"
    mkdir -p "$RUN_DIR/nginx"
    local tmp changed=false
    tmp=$(mktemp "$RUN_DIR/.nginx.conf.XXXXXX")
    render_nginx_conf >"$tmp"
    if [ -f "$NGINX_CONF" ] && cmp -s "$tmp" "$NGINX_CONF"; then
        rm -f "$tmp"
    else
        mv "$tmp" "$NGINX_CONF"
        changed=true
    fi
    nginx_cmd -t -q 2>>"$NGINX_LOG" || fail_with_logs "the generated $NGINX_CONF is invalid" "$NGINX_LOG"
    if pid_alive "$NGINX_PID" "$NGINX_MARK"; then
        if $changed; then
            say "nginx configuration changed; reloading"
            nginx_cmd -s reload
        else
            say "nginx already running (pid $(pid_of "$NGINX_PID"))"
        fi
        return 0
    fi
    rm -f "$NGINX_PID"
    say "starting nginx on $BASE_URL"
    # nginx daemonizes itself; it only needs its inherited descriptors closed.
    detached nginx -p "$RUN_DIR/nginx/" -e "$NGINX_LOG" -c "$NGINX_CONF" </dev/null \
        || fail_with_logs "nginx failed to start" "$NGINX_LOG"
}

nginx_stop() {
    # QUIT: graceful, finishes open requests.
    stop_pid "$NGINX_PID" "$NGINX_MARK" QUIT "nginx"
}

wait_health() {
    local deadline=$((SECONDS + STACK_TIMEOUT)) code=000
    while :; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE_URL/health" 2>/dev/null) || true
        [ "$code" = 200 ] && return 0
        if ! pid_alive "$APP_PID" "$APP_MARK"; then
            fail_with_logs "the responder is not running (last /health status $code)" "$APP_LOG" "$NGINX_LOG"
        fi
        [ $SECONDS -lt $deadline ] || fail_with_logs \
            "$BASE_URL/health did not answer 200 within ${STACK_TIMEOUT}s (last status $code)" \
            "$APP_LOG" "$NGINX_LOG" "$DB_LOG"
        sleep 0.2
    done
}
