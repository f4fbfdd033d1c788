#!/usr/bin/env bash
# Differential test: the STUN codec's Info text and fields equal tshark
# 4.0's on every STUN frame of the STUN captures: stun_crafted.pcap (every
# attribute, both dialects, malformed lengths; tests/captures/stun_craft.py)
# and stun.pcap (a real coturn answering nettracer stun; recorded by
# tests/captures/record_stun.sh). tshark runs with stun.stunversion:Auto,
# the setting that decodes MS-TURN by its dialect, as nettracer does.
# The codec is driven by tests/tools/stun_dump (next to the nettracer binary)
# until `show` decodes STUN.
set -u
NT=${1:?usage: tshark_stun.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
DUMP=$(dirname "$NT")/stun_dump
command -v tshark >/dev/null || { echo "tshark not installed"; exit 77; }
[ -x "$DUMP" ] || { echo "no $DUMP"; exit 1; }

FIELDS="stun.type stun.type.class stun.type.method stun.length stun.cookie stun.id stun.network_version
 stun.att.type stun.att.length stun.att.family stun.att.ipv4 stun.att.ipv6 stun.att.port stun.att.ipv4-xord
 stun.att.ipv6-xord stun.att.port-xord stun.att.username stun.att.username.opaque stun.att.hmac
 stun.att.crc32 stun.att.crc32.status stun.att.error.class stun.att.error stun.att.error.reason
 stun.att.realm stun.att.nonce stun.att.unknown stun.att.software stun.att.lifetime stun.att.magic_cookie
 stun.port.bandwidth stun.att.ms.version stun.att.transp stun.att.channelnum stun.att.ms.stream_type
 stun.att.ms.service_quality stun.att.priority stun.value stun.att.padding stun.channel"
targs=(); for f in $FIELDS; do targs+=(-e "$f"); done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0; frames=0
for f in "$SRC/tests/captures/stun_crafted.pcap" "$SRC/tests/captures/stun.pcap"; do
    [ -e "$f" ] || { echo "missing $f"; fail=$((fail+1)); continue; }
    # tshark: only the frames it calls STUN keep their columns
    tshark -o stun.stunversion:Auto -r "$f" -T fields -E occurrence=a -e frame.number -e _ws.col.Protocol \
        -e _ws.col.Info "${targs[@]}" 2>/dev/null |
        awk -F'\t' 'BEGIN{OFS="\t"} $2=="STUN"{print; next} {print $1}' > "$tmp/ws"
    "$DUMP" "$f" $FIELDS > "$tmp/nt" || { echo "stun_dump failed on $f"; fail=$((fail+1)); continue; }
    n=$(grep -c $'\tSTUN\t' "$tmp/ws")
    frames=$((frames+n))
    [ "$n" -gt 0 ] || { echo "no STUN frames in $(basename "$f")"; fail=$((fail+1)); }
    if ! diff -q "$tmp/ws" "$tmp/nt" >/dev/null; then
        fail=$((fail+1))
        echo "DIFFERENT: $(basename "$f")"
        python3 - "$tmp/ws" "$tmp/nt" frame.number protocol info $FIELDS <<'PY'
import sys
ws = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
nt = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
names = sys.argv[3:]
if len(ws) != len(nt):
    print(f"  frame count: tshark {len(ws)}, nettracer {len(nt)}")
shown = 0
for a, b in zip(ws, nt):
    for j, n in enumerate(names):
        x = a[j] if j < len(a) else ""
        y = b[j] if j < len(b) else ""
        if x != y and shown < 20:
            shown += 1
            print(f"  frame {a[0]} {n}: tshark '{x}' nettracer '{y}'")
PY
    fi
done
echo "tshark_stun: $frames STUN frames, $(wc -w <<<"$FIELDS") fields each, $fail captures differ"
[ "$fail" -eq 0 ]
