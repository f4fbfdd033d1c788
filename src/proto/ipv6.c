/* ipv6.c - IPv6 fixed header and the extension-header chain. */
#include "dissect_int.h"

#include <string.h>

static bool is_ext(uint8_t nh)
{
    return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51 || nh == 135 || nh == 139 || nh == 140;
}

void nt_dissect_ipv6(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep)
{
    nt_packet *pkt = c->pkt;
    if (pkt->nip6 >= 2) {
        nt_dissect_data(c, p, cap, rep);
        return;
    }
    nt_enter(c, NT_P_IPV6);
    if (!nt_need(c, 40, cap, rep, "IPv6 header cut short")) {
        return;
    }
    uint8_t idx = pkt->nip6;
    nt_ipv6 *ip = &pkt->ip6[idx];
    memset(ip, 0, sizeof *ip);
    nt_cur k = nt_cur_make(p, cap);
    uint32_t w = nt_cur_be32(&k);
    ip->version = (uint8_t)(w >> 28);
    ip->tclass = (uint8_t)(w >> 20);
    ip->flow = w & 0xfffff;
    ip->plen = nt_cur_be16(&k);
    ip->nxt = nt_cur_u8(&k);
    ip->hlim = nt_cur_u8(&k);
    nt_cur_copy(&k, ip->src, 16);
    nt_cur_copy(&k, ip->dst, 16);
    pkt->nip6++;
    if (!nt_layer_add(c, NT_P_IPV6, idx, p, 40)) return;
    if (ip->version != 6) {
        nt_malformed(c, "IPv6: bogus IP version");
        return;
    }
    uint32_t dlen = 40u + ip->plen;
    if (ip->plen == 0) dlen = rep; /* jumbogram or offload */
    if (dlen > rep) {
        if (!c->inner) nt_malformed(c, "IPv6: payload length exceeds packet length");
        dlen = rep;
    }
    uint32_t dcap = cap < dlen ? cap : dlen;
    uint32_t off = 40;
    uint8_t nh = ip->nxt;
    unsigned next = 0;
    while (is_ext(nh)) {
        if (++next > 255) {
            nt_malformed(c, "IPv6: too many extension headers");
            return;
        }
        ip->ext_fail = (uint8_t)next;
        ip->ext_fail_type = nh;
        if (!nt_need(c, off + 8, dcap, dlen, "IPv6 extension header cut short")) return;
        uint8_t nn = p[off];
        uint32_t elen;
        if (nh == 44) elen = 8;
        else if (nh == 51) elen = (p[off + 1] + 2u) * 4;
        else elen = (p[off + 1] + 1u) * 8;
        if (!nt_need(c, off + elen, dcap, dlen, "IPv6 extension header cut short")) return;
        ip->ext_fail = 0;
        if (ip->next_ext < NT_IPV6_MAX_EXT) {
            ip->ext[ip->next_ext].type = nh;
            ip->ext[ip->next_ext].len = (uint16_t)elen;
            ip->next_ext++;
        }
        if (nh == 44) {
            uint16_t fo = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
            ip->frag = true;
            ip->frag_off = fo & 0xfff8;
            ip->mf = fo & 1;
            ip->frag_id = (uint32_t)p[off + 4] << 24 | (uint32_t)p[off + 5] << 16 | (uint32_t)p[off + 6] << 8 | p[off + 7];
        }
        off += elen;
        nh = nn;
    }
    ip->final_nxt = nh;
    ip->payload_len = dlen - off;
    if (ip->frag && (ip->mf || ip->frag_off)) {
        if (!c->inner) {
            pkt->flags |= NT_PKT_FRAGMENT;
            nt_dissect_data(c, p + off, dcap - off, dlen - off);
        }
        return;
    }
    nt_dissect_ipproto(c, nh, p + off, dcap - off, dlen - off);
}
