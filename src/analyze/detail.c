/* detail.c - see detail.h. One walker emits (key, label, value) triples;
 * a text emitter indents them under a title line per layer, a JSON emitter
 * writes them as an object per layer keyed by Wireshark's field names. */
#include "nettracer/detail.h"
#include "nettracer/trace.h"
#include "nettracer/columns.h"
#include "nettracer/registry.h"
#include "nettracer/app.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct emitter emitter;
struct emitter {
    void (*begin)(emitter *e, const char *key, const char *title);
    /* raw: the value as `tshark -T fields` prints it (a JSON number when
     * number is set); shown: what -V prints after the label */
    void (*field)(emitter *e, const char *key, const char *label, bool number, const char *raw, const char *shown);
    void (*end)(emitter *e);
    nt_buf *out;
    nt_json j;
    int depth;
    /* JSON: layer names already used at each nesting level, so that a
     * second "ip" (IP in IP) becomes "ip#2" instead of a duplicate key */
    const char *used[4][NT_MAX_LAYERS + 2];
    int nused[4];
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
static void t_field(emitter *e, const char *key, const char *label, bool number, const char *raw, const char *val)
{
    (void)key, (void)number, (void)raw;
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
    int lvl = e->depth < 4 ? e->depth : 3;
    int seen = 1;
    for (int i = 0; i < e->nused[lvl]; i++) seen += !strcmp(e->used[lvl][i], key);
    if (e->nused[lvl] < NT_MAX_LAYERS + 2) e->used[lvl][e->nused[lvl]++] = key;
    if (e->depth + 1 < 4) e->nused[e->depth + 1] = 0;
    e->depth++;
    if (seen == 1) {
        nt_json_obj_open(&e->j, key);
    } else {
        char k[40];
        snprintf(k, sizeof k, "%s#%d", key, seen);
        nt_json_obj_open(&e->j, k);
    }
}
static void j_field(emitter *e, const char *key, const char *label, bool number, const char *raw, const char *val)
{
    (void)label, (void)val;
    if (number) nt_json_raw(&e->j, key, raw);
    else nt_json_str(&e->j, key, raw);
}
static void j_end(emitter *e)
{
    e->depth--;
    nt_json_obj_close(&e->j);
}

/* helpers --------------------------------------------------------------- */

/* S: a string shown as it is. */
static void S(emitter *e, const char *key, const char *label, const char *v) { e->field(e, key, label, false, v, v); }

/* F: a string value with its own display text. */
static void F(emitter *e, const char *key, const char *label, const char *raw, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void F(emitter *e, const char *key, const char *label, const char *raw, const char *fmt, ...)
{
    char shown[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(shown, sizeof shown, fmt, ap);
    va_end(ap);
    e->field(e, key, label, false, raw, shown);
}

/* N: a decimal number; ND: the same with display text. */
static void N(emitter *e, const char *key, const char *label, uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%llu", (unsigned long long)v);
    e->field(e, key, label, true, s, s);
}
static void ND(emitter *e, const char *key, const char *label, uint64_t v, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void ND(emitter *e, const char *key, const char *label, uint64_t v, const char *fmt, ...)
{
    char s[24], shown[512];
    snprintf(s, sizeof s, "%llu", (unsigned long long)v);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(shown, sizeof shown, fmt, ap);
    va_end(ap);
    e->field(e, key, label, true, s, shown);
}

/* H: a number Wireshark shows in hex ("0x0800"), with display text. */
static void H(emitter *e, const char *key, const char *label, uint64_t v, int digits, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void H(emitter *e, const char *key, const char *label, uint64_t v, int digits, const char *fmt, ...)
{
    char s[24], shown[512];
    snprintf(s, sizeof s, "0x%0*llx", digits, (unsigned long long)v);
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(shown, sizeof shown, fmt, ap);
        va_end(ap);
    } else {
        snprintf(shown, sizeof shown, "%s", s);
    }
    e->field(e, key, label, false, s, shown);
}

static void B(emitter *e, const char *key, const char *label, bool v)
{
    e->field(e, key, label, true, v ? "true" : "false", v ? "Set" : "Not set");
}

/* a time in seconds, written with nine decimals */
static void T(emitter *e, const char *key, const char *label, int64_t ns)
{
    nt_buf tb;
    nt_buf_init(&tb);
    nt_buf_secs(&tb, ns, 9);
    char shown[64];
    snprintf(shown, sizeof shown, "%s seconds", tb.p);
    e->field(e, key, label, true, tb.p, shown);
    nt_buf_free(&tb);
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

static void frame_layer(emitter *e, const nt_packet *pkt)
{
    const nt_frame *f = pkt->frame;
    char title[128];
    snprintf(title, sizeof title, "Frame %llu: %u bytes on wire (%u bits), %u bytes captured (%u bits)",
             (unsigned long long)f->number, f->len, f->len * 8, f->caplen, f->caplen * 8);
    e->begin(e, "frame", title);
    if (!f->no_ts) {
        nt_buf tb;
        nt_buf_init(&tb);
        nt_buf_datetime(&tb, f->ts, 9, true);
        nt_buf_puts(&tb, " UTC");
        S(e, "frame.time", "Arrival Time", tb.p);
        nt_buf_free(&tb);
        T(e, "frame.time_epoch", "Epoch Time", f->ts.sec * 1000000000LL + f->ts.nsec);
        T(e, "frame.time_delta", "Time delta from previous captured frame", pkt->ana.delta_ns);
        T(e, "frame.time_delta_displayed", "Time delta from previous displayed frame", pkt->ana.delta_disp_ns);
        T(e, "frame.time_relative", "Time since reference or first frame", pkt->ana.rel_ns);
    }
    N(e, "frame.number", "Frame Number", f->number);
    ND(e, "frame.len", "Frame Length", f->len, "%u bytes (%u bits)", f->len, f->len * 8);
    ND(e, "frame.cap_len", "Capture Length", f->caplen, "%u bytes (%u bits)", f->caplen, f->caplen * 8);
    const char *ln = nt_linktype_name(f->linktype);
    ND(e, "frame.encap_type", "Encapsulation type", f->linktype, "%s (%u)", ln ? ln : "Unknown", f->linktype);
    N(e, "frame.interface_id", "Interface id", f->ifidx);
    for (int i = 0; i < f->ncomments; i++) {
        char c[600];
        size_t n = f->comments[i].len < sizeof c - 1 ? f->comments[i].len : sizeof c - 1;
        memcpy(c, f->comments[i].s, n);
        c[n] = 0;
        S(e, "frame.comment", "Comment", c);
    }
    if (pkt->flags & NT_PKT_MALFORMED) S(e, "_ws.malformed", "[Malformed Packet]", pkt->malformed ? pkt->malformed : "");
    else if (pkt->flags & NT_PKT_TRUNCATED)
        S(e, "_ws.short", "[Packet size limited during capture]", pkt->malformed ? pkt->malformed : "");
    e->end(e);
}

static void eth_layer(emitter *e, const nt_packet *pkt)
{
    const nt_eth *eh = &pkt->eth[0];
    char a[20], b[20], t[160];
    snprintf(t, sizeof t, "Ethernet II, Src: %s, Dst: %s", macs(eh->src, a), macs(eh->dst, b));
    e->begin(e, "eth", t);
    S(e, "eth.dst", "Destination", macs(eh->dst, a));
    S(e, "eth.src", "Source", macs(eh->src, a));
    if (eh->is_8023) N(e, "eth.len", "Length", eh->len8023);
    else {
        const char *n = nt_ethertype_name(eh->type);
        H(e, "eth.type", "Type", eh->type, 4, "%s (0x%04x)", n ? n : "Unknown", eh->type);
    }
    e->end(e);
}

static void vlan_layer(emitter *e, const nt_vlan *v)
{
    char t[128];
    bool ad = v->tpid == 0x88a8;
    if (ad) snprintf(t, sizeof t, "IEEE 802.1ad, ID: %u", v->id);
    else snprintf(t, sizeof t, "802.1Q Virtual LAN, PRI: %u, DEI: %u, ID: %u", v->pri, v->dei, v->id);
    e->begin(e, ad ? "ieee8021ad" : "vlan", t);
    N(e, ad ? "ieee8021ad.priority" : "vlan.priority", "Priority", v->pri);
    N(e, ad ? "ieee8021ad.dei" : "vlan.dei", "DEI", v->dei);
    N(e, ad ? "ieee8021ad.id" : "vlan.id", "ID", v->id);
    const char *n = nt_ethertype_name(v->etype);
    H(e, ad ? "ieee8021ad.type" : "vlan.etype", "Type", v->etype, 4, "%s (0x%04x)", n ? n : "Unknown", v->etype);
    e->end(e);
}

static void sll_layer(emitter *e, const nt_sll *s)
{
    e->begin(e, s->v2 ? "sll" : "sll", s->v2 ? "Linux cooked capture v2" : "Linux cooked capture v1");
    const char *pt[] = {"Unicast to us", "Broadcast", "Multicast", "Unicast to another host", "Sent by us"};
    ND(e, "sll.pkttype", "Packet type", s->pkttype, "%s (%u)", s->pkttype < 5 ? pt[s->pkttype] : "Unknown", s->pkttype);
    N(e, "sll.hatype", "Link-layer address type", s->hatype);
    N(e, "sll.halen", "Link-layer address length", s->halen);
    if (s->halen == 6) {
        char a[20];
        S(e, "sll.src.eth", "Source", macs(s->addr, a));
    }
    if (s->v2) N(e, "sll.ifindex", "Interface index", s->ifindex);
    const char *n = nt_ethertype_name(s->protocol);
    H(e, "sll.etype", "Protocol", s->protocol, 4, "%s (0x%04x)", n ? n : "Unknown", s->protocol);
    e->end(e);
}

static void arp_layer(emitter *e, const nt_arp *a)
{
    const char *op = a->op == 1 ? "request" : a->op == 2 ? "reply" : a->op == 3 ? "reverse request" : a->op == 4 ? "reverse reply" : "unknown";
    char t[64];
    snprintf(t, sizeof t, "Address Resolution Protocol (%s)", op);
    e->begin(e, "arp", t);
    N(e, "arp.hw.type", "Hardware type", a->htype);
    H(e, "arp.proto.type", "Protocol type", a->ptype, 4, NULL);
    N(e, "arp.hw.size", "Hardware size", a->hlen);
    N(e, "arp.proto.size", "Protocol size", a->plen);
    ND(e, "arp.opcode", "Opcode", a->op, "%s (%u)", op, a->op);
    char s[20];
    if (a->sha && a->hlen == 6) S(e, "arp.src.hw_mac", "Sender MAC address", macs(a->sha, s));
    if (a->sha && a->ptype == 0x0800 && a->plen == 4) S(e, "arp.src.proto_ipv4", "Sender IP address", ip4s(a->spa, s));
    if (a->sha && a->hlen == 6) S(e, "arp.dst.hw_mac", "Target MAC address", macs(a->tha, s));
    if (a->sha && a->ptype == 0x0800 && a->plen == 4) S(e, "arp.dst.proto_ipv4", "Target IP address", ip4s(a->tpa, s));
    e->end(e);
}

static void ipv4_layer(emitter *e, const nt_ipv4 *ip)
{
    char s[20], d[20], t[160];
    snprintf(t, sizeof t, "Internet Protocol Version 4, Src: %s, Dst: %s", ip4s(ip->src, s), ip4s(ip->dst, d));
    e->begin(e, "ip", t);
    N(e, "ip.version", "Version", ip->version);
    if (!ip->v6) ND(e, "ip.hdr_len", "Header Length", ip->ihl * 4u, "%u bytes (%u)", ip->ihl * 4u, ip->ihl);
    if (ip->bad_ihl || ip->v6 || ip->hdr_cap < 20) {
        /* Wireshark decodes nothing past a bogus header length or a version
         * 6; of a header cut short, the fields that are there */
        if (!ip->bad_ihl && !ip->v6) {
            if (ip->hdr_cap >= 4) N(e, "ip.len", "Total Length", ip->tot_len);
            if (ip->hdr_cap >= 6) H(e, "ip.id", "Identification", ip->id, 4, NULL);
            if (ip->hdr_cap >= 9) N(e, "ip.ttl", "Time to Live", ip->ttl);
            if (ip->hdr_cap >= 10) N(e, "ip.proto", "Protocol", ip->proto);
            if (ip->hdr_cap >= 16) S(e, "ip.src", "Source Address", ip4s(ip->src, s));
        }
        e->end(e);
        return;
    }
    H(e, "ip.dsfield", "Differentiated Services Field", ip->tos, 2, "0x%02x (DSCP: %u, ECN: %u)", ip->tos, ip->tos >> 2, ip->tos & 3);
    /* a zero total length (segmentation offload) shows the length used */
    N(e, "ip.len", "Total Length", ip->tot_len ? ip->tot_len : ip->payload_len + ip->ihl * 4u);
    H(e, "ip.id", "Identification", ip->id, 4, "0x%04x (%u)", ip->id, ip->id);
    B(e, "ip.flags.rb", "Reserved bit", ip->rb);
    B(e, "ip.flags.df", "Don't fragment", ip->df);
    B(e, "ip.flags.mf", "More fragments", ip->mf);
    ND(e, "ip.frag_offset", "Fragment Offset", ip->frag_off / 8u, "%u (%u bytes)", ip->frag_off / 8u, ip->frag_off);
    N(e, "ip.ttl", "Time to Live", ip->ttl);
    const char *pn = nt_ipproto_name(ip->proto);
    ND(e, "ip.proto", "Protocol", ip->proto, "%s (%u)", pn ? pn : "Unknown", ip->proto);
    H(e, "ip.checksum", "Header Checksum", ip->csum, 4, NULL);
    S(e, "ip.src", "Source Address", ip4s(ip->src, s));
    if (!ip->opts && ip->ihl > 5) { /* options cut: Wireshark stops here */
        e->end(e);
        return;
    }
    S(e, "ip.dst", "Destination Address", ip4s(ip->dst, s));
    if (ip->optlen) N(e, "ip.options.len", "Options length", ip->optlen);
    e->end(e);
}

static void ipv6_layer(emitter *e, const nt_ipv6 *ip)
{
    char s[48], d[48], t[160];
    snprintf(t, sizeof t, "Internet Protocol Version 6, Src: %s, Dst: %s", ip6s(ip->src, s), ip6s(ip->dst, d));
    e->begin(e, "ipv6", t);
    N(e, "ip.version", "Version", ip->version); /* Wireshark adds both names */
    N(e, "ipv6.version", "Version", ip->version);
    H(e, "ipv6.tclass", "Traffic Class", ip->tclass, 2, NULL);
    H(e, "ipv6.flow", "Flow Label", ip->flow, 5, NULL);
    N(e, "ipv6.plen", "Payload Length", ip->plen);
    const char *pn = nt_ipproto_name(ip->nxt);
    ND(e, "ipv6.nxt", "Next Header", ip->nxt, "%s (%u)", pn ? pn : "Unknown", ip->nxt);
    N(e, "ipv6.hlim", "Hop Limit", ip->hlim);
    S(e, "ipv6.src", "Source Address", ip6s(ip->src, s));
    S(e, "ipv6.dst", "Destination Address", ip6s(ip->dst, s));
    for (int i = 0; i < ip->next_ext; i++) {
        const char *en = nt_ipproto_name(ip->ext[i].type);
        F(e, "ipv6.ext", "Extension header", en ? en : "Unknown", "%s (%u bytes)", en ? en : "Unknown", ip->ext[i].len);
    }
    if (ip->frag) {
        N(e, "ipv6.fragment.offset", "Fragment offset", ip->frag_off);
        B(e, "ipv6.fragment.more", "More Fragments", ip->mf);
        H(e, "ipv6.fragment.id", "Identification", ip->frag_id, 8, NULL);
    }
    e->end(e);
}

static void icmp_fields(emitter *e, const nt_icmp *m)
{
    const char *cs = nt_icmp_code_str(m->type, m->code);
    ND(e, "icmp.type", "Type", m->type, "%u (%s)", m->type, nt_icmp_type_str(m->type));
    if (cs[0]) ND(e, "icmp.code", "Code", m->code, "%u (%s)", m->code, cs);
    else N(e, "icmp.code", "Code", m->code);
    H(e, "icmp.checksum", "Checksum", m->csum, 4, NULL);
    if (m->type == 0 || m->type == 8 || m->type == 13 || m->type == 14) {
        ND(e, "icmp.ident", "Identifier (BE)", m->id, "%u (0x%04x)", m->id, m->id);
        ND(e, "icmp.seq", "Sequence Number (BE)", m->seq, "%u (0x%04x)", m->seq, m->seq);
    }
}

static void icmpv6_fields(emitter *e, const nt_icmpv6 *m)
{
    const char *ts = nt_icmpv6_type_str(m->type);
    const char *cs = nt_icmpv6_code_str(m->type, m->code);
    ND(e, "icmpv6.type", "Type", m->type, "%s (%u)", ts ? ts : "Unknown", m->type);
    if (cs) ND(e, "icmpv6.code", "Code", m->code, "%u (%s)", m->code, cs);
    else N(e, "icmpv6.code", "Code", m->code);
    H(e, "icmpv6.checksum", "Checksum", m->csum, 4, NULL);
    if (m->type == 128 || m->type == 129) {
        H(e, "icmpv6.echo.identifier", "Identifier", m->id, 4, NULL);
        N(e, "icmpv6.echo.sequence_number", "Sequence", m->seq);
    }
    char s[48];
    if (m->has_target)
        S(e, m->type == 135 ? "icmpv6.nd.ns.target_address" : m->type == 136 ? "icmpv6.nd.na.target_address"
                                                                               : "icmpv6.rd.target_address",
          "Target Address", ip6s(m->target, s));
    if (m->lladdr_opt) {
        char a[20];
        S(e, m->lladdr_opt == 1 ? "icmpv6.opt.src_linkaddr" : "icmpv6.opt.target_linkaddr",
          m->lladdr_opt == 1 ? "Source link-layer address" : "Target link-layer address", macs(m->lladdr, a));
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
    if (a->inner_tcp_valid && l->inner) N(e, "tcp.stream", "Stream index", a->inner_tcp_stream);
    if (t->bad_hlen == 1 && !l->inner) { /* Wireshark stops at a bogus header length */
        N(e, "tcp.hdr_len", "Header Length", t->hlen);
        N(e, "tcp.len", "TCP Segment Len", t->payload_len);
        N(e, "tcp.seq", rel ? "Sequence Number (relative sequence number)" : "Sequence Number", rel ? a->rel_seq : t->seq);
        N(e, "tcp.seq_raw", "Sequence Number (raw)", t->seq);
        e->end(e);
        return;
    }
    if (l->inner && (l->len < 20 || t->hlen < 20)) {
        if (l->len >= 8) N(e, "tcp.seq", "Sequence Number", t->seq);
        e->end(e);
        return;
    }
    /* a whole header quoted by an ICMP error: raw numbers, no analysis */
    nt_pkt_ana none = {0};
    if (l->inner) a = &none;
    if (l->len < 20) {
        e->end(e);
        return;
    }
    if (!t->bad_hlen && !l->inner) N(e, "tcp.len", "TCP Segment Len", t->payload_len);
    N(e, "tcp.seq", rel ? "Sequence Number (relative sequence number)" : "Sequence Number", rel ? a->rel_seq : t->seq);
    if (!l->inner) N(e, "tcp.seq_raw", "Sequence Number (raw)", t->seq);
    if (a->tcp_valid && !t->bad_hlen)
        N(e, "tcp.nxtseq", rel ? "Next Sequence Number (relative sequence number)" : "Next Sequence Number",
          rel ? a->nxtseq : t->seq + (a->nxtseq - a->rel_seq));
    N(e, "tcp.ack", rel ? "Acknowledgment Number (relative ack number)" : "Acknowledgment Number", rel ? a->rel_ack : t->ack);
    N(e, "tcp.ack_raw", "Acknowledgment number (raw)", t->ack);
    ND(e, "tcp.hdr_len", "Header Length", t->hlen, "%u bytes (%u)", t->hlen, t->hlen / 4);
    nt_buf fb;
    nt_buf_init(&fb);
    nt_tcp_flags_str(t->flags, &fb);
    H(e, "tcp.flags", "Flags", t->flags, 4, "0x%03x (%s)", t->flags, fb.p);
    nt_buf_free(&fb);
    B(e, "tcp.flags.urg", "Urgent", t->flags & NT_TCP_URG);
    B(e, "tcp.flags.ack", "Acknowledgment", t->flags & NT_TCP_ACK);
    B(e, "tcp.flags.push", "Push", t->flags & NT_TCP_PSH);
    B(e, "tcp.flags.reset", "Reset", t->flags & NT_TCP_RST);
    B(e, "tcp.flags.syn", "Syn", t->flags & NT_TCP_SYN);
    B(e, "tcp.flags.fin", "Fin", t->flags & NT_TCP_FIN);
    N(e, "tcp.window_size_value", "Window", t->win);
    if (l->inner) N(e, "tcp.window_size", "Calculated window size", t->win);
    if (a->tcp_valid) {
        N(e, "tcp.window_size", "Calculated window size", a->win);
        if (!(t->flags & NT_TCP_SYN)) {
            int64_t sf = a->win_scale >= 0 ? (1 << a->win_scale) : a->win_scale;
            char raw[24];
            snprintf(raw, sizeof raw, "%lld", (long long)sf);
            char shown[64];
            snprintf(shown, sizeof shown, "%lld%s", (long long)sf,
                     a->win_scale == -1 ? " (unknown)" : a->win_scale == -2 ? " (no window scaling used)" : "");
            e->field(e, "tcp.window_size_scalefactor", "Window size scaling factor", true, raw, shown);
        }
    }
    H(e, "tcp.checksum", "Checksum", t->csum, 4, NULL);
    N(e, "tcp.urgent_pointer", "Urgent Pointer", t->urp);
    if (t->has_mss) N(e, "tcp.options.mss_val", "MSS Value", t->mss);
    if (t->has_ws)
        ND(e, "tcp.options.wscale.shift", "Window scale", t->ws, "%u (multiply by %u)", t->ws, 1u << (t->ws > 14 ? 14 : t->ws));
    if (t->sack_perm) B(e, "tcp.options.sack_perm", "TCP SACK Permitted Option", true);
    for (int i = 0; i < t->nsack; i++) {
        N(e, "tcp.options.sack_le", "left edge", rel ? a->sack_rel[i][0] : t->sack[i][0]);
        N(e, "tcp.options.sack_re", "right edge", rel ? a->sack_rel[i][1] : t->sack[i][1]);
    }
    if (t->has_ts || t->tsval_only) N(e, "tcp.options.timestamp.tsval", "Timestamp value", t->tsval);
    if (t->has_ts) N(e, "tcp.options.timestamp.tsecr", "Timestamp echo reply", t->tsecr);
    if (a->tcp_valid && (a->tcp_flags || a->has_irtt || a->acks_frame || a->bytes_in_flight)) {
        static const struct { uint32_t f; const char *key, *label; } ta[] = {
            {NT_TA_RETRANSMISSION, "tcp.analysis.retransmission", "This frame is a (suspected) retransmission"},
            {NT_TA_FAST_RETRANSMISSION, "tcp.analysis.fast_retransmission", "This frame is a (suspected) fast retransmission"},
            {NT_TA_SPURIOUS_RETRANS, "tcp.analysis.spurious_retransmission", "This frame is a (suspected) spurious retransmission"},
            {NT_TA_OUT_OF_ORDER, "tcp.analysis.out_of_order", "This frame is a (suspected) out-of-order segment"},
            {NT_TA_LOST_SEGMENT, "tcp.analysis.lost_segment", "Previous segment(s) not captured"},
            {NT_TA_ACK_LOST_SEGMENT, "tcp.analysis.ack_lost_segment", "ACKed segment that wasn't captured"},
            {NT_TA_DUPLICATE_ACK, "tcp.analysis.duplicate_ack", "Duplicate ACK"},
            {NT_TA_ZERO_WINDOW, "tcp.analysis.zero_window", "TCP Zero Window segment"},
            {NT_TA_ZERO_WINDOW_PROBE, "tcp.analysis.zero_window_probe", "TCP Zero Window Probe"},
            {NT_TA_ZERO_WINDOW_PROBE_ACK, "tcp.analysis.zero_window_probe_ack", "ACK to a TCP Zero Window Probe"},
            {NT_TA_WINDOW_FULL, "tcp.analysis.window_full", "TCP window is now completely full"},
            {NT_TA_WINDOW_UPDATE, "tcp.analysis.window_update", "TCP window update"},
            {NT_TA_KEEP_ALIVE, "tcp.analysis.keep_alive", "TCP keep-alive segment"},
            {NT_TA_KEEP_ALIVE_ACK, "tcp.analysis.keep_alive_ack", "ACK to a TCP keep-alive segment"},
            {NT_TA_REUSED_PORTS, "tcp.analysis.reused_ports", "A new session with the same ports as an earlier one"},
        };
        e->begin(e, "tcp.analysis", "SEQ/ACK analysis");
        if (a->acks_frame) {
            N(e, "tcp.analysis.acks_frame", "This is an ACK to the segment in frame", a->acks_frame);
            T(e, "tcp.analysis.ack_rtt", "The RTT to ACK the segment was", a->ack_rtt_ns);
        }
        if (a->has_irtt) T(e, "tcp.analysis.initial_rtt", "iRTT", a->irtt_ns);
        if (a->bytes_in_flight) N(e, "tcp.analysis.bytes_in_flight", "Bytes in flight", a->bytes_in_flight);
        for (size_t i = 0; i < sizeof ta / sizeof ta[0]; i++)
            if (a->tcp_flags & ta[i].f) e->field(e, ta[i].key, ta[i].label, true, "true", "Set");
        if (a->tcp_flags & NT_TA_DUPLICATE_ACK) {
            N(e, "tcp.analysis.duplicate_ack_num", "Duplicate ACK #", a->dupack_num);
            N(e, "tcp.analysis.duplicate_ack_frame", "Duplicate to the ACK in frame", a->dupack_frame);
        }
        e->end(e);
    }
    /* reassembly gave up a message whose missing bytes never arrived and
     * resumed at the next message boundary (nettracer's, not tshark's) */
    const nt_appdata *ad = pkt->app;
    if (!l->inner && ad && ad->resync_from) {
        char v[200];
        if (ad->resync_missing)
            snprintf(v, sizeof v, "%llu (%llu bytes of it never captured)",
                     (unsigned long long)ad->resync_from, (unsigned long long)ad->resync_missing);
        else
            snprintf(v, sizeof v, "%llu (never completed)",
                     (unsigned long long)ad->resync_from);
        char raw[24];
        snprintf(raw, sizeof raw, "%llu", (unsigned long long)ad->resync_from);
        e->field(e, "tcp.reassembly_resumed_after", "Decoding resumed after the incomplete message of frame", true, raw, v);
    }
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
        if (u->bad_len != 1 || l->inner) H(e, "udp.checksum", "Checksum", u->csum, 4, NULL);
    }
    if (pkt->ana.udp_valid && !l->inner) N(e, "udp.stream", "Stream index", pkt->ana.udp_stream);
    if (pkt->ana.inner_udp_valid && l->inner) N(e, "udp.stream", "Stream index", pkt->ana.inner_udp_stream);
    e->end(e);
}

/* application layers ------------------------------------------------------ */

/* The application fields Wireshark declares BASE_HEX or BASE_HEX_DEC
 * (`tshark -G fields`, column 6): written as 0x and two digits per byte.
 * Sorted for bsearch; tests/diff/tshark_detail.sh compares the values. */
static const char *const hex_fields[] = {
    "cotp.destref", "cotp.srcref", "cotp.type", "dhcp.id", "dns.flags", "dns.id", "nbns.flags", "nbns.id",
    "rdp.negFailure.failureCode", "rdp.negReq.requestedProtocols", "rdp.negReq.selectedProtocol", "rdp.neg_type",
    "rtcp.senderssrc", "rtp.ssrc", "stun.att.channelnum", "stun.att.crc32", "stun.att.family",
    "stun.att.magic_cookie", "stun.att.transp", "stun.att.type", "stun.att.unknown", "stun.channel", "stun.type",
    "stun.type.class", "stun.type.method", "tls.handshake.ciphersuite", "tls.handshake.extensions.supported_version",
    "tls.handshake.version", "tls.record.version",
};
static int cmp_name(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* One occurrence as `-T fields` would give it (raw) and as shown after the
 * label; strings from the packet are shown with control bytes escaped. */
static bool fv_format(const nt_fvalue *v, int hex, char *raw, size_t rn, char *shown, size_t sn)
{
    char a[48];
    switch (v->type) {
    case NT_FT_UINT:
        if (hex) {
            snprintf(raw, rn, "0x%0*llx", hex, (unsigned long long)v->v.u);
            snprintf(shown, sn, "%s (%llu)", raw, (unsigned long long)v->v.u);
            return true;
        }
        /* fall through */
    case NT_FT_FRAMENUM: snprintf(raw, rn, "%llu", (unsigned long long)v->v.u); break;
    case NT_FT_INT: snprintf(raw, rn, "%lld", (long long)v->v.i); break;
    case NT_FT_BOOL:
        snprintf(raw, rn, "%s", v->v.u ? "1" : "0");
        snprintf(shown, sn, "%s", v->v.u ? "True" : "False");
        return true;
    case NT_FT_DOUBLE: snprintf(raw, rn, "%g", v->v.d); break;
    case NT_FT_IPV4: snprintf(raw, rn, "%s", ip4s(v->v.addr, a)); break;
    case NT_FT_IPV6: snprintf(raw, rn, "%s", ip6s(v->v.addr, a)); break;
    case NT_FT_ETHER: snprintf(raw, rn, "%s", macs(v->v.addr, a)); break;
    case NT_FT_RELTIME: {
        nt_buf tb;
        nt_buf_init(&tb);
        nt_buf_secs(&tb, v->v.i, 9);
        snprintf(raw, rn, "%s", tb.p);
        snprintf(shown, sn, "%s seconds", tb.p);
        nt_buf_free(&tb);
        return true;
    }
    case NT_FT_LABEL:
        snprintf(raw, rn, "%s", "");
        snprintf(shown, sn, "%s", "(present)");
        return true;
    case NT_FT_STRING: {
        size_t k = 0, j = 0;
        for (uint32_t i = 0; i < v->len && k + 1 < rn; i++) raw[k++] = (char)v->p[i];
        raw[k] = 0;
        for (uint32_t i = 0; i < v->len && j + 5 < sn; i++) {
            uint8_t c = v->p[i];
            if (c >= 0x20 && c != 0x7f) shown[j++] = (char)c;
            else j += (size_t)snprintf(shown + j, sn - j, "\\x%02x", c);
        }
        shown[j] = 0;
        return true;
    }
    default: return false;
    }
    snprintf(shown, sn, "%s", raw);
    return true;
}

/* The application protocols of the frame, each with every registry field
 * it has here (Wireshark's field names as keys); a field that occurs more
 * than once has its values joined with commas, as `-T fields` does. */
static void app_layers(emitter *e, const nt_packet *pkt)
{
    static const char *const protos[] = {"tls", "http", "dns", "sip", "sdp", "rtp", "rtcp",
                                         "stun", "dhcp", "nbns", "tpkt", "cotp", "rdp"};
    if (!pkt->app) return;
    enum { MAXV = 2048 }; /* a CertificateRequest may list hundreds of CA name parts */
    nt_fvalue *v = malloc(MAXV * sizeof *v);
    if (!v) abort();
    nt_buf raw, shown;
    nt_buf_init(&raw);
    nt_buf_init(&shown);
    for (size_t p = 0; p < sizeof protos / sizeof protos[0]; p++) {
        const nt_field *pf = nt_field_find(&nt_registry, protos[p]);
        if (!pf || nt_field_get(&nt_registry, pf, pkt, v, 1) <= 0) continue;
        e->begin(e, protos[p], pf->desc ? pf->desc : protos[p]);
        size_t pl = strlen(protos[p]);
        for (size_t i = 0, nf = nt_field_count(&nt_registry); i < nf; i++) {
            const nt_field *g = nt_field_at(&nt_registry, i);
            bool mine = !strncmp(g->name, protos[p], pl) && g->name[pl] == '.';
            if (p == 0 && !strncmp(g->name, "x509", 4)) mine = true; /* certificates belong to TLS */
            if (!mine || g->type == NT_FT_PROTOCOL) continue;
            int n = nt_field_get(&nt_registry, g, pkt, v, MAXV);
            if (n <= 0) continue;
            int hex = bsearch(&g->name, hex_fields, sizeof hex_fields / sizeof hex_fields[0], sizeof hex_fields[0],
                              cmp_name) ? 2 * (g->size ? g->size : 2) : 0;
            nt_buf_reset(&raw);
            nt_buf_reset(&shown);
            char r1[1024], s1[600];
            for (int k = 0; k < n; k++) {
                if (v[k].type == NT_FT_BYTES) { /* any length: a certificate is kilobytes */
                    if (k) nt_buf_putc(&raw, ','), nt_buf_puts(&shown, ", ");
                    for (uint32_t b = 0; b < v[k].len; b++) nt_buf_hex(&raw, v[k].p[b], 2, false);
                    for (uint32_t b = 0; b < v[k].len && b < 64; b++) nt_buf_hex(&shown, v[k].p[b], 2, false);
                    continue;
                }
                if (!fv_format(&v[k], hex, r1, sizeof r1, s1, sizeof s1)) continue;
                if (k) nt_buf_putc(&raw, ','), nt_buf_puts(&shown, ", ");
                nt_buf_puts(&raw, r1);
                nt_buf_puts(&shown, s1);
            }
            /* -V shows long values cut, as Wireshark's tree does */
            if (shown.len > 240) {
                shown.len = 240;
                shown.p[240] = 0;
                nt_buf_puts(&shown, "...");
            }
            bool num = n == 1 && !hex && (g->type == NT_FT_UINT || g->type == NT_FT_INT || g->type == NT_FT_FRAMENUM);
            e->field(e, g->name, g->desc ? g->desc : g->name, num, raw.p ? raw.p : "", shown.p ? shown.p : "");
        }
        e->end(e);
    }
    nt_buf_free(&raw);
    nt_buf_free(&shown);
    free(v);
}

static void walk(emitter *e, const nt_packet *pkt, const nt_detail_opts *o)
{
    frame_layer(e, pkt);
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
            if (l->inner) {
                e->begin(e, "icmp", "Internet Control Message Protocol");
                icmp_fields(e, &pkt->icmp[1]);
                e->end(e);
                break;
            }
            e->begin(e, "icmp", "Internet Control Message Protocol");
            icmp_fields(e, &pkt->icmp[0]);
            if (pkt->ana.request_in) N(e, "icmp.resp_to", "Response to", pkt->ana.request_in);
            /* a quoted packet's layers are nested inside the ICMP layer */
            if (pkt->icmp[0].quoted && i + 1 < pkt->nlayers && pkt->layers[i + 1].inner) open_icmp = 1;
            else e->end(e);
            break;
        case NT_P_ICMPV6:
            if (l->inner) {
                e->begin(e, "icmpv6", "Internet Control Message Protocol v6");
                icmpv6_fields(e, &pkt->icmp6[1]);
                e->end(e);
                break;
            }
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
    app_layers(e, pkt);
}

void nt_detail_text(const nt_packet *pkt, const nt_detail_opts *o, nt_buf *out)
{
    emitter e = {.begin = t_begin, .field = t_field, .end = t_end, .out = out};
    walk(&e, pkt, o);
    nt_buf_putc(out, '\n');
}

void nt_detail_json(const nt_packet *pkt, const nt_detail_opts *o, nt_buf *out)
{
    emitter e = {.begin = j_begin, .field = j_field, .end = j_end, .out = out};
    const nt_frame *f = pkt->frame;
    nt_json_begin(&e.j, out);
    nt_json_obj_open(&e.j, NULL);
    nt_json_u64(&e.j, "number", f->number);
    nt_buf tb;
    nt_buf_init(&tb);
    if (!f->no_ts) { /* pcapng simple packet and custom blocks have no time */
        nt_buf_secs(&tb, f->ts.sec * 1000000000LL + f->ts.nsec, 9);
        nt_json_raw(&e.j, "time_epoch", tb.p);
        nt_buf_reset(&tb);
        nt_buf_secs(&tb, pkt->ana.rel_ns, 9);
        nt_json_raw(&e.j, "time_relative", tb.p);
        nt_buf_reset(&tb);
        nt_buf_secs(&tb, pkt->ana.delta_disp_ns, 9);
        nt_json_raw(&e.j, "time_delta_displayed", tb.p);
        nt_buf_reset(&tb);
    }
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
    walk(&e, pkt, o);
    nt_json_obj_close(&e.j);
    nt_json_obj_close(&e.j);
    nt_buf_putc(out, '\n');
}
