/* dns.c - the DNS rules: each query (client, port, server, ID) followed
 * to its answer as the session decoded them, then per server the
 * unanswered queries and the slow answers, per name the "no such name" and
 * server failure answers. The addresses an answer gave are kept for the
 * TLS rules (a certificate that does not cover the name the client
 * resolved: dns.resolved-elsewhere). */
#include "diag_int.h"

#include "analyze/app_int.h"

#include <stdlib.h>

#define MAX_DNSQ 8192     /* open DNS queries tracked */
#define MAX_DNSAGG 256    /* DNS findings kept apart (per name / server) */
#define MAX_NAMES 2048    /* addresses learnt from DNS answers */

typedef struct dnsq {
    bool answered;
    uint8_t fam;
    uint8_t client[16], server[16];
    uint16_t cport, id;
    uint16_t qtype;
    uint32_t tries;
    char qname[128];
    uint64_t frame, resp_frame;
    nt_time ts;            /* the last try */
} dnsq;

enum { DA_NX, DA_FAIL, DA_NORESP, DA_SLOW };
typedef struct dnsagg {
    int kind;
    uint8_t fam;
    uint8_t server[16];
    char qname[128];       /* DA_NX, DA_FAIL: per name; else the first names */
    uint16_t rcode;
    uint32_t n, tries;
    uint64_t frames[EXAMPLES * 2];
    uint8_t nframes;
    double max, sum;
    uint32_t answered;     /* DA_SLOW: all answers of this server */
    double last_gap;       /* DA_NORESP: trace time after the last unanswered query */
} dnsagg;

typedef struct dname {
    addr ad;
    char name[128];
    uint64_t frame;
} dname;

/* a query's key: all 38 bytes are set (memset first), IPv4 addresses in
 * the first 4 bytes of each */
typedef struct dnsq_key {
    uint8_t fam, pad;
    uint16_t cport, id;
    uint8_t client[16], server[16];
} dnsq_key;

typedef struct dnsst {
    nt_hmap dq_ix;         /* dnsq_key -> index in dq */
    dnsq *dq;              /* in the order first asked */
    size_t ndq, cdq;
    dnsagg *da;
    size_t nda;
    nt_hmap name_ix;       /* addr -> index in names */
    dname *names;
    size_t nnames, cnames;
} dnsst;

static dnsq *dnsq_find(dnsst *n, uint8_t fam, const uint8_t *client, uint16_t cport, const uint8_t *server,
                       uint16_t id, bool create)
{
    size_t al = fam == 4 ? 4 : 16;
    dnsq_key k;
    memset(&k, 0, sizeof k);
    k.fam = fam, k.cport = cport, k.id = id;
    memcpy(k.client, client, al);
    memcpy(k.server, server, al);
    const uint32_t *ix = nt_hmap_find(&n->dq_ix, &k);
    if (ix) return &n->dq[*ix];
    /* the memory bound: once MAX_DNSQ queries are followed a new one is
     * not (it is neither answered nor unanswered in the findings) */
    if (!create || n->ndq >= MAX_DNSQ) return NULL;
    n->dq = nt_diag_grow(n->dq, &n->cdq, n->ndq, sizeof *n->dq);
    dnsq *q = &n->dq[n->ndq];
    q->fam = fam;
    memcpy(q->client, client, al);
    memcpy(q->server, server, al);
    q->cport = cport;
    q->id = id;
    bool added;
    nt_hmap_put(&n->dq_ix, &k, (uint32_t)n->ndq++, &added);
    return q;
}

static dnsagg *dnsagg_get(dnsst *n, int kind, uint8_t fam, const uint8_t *server, const char *qname)
{
    size_t al = fam == 4 ? 4 : 16;
    for (size_t i = 0; i < n->nda; i++) {
        dnsagg *a = &n->da[i];
        if (a->kind == kind && a->fam == fam && !memcmp(a->server, server, al) &&
            (!qname || !strcmp(a->qname, qname)))
            return a;
    }
    if (n->nda >= MAX_DNSAGG) return NULL;
    dnsagg *a = &n->da[n->nda++];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->fam = fam;
    memcpy(a->server, server, al);
    if (qname) scpy(a->qname, sizeof a->qname, qname);
    return a;
}

static void agg_frame(dnsagg *a, uint64_t f)
{
    if (a->nframes < EXAMPLES * 2) a->frames[a->nframes++] = f;
}

/* the latest answer for an address wins */
static void learn_name(dnsst *n, uint8_t fam, const uint8_t *ad, const char *name, uint64_t frame)
{
    addr x = {.fam = fam};
    memcpy(x.a, ad, fam == 4 ? 4 : 16);
    const uint32_t *ix = nt_hmap_find(&n->name_ix, &x);
    dname *e;
    if (ix) {
        e = &n->names[*ix];
    } else {
        /* the memory bound: once MAX_NAMES addresses are known a new one is
         * not learnt (its certificate is not compared with the name) */
        if (n->nnames >= MAX_NAMES) return;
        n->names = nt_diag_grow(n->names, &n->cnames, n->nnames, sizeof *n->names);
        e = &n->names[n->nnames];
        e->ad = x;
        bool added;
        nt_hmap_put(&n->name_ix, &x, (uint32_t)n->nnames++, &added);
    }
    scpy(e->name, sizeof e->name, name);
    e->frame = frame;
}

static const dname *name_of(const dnsst *n, uint8_t fam, const uint8_t *ad)
{
    addr x = {.fam = fam};
    memcpy(x.a, ad, fam == 4 ? 4 : 16);
    const uint32_t *ix = nt_hmap_find(&n->name_ix, &x);
    return ix ? &n->names[*ix] : NULL;
}

/* One DNS message as the session decoded it (standard queries with one
 * question): a query opens a transaction, its answer closes it. */
static void add_dns(nt_diag *d, dnsst *n, const diag_pkt *p, const nt_dns_info *m)
{
    const ipinfo *ip = &p->ip;
    if (m->m.h.opcode != 0 || m->m.h.qdcount != 1) return;
    if (!m->nrr || m->rr[0].section != NT_DNS_SEC_QD) return;
    const char *qname = nt_app_dns_str(m, m->rr[0].name);
    if (!qname[0]) return; /* the name did not decode */
    uint64_t fr = p->frame;
    if (!m->m.h.qr) {
        if (p->dport != 53) return;
        dnsq *q = dnsq_find(n, ip->fam, ip->src, p->sport, ip->dst, m->m.h.id, true);
        if (!q) return;
        if (!q->tries) {
            q->frame = fr;
            q->qtype = m->rr[0].type;
            scpy(q->qname, sizeof q->qname, qname);
        }
        q->tries++;
        q->ts = p->ts;
        return;
    }
    if (p->sport != 53) return;
    dnsq *q = dnsq_find(n, ip->fam, ip->dst, p->dport, ip->src, m->m.h.id, false);
    if (!q || q->answered) return;
    q->answered = true;
    q->resp_frame = fr;
    double rt = secs(p->ts, q->ts);
    uint16_t rcode = nt_dns_full_rcode(&m->m);
    dnsagg *sl = dnsagg_get(n, DA_SLOW, ip->fam, ip->src, NULL);
    if (sl) {
        sl->answered++;
        sl->sum += rt;
        if (rt >= d->o.dns_slow_s) {
            sl->n++;
            if (rt > sl->max) {
                sl->max = rt;
                /* the worst pair first */
                memmove(sl->frames + 2, sl->frames, sizeof sl->frames - 2 * sizeof sl->frames[0]);
                sl->frames[0] = q->frame, sl->frames[1] = fr;
                if (sl->nframes < EXAMPLES * 2) sl->nframes = (uint8_t)(sl->nframes + 2);
                scpy(sl->qname, sizeof sl->qname, q->qname);
            }
        }
    }
    if (rcode == NT_DNS_NXDOMAIN || rcode == NT_DNS_SERVFAIL || rcode == NT_DNS_REFUSED) {
        dnsagg *a = dnsagg_get(n, rcode == NT_DNS_NXDOMAIN ? DA_NX : DA_FAIL, ip->fam, ip->src, q->qname);
        if (a) {
            a->n++;
            a->rcode = rcode;
            if (a->nframes < EXAMPLES * 2) agg_frame(a, q->frame), agg_frame(a, fr);
        }
        return;
    }
    /* addresses the name resolved to: for certificates met later */
    for (int i = 1; i < m->nrr; i++) {
        const nt_dns_rr_info *rr = &m->rr[i];
        if (rr->section != NT_DNS_SEC_AN || !rr->has_rdata) continue;
        if (rr->type == NT_DNS_A) learn_name(n, 4, rr->rd.u.a, q->qname, fr);
        else if (rr->type == NT_DNS_AAAA) learn_name(n, 6, rr->rd.u.aaaa, q->qname, fr);
    }
}

static void dns_rules(nt_diag *d, dnsst *n)
{
    char srv[64], b1[32], b2[32];
    /* unanswered queries, per server, in the order they were first asked
     * (so the example frames kept are the first ones) */
    for (size_t i = 0; i < n->ndq; i++) {
        dnsq *q = &n->dq[i];
        if (q->answered) continue;
        dnsagg *a = dnsagg_get(n, DA_NORESP, q->fam, q->server, NULL);
        if (!a) continue;
        a->n++;
        a->tries += q->tries;
        double gap = secs(d->last_ts, q->ts);
        if (a->n == 1 || gap > a->last_gap) a->last_gap = gap;
        agg_frame(a, q->frame);
        if (!a->qname[0]) scpy(a->qname, sizeof a->qname, q->qname);
    }
    for (size_t i = 0; i < n->nda; i++) {
        dnsagg *a = &n->da[i];
        addr sa = {.fam = a->fam};
        memcpy(sa.a, a->server, 16);
        nt_diag_addr_str(srv, sizeof srv, &sa);
        nt_finding *f = NULL;
        switch (a->kind) {
        case DA_NX:
            f = finding(d, NT_F_DNS_NO_SUCH_NAME);
            fstr(f, "name", a->qname);
            fstr(f, "server", srv);
            fnum(f, "answers", a->n);
            ftext(f, "The DNS server %s answered \"no such name\" (NXDOMAIN) for %s%s (query in frame %llu, answer "
                     "in frame %llu).",
                  srv, a->qname, a->n > 1 ? ", more than once" : "", (unsigned long long)a->frames[0],
                  (unsigned long long)a->frames[1]);
            fadvice(f, "Check the name's spelling and the DNS zone that should hold it (a record missing, or the "
                       "client asking the wrong server or with the wrong suffix).");
            break;
        case DA_FAIL:
            f = finding(d, NT_F_DNS_SERVER_FAILURE);
            fstr(f, "name", a->qname);
            fstr(f, "server", srv);
            fstr(f, "rcode", nt_dns_rcode_mnemonic(a->rcode) ? nt_dns_rcode_mnemonic(a->rcode) : "?");
            fnum(f, "answers", a->n);
            ftext(f, "The DNS server %s could not answer for %s: %s (query in frame %llu, answer in frame %llu).",
                  srv, a->qname, nt_dns_rcode_text(a->rcode) ? nt_dns_rcode_text(a->rcode) : "error",
                  (unsigned long long)a->frames[0], (unsigned long long)a->frames[1]);
            fadvice(f, a->rcode == NT_DNS_REFUSED
                           ? "The server refuses to answer this client (recursion or zone transfer not allowed): "
                             "check its access lists, or use the right server."
                           : "The server failed to resolve it (its forwarders or the zone's authoritative servers "
                             "are unreachable, or DNSSEC validation failed): look at the server's logs.");
            break;
        case DA_NORESP: {
            nt_diag_sort_frames(a->frames, a->nframes);
            bool sure = a->last_gap >= 1.0 || a->tries > a->n;
            f = finding_sev(d, NT_F_DNS_NO_RESPONSE, sure ? NT_SEV_WARNING : NT_SEV_NOTICE);
            fstr(f, "server", srv);
            fstr(f, "first_name", a->qname);
            fnum(f, "queries", a->n);
            fnum(f, "tries", a->tries);
            ftext(f, "%u DNS quer%s to %s got no answer (%u packet%s; first: %s in frame %llu)%s.", a->n,
                  a->n > 1 ? "ies" : "y", srv, a->tries, a->tries > 1 ? "s" : "", a->qname,
                  (unsigned long long)a->frames[0],
                  sure ? "" : "; the trace ends less than a second after the last one");
            fadvice(f, "The server is down or a firewall drops DNS (UDP 53) to it: check the client's DNS server "
                       "settings and the path; try `nettracer dns NAME @%s`.",
                    srv);
            break;
        }
        case DA_SLOW:
            if (!a->n) break;
            f = finding(d, NT_F_DNS_SLOW);
            fstr(f, "server", srv);
            fnum(f, "slow", a->n);
            fnum(f, "answers", a->answered);
            fnum(f, "max_s", a->max);
            fnum(f, "average_s", a->sum / a->answered);
            ftext(f, "%u of %u answers from the DNS server %s took %s or more; the slowest, %s for %s (frames "
                     "%llu-%llu).",
                  a->n, a->answered, srv, dur(b1, sizeof b1, d->o.dns_slow_s), dur(b2, sizeof b2, a->max), a->qname,
                  (unsigned long long)a->frames[0], (unsigned long long)a->frames[1]);
            fadvice(f, "Every connection waits for these answers: look at the server's load and its forwarders, or "
                       "use a closer server.");
            break;
        }
        if (!f) continue;
        scpy(f->flow, sizeof f->flow, srv);
        for (int k = 0; k < a->nframes; k++) ff(f, a->frames[k]);
    }
}


const char *nt_diag_name_of(const nt_diag *d, uint8_t fam, const uint8_t *a, uint64_t *frame)
{
    const dname *e = name_of(d->st[DIAG_DNS], fam, a);
    if (!e) return NULL;
    *frame = e->frame;
    return e->name;
}

static void *dns_init(nt_diag *d)
{
    (void)d;
    dnsst *n = calloc(1, sizeof *n);
    if (!n) abort();
    nt_hmap_init(&n->dq_ix, sizeof(dnsq_key));
    nt_hmap_init(&n->name_ix, sizeof(addr));
    n->da = calloc(MAX_DNSAGG, sizeof *n->da);
    if (!n->da) abort();
    return n;
}

/* DNS as the session's application layer found it: over UDP, and over TCP
 * after reassembly (retransmissions left out) */
static void dns_observe(nt_diag *d, void *st, const diag_pkt *p)
{
    const nt_appdata *a = p->pkt->app;
    if (!p->has_ip || !a) return;
    for (int i = 0; i < a->npdu; i++)
        if (a->pdu[i].proto == NT_P_DNS) add_dns(d, st, p, &a->dns[a->pdu[i].idx]);
}

static void dns_finish(nt_diag *d, void *st, const nt_trace *t)
{
    (void)t;
    dns_rules(d, st);
}

static void dns_free(void *st)
{
    dnsst *n = st;
    if (!n) return;
    nt_hmap_free(&n->dq_ix);
    nt_hmap_free(&n->name_ix);
    free(n->dq);
    free(n->da);
    free(n->names);
    free(n);
}

const nt_diag_rule nt_diag_dns_rule = {"dns", dns_init, dns_observe, dns_finish, dns_free};
