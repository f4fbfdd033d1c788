/* capture.c - the rules about the capture itself, not the network: frames
 * cut by the snap length, packets the capture dropped (the interfaces'
 * drop counters in the file, and ACKs for data the capture never saw). */
#include "diag_int.h"

#include <stdlib.h>

typedef struct capst {
    uint64_t cut, cut_first;
    uint32_t cut_caplen;
    uint64_t ack_unseen, ack_unseen_first;
} capst;

static void *capture_init(nt_diag *d)
{
    (void)d;
    capst *k = calloc(1, sizeof *k);
    if (!k) abort();
    return k;
}

static void capture_observe(nt_diag *d, void *st, const diag_pkt *p)
{
    (void)d;
    capst *k = st;
    const nt_frame *fr = p->pkt->frame;
    if (fr->caplen < fr->len) {
        if (!k->cut) k->cut_first = fr->number, k->cut_caplen = fr->caplen;
        k->cut++;
    }
    if (p->conn && (p->pkt->ana.tcp_flags & NT_TA_ACK_LOST_SEGMENT)) {
        if (!k->ack_unseen) k->ack_unseen_first = p->frame;
        k->ack_unseen++;
    }
}

static void capture_finish(nt_diag *d, void *st, const nt_trace *t)
{
    const capst *k = st;
    if (k->cut) {
        nt_finding *f = finding(d, NT_F_CAPTURE_SNAPLEN);
        ff(f, k->cut_first);
        fnum(f, "frames_cut", (double)k->cut);
        fnum(f, "snaplen", k->cut_caplen);
        ftext(f, "%llu frame%s cut by the capture's snap length (first: frame %llu, %u bytes kept).",
              (unsigned long long)k->cut, k->cut == 1 ? " was" : "s were", (unsigned long long)k->cut_first,
              k->cut_caplen);
        fadvice(f, "Headers are complete but application payload is not: TLS certificates, HTTP and other "
                   "application findings may be missing. Capture without -s (or a larger one) to see them.");
    }
    uint64_t drops = 0;
    bool any = false;
    for (size_t i = 0; t && i < nt_trace_niface(t); i++) {
        const nt_iface *x = nt_trace_iface(t, i);
        if (x->has_ifdrop) any = true, drops += x->ifdrop;
    }
    if (drops || k->ack_unseen) {
        nt_finding *f = finding(d, NT_F_CAPTURE_DROPPED);
        ff(f, k->ack_unseen_first);
        if (any) fnum(f, "interface_drops", (double)drops);
        fnum(f, "acked_unseen", (double)k->ack_unseen);
        if (drops)
            ftext(f, "The capture dropped %llu packets (interface statistics)%s.", (unsigned long long)drops,
                  k->ack_unseen ? " and ACKs acknowledge segments the capture never saw" : "");
        else
            ftext(f,
                  "%llu ACKs acknowledge data the capture never saw (first in frame %llu): the capture missed "
                  "packets that reached the other side.",
                  (unsigned long long)k->ack_unseen, (unsigned long long)k->ack_unseen_first);
        fadvice(f, "Missing packets in the trace are not network loss: capture with a larger buffer (dumpcap "
                   "-B), a capture filter, or a snap length, and write to a fast disk.");
    }
}

static void capture_free(void *st) { free(st); }

const nt_diag_rule nt_diag_capture_rule = {"capture", capture_init, capture_observe, capture_finish, capture_free};
