/* icmp.c - ICMPv4. Error messages carry the start of the offending packet,
 * which is dissected as an inner IPv4 packet (so its addresses and ports
 * are filter fields too, as in Wireshark). */
#include "dissect_int.h"

#include <stdlib.h>
#include <string.h>

/* ping puts its send time first in the echo data; Wireshark shows it as
 * "Timestamp from icmp data" when it is within a day of the frame's time
 * (either byte order, microseconds below one million), and the data after */
static bool echo_timestamp(const nt_packet *pkt, const uint8_t *p, uint32_t cap, uint32_t rep)
{
    uint32_t s, us;
    if (rep <= 16 || !nt_load_be32(p, cap, 8, &s) || !nt_load_be32(p, cap, 12, &us)) return false;
    int64_t now = pkt->frame->ts.sec;
    if (llabs((int64_t)(int32_t)(s - (uint32_t)now)) >= 3600 * 24 || us >= 1000000) {
        s = (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 | (uint32_t)p[11] << 24;
        us = (uint32_t)p[12] | (uint32_t)p[13] << 8 | (uint32_t)p[14] << 16 | (uint32_t)p[15] << 24;
    }
    return llabs((int64_t)(int32_t)(s - (uint32_t)now)) < 3600 * 24 && us < 1000000;
}

/* The header of an ICMP or ICMPv6 message quoted inside an error: the two
 * share its layout (type, code, checksum, then 4 bytes that echo messages
 * split into identifier and sequence); the quote may stop after 4 bytes.
 * The caller has checked cap >= 4. */
static void quoted_header(const uint8_t *p, uint32_t cap, uint8_t *type, uint8_t *code, uint16_t *csum,
                          uint32_t *rest, uint16_t *id, uint16_t *seq)
{
    *type = p[0];
    *code = p[1];
    *csum = (uint16_t)(p[2] << 8 | p[3]);
    if (cap >= 8) {
        *rest = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
        *id = (uint16_t)(*rest >> 16);
        *seq = (uint16_t)*rest;
    }
}

static bool icmp_is_error(uint8_t t) { return t == 3 || t == 4 || t == 5 || t == 11 || t == 12; }

void nt_dissect_icmp(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep)
{
    nt_packet *pkt = c->pkt;
    if (c->inner) { /* an ICMP quoted in an ICMP error: its header */
        if (cap < 4 || pkt->nicmp != 1) return;
        nt_icmp *q = &pkt->icmp[1];
        memset(q, 0, sizeof *q);
        quoted_header(p, cap, &q->type, &q->code, &q->csum, &q->rest, &q->id, &q->seq);
        pkt->nicmp = 2;
        nt_layer_add(c, NT_P_ICMP, 1, p, cap < 8 ? cap : 8);
        if ((q->type == 0 || q->type == 8) && cap > 8) {
            uint32_t skip = echo_timestamp(pkt, p, cap, rep) ? 16 : 8;
            if (cap > skip) nt_dissect_data(c, p + skip, cap - skip, rep - skip);
        }
        return;
    }
    if (pkt->nicmp) {
        nt_dissect_data(c, p, cap, rep);
        return;
    }
    nt_enter(c, NT_P_ICMP);
    if (!nt_need(c, 4, cap, rep, "ICMP header cut short")) return;
    nt_icmp *m = &pkt->icmp[0];
    memset(m, 0, sizeof *m);
    nt_cur k = nt_cur_make(p, cap);
    m->type = nt_cur_u8(&k);
    m->code = nt_cur_u8(&k);
    m->csum = nt_cur_be16(&k);
    pkt->nicmp = 1;
    if (!nt_layer_add(c, NT_P_ICMP, 0, p, cap)) return;
    if (!nt_need(c, 8, cap, rep, "ICMP header cut short")) return;
    m->rest = nt_cur_be32(&k);
    m->id = (uint16_t)(m->rest >> 16);
    m->seq = (uint16_t)m->rest;
    m->data_len = rep - 8;
    if ((m->type == 0 || m->type == 8) && cap > 8) {
        uint32_t skip = echo_timestamp(pkt, p, cap, rep) ? 16 : 8;
        if (cap > skip) nt_dissect_data(c, p + skip, cap - skip, rep - skip);
    }
    if (icmp_is_error(m->type) && cap > 8) {
        m->quoted = true;
        c->inner = 1;
        nt_dissect_ipv4(c, p + 8, cap - 8, rep - 8);
        c->inner = 0;
    }
}

static bool icmp6_is_error(uint8_t t) { return t >= 1 && t <= 4; }

void nt_dissect_icmpv6(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep)
{
    nt_packet *pkt = c->pkt;
    if (c->inner) { /* quoted in an ICMPv6 error: its header */
        if (cap < 4 || pkt->nicmp6 != 1) return;
        nt_icmpv6 *q = &pkt->icmp6[1];
        memset(q, 0, sizeof *q);
        quoted_header(p, cap, &q->type, &q->code, &q->csum, &q->rest, &q->id, &q->seq);
        pkt->nicmp6 = 2;
        nt_layer_add(c, NT_P_ICMPV6, 1, p, cap < 8 ? cap : 8);
        if ((q->type == 128 || q->type == 129) && cap > 8) nt_dissect_data(c, p + 8, cap - 8, rep - 8);
        return;
    }
    if (pkt->nicmp6) {
        nt_dissect_data(c, p, cap, rep);
        return;
    }
    nt_enter(c, NT_P_ICMPV6);
    if (!nt_need(c, 4, cap, rep, "ICMPv6 header cut short")) return;
    nt_icmpv6 *m = &pkt->icmp6[0];
    memset(m, 0, sizeof *m);
    nt_cur k = nt_cur_make(p, cap);
    m->type = nt_cur_u8(&k);
    m->code = nt_cur_u8(&k);
    m->csum = nt_cur_be16(&k);
    pkt->nicmp6 = 1;
    if (!nt_layer_add(c, NT_P_ICMPV6, 0, p, cap)) return;
    if (rep >= 8 && cap >= 8) {
        m->rest = nt_cur_be32(&k);
        m->id = (uint16_t)(m->rest >> 16);
        m->seq = (uint16_t)m->rest;
        m->data_len = rep - 8;
    }
    /* the fixed part each message type needs, as Wireshark checks it */
    uint32_t need = 8;
    switch (m->type) {
    case 130: case 131: case 132: case 135: case 136: need = 24; break;
    case 134: need = 16; break;
    case 137: need = 40; break;
    default: break;
    }
    if (!nt_need(c, need, cap, rep, "ICMPv6 message cut short")) return;
    uint32_t optoff = 0;
    switch (m->type) {
    case 133: optoff = 8; break;                  /* router solicitation */
    case 134: optoff = 16; break;                 /* router advertisement */
    case 135: case 136: case 137:                 /* NS, NA, redirect */
        if (!nt_need(c, 24, cap, rep, "ICMPv6 neighbour discovery message cut short")) return;
        memcpy(m->target, p + 8, 16);
        m->has_target = true;
        optoff = m->type == 137 ? 40 : 24;
        break;
    case 143: m->mld_nrecs = (uint16_t)m->rest; break; /* MLDv2 report */
    default: break;
    }
    if (optoff) {
        /* neighbour discovery options: type, length in 8-byte units */
        uint32_t o = optoff;
        while (o + 2 <= cap) {
            uint8_t t = p[o], l = p[o + 1];
            if (l == 0) {
                nt_malformed(c, "ICMPv6: option with length 0");
                break;
            }
            uint32_t ol = l * 8u;
            if (o + ol > cap) break;
            if ((t == 1 || t == 2) && ol >= 8 && !m->lladdr_opt) {
                memcpy(m->lladdr, p + o + 2, 6);
                m->lladdr_opt = t;
            }
            o += ol;
        }
    }
    if ((m->type == 128 || m->type == 129) && cap > 8) nt_dissect_data(c, p + 8, cap - 8, rep - 8);
    if (icmp6_is_error(m->type) && cap > 8) {
        m->quoted = true;
        c->inner = 1;
        nt_dissect_ipv6(c, p + 8, cap - 8, rep - 8);
        c->inner = 0;
    }
}
