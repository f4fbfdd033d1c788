/* dissect.c - the dissection driver: picks the first parser from the
 * frame's link type and keeps the layer list; plus the protocol name
 * tables every printer uses. */
#include "dissect_int.h"

#include <string.h>

nt_layer *nt_layer_add(nt_dctx *c, nt_proto proto, uint8_t idx, const uint8_t *p, uint32_t cap)
{
    nt_packet *pkt = c->pkt;
    if (pkt->nlayers >= NT_MAX_LAYERS) {
        nt_malformed(c, "too many protocol layers");
        return NULL;
    }
    nt_layer *l = &pkt->layers[pkt->nlayers++];
    l->proto = (uint8_t)proto;
    l->idx = idx;
    l->inner = c->inner;
    l->p = p;
    l->len = cap;
    l->span = c->end && c->end >= p ? (uint32_t)(c->end - p) : cap;
    return l;
}

void nt_malformed(nt_dctx *c, const char *why)
{
    c->pkt->flags |= NT_PKT_MALFORMED;
    if (!c->pkt->malformed) c->pkt->malformed = why;
}

bool nt_need(nt_dctx *c, uint32_t need, uint32_t cap, uint32_t rep, const char *why)
{
    if (cap >= need) return true;
    if (c->inner) return false; /* quoted packets are cut short by design */
    c->pkt->flags |= NT_PKT_SHORT;
    if (rep >= need) {
        c->pkt->flags |= NT_PKT_TRUNCATED;
        if (!c->pkt->malformed) c->pkt->malformed = why;
    } else {
        nt_malformed(c, why);
    }
    return false;
}

static void dissect_null(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep, bool loop)
{
    if (!nt_need(c, 4, cap, rep, "BSD loopback header cut short")) return;
    nt_packet *pkt = c->pkt;
    nt_null *n = &pkt->null[0];
    pkt->nnull = 1;
    /* DLT_NULL's family is in the capturing host's byte order: guess it as
     * Wireshark does (a family fits in the low 16 bits) */
    uint32_t le = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    uint32_t be = (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
    n->family = loop ? be : ((le & 0xFFFF0000u) ? be : le);
    if (!nt_layer_add(c, NT_P_NULL, 0, p, 4)) return;
    switch (n->family) {
    case 2: nt_dissect_ipv4(c, p + 4, cap - 4, rep - 4); break;
    case 10: case 24: case 28: case 30:
        nt_dissect_ipv6(c, p + 4, cap - 4, rep - 4);
        break;
    default: nt_dissect_data(c, p + 4, cap - 4, rep - 4);
    }
}

static void dissect_sll(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep, bool v2)
{
    uint32_t hl = v2 ? 20 : 16;
    if (!nt_need(c, hl, cap, rep, v2 ? "Linux cooked v2 header cut short" : "Linux cooked header cut short"))
        return;
    nt_packet *pkt = c->pkt;
    nt_sll *s = &pkt->sll[0];
    pkt->nsll = 1;
    nt_cur k = nt_cur_make(p, hl);
    s->v2 = v2;
    if (v2) {
        s->protocol = nt_cur_be16(&k);
        nt_cur_skip(&k, 2);
        s->ifindex = nt_cur_be32(&k);
        s->hatype = nt_cur_be16(&k);
        s->pkttype = nt_cur_u8(&k);
        s->halen = nt_cur_u8(&k);
    } else {
        s->pkttype = nt_cur_be16(&k);
        s->hatype = nt_cur_be16(&k);
        s->halen = nt_cur_be16(&k);
    }
    nt_cur_copy(&k, s->addr, 8);
    if (!v2) s->protocol = nt_cur_be16(&k);
    if (!nt_layer_add(c, NT_P_SLL, 0, p, hl)) return;
    p += hl, cap -= hl, rep -= hl;
    /* ARPHRD_NETLINK and friends carry no EtherType */
    if (s->hatype == 824 /* netlink */) {
        nt_dissect_data(c, p, cap, rep);
        return;
    }
    if (s->protocol == 0x0004 || s->protocol == 0x0001) { /* 802.2 LLC, 802.3 */
        nt_dissect_data(c, p, cap, rep);
        return;
    }
    nt_dissect_ethertype(c, s->protocol, p, cap, rep);
}

void nt_dissect_data(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep)
{
    if (rep == 0) return;
    nt_layer_add(c, NT_P_DATA, 0, p, cap);
    if (!c->inner) {
        c->pkt->payload = p;
        c->pkt->payload_len = cap;
    }
}

void nt_dissect(const nt_frame *f, nt_packet *pkt)
{
    memset(pkt, 0, offsetof(nt_packet, eth));
    memset(&pkt->ana, 0, sizeof pkt->ana);
    pkt->frame = f;
    pkt->payload = NULL;
    pkt->payload_len = 0;
    nt_dctx c = {pkt, 0, f->data + f->caplen};
    const uint8_t *p = f->data;
    uint32_t cap = f->caplen, rep = f->len;
    switch (f->linktype) {
    case NT_LINK_ETHERNET: nt_dissect_eth(&c, p, cap, rep); break;
    case NT_LINK_NULL: dissect_null(&c, p, cap, rep, false); break;
    case NT_LINK_LOOP: dissect_null(&c, p, cap, rep, true); break;
    case NT_LINK_LINUX_SLL: dissect_sll(&c, p, cap, rep, false); break;
    case NT_LINK_LINUX_SLL2: dissect_sll(&c, p, cap, rep, true); break;
    case NT_LINK_IPV4: nt_dissect_ipv4(&c, p, cap, rep); break;
    case NT_LINK_IPV6: nt_dissect_ipv6(&c, p, cap, rep); break;
    case NT_LINK_PCAPNG_CUSTOM: nt_layer_add(&c, NT_P_PCAPNG, 0, p, cap); break;
    case NT_LINK_RAW:
        if (cap >= 1 && (p[0] >> 4) == 6) nt_dissect_ipv6(&c, p, cap, rep);
        else if (cap >= 1 && (p[0] >> 4) == 4) nt_dissect_ipv4(&c, p, cap, rep);
        else nt_dissect_data(&c, p, cap, rep);
        break;
    default: nt_dissect_data(&c, p, cap, rep);
    }
}

void nt_dissect_ip_payload(nt_packet *pkt, uint8_t proto, const uint8_t *p, uint32_t caplen, uint32_t len,
                           bool inner)
{
    nt_dctx c = {pkt, (uint8_t)inner, p + caplen};
    nt_dissect_ipproto(&c, proto, p, caplen, len);
}

const nt_layer *nt_packet_layer(const nt_packet *pkt, nt_proto proto)
{
    for (int i = 0; i < pkt->nlayers; i++)
        if (pkt->layers[i].proto == proto) return &pkt->layers[i];
    return NULL;
}

const nt_layer *nt_packet_top(const nt_packet *pkt)
{
    return pkt->nlayers ? &pkt->layers[pkt->nlayers - 1] : NULL;
}

const char *nt_proto_name(nt_proto p)
{
    static const char *names[NT_P_COUNT] = {
        [NT_P_NONE] = "", [NT_P_FRAME] = "Frame", [NT_P_ETH] = "Ethernet", [NT_P_VLAN] = "802.1Q",
        [NT_P_SLL] = "SLL", [NT_P_NULL] = "NULL", [NT_P_ARP] = "ARP", [NT_P_IPV4] = "IPv4",
        [NT_P_IPV6] = "IPv6", [NT_P_ICMP] = "ICMP", [NT_P_ICMPV6] = "ICMPv6", [NT_P_TCP] = "TCP",
        [NT_P_UDP] = "UDP", [NT_P_DATA] = "Data", [NT_P_PCAPNG] = "PCAPNG", [NT_P_TLS] = "TLS",
        [NT_P_HTTP] = "HTTP", [NT_P_DNS] = "DNS",
    };
    return (unsigned)p < NT_P_COUNT && names[p] ? names[p] : "";
}

const char *nt_ethertype_name(uint16_t t)
{
    switch (t) {
    case 0x0800: return "IPv4";
    case 0x0806: return "ARP";
    case 0x8100: return "802.1Q Virtual LAN";
    case 0x88a8: return "802.1ad Provider Bridge (Q-in-Q)";
    case 0x86dd: return "IPv6";
    case 0x8035: return "RARP";
    case 0x8863: return "PPPoE Discovery";
    case 0x8864: return "PPPoE Session";
    case 0x8847: return "MPLS label switched packet";
    case 0x88cc: return "802.1 Link Layer Discovery Protocol (LLDP)";
    case 0x888e: return "802.1X Authentication";
    default: return NULL;
    }
}
