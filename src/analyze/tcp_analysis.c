/* tcp_analysis.c - see tcp_analysis.h. The rules and their order follow
 * Wireshark's tcp_analyze_sequence_number(), so that the frames flagged
 * here are the frames Wireshark flags (a differential test checks it). */
#include "tcp_analysis.h"

#include <stdlib.h>
#include <string.h>

static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

void nt_tcp_seqinfo_free(nt_tcp_seqinfo *q)
{
    free(q->ual);
    q->ual = NULL;
    q->nual = q->capual = 0;
}

void nt_tcp_analyze(nt_tcp_seqinfo *fwd, nt_tcp_seqinfo *rev, const nt_tcp_seg *s, int win_scale_rev,
                    int64_t irtt_ns, nt_tcp_result *r)
{
    memset(r, 0, sizeof *r);
    uint32_t fl = 0;
    const uint32_t seq = s->seq, ack = s->ack, seglen = s->len, win = s->win;
    const bool syn = s->flags & NT_TCP_SYN, fin = s->flags & NT_TCP_FIN, rst = s->flags & NT_TCP_RST;
    const bool sfr = syn || fin || rst;
    /* Wireshark compares with 0 for "not seen yet" */
    const uint32_t nextseq = fwd->nextseq_set ? fwd->nextseq : 0;
    if (s->flags & NT_TCP_ACK) rev->bif_invalid = false;

    /* zero window probe: one byte at the next sequence number into a zero window */
    if (seglen == 1 && seq == nextseq && rev->window == 0) {
        fl |= NT_TA_ZERO_WINDOW_PROBE;
        goto finished_fwd;
    }
    if (win == 0 && !sfr) fl |= NT_TA_ZERO_WINDOW;
    /* a sequence number beyond what was seen: a segment is missing */
    if (nextseq && seq_gt(seq, nextseq) && !rst) {
        fl |= NT_TA_LOST_SEGMENT;
        fwd->bif_invalid = true; /* until the peer ACKs again */
    }
    /* keep-alive: 0 or 1 byte one before the next sequence number */
    if ((seglen == 0 || seglen == 1) && seq == nextseq - 1 && !sfr) fl |= NT_TA_KEEP_ALIVE;
    /* window update: an empty segment repeating seq/ack with a new window */
    if (seglen == 0 && win && win != fwd->window && seq == nextseq && ack == fwd->lastack && !sfr)
        fl |= NT_TA_WINDOW_UPDATE;
    /* window full: the data reaches the edge of the peer's advertised window */
    if (seglen > 0 && win_scale_rev != -1 && !sfr &&
        seq + seglen == rev->lastack + (rev->window << (win_scale_rev == -2 ? 0 : win_scale_rev)))
        fl |= NT_TA_WINDOW_FULL;
    /* keep-alive ACK: repeats the ACK after a keep-alive from the other side */
    if (seglen == 0 && win && win == fwd->window && seq == nextseq && ack == fwd->lastack &&
        (rev->lastflags & NT_TA_KEEP_ALIVE) && !sfr) {
        fl |= NT_TA_KEEP_ALIVE_ACK;
        goto finished_fwd;
    }
    if (seglen == 0 && win == 0 && win == fwd->window && seq == nextseq && ack == fwd->lastack &&
        (rev->lastflags & NT_TA_ZERO_WINDOW_PROBE) && !sfr) {
        fl |= NT_TA_ZERO_WINDOW_PROBE_ACK;
        goto finished_fwd;
    }
    /* duplicate ACK: an empty segment repeating window, seq and ack */
    if (seglen == 0 && win && win == fwd->window && seq == nextseq && ack == fwd->lastack && !sfr) {
        fwd->dupacknum = fwd->dupacknum == -1 ? 1 : fwd->dupacknum + 1;
        fl |= NT_TA_DUPLICATE_ACK;
        r->dupack_num = (uint32_t)fwd->dupacknum;
        r->dupack_frame = fwd->lastnondupack;
    }

finished_fwd:
    if (ack != fwd->lastack) {
        fwd->lastnondupack = s->frame;
        fwd->dupacknum = 0;
    }
    /* ACKed unseen segment: the ACK is beyond what the other side sent */
    if (rev->maxseq_set && rev->maxseqtobeacked && seq_gt(ack, rev->maxseqtobeacked) && (s->flags & NT_TCP_ACK)) {
        if (seq_gt(rev->maxseqtobeacked, rev->nextseq)) {
            rev->maxseqtobeacked = rev->nextseq;
            fl |= NT_TA_ACK_LOST_SEGMENT;
        } else {
            if (rev->dupacknum == 0) fl |= NT_TA_ACK_LOST_SEGMENT;
            rev->dupacknum = -1;
        }
    }

    /* retransmission and its kinds: data (or SYN/FIN) that does not advance */
    if (seglen > 0 || syn || fin) {
        bool not_advanced = nextseq && seq_lt(seq, nextseq);
        if (fl & NT_TA_KEEP_ALIVE) goto done_retrans;
        /* one byte short of nextseq after a probe: new data, not a retransmission */
        if (seglen > 1 && nextseq - 1 == seq) not_advanced = false;
        if (seglen > 0 && rev->lastack_set && rev->lastack && seq_le(seq + seglen, rev->lastack)) {
            fl |= NT_TA_SPURIOUS_RETRANS;
            goto done_retrans;
        }
        int64_t t = nt_time_diff_ns(s->ts, rev->lastack_time);
        if (not_advanced && rev->dupacknum >= 2 && rev->lastack == seq && t < 20000000) {
            fl |= NT_TA_FAST_RETRANSMISSION;
            goto done_retrans;
        }
        t = nt_time_diff_ns(s->ts, fwd->nextseq_time);
        int64_t thres = irtt_ns ? irtt_ns : 3000000;
        if (not_advanced && t < thres && nextseq != seq + seglen + (syn || fin ? 1 : 0)) {
            fl |= NT_TA_OUT_OF_ORDER;
            goto done_retrans;
        }
        if (not_advanced) fl |= NT_TA_RETRANSMISSION;
    }
done_retrans:;

    uint32_t nseq = seq + seglen + ((syn || fin) ? 1 : 0);
    if ((seglen || syn || fin) && fwd->nual < NT_TCP_MAX_UNACKED) {
        if (fwd->nual == fwd->capual) {
            uint32_t cap = fwd->capual ? fwd->capual * 2 : 8;
            nt_tcp_unacked *u = realloc(fwd->ual, cap * sizeof *u);
            if (!u) abort();
            fwd->ual = u;
            fwd->capual = cap;
        }
        fwd->ual[fwd->nual++] = (nt_tcp_unacked){s->frame, s->ts, seq, nseq};
    }
    if (!nextseq || seq_gt(nseq, nextseq)) {
        if (!(fl & NT_TA_ZERO_WINDOW_PROBE)) {
            fwd->nextseq = nseq;
            fwd->nextseq_set = true;
            fwd->nextseq_frame = s->frame;
            fwd->nextseq_time = s->ts;
        }
    }
    if (!fwd->maxseq_set || !fwd->maxseqtobeacked || seq == fwd->maxseqtobeacked) {
        if (!(fl & NT_TA_ZERO_WINDOW_PROBE)) {
            fwd->maxseqtobeacked = fwd->nextseq;
            fwd->maxseq_set = true;
        }
    }
    fwd->window = win;
    fwd->window_set = true;
    fwd->lastack = ack;
    fwd->lastack_set = true;
    fwd->lastack_time = s->ts;
    fwd->lastflags = fl;

    /* segments of the other side this acknowledges */
    uint32_t keep = 0;
    for (uint32_t i = 0; i < rev->nual; i++) {
        nt_tcp_unacked *u = &rev->ual[i];
        if (ack == u->nextseq) {
            r->acks_frame = u->frame;
            r->ack_rtt_ns = nt_time_diff_ns(s->ts, u->ts);
            r->has_analysis = true;
            continue; /* acknowledged: dropped */
        }
        if (seq_gt(ack, u->seq) && seq_le(ack, u->nextseq)) u->seq = ack; /* partly acknowledged */
        else if (!seq_gt(u->nextseq, ack)) continue;                    /* old: dropped */
        rev->ual[keep++] = *u;
    }
    rev->nual = keep;

    /* bytes in flight after a data segment */
    if (seglen && fwd->nual && !fwd->bif_invalid) {
        uint32_t first = fwd->ual[0].seq, last = fwd->ual[0].nextseq;
        for (uint32_t i = 1; i < fwd->nual; i++) {
            if (seq_lt(fwd->ual[i].seq, first)) first = fwd->ual[i].seq;
            if (seq_gt(fwd->ual[i].nextseq, last)) last = fwd->ual[i].nextseq;
        }
        uint32_t bif = last - first;
        /* less what the receiver reported holding (its last SACK blocks) */
        for (uint8_t i = 0; i < rev->nsack; i++) bif -= rev->sack[i][1] - rev->sack[i][0];
        if (bif > 0 && bif < 2000000000u) {
            r->bytes_in_flight = bif;
            r->has_analysis = true;
        }
    }
    /* the SACK blocks are read after the analysis, for the next segments */
    fwd->nsack = s->nsack;
    memcpy(fwd->sack, s->sack, sizeof fwd->sack);
    r->flags = fl;
    if (fl) r->has_analysis = true;
}
