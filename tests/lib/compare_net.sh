# compare_net.sh - sourced by tests/scenarios/compare*.sh after
# tests/captures/lib.sh's rec_init: a client, a router and a server
# namespace linked by two veth pairs (10.77.1.0/24 client side, 10.77.2.0/24
# server side; offloads off so captured segments are wire-sized), and one
# case at a time recorded simultaneously on the client's and the server's
# interface, then compared with `nettracer compare --json`.
#   cmp_init ME              skips (77) without root, netns or the tools;
#                            namespaces, trap and the topology
#   cmp_case NAME [any]      captures NAME_a.pcap on the client's interface and
#                            NAME_b.pcap on the server's (with "any": tcpdump
#                            -i any, Linux cooked), runs the server, a ping and
#                            the client ($CLIENT_ARGS), stops everything
#   cmp_check NAME EXPR...   compare --json (plus $CMP_OPTS), tests/lib/cmpjson.py

CLI_IP=10.77.1.2 RTR_A=10.77.1.1 RTR_B=10.77.2.1 SRV_IP=10.77.2.2
APP="$SRC/tests/lib/cmpapp.py"
FAILS=0

cmp_init() {
    [ "$(id -u)" = 0 ] || { echo "needs root for network namespaces"; exit 77; }
    local t
    for t in tcpdump iptables editcap ethtool python3; do
        command -v $t >/dev/null || { echo "needs $t"; exit 77; }
    done
    ip netns add "ntprobe$$" 2>/dev/null || { echo "cannot create network namespaces"; exit 77; }
    ip netns del "ntprobe$$"
    . "$SRC/tests/captures/lib.sh"
    OUTD=$(mktemp -d)
    rec_init "$1" ntcmp "$OUTD"
    # NT_CMP_KEEP=DIR keeps the captures and outputs there for a look
    trap 'rc=$?; [ -n "${NT_CMP_KEEP:-}" ] && cp -r "$WORK/." "$NT_CMP_KEEP/"; rm -rf "$OUTD"; (exit $rc); rec_cleanup' EXIT
    cmp_topology
}

cmp_topology() {
    C="$TAG-c" R="$TAG-r" S="$TAG-s"
    local ns
    for ns in "$C" "$R" "$S"; do
        ip netns add "$ns"; NSLIST+=("$ns")
        nsx "$ns" ip link set lo up
        nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done
    nsx "$C" ip link add c0 type veth peer name r0 netns "$R"
    nsx "$S" ip link add s0 type veth peer name r1 netns "$R"
    nsx "$C" ip addr add "$CLI_IP/24" dev c0
    nsx "$R" ip addr add "$RTR_A/24" dev r0
    nsx "$R" ip addr add "$RTR_B/24" dev r1
    nsx "$S" ip addr add "$SRV_IP/24" dev s0
    local pair
    for pair in "$C c0" "$R r0" "$R r1" "$S s0"; do
        set -- $pair
        nsx "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
        nsx "$1" ip link set "$2" up
    done
    nsx "$C" ip route add default via "$RTR_A"
    nsx "$S" ip route add default via "$RTR_B"
    nsx "$R" sysctl -qw net.ipv4.ip_forward=1
}

# cap NS IF FILE: tcpdump in the background until cmp_case stops it; in
# immediate mode, or the last packets before the stop stay in the kernel;
# with a large buffer, or "-i any" drops packets in bursts
cap() {
    local lg="$WORK/$(basename "$3").log"
    bg "$1" tcpdump -i "$2" --immediate-mode -B 32768 -U -n -Z root -w "$3" 2>"$lg"
    CAPS+=("$BG_PID")
    wait_for "$lg" "listening on"
}

# CLIENT_ARGS: COUNT ANSWER_BYTES TIMEOUT; CLIENT_DST: address:port
cmp_case() {
    local name=$1 any=${2:-} p
    CAPS=()
    cap "$C" c0 "$WORK/${name}_a.pcap"
    if [ "$any" = any ]; then cap "$S" any "$WORK/${name}_b.pcap"; else cap "$S" s0 "$WORK/${name}_b.pcap"; fi
    bg "$S" timeout 30 python3 "$APP" server 17000 25 "${ANSWER:-3000}" >"$WORK/$name.srv" 2>&1
    local srv=$BG_PID
    wait_for "$WORK/$name.srv" listening
    sleep 0.3
    # a ping first: the two points share a flow even when every TCP packet is dropped
    nsx "$C" ping -c 1 -W 1 "$SRV_IP" >/dev/null 2>&1 || true
    local dst=${CLIENT_DST:-$SRV_IP:17000}
    nsx "$C" timeout 60 python3 "$APP" client "${dst%:*}" "${dst#*:}" $CLIENT_ARGS >"$WORK/$name.cli" 2>&1 || true
    sleep 0.5
    stop_bg "$srv"
    sleep 0.5
    for p in "${CAPS[@]}"; do kill -INT "$p" 2>/dev/null; done
    for p in "${CAPS[@]}"; do wait "$p" 2>/dev/null || true; forget_pid "$p"; done
}

# counter CHAIN [TABLE]: packets matched by the chain's first rule
counter() { nsx "$R" iptables -t "${2:-filter}" -L "$1" -v -x -n | awk 'NR==3 {print $1}'; }

flush_rules() {
    local t
    for t in filter nat mangle; do nsx "$R" iptables -t $t -F; done
}

# cmp_check NAME EXPR...: compares NAME_a and NAME_b (files $A_FILE/$B_FILE if set)
cmp_check() {
    local name=$1; shift
    local a=${A_FILE:-$WORK/${name}_a.pcap} b=${B_FILE:-$WORK/${name}_b.pcap} rc=0
    "$NT" compare --json ${CMP_OPTS:-} "$a" "$b" >"$WORK/$name.json" 2>"$WORK/$name.err" || rc=$?
    if [ $rc -ge 2 ]; then
        echo "FAIL $name: compare exit $rc: $(cat "$WORK/$name.err")"
        FAILS=$((FAILS + 1))
        return
    fi
    if python3 "$SRC/tests/lib/cmpjson.py" "$WORK/$name.json" "$@" >"$WORK/$name.check"; then
        echo "ok   $name"
    else
        echo "FAIL $name ($(cat "$WORK/$name.cli" 2>/dev/null)):"
        sed 's/^/    /' "$WORK/$name.check"
        FAILS=$((FAILS + 1))
    fi
    CMP_RC=$rc
}
