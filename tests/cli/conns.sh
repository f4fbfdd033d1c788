#!/usr/bin/env bash
# What `nettracer conns` and `nettracer markers` say about captures recorded
# from real programs: an unanswered connection (SYNs dropped by iptables), a
# refused one (closed port), normal HTTP fetches, a connection reset by the
# server, and ping markers around a fetch.
set -u
NT=${1:?usage: conns.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
C=$SRC/tests/captures
fails=0; n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# jget FILE STREAM KEY: a key of one connection from --json output
jget() { python3 -c "
import json,sys
for l in open('$1'):
    o=json.loads(l)
    if o.get('stream')==$2: print(o.get('$3')); break"; }
expect() { # description, actual, wanted
    n=$((n+1))
    [ "$2" = "$3" ] || { echo "FAIL $1: got '$2', want '$3'"; fails=$((fails+1)); }
}

"$NT" conns --json "$C/unanswered.pcap" > "$tmp/u" || { echo "FAIL conns unanswered exit"; fails=$((fails+1)); }
expect "unanswered outcome" "$(jget "$tmp/u" 0 outcome)" unanswered
expect "unanswered syns" "$(jget "$tmp/u" 0 syns)" 3
expect "unanswered state" "$(jget "$tmp/u" 0 conn_state)" S0
expect "unanswered end" "$(jget "$tmp/u" 0 end)" open
expect "unanswered v6 outcome" "$(jget "$tmp/u" 1 outcome)" unanswered
# the kernel retries the SYN after 1 s, then 2 s more
expect "unanswered intervals" "$(jget "$tmp/u" 0 syn_intervals | python3 -c 'import sys,ast; print([round(x) for x in ast.literal_eval(sys.stdin.read())])')" "[1, 2]"

"$NT" conns --json "$C/refused.pcap" > "$tmp/r"
expect "refused outcome" "$(jget "$tmp/r" 0 outcome)" refused
expect "refused state" "$(jget "$tmp/r" 0 conn_state)" REJ
expect "refused end" "$(jget "$tmp/r" 0 end)" reset
expect "refused by" "$(jget "$tmp/r" 0 end_by)" server
expect "refused ttl" "$(jget "$tmp/r" 0 reset_ttl)" 64
expect "refused v6" "$(jget "$tmp/r" 1 outcome)" refused

"$NT" conns --json "$C/http4.pcap" > "$tmp/h"
expect "http streams" "$(wc -l < "$tmp/h")" 2
expect "http outcome" "$(jget "$tmp/h" 0 outcome)" established
expect "http end" "$(jget "$tmp/h" 0 end)" fin
expect "http fin by" "$(jget "$tmp/h" 0 end_by)" client
expect "http state" "$(jget "$tmp/h" 0 conn_state)" SF
expect "http server port" "$(jget "$tmp/h" 1 server_port)" 80
expect "http request bytes" "$(jget "$tmp/h" 0 bytes_c2s)" \
    "$(tshark -r "$C/http4.pcap" -Y 'tcp.stream==0 and tcp.dstport==80' -T fields -e tcp.len 2>/dev/null | awk '{s+=$1} END {print s}')"
expect "http response bytes" "$(jget "$tmp/h" 0 bytes_s2c)" \
    "$(tshark -r "$C/http4.pcap" -Y 'tcp.stream==0 and tcp.srcport==80' -T fields -e tcp.len 2>/dev/null | awk '{s+=$1} END {print s}')"

"$NT" conns --json "$C/tcp_close.pcap" > "$tmp/c"
expect "reset end" "$(jget "$tmp/c" 0 end)" reset
expect "reset by" "$(jget "$tmp/c" 0 end_by)" server
expect "reset state" "$(jget "$tmp/c" 0 conn_state)" RSTR
expect "fin after reset" "$(jget "$tmp/c" 1 end)" fin

# the filter and the range restrict what is counted
"$NT" conns --json -Y 'tcp.stream == 1' "$C/http4.pcap" > "$tmp/f"
expect "filtered streams" "$(wc -l < "$tmp/f")" 1
"$NT" conns --json --range 1-16 "$C/http4.pcap" > "$tmp/g"
expect "ranged streams" "$(wc -l < "$tmp/g")" 1

# text output names the outcome in words
"$NT" conns "$C/refused.pcap" > "$tmp/t"
n=$((n+1)); grep -q 'refused .*reset by the server at frame 4 (TTL 64)' "$tmp/t" || { echo "FAIL text refused"; cat "$tmp/t"; fails=$((fails+1)); }

# markers: none here, a clear message and status 1
"$NT" markers "$C/http4.pcap" > "$tmp/m" 2> "$tmp/me"; rc=$?
expect "no markers status" "$rc" 1
n=$((n+1)); grep -q "no ping markers" "$tmp/me" || { echo "FAIL no-markers message"; fails=$((fails+1)); }
"$NT" show --between-markers 22,33 "$C/http4.pcap" > /dev/null 2> "$tmp/me"; rc=$?
expect "between-markers without markers" "$rc" 1
"$NT" show --between-markers 22 "$C/http4.pcap" > /dev/null 2> "$tmp/me"; rc=$?
expect "between-markers bad sizes" "$rc" 2
# markers with any two sizes: ping4.pcap has 56-byte pings only, so 56 as the start size and no end
"$NT" markers --sizes 56,57 --json "$C/ping4.pcap" > "$tmp/m" 2>/dev/null; rc=$?
expect "start markers only" "$rc" 1
expect "markers found" "$(grep -c '"type":"marker"' "$tmp/m")" 6

if [ -f "$C/markers.pcap" ]; then
    "$NT" markers --json "$C/markers.pcap" > "$tmp/mk"; rc=$?
    expect "markers status" "$rc" 0
    first=$(python3 -c "import json; print([json.loads(l) for l in open('$tmp/mk') if '\"range\"' in l][0]['first'])")
    last=$(python3 -c "import json; print([json.loads(l) for l in open('$tmp/mk') if '\"range\"' in l][0]['last'])")
    # the range starts after the 22-byte reply and ends before the 33-byte request
    sreply=$(tshark -r "$C/markers.pcap" -Y 'icmp.type==0 and ip.len==50' -T fields -e frame.number 2>/dev/null | head -1)
    ereq=$(tshark -r "$C/markers.pcap" -Y 'icmp.type==8 and ip.len==61' -T fields -e frame.number 2>/dev/null | head -1)
    expect "range first" "$first" "$((sreply + 1))"
    expect "range last" "$last" "$((ereq - 1))"
    # every trace command restricted to it
    got=$("$NT" show --no-header --between-markers 22,33 "$C/markers.pcap" | awk '{print $1}' | paste -sd' ')
    want=$(seq "$first" "$last" | paste -sd' ')
    expect "show between markers" "$got" "$want"
fi
# scenario captures recorded by record.sh (see tests/captures/README.md)
"$NT" conns --json "$C/fw_drop.pcap" > "$tmp/d"
expect "fw_drop outcome" "$(jget "$tmp/d" 0 outcome)" unanswered
expect "fw_drop syns" "$(jget "$tmp/d" 0 syns)" 4
expect "fw_drop intervals" "$(jget "$tmp/d" 0 syn_intervals | python3 -c 'import sys,ast; print([round(x) for x in ast.literal_eval(sys.stdin.read())])')" "[1, 2, 4]"
"$NT" conns --json "$C/fw_reject.pcap" > "$tmp/j"
expect "firewall reset" "$(jget "$tmp/j" 0 outcome)" refused
expect "closed port reset" "$(jget "$tmp/j" 1 outcome)" refused
expect "icmp reject" "$(jget "$tmp/j" 2 outcome)" refused
expect "icmp reject type" "$(jget "$tmp/j" 2 icmp_type)" 3
expect "icmp reject code" "$(jget "$tmp/j" 2 icmp_code)" 3
expect "icmpv6 reject code" "$(jget "$tmp/j" 5 icmp_code)" 4
"$NT" conns --json "$C/lost_ack.pcap" > "$tmp/l"
expect "lost ack outcome" "$(jget "$tmp/l" 0 outcome)" half-open
expect "lost ack synacks" "$(jget "$tmp/l" 0 synacks)" 3
"$NT" conns --json "$C/reuse.pcap" > "$tmp/re"
expect "reuse streams" "$(wc -l < "$tmp/re")" 2
expect "reuse same port" "$(jget "$tmp/re" 1 client_port)" "$(jget "$tmp/re" 0 client_port)"
"$NT" conns --json "$C/preexisting.pcap" > "$tmp/p"
expect "pre-existing" "$(jget "$tmp/p" 0 outcome)" pre-existing
expect "pre-existing state" "$(jget "$tmp/p" 0 conn_state)" OTH
"$NT" conns --json "$C/loss.pcap" > "$tmp/lo"
expect "loss retransmissions" "$(jget "$tmp/lo" 0 retransmissions_s2c)" \
    "$(tshark -r "$C/loss.pcap" -Y 'tcp.srcport==80 and (tcp.analysis.retransmission or tcp.analysis.spurious_retransmission)' 2>/dev/null | wc -l)"
expect "loss bytes" "$(jget "$tmp/lo" 0 bytes_s2c)" \
    "$(tshark -r "$C/loss.pcap" -Y 'tcp.srcport==80' -T fields -e tcp.len 2>/dev/null | awk '{s+=$1} END {print s}')"
"$NT" markers --json "$C/markers6.pcap" > "$tmp/m6"; rc=$?
expect "icmpv6 markers" "$rc" 0
expect "icmpv6 marker count" "$(grep -c '"type":"marker"' "$tmp/m6")" 4

echo "cli/conns: $((n-fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
