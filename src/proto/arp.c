/* arp.c - ARP/RARP over any hardware type (addresses kept as pointers). */
#include "dissect_int.h"

void nt_dissect_arp(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep)
{
    nt_enter(c, NT_P_ARP);
    if (!nt_need(c, 8, cap, rep, "ARP header cut short")) return;
    nt_packet *pkt = c->pkt;
    nt_arp *a = &pkt->arp[0];
    nt_cur k = nt_cur_make(p, cap);
    a->htype = nt_cur_be16(&k);
    a->ptype = nt_cur_be16(&k);
    a->hlen = nt_cur_u8(&k);
    a->plen = nt_cur_u8(&k);
    a->op = nt_cur_be16(&k);
    uint32_t total = 8 + 2u * a->hlen + 2u * a->plen;
    a->sha = a->spa = a->tha = a->tpa = NULL;
    pkt->narp = 1;
    nt_layer *l = nt_layer_add(c, NT_P_ARP, 0, p, cap < total ? cap : total);
    if (!l) return;
    if (!nt_need(c, total, cap, rep, "ARP addresses cut short")) return;
    a->sha = p + 8;
    a->spa = a->sha + a->hlen;
    a->tha = a->spa + a->plen;
    a->tpa = a->tha + a->hlen;
}
