#!/usr/bin/env bash
# What `nettracer compare` says about committed pairs of captures recorded by
# tests/scenarios/compare.sh (a client's and a server's interface at the same
# time, a router between): each pair against its truth file (cmp_*.truth,
# what the router's rules did), the text a user reads, -Y, --range,
# --offset, and the usage errors.
set -u
NT=${1:?usage: compare.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
C=$SRC/tests/captures
fails=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL $*"; fails=$((fails+1)); }

# check NAME [OPTS...]: the pair's JSON against its truth file
check() {
    local name=$1; shift
    "$NT" compare --json "$@" "$C/cmp_${name}_a.pcap" "$C/cmp_${name}_b.pcap" > "$tmp/$name.json"
    local ex=()
    mapfile -t ex < <(grep -v '^#' "$C/cmp_$name.truth")
    python3 "$SRC/tests/lib/cmpjson.py" "$tmp/$name.json" "${ex[@]}" || fail "$name against cmp_$name.truth"
}
check reject
check nat
check mss

# exit status: 1 when something was lost, injected or modified
"$NT" compare "$C/cmp_reject_a.pcap" "$C/cmp_reject_b.pcap" > "$tmp/reject.txt"; rc=$?
[ $rc = 1 ] || fail "reject exit $rc, want 1"
"$NT" compare "$C/cmp_nat_a.pcap" "$C/cmp_nat_b.pcap" > "$tmp/nat.txt"; rc=$?
[ $rc = 0 ] || fail "nat exit $rc, want 0"

# the text: grouped events with frames in both files and the next step
grep -q '^  injected    b-to-a  3 x RST,ACK  TCP 10.77.2.2:17000 -> 10.77.1.2:[0-9]* (several client ports)$' "$tmp/reject.txt" ||
    fail "reject text: no grouped injected resets"
grep -q 'these resets were not sent by 10.77.2.2:17000 (B never saw them): a device between the two points rejects' \
    "$tmp/reject.txt" || fail "reject text: no next step for the resets"
grep -q '^      A#3 -> (not in B), A#5 -> (not in B), A#7 -> (not in B)$' "$tmp/reject.txt" || fail "reject text: lost SYN frames"
grep -q "^B's clock: [-+]0.0[0-9]* ms from A's +/- " "$tmp/reject.txt" || fail "reject text: clock line"
grep -q '^NAT: A ICMP 10.77.1.2 -> 10.77.2.2  is  B ICMP 10.77.2.1 -> 10.77.2.2' "$tmp/nat.txt" || fail "nat text: mapping"
grep -q '^  A -> B .* 0 .* 0 ' "$tmp/nat.txt" || fail "nat text: table"
"$NT" compare "$C/cmp_mss_a.pcap" "$C/cmp_mss_b.pcap" | grep -q '^      A#[0-9]* -> B#[0-9]*, A#[0-9]* -> B#[0-9]*: mss 1460 -> 1000$' ||
    fail "mss text: the change"

# the summary's keys, exactly as documented
"$NT" compare --json "$C/cmp_nat_a.pcap" "$C/cmp_nat_b.pcap" | python3 -c '
import json, sys
s = [json.loads(l) for l in sys.stdin if "\"summary\"" in l]
want = ["type", "direction", "sent", "received", "matched", "lost", "injected", "modified", "reordered", "delay_ms"]
assert [r["direction"] for r in s] == ["a-to-b", "b-to-a"], s
for r in s:
    assert list(r) == want, list(r)
    assert list(r["delay_ms"]) == ["min", "median", "p99", "max"], r
' || fail "summary keys"

# -Y tcp: the ping is not counted; --range 1-4: the first SYN and its reset only
"$NT" compare --json -Y tcp "$C/cmp_reject_a.pcap" "$C/cmp_reject_b.pcap" > "$tmp/y.json"
python3 "$SRC/tests/lib/cmpjson.py" "$tmp/y.json" 'ab["matched"] == 0 and ab["sent"] == 3 and ba["injected"] == 3' ||
    fail "-Y tcp"
"$NT" compare --json --range 1-4 "$C/cmp_reject_a.pcap" "$C/cmp_reject_b.pcap" > "$tmp/range.json"
python3 "$SRC/tests/lib/cmpjson.py" "$tmp/range.json" 'ab["lost"] == 1 and ba["injected"] == 1' \
    '[e["frame_a"] for e in ev] == [3, 4] or [e["frame_a"] for e in ev] == [4, 3]' || fail "--range 1-4"
# --offset given: used as is, said so
"$NT" compare --json --offset 12.5 "$C/cmp_nat_a.pcap" "$C/cmp_nat_b.pcap" > "$tmp/off.json"
python3 "$SRC/tests/lib/cmpjson.py" "$tmp/off.json" 'clock["offset_ms"] == 12.5 and clock["given"] is True' ||
    fail "--offset"

# traces from different days: one sentence, exit 2
out=$("$NT" compare "$C/cmp_nat_a.pcap" "$C/http4.pcap" 2>&1); rc=$?
[ $rc = 2 ] || fail "non-overlapping exit $rc, want 2"
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [[ $out == *"do not overlap in time"* ]] || fail "non-overlapping message: $out"

# usage errors: one line, exit 2
usage() { # want-substring args...
    local want=$1; shift
    local o; o=$("$NT" compare "$@" 2>&1); local rc=$?
    [ $rc = 2 ] || fail "compare $* exit $rc, want 2"
    [ "$(printf '%s\n' "$o" | wc -l)" = 1 ] && [[ $o == *"$want"* ]] || fail "compare $*: '$o'"
}
usage "needs two traces" "$C/cmp_nat_a.pcap"
usage "needs two traces"
usage "--offset needs" --offset x "$C/cmp_nat_a.pcap" "$C/cmp_nat_b.pcap"
usage "unknown option" --bogus "$C/cmp_nat_a.pcap" "$C/cmp_nat_b.pcap"
usage "not supported" --between-markers 22,33 "$C/cmp_nat_a.pcap" "$C/cmp_nat_b.pcap"
usage "standard input" - "$C/cmp_nat_b.pcap"
usage "cannot open" /nonexistent.pcap "$C/cmp_nat_b.pcap"
"$NT" compare --help | grep -q '^usage: nettracer compare \[OPTIONS\] A B$' || fail "--help"

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
