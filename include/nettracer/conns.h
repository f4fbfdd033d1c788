/* conns.h - every TCP connection attempt in a trace and its outcome: who
 * connected to what, how many SYNs and when, whether it was established
 * (with the handshake's RTT), refused (a reset to the SYN), unanswered or
 * left half-open, and how it ended; plus Zeek's conn_state and history for
 * those who know Zeek. Fed packets in order; one record per TCP stream. */
#ifndef NETTRACER_CONNS_H
#define NETTRACER_CONNS_H

#include "nettracer/packet.h"

#define NT_CONN_SYN_TIMES 8

typedef enum nt_conn_outcome {
    NT_CONN_ESTABLISHED,
    NT_CONN_REFUSED,
    NT_CONN_UNANSWERED,
    NT_CONN_HALF_OPEN,
    NT_CONN_PREEXISTING,
} nt_conn_outcome;

typedef enum nt_conn_end { NT_END_OPEN, NT_END_FIN, NT_END_RESET } nt_conn_end;

typedef struct nt_conn {
    bool used;
    uint32_t stream;
    uint8_t family;
    uint8_t client[16], server[16];
    uint16_t cport, sport;
    bool client_known;        /* from a SYN or SYN-ACK; else guessed by port */
    uint64_t first_frame, last_frame;
    nt_time first_ts, last_ts;
    /* handshake */
    uint32_t syns, synacks;
    uint64_t first_syn_frame, first_synack_frame;
    nt_time syn_ts[NT_CONN_SYN_TIMES]; /* the first SYNs' times, for intervals */
    nt_time last_syn_ts, first_synack_ts;
    bool established;
    uint64_t est_frame;
    int64_t hs_rtt_ns;        /* SYN to the client's ACK of the SYN-ACK */
    int64_t syn_rtt_ns;       /* SYN to SYN-ACK */
    /* end */
    bool rst[2], fin[2];      /* [0] client, [1] server */
    uint64_t rst_frame, fin_frame;
    int rst_by, fin_by;       /* first reset / FIN: 0 client, 1 server */
    uint8_t rst_ttl;
    bool rst_before_synack;
    uint64_t rst_after_frame; /* the frame before the reset in this connection */
    /* an ICMP error about this connection (a router or firewall's answer) */
    uint64_t icmp_frame;
    uint8_t icmp_type, icmp_code, icmp_family;
    uint8_t icmp_from[16];
    /* counts: [0] client to server, [1] server to client */
    uint64_t packets[2], bytes[2];      /* bytes: TCP payload */
    uint64_t retrans[2];
    char history[24];         /* Zeek history: each letter once per side, in time order */
} nt_conn;

typedef struct nt_conns {
    nt_conn *c;
    size_t cap, max_stream_plus1;
} nt_conns;

void nt_conns_init(nt_conns *cs);
void nt_conns_free(nt_conns *cs);
void nt_conns_add(nt_conns *cs, const nt_packet *pkt);

nt_conn_outcome nt_conn_outcome_of(const nt_conn *c);
/* an ICMP destination unreachable answered the connection */
bool nt_conn_icmp_unreachable(const nt_conn *c);
nt_conn_end nt_conn_end_of(const nt_conn *c);
const char *nt_conn_outcome_name(nt_conn_outcome o);
const char *nt_conn_end_name(nt_conn_end e);
/* Zeek's conn_state ("S0", "REJ", "SF", ...) and history ("ShADadFf"). */
const char *nt_conn_state(const nt_conn *c);
void nt_conn_history(const nt_conn *c, char *out, size_t n);

#endif
