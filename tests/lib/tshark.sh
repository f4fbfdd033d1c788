# Sourced by the differential tests: the tshark oracle's settings.
# TSHARK_ENABLED names the protocols nettracer decodes (as tshark names them);
# DISABLE holds a --disable-protocol option for every other protocol tshark
# knows (tshark 4.0 has no working "ALL"). Later work adds its protocols here.
command -v tshark >/dev/null || { echo "tshark not installed"; exit 77; }
TSHARK_ENABLED="frame eth ethertype vlan ieee8021ad sll null raw ip ipv6 ipv6.hopopts ipv6.routing ipv6.fraghdr ipv6.dstopts arp icmp icmpv6 tcp udp data dns tls http x509af x509ce x509sat x509if pkix1explicit pkix1implicit ber"
mapfile -t DISABLE < <(tshark -G protocols 2>/dev/null | awk -F'\t' '{print $3}' |
    grep -vxF -f <(tr ' ' '\n' <<<"$TSHARK_ENABLED") | sed 's/^/--disable-protocol=/')

# Prints the captures under $NT_CAPTURES (default tests/captures) that
# tshark reads without error.
readable_captures() {
    local f err dir=${NT_CAPTURES:-$SRC/tests/captures}
    err=$(mktemp)
    for f in "$dir"/*.pcap "$dir"/*.pcapng; do
        [ -e "$f" ] || continue
        tshark -r "$f" -c 1 >/dev/null 2>"$err" || continue
        grep -q "cut short" "$err" && continue
        echo "$f"
    done
    rm -f "$err"
}
