#!/bin/bash
# record_apps.sh OUTDIR [NAME...]
#
# Records the application-protocol test captures (SIP/SDP/RTP/RTCP, DHCP,
# NBNS, TPKT/X.224 with RDP negotiation): real programs (protoapp.py, dnsmasq)
# between two network namespaces that this script creates and always deletes.
# Traffic stays on one veth pair, addresses 10.55.0.0/16 only.
#
# Needs root, iproute2, tcpdump, python3, ethtool, dnsmasq (dnsmasq-base).
set -euo pipefail

. "$(dirname "$0")/lib.sh"
rec_init record_apps.sh nt5rec "$@"
APP="$HERE/protoapp.py"

# wait_done PID: bounded wait (20 s) for a background program to finish
wait_done() {
    local i
    for i in $(seq 200); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    stop_bg "$1"
}

# pair SUBNET [noaddr]: namespaces A (10.55.S.1, va) and B (10.55.S.2, vb),
# IPv6 off, fixed MACs 02:55:00:S:00:H, offloads off; with noaddr A gets no
# address (a DHCP client)
pair() {
    local s=$1 noaddr=${2:-}
    A="$TAG-${s}a"; B="$TAG-${s}b"
    local ns
    for ns in "$A" "$B"; do
        ip netns add "$ns"
        NSLIST+=("$ns")
        nsx "$ns" ip link set lo up
        nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done
    nsx "$A" ip link add va address "$(printf '02:55:00:%02x:00:01' "$s")" type veth \
        peer name vb address "$(printf '02:55:00:%02x:00:02' "$s")" netns "$B"
    [ "$noaddr" = noaddr ] || nsx "$A" ip addr add "10.55.$s.1/24" dev va
    nsx "$B" ip addr add "10.55.$s.2/24" dev vb
    nsx "$A" ethtool -K va tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
    nsx "$B" ethtool -K vb tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
    nsx "$A" ip link set va up
    nsx "$B" ip link set vb up
}

cap_start() {
    local ns=$1 ifc=$2 f=$3
    shift 3
    local lg="$WORK/$(basename "$f").log"
    bg "$ns" tcpdump -i "$ifc" -U -Z root -w "$f" "$@" 2>"$lg"
    CAP_PID=$BG_PID
    wait_for "$lg" "listening on"
    sleep 0.3
}
cap_stop() {
    sleep 1
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    forget_pid "$CAP_PID"
}

# sip_common FILE SUBNET MODE: callee in B, caller in A
sip_common() {
    local f=$1 s=$2 mode=$3
    pair "$s"
    local lg="$WORK/uas-$mode.log"
    bg "$B" timeout 30 python3 "$APP" sip-uas "$mode" "10.55.$s.2" 15 >"$lg"
    local uas=$BG_PID
    wait_for "$lg" ready
    # ARP resolved before the capture starts, so the trace is only the call
    nsx "$A" ping -c 1 -W 1 "10.55.$s.2" >/dev/null || true
    cap_start "$A" va "$OUT/$f" not arp
    nsx "$A" timeout 30 python3 "$APP" sip-uac "$mode" "10.55.$s.1" "10.55.$s.2" || true
    wait_done "$uas"
    cap_stop
}

rec_sip_call() { sip_common sip_call.pcap 1 call; }
rec_sip_nobye() { sip_common sip_nobye.pcap 2 nobye; }
rec_sip_error() { sip_common sip_error.pcap 3 error; }
rec_sip_tcp() { sip_common sip_tcp.pcap 4 tcp; }

rec_dhcp() {
    pair 5 noaddr
    local d="$WORK/dnsmasq"
    mkdir -p "$d"
    # DHCP only (port=0: no DNS), no ping check before an offer, no lease file
    bg "$B" dnsmasq --keep-in-foreground --port=0 --interface=vb --bind-interfaces \
        --dhcp-range=10.55.5.100,10.55.5.150,255.255.255.0,1h --dhcp-option=3,10.55.5.2 \
        --no-ping --leasefile-ro --dhcp-authoritative --pid-file="$d/pid" \
        --log-facility="$d/log" --log-dhcp
    local srv=$BG_PID
    sleep 1
    cap_start "$A" va "$OUT/dhcp.pcap"
    nsx "$A" timeout 15 python3 "$APP" dhcp-client va 02:55:00:05:00:01 || log "dhcp client failed"
    cap_stop
    stop_bg "$srv"
}

rec_nbns() {
    pair 6
    local lg="$WORK/nbns.log"
    bg "$B" timeout 20 python3 "$APP" nbns-server WORKSTATION 10.55.6.2 10 >"$lg"
    local srv=$BG_PID
    wait_for "$lg" ready
    nsx "$A" ping -c 1 -W 1 10.55.6.2 >/dev/null || true
    cap_start "$A" va "$OUT/nbns.pcap" not arp
    nsx "$A" timeout 10 python3 "$APP" nbns-query WORKSTATION 10.55.6.2 || true
    cap_stop
    stop_bg "$srv"
}

rec_rdp() {
    pair 7
    local lg="$WORK/rdp.log"
    bg "$B" timeout 20 python3 "$APP" rdp-server 10 >"$lg"
    local srv=$BG_PID
    wait_for "$lg" ready
    nsx "$A" ping -c 1 -W 1 10.55.7.2 >/dev/null || true
    cap_start "$A" va "$OUT/rdp.pcap" not arp
    nsx "$A" timeout 10 python3 "$APP" rdp-client 10.55.7.2 || true
    wait_done "$srv"
    cap_stop
}

ALL="sip_call sip_nobye sip_error sip_tcp dhcp nbns rdp"

record_all $ALL
log "done: $OUT"
