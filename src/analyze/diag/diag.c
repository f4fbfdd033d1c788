/* diag.c - diagnose's public side (diagnose.h): the context, the one table
 * of rule modules it walks, and the per-packet view each module observes
 * (the outer IP header, the transport header, the TCP connection record
 * and direction), found once per packet. Every packet goes to conns.c
 * first, so the TCP rules read the same records `nettracer conns` prints.
 * The small helpers every module uses for its tables (the hash, the outer
 * IP header) live here, in one place. */
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

uint32_t nt_diag_hash(const uint8_t *p, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

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

bool nt_diag_outer_ip(const nt_packet *pkt, ipinfo *ip)
{
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *l = &pkt->layers[i];
        if (l->inner) break;
        if (l->proto == NT_P_IPV4 && l->len >= 20) {
            const nt_ipv4 *h = &pkt->ip4[l->idx];
            *ip = (ipinfo){4, h->ttl, h->src, h->dst};
            return true;
        }
        if (l->proto == NT_P_IPV6 && l->len >= 40) {
            const nt_ipv6 *h = &pkt->ip6[l->idx];
            *ip = (ipinfo){6, h->hlim, h->src, h->dst};
            return true;
        }
    }
    return false;
}

/* The outer transport header and, for TCP, its connection and direction. */
static void view(nt_diag *d, const nt_packet *pkt, diag_pkt *p)
{
    memset(p, 0, sizeof *p);
    p->pkt = pkt;
    p->frame = pkt->frame->number;
    p->ts = pkt->frame->ts;
    p->has_ip = nt_diag_outer_ip(pkt, &p->ip);
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *l = &pkt->layers[i];
        if (l->inner) break;
        if (l->proto == NT_P_UDP) {
            p->udp = &pkt->udp[l->idx];
            p->sport = p->udp->sport, p->dport = p->udp->dport;
            break;
        }
        if (l->proto == NT_P_TCP) {
            p->sport = pkt->tcp[l->idx].sport, p->dport = pkt->tcp[l->idx].dport;
            break;
        }
    }
    for (int i = 0; i < pkt->nlayers; i++)
        if (pkt->layers[i].proto == NT_P_TCP && !pkt->layers[i].inner) p->tcp = &pkt->tcp[pkt->layers[i].idx];
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
