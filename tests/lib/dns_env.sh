# dns_env.sh - sourced by the DNS scenario test and the capture recorder:
# two network namespaces joined by a veth pair, dnsmasq serving a small
# contoso.test zone, and an address whose DNS queries are dropped.
#   ${NT_TAG}c  client  10.77.1.100/24
#   ${NT_TAG}s  server  10.77.1.1/24 (dnsmasq), 10.77.1.2/24 (UDP/TCP 53 dropped)
# Traffic stays between the two namespaces. The caller sets NT_TAG (a short
# prefix starting with nt7), calls dns_env_up, and calls dns_env_down from
# its EXIT trap.
NT_TAG=${NT_TAG:?set NT_TAG}
DNS_C=${NT_TAG}c
DNS_S=${NT_TAG}s
DNS_SERVER=10.77.1.1
DNS_SILENT=10.77.1.2
DNS_CLIENT=10.77.1.100
DNS_WORK=${DNS_WORK:-$(mktemp -d "/tmp/${NT_TAG}.XXXXXX")}
DNS_PID=

dns_env_down() {
    if [ -n "$DNS_PID" ]; then kill "$DNS_PID" 2>/dev/null; wait "$DNS_PID" 2>/dev/null; fi
    DNS_PID=
    ip netns del "$DNS_C" 2>/dev/null
    ip netns del "$DNS_S" 2>/dev/null
    rm -rf "$DNS_WORK"
}

dns_env_up() {
    ip netns add "$DNS_C" || return 1
    ip netns add "$DNS_S" || return 1
    ip link add "${NT_TAG}a" netns "$DNS_C" type veth peer name "${NT_TAG}b" netns "$DNS_S" || return 1
    ip -n "$DNS_C" addr add "$DNS_CLIENT/24" dev "${NT_TAG}a"
    ip -n "$DNS_S" addr add "$DNS_SERVER/24" dev "${NT_TAG}b"
    ip -n "$DNS_S" addr add "$DNS_SILENT/24" dev "${NT_TAG}b"
    for ns in "$DNS_C" "$DNS_S"; do ip -n "$ns" link set lo up; done
    ip -n "$DNS_C" link set "${NT_TAG}a" up
    ip -n "$DNS_S" link set "${NT_TAG}b" up
    # the silent address: queries vanish (no ICMP port unreachable either)
    ip netns exec "$DNS_S" iptables -A INPUT -d "$DNS_SILENT" -p udp --dport 53 -j DROP || return 1
    ip netns exec "$DNS_S" iptables -A INPUT -d "$DNS_SILENT" -p tcp --dport 53 -j DROP || return 1
    # 4 strings of 200 bytes: over 512 bytes, so a plain UDP answer is truncated
    local s big
    s=$(printf 'x%.0s' $(seq 200))
    big="$s,$s,$s,$s"
    ip netns exec "$DNS_S" dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null \
        --listen-address="$DNS_SERVER" --bind-interfaces --port=53 --user=root \
        --pid-file="$DNS_WORK/dnsmasq.pid" --local=/contoso.test/ --local-ttl=300 \
        --host-record=sip.contoso.test,10.77.1.10,fd00:77::10 \
        --host-record=meet.contoso.test,10.77.1.11 \
        --srv-host=_sip._tls.contoso.test,sip.contoso.test,5061,10,20 \
        --srv-host=_sip._tls.contoso.test,sip2.contoso.test,5061,10,80 \
        --srv-host=_sip._tls.contoso.test,sip3.contoso.test,443,5,1 \
        --srv-host=_sipfederationtls._tcp.contoso.test \
        "--txt-record=contoso.test,v=spf1 -all" \
        --mx-host=contoso.test,mail.contoso.test,10 \
        "--txt-record=big.contoso.test,$big" \
        --log-facility="$DNS_WORK/dnsmasq.log" --log-queries &
    DNS_PID=$!
    local i
    for i in $(seq 50); do
        ip netns exec "$DNS_C" dig +time=1 +tries=1 +short @"$DNS_SERVER" sip.contoso.test A 2>/dev/null | grep -q 10.77.1.10 && return 0
        sleep 0.1
    done
    echo "dnsmasq did not start: $(cat "$DNS_WORK/dnsmasq.log" 2>/dev/null)" >&2
    return 1
}
