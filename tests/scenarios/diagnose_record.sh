#!/usr/bin/env bash
# Scenario: record the diagnose captures afresh from real programs in network
# namespaces (tests/captures/record_diagnose.sh: a server that never answers,
# header and body written apart with Nagle on, slow answers, an idle gap, an
# address nobody has, checksum offload on the capturing host, DNS refused,
# a call without media, a future certificate, a renegotiation), then check
# that `nettracer diagnose` finds each problem on this machine's traffic,
# with evidence frames that tshark agrees with. Skips (77) without root or
# network namespaces.
set -u
NT=${1:?usage: diagnose_record.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "needs root for network namespaces"; exit 77; }
ip netns add "nt6probe$$" 2>/dev/null || { echo "cannot create network namespaces"; exit 77; }
ip netns del "nt6probe$$"

out=$(mktemp -d /tmp/nt6scen.XXXXXX)
trap 'rm -rf "$out"' EXIT
# record_diagnose.sh deletes its own namespaces on any exit
if ! timeout 120 bash "$SRC/tests/captures/record_diagnose.sh" "$out/c" > "$out/log" 2>&1; then
    echo "record_diagnose.sh failed:"; tail -20 "$out/log"; exit 1
fi
C=$out/c
fails=0; n=0
expect() { n=$((n+1)); [ "$2" = "$3" ] || { echo "FAIL $1: got '$2', want '$3'"; fails=$((fails+1)); }; }
# q CAPTURE CODE EXPR: a python expression on the first finding with CODE (f, v), or "none"
q() { "$NT" diagnose --json "$C/$1" | python3 -c "
import json, sys
fs = [json.loads(l) for l in sys.stdin if l.strip()]
fs = [f for f in fs if f['code'] == sys.argv[1]]
if not fs: print('none')
else:
    f = fs[0]; v = f['values']; print(eval(sys.argv[2]))" "$2" "$3"; }
ts() { tshark -r "$C/$1" -Y "$2" -T fields -e frame.number 2>/dev/null | head -1; }

expect "no-response" "$(q diag_noresp.pcap app.no-response "(f['severity'], round(v['waited_s']))")" "('error', 4)"
expect "no-response request" "$(q diag_noresp.pcap app.no-response "f['frames'][0]")" "$(ts diag_noresp.pcap 'tcp.dstport==8080 and tcp.len>0')"
expect "no-response ack" "$(q diag_noresp.pcap app.no-response "f['frames'][1]")" "$(ts diag_noresp.pcap 'tcp.srcport==8080 and tcp.len==0 and tcp.ack>1 and not tcp.flags.syn==1')"
expect "no-response close" "$(q diag_noresp.pcap app.no-response "f['frames'][2]")" "$(ts diag_noresp.pcap 'tcp.dstport==8080 and (tcp.flags.fin==1 or tcp.flags.reset==1)')"

expect "nagle" "$(q diag_nagle.pcap tcp.delayed-ack-nagle "(f['severity'], v['sender'], v['occurrences'] >= 10)")" "('warning', 'server', True)"
expect "nagle first small" "$(q diag_nagle.pcap tcp.delayed-ack-nagle "f['frames'][0]")" \
    "$(tshark -r "$C/diag_nagle.pcap" -Y 'tcp.dstport==7890 and tcp.len==0 and tcp.analysis.ack_rtt >= 0.03' -T fields -e tcp.analysis.acks_frame 2>/dev/null | head -1)"

expect "slow" "$(q diag_slow.pcap app.slow-response "(v['responses'], v['slow'], round(v['max_s'], 1))")" "(3, 3, 1.5)"
expect "idle" "$(q diag_idle.pcap app.idle-gap "(round(v['gap_s']), v['waiting'])")" "(11, 'server')"
expect "arp" "$(q diag_arp.pcap arp.unanswered "(v['target'], v['requests'] >= 1)")" "('10.66.5.99', True)"
expect "offload" "$(q diag_offload.pcap capture.checksum-offload "(v['host'], v['bad'])")" \
    "('10.66.6.1', $(tshark -r "$C/diag_offload.pcap" -o tcp.check_checksum:TRUE -Y 'tcp.checksum.status==0' 2>/dev/null | wc -l))"
expect "dns resolved elsewhere" "$(q diag_dns.pcap dns.resolved-elsewhere "v['name']")" portal.nettracer.test
expect "dns nxdomain" "$(q diag_dns.pcap dns.no-such-name "v['name']")" gone.nettracer.test
expect "dns no response" "$(q diag_dns.pcap dns.no-response "v['server']")" 10.66.7.3
expect "one-way media" "$(q diag_oneway.pcap sip.media-failed "(v['rtp_callee_to_caller'], v['rtp_caller_to_callee'] > 100)")" "(0, True)"
expect "stun no response" "$(q diag_stun.pcap stun.no-response "(v['requests'], v['tries'])")" "(1, 4)"
expect "no media" "$(q diag_nomedia.pcap sip.media-failed "(f['severity'], v['rtp_caller_to_callee'], v['rtp_callee_to_caller'])")" "('error', 0, 0)"
expect "dns refused" "$(q diag_dnsfail.pcap dns.server-failure "(v['rcode'], v['name'])")" "('REFUSED', 'www.example.test')"
expect "dns split tcp answer" "$("$NT" diagnose --json --dns-slow 0.000001 "$C/diag_dnsfail.pcap" | grep -c '"answers":4,')" 1
expect "not yet valid" "$(q diag_tls.pcap tls.cert-not-yet-valid "v['not_before']")" "2099-01-01 00:00:00"
expect "renegotiation" "$(q diag_tls.pcap tls.renegotiation "(v['initiator'], v['completed'])")" "('server', 'yes')"
# nothing else of warning severity in these captures
for c in diag_slow.pcap diag_idle.pcap diag_offload.pcap; do
    expect "only expected in $c" "$("$NT" diagnose --json "$C/$c" | python3 -c "
import json,sys
print(sorted(set(json.loads(l)['code'] for l in sys.stdin if json.loads(l)['severity'] != 'notice')))")" \
        "$(case $c in diag_slow.pcap) echo "['app.slow-response']";; *) echo "[]";; esac)"
done
echo "$((n - fails))/$n passed"
[ "$fails" = 0 ]
