/* conns.c - see conns.h. The client is the sender of the first SYN (or the
 * receiver of a SYN-ACK whose SYN was not captured); for a connection that
 * was running when the capture began, the side with the higher port. */
#include "nettracer/conns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nt_conns_init(nt_conns *cs) { memset(cs, 0, sizeof *cs); }

void nt_conns_free(nt_conns *cs)
{
    free(cs->c);
    memset(cs, 0, sizeof *cs);
}

static nt_conn *slot(nt_conns *cs, uint32_t stream)
{
    if (stream >= cs->cap) {
        size_t cap = cs->cap ? cs->cap : 64;
        while (cap <= stream) cap *= 2;
        nt_conn *c = realloc(cs->c, cap * sizeof *c);
        if (!c) abort();
        memset(c + cs->cap, 0, (cap - cs->cap) * sizeof *c);
        cs->c = c;
        cs->cap = cap;
    }
    if (stream + 1 > cs->max_stream_plus1) cs->max_stream_plus1 = stream + 1;
    return &cs->c[stream];
}

/* client letters upper case, server letters lower case, as Zeek writes them */
static void hist(nt_conn *c, int dir, char letter)
{
    char ch = dir == 0 ? letter : (char)(letter - 'A' + 'a');
    char *h = c->history;
    if (strchr(h, ch) || strlen(h) >= sizeof c->history - 1) return;
    size_t n = strlen(h);
    h[n] = ch;
    h[n + 1] = 0;
}

/* An ICMP error quoting a segment of a known connection: remember the first */
static void icmp_about(nt_conns *cs, const nt_packet *pkt)
{
    const nt_pkt_ana *a = &pkt->ana;
    if (a->inner_tcp_stream >= cs->cap || !cs->c[a->inner_tcp_stream].used) return;
    nt_conn *c = &cs->c[a->inner_tcp_stream];
    if (c->icmp_frame) return;
    const nt_layer *l = NULL;
    for (int i = 0; i < pkt->nlayers && !l; i++)
        if ((pkt->layers[i].proto == NT_P_ICMP || pkt->layers[i].proto == NT_P_ICMPV6) && !pkt->layers[i].inner)
            l = &pkt->layers[i];
    if (!l) return;
    c->icmp_frame = pkt->frame->number;
    if (l->proto == NT_P_ICMP) {
        c->icmp_family = 4, c->icmp_type = pkt->icmp[0].type, c->icmp_code = pkt->icmp[0].code;
        memcpy(c->icmp_from, pkt->ip4[0].src, 4);
    } else {
        c->icmp_family = 6, c->icmp_type = pkt->icmp6[0].type, c->icmp_code = pkt->icmp6[0].code;
        memcpy(c->icmp_from, pkt->ip6[0].src, 16);
    }
}

void nt_conns_add(nt_conns *cs, const nt_packet *pkt)
{
    const nt_pkt_ana *a = &pkt->ana;
    if (a->inner_tcp_valid) icmp_about(cs, pkt);
    if (!a->tcp_valid) return;
    nt_outer o;
    if (!nt_packet_outer(pkt, &o) || !o.tcp) return;
    const nt_tcp *t = o.tcp;
    uint8_t fam = o.family, ttl = o.ttl;
    const uint8_t *src = o.src, *dst = o.dst;
    size_t alen = fam == 4 ? 4 : 16;
    const nt_frame *f = pkt->frame;
    bool syn = t->flags & NT_TCP_SYN, ack = t->flags & NT_TCP_ACK;
    bool rst = t->flags & NT_TCP_RST, fin = t->flags & NT_TCP_FIN;

    nt_conn *c = slot(cs, a->tcp_stream);
    if (!c->used) {
        c->used = true;
        c->stream = a->tcp_stream;
        c->family = fam;
        c->first_frame = f->number;
        c->first_ts = f->ts;
        /* who is the client */
        bool src_is_client;
        if (syn && !ack) src_is_client = true, c->client_known = true;
        else if (syn && ack) src_is_client = false, c->client_known = true;
        else src_is_client = t->sport > t->dport || (t->sport == t->dport);
        memcpy(c->client, src_is_client ? src : dst, alen);
        memcpy(c->server, src_is_client ? dst : src, alen);
        c->cport = src_is_client ? t->sport : t->dport;
        c->sport = src_is_client ? t->dport : t->sport;
    }
    int dir = (memcmp(src, c->client, alen) == 0 && t->sport == c->cport) ? 0 : 1;
    uint64_t prev_frame = c->last_frame;
    c->last_frame = f->number;
    c->last_ts = f->ts;
    c->packets[dir]++;
    c->bytes[dir] += t->payload_len;

    if (syn && !ack && dir == 0) {
        if (c->syns < NT_CONN_SYN_TIMES) c->syn_ts[c->syns] = f->ts;
        if (!c->syns) c->first_syn_frame = f->number;
        c->syns++;
        c->last_syn_ts = f->ts;
        hist(c, 0, 'S');
    } else if (syn && ack && dir == 1) {
        if (!c->synacks) {
            c->first_synack_frame = f->number;
            c->first_synack_ts = f->ts;
            if (c->syns) c->syn_rtt_ns = nt_time_diff_ns(f->ts, c->last_syn_ts);
        }
        c->synacks++;
        hist(c, 1, 'H');
    } else if (syn) {
        hist(c, dir, 'S'); /* a SYN the wrong way round */
    }
    if (!syn && ack && dir == 0 && c->synacks && !c->established) {
        c->established = true;
        c->est_frame = f->number;
        if (c->syns) c->hs_rtt_ns = nt_time_diff_ns(f->ts, c->last_syn_ts);
    }
    if (t->payload_len) hist(c, dir, 'D');
    else if (ack && !syn && !fin && !rst) hist(c, dir, 'A');
    if (fin) {
        if (!c->fin[0] && !c->fin[1]) {
            c->fin_by = dir;
            c->fin_frame = f->number;
        }
        c->fin[dir] = true;
        hist(c, dir, 'F');
    }
    if (rst) {
        if (!c->rst[0] && !c->rst[1]) {
            c->rst_by = dir;
            c->rst_frame = f->number;
            c->rst_ttl = ttl;
            c->rst_before_synack = c->synacks == 0;
            c->rst_after_frame = prev_frame;
        }
        c->rst[dir] = true;
        hist(c, dir, 'R');
    }
    if (a->tcp_flags & (NT_TA_RETRANSMISSION | NT_TA_FAST_RETRANSMISSION | NT_TA_SPURIOUS_RETRANS)) {
        c->retrans[dir]++;
        hist(c, dir, 'T');
    }
    if (a->tcp_flags & NT_TA_ZERO_WINDOW) hist(c, dir, 'W');
}

nt_conn_outcome nt_conn_outcome_of(const nt_conn *c)
{
    if (!c->syns) return c->synacks && c->established ? NT_CONN_ESTABLISHED : NT_CONN_PREEXISTING;
    if (c->established) return NT_CONN_ESTABLISHED;
    if (c->synacks) {
        /* data from the client after the SYN-ACK also completes it */
        if (c->bytes[0]) return NT_CONN_ESTABLISHED;
        return NT_CONN_HALF_OPEN;
    }
    if (c->rst[1] && c->rst_before_synack) return NT_CONN_REFUSED;
    if (c->icmp_frame && nt_conn_icmp_unreachable(c)) return NT_CONN_REFUSED; /* rejected by ICMP */
    return NT_CONN_UNANSWERED;
}

bool nt_conn_icmp_unreachable(const nt_conn *c)
{
    if (!c->icmp_frame) return false;
    return c->icmp_family == 4 ? c->icmp_type == 3 : c->icmp_type == 1;
}

nt_conn_end nt_conn_end_of(const nt_conn *c)
{
    if (c->rst[0] || c->rst[1]) return NT_END_RESET;
    if (c->fin[0] || c->fin[1]) return NT_END_FIN;
    return NT_END_OPEN;
}

const char *nt_conn_outcome_name(nt_conn_outcome o)
{
    static const char *n[] = {"established", "refused", "unanswered", "half-open", "pre-existing"};
    return n[o];
}

const char *nt_conn_end_name(nt_conn_end e)
{
    static const char *n[] = {"open", "fin", "reset"};
    return n[e];
}

/* Zeek's conn_state, from what each side sent */
const char *nt_conn_state(const nt_conn *c)
{
    bool s = c->syns > 0, h = c->synacks > 0;
    bool est = s && h && (c->established || c->bytes[0]);
    if (!s && !h) return "OTH";
    if (s && !h) {
        if (c->rst[1]) return "REJ";
        if (c->rst[0]) return "RSTOS0";
        if (c->fin[0]) return "SH";
        return "S0";
    }
    if (!s && h) {
        if (c->rst[1]) return "RSTRH";
        if (c->fin[1]) return "SHR";
        return "OTH";
    }
    if (!est && c->rst[1] && !c->rst[0]) return "REJ";
    if (c->rst[0] && (!c->rst[1] || c->rst_by == 0)) return "RSTO";
    if (c->rst[1]) return "RSTR";
    if (c->fin[0] && c->fin[1]) return "SF";
    if (c->fin[0]) return "S2";
    if (c->fin[1]) return "S3";
    return "S1";
}

void nt_conn_history(const nt_conn *c, char *out, size_t n) { snprintf(out, n, "%s", c->history); }
