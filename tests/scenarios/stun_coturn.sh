#!/usr/bin/env bash
# `nettracer stun` against a real coturn in a network namespace: binding,
# 401 with realm and nonce, authenticated allocate and release, TCP and TLS,
# a wrong password, the reference's exact 120-byte MS-TURN Allocate, the
# MS-TURN dialect, MS-TURN's pseudo-TLS hello on TCP 443 (through
# tests/lib/pseudotls_edge.py in front of coturn; a silent server; real TLS
# answering it), UDP 3478 dropped by iptables (timeout with the advice),
# and usage errors. Each case's output and exit status are asserted.
set -u
NT=${1:?usage: stun_coturn.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/lib/coturn.sh"
tmp=$(mktemp -d /tmp/nt8bstun.XXXXXX)
trap 'for p in ${STUNONLY_PID:-} ${EDGE_PID:-} ${SILENT_PID:-}; do kill "$p" 2>/dev/null; done; coturn_down; rm -rf "$tmp"' EXIT
fails=0; n=0
fail() { echo "FAIL $*"; fails=$((fails+1)); }
# run NAME WANT_RC ARGS...: nettracer stun in the client namespace
run() {
    local name=$1 want=$2; shift 2
    n=$((n+1))
    ip netns exec "$C_NS" "$NT" stun "$@" > "$tmp/$name.out" 2>&1
    local rc=$?
    [ "$rc" -eq "$want" ] || { fail "$name: exit $rc, want $want"; sed 's/^/    /' "$tmp/$name.out"; }
}
has() { # NAME REGEX
    n=$((n+1))
    grep -Eq -- "$2" "$tmp/$1.out" || { fail "$1: no line matching '$2'"; sed 's/^/    /' "$tmp/$1.out"; }
}
hasnot() {
    n=$((n+1))
    ! grep -Eq -- "$2" "$tmp/$1.out" || fail "$1: a line matches '$2'"
}

# usage errors need no server
n=$((n+1)); "$NT" stun >/dev/null 2>"$tmp/e"; [ $? -eq 2 ] && [ "$(wc -l < "$tmp/e")" -eq 1 ] || fail "no host: want one line, exit 2"
n=$((n+1)); "$NT" stun --port 0 h >/dev/null 2>&1; [ $? -eq 2 ] || fail "--port 0: want exit 2"
n=$((n+1)); "$NT" stun --password-file /nonexistent --user a h >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad password file: want exit 2"
n=$((n+1)); "$NT" stun --help | grep -q -- '--ms-turn' || fail "--help lacks --ms-turn"
n=$((n+1)); "$NT" stun --pseudo-tls --udp h >/dev/null 2>"$tmp/e"; [ $? -eq 2 ] && grep -q 'needs --tcp' "$tmp/e" || fail "--pseudo-tls --udp: want exit 2"

coturn_up "$tmp"; rc=$?
[ $rc -eq 0 ] || exit $rc
H=10.88.1.2

run binding 0 "$H" --timeout 5
has binding '^  Binding Request -> Binding Success Response'
has binding 'XOR-MAPPED-ADDRESS: 10\.88\.1\.1:[0-9]+'
has binding 'the server sees this client as 10\.88\.1\.1:[0-9]+'
has binding 'ERROR-CODE: 401 \(Unauthenticated\) "Unauthorized"'
has binding 'REALM: "nettracer\.test"'
has binding 'NONCE: "[0-9a-f]+"'
has binding 'alive and wants credentials \(ERROR-CODE 401, realm "nettracer\.test"\)'
has binding '^Result: alive'

run auth 0 "$H" --timeout 5 --user alice --password-file "$tmp/pw"
has auth 'Allocate Request \(user alice\) -> Allocate Success Response'
has auth 'XOR-RELAYED-ADDRESS: 10\.88\.1\.2:(49[12][0-9][0-9])'
has auth '^Allocated relay address 10\.88\.1\.2:[0-9]+ for 600 s'
has auth 'MESSAGE-INTEGRITY: HMAC-SHA1 correct'
has auth 'Refresh Request \(lifetime 0: release\) -> Refresh Success Response'
has auth '^Allocation released'
hasnot auth 'secret'

run json 0 "$H" --timeout 5 --user alice --password-file "$tmp/pw" --json
hasnot json 'secret'
n=$((n+1))
python3 - "$tmp/json.out" <<'PY' || fail "json: not the expected JSON Lines"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
ex = [o for o in objs if o["type"] == "exchange"]
r = objs[-1]
assert [e["request"] for e in ex] == ["Binding Request", "Allocate Request", "Allocate Request", "Refresh Request"], ex
assert ex[1]["response"] == "Allocate Error Response", ex[1]
assert {"name": "ERROR-CODE", "value": '401 (Unauthenticated) "Unauthorized"'} in ex[1]["attributes"], ex[1]
assert r["type"] == "result" and r["alive"] and r["error_code"] == 401 and r["realm"] == "nettracer.test", r
assert r["relayed_address"].startswith("10.88.1.2:") and r["lifetime"] == 600 and r["released"], r
assert r["mapped_address"].startswith("10.88.1.1:"), r
PY

run ipv6 0 fd00:88:1::2 -6 --timeout 5 --user alice --password-file "$tmp/pw"
has ipv6 'server address fd00:88:1::2, local \[fd00:88:1::1\]:[0-9]+'
has ipv6 'XOR-MAPPED-ADDRESS: \[fd00:88:1::1\]:[0-9]+'
has ipv6 '^Allocation released'

run tcp 0 "$H" --tcp --timeout 5 --user alice --password-file "$tmp/pw"
has tcp 'over TCP'
has tcp '^Allocation released'

run tls 0 "$H" --tls --timeout 5 --user alice --password-file "$tmp/pw"
has tls 'port 5349 over TLS'
has tls 'TLS: TLSv1\.[23] .*certificate .*CN *= *turn\.nettracer\.test'
has tls '^Allocation released'

printf 'wrong\n' > "$tmp/badpw"
run badpw 1 "$H" --timeout 5 --user alice --password-file "$tmp/badpw"
has badpw "refused the credentials of 'alice' \(401"
has badpw '^Result: FAILED'

# the reference's turn.ps1 payload, byte for byte
python3 -c "import sys; sys.path.insert(0, '$SRC/tests/captures'); import stun_craft; open('$tmp/ref.bin', 'wb').write(stun_craft.MS_TURN_REF)"
n=$((n+1)); [ "$(stat -c %s "$tmp/ref.bin")" -eq 120 ] || fail "reference payload is not 120 bytes"
run msref 0 "$H" --timeout 5 --no-binding --request-file "$tmp/ref.bin"
has msref 'Allocate Request \(from --request-file, no credentials\), 120 bytes \[MS-TURN\]:'
has msref 'MAGIC-COOKIE: 0x72c64bc6 \(MS-TURN\)'
has msref 'MS-VERSION: 4'
has msref 'USERNAME: 56 bytes \(MS-TURN token\)'
has msref 'BANDWIDTH: 200'
has msref 'MS-SERVICE-QUALITY: stream type 1, quality 0'
has msref '-> Allocate Error Response'
has msref '^Result: alive'

run msturn 0 "$H" --timeout 5 --ms-turn
has msturn 'MS-TURN dialect'
has msturn 'MAGIC-COOKIE: 0x72c64bc6'
has msturn '^Result: alive'

# MS-TURN over TCP 443: the pseudo-TLS hello first (an edge in front of coturn's TCP 3478)
ip netns exec "$S_NS" python3 "$SRC/tests/lib/pseudotls_edge.py" 10.88.1.2 443 10.88.1.2 3478 2>"$tmp/edge.log" &
EDGE_PID=$!
ip netns exec "$S_NS" python3 "$SRC/tests/lib/pseudotls_edge.py" 10.88.1.2 444 10.88.1.2 3478 silent 2>"$tmp/silent.log" &
SILENT_PID=$!
for i in $(seq 50); do ip netns exec "$S_NS" ss -lnt | grep -q '10.88.1.2:444 ' && break; sleep 0.1; done
run ptls 0 "$H" --ms-turn --tcp --timeout 5
has ptls 'port 443 over TCP with pseudo-TLS \(MS-TURN dialect\)'
has ptls '^  pseudo-TLS hello \(MS-TURN 2\.1\.1, 50 bytes\) -> ServerHello \+ ServerHelloDone \(83 bytes\) in [0-9.]+ ms'
has ptls 'Binding Request -> Binding Success Response'
has ptls 'MAGIC-COOKIE: 0x72c64bc6'
has ptls 'Allocate Request \(no credentials\), 52 bytes \[MS-TURN\]'
has ptls '^    -> Allocate Error Response'
has ptls '^Result: alive'
n=$((n+1)); grep -q 'pseudo-TLS hello of 50 bytes' "$tmp/edge.log" || fail "edge: did not see the pseudo-TLS hello"
run ptls_auth 0 "$H" --tcp --port 443 --pseudo-tls --timeout 5 --user alice --password-file "$tmp/pw"
has ptls_auth 'ServerHello \+ ServerHelloDone \(83 bytes\)'
has ptls_auth '^Allocation released'
run ptls_json 0 "$H" --ms-turn --tcp --timeout 5 --json
n=$((n+1))
python3 - "$tmp/ptls_json.out" <<'PY' || fail "ptls_json: not the expected JSON Lines"
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
assert o[0] == {"type": "pseudo_tls", "answered": True, "bytes": 83, "rtt_ms": o[0]["rtt_ms"]}, o[0]
assert o[-1]["pseudo_tls"] is True and o[-1]["alive"] is True and o[-1]["port"] == 443, o[-1]
PY
# not on 443, no pseudo-TLS unless asked: coturn's TCP 3478 as before
run ptls_off 0 "$H" --ms-turn --tcp --port 3478 --timeout 5
hasnot ptls_off 'pseudo-TLS'
has ptls_off '^Result: alive'
run ptls_silent 1 "$H" --ms-turn --tcp --port 444 --pseudo-tls --timeout 2
has ptls_silent 'pseudo-TLS hello \(MS-TURN 2\.1\.1, 50 bytes\): no answer in 2\.0 s'
has ptls_silent 'accepted the connection but did not answer MS-TURN.s pseudo-TLS hello on TCP 444'
has ptls_silent 'try --no-pseudo-tls'
has ptls_silent '^Result: FAILED \(pseudo-TLS\)'
hasnot ptls_silent 'Binding Request'
# real TLS on the port (coturn's TLS listener): OpenSSL refuses the pseudo hello's suite
run ptls_realtls 1 "$H" --tcp --port 5349 --pseudo-tls --timeout 5
has ptls_realtls 'pseudo-TLS hello .*: the server answered with a TLS alert: fatal handshake_failure \(40\)'
has ptls_realtls 'not the A/V Edge.s TURN service'
has ptls_realtls '^Result: FAILED \(pseudo-TLS\)'
# coturn's plain TCP port detects TLS too: the same alert, and the advice names --tls
run ptls_coturn 1 "$H" --tcp --port 3478 --pseudo-tls --timeout 5
has ptls_coturn 'fatal handshake_failure \(40\)'
has ptls_coturn 'for a standard TURN server try --tls, or --no-pseudo-tls'

# UDP 3478 dropped: retransmissions, then the reference's advice
ip netns exec "$S_NS" iptables -A INPUT -p udp --dport 3478 -j DROP
run dropped 1 "$H" --timeout 4
has dropped 'Binding Request: no answer in 4\.0 s \(4 sends\)'
has dropped "STUN server '10\.88\.1\.2' is not reachable"
has dropped 'Check that UDP 3478 is allowed between the client and the STUN server'
has dropped 'listening on UDP 3478'
has dropped '^Result: FAILED'
run dropped_json 1 "$H" --timeout 2 --json
n=$((n+1))
python3 -c "
import json, sys
o = [json.loads(l) for l in open('$tmp/dropped_json.out')]
assert o[0]['type'] == 'exchange' and o[0]['answered'] is False and o[0]['sends'] == 3, o[0]
assert o[-1]['alive'] is False and 'UDP 3478 is allowed' in o[-1]['text'], o[-1]
" || fail "dropped_json: not the expected JSON"
ip netns exec "$S_NS" iptables -F INPUT

# a STUN-only server (a second coturn on port 3600; 3479 is the first one's RFC 5780 port): Binding answered, Allocate ignored
ip netns exec "$S_NS" turnserver -n --no-cli -L 10.88.1.2 --listening-port 3600 --stun-only --no-tls --no-dtls \
    --log-file "$tmp/stunonly.log" --simple-log --pidfile "$tmp/stunonly.pid" >/dev/null 2>&1 &
STUNONLY_PID=$!
for i in $(seq 50); do ip netns exec "$S_NS" ss -lnu | grep -q '10.88.1.2:3600' && break; sleep 0.1; done
run stunonly 1 "$H" --port 3600 --timeout 2
has stunonly 'Binding Request -> Binding Success Response'
has stunonly 'Allocate Request \(no credentials\): no answer in 2\.0 s'
has stunonly 'answers STUN Binding requests but not TURN Allocate requests'
has stunonly '^Result: FAILED \(no TURN answer\)'

# nothing listening: ICMP port unreachable is reported
run closed 1 "$H" --port 3999 --timeout 2
has closed 'ICMP port unreachable'

echo "stun_coturn: $n checks, $fails failed"
[ "$fails" -eq 0 ]
