/* net.c - the rules of the network layer and the hosts: each host's
 * ordinary TTL (what a reset's TTL is compared with, for the TCP rules),
 * the TCP/UDP checksums of what each host sent (checksum offload on the
 * capturing host, or damaged packets), ICMP unreachable and time-exceeded
 * errors (per sender, kind and quoted flow) and unanswered ARP requests. */
#include "diag_int.h"

#include <stdlib.h>

#define MAX_HOSTS 4096
#define MAX_ARP 1024
#define MAX_ICMP 512
#define CSUM_SAMPLE 50000  /* TCP/UDP checksums verified per trace (bounded work) */

typedef struct host {
    addr ad;
    uint8_t ttl;
    uint64_t frame;
    uint32_t csum_checked, csum_bad;  /* TCP/UDP checksums of the packets it sent */
    uint64_t csum_first_bad;
} host;

typedef struct arpq {
    uint8_t tpa[4], spa[4];
    uint32_t n;
    uint64_t frames[EXAMPLES];
    bool answered;
} arpq;

typedef struct icmpe {
    bool ttl;                /* time exceeded, else unreachable */
    uint8_t fam, type, code;
    addr from;
    char quoted[160];
    uint32_t n;
    uint64_t frames[EXAMPLES];
    uint32_t inner_stream;
    bool inner_tcp;
} icmpe;

typedef struct netst {
    nt_hmap host_ix;       /* addr -> index in hosts */
    host *hosts;           /* in the order first seen */
    size_t nhosts, chosts;
    uint32_t csum_checked;
    arpq *arp;
    size_t narp;
    icmpe *icmp;
    size_t nicmp;
} netst;

static host *host_find(netst *n, const addr *a, bool create)
{
    const uint32_t *ix = nt_hmap_find(&n->host_ix, a);
    if (ix) return &n->hosts[*ix];
    /* the memory bound: once MAX_HOSTS hosts are known no new row is made,
     * and a host seen after that has no TTL to compare and no checksums */
    if (!create || n->nhosts >= MAX_HOSTS) return NULL;
    n->hosts = nt_diag_grow(n->hosts, &n->chosts, n->nhosts, sizeof *n->hosts);
    host *x = &n->hosts[n->nhosts];
    x->ad = *a;
    bool added;
    nt_hmap_put(&n->host_ix, a, (uint32_t)n->nhosts++, &added);
    return x;
}

/* ones' complement sum of n bytes (RFC 1071), folded at the end */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (; i + 1 < n; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (i < n) sum += (uint32_t)(p[i] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

/* Verifies the TCP or UDP checksum of a whole, unfragmented segment:
 * 1 right, 0 wrong, -1 not checkable (cut, fragment, UDP without one). */
static int check_l4(const nt_packet *pkt)
{
    if (pkt->ana.reassembled || (pkt->flags & (NT_PKT_TRUNCATED | NT_PKT_MALFORMED | NT_PKT_FRAGMENT))) return -1;
    /* the first transport header and the IP header carrying it (the last
     * one before it: a tunnel's inner one), which gives the pseudo-header */
    nt_outer o;
    if (!nt_packet_outer(pkt, &o)) return -1;
    const nt_layer *ipl = o.ip;
    const nt_layer *l4 = o.udp_l && (!o.tcp_l || o.udp_l < o.tcp_l) ? o.udp_l : o.tcp_l;
    if (!l4 || ipl > l4) return -1;
    uint32_t len;
    uint8_t ps[40];
    size_t pn;
    if (ipl->proto == NT_P_IPV4) {
        const nt_ipv4 *h = &pkt->ip4[ipl->idx];
        len = h->payload_len;
        memcpy(ps, h->src, 4);
        memcpy(ps + 4, h->dst, 4);
        ps[8] = 0, ps[9] = l4->proto == NT_P_TCP ? 6 : 17;
        ps[10] = (uint8_t)(len >> 8), ps[11] = (uint8_t)len;
        pn = 12;
    } else {
        const nt_ipv6 *h = &pkt->ip6[ipl->idx];
        len = h->payload_len;
        memcpy(ps, h->src, 16);
        memcpy(ps + 16, h->dst, 16);
        ps[32] = (uint8_t)(len >> 24), ps[33] = (uint8_t)(len >> 16), ps[34] = (uint8_t)(len >> 8), ps[35] = (uint8_t)len;
        ps[36] = ps[37] = ps[38] = 0, ps[39] = l4->proto == NT_P_TCP ? 6 : 17;
        pn = 40;
    }
    if (len < 8 || l4->span < len) return -1;
    if (l4->proto == NT_P_UDP) {
        if (pkt->udp[l4->idx].csum == 0) return -1; /* none sent (IPv4) */
        if (pkt->udp[l4->idx].ulen != len) return -1;
    }
    uint32_t sum = csum_add(0, ps, pn);
    sum = csum_add(sum, l4->p, len);
    return sum == 0xffff ? 1 : 0;
}

static void add_csum(netst *n, const nt_packet *pkt, const ipinfo *ip)
{
    if (n->csum_checked >= CSUM_SAMPLE) return;
    int r = check_l4(pkt);
    if (r < 0) return;
    n->csum_checked++;
    addr h = {.fam = ip->fam};
    memcpy(h.a, ip->src, ip->fam == 4 ? 4 : 16);
    host *x = host_find(n, &h, true);
    if (!x) return;
    x->csum_checked++;
    if (!r) {
        if (!x->csum_bad) x->csum_first_bad = pkt->frame->number;
        x->csum_bad++;
    }
}

static void add_arp(netst *n, const nt_packet *pkt)
{
    const nt_arp *a = &pkt->arp[0];
    if (a->ptype != 0x0800 || a->plen != 4 || a->hlen != 6 || !a->spa || !a->tpa) return;
    if (a->op == 1) {
        if (!memcmp(a->spa, a->tpa, 4)) return; /* gratuitous */
        static const uint8_t zero[4];
        if (!memcmp(a->spa, zero, 4)) return;   /* address probe (RFC 5227) */
        for (size_t i = 0; i < n->narp; i++) {
            arpq *q = &n->arp[i];
            if (!memcmp(q->tpa, a->tpa, 4) && !memcmp(q->spa, a->spa, 4)) {
                if (!q->answered) {
                    if (q->n < EXAMPLES) q->frames[q->n] = pkt->frame->number;
                    q->n++;
                } else {
                    /* answered before: a new round of questions */
                    q->answered = false;
                    q->n = 1;
                    memset(q->frames, 0, sizeof q->frames);
                    q->frames[0] = pkt->frame->number;
                }
                return;
            }
        }
        if (n->narp >= MAX_ARP) return;
        arpq *q = &n->arp[n->narp++];
        memset(q, 0, sizeof *q);
        memcpy(q->tpa, a->tpa, 4);
        memcpy(q->spa, a->spa, 4);
        q->n = 1;
        q->frames[0] = pkt->frame->number;
    } else if (a->op == 2) {
        for (size_t i = 0; i < n->narp; i++)
            if (!memcmp(n->arp[i].tpa, a->spa, 4)) n->arp[i].answered = true;
    }
}

static void add_icmp(netst *n, const diag_pkt *p)
{
    const nt_packet *pkt = p->pkt;
    const nt_layer *l = NULL;
    for (int i = 0; i < pkt->nlayers && !l; i++)
        if ((pkt->layers[i].proto == NT_P_ICMP || pkt->layers[i].proto == NT_P_ICMPV6) && !pkt->layers[i].inner)
            l = &pkt->layers[i];
    if (!l) return;
    uint8_t fam = l->proto == NT_P_ICMP ? 4 : 6;
    uint8_t type = fam == 4 ? pkt->icmp[0].type : pkt->icmp6[0].type;
    uint8_t code = fam == 4 ? pkt->icmp[0].code : pkt->icmp6[0].code;
    bool unreach = fam == 4 ? type == 3 : type == 1;
    bool ttl = fam == 4 ? type == 11 : type == 3;
    if (!unreach && !ttl) return;
    /* the sender: the IP header carrying the ICMP message (the packet's own,
     * as the view found it) */
    if (!p->has_ip) return;
    const ipinfo *ip = &p->ip;
    /* the quoted flow: its first IP header (what the router that gave up
     * saw) and its first transport header, ICMP included (an echo can be
     * quoted), so not nt_packet_quoted(), which takes the last whole IP
     * header and knows only TCP and UDP */
    char q[256] = "";
    const nt_layer *qip = NULL, *qtr = NULL;
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *x = &pkt->layers[i];
        if (!x->inner) continue;
        if (!qip && (x->proto == NT_P_IPV4 || x->proto == NT_P_IPV6)) qip = x;
        if (!qtr && (x->proto == NT_P_TCP || x->proto == NT_P_UDP || x->proto == NT_P_ICMP || x->proto == NT_P_ICMPV6))
            qtr = x;
    }
    if (qip) {
        uint8_t qf = qip->proto == NT_P_IPV4 ? 4 : 6;
        const uint8_t *qs = qf == 4 ? pkt->ip4[qip->idx].src : pkt->ip6[qip->idx].src;
        const uint8_t *qd = qf == 4 ? pkt->ip4[qip->idx].dst : pkt->ip6[qip->idx].dst;
        char a[64], b[64];
        if (qtr && (qtr->proto == NT_P_TCP || qtr->proto == NT_P_UDP)) {
            uint16_t sp = qtr->proto == NT_P_TCP ? pkt->tcp[qtr->idx].sport : pkt->udp[qtr->idx].sport;
            uint16_t dp = qtr->proto == NT_P_TCP ? pkt->tcp[qtr->idx].dport : pkt->udp[qtr->idx].dport;
            nt_diag_ep_str(a, sizeof a, qf, qs, sp);
            nt_diag_ep_str(b, sizeof b, qf, qd, dp);
            snprintf(q, sizeof q, "%s %s -> %s", qtr->proto == NT_P_TCP ? "TCP" : "UDP", a, b);
        } else {
            addr x = {.fam = qf}, y = {.fam = qf};
            memcpy(x.a, qs, qf == 4 ? 4 : 16);
            memcpy(y.a, qd, qf == 4 ? 4 : 16);
            nt_diag_addr_str(a, sizeof a, &x);
            nt_diag_addr_str(b, sizeof b, &y);
            snprintf(q, sizeof q, "%s %s -> %s", qtr ? nt_proto_name((nt_proto)qtr->proto) : "IP", a, b);
        }
    }
    addr from = {.fam = fam};
    memcpy(from.a, ip->src, fam == 4 ? 4 : 16);
    for (size_t i = 0; i < n->nicmp; i++) {
        icmpe *e = &n->icmp[i];
        if (e->fam == fam && e->type == type && e->code == code && !memcmp(e->from.a, from.a, 16) &&
            !strncmp(e->quoted, q, sizeof e->quoted - 1)) {
            if (e->n < EXAMPLES) e->frames[e->n] = pkt->frame->number;
            e->n++;
            return;
        }
    }
    if (n->nicmp >= MAX_ICMP) return;
    icmpe *e = &n->icmp[n->nicmp++];
    memset(e, 0, sizeof *e);
    e->ttl = ttl;
    e->fam = fam, e->type = type, e->code = code;
    e->from = from;
    scpy(e->quoted, sizeof e->quoted, q);
    e->n = 1;
    e->frames[0] = pkt->frame->number;
    e->inner_tcp = pkt->ana.inner_tcp_valid;
    e->inner_stream = pkt->ana.inner_tcp_stream;
}

/* Bad checksums only on what some hosts sent, all of it: checksum offload
 * on the capturing host (the NIC fills them in after the capture point).
 * Bad checksums here and there among good ones from the same host: the
 * packets were damaged. */
static void checksum_rules(nt_diag *d, netst *n)
{
    uint32_t offl = 0, bad_hosts = 0, good_hosts = 0;
    host *first = NULL, *worst_mixed = NULL;
    uint64_t bad_total = 0;
    /* in the order the hosts were first seen: of two mixed hosts with as
     * many bad checksums, the first seen is reported */
    for (size_t i = 0; i < n->nhosts; i++) {
        host *x = &n->hosts[i];
        if (!x->csum_checked) continue;
        if (!x->csum_bad) {
            good_hosts++;
            continue;
        }
        bad_hosts++;
        bad_total += x->csum_bad;
        if ((double)x->csum_bad >= 0.9 * x->csum_checked) {
            offl++;
            if (!first || x->csum_first_bad < first->csum_first_bad) first = x;
        } else if (!worst_mixed || x->csum_bad > worst_mixed->csum_bad) {
            worst_mixed = x;
        }
    }
    if (!bad_hosts) return;
    if (offl) {
        char a[64];
        nt_diag_addr_str(a, sizeof a, &first->ad);
        nt_finding *f = finding(d, NT_F_CAPTURE_CHECKSUM_OFFLOAD);
        scpy(f->flow, sizeof f->flow, a);
        ff(f, first->csum_first_bad);
        fnum(f, "hosts", offl);
        fnum(f, "bad", (double)first->csum_bad);
        fnum(f, "checked", first->csum_checked);
        fstr(f, "host", a);
        if (good_hosts)
            ftext(f,
                  "All %u TCP/UDP checksums checked on packets sent by %s were wrong (first in frame %llu)%s, and the "
                  "other hosts' were right: %s is the capturing host and its network card fills in checksums after "
                  "the capture point (offload).",
                  first->csum_checked, a, (unsigned long long)first->csum_first_bad,
                  offl > 1 ? " (and those of other hosts too)" : "", a);
        else
            ftext(f,
                  "The TCP/UDP checksums of %u host%s were all wrong (first in frame %llu): checksum offload on the "
                  "capturing host, or a virtual interface (loopback, veth) where checksums are never filled in.",
                  offl, offl > 1 ? "s" : "", (unsigned long long)first->csum_first_bad);
        fadvice(f, "Not a network problem: ignore these checksum errors (Wireshark flags them too when told to "
                   "check), or capture on another host or a mirror port to see the wire.");
    }
    if (worst_mixed) {
        char a[64];
        nt_diag_addr_str(a, sizeof a, &worst_mixed->ad);
        nt_finding *f = finding(d, NT_F_CAPTURE_BAD_CHECKSUM);
        scpy(f->flow, sizeof f->flow, a);
        ff(f, worst_mixed->csum_first_bad);
        fnum(f, "bad", (double)worst_mixed->csum_bad);
        fnum(f, "checked", worst_mixed->csum_checked);
        fstr(f, "host", a);
        ftext(f, "%u of %u TCP/UDP checksums checked on packets from %s were wrong (first in frame %llu).",
              worst_mixed->csum_bad, worst_mixed->csum_checked, a, (unsigned long long)worst_mixed->csum_first_bad);
        fadvice(f, "Packets are damaged on the way (faulty NIC, cable, switch port) and the receiver drops them, "
                   "which looks like loss: check interface error counters along the path.");
    }
    (void)bad_total;
}

static void icmp_arp_rules(nt_diag *d, netst *n)
{
    for (size_t i = 0; i < n->nicmp; i++) {
        icmpe *e = &n->icmp[i];
        /* an unreachable that refused a TCP connection is already tcp.syn-refused */
        if (!e->ttl && e->inner_tcp && e->inner_stream < d->conns.cap && d->conns.c[e->inner_stream].used &&
            nt_conn_outcome_of(&d->conns.c[e->inner_stream]) == NT_CONN_REFUSED)
            continue;
        char from[64];
        nt_diag_addr_str(from, sizeof from, &e->from);
        nt_finding *f = finding(d, e->ttl ? NT_F_ICMP_TTL_EXCEEDED : NT_F_ICMP_UNREACHABLE);
        scpy(f->flow, sizeof f->flow, e->quoted);
        for (uint32_t k = 0; k < e->n && k < EXAMPLES; k++) ff(f, e->frames[k]);
        fstr(f, "from", from);
        fnum(f, "type", e->type);
        fnum(f, "code", e->code);
        fnum(f, "count", e->n);
        static const char *un4[] = {"network unreachable", "host unreachable", "protocol unreachable",
                                    "port unreachable", "fragmentation needed", "source route failed",
                                    "network unknown", "host unknown", "source host isolated",
                                    "network prohibited", "host prohibited", "network unreachable for TOS",
                                    "host unreachable for TOS", "communication administratively prohibited"};
        static const char *un6[] = {"no route", "administratively prohibited", "beyond scope",
                                    "address unreachable", "port unreachable", "source address failed policy",
                                    "reject route"};
        const char *what = e->ttl ? (e->fam == 4 ? "time to live exceeded" : "hop limit exceeded")
                           : e->fam == 4 ? (e->code < 14 ? un4[e->code] : "unreachable")
                                         : (e->code < 7 ? un6[e->code] : "unreachable");
        fstr(f, "reason", what);
        ftext(f, "%s sent %u ICMP%s %s error%s about %s (first in frame %llu).", from, e->n, e->fam == 6 ? "v6" : "",
              what, e->n > 1 ? "s" : "", e->quoted[0] ? e->quoted : "a packet", (unsigned long long)e->frames[0]);
        if (e->ttl)
            fadvice(f, "Packets expire on the way (a routing loop, or a TTL set too low): run a traceroute and "
                       "check the routes near %s.",
                    from);
        else if (e->code == 4 && e->fam == 4)
            fadvice(f, "A router cannot forward a large packet with DF set: check the MTU on the path (PMTUD "
                       "black holes, VPN tunnels).");
        else
            fadvice(f, "Check the route to the destination and the service on it; %s is the device that gave "
                       "up.",
                    from);
    }
    for (size_t i = 0; i < n->narp; i++) {
        arpq *q = &n->arp[i];
        if (q->answered) continue;
        nt_finding *f = finding(d, NT_F_ARP_UNANSWERED);
        addr t = {.fam = 4}, s = {.fam = 4};
        memcpy(t.a, q->tpa, 4);
        memcpy(s.a, q->spa, 4);
        char ts[32], ss[32];
        nt_diag_addr_str(ts, sizeof ts, &t);
        nt_diag_addr_str(ss, sizeof ss, &s);
        snprintf(f->flow, sizeof f->flow, "%s -> %s", ss, ts);
        for (uint32_t k = 0; k < q->n && k < EXAMPLES; k++) ff(f, q->frames[k]);
        fstr(f, "target", ts);
        fnum(f, "requests", q->n);
        ftext(f, "%s asked %u time%s who has %s (first in frame %llu) and got no ARP reply.", ss, q->n,
              q->n > 1 ? "s" : "", ts, (unsigned long long)q->frames[0]);
        fadvice(f, "%s is down, not in this subnet or VLAN, or its address is misconfigured: check the host and "
                   "the switch port.",
                ts);
    }
}

diag_host_ttl nt_diag_host_ttl(const nt_diag *d, uint8_t fam, const uint8_t *a)
{
    addr h = {.fam = fam};
    memcpy(h.a, a, fam == 4 ? 4 : 16);
    const host *x = host_find(d->st[DIAG_NET], &h, false);
    return x ? (diag_host_ttl){x->ttl, x->frame} : (diag_host_ttl){0, 0};
}

static void *net_init(nt_diag *d)
{
    (void)d;
    netst *n = calloc(1, sizeof *n);
    if (!n) abort();
    nt_hmap_init(&n->host_ix, sizeof(addr));
    n->arp = calloc(MAX_ARP, sizeof *n->arp);
    n->icmp = calloc(MAX_ICMP, sizeof *n->icmp);
    if (!n->arp || !n->icmp) abort();
    return n;
}

static void net_observe(nt_diag *d, void *st, const diag_pkt *p)
{
    (void)d;
    netst *n = st;
    const nt_packet *pkt = p->pkt;
    if (p->has_ip) {
        /* each host's ordinary TTL (not from TCP resets: those are what it is compared with) */
        bool rst = p->tcp && (p->tcp->flags & NT_TCP_RST);
        /* neighbour discovery and MLD always use hop limit 255 or 1: not the host's own */
        bool nd = pkt->nicmp6 && pkt->icmp6[0].type >= 130 && pkt->icmp6[0].type <= 143;
        if (!rst && !nd) {
            addr h = {.fam = p->ip.fam};
            memcpy(h.a, p->ip.src, p->ip.fam == 4 ? 4 : 16);
            host *x = host_find(n, &h, true);
            if (x && !x->frame) x->ttl = p->ip.ttl, x->frame = p->frame;
        }
        add_csum(n, pkt, &p->ip);
    }
    if (pkt->narp) add_arp(n, pkt);
    if (pkt->nicmp || pkt->nicmp6) add_icmp(n, p);
}

static void net_finish(nt_diag *d, void *st, const nt_trace *t)
{
    (void)t;
    icmp_arp_rules(d, st);
    checksum_rules(d, st);
}

static void net_free(void *st)
{
    netst *n = st;
    if (!n) return;
    nt_hmap_free(&n->host_ix);
    free(n->hosts);
    free(n->arp);
    free(n->icmp);
    free(n);
}

const nt_diag_rule nt_diag_net_rule = {"net", net_init, net_observe, net_finish, net_free};
