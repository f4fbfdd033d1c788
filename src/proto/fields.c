/* fields.c - the field registry (see fields.h). One row per field; the
 * accessors read the dissected packet and its analysis. Names, types and
 * the set of occurrences follow Wireshark 4.0, so that `ip.addr == X` or
 * `tcp.port == 80` select the same frames as in Wireshark, including the
 * addresses and ports of the packet an ICMP error quotes. */
/* rows name their first members only: the message-table members stay zero */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "nettracer/fields.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "field_put.h"
#include "fields_app.h"
#include "nettracer/app.h"

#include <stdlib.h>

#define ACC(fn) static int fn(const nt_packet *pkt, nt_fvalue *out, int max)

/* iterate over the layers of one protocol, outer first */
#define EACH(PROTO) \
    for (int li_ = 0; li_ < pkt->nlayers; li_++) \
        for (const nt_layer *l = &pkt->layers[li_]; l && l->proto == (PROTO); l = NULL)

/* ---- protocols as fields --------------------------------------------- */

static int proto_get(const nt_packet *pkt, nt_fvalue *out, int max, nt_proto p)
{
    int n = 0;
    EACH(p) {
        n = put_bytes(out, n, max, l->p, l->span, NT_FT_PROTOCOL);
        if (n) out[n - 1].hdr_len = l->len;
    }
    return n;
}
#define PROTO_ACC(fn, P) ACC(fn) { return proto_get(pkt, out, max, P); }
PROTO_ACC(p_eth, NT_P_ETH)
PROTO_ACC(p_vlan, NT_P_VLAN)
PROTO_ACC(p_sll, NT_P_SLL)
PROTO_ACC(p_null, NT_P_NULL)
PROTO_ACC(p_arp, NT_P_ARP)
PROTO_ACC(p_ip, NT_P_IPV4)
PROTO_ACC(p_ipv6, NT_P_IPV6)
PROTO_ACC(p_icmp, NT_P_ICMP)
PROTO_ACC(p_icmpv6, NT_P_ICMPV6)
PROTO_ACC(p_tcp, NT_P_TCP)
PROTO_ACC(p_udp, NT_P_UDP)

ACC(p_frame)
{
    const nt_frame *f = pkt->frame;
    int n = put_bytes(out, 0, max, f->data, f->caplen, NT_FT_PROTOCOL);
    if (n) out[0].hdr_len = f->caplen;
    return n;
}

/* ---- frame ------------------------------------------------------------ */

ACC(f_number) { return put_i(out, 0, max, (int64_t)pkt->frame->number, NT_FT_FRAMENUM); }
ACC(f_len) { return put_u(out, 0, max, pkt->frame->len); }
ACC(f_cap_len) { return put_u(out, 0, max, pkt->frame->caplen); }
ACC(f_ifid) { return put_u(out, 0, max, pkt->frame->ifidx); }
ACC(f_rel) { return pkt->ana.has_time ? put_i(out, 0, max, pkt->ana.rel_ns, NT_FT_RELTIME) : 0; }
ACC(f_delta) { return pkt->ana.has_time ? put_i(out, 0, max, pkt->ana.delta_ns, NT_FT_RELTIME) : 0; }
ACC(f_delta_disp) { return pkt->ana.has_time ? put_i(out, 0, max, pkt->ana.delta_disp_ns, NT_FT_RELTIME) : 0; }
ACC(f_epoch)
{
    if (!pkt->ana.has_time) return 0;
    return put_i(out, 0, max, pkt->frame->ts.sec * 1000000000LL + pkt->frame->ts.nsec, NT_FT_RELTIME);
}
ACC(f_comment)
{
    int n = 0;
    for (int i = 0; i < pkt->frame->ncomments; i++)
        n = put_bytes(out, n, max, pkt->frame->comments[i].s, pkt->frame->comments[i].len, NT_FT_STRING);
    return n;
}

/* ---- Ethernet, VLAN, SLL --------------------------------------------- */

ACC(eth_dst) { return pkt->neth ? put_addr(out, 0, max, pkt->eth[0].dst, NT_FT_ETHER) : 0; }
ACC(eth_src) { return pkt->neth ? put_addr(out, 0, max, pkt->eth[0].src, NT_FT_ETHER) : 0; }
ACC(eth_addr)
{
    if (!pkt->neth) return 0;
    int n = put_addr(out, 0, max, pkt->eth[0].dst, NT_FT_ETHER);
    return put_addr(out, n, max, pkt->eth[0].src, NT_FT_ETHER);
}
ACC(eth_type) { return pkt->neth && !pkt->eth[0].is_8023 ? put_u(out, 0, max, pkt->eth[0].type) : 0; }
ACC(eth_len) { return pkt->neth && pkt->eth[0].is_8023 ? put_u(out, 0, max, pkt->eth[0].len8023) : 0; }

#define VLAN_ACC(fn, expr, ad) \
    ACC(fn) \
    { \
        int n = 0; \
        EACH(NT_P_VLAN) { \
            const nt_vlan *v = &pkt->vlan[l->idx]; \
            if ((v->tpid == 0x88a8) == (ad)) n = put_u(out, n, max, (expr)); \
        } \
        return n; \
    }
VLAN_ACC(vlan_id, v->id, false)
VLAN_ACC(vlan_pri, v->pri, false)
VLAN_ACC(vlan_etype, v->etype, false)
VLAN_ACC(ad_id, v->id, true)

ACC(sll_pkttype) { return pkt->nsll ? put_u(out, 0, max, pkt->sll[0].pkttype) : 0; }
ACC(sll_etype) { return pkt->nsll ? put_u(out, 0, max, pkt->sll[0].protocol) : 0; }
ACC(sll_ifindex) { return pkt->nsll && pkt->sll[0].v2 ? put_u(out, 0, max, pkt->sll[0].ifindex) : 0; }

/* ---- ARP -------------------------------------------------------------- */

ACC(arp_opcode) { return pkt->narp ? put_u(out, 0, max, pkt->arp[0].op) : 0; }
#define ARP_ADDR(fn, field, isip) \
    ACC(fn) \
    { \
        const nt_arp *a = &pkt->arp[0]; \
        if (!pkt->narp || !a->sha) return 0; \
        if (isip && !(a->ptype == 0x0800 && a->plen == 4)) return 0; \
        if (!isip && a->hlen != 6) return 0; \
        return put_addr(out, 0, max, a->field, isip ? NT_FT_IPV4 : NT_FT_ETHER); \
    }
ARP_ADDR(arp_spa, spa, true)
ARP_ADDR(arp_tpa, tpa, true)
ARP_ADDR(arp_sha, sha, false)
ARP_ADDR(arp_tha, tha, false)

/* ---- IPv4 ------------------------------------------------------------- */

/* `need`: the header bytes the field ends at (a quoted header may be partial) */
#define IP4_ACC(fn, need, body) \
    ACC(fn) \
    { \
        int n = 0; \
        EACH(NT_P_IPV4) { \
            const nt_ipv4 *ip = &pkt->ip4[l->idx]; \
            if (ip->bad_ihl || ip->v6 || ip->hdr_cap < (need)) continue; \
            body; \
        } \
        return n; \
    }
/* Wireshark adds ip.dst after the options: an options area cut short has no destination */
#define IP4_HAS_DST (ip->opts || ip->ihl <= 5)
IP4_ACC(ip_src, 16, n = put_addr(out, n, max, ip->src, NT_FT_IPV4))
IP4_ACC(ip_dst, 20, if (IP4_HAS_DST) n = put_addr(out, n, max, ip->dst, NT_FT_IPV4))
IP4_ACC(ip_addr, 16, n = put_addr(out, n, max, ip->src, NT_FT_IPV4);
        if (IP4_HAS_DST && ip->hdr_cap >= 20) n = put_addr(out, n, max, ip->dst, NT_FT_IPV4))
IP4_ACC(ip_len, 4, n = put_u(out, n, max, ip->tot_len ? ip->tot_len : ip->payload_len + ip->ihl * 4u))
IP4_ACC(ip_id, 6, n = put_u(out, n, max, ip->id))
IP4_ACC(ip_ttl, 9, n = put_u(out, n, max, ip->ttl))
IP4_ACC(ip_proto, 10, n = put_u(out, n, max, ip->proto))
IP4_ACC(ip_df, 8, n = put_b(out, n, max, ip->df))
IP4_ACC(ip_mf, 8, n = put_b(out, n, max, ip->mf))
IP4_ACC(ip_rb, 8, n = put_b(out, n, max, ip->rb))
IP4_ACC(ip_frag, 8, n = put_u(out, n, max, ip->frag_off / 8u))
IP4_ACC(ip_csum, 12, n = put_u(out, n, max, ip->csum))
IP4_ACC(ip_dsfield, 2, n = put_u(out, n, max, ip->tos))
ACC(ip_hdr_len)
{
    int n = 0;
    EACH(NT_P_IPV4) if (!pkt->ip4[l->idx].v6) n = put_u(out, n, max, pkt->ip4[l->idx].ihl * 4u);
    return n;
}
ACC(ip_version)
{
    /* IPv6 packets carry ip.version too, as in Wireshark */
    int n = 0;
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *l = &pkt->layers[i];
        if (l->proto == NT_P_IPV4) n = put_u(out, n, max, pkt->ip4[l->idx].version);
        else if (l->proto == NT_P_IPV6) n = put_u(out, n, max, pkt->ip6[l->idx].version);
    }
    return n;
}

static bool ipproto_value(const char *name, uint64_t *v)
{
    for (unsigned i = 0; i < 256; i++) {
        const char *n = nt_ipproto_name((uint8_t)i);
        if (n && !strcasecmp(n, name)) {
            *v = i;
            return true;
        }
    }
    return false;
}

/* ---- IPv6 ------------------------------------------------------------- */

#define IP6_ACC(fn, body) \
    ACC(fn) \
    { \
        int n = 0; \
        EACH(NT_P_IPV6) { \
            const nt_ipv6 *ip = &pkt->ip6[l->idx]; \
            body; \
        } \
        return n; \
    }
IP6_ACC(ip6_src, n = put_addr(out, n, max, ip->src, NT_FT_IPV6))
IP6_ACC(ip6_dst, n = put_addr(out, n, max, ip->dst, NT_FT_IPV6))
IP6_ACC(ip6_addr, n = put_addr(out, n, max, ip->src, NT_FT_IPV6); n = put_addr(out, n, max, ip->dst, NT_FT_IPV6))
IP6_ACC(ip6_plen, n = put_u(out, n, max, ip->plen))
IP6_ACC(ip6_nxt, n = put_u(out, n, max, ip->nxt))
IP6_ACC(ip6_hlim, n = put_u(out, n, max, ip->hlim))
IP6_ACC(ip6_flow, n = put_u(out, n, max, ip->flow))
IP6_ACC(ip6_tclass, n = put_u(out, n, max, ip->tclass))

/* ---- ICMP, ICMPv6 ----------------------------------------------------- */

#define ICMP_ACC(fn, body) \
    ACC(fn) \
    { \
        int n = 0; \
        EACH(NT_P_ICMP) { \
            const nt_icmp *m = &pkt->icmp[l->idx]; \
            if (l->len < 4) continue; \
            body; \
        } \
        return n; \
    }
#define ICMP_ECHOISH (m->type == 0 || m->type == 8 || m->type == 13 || m->type == 14)
ICMP_ACC(icmp_type, n = put_u(out, n, max, m->type))
ICMP_ACC(icmp_code, n = put_u(out, n, max, m->code))
ICMP_ACC(icmp_csum, n = put_u(out, n, max, m->csum))
ICMP_ACC(icmp_ident, if (ICMP_ECHOISH && l->len >= 8) n = put_u(out, n, max, m->id))
ICMP_ACC(icmp_seq, if (ICMP_ECHOISH && l->len >= 8) n = put_u(out, n, max, m->seq))
ACC(icmp_resp_to) { return pkt->nicmp && pkt->ana.request_in ? put_i(out, 0, max, (int64_t)pkt->ana.request_in, NT_FT_FRAMENUM) : 0; }

#define ICMP6_ACC(fn, body) \
    ACC(fn) \
    { \
        int n = 0; \
        EACH(NT_P_ICMPV6) { \
            const nt_icmpv6 *m = &pkt->icmp6[l->idx]; \
            if (l->len < 4) continue; \
            body; \
        } \
        return n; \
    }
ICMP6_ACC(icmp6_type, n = put_u(out, n, max, m->type))
ICMP6_ACC(icmp6_code, n = put_u(out, n, max, m->code))
ICMP6_ACC(icmp6_csum, n = put_u(out, n, max, m->csum))
ICMP6_ACC(icmp6_ns_target, if (m->has_target && m->type == 135) n = put_addr(out, n, max, m->target, NT_FT_IPV6))
ICMP6_ACC(icmp6_na_target, if (m->has_target && m->type == 136) n = put_addr(out, n, max, m->target, NT_FT_IPV6))

/* ---- TCP -------------------------------------------------------------- */

/* What Wireshark decodes of a TCP header: 0 ports only (cut or quoted),
 * 1 a bogus header length (ports, sequence, lengths), 2 the header */
static int tcp_depth(const nt_layer *l, const nt_tcp *t)
{
    if (l->len < 20 || (l->inner && t->hlen < 20)) return 0;
    return t->bad_hlen == 1 ? 1 : 2;
}
#define TCP_ACC(fn, mindepth, body) \
    ACC(fn) \
    { \
        int n = 0; \
        EACH(NT_P_TCP) { \
            const nt_tcp *t = &pkt->tcp[l->idx]; \
            const nt_pkt_ana *a = &pkt->ana; \
            (void)a; \
            if (tcp_depth(l, t) < (mindepth)) continue; \
            body; \
        } \
        return n; \
    }
TCP_ACC(tcp_srcport, 0, n = put_u(out, n, max, t->sport))
TCP_ACC(tcp_dstport, 0, n = put_u(out, n, max, t->dport))
TCP_ACC(tcp_port, 0, n = put_u(out, n, max, t->sport); n = put_u(out, n, max, t->dport))
ACC(tcp_stream)
{
    int n = 0;
    EACH(NT_P_TCP) {
        if (!l->inner && pkt->ana.tcp_valid) n = put_u(out, n, max, pkt->ana.tcp_stream);
        if (l->inner && pkt->ana.inner_tcp_valid) n = put_u(out, n, max, pkt->ana.inner_tcp_stream);
    }
    return n;
}
TCP_ACC(tcp_len, 1, if (t->bad_hlen != 2 && !l->inner) n = put_u(out, n, max, t->payload_len))
TCP_ACC(tcp_seq, 1, n = put_u(out, n, max, a->tcp_valid && !l->inner ? a->rel_seq : t->seq))
TCP_ACC(tcp_seq_raw, 1, if (!l->inner) n = put_u(out, n, max, t->seq))
TCP_ACC(tcp_nxtseq, 2, if (a->tcp_valid && !t->bad_hlen && !l->inner) n = put_u(out, n, max, a->nxtseq))
TCP_ACC(tcp_ack, 2, n = put_u(out, n, max, a->tcp_valid && !l->inner ? a->rel_ack : t->ack))
TCP_ACC(tcp_ack_raw, 2, n = put_u(out, n, max, t->ack))
TCP_ACC(tcp_hdr_len, 1, n = put_u(out, n, max, t->hlen))
TCP_ACC(tcp_flags, 2, n = put_u(out, n, max, t->flags))
TCP_ACC(tcp_f_syn, 2, n = put_b(out, n, max, t->flags & NT_TCP_SYN))
TCP_ACC(tcp_f_ack, 2, n = put_b(out, n, max, t->flags & NT_TCP_ACK))
TCP_ACC(tcp_f_fin, 2, n = put_b(out, n, max, t->flags & NT_TCP_FIN))
TCP_ACC(tcp_f_rst, 2, n = put_b(out, n, max, t->flags & NT_TCP_RST))
TCP_ACC(tcp_f_psh, 2, n = put_b(out, n, max, t->flags & NT_TCP_PSH))
TCP_ACC(tcp_f_urg, 2, n = put_b(out, n, max, t->flags & NT_TCP_URG))
TCP_ACC(tcp_f_ece, 2, n = put_b(out, n, max, t->flags & NT_TCP_ECE))
TCP_ACC(tcp_f_cwr, 2, n = put_b(out, n, max, t->flags & NT_TCP_CWR))
TCP_ACC(tcp_win_value, 2, n = put_u(out, n, max, t->win))
TCP_ACC(tcp_win, 2, n = put_u(out, n, max, a->tcp_valid && !l->inner ? a->win : t->win))
TCP_ACC(tcp_win_sf, 2, if (a->tcp_valid && !l->inner && !(t->flags & NT_TCP_SYN))
        n = put_i(out, n, max, a->win_scale >= 0 ? (1 << a->win_scale) : a->win_scale, NT_FT_INT))
TCP_ACC(tcp_csum, 2, n = put_u(out, n, max, t->csum))
TCP_ACC(tcp_urgp, 2, n = put_u(out, n, max, t->urp))
TCP_ACC(tcp_mss, 2, if (t->has_mss) n = put_u(out, n, max, t->mss))
TCP_ACC(tcp_ws, 2, if (t->has_ws) n = put_u(out, n, max, t->ws))
TCP_ACC(tcp_sack_perm, 2, if (t->sack_perm) n = put_b(out, n, max, true))
TCP_ACC(tcp_tsval, 2, if (t->has_ts || t->tsval_only) n = put_u(out, n, max, t->tsval))
TCP_ACC(tcp_tsecr, 2, if (t->has_ts) n = put_u(out, n, max, t->tsecr))
TCP_ACC(tcp_payload, 2, if (t->payload_cap && !l->inner) n = put_bytes(out, n, max, t->payload, t->payload_cap, NT_FT_BYTES))

/* TCP analysis: a label per flag, on the analysed (outer) segment */
static int ta_get(const nt_packet *pkt, nt_fvalue *out, int max, uint32_t mask)
{
    if (!pkt->ana.tcp_valid || !(pkt->ana.tcp_flags & mask) || max < 1) return 0;
    memset(out, 0, sizeof *out);
    out->type = NT_FT_LABEL;
    return 1;
}
#define TA_ACC(fn, mask) ACC(fn) { return ta_get(pkt, out, max, mask); }
/* Wireshark marks a fast retransmission as a retransmission too */
TA_ACC(ta_retrans, NT_TA_RETRANSMISSION | NT_TA_FAST_RETRANSMISSION)
TA_ACC(ta_fast, NT_TA_FAST_RETRANSMISSION)
TA_ACC(ta_spurious, NT_TA_SPURIOUS_RETRANS)
TA_ACC(ta_ooo, NT_TA_OUT_OF_ORDER)
TA_ACC(ta_lost, NT_TA_LOST_SEGMENT)
TA_ACC(ta_acklost, NT_TA_ACK_LOST_SEGMENT)
TA_ACC(ta_dupack, NT_TA_DUPLICATE_ACK)
TA_ACC(ta_zw, NT_TA_ZERO_WINDOW)
TA_ACC(ta_zwp, NT_TA_ZERO_WINDOW_PROBE)
TA_ACC(ta_zwpa, NT_TA_ZERO_WINDOW_PROBE_ACK)
TA_ACC(ta_wfull, NT_TA_WINDOW_FULL)
TA_ACC(ta_wupd, NT_TA_WINDOW_UPDATE)
TA_ACC(ta_ka, NT_TA_KEEP_ALIVE)
TA_ACC(ta_kaack, NT_TA_KEEP_ALIVE_ACK)
TA_ACC(ta_reused, NT_TA_REUSED_PORTS)
/* "flags": the expert-info ones, as Wireshark (window update and keep-alive
 * ACK count too, reused ports does not: it is not in the analysis tree) */
TA_ACC(ta_flags, 0x7fff)
ACC(ta_dupack_num) { return pkt->ana.tcp_flags & NT_TA_DUPLICATE_ACK ? put_u(out, 0, max, pkt->ana.dupack_num) : 0; }
ACC(ta_dupack_frame)
{
    return pkt->ana.tcp_flags & NT_TA_DUPLICATE_ACK ? put_i(out, 0, max, (int64_t)pkt->ana.dupack_frame, NT_FT_FRAMENUM) : 0;
}
ACC(ta_acks_frame) { return pkt->ana.acks_frame ? put_i(out, 0, max, (int64_t)pkt->ana.acks_frame, NT_FT_FRAMENUM) : 0; }
ACC(ta_ack_rtt) { return pkt->ana.acks_frame ? put_i(out, 0, max, pkt->ana.ack_rtt_ns, NT_FT_RELTIME) : 0; }
ACC(ta_bif) { return pkt->ana.bytes_in_flight ? put_u(out, 0, max, pkt->ana.bytes_in_flight) : 0; }
ACC(ta_irtt) { return pkt->ana.has_irtt ? put_i(out, 0, max, pkt->ana.irtt_ns, NT_FT_RELTIME) : 0; }

/* ---- UDP -------------------------------------------------------------- */

#define UDP_ACC(fn, full, body) \
    ACC(fn) \
    { \
        int n = 0; \
        EACH(NT_P_UDP) { \
            const nt_udp *u = &pkt->udp[l->idx]; \
            if ((full) && (l->inner || u->bad_len == 1 || l->len < 8)) continue; \
            body; \
        } \
        return n; \
    }
UDP_ACC(udp_srcport, false, n = put_u(out, n, max, u->sport))
UDP_ACC(udp_dstport, false, n = put_u(out, n, max, u->dport))
UDP_ACC(udp_port, false, n = put_u(out, n, max, u->sport); n = put_u(out, n, max, u->dport))
UDP_ACC(udp_length, false, if (l->len >= 8) n = put_u(out, n, max, u->ulen))
UDP_ACC(udp_csum, false, if (l->len >= 8 && (u->bad_len != 1 || l->inner)) n = put_u(out, n, max, u->csum))
UDP_ACC(udp_payload, true, if (u->payload_cap) n = put_bytes(out, n, max, u->payload, u->payload_cap, NT_FT_BYTES))
ACC(udp_stream)
{
    int n = 0;
    EACH(NT_P_UDP) {
        if (!l->inner && pkt->ana.udp_valid) n = put_u(out, n, max, pkt->ana.udp_stream);
        if (l->inner && pkt->ana.inner_udp_valid) n = put_u(out, n, max, pkt->ana.inner_udp_stream);
    }
    return n;
}

/* payload an application protocol decoded (or gathers) is not "data" */
static bool app_took(const nt_packet *pkt, const nt_layer *l)
{
    const nt_appdata *a = pkt->app;
    if (!a) return false;
    return l->inner ? a->quoted : a->npdu || a->seg;
}
/* payload an application protocol hands on undecoded: a STUN Send/Data
 * indication's DATA attribute, a TURN ChannelData message's data, a COTP
 * DT's user data (T.125 is not decoded) */
static int put_data(nt_fvalue *out, int n, int max, int what, const uint8_t *p, uint32_t len)
{
    if (what == 2) return put_u(out, n, max, len);
    n = put_bytes(out, n, max, p, len, what == 0 ? NT_FT_PROTOCOL : NT_FT_BYTES);
    if (what == 0 && n) out[n - 1].hdr_len = len;
    return n;
}
static int stun_data(const nt_packet *pkt, nt_fvalue *out, int n, int max, int what)
{
    const nt_appdata *a = pkt->app;
    for (int i = 0; a && i < a->ntpkt; i++)
        if (a->tpkt[i].has_cotp && a->tpkt[i].type == 0x0f && a->tpkt[i].eot && a->tpkt[i].user && a->tpkt[i].user_len)
            n = put_data(out, n, max, what, a->tpkt[i].user, a->tpkt[i].user_len);
    for (int i = 0; a && i < a->nstun; i++) {
        const nt_stun_msg *m = &a->stun[i];
        if (m->channel_data && m->len > 4) n = put_data(out, n, max, what, m->p + 4, (uint32_t)(m->len - 4));
    }
    for (int i = 0; a && i < a->nstun; i++)
        for (int k = 0; k < a->stun[i].nattrs; k++) {
            const nt_stun_attr *at = &a->stun[i].attrs[k];
            if (at->kind != NT_STUN_A_DATA || !at->avail) continue;
            n = put_data(out, n, max, what, at->val, at->avail);
        }
    return n;
}
ACC(p_data)
{
    int n = 0;
    EACH(NT_P_DATA) if (!app_took(pkt, l)) {
        n = put_bytes(out, n, max, l->p, l->span, NT_FT_PROTOCOL);
        out[n - 1].hdr_len = l->len;
    }
    return stun_data(pkt, out, n, max, 0);
}
ACC(data_data)
{
    int n = 0;
    EACH(NT_P_DATA) if (!app_took(pkt, l)) n = put_bytes(out, n, max, l->p, l->len, NT_FT_BYTES);
    return stun_data(pkt, out, n, max, 1);
}
ACC(data_len)
{
    int n = 0;
    EACH(NT_P_DATA) if (!app_took(pkt, l)) n = put_u(out, n, max, l->len);
    return stun_data(pkt, out, n, max, 2);
}

/* ---- the table -------------------------------------------------------- */

#define P(name, desc, fn) {name, NT_FT_PROTOCOL, 0, desc, fn, NULL}
#define U(name, size, desc, fn) {name, NT_FT_UINT, size, desc, fn, NULL}
#define F(name, type, desc, fn) {name, type, 0, desc, fn, NULL}

static const nt_field fields[] = {
    P("frame", "Frame", p_frame),
    F("frame.number", NT_FT_FRAMENUM, "Frame Number", f_number),
    U("frame.len", 4, "Frame length on the wire", f_len),
    U("frame.cap_len", 4, "Frame length stored into the capture file", f_cap_len),
    U("frame.interface_id", 4, "Interface id", f_ifid),
    F("frame.time_relative", NT_FT_RELTIME, "Time since reference or first frame", f_rel),
    F("frame.time_delta", NT_FT_RELTIME, "Time delta from previous captured frame", f_delta),
    F("frame.time_delta_displayed", NT_FT_RELTIME, "Time delta from previous displayed frame", f_delta_disp),
    F("frame.time_epoch", NT_FT_RELTIME, "Epoch Time", f_epoch),
    F("frame.comment", NT_FT_STRING, "Comment", f_comment),
    P("eth", "Ethernet", p_eth),
    F("eth.addr", NT_FT_ETHER, "Address", eth_addr),
    F("eth.dst", NT_FT_ETHER, "Destination", eth_dst),
    F("eth.src", NT_FT_ETHER, "Source", eth_src),
    U("eth.type", 2, "Type", eth_type),
    U("eth.len", 2, "Length", eth_len),
    P("vlan", "802.1Q Virtual LAN", p_vlan),
    U("vlan.id", 2, "ID", vlan_id),
    U("vlan.priority", 2, "Priority", vlan_pri),
    U("vlan.etype", 2, "Type", vlan_etype),
    U("ieee8021ad.id", 2, "ID", ad_id),
    P("sll", "Linux cooked-mode capture", p_sll),
    U("sll.pkttype", 2, "Packet type", sll_pkttype),
    U("sll.etype", 2, "Protocol", sll_etype),
    U("sll.ifindex", 4, "Interface index", sll_ifindex),
    P("null", "Null/Loopback", p_null),
    P("arp", "Address Resolution Protocol", p_arp),
    U("arp.opcode", 2, "Opcode", arp_opcode),
    F("arp.src.hw_mac", NT_FT_ETHER, "Sender MAC address", arp_sha),
    F("arp.src.proto_ipv4", NT_FT_IPV4, "Sender IP address", arp_spa),
    F("arp.dst.hw_mac", NT_FT_ETHER, "Target MAC address", arp_tha),
    F("arp.dst.proto_ipv4", NT_FT_IPV4, "Target IP address", arp_tpa),
    P("ip", "Internet Protocol Version 4", p_ip),
    U("ip.version", 1, "Version", ip_version),
    U("ip.hdr_len", 1, "Header Length", ip_hdr_len),
    U("ip.dsfield", 1, "Differentiated Services Field", ip_dsfield),
    U("ip.len", 2, "Total Length", ip_len),
    U("ip.id", 2, "Identification", ip_id),
    F("ip.flags.rb", NT_FT_BOOL, "Reserved bit", ip_rb),
    F("ip.flags.df", NT_FT_BOOL, "Don't fragment", ip_df),
    F("ip.flags.mf", NT_FT_BOOL, "More fragments", ip_mf),
    U("ip.frag_offset", 2, "Fragment Offset (8-byte units)", ip_frag),
    U("ip.ttl", 1, "Time to Live", ip_ttl),
    {"ip.proto", NT_FT_UINT, 1, "Protocol", ip_proto, ipproto_value},
    U("ip.checksum", 2, "Header Checksum", ip_csum),
    F("ip.addr", NT_FT_IPV4, "Source or Destination Address", ip_addr),
    F("ip.src", NT_FT_IPV4, "Source Address", ip_src),
    F("ip.dst", NT_FT_IPV4, "Destination Address", ip_dst),
    P("ipv6", "Internet Protocol Version 6", p_ipv6),
    U("ipv6.tclass", 1, "Traffic Class", ip6_tclass),
    U("ipv6.flow", 4, "Flow Label", ip6_flow),
    U("ipv6.plen", 2, "Payload Length", ip6_plen),
    {"ipv6.nxt", NT_FT_UINT, 1, "Next Header", ip6_nxt, ipproto_value},
    U("ipv6.hlim", 1, "Hop Limit", ip6_hlim),
    F("ipv6.addr", NT_FT_IPV6, "Source or Destination Address", ip6_addr),
    F("ipv6.src", NT_FT_IPV6, "Source Address", ip6_src),
    F("ipv6.dst", NT_FT_IPV6, "Destination Address", ip6_dst),
    P("icmp", "Internet Control Message Protocol", p_icmp),
    U("icmp.type", 1, "Type", icmp_type),
    U("icmp.code", 1, "Code", icmp_code),
    U("icmp.checksum", 2, "Checksum", icmp_csum),
    U("icmp.ident", 2, "Identifier (BE)", icmp_ident),
    U("icmp.seq", 2, "Sequence Number (BE)", icmp_seq),
    F("icmp.resp_to", NT_FT_FRAMENUM, "Response to", icmp_resp_to),
    P("icmpv6", "Internet Control Message Protocol v6", p_icmpv6),
    U("icmpv6.type", 1, "Type", icmp6_type),
    U("icmpv6.code", 1, "Code", icmp6_code),
    U("icmpv6.checksum", 2, "Checksum", icmp6_csum),
    F("icmpv6.nd.ns.target_address", NT_FT_IPV6, "Target Address", icmp6_ns_target),
    F("icmpv6.nd.na.target_address", NT_FT_IPV6, "Target Address", icmp6_na_target),
    P("tcp", "Transmission Control Protocol", p_tcp),
    U("tcp.srcport", 2, "Source Port", tcp_srcport),
    U("tcp.dstport", 2, "Destination Port", tcp_dstport),
    U("tcp.port", 2, "Source or Destination Port", tcp_port),
    U("tcp.stream", 4, "Stream index", tcp_stream),
    U("tcp.len", 4, "TCP Segment Len", tcp_len),
    U("tcp.seq", 4, "Sequence Number (relative)", tcp_seq),
    U("tcp.seq_raw", 4, "Sequence Number (raw)", tcp_seq_raw),
    U("tcp.nxtseq", 4, "Next Sequence Number", tcp_nxtseq),
    U("tcp.ack", 4, "Acknowledgment Number (relative)", tcp_ack),
    U("tcp.ack_raw", 4, "Acknowledgment number (raw)", tcp_ack_raw),
    U("tcp.hdr_len", 1, "Header Length", tcp_hdr_len),
    U("tcp.flags", 2, "Flags", tcp_flags),
    F("tcp.flags.syn", NT_FT_BOOL, "Syn", tcp_f_syn),
    F("tcp.flags.ack", NT_FT_BOOL, "Acknowledgment", tcp_f_ack),
    F("tcp.flags.fin", NT_FT_BOOL, "Fin", tcp_f_fin),
    F("tcp.flags.reset", NT_FT_BOOL, "Reset", tcp_f_rst),
    F("tcp.flags.push", NT_FT_BOOL, "Push", tcp_f_psh),
    F("tcp.flags.urg", NT_FT_BOOL, "Urgent", tcp_f_urg),
    F("tcp.flags.ece", NT_FT_BOOL, "ECN-Echo", tcp_f_ece),
    F("tcp.flags.cwr", NT_FT_BOOL, "Congestion Window Reduced", tcp_f_cwr),
    U("tcp.window_size_value", 2, "Window", tcp_win_value),
    U("tcp.window_size", 4, "Calculated window size", tcp_win),
    {"tcp.window_size_scalefactor", NT_FT_INT, 4, "Window size scaling factor", tcp_win_sf, NULL},
    U("tcp.checksum", 2, "Checksum", tcp_csum),
    U("tcp.urgent_pointer", 2, "Urgent Pointer", tcp_urgp),
    U("tcp.options.mss_val", 2, "MSS Value", tcp_mss),
    U("tcp.options.wscale.shift", 1, "Shift count", tcp_ws),
    F("tcp.options.sack_perm", NT_FT_BOOL, "TCP SACK Permitted Option", tcp_sack_perm),
    U("tcp.options.timestamp.tsval", 4, "Timestamp value", tcp_tsval),
    U("tcp.options.timestamp.tsecr", 4, "Timestamp echo reply", tcp_tsecr),
    F("tcp.payload", NT_FT_BYTES, "TCP payload", tcp_payload),
    F("tcp.analysis.flags", NT_FT_LABEL, "TCP Analysis Flags", ta_flags),
    F("tcp.analysis.retransmission", NT_FT_LABEL, "This frame is a (suspected) retransmission", ta_retrans),
    F("tcp.analysis.fast_retransmission", NT_FT_LABEL, "This frame is a (suspected) fast retransmission", ta_fast),
    F("tcp.analysis.spurious_retransmission", NT_FT_LABEL, "This frame is a (suspected) spurious retransmission", ta_spurious),
    F("tcp.analysis.out_of_order", NT_FT_LABEL, "This frame is a (suspected) out-of-order segment", ta_ooo),
    F("tcp.analysis.lost_segment", NT_FT_LABEL, "Previous segment(s) not captured (common at capture start)", ta_lost),
    F("tcp.analysis.ack_lost_segment", NT_FT_LABEL, "ACKed segment that wasn't captured (common at capture start)", ta_acklost),
    F("tcp.analysis.duplicate_ack", NT_FT_LABEL, "Duplicate ACK", ta_dupack),
    U("tcp.analysis.duplicate_ack_num", 4, "Duplicate ACK #", ta_dupack_num),
    F("tcp.analysis.duplicate_ack_frame", NT_FT_FRAMENUM, "Duplicate to the ACK in frame", ta_dupack_frame),
    F("tcp.analysis.zero_window", NT_FT_LABEL, "TCP Zero Window segment", ta_zw),
    F("tcp.analysis.zero_window_probe", NT_FT_LABEL, "TCP Zero Window Probe", ta_zwp),
    F("tcp.analysis.zero_window_probe_ack", NT_FT_LABEL, "ACK to a TCP Zero Window Probe", ta_zwpa),
    F("tcp.analysis.window_full", NT_FT_LABEL, "TCP window specified by the receiver is now completely full", ta_wfull),
    F("tcp.analysis.window_update", NT_FT_LABEL, "TCP window update", ta_wupd),
    F("tcp.analysis.keep_alive", NT_FT_LABEL, "TCP keep-alive segment", ta_ka),
    F("tcp.analysis.keep_alive_ack", NT_FT_LABEL, "ACK to a TCP keep-alive segment", ta_kaack),
    F("tcp.analysis.reused_ports", NT_FT_LABEL, "A new tcp session is started with the same ports as an earlier session in this trace", ta_reused),
    F("tcp.analysis.acks_frame", NT_FT_FRAMENUM, "This is an ACK to the segment in frame", ta_acks_frame),
    F("tcp.analysis.ack_rtt", NT_FT_RELTIME, "The RTT to ACK the segment was", ta_ack_rtt),
    U("tcp.analysis.bytes_in_flight", 4, "Bytes in flight", ta_bif),
    F("tcp.analysis.initial_rtt", NT_FT_RELTIME, "iRTT: the time from the SYN to the handshake's final ACK", ta_irtt),
    P("udp", "User Datagram Protocol", p_udp),
    U("udp.srcport", 2, "Source Port", udp_srcport),
    U("udp.dstport", 2, "Destination Port", udp_dstport),
    U("udp.port", 2, "Source or Destination Port", udp_port),
    U("udp.length", 2, "Length", udp_length),
    U("udp.checksum", 2, "Checksum", udp_csum),
    U("udp.stream", 4, "Stream index", udp_stream),
    F("udp.payload", NT_FT_BYTES, "Payload", udp_payload),
    P("data", "Data", p_data),
    F("data.data", NT_FT_BYTES, "Data", data_data),
    U("data.len", 4, "Length", data_len),
};

#define NFIELDS (sizeof fields / sizeof fields[0])

/* the registry: the rows above, the application protocols' rows, then
 * the message tables of proto/ (built once) */
static const struct {
    const nt_msg_field *tab;
    const size_t *n;
    uint8_t proto;
} msg_tables[] = {
    {nt_sip_fields, &nt_sip_nfields, NT_P_SIP},     {nt_sdp_fields, &nt_sdp_nfields, NT_P_SDP},
    {nt_rtp_fields, &nt_rtp_nfields, NT_P_RTP},     {nt_rtcp_fields, &nt_rtcp_nfields, NT_P_RTCP},
    {nt_stun_fields, &nt_stun_nfields, NT_P_STUN},  {nt_dhcp_fields, &nt_dhcp_nfields, NT_P_DHCP},
    {nt_nbns_fields, &nt_nbns_nfields, NT_P_NBNS},  {nt_tpkt_fields, &nt_tpkt_nfields, NT_P_TPKT},
};
static nt_field *msg_rows;
static size_t nmsg_rows;

static void build_msg_rows(void)
{
    if (msg_rows) return;
    size_t n = 0;
    for (size_t t = 0; t < sizeof msg_tables / sizeof *msg_tables; t++) n += *msg_tables[t].n;
    msg_rows = calloc(n ? n : 1, sizeof *msg_rows);
    if (!msg_rows) abort();
    for (size_t t = 0; t < sizeof msg_tables / sizeof *msg_tables; t++)
        for (size_t i = 0; i < *msg_tables[t].n; i++) {
            const nt_msg_field *m = &msg_tables[t].tab[i];
            nt_field *f = &msg_rows[nmsg_rows++];
            f->name = m->name, f->type = m->type, f->size = m->size, f->desc = m->desc;
            f->value_of = m->value_of;
            f->msg = m;
            f->msg_proto = msg_tables[t].proto;
        }
}

const nt_field *nt_field_find(const char *name)
{
    size_t n = nt_field_count();
    for (size_t i = 0; i < n; i++)
        if (!strcmp(nt_field_at(i)->name, name)) return nt_field_at(i);
    return NULL;
}

size_t nt_field_count(void)
{
    build_msg_rows();
    return NFIELDS + nt_app_nfields + nmsg_rows;
}

const nt_field *nt_field_at(size_t i)
{
    if (i < NFIELDS) return &fields[i];
    i -= NFIELDS;
    if (i < nt_app_nfields) return &nt_app_fields[i];
    i -= nt_app_nfields;
    build_msg_rows();
    return i < nmsg_rows ? &msg_rows[i] : NULL;
}

int nt_field_get(const nt_field *f, const nt_packet *pkt, nt_fvalue *out, int max)
{
    if (f->get) return f->get(pkt, out, max);
    const nt_appdata *a = pkt->app;
    if (!a || !f->msg) return 0;
    const void *msgs[NT_APP_MAX_PDU];
    int k = nt_app_msgs(a, f->msg_proto, msgs, NT_APP_MAX_PDU);
    int n = 0;
    for (int i = 0; i < k && n < max; i++) n += f->msg->get(msgs[i], out + n, max - n);
    return n;
}

const char *nt_ftype_name(nt_ftype t, uint8_t size, char *buf, size_t n)
{
    switch (t) {
    case NT_FT_PROTOCOL: return "Protocol";
    case NT_FT_BOOL: return "Boolean";
    case NT_FT_UINT:
        snprintf(buf, n, "Unsigned integer (%u byte%s)", size, size == 1 ? "" : "s");
        return buf;
    case NT_FT_INT:
        snprintf(buf, n, "Signed integer (%u byte%s)", size, size == 1 ? "" : "s");
        return buf;
    case NT_FT_FRAMENUM: return "Frame number";
    case NT_FT_IPV4: return "IPv4 address";
    case NT_FT_IPV6: return "IPv6 address";
    case NT_FT_ETHER: return "Ethernet or other MAC address";
    case NT_FT_BYTES: return "Byte sequence";
    case NT_FT_STRING: return "Character string";
    case NT_FT_RELTIME: return "Time offset";
    case NT_FT_DOUBLE: return "Floating point (double-precision)";
    case NT_FT_LABEL: return "Label";
    default: return "None";
    }
}
