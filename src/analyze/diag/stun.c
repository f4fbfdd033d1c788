/* stun.c - the STUN/TURN rules: each request followed by its transaction
 * ID to its answer, as the session decoded them (UDP on the STUN port or
 * by content, TCP after reassembly); then per server and method the
 * requests nobody answered, and the error answers that no later success
 * of the same method explains (a 401 or 438 followed by a success is the
 * credential exchange working). */
#include "diag_int.h"

#include "nettracer/app.h"

#include <stdlib.h>

#define MAX_STUNQ 1024    /* STUN transactions followed */
#define MAX_STUNAGG 64

typedef struct stunq {
    bool answered;
    uint8_t tid[12];
    uint8_t fam;
    uint8_t client[16], server[16];
    uint16_t sport;
    uint16_t method;
    uint32_t tries;
    uint64_t frame;
    nt_time ts;
} stunq;

typedef struct stunagg {
    bool noresp;             /* else an error answer */
    uint8_t fam;
    uint8_t server[16];
    uint16_t sport, method;
    unsigned code;
    char reason[96];
    uint32_t n, tries;
    uint64_t frames[EXAMPLES];
    uint8_t nframes;
    uint64_t req_frame;
    bool later_success;      /* the same method from this server succeeded afterwards */
} stunagg;

typedef struct stunst {
    nt_hmap sq_ix;         /* transaction ID (12 bytes) -> index in sq */
    stunq *sq;             /* in the order first asked */
    size_t nsq, csq;
    stunagg *sa;
    size_t nsa;
} stunst;

static stunq *stunq_find(stunst *v, const uint8_t tid[12], bool create)
{
    const uint32_t *ix = nt_hmap_find(&v->sq_ix, tid);
    if (ix) return &v->sq[*ix];
    /* the memory bound: once MAX_STUNQ transactions are followed a new one
     * is not (nor is its answer) */
    if (!create || v->nsq >= MAX_STUNQ) return NULL;
    v->sq = nt_diag_grow(v->sq, &v->csq, v->nsq, sizeof *v->sq);
    stunq *q = &v->sq[v->nsq];
    memcpy(q->tid, tid, 12);
    bool added;
    nt_hmap_put(&v->sq_ix, tid, (uint32_t)v->nsq++, &added);
    return q;
}

static stunagg *stunagg_get(stunst *v, bool noresp, uint8_t fam, const uint8_t *server, uint16_t sport,
                            uint16_t method, unsigned code)
{
    size_t al = fam == 4 ? 4 : 16;
    for (size_t i = 0; i < v->nsa; i++) {
        stunagg *a = &v->sa[i];
        if (a->noresp == noresp && a->fam == fam && a->sport == sport && a->method == method && a->code == code &&
            !memcmp(a->server, server, al))
            return a;
    }
    if (v->nsa >= MAX_STUNAGG) return NULL;
    stunagg *a = &v->sa[v->nsa++];
    memset(a, 0, sizeof *a);
    a->noresp = noresp;
    a->fam = fam;
    memcpy(a->server, server, al);
    a->sport = sport;
    a->method = method;
    a->code = code;
    return a;
}

/* One STUN message as the session decoded it: a request opens a
 * transaction (by transaction ID), its answer closes it; error answers are
 * counted per server, method and code. */
static void add_stun(stunst *v, const diag_pkt *p, const nt_stun_msg *m)
{
    if (m->channel_data) return;
    const ipinfo *ip = &p->ip;
    size_t al = ip->fam == 4 ? 4 : 16;
    uint64_t fr = p->frame;
    if (m->cls == NT_STUN_REQUEST) {
        stunq *q = stunq_find(v, m->tid, true);
        if (!q) return;
        if (!q->tries) {
            q->fam = ip->fam;
            memcpy(q->client, ip->src, al);
            memcpy(q->server, ip->dst, al);
            q->sport = p->dport;
            q->method = m->method;
            q->frame = fr;
        }
        q->tries++;
        q->ts = p->ts;
        return;
    }
    if (m->cls != NT_STUN_SUCCESS && m->cls != NT_STUN_ERROR) return;
    stunq *q = stunq_find(v, m->tid, false);
    if (q) q->answered = true;
    if (m->cls == NT_STUN_SUCCESS) {
        /* a success after an error of the same method: the error was the
         * credential challenge (401) or a stale nonce (438) being answered */
        for (size_t i = 0; i < v->nsa; i++) {
            stunagg *a = &v->sa[i];
            if (!a->noresp && a->method == m->method && a->fam == ip->fam && !memcmp(a->server, ip->src, al))
                a->later_success = true;
        }
        return;
    }
    unsigned code = 0;
    const char *reason = NULL;
    size_t rlen = 0;
    const nt_stun_attr *ea = nt_stun_find(m, NT_STUN_A_ERROR_CODE);
    if (!ea || !nt_stun_attr_error(ea, &code, &reason, &rlen)) code = 0;
    stunagg *a = stunagg_get(v, false, ip->fam, ip->src, p->sport, m->method, code);
    if (!a) return;
    if (!a->n && reason) {
        size_t k = rlen < sizeof a->reason - 1 ? rlen : sizeof a->reason - 1;
        memcpy(a->reason, reason, k);
        a->reason[k] = 0;
    }
    a->n++;
    if (a->nframes < EXAMPLES) a->frames[a->nframes++] = fr;
    if (q && !a->req_frame) a->req_frame = q->frame;
}

static void stun_rules(nt_diag *d, stunst *v)
{
    /* STUN: unanswered requests, per server and method, in the order first
     * asked (so the example frames kept are the first ones) */
    for (size_t i = 0; i < v->nsq; i++) {
        stunq *q = &v->sq[i];
        if (q->answered) continue;
        stunagg *a = stunagg_get(v, true, q->fam, q->server, q->sport, q->method, 0);
        if (!a) continue;
        a->n++;
        a->tries += q->tries;
        if (a->nframes < EXAMPLES) a->frames[a->nframes++] = q->frame;
    }
    for (size_t i = 0; i < v->nsa; i++) {
        stunagg *a = &v->sa[i];
        nt_diag_sort_frames(a->frames, a->nframes);
        addr x = {.fam = a->fam};
        memcpy(x.a, a->server, 16);
        char sv[80];
        nt_diag_ep_str(sv, sizeof sv, a->fam, a->server, a->sport);
        const char *meth = nt_stun_method_name(a->method);
        if (a->noresp) {
            nt_finding *f = finding(d, NT_F_STUN_NO_RESPONSE);
            scpy(f->flow, sizeof f->flow, sv);
            for (int k = 0; k < a->nframes; k++) ff(f, a->frames[k]);
            fstr(f, "method", meth ? meth : "?");
            fnum(f, "requests", a->n);
            fnum(f, "tries", a->tries);
            ftext(f, "%u STUN %s request%s to %s got no answer (%u packet%s, first in frame %llu).", a->n,
                  meth ? meth : "", a->n > 1 ? "s" : "", sv, a->tries, a->tries > 1 ? "s" : "",
                  (unsigned long long)a->frames[0]);
            fadvice(f, "UDP to the STUN/TURN server is blocked or the server is down: open UDP %u to it (and TCP "
                       "443 as the fallback for A/V Edge), then test with `nettracer stun`.",
                    a->sport);
            continue;
        }
        if ((a->code == 401 || a->code == 438) && a->later_success) continue; /* the credential exchange */
        nt_finding *f = finding_sev(d, NT_F_STUN_ERROR, a->code == 401 || a->code == 438 ? NT_SEV_WARNING : NT_SEV_ERROR);
        scpy(f->flow, sizeof f->flow, sv);
        for (int k = 0; k < a->nframes; k++) ff(f, a->frames[k]);
        ff(f, a->req_frame);
        fstr(f, "method", meth ? meth : "?");
        fnum(f, "code", a->code);
        fstr(f, "reason", a->reason[0] ? a->reason : nt_stun_error_name(a->code));
        fnum(f, "answers", a->n);
        ftext(f, "The STUN server %s answered %s with error %u (%s)%s, first in frame %llu.", sv,
              meth ? meth : "a request", a->code, a->reason[0] ? a->reason : nt_stun_error_name(a->code),
              a->code == 401 ? " and no authenticated request succeeded afterwards" : "",
              (unsigned long long)a->frames[0]);
        if (a->code == 401 || a->code == 438)
            fadvice(f, "The credentials were refused: check the TURN user name and password (or the MRAS token "
                       "for A/V Edge) and the realm.");
        else if (a->code == 486)
            fadvice(f, "The allocation quota is reached: the server has too many allocations for this user.");
        else
            fadvice(f, "Look at the TURN server's logs for why it refused the %s.", meth ? meth : "request");
    }
}

static void *stun_init(nt_diag *d)
{
    (void)d;
    stunst *v = calloc(1, sizeof *v);
    if (!v) abort();
    nt_hmap_init(&v->sq_ix, 12);
    v->sa = calloc(MAX_STUNAGG, sizeof *v->sa);
    if (!v->sa) abort();
    return v;
}

static void stun_observe(nt_diag *d, void *st, const diag_pkt *p)
{
    (void)d;
    const nt_appdata *a = p->pkt->app;
    if (!p->has_ip || !a) return;
    for (int i = 0; i < a->npdu; i++)
        if (a->pdu[i].proto == NT_P_STUN) add_stun(st, p, &a->stun[a->pdu[i].idx]);
    if (a->has_media_stun) add_stun(st, p, &a->media_stun); /* ICE checks on a media flow */
}

static void stun_finish(nt_diag *d, void *st, const nt_trace *t)
{
    (void)t;
    stun_rules(d, st);
}

static void stun_free(void *st)
{
    stunst *v = st;
    if (!v) return;
    nt_hmap_free(&v->sq_ix);
    free(v->sq);
    free(v->sa);
    free(v);
}

const nt_diag_rule nt_diag_stun_rule = {"stun", stun_init, stun_observe, stun_finish, stun_free};
