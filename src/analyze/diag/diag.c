/* diag.c - diagnose's public side (diagnose.h): the context, the one table
 * of rule modules it walks, and the per-packet view each module observes
 * (the outer IP header, the transport header, the TCP connection record
 * and direction), found once per packet. Every packet goes to conns.c
 * first, so the TCP rules read the same records `nettracer conns` prints.
 * The IP and transport headers are the ones nt_packet_outer() finds (the
 * walk conns.c and the sessions use), so that a rule and the connection
 * record it reads agree on the addresses; the modules' tables are nt_hmap
 * (hash.h) over growable arrays. */
#include "diag_int.h"

#include "nettracer/tls.h"

#include <stdlib.h>

/* the rule modules, in the order of the DIAG_* indices */
static const nt_diag_rule *const rules[DIAG_NRULES] = {
    [DIAG_NET] = &nt_diag_net_rule, [DIAG_DNS] = &nt_diag_dns_rule, [DIAG_VOIP] = &nt_diag_voip_rule,
    [DIAG_STUN] = &nt_diag_stun_rule, [DIAG_TCP] = &nt_diag_tcp_rule, [DIAG_TLS] = &nt_diag_tls_rule,
    [DIAG_CAPTURE] = &nt_diag_capture_rule,
};

void nt_diag_opts_default(nt_diag_opts *o)
{
    o->retrans_rate = 0.01;
    o->retrans_min = 3;
    o->no_response_s = 3.0;
    o->idle_gap_s = 10.0;
    o->slow_response_s = 1.0;
    o->dack_min_s = 0.03;
    o->dack_max_s = 0.6;
    o->nagle_min = 2;
    o->window_stall_s = 0.5;
    o->ca_list_warn = NT_TLS_CA_LIST_WARN;
    o->ca_list_limit = NT_TLS_CA_LIST_LIMIT;
    o->dns_slow_s = 0.5;
    o->media_after_s = 1.0;
    o->media_wait_s = 2.0;
}

const char *nt_severity_name(nt_severity s)
{
    static const char *n[] = {"notice", "warning", "error"};
    return n[s];
}

nt_diag *nt_diag_new(const nt_diag_opts *o)
{
    nt_diag *d = calloc(1, sizeof *d);
    if (!d) abort();
    if (o) d->o = *o;
    else nt_diag_opts_default(&d->o);
    nt_conns_init(&d->conns);
    for (int i = 0; i < DIAG_NRULES; i++) d->st[i] = rules[i]->init(d);
    return d;
}

void nt_diag_free(nt_diag *d)
{
    if (!d) return;
    for (int i = 0; i < DIAG_NRULES; i++) rules[i]->free(d->st[i]);
    nt_conns_free(&d->conns);
    free(d->f);
    free(d);
}

void nt_diag_span(const nt_diag *d, uint64_t *first, uint64_t *last, uint64_t *n, nt_time *t0, nt_time *t1,
                  bool *ts)
{
    *first = d->first_frame, *last = d->last_frame, *n = d->frames;
    *t0 = d->first_ts, *t1 = d->last_ts, *ts = d->have_ts;
}

size_t nt_diag_count(const nt_diag *d) { return d->nf; }
const nt_finding *nt_diag_get(const nt_diag *d, size_t i) { return i < d->nf ? &d->f[i] : NULL; }

void *nt_diag_grow(void *p, size_t *cap, size_t index, size_t size)
{
    if (index < *cap) return p;
    size_t n = *cap ? *cap : 64;
    while (n <= index) n *= 2;
    char *q = realloc(p, n * size);
    if (!q) abort();
    memset(q + *cap * size, 0, (n - *cap) * size);
    *cap = n;
    return q;
}

/* The packet's IP header and transport header (nt_packet_outer: the last
 * IP header of a tunnel, the one the TCP connection records of conns.c are
 * keyed by, so the direction below compares like with like) and, for TCP,
 * its connection and direction. */
static void view(nt_diag *d, const nt_packet *pkt, diag_pkt *p)
{
    memset(p, 0, sizeof *p);
    p->pkt = pkt;
    p->frame = pkt->frame->number;
    p->ts = pkt->frame->ts;
    nt_outer o;
    p->has_ip = nt_packet_outer(pkt, &o);
    if (p->has_ip) p->ip = (ipinfo){o.family, o.ttl, o.src, o.dst};
    /* the ports of the first transport header, and udp only when that one
     * is UDP (outside an ICMP error's quote a packet has one transport
     * header; the order test keeps the rule exact all the same) */
    if (o.udp_l && (!o.tcp_l || o.udp_l < o.tcp_l)) {
        p->udp = o.udp;
        p->sport = o.udp->sport, p->dport = o.udp->dport;
    } else if (o.tcp_l) {
        p->sport = o.tcp->sport, p->dport = o.tcp->dport;
    }
    p->tcp = o.tcp;
    const nt_pkt_ana *a = &pkt->ana;
    if (!a->tcp_valid || !p->tcp || !p->has_ip) return;
    if (a->tcp_stream >= d->conns.cap || !d->conns.c[a->tcp_stream].used) return;
    const nt_conn *c = &d->conns.c[a->tcp_stream];
    p->conn = c;
    p->stream = a->tcp_stream;
    size_t alen = p->ip.fam == 4 ? 4 : 16;
    p->dir = (memcmp(p->ip.src, c->client, alen) == 0 && p->tcp->sport == c->cport) ? 0 : 1;
}

void nt_diag_add(nt_diag *d, const nt_packet *pkt)
{
    const nt_frame *fr = pkt->frame;
    if (fr->linktype == NT_LINK_PCAPNG_CUSTOM) return;
    d->frames++;
    if (!d->first_frame) d->first_frame = fr->number;
    d->last_frame = fr->number;
    if (!fr->no_ts) {
        /* the span, even when a merged file goes back in time */
        if (!d->have_ts) d->first_ts = d->last_ts = fr->ts, d->have_ts = true;
        if (nt_time_diff_ns(fr->ts, d->first_ts) < 0) d->first_ts = fr->ts;
        if (nt_time_diff_ns(fr->ts, d->last_ts) > 0) d->last_ts = fr->ts;
    }
    nt_conns_add(&d->conns, pkt);
    diag_pkt p;
    view(d, pkt, &p);
    for (int i = 0; i < DIAG_NRULES; i++) rules[i]->observe(d, d->st[i], &p);
}

void nt_diag_finish(nt_diag *d, const nt_trace *t)
{
    for (int i = 0; i < DIAG_NRULES; i++) rules[i]->finish(d, d->st[i], t);
    nt_diag_sort(d);
}
