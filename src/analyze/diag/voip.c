/* voip.c - the SIP rules: error answers (per status and Call-ID; the
 * authentication challenges and the answer to a CANCEL are the protocol
 * working), and per answered call the media that should follow: RTP
 * that stopped one way without a BYE, RTP missing or one-way. Calls and
 * their media come from the one tracker (analyze/voip.c, what `nettracer
 * voip` lists), fed the same packets. */
#include "diag_int.h"

#include "nettracer/app.h"
#include "nettracer/voip.h"

#include <stdlib.h>

#define MAX_SIPERR 128    /* SIP error answers kept apart */

typedef struct siperr {
    uint16_t status;
    char call_id[96];
    char line[96];           /* "488 Not Acceptable Here" */
    char cseq_method[16];
    char diag[200];          /* ms-diagnostics */
    uint8_t fam;
    uint8_t from[16], to[16];
    uint32_t n;
    uint64_t frame, req_frame;
} siperr;

typedef struct voipst {
    nt_voip calls;         /* the tracker */
    siperr *se;
    size_t nse;
} voipst;

/* An error answer, kept apart per status and Call-ID. */
static void add_error(voipst *v, const diag_pkt *p, const nt_sip *m)
{
    /* the authentication challenges and the answer to a CANCEL are the
     * protocol working, not a problem */
    if (m->is_request || m->status < 400 || m->status == 401 || m->status == 407 || m->status == 487) return;
    const ipinfo *ip = &p->ip;
    char cid[96];
    nt_text_cstr(m->call_id, cid, sizeof cid);
    for (size_t i = 0; i < v->nse; i++) {
        siperr *e = &v->se[i];
        if (e->status == m->status && !strcmp(e->call_id, cid)) {
            e->n++; /* a retransmission of the answer */
            return;
        }
    }
    if (v->nse >= MAX_SIPERR) return;
    siperr *e = &v->se[v->nse++];
    memset(e, 0, sizeof *e);
    e->status = m->status;
    scpy(e->call_id, sizeof e->call_id, cid);
    nt_text_cstr(m->status_text, e->line, sizeof e->line);
    nt_text_cstr(m->cseq_method, e->cseq_method, sizeof e->cseq_method);
    nt_text_cstr(m->ms_diag, e->diag, sizeof e->diag);
    e->fam = ip->fam;
    memcpy(e->from, ip->src, ip->fam == 4 ? 4 : 16);
    memcpy(e->to, ip->dst, ip->fam == 4 ? 4 : 16);
    e->n = 1;
    e->frame = p->frame;
    const nt_voip_call *g = nt_voip_find(&v->calls, m->call_id);
    e->req_frame = g ? g->invite_frame : 0;
}

static void error_rules(nt_diag *d, voipst *v)
{
    char fa[64], ta[64];
    for (size_t i = 0; i < v->nse; i++) {
        siperr *e = &v->se[i];
        addr x = {.fam = e->fam}, y = {.fam = e->fam};
        memcpy(x.a, e->from, 16);
        memcpy(y.a, e->to, 16);
        nt_diag_addr_str(fa, sizeof fa, &x);
        nt_diag_addr_str(ta, sizeof ta, &y);
        bool user = e->status == 486 || e->status == 600 || e->status == 603 || e->status == 480;
        nt_finding *f = finding_sev(d, NT_F_SIP_ERROR_RESPONSE,
                                    user ? NT_SEV_NOTICE : e->status >= 500 ? NT_SEV_ERROR : NT_SEV_WARNING);
        snprintf(f->flow, sizeof f->flow, "%.60s -> %.60s", fa, ta);
        ff(f, e->frame);
        ff(f, e->req_frame);
        fnum(f, "status", e->status);
        fstr(f, "response", e->line);
        fstr(f, "method", e->cseq_method);
        fstr(f, "call_id", e->call_id);
        if (e->diag[0]) fstr(f, "ms_diagnostics", e->diag);
        ftext(f, "%s answered the %s%s with \"%s\" (frame %llu)%s%s%s.", fa, e->cseq_method[0] ? e->cseq_method : "request",
              e->req_frame ? "" : "", e->line, (unsigned long long)e->frame, e->diag[0] ? "; ms-diagnostics: " : "",
              e->diag, e->n > 1 ? " (sent again)" : "");
        if (e->diag[0])
            fadvice(f, "The ms-diagnostics code names the component and reason: look it up (nettracer err) and "
                       "check that server's configuration for this call.");
        else if (e->status == 488 || e->status == 415)
            fadvice(f, "The two sides share no codec or media setting: compare the SDP offer (frame %llu) with "
                       "what the other side supports.",
                    (unsigned long long)e->req_frame);
        else if (e->status == 403 || e->status == 404)
            fadvice(f, "The user or number is unknown or not allowed there: check the dial plan, the user's "
                       "enabled state and routing.");
        else if (user)
            fadvice(f, "The called party declined or is busy: not a network problem unless it happens for every "
                       "call.");
        else
            fadvice(f, "Look at the server that answered: its logs say why it refused the %s.",
                    e->cseq_method[0] ? e->cseq_method : "request");
    }
}

/* one side's media stopped, the other's went on, and nobody said BYE */
static void media_without_bye(nt_diag *d, const nt_voip_call *g, const char *flow)
{
    if (g->bye_frame || !g->rtp[0] || !g->rtp[1]) return;
    int stopped = nt_time_diff_ns(g->rtp_last_ts[0], g->rtp_last_ts[1]) < 0 ? 0 : 1;
    double more = secs(g->rtp_last_ts[1 - stopped], g->rtp_last_ts[stopped]);
    if (more < d->o.media_after_s) return;
    static const char *who[2] = {"caller", "callee"};
    char b1[32];
    nt_finding *f = finding(d, NT_F_SIP_MEDIA_WITHOUT_BYE);
    scpy(f->flow, sizeof f->flow, flow);
    ff(f, g->rtp_last[stopped]);
    ff(f, g->rtp_last[1 - stopped]);
    ff(f, g->ok_frame);
    ff(f, g->icmp_frame);
    fstr(f, "call_id", g->call_id);
    fstr(f, "stopped", who[stopped]);
    fnum(f, "media_after_s", more);
    fnum(f, "icmp_errors", g->icmp);
    ftext(f,
          "The %s's RTP stopped at frame %llu but the %s's went on for %s more (to frame %llu) and no "
          "BYE was seen for the call answered in frame %llu%s.",
          who[stopped], (unsigned long long)g->rtp_last[stopped], who[1 - stopped],
          dur(b1, sizeof b1, more), (unsigned long long)g->rtp_last[1 - stopped],
          (unsigned long long)g->ok_frame,
          g->icmp ? "; the media was answered by ICMP errors: the other side is gone" : "");
    fadvice(f, "The %s hung up (or crashed) without signalling it: check why it sends no BYE (a "
               "gateway's configuration, the SIP path for in-dialog requests); the call stays up on "
               "the other side.",
            who[stopped]);
}

/* an answered call without RTP both ways */
static void media_failed(nt_diag *d, const nt_voip_call *g, const char *flow)
{
    double after_ok = secs(d->last_ts, g->ok_ts);
    if (!g->nside[0] || !g->nside[1] || after_ok < d->o.media_wait_s || (g->rtp[0] && g->rtp[1])) return;
    if (g->bye_frame && !(secs(d->last_ts, g->ok_ts) > 0)) return;
    bool none = !g->rtp[0] && !g->rtp[1];
    nt_finding *f = finding_sev(d, NT_F_SIP_MEDIA_FAILED, none ? NT_SEV_ERROR : NT_SEV_WARNING);
    scpy(f->flow, sizeof f->flow, flow);
    ff(f, g->invite_frame);
    ff(f, g->ok_frame);
    ff(f, g->rtp_first[0] ? g->rtp_first[0] : g->rtp_first[1]);
    fstr(f, "call_id", g->call_id);
    fnum(f, "rtp_caller_to_callee", (double)g->rtp[0]);
    fnum(f, "rtp_callee_to_caller", (double)g->rtp[1]);
    char ep[2][80];
    for (int side = 0; side < 2; side++) {
        addr z = {.fam = g->side[side][0].family};
        memcpy(z.a, g->side[side][0].addr, 16);
        char zs[64];
        nt_diag_addr_str(zs, sizeof zs, &z);
        snprintf(ep[side], sizeof ep[side], "%s:%u", zs, g->side[side][0].port);
    }
    if (none)
        ftext(f, "The call was answered (frame %llu) but no RTP was seen to or from the media addresses its "
                 "SDP gave (%s, %s).",
              (unsigned long long)g->ok_frame, ep[0], ep[1]);
    else
        ftext(f, "One-way media: the call was answered (frame %llu) and RTP went only from the %s (to %s); "
                 "none came back to %s.",
              (unsigned long long)g->ok_frame, g->rtp[0] ? "caller" : "callee", g->rtp[0] ? ep[1] : ep[0],
              g->rtp[0] ? ep[0] : ep[1]);
    fadvice(f, "Media takes another path than signalling: check firewalls and NAT for the RTP ports, the "
               "addresses in the SDP (private addresses behind NAT), and the media relay (TURN/Edge).");
}

static void media_rules(nt_diag *d, const nt_voip *v)
{
    char fa[64], ta[64];
    for (size_t i = 0; i < v->ncalls; i++) {
        const nt_voip_call *g = &v->calls[i];
        if (!g->ok_frame || g->cancel_frame) continue;
        addr x = {.fam = g->family}, y = {.fam = g->family};
        memcpy(x.a, g->caller, 16);
        memcpy(y.a, g->callee, 16);
        nt_diag_addr_str(fa, sizeof fa, &x);
        nt_diag_addr_str(ta, sizeof ta, &y);
        char flow[160];
        snprintf(flow, sizeof flow, "%.60s -> %.60s", fa, ta);
        media_without_bye(d, g, flow);
        media_failed(d, g, flow);
    }
}

static void *voip_init(nt_diag *d)
{
    (void)d;
    voipst *v = calloc(1, sizeof *v);
    if (!v) abort();
    nt_voip_init(&v->calls);
    v->se = calloc(MAX_SIPERR, sizeof *v->se);
    if (!v->se) abort();
    return v;
}

static void voip_observe(nt_diag *d, void *st, const diag_pkt *p)
{
    (void)d;
    voipst *v = st;
    nt_voip_add(&v->calls, p->pkt);
    const nt_appdata *a = p->pkt->app;
    if (!p->has_ip || !a) return;
    for (int i = 0; i < a->npdu; i++)
        if (a->pdu[i].proto == NT_P_SIP) add_error(v, p, &a->sip[a->pdu[i].idx]);
}

static void voip_finish(nt_diag *d, void *st, const nt_trace *t)
{
    (void)t;
    voipst *v = st;
    error_rules(d, v);
    media_rules(d, &v->calls);
}

static void voip_free(void *st)
{
    voipst *v = st;
    if (!v) return;
    nt_voip_free(&v->calls);
    free(v->se);
    free(v);
}

const nt_diag_rule nt_diag_voip_rule = {"voip", voip_init, voip_observe, voip_finish, voip_free};
