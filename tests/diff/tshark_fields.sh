#!/usr/bin/env bash
# Differential test: the decoded fields of every frame of every capture
# under tests/captures (or $NT_CAPTURES) equal tshark 4.0's (`-T fields -E occurrence=f`),
# with the same protocols switched off as in tshark_columns.sh.
set -u
NT=${1:?usage: tshark_fields.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/lib/tshark.sh"


FIELDS="frame.number frame.len frame.cap_len frame.time_epoch frame.time_relative frame.time_delta
 eth.src eth.dst eth.type vlan.id ip.version ip.hdr_len ip.len ip.id ip.flags.df ip.flags.mf ip.frag_offset
 ip.ttl ip.proto ip.checksum ip.src ip.dst ipv6.plen ipv6.nxt ipv6.hlim ipv6.src ipv6.dst
 icmp.type icmp.code icmp.ident icmp.seq icmpv6.type icmpv6.code
 tcp.srcport tcp.dstport tcp.stream tcp.len tcp.seq tcp.nxtseq tcp.ack tcp.hdr_len tcp.flags
 tcp.flags.syn tcp.flags.ack tcp.flags.fin tcp.flags.reset tcp.flags.push tcp.window_size_value
 tcp.window_size tcp.window_size_scalefactor tcp.checksum tcp.options.mss_val tcp.options.wscale.shift
 tcp.options.timestamp.tsval udp.srcport udp.dstport udp.length udp.checksum udp.stream
 arp.opcode arp.src.hw_mac arp.src.proto_ipv4 arp.dst.proto_ipv4"
targs=(); for f in $FIELDS; do targs+=(-e "$f"); done

fail=0; files=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for f in $(readable_captures); do
    files=$((files+1))
    tshark -r "$f" "${DISABLE[@]}" -T fields -E occurrence=f "${targs[@]}" 2>/dev/null > "$tmp/ws"
    "$NT" show --json "$f" 2>/dev/null | python3 "$SRC/tests/lib/fields.py" $FIELDS > "$tmp/nt"
    python3 "$SRC/tests/lib/fielddiff.py" "$(basename "$f")" "$tmp/ws" "$tmp/nt" $FIELDS || fail=$((fail+1))
done
echo "tshark_fields: $files captures, $(wc -w <<<"$FIELDS") fields per frame, $fail captures differ"
[ "$files" -gt 0 ] && [ "$fail" -eq 0 ]
