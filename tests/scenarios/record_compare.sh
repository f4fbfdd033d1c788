#!/usr/bin/env bash
# Scenario: record the test captures afresh from real programs in network
# namespaces (tests/captures/record.sh), then hold nettracer to tshark on
# them: Protocol/Info columns and decoded fields of every frame. This keeps
# the recording scripts working and checks traffic from this machine's
# kernel, not only the committed files. Skips (77) without root or netns.
set -u
NT=${1:?usage: record_compare.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "needs root for network namespaces"; exit 77; }
ip netns add "ntprobe$$" 2>/dev/null || { echo "cannot create network namespaces"; exit 77; }
ip netns del "ntprobe$$"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# record.sh deletes its own namespaces on any exit
if ! timeout 300 bash "$SRC/tests/captures/record.sh" "$out" > "$out.log" 2>&1; then
    echo "record.sh failed:"; tail -20 "$out.log"; rm -f "$out.log"; exit 1
fi
rm -f "$out.log"
n=0
for f in "$out"/*.pcap "$out"/*.pcapng; do
    [ -s "$f" ] || continue
    frames=$(tshark -r "$f" 2>/dev/null | wc -l)
    [ "$frames" -gt 0 ] || { echo "empty capture: $(basename "$f")"; exit 1; }
    n=$((n+1))
done
[ "$n" -ge 20 ] || { echo "only $n captures recorded"; exit 1; }
rc=0
NT_CAPTURES=$out bash "$SRC/tests/diff/tshark_columns.sh" "$NT" || rc=1
NT_CAPTURES=$out bash "$SRC/tests/diff/tshark_fields.sh" "$NT" || rc=1
exit $rc
