/* voip.c - the one call and stream tracker: SIP dialogs by Call-ID (the
 * INVITE, its final answer, BYE or CANCEL, the offer and answer SDP
 * announced) and RTP streams by source, destination and SSRC, read from
 * the messages the session decoded. `nettracer voip` lists them; the
 * diagnose rules (diag/voip.c) read the calls' media per direction. */
#include "nettracer/voip.h"

#include "nettracer/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nt_voip_init(nt_voip *v) { memset(v, 0, sizeof *v); }

void nt_voip_free(nt_voip *v)
{
    free(v->calls);
    free(v->streams);
    memset(v, 0, sizeof *v);
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return p;
    size_t nc = *cap ? *cap * 2 : 16;
    while (nc < need) nc *= 2;
    void *np = realloc(p, nc * size);
    if (!np) abort();
    memset((char *)np + *cap * size, 0, (nc - *cap) * size);
    *cap = nc;
    return np;
}

/* the addresses of the IP header carrying the SIP or RTP (a tunnel's inner
 * one), as the sessions that decoded them saw it */
static bool addrs(const nt_packet *pkt, uint8_t *fam, const uint8_t **src, const uint8_t **dst)
{
    nt_outer o;
    if (!nt_packet_outer(pkt, &o)) return false;
    *fam = o.family, *src = o.src, *dst = o.dst;
    return true;
}

static void text(char *dst, size_t n, nt_text t) { nt_text_cstr(t, dst, n); }

static nt_voip_call *find_call(nt_voip *v, const nt_sip *m, bool create)
{
    char id[128];
    text(id, sizeof id, m->call_id);
    for (size_t i = 0; i < v->ncalls; i++)
        if (!strcmp(v->calls[i].call_id, id)) return &v->calls[i];
    if (!create) return NULL;
    v->calls = grow(v->calls, &v->ccalls, v->ncalls + 1, sizeof *v->calls);
    nt_voip_call *c = &v->calls[v->ncalls++];
    memset(c, 0, sizeof *c);
    c->used = true;
    snprintf(c->call_id, sizeof c->call_id, "%s", id);
    return c;
}

static void add_media(nt_voip_call *c, const nt_sdp *s)
{
    nt_sdp_endpoint e[NT_SDP_MAX_MEDIA];
    int n = nt_sdp_endpoints(s, e, NT_SDP_MAX_MEDIA);
    for (int i = 0; i < n && c->nmedia < NT_CALL_MAX_MEDIA; i++) {
        c->media[c->nmedia].family = e[i].family;
        memset(c->media[c->nmedia].addr, 0, 16);
        memcpy(c->media[c->nmedia].addr, e[i].addr, e[i].family == 4 ? 4 : 16);
        c->media[c->nmedia].port = e[i].rtp_port;
        c->nmedia++;
    }
}

/* The RTP endpoints a message's SDP announced (at most NT_CALL_MAX_SIDE),
 * for one side of the call: a later offer or answer replaces them. Only
 * the media the session follows as RTP count (nt_app_rtp_media): the RTP
 * of the others (T.38 over UDPTL, RTP/AVPF, UDP/TLS/RTP/SAVPF) is not
 * decoded, so it cannot be said missing. */
static void set_side(nt_voip_call *c, int side, const nt_sdp *s)
{
    if (!s) return;
    nt_sdp_endpoint e[NT_SDP_MAX_MEDIA];
    int n = nt_sdp_endpoints(s, e, NT_SDP_MAX_MEDIA);
    c->nside[side] = 0;
    for (int i = 0; i < n && c->nside[side] < NT_CALL_MAX_SIDE; i++) {
        if (!nt_app_rtp_media(&s->media[e[i].media_idx])) continue;
        nt_voip_ep *x = &c->side[side][c->nside[side]++];
        x->family = e[i].family;
        memcpy(x->addr, e[i].addr, 16);
        x->port = e[i].rtp_port;
    }
}

/* One SIP message of a call: the dialog's frames, the offer and answer. */
static void sip_msg(nt_voip_call *c, const nt_frame *f, const nt_sip *m, const nt_sdp *sdp, uint8_t fam,
                    const uint8_t *src, const uint8_t *dst)
{
    bool invite = m->is_request && nt_text_eq(m->method, "INVITE");
    bool cseq_invite = m->has_cseq && nt_text_eq(m->cseq_method, "INVITE");
    c->messages++;
    c->last_sig_frame = f->number;
    c->last_sig_ts = f->ts;
    if (invite && !c->invite_frame) {
        c->invite_frame = f->number;
        c->invite_ts = f->ts;
        c->family = fam;
        memcpy(c->caller, src, fam == 4 ? 4 : 16);
        memcpy(c->callee, dst, fam == 4 ? 4 : 16);
        if (m->has_from) text(c->from, sizeof c->from, m->from.uri);
        if (m->has_to) text(c->to, sizeof c->to, m->to.uri);
        set_side(c, 0, sdp);
    }
    if (m->is_request && nt_text_eq(m->method, "ACK") && !c->ack_frame) {
        c->ack_frame = f->number;
        if (!c->nside[0]) set_side(c, 0, sdp); /* a late offer */
    }
    if (m->is_request && nt_text_eq(m->method, "BYE") && !c->bye_frame) {
        c->bye_frame = f->number;
        c->bye_ts = f->ts;
        if (m->ms_diag.len) text(c->ms_diag, sizeof c->ms_diag, m->ms_diag);
    }
    if (m->is_request && nt_text_eq(m->method, "CANCEL") && !c->cancel_frame) c->cancel_frame = f->number;
    if (m->is_request || !cseq_invite) return;
    if (m->status >= 200 && !c->final_frame) {
        c->final_frame = f->number;
        c->final_ts = f->ts;
        c->final_code = m->status;
        text(c->reason, sizeof c->reason, m->reason);
        if (m->ms_diag.len) text(c->ms_diag, sizeof c->ms_diag, m->ms_diag);
    }
    if (m->status >= 200 && m->status < 300 && !c->ok_frame) {
        c->ok_frame = f->number;
        c->ok_ts = f->ts;
        set_side(c, 1, sdp);
    } else if (m->status == 183 && !c->nside[1]) {
        set_side(c, 1, sdp); /* early media */
    }
}

static void sip(nt_voip *v, const nt_packet *pkt, const nt_appdata *a)
{
    uint8_t fam = 0;
    const uint8_t *src = NULL, *dst = NULL;
    if (!addrs(pkt, &fam, &src, &dst)) return;
    for (int i = 0; i < a->nsip; i++) {
        const nt_sip *m = &a->sip[i];
        if (!m->call_id.len) continue;
        nt_voip_call *c = find_call(v, m, m->is_request && nt_text_eq(m->method, "INVITE"));
        if (!c) continue;
        const nt_sdp *sdp = a->sip_sdp[i] >= 0 ? &a->sdp[a->sip_sdp[i]] : NULL;
        sip_msg(c, pkt->frame, m, sdp, fam, src, dst);
        /* media announced by the message's SDP body belong to its call */
        if (sdp) add_media(c, sdp);
    }
}

static bool ep_is(const nt_voip_ep *e, uint8_t fam, const uint8_t *a, uint16_t port)
{
    return e->port == port && e->family == fam && !memcmp(e->addr, a, fam == 4 ? 4 : 16);
}

/* Which way a datagram between these endpoints goes in call c: 0 caller to
 * callee, 1 back, -1 not its media. */
static int media_dir(const nt_voip_call *c, uint8_t fam, const uint8_t *src, uint16_t sport, const uint8_t *dst,
                     uint16_t dport)
{
    for (int side = 0; side < 2; side++)
        for (int k = 0; k < c->nside[side]; k++) {
            if (ep_is(&c->side[side][k], fam, dst, dport)) return side == 1 ? 0 : 1;
            if (ep_is(&c->side[side][k], fam, src, sport)) return side == 0 ? 0 : 1;
        }
    return -1;
}

/* RTP to or from a call's offer/answer endpoints, per direction (RTCP on
 * the same port, rtcp-mux, is not media) */
static void call_media(nt_voip *v, const nt_packet *pkt, const nt_rtp *r, uint8_t fam, const uint8_t *src,
                       const uint8_t *dst, const nt_udp *u)
{
    for (size_t i = 0; i < v->ncalls; i++) {
        nt_voip_call *c = &v->calls[i];
        int dir = media_dir(c, fam, src, u->sport, dst, u->dport);
        if (dir < 0) continue;
        if (r->pt >= 72 && r->pt <= 76) return;
        if (!c->rtp[dir]) c->rtp_first[dir] = pkt->frame->number, c->rtp_first_ts[dir] = pkt->frame->ts;
        c->rtp[dir]++;
        c->rtp_last[dir] = pkt->frame->number;
        c->rtp_last_ts[dir] = pkt->frame->ts;
        return;
    }
}

/* an ICMP error quoting a datagram sent to a call's media: the other side is gone */
static void icmp_media(nt_voip *v, const nt_packet *pkt)
{
    /* the quoted datagram's destination, by the walk the sessions use (the
     * IP header carrying its UDP header) */
    nt_outer q;
    if (!nt_packet_quoted(pkt, &q) || !q.udp) return;
    uint8_t fam = q.family;
    const uint8_t *dst = q.dst;
    uint16_t dport = q.udp->dport;
    for (size_t i = 0; i < v->ncalls; i++) {
        nt_voip_call *c = &v->calls[i];
        for (int side = 0; side < 2; side++)
            for (int k = 0; k < c->nside[side]; k++)
                if (ep_is(&c->side[side][k], fam, dst, dport)) {
                    if (!c->icmp) c->icmp_frame = pkt->frame->number;
                    c->icmp++;
                    return;
                }
    }
}

static int call_of(const nt_voip *v, uint8_t fam, const uint8_t *addr, uint16_t port)
{
    uint8_t k[16] = {0};
    memcpy(k, addr, fam == 4 ? 4 : 16);
    for (size_t i = v->ncalls; i-- > 0;)
        for (int m = 0; m < v->calls[i].nmedia; m++)
            if (v->calls[i].media[m].family == fam && v->calls[i].media[m].port == port &&
                !memcmp(v->calls[i].media[m].addr, k, 16))
                return (int)i;
    return -1;
}

static void rtp(nt_voip *v, const nt_packet *pkt, const nt_rtp *r)
{
    uint8_t fam = 0;
    const uint8_t *src = NULL, *dst = NULL;
    if (!addrs(pkt, &fam, &src, &dst) || !pkt->nudp) return;
    const nt_udp *u = &pkt->udp[0];
    size_t al = fam == 4 ? 4 : 16;
    nt_voip_stream *s = NULL;
    for (size_t i = 0; i < v->nstreams && !s; i++) {
        nt_voip_stream *x = &v->streams[i];
        if (x->family == fam && x->sport == u->sport && x->dport == u->dport && x->st.ssrc == r->ssrc &&
            !memcmp(x->src, src, al) && !memcmp(x->dst, dst, al))
            s = x;
    }
    if (!s) {
        v->streams = grow(v->streams, &v->cstreams, v->nstreams + 1, sizeof *v->streams);
        s = &v->streams[v->nstreams++];
        memset(s, 0, sizeof *s);
        s->family = fam;
        memcpy(s->src, src, al);
        memcpy(s->dst, dst, al);
        s->sport = u->sport, s->dport = u->dport;
        s->first_frame = pkt->frame->number;
        s->call = call_of(v, fam, dst, u->dport);
        if (s->call < 0) s->call = call_of(v, fam, src, u->sport);
    }
    s->last_frame = pkt->frame->number;
    nt_rtp_stats_update(&s->st, r, pkt->frame->ts, nt_rtp_clock_rate(r->pt));
    call_media(v, pkt, r, fam, src, dst, u);
}

void nt_voip_add(nt_voip *v, const nt_packet *pkt)
{
    const nt_appdata *a = pkt->app;
    if (!v->have_first && pkt->frame) v->first = pkt->frame->ts, v->have_first = true;
    if (!a) return;
    if (a->nsip) sip(v, pkt, a);
    /* the RTP of this frame's own datagram (not one an ICMP error quotes) */
    if (a->nrtp && !a->quoted) rtp(v, pkt, &a->rtp[0]);
    if ((pkt->nicmp || pkt->nicmp6) && v->ncalls) icmp_media(v, pkt);
}

const nt_voip_call *nt_voip_find(const nt_voip *v, nt_text call_id)
{
    char id[128];
    text(id, sizeof id, call_id);
    for (size_t i = 0; i < v->ncalls; i++)
        if (!strcmp(v->calls[i].call_id, id)) return &v->calls[i];
    return NULL;
}

nt_call_state nt_voip_call_state(const nt_voip_call *c)
{
    if (c->bye_frame) return NT_CALL_COMPLETED;
    if (c->final_code >= 200 && c->final_code < 300) return NT_CALL_IN_CALL;
    if (c->cancel_frame) return NT_CALL_CANCELLED;
    if (c->final_code >= 300) return NT_CALL_REJECTED;
    return NT_CALL_SETUP;
}

const char *nt_call_state_name(nt_call_state s)
{
    switch (s) {
    case NT_CALL_SETUP: return "CALL SETUP";
    case NT_CALL_IN_CALL: return "IN CALL";
    case NT_CALL_COMPLETED: return "COMPLETED";
    case NT_CALL_CANCELLED: return "CANCELLED";
    case NT_CALL_REJECTED: return "REJECTED";
    }
    return "";
}
