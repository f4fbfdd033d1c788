/* convs.c - see convs.h. One table per conversation type: the rows in an
 * array in order of first appearance (tshark's order for ties) and an
 * open-addressing index of row numbers over them, kept at most half full.
 * Which headers count follows tshark 4.0's taps: a tap is queued only once
 * a dissector has decoded its header without an exception, and never for
 * the packet an ICMP error quotes. */
#include "nettracer/convs.h"

#include <stdlib.h>
#include <string.h>

static const char *const type_names[NT_CONV_NTYPES] = {"eth", "ip", "ipv6", "tcp", "udp"};

const char *nt_conv_type_name(nt_conv_type t) { return t < NT_CONV_NTYPES ? type_names[t] : "?"; }

bool nt_conv_type_parse(const char *s, nt_conv_type *t)
{
    for (int i = 0; i < NT_CONV_NTYPES; i++)
        if (!strcmp(s, type_names[i])) {
            *t = (nt_conv_type)i;
            return true;
        }
    return false;
}

void nt_conv_table_init(nt_conv_table *t, nt_conv_type type)
{
    memset(t, 0, sizeof *t);
    t->type = type;
}

void nt_conv_table_free(nt_conv_table *t)
{
    free(t->c);
    free(t->slot);
    nt_conv_table_init(t, t->type);
}

static bool keyed_by_stream(nt_conv_type t) { return t == NT_CONV_TCP || t == NT_CONV_UDP; }

static uint32_t mix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x7feb352dU;
    h ^= h >> 15;
    h *= 0x846ca68bU;
    h ^= h >> 16;
    return h;
}

/* The same for both directions: the lower address first. */
static uint32_t hash_pair(uint8_t alen, const uint8_t *a, const uint8_t *b)
{
    if (memcmp(a, b, alen) > 0) {
        const uint8_t *x = a;
        a = b;
        b = x;
    }
    uint32_t h = 2166136261U; /* FNV-1a */
    for (uint8_t i = 0; i < alen; i++) h = (h ^ a[i]) * 16777619U;
    for (uint8_t i = 0; i < alen; i++) h = (h ^ b[i]) * 16777619U;
    return mix32(h ^ alen);
}

static uint32_t hash_of(const nt_conv_table *t, const nt_conv_pkt *p)
{
    return keyed_by_stream(t->type) ? mix32(p->stream) : hash_pair(p->alen, p->src, p->dst);
}

static bool same(const nt_conv_table *t, const nt_conv *c, const nt_conv_pkt *p)
{
    if (keyed_by_stream(t->type)) return c->stream == p->stream;
    if (c->alen != p->alen) return false;
    return (!memcmp(c->addr_a, p->src, p->alen) && !memcmp(c->addr_b, p->dst, p->alen)) ||
           (!memcmp(c->addr_a, p->dst, p->alen) && !memcmp(c->addr_b, p->src, p->alen));
}

static uint32_t *probe(const nt_conv_table *t, const nt_conv_pkt *p)
{
    size_t mask = t->nslot - 1;
    for (size_t i = hash_of(t, p) & mask;; i = (i + 1) & mask) {
        uint32_t *s = &t->slot[i];
        if (!*s || same(t, &t->c[*s - 1], p)) return s;
    }
}

nt_conv *nt_conv_table_find(const nt_conv_table *t, const nt_conv_pkt *p)
{
    if (!t->n) return NULL;
    uint32_t *s = probe(t, p);
    return *s ? &t->c[*s - 1] : NULL;
}

/* the row's own key, to re-index it */
static nt_conv_pkt key_of(const nt_conv *c)
{
    nt_conv_pkt p = {.alen = c->alen, .src = c->addr_a, .dst = c->addr_b, .stream = c->stream};
    return p;
}

static void reindex(nt_conv_table *t, size_t nslot)
{
    uint32_t *s = calloc(nslot, sizeof *s);
    if (!s) abort();
    free(t->slot);
    t->slot = s;
    t->nslot = nslot;
    for (size_t i = 0; i < t->n; i++) {
        nt_conv_pkt k = key_of(&t->c[i]);
        *probe(t, &k) = (uint32_t)(i + 1);
    }
}

nt_conv *nt_conv_table_add(nt_conv_table *t, const nt_conv_pkt *p)
{
    if (p->alen > 16) return NULL;
    nt_conv *c = NULL;
    if (t->n) {
        uint32_t *s = probe(t, p);
        if (*s) c = &t->c[*s - 1];
    }
    if (!c) {
        if (t->n >= UINT32_MAX - 1) return NULL;
        if (t->n == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 64;
            nt_conv *nc = realloc(t->c, cap * sizeof *nc);
            if (!nc) abort();
            t->c = nc;
            t->cap = cap;
        }
        if ((t->n + 1) * 2 > t->nslot) reindex(t, t->nslot ? t->nslot * 2 : 128);
        c = &t->c[t->n];
        memset(c, 0, sizeof *c);
        c->alen = p->alen;
        memcpy(c->addr_a, p->src, p->alen);
        memcpy(c->addr_b, p->dst, p->alen);
        c->port_a = p->sport;
        c->port_b = p->dport;
        c->stream = p->stream;
        c->seq = (uint32_t)t->n;
        c->start_ns = c->stop_ns = p->rel_ns;
        t->n++;
        *probe(t, p) = (uint32_t)t->n;
    }
    /* Wireshark's test: exactly A to B, else B to A (so a packet from an
     * address to itself counts as A to B in an address-pair table) */
    if (!memcmp(p->src, c->addr_a, p->alen) && !memcmp(p->dst, c->addr_b, p->alen) && p->sport == c->port_a &&
        p->dport == c->port_b) {
        c->packets_ab++;
        c->bytes_ab += p->bytes;
    } else {
        c->packets_ba++;
        c->bytes_ba += p->bytes;
    }
    if (p->rel_ns > c->stop_ns) c->stop_ns = p->rel_ns;
    else if (p->rel_ns < c->start_ns) c->start_ns = p->rel_ns;
    return c;
}

static int by_packets(const void *x, const void *y)
{
    const nt_conv *a = x, *b = y;
    uint64_t pa = a->packets_ab + a->packets_ba, pb = b->packets_ab + b->packets_ba;
    if (pa != pb) return pa > pb ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void nt_conv_table_sort(nt_conv_table *t)
{
    if (t->n < 2) return;
    qsort(t->c, t->n, sizeof *t->c, by_packets);
    reindex(t, t->nslot);
}

/* nstime_to_sec() of Wireshark: seconds and nanoseconds, both truncated
 * towards zero, added as doubles; durations are differences of those */
double nt_conv_secs(int64_t ns)
{
    return (double)(ns / 1000000000) + (double)(ns % 1000000000) / 1e9;
}

bool nt_conv_bps(const nt_conv *c, uint64_t *ab, uint64_t *ba)
{
    double d = nt_conv_secs(c->stop_ns) - nt_conv_secs(c->start_ns);
    if (!(d > 0.005)) return false; /* Wireshark's min_bw_calc_duration_ */
    *ab = (uint64_t)((double)(c->bytes_ab * 8) / d);
    *ba = (uint64_t)((double)(c->bytes_ba * 8) / d);
    return true;
}

void nt_convs_init(nt_convs *cs, unsigned types)
{
    cs->types = types;
    for (int i = 0; i < NT_CONV_NTYPES; i++) nt_conv_table_init(&cs->t[i], (nt_conv_type)i);
}

void nt_convs_free(nt_convs *cs)
{
    for (int i = 0; i < NT_CONV_NTYPES; i++) nt_conv_table_free(&cs->t[i]);
}

static void count(nt_convs *cs, nt_conv_type type, nt_conv_pkt *p)
{
    if (cs->types & (1u << type)) nt_conv_table_add(&cs->t[type], p);
}

void nt_convs_add(nt_convs *cs, const nt_packet *pkt)
{
    nt_conv_pkt p = {.bytes = pkt->frame->len, .rel_ns = pkt->ana.rel_ns};
    const uint8_t *nsrc = NULL, *ndst = NULL; /* the last IP header's addresses */
    uint8_t nlen = 0;
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *l = &pkt->layers[i];
        if (l->inner) break; /* an ICMP error's quoted packet: not tapped */
        switch (l->proto) {
        case NT_P_ETH:
            if (l->len < 14) break;
            p.alen = 6, p.src = pkt->eth[l->idx].src, p.dst = pkt->eth[l->idx].dst;
            p.sport = p.dport = 0;
            count(cs, NT_CONV_ETH, &p);
            break;
        case NT_P_IPV4: {
            const nt_ipv4 *ip = &pkt->ip4[l->idx];
            if (ip->v6 || l->len < 20) break; /* a version-6 header is the next layer */
            nsrc = ip->src, ndst = ip->dst, nlen = 4;
            /* opts is set once the whole header, options included, was
             * read and its lengths found sane: where tshark taps */
            if (!ip->opts) break;
            p.alen = 4, p.src = ip->src, p.dst = ip->dst;
            p.sport = p.dport = 0;
            count(cs, NT_CONV_IPV4, &p);
            break;
        }
        case NT_P_IPV6: {
            const nt_ipv6 *ip = &pkt->ip6[l->idx];
            if (l->len < 40) break;
            nsrc = ip->src, ndst = ip->dst, nlen = 16;
            if (ip->version != 6 || ip->ext_fail) break;
            /* tshark taps IPv6 once the extension headers lead to the upper
             * layer: a fragment only in the frame that completes it */
            if (ip->frag && (ip->mf || ip->frag_off) && !pkt->ana.reassembled) break;
            p.alen = 16, p.src = ip->src, p.dst = ip->dst;
            p.sport = p.dport = 0;
            count(cs, NT_CONV_IPV6, &p);
            break;
        }
        case NT_P_TCP: {
            const nt_tcp *t = &pkt->tcp[l->idx];
            /* the whole header, options included, must have been captured */
            if (!pkt->ana.tcp_valid || !nlen || l->len < 20 || t->bad_hlen || t->opts_cut) break;
            p.alen = nlen, p.src = nsrc, p.dst = ndst;
            p.sport = t->sport, p.dport = t->dport, p.stream = pkt->ana.tcp_stream;
            count(cs, NT_CONV_TCP, &p);
            break;
        }
        case NT_P_UDP: {
            const nt_udp *u = &pkt->udp[l->idx];
            if (!pkt->ana.udp_valid || !nlen || l->len < 8 || u->bad_len == 1) break;
            p.alen = nlen, p.src = nsrc, p.dst = ndst;
            p.sport = u->sport, p.dport = u->dport, p.stream = pkt->ana.udp_stream;
            count(cs, NT_CONV_UDP, &p);
            break;
        }
        default: break;
        }
    }
}
