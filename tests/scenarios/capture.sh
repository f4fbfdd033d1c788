#!/usr/bin/env bash
# Scenario: `nettracer capture` on a veth between two network namespaces
# while bounded traffic runs (ping -c, a small UDP sender): what tshark
# (capinfos) and nettracer read back from the files. Covers the pcapng
# metadata (OS, application, interface, filter, statistics), filter and
# snap length, classic pcap, several interfaces and 'any', --count and
# --duration, --ring (exactly COUNT files, the newest data) and --chain (all
# files), a SIGINT in the middle of traffic and a SIGTERM, -Z, the message without
# privilege, and a full disk. Skips (77) without root or netns.
set -u
NT=${1:?usage: capture.sh NETTRACER}
[ "$(id -u)" = 0 ] || { echo "needs root for network namespaces"; exit 77; }
for t in capinfos tshark setpriv unshare python3 ping; do
    command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done
A=nt9ca$$ B=nt9cb$$
VA=nt9va$$ VB=nt9vb$$
ip netns add $A 2>/dev/null || { echo "cannot create network namespaces"; exit 77; }
tmp=$(mktemp -d /tmp/nt9cap.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null
    umount "$tmp/full" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add $B
ip link add $VA netns $A type veth peer name $VB netns $B
ip -n $A addr add 10.79.1.2/24 dev $VA
ip -n $B addr add 10.79.1.1/24 dev $VB
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A link set $VA up
ip -n $B link set $VB up

fails=0; n=0
ok() { n=$((n+1)); }
bad() { n=$((n+1)); fails=$((fails+1)); echo "FAIL $*"; }
expect() { # description, actual, wanted
    n=$((n+1))
    [ "$2" = "$3" ] || { echo "FAIL $1: got '$2', want '$3'"; fails=$((fails+1)); }
}
inA() { ip netns exec $A "$@"; }
inB() { ip netns exec $B "$@"; }

# start NAME ARGS...: a capture in B in the background, ready when it says so
start() {
    local name=$1; shift
    # ip netns exec execs the program: $! is the capture itself
    ip netns exec $B "$NT" capture "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
    cap=$!
    pids+=($cap)
    # every wait is bounded: a capture that does not stop is killed
    ( sleep 30; kill -KILL $cap 2>/dev/null ) &
    pids+=($!)
    for _ in $(seq 50); do
        grep -q "Capturing on" "$tmp/$name.err" && return 0
        kill -0 $cap 2>/dev/null || break
        sleep 0.1
    done
    echo "capture $name did not start:"; cat "$tmp/$name.err"; return 1
}
# stop: SIGINT, then the exit status in $rc
stop() { kill -INT $cap; wait $cap; rc=$?; }

udp() { # COUNT SIZE: a bounded UDP sender from A to B's discard port
    inA python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range($1):
    s.sendto(bytes([65 + i % 26]) * $2, ('10.79.1.1', 9))
    time.sleep(0.005)"
}
# nettracer reads a file without a warning or an error
nt_reads() {
    local f=$1 frames
    frames=$("$NT" show --json "$f" 2> "$tmp/show.err" | wc -l)
    [ -s "$tmp/show.err" ] && { bad "nettracer show $f: $(head -2 "$tmp/show.err")"; return; }
    expect "frames nettracer vs tshark in $(basename "$f")" "$frames" "$(tshark -r "$f" 2>/dev/null | wc -l)"
}
tcount() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }

# 1. plain capture: everything sent is there, with the pcapng metadata
start plain -i $VB -w "$tmp/plain.pcapng" || exit 1
inA ping -c 5 -i 0.05 -q 10.79.1.1 > /dev/null
udp 20 300
# while the capture runs, far less than a buffer reaches the file (pushed
# to the writer thread every second): wait for it, at most 10 s
sent='icmp.type == 8 || icmp.type == 0 || (udp.dstport == 9 && !icmp)'
for _ in $(seq 100); do
    [ "$(tcount "$tmp/plain.pcapng" "$sent")" = 30 ] && break
    sleep 0.1
done
expect "plain packets in the file before the stop" "$(tcount "$tmp/plain.pcapng" "$sent")" 30
stop
expect "plain exit" "$rc" 0
expect "plain echo requests" "$(tcount "$tmp/plain.pcapng" 'icmp.type == 8')" 5
expect "plain echo replies" "$(tcount "$tmp/plain.pcapng" 'icmp.type == 0')" 5
expect "plain udp" "$(tcount "$tmp/plain.pcapng" 'udp.dstport == 9 && !icmp')" 20
capinfos "$tmp/plain.pcapng" > "$tmp/ci" 2>&1 || bad "capinfos plain: $(head -3 "$tmp/ci")"
grep -q "File type:.*pcapng" "$tmp/ci" || bad "plain is not pcapng"
grep -q "Capture application: nettracer" "$tmp/ci" || bad "no shb_userappl"
grep -q "Capture oper-sys: *Linux" "$tmp/ci" || bad "no shb_os"
grep -q "Name = $VB" "$tmp/ci" || bad "no if_name"
grep -q "Description = 10.79.1.1" "$tmp/ci" || bad "no if_description"
grep -q "Time precision = nanoseconds" "$tmp/ci" || bad "no if_tsresol 9"
grep -q "Number of stat entries = 1" "$tmp/ci" || bad "no interface statistics block"
grep -q "packets captured, .* received by filter, 0 dropped by kernel, 0 dropped by interface" "$tmp/plain.err" ||
    bad "no pcap_stats summary: $(cat "$tmp/plain.err")"
captured=$(sed -n "s/^$VB: \([0-9]*\) packets captured.*/\1/p" "$tmp/plain.err")
expect "summary count = file count" "$captured" "$(tshark -r "$tmp/plain.pcapng" 2>/dev/null | wc -l)"
nt_reads "$tmp/plain.pcapng"
# the statistics block as tshark reads it: no drops, all delivered
tshark -r "$tmp/plain.pcapng" -Y frame -T fields -e frame.number 2>/dev/null | tail -1 > /dev/null
ok

# 2. capture filter and snap length: only UDP, cut at 64 bytes, filter recorded
start filt -i $VB -f 'udp and dst port 9' -s 64 -w "$tmp/filt.pcapng" || exit 1
inA ping -c 3 -i 0.05 -q 10.79.1.1 > /dev/null
udp 10 300
sleep 0.3
stop
expect "filter: frames" "$(tshark -r "$tmp/filt.pcapng" 2>/dev/null | wc -l)" 10
expect "filter: no icmp" "$(tcount "$tmp/filt.pcapng" icmp)" 0
expect "snaplen: longest captured" "$(tshark -r "$tmp/filt.pcapng" -T fields -e frame.cap_len 2>/dev/null | sort -n | tail -1)" 64
expect "snaplen: wire length kept" "$(tshark -r "$tmp/filt.pcapng" -T fields -e frame.len 2>/dev/null | sort -u)" 342
capinfos "$tmp/filt.pcapng" > "$tmp/ci" 2>&1
grep -q "Capture length = 64" "$tmp/ci" || bad "IDB snaplen is not 64"
grep -q "Filter string = udp and dst port 9" "$tmp/ci" || bad "if_filter not recorded: $(grep -i filter "$tmp/ci")"
nt_reads "$tmp/filt.pcapng"

# 3. classic pcap, --count stops by itself
start pcap -i $VB --pcap -c 6 -w "$tmp/c.pcap" || exit 1
inA ping -c 10 -i 0.05 -q 10.79.1.1 > /dev/null
wait $cap; rc=$?
expect "count exit" "$rc" 0
capinfos -t "$tmp/c.pcap" | grep -q "pcap$" || bad "--pcap did not write pcap: $(capinfos -t "$tmp/c.pcap")"
expect "count frames" "$(tshark -r "$tmp/c.pcap" 2>/dev/null | wc -l)" 6
nt_reads "$tmp/c.pcap"

# 4. --duration stops by itself; two interfaces in one file
start dur -i $VB -i lo --duration 1.5 -w "$tmp/two.pcapng" || exit 1
inB ping -c 2 -i 0.05 -q 127.0.0.1 > /dev/null
inA ping -c 2 -i 0.05 -q 10.79.1.1 > /dev/null
wait $cap; rc=$?
expect "duration exit" "$rc" 0
expect "two interfaces" "$(capinfos "$tmp/two.pcapng" | sed -n 's/Number of interfaces in file: //p')" 2
expect "frames on the veth" "$(tcount "$tmp/two.pcapng" 'frame.interface_id == 0 && icmp')" 4
expect "frames on lo" "$(tcount "$tmp/two.pcapng" 'frame.interface_id == 1 && icmp')" 4
nt_reads "$tmp/two.pcapng"
start any -i any -w "$tmp/any.pcapng" -f icmp || exit 1
inA ping -c 2 -i 0.05 -q 10.79.1.1 > /dev/null
sleep 0.3
kill -TERM $cap; wait $cap; rc=$?
expect "SIGTERM exit" "$rc" 0
grep -q "packets captured" "$tmp/any.err" || bad "no summary after SIGTERM"
capinfos "$tmp/any.pcapng" | grep -q "Encapsulation = Linux cooked" || bad "any is not Linux cooked"
expect "any frames" "$(tcount "$tmp/any.pcapng" icmp)" 4
nt_reads "$tmp/any.pcapng"

# 5. --ring 20k:3: exactly three files, the newest data, dumpcap names
mkdir "$tmp/ring"
start ring -i $VB -f icmp --ring 20k:3 -w "$tmp/ring/r.pcapng" || exit 1
inA ping -c 300 -i 0.002 -s 200 -q 10.79.1.1 > /dev/null
sleep 0.3
stop
expect "ring exit" "$rc" 0
expect "ring files" "$(ls "$tmp/ring" | wc -l)" 3
ls "$tmp/ring" | grep -qvE '^r_[0-9]{5}_[0-9]{14}\.pcapng$' && bad "ring names: $(ls "$tmp/ring")"
last=$(ls "$tmp/ring" | sort | tail -1)
expect "ring keeps the newest (last reply)" "$(tcount "$tmp/ring/$last" 'icmp.type == 0 && icmp.seq == 300')" 1
first=$(ls "$tmp/ring" | sort | head -1)
expect "ring dropped the oldest" "$(tcount "$tmp/ring/$first" 'icmp.seq == 1')" 0
[ "${first:2:5}" -gt 1 ] || bad "ring kept file 1: $first"
grep -q "older files removed by the ring" "$tmp/ring.err" || bad "no ring note"
for f in "$tmp"/ring/*; do
    capinfos "$f" > /dev/null 2>&1 || bad "capinfos $f"
    nt_reads "$f"
    sz=$(stat -c %s "$f")
    [ "$sz" -lt 25000 ] || bad "ring file too big: $sz"
done

# 6. --chain 20k: every file kept, nothing lost between them
mkdir "$tmp/chain"
start chain -i $VB -f icmp --chain 20k -w "$tmp/chain/c.pcapng" || exit 1
inA ping -c 200 -i 0.002 -s 200 -q 10.79.1.1 > /dev/null
sleep 0.3
stop
nfiles=$(ls "$tmp/chain" | wc -l)
[ "$nfiles" -ge 3 ] || bad "chain files: $nfiles"
expect "chain names in sequence" "$(ls "$tmp/chain" | cut -c3-7 | tr '\n' ' ')" "$(seq -f %05g 1 "$nfiles" | tr '\n' ' ')"
total=0
for f in "$tmp"/chain/*; do
    nt_reads "$f"
    total=$((total + $(tcount "$f" 'icmp.type == 8')))
done
expect "chain holds every request" "$total" 200

# 7. SIGINT in the middle of traffic: every file complete
mkdir "$tmp/int"
start int -i $VB --chain 30k -w "$tmp/int/i.pcapng" || exit 1
inA ping -c 1500 -i 0.002 -s 300 -q 10.79.1.1 > /dev/null &
pids+=($!)
sleep 1
stop
expect "SIGINT exit" "$rc" 0
grep -q "packets captured" "$tmp/int.err" || bad "no summary after SIGINT"
for f in "$tmp"/int/*; do
    capinfos "$f" > "$tmp/ci" 2>&1 || bad "capinfos after SIGINT $(basename "$f"): $(head -2 "$tmp/ci")"
    tshark -r "$f" 2>&1 > /dev/null | grep -v "Running as user" > "$tmp/ts.err"
    [ -s "$tmp/ts.err" ] && bad "tshark warns on $(basename "$f"): $(head -2 "$tmp/ts.err")"
    nt_reads "$f"
done

# 8. -Z: files created as the user
chmod 777 "$tmp"
start z -i $VB -Z nobody -c 2 -w "$tmp/z.pcapng" || exit 1
inA ping -c 3 -i 0.05 -q 10.79.1.1 > /dev/null
wait $cap
expect "-Z owner" "$(stat -c %U "$tmp/z.pcapng")" nobody

# 9. without privilege: one line saying what is needed
inB setpriv --reuid=nobody --regid=nogroup --clear-groups "$NT" capture -i $VB -w "$tmp/np.pcapng" \
    > /dev/null 2> "$tmp/np.err"
rc=$?
expect "unprivileged exit" "$rc" 2
expect "unprivileged one line" "$(wc -l < "$tmp/np.err")" 1
grep -q "no permission to capture on $VB: you need root or the CAP_NET_RAW capability" "$tmp/np.err" ||
    bad "unprivileged message: $(cat "$tmp/np.err")"
grep -q "setcap cap_net_raw" "$tmp/np.err" || bad "no setcap hint"
[ -e "$tmp/np.pcapng" ] && bad "a file was created without privilege"

# 10. a full disk: a clear message, exit 1, a valid file
mkdir "$tmp/full"
inA ping -c 600 -i 0.002 -s 1000 -q 10.79.1.1 > /dev/null &
pids+=($!)
unshare -m bash -c "mount -t tmpfs -o size=100k nt9full '$tmp/full' && ip netns exec $B '$NT' capture -i $VB \
    --duration 2 -w '$tmp/full/f.pcapng' 2> '$tmp/full.err'; echo \$? > '$tmp/full.rc'; cp '$tmp/full/f.pcapng' '$tmp/f.pcapng'"
expect "full disk exit" "$(cat "$tmp/full.rc")" 1
grep -q "the disk is full" "$tmp/full.err" || bad "full disk message: $(cat "$tmp/full.err")"
capinfos "$tmp/f.pcapng" > "$tmp/ci" 2>&1 || bad "capinfos full disk: $(head -2 "$tmp/ci")"
inpkts=$(sed -n 's/.*whole packet written (\([0-9]*\) packets).*/\1/p' "$tmp/full.err")
expect "full disk packets in the message" "$inpkts" "$(tshark -r "$tmp/f.pcapng" 2>/dev/null | wc -l)"
# the summary: packets written (those in the file) and those captured but
# lost with the write error, not one "captured" count that hides the loss
sum=$(grep "^$VB: " "$tmp/full.err")
wr=$(sed -n 's/^[^:]*: \([0-9]*\) packets written, [0-9]* more captured but lost with the write error.*/\1/p' <<< "$sum")
lost=$(sed -n 's/.* packets written, \([0-9]*\) more captured but lost with the write error.*/\1/p' <<< "$sum")
recv=$(sed -n 's/.*, \([0-9]*\) received by filter.*/\1/p' <<< "$sum")
expect "full disk summary: written = packets in the file" "$wr" "$inpkts"
[ "${lost:-0}" -gt 0 ] || bad "full disk summary: no lost packets counted: $sum"
[ -n "$recv" ] && [ $((${wr:-0} + ${lost:-0})) -le "$recv" ] || bad "full disk summary: written + lost > received: $sum"
grep -q "packets captured" "$tmp/full.err" && bad "full disk summary still says captured: $sum"
nt_reads "$tmp/f.pcapng"

echo "$((n - fails))/$n checks passed"
[ "$fails" = 0 ]
