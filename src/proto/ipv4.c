/* ipv4.c - IPv4 header, options and fragments. A fragment's payload is
 * left to the reassembler in analyze/, which calls back into
 * nt_dissect_ip_payload() with the whole datagram. */
#include "dissect_int.h"

#include <string.h>

void nt_dissect_ipproto(nt_dctx *c, uint8_t proto, const uint8_t *p, uint32_t cap, uint32_t rep)
{
    switch (proto) {
    case 1: nt_dissect_icmp(c, p, cap, rep); return;
    case 6: nt_dissect_tcp(c, p, cap, rep); return;
    case 17: nt_dissect_udp(c, p, cap, rep); return;
    case 58: nt_dissect_icmpv6(c, p, cap, rep); return;
    case 4: nt_dissect_ipv4(c, p, cap, rep); return;   /* IP in IP */
    case 41: nt_dissect_ipv6(c, p, cap, rep); return;  /* 6in4 */
    case 59: return;                                    /* no next header */
    default: nt_dissect_data(c, p, cap, rep); return;
    }
}

void nt_dissect_ipv4(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep)
{
    nt_packet *pkt = c->pkt;
    if (pkt->nip4 >= 2) {
        nt_dissect_data(c, p, cap, rep);
        return;
    }
    nt_enter(c, NT_P_IPV4);
    /* a header cut short keeps the fields it has: an ICMP error may quote
     * only part of one, and Wireshark still shows its TTL and protocol */
    bool whole = nt_need(c, 20, cap, rep, "IPv4 header cut short");
    if (!whole && cap == 0) return;
    uint8_t idx = pkt->nip4;
    nt_ipv4 *ip = &pkt->ip4[idx];
    memset(ip, 0, sizeof *ip);
    nt_cur k = nt_cur_make(p, cap);
    uint8_t vihl = nt_cur_u8(&k);
    ip->version = vihl >> 4;
    ip->ihl = vihl & 15;
    ip->tos = nt_cur_u8(&k);
    ip->tot_len = nt_cur_be16(&k);
    ip->id = nt_cur_be16(&k);
    uint16_t fr = nt_cur_be16(&k);
    ip->rb = fr >> 15;
    ip->df = (fr >> 14) & 1;
    ip->mf = (fr >> 13) & 1;
    ip->frag_off = (uint16_t)((fr & 0x1fff) * 8);
    ip->ttl = nt_cur_u8(&k);
    ip->proto = nt_cur_u8(&k);
    ip->csum = nt_cur_be16(&k);
    nt_cur_copy(&k, ip->src, 4);
    nt_cur_copy(&k, ip->dst, 4);
    ip->hdr_cap = (uint8_t)(cap < 20 ? cap : 20);
    pkt->nip4++;
    uint32_t hl = ip->ihl * 4u;
    nt_layer *l = nt_layer_add(c, NT_P_IPV4, idx, p, whole ? (cap < hl ? cap : hl) : cap);
    if (!l || !whole) return;
    if (ip->version == 6 && !c->inner) {
        /* Wireshark hands a version-6 header to IPv6 whatever the EtherType
         * said; the IPv4 layer stays, with only its version */
        ip->v6 = true;
        nt_dissect_ipv6(c, p, cap, rep);
        return;
    }
    if (ip->version != 4) {
        nt_malformed(c, "IPv4: bogus IP version");
        return;
    }
    if (hl < 20) {
        ip->bad_ihl = true;
        nt_malformed(c, "IPv4: bogus header length (must be at least 20)");
        return;
    }
    /* the datagram's length: what the header says, bounded by the frame;
     * 0 is what a sender with segmentation offload writes */
    uint32_t dlen = ip->tot_len ? ip->tot_len : rep;
    if (ip->tot_len && ip->tot_len < hl) {
        nt_malformed(c, "IPv4: bogus total length (less than the header length)");
        return;
    }
    if (dlen > rep) {
        if (!c->inner) nt_malformed(c, "IPv4: total length exceeds packet length");
        dlen = rep;
    }
    if (!nt_need(c, hl, cap, dlen, "IPv4 options cut short")) return;
    ip->opts = p + 20;
    ip->optlen = (uint8_t)(hl - 20);
    ip->payload_len = dlen - hl;
    if (ip->mf || ip->frag_off) {
        if (!c->inner) pkt->flags |= NT_PKT_FRAGMENT;
        if (ip->frag_off || c->inner) {
            if (!c->inner) nt_dissect_data(c, p + hl, (cap < dlen ? cap : dlen) - hl, dlen - hl);
            return;
        }
        /* first fragment: Wireshark decodes no further while it reassembles */
        nt_dissect_data(c, p + hl, (cap < dlen ? cap : dlen) - hl, dlen - hl);
        return;
    }
    uint32_t pcap_ = (cap < dlen ? cap : dlen) - hl;
    nt_dissect_ipproto(c, ip->proto, p + hl, pcap_, dlen - hl);
}
