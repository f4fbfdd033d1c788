# Sourced by the STUN scenario test and tests/captures/record_stun.sh: a real
# coturn (turnserver) in a network namespace. coturn_up DIR creates the
# client namespace $C_NS (10.88.1.1) and the server namespace $S_NS
# (10.88.1.2, fd00:88:1::2) joined by a veth pair, a self-signed certificate, and starts
# turnserver on UDP/TCP 3478 and TLS 5349 with the long-term credential
# user alice:secret in realm nettracer.test. coturn_down removes all of it;
# callers run it from trap EXIT. Needs root.
C_NS=nt8bc$$; S_NS=nt8bs$$
COTURN_USER=alice; COTURN_PASS=secret; COTURN_REALM=nettracer.test
coturn_up() {
    local dir=$1
    command -v turnserver >/dev/null || { echo "coturn (turnserver) not installed"; return 77; }
    [ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; return 77; }
    ip netns add "$C_NS" && ip netns add "$S_NS" || return 77
    ip link add "${C_NS}v" type veth peer name "${S_NS}v" || return 77
    ip link set "${C_NS}v" netns "$C_NS" && ip link set "${S_NS}v" netns "$S_NS"
    ip -n "$C_NS" addr add 10.88.1.1/24 dev "${C_NS}v"
    ip -n "$S_NS" addr add 10.88.1.2/24 dev "${S_NS}v"
    ip -n "$C_NS" addr add fd00:88:1::1/64 dev "${C_NS}v" nodad
    ip -n "$S_NS" addr add fd00:88:1::2/64 dev "${S_NS}v" nodad
    local ns
    for ns in "$C_NS" "$S_NS"; do ip -n "$ns" link set lo up; done
    ip -n "$C_NS" link set "${C_NS}v" up; ip -n "$S_NS" link set "${S_NS}v" up
    # wire-sized segments with correct checksums in the recordings
    ip netns exec "$C_NS" ethtool -K "${C_NS}v" tx off rx off tso off gso off gro off >/dev/null 2>&1
    ip netns exec "$S_NS" ethtool -K "${S_NS}v" tx off rx off tso off gso off gro off >/dev/null 2>&1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" \
        -subj /CN=turn.nettracer.test -days 2 >/dev/null 2>&1 || return 1
    printf '%s\n' "$COTURN_PASS" > "$dir/pw"
    ip netns exec "$S_NS" turnserver -n --no-cli -L 10.88.1.2 -L fd00:88:1::2 -E 10.88.1.2 -E fd00:88:1::2 --listening-port 3478 \
        --tls-listening-port 5349 --cert "$dir/cert.pem" --pkey "$dir/key.pem" --realm "$COTURN_REALM" \
        --user "$COTURN_USER:$COTURN_PASS" --lt-cred-mech --fingerprint --min-port 49152 --max-port 49200 \
        --no-dtls --log-file "$dir/turn.log" --simple-log --pidfile "$dir/turn.pid" >/dev/null 2>&1 &
    COTURN_PID=$!
    local i
    for i in $(seq 50); do   # up to 5 s for the listeners
        ip netns exec "$S_NS" ss -lnt 2>/dev/null | grep -q '10.88.1.2:5349' && return 0
        sleep 0.1
    done
    echo "turnserver did not start"; cat "$dir/turn.log" 2>/dev/null | tail -5
    return 1
}
coturn_down() {
    [ -n "${COTURN_PID:-}" ] && kill "$COTURN_PID" 2>/dev/null && wait "$COTURN_PID" 2>/dev/null
    ip netns del "$C_NS" 2>/dev/null
    ip netns del "$S_NS" 2>/dev/null
    return 0
}
