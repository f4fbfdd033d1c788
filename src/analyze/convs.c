/* convs.c - see convs.h. One table per conversation type: the rows in an
 * array in order of first appearance (tshark's order for ties) and a map
 * (core/hash.c) from each row's key to its position.
 * Which headers count follows tshark 4.0's taps: a tap is queued only once
 * a dissector has decoded its header without an exception, and never for
 * the packet an ICMP error quotes. */
#include "nettracer/convs.h"

#include <stdlib.h>
#include <string.h>

typedef struct conv_key {
    uint32_t stream;
    uint8_t alen;
    uint8_t a[16], b[16];
} conv_key;

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
    nt_hmap_init(&t->index, sizeof(conv_key));
}

void nt_conv_table_free(nt_conv_table *t)
{
    free(t->c);
    nt_hmap_free(&t->index);
    nt_conv_table_init(t, t->type);
}

static bool keyed_by_stream(nt_conv_type t) { return t == NT_CONV_TCP || t == NT_CONV_UDP; }

/* A stream number, or an address pair with the lower address first, so
 * that both directions have one key. */
static conv_key key_of(const nt_conv_table *t, uint8_t alen, const uint8_t *a, const uint8_t *b, uint32_t stream)
{
    conv_key k;
    memset(&k, 0, sizeof k);
    if (keyed_by_stream(t->type)) {
        k.stream = stream;
        return k;
    }
    if (memcmp(a, b, alen) > 0) {
        const uint8_t *x = a;
        a = b;
        b = x;
    }
    k.alen = alen;
    memcpy(k.a, a, alen);
    memcpy(k.b, b, alen);
    return k;
}

nt_conv *nt_conv_table_find(const nt_conv_table *t, const nt_conv_pkt *p)
{
    if (p->alen > 16) return NULL;
    conv_key k = key_of(t, p->alen, p->src, p->dst, p->stream);
    uint32_t *at = nt_hmap_find(&t->index, &k);
    return at ? &t->c[*at] : NULL;
}

static void reindex(nt_conv_table *t)
{
    nt_hmap_clear(&t->index);
    for (size_t i = 0; i < t->n; i++) {
        const nt_conv *c = &t->c[i];
        conv_key k = key_of(t, c->alen, c->addr_a, c->addr_b, c->stream);
        bool added;
        nt_hmap_put(&t->index, &k, (uint32_t)i, &added);
    }
}

nt_conv *nt_conv_table_add(nt_conv_table *t, const nt_conv_pkt *p)
{
    if (p->alen > 16) return NULL;
    conv_key k = key_of(t, p->alen, p->src, p->dst, p->stream);
    bool added;
    if (t->n >= UINT32_MAX - 1 && !nt_hmap_find(&t->index, &k)) return NULL;
    uint32_t at = *nt_hmap_put(&t->index, &k, (uint32_t)t->n, &added);
    nt_conv *c = added ? NULL : &t->c[at];
    if (added) {
        if (t->n == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 64;
            nt_conv *nc = realloc(t->c, cap * sizeof *nc);
            if (!nc) abort();
            t->c = nc;
            t->cap = cap;
        }
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
    reindex(t);
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
            if (l->len < 40 || ip->version != 6 || ip->ext_fail) break;
            /* tshark taps IPv6 once the extension headers lead to the upper
             * layer: a fragment only in the frame that completes it */
            if (ip->frag && (ip->mf || ip->frag_off) && !pkt->ana.reassembled) break;
            p.alen = 16, p.src = ip->src, p.dst = ip->dst;
            p.sport = p.dport = 0;
            count(cs, NT_CONV_IPV6, &p);
            break;
        }
        default: break;
        }
    }
    /* TCP and UDP rows: the ports with the addresses of the IP header
     * carrying them (a tunnel's inner one) */
    nt_outer o;
    if (!nt_packet_outer(pkt, &o)) return;
    p.alen = o.family == 4 ? 4 : 16, p.src = o.src, p.dst = o.dst;
    const nt_tcp *t = o.tcp;
    /* the whole header, options included, must have been captured */
    if (t && pkt->ana.tcp_valid && o.tcp_l->len >= 20 && !t->bad_hlen && !t->opts_cut) {
        p.sport = t->sport, p.dport = t->dport, p.stream = pkt->ana.tcp_stream;
        count(cs, NT_CONV_TCP, &p);
    }
    const nt_udp *u = o.udp;
    if (u && pkt->ana.udp_valid && o.udp_l->len >= 8 && u->bad_len != 1) {
        p.sport = u->sport, p.dport = u->dport, p.stream = pkt->ana.udp_stream;
        count(cs, NT_CONV_UDP, &p);
    }
}
