#!/usr/bin/env bash
# Builds the captures `make demo` reads, from captures recorded from real
# programs in network namespaces (tests/captures/record.sh and
# record_diagnose.sh):
#  samples/demo.pcapng      a refused connection, SYNs dropped by a firewall,
#                           HTTP over IPv4 and IPv6, pings with ARP, UDP with an
#                           ICMP port unreachable (the README's `show` examples)
#  samples/problems.pcapng  one after the other (they were recorded at
#                           different times; merged by time): SYNs dropped by a firewall,
#                           resets and ICMP rejections, a half-open handshake,
#                           a request ACKed but never answered, delayed ACK with
#                           Nagle, slow answers, an expired and a wrongly named
#                           certificate, a client-CA list over 16 KB, a zero
#                           window, DNS answers pointing to the wrong server,
#                           NXDOMAIN and silence, a call without BYE, a SIP
#                           error, one-way media, an unanswered STUN request,
#                           a certificate valid only from 2099, a renegotiation,
#                           DNS refused, and a normal HTTP fetch (`make demo` diagnoses it)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
c=$top/tests/captures
mergecap -F pcapng -w "$top/samples/demo.pcapng" \
  "$c/refused.pcap" "$c/unanswered.pcap" "$c/http4.pcap" "$c/http6.pcap" "$c/ping4.pcap" "$c/udp.pcap"
capinfos -c "$top/samples/demo.pcapng" | tail -1
mergecap -F pcapng -w "$top/samples/problems.pcapng" \
  "$c/fw_drop.pcap" "$c/fw_reject.pcap" "$c/lost_ack.pcap" "$c/diag_noresp.pcap" "$c/diag_nagle.pcap" \
  "$c/diag_slow.pcap" "$c/tls_expired.pcap" "$c/tls_badname.pcap" "$c/tls_clientca.pcap" "$c/zero_window.pcap" \
  "$c/diag_dns.pcap" "$c/sip_nobye.pcap" "$c/sip_error.pcap" "$c/diag_oneway.pcap" "$c/diag_stun.pcap" \
  "$c/diag_tls.pcap" "$c/diag_dnsfail.pcap" "$c/http4.pcap"
capinfos -c "$top/samples/problems.pcapng" | tail -1
