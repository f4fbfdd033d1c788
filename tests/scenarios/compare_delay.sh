#!/usr/bin/env bash
# Scenario: an added one-way delay measured by `nettracer compare`. The
# router hands every TCP packet from the client to NFQUEUE, where
# tests/tools/nfq_delay holds it 40 ms; the captures on the client's and the
# server's interface must show an A->B delay of 40 ms (within a few ms) and
# none back. Both captures use this host's clock, so --offset 0 is the truth;
# without it (and with the undelayed ping), the estimate must name an error that covers the true 0 (an
# asymmetric delay cannot be told from a clock offset). Skips (77) without
# root, netns, the tools, or nfq_delay (built with libnetfilter-queue-dev).
set -u
NT=${1:?usage: compare_delay.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
NFQ=$(dirname "$NT")/nfq_delay
[ -x "$NFQ" ] || { echo "no $NFQ (install libnetfilter-queue-dev and rebuild)"; exit 77; }
. "$SRC/tests/lib/compare_net.sh"
cmp_init compare_delay.sh

nsx "$R" iptables -A FORWARD -i r0 -p tcp -j NFQUEUE --queue-num 7
bg "$R" "$NFQ" -q 7 -d 40 -t 30 2>"$WORK/nfq.log"
wait_for "$WORK/nfq.log" ready
CLIENT_ARGS="3 3000 5" cmp_case delay
flush_rules
CMP_OPTS="--offset 0 -Y tcp" cmp_check delay 'abs(ab["delay_ms"]["min"] - 40) < 4' 'abs(ab["delay_ms"]["median"] - 40) < 5' \
    'ba["delay_ms"]["median"] < 3' 'ab["lost"] + ba["lost"] + ab["injected"] + ba["injected"] == 0' \
    'ab["matched"] >= 18' 'clock["given"] is True'
cp "$WORK/delay_a.pcap" "$WORK/est_a.pcap"
cp "$WORK/delay_b.pcap" "$WORK/est_b.pcap"
cmp_check est 'clock["given"] is False' 'abs(clock["offset_ms"]) <= clock["error_ms"] + 0.5' \
    'ab["lost"] + ba["lost"] == 0'
[ $FAILS = 0 ] || { echo "$FAILS case(s) failed"; exit 1; }
