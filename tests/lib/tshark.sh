# Sourced by the differential tests: the tshark oracle's settings.
# TSHARK_ENABLED names the protocols nettracer decodes (as tshark names them);
# DISABLE holds a --disable-protocol option for every other protocol tshark
# knows (tshark 4.0 has no working "ALL"). Later work adds its protocols here.
command -v tshark >/dev/null || { echo "tshark not installed"; exit 77; }
TSHARK_ENABLED="frame eth ethertype vlan ieee8021ad sll null raw ip ipv6 ipv6.hopopts ipv6.routing ipv6.fraghdr ipv6.dstopts arp icmp icmpv6 tcp udp data dns sip sdp rtp rtcp stun dhcp nbns tpkt cotp rdp tls http json xml x509af x509ce x509sat x509if pkix1explicit pkix1implicit ber"
mapfile -t DISABLE < <(tshark -G protocols 2>/dev/null | awk -F'\t' '{print $3}' |
    grep -vxF -f <(tr ' ' '\n' <<<"$TSHARK_ENABLED") | sed 's/^/--disable-protocol=/')
# STUN by dialect, as nettracer decodes it: tshark's default ("RFC 5389 and
# later") ignores Microsoft's MS-TURN dialect; Auto follows MAGIC-COOKIE
DISABLE+=("-ostun.stunversion:Auto")

# tshark, remembered: `make test` runs the same tshark commands on the same
# captures in the release and the sanitizer build, so with NT_TSHARK_CACHE
# set (the Makefile sets it) the output, errors and status of a command that
# reads a file (-r FILE, no -w) are kept under that directory, keyed by the
# tshark package version, the arguments and the content of every file named.
# Only tshark's side is kept: nettracer runs every time.
NT_TSHARK_VERSION=$(dpkg-query -W -f='${Version}' tshark 2>/dev/null)
tshark() {
    local dir=${NT_TSHARK_CACHE:-} a prev= reads=
    for a in "$@"; do
        [ "$prev" = -r ] && [ -f "$a" ] && reads=1
        [ "$a" = -w ] && dir=
        prev=$a
    done
    if [ -z "$dir" ] || [ -z "$reads" ]; then command tshark "$@"; return; fi
    local key
    key=$({ printf '%s\0' "$NT_TSHARK_VERSION" "$@"; for a in "$@"; do [ -f "$a" ] && sha256sum < "$a"; done; } |
        sha256sum | cut -c1-40)
    local c=$dir/$key
    if [ ! -f "$c.rc" ]; then
        mkdir -p "$dir"
        local rc=0
        command tshark "$@" > "$c.out.$$" 2> "$c.err.$$" || rc=$?
        mv -f "$c.out.$$" "$c.out"
        mv -f "$c.err.$$" "$c.err"
        echo "$rc" > "$c.rc.$$" && mv -f "$c.rc.$$" "$c.rc"
    fi
    cat "$c.out"
    cat "$c.err" >&2
    return "$(cat "$c.rc")"
}

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
