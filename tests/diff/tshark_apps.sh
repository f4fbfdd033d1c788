#!/usr/bin/env bash
# Differential test of the application-protocol parsers (src/proto sip, sdp,
# rtp, dhcp, nbns, tpkt): on the captures that record_apps.sh made, the
# Protocol and Info columns and the fields below equal tshark 4.0's.
#
# tshark runs as the oracle of tests/lib/tshark.sh (every protocol nettracer
# does not decode switched off) with these enabled as well:
#   sip sdp rtp rtcp dhcp nbns tpkt cotp rdp
# SIP is on UDP/TCP 5060 and NBNS on 137, DHCP on 67/68, TPKT on 3389 by
# tshark's own port tables; RTP/RTCP flows are the ones the SDP bodies
# announce (Wireshark's SDP conversations). A second pass switches SIP off
# and finds RTP/RTCP by heuristics instead:
#   tshark --disable-protocol=sip --enable-heuristic rtp_udp --enable-heuristic rtcp_udp
# against `app_oracle --rtp-heuristic --no-sip`.
#
# Our side is tests/unit/app_oracle (NT_APP_ORACLE, or next to the nettracer
# binary given as $1), which prints the same columns from the parsers until
# the nettracer binary shows these protocols.
#
# A third pass compares the RTP stream statistics of nt_rtp_stats (packets,
# lost, max and mean jitter, first and last time per stream) with
# `tshark -q -z rtp,streams` on the recorded calls.
#
# Not compared: sdp.media.format (tshark lists the m= formats by name and
# then every rtpmap/fmtp payload number again).
set -u
NT=${1:?usage: tshark_apps.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/lib/tshark.sh"
ORACLE=${NT_APP_ORACLE:-$(dirname "$NT")/app_oracle}
[ -x "$ORACLE" ] || { echo "app_oracle not built ($ORACLE)"; exit 77; }

APPS="sip sdp rtp rtcp dhcp nbns tpkt cotp rdp"
mapfile -t DISABLE < <(tshark -G protocols 2>/dev/null | awk -F'\t' '{print $3}' |
    grep -vxF -f <(tr ' ' '\n' <<<"$TSHARK_ENABLED $APPS") | sed 's/^/--disable-protocol=/')

FIELDS="sip.Method sip.Status-Code sip.Call-ID sip.CSeq.method sip.CSeq.seq sip.from.user
 sip.to.user sip.from.tag sip.to.tag sip.r-uri sip.Via sip.Contact sip.Content-Type sip.Content-Length
 sdp.connection_info.address sdp.media.port sdp.media.media sdp.media.proto
 rtp.version rtp.padding rtp.ext rtp.cc rtp.ssrc rtp.seq rtp.p_type rtp.timestamp rtp.marker
 rtcp.version rtcp.pt rtcp.length rtcp.senderssrc
 dhcp.type dhcp.id dhcp.ip.client dhcp.ip.your dhcp.ip.server dhcp.ip.relay dhcp.hw.mac_addr
 dhcp.option.type dhcp.option.dhcp dhcp.option.requested_ip_address dhcp.option.dhcp_server_id
 dhcp.option.ip_address_lease_time dhcp.option.hostname dhcp.option.request_list_item
 nbns.id nbns.flags nbns.flags.response nbns.flags.opcode nbns.flags.rcode nbns.count.queries
 nbns.count.answers nbns.name nbns.type nbns.ttl nbns.addr
 tpkt.version tpkt.length cotp.li cotp.type cotp.destref cotp.srcref rdp.rt_cookie rdp.neg_type
 rdp.neg_length rdp.negReq.requestedProtocols rdp.negReq.selectedProtocol rdp.negFailure.failureCode"
RTPFIELDS="rtp.version rtp.padding rtp.ext rtp.cc rtp.ssrc rtp.seq rtp.p_type rtp.timestamp rtp.marker
 rtcp.version rtcp.pt rtcp.length rtcp.senderssrc"
CAPTURES="sip_call sip_nobye sip_error sip_tcp dhcp nbns rdp apps_edge"
FILTER="sip || rtp || rtcp || dhcp || nbns || tpkt"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0; runs=0; frames=0

# compare NAME WSFILE NTFILE FIELDS...: report the first differing frame per column
compare() {
    local name=$1 ws=$2 nt=$3
    shift 3
    runs=$((runs + 1))
    frames=$((frames + $(wc -l <"$ws")))
    if [ ! -s "$ws" ] && [ "$name" != "sip_error (heuristic)" ]; then
        echo "EMPTY: tshark decoded nothing in $name"; fail=$((fail + 1)); return
    fi
    diff -q "$ws" "$nt" >/dev/null && return
    fail=$((fail + 1))
    echo "DIFFERENT: $name"
    python3 - "$ws" "$nt" frame.number _ws.col.Protocol _ws.col.Info "$@" <<'PY'
import sys
ws = {l.split("\t", 1)[0]: l.rstrip("\n").split("\t") for l in open(sys.argv[1])}
nt = {l.split("\t", 1)[0]: l.rstrip("\n").split("\t") for l in open(sys.argv[2])}
names = sys.argv[3:]
for k in sorted(set(ws) ^ set(nt), key=int)[:5]:
    print(f"  frame {k}: only {'tshark' if k in ws else 'nettracer'} decodes it")
seen = set()
for k in sorted(set(ws) & set(nt), key=int):
    a, b = ws[k], nt[k]
    for j, n in enumerate(names):
        x = a[j] if j < len(a) else ""
        y = b[j] if j < len(b) else ""
        if x != y and n not in seen:
            seen.add(n)
            print(f"  {n}: frame {k}: tshark '{x}' nettracer '{y}'")
PY
}

targs=(); for f in $FIELDS; do targs+=(-e "$f"); done
rargs=(); for f in $RTPFIELDS; do rargs+=(-e "$f"); done
for c in $CAPTURES; do
    f="$SRC/tests/captures/$c.pcap"
    [ -f "$f" ] || { echo "MISSING: $f"; fail=$((fail + 1)); continue; }
    tshark -r "$f" "${DISABLE[@]}" -Y "$FILTER" -T fields -e frame.number -e _ws.col.Protocol \
        -e _ws.col.Info "${targs[@]}" 2>/dev/null >"$tmp/ws"
    "$ORACLE" "$f" $FIELDS >"$tmp/nt" 2>"$tmp/err" || { echo "app_oracle failed on $c: $(cat "$tmp/err")"; fail=$((fail + 1)); continue; }
    compare "$c" "$tmp/ws" "$tmp/nt" $FIELDS
    case $c in sip_*|apps_edge)
        # RTP/RTCP found by the heuristics alone (SIP, and so SDP, off)
        tshark -r "$f" "${DISABLE[@]}" --disable-protocol=sip --enable-heuristic rtp_udp \
            --enable-heuristic rtcp_udp -Y "rtp || rtcp" -T fields -e frame.number -e _ws.col.Protocol \
            -e _ws.col.Info "${rargs[@]}" 2>/dev/null >"$tmp/ws"
        "$ORACLE" --rtp-heuristic --no-sip "$f" $RTPFIELDS 2>/dev/null |
            awk -F'\t' '{ for (i = 4; i <= NF; i++) if ($i != "") { print; next } }' >"$tmp/nt"
        compare "$c (heuristic)" "$tmp/ws" "$tmp/nt" $RTPFIELDS ;;
    esac
    case $c in sip_call|sip_nobye|sip_tcp)
        runs=$((runs + 1))
        tshark -r "$f" "${DISABLE[@]}" -q -z rtp,streams 2>/dev/null | python3 -c '
import re, sys
for l in sys.stdin:
    m = re.match(r"\s*([\d.]+)\s+([\d.]+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(0x[0-9A-F]+)\s+.*?\s(\d+)\s+(-?\d+) \(.*?\)\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S+)\s+(\S+)", l)
    if m:
        g = m.groups()
        print("\t".join([g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[10], g[9], g[0], g[1]]))
' | sort >"$tmp/ws"
        "$ORACLE" --rtp-streams "$f" | sort >"$tmp/nt"
        if [ ! -s "$tmp/ws" ] || ! diff "$tmp/ws" "$tmp/nt" >"$tmp/d"; then
            fail=$((fail + 1))
            echo "DIFFERENT: $c (RTP streams: src sport dst dport ssrc packets lost max-jitter mean-jitter first last)"
            sed 's/^/  /' "$tmp/d"
        fi ;;
    esac
done
echo "tshark_apps: $runs runs, $frames frames, $(wc -w <<<"$FIELDS") fields, $fail differ"
[ "$runs" -gt 0 ] && [ "$fail" -eq 0 ]
