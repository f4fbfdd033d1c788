/* outer.c - the one walk over a packet's layers that finds the addresses
 * and the transport header a flow is keyed by (packet.h, nt_outer):
 * sessions, connections and conversations all ask it, so that they agree
 * on which IP header of a tunnel or of an ICMP error counts. */
#include "nettracer/packet.h"

#include <string.h>

static bool walk(const nt_packet *pkt, bool inner, nt_outer *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *l = &pkt->layers[i];
        if ((bool)l->inner != inner) continue;
        if ((l->proto == NT_P_IPV4 && l->len >= 20 && !pkt->ip4[l->idx].v6) || (l->proto == NT_P_IPV6 && l->len >= 40))
            o->ip = l;
        else if (l->proto == NT_P_TCP && !o->tcp_l) o->tcp_l = l, o->tcp = &pkt->tcp[l->idx];
        else if (l->proto == NT_P_UDP && !o->udp_l) o->udp_l = l, o->udp = &pkt->udp[l->idx];
    }
    if (!o->ip) return false;
    if (o->ip->proto == NT_P_IPV4) {
        const nt_ipv4 *h = &pkt->ip4[o->ip->idx];
        o->family = 4, o->src = h->src, o->dst = h->dst, o->ttl = h->ttl;
    } else {
        const nt_ipv6 *h = &pkt->ip6[o->ip->idx];
        o->family = 6, o->src = h->src, o->dst = h->dst, o->ttl = h->hlim;
    }
    return true;
}

bool nt_packet_outer(const nt_packet *pkt, nt_outer *o) { return walk(pkt, false, o); }
bool nt_packet_quoted(const nt_packet *pkt, nt_outer *o) { return walk(pkt, true, o); }
