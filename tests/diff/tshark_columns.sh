#!/usr/bin/env bash
# Differential test: for every capture under tests/captures (or $NT_CAPTURES), the Protocol
# and Info columns of every frame equal tshark 4.0's, with the protocols
# above the layers nettracer decodes switched off (TSHARK_ENABLED below;
# later issues add theirs to the list). Whitespace is normalised: runs of
# spaces become one. Exit 77 (skip) only when tshark itself is missing.
set -u
NT=${1:?usage: tshark_columns.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/lib/tshark.sh"


# tshark 4.0 appends "[Dissector bug, ...]" to a TLS message nested deeper
# than its tree limit (gui.max_tree_depth): not part of the message's text
norm() { sed -e 's/  */ /g' -e 's/ *$//' -e 's/\[Dissector bug, protocol TLS: [^]]*\]//'; }

fail=0; files=0; frames=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# files that are not meant to be readable are covered by the reader tests
for f in $(readable_captures); do
    files=$((files+1))
    tshark -r "$f" "${DISABLE[@]}" \
        -T fields -e _ws.col.Protocol -e _ws.col.Info 2>/dev/null | norm > "$tmp/ws"
    "$NT" show --json "$f" 2>/dev/null | python3 "$SRC/tests/lib/columns.py" | norm > "$tmp/nt"
    n=$(wc -l < "$tmp/ws"); frames=$((frames+n))
    if ! diff -q "$tmp/ws" "$tmp/nt" >/dev/null; then
        echo "DIFFERENT: $(basename "$f") (< tshark, > nettracer; line = frame number)"
        diff "$tmp/ws" "$tmp/nt" | head -20
        fail=$((fail+1))
    fi
done
echo "tshark_columns: $files captures, $frames frames compared, $fail captures differ"
[ "$files" -gt 0 ] || { echo "no captures found"; exit 1; }
[ "$fail" -eq 0 ]
