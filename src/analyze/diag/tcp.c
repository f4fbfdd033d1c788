/* tcp.c - the TCP rules and the application's turns over TCP. Per stream
 * a little state, fed each segment with its analysis (tcp_analysis.c's
 * flags): the SYNs and SYN-ACKs, idle gaps, retransmitted data, zero and
 * full windows, the delayed-ACK/Nagle watch, and the request/response
 * turns (client speaks first) with, per server:port, the time to the first
 * answer byte. At the end the connection records of conns.c give the
 * handshake outcome (unanswered, refused, half open, reset) and the state
 * gives the rest. Memory grows with streams and servers, not packets. */
#include "diag_int.h"

#include "nettracer/app.h"

#include <stdlib.h>

#define MAX_SERVERS 1024
#define WORST 3   /* slowest answers kept per server */

typedef struct turn_ex {
    uint64_t req_frame, resp_frame;
    double secs;
} turn_ex;

typedef struct dstream {
    bool used;
    uint32_t syn_frames[NT_CONN_SYN_TIMES]; /* not uint64 to keep the struct small */
    uint32_t nsynf;
    uint32_t synack_frames[4];
    uint32_t nsynackf;
    uint16_t mss[2];
    /* data turns: the side that spoke last, and the open request */
    int last_dir;                 /* -1 none */
    bool req_open;                /* client data not answered yet */
    uint64_t req_first_frame, req_last_frame;
    nt_time req_last_ts;
    uint32_t req_end;             /* relative sequence after the request */
    bool req_acked;
    uint64_t req_ack_frame;
    bool req_reported;
    bool any_data[2];
    /* idle gaps: last packet */
    nt_time last_ts;
    uint64_t last_frame;
    int last_pkt_dir;
    double gap_max;
    uint64_t gap_before, gap_after;
    int gap_waiter;               /* 0 client waited for server, 1 server for client, 2 nobody (both done) */
    uint32_t ngaps;
    /* data segments and retransmissions per direction */
    uint64_t data_segs[2], retrans[2], fast[2], lost_seg[2], dupacks[2];
    uint64_t first_retrans[2][EXAMPLES];
    uint8_t nfirst_retrans[2];
    /* zero window: dir = the side advertising it */
    bool zw_in[2];
    nt_time zw_start[2];
    uint64_t zw_start_frame[2];
    uint32_t zw_count[2], zw_probes[2];
    double zw_total[2], zw_max[2];
    uint64_t zw_first[2], zw_end_frame[2];
    /* window full: dir = the sender that filled the peer's window */
    bool wf_in[2];
    nt_time wf_ts[2];
    uint32_t wf_count[2];
    double wf_total[2];
    uint64_t wf_first[2];
    /* delayed ACK + Nagle, dir = the sender of the small segment */
    int ng_state[2];              /* 0 idle, 1 small segment alone in flight, 2 its ACK came late */
    uint64_t ng_seg_frame[2], ng_ack_frame[2];
    nt_time ng_seg_ts[2], ng_ack_ts[2];
    uint32_t ng_end[2];
    uint32_t ng_count[2];
    double ng_total[2], ng_max[2];
    uint64_t ng_ex[2][EXAMPLES][3];
    uint8_t nng_ex[2];
} dstream;

typedef struct server {
    addr ad;
    uint16_t port;
    bool http;
    uint64_t n;
    double sum, max;
    uint32_t nslow;
    turn_ex worst[WORST];
} server;

/* a server's key: all 20 bytes are set (memset first) */
typedef struct server_key {
    addr ad;
    uint8_t pad;
    uint16_t port;
} server_key;

typedef struct tcpst {
    dstream *s;            /* by stream number */
    size_t scap;
    nt_hmap server_ix;     /* server_key -> index in servers */
    server *servers;       /* in the order first answering */
    size_t nservers, cservers;
} tcpst;

static server *server_find(tcpst *t, const addr *a, uint16_t port)
{
    server_key k;
    memset(&k, 0, sizeof k);
    k.ad = *a, k.port = port;
    const uint32_t *ix = nt_hmap_find(&t->server_ix, &k);
    if (ix) return &t->servers[*ix];
    /* the memory bound: once MAX_SERVERS servers are known a new one gets
     * no row (its response times are not kept) */
    if (t->nservers >= MAX_SERVERS) return NULL;
    t->servers = nt_diag_grow(t->servers, &t->cservers, t->nservers, sizeof *t->servers);
    server *x = &t->servers[t->nservers];
    x->ad = *a;
    x->port = port;
    bool added;
    nt_hmap_put(&t->server_ix, &k, (uint32_t)t->nservers++, &added);
    return x;
}

static dstream *stream_slot(tcpst *t, uint32_t stream)
{
    t->s = nt_diag_grow(t->s, &t->scap, stream, sizeof *t->s);
    dstream *s = &t->s[stream];
    if (!s->used) {
        s->used = true;
        s->last_dir = -1;
        s->last_pkt_dir = -1;
    }
    return s;
}

/* the client's request turn got no answer for long: called when the
 * client gives up (FIN/RST) or at the end of the trace */
static void no_response(nt_diag *d, dstream *s, const nt_conn *c, nt_time now, uint64_t end_frame, bool gave_up)
{
    if (!s->req_open || !s->req_acked || s->req_reported) return;
    double w = secs(now, s->req_last_ts);
    if (w < d->o.no_response_s) return;
    s->req_reported = true;
    nt_finding *f = finding_sev(d, NT_F_APP_NO_RESPONSE, gave_up ? NT_SEV_ERROR : NT_SEV_WARNING);
    nt_diag_conn_flow(f->flow, sizeof f->flow, c);
    ff(f, s->req_first_frame);
    ff(f, s->req_last_frame);
    ff(f, s->req_ack_frame);
    ff(f, end_frame);
    fnum(f, "waited_s", w);
    fnum(f, "request_frame", (double)s->req_first_frame);
    fnum(f, "ack_frame", (double)s->req_ack_frame);
    char b1[32], req[64];
    if (s->req_first_frame == s->req_last_frame)
        snprintf(req, sizeof req, "frame %llu", (unsigned long long)s->req_first_frame);
    else
        snprintf(req, sizeof req, "frames %llu-%llu", (unsigned long long)s->req_first_frame,
                 (unsigned long long)s->req_last_frame);
    if (gave_up)
        ftext(f,
              "The server ACKed the client's request (%s, ACK in frame %llu) but sent no application data back; "
              "the client gave up after %s (frame %llu).",
              req, (unsigned long long)s->req_ack_frame, dur(b1, sizeof b1, w), (unsigned long long)end_frame);
    else
        ftext(f,
              "The server ACKed the client's request (%s, ACK in frame %llu) but sent no application data back in "
              "the %s until the end of the trace.",
              req, (unsigned long long)s->req_ack_frame, dur(b1, sizeof b1, w));
    fadvice(f, "TCP works, the application does not answer: look at the server application (or the load "
               "balancer or proxy that ACKs on its behalf) and try the server behind it directly.");
}

/* one segment as the trackers below see it */
typedef struct seg {
    const nt_conn *c;
    const nt_pkt_ana *a;
    int dir, o;              /* o: the other side */
    uint64_t n;
    nt_time ts;
    uint32_t ta, plen;       /* analysis flags, payload length */
    bool syn, ack, rst, fin, retrans;
} seg;

/* the handshake's segments and the silences of an established connection */
static void track_gaps(nt_diag *d, dstream *s, const seg *g, const nt_tcp *t)
{
    const nt_conn *c = g->c;
    int dir = g->dir;
    uint64_t n = g->n;
    if (g->syn && !g->ack && dir == 0 && s->nsynf < NT_CONN_SYN_TIMES) s->syn_frames[s->nsynf++] = (uint32_t)n;
    if (g->syn && g->ack && dir == 1 && s->nsynackf < 4) s->synack_frames[s->nsynackf++] = (uint32_t)n;
    if (g->syn && t->has_mss) s->mss[dir] = t->mss;

    /* idle gaps between consecutive packets of an established connection */
    if (s->last_frame && (c->established || (!c->syns && !c->synacks))) { /* or begun before the capture */
        double gap = secs(g->ts, s->last_ts);
        if (gap >= d->o.idle_gap_s) {
            s->ngaps++;
            if (gap > s->gap_max) {
                s->gap_max = gap;
                s->gap_before = s->last_frame;
                s->gap_after = n;
                /* who was waiting: an open request means the client waited for the server */
                s->gap_waiter = s->req_open ? 0 : (s->last_dir == 1 || s->last_dir == -1) ? 1 : 2;
            }
        }
    }
    s->last_ts = g->ts;
    s->last_frame = n;
    s->last_pkt_dir = dir;

    /* retransmissions of data */
    if (g->plen && !g->syn) {
        s->data_segs[dir]++;
        if (g->retrans) {
            s->retrans[dir]++;
            if (g->ta & NT_TA_FAST_RETRANSMISSION) s->fast[dir]++;
            if (s->nfirst_retrans[dir] < EXAMPLES) s->first_retrans[dir][s->nfirst_retrans[dir]++] = n;
        }
    }
    if (g->ta & NT_TA_LOST_SEGMENT) s->lost_seg[dir]++;
    if (g->ta & NT_TA_DUPLICATE_ACK) s->dupacks[dir]++;
}

/* zero windows (dir advertises one; a Linux probe looks like a keep-alive)
 * and full windows (dir filled the peer's; the stall lasts until dir sends
 * new data) */
static void track_windows(dstream *s, const seg *g)
{
    int dir = g->dir, o = g->o;
    uint32_t ta = g->ta;
    if ((ta & NT_TA_ZERO_WINDOW) && !g->rst) {
        if (!s->zw_in[dir]) {
            s->zw_in[dir] = true;
            s->zw_start[dir] = g->ts;
            s->zw_start_frame[dir] = g->n;
            if (!s->zw_count[dir]) s->zw_first[dir] = g->n;
            s->zw_count[dir]++;
        }
    } else if (s->zw_in[dir] && g->a->win > 0 && !g->rst) {
        double w = secs(g->ts, s->zw_start[dir]);
        s->zw_in[dir] = false;
        s->zw_total[dir] += w;
        if (w >= s->zw_max[dir]) s->zw_max[dir] = w, s->zw_end_frame[dir] = g->n;
    }
    if (s->zw_in[o] && (ta & (NT_TA_ZERO_WINDOW_PROBE | NT_TA_KEEP_ALIVE))) s->zw_probes[o]++;
    if ((ta & NT_TA_ZERO_WINDOW) && s->wf_in[o]) {
        s->wf_in[o] = false;
        s->wf_total[o] += secs(g->ts, s->wf_ts[o]);
    }
    if (s->wf_in[dir] && g->plen && !g->retrans && !(ta & NT_TA_WINDOW_FULL)) {
        s->wf_in[dir] = false;
        s->wf_total[dir] += secs(g->ts, s->wf_ts[dir]);
    }
    if ((ta & NT_TA_WINDOW_FULL) && !s->wf_in[dir]) {
        s->wf_in[dir] = true;
        s->wf_ts[dir] = g->ts;
        if (!s->wf_count[dir]) s->wf_first[dir] = g->n;
        s->wf_count[dir]++;
    }
}

/* delayed ACK + Nagle: dir sends a small segment with nothing else in
 * flight; the peer ACKs it only after a delayed-ACK timer, without data;
 * dir's next segment follows that ACK at once (it was waiting for it). */
static void track_nagle(nt_diag *d, dstream *s, const seg *g)
{
    const nt_conn *c = g->c;
    int dir = g->dir, o = g->o;
    uint16_t mss = s->mss[o] ? s->mss[o] : 1460; /* what the peer announced */
    if (g->plen && !g->syn && !g->retrans) {
        if (s->ng_state[dir] == 2) {
            double follow = secs(g->ts, s->ng_ack_ts[dir]);
            double lost = secs(s->ng_ack_ts[dir], s->ng_seg_ts[dir]);
            double lim = c->hs_rtt_ns > 0 ? 2.0 * (double)c->hs_rtt_ns / 1e9 : 0;
            if (lim < 0.005) lim = 0.005;
            if (follow <= lim) {
                s->ng_count[dir]++;
                s->ng_total[dir] += lost;
                if (lost > s->ng_max[dir]) s->ng_max[dir] = lost;
                if (s->nng_ex[dir] < EXAMPLES) {
                    uint64_t *e = s->ng_ex[dir][s->nng_ex[dir]++];
                    e[0] = s->ng_seg_frame[dir], e[1] = s->ng_ack_frame[dir], e[2] = g->n;
                }
            }
        }
        s->ng_state[dir] = 0;
        if (g->plen < mss && g->a->bytes_in_flight == g->plen) {
            s->ng_state[dir] = 1;
            s->ng_seg_frame[dir] = g->n;
            s->ng_seg_ts[dir] = g->ts;
            s->ng_end[dir] = g->a->nxtseq;
        }
    }
    if (s->ng_state[o] == 1) {
        if (g->plen || g->syn || g->fin || g->rst) s->ng_state[o] = 0;
        else if (g->ack && (int32_t)(g->a->rel_ack - s->ng_end[o]) >= 0) {
            double dly = secs(g->ts, s->ng_seg_ts[o]);
            double rtt = c->hs_rtt_ns > 0 ? (double)c->hs_rtt_ns / 1e9 : 0;
            if (dly >= d->o.dack_min_s && dly <= d->o.dack_max_s && dly >= rtt + d->o.dack_min_s * 0.5) {
                s->ng_state[o] = 2;
                s->ng_ack_frame[o] = g->n;
                s->ng_ack_ts[o] = g->ts;
            } else {
                s->ng_state[o] = 0;
            }
        }
    } else if (s->ng_state[o] == 2 && g->plen) {
        s->ng_state[o] = 0;
    }
}

/* the first answer byte after a request: a response time for this server:port */
static void answer_time(nt_diag *d, tcpst *t, const dstream *s, const seg *g, const nt_packet *pkt)
{
    const nt_conn *c = g->c;
    double rt = secs(g->ts, s->req_last_ts);
    addr sv = {.fam = c->family};
    memcpy(sv.a, c->server, 16);
    server *x = server_find(t, &sv, c->sport);
    if (!x) return;
    x->n++;
    x->sum += rt;
    if (rt > x->max) x->max = rt;
    if (pkt->app && pkt->app->nhttp && !pkt->app->http[0].continuation && !pkt->app->http[0].h.request)
        x->http = true;
    if (rt < d->o.slow_response_s) return;
    x->nslow++;
    /* keep the worst few, worst first */
    for (int k = 0; k < WORST; k++) {
        if (!x->worst[k].req_frame || rt > x->worst[k].secs) {
            memmove(&x->worst[k + 1], &x->worst[k], (WORST - 1 - k) * sizeof x->worst[0]);
            x->worst[k] = (turn_ex){s->req_first_frame, g->n, rt};
            break;
        }
    }
}

/* request/response turns (client speaks first) */
static void track_turns(nt_diag *d, tcpst *t, dstream *s, const seg *g, const nt_packet *pkt)
{
    int dir = g->dir;
    if (g->plen && !g->retrans && !g->syn) {
        s->any_data[dir] = true;
        if (dir == 0) {
            if (!s->req_open) {
                s->req_open = true;
                s->req_first_frame = g->n;
                s->req_acked = false;
                s->req_reported = false;
            }
            s->req_last_frame = g->n;
            s->req_last_ts = g->ts;
            s->req_end = g->a->nxtseq;
        } else if (s->req_open) {
            s->req_open = false;
            answer_time(d, t, s, g, pkt);
        }
        s->last_dir = dir;
    }
    if (dir == 1 && g->ack && s->req_open && !s->req_acked && (int32_t)(g->a->rel_ack - s->req_end) >= 0) {
        s->req_acked = true;
        s->req_ack_frame = g->n;
    }
    if (dir == 0 && (g->fin || g->rst)) no_response(d, s, g->c, g->ts, g->n, true);
}

static void tcp_observe(nt_diag *d, void *st, const diag_pkt *p)
{
    if (!p->conn) return;
    tcpst *t = st;
    dstream *s = stream_slot(t, p->stream);
    const nt_tcp *h = p->tcp;
    uint16_t fl = h->flags;
    seg g = {.c = p->conn, .a = &p->pkt->ana, .dir = p->dir, .o = 1 - p->dir, .n = p->frame, .ts = p->ts};
    g.ta = g.a->tcp_flags;
    g.plen = h->payload_len;
    g.syn = fl & NT_TCP_SYN, g.ack = fl & NT_TCP_ACK, g.rst = fl & NT_TCP_RST, g.fin = fl & NT_TCP_FIN;
    g.retrans = g.ta & (NT_TA_RETRANSMISSION | NT_TA_FAST_RETRANSMISSION | NT_TA_SPURIOUS_RETRANS);
    track_gaps(d, s, &g, h);
    track_windows(s, &g);
    track_nagle(d, s, &g);
    track_turns(d, t, s, &g, p->pkt);
}

static void syn_unanswered(nt_diag *d, const nt_conn *c, const dstream *s, const char *flow)
{
    char b1[32];
    double span = secs(d->last_ts, c->first_ts);
    bool sure = c->syns >= 2 || span >= 3.0;
    nt_finding *f = finding_sev(d, NT_F_TCP_SYN_UNANSWERED, sure ? NT_SEV_ERROR : NT_SEV_NOTICE);
    scpy(f->flow, sizeof f->flow, flow);
    for (uint32_t i = 0; i < s->nsynf; i++) ff(f, s->syn_frames[i]);
    fnum(f, "syns", c->syns);
    char sched[96] = "";
    size_t at = 0;
    uint32_t k = c->syns < NT_CONN_SYN_TIMES ? c->syns : NT_CONN_SYN_TIMES;
    for (uint32_t i = 1; i < k && at < sizeof sched; i++)
        at += (size_t)snprintf(sched + at, sizeof sched - at, "%s+%.1f s", i > 1 ? ", " : "",
                               secs(c->syn_ts[i], c->syn_ts[0]));
    fstr(f, "schedule", sched);
    fnum(f, "waited_s", secs(c->last_ts, c->first_ts));
    if (c->syns > 1)
        ftext(f, "%u SYNs to %s got no answer (first in frame %llu, retransmitted at %s); nothing came back.",
              c->syns, strstr(flow, "-> ") + 3, (unsigned long long)c->first_syn_frame,
              sched);
    else
        ftext(f, "The SYN in frame %llu got no answer in the %s the trace runs after it.",
              (unsigned long long)c->first_syn_frame, dur(b1, sizeof b1, span));
    fadvice(f, "The SYNs were dropped on the way or the host is down: check firewalls and routes towards "
               "port %u, and capture on the server at the same time to see whether the SYNs arrive.",
            c->sport);
}

/* the reset answering the SYN, and its TTL beside the host's own */
static void syn_refused(nt_diag *d, const nt_conn *c, const char *flow)
{
    nt_finding *f = finding(d, NT_F_TCP_SYN_REFUSED);
    scpy(f->flow, sizeof f->flow, flow);
    ff(f, c->first_syn_frame);
    fnum(f, "syns", c->syns);
    if (c->rst[1] && c->rst_before_synack) {
        ff(f, c->rst_frame);
        fnum(f, "reset_frame", (double)c->rst_frame);
        fnum(f, "reset_ttl", c->rst_ttl);
        diag_host_ttl x = nt_diag_host_ttl(d, c->family, c->server);
        if (x.frame) {
            fnum(f, "host_ttl", x.ttl);
            fnum(f, "host_ttl_frame", (double)x.frame);
            ff(f, x.frame);
        }
        char other[200];
        if (x.frame && x.ttl != c->rst_ttl)
            snprintf(other, sizeof other,
                     "; its TTL %u differs from the TTL %u of the host's other packets (frame %llu): a "
                     "firewall or load balancer in between likely sent it",
                     c->rst_ttl, x.ttl, (unsigned long long)x.frame);
        else if (x.frame)
            snprintf(other, sizeof other, "; its TTL %u is the host's own (frame %llu)", c->rst_ttl,
                     (unsigned long long)x.frame);
        else
            snprintf(other, sizeof other, " with TTL %u (no other packet from the host to compare)", c->rst_ttl);
        ftext(f, "The connection to %s was refused: the SYN (frame %llu) was answered by a reset (frame %llu)%s.",
              strstr(flow, "-> ") + 3, (unsigned long long)c->first_syn_frame, (unsigned long long)c->rst_frame,
              other);
        fadvice(f, "Nothing listens on port %u on the server, or a firewall rejects it: check the service "
                   "and its binding, then firewall rules that reject with a reset.",
                c->sport);
    } else {
        ff(f, c->icmp_frame);
        addr from = {.fam = c->icmp_family};
        memcpy(from.a, c->icmp_from, 16);
        char fs[64];
        nt_diag_addr_str(fs, sizeof fs, &from);
        fstr(f, "icmp_from", fs);
        fnum(f, "icmp_code", c->icmp_code);
        ftext(f,
              "The connection to %s was rejected: the SYN (frame %llu) was answered by an ICMP%s destination "
              "unreachable (code %u) from %s (frame %llu).",
              strstr(flow, "-> ") + 3, (unsigned long long)c->first_syn_frame, c->icmp_family == 6 ? "v6" : "",
              c->icmp_code, fs, (unsigned long long)c->icmp_frame);
        fadvice(f, "A firewall (or the host) rejects port %u with ICMP: check the rules on %s and on the way.",
                c->sport, fs);
    }
}

static void half_open(nt_diag *d, const nt_conn *c, const dstream *s, const char *flow)
{
    nt_finding *f = finding(d, NT_F_TCP_HANDSHAKE_INCOMPLETE);
    scpy(f->flow, sizeof f->flow, flow);
    ff(f, c->first_syn_frame);
    for (uint32_t i = 0; i < s->nsynackf; i++) ff(f, s->synack_frames[i]);
    fnum(f, "synacks", c->synacks);
    fnum(f, "syns", c->syns);
    ftext(f,
          "The server answered the SYN (frame %llu) with a SYN-ACK (frame %llu%s%u times) but the client's "
          "final ACK never came.",
          (unsigned long long)c->first_syn_frame, (unsigned long long)c->first_synack_frame, ", sent ",
          c->synacks);
    fadvice(f, "The SYN-ACK or the ACK is lost between the two: capture on the client too; look for a "
               "firewall that drops one direction or asymmetric routing.");
}

static void reset_rule(nt_diag *d, const nt_conn *c, const char *flow)
{
    char b1[32];
    bool after_fin = c->fin[0] && c->fin[1];
    nt_finding *f = finding_sev(d, NT_F_TCP_RESET, after_fin ? NT_SEV_NOTICE : NT_SEV_WARNING);
    scpy(f->flow, sizeof f->flow, flow);
    ff(f, c->rst_frame);
    ff(f, c->rst_after_frame);
    const char *by = c->rst_by ? "server" : "client";
    fstr(f, "by", by);
    fnum(f, "reset_ttl", c->rst_ttl);
    fnum(f, "bytes_c2s", (double)c->bytes[0]);
    fnum(f, "bytes_s2c", (double)c->bytes[1]);
    fnum(f, "after_s", secs(c->last_ts, c->first_ts));
    /* the resetting side's ordinary TTL: another one means a device in between sent the reset */
    diag_host_ttl x = nt_diag_host_ttl(d, c->family, c->rst_by ? c->server : c->client);
    char ttl[160] = "";
    if (x.frame) {
        fnum(f, "host_ttl", x.ttl);
        if (x.ttl != c->rst_ttl) {
            ff(f, x.frame);
            snprintf(ttl, sizeof ttl,
                     "; its TTL %u differs from the %s's other packets (TTL %u, frame %llu): a device in "
                     "between likely sent it",
                     c->rst_ttl, by, x.ttl, (unsigned long long)x.frame);
        }
    }
    ftext(f,
          "The %s reset the established connection in frame %llu (after frame %llu), %s into it, after "
          "%llu bytes from the client and %llu from the server%s%s.",
          by, (unsigned long long)c->rst_frame, (unsigned long long)c->rst_after_frame,
          dur(b1, sizeof b1, secs(c->last_ts, c->first_ts)), (unsigned long long)c->bytes[0],
          (unsigned long long)c->bytes[1], after_fin ? ", both sides had already sent FIN" : "", ttl);
    fadvice(f, "Look at what the %s application logged at that time; a reset with another TTL than the "
               "host's comes from a device in between (idle timeout, IPS).",
            by);
}

/* retransmitted data of one sender */
static void retrans_rule(nt_diag *d, dstream *s, int dir, const char *flow)
{
    static const char *side[2] = {"client", "server"};
    uint64_t segs = s->data_segs[dir], rt = s->retrans[dir];
    double rate = segs ? (double)rt / (double)segs : 0;
    if (rt >= d->o.retrans_min && rate >= d->o.retrans_rate) {
        nt_finding *f = finding_sev(d, NT_F_TCP_RETRANSMISSIONS, rate >= 0.1 ? NT_SEV_ERROR : NT_SEV_WARNING);
        scpy(f->flow, sizeof f->flow, flow);
        for (int i = 0; i < s->nfirst_retrans[dir]; i++) ff(f, s->first_retrans[dir][i]);
        fstr(f, "sender", side[dir]);
        fnum(f, "retransmissions", (double)rt);
        fnum(f, "data_segments", (double)segs);
        fnum(f, "rate", rate);
        fnum(f, "fast_retransmissions", (double)s->fast[dir]);
        fnum(f, "dup_acks", (double)s->dupacks[1 - dir]);
        fnum(f, "previous_segment_lost", (double)s->lost_seg[dir]);
        ftext(f,
              "The %s retransmitted %llu of its %llu data segments (%.1f %%; %llu fast retransmissions, "
              "%llu duplicate ACKs from the %s), first in frame %llu.",
              side[dir], (unsigned long long)rt, (unsigned long long)segs, rate * 100,
              (unsigned long long)s->fast[dir], (unsigned long long)s->dupacks[1 - dir], side[1 - dir],
              (unsigned long long)s->first_retrans[dir][0]);
        fadvice(f, "Packets are lost between the two: capture at both ends to find where, and look at "
                   "interface errors, duplex, congested links or a policer on the path.");
    }
}

/* a zero window advertised by dir */
static void zero_window_rule(nt_diag *d, dstream *s, int dir, const char *flow)
{
    static const char *side[2] = {"client", "server"};
    char b1[32], b2[32];
    if (s->zw_count[dir]) {
        if (s->zw_in[dir]) { /* still closed at the end */
            double w = secs(d->last_ts, s->zw_start[dir]);
            s->zw_total[dir] += w;
            if (w >= s->zw_max[dir]) s->zw_max[dir] = w, s->zw_end_frame[dir] = 0;
        }
        nt_finding *f = finding(d, NT_F_TCP_ZERO_WINDOW);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, s->zw_first[dir]);
        ff(f, s->zw_end_frame[dir]);
        fstr(f, "receiver", side[dir]);
        fnum(f, "stalls", s->zw_count[dir]);
        fnum(f, "total_s", s->zw_total[dir]);
        fnum(f, "longest_s", s->zw_max[dir]);
        fnum(f, "probes", s->zw_probes[dir]);
        ftext(f,
              "The %s advertised a zero window %u time%s (first in frame %llu): the %s was stalled %s in "
              "total, %s at the longest, with %u window probe%s%s.",
              side[dir], s->zw_count[dir], s->zw_count[dir] > 1 ? "s" : "", (unsigned long long)s->zw_first[dir],
              side[1 - dir], dur(b1, sizeof b1, s->zw_total[dir]), dur(b2, sizeof b2, s->zw_max[dir]),
              s->zw_probes[dir], s->zw_probes[dir] == 1 ? "" : "s",
              s->zw_in[dir] ? " (still closed at the end of the trace)" : "");
        fadvice(f, "The receiving application on the %s does not read its socket fast enough: look at its "
                   "load (CPU, disk) and how it reads; the network is not the bottleneck here.",
                side[dir]);
    }
}

/* dir filled the peer's window */
static void window_full_rule(nt_diag *d, dstream *s, int dir, const char *flow)
{
    static const char *side[2] = {"client", "server"};
    char b1[32];
    if (s->wf_count[dir]) {
        if (s->wf_in[dir]) s->wf_total[dir] += secs(d->last_ts, s->wf_ts[dir]);
        bool warn = s->wf_total[dir] >= d->o.window_stall_s;
        nt_finding *f = finding_sev(d, NT_F_TCP_WINDOW_FULL, warn ? NT_SEV_WARNING : NT_SEV_NOTICE);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, s->wf_first[dir]);
        fstr(f, "sender", side[dir]);
        fnum(f, "times", s->wf_count[dir]);
        fnum(f, "stalled_s", s->wf_total[dir]);
        ftext(f,
              "The %s filled the %s's receive window %u time%s (first in frame %llu) and waited %s in total "
              "before it could send more.",
              side[dir], side[1 - dir], s->wf_count[dir], s->wf_count[dir] > 1 ? "s" : "",
              (unsigned long long)s->wf_first[dir], dur(b1, sizeof b1, s->wf_total[dir]));
        fadvice(f, "The %s's receive window limits the transfer: a small socket buffer or no window "
                   "scaling on the %s, or an application that reads slowly.",
                side[1 - dir], side[1 - dir]);
    }
}

/* dir's small segments waited for the peer's delayed ACK */
static void nagle_rule(nt_diag *d, dstream *s, int dir, const char *flow)
{
    static const char *side[2] = {"client", "server"};
    char b1[32], b2[32];
    if (s->ng_count[dir] >= d->o.nagle_min) {
        nt_finding *f = finding(d, NT_F_TCP_DELAYED_ACK_NAGLE);
        scpy(f->flow, sizeof f->flow, flow);
        for (int i = 0; i < s->nng_ex[dir]; i++)
            for (int k = 0; k < 3; k++) ff(f, s->ng_ex[dir][i][k]);
        double avg = s->ng_total[dir] / s->ng_count[dir];
        fstr(f, "sender", side[dir]);
        fnum(f, "occurrences", s->ng_count[dir]);
        fnum(f, "total_s", s->ng_total[dir]);
        fnum(f, "average_s", avg);
        fnum(f, "longest_s", s->ng_max[dir]);
        ftext(f,
              "%u times the %s sent a small segment, the %s ACKed it only after its delayed-ACK timer "
              "(%s on average, %s at most) and the %s's next segment waited for that ACK (Nagle): %s lost "
              "in total (first: frames %llu, %llu, %llu).",
              s->ng_count[dir], side[dir], side[1 - dir], dur(b1, sizeof b1, avg),
              dur(b2, sizeof b2, s->ng_max[dir]), side[dir],
              dur((char[32]){0}, 32, s->ng_total[dir]), (unsigned long long)s->ng_ex[dir][0][0],
              (unsigned long long)s->ng_ex[dir][0][1], (unsigned long long)s->ng_ex[dir][0][2]);
        fadvice(f,
                "Set TCP_NODELAY on the %s's socket (or have it write each message in one call), or turn "
                "off or shorten delayed ACK on the %s (Windows: TcpAckFrequency=1; Linux: TCP_QUICKACK).",
                side[dir], side[1 - dir]);
    }
}

/* the longest silence inside the connection */
static void idle_gap_rule(nt_diag *d, const dstream *s, const char *flow)
{
    char b1[32], b2[32];
    if (s->ngaps) {
        static const char *who[3] = {"the client was waiting for the server's answer",
                                     "the server had answered and the client sent nothing",
                                     "both sides were quiet"};
        nt_finding *f = finding_sev(d, NT_F_APP_IDLE_GAP, s->gap_waiter == 0 ? NT_SEV_WARNING : NT_SEV_NOTICE);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, s->gap_before);
        ff(f, s->gap_after);
        fnum(f, "gap_s", s->gap_max);
        fnum(f, "gaps", s->ngaps);
        fstr(f, "waiting", s->gap_waiter == 0 ? "client" : s->gap_waiter == 1 ? "server" : "none");
        ftext(f, "Nothing was sent in this connection for %s between frames %llu and %llu (%u gap%s over %s): %s.",
              dur(b1, sizeof b1, s->gap_max), (unsigned long long)s->gap_before, (unsigned long long)s->gap_after,
              s->ngaps, s->ngaps > 1 ? "s" : "", dur(b2, sizeof b2, d->o.idle_gap_s), who[s->gap_waiter]);
        if (s->gap_waiter == 0)
            fadvice(f, "The server (or something in between) held the answer: look at the server application's "
                       "timing for the request before frame %llu.",
                    (unsigned long long)s->gap_before);
        else
            fadvice(f, "The client application paused: if the user saw a hang here, look at the client (or at what "
                       "it waited for elsewhere: DNS, another connection).");
    }
}

static void stream_rules(nt_diag *d, const nt_conn *c, dstream *s)
{
    char flow[160];
    nt_diag_conn_flow(flow, sizeof flow, c);
    for (int dir = 0; dir < 2; dir++) {
        retrans_rule(d, s, dir, flow);
        zero_window_rule(d, s, dir, flow);
        window_full_rule(d, s, dir, flow);
        nagle_rule(d, s, dir, flow);
    }
    /* request ACKed, never answered, and the trace ended with the connection open */
    /* (only where the server answered before: a one-way stream, such as an
     * upload or a log feed, is not waiting for anything) */
    if (nt_conn_end_of(c) == NT_END_OPEN && s->any_data[1]) no_response(d, s, c, d->last_ts, d->last_frame, false);
    idle_gap_rule(d, s, flow);
}

static void server_rules(nt_diag *d, tcpst *t)
{
    char b1[32], b2[32];
    for (size_t i = 0; i < t->nservers; i++) {
        server *sv = &t->servers[i];
        if (!sv->nslow) continue;
        nt_finding *f = finding(d, NT_F_APP_SLOW_RESPONSE);
        char a[80];
        nt_diag_ep_str(a, sizeof a, sv->ad.fam, sv->ad.a, sv->port);
        scpy(f->flow, sizeof f->flow, a);
        char worst[160] = "";
        size_t at = 0;
        for (int k = 0; k < WORST && sv->worst[k].req_frame; k++) {
            ff(f, sv->worst[k].req_frame);
            ff(f, sv->worst[k].resp_frame);
            if (at < sizeof worst)
                at += (size_t)snprintf(worst + at, sizeof worst - at, "%s%s (frames %llu-%llu)", k ? ", " : "",
                                       dur(b1, sizeof b1, sv->worst[k].secs),
                                       (unsigned long long)sv->worst[k].req_frame,
                                       (unsigned long long)sv->worst[k].resp_frame);
        }
        fnum(f, "responses", (double)sv->n);
        fnum(f, "slow", sv->nslow);
        fnum(f, "average_s", sv->sum / (double)sv->n);
        fnum(f, "max_s", sv->max);
        fnum(f, "threshold_s", d->o.slow_response_s);
        ftext(f, "%u of %llu %sresponses from %s took %s or more (average %s); the worst: %s.", sv->nslow,
              (unsigned long long)sv->n, sv->http ? "HTTP " : "", a, dur(b2, sizeof b2, d->o.slow_response_s),
              dur((char[32]){0}, 32, sv->sum / (double)sv->n), worst);
        fadvice(f, "The time is spent between the request's last segment and the answer's first: on the server "
                   "(or a proxy in front of it); a trace on the server tells whether the delay is added on the way.");
    }
}


/* the handshake's outcome, as conns.c recorded it */
static void handshake_rules(nt_diag *d, const nt_conn *c, const dstream *s, uint32_t stream)
{
    char flow[160];
    nt_diag_conn_flow(flow, sizeof flow, c);
    nt_conn_outcome oc = nt_conn_outcome_of(c);
    if (oc == NT_CONN_UNANSWERED) syn_unanswered(d, c, s, flow);
    else if (oc == NT_CONN_REFUSED) syn_refused(d, c, flow);
    else if (oc == NT_CONN_HALF_OPEN) half_open(d, c, s, flow);
    else if (nt_conn_end_of(c) == NT_END_RESET && (oc == NT_CONN_ESTABLISHED || oc == NT_CONN_PREEXISTING) &&
             !nt_diag_tls_aborted(d, stream)) /* tls.handshake-aborted tells it */
        reset_rule(d, c, flow);
}

static void *tcp_init(nt_diag *d)
{
    (void)d;
    tcpst *t = calloc(1, sizeof *t);
    if (!t) abort();
    nt_hmap_init(&t->server_ix, sizeof(server_key));
    return t;
}

static void tcp_finish(nt_diag *d, void *st, const nt_trace *tr)
{
    (void)tr;
    tcpst *t = st;
    for (size_t i = 0; i < d->conns.max_stream_plus1; i++) {
        const nt_conn *c = &d->conns.c[i];
        if (!c->used) continue;
        dstream *s = stream_slot(t, (uint32_t)i);
        handshake_rules(d, c, s, (uint32_t)i);
        stream_rules(d, c, s);
    }
    server_rules(d, t);
}

static void tcp_free(void *st)
{
    tcpst *t = st;
    if (!t) return;
    free(t->s);
    nt_hmap_free(&t->server_ix);
    free(t->servers);
    free(t);
}

const nt_diag_rule nt_diag_tcp_rule = {"tcp", tcp_init, tcp_observe, tcp_finish, tcp_free};
