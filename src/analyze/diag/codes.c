/* codes.c - the one table of finding codes: each code diagnose can report,
 * its usual severity (the first one its docs/findings.md heading names;
 * some rules raise or lower it, as the heading says), a title and the
 * heading's anchor in docs/findings.md. Rules name a code by its nt_fcode,
 * never by a string; tests/unit/test_findings_catalogue.c holds this table
 * against docs/findings.md both ways. */
#include "diag_int.h"

#define C(id, code, sev, title, anchor) [id] = {code, NT_SEV_##sev, title, anchor}

const nt_finding_code nt_finding_codes[NT_F_COUNT] = {
    C(NT_F_TCP_SYN_UNANSWERED, "tcp.syn-unanswered", ERROR, "SYNs without an answer",
      "tcpsyn-unanswered-error-notice-for-a-lone-syn-at-the-end-of-the-trace"),
    C(NT_F_TCP_SYN_REFUSED, "tcp.syn-refused", ERROR, "connection refused by a reset or ICMP",
      "tcpsyn-refused-error"),
    C(NT_F_TCP_HANDSHAKE_INCOMPLETE, "tcp.handshake-incomplete", ERROR, "SYN-ACK without the final ACK",
      "tcphandshake-incomplete-error"),
    C(NT_F_TCP_RESET, "tcp.reset", WARNING, "established connection reset",
      "tcpreset-warning-notice-when-both-sides-had-sent-fin"),
    C(NT_F_TCP_RETRANSMISSIONS, "tcp.retransmissions", WARNING, "retransmitted data segments",
      "tcpretransmissions-warning-error-from-10-"),
    C(NT_F_TCP_ZERO_WINDOW, "tcp.zero-window", WARNING, "receiver advertised a zero window",
      "tcpzero-window-warning"),
    C(NT_F_TCP_WINDOW_FULL, "tcp.window-full", NOTICE, "sender filled the receive window",
      "tcpwindow-full-notice-warning-from---window-stall-seconds-in-total"),
    C(NT_F_TCP_DELAYED_ACK_NAGLE, "tcp.delayed-ack-nagle", WARNING, "delayed ACK meets Nagle",
      "tcpdelayed-ack-nagle-warning"),
    C(NT_F_APP_NO_RESPONSE, "app.no-response", ERROR, "request ACKed but never answered",
      "appno-response-error-when-the-client-gave-up-warning-at-the-end-of-the-trace"),
    C(NT_F_APP_SLOW_RESPONSE, "app.slow-response", WARNING, "slow answers from a server",
      "appslow-response-warning"),
    C(NT_F_APP_IDLE_GAP, "app.idle-gap", NOTICE, "silence inside a connection",
      "appidle-gap-notice-warning-when-a-request-was-waiting"),
    C(NT_F_TLS_ALERT, "tls.alert", ERROR, "TLS alert", "tlsalert-error-when-fatal-warning-level-otherwise"),
    C(NT_F_TLS_HANDSHAKE_ABORTED, "tls.handshake-aborted", ERROR, "TLS handshake closed after the server's hello",
      "tlshandshake-aborted-error"),
    C(NT_F_TLS_CERT_NAME_MISMATCH, "tls.cert-name-mismatch", ERROR, "certificate does not cover the SNI",
      "tlscert-name-mismatch-error"),
    C(NT_F_TLS_CERT_EXPIRED, "tls.cert-expired", ERROR, "certificate expired",
      "tlscert-expired--tlscert-not-yet-valid-error"),
    C(NT_F_TLS_CERT_NOT_YET_VALID, "tls.cert-not-yet-valid", ERROR, "certificate not valid yet",
      "tlscert-expired--tlscert-not-yet-valid-error"),
    C(NT_F_TLS_CLIENT_CA_LIST_LARGE, "tls.client-ca-list-large", WARNING, "CertificateRequest CA list too large",
      "tlsclient-ca-list-large-warning-from---ca-list-warn-error-from-16384-bytes"),
    C(NT_F_TLS_RENEGOTIATION, "tls.renegotiation", NOTICE, "TLS renegotiation",
      "tlsrenegotiation-notice-warning-when-it-never-completed"),
    C(NT_F_DNS_NO_SUCH_NAME, "dns.no-such-name", WARNING, "NXDOMAIN", "dnsno-such-name-warning"),
    C(NT_F_DNS_SERVER_FAILURE, "dns.server-failure", ERROR, "DNS server failure or refusal",
      "dnsserver-failure-error"),
    C(NT_F_DNS_NO_RESPONSE, "dns.no-response", WARNING, "DNS queries without an answer",
      "dnsno-response-warning-notice-when-the-trace-ends-within-a-second-of-a-lone-query"),
    C(NT_F_DNS_SLOW, "dns.slow", WARNING, "slow DNS answers", "dnsslow-warning"),
    C(NT_F_DNS_RESOLVED_ELSEWHERE, "dns.resolved-elsewhere", ERROR, "name resolved to a server with another certificate",
      "dnsresolved-elsewhere-error"),
    C(NT_F_SIP_ERROR_RESPONSE, "sip.error-response", WARNING, "SIP error answer",
      "siperror-response-warning-error-for-5xx-notice-for-480-486-600-603"),
    C(NT_F_SIP_MEDIA_WITHOUT_BYE, "sip.media-without-bye", ERROR, "one side's media stopped without a BYE",
      "sipmedia-without-bye-error"),
    C(NT_F_SIP_MEDIA_FAILED, "sip.media-failed", ERROR, "answered call without (two-way) RTP",
      "sipmedia-failed-error-when-no-rtp-at-all-warning-for-one-way-media"),
    C(NT_F_STUN_NO_RESPONSE, "stun.no-response", ERROR, "STUN requests without an answer", "stunno-response-error"),
    C(NT_F_STUN_ERROR, "stun.error", ERROR, "STUN error answer",
      "stunerror-error-warning-for-401438-never-followed-by-a-success"),
    C(NT_F_ICMP_UNREACHABLE, "icmp.unreachable", WARNING, "ICMP destination unreachable",
      "icmpunreachable--icmpttl-exceeded-warning"),
    C(NT_F_ICMP_TTL_EXCEEDED, "icmp.ttl-exceeded", WARNING, "ICMP time exceeded",
      "icmpunreachable--icmpttl-exceeded-warning"),
    C(NT_F_ARP_UNANSWERED, "arp.unanswered", WARNING, "ARP requests without a reply", "arpunanswered-warning"),
    C(NT_F_CAPTURE_SNAPLEN, "capture.snaplen", NOTICE, "frames cut by the snap length", "capturesnaplen-notice"),
    C(NT_F_CAPTURE_DROPPED, "capture.dropped", WARNING, "packets the capture missed", "capturedropped-warning"),
    C(NT_F_CAPTURE_CHECKSUM_OFFLOAD, "capture.checksum-offload", NOTICE, "checksums filled in after the capture point",
      "capturechecksum-offload-notice"),
    C(NT_F_CAPTURE_BAD_CHECKSUM, "capture.bad-checksum", WARNING, "damaged packets (wrong checksums)",
      "capturebad-checksum-warning"),
};

const nt_finding_code *nt_diag_codes(size_t *n)
{
    *n = NT_F_COUNT;
    return nt_finding_codes;
}
