#!/usr/bin/env bash
# Differential test: with --rtp-heuristic, the Protocol and Info columns
# equal tshark 4.0's with Wireshark's RTP/RTCP heuristics on
# (--enable-heuristic rtp_udp --enable-heuristic rtcp_udp), on every capture.
set -u
NT=${1:?usage: tshark_rtp_heuristic.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/lib/tshark.sh"

norm() { sed -e 's/  */ /g' -e 's/ *$//' -e 's/\[Dissector bug, protocol TLS: [^]]*\]//'; }
fail=0; files=0; rtp=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for f in $(readable_captures); do
    files=$((files+1))
    tshark -r "$f" "${DISABLE[@]}" --enable-heuristic rtp_udp --enable-heuristic rtcp_udp \
        -T fields -e _ws.col.Protocol -e _ws.col.Info 2>/dev/null | norm > "$tmp/ws"
    "$NT" show --rtp-heuristic --json "$f" 2>/dev/null | python3 "$SRC/tests/lib/columns.py" | norm > "$tmp/nt"
    rtp=$((rtp + $(grep -c '^RTC\?P' "$tmp/ws")))
    if ! diff -q "$tmp/ws" "$tmp/nt" >/dev/null; then
        echo "DIFFERENT: $(basename "$f") (< tshark, > nettracer)"
        diff "$tmp/ws" "$tmp/nt" | head -10
        fail=$((fail+1))
    fi
done
echo "tshark_rtp_heuristic: $files captures, $rtp RTP/RTCP frames, $fail captures differ"
[ "$files" -gt 0 ] && [ "$rtp" -gt 0 ] && [ "$fail" -eq 0 ]
