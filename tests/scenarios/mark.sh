#!/usr/bin/env bash
# Scenario: `nettracer mark` in a namespace whose default gateway (IPv4 and
# IPv6) is the other end of a veth, while `nettracer capture` runs on the
# gateway's side: the markers reach the gateway with the right payload
# sizes, the capture writes "marker start"/"marker end" comments on them
# (requests and replies), and `nettracer markers` finds the range between
# them, by size and, for markers of other sizes, by comment. Also the
# unprivileged datagram socket, --to, no default route, and usage errors.
# Skips (77) without root or netns.
set -u
NT=${1:?usage: mark.sh NETTRACER}
[ "$(id -u)" = 0 ] || { echo "needs root for network namespaces"; exit 77; }
for t in tshark setpriv python3; do command -v $t >/dev/null || { echo "needs $t"; exit 77; }; done
A=nt9ma$$ B=nt9mb$$ C=nt9mc$$
VA=nt9wa$$ VB=nt9wb$$
ip netns add $A 2>/dev/null || { echo "cannot create network namespaces"; exit 77; }
tmp=$(mktemp -d /tmp/nt9mark.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; ip netns del $C 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add $B
ip netns add $C
ip link add $VA netns $A type veth peer name $VB netns $B
ip -n $A addr add 10.79.2.2/24 dev $VA
ip -n $B addr add 10.79.2.1/24 dev $VB
ip -n $A addr add fd79:2::2/64 dev $VA nodad
ip -n $B addr add fd79:2::1/64 dev $VB nodad
for ns in $A $B $C; do ip -n $ns link set lo up; done
ip -n $A link set $VA up
ip -n $B link set $VB up
ip -n $A route add default via 10.79.2.1
ip -n $A -6 route add default via fd79:2::1

fails=0; n=0
bad() { n=$((n+1)); fails=$((fails+1)); echo "FAIL $*"; }
expect() {
    n=$((n+1))
    [ "$2" = "$3" ] || { echo "FAIL $1: got '$2', want '$3'"; fails=$((fails+1)); }
}
inA() { ip netns exec $A "$@"; }
start() {
    local name=$1; shift
    ip netns exec $B "$NT" capture "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
    cap=$!
    pids+=($cap)
    ( sleep 30; kill -KILL $cap 2>/dev/null ) &
    pids+=($!)
    for _ in $(seq 50); do
        grep -q "Capturing on" "$tmp/$name.err" && return 0
        kill -0 $cap 2>/dev/null || break
        sleep 0.1
    done
    echo "capture $name did not start:"; cat "$tmp/$name.err"; return 1
}
stop() { kill -INT $cap; wait $cap; rc=$?; }
udp() {
    inA python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range($1):
    s.sendto(b'r' * 100, ('10.79.2.1', 9))
    time.sleep(0.005)"
}
# jfield FILE KEY
jfield() { python3 -c "import json; print(json.loads(open('$1').readline()).get('$2'))"; }

# 1. IPv4 markers around a reproduction, to the default gateway
start m4 -i $VB -w "$tmp/m4.pcapng" || exit 1
inA "$NT" mark start > "$tmp/mark1.out"; r1=$?
udp 5
inA "$NT" mark end --json > "$tmp/mark2.out"; r2=$?
sleep 0.3
stop
expect "mark start exit" "$r1" 0
expect "mark end exit" "$r2" 0
grep -q "sent start marker: ICMP echo request with a 22-byte payload to 10.79.2.1 (default gateway via $VA)" \
    "$tmp/mark1.out" || bad "mark start said: $(cat "$tmp/mark1.out")"
grep -q "reply from 10.79.2.1" "$tmp/mark1.out" || bad "no reply reported: $(cat "$tmp/mark1.out")"
expect "mark end json dst" "$(jfield "$tmp/mark2.out" dst)" 10.79.2.1
expect "mark end json size" "$(jfield "$tmp/mark2.out" size)" 33
expect "mark end json replied" "$(jfield "$tmp/mark2.out" replied)" True
grep -q "4 ping markers commented" "$tmp/m4.err" || bad "capture summary: $(cat "$tmp/m4.err")"
# what tshark sees: the payload sizes, the id mark reported, the comments
expect "start request data" "$(tshark -r "$tmp/m4.pcapng" -Y 'icmp.type == 8 && frame.comment == "marker start"' \
    -T fields -e data.len 2>/dev/null)" 22
expect "start reply comment" "$(tshark -r "$tmp/m4.pcapng" -Y 'icmp.type == 0 && frame.comment == "marker start"' \
    2>/dev/null | wc -l)" 1
expect "end request id" "$(tshark -r "$tmp/m4.pcapng" -Y 'icmp.type == 8 && frame.comment == "marker end"' \
    -T fields -e icmp.ident 2>/dev/null)" "$(jfield "$tmp/mark2.out" id)"
expect "comments only on markers" "$(tshark -r "$tmp/m4.pcapng" -Y 'frame.comment' 2>/dev/null | wc -l)" 4
"$NT" markers --json "$tmp/m4.pcapng" > "$tmp/mk4" || bad "markers exit"
expect "markers found" "$(grep -c '"type":"marker"' "$tmp/mk4")" 4
range=$(python3 -c "
import json
for l in open('$tmp/mk4'):
    o = json.loads(l)
    if o['type'] == 'range': print(o['first'], o['last'])")
first=${range% *} last=${range#* }
expect "range holds the reproduction" "$(tshark -r "$tmp/m4.pcapng" -Y "frame.number >= $first && frame.number <= $last && udp.dstport == 9 && !icmp" 2>/dev/null | wc -l)" 5
expect "between-markers reads the range" "$("$NT" show --json --between-markers 22,33 "$tmp/m4.pcapng" | wc -l)" \
    "$((last - first + 1))"

# 2. IPv6 markers
start m6 -i $VB -w "$tmp/m6.pcapng" || exit 1
inA "$NT" mark -6 start > "$tmp/mark3.out" || bad "mark -6 start exit"
udp 3
inA "$NT" mark -6 end > /dev/null || bad "mark -6 end exit"
sleep 0.3
stop
grep -q "ICMPv6 echo request with a 22-byte payload to fd79:2::1 (default gateway via $VA)" "$tmp/mark3.out" ||
    bad "mark -6 said: $(cat "$tmp/mark3.out")"
expect "v6 commented" "$(tshark -r "$tmp/m6.pcapng" -Y 'icmpv6 && frame.comment contains "marker"' 2>/dev/null | wc -l)" 4
"$NT" markers "$tmp/m6.pcapng" > "$tmp/mk6" || bad "markers v6 exit"
grep -q "Reproduction ranges" "$tmp/mk6" || bad "no v6 range: $(cat "$tmp/mk6")"

# 3. markers of other sizes: commented by a capture told the sizes, and
#    then found by `markers` with the default sizes, by comment
start ms -i $VB --marker-sizes 40,50 -w "$tmp/ms.pcapng" || exit 1
inA "$NT" mark 40 > /dev/null || bad "mark 40"
udp 2
inA "$NT" mark 50 > /dev/null || bad "mark 50"
sleep 0.3
stop
expect "sized markers commented" "$(tshark -r "$tmp/ms.pcapng" -Y 'frame.comment == "marker start" && data.len == 40' 2>/dev/null | wc -l)" 2
"$NT" markers --json "$tmp/ms.pcapng" > "$tmp/mks" || bad "markers by comment exit"
expect "markers by comment" "$(grep -c '"type":"marker"' "$tmp/mks")" 4
expect "range by comment" "$(grep -c '"type":"range"' "$tmp/mks")" 1
# --no-markers writes no comment
start nm -i $VB --no-markers -w "$tmp/nm.pcapng" || exit 1
inA "$NT" mark start > /dev/null
sleep 0.3
stop
expect "--no-markers" "$(tshark -r "$tmp/nm.pcapng" -Y frame.comment 2>/dev/null | wc -l)" 0

# 4. unprivileged: the datagram ping socket, when the group may use it
ip netns exec $A sysctl -qw net.ipv4.ping_group_range="0 2147483647"
inA setpriv --reuid=nobody --regid=nogroup --clear-groups "$NT" mark --json end > "$tmp/dg" || bad "datagram mark exit"
expect "datagram socket" "$(jfield "$tmp/dg" socket)" datagram
expect "datagram replied" "$(jfield "$tmp/dg" replied)" True
ip netns exec $A sysctl -qw net.ipv4.ping_group_range="1 0"
inA setpriv --reuid=nobody --regid=nogroup --clear-groups "$NT" mark end > /dev/null 2> "$tmp/np"
expect "no socket exit" "$?" 1
grep -q "cannot open an ICMP socket.*CAP_NET_RAW" "$tmp/np" || bad "no-socket message: $(cat "$tmp/np")"

# 5. --to, an address without a reply, no default route, usage errors
inA "$NT" mark --to 10.79.2.1 -W 0.5 33 > "$tmp/to" || bad "--to exit"
grep -q "to 10.79.2.1, id" "$tmp/to" || bad "--to said: $(cat "$tmp/to")"
inA "$NT" mark --to 10.79.2.99 -W 0.3 > "$tmp/noreply"; expect "no reply exit" "$?" 0
grep -q "no reply within 0.3 s" "$tmp/noreply" || bad "no-reply message: $(cat "$tmp/noreply")"
ip netns exec $C "$NT" mark 2> "$tmp/nogw"; expect "no gateway exit" "$?" 1
grep -q "no default IPv4 gateway in /proc/net/route: give the address with --to ADDR" "$tmp/nogw" ||
    bad "no-gateway message: $(cat "$tmp/nogw")"
ip netns exec $C "$NT" mark -6 2> "$tmp/nogw6"; expect "no v6 gateway exit" "$?" 1
"$NT" mark bogus 2> /dev/null; expect "bad marker exit" "$?" 2
"$NT" mark --to 10.79.2.1 -6 2> "$tmp/fam"; expect "family mismatch exit" "$?" 2
grep -q "is not an IPv6 address" "$tmp/fam" || bad "family message: $(cat "$tmp/fam")"

echo "$((n - fails))/$n checks passed"
[ "$fails" = 0 ]
