#!/usr/bin/env bash
# Apache 2.4 in front of the portable binary, started with a configuration of its own
# on loopback ports (Debian's apache2 and modules; nothing in /etc is used):
#
#   shared hosting  as cPanel sets it up (AllowOverride All, no ExecCGI until the
#                   .htaccess asks for it), htaccess.example copied verbatim as
#                   .htaccess next to sealdrop.fcgi and a .env: at the site root, in
#                   a sub-folder /drop/, and in two sub-folders whose copy keeps only
#                   one of the two ways of passing Authorization
#   with root       deploy/apache/sealdrop-fcgid.conf and sealdrop-proxy-fcgi.conf,
#                   with only ports, paths and the certificate changed
#
# Each gets the end-to-end flow (Tests/deploy/flow.py); the shared-hosting folders
# must not give away .env, schema.sql, .htaccess, the binary or any other file; and
# replacing sealdrop.fcgi the way the README says, under load, drops no request.
set -uo pipefail
TEST_NAME=apache
# shellcheck source=Tests/deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pick_ports
PORT_BASE=$DEPLOY_PORT_BASE
P_ROOT=$((PORT_BASE + 1))       # shared hosting, installed at the site root
P_SUB=$((PORT_BASE + 2))        # shared hosting, installed in sub-folders
P_FCGID=$((PORT_BASE + 3))      # deploy/apache/sealdrop-fcgid.conf, *:443
P_FCGID_HTTP=$((PORT_BASE + 4)) #   its *:80
P_PROXY=$((PORT_BASE + 5))      # deploy/apache/sealdrop-proxy-fcgi.conf, *:443
P_PROXY_HTTP=$((PORT_BASE + 6)) #   its *:80
MODULES=/usr/lib/apache2/modules

command -v apache2 >/dev/null && [ -f "$MODULES/mod_fcgid.so" ] \
    || die "apache2 or mod_fcgid is missing; run Tests/deploy/deps.sh"
A=$DEPLOY_RUN_DIR/apache
CONF=$A/httpd.conf
PROXY_SOCK=$A/run/proxy-responder.sock
PROXY_PID=""

cleanup() {
    if [ -s "$A/run/httpd.pid" ]; then
        apache2 -f "$CONF" -k stop >/dev/null 2>&1 || true
        stop_pid "$(cat "$A/run/httpd.pid" 2>/dev/null)"
    fi
    stop_pid "$PROXY_PID"
}

begin_test

# A previous run's Apache (interrupted) would hold the ports.
if [ -s "$A/run/httpd.pid" ] && alive "$(cat "$A/run/httpd.pid")"; then
    apache2 -f "$CONF" -k stop >/dev/null 2>&1 || true
    poll "$DEPLOY_TIMEOUT" gone "$(cat "$A/run/httpd.pid")"
fi
rm -rf "$A"
mkdir -p "$A/run" "$A/logs" "$A/tls" "$A/srv" "$A/etc" "$A/site-root" "$A/site-sub" "$A/home-user/public_html"
make_certificate "$A/tls" || die "openssl could not make a test certificate"

# ------------------------------------------------------------ shared hosting

# install DIR HTACCESS: what a user uploads to a folder of the site. The marker file
# stands for anything else that might lie in the folder.
install_shared() {
    local dir=$1 htaccess=$2
    mkdir -p "$dir"
    cp "$SEALDROP_PORTABLE_BIN" "$dir/sealdrop.fcgi"
    chmod 0755 "$dir/sealdrop.fcgi"
    cp "$htaccess" "$dir/.htaccess"
    # As the README's cPanel guide writes it: mod_fcgid sends one request at a time.
    write_config "$dir/.env" "$DB_SOCKET" SEALDROP_THREADS=1
    cp "$REPO/schema.sql" "$dir/schema.sql"
    echo "marker-$(basename "$dir")-not-for-the-web" >"$dir/index.html"
    chmod 0644 "$dir/.htaccess" "$dir/schema.sql" "$dir/index.html"
    # The responder runs as the Apache user here (on a cPanel host, suexec runs it as
    # the account's owner): it must own the folder, and only it may read .env.
    $IS_ROOT && chown -R "$WEB_USER:$WEB_USER" "$dir"
    chmod 0600 "$dir/.env"
}

# The two ways htaccess.example passes Authorization, each alone.
sed '/<IfModule mod_version.c>/,/^<\/IfModule>/d' "$REPO/htaccess.example" >"$A/htaccess-rewrite-only"
sed '/^RewriteCond %{HTTP:Authorization}/,/^RewriteRule .*E=HTTP_AUTHORIZATION/d' \
    "$REPO/htaccess.example" >"$A/htaccess-cgipassauth-only"
for variant in rewrite-only cgipassauth-only; do
    ! grep -qE "$([ $variant = rewrite-only ] && echo '^\s*CGIPassAuth On' || echo 'E=HTTP_AUTHORIZATION:')" "$A/htaccess-$variant" \
        || die "htaccess.example changed: Tests/deploy/apache.sh no longer finds what to cut for htaccess-$variant"
done

install_shared "$A/site-root" "$REPO/htaccess.example"
install_shared "$A/site-sub/drop" "$REPO/htaccess.example"
install_shared "$A/site-sub/drop-rewrite-only" "$A/htaccess-rewrite-only"
install_shared "$A/site-sub/drop-cgipassauth-only" "$A/htaccess-cgipassauth-only"
# A folder the URL reaches through an Alias, as https://host/~user/ reaches public_html.
install_shared "$A/home-user/public_html/drop" "$REPO/htaccess.example"

# ------------------------------------------------------------ with root

# The vhosts as shipped, but on loopback ports, with this run's paths and certificate.
adapt_vhost() {
    sed -e "s|<VirtualHost \*:443>|<VirtualHost 127.0.0.1:$2>|" \
        -e "s|<VirtualHost \*:80>|<VirtualHost 127.0.0.1:$3>|" \
        -e "s|/etc/letsencrypt/live/drop.example.org/fullchain.pem|$A/tls/cert.pem|" \
        -e "s|/etc/letsencrypt/live/drop.example.org/privkey.pem|$A/tls/key.pem|" \
        -e "s|/srv/sealdrop|$A/srv|g" \
        -e "s|/etc/sealdrop/sealdrop.env|$A/etc/sealdrop.env|g" \
        -e "s|/run/sealdrop/sealdrop.sock|$PROXY_SOCK|g" \
        "$1"
}
adapt_vhost "$REPO/deploy/apache/sealdrop-fcgid.conf" "$P_FCGID" "$P_FCGID_HTTP" >"$A/vhost-fcgid.conf"
adapt_vhost "$REPO/deploy/apache/sealdrop-proxy-fcgi.conf" "$P_PROXY" "$P_PROXY_HTTP" >"$A/vhost-proxy-fcgi.conf"
cp "$SEALDROP_PORTABLE_BIN" "$A/srv/sealdrop.fcgi"
chmod 0755 "$A/srv/sealdrop.fcgi"
write_config "$A/etc/sealdrop.env"
if $IS_ROOT; then
    chgrp "$WEB_USER" "$A/etc/sealdrop.env"
    chmod 0640 "$A/etc/sealdrop.env"
fi

# The mod_proxy_fcgi vhost's responder (under systemd in production).
(
    cd /
    exec setsid "$SEALDROP_PORTABLE_BIN" serve --listen "$PROXY_SOCK" --threads 2 --config "$A/etc/sealdrop.env" \
        </dev/null >>"$A/logs/proxy-responder.log" 2>&1
) &
PROXY_PID=$!

# ------------------------------------------------------------ Apache

user_lines=""
$IS_ROOT && user_lines="User $WEB_USER
Group $WEB_USER"
# write_conf fcgid|cgi: the server with mod_fcgid (and both vhosts), or with only
# mod_cgid, as on a host without mod_fcgid, where htaccess.example falls back to CGI.
write_conf() {
    local fcgid_lines="LoadModule fcgid_module $MODULES/mod_fcgid.so
FcgidIPCDir \"$A/run/fcgid\"
FcgidProcessTableFile \"$A/run/fcgid_shm\""
    local vhost_lines="Include \"$A/vhost-fcgid.conf\"
Include \"$A/vhost-proxy-fcgi.conf\""
    if [ "$1" = cgi ]; then
        fcgid_lines="LoadModule cgid_module $MODULES/mod_cgid.so
ScriptSock \"$A/run/cgid.sock\""
        vhost_lines=""
    fi
cat >"$CONF" <<EOF
# Generated by Tests/deploy/apache.sh ($1).
Define APACHE_LOG_DIR $A/logs
ServerRoot "$A"
ServerName 127.0.0.1
DefaultRuntimeDir "$A/run"
PidFile "$A/run/httpd.pid"
ErrorLog "$A/logs/error.log"
LogLevel warn
$user_lines

LoadModule mpm_event_module $MODULES/mod_mpm_event.so
LoadModule authz_core_module $MODULES/mod_authz_core.so
LoadModule mime_module $MODULES/mod_mime.so
LoadModule alias_module $MODULES/mod_alias.so
LoadModule rewrite_module $MODULES/mod_rewrite.so
$fcgid_lines
LoadModule proxy_module $MODULES/mod_proxy.so
LoadModule proxy_fcgi_module $MODULES/mod_proxy_fcgi.so
LoadModule socache_shmcb_module $MODULES/mod_socache_shmcb.so
LoadModule ssl_module $MODULES/mod_ssl.so
# mod_version, mod_log_config and mod_unixd are built into Debian's apache2.

TypesConfig /etc/mime.types
LogFormat "%h %l %u %t \"%r\" %>s %b" common
CustomLog "$A/logs/access.log" common
SSLSessionCache "shmcb:$A/run/ssl_scache(512000)"

Listen 127.0.0.1:$P_ROOT
Listen 127.0.0.1:$P_SUB
Listen 127.0.0.1:$P_FCGID
Listen 127.0.0.1:$P_FCGID_HTTP
Listen 127.0.0.1:$P_PROXY
Listen 127.0.0.1:$P_PROXY_HTTP

<Directory />
    Options None
    AllowOverride None
    Require all denied
</Directory>

# Shared hosting, as cPanel-style hosts set up a user's site: .htaccess may change
# anything, symbolic links only if owned alike, and no ExecCGI unless asked for.
<Directory "$A/site-root">
    Options SymLinksIfOwnerMatch
    AllowOverride All
    Require all granted
</Directory>
<Directory "$A/site-sub">
    Options SymLinksIfOwnerMatch
    AllowOverride All
    Require all granted
</Directory>
<Directory "$A/home-user/public_html">
    Options SymLinksIfOwnerMatch
    AllowOverride All
    Require all granted
</Directory>
<VirtualHost 127.0.0.1:$P_ROOT>
    DocumentRoot "$A/site-root"
</VirtualHost>
<VirtualHost 127.0.0.1:$P_SUB>
    DocumentRoot "$A/site-sub"
    Alias "/~user" "$A/home-user/public_html"
</VirtualHost>

$vhost_lines
EOF
}
write_conf fcgid

check "the generated configuration is valid (apache2 -t)" apache2 -f "$CONF" -t
poll "$DEPLOY_TIMEOUT" test -S "$PROXY_SOCK" || { show_log "$A/logs/proxy-responder.log"; die "the mod_proxy_fcgi responder did not create $PROXY_SOCK"; }
apache2 -f "$CONF" -k start || { show_log "$A/logs/error.log"; die "apache2 did not start"; }
health_ok() { [ "$(status_of "$1")" = 200 ]; }
if ! poll "$DEPLOY_TIMEOUT" health_ok "http://127.0.0.1:$P_SUB/drop/health"; then
    show_log "$A/logs/error.log" 40
    die "http://127.0.0.1:$P_SUB/drop/health did not answer 200 within ${DEPLOY_TIMEOUT}s"
fi
say "Apache $(apache2 -v | sed -n 's/^Server version: //p') on 127.0.0.1:$P_ROOT-$P_PROXY_HTTP"

# ------------------------------------------------------------ the flows

flow "shared hosting, site root" "http://127.0.0.1:$P_ROOT"
flow "shared hosting, sub-folder /drop/" "http://127.0.0.1:$P_SUB/drop"
flow "shared hosting, /~user/drop/ (an Alias)" "http://127.0.0.1:$P_SUB/~user/drop"
flow "shared hosting, Authorization by the rewrite only" "http://127.0.0.1:$P_SUB/drop-rewrite-only"
flow "shared hosting, Authorization by CGIPassAuth only" "http://127.0.0.1:$P_SUB/drop-cgipassauth-only"
flow "vhost mod_fcgid (TLS)" "https://127.0.0.1:$P_FCGID" --ca "$A/tls/cert.pem"
flow "vhost mod_proxy_fcgi (TLS)" "https://127.0.0.1:$P_PROXY" --ca "$A/tls/cert.pem"

# ------------------------------------------------------------ the sender page

# The link /register returns, opened in headless Chromium (scripts/browser-test.sh
# --quick): the page, its files and the send all through htaccess.example as it is,
# in a sub-folder, by relative URLs.
sender_page() {
    local url=$1 name=$2 log=$A/logs/browser-$2.log status
    "$REPO/scripts/browser-test.sh" "$url" "$A/screenshots/$name" --quick --name "$TEST_NAME: sender page, $name" \
        >"$log" 2>&1
    status=$?
    count_results <"$log"
    [ "$status" -eq 0 ] || grep -q '^FAIL:' "$log" || { fail "sender page, $name: scripts/browser-test.sh exited $status"; tail -n 20 "$log"; }
}
sender_page "http://127.0.0.1:$P_SUB/drop" sub-folder

# ------------------------------------------------------------ nothing else is served

# not_served URL MARKER [curl options]: the answer is a refusal or SealDrop's JSON
# 404, and does not carry MARKER (a piece of the file's content).
not_served() {
    local url=$1 marker=$2 body code
    shift 2
    body=$(mktemp)
    code=$(curl -s -o "$body" -w '%{http_code}' --max-time 10 "$@" "$url") || true
    if [ "$code" != 403 ] && [ "$code" != 404 ]; then
        echo "$url answered $code"; rm -f "$body"; return 1
    fi
    if grep -qaF -- "$marker" "$body"; then
        echo "$url gave the file away"; rm -f "$body"; return 1
    fi
    rm -f "$body"
    echo "$url: $code"
}
for base in "http://127.0.0.1:$P_ROOT" "http://127.0.0.1:$P_SUB/drop" "http://127.0.0.1:$P_SUB/~user/drop"; do
    check "$base/.env is not downloadable" not_served "$base/.env" "DB_PASSWORD"
    check "$base/schema.sql is not downloadable" not_served "$base/schema.sql" "CREATE TABLE"
    check "$base/.htaccess is not downloadable" not_served "$base/.htaccess" "RewriteEngine"
    check "$base/sealdrop.fcgi is not downloadable" not_served "$base/sealdrop.fcgi" $'\x7fELF'
    check "$base/index.html (any other file) is not served" not_served "$base/index.html" "not-for-the-web"
    check "$base/ lists nothing" not_served "$base/" "Index of"
done
check "https://127.0.0.1:$P_FCGID/sealdrop.fcgi is not downloadable (vhost mod_fcgid)" \
    not_served "https://127.0.0.1:$P_FCGID/sealdrop.fcgi" $'\x7fELF' --cacert "$A/tls/cert.pem"

redirects() {
    local headers
    headers=$(curl -s -o /dev/null -D - --max-time 10 "$1") || return 1
    grep -q '^HTTP/1.1 301' <<<"$headers" && grep -qi '^Location: https://drop.example.org/' <<<"$headers"
}
check "the mod_fcgid site's port 80 redirects to https" redirects "http://127.0.0.1:$P_FCGID_HTTP/register"
check "the mod_proxy_fcgi site's port 80 redirects to https" redirects "http://127.0.0.1:$P_PROXY_HTTP/register"

# A TRACE is never echoed back with its headers: the TLS vhosts refuse it (TraceEnable
# Off), the port-80 ones redirect it as they redirect everything.
trace_answered() {
    local expected=$1 url code
    shift
    for url in "$@"; do
        code=$(curl -s -o "$A/trace.body" -w '%{http_code}' --max-time 10 --cacert "$A/tls/cert.pem" -X TRACE \
            -H 'Authorization: Bearer trace-echo-probe' "$url") || return 1
        [ "$code" = "$expected" ] && ! grep -q trace-echo-probe "$A/trace.body" \
            || { echo "$url: $code"; cat "$A/trace.body"; return 1; }
    done
}
check "the TLS vhosts refuse TRACE (405, nothing echoed)" trace_answered 405 \
    "https://127.0.0.1:$P_FCGID/health" "https://127.0.0.1:$P_PROXY/health"
check "the port-80 vhosts redirect TRACE (301, nothing echoed)" trace_answered 301 \
    "http://127.0.0.1:$P_FCGID_HTTP/health" "http://127.0.0.1:$P_PROXY_HTTP/health"

# ------------------------------------------------------------ upgrade under load

# The README's upgrade on shared hosting: upload the new binary beside the old one,
# then rename it over the old one (a rename, never an overwrite in place: a running
# binary cannot be overwritten). mod_fcgid notices the new file and starts new
# processes with it; requests in flight finish on the old ones.
upgrade_under_load() {
    local dir=$A/site-sub/drop ready=$A/run/load-ready load_pid result
    rm -f "$ready"
    "$PYTHON" "$REPO/Tests/deploy/load.py" "http://127.0.0.1:$P_SUB/drop/health" 6 --ready "$ready" \
        >"$A/run/load.out" 2>&1 &
    load_pid=$!
    poll 15 test -e "$ready" || { kill "$load_pid" 2>/dev/null; echo "the load never got an answer"; return 1; }
    cp "$SEALDROP_PORTABLE_BIN" "$dir/sealdrop.fcgi.new"
    chmod 0755 "$dir/sealdrop.fcgi.new"
    $IS_ROOT && chown "$WEB_USER:$WEB_USER" "$dir/sealdrop.fcgi.new"
    local old_inode new_inode
    old_inode=$(stat -c %i "$dir/sealdrop.fcgi")
    mv -f "$dir/sealdrop.fcgi.new" "$dir/sealdrop.fcgi"
    new_inode=$(stat -c %i "$dir/sealdrop.fcgi")
    wait "$load_pid"
    result=$?
    cat "$A/run/load.out"
    [ "$old_inode" != "$new_inode" ] || { echo "the rename did not replace the file"; return 1; }
    # A process of the new file serves now.
    local pid served=false
    for pid in $(pgrep -f "^$dir/sealdrop.fcgi" || true); do
        [ "$(stat -L -c %i "/proc/$pid/exe" 2>/dev/null)" = "$new_inode" ] && served=true
    done
    $served || { echo "no responder process runs the new file"; return 1; }
    return "$result"
}
check "replacing sealdrop.fcgi under load drops no request (mod_fcgid)" upgrade_under_load

# ------------------------------------------------------------ CGI fallback

apache_stop() {
    local pid
    pid=$(cat "$A/run/httpd.pid" 2>/dev/null) || return 0
    apache2 -f "$CONF" -k stop >/dev/null 2>&1 || true
    poll "$DEPLOY_TIMEOUT" gone "$pid" || { kill -KILL "$pid" 2>/dev/null || true; }
}
check_error_log() {
    if grep -qE '\[(core|fcgid|cgid|proxy_fcgi|rewrite):(error|crit|alert|emerg)\]' "$A/logs/error.log"; then
        fail "Apache's error log has errors ($1)"
        grep -E '\[(core|fcgid|cgid|proxy_fcgi|rewrite):(error|crit|alert|emerg)\]' "$A/logs/error.log" | tail -n 10 | sed 's/^/    /'
    else
        pass "Apache's error log has no errors ($1)"
    fi
}
check_error_log "mod_fcgid"
apache_stop
mv "$A/logs/error.log" "$A/logs/error-fcgid.log"
write_conf cgi
check "the configuration without mod_fcgid is valid (apache2 -t)" apache2 -f "$CONF" -t
apache2 -f "$CONF" -k start || { show_log "$A/logs/error.log"; die "apache2 (CGI) did not start"; }
poll "$DEPLOY_TIMEOUT" health_ok "http://127.0.0.1:$P_SUB/drop/health" \
    || { show_log "$A/logs/error.log" 40; die "no 200 from /drop/health with CGI"; }
flow "shared hosting without mod_fcgid (CGI), sub-folder /drop/" "http://127.0.0.1:$P_SUB/drop"
check "http://127.0.0.1:$P_SUB/drop/.env is not downloadable (CGI)" not_served "http://127.0.0.1:$P_SUB/drop/.env" "DB_PASSWORD"
check_error_log "CGI"

summary

