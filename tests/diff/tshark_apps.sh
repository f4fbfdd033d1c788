#!/usr/bin/env bash
# Differential test of the application protocols (sip, sdp, rtp, rtcp, dhcp,
# nbns, tpkt, cotp, rdp) as the nettracer binary shows them: on the captures
# that record_apps.sh made, the Protocol and Info columns and the fields
# below of `nettracer show --json` equal tshark 4.0's `-T fields` (every
# occurrence, comma-separated) on the frames of these protocols.
#
# tshark runs as the oracle of tests/lib/tshark.sh. SIP is on UDP/TCP 5060
# and NBNS on 137, DHCP on 67/68, TPKT on 3389 by tshark's own port tables;
# RTP/RTCP flows are the ones the SDP bodies announce (Wireshark's SDP
# conversations). A second pass adds the RTP/RTCP heuristics on any UDP
# port on both sides:
#   tshark --enable-heuristic rtp_udp --enable-heuristic rtcp_udp
# against `nettracer show --rtp-heuristic`, compared on the RTP/RTCP fields.
# The RTP stream statistics (`voip --json` against `tshark -z rtp,streams`)
# are tests/diff/tshark_voip.sh's.
#
# Not compared: sdp.media.format (tshark lists the m= formats by name and
# then every rtpmap/fmtp payload number again).
set -u
NT=${1:?usage: tshark_apps.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/lib/tshark.sh"

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
# nettracer's side: show --json (with extra options) as tshark's -T fields
ours() { # FILE FILTER FIELDS... (options before FILE go to show)
    local f=$1 flt=$2
    shift 2
    "$NT" show ${SHOW_OPTS:-} -Y "$flt" --json "$f" 2>"$tmp/err" | python3 "$SRC/tests/lib/fields.py" --columns "$@"
}
for c in $CAPTURES; do
    f="$SRC/tests/captures/$c.pcap"
    [ -f "$f" ] || { echo "MISSING: $f"; fail=$((fail + 1)); continue; }
    tshark -r "$f" "${DISABLE[@]}" -Y "$FILTER" -T fields -e frame.number -e _ws.col.Protocol \
        -e _ws.col.Info "${targs[@]}" 2>/dev/null >"$tmp/ws"
    ours "$f" "$FILTER" $FIELDS >"$tmp/nt" || { echo "nettracer show failed on $c: $(cat "$tmp/err")"; fail=$((fail + 1)); continue; }
    compare "$c" "$tmp/ws" "$tmp/nt" $FIELDS
    case $c in sip_*|apps_edge)
        # RTP/RTCP found by the heuristics as well as by SDP
        tshark -r "$f" "${DISABLE[@]}" --enable-heuristic rtp_udp --enable-heuristic rtcp_udp -Y "rtp || rtcp" \
            -T fields -e frame.number -e _ws.col.Protocol -e _ws.col.Info "${rargs[@]}" 2>/dev/null >"$tmp/ws"
        SHOW_OPTS=--rtp-heuristic ours "$f" "rtp || rtcp" $RTPFIELDS >"$tmp/nt"
        compare "$c (heuristic)" "$tmp/ws" "$tmp/nt" $RTPFIELDS ;;
    esac
done
echo "tshark_apps: $runs runs, $frames frames, $(wc -w <<<"$FIELDS") fields, $fail differ"
[ "$runs" -gt 0 ] && [ "$fail" -eq 0 ]
