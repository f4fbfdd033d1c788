/* udp.c - UDP header; the payload goes to the application protocols. */
#include "dissect_int.h"

#include <string.h>

/* the 8-byte header, as far as cap allows (a quoted header may be cut) */
static void read_header(nt_udp *u, const uint8_t *p, uint32_t cap)
{
    nt_cur k = nt_cur_make(p, cap);
    u->sport = nt_cur_be16(&k);
    u->dport = nt_cur_be16(&k);
    u->ulen = nt_cur_be16(&k);
    u->csum = nt_cur_be16(&k);
}

void nt_dissect_udp(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep)
{
    nt_packet *pkt = c->pkt;
    if (pkt->nudp >= 2) return;
    uint8_t idx = pkt->nudp;
    nt_udp *u = &pkt->udp[idx];
    memset(u, 0, sizeof *u);
    if (c->inner) {
        if (cap < 4) return;
        read_header(u, p, cap);
        pkt->nudp++;
        nt_layer_add(c, NT_P_UDP, idx, p, cap < 8 ? cap : 8);
        if (cap > 8) nt_dissect_data(c, p + 8, cap - 8, rep > 8 ? rep - 8 : cap - 8); /* the quoted payload */
        return;
    }
    nt_enter(c, NT_P_UDP);
    if (!nt_need(c, 8, cap, rep, "UDP header cut short")) return;
    read_header(u, p, cap);
    pkt->nudp++;
    if (!nt_layer_add(c, NT_P_UDP, idx, p, 8)) return;
    uint32_t dlen = u->ulen;
    if (dlen == 0) dlen = rep; /* jumbogram */
    if (dlen < 8) {
        u->bad_len = 1;
        nt_malformed(c, "UDP: bogus length (less than 8)");
        return;
    }
    if (dlen > rep) {
        u->bad_len = 2;
        nt_malformed(c, "UDP: length larger than the IP payload");
        dlen = rep;
    }
    u->payload = p + 8;
    u->payload_len = dlen - 8;
    u->payload_cap = (cap < dlen ? cap : dlen) - 8;
    if (u->payload_len && u->payload_cap) nt_dissect_data(c, u->payload, u->payload_cap, u->payload_len);
}
