/* detail.c - see detail.h. One walker emits (key, label, value) triples;
 * a text emitter indents them under a title line per layer, a JSON emitter
 * writes them as an object per layer keyed by Wireshark's field names. */
#include "nettracer/detail.h"
#include "nettracer/columns.h"

#include <stdarg.h>
#include <string.h>

typedef struct emitter emitter;
struct emitter {
    void (*begin)(emitter *e, const char *key, const char *title);
    void (*field)(emitter *e, const char *key, const char *label, bool number, const char *val);
    void (*end)(emitter *e);
    nt_buf *out;
    nt_json j;
    int depth;
    nt_buf tmp;
};

/* text ------------------------------------------------------------------ */

static void t_begin(emitter *e, const char *key, const char *title)
{
    (void)key;
    for (int i = 0; i < e->depth; i++) nt_buf_puts(e->out, "    ");
    nt_buf_puts(e->out, title);
    nt_buf_putc(e->out, '\n');
    e->depth++;
}
static void t_field(emitter *e, const char *key, const char *label, bool number, const char *val)
{
    (void)key, (void)number;
    for (int i = 0; i < e->depth; i++) nt_buf_puts(e->out, "    ");
    nt_buf_puts(e->out, label);
    nt_buf_puts(e->out, ": ");
    nt_buf_puts(e->out, val);
    nt_buf_putc(e->out, '\n');
}
static void t_end(emitter *e) { e->depth--; }

/* json ------------------------------------------------------------------ */

static void j_begin(emitter *e, const char *key, const char *title)
{
    (void)title;
    nt_json_obj_open(&e->j, key);
}
static void j_field(emitter *e, const char *key, const char *label, bool number, const char *val)
{
    (void)label;
    if (number) nt_json_raw(&e->j, key, val);
    else nt_json_str(&e->j, key, val);
}
static void j_end(emitter *e) { nt_json_obj_close(&e->j); }

/* helpers --------------------------------------------------------------- */

static void F(emitter *e, const char *key, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void F(emitter *e, const char *key, const char *label, const char *fmt, ...)
{
    nt_buf_reset(&e->tmp);
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    e->field(e, key, label, false, small);
}
static void N(emitter *e, const char *key, const char *label, uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%llu", (unsigned long long)v);
    e->field(e, key, label, true, s);
}
static void B(emitter *e, const char *key, const char *label, bool v)
{
    e->field(e, key, label, true, v ? "true" : "false");
}
static const char *ip4s(const uint8_t *a, char *s)
{
    snprintf(s, 16, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    return s;
}
static const char *ip6s(const uint8_t *a, char *s)
{
    nt_buf b;
    nt_buf_init(&b);
    nt_buf_ipv6(&b, a);
    snprintf(s, 48, "%s", b.p);
    nt_buf_free(&b);
    return s;
}
static const char *macs(const uint8_t *a, char *s)
{
    snprintf(s, 18, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
    return s;
}

/* layers ---------------------------------------------------------------- */

static void frame_layer(emitter *e, const nt_packet *pkt, nt_time first, int64_t dd, int64_t dc)
{
    const nt_frame *f = pkt->frame;
    char title[128];
    snprintf(title, sizeof title, "Frame %llu: %u bytes on wire, %u bytes captured", (unsigned long long)f->number,
             f->len, f->caplen);
    e->begin(e, "frame", title);
    nt_buf tb;
    nt_buf_init(&tb);
    nt_buf_datetime(&tb, f->ts, 9, true);
    F(e, "frame.time", "Arrival Time", "%s UTC", tb.p);
    nt_buf_reset(&tb);
    nt_buf_secs(&tb, f->ts.sec * 1000000000LL + f->ts.nsec, 9);
    e->field(e, "frame.time_epoch", "Epoch Time", true, tb.p);
    nt_buf_reset(&tb);
    nt_buf_secs(&tb, dc, 9);
    e->field(e, "frame.time_delta", "Time delta from previous captured frame", true, tb.p);
    nt_buf_reset(&tb);
    nt_buf_secs(&tb, dd, 9);
    e->field(e, "frame.time_delta_displayed", "Time delta from previous displayed frame", true, tb.p);
    nt_buf_reset(&tb);
    nt_buf_secs(&tb, nt_time_diff_ns(f->ts, first), 9);
    e->field(e, "frame.time_relative", "Time since reference or first frame", true, tb.p);
    nt_buf_free(&tb);
    N(e, "frame.number", "Frame Number", f->number);
    N(e, "frame.len", "Frame Length", f->len);
    N(e, "frame.cap_len", "Capture Length", f->caplen);
    const char *ln = nt_linktype_name(f->linktype);
    F(e, "frame.encap_type", "Encapsulation type", "%s (%u)", ln ? ln : "Unknown", f->linktype);
    F(e, "frame.interface_id", "Interface id", "%u", f->ifidx);
    for (int i = 0; i < f->ncomments; i++) {
        char c[600];
        size_t n = f->comments[i].len < sizeof c - 1 ? f->comments[i].len : sizeof c - 1;
        memcpy(c, f->comments[i].s, n);
        c[n] = 0;
        e->field(e, "frame.comment", "Comment", false, c);
    }
    if (pkt->flags & NT_PKT_MALFORMED) F(e, "_ws.malformed", "Malformed Packet", "%s", pkt->malformed);
    else if (pkt->flags & NT_PKT_TRUNCATED)
        F(e, "_ws.short", "Packet size limited during capture", "%s", pkt->malformed ? pkt->malformed : "");
    e->end(e);
}

static void eth_layer(emitter *e, const nt_packet *pkt)
{
    const nt_eth *eh = &pkt->eth[0];
    char a[20], b[20], t[160];
    snprintf(t, sizeof t, "Ethernet II, Src: %s, Dst: %s", macs(eh->src, a), macs(eh->dst, b));
    e->begin(e, "eth", t);
    F(e, "eth.dst", "Destination", "%s", macs(eh->dst, a));
    F(e, "eth.src", "Source", "%s", macs(eh->src, a));
    if (eh->is_8023) N(e, "eth.len", "Length", eh->len8023);
    else {
        const char *n = nt_ethertype_name(eh->type);
        F(e, "eth.type", "Type", "%s (0x%04x)", n ? n : "Unknown", eh->type);
    }
    e->end(e);
}

static void vlan_layer(emitter *e, const nt_vlan *v)
{
    char t[128];
    snprintf(t, sizeof t, "802.1Q Virtual LAN, PRI: %u, DEI: %u, ID: %u", v->pri, v->dei, v->id);
    e->begin(e, "vlan", t);
    N(e, "vlan.priority", "Priority", v->pri);
    N(e, "vlan.dei", "DEI", v->dei);
    N(e, "vlan.id", "ID", v->id);
    const char *n = nt_ethertype_name(v->etype);
    F(e, "vlan.etype", "Type", "%s (0x%04x)", n ? n : "Unknown", v->etype);
    e->end(e);
}

static void sll_layer(emitter *e, const nt_sll *s)
{
    e->begin(e, s->v2 ? "sll" : "sll", s->v2 ? "Linux cooked capture v2" : "Linux cooked capture v1");
    const char *pt[] = {"Unicast to us", "Broadcast", "Multicast", "Unicast to another host", "Sent by us"};
    F(e, "sll.pkttype", "Packet type", "%s (%u)", s->pkttype < 5 ? pt[s->pkttype] : "Unknown", s->pkttype);
    N(e, "sll.hatype", "Link-layer address type", s->hatype);
    N(e, "sll.halen", "Link-layer address length", s->halen);
    if (s->halen == 6) {
        char a[20];
        F(e, "sll.src.eth", "Source", "%s", macs(s->addr, a));
    }
    if (s->v2) N(e, "sll.ifindex", "Interface index", s->ifindex);
    const char *n = nt_ethertype_name(s->protocol);
    F(e, "sll.etype", "Protocol", "%s (0x%04x)", n ? n : "Unknown", s->protocol);
    e->end(e);
}

static void arp_layer(emitter *e, const nt_arp *a)
{
    const char *op = a->op == 1 ? "request" : a->op == 2 ? "reply" : a->op == 3 ? "reverse request" : a->op == 4 ? "reverse reply" : "unknown";
    char t[64];
    snprintf(t, sizeof t, "Address Resolution Protocol (%s)", op);
    e->begin(e, "arp", t);
    N(e, "arp.hw.type", "Hardware type", a->htype);
    F(e, "arp.proto.type", "Protocol type", "0x%04x", a->ptype);
    N(e, "arp.hw.size", "Hardware size", a->hlen);
    N(e, "arp.proto.size", "Protocol size", a->plen);
    F(e, "arp.opcode", "Opcode", "%s (%u)", op, a->op);
    if (a->sha && a->hlen == 6 && a->plen == 4) {
        char s[20];
        F(e, "arp.src.hw_mac", "Sender MAC address", "%s", macs(a->sha, s));
        F(e, "arp.src.proto_ipv4", "Sender IP address", "%s", ip4s(a->spa, s));
        F(e, "arp.dst.hw_mac", "Target MAC address", "%s", macs(a->tha, s));
        F(e, "arp.dst.proto_ipv4", "Target IP address", "%s", ip4s(a->tpa, s));
    }
    e->end(e);
}

static void ipv4_layer(emitter *e, const nt_ipv4 *ip)
{
    char s[20], d[20], t[160];
    snprintf(t, sizeof t, "Internet Protocol Version 4, Src: %s, Dst: %s", ip4s(ip->src, s), ip4s(ip->dst, d));
    e->begin(e, "ip", t);
    N(e, "ip.version", "Version", ip->version);
    N(e, "ip.hdr_len", "Header Length", ip->ihl * 4u);
    F(e, "ip.dsfield", "Differentiated Services Field", "0x%02x (DSCP: %u, ECN: %u)", ip->tos, ip->tos >> 2, ip->tos & 3);
    N(e, "ip.len", "Total Length", ip->tot_len);
    F(e, "ip.id", "Identification", "0x%04x (%u)", ip->id, ip->id);
    B(e, "ip.flags.rb", "Reserved bit", ip->rb);
    B(e, "ip.flags.df", "Don't fragment", ip->df);
    B(e, "ip.flags.mf", "More fragments", ip->mf);
    N(e, "ip.frag_offset", "Fragment Offset", ip->frag_off);
    N(e, "ip.ttl", "Time to Live", ip->ttl);
    const char *pn = nt_ipproto_name(ip->proto);
    F(e, "ip.proto", "Protocol", "%s (%u)", pn ? pn : "Unknown", ip->proto);
    F(e, "ip.checksum", "Header Checksum", "0x%04x", ip->csum);
    F(e, "ip.src", "Source Address", "%s", ip4s(ip->src, s));
    F(e, "ip.dst", "Destination Address", "%s", ip4s(ip->dst, s));
    if (ip->optlen) N(e, "ip.options.len", "Options length", ip->optlen);
    e->end(e);
}

static void ipv6_layer(emitter *e, const nt_ipv6 *ip)
{
    char s[48], d[48], t[160];
    snprintf(t, sizeof t, "Internet Protocol Version 6, Src: %s, Dst: %s", ip6s(ip->src, s), ip6s(ip->dst, d));
    e->begin(e, "ipv6", t);
    N(e, "ipv6.version", "Version", ip->version);
    F(e, "ipv6.tclass", "Traffic Class", "0x%02x", ip->tclass);
    F(e, "ipv6.flow", "Flow Label", "0x%05x", ip->flow);
    N(e, "ipv6.plen", "Payload Length", ip->plen);
    const char *pn = nt_ipproto_name(ip->nxt);
    F(e, "ipv6.nxt", "Next Header", "%s (%u)", pn ? pn : "Unknown", ip->nxt);
    N(e, "ipv6.hlim", "Hop Limit", ip->hlim);
    F(e, "ipv6.src", "Source Address", "%s", ip6s(ip->src, s));
    F(e, "ipv6.dst", "Destination Address", "%s", ip6s(ip->dst, s));
    for (int i = 0; i < ip->next_ext; i++) {
        const char *en = nt_ipproto_name(ip->ext[i].type);
        F(e, "ipv6.ext", "Extension header", "%s (%u bytes)", en ? en : "Unknown", ip->ext[i].len);
    }
    if (ip->frag) {
        N(e, "ipv6.fragment.offset", "Fragment offset", ip->frag_off);
        B(e, "ipv6.fragment.more", "More Fragments", ip->mf);
        F(e, "ipv6.fragment.id", "Identification", "0x%08x", ip->frag_id);
    }
    e->end(e);
}

static void icmp_fields(emitter *e, const nt_icmp *m)
{
    const char *cs = nt_icmp_code_str(m->type, m->code);
    F(e, "icmp.type", "Type", "%u (%s)", m->type, nt_icmp_type_str(m->type));
    if (cs[0]) F(e, "icmp.code", "Code", "%u (%s)", m->code, cs);
    else N(e, "icmp.code", "Code", m->code);
    F(e, "icmp.checksum", "Checksum", "0x%04x", m->csum);
    if (m->type == 0 || m->type == 8 || m->type == 13 || m->type == 14) {
        F(e, "icmp.ident", "Identifier (BE)", "%u (0x%04x)", m->id, m->id);
        F(e, "icmp.seq", "Sequence Number (BE)", "%u (0x%04x)", m->seq, m->seq);
    }
}

static void icmpv6_fields(emitter *e, const nt_icmpv6 *m)
{
    const char *ts = nt_icmpv6_type_str(m->type);
    const char *cs = nt_icmpv6_code_str(m->type, m->code);
    F(e, "icmpv6.type", "Type", "%s (%u)", ts ? ts : "Unknown", m->type);
    if (cs) F(e, "icmpv6.code", "Code", "%u (%s)", m->code, cs);
    else N(e, "icmpv6.code", "Code", m->code);
    F(e, "icmpv6.checksum", "Checksum", "0x%04x", m->csum);
    if (m->type == 128 || m->type == 129) {
        F(e, "icmpv6.echo.identifier", "Identifier", "0x%04x", m->id);
        N(e, "icmpv6.echo.sequence_number", "Sequence", m->seq);
    }
    char s[48];
    if (m->has_target) F(e, "icmpv6.nd.ns.target_address", "Target Address", "%s", ip6s(m->target, s));
    if (m->lladdr_opt) {
        char a[20];
        F(e, m->lladdr_opt == 1 ? "icmpv6.opt.linkaddr" : "icmpv6.opt.linkaddr",
          m->lladdr_opt == 1 ? "Source link-layer address" : "Target link-layer address", "%s", macs(m->lladdr, a));
    }
    if (m->type == 143) N(e, "icmpv6.mldr.nb_mcast_records", "Number of Multicast Address Records", m->mld_nrecs);
}

static void tcp_layer(emitter *e, const nt_packet *pkt, const nt_layer *l, const nt_detail_opts *o)
{
    const nt_tcp *t = &pkt->tcp[l->idx];
    const nt_pkt_ana *a = &pkt->ana;
    bool rel = a->tcp_valid && !o->absolute_seq && !l->inner;
    char title[200];
    if (l->len >= 20 && !l->inner)
        snprintf(title, sizeof title, "Transmission Control Protocol, Src Port: %u, Dst Port: %u, Seq: %u, Ack: %u, Len: %u",
                 t->sport, t->dport, rel ? a->rel_seq : t->seq, rel ? a->rel_ack : t->ack, t->payload_len);
    else
        snprintf(title, sizeof title, "Transmission Control Protocol, Src Port: %u, Dst Port: %u", t->sport, t->dport);
    e->begin(e, "tcp", title);
    N(e, "tcp.srcport", "Source Port", t->sport);
    N(e, "tcp.dstport", "Destination Port", t->dport);
    if (a->tcp_valid && !l->inner) N(e, "tcp.stream", "Stream index", a->tcp_stream);
    if (l->inner) {
        if (l->len >= 8) N(e, "tcp.seq_raw", "Sequence Number (raw)", t->seq);
        e->end(e);
        return;
    }
    if (l->len < 20) {
        e->end(e);
        return;
    }
    N(e, "tcp.len", "TCP Segment Len", t->payload_len);
    N(e, "tcp.seq", rel ? "Sequence Number (relative)" : "Sequence Number", rel ? a->rel_seq : t->seq);
    N(e, "tcp.seq_raw", "Sequence Number (raw)", t->seq);
    if (a->tcp_valid) N(e, "tcp.nxtseq", "Next Sequence Number", rel ? a->nxtseq : t->seq + (a->nxtseq - a->rel_seq));
    N(e, "tcp.ack", rel ? "Acknowledgment Number (relative)" : "Acknowledgment Number", rel ? a->rel_ack : t->ack);
    N(e, "tcp.ack_raw", "Acknowledgment number (raw)", t->ack);
    N(e, "tcp.hdr_len", "Header Length", t->hlen);
    nt_buf fb;
    nt_buf_init(&fb);
    nt_tcp_flags_str(t->flags, &fb);
    F(e, "tcp.flags", "Flags", "0x%03x (%s)", t->flags, fb.p);
    nt_buf_free(&fb);
    B(e, "tcp.flags.ack", "Acknowledgment", t->flags & NT_TCP_ACK);
    B(e, "tcp.flags.push", "Push", t->flags & NT_TCP_PSH);
    B(e, "tcp.flags.reset", "Reset", t->flags & NT_TCP_RST);
    B(e, "tcp.flags.syn", "Syn", t->flags & NT_TCP_SYN);
    B(e, "tcp.flags.fin", "Fin", t->flags & NT_TCP_FIN);
    B(e, "tcp.flags.urg", "Urgent", t->flags & NT_TCP_URG);
    N(e, "tcp.window_size_value", "Window", t->win);
    if (a->tcp_valid) {
        N(e, "tcp.window_size", "Calculated window size", a->win);
        F(e, "tcp.window_size_scalefactor", "Window size scaling factor", "%d%s",
          a->win_scale >= 0 ? 1 << a->win_scale : a->win_scale,
          a->win_scale == -1 ? " (unknown)" : a->win_scale == -2 ? " (no window scaling used)" : "");
    }
    F(e, "tcp.checksum", "Checksum", "0x%04x", t->csum);
    N(e, "tcp.urgent_pointer", "Urgent Pointer", t->urp);
    if (t->has_mss) N(e, "tcp.options.mss_val", "MSS Value", t->mss);
    if (t->has_ws) F(e, "tcp.options.wscale.shift", "Window scale", "%u (multiply by %u)", t->ws, 1u << (t->ws > 14 ? 14 : t->ws));
    if (t->sack_perm) B(e, "tcp.options.sack_perm", "SACK permitted", true);
    for (int i = 0; i < t->nsack; i++) {
        N(e, "tcp.options.sack_le", "left edge", rel ? a->sack_rel[i][0] : t->sack[i][0]);
        N(e, "tcp.options.sack_re", "right edge", rel ? a->sack_rel[i][1] : t->sack[i][1]);
    }
    if (t->has_ts) {
        N(e, "tcp.options.timestamp.tsval", "Timestamp value", t->tsval);
        N(e, "tcp.options.timestamp.tsecr", "Timestamp echo reply", t->tsecr);
    }
    if (t->payload_len) N(e, "tcp.payload", "TCP payload bytes", t->payload_len);
    e->end(e);
}

static void udp_layer(emitter *e, const nt_packet *pkt, const nt_layer *l)
{
    const nt_udp *u = &pkt->udp[l->idx];
    char title[128];
    snprintf(title, sizeof title, "User Datagram Protocol, Src Port: %u, Dst Port: %u", u->sport, u->dport);
    e->begin(e, "udp", title);
    N(e, "udp.srcport", "Source Port", u->sport);
    N(e, "udp.dstport", "Destination Port", u->dport);
    if (l->len >= 8) {
        N(e, "udp.length", "Length", u->ulen);
        F(e, "udp.checksum", "Checksum", "0x%04x", u->csum);
    }
    if (pkt->ana.udp_valid && !l->inner) N(e, "udp.stream", "Stream index", pkt->ana.udp_stream);
    e->end(e);
}

static void walk(emitter *e, const nt_packet *pkt, const nt_detail_opts *o, nt_time first, int64_t dd, int64_t dc)
{
    frame_layer(e, pkt, first, dd, dc);
    int open_icmp = 0;
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *l = &pkt->layers[i];
        if (!l->inner && open_icmp) {
            e->end(e);
            open_icmp = 0;
        }
        switch (l->proto) {
        case NT_P_ETH: eth_layer(e, pkt); break;
        case NT_P_VLAN: vlan_layer(e, &pkt->vlan[l->idx]); break;
        case NT_P_SLL: sll_layer(e, &pkt->sll[0]); break;
        case NT_P_NULL:
            e->begin(e, "null", "Null/Loopback");
            N(e, "null.family", "Family", pkt->null[0].family);
            e->end(e);
            break;
        case NT_P_ARP: arp_layer(e, &pkt->arp[0]); break;
        case NT_P_IPV4: ipv4_layer(e, &pkt->ip4[l->idx]); break;
        case NT_P_IPV6: ipv6_layer(e, &pkt->ip6[l->idx]); break;
        case NT_P_ICMP:
            e->begin(e, "icmp", "Internet Control Message Protocol");
            icmp_fields(e, &pkt->icmp[0]);
            if (pkt->ana.request_in) N(e, "icmp.resp_to", "Response to", pkt->ana.request_in);
            /* a quoted packet's layers are nested inside the ICMP layer */
            if (pkt->icmp[0].quoted && i + 1 < pkt->nlayers && pkt->layers[i + 1].inner) open_icmp = 1;
            else e->end(e);
            break;
        case NT_P_ICMPV6:
            e->begin(e, "icmpv6", "Internet Control Message Protocol v6");
            icmpv6_fields(e, &pkt->icmp6[0]);
            if (pkt->ana.request_in) N(e, "icmpv6.resp_to", "Response to", pkt->ana.request_in);
            if (pkt->icmp6[0].quoted && i + 1 < pkt->nlayers && pkt->layers[i + 1].inner) open_icmp = 1;
            else e->end(e);
            break;
        case NT_P_TCP: tcp_layer(e, pkt, l, o); break;
        case NT_P_UDP: udp_layer(e, pkt, l); break;
        case NT_P_DATA: {
            char t[64];
            snprintf(t, sizeof t, "Data (%u bytes)", l->len);
            e->begin(e, "data", t);
            N(e, "data.len", "Length", l->len);
            e->end(e);
            break;
        }
        default: break;
        }
    }
    if (open_icmp) e->end(e);
}

void nt_detail_text(const nt_packet *pkt, const nt_detail_opts *o, nt_time first, int64_t dd, int64_t dc, nt_buf *out)
{
    emitter e = {.begin = t_begin, .field = t_field, .end = t_end, .out = out};
    nt_buf_init(&e.tmp);
    walk(&e, pkt, o, first, dd, dc);
    nt_buf_putc(out, '\n');
    nt_buf_free(&e.tmp);
}

void nt_detail_json(const nt_packet *pkt, const nt_detail_opts *o, nt_time first, int64_t dd, int64_t dc, nt_buf *out)
{
    emitter e = {.begin = j_begin, .field = j_field, .end = j_end, .out = out};
    nt_buf_init(&e.tmp);
    const nt_frame *f = pkt->frame;
    nt_json_begin(&e.j, out);
    nt_json_obj_open(&e.j, NULL);
    nt_json_u64(&e.j, "number", f->number);
    nt_buf tb;
    nt_buf_init(&tb);
    nt_buf_secs(&tb, f->ts.sec * 1000000000LL + f->ts.nsec, 9);
    nt_json_raw(&e.j, "time_epoch", tb.p);
    nt_buf_reset(&tb);
    nt_buf_secs(&tb, nt_time_diff_ns(f->ts, first), 9);
    nt_json_raw(&e.j, "time_relative", tb.p);
    nt_buf_reset(&tb);
    nt_buf_secs(&tb, dd, 9);
    nt_json_raw(&e.j, "time_delta_displayed", tb.p);
    nt_buf_reset(&tb);
    nt_col_src(pkt, &tb);
    nt_json_str(&e.j, "src", tb.p);
    nt_buf_reset(&tb);
    nt_col_dst(pkt, &tb);
    nt_json_str(&e.j, "dst", tb.p);
    nt_buf_reset(&tb);
    nt_col_protocol(pkt, &tb);
    nt_json_str(&e.j, "protocol", tb.p);
    nt_json_u64(&e.j, "length", f->len);
    nt_json_u64(&e.j, "caplen", f->caplen);
    nt_buf_reset(&tb);
    nt_packet tmp = *pkt;
    if (o->absolute_seq) tmp.ana.tcp_valid = false;
    nt_col_info(&tmp, &tb);
    nt_json_str(&e.j, "info", tb.p);
    if (pkt->flags & NT_PKT_MALFORMED) nt_json_str(&e.j, "malformed", pkt->malformed ? pkt->malformed : "");
    if (pkt->flags & NT_PKT_TRUNCATED) nt_json_bool(&e.j, "truncated", true);
    nt_buf_free(&tb);
    nt_json_obj_open(&e.j, "layers");
    walk(&e, pkt, o, first, dd, dc);
    nt_json_obj_close(&e.j);
    nt_json_obj_close(&e.j);
    nt_buf_putc(out, '\n');
    nt_buf_free(&e.tmp);
}
