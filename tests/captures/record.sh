#!/bin/bash
# record.sh OUTDIR [NAME...]
#
# Records the project's real test captures: real programs (ping, curl, nginx,
# python sockets) talking between network namespaces that this script creates
# and deletes itself.  Traffic never leaves those namespaces: they are linked
# only to each other by veth pairs and use 10.99.0.0/16 and fd00:99::/48.
#
# With NAME arguments only those captures are recorded (e.g. "ping4 http4").
# Needs root, iproute2, tcpdump, nginx, curl, ping (iputils), python3
# (nsapp.py, tcpapp.py), iptables/ip6tables, ethtool, editcap; dumpcap is
# optional.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
rec_init record.sh ntrec "$@"
NSAPP="$HERE/nsapp.py"
TCPAPP="$HERE/tcpapp.py"

# ns_new VAR SHORTNAME MODE: create namespace $TAG-SHORTNAME, store its name
# in VAR.  MODE: v4 (IPv6 off), v6 (IPv6 on, no DAD, no router solicitations:
# quiet), v6full (kernel defaults)
ns_new() {
    local var=$1
    shift
    local ns="$TAG-$1"
    ip netns add "$ns"
    NSLIST+=("$ns")
    nsx "$ns" ip link set lo up
    case $2 in
    v4)
        nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ;;
    v6)
        nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 ;;
    v6full) ;;
    *) die "ns_new: bad mode $2" ;;
    esac
    printf -v "$var" '%s' "$ns"
}

# link NS1 IF1 H1 NS2 IF2 H2 SUBNET [dad]
# veth pair IF1 (in NS1) <-> IF2 (in NS2), addresses 10.99.SUBNET.H/24 and
# fd00:99:SUBNET::H/64, fixed MACs 02:99:00:SUBNET:00:H, offloads off so the
# capture shows wire-sized segments with correct checksums.  Links stay down.
link() {
    local n1=$1 i1=$2 h1=$3 n2=$4 i2=$5 h2=$6 s=$7 dad=${8:-}
    local m1 m2 v6flag=nodad
    m1=$(printf '02:99:00:%02x:00:%02x' "$s" "$h1")
    m2=$(printf '02:99:00:%02x:00:%02x' "$s" "$h2")
    [ "$dad" = dad ] && v6flag=
    nsx "$n1" ip link add "$i1" address "$m1" type veth peer name "$i2" address "$m2" netns "$n2"
    local ns ifc h x
    for x in "$n1 $i1 $h1" "$n2 $i2 $h2"; do
        set -- $x; ns=$1 ifc=$2 h=$3
        nsx "$ns" ip addr add "10.99.$s.$h/24" dev "$ifc"
        if [ "$(nsx "$ns" sysctl -n net.ipv6.conf.default.disable_ipv6)" = 0 ]; then
            nsx "$ns" ip -6 addr add "fd00:99:$s::$h/64" dev "$ifc" $v6flag
        fi
        nsx "$ns" ethtool -K "$ifc" tx off rx off tso off gso off gro off >/dev/null 2>&1 ||
            log "warning: ethtool -K $ifc failed (captures may show offloaded segments)"
    done
}

up() { nsx "$1" ip link set "$2" up; }

# settle: let link-up chatter (MLD reports) pass before capturing
settle() { sleep 2.5; }

# cap_start NS IFACE FILE [tcpdump options...]: start tcpdump, wait until it listens
cap_start() {
    local ns=$1 ifc=$2 f=$3
    shift 3
    local lg="$WORK/$(basename "$f").log"
    bg "$ns" tcpdump -i "$ifc" -U -Z root -w "$f" "$@" 2>"$lg"
    CAP_PID=$BG_PID
    wait_for "$lg" "listening on"
    sleep 0.3
}

# cap_stop: give the last packets time to arrive, then stop tcpdump with SIGINT
cap_stop() {
    sleep 1
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    forget_pid "$CAP_PID"
}

# ping_ NS ARGS: ping bounded by -c (always given) and by timeout(1); no -w,
# since with a deadline iputils ping stops at the first ICMP error
ping_() { local ns=$1; shift; nsx "$ns" timeout 30 ping -n -W 2 "$@" >/dev/null || true; }
curl_() { local ns=$1; shift; nsx "$ns" curl -sS -g --max-time 10 -o /dev/null "$@" || true; }

# nginx_start NS V6(0|1): nginx serving $WORK/www on port 80; sets NGINX_PID
nginx_start() {
    local ns=$1 v6=$2 d="$WORK/nginx-$1"
    mkdir -p "$d/tmp" "$WORK/www"
    if [ ! -f "$WORK/www/index.html" ]; then
        {
            echo '<!DOCTYPE html>'
            echo '<html><head><title>nettracer test page</title></head><body>'
            echo '<h1>nettracer test page</h1>'
            for i in $(seq 1 60); do
                printf '<p>line %02d: the quick brown fox jumps over the lazy dog</p>\n' "$i"
            done
            echo '</body></html>'
        } >"$WORK/www/index.html"
        printf 'small text resource for the second request\n' >"$WORK/www/small.txt"
    fi
    local listen6=
    [ "$v6" = 1 ] && listen6='listen [::]:80 ipv6only=on;'
    nginx_run "$ns" "$d" 80 "listen 80; $listen6 root $WORK/www;"
}

# nginx_run NS DIR PORT SERVER-DIRECTIVES: nginx with one server block, its
# files under DIR; waits until PORT listens; sets NGINX_PID
nginx_run() {
    local ns=$1 d=$2 port=$3 server=$4
    cat >"$d/nginx.conf" <<EOF
daemon off;
master_process off;
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 64; }
http {
    access_log off;
    default_type text/html;
    types { text/plain txt; text/html html; application/json json; text/xml xml; }
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    server { $server }
}
EOF
    bg "$ns" nginx -e "$d/error.log" -p "$d" -c "$d/nginx.conf"
    NGINX_PID=$BG_PID
    local i
    for i in $(seq 100); do
        nsx "$ns" ss -Hltn "sport = :$port" | grep -q . && return 0
        sleep 0.1
    done
    die "nginx did not start: $(cat "$d/error.log" 2>/dev/null)"
}

# nginx_tls_start NS CERT KEY [EXTRA]: nginx serving $WORK/www over TLS on
# 443 (EXTRA: more server directives); sets NGINX_PID
nginx_tls_start() {
    local ns=$1 crt=$2 key=$3 extra=${4:-} d="$WORK/nginx-tls-$1" w="$WORK/www-tls"
    mkdir -p "$d/tmp" "$w"
    printf '<html><body>nettracer TLS test page</body></html>\n' >"$w/index.html"
    printf 'small text resource for the second request\n' >"$w/small.txt"
    nginx_run "$ns" "$d" 443 "listen 443 ssl; server_name www.nettracer.test; ssl_certificate $crt;
        ssl_certificate_key $key; ssl_protocols TLSv1.2 TLSv1.3; $extra root $w;"
}

certs() { [ -f "$WORK/certs/ca.pem" ] || bash "$HERE/mkcerts.sh" "$WORK/certs" >/dev/null; C="$WORK/certs"; }

# tls_case FILE SUBNET CERT KEY EXTRA CURLARGS...: one TLS capture
tls_case() {
    local f=$1 s=$2 crt=$3 key=$4 extra=$5
    shift 5
    pair "$s" v4
    nginx_tls_start "$B" "$crt" "$key" "$extra"
    cap_start "$A" va "$OUT/$f"
    curl_ "$A" --resolve "www.nettracer.test:443:10.99.$s.2" --cacert "$C/ca.pem" "$@"
    cap_stop
    stop_bg "$NGINX_PID"
}

# pair SUBNET MODE: namespaces A and B joined by va <-> vb, links up
pair() {
    ns_new A "${1}a" "$2"
    ns_new B "${1}b" "$2"
    link "$A" va 1 "$B" vb 2 "$1"
    up "$A" va
    up "$B" vb
}

# triple SUBNET MODE: A - R - B; A: 10.99.S.1, R: 10.99.S.254 / 10.99.S+1.254,
# B: 10.99.S+1.2 (same host numbers for fd00:99:S::/64); R forwards.
triple() {
    local s=$1 t=$(($1 + 1))
    ns_new A "${s}a" "$2"
    ns_new R "${s}r" "$2"
    ns_new B "${s}b" "$2"
    link "$A" va 1 "$R" ra 254 "$s"
    link "$R" rb 254 "$B" vb 2 "$t"
    nsx "$R" sysctl -qw net.ipv4.ip_forward=1
    up "$A" va; up "$R" ra; up "$R" rb; up "$B" vb
    nsx "$A" ip route add default via "10.99.$s.254"
    nsx "$B" ip route add default via "10.99.$t.254"
    if [ "$2" != v4 ]; then
        nsx "$R" sysctl -qw net.ipv6.conf.all.forwarding=1
        nsx "$A" ip -6 route add default via "fd00:99:$s::254" dev va
        nsx "$B" ip -6 route add default via "fd00:99:$t::254" dev vb
    fi
}

# ---------------------------------------------------------------- captures

rec_ping4() {
    pair 1 v4
    nsx "$A" ip neigh flush all
    nsx "$B" ip neigh flush all
    cap_start "$A" va "$OUT/ping4.pcap"
    ping_ "$A" -c 3 10.99.1.2
    cap_stop
}

rec_ping4_nano() {
    pair 18 v4
    cap_start "$A" va "$OUT/ping4_nano.pcap" --time-stamp-precision=nano
    ping_ "$A" -c 3 -i 0.3 10.99.18.2
    cap_stop
}

rec_ping6() {
    # kernel defaults (DAD, router solicitations); capture starts before the
    # peer comes up, so DAD neighbour solicitations, MLDv2 reports and router
    # solicitations of both ends are in the trace.
    ns_new A 2a v6full
    ns_new B 2b v6full
    link "$A" va 1 "$B" vb 2 2 dad
    up "$A" va
    cap_start "$A" va "$OUT/ping6.pcap"
    up "$B" vb
    local i
    for i in $(seq 50); do
        if ! nsx "$A" ip -6 addr show tentative | grep -q inet6 &&
            ! nsx "$B" ip -6 addr show tentative | grep -q inet6; then
            break
        fi
        sleep 0.1
    done
    ping_ "$A" -6 -c 3 fd00:99:2::2
    cap_stop
}

rec_http4() {
    pair 3 v4
    nginx_start "$B" 0
    cap_start "$A" va "$OUT/http4.pcap"
    curl_ "$A" http://10.99.3.2/
    sleep 0.5
    # two requests on one connection
    curl_ "$A" -o /dev/null http://10.99.3.2/ http://10.99.3.2/small.txt
    cap_stop
    stop_bg "$NGINX_PID"
}

rec_http6() {
    pair 4 v6
    nginx_start "$B" 1
    settle
    cap_start "$A" va "$OUT/http6.pcap"
    curl_ "$A" 'http://[fd00:99:4::2]/'
    sleep 0.5
    curl_ "$A" -o /dev/null 'http://[fd00:99:4::2]/' 'http://[fd00:99:4::2]/small.txt'
    cap_stop
    stop_bg "$NGINX_PID"
}

rec_refused() {
    pair 5 v6
    settle
    cap_start "$A" va "$OUT/refused.pcap"
    curl_ "$A" http://10.99.5.2:81/
    sleep 0.5
    curl_ "$A" 'http://[fd00:99:5::2]:81/'
    cap_stop
}

rec_unanswered() {
    pair 6 v6
    # classic exponential SYN backoff (1 s, 3 s, 7 s): newer kernels retry the
    # first SYNs at a linear 1 s interval unless this is 0
    if nsx "$A" sysctl -n net.ipv4.tcp_syn_linear_timeouts >/dev/null 2>&1; then
        nsx "$A" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0
    fi
    nsx "$B" iptables -A INPUT -p tcp --dport 8080 -j DROP
    nsx "$B" ip6tables -A INPUT -p tcp --dport 8080 -j DROP
    settle
    cap_start "$A" va "$OUT/unanswered.pcap"
    curl_ "$A" --connect-timeout 4 http://10.99.6.2:8080/
    curl_ "$A" --connect-timeout 4 'http://[fd00:99:6::2]:8080/'
    cap_stop
}

rec_udp() {
    pair 7 v6
    local lg="$WORK/udp-echo.log"
    bg "$B" python3 "$NSAPP" udp-echo 6 20 >"$lg"
    local echo_pid=$BG_PID
    wait_for "$lg" ready
    settle
    cap_start "$A" va "$OUT/udp.pcap"
    nsx "$A" python3 "$NSAPP" udp-client 10.99.7.2 5000 3 40
    nsx "$A" python3 "$NSAPP" udp-send 10.99.7.2 5001 32
    nsx "$A" python3 "$NSAPP" udp-client fd00:99:7::2 5000 3 40
    nsx "$A" python3 "$NSAPP" udp-send fd00:99:7::2 5001 32
    cap_stop
    stop_bg "$echo_pid"
}

rec_ttl() {
    triple 8 v6
    settle
    cap_start "$A" va "$OUT/ttl.pcap"
    ping_ "$A" -c 1 10.99.9.2
    ping_ "$A" -c 2 -t 1 10.99.9.2
    nsx "$A" python3 "$NSAPP" udp-send 10.99.9.2 33434 24 1
    ping_ "$A" -6 -c 1 fd00:99:9::2
    ping_ "$A" -6 -c 2 -t 1 fd00:99:9::2
    nsx "$A" python3 "$NSAPP" udp-send fd00:99:9::2 33434 24 1
    cap_stop
}

rec_frag() {
    pair 10 v6
    local lg="$WORK/frag-echo.log"
    bg "$B" python3 "$NSAPP" udp-echo 2 20 >"$lg"
    local echo_pid=$BG_PID
    wait_for "$lg" ready
    settle
    cap_start "$A" va "$OUT/frag.pcap"
    ping_ "$A" -c 2 -s 3000 10.99.10.2
    ping_ "$A" -6 -c 2 -s 3000 fd00:99:10::2
    nsx "$A" python3 "$NSAPP" udp-send 10.99.10.2 5000 4000
    nsx "$A" python3 "$NSAPP" udp-send fd00:99:10::2 5000 4000
    cap_stop
    stop_bg "$echo_pid"
}

# vlan_setup NAME SUBNET TAGS: pair whose IP traffic is tagged with TAGS
# (innermost first, "8021q:300,8021ad:200").  Uses VLAN sub-interfaces when
# the kernel has 8021q; otherwise eBPF tagging on the veths (nsapp.py vlan).
vlan_setup() {
    local s=$2 tags=$3
    ns_new A "${s}a" v6
    ns_new B "${s}b" v6
    local ma mb
    ma=$(printf '02:99:00:%02x:00:01' "$s")
    mb=$(printf '02:99:00:%02x:00:02' "$s")
    nsx "$A" ip link add va address "$ma" type veth peer name vb address "$mb" netns "$B"
    local ns ifc h sub x
    if nsx "$A" ip link add link va name va.probe type vlan id 4000 2>/dev/null; then
        nsx "$A" ip link del va.probe
        log "$1: using kernel VLAN sub-interfaces"
        for x in "$A va 1" "$B vb 2"; do
            set -- $x; ns=$1 ifc=$2 h=$3
            nsx "$ns" ethtool -K "$ifc" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
            sub=$ifc
            local t proto id
            for t in $(echo "$tags" | tr ',' '\n' | tac); do   # outermost first
                proto=${t%%:*}; id=${t#*:}
                [ "$proto" = 8021ad ] && proto=802.1ad || proto=802.1Q
                nsx "$ns" ip link add link "$sub" name "$sub.$id" type vlan protocol "$proto" id "$id"
                nsx "$ns" ip link set "$sub" up
                sub="$sub.$id"
            done
            nsx "$ns" ip addr add "10.99.$s.$h/24" dev "$sub"
            nsx "$ns" ip -6 addr add "fd00:99:$s::$h/64" dev "$sub" nodad
            nsx "$ns" ip link set "$sub" up
        done
    else
        log "$1: no kernel VLAN support, tagging with eBPF (nsapp.py vlan)"
        for x in "$A va 1" "$B vb 2"; do
            set -- $x; ns=$1 ifc=$2 h=$3
            nsx "$ns" ethtool -K "$ifc" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
            nsx "$ns" ip addr add "10.99.$s.$h/24" dev "$ifc"
            nsx "$ns" ip -6 addr add "fd00:99:$s::$h/64" dev "$ifc" nodad
            local lg="$WORK/vlan-$ns.log"
            bg "$ns" python3 "$NSAPP" vlan "$ifc" "$tags" >"$lg"
            wait_for "$lg" attached
        done
        up "$A" va
        up "$B" vb
    fi
}

rec_vlan() {
    vlan_setup vlan 11 8021q:100
    settle
    cap_start "$A" va "$OUT/vlan.pcap"
    ping_ "$A" -c 2 10.99.11.2
    ping_ "$A" -6 -c 2 fd00:99:11::2
    cap_stop
}

rec_qinq() {
    vlan_setup qinq 12 8021q:300,8021ad:200
    settle
    cap_start "$A" va "$OUT/qinq.pcap"
    ping_ "$A" -c 2 10.99.12.2
    ping_ "$A" -6 -c 2 fd00:99:12::2
    cap_stop
}

rec_sll_common() {   # FILE LINKTYPE SUBNET
    pair "$3" v6
    nginx_start "$B" 1
    settle
    cap_start "$A" any "$OUT/$1" -y "$2"
    ping_ "$A" -c 2 "10.99.$3.2"
    ping_ "$A" -6 -c 1 "fd00:99:$3::2"
    curl_ "$A" "http://10.99.$3.2/small.txt"
    cap_stop
    stop_bg "$NGINX_PID"
}
rec_sll() { rec_sll_common sll.pcap LINUX_SLL 13; }
rec_sll2() { rec_sll_common sll2.pcap LINUX_SLL2 14; }

rec_iproute_opts() {
    triple 15 v4
    nginx_start "$B" 0
    cap_start "$A" va "$OUT/iproute_opts.pcap"
    ping_ "$A" -c 2 -R 10.99.16.2          # record route, filled in by R and B
    ping_ "$A" -c 1 -T tsandaddr 10.99.16.2 # timestamp option
    curl_ "$A" http://10.99.16.2/           # TCP MSS, SACK_PERM, TS, WS options
    cap_stop
    stop_bg "$NGINX_PID"
}

rec_tcp_close() {
    pair 17 v4
    local lg="$WORK/tcp-close.log"
    bg "$B" python3 "$NSAPP" tcp-close-server 9000 20 >"$lg"
    local srv=$BG_PID
    wait_for "$lg" ready
    cap_start "$A" va "$OUT/tcp_close.pcap"
    nsx "$A" python3 "$NSAPP" tcp-close-client 10.99.17.2 9000
    cap_stop
    stop_bg "$srv"
}

rec_dumpcap() {
    command -v dumpcap >/dev/null || { log "dumpcap not installed: skipping dumpcap.pcapng"; return 0; }
    pair 19 v4
    nginx_start "$B" 0
    local lg="$WORK/dumpcap.log" f="$OUT/dumpcap.pcapng"
    rm -f "$f"
    bg "$A" dumpcap -i va -w "$f" --capture-comment "nettracer test capture: ping and HTTP" 2>"$lg"
    CAP_PID=$BG_PID
    wait_for "$lg" "Capturing on"
    sleep 0.5
    ping_ "$A" -c 2 -i 0.3 10.99.19.2
    curl_ "$A" http://10.99.19.2/small.txt
    cap_stop
    stop_bg "$NGINX_PID"
    chmod 644 "$f"
}

# conversions of recorded captures (pcapng, nanosecond pcap)
rec_convert() {
    local f
    for f in ping4 http4; do
        [ -f "$OUT/$f.pcap" ] && editcap -F pcapng "$OUT/$f.pcap" "$OUT/$f.pcapng"
    done
    [ -f "$OUT/http4.pcap" ] && editcap -F nsecpcap "$OUT/http4.pcap" "$OUT/http4_nsec.pcap"
    [ -f "$OUT/ping4_nano.pcap" ] && editcap -F pcapng "$OUT/ping4_nano.pcap" "$OUT/ping4_nano.pcapng"
    return 0
}

rec_snaplen() {
    pair 20 v4
    nginx_start "$B" 0
    cap_start "$A" va "$OUT/snaplen.pcap" -s 64
    ping_ "$A" -c 1 10.99.20.2
    curl_ "$A" http://10.99.20.2/
    cap_stop
    stop_bg "$NGINX_PID"
}

# ------------------------------------------------ TCP analysis captures
# (python programs from tcpapp.py; snap length 96 where the transfer is bulk)

# syn_exponential NS: classic SYN backoff (retries at +1 s, +3 s, +7 s)
syn_exponential() {
    if nsx "$1" sysctl -n net.ipv4.tcp_syn_linear_timeouts >/dev/null 2>&1; then
        nsx "$1" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0
    fi
}

# tcpapp_bg NS LOG ARGS...: start a tcpapp.py server in NS, wait for "ready";
# sets BG_PID
tcpapp_bg() {
    local ns=$1 lg=$2
    shift 2
    bg "$ns" python3 "$TCPAPP" "$@" >"$lg"
    wait_for "$lg" ready
}

rec_fw_drop() {
    pair 21 v4
    syn_exponential "$A"
    nsx "$B" iptables -A INPUT -p tcp --dport 8080 -j DROP
    cap_start "$A" va "$OUT/fw_drop.pcap"
    # SYN at 0 s, retransmissions at +1 s, +3 s, +7 s; curl gives up at 8 s
    # (a timeout of exactly 7 s would race with the third retransmission)
    curl_ "$A" --connect-timeout 8 http://10.99.21.2:8080/
    cap_stop
}

rec_fw_reject() {
    pair 22 v6
    local ipt
    for ipt in iptables ip6tables; do
        nsx "$B" "$ipt" -A INPUT -p tcp --dport 8081 -j REJECT --reject-with tcp-reset
    done
    nsx "$B" iptables -A INPUT -p tcp --dport 8083 -j REJECT --reject-with icmp-port-unreachable
    nsx "$B" ip6tables -A INPUT -p tcp --dport 8083 -j REJECT --reject-with icmp6-port-unreachable
    settle
    cap_start "$A" va "$OUT/fw_reject.pcap"
    curl_ "$A" http://10.99.22.2:8081/          # RST from the REJECT rule
    sleep 0.3
    curl_ "$A" http://10.99.22.2:8082/          # RST from the closed port (the stack)
    sleep 0.3
    curl_ "$A" http://10.99.22.2:8083/          # ICMP port unreachable to the SYN
    sleep 0.3
    curl_ "$A" 'http://[fd00:99:22::2]:8081/'
    sleep 0.3
    curl_ "$A" 'http://[fd00:99:22::2]:8082/'
    sleep 0.3
    curl_ "$A" 'http://[fd00:99:22::2]:8083/'
    cap_stop
}

rec_lost_ack() {
    pair 23 v4
    tcpapp_bg "$B" "$WORK/lost_ack.log" listen 8081 20
    local srv=$BG_PID
    # the client's pure ACKs to 8081 (the handshake ACK and its repeats) never
    # leave the client: dropped in OUTPUT, before the capture tap
    nsx "$A" iptables -A OUTPUT -p tcp --dport 8081 --tcp-flags SYN,ACK,FIN,RST,PSH ACK \
        -m length --length 0:60 -j DROP
    cap_start "$A" va "$OUT/lost_ack.pcap"
    # the client sends nothing and closes only after the capture has ended
    # (its FIN would carry the ACK that completes the handshake)
    bg "$A" python3 "$TCPAPP" idle-client 10.99.23.2 8081 6
    local cli=$BG_PID
    sleep 3.6                     # SYN-ACK retransmissions at +1 s and +3 s
    cap_stop
    wait "$cli" || true
    forget_pid "$cli"
    stop_bg "$srv"
}

rec_loss() {
    # a - r - b: about 4 % of the server's full-sized data segments are lost
    # on the way (dropped by r; at r every frame is one wire segment, while
    # the server's own OUTPUT chain still sees GSO super-packets), so the
    # client-side capture never sees them
    triple 31 v4
    nginx_start "$B" 0
    { yes 'nettracer bulk transfer - the quick brown fox jumps over the lazy dog 0123456789' |
        head -c 1048576; } >"$WORK/www/bulk.txt" || true
    nsx "$R" iptables -A FORWARD -p tcp --sport 80 -m length --length 1000:65535 \
        -m statistic --mode random --probability 0.04 -j DROP
    cap_start "$A" va "$OUT/loss.pcap" -s 96
    curl_ "$A" http://10.99.32.2/bulk.txt
    cap_stop
    stop_bg "$NGINX_PID"
}

# markers_common FILE SUBNET FAMILY(4|6): ping marker 22 bytes, HTTP fetch,
# ping marker 33 bytes, one more fetch after the end marker
markers_common() {
    local f=$1 s=$2 fam=$3 host url
    if [ "$fam" = 4 ]; then
        pair "$s" v4
        nginx_start "$B" 0
        host=10.99.$s.2 url=http://10.99.$s.2
    else
        pair "$s" v6
        nginx_start "$B" 1
        settle
        host=fd00:99:$s::2 url="http://[fd00:99:$s::2]"
    fi
    cap_start "$A" va "$OUT/$f"
    ping_ "$A" "-$fam" -c 1 -s 22 "$host"
    sleep 0.3
    curl_ "$A" "$url/"
    sleep 0.3
    ping_ "$A" "-$fam" -c 1 -s 33 "$host"
    sleep 0.3
    curl_ "$A" "$url/small.txt"
    cap_stop
    stop_bg "$NGINX_PID"
}
rec_markers() { markers_common markers.pcap 25 4; }
rec_markers6() { markers_common markers6.pcap 26 6; }

rec_zero_window() {
    pair 27 v4
    # receive buffer 4096 (the kernel doubles it), nothing read for 3 s
    tcpapp_bg "$B" "$WORK/zero_window.log" slow-server 9000 4096 3 15
    local srv=$BG_PID
    cap_start "$A" va "$OUT/zero_window.pcap" -s 96
    nsx "$A" timeout 30 python3 "$TCPAPP" bulk-client 10.99.27.2 9000 1048576 || true
    cap_stop
    stop_bg "$srv"
}

rec_keepalive() {
    pair 28 v4
    tcpapp_bg "$B" "$WORK/keepalive.log" echo-server 9000 1 15 echo
    local srv=$BG_PID
    cap_start "$A" va "$OUT/keepalive.pcap"
    nsx "$A" timeout 20 python3 "$TCPAPP" keepalive-client 10.99.28.2 9000 4.5 || true
    cap_stop
    stop_bg "$srv"
}

rec_reuse() {
    pair 29 v4
    nsx "$A" sysctl -qw net.ipv4.tcp_tw_reuse=1
    tcpapp_bg "$B" "$WORK/reuse.log" echo-server 9000 2 15 once
    local srv=$BG_PID
    cap_start "$A" va "$OUT/reuse.pcap"
    nsx "$A" timeout 20 python3 "$TCPAPP" reuse-client 10.99.29.2 9000 40000 2 1 || true
    cap_stop
    stop_bg "$srv"
}

rec_preexisting() {
    pair 30 v4
    tcpapp_bg "$B" "$WORK/preexisting.log" echo-server 9000 1 15 echo
    local srv=$BG_PID
    # 30 request/answer exchanges 0.1 s apart (about 3 s); the capture starts
    # about 1 s into the connection and sees its FIN close
    bg "$A" timeout 20 python3 "$TCPAPP" chat-client 10.99.30.2 9000 30 0.1
    local cli=$BG_PID
    sleep 1
    cap_start "$A" va "$OUT/preexisting.pcap"
    wait "$cli" || true
    forget_pid "$cli"
    cap_stop
    stop_bg "$srv"
}

# TLS 1.2: full chain (leaf + intermediate), two requests on one connection
rec_tls12() {
    certs
    tls_case tls12.pcap 31 "$C/chain.pem" "$C/leaf.key" "" --tlsv1.2 --tls-max 1.2 \
        https://www.nettracer.test/ https://www.nettracer.test/small.txt
}
rec_tls13() {
    certs
    tls_case tls13.pcap 32 "$C/chain.pem" "$C/leaf.key" "" --tlsv1.3 https://www.nettracer.test/
}
# a CertificateRequest whose CA list is about 20 KB (TLS 1.2, so it is in clear)
rec_tls_clientca() {
    certs
    tls_case tls_clientca.pcap 33 "$C/chain.pem" "$C/leaf.key" \
        "ssl_verify_client optional; ssl_client_certificate $C/clientcas.pem;" \
        --tlsv1.2 --tls-max 1.2 https://www.nettracer.test/
}
# the certificate names "Default Web Site": curl checks the name and aborts
rec_tls_badname() {
    certs
    tls_case tls_badname.pcap 34 "$C/wrong.pem" "$C/wrong.key" "" --tlsv1.2 --tls-max 1.2 \
        https://www.nettracer.test/
}
rec_tls_expired() {
    certs
    tls_case tls_expired.pcap 35 "$C/expired.pem" "$C/expired.key" "" --tlsv1.2 --tls-max 1.2 \
        https://www.nettracer.test/
}

# ------------------------------------------- reassembly over a lossy path
# cap2_start FILE_A FILE_B: tcpdump on A's va and on B's vb at once (client
# and server side of one exchange); cap2_stop stops both
cap2_start() {
    cap_start "$A" va "$1"
    CAP_A=$CAP_PID
    cap_start "$B" vb "$2"
}
cap2_stop() {
    cap_stop
    CAP_PID=$CAP_A
    cap_stop
}

# lossy_path SUBNET RULE...: A - R - B as triple, with R dropping the
# server's full-sized segments to A as RULE says (an iptables match)
lossy_path() {
    local s=$1
    shift
    triple "$s" v4
    nsx "$R" iptables -A FORWARD -s "10.99.$(($s + 1)).2" -m length --length 1000:65535 "$@" -j DROP
}

# one keep-alive connection, three responses (JSON 24 KB, XML 24 KB, text
# 160 KB) while R drops about 4 % of the server's full-sized segments:
# captured at the client (gaps, filled later by retransmissions) and at the
# server (every segment, and the retransmissions)
rec_reasm_http() {
    lossy_path 41 -m statistic --mode random --probability 0.04
    nginx_start "$B" 0
    python3 - "$WORK/www" <<'PY'
import sys
d = sys.argv[1]
items = ',\n'.join('  {"id": %d, "name": "item %d", "tags": ["a", "b"], "ok": true}' % (i, i) for i in range(400))
open(d + '/items.json', 'w').write('[\n' + items + '\n]\n')
rows = '\n'.join('  <item id="%d"><name>item %d</name><ok>true</ok></item>' % (i, i) for i in range(400))
open(d + '/items.xml', 'w').write('<?xml version="1.0"?>\n<items>\n' + rows + '\n</items>\n')
line = 'nettracer bulk transfer - the quick brown fox jumps over the lazy dog 0123456789\n'
open(d + '/bulk.txt', 'w').write((line * 2000)[:163840])
PY
    cap2_start "$OUT/reasm_http_client.pcap" "$OUT/reasm_http_server.pcap"
    curl_ "$A" -o /dev/null -o /dev/null http://10.99.42.2/items.json http://10.99.42.2/items.xml http://10.99.42.2/bulk.txt
    cap2_stop
    stop_bg "$NGINX_PID"
}

# TLS 1.2 with a 20 KB CertificateRequest (tls_clientca's), R dropping the
# server's 3rd full-sized segment and every 5th after it (deterministic):
# the Certificate and CertificateRequest span lost and re-sent segments
rec_reasm_tls() {
    certs
    lossy_path 43 -m statistic --mode nth --every 5 --packet 2
    nginx_tls_start "$B" "$C/chain.pem" "$C/leaf.key" \
        "ssl_verify_client optional; ssl_client_certificate $C/clientcas.pem;"
    cap2_start "$OUT/reasm_tls_client.pcap" "$OUT/reasm_tls_server.pcap"
    curl_ "$A" --resolve "www.nettracer.test:443:10.99.44.2" --cacert "$C/ca.pem" --tlsv1.2 --tls-max 1.2 \
        https://www.nettracer.test/
    cap2_stop
    stop_bg "$NGINX_PID"
}

ALL="ping4 ping4_nano ping6 http4 http6 refused unanswered udp ttl frag vlan qinq
     sll sll2 iproute_opts tcp_close dumpcap snaplen
     fw_drop fw_reject lost_ack loss markers markers6 zero_window keepalive
     reuse preexisting tls12 tls13 tls_clientca tls_badname tls_expired
     reasm_http reasm_tls"

record_all $ALL
rec_convert
log "done: $OUT"
