#!/usr/bin/env bash
# Scenario: `nettracer dns` against dnsmasq in a network namespace (A,
# AAAA, SRV order and a '.' target, TXT, MX, PTR, NXDOMAIN, a truncated
# answer that forces TCP, an address that never answers, a closed port),
# every answer cross-checked with dig and kdig +json; bad arguments.
# Skips (77) without root, network namespaces, dnsmasq, dig or kdig.
set -u
NT=${1:?usage: dns.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "needs root for network namespaces"; exit 77; }
for p in dnsmasq dig kdig iptables python3; do
    command -v $p >/dev/null || { echo "$p not installed"; exit 77; }
done
NT_TAG=nt7d$$
ip netns add "${NT_TAG}p" 2>/dev/null || { echo "cannot create network namespaces"; exit 77; }
ip netns del "${NT_TAG}p"
. "$SRC/tests/lib/dns_env.sh"
cleanup() { dns_env_down; rm -rf "/etc/netns/$DNS_C"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
dns_env_up || { echo "setup failed"; exit 1; }

fail=0
bad() { echo "FAIL: $*"; fail=1; }
C() { ip netns exec "$DNS_C" "$@"; }
out=$DNS_WORK/out err=$DNS_WORK/err
# run NAME TYPE [OPTS...]: nettracer dns into $out/$err, exit status in $rc
run() { C "$NT" dns "$@" >"$out" 2>"$err"; rc=$?; }
expect_rc() { [ "$rc" = "$1" ] || bad "$2: exit $rc, expected $1 (stderr: $(cat "$err"))"; }
has() { grep -qF -- "$2" "$1" || bad "missing '$2' in $(basename "$1"): $(head -c 600 "$1")"; }

# dig +short data in nettracer's form: no trailing dots; SRV as
# "prio weight target:port"; sorted, one per line.
dig_norm() {
    C dig +short +time=2 +tries=1 @"$DNS_SERVER" "$@" 2>/dev/null | python3 -c '
import sys
for l in sys.stdin:
    f = l.split()
    if len(f) == 4 and f[0].isdigit() and f[2].isdigit(): print("%s %s %s:%s" % (f[0], f[1], f[3].rstrip("."), f[2]))
    else: print(l.strip().rstrip(".") if not l.startswith("\"") else l.strip())' | sort
}
kdig_norm() {
    C kdig +json +time=2 +retry=0 @"$DNS_SERVER" "$@" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
for r in d.get("answerRRs", []):
    v = [x for k, x in r.items() if k.startswith("rdata")][0]
    f = v.split()
    if r["TYPEname"] == "SRV": print("%s %s %s:%s" % (f[0], f[1], f[3].rstrip("."), f[2]))
    elif r["TYPEname"] in ("CNAME", "NS", "PTR"): print(v.rstrip("."))
    elif r["TYPEname"] == "MX": print("%s %s" % (f[0], f[1].rstrip(".")))
    else: print(v)' | sort
}
nt_data() { C "$NT" dns --json --server "$DNS_SERVER" "$@" | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["type"] == "rr" and r["section"] == "answer": print(r["data"])' | sort; }

for q in "sip.contoso.test A" "sip.contoso.test AAAA" "_sip._tls.contoso.test SRV" "contoso.test TXT" \
         "contoso.test MX" "big.contoso.test TXT"; do
    # shellcheck disable=SC2086
    n=$(nt_data $q); d=$(dig_norm $q); k=$(kdig_norm $q)
    [ -n "$n" ] || bad "$q: no answer data"
    [ "$n" = "$d" ] || bad "$q: nettracer and dig differ:"$'\n'"$n"$'\n'"--- dig:"$'\n'"$d"
    [ "$n" = "$k" ] || bad "$q: nettracer and kdig differ:"$'\n'"$n"$'\n'"--- kdig:"$'\n'"$k"
done

# A: text output, exit 0, the authoritative-cache sentence
run --server "$DNS_SERVER" sip.contoso.test
expect_rc 0 "A"
has "$out" "Server:  10.77.1.1:53 (UDP, from --server)"
has "$out" "sip.contoso.test  300  A  10.77.1.10"
has "$out" "Status:  NOERROR (No error); flags: qr aa rd ra"
has "$out" "the local stub cache was bypassed"

# SRV: lowest priority first, then the larger weight; --short is target:port
run --server "$DNS_SERVER" --short _sip._tls.contoso.test SRV
expect_rc 0 "SRV"
[ "$(cat "$out")" = $'sip3.contoso.test:443\nsip2.contoso.test:5061\nsip.contoso.test:5061' ] ||
    bad "SRV order: $(cat "$out")"
# a '.' target: the service is decidedly not available, exit 1
run --server "$DNS_SERVER" _sipfederationtls._tcp.contoso.test SRV
expect_rc 1 "SRV ."
has "$out" "decidedly not available"
has "$err" "decidedly not available"

# NXDOMAIN: exit 1, rcode name and Windows number; dig agrees on the status
run --server "$DNS_SERVER" nope.contoso.test
expect_rc 1 "NXDOMAIN"
has "$out" "Status:  NXDOMAIN (No such name), Windows 9003 DNS_ERROR_RCODE_NAME_ERROR"
has "$err" "NXDOMAIN (No such name), Windows error 9003 DNS_ERROR_RCODE_NAME_ERROR"
C dig +time=2 +tries=1 @"$DNS_SERVER" nope.contoso.test | grep -q "status: NXDOMAIN" || bad "dig does not see NXDOMAIN"
# an empty answer (NOERROR, no AAAA): exit 1
run --server "$DNS_SERVER" meet.contoso.test AAAA
expect_rc 1 "NODATA"
has "$err" "no AAAA record (NOERROR with an empty answer"

# truncation: UDP answer has TC, asked again over TCP
run --server "$DNS_SERVER" --json big.contoso.test TXT
expect_rc 0 "big TXT"
has "$out" '"transport":"tcp","tcp_after_truncation":true'
run --server "$DNS_SERVER" big.contoso.test TXT
has "$out" "(over TCP: the UDP answer was truncated)"
grep -q "big.contoso.test.*TC" "$DNS_WORK/dnsmasq.log" 2>/dev/null || true
run --server "$DNS_SERVER" --tcp contoso.test MX
expect_rc 0 "--tcp"
has "$out" "(TCP, from --server)"

# --norecurse against the authoritative server: no cache at all
run --server "$DNS_SERVER" --norecurse sip.contoso.test
expect_rc 0 "--norecurse"
has "$out" "recursion not desired"
has "$out" "Cache:   none: a direct, non-recursive query answered authoritatively"

# -x: PTR of a host record, as dig -x
run --server "$DNS_SERVER" --short -x 10.77.1.10
expect_rc 0 "-x"
[ "$(cat "$out")" = "$(C dig +short @"$DNS_SERVER" -x 10.77.1.10 | sed 's/\.$//')" ] || bad "-x: $(cat "$out")"

# the first nameserver of resolv.conf (ip netns exec mounts /etc/netns/NS/*)
mkdir -p "/etc/netns/$DNS_C"
printf 'search example\nnameserver %s\nnameserver 10.77.1.3\n' "$DNS_SERVER" >"/etc/netns/$DNS_C/resolv.conf"
run sip.contoso.test
expect_rc 0 "resolv.conf"
has "$out" "Server:  10.77.1.1:53 (UDP, from /etc/resolv.conf)"

# an address that never answers: bounded tries, exit 1
run --server "$DNS_SILENT" --timeout 0.3 --tries 2 sip.contoso.test
expect_rc 1 "silent server"
has "$err" "no response from 10.77.1.2:53 over UDP after 2 tries of 300 ms each"
has "$err" "ERROR_TIMEOUT 1460"
run --server "$DNS_SILENT" --tcp --timeout 0.3 sip.contoso.test
expect_rc 1 "silent server TCP"
has "$err" "timed out after 300 ms (SYN unanswered)"
# a closed port: ICMP port unreachable, said as a refusal
run --server "$DNS_SERVER:5353" --timeout 1 sip.contoso.test
expect_rc 1 "closed port"
has "$err" "refused the query: an ICMP port unreachable came back"

# bad arguments: one line on stderr, exit 2
for args in "sip.contoso.test BOGUS" "--server 10.77.1.1:70000 x.test" "--server nohost x.test" "a..b" \
            "--timeout 0 x.test" "-x 300.1.1.1" "" "x.test A extra"; do
    # shellcheck disable=SC2086
    C "$NT" dns $args >"$out" 2>"$err"; rc=$?
    [ "$rc" = 2 ] || bad "'$args': exit $rc, expected 2"
    [ "$(wc -l <"$err")" = 1 ] || bad "'$args': stderr is not one line: $(cat "$err")"
    [ -s "$out" ] && bad "'$args': wrote to stdout"
done
exit $fail
