/* session.c - the stateful part of reading a trace, done in one pass the
 * way tshark's single pass does it: TCP and UDP stream numbers in order of
 * first appearance, relative sequence numbers and window scaling per
 * direction, IPv4/IPv6 fragment reassembly (the last fragment carries the
 * reassembled datagram, as in Wireshark), ICMP echo request/reply links.
 * Memory grows with the number of flows, not with the number of packets;
 * pending fragments are bounded. */
#include "nettracer/session.h"
#include "nettracer/hash.h"
#include "app_int.h"
#include "tcp_analysis.h"

#include <stdlib.h>
#include <string.h>

/* ---- flow table ------------------------------------------------------ */

typedef struct flow_key {
    uint8_t family;  /* 4 or 6 */
    uint8_t proto;   /* 6 or 17 */
    uint16_t pa, pb;
    uint8_t a[16], b[16];
} flow_key;

typedef struct tcp_dir {
    bool base_set;
    uint32_t base;
    int8_t ws_opt;   /* from this side's SYN: -1 not seen, -2 no option, else shift */
    int8_t scale;    /* -1 unknown, -2 none, else shift */
    nt_tcp_seqinfo sq;
} tcp_dir;

typedef struct flow {
    uint32_t stream;
    tcp_dir dir[2];  /* [0]: a -> b */
    nt_time syn_time;    /* the most recent SYN, for the initial RTT */
    bool syn_seen;
    int64_t irtt_ns;     /* 0 until the handshake's last ACK */
    nt_app_flow *app;    /* application protocol state, NULL until payload */
} flow;

/* flows in order of first appearance, found through a map of their keys */
typedef struct flow_table {
    flow *flows;
    size_t cap, n;
    nt_hmap index;           /* flow_key -> position in flows */
    uint32_t next_stream;
} flow_table;

/* Finds or creates the flow; *dir is 0 when src is the key's a side. */
static flow *ft_get(flow_table *t, uint8_t family, uint8_t proto, const uint8_t *src, const uint8_t *dst,
                    uint16_t sp, uint16_t dp, int *dir)
{
    size_t alen = family == 4 ? 4 : 16;
    flow_key k;
    memset(&k, 0, sizeof k);
    k.family = family;
    k.proto = proto;
    int c = memcmp(src, dst, alen);
    bool src_first = c < 0 || (c == 0 && sp <= dp);
    memcpy(k.a, src_first ? src : dst, alen);
    memcpy(k.b, src_first ? dst : src, alen);
    k.pa = src_first ? sp : dp;
    k.pb = src_first ? dp : sp;
    *dir = src_first ? 0 : 1;
    bool added;
    uint32_t *at = nt_hmap_put(&t->index, &k, (uint32_t)t->n, &added);
    if (!added) return &t->flows[*at];
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        flow *nf = realloc(t->flows, cap * sizeof *nf);
        if (!nf) abort();
        t->flows = nf;
        t->cap = cap;
    }
    flow *f = &t->flows[t->n];
    memset(f, 0, sizeof *f);
    f->dir[0].ws_opt = f->dir[1].ws_opt = -1;
    f->dir[0].scale = f->dir[1].scale = -1;
    f->stream = t->next_stream++; /* numbered in order of first appearance */
    t->n++;
    return f;
}

/* ---- IP reassembly --------------------------------------------------- */

#define REASM_MAX_PENDING 256
#define REASM_MAX_FRAGS 64
#define REASM_MAX_LEN 65535u

typedef struct reasm {
    bool used;
    uint8_t family, proto;
    uint8_t src[16], dst[16];
    uint32_t id;
    uint32_t total;      /* known once the last fragment arrived, else 0 */
    uint32_t nfrags;
    uint32_t have;       /* bytes received (without overlaps counted twice) */
    uint64_t first_frame, last_seen;
    struct { uint32_t off, len; } fr[REASM_MAX_FRAGS];
    uint8_t *buf;
} reasm;

/* ---- ICMP echo ------------------------------------------------------- */

#define ECHO_SLOTS 4096

typedef struct echo_req {
    uint64_t frame;
    uint8_t family;
    uint16_t id, seq;
    uint8_t src[16], dst[16];
} echo_req;

static void reset_dirs(flow *fl);

struct nt_session {
    flow_table tcp, udp;
    reasm pend[REASM_MAX_PENDING];
    uint8_t *out;        /* the reassembled datagram handed to the packet */
    echo_req echo[ECHO_SLOTS];
    bool have_first;
    nt_time first, prev;  /* first frame's time, previous frame's time */
    nt_app app;
};

nt_session *nt_session_new(void)
{
    nt_session *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->out = malloc(REASM_MAX_LEN + 64);
    if (!s->out) abort();
    nt_app_init(&s->app);
    nt_hmap_init(&s->tcp.index, sizeof(flow_key));
    nt_hmap_init(&s->udp.index, sizeof(flow_key));
    return s;
}

void nt_session_free(nt_session *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->tcp.n; i++) reset_dirs(&s->tcp.flows[i]);
    for (size_t i = 0; i < s->udp.n; i++) nt_app_flow_free(s->udp.flows[i].app);
    free(s->tcp.flows);
    free(s->udp.flows);
    nt_hmap_free(&s->tcp.index);
    nt_hmap_free(&s->udp.index);
    nt_app_fini(&s->app);
    for (int i = 0; i < REASM_MAX_PENDING; i++) free(s->pend[i].buf);
    free(s->out);
    free(s);
}

/* Adds a fragment; returns the finished datagram's length (in s->out) or 0. */
static uint32_t reasm_add(nt_session *s, const nt_frame *f, uint8_t family, uint8_t proto, const uint8_t *src,
                          const uint8_t *dst, uint32_t id, uint32_t off, bool mf, const uint8_t *data,
                          uint32_t len, nt_pkt_ana *ana)
{
    size_t alen = family == 4 ? 4 : 16;
    reasm *r = NULL, *victim = &s->pend[0];
    for (int i = 0; i < REASM_MAX_PENDING; i++) {
        reasm *p = &s->pend[i];
        if (p->used && p->family == family && p->proto == proto && p->id == id && !memcmp(p->src, src, alen) &&
            !memcmp(p->dst, dst, alen)) {
            r = p;
            break;
        }
        if (!p->used) victim = p;
        else if (victim->used && p->last_seen < victim->last_seen) victim = p;
    }
    if (!r) {
        r = victim; /* a free slot, or the stalest pending datagram */
        uint8_t *buf = r->buf;
        memset(r, 0, sizeof *r);
        r->buf = buf ? buf : malloc(REASM_MAX_LEN);
        if (!r->buf) abort();
        r->used = true;
        r->family = family;
        r->proto = proto;
        r->id = id;
        memcpy(r->src, src, alen);
        memcpy(r->dst, dst, alen);
        r->first_frame = f->number;
    }
    r->last_seen = f->number;
    if (off >= REASM_MAX_LEN || r->nfrags >= REASM_MAX_FRAGS) return 0;
    if (len > REASM_MAX_LEN - off) len = REASM_MAX_LEN - off;
    memcpy(r->buf + off, data, len);
    r->fr[r->nfrags].off = off;
    r->fr[r->nfrags].len = len;
    r->nfrags++;
    if (!mf) r->total = off + len;
    if (!r->total) return 0;
    /* complete when the fragments cover 0..total without a hole */
    uint32_t covered = 0;
    bool progress = true;
    while (progress && covered < r->total) {
        progress = false;
        for (uint32_t i = 0; i < r->nfrags; i++)
            if (r->fr[i].off <= covered && r->fr[i].off + r->fr[i].len > covered) {
                covered = r->fr[i].off + r->fr[i].len;
                progress = true;
            }
    }
    if (covered < r->total) return 0;
    uint32_t total = r->total;
    memcpy(s->out, r->buf, total);
    ana->reassembled = true;
    ana->reasm_frames = r->nfrags;
    ana->reasm_first = r->first_frame;
    r->used = false;
    return total;
}

static void do_reassembly(nt_session *s, const nt_frame *f, nt_packet *pkt)
{
    const nt_layer *top = nt_packet_top(pkt);
    if (!top || top->proto != NT_P_DATA) return;
    /* the IP layer right under the fragment data */
    const nt_layer *ipl = pkt->nlayers >= 2 ? &pkt->layers[pkt->nlayers - 2] : NULL;
    if (!ipl || ipl->inner) return;
    uint32_t total = 0;
    uint8_t proto;
    if (ipl->proto == NT_P_IPV4) {
        const nt_ipv4 *ip = &pkt->ip4[ipl->idx];
        proto = ip->proto;
        if (top->len < ip->payload_len) return; /* cut by the snap length */
        total = reasm_add(s, f, 4, proto, ip->src, ip->dst, ip->id, ip->frag_off, ip->mf, top->p,
                          ip->payload_len, &pkt->ana);
    } else if (ipl->proto == NT_P_IPV6) {
        const nt_ipv6 *ip = &pkt->ip6[ipl->idx];
        proto = ip->final_nxt;
        if (top->len < ip->payload_len) return;
        total = reasm_add(s, f, 6, proto, ip->src, ip->dst, ip->frag_id, ip->frag_off, ip->mf, top->p,
                          ip->payload_len, &pkt->ana);
    } else {
        return;
    }
    if (!total) return;
    /* replace the fragment's data layer with the datagram's layers */
    pkt->nlayers--;
    pkt->payload = NULL;
    pkt->payload_len = 0;
    pkt->flags &= ~(uint32_t)NT_PKT_FRAGMENT;
    nt_dissect_ip_payload(pkt, proto, s->out, total, total, false);
}

/* ---- TCP and UDP ----------------------------------------------------- */

static void reset_dirs(flow *fl)
{
    nt_tcp_seqinfo_free(&fl->dir[0].sq);
    nt_tcp_seqinfo_free(&fl->dir[1].sq);
    memset(fl->dir, 0, sizeof fl->dir);
    fl->syn_seen = false;
    fl->irtt_ns = 0;
    fl->dir[0].ws_opt = fl->dir[1].ws_opt = -1;
    fl->dir[0].scale = fl->dir[1].scale = -1;
    nt_app_flow_free(fl->app);
    fl->app = NULL;
}

/* A UDP datagram's flow. An endpoint SDP announced is a conversation of
 * its own with any peer, as Wireshark's SDP sets up RTP: a datagram
 * belongs to its source's, else its destination's (so the two directions
 * of a call's media are two UDP streams, as tshark numbers them). */
static flow *udp_flow(nt_session *s, uint8_t fam, const uint8_t *src, const uint8_t *dst, uint16_t sp, uint16_t dp,
                      int *d)
{
    static const uint8_t any[16];
    if (s->app.neps) {
        if (nt_app_sdp_endpoint(&s->app, fam, src, sp)) return ft_get(&s->udp, fam, 17, src, any, sp, 0, d);
        if (nt_app_sdp_endpoint(&s->app, fam, dst, dp)) return ft_get(&s->udp, fam, 17, dst, any, dp, 0, d);
    }
    return ft_get(&s->udp, fam, 17, src, dst, sp, dp, d);
}

/* The flow an ICMP error quotes gets a stream number too, as in Wireshark
 * (which finds or creates the conversation for the quoted packet). */
static void quoted_stream(nt_session *s, flow_table *ft, nt_packet *pkt, nt_proto p, uint32_t min_len, bool *valid,
                          uint32_t *stream)
{
    nt_outer q;
    int d;
    if (!nt_packet_quoted(pkt, &q)) return;
    const nt_layer *il = p == NT_P_TCP ? q.tcp_l : q.udp_l;
    if (!il || il->len < min_len) return;
    uint16_t sp = p == NT_P_TCP ? q.tcp->sport : q.udp->sport;
    uint16_t dp = p == NT_P_TCP ? q.tcp->dport : q.udp->dport;
    flow *fl = p == NT_P_TCP ? ft_get(ft, q.family, 6, q.src, q.dst, sp, dp, &d)
                             : udp_flow(s, q.family, q.src, q.dst, sp, dp, &d);
    *valid = true;
    *stream = fl->stream;
}

static void do_tcp(nt_session *s, nt_packet *pkt)
{
    nt_outer o;
    int d;
    quoted_stream(s, &s->tcp, pkt, NT_P_TCP, 8, &pkt->ana.inner_tcp_valid, &pkt->ana.inner_tcp_stream);
    if (!nt_packet_outer(pkt, &o) || !o.tcp_l || o.tcp_l->len < 20) return;
    nt_tcp *t = &pkt->tcp[o.tcp_l->idx];
    flow *fl = ft_get(&s->tcp, o.family, 6, o.src, o.dst, t->sport, t->dport, &d);
    tcp_dir *fwd = &fl->dir[d], *rev = &fl->dir[!d];
    bool syn = t->flags & NT_TCP_SYN, ack = t->flags & NT_TCP_ACK;
    nt_pkt_ana *a = &pkt->ana;
    if (syn && fwd->base_set && t->seq != fwd->base) {
        /* a SYN with another ISN on the same ports: a new connection
         * (Wireshark: "TCP Port numbers reused") with its own stream number;
         * a SYN-ACK of that kind is flagged only */
        a->tcp_flags |= NT_TA_REUSED_PORTS;
        if (!ack) {
            reset_dirs(fl);
            fl->stream = s->tcp.next_stream++;
            fwd = &fl->dir[d], rev = &fl->dir[!d];
        }
    }
    if (!fwd->base_set) {
        fwd->base = syn ? t->seq : t->seq - 1;
        fwd->base_set = true;
    }
    if (ack && !rev->base_set) {
        rev->base = t->ack - 1;
        rev->base_set = true;
    }
    if (syn && !t->bad_hlen) {
        /* scaling applies only when both SYNs carried the option; options
         * cut by the snap length leave it unknown */
        if (t->opts_cut) fwd->ws_opt = -1;
        else fwd->ws_opt = t->has_ws ? (int8_t)(t->ws > 14 ? 14 : t->ws) : -2;
        if (fwd->ws_opt == -2) {
            fwd->scale = rev->scale = -2;
        } else if (ack) {
            if (fwd->ws_opt >= 0 && rev->ws_opt >= 0) {
                fwd->scale = fwd->ws_opt;
                rev->scale = rev->ws_opt;
            } else if (rev->ws_opt == -2) {
                fwd->scale = rev->scale = -2;
            }
        }
    }
    /* sequence analysis, on segments whose length is known */
    if (!t->bad_hlen) {
        const nt_frame *f = pkt->frame;
        nt_tcp_seg sg = {f->number, f->ts, t->seq, t->ack, t->payload_len, t->flags, t->win, t->nsack, {{0}}};
        memcpy(sg.sack, t->sack, sizeof sg.sack);
        nt_tcp_result r;
        nt_tcp_analyze(&fwd->sq, &rev->sq, &sg, rev->scale, fl->irtt_ns, &r);
        a->tcp_flags |= r.flags;
        a->dupack_num = r.dupack_num;
        a->dupack_frame = r.dupack_frame;
        a->acks_frame = r.acks_frame;
        a->ack_rtt_ns = r.ack_rtt_ns;
        a->bytes_in_flight = r.bytes_in_flight;
        /* initial RTT: from the most recent SYN to the first ACK that is not a SYN */
        if (syn && !ack && !t->opts_cut) { /* Wireshark stops at cut options */
            fl->syn_time = f->ts;
            fl->syn_seen = true;
        } else if (ack && !syn && !fl->irtt_ns && fl->syn_seen) {
            fl->irtt_ns = nt_time_diff_ns(f->ts, fl->syn_time);
            if (!fl->irtt_ns) fl->irtt_ns = 1;
        }
        /* Wireshark shows it in the analysis tree, which exists only when
         * there is something else to show */
        if (fl->irtt_ns && (r.has_analysis || a->tcp_flags)) {
            a->has_irtt = true;
            a->irtt_ns = fl->irtt_ns;
        }
        if (t->opts_cut) {
            /* Wireshark prints the analysis after the options: options cut
             * by the snap length stop it before (the state is kept) */
            a->tcp_flags &= NT_TA_REUSED_PORTS;
            a->acks_frame = 0;
            a->bytes_in_flight = 0;
            a->has_irtt = false;
        }
    }
    a->tcp_valid = true;
    a->tcp_stream = fl->stream;
    a->rel_seq = t->seq - fwd->base;
    a->rel_ack = ack ? t->ack - rev->base : 0;
    a->nxtseq = a->rel_seq + t->payload_len + (syn ? 1 : 0) + ((t->flags & NT_TCP_FIN) ? 1 : 0);
    a->win_scale = syn ? -2 : fwd->scale;
    a->win = a->win_scale >= 0 ? (uint32_t)t->win << a->win_scale : t->win;
    for (int i = 0; i < t->nsack; i++) {
        a->sack_rel[i][0] = t->sack[i][0] - rev->base;
        a->sack_rel[i][1] = t->sack[i][1] - rev->base;
    }
    if (!t->bad_hlen) nt_app_tcp(&s->app, &fl->app, d, pkt, t, a->rel_seq);
}

static void do_udp(nt_session *s, nt_packet *pkt)
{
    nt_outer o;
    int d;
    quoted_stream(s, &s->udp, pkt, NT_P_UDP, 4, &pkt->ana.inner_udp_valid, &pkt->ana.inner_udp_stream);
    if (nt_packet_quoted(pkt, &o) && o.udp_l && o.udp_l->len >= 8)
        nt_app_udp_quoted(&s->app, pkt, o.udp_l, o.udp, o.family, o.src, o.dst);
    if (!nt_packet_outer(pkt, &o) || !o.udp_l || o.udp_l->len < 8) return;
    const nt_udp *u = o.udp;
    if (u->bad_len == 1) return; /* Wireshark stops before the conversation */
    flow *fl = udp_flow(s, o.family, o.src, o.dst, u->sport, u->dport, &d);
    pkt->ana.udp_valid = true;
    pkt->ana.udp_stream = fl->stream;
    nt_app_udp(&s->app, &fl->app, d, pkt, u, o.family, o.src, o.dst);
}

/* ---- ICMP echo ------------------------------------------------------- */

static size_t echo_slot(uint8_t fam, uint16_t id, uint16_t seq)
{
    return ((size_t)id * 31 + seq + fam) % ECHO_SLOTS;
}

static void do_echo(nt_session *s, const nt_frame *f, nt_packet *pkt)
{
    uint8_t fam, type;
    uint16_t id, seq;
    const uint8_t *src, *dst;
    size_t alen;
    const nt_layer *l = nt_packet_layer(pkt, NT_P_ICMP);
    if (l && !l->inner && pkt->nip4) {
        const nt_icmp *m = &pkt->icmp[0];
        if (m->type != 8 && m->type != 0) return;
        if (l->len < 8) return;
        fam = 4, type = m->type == 8 ? 1 : 2, id = m->id, seq = m->seq;
        src = pkt->ip4[0].src, dst = pkt->ip4[0].dst, alen = 4;
    } else if ((l = nt_packet_layer(pkt, NT_P_ICMPV6)) && !l->inner && pkt->nip6) {
        const nt_icmpv6 *m = &pkt->icmp6[0];
        if (m->type != 128 && m->type != 129) return;
        if (l->len < 8) return;
        fam = 6, type = m->type == 128 ? 1 : 2, id = m->id, seq = m->seq;
        src = pkt->ip6[0].src, dst = pkt->ip6[0].dst, alen = 16;
    } else {
        return;
    }
    echo_req *e = &s->echo[echo_slot(fam, id, seq)];
    if (type == 1) {
        memset(e, 0, sizeof *e);
        e->frame = f->number, e->family = fam, e->id = id, e->seq = seq;
        memcpy(e->src, src, alen);
        memcpy(e->dst, dst, alen);
    } else if (e->frame && e->family == fam && e->id == id && e->seq == seq && !memcmp(e->src, dst, alen) &&
               !memcmp(e->dst, src, alen)) {
        pkt->ana.request_in = e->frame;
    }
}

/* Times as Wireshark computes them: relative to the first frame with a time;
 * a custom block is skipped, a simple packet block's hidden zero counts. */
static void do_times(nt_session *s, const nt_frame *f, nt_packet *pkt)
{
    if (f->linktype == NT_LINK_PCAPNG_CUSTOM) return;
    if (!s->have_first && !f->no_ts) {
        s->first = s->prev = f->ts;
        s->have_first = true;
    }
    nt_pkt_ana *a = &pkt->ana;
    a->has_time = !f->no_ts;
    a->rel_ns = nt_time_diff_ns(f->ts, s->first);
    a->delta_ns = nt_time_diff_ns(f->ts, s->prev);
    a->delta_disp_ns = a->delta_ns;
    s->prev = f->ts;
}

void nt_session_set_rtp_heuristic(nt_session *s, bool on) { s->app.rtp_heuristic = on; }

void nt_session_dissect(nt_session *s, const nt_frame *f, nt_packet *pkt)
{
    nt_dissect(f, pkt);
    nt_app_begin(&s->app);
    pkt->app = &s->app.data;
    do_times(s, f, pkt);
    if (pkt->flags & NT_PKT_FRAGMENT) do_reassembly(s, f, pkt);
    do_tcp(s, pkt);
    do_udp(s, pkt);
    do_echo(s, f, pkt);
}
