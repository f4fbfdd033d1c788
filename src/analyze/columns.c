/* columns.c - Source, Destination, Protocol and Info text following
 * tshark 4.0's single-pass output (what `tshark -r FILE` prints), so that
 * a Wireshark user reads the same words. Differences are documented in
 * docs/columns.md. */
#include "nettracer/columns.h"
#include "app_cols.h"
#include "nettracer/app.h"

#include <string.h>

/* ---- addresses ------------------------------------------------------- */

static const nt_layer *net_layer(const nt_packet *pkt)
{
    for (int i = 0; i < pkt->nlayers; i++) {
        uint8_t p = pkt->layers[i].proto;
        if (pkt->layers[i].inner) break;
        if (p == NT_P_IPV4 || p == NT_P_IPV6) {
            /* the innermost network layer of a tunnel wins, as in Wireshark;
             * not nt_packet_outer(), whose test is a whole fixed header (an
             * IPv4 layer of 20 bytes, an IPv6 one of 40): the column shows
             * the addresses of an IPv4 header with a bogus header length,
             * as Wireshark does (malformed.pcap, frame 1) */
            const nt_layer *best = NULL;
            for (int j = i; j < pkt->nlayers; j++) {
                const nt_layer *m = &pkt->layers[j];
                if (m->inner) break;
                /* a header cut short or handed to IPv6 has no addresses to show */
                if ((m->proto == NT_P_IPV4 && pkt->ip4[m->idx].hdr_cap >= 20 && !pkt->ip4[m->idx].v6) ||
                    m->proto == NT_P_IPV6)
                    best = m;
            }
            return best;
        }
    }
    return NULL;
}

static void addr_col(const nt_packet *pkt, nt_buf *b, bool src)
{
    const nt_layer *l = net_layer(pkt);
    if (l && l->proto == NT_P_IPV4) {
        const nt_ipv4 *ip = &pkt->ip4[l->idx];
        nt_buf_ipv4(b, src ? ip->src : ip->dst);
        return;
    }
    if (l && l->proto == NT_P_IPV6) {
        const nt_ipv6 *ip = &pkt->ip6[l->idx];
        nt_buf_ipv6(b, src ? ip->src : ip->dst);
        return;
    }
    if (pkt->neth) {
        const uint8_t *m = src ? pkt->eth[0].src : pkt->eth[0].dst;
        static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        if (!memcmp(m, bcast, 6)) nt_buf_puts(b, "Broadcast");
        else nt_buf_mac(b, m);
        return;
    }
    if (pkt->nsll && src && pkt->sll[0].halen == 6) {
        nt_buf_mac(b, pkt->sll[0].addr);
        return;
    }
}

void nt_col_src(const nt_packet *pkt, nt_buf *b) { addr_col(pkt, b, true); }
void nt_col_dst(const nt_packet *pkt, nt_buf *b) { addr_col(pkt, b, false); }

/* ---- protocol -------------------------------------------------------- */

void nt_col_protocol(const nt_packet *pkt, nt_buf *b)
{
    /* the highest layer that is not inside an ICMP error and not raw data */
    const nt_layer *top = NULL;
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *l = &pkt->layers[i];
        if (l->inner) break;
        if (l->proto == NT_P_DATA) continue;
        top = l;
    }
    /* a packet that ran out of bytes is named by the protocol whose
     * decoding began last, as Wireshark's column shows */
    if ((pkt->flags & NT_PKT_SHORT) && pkt->entered) {
        nt_buf_puts(b, pkt->entered == NT_P_ETH ? "Ethernet" : pkt->entered == NT_P_VLAN ? "VLAN"
                                                                 : nt_proto_name((nt_proto)pkt->entered));
        return;
    }
    if (!(pkt->flags & NT_PKT_SHORT) && nt_app_col_protocol(pkt, b)) return;
    if (!top) {
        if (pkt->nlayers == 0 && pkt->frame) {
            nt_buf_puts(b, pkt->frame->linktype == NT_LINK_ETHERNET ? "Ethernet" : "Frame");
        }
        return;
    }
    switch (top->proto) {
    case NT_P_ETH: {
        const nt_eth *e = &pkt->eth[0];
        if (e->is_8023) nt_buf_puts(b, "Ethernet"); /* LLC is not decoded */
        else {
            nt_buf_puts(b, "0x");
            nt_buf_hex(b, e->type, 4, false);
        }
        return;
    }
    case NT_P_VLAN: {
        const nt_vlan *v = &pkt->vlan[top->idx];
        switch (v->etype) {
        case 0: case 0x8100: case 0x88a8: case 0x9100: case 0x0800: case 0x86dd: case 0x0806:
            nt_buf_puts(b, "VLAN"); /* decoding stopped in the tag stack */
            return;
        default:
            nt_buf_puts(b, "0x");
            nt_buf_hex(b, v->etype, 4, false);
            return;
        }
    }
    case NT_P_SLL: nt_buf_puts(b, "SLL"); return;
    case NT_P_NULL: nt_buf_puts(b, "NULL"); return;
    case NT_P_ARP: nt_buf_puts(b, pkt->arp[0].op >= 3 && pkt->arp[0].op <= 4 ? "RARP" : "ARP"); return;
    default: nt_buf_puts(b, nt_proto_name((nt_proto)top->proto));
    }
}

/* ---- info ------------------------------------------------------------ */

const char *nt_icmp_type_str(uint8_t t)
{
    switch (t) {
    case 0: return "Echo (ping) reply";
    case 1: case 2: return "Reserved";
    case 3: return "Destination unreachable";
    case 4: return "Source quench (flow control)";
    case 5: return "Redirect";
    case 6: return "Alternate host address";
    case 8: return "Echo (ping) request";
    case 9: return "Router advertisement";
    case 10: return "Router solicitation";
    case 11: return "Time-to-live exceeded";
    case 12: return "Parameter problem";
    case 13: return "Timestamp request";
    case 14: return "Timestamp reply";
    case 15: return "Information request";
    case 16: return "Information reply";
    case 17: return "Address mask request";
    case 18: return "Address mask reply";
    case 30: return "Traceroute";
    case 40: return "Photuris";
    case 42: return "Extended Echo request";
    case 43: return "Extended Echo reply";
    default: return "Unknown ICMP (obsolete or malformed?)";
    }
}

const char *nt_icmp_code_str(uint8_t t, uint8_t c)
{
    static const char *unreach[] = {
        "Network unreachable", "Host unreachable", "Protocol unreachable", "Port unreachable",
        "Fragmentation needed", "Source route failed", "Destination network unknown",
        "Destination host unknown", "Source host isolated", "Network administratively prohibited",
        "Host administratively prohibited", "Network unreachable for TOS", "Host unreachable for TOS",
        "Communication administratively filtered", "Host precedence violation", "Precedence cutoff in effect",
    };
    static const char *redirect[] = {"Redirect for network", "Redirect for host", "Redirect for TOS and network",
                                     "Redirect for TOS and host"};
    static const char *ttl[] = {"Time to live exceeded in transit", "Fragment reassembly time exceeded"};
    static const char *param[] = {"Pointer indicates the error", "Required option missing", "Bad length"};
    switch (t) {
    case 3: return c < 16 ? unreach[c] : "Unknown code";
    case 5: return c < 4 ? redirect[c] : "Unknown code";
    case 11: return c < 2 ? ttl[c] : "Unknown code";
    case 12: return c < 3 ? param[c] : "Unknown code";
    default: return "";
    }
}

const char *nt_icmpv6_type_str(uint8_t t)
{
    switch (t) {
    case 1: return "Destination Unreachable";
    case 2: return "Packet Too Big";
    case 3: return "Time Exceeded";
    case 4: return "Parameter Problem";
    case 100: case 101: case 200: case 201: return "Private experimentation";
    case 127: return "Reserved for expansion of ICMPv6 error messages";
    case 128: return "Echo (ping) request";
    case 129: return "Echo (ping) reply";
    case 130: return "Multicast Listener Query";
    case 131: return "Multicast Listener Report";
    case 132: return "Multicast Listener Done";
    case 133: return "Router Solicitation";
    case 134: return "Router Advertisement";
    case 135: return "Neighbor Solicitation";
    case 136: return "Neighbor Advertisement";
    case 137: return "Redirect";
    case 138: return "Router Renumbering";
    case 139: return "ICMP Node Information Query";
    case 140: return "ICMP Node Information Response";
    case 141: return "Inverse Neighbor Discovery Solicitation Message";
    case 142: return "Inverse Neighbor Discovery Advertisement Message";
    case 143: return "Multicast Listener Report Message v2";
    case 144: return "Home Agent Address Discovery Request Message";
    case 145: return "Home Agent Address Discovery Reply Message";
    case 146: return "Mobile Prefix Solicitation";
    case 147: return "Mobile Prefix Advertisement";
    case 151: return "Multicast Router Advertisement";
    case 152: return "Multicast Router Solicitation";
    case 153: return "Multicast Router Termination";
    case 155: return "RPL Control Message";
    case 255: return "Reserved for expansion of ICMPv6 informational messages";
    default: return NULL;
    }
}

const char *nt_icmpv6_code_str(uint8_t t, uint8_t c)
{
    static const char *unreach[] = {
        "no route to destination", "Administratively prohibited", "Beyond scope of source address",
        "Address unreachable", "Port unreachable", "Source address failed ingress/egress policy",
        "Reject route to destination", "Error in Source Routing Header",
    };
    static const char *te[] = {"hop limit exceeded in transit", "fragment reassembly time exceeded"};
    static const char *pp[] = {"erroneous header field encountered", "unrecognized Next Header type encountered",
                               "unrecognized IPv6 option encountered",
                               "IPv6 First Fragment has incomplete IPv6 Header Chain"};
    switch (t) {
    case 1: return c < 8 ? unreach[c] : "Unknown";
    case 3: return c < 2 ? te[c] : NULL;
    case 4: return c < 4 ? pp[c] : NULL;
    default: return NULL;
    }
}

void nt_tcp_flags_str(uint16_t flags, nt_buf *b)
{
    static const char *names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"};
    bool any = false;
    for (int i = 0; i < 9; i++) {
        if (!(flags & (1u << i))) continue;
        if (any) nt_buf_put(b, ", ", 2);
        nt_buf_puts(b, names[i]);
        any = true;
    }
    if (!any) nt_buf_puts(b, "<None>");
}

static void arp_paddr(const nt_arp *a, const uint8_t *p, nt_buf *b)
{
    if (a->ptype == 0x0800 && a->plen == 4) nt_buf_ipv4(b, p);
    else for (int i = 0; i < a->plen; i++) nt_buf_hex(b, p[i], 2, false);
}

static void arp_haddr(const nt_arp *a, const uint8_t *p, nt_buf *b)
{
    if (a->hlen == 6) nt_buf_mac(b, p);
    else for (int i = 0; i < a->hlen; i++) nt_buf_hex(b, p[i], 2, false);
}

static void info_arp(const nt_packet *pkt, nt_buf *b)
{
    const nt_arp *a = &pkt->arp[0];
    if (!a->sha) return;
    bool eth_ip = a->hlen == 6 && a->plen == 4 && a->ptype == 0x0800;
    if (!eth_ip) {
        switch (a->op) {
        case 1:
            nt_buf_puts(b, "Who has ");
            arp_paddr(a, a->tpa, b);
            nt_buf_puts(b, "? Tell ");
            arp_paddr(a, a->spa, b);
            break;
        case 2:
            arp_paddr(a, a->spa, b);
            nt_buf_puts(b, " is at ");
            arp_haddr(a, a->sha, b);
            break;
        default: break;
        }
        return;
    }
    switch (a->op) {
    case 1:
        if (!memcmp(a->spa, a->tpa, 4)) {
            nt_buf_puts(b, "ARP Announcement for ");
            nt_buf_ipv4(b, a->tpa);
        } else if (!a->spa[0] && !a->spa[1] && !a->spa[2] && !a->spa[3]) {
            nt_buf_puts(b, "Who has ");
            nt_buf_ipv4(b, a->tpa);
            nt_buf_puts(b, "? (ARP Probe)");
        } else {
            nt_buf_puts(b, "Who has ");
            nt_buf_ipv4(b, a->tpa);
            nt_buf_puts(b, "? Tell ");
            nt_buf_ipv4(b, a->spa);
        }
        break;
    case 2:
        if (!memcmp(a->spa, a->tpa, 4)) {
            nt_buf_puts(b, "Gratuitous ARP for ");
            nt_buf_ipv4(b, a->spa);
            nt_buf_puts(b, " (Reply)");
        } else {
            nt_buf_ipv4(b, a->spa);
            nt_buf_puts(b, " is at ");
            nt_buf_mac(b, a->sha);
        }
        break;
    case 3:
        nt_buf_puts(b, "Who is ");
        nt_buf_mac(b, a->tha);
        nt_buf_puts(b, "? Tell ");
        nt_buf_mac(b, a->sha);
        break;
    case 4:
        nt_buf_mac(b, a->tha);
        nt_buf_puts(b, " is at ");
        nt_buf_ipv4(b, a->tpa);
        break;
    default:
        nt_buf_printf(b, "Unknown ARP opcode 0x%04x", a->op);
    }
}

/* The analysis markers in front of the ports, in the order Wireshark's
 * prepends leave them (its last prepended first). */
static void tcp_markers(const nt_pkt_ana *a, nt_buf *b)
{
    uint32_t f = a->tcp_flags;
    if (!f) return;
    if (f & NT_TA_OUT_OF_ORDER) nt_buf_puts(b, "[TCP Out-Of-Order] ");
    if (f & NT_TA_FAST_RETRANSMISSION) nt_buf_puts(b, "[TCP Fast Retransmission] ");
    if (f & NT_TA_SPURIOUS_RETRANS) nt_buf_puts(b, "[TCP Spurious Retransmission] ");
    if (f & NT_TA_ZERO_WINDOW_PROBE_ACK) nt_buf_puts(b, "[TCP ZeroWindowProbeAck] ");
    if (f & NT_TA_ZERO_WINDOW) nt_buf_puts(b, "[TCP ZeroWindow] ");
    if (f & NT_TA_ZERO_WINDOW_PROBE) nt_buf_puts(b, "[TCP ZeroWindowProbe] ");
    if (f & NT_TA_DUPLICATE_ACK)
        nt_buf_printf(b, "[TCP Dup ACK %llu#%u] ", (unsigned long long)a->dupack_frame, a->dupack_num);
    if (f & NT_TA_KEEP_ALIVE_ACK) nt_buf_puts(b, "[TCP Keep-Alive ACK] ");
    if (f & NT_TA_WINDOW_FULL) nt_buf_puts(b, "[TCP Window Full] ");
    if (f & NT_TA_WINDOW_UPDATE) nt_buf_puts(b, "[TCP Window Update] ");
    if (f & NT_TA_KEEP_ALIVE) nt_buf_puts(b, "[TCP Keep-Alive] ");
    if (f & NT_TA_ACK_LOST_SEGMENT) nt_buf_puts(b, "[TCP ACKed unseen segment] ");
    if (f & NT_TA_LOST_SEGMENT) nt_buf_puts(b, "[TCP Previous segment not captured] ");
    if (f & NT_TA_RETRANSMISSION) nt_buf_puts(b, "[TCP Retransmission] ");
    if (f & NT_TA_REUSED_PORTS) nt_buf_puts(b, "[TCP Port numbers reused] ");
}

static void info_tcp(const nt_packet *pkt, const nt_layer *l, nt_buf *b)
{
    const nt_tcp *t = &pkt->tcp[l->idx];
    const nt_pkt_ana *a = &pkt->ana;
    tcp_markers(a, b);
    nt_buf_u64(b, t->sport);
    nt_buf_puts(b, " \xe2\x86\x92 ");
    nt_buf_u64(b, t->dport);
    if (l->len < 16) return;
    nt_buf_puts(b, " [");
    nt_tcp_flags_str(t->flags, b);
    nt_buf_puts(b, "] Seq=");
    nt_buf_u64(b, a->tcp_valid ? a->rel_seq : t->seq);
    if (t->flags & NT_TCP_ACK) {
        nt_buf_puts(b, " Ack=");
        nt_buf_u64(b, a->tcp_valid ? a->rel_ack : t->ack);
    }
    nt_buf_puts(b, " Win=");
    nt_buf_u64(b, a->tcp_valid ? a->win : t->win);
    if (l->len < 20) return; /* the header was cut after the window */
    if (t->bad_hlen == 1) {
        nt_buf_printf(b, ", bogus TCP header length (%u, must be at least 20)", t->hlen);
        return;
    }
    if (t->bad_hlen) return;
    nt_buf_puts(b, " Len=");
    nt_buf_u64(b, t->payload_len);
    if (t->flags & NT_TCP_URG) {
        nt_buf_puts(b, " Urg=");
        nt_buf_u64(b, t->urp);
    }
    /* options in the order they appear in the header */
    const uint8_t *o = t->opts;
    uint32_t n = t->optlen, i = 0;
    int sack_i = 0;
    while (o && i < n) {
        uint8_t kind = o[i];
        if (kind == 0) break;
        if (kind == 1) { i++; continue; }
        if (i + 1 >= n) break;
        uint8_t len = o[i + 1];
        if (len < 2 || i + len > n) break;
        switch (kind) {
        case 2:
            if (len == 4) { nt_buf_puts(b, " MSS="); nt_buf_u64(b, t->mss); }
            break;
        case 3:
            if (len == 3) {
                nt_buf_puts(b, " WS=");
                nt_buf_u64(b, 1u << (t->ws > 14 ? 14 : t->ws));
            }
            break;
        case 4:
            if (len == 2) nt_buf_puts(b, " SACK_PERM");
            break;
        case 5:
            for (int j = 0; j + 8 <= len - 2 && sack_i < 4; j += 8, sack_i++) {
                nt_buf_puts(b, " SLE=");
                nt_buf_u64(b, a->tcp_valid ? a->sack_rel[sack_i][0] : t->sack[sack_i][0]);
                nt_buf_puts(b, " SRE=");
                nt_buf_u64(b, a->tcp_valid ? a->sack_rel[sack_i][1] : t->sack[sack_i][1]);
            }
            break;
        case 8:
            if (len == 10) {
                nt_buf_puts(b, " TSval=");
                nt_buf_u64(b, t->tsval);
                nt_buf_puts(b, " TSecr=");
                nt_buf_u64(b, t->tsecr);
            }
            break;
        default: break;
        }
        i += len;
    }
}

static void info_udp(const nt_packet *pkt, const nt_layer *l, nt_buf *b)
{
    const nt_udp *u = &pkt->udp[l->idx];
    nt_buf_u64(b, u->sport);
    nt_buf_puts(b, " \xe2\x86\x92 ");
    nt_buf_u64(b, u->dport);
    if (u->bad_len == 1) {
        nt_buf_printf(b, " [BAD UDP LENGTH %u < 8]", u->ulen);
        return;
    }
    if (u->bad_len == 2) nt_buf_printf(b, " [BAD UDP LENGTH %u > IP PAYLOAD LENGTH]", u->ulen);
    nt_buf_puts(b, " Len=");
    nt_buf_u64(b, u->ulen >= 8 ? u->ulen - 8u : 0);
}

static void info_icmp(const nt_packet *pkt, nt_buf *b)
{
    const nt_icmp *m = &pkt->icmp[0];
    size_t start = b->len;
    nt_buf_puts(b, nt_icmp_type_str(m->type));
    nt_buf_pad(b, start, 20);
    const char *cs = nt_icmp_code_str(m->type, m->code);
    if (cs[0]) nt_buf_printf(b, " (%s)", cs);
    if (m->type == 0 || m->type == 8) {
        nt_buf_printf(b, " id=0x%04x, seq=%u/%u", m->id, m->seq, (uint16_t)(m->seq << 8 | m->seq >> 8));
        if (pkt->nip4) nt_buf_printf(b, ", ttl=%u", pkt->ip4[0].ttl);
        if (m->type == 0 && pkt->ana.request_in)
            nt_buf_printf(b, " (request in %llu)", (unsigned long long)pkt->ana.request_in);
    }
}

static void info_icmpv6(const nt_packet *pkt, nt_buf *b)
{
    const nt_icmpv6 *m = &pkt->icmp6[0];
    const char *ts = nt_icmpv6_type_str(m->type);
    if (ts) nt_buf_puts(b, ts);
    else nt_buf_printf(b, "Unknown (%u)", m->type);
    const char *cs = nt_icmpv6_code_str(m->type, m->code);
    if (cs) nt_buf_printf(b, " (%s)", cs);
    else if (m->type == 3 || m->type == 4) nt_buf_printf(b, " (Unknown (%u))", m->code);
    switch (m->type) {
    case 128:
    case 129:
        nt_buf_printf(b, " id=0x%04x, seq=%u", m->id, m->seq);
        if (pkt->nip6) nt_buf_printf(b, ", hop limit=%u", pkt->ip6[0].hlim);
        if (m->type == 129 && pkt->ana.request_in)
            nt_buf_printf(b, " (request in %llu)", (unsigned long long)pkt->ana.request_in);
        break;
    case 133:
    case 134:
        if (m->lladdr_opt == 1) {
            nt_buf_puts(b, " from ");
            nt_buf_mac(b, m->lladdr);
        }
        break;
    case 135:
        nt_buf_puts(b, " for ");
        nt_buf_ipv6(b, m->target);
        if (m->lladdr_opt == 1) {
            nt_buf_puts(b, " from ");
            nt_buf_mac(b, m->lladdr);
        }
        break;
    case 136: {
        nt_buf_putc(b, ' ');
        nt_buf_ipv6(b, m->target);
        uint32_t fl = m->rest >> 29;
        nt_buf_puts(b, " (");
        bool any = false;
        if (fl & 4) { nt_buf_puts(b, "rtr"); any = true; }
        if (fl & 2) { nt_buf_puts(b, any ? ", sol" : "sol"); any = true; }
        if (fl & 1) { nt_buf_puts(b, any ? ", ovr" : "ovr"); any = true; }
        nt_buf_puts(b, any ? ")" : "none)");
        if (m->lladdr_opt == 2) {
            nt_buf_puts(b, " is at ");
            nt_buf_mac(b, m->lladdr);
        }
        break;
    }
    default: break;
    }
}

static void info_fragment(const nt_packet *pkt, const nt_layer *ipl, nt_buf *b)
{
    if (ipl->proto == NT_P_IPV4) {
        const nt_ipv4 *ip = &pkt->ip4[ipl->idx];
        const char *pn = nt_ipproto_name(ip->proto);
        nt_buf_printf(b, "Fragmented IP protocol (proto=%s %u, off=%u, ID=%04x)", pn ? pn : "Unknown", ip->proto,
                      ip->frag_off, ip->id);
    } else {
        const nt_ipv6 *ip = &pkt->ip6[ipl->idx];
        nt_buf_printf(b, "IPv6 fragment (off=%u more=%c ident=0x%08x nxt=%u)", ip->frag_off, ip->mf ? 'y' : 'n',
                      ip->frag_id, ip->final_nxt);
    }
}

static void nt_col_info_layer(const nt_packet *pkt, const nt_layer *top, nt_buf *b);

static void info_unknown_ipproto(uint8_t p, nt_buf *b)
{
    const char *n = nt_ipproto_name(p);
    nt_buf_printf(b, "Unknown IP Protocol: %s (%u)", n ? n : "Unknown", p);
}

void nt_col_info(const nt_packet *pkt, nt_buf *b)
{
    const nt_layer *top = NULL;
    for (int i = 0; i < pkt->nlayers; i++) {
        if (pkt->layers[i].inner) break;
        if (pkt->layers[i].proto == NT_P_DATA) continue;
        top = &pkt->layers[i];
    }
    const char *suffix = (pkt->flags & NT_PKT_MALFORMED) ? "[Malformed Packet]" : "[Packet size limited during capture]";
    /* decoding stopped before the protocol it began could record a layer */
    if ((pkt->flags & NT_PKT_SHORT) && pkt->entered && (!top || top->proto != pkt->entered)) {
        nt_buf_puts(b, suffix);
        return;
    }
    if (!top) return;
    if ((pkt->flags & NT_PKT_FRAGMENT) && (top->proto == NT_P_IPV4 || top->proto == NT_P_IPV6)) {
        info_fragment(pkt, top, b);
        return;
    }
    if (top->proto == NT_P_IPV6 && pkt->ip6[top->idx].ext_fail) {
        /* an extension header ran past the packet: Wireshark lists the
         * extension headers it was decoding */
        static const struct { uint8_t t; const char *n; } en[] = {
            {0, "IPv6 hop-by-hop options"}, {43, "IPv6 routing"}, {44, "IPv6 fragment"},
            {60, "IPv6 destination options"}, {51, "Authentication Header"}, {135, "Mobile IPv6"},
        };
        const nt_ipv6 *ip = &pkt->ip6[top->idx];
        for (int i = 0; i < ip->ext_fail && i < NT_IPV6_MAX_EXT + 1; i++) {
            uint8_t ty = i < ip->next_ext ? ip->ext[i].type : ip->ext_fail_type;
            const char *name = "IPv6 extension header";
            for (size_t k = 0; k < sizeof en / sizeof en[0]; k++)
                if (en[k].t == ty) name = en[k].n;
            if (i) nt_buf_puts(b, " , ");
            nt_buf_puts(b, name);
        }
        nt_buf_puts(b, ip->ext_fail >= 2 ? "[Malformed Packet: length of contained item exceeds length of containing item]"
                                         : suffix);
        return;
    }
    if (!(pkt->flags & NT_PKT_SHORT) && pkt->app && pkt->app->npdu) {
        size_t before = b->len;
        tcp_markers(&pkt->ana, b);
        /* a TLS record reassembled here appends to the markers with its
         * separator (tshark 4.0, observed) */
        if (b->len > before && pkt->app->pdu[0].proto == NT_P_TLS && pkt->app->pdu[0].nframes > 1)
            nt_buf_puts(b, ", ");
        nt_app_col_info(pkt, b);
        return;
    }
    if (top->proto == NT_P_TCP && pkt->app && pkt->app->reasm_error) {
        nt_col_info_layer(pkt, top, b);
        nt_buf_puts(b, "[Reassembly error, protocol TCP: New fragment overlaps old data (retransmission?)]");
        return;
    }
    if (top->proto == NT_P_TCP && pkt->app && pkt->app->seg) {
        /* part of a message completed in a later frame */
        size_t start = b->len;
        if (pkt->app->seg == 2) {
            tcp_markers(&pkt->ana, b);
            start = b->len;
            nt_buf_puts(b, pkt->app->seg_info);
        }
        else nt_col_info_layer(pkt, top, b);
        if (b->len > start) nt_buf_putc(b, ' ');
        nt_buf_puts(b, "[TCP segment of a reassembled PDU]");
        return;
    }
    nt_col_info_layer(pkt, top, b);
    /* decoding stopped at a header that ran out of bytes */
    if (pkt->flags & NT_PKT_SHORT) nt_buf_puts(b, suffix);
}

static void nt_col_info_layer(const nt_packet *pkt, const nt_layer *top, nt_buf *b)
{
    switch (top->proto) {
    case NT_P_ARP: info_arp(pkt, b); break;
    case NT_P_TCP: info_tcp(pkt, top, b); break;
    case NT_P_UDP: info_udp(pkt, top, b); break;
    case NT_P_ICMP: info_icmp(pkt, b); break;
    case NT_P_ICMPV6: info_icmpv6(pkt, b); break;
    case NT_P_PCAPNG: {
        const nt_frame *f = pkt->frame;
        nt_buf_puts(b, "Custom Block: PEN = ");
        if (f->pen == 32473) nt_buf_puts(b, "Example Enterprise Number for Documentation Use");
        else nt_buf_puts(b, "Unknown");
        nt_buf_printf(b, " (%u), will%s be copied", f->pen, f->flags ? "" : " not");
        break;
    }
    case NT_P_ETH:
        nt_buf_puts(b, pkt->eth[0].is_8023 ? "IEEE 802.3 Ethernet " : "Ethernet II");
        break;
    case NT_P_VLAN: {
        const nt_vlan *v = &pkt->vlan[top->idx];
        nt_buf_printf(b, "PRI: %u  DEI: %u  ID: %u", v->pri, v->dei, v->id);
        break;
    }
    case NT_P_IPV4:
        if (pkt->ip4[top->idx].bad_ihl) {
            nt_buf_printf(b, "Bogus IP header length (%u, must be at least 20)", pkt->ip4[top->idx].ihl * 4u);
            break;
        }
        if (!(pkt->flags & NT_PKT_SHORT) && top + 1 < pkt->layers + pkt->nlayers)
            info_unknown_ipproto(pkt->ip4[top->idx].proto, b);
        break;
    case NT_P_IPV6: {
        uint8_t nh = pkt->ip6[top->idx].final_nxt;
        if (nh == 59) nt_buf_puts(b, "IPv6 no next header");
        else if (!(pkt->flags & NT_PKT_SHORT)) info_unknown_ipproto(nh, b);
        break;
    }
    default: break;
    }
}
