#!/usr/bin/env bash
# record_stun.sh NETTRACER OUTFILE [EDGE_OUTFILE] (root): records stun.pcap, a real coturn
# (tests/lib/coturn.sh: namespaces, 10.88.1.1 -> 10.88.1.2) answering
# `nettracer stun`: Binding and the unauthenticated Allocate (401 with realm
# and nonce) over UDP, the authenticated Allocate and its release over UDP,
# the same over TCP, and the reference's 120-byte MS-TURN Allocate.
# tcpdump captures on the server's veth; only ports 3478 are kept.
# EDGE_OUTFILE (stun_edge443.pcap): `nettracer stun --ms-turn --tcp` and an
# authenticated allocation through tests/lib/pseudotls_edge.py on TCP 443
# (MS-TURN's pseudo-TLS hello, then TURN relayed to coturn); port 443 kept.
set -u
NT=${1:?usage: record_stun.sh NETTRACER OUTFILE}
OUT=${2:?usage: record_stun.sh NETTRACER OUTFILE}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/lib/coturn.sh"
tmp=$(mktemp -d /tmp/nt8rec.XXXXXX)
trap 'kill "${TD:-}" "${EDGE:-}" 2>/dev/null; coturn_down; rm -rf "$tmp"' EXIT
coturn_up "$tmp" || exit 1
ip netns exec "$S_NS" tcpdump -i "${S_NS}v" -w "$tmp/stun.pcap" -U -s 0 'port 3478' 2>/dev/null &
TD=$!
sleep 1
python3 -c "import sys; sys.path.insert(0, '$SRC/tests/captures'); import stun_craft; open('$tmp/ref.bin', 'wb').write(stun_craft.MS_TURN_REF)"
c() { ip netns exec "$C_NS" "$NT" stun 10.88.1.2 --timeout 5 "$@" >/dev/null; }
c
c --user alice --password-file "$tmp/pw"
c --tcp --user alice --password-file "$tmp/pw"
c --no-binding --request-file "$tmp/ref.bin"
sleep 1
kill -INT "$TD"; wait "$TD" 2>/dev/null; TD=
cp "$tmp/stun.pcap" "$OUT"
echo "recorded $(tshark -r "$OUT" 2>/dev/null | wc -l) frames into $OUT"
[ -n "${3:-}" ] || exit 0
ip netns exec "$S_NS" python3 "$SRC/tests/lib/pseudotls_edge.py" 10.88.1.2 443 10.88.1.2 3478 2>/dev/null &
EDGE=$!
ip netns exec "$S_NS" tcpdump -i "${S_NS}v" -w "$tmp/edge.pcap" -U -s 0 'tcp port 443' 2>/dev/null &
TD=$!
sleep 1
c --ms-turn --tcp
c --tcp --port 443 --pseudo-tls --user alice --password-file "$tmp/pw"
sleep 1
kill -INT "$TD"; wait "$TD" 2>/dev/null; TD=
cp "$tmp/edge.pcap" "$3"
echo "recorded $(tshark -r "$3" 2>/dev/null | wc -l) frames into $3"
