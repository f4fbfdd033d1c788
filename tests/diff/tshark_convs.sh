#!/usr/bin/env bash
# Differential test: for every capture under tests/captures (or $NT_CAPTURES)
# that tshark reads, and for each of eth, ip, ipv6, tcp and udp, the rows of
# `tshark -q -z conv,TYPE` (addresses and ports, frames and bytes each way
# and in total, relative start, duration, and the order of the rows) equal
# those of `nettracer convs --json FILE TYPE`, both put in one shape by
# tests/lib/convs.py (formatting only: tshark's byte units and decimals).
# tshark runs with -n (MAC vendor names off) and the protocol set of the
# other differential tests. Then the command line: a bad type is exit 2 with
# one line. Exit 77 (skip) only when tshark itself is missing.
set -u
NT=${1:?usage: tshark_convs.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/lib/tshark.sh"

fail=0; files=0; tables=0; rows=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
TYPES="eth ip ipv6 tcp udp"
# plus hand-built corners: tunnels, a host talking to itself, times out of
# order, an ICMP error quoting TCP, VLAN tags, ties
mkdir "$tmp/edges"
edges=$(python3 "$SRC/tests/lib/convs_craft.py" "$tmp/edges") || { echo "convs_craft.py failed"; exit 1; }
for f in $(readable_captures) "$edges"; do
    files=$((files+1))
    args=()
    for t in $TYPES; do args+=(-z "conv,$t"); done
    # one tshark run prints every table, in the order asked
    tshark -n -q -r "$f" "${DISABLE[@]}" "${args[@]}" > "$tmp/ws_all" 2>/dev/null
    wsrc=$?
    "$NT" convs --json "$f" $TYPES > "$tmp/nt_all" 2> "$tmp/nt_err"
    rc=$?
    # a cut file is exit 1 with a warning; a file damaged further on is
    # exit 2 after the tables of what was read, where tshark fails too
    if [ $rc -gt 2 ] || { [ $rc -eq 2 ] && [ $wsrc -eq 0 ]; }; then
        echo "FAILED: nettracer convs $(basename "$f") exit $rc (tshark $wsrc): $(cat "$tmp/nt_err")"
        fail=$((fail+1))
        continue
    fi
    for t in $TYPES; do
        tables=$((tables+1))
        case $t in eth) title=Ethernet;; ip) title=IPv4;; ipv6) title=IPv6;; tcp) title=TCP;; udp) title=UDP;; esac
        awk -v h="$title Conversations" '$0 == h {on=1; next} /^====/ {on=0} on' "$tmp/ws_all" |
            python3 "$SRC/tests/lib/convs.py" tshark "$t" > "$tmp/ws"
        python3 "$SRC/tests/lib/convs.py" nettracer "$t" < "$tmp/nt_all" > "$tmp/nt"
        rows=$((rows + $(wc -l < "$tmp/ws")))
        if ! diff -q "$tmp/ws" "$tmp/nt" >/dev/null; then
            echo "DIFFERENT: $(basename "$f") conv,$t (< tshark, > nettracer)"
            diff "$tmp/ws" "$tmp/nt" | head -20
            fail=$((fail+1))
        fi
    done
done
echo "tshark_convs: $files captures, $tables tables, $rows conversations compared, $fail tables differ"
[ "$files" -gt 0 ] || { echo "no captures found"; exit 1; }

# the command line, and the text table against the JSON
C=$SRC/tests/captures/http4.pcap
clifail=0
check_usage() { # description, args...
    local d=$1; shift
    "$NT" convs "$@" > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    if [ $rc -ne 2 ] || [ -s "$tmp/out" ] || [ "$(wc -l < "$tmp/err")" -ne 1 ]; then
        echo "FAIL cli $d: exit $rc, stdout $(wc -c < "$tmp/out") bytes, stderr: $(cat "$tmp/err")"
        clifail=$((clifail+1))
    fi
}
check_usage "bad type" "$C" tcpp
check_usage "bad type after a good one" "$C" ip sctp
check_usage "no trace" 
check_usage "unknown option" --frobnicate "$C"
grep -q "unknown conversation type 'tcpp'" < <("$NT" convs "$C" tcpp 2>&1) ||
    { echo "FAIL cli: the bad type is not named"; clifail=$((clifail+1)); }
"$NT" convs "$C" > "$tmp/out" 2>&1 && grep -q "^TCP conversations: 2$" "$tmp/out" ||
    { echo "FAIL cli: default type is not tcp"; clifail=$((clifail+1)); }
"$NT" convs -r "$C" ip tcp ip > "$tmp/out" 2>&1 && [ "$(grep -c 'conversations' "$tmp/out")" -eq 2 ] ||
    { echo "FAIL cli: -r with types (repeated type once)"; clifail=$((clifail+1)); }
"$NT" convs "$edges" udp > "$tmp/out" 2>&1
[ "$(sed -n 3p "$tmp/out" | awk '{print $1, $2, $3, $4, $5, $6, $11, $13, $14}')" = \
  "10.99.77.1 6000 10.99.77.3 6001 3 150 -2.500000000 304 152" ] &&
    [ "$(tail -1 "$tmp/out" | awk '{print $5, $13, $14}')" = "1 N/A N/A" ] ||
    { echo "FAIL cli: text table"; cat "$tmp/out"; clifail=$((clifail+1)); }
"$NT" convs --help | grep -q "^usage: nettracer convs" || { echo "FAIL cli: --help"; clifail=$((clifail+1)); }
echo "tshark_convs: command line checks, $clifail failed"

[ "$fail" -eq 0 ] && [ "$clifail" -eq 0 ]
