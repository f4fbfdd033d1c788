#!/usr/bin/env bash
# Builds samples/demo.pcapng, the capture `make demo` reads, from captures
# that tests/captures/record.sh recorded from real programs in network
# namespaces: a refused connection, SYNs dropped by a firewall, HTTP over
# IPv4 and IPv6, pings with ARP, UDP with an ICMP port unreachable.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
c=$top/tests/captures
mergecap -F pcapng -w "$top/samples/demo.pcapng" \
  "$c/refused.pcap" "$c/unanswered.pcap" "$c/http4.pcap" "$c/http6.pcap" "$c/ping4.pcap" "$c/udp.pcap"
capinfos -c "$top/samples/demo.pcapng" | tail -1
