#!/usr/bin/env bash
# Differential test: `nettracer voip --json` RTP streams equal
# `tshark -q -z rtp,streams` (source, ports, SSRC, packets, lost, max and
# mean jitter, first and last time) on the recorded calls; and the calls
# (state, final code, BYE frame) are what the captures hold.
set -u
NT=${1:?usage: tshark_voip.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/lib/tshark.sh"
C=$SRC/tests/captures
fail=0; runs=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for c in sip_call sip_nobye sip_tcp; do
    runs=$((runs + 1))
    tshark -r "$C/$c.pcap" "${DISABLE[@]}" -q -z rtp,streams 2>/dev/null | python3 -c '
import re, sys
for l in sys.stdin:
    m = re.match(r"\s*([\d.]+)\s+([\d.]+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(0x[0-9A-F]+)\s+.*?\s(\d+)\s+(-?\d+) \(.*?\)\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S+)\s+(\S+)", l)
    if m:
        g = m.groups()
        print("\t".join([g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[10], g[9], g[0], g[1]]))
' | sort >"$tmp/ws"
    "$NT" voip --json "$C/$c.pcap" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l, parse_float=str)
    if o["type"] != "stream": continue
    print("\t".join(str(o[k]) for k in ("src", "src_port", "dst", "dst_port", "ssrc", "packets", "lost",
                                       "max_jitter_ms", "mean_jitter_ms", "first", "last")))
' | sort >"$tmp/nt"
    if [ ! -s "$tmp/ws" ] || ! diff "$tmp/ws" "$tmp/nt" >"$tmp/d"; then
        fail=$((fail + 1))
        echo "DIFFERENT: $c (src sport dst dport ssrc packets lost max-jitter mean-jitter first last; < tshark)"
        sed 's/^/  /' "$tmp/d"
    fi
done
# the calls: state, final answer, BYE
check() {
    local f=$1 want=$2 got
    got=$("$NT" voip --json "$C/$f.pcap" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["type"] == "call":
        print(o["state"], o["final_code"], "bye" if o["bye_frame"] else "nobye", "diag" if o["ms_diagnostics"] else "")' | head -1)
    runs=$((runs + 1))
    if [ "$got" != "$want" ]; then echo "DIFFERENT: $f call: got '$got', want '$want'"; fail=$((fail + 1)); fi
}
check sip_call "COMPLETED 200 bye "
check sip_nobye "IN CALL 200 nobye "
check sip_error "REJECTED 488 nobye diag"
check sip_tcp "COMPLETED 200 bye "
"$NT" voip "$C/http4.pcap" >/dev/null; rc=$?
runs=$((runs + 1)); [ $rc -eq 1 ] || { echo "DIFFERENT: a trace without calls: exit $rc, want 1"; fail=$((fail + 1)); }
echo "tshark_voip: $runs checks, $fail differ"
[ "$fail" -eq 0 ]
