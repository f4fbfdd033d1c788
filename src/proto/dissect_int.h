/* dissect_int.h - what the protocol parsers share inside proto/: each
 * parser gets the bytes captured from its header on (cap) and the bytes
 * the packet really had from there (rep, from the frame's original length
 * or the enclosing length field), records its layer and hands the payload
 * to the next parser. */
#ifndef NT_PROTO_DISSECT_INT_H
#define NT_PROTO_DISSECT_INT_H

#include "nettracer/packet.h"

typedef struct nt_dctx {
    nt_packet *pkt;
    uint8_t inner; /* inside an ICMP error */
    const uint8_t *end; /* end of the buffer being dissected */
} nt_dctx;

/* Notes that a protocol's decoding began (outer packet only). */
static inline void nt_enter(nt_dctx *c, nt_proto p)
{
    if (!c->inner) c->pkt->entered = (uint8_t)p;
}

/* Adds a layer; NULL when the layer table is full (then the caller stops). */
nt_layer *nt_layer_add(nt_dctx *c, nt_proto proto, uint8_t idx, const uint8_t *p, uint32_t cap);

/* A header needs `need` bytes and only `cap` were captured (`rep` on the
 * wire): flags the packet truncated (cut by the snap length) or malformed
 * (the packet itself is short), records why, and returns false. */
bool nt_need(nt_dctx *c, uint32_t need, uint32_t cap, uint32_t rep, const char *why);
void nt_malformed(nt_dctx *c, const char *why);

void nt_dissect_ethertype(nt_dctx *c, uint16_t type, const uint8_t *p, uint32_t cap, uint32_t rep);
void nt_dissect_eth(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep);
void nt_dissect_arp(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep);
void nt_dissect_ipv4(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep);
void nt_dissect_ipv6(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep);
void nt_dissect_ipproto(nt_dctx *c, uint8_t proto, const uint8_t *p, uint32_t cap, uint32_t rep);
void nt_dissect_icmp(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep);
void nt_dissect_icmpv6(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep);
void nt_dissect_tcp(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep);
void nt_dissect_udp(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep);
void nt_dissect_data(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep);

#endif
