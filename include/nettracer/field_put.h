/* field_put.h - how the rows of the field registry (fields.h) are
 * written: the helpers an accessor writes its occurrences with, the walk
 * over a packet's layers of one protocol, and the row initializers. Shared
 * by every layer that contributes rows (proto/ headers and messages,
 * analyze/ analysis and application messages). */
#ifndef NETTRACER_FIELD_PUT_H
#define NETTRACER_FIELD_PUT_H

#include "nettracer/fields.h"

#include <string.h>

static inline int put_u(nt_fvalue *out, int n, int max, uint64_t v)
{
    if (n < max) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].type = NT_FT_UINT;
        out[n].v.u = v;
        n++;
    }
    return n;
}
static inline int put_i(nt_fvalue *out, int n, int max, int64_t v, nt_ftype t)
{
    if (n < max) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].type = (uint8_t)t;
        out[n].v.i = v;
        n++;
    }
    return n;
}
static inline int put_b(nt_fvalue *out, int n, int max, bool v)
{
    n = put_u(out, n, max, v);
    if (n) out[n - 1].type = NT_FT_BOOL;
    return n;
}
static inline int put_addr(nt_fvalue *out, int n, int max, const uint8_t *a, nt_ftype t)
{
    if (n < max) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].type = (uint8_t)t;
        size_t len = t == NT_FT_IPV4 ? 4 : t == NT_FT_IPV6 ? 16 : 6;
        memcpy(out[n].v.addr, a, len);
        out[n].p = out[n].v.addr;
        out[n].len = (uint32_t)len;
        out[n].prefix = (uint8_t)(len * 8);
        n++;
    }
    return n;
}
static inline int put_bytes(nt_fvalue *out, int n, int max, const void *p, uint32_t len, nt_ftype t)
{
    if (n < max) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].type = (uint8_t)t;
        out[n].p = p;
        out[n].len = len;
        n++;
    }
    return n;
}

/* a packet row's accessor */
#define NT_PKT_ACC(fn) static int fn(const nt_packet *pkt, nt_fvalue *out, int max)

/* iterate over the layers of one protocol, outer first (l: the layer) */
#define NT_EACH_LAYER(PROTO) \
    for (int li_ = 0; li_ < pkt->nlayers; li_++) \
        for (const nt_layer *l = &pkt->layers[li_]; l && l->proto == (PROTO); l = NULL)

/* What Wireshark decodes of a TCP header: 0 ports only (cut or quoted),
 * 1 a bogus header length (ports, sequence, lengths), 2 the header */
static inline int nt_tcp_field_depth(const nt_layer *l, const nt_tcp *t)
{
    if (l->len < 20 || (l->inner && t->hlen < 20)) return 0;
    return t->bad_hlen == 1 ? 1 : 2;
}
/* an accessor over each TCP header decoded at least to mindepth: t the
 * header, l its layer, a the session's analysis */
#define NT_TCP_ACC(fn, mindepth, body) \
    NT_PKT_ACC(fn) \
    { \
        int n = 0; \
        NT_EACH_LAYER(NT_P_TCP) { \
            const nt_tcp *t = &pkt->tcp[l->idx]; \
            const nt_pkt_ana *a = &pkt->ana; \
            (void)a; \
            if (nt_tcp_field_depth(l, t) < (mindepth)) continue; \
            body; \
        } \
        return n; \
    }

/* packet rows: protocol, unsigned integer, any type, with value names */
#define NT_ROW_P(nm, ds, fn) {.name = nm, .type = NT_FT_PROTOCOL, .desc = ds, .pkt_get = fn}
#define NT_ROW_U(nm, sz, ds, fn) {.name = nm, .type = NT_FT_UINT, .size = sz, .desc = ds, .pkt_get = fn}
#define NT_ROW_F(nm, ty, ds, fn) {.name = nm, .type = ty, .desc = ds, .pkt_get = fn}
#define NT_ROW_V(nm, ty, sz, ds, fn, vo) {.name = nm, .type = ty, .size = sz, .desc = ds, .value_of = vo, .pkt_get = fn}

#endif
