/* tcp_analysis.h - Wireshark's TCP sequence analysis for one direction of
 * a connection: retransmissions (plain, fast, spurious), out-of-order and
 * lost segments, duplicate ACKs, zero windows and probes, window full and
 * update, keep-alives. Used by session.c, which owns the flow table. */
#ifndef NT_TCP_ANALYSIS_H
#define NT_TCP_ANALYSIS_H

#include "nettracer/packet.h"

/* a segment sent and not yet acknowledged */
typedef struct nt_tcp_unacked {
    uint64_t frame;
    nt_time ts;
    uint32_t seq, nextseq;
} nt_tcp_unacked;

#define NT_TCP_MAX_UNACKED 1000 /* as Wireshark: past that, stop tracking */

typedef struct nt_tcp_seqinfo {
    nt_tcp_unacked *ual;       /* oldest first */
    uint32_t nual, capual;
    bool bif_invalid;          /* bytes in flight unknown after a lost segment */
    bool nextseq_set;
    uint32_t nextseq;          /* highest sequence number sent + 1 (raw) */
    uint64_t nextseq_frame;
    nt_time nextseq_time;
    bool maxseq_set;
    uint32_t maxseqtobeacked;  /* highest contiguous sequence number */
    uint32_t lastack;
    bool lastack_set;
    nt_time lastack_time;
    uint32_t window;           /* last raw window */
    bool window_set;
    int32_t dupacknum;         /* -1: an ACKed-unseen was reported */
    uint64_t lastnondupack;
    uint32_t lastflags;        /* NT_TA_* of the last segment */
    uint8_t nsack;             /* SACK blocks of this side's last segment */
    uint32_t sack[4][2];
} nt_tcp_seqinfo;

typedef struct nt_tcp_seg {
    uint64_t frame;
    nt_time ts;
    uint32_t seq, ack, len;
    uint16_t flags;
    uint16_t win;              /* raw */
    uint8_t nsack;             /* the segment's SACK blocks (raw) */
    uint32_t sack[4][2];
} nt_tcp_seg;

typedef struct nt_tcp_result {
    uint32_t flags;            /* NT_TA_* */
    uint32_t dupack_num;
    uint64_t dupack_frame;
    uint64_t acks_frame;       /* the segment this one acknowledges, 0 if none */
    int64_t ack_rtt_ns;
    uint32_t bytes_in_flight;
    bool has_analysis;         /* Wireshark would show a SEQ/ACK analysis tree */
} nt_tcp_result;

/* Analyses one segment; win_scale_rev is the other direction's scale (-1
 * unknown, -2 none), irtt_ns the connection's initial RTT (0 unknown). */
void nt_tcp_analyze(nt_tcp_seqinfo *fwd, nt_tcp_seqinfo *rev, const nt_tcp_seg *s, int win_scale_rev,
                    int64_t irtt_ns, nt_tcp_result *r);
void nt_tcp_seqinfo_free(nt_tcp_seqinfo *q);

#endif
