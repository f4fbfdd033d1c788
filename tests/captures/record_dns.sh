#!/bin/bash
# record_dns.sh OUTDIR: records OUTDIR/dns.pcap, dig talking to dnsmasq
# between two network namespaces this script creates and deletes
# (tests/lib/dns_env.sh: client 10.77.1.100, dnsmasq 10.77.1.1, a silent
# address 10.77.1.2 whose port 53 is dropped by iptables). Queries, in order:
#   1  sip.contoso.test A            (EDNS, as dig sends by default)
#   2  sip.contoso.test AAAA
#   3  _sip._tls.contoso.test SRV     (3 targets, A/AAAA in additional)
#   4  contoso.test TXT
#   5  contoso.test MX
#   6  nope.contoso.test A           -> NXDOMAIN
#   7  big.contoso.test TXT          (no EDNS: UDP answer truncated, TC set,
#                                     dig asks again over TCP)
#   8  sip.contoso.test A to 10.77.1.2, one try, never answered
# Needs root, iproute2, iptables, dnsmasq, dig (dnsutils), tcpdump.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "record_dns.sh: must run as root" >&2; exit 2; }
NT_TAG=nt7r$$
. "$HERE/../lib/dns_env.sh"
CAP_PID=
cleanup() {
    set +e
    if [ -n "$CAP_PID" ]; then kill -TERM "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; fi
    dns_env_down
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
dns_env_up
C() { ip netns exec "$DNS_C" "$@"; }
# ip netns exec execs tcpdump: $! is tcpdump itself, which writes its
# buffers out on SIGTERM (a background job ignores SIGINT)
ip netns exec "$DNS_C" tcpdump -i "${NT_TAG}a" -U -s 0 -w "$OUT/dns.pcap" port 53 2>"$DNS_WORK/tcpdump.err" &
CAP_PID=$!
for i in $(seq 50); do grep -q "listening on" "$DNS_WORK/tcpdump.err" && break; sleep 0.1; done
D="dig +time=2 +tries=1 @$DNS_SERVER"
C $D sip.contoso.test A >/dev/null
C $D sip.contoso.test AAAA >/dev/null
C $D _sip._tls.contoso.test SRV >/dev/null
C $D contoso.test TXT >/dev/null
C $D contoso.test MX >/dev/null
C $D nope.contoso.test A >/dev/null || true
C $D +noedns big.contoso.test TXT >/dev/null 2>&1
C dig +time=1 +tries=1 @"$DNS_SILENT" sip.contoso.test A >/dev/null 2>&1 || true
sleep 0.5
kill -TERM "$CAP_PID"
wait "$CAP_PID" || true
CAP_PID=
echo "recorded $OUT/dns.pcap"
