#!/usr/bin/env bash
# capture.sh - packets captured and dropped by `nettracer capture` and by
# tcpdump, both capturing the same traffic at the same time on the same veth,
# at rising rates (UDP datagrams from bench/udprate.c) between two
# network namespaces this script creates (tag nt9b, 10.89.3.0/24).
# Each tool runs with its defaults (nettracer: pcapng, 16 MiB buffer;
# tcpdump: pcap, 2 MiB buffer) and the same capture filter.
# With BUF_MIB=N both get an N MiB kernel buffer (nettracer -B N, tcpdump
# -B N*1024), so that the drops compare the programs and not their defaults.
# PAYLOAD=BYTES sets the UDP payload (default 100, at most 1400).
# NT_ARGS='...' adds options to nettracer's command line only (e.g. '-B 16').
# Usage: bench/capture.sh [RATES...]    NETTRACER=path overrides build/nettracer
# Needs root. Not a test: the figures depend on the machine's load.
set -u
bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/.." && pwd)
nt=${NETTRACER:-$root/build/nettracer}
[ -x "$nt" ] || { echo "capture.sh: build nettracer first (make build)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "capture.sh: needs root (network namespaces)" >&2; exit 2; }
rates=("$@")
ntb=(); tdb=()
if [ -n "${BUF_MIB:-}" ]; then ntb=(-B "$BUF_MIB"); tdb=(-B $((BUF_MIB * 1024))); fi
[ ${#rates[@]} -gt 0 ] || rates=(10000 50000 100000 200000 400000 0)
out=$bench/out/capture
mkdir -p "$out"
cc -O2 -std=c17 -Wall -Wextra -Werror -o "$bench/out/udprate" "$bench/udprate.c" || exit 2
A=nt9ba$$ B=nt9bb$$ VA=nt9bya$$ VB=nt9byb$$
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null
}
trap cleanup EXIT
ip netns add $A && ip netns add $B || exit 2
ip link add $VA netns $A type veth peer name $VB netns $B
ip -n $A addr add 10.89.3.2/24 dev $VA
ip -n $B addr add 10.89.3.1/24 dev $VB
ip -n $A link set $VA up; ip -n $B link set $VB up
ip -n $A link set lo up; ip -n $B link set lo up
# nothing listens on port 9: B answers with ICMP port unreachable at most
# once per 1000 s, so the traffic goes one way only
ip netns exec $B sysctl -qw net.ipv4.icmp_ratelimit=1000000
filter="udp and dst port 9"
rxpk() { ip netns exec $B cat /sys/class/net/$VB/statistics/rx_packets; }

printf '%-8s %9s %9s | %-26s | %-26s\n' "rate/s" "sent" "on wire" "nettracer captured/dropped" "tcpdump captured/dropped"
for rate in "${rates[@]}"; do
    if [ "$rate" = 0 ]; then count=1000000; label=max; else count=$((rate * 3)); label=$rate; fi
    [ $count -gt 1000000 ] && count=1000000
    rm -f "$out"/nt.pcapng "$out"/td.pcap
    ip netns exec $B "$nt" capture "${ntb[@]}" ${NT_ARGS:-} -q -i $VB -f "$filter" -w "$out/nt.pcapng" 2> "$out/nt.err" &
    ntpid=$!; pids+=($ntpid)
    ip netns exec $B tcpdump "${tdb[@]}" -q -i $VB -w "$out/td.pcap" "$filter" 2> "$out/td.err" &
    tdpid=$!; pids+=($tdpid)
    for _ in $(seq 50); do
        grep -q "listening on" "$out/td.err" && [ -e "$out/nt.pcapng" ] && break
        sleep 0.1
    done
    sleep 0.3
    rx0=$(rxpk)
    read -r sent secs < <(ip netns exec $A "$bench/out/udprate" 10.89.3.1 9 "$rate" $count "${PAYLOAD:-100}" 20)
    sleep 1
    rx1=$(rxpk)
    kill -INT $ntpid $tdpid
    wait $ntpid $tdpid 2>/dev/null
    ntc=$(sed -n 's/.*: \([0-9]*\) packets captured.*/\1/p' "$out/nt.err")
    ntd=$(sed -n 's/.*, \([0-9]*\) dropped by kernel.*/\1/p' "$out/nt.err")
    tdc=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$out/td.err")
    tdd=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$out/td.err")
    printf '%-8s %9s %9s | %12s / %-11s | %12s / %-11s  (%.0f/s sent)\n' "$label" "$sent" "$((rx1 - rx0))" \
        "$ntc" "$ntd" "$tdc" "$tdd" "$(echo "$sent $secs" | awk '{print $1/$2}')"
done
