/* eth.c - Ethernet II / 802.3 and 802.1Q / 802.1ad VLAN tags. */
#include "dissect_int.h"

#include <string.h>

void nt_dissect_ethertype(nt_dctx *c, uint16_t type, const uint8_t *p, uint32_t cap, uint32_t rep)
{
    nt_packet *pkt = c->pkt;
    switch (type) {
    case 0x0800: nt_dissect_ipv4(c, p, cap, rep); return;
    case 0x86dd: nt_dissect_ipv6(c, p, cap, rep); return;
    case 0x0806: nt_dissect_arp(c, p, cap, rep); return;
    case 0x8100:
    case 0x88a8:
    case 0x9100: {
        /* deeper stacks are not decoded further (Wireshark stops too) */
        if (pkt->nvlan >= 4) return;
        nt_enter(c, NT_P_VLAN);
        if (!nt_need(c, 2, cap, rep, "802.1Q tag cut short")) return;
        nt_vlan *v = &pkt->vlan[pkt->nvlan];
        uint16_t tci = (uint16_t)(p[0] << 8 | p[1]);
        v->tpid = type;
        v->pri = (uint8_t)(tci >> 13);
        v->dei = (tci >> 12) & 1;
        v->id = tci & 0x0fff;
        v->etype = 0;
        if (!nt_layer_add(c, NT_P_VLAN, pkt->nvlan, p, cap < 4 ? cap : 4)) return;
        pkt->nvlan++;
        if (!nt_need(c, 4, cap, rep, "802.1Q tag cut short")) return;
        v->etype = (uint16_t)(p[2] << 8 | p[3]);
        if (v->etype <= 1500) { /* 802.3 length inside the tag: LLC follows */
            nt_dissect_data(c, p + 4, cap - 4, rep - 4);
            return;
        }
        nt_dissect_ethertype(c, v->etype, p + 4, cap - 4, rep - 4);
        return;
    }
    default: nt_dissect_data(c, p, cap, rep);
    }
}

void nt_dissect_eth(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep)
{
    nt_enter(c, NT_P_ETH);
    if (!nt_need(c, 14, cap, rep, "Ethernet header cut short")) return;
    nt_packet *pkt = c->pkt;
    nt_eth *e = &pkt->eth[0];
    memset(e, 0, sizeof *e);
    memcpy(e->dst, p, 6);
    memcpy(e->src, p + 6, 6);
    e->type = (uint16_t)(p[12] << 8 | p[13]);
    pkt->neth = 1;
    if (!nt_layer_add(c, NT_P_ETH, 0, p, 14)) return;
    if (e->type <= 1500) {
        e->is_8023 = true;
        e->len8023 = e->type;
        nt_dissect_data(c, p + 14, cap - 14, rep - 14);
        return;
    }
    nt_dissect_ethertype(c, e->type, p + 14, cap - 14, rep - 14);
}
