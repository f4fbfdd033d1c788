#!/usr/bin/env bash
# Scenario: `nettracer compare` on real traffic recorded at the same time on
# a client's and a server's interface, with a router between them whose
# iptables rules do something known to the packets; each case's truths come
# from what the script did (rule packet counters, NAT addresses, the clock
# shift it applied). Namespaces are created here and deleted on any exit.
# Skips (77) without root, network namespaces, tcpdump, iptables or editcap.
set -u
NT=${1:?usage: compare.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/lib/compare_net.sh"
cmp_init compare.sh

# clean pair: 3 connections, nothing lost, injected or modified
case_clean() {
    CLIENT_ARGS="3 3000 3" cmp_case clean
    cmp_check clean 'ab["lost"] == 0 and ba["lost"] == 0' 'ab["injected"] == 0 and ba["injected"] == 0' \
        'ab["modified"] == 0 and ba["modified"] == 0' 'ab["matched"] >= 3 * 6 and ba["matched"] >= 3 * 5' \
        'ab["sent"] == ab["received"] and ba["sent"] == ba["received"]' 'ab["delay_ms"]["max"] < 50'
    [ "${CMP_RC:-}" = 0 ] || { echo "FAIL clean: exit status ${CMP_RC:-} (want 0)"; FAILS=$((FAILS + 1)); }
}

# every SYN dropped by the router: all lost, none injected
case_drop_syn() {
    nsx "$R" iptables -A FORWARD -p tcp --syn -j DROP
    CLIENT_ARGS="2 1000 1.5" cmp_case drop_syn
    n=$(counter FORWARD); flush_rules
    cmp_check drop_syn "$n >= 2" "ab['lost'] == $n" "len(kinds('lost', 'a-to-b')) == $n" \
        "all(e['tcp_flags'] == 'SYN' for e in kinds('lost'))" 'ab["injected"] == 0 and ba["injected"] == 0'
    [ "${CMP_RC:-}" = 1 ] || { echo "FAIL drop_syn: exit status ${CMP_RC:-} (want 1)"; FAILS=$((FAILS + 1)); }
}

# REJECT with a reset: each SYN lost, each reset injected toward the client
case_reject() {
    nsx "$R" iptables -A FORWARD -p tcp --syn -j REJECT --reject-with tcp-reset
    CLIENT_ARGS="3 1000 2" cmp_case reject
    n=$(counter FORWARD); flush_rules
    cmp_check reject "$n == 3" "ab['lost'] == $n" "ba['injected'] == $n" \
        "all('RST' in e['tcp_flags'] and 'frame_a' in e and 'frame_b' not in e for e in kinds('injected'))" \
        'ab["injected"] == 0 and ba["lost"] == 0'
}

# the handshake's last ACK dropped (the client's second packet of each
# connection): lost, the connection goes on with the request
case_ack_drop() {
    nsx "$R" iptables -A FORWARD -i r0 -p tcp -m connbytes --connbytes 2:2 --connbytes-dir original \
        --connbytes-mode packets -j DROP
    CLIENT_ARGS="3 3000 3" cmp_case ack_drop
    n=$(counter FORWARD); flush_rules
    cmp_check ack_drop "$n == 3" "ab['lost'] == $n" \
        "all(e['tcp_flags'] == 'ACK' and e['len'] == 0 and e['rel_seq'] == 1 for e in kinds('lost'))" \
        'ab["injected"] + ba["injected"] + ba["lost"] == 0'
}

# random loss each way, counted by the two rules' counters
case_loss() {
    nsx "$R" iptables -A FORWARD -i r0 -p tcp -m statistic --mode random --probability 0.05 -j DROP
    nsx "$R" iptables -A FORWARD -i r1 -p tcp -m statistic --mode random --probability 0.05 -j DROP
    ANSWER=30000 CLIENT_ARGS="8 30000 8" cmp_case loss
    n_ab=$(nsx "$R" iptables -L FORWARD -v -x -n | awk 'NR==3 {print $1}')
    n_ba=$(nsx "$R" iptables -L FORWARD -v -x -n | awk 'NR==4 {print $1}')
    flush_rules
    cmp_check loss "ab['lost'] == $n_ab" "ba['lost'] == $n_ba" 'ab["injected"] == 0 and ba["injected"] == 0' \
        'ab["modified"] == 0 and ba["modified"] == 0'
}

# MSS clamped on SYN and SYN-ACK: modified, the MSS only, 1000 at B/A after
case_mss() {
    nsx "$R" iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1000
    CLIENT_ARGS="2 3000 3" cmp_case mss
    n=$(counter FORWARD mangle); flush_rules
    cmp_check mss "$n == 4" "ab['modified'] + ba['modified'] == $n" \
        "all(list(e['changed']) == ['mss'] for e in kinds('modified'))" \
        "all(e['changed']['mss']['b' if e['direction'] == 'a-to-b' else 'a'] == 1000 for e in kinds('modified'))" \
        'ab["lost"] + ba["lost"] + ab["injected"] + ba["injected"] == 0'
}

# source and destination NAT: the client reaches 10.77.1.100:17100, the
# server sees the router's address: mappings learned, nothing lost
case_nat() {
    nsx "$R" ip addr add 10.77.1.100/32 dev r0
    nsx "$R" iptables -t nat -A PREROUTING -d 10.77.1.100 -p tcp --dport 17100 -j DNAT --to-destination "$SRV_IP:17000"
    nsx "$R" iptables -t nat -A POSTROUTING -o r1 -j MASQUERADE
    CLIENT_DST=10.77.1.100:17100 CLIENT_ARGS="3 3000 3" cmp_case nat
    flush_rules
    cmp_check nat 'ab["lost"] + ba["lost"] + ab["injected"] + ba["injected"] + ab["modified"] + ba["modified"] == 0' \
        'ab["matched"] >= 18' \
        "sum(1 for m in nat if m['a']['dst'] == '10.77.1.100' and m['a']['dport'] == 17100 and m['b']['dst'] == '$SRV_IP' and m['b']['dport'] == 17000 and m['b']['src'] == '$RTR_B') == 3"
}

# pcap against pcapng, Ethernet against Linux cooked, 200-byte snap length on A
case_links() {
    CLIENT_ARGS="3 3000 3" cmp_case links any
    editcap -F pcapng -s 200 "$WORK/links_a.pcap" "$WORK/links_a.pcapng"
    A_FILE=$WORK/links_a.pcapng cmp_check links 'ab["lost"] + ba["lost"] + ab["injected"] + ba["injected"] == 0' \
        'ab["modified"] + ba["modified"] == 0' 'ab["matched"] >= 18 and ba["matched"] >= 15'
}

# B's clock 3600.25 s ahead: the estimate finds it (both captures use this
# host's clock, so the truth is the shift), within the error it states
case_clean_shifted() {
    editcap -t 3600.25 "$WORK/clean_b.pcap" "$WORK/shift_b.pcap"
    A_FILE=$WORK/clean_a.pcap B_FILE=$WORK/shift_b.pcap cmp_check clean_shifted \
        'abs(clock["offset_ms"] - 3600250) <= clock["error_ms"] + 0.5' 'clock["given"] is False' \
        'ab["lost"] + ba["lost"] == 0 and ab["matched"] >= 18'
}

# NT_CMP_CASES="loss nat" runs only those cases
for c in clean drop_syn reject ack_drop loss mss nat links clean_shifted; do
    case " ${NT_CMP_CASES:-$c} " in *" $c "*) "case_$c" ;; esac
done

[ $FAILS = 0 ] || { echo "$FAILS case(s) failed"; exit 1; }
