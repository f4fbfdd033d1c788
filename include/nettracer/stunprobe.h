/* stunprobe.h - the transport under `nettracer stun`: a connection to a
 * STUN/TURN server over UDP, TCP or TLS, and one request/response
 * transaction on it with RFC 5389's retransmission rules for UDP (RTO
 * 500 ms, doubling), bounded by a deadline. Messages are built and read
 * with proto/stun. */
#ifndef NETTRACER_STUNPROBE_H
#define NETTRACER_STUNPROBE_H

#include "nettracer/core.h"
#include "nettracer/pseudotls.h"

typedef enum nt_stun_transport { NT_STUN_UDP, NT_STUN_TCP, NT_STUN_TLS } nt_stun_transport;

typedef struct nt_stun_conn nt_stun_conn;

/* Resolves host (family 0, 4 or 6), connects (TCP: handshake; TLS: also
 * the TLS handshake, SNI = host, certificate not verified but described in
 * `peer_cert`). `addr` receives the address used ("10.1.2.3" or "fd00::1"). */
nt_stun_conn *nt_stun_connect(const char *host, uint16_t port, nt_stun_transport tr, int family, int timeout_ms,
                              char *addr, size_t addrlen, nt_error *err);
/* After a TLS connect: "TLSv1.3 TLS_AES_256_GCM_SHA384, certificate CN=..." */
const char *nt_stun_conn_tls_info(const nt_stun_conn *c);
/* The local address and port of the socket ("10.88.1.1:40000"). */
void nt_stun_conn_local(const nt_stun_conn *c, char *out, size_t n);
void nt_stun_close(nt_stun_conn *c);

/* MS-TURN over TCP (443): sends the pseudo-TLS ClientHello (random: time
 * stamp + 28 random bytes) and reads the server's answer. Returns 1 with
 * a->status NT_PTLS_OK (bytes after the answer stay buffered for the TURN
 * messages), 0 when the deadline passed (a->status NT_PTLS_MORE), -1 when
 * the connection failed or something else came (err says which; a->why
 * what came). *rtt_us: from the send to the whole answer. */
int nt_stun_pseudo_tls(nt_stun_conn *c, const uint8_t random[32], int timeout_ms, nt_ptls_answer *a,
                       int64_t *rtt_us, nt_error *err);

typedef struct nt_stun_result {
    size_t len;          /* response bytes in the caller's buffer; 0 on timeout */
    int sends;           /* requests sent (UDP retransmissions + 1) */
    int64_t rtt_us;      /* from the last send to the answer */
    int ignored;         /* datagrams/messages that were not the answer */
    int unreachable;     /* ICMP port unreachable reports (UDP) */
} nt_stun_result;

/* Sends req and waits for the message with the same transaction ID.
 * Returns 0 with r->len > 0 on an answer, 0 with r->len == 0 when the
 * deadline passed, -1 on a socket or TLS error (err says which). */
int nt_stun_transact(nt_stun_conn *c, const uint8_t *req, size_t reqlen, uint8_t *resp, size_t cap,
                     int timeout_ms, nt_stun_result *r, nt_error *err);

#endif
