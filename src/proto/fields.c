/* fields.c - the registry's lookups (see fields.h) and proto/'s own rows:
 * the fields of the headers nt_dissect() decodes, read from the dissected
 * packet alone (the rows that read the session's analysis or application
 * messages are analyze/'s). Names, types and the set of occurrences follow
 * Wireshark 4.0, so that `ip.addr == X` or `tcp.port == 80` select the same
 * frames as in Wireshark, including the addresses and ports of the packet
 * an ICMP error quotes. */
#include "nettracer/fields.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "nettracer/field_put.h"

#define ACC NT_PKT_ACC
#define EACH NT_EACH_LAYER
#define TCP_ACC NT_TCP_ACC

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

TCP_ACC(tcp_srcport, 0, n = put_u(out, n, max, t->sport))
TCP_ACC(tcp_dstport, 0, n = put_u(out, n, max, t->dport))
TCP_ACC(tcp_port, 0, n = put_u(out, n, max, t->sport); n = put_u(out, n, max, t->dport))
TCP_ACC(tcp_len, 1, if (t->bad_hlen != 2 && !l->inner) n = put_u(out, n, max, t->payload_len))
TCP_ACC(tcp_seq_raw, 1, if (!l->inner) n = put_u(out, n, max, t->seq))
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
TCP_ACC(tcp_csum, 2, n = put_u(out, n, max, t->csum))
TCP_ACC(tcp_urgp, 2, n = put_u(out, n, max, t->urp))
TCP_ACC(tcp_mss, 2, if (t->has_mss) n = put_u(out, n, max, t->mss))
TCP_ACC(tcp_ws, 2, if (t->has_ws) n = put_u(out, n, max, t->ws))
TCP_ACC(tcp_sack_perm, 2, if (t->sack_perm) n = put_b(out, n, max, true))
TCP_ACC(tcp_tsval, 2, if (t->has_ts || t->tsval_only) n = put_u(out, n, max, t->tsval))
TCP_ACC(tcp_tsecr, 2, if (t->has_ts) n = put_u(out, n, max, t->tsecr))
TCP_ACC(tcp_payload, 2, if (t->payload_cap && !l->inner) n = put_bytes(out, n, max, t->payload, t->payload_cap, NT_FT_BYTES))

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


/* ---- the table -------------------------------------------------------- */

#define P NT_ROW_P
#define U NT_ROW_U
#define F NT_ROW_F

const nt_field nt_header_fields[] = {
    P("frame", "Frame", p_frame),
    F("frame.number", NT_FT_FRAMENUM, "Frame Number", f_number),
    U("frame.len", 4, "Frame length on the wire", f_len),
    U("frame.cap_len", 4, "Frame length stored into the capture file", f_cap_len),
    U("frame.interface_id", 4, "Interface id", f_ifid),
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
    NT_ROW_V("ip.proto", NT_FT_UINT, 1, "Protocol", ip_proto, ipproto_value),
    U("ip.checksum", 2, "Header Checksum", ip_csum),
    F("ip.addr", NT_FT_IPV4, "Source or Destination Address", ip_addr),
    F("ip.src", NT_FT_IPV4, "Source Address", ip_src),
    F("ip.dst", NT_FT_IPV4, "Destination Address", ip_dst),
    P("ipv6", "Internet Protocol Version 6", p_ipv6),
    U("ipv6.tclass", 1, "Traffic Class", ip6_tclass),
    U("ipv6.flow", 4, "Flow Label", ip6_flow),
    U("ipv6.plen", 2, "Payload Length", ip6_plen),
    NT_ROW_V("ipv6.nxt", NT_FT_UINT, 1, "Next Header", ip6_nxt, ipproto_value),
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
    U("tcp.len", 4, "TCP Segment Len", tcp_len),
    U("tcp.seq_raw", 4, "Sequence Number (raw)", tcp_seq_raw),
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
    U("tcp.checksum", 2, "Checksum", tcp_csum),
    U("tcp.urgent_pointer", 2, "Urgent Pointer", tcp_urgp),
    U("tcp.options.mss_val", 2, "MSS Value", tcp_mss),
    U("tcp.options.wscale.shift", 1, "Shift count", tcp_ws),
    F("tcp.options.sack_perm", NT_FT_BOOL, "TCP SACK Permitted Option", tcp_sack_perm),
    U("tcp.options.timestamp.tsval", 4, "Timestamp value", tcp_tsval),
    U("tcp.options.timestamp.tsecr", 4, "Timestamp echo reply", tcp_tsecr),
    F("tcp.payload", NT_FT_BYTES, "TCP payload", tcp_payload),
    P("udp", "User Datagram Protocol", p_udp),
    U("udp.srcport", 2, "Source Port", udp_srcport),
    U("udp.dstport", 2, "Destination Port", udp_dstport),
    U("udp.port", 2, "Source or Destination Port", udp_port),
    U("udp.length", 2, "Length", udp_length),
    U("udp.checksum", 2, "Checksum", udp_csum),
    F("udp.payload", NT_FT_BYTES, "Payload", udp_payload),
};

const size_t nt_header_nfields = sizeof nt_header_fields / sizeof nt_header_fields[0];

/* ---- the registry ------------------------------------------------------ */

size_t nt_field_count(const nt_field_registry *r)
{
    size_t n = 0;
    for (size_t t = 0; t < r->ntables; t++) n += *r->tables[t].n;
    return n;
}

const nt_field *nt_field_at(const nt_field_registry *r, size_t i)
{
    for (size_t t = 0; t < r->ntables; t++) {
        if (i < *r->tables[t].n) return &r->tables[t].rows[i];
        i -= *r->tables[t].n;
    }
    return NULL;
}

const nt_field *nt_field_find(const nt_field_registry *r, const char *name)
{
    for (size_t t = 0; t < r->ntables; t++)
        for (size_t i = 0; i < *r->tables[t].n; i++)
            if (!strcmp(r->tables[t].rows[i].name, name)) return &r->tables[t].rows[i];
    return NULL;
}

int nt_field_get(const nt_field_registry *r, const nt_field *f, const nt_packet *pkt, nt_fvalue *out, int max)
{
    if (f->pkt_get) return f->pkt_get(pkt, out, max);
    if (!f->get || !r->msgs) return 0;
    enum { MAXMSG = 16 }; /* a frame carries at most NT_APP_MAX_PDU (app.h) messages */
    const void *msgs[MAXMSG];
    int k = r->msgs(pkt, f->msg_proto, msgs, MAXMSG);
    int n = 0;
    for (int i = 0; i < k && n < max; i++) n += f->get(msgs[i], out + n, max - n);
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
