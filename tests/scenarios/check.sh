#!/usr/bin/env bash
# Scenario: `nettracer check` against nginx over TLS in a network namespace,
# with certificates made here by openssl (tests/lib/certs.sh): a correct one
# with SANs, a wildcard, a partial wildcard and a CN-only certificate (loose
# matches), the wrong name (CN=Default Web Site), an expired one, one about
# to expire, a chain missing its intermediate, a client-certificate request;
# a closed port (refused) and a port whose SYNs iptables drops (timed out);
# names from the namespace's hosts file; the lync profile with dnsmasq
# serving its SRV records. Asserts what is printed and the exit status.
# Skips (77) without root, network namespaces, nginx, dnsmasq or openssl.
set -u
NT=${1:?usage: check.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "needs root for network namespaces"; exit 77; }
for p in nginx dnsmasq dig openssl iptables; do
    command -v $p >/dev/null || { echo "$p not installed"; exit 77; }
done
NT_TAG=nt7k$$
ip netns add "${NT_TAG}p" 2>/dev/null || { echo "cannot create network namespaces"; exit 77; }
ip netns del "${NT_TAG}p"
. "$SRC/tests/lib/dns_env.sh"
. "$SRC/tests/lib/certs.sh"
NGINX_PID=
cleanup() {
    if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; fi
    dns_env_down
    rm -rf "/etc/netns/$DNS_C"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
dns_env_up || { echo "setup failed"; exit 1; }
P=$DNS_WORK/pki
make_test_pki "$P" || { echo "openssl could not make the certificates"; exit 1; }

# nginx: one TLS server per certificate case, all on 10.77.1.1
srv() { # PORT CERTFILE KEYNAME [EXTRA]
    printf '  server { listen %s:%s ssl; ssl_certificate %s; ssl_certificate_key %s/%s.key; %s location / { return 200 "ok\\n"; } }\n' \
        "$DNS_SERVER" "$1" "$2" "$P" "$3" "${4:-}"
}
{
    echo "user root; worker_processes 1; daemon off; pid $DNS_WORK/nginx.pid; error_log $DNS_WORK/nginx.err;"
    echo "events { worker_connections 64; }"
    echo "http { access_log off; ssl_protocols TLSv1.2 TLSv1.3;"
    srv 443 "$P/good-chain.pem" good
    srv 8443 "$P/wild-chain.pem" wild
    srv 8444 "$P/partial-chain.pem" partial
    srv 8445 "$P/cnonly-chain.pem" cnonly
    srv 8446 "$P/wrong-chain.pem" wrong
    srv 8447 "$P/expired-chain.pem" expired
    srv 8448 "$P/good.crt" good
    cat "$P/root.crt" "$P/inter.crt" >"$P/clientcas.pem"
    cat "$P/good-chain.pem" "$P/root.crt" >"$P/full.pem"
    srv 8449 "$P/good-chain.pem" good "ssl_verify_client optional; ssl_client_certificate $P/clientcas.pem;"
    srv 8450 "$P/soon-chain.pem" soon
    srv 8451 "$P/full.pem" good
    echo "}"
} >"$DNS_WORK/nginx.conf"
ip netns exec "$DNS_S" nginx -c "$DNS_WORK/nginx.conf" -e "$DNS_WORK/nginx.err" &
NGINX_PID=$!
ip netns exec "$DNS_S" iptables -A INPUT -d "$DNS_SERVER" -p tcp --dport 9998 -j DROP
for i in $(seq 50); do
    ip netns exec "$DNS_C" bash -c "echo >/dev/tcp/$DNS_SERVER/8450" 2>/dev/null && break
    sleep 0.1
done

# names from the hosts file (www is not in dnsmasq's zone): as the
# application resolves, a hosts entry wins
mkdir -p "/etc/netns/$DNS_C"
printf '127.0.0.1 localhost\n%s www.contoso.test contoso.test meet.contoso.test lyncdiscover.contoso.test w.contoso.test wx.contoso.test cn.contoso.test webext.contoso.test\n%s multi.contoso.test\n%s multi.contoso.test\n' \
    "$DNS_SERVER" "$DNS_SERVER" "$DNS_SILENT" >"/etc/netns/$DNS_C/hosts"
printf 'nameserver %s\n' "$DNS_SERVER" >"/etc/netns/$DNS_C/resolv.conf"
printf 'multi on\n' >"/etc/netns/$DNS_C/host.conf"

fail=0
bad() { echo "FAIL: $*"; fail=1; }
out=$DNS_WORK/out err=$DNS_WORK/err
run() { ip netns exec "$DNS_C" "$NT" check --ca-file "$P/root.crt" --timeout 2 "$@" >"$out" 2>"$err"; rc=$?; }
expect_rc() { [ "$rc" = "$1" ] || bad "$2: exit $rc, expected $1: $(cat "$out" "$err")"; }
has() { grep -qF -- "$2" "$1" || bad "missing '$2' in: $(cat "$1")"; }
hasnt() { grep -qF -- "$2" "$1" && bad "unexpected '$2' in: $(cat "$1")"; }

# a correct certificate, by URL, with --expect-name
run https://www.contoso.test/owa --expect-name contoso.test --expect-name 10.77.1.1
expect_rc 0 "good"
has "$out" "Resolve:   www.contoso.test -> 10.77.1.1 (1 address, system resolver"
has "$out" "Connect:   10.77.1.1:443 connected in"
has "$out" "SNI www.contoso.test"
has "$out" "TLSv1.3"
has "$out" "Certificate 0: CN=www.contoso.test"
has "$out" "  issuer:    O=nt7 test,CN=nt7 Test Intermediate CA"
has "$out" "  SANs:      DNS:www.contoso.test, DNS:contoso.test, DNS:lyncdiscover.contoso.test, IP:10.77.1.1"
has "$out" "  key:       RSA 2048 bits, signature sha256WithRSAEncryption"
has "$out" "Certificate 1: O=nt7 test,CN=nt7 Test Intermediate CA"
has "$out" "Verify:    OK against $P/root.crt (the server sent 2 certificates)"
has "$out" "Name:      www.contoso.test matches DNS:www.contoso.test (RFC 9525 rules)"
has "$out" "Name:      contoso.test matches DNS:contoso.test"
has "$out" "Name:      10.77.1.1 matches IP:10.77.1.1"
has "$out" "Verdict:   OK www.contoso.test:443"
grep -q "days left)" "$out" || bad "no days left"
# the same against the system store: the test root is not in it
ip netns exec "$DNS_C" "$NT" check --timeout 2 www.contoso.test >"$out" 2>&1; rc=$?
expect_rc 1 "system store"
has "$out" "Verify:    FAILED: unable to get local issuer certificate (OpenSSL 20)"
has "$out" "CERT_E_CHAINING 0x800B010A"
# a server that sends its root too: the untrusted root is named as such
cat "$P/good-chain.pem" "$P/root.crt" >"$P/full.pem"
ip netns exec "$DNS_C" "$NT" check --timeout 2 www.contoso.test:8451 >"$out" 2>&1; rc=$?
expect_rc 1 "untrusted root"
has "$out" "Verify:    FAILED: self-signed certificate in certificate chain (OpenSSL 19)"
has "$out" "CERT_E_UNTRUSTEDROOT 0x800B0109"

# wildcard: a whole-label wildcard is fine under RFC 9525
run meet.contoso.test:8443
expect_rc 0 "wildcard"
has "$out" "Name:      meet.contoso.test matches DNS:*.contoso.test (RFC 9525 rules)"
# partial wildcard and CN-only: loose matches are warnings, exit 0
run wx.contoso.test:8444
expect_rc 0 "partial wildcard"
has "$out" "matches DNS:w*.contoso.test only under older, looser rules: through a partial wildcard"
has "$out" "Verdict:   WARN wx.contoso.test:8444"
run cn.contoso.test:8445
expect_rc 0 "CN only"
has "$out" "SANs:      (none)"
has "$out" "through the subject CN, while the certificate has no DNS name in subjectAltName"
has "$out" "Verdict:   WARN"
# the wrong name: FAIL
run www.contoso.test:8446
expect_rc 1 "wrong name"
has "$out" "Certificate 0: CN=Default Web Site"
has "$out" "Name:      www.contoso.test does NOT match the certificate (subject CN=Default Web Site; SANs none)"
has "$out" "Verdict:   FAIL www.contoso.test:8446: the certificate is not valid for www.contoso.test"
# expired
run www.contoso.test:8447
expect_rc 1 "expired"
has "$out" "valid:     2020-01-01 00:00:00 UTC to 2021-01-01 00:00:00 UTC"
has "$out" "ago: EXPIRED"
has "$out" "Verify:    FAILED: certificate has expired (OpenSSL 10)"
has "$out" "CERT_E_EXPIRED 0x800B0101"
# about to expire: a warning
run www.contoso.test:8450
expect_rc 0 "soon"
has "$out" "Verdict:   WARN www.contoso.test:8450: the certificate expires in"
# the intermediate missing from the chain
run www.contoso.test:8448
expect_rc 1 "missing intermediate"
has "$out" "Verify:    FAILED: unable to get local issuer certificate (OpenSSL 20)"
has "$out" "the server did not send the intermediate certificate"
has "$out" "(the server sent 1 certificate)"
# a client-certificate request with its CA list
run www.contoso.test:8449
expect_rc 0 "client cert request"
has "$out" "client certificate requested: 2 acceptable CA names ("
# a closed port and a dropped one
run www.contoso.test:9999
expect_rc 1 "closed"
has "$out" "Connect:   connect to 10.77.1.1:9999 refused: a reset came back"
run --timeout 0.5 www.contoso.test:9998
expect_rc 1 "dropped"
has "$out" "Connect:   connect to 10.77.1.1:9998 timed out after 500 ms: the SYN was not answered"
# two addresses, one with nothing listening: an application tries the next;
# --all-addresses checks both
run multi.contoso.test --expect-name www.contoso.test
has "$out" "(2 addresses, system resolver"
run --all-addresses --no-tls multi.contoso.test
expect_rc 1 "--all-addresses"
has "$out" "Connect:   10.77.1.1:443 connected in"
has "$out" "Connect:   connect to 10.77.1.2:443 refused"
# -6: no IPv6 address in the hosts file for it
run -6 www.contoso.test
expect_rc 1 "-6"
has "$out" "cannot resolve www.contoso.test"
# several targets: exit 1 if any failed, one verdict each
run www.contoso.test www.contoso.test:9999 --json
expect_rc 1 "two targets"
[ "$(grep -c '"type":"check"' "$out")" = 2 ] || bad "two JSON records expected: $(cat "$out")"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$out" || bad "JSON does not parse"
has "$out" '"verdict":"ok"'
has "$out" '"connect":"refused"'
# an unresolvable name
run nosuch.contoso.test
expect_rc 1 "unresolvable"
has "$out" "cannot resolve nosuch.contoso.test: no such name"

# the lync profile: names not given are skipped; the meet URL on the
# wildcard certificate gets the wildcard advice; SRV records from dnsmasq
run --profile lync --set sipdomain=contoso.test --set meet=meet.contoso.test:8443
expect_rc 1 "lync profile"
has "$out" "== TEST 1: External web services: skipped: no web given (--set web=NAME)"
has "$out" "== TEST 3: Office Web Apps: skipped: no wac given"
has "$out" "== TEST 2: Meet URL: https://meet.contoso.test:8443/"
has "$out" "Advice:    Wildcard names in SAN are supported for meet, dialin and lyncdiscover URLs"
has "$out" "== TEST 4: Lyncdiscover: https://lyncdiscover.contoso.test/"
has "$out" "Verdict:   OK lyncdiscover.contoso.test:443"
has "$out" "SRV:       priority 5 weight 1 sip3.contoso.test:443"
has "$out" "Verdict:   OK _sip._tls.contoso.test SRV"
has "$out" "Verdict:   FAIL _sipfederationtls._tcp.contoso.test SRV: target '.'"
has "$out" "Note:      Make sure the subject name"

# bad arguments: one line, exit 2, nothing sent
for args in "host:0" "host:70000" "https://a%20b/" "ftp://host/" "[fe80::1" "host/path" \
            "--profile nosuch" "--profile lync --set bogus=1" "--timeout x host" ""; do
    # shellcheck disable=SC2086
    ip netns exec "$DNS_C" "$NT" check $args >"$out" 2>"$err"; rc=$?
    [ "$rc" = 2 ] || bad "'$args': exit $rc, expected 2"
    [ "$(wc -l <"$err")" = 1 ] || bad "'$args': stderr not one line: $(cat "$err")"
done
exit $fail
