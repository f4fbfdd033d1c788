/* voip.c - SIP dialogs and RTP streams (see voip.h). */
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

static bool addrs(const nt_packet *pkt, uint8_t *fam, const uint8_t **src, const uint8_t **dst)
{
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *l = &pkt->layers[i];
        if (l->inner) break;
        if (l->proto == NT_P_IPV4) *fam = 4, *src = pkt->ip4[l->idx].src, *dst = pkt->ip4[l->idx].dst;
        else if (l->proto == NT_P_IPV6) *fam = 6, *src = pkt->ip6[l->idx].src, *dst = pkt->ip6[l->idx].dst;
    }
    return *fam != 0;
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

static void sip(nt_voip *v, const nt_packet *pkt, const nt_appdata *a)
{
    uint8_t fam = 0;
    const uint8_t *src = NULL, *dst = NULL;
    if (!addrs(pkt, &fam, &src, &dst)) return;
    const nt_frame *f = pkt->frame;
    for (int i = 0; i < a->nsip; i++) {
        const nt_sip *m = &a->sip[i];
        if (!m->call_id.len) continue;
        bool invite = m->is_request && nt_text_eq(m->method, "INVITE");
        bool cseq_invite = m->has_cseq && nt_text_eq(m->cseq_method, "INVITE");
        nt_voip_call *c = find_call(v, m, invite);
        if (!c) continue;
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
        }
        if (m->is_request && nt_text_eq(m->method, "BYE") && !c->bye_frame) {
            c->bye_frame = f->number;
            c->bye_ts = f->ts;
            if (m->ms_diag.len) text(c->ms_diag, sizeof c->ms_diag, m->ms_diag);
        }
        if (m->is_request && nt_text_eq(m->method, "CANCEL") && !c->cancel_frame) c->cancel_frame = f->number;
        if (!m->is_request && cseq_invite && m->status >= 200 && !c->final_frame) {
            c->final_frame = f->number;
            c->final_ts = f->ts;
            c->final_code = m->status;
            text(c->reason, sizeof c->reason, m->reason);
            if (m->ms_diag.len) text(c->ms_diag, sizeof c->ms_diag, m->ms_diag);
        }
    }
    /* media announced by this frame's SDP bodies belong to its call */
    for (int i = 0; i < a->nsdp && i < a->nsip; i++) {
        nt_voip_call *c = find_call(v, &a->sip[i], false);
        if (c) add_media(c, &a->sdp[i]);
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
}

void nt_voip_add(nt_voip *v, const nt_packet *pkt)
{
    const nt_appdata *a = pkt->app;
    if (!v->have_first && pkt->frame) v->first = pkt->frame->ts, v->have_first = true;
    if (!a) return;
    if (a->nsip) sip(v, pkt, a);
    /* the RTP of this frame's own datagram (not one an ICMP error quotes) */
    if (a->nrtp && !a->quoted) rtp(v, pkt, &a->rtp[0]);
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
