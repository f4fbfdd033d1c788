#!/usr/bin/env bash
# `nettracer ews` against a local Autodiscover + EWS test server
# (tests/lib/ews_responder.py) behind nginx TLS in a network namespace, with
# dnsmasq for the names and the _autodiscover._tcp SRV record. Cases:
# success (after a 404 at https://DOMAIN), POX fallback, the HTTP redirect
# method (to https: followed; to http: refused), the SRV record, a DNS
# failure, an untrusted certificate (and --insecure said loudly), a wrong
# password (401), an answer without ExternalEwsUrl, an EWS SOAP fault, JSON
# output, the password never shown. NTLM: the responder serving TLS itself
# with NTLM verified by gss-ntlmssp (GSSAPI NTLMSSP; NTLM_USER_FILE): success
# with --auth ntlm and with the default, a wrong password, --auth basic
# against an NTLM-only server, a server offering Negotiate and NTLM.
# Negotiate: an MIT Kerberos KDC (krb5kdc) in the server namespace, a keytab
# for the responder's HTTP/ principals, kinit in the client namespace:
# --auth negotiate with the ticket and no --user, the default with a ticket,
# no ticket (401 with the kinit advice). The responder itself is cross-checked
# with Debian's python3-exchangelib (POX Autodiscover and GetUserOofSettings).
set -u
NT=${1:?usage: ews.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
for p in nginx dnsmasq openssl; do command -v $p >/dev/null || { echo "$p not installed"; exit 77; }; done
C_NS=nt8bec$$; S_NS=nt8bes$$
PW='Passw0rd!ews'
tmp=$(mktemp -d /tmp/nt8bews.XXXXXX)
cleanup() {
    [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
    [ -n "${DNS_PID:-}" ] && kill "$DNS_PID" 2>/dev/null
    for p in ${RESP_PID:-} ${NTLM_PID:-} ${NEGO_PID:-} ${KERB_PID:-} ${KDC_PID:-}; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    ip netns del "$C_NS" 2>/dev/null; ip netns del "$S_NS" 2>/dev/null
    # KEEP_LOGS=DIR keeps the servers' logs (responders, KDC) for debugging
    [ -n "${KEEP_LOGS:-}" ] && cp "$tmp"/*.log "$KEEP_LOGS"/ 2>/dev/null
    rm -rf "/etc/netns/$C_NS" "$tmp"
}
trap cleanup EXIT
fails=0; n=0
fail() { echo "FAIL $*"; fails=$((fails+1)); }

# ---- usage errors (no network)
n=$((n+1)); "$NT" ews >/dev/null 2>"$tmp/e"; [ $? -eq 2 ] && [ "$(wc -l < "$tmp/e")" -eq 1 ] || fail "no address: want one line, exit 2"
n=$((n+1)); "$NT" ews notanaddress >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad address: want exit 2"
n=$((n+1)); "$NT" ews --url http://x/ews a@b >/dev/null 2>&1; [ $? -eq 2 ] || fail "http --url: want exit 2"
n=$((n+1)); "$NT" ews --help | grep -q -- '--insecure' || fail "--help lacks --insecure"

# ---- network: client 10.88.2.1, server 10.88.2.2 (nginx 80/443, dnsmasq 53, responder 127.0.0.1:8081)
ip netns add "$C_NS" && ip netns add "$S_NS" || exit 77
ip link add "${C_NS}v" type veth peer name "${S_NS}v" || exit 77
ip link set "${C_NS}v" netns "$C_NS"; ip link set "${S_NS}v" netns "$S_NS"
ip -n "$C_NS" addr add 10.88.2.1/24 dev "${C_NS}v"; ip -n "$S_NS" addr add 10.88.2.2/24 dev "${S_NS}v"
for ns in "$C_NS" "$S_NS"; do ip -n "$ns" link set lo up; done
ip -n "$C_NS" link set "${C_NS}v" up; ip -n "$S_NS" link set "${S_NS}v" up
mkdir -p "/etc/netns/$C_NS"
echo "nameserver 10.88.2.2" > "/etc/netns/$C_NS/resolv.conf"
printf '127.0.0.1 localhost\n' > "/etc/netns/$C_NS/hosts"

# ---- certificates: a test CA and one server certificate for every name
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -subj "/CN=nettracer test CA" -days 2 >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout "$tmp/srv.key" -out "$tmp/srv.csr" -subj "/CN=mail.contoso.test" >/dev/null 2>&1
printf 'subjectAltName=DNS:contoso.test,DNS:autodiscover.contoso.test,DNS:mail.contoso.test,DNS:autodiscover.redir.test,DNS:autodiscover.good.test,DNS:ntlm.test,DNS:nego.test,DNS:autodiscover.ntlm.test,DNS:mail.ntlm.test,DNS:autodiscover.nego.test,DNS:mail.nego.test,DNS:kerb.test,DNS:autodiscover.kerb.test,DNS:mail.kerb.test\n' > "$tmp/san"
openssl x509 -req -in "$tmp/srv.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial -out "$tmp/srv.pem" \
    -days 2 -extfile "$tmp/san" >/dev/null 2>&1 || { echo "certificate set-up failed"; exit 1; }

# ---- dnsmasq: contoso.test and its subdomains, the redirect domains, an SRV-only domain; .test is local
ip netns exec "$S_NS" dnsmasq -k --no-resolv --no-hosts --listen-address=10.88.2.2 --bind-interfaces \
    --local=/test/ --address=/contoso.test/10.88.2.2 --host-record=autodiscover.redir.test,10.88.2.2 \
    --host-record=autodiscover.good.test,10.88.2.2 --address=/ntlm.test/10.88.2.3 --address=/nego.test/10.88.2.4 --address=/kerb.test/10.88.2.5 --srv-host=_autodiscover._tcp.srv.test,mail.contoso.test,443 \
    --pid-file="$tmp/dnsmasq.pid" --log-facility="$tmp/dnsmasq.log" 2>/dev/null &
DNS_PID=$!
ip netns exec "$S_NS" python3 "$SRC/tests/lib/ews_responder.py" 8081 "$PW" 2>"$tmp/responder.log" &
RESP_PID=$!
cat > "$tmp/nginx.conf" <<NGX
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events {}
http {
  access_log $tmp/nginx.access;
  client_body_temp_path $tmp; proxy_temp_path $tmp; fastcgi_temp_path $tmp; uwsgi_temp_path $tmp; scgi_temp_path $tmp;
  server {
    listen 10.88.2.2:443 ssl;
    server_name contoso.test autodiscover.contoso.test mail.contoso.test;
    ssl_certificate $tmp/srv.pem; ssl_certificate_key $tmp/srv.key;
    location / { proxy_pass http://127.0.0.1:8081; proxy_set_header Host \$host; proxy_http_version 1.1; }
  }
  server {
    listen 10.88.2.2:443 ssl default_server;
    ssl_certificate $tmp/srv.pem; ssl_certificate_key $tmp/srv.key;
    return 404;
  }
  server { listen 10.88.2.2:80; server_name autodiscover.redir.test;
           return 302 http://mail.redir.test/autodiscover/autodiscover.xml; }
  server { listen 10.88.2.2:80; server_name autodiscover.good.test;
           return 302 https://mail.contoso.test/autodiscover/autodiscover.xml; }
  server { listen 10.88.2.2:80 default_server; return 404; }
}
NGX
ip netns exec "$S_NS" nginx -c "$tmp/nginx.conf" -g 'daemon on;' 2>"$tmp/nginx.start" || { cat "$tmp/nginx.start"; exit 1; }
for i in $(seq 50); do
    ip netns exec "$S_NS" ss -ltn | grep -q '127.0.0.1:8081' && ip netns exec "$S_NS" ss -lun | grep -q '10.88.2.2:53' && break
    sleep 0.1
done
printf '%s\n' "$PW" > "$tmp/pw"; printf 'wrong\n' > "$tmp/badpw"
# NTLM: the responder serves TLS itself (NTLM needs one connection throughout)
# on 10.88.2.3 (offers NTLM) and 10.88.2.4 (offers Negotiate and NTLM)
NTLM=0
if /usr/bin/python3 -c 'import gssapi' 2>/dev/null && ls /usr/lib/*/gssntlmssp/gssntlmssp.so >/dev/null 2>&1; then
    NTLM=1
    printf 'CONTOSO:alice:%s\n' "$PW" > "$tmp/ntlm_users"
    ip -n "$S_NS" addr add 10.88.2.3/24 dev "${S_NS}v"; ip -n "$S_NS" addr add 10.88.2.4/24 dev "${S_NS}v"
    ip netns exec "$S_NS" env NTLM_USER_FILE="$tmp/ntlm_users" /usr/bin/python3 "$SRC/tests/lib/ews_responder.py" 443 "-" \
        --bind 10.88.2.3 --tls "$tmp/srv.pem" "$tmp/srv.key" --ews-url https://mail.ntlm.test/EWS/Exchange.asmx \
        --gss NTLM 2>"$tmp/ntlm.log" &
    NTLM_PID=$!
    ip netns exec "$S_NS" env NTLM_USER_FILE="$tmp/ntlm_users" /usr/bin/python3 "$SRC/tests/lib/ews_responder.py" 443 "-" \
        --bind 10.88.2.4 --tls "$tmp/srv.pem" "$tmp/srv.key" --ews-url https://mail.nego.test/EWS/Exchange.asmx \
        --gss Negotiate,NTLM 2>"$tmp/nego.log" &
    NEGO_PID=$!
    for i in $(seq 50); do ip netns exec "$S_NS" ss -ltn | grep -q '10.88.2.4:443' && break; sleep 0.1; done
else
    echo "python3-gssapi or gss-ntlmssp not installed: NTLM cases skipped"
fi

# run NAME WANT_RC ARGS...
run() {
    local name=$1 want=$2; shift 2
    n=$((n+1))
    ip netns exec "$C_NS" "$NT" ews --timeout 5 "$@" > "$tmp/$name.out" 2>&1
    local rc=$?
    [ "$rc" -eq "$want" ] || { fail "$name: exit $rc, want $want"; sed 's/^/    /' "$tmp/$name.out"; }
    n=$((n+1))
    ! grep -qF -- "$PW" "$tmp/$name.out" || fail "$name: the password appears in the output"
}
has() {
    n=$((n+1))
    grep -Eq -- "$2" "$tmp/$1.out" || { fail "$1: no line matching '$2'"; sed 's/^/    /' "$tmp/$1.out"; }
}
hasnot() {
    n=$((n+1))
    ! grep -Eq -- "$2" "$tmp/$1.out" || fail "$1: a line matches '$2'"
}
AUTH=(--user 'CONTOSO\alice' --password-file "$tmp/pw" --cacert "$tmp/ca.pem")

run ok 0 alice@contoso.test "${AUTH[@]}"
has ok 'Autodiscover \(SOAP\) POST https://contoso\.test/autodiscover/autodiscover\.svc: HTTP 404'
has ok 'Autodiscover \(POX\) POST https://contoso\.test/autodiscover/autodiscover\.xml: HTTP 404'
has ok 'Autodiscover \(SOAP\) POST https://autodiscover\.contoso\.test/autodiscover/autodiscover\.svc: HTTP 200'
has ok 'ExternalEwsUrl +https://mail\.contoso\.test/EWS/Exchange\.asmx'
has ok 'ExternalMailboxServer +mail\.contoso\.test'
has ok 'ExternalWebClientUrls +https://mail\.contoso\.test/owa/'
has ok 'ExternalUMUrl +\(not set\)'
has ok 'EWS POST https://mail\.contoso\.test/EWS/Exchange\.asmx: HTTP 200'
has ok '^=> Successfully retrieved OOF settings'
has ok 'OOF state: Enabled'
has ok 'I am out of the office until Monday'
has ok '^Result: EWS works'

run pox 0 pox@contoso.test "${AUTH[@]}"
has pox 'Autodiscover \(SOAP\) POST https://autodiscover\.contoso\.test/autodiscover/autodiscover\.svc: HTTP 404'
has pox 'Autodiscover \(POX\) POST https://autodiscover\.contoso\.test/autodiscover/autodiscover\.xml: HTTP 200'
has pox 'ExternalEcpUrl +https://mail\.contoso\.test/ecp/'
has pox 'OOF state: Enabled'

run redirect_ok 0 alice@good.test "${AUTH[@]}"
has redirect_ok 'Autodiscover redirect GET http://autodiscover\.good\.test/autodiscover/autodiscover\.xml: HTTP 302'
has redirect_ok 'redirected to https://mail\.contoso\.test/autodiscover/autodiscover\.xml'
has redirect_ok '^Result: EWS works'

run redirect_http 1 alice@redir.test "${AUTH[@]}"
has redirect_http 'redirect to http://mail\.redir\.test/autodiscover/autodiscover\.xml refused: not https'
has redirect_http '^Result: FAILED at Autodiscover'

run srv 0 alice@srv.test "${AUTH[@]}"
has srv 'DNS SRV _autodiscover\._tcp\.srv\.test: mail\.contoso\.test port 443'
has srv '^Result: EWS works'

run dns 1 alice@nxdomain.test "${AUTH[@]}"
has dns 'https://nxdomain\.test/autodiscover/autodiscover\.svc: .*resolve'
has dns 'DNS SRV: no SRV record _autodiscover\._tcp\.nxdomain\.test'
has dns 'Names did not resolve'
has dns '^Result: FAILED at Autodiscover'

run untrusted 1 alice@contoso.test --user 'CONTOSO\alice' --password-file "$tmp/pw"
has untrusted 'certificate'
has untrusted 'A server certificate was not trusted'
has untrusted '^Result: FAILED at Autodiscover'

run insecure 0 alice@contoso.test --user 'CONTOSO\alice' --password-file "$tmp/pw" --insecure
has insecure 'WARNING: --insecure: server certificates are NOT verified'

run badpw 1 alice@contoso.test --user 'CONTOSO\alice' --password-file "$tmp/badpw" --cacert "$tmp/ca.pem"
has badpw 'autodiscover\.svc: HTTP 401 Unauthorized'
has badpw 'the server refused the credentials'
has badpw 'check the user name \(DOMAIN\\user\) and password'
has badpw '^Result: FAILED at Autodiscover'

run nourl 1 nourl@contoso.test "${AUTH[@]}"
has nourl 'ExternalEwsUrl +\(not set\)'
has nourl 'gave no ExternalEwsUrl for nourl@contoso\.test'
has nourl '^Result: FAILED at Autodiscover'

run fault 1 fault@contoso.test "${AUTH[@]}"
has fault 'EWS POST https://mail\.contoso\.test/EWS/Exchange\.asmx: HTTP 500'
has fault 'EWS GetUserOofSettings failed: SOAP fault a:ErrorNonExistentMailbox: No mailbox with such guid\.'
has fault '^Result: FAILED at EWS GetUserOofSettings'

run json 0 alice@contoso.test "${AUTH[@]}" --json
n=$((n+1))
python3 - "$tmp/json.out" <<'PY' || fail "json: not JSON Lines with a final result"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
r = lines[-1]
assert r["type"] == "result" and r["ok"] is True and r["oof_state"] == "Enabled", r
assert r["ews_url"] == "https://mail.contoso.test/EWS/Exchange.asmx", r
assert any(l["type"] == "step" for l in lines)
PY

if [ "$NTLM" = 1 ]; then
    NAUTH=(--user 'CONTOSO\alice' --password-file "$tmp/pw" --cacert "$tmp/ca.pem")
    run ntlm_ok 0 alice@ntlm.test "${NAUTH[@]}" --auth ntlm
    has ntlm_ok 'Autodiscover \(SOAP\) POST https://ntlm\.test/autodiscover/autodiscover\.svc: HTTP 404'
    has ntlm_ok 'Autodiscover \(SOAP\) POST https://autodiscover\.ntlm\.test/autodiscover/autodiscover\.svc: HTTP 200'
    has ntlm_ok 'EWS POST https://mail\.ntlm\.test/EWS/Exchange\.asmx: HTTP 200'
    has ntlm_ok 'OOF state: Enabled'
    has ntlm_ok '^Result: EWS works'
    n=$((n+1)); grep -q '^NTLM user CONTOSO.alice' "$tmp/ntlm.log" || fail "ntlm_ok: gss-ntlmssp did not accept alice"
    run ntlm_any 0 alice@ntlm.test "${NAUTH[@]}"
    has ntlm_any '^Result: EWS works'
    printf 'Wr0ng-ntlm-pass\n' > "$tmp/badntlm"
    run ntlm_badpw 1 alice@ntlm.test --user 'CONTOSO\alice' --password-file "$tmp/badntlm" --cacert "$tmp/ca.pem" --auth ntlm
    has ntlm_badpw 'autodiscover\.ntlm\.test/autodiscover/autodiscover\.svc: HTTP 401 Unauthorized'
    has ntlm_badpw 'the server refused the credentials'
    has ntlm_badpw 'the server offers NTLM \(nettracer allows NTLM\)'
    has ntlm_badpw 'check the user name \(DOMAIN\\user\) and password'
    has ntlm_badpw '^Result: FAILED at Autodiscover'
    n=$((n+1)); ! grep -q 'Wr0ng-ntlm-pass' "$tmp/ntlm_badpw.out" || fail "ntlm_badpw: the password appears in the output"
    n=$((n+1)); grep -q '^NTLM refused' "$tmp/ntlm.log" || fail "ntlm_badpw: gss-ntlmssp did not refuse the wrong password"
    run ntlm_badpw_ews 1 alice@ntlm.test --user 'CONTOSO\alice' --password-file "$tmp/badntlm" --cacert "$tmp/ca.pem" \
        --url https://mail.ntlm.test/EWS/Exchange.asmx
    has ntlm_badpw_ews 'EWS POST https://mail\.ntlm\.test/EWS/Exchange\.asmx: HTTP 401 Unauthorized'
    has ntlm_badpw_ews 'EWS refused the credentials \(HTTP 401\)'
    has ntlm_badpw_ews 'the server offers NTLM'
    has ntlm_badpw_ews '^Result: FAILED at EWS GetUserOofSettings'
    n=$((n+1)); ! grep -q 'Wr0ng-ntlm-pass' "$tmp/ntlm_badpw_ews.out" || fail "ntlm_badpw_ews: the password appears in the output"
    run ntlm_basic 1 alice@ntlm.test "${NAUTH[@]}" --auth basic
    has ntlm_basic 'the server offers NTLM; --auth allows Basic: no method in common'
    has ntlm_basic '^Result: FAILED at Autodiscover'
    run ntlm_json 0 alice@ntlm.test "${NAUTH[@]}" --auth ntlm --json
    n=$((n+1))
    python3 - "$tmp/ntlm_json.out" <<'PY' || fail "ntlm_json: not the expected JSON Lines"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
r = lines[-1]
assert r["type"] == "result" and r["ok"] is True and r["ews_url"] == "https://mail.ntlm.test/EWS/Exchange.asmx", r
PY
    # Exchange's usual offer: Negotiate and NTLM; without a Kerberos ticket libcurl must still get in with NTLM
    run nego_any 0 alice@nego.test "${NAUTH[@]}"
    has nego_any '^Result: EWS works'
    has nego_any 'autodiscover\.nego\.test/autodiscover/autodiscover\.svc: Negotiate did not get in \(no Kerberos ticket for this server\?\): asked again without it'
    has nego_any 'EWS POST https://mail\.nego\.test/EWS/Exchange\.asmx: HTTP 200'
    run nego_ntlm 0 alice@nego.test "${NAUTH[@]}" --auth ntlm
    has nego_ntlm '^Result: EWS works'
    hasnot nego_ntlm 'Negotiate did not get in'
fi
n=$((n+1)); "$NT" ews --auth kerberos a@b.test >/dev/null 2>"$tmp/e"; [ $? -eq 2 ] && grep -q 'basic, ntlm, negotiate or any' "$tmp/e" || fail "--auth kerberos: want exit 2"

# ---- Negotiate with Kerberos: realm KERB.TEST, KDC 10.88.2.2:88, responder on 10.88.2.5 offering Negotiate only
if [ "$NTLM" = 1 ] && command -v krb5kdc >/dev/null && command -v kadmin.local >/dev/null && command -v kinit >/dev/null; then
    cat > "$tmp/krb5.conf" <<KRB
[libdefaults]
  default_realm = KERB.TEST
  dns_lookup_kdc = false
  dns_lookup_realm = false
  rdns = false
  dns_canonicalize_hostname = false
[realms]
  KERB.TEST = {
    kdc = 10.88.2.2:88
  }
[domain_realm]
  .kerb.test = KERB.TEST
KRB
    cat > "$tmp/kdc.conf" <<KRB
[kdcdefaults]
  kdc_ports = 88
  kdc_tcp_ports = 88
[realms]
  KERB.TEST = {
    database_name = $tmp/principal
    key_stash_file = $tmp/stash
    acl_file = $tmp/kadm5.acl
  }
[logging]
  kdc = FILE:$tmp/kdc.log
KRB
    K=(env KRB5_CONFIG="$tmp/krb5.conf" KRB5_KDC_PROFILE="$tmp/kdc.conf")
    "${K[@]}" kdb5_util create -s -r KERB.TEST -P "master-$$" >/dev/null 2>&1 &&
    "${K[@]}" kadmin.local -q "addprinc -pw $PW alice" >/dev/null 2>&1 &&
    for h in autodiscover.kerb.test mail.kerb.test; do
        "${K[@]}" kadmin.local -q "addprinc -randkey HTTP/$h" >/dev/null 2>&1 &&
        "${K[@]}" kadmin.local -q "ktadd -k $tmp/http.keytab HTTP/$h" >/dev/null 2>&1
    done || fail "Kerberos set-up (kdb5_util, kadmin.local) failed"
    ip netns exec "$S_NS" "${K[@]}" krb5kdc -n -P "$tmp/kdc.pid" 2>"$tmp/kdc.start" &
    KDC_PID=$!
    ip -n "$S_NS" addr add 10.88.2.5/24 dev "${S_NS}v"
    ip netns exec "$S_NS" "${K[@]}" KRB5_KTNAME="$tmp/http.keytab" /usr/bin/python3 "$SRC/tests/lib/ews_responder.py" 443 "-" \
        --bind 10.88.2.5 --tls "$tmp/srv.pem" "$tmp/srv.key" --ews-url https://mail.kerb.test/EWS/Exchange.asmx \
        --gss Negotiate 2>"$tmp/kerb.log" &
    KERB_PID=$!
    for i in $(seq 50); do
        ip netns exec "$S_NS" ss -ltn | grep -q '10.88.2.5:443' && ip netns exec "$S_NS" ss -lun | grep -q ':88 ' && break
        sleep 0.1
    done
    # the client's ticket: kinit reads the password from standard input
    ip netns exec "$C_NS" "${K[@]}" KRB5CCNAME="FILE:$tmp/cc" kinit alice < "$tmp/pw" >/dev/null 2>"$tmp/kinit.err" ||
        { fail "kinit alice failed"; cat "$tmp/kinit.err"; }
    KC=(env KRB5_CONFIG="$tmp/krb5.conf" KRB5CCNAME="FILE:$tmp/cc")
    krun() { # NAME WANT_RC ARGS...: nettracer ews with the Kerberos environment
        local name=$1 want=$2; shift 2
        n=$((n+1))
        ip netns exec "$C_NS" "${KC[@]}" "$NT" ews --timeout 5 "$@" > "$tmp/$name.out" 2>&1
        local rc=$?
        [ "$rc" -eq "$want" ] || { fail "$name: exit $rc, want $want"; sed 's/^/    /' "$tmp/$name.out"; }
        n=$((n+1)); ! grep -qF -- "$PW" "$tmp/$name.out" || fail "$name: the password appears in the output"
    }
    krun kerb_ok 0 alice@kerb.test --auth negotiate --cacert "$tmp/ca.pem"
    has kerb_ok 'Autodiscover \(SOAP\) POST https://autodiscover\.kerb\.test/autodiscover/autodiscover\.svc: HTTP 200'
    has kerb_ok 'EWS POST https://mail\.kerb\.test/EWS/Exchange\.asmx: HTTP 200'
    has kerb_ok '^Result: EWS works'
    n=$((n+1)); grep -q '^Negotiate user alice@KERB.TEST' "$tmp/kerb.log" || fail "kerb_ok: the responder did not accept alice's ticket"
    krun kerb_any 0 alice@kerb.test --user alice --password-file "$tmp/pw" --cacert "$tmp/ca.pem"
    has kerb_any '^Result: EWS works'
    KC=(env KRB5_CONFIG="$tmp/krb5.conf" KRB5CCNAME="FILE:$tmp/no-such-cache")
    krun kerb_noticket 1 alice@kerb.test --auth negotiate --cacert "$tmp/ca.pem"
    has kerb_noticket 'autodiscover\.kerb\.test/autodiscover/autodiscover\.svc: HTTP 401 Unauthorized'
    has kerb_noticket 'the server offers Negotiate \(nettracer allows Negotiate\)'
    has kerb_noticket 'Negotiate \(Kerberos\) needs a ticket .*kinit'
    has kerb_noticket '^Result: FAILED at Autodiscover'
else
    echo "Kerberos (krb5-kdc, krb5-admin-server, krb5-user) or GSS-API not installed: Negotiate cases skipped"
fi

# ---- the responder, checked by a client nobody here wrote
if /usr/bin/python3 -c 'import exchangelib' 2>/dev/null; then
    n=$((n+1))
    ip netns exec "$C_NS" env REQUESTS_CA_BUNDLE="$tmp/ca.pem" /usr/bin/python3 - "$PW" > "$tmp/exlib.out" 2>&1 <<'PY'
import sys
from exchangelib import Account, Credentials
from exchangelib.autodiscover import clear_cache
clear_cache()
a = Account("alice@contoso.test", credentials=Credentials("CONTOSO\\alice", sys.argv[1]), autodiscover=True)
print("ews_url", a.protocol.service_endpoint)
o = a.oof_settings
print("state", o.state)
print("external", o.external_reply)
PY
    [ $? -eq 0 ] || { fail "exchangelib could not use the test server"; sed 's/^/    /' "$tmp/exlib.out" | tail -15; }
    n=$((n+1)); grep -qx 'ews_url https://mail.contoso.test/EWS/Exchange.asmx' "$tmp/exlib.out" || fail "exchangelib: EWS URL"
    n=$((n+1)); grep -qx "state $(sed -n 's/.*OOF state: //p' "$tmp/ok.out")" "$tmp/exlib.out" || fail "exchangelib and nettracer disagree on the OOF state"
    n=$((n+1)); grep -qF "external $(grep -A1 'External OOF reply:' "$tmp/ok.out" | tail -1 | sed 's/^ *//')" "$tmp/exlib.out" ||
        fail "exchangelib and nettracer disagree on the external reply"
else
    echo "python3-exchangelib not installed: responder cross-check skipped"
fi

echo "ews: $n checks, $fails failed"
[ "$fails" -eq 0 ]
