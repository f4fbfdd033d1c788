#!/bin/bash
# record_diagnose.sh OUTDIR [NAME...]
#
# Records the captures that show the problems `nettracer diagnose` finds and
# that record.sh does not already record: real programs (python sockets from
# diagapp.py, ping) between network namespaces this script creates and always
# deletes (trap EXIT). Traffic stays on the veth pair between them, addresses
# 10.66.0.0/16 only. Offloads are off so segments are wire-sized with correct
# checksums. Needs root, iproute2, tcpdump, python3, ethtool, ping, iptables,
# dnsmasq, dig, openssl.
#
#   diag_noresp  a server that reads the request and never answers (TCP ACKs
#                it); the client gives up after 4 s (the field notes' load
#                balancer case)
#   diag_nagle   30 request/answer exchanges; the server writes a 6-byte
#                header and a 276-byte body in two send() calls with Nagle on,
#                so the body waits for the client's delayed ACK of the header
#   diag_slow    3 requests, each answered after 1.5 s
#   diag_idle    request/answer, 11 s of silence, request/answer
#   diag_arp     ping to an address nobody has in the subnet: ARP unanswered
#   diag_offload two request/answer exchanges captured on a host that keeps
#                its transmit checksum offload: its own packets carry wrong
#                TCP checksums, the peer's are right
#   diag_dns     dig to dnsmasq: portal.nettracer.test resolves to 10.66.7.2,
#                gone.nettracer.test does not exist (NXDOMAIN), a server
#                address whose UDP 53 is dropped (no answer, 2 tries); then
#                a TLS client without SNI to 10.66.7.2:443, whose certificate
#                is for "Default Web Site" (the name resolved elsewhere)
#   diag_oneway  a SIP call (INVITE/200/ACK with SDP, 3 s of RTP, BYE) whose
#                callee's RTP is dropped before the wire: one-way media
#   diag_stun    a STUN Binding request to UDP 3478, which the server drops,
#                sent 4 times
#   diag_nomedia a SIP call set up with SDP and ended by BYE, whose RTP is
#                dropped on both sides before the wire: no media at all
#   diag_dnsfail dig to dnsmasq, which refuses names it has no server for
#                (REFUSED), and a long TXT answer over TCP split into
#                several segments by a 576-byte MTU
#   diag_tls     openssl s_server: a certificate valid only from 2099, then a
#                TLS 1.2 session the server renegotiates after the request
set -euo pipefail

. "$(dirname "$0")/lib.sh"
rec_init record_diagnose.sh nt6d "$@"
APP="$HERE/diagapp.py"

# pair SUBNET [offload]: namespaces A (10.66.S.1) and B (10.66.S.2), IPv4
# only, linked; with "offload" A keeps its checksum offload (its packets are
# captured before the checksum is filled in)
pair() {
    local s=$1 offl=${2:-}
    A="$TAG-${s}a" B="$TAG-${s}b"
    ip netns add "$A"; NSLIST+=("$A")
    ip netns add "$B"; NSLIST+=("$B")
    local ns
    for ns in "$A" "$B"; do
        nsx "$ns" ip link set lo up
        nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done
    nsx "$A" ip link add nt6va address "$(printf '02:66:00:%02x:00:01' "$s")" type veth \
        peer name nt6vb address "$(printf '02:66:00:%02x:00:02' "$s")" netns "$B"
    nsx "$A" ip addr add "10.66.$s.1/24" dev nt6va
    nsx "$B" ip addr add "10.66.$s.2/24" dev nt6vb
    if [ "$offl" = offload ]; then
        nsx "$A" ethtool -K nt6va tso off gso off gro off >/dev/null 2>&1 || true
    else
        nsx "$A" ethtool -K nt6va tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
    fi
    nsx "$B" ethtool -K nt6vb tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
    nsx "$A" ip link set nt6va up
    nsx "$B" ip link set nt6vb up
}

cap_start() {
    local ns=$1 ifc=$2 f=$3 lg="$WORK/$(basename "$3").log"
    bg "$ns" tcpdump -i "$ifc" -U -Z root -w "$f" 2>"$lg"
    CAP_PID=$BG_PID
    wait_for "$lg" "listening on"
    sleep 0.3
}
cap_stop() { sleep 1; kill -INT "$CAP_PID"; wait "$CAP_PID" || true; forget_pid "$CAP_PID"; }

start_server() {
    local ns=$1 lg=$2
    shift 2
    ip netns exec "$ns" timeout 40 python3 "$APP" "$@" >"$lg" 2>&1 &
    SRV=$!
    PIDS+=("$SRV")
    wait_for "$lg" ready
}

# exchange "S [offload]" NAME "SERVER ARGS" CLIENT ARGS...: a diagapp.py
# server in B and its client in A, captured on A into NAME.pcap
exchange() {
    local s=$1 name=$2 srv=$3
    shift 3
    # shellcheck disable=SC2086 # pair's and the server's arguments are words
    pair $s
    start_server "$B" "$WORK/$name.log" $srv
    cap_start "$A" nt6va "$OUT/$name.pcap"
    nsx "$A" timeout 30 python3 "$APP" "$@" || true
    cap_stop
    stop_bg "$SRV"
}

rec_diag_noresp() { exchange 1 diag_noresp "mute-server 8080 20" ask-client 10.66.1.2 8080 4; }

rec_diag_nagle() { exchange 2 diag_nagle "split-server 7890 30 20" rr-client 10.66.2.2 7890 30 282; }
rec_diag_slow() { exchange 3 diag_slow "delay-server 9001 3 1.5 20" rr-client 10.66.3.2 9001 3 110; }
rec_diag_idle() { exchange 4 diag_idle "delay-server 9000 2 0 30" pause-client 10.66.4.2 9000 11; }

rec_diag_arp() {
    pair 5
    cap_start "$A" nt6va "$OUT/diag_arp.pcap"
    # 10.66.5.99 is in the subnet but nobody has it: the ARP requests go unanswered
    nsx "$A" timeout 10 ping -n -c 2 -W 1 10.66.5.99 >/dev/null 2>&1 || true
    cap_stop
}

rec_diag_offload() { exchange "6 offload" diag_offload "delay-server 9000 2 0 20" rr-client 10.66.6.2 9000 2 24; }

rec_diag_dns() {
    pair 7
    # a second server address whose DNS port drops everything
    nsx "$B" ip addr add 10.66.7.3/24 dev nt6vb
    nsx "$B" iptables -A INPUT -d 10.66.7.3 -p udp --dport 53 -j DROP
    # dnsmasq: portal.nettracer.test is 10.66.7.2, the rest of nettracer.test does not exist
    bg "$B" timeout 40 dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces --listen-address=10.66.7.2 \
        --port=53 --local=/nettracer.test/ --address=/portal.nettracer.test/10.66.7.2 --pid-file="$WORK/dnsmasq.pid" \
        --user=root --log-facility="$WORK/dnsmasq.log"
    local dns=$BG_PID
    # a TLS server whose certificate is for another name (CN=Default Web Site, no SAN)
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=Default Web Site" -days 30 \
        -keyout "$WORK/wrong.key" -out "$WORK/wrong.pem" >/dev/null 2>&1
    bg "$B" timeout 40 openssl s_server -quiet -accept 443 -cert "$WORK/wrong.pem" -key "$WORK/wrong.key" -www
    local tls=$BG_PID
    local i
    for i in $(seq 50); do nsx "$B" ss -ltn | grep -q ':443 ' && nsx "$B" ss -lun | grep -q '10.66.7.2:53 ' && break; sleep 0.1; done
    cap_start "$A" nt6va "$OUT/diag_dns.pcap"
    nsx "$A" timeout 10 dig +tries=1 +time=2 @10.66.7.2 portal.nettracer.test A >/dev/null || true
    nsx "$A" timeout 10 dig +tries=1 +time=2 @10.66.7.2 gone.nettracer.test A >/dev/null || true
    nsx "$A" timeout 10 dig +tries=2 +time=1 @10.66.7.3 portal.nettracer.test A >/dev/null || true
    # a client that resolved the name and connects without SNI (TLS 1.2: the certificate is visible)
    nsx "$A" timeout 10 openssl s_client -connect 10.66.7.2:443 -noservername -tls1_2 </dev/null >/dev/null 2>&1 || true
    cap_stop
    stop_bg "$tls"
    stop_bg "$dns"
}

# sip_call S NAME: a 3-second call from 10.66.S.1 to 10.66.S.2 (python user
# agents), captured on A into NAME.pcap
sip_call() {
    start_server "$B" "$WORK/uas.log" sip-uas "10.66.$1.2" 10
    cap_start "$A" nt6va "$OUT/$2.pcap"
    nsx "$A" timeout 20 python3 "$APP" sip-uac "10.66.$1.1" "10.66.$1.2" 3 || true
    cap_stop
    stop_bg "$SRV"
}

rec_diag_oneway() {
    pair 8
    # the callee's RTP never reaches the wire (dropped in its OUTPUT chain): one-way audio
    nsx "$B" iptables -A OUTPUT -p udp --sport 40002 -j DROP
    sip_call 8 diag_oneway
}

rec_diag_stun() {
    pair 9
    # the STUN/TURN port is dropped on the server
    nsx "$B" iptables -A INPUT -p udp --dport 3478 -j DROP
    cap_start "$A" nt6va "$OUT/diag_stun.pcap"
    nsx "$A" timeout 20 python3 "$APP" stun-client 10.66.9.1 10.66.9.2 4 || true
    cap_stop
}

rec_diag_nomedia() {
    pair 10
    # neither side's RTP reaches the wire: the call is set up, no media at all
    nsx "$A" iptables -A OUTPUT -p udp --sport 40000 -j DROP
    nsx "$B" iptables -A OUTPUT -p udp --sport 40002 -j DROP
    sip_call 10 diag_nomedia
}

rec_diag_dnsfail() {
    pair 11
    # a small MTU: dnsmasq's long TCP answer takes several segments
    nsx "$A" ip link set nt6va mtu 576
    nsx "$B" ip link set nt6vb mtu 576
    local txt="" i
    for i in $(seq 12); do txt+="\"v=spf1 include:_spf$i.nettracer.test include:_spf$i.contoso.test ~all\","; done
    # dnsmasq knows nettracer.test and has no server for anything else: it refuses those
    bg "$B" timeout 40 dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces --listen-address=10.66.11.2 \
        --port=53 --local=/nettracer.test/ --address=/portal.nettracer.test/10.66.11.2 \
        --txt-record="big.nettracer.test,${txt%,}" --pid-file="$WORK/dnsmasq.pid" \
        --user=root --log-facility="$WORK/dnsmasq.log"
    local dns=$BG_PID
    for i in $(seq 50); do nsx "$B" ss -ltn | grep -q '10.66.11.2:53 ' && break; sleep 0.1; done
    cap_start "$A" nt6va "$OUT/diag_dnsfail.pcap"
    nsx "$A" timeout 10 dig +tries=1 +time=2 @10.66.11.2 www.example.test A >/dev/null || true
    nsx "$A" timeout 10 dig +tries=1 +time=2 @10.66.11.2 portal.nettracer.test A >/dev/null || true
    nsx "$A" timeout 10 dig +tcp +tries=1 +time=2 @10.66.11.2 big.nettracer.test TXT >/dev/null || true
    nsx "$A" timeout 10 dig +tcp +tries=1 +time=2 @10.66.11.2 mail.example.test MX >/dev/null || true
    cap_stop
    stop_bg "$dns"
}

rec_diag_tls() {
    pair 12
    # a certificate valid only from 2099 (openssl ca writes explicit dates), and a
    # server that renegotiates in the middle of the session (s_server's "r" command)
    local w=$WORK/ca
    mkdir -p "$w/db" && : >"$w/db/index.txt" && echo 01 >"$w/db/serial"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=nettracer test CA" -days 30 \
        -keyout "$w/ca.key" -out "$w/ca.pem" >/dev/null 2>&1
    cat >"$w/ca.cnf" <<X
[ca]
default_ca=d
[d]
database=$w/db/index.txt
serial=$w/db/serial
new_certs_dir=$w/db
certificate=$w/ca.pem
private_key=$w/ca.key
default_md=sha256
policy=p
copy_extensions=none
unique_subject=no
[p]
commonName=supplied
[leaf]
basicConstraints=CA:FALSE
subjectAltName=DNS:www.nettracer.test
X
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=www.nettracer.test" \
        -keyout "$w/future.key" -out "$w/future.csr" >/dev/null 2>&1
    openssl ca -batch -config "$w/ca.cnf" -startdate 20990101000000Z -enddate 21000101000000Z \
        -extensions leaf -extfile "$w/ca.cnf" -in "$w/future.csr" -out "$w/future.pem" -notext >/dev/null 2>&1
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=www.nettracer.test" \
        -keyout "$w/ok.key" -out "$w/ok.csr" >/dev/null 2>&1
    openssl ca -batch -config "$w/ca.cnf" -days 30 -extensions leaf -extfile "$w/ca.cnf" -in "$w/ok.csr" \
        -out "$w/ok.pem" -notext >/dev/null 2>&1
    bg "$B" timeout 40 openssl s_server -quiet -accept 443 -tls1_2 -cert "$w/future.pem" -key "$w/future.key" -www
    local fut=$BG_PID
    # s_server reads its commands from stdin: once the request is in, "r"
    # renegotiates, then "Q" ends it
    {
        for i in $(seq 100); do grep -q "GET / HTTP" "$WORK/reneg.log" 2>/dev/null && break; sleep 0.1; done
        echo r
        sleep 1
        echo Q
    } | ip netns exec "$B" timeout 40 openssl s_server -accept 4433 -tls1_2 -cert "$w/ok.pem" -key "$w/ok.key" \
        >"$WORK/reneg.log" 2>&1 &
    local ren=$!
    PIDS+=("$ren")
    local i
    for i in $(seq 50); do nsx "$B" ss -ltn | grep -q ':4433 ' && nsx "$B" ss -ltn | grep -q ':443 ' && break; sleep 0.1; done
    cap_start "$A" nt6va "$OUT/diag_tls.pcap"
    nsx "$A" timeout 10 openssl s_client -connect 10.66.12.2:443 -servername www.nettracer.test -CAfile "$w/ca.pem" -verify_return_error \
        </dev/null >/dev/null 2>&1 || true
    { echo "GET / HTTP/1.0"; sleep 4; } | nsx "$A" timeout 8 openssl s_client -connect 10.66.12.2:4433 \
        -servername www.nettracer.test -CAfile "$w/ca.pem" >/dev/null 2>&1 &
    local cli=$!
    wait_for "$WORK/reneg.log" "GET / HTTP"
    wait "$cli" || true
    cap_stop
    stop_bg "$fut"
    stop_bg "$ren"
}

ALL="diag_noresp diag_nagle diag_slow diag_idle diag_arp diag_offload diag_dns diag_oneway diag_stun diag_nomedia
     diag_dnsfail diag_tls"
record_all $ALL
log "done: $OUT"
