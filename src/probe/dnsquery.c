/* dnsquery.c - the flow of `nettracer dns`: one question asked directly
 * of one server (probe/dns_exchange.c), and what the answer means: the
 * rcode with its Windows number, the records in presentation form (SRV in
 * the order a client tries them, RFC 2782), a '.' SRV target, which caches
 * were bypassed, and whether the command succeeds. Each part is a step
 * record: the summary and every record are JSON records, the rest text. */
#include "nettracer/dns.h"
#include "nettracer/probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The record's data in presentation form (names as Wireshark shows them). */
static void rdata_text(nt_buf *b, const nt_dns_msg *m, const nt_dns_rr *rr, const nt_dns_rdata *rd, bool ok)
{
    char t[NT_DNS_NAME_TEXT_MAX], t2[NT_DNS_NAME_TEXT_MAX];
    if (!ok) {
        nt_buf_puts(b, "[malformed record data]");
        return;
    }
    switch (rr->type) {
    case NT_DNS_A: nt_buf_ipv4(b, rd->u.a); return;
    case NT_DNS_AAAA: nt_buf_ipv6(b, rd->u.aaaa); return;
    case NT_DNS_CNAME:
    case NT_DNS_NS:
    case NT_DNS_PTR:
        nt_dns_name(m->p, m->len, rd->u.name_off, t, sizeof t, NULL, NULL);
        nt_buf_puts(b, t);
        return;
    case NT_DNS_MX:
        nt_dns_name(m->p, m->len, rd->u.mx.name_off, t, sizeof t, NULL, NULL);
        nt_buf_printf(b, "%u %s", rd->u.mx.preference, t);
        return;
    case NT_DNS_SRV:
        nt_dns_name(m->p, m->len, rd->u.srv.target_off, t, sizeof t, NULL, NULL);
        nt_buf_printf(b, "%u %u %s:%u", rd->u.srv.priority, rd->u.srv.weight, t, rd->u.srv.port);
        return;
    case NT_DNS_SOA:
        nt_dns_name(m->p, m->len, rd->u.soa.mname_off, t, sizeof t, NULL, NULL);
        nt_dns_name(m->p, m->len, rd->u.soa.rname_off, t2, sizeof t2, NULL, NULL);
        nt_buf_printf(b, "%s %s %u %u %u %u %u", t, t2, rd->u.soa.serial, rd->u.soa.refresh, rd->u.soa.retry,
                      rd->u.soa.expire, rd->u.soa.minimum);
        return;
    case NT_DNS_TXT: {
        size_t pos = 0;
        const uint8_t *s;
        uint8_t sl;
        bool first = true;
        while (nt_dns_txt_next(m, rd, &pos, &s, &sl, NULL)) {
            if (!first) nt_buf_putc(b, ' ');
            first = false;
            nt_buf_putc(b, '"');
            for (unsigned i = 0; i < sl; i++) {
                if (s[i] == '"' || s[i] == '\\') nt_buf_printf(b, "\\%c", s[i]);
                else if (s[i] < 0x20 || s[i] >= 0x7f) nt_buf_printf(b, "\\%03u", s[i]);
                else nt_buf_putc(b, (char)s[i]);
            }
            nt_buf_putc(b, '"');
        }
        return;
    }
    case NT_DNS_OPT:
        nt_buf_printf(b, "EDNS version %u, UDP payload %u%s", rd->u.opt.version, rd->u.opt.udp_size,
                      rd->u.opt.dnssec_ok ? ", DO" : "");
        return;
    default: /* RFC 3597 generic form */
        nt_buf_printf(b, "\\# %u", rr->rdlen);
        if (rr->rdlen) nt_buf_putc(b, ' ');
        for (unsigned i = 0; i < rr->rdlen; i++) nt_buf_printf(b, "%02x", m->p[rr->rdata_off + i]);
    }
}

static void type_text(nt_buf *b, uint16_t type)
{
    const char *n = nt_dns_type_name(type);
    if (n) nt_buf_puts(b, n);
    else nt_buf_printf(b, "TYPE%u", type);
}

typedef struct answer {
    nt_dns_rr rr;
    nt_dns_rdata rd;
    bool ok;
} answer;

/* SRV: the order of RFC 2782 selection (proto/dns.c). */
static int srv_cmp(const void *a, const void *b)
{
    const answer *x = a, *y = b;
    return nt_dns_srv_cmp(x->rd.u.srv.priority, x->rd.u.srv.weight, x->rr.index, y->rd.u.srv.priority,
                          y->rd.u.srv.weight, y->rr.index);
}

static const char *section_name(nt_dns_section s)
{
    static const char *const n[] = {"question", "answer", "authority", "additional"};
    return n[s];
}

static void flags_text(nt_buf *b, const nt_dns_header *h)
{
    const struct { bool on; const char *n; } f[] = {{h->qr, "qr"}, {h->aa, "aa"}, {h->tc, "tc"}, {h->rd, "rd"},
                                                    {h->ra, "ra"}, {h->ad, "ad"}, {h->cd, "cd"}};
    bool first = true;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (f[i].on) {
            if (!first) nt_buf_putc(b, ' ');
            nt_buf_puts(b, f[i].n);
            first = false;
        }
}

static nt_step *start(nt_step *s, const char *step, nt_step_scope scope)
{
    nt_step_start(s, step, scope, NULL, NULL);
    return s;
}

/* The records after the question, SRV answers in the order a client tries them. */
static answer *collect(const nt_dns_msg *m, uint16_t type, size_t *n, size_t *nanswer, size_t *nmatch, nt_dns_iter *it)
{
    size_t cap = 64; /* bounded: a 64 KB message holds at most ~6000 */
    answer *as = malloc(cap * sizeof *as);
    nt_dns_rr rr;
    nt_dns_iter_init(it, m);
    *n = *nanswer = *nmatch = 0;
    while (as && nt_dns_next(it, &rr)) {
        if (rr.section == NT_DNS_SEC_QD) continue;
        if (*n == cap) {
            answer *na = realloc(as, 2 * cap * sizeof *as);
            if (!na) break;
            as = na;
            cap *= 2;
        }
        as[*n].rr = rr;
        as[*n].ok = nt_dns_rdata_parse(m, &rr, &as[*n].rd) == NT_DNS_OK;
        if (rr.section == NT_DNS_SEC_AN) {
            (*nanswer)++;
            if (rr.type == type || type == NT_DNS_ANY) (*nmatch)++;
        }
        (*n)++;
    }
    if (as && type == NT_DNS_SRV) {
        /* answers come first in the array */
        size_t first = 0, last;
        while (first < *n && !(as[first].rr.section == NT_DNS_SEC_AN && as[first].rr.type == NT_DNS_SRV && as[first].ok)) first++;
        for (last = first; last < *n && as[last].rr.section == NT_DNS_SEC_AN && as[last].rr.type == NT_DNS_SRV && as[last].ok;) last++;
        if (last > first) qsort(as + first, last - first, sizeof *as, srv_cmp);
    }
    return as;
}

static bool srv_unavailable(const nt_dns_msg *m, const answer *as, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (as[i].ok && as[i].rr.section == NT_DNS_SEC_AN && as[i].rr.type == NT_DNS_SRV) {
            size_t wl;
            char t[8];
            if (!nt_dns_name(m->p, m->len, as[i].rd.u.srv.target_off, t, sizeof t, NULL, &wl) && wl == 1) return true;
        }
    return false;
}

/* One record: a JSON record of its own; its line where the text form shows it. */
static void rr_step(nt_step *s, const nt_dnsq_opts *o, const nt_dns_msg *m, const answer *a, nt_buf *tb)
{
    char owner[NT_DNS_NAME_TEXT_MAX], t[NT_DNS_NAME_TEXT_MAX];
    nt_dns_name(m->p, m->len, a->rr.name_off, owner, sizeof owner, NULL, NULL);
    start(s, "rr", NT_SCOPE_LINE);
    nt_step_str(s, "type", "rr");
    nt_step_str(s, "section", section_name(a->rr.section));
    nt_step_str(s, "name", owner);
    nt_buf_reset(tb);
    type_text(tb, a->rr.type);
    nt_step_str(s, "rrtype", tb->p);
    if (a->rr.type != NT_DNS_OPT) nt_step_int(s, "ttl", a->rr.ttl);
    nt_buf_reset(tb);
    rdata_text(tb, m, &a->rr, &a->rd, a->ok);
    nt_step_str(s, "data", tb->len ? tb->p : "");
    bool srv = a->ok && a->rr.type == NT_DNS_SRV;
    if (srv) {
        nt_dns_name(m->p, m->len, a->rd.u.srv.target_off, t, sizeof t, NULL, NULL);
        nt_step_int(s, "priority", a->rd.u.srv.priority);
        nt_step_int(s, "weight", a->rd.u.srv.weight);
        nt_step_int(s, "port", a->rd.u.srv.port);
        nt_step_str(s, "target", t);
    }
    if (o->shrt) {
        if (a->rr.section != NT_DNS_SEC_AN) return;
        if (srv) nt_step_textf(s, "%s:%u\n", t, a->rd.u.srv.port);
        else nt_step_textf(s, "%s\n", tb->len ? tb->p : "");
    } else if (a->rr.section == NT_DNS_SEC_AN || o->verbose) {
        nt_step_textf(s, "  %s  ", owner);
        if (a->rr.type != NT_DNS_OPT) nt_step_textf(s, "%u  ", a->rr.ttl);
        nt_buf_reset(tb);
        type_text(tb, a->rr.type);
        nt_step_textf(s, "%s  ", tb->p);
        nt_buf_reset(tb);
        rdata_text(tb, m, &a->rr, &a->rd, a->ok);
        nt_step_textf(s, "%s\n", tb->len ? tb->p : "");
    }
}

/* Which caches this answer could have come from. */
static const char *cache_text(const nt_dnsq_opts *o, const nt_dns_msg *m)
{
    if (o->norecurse && m->h.aa) return "Cache:   none: a direct, non-recursive query answered authoritatively (aa)\n";
    if (o->norecurse)
        return "Cache:   the local stub cache was bypassed; the answer is not authoritative (no aa): it comes "
               "from the server's cache or is a referral; ask the zone's authoritative server\n";
    if (m->h.aa)
        return "Cache:   the local stub cache was bypassed; the server is authoritative (aa), so no server "
               "cache either\n";
    return "Cache:   the local stub cache was bypassed, but a recursive server may answer from its own "
           "cache (TTLs shown are what remains); use --norecurse against the authoritative server to "
           "skip that too\n";
}

typedef struct reply {
    const nt_dnsq_opts *o;
    const nt_dns_exchange *x;
    nt_dns_msg m;
    const char *sa, *tname, *rtext, *wname;
    char rcname[64];
    uint16_t rcode;
    int wnum;
    size_t nanswer;
    bool ok;
} reply;

/* The summary record; its four lines in the text form. */
static void summary_step(nt_step *s, const reply *r, const nt_dns_iter *it, nt_buf *tb)
{
    const nt_dnsq_opts *o = r->o;
    const nt_dns_exchange *x = r->x;
    char ms[32];
    snprintf(ms, sizeof ms, "%.1f", (double)x->rtt_ns / 1e6);
    start(s, "dns", NT_SCOPE_LINE);
    s->verdict = r->ok ? NT_VERDICT_OK : NT_VERDICT_FAIL;
    nt_step_str(s, "type", "dns");
    nt_step_str(s, "server", r->sa);
    nt_step_str(s, "server_from", o->server_from);
    nt_step_str(s, "name", o->name);
    nt_step_str(s, "qtype", r->tname);
    nt_step_str(s, "transport", x->used_tcp ? "tcp" : "udp");
    nt_step_bool(s, "tcp_after_truncation", x->fell_back);
    nt_step_raw(s, "time_ms", ms);
    nt_step_int(s, "id", r->m.h.id);
    nt_step_int(s, "rcode", r->rcode);
    nt_step_str(s, "rcode_name", r->rcname);
    if (r->rtext) nt_step_str(s, "rcode_text", r->rtext);
    if (r->wnum) {
        nt_step_int(s, "windows_error", r->wnum);
        nt_step_str(s, "windows_error_name", r->wname);
    }
    nt_buf_reset(tb);
    flags_text(tb, &r->m.h);
    nt_step_str(s, "flags", tb->len ? tb->p : "");
    nt_step_int(s, "answers", (int64_t)r->nanswer);
    nt_step_bool(s, "ok", r->ok);
    if (it->err) nt_step_str(s, "malformed", nt_dns_strerror(it->err));
    if (o->shrt) return;
    nt_step_textf(s, "Server:  %s (%s, from %s)\n", r->sa, x->used_tcp ? "TCP" : "UDP", o->server_from);
    nt_step_textf(s, "Query:   %s %s, recursion %s%s\n", o->name, r->tname, o->norecurse ? "not desired" : "desired",
                  o->edns ? ", EDNS" : "");
    nt_step_textf(s, "Time:    %s ms%s%s\n", ms, x->fell_back ? " (over TCP: the UDP answer was truncated)" : "",
                  x->udp_tries > 1 ? " (after UDP retries)" : "");
    nt_step_textf(s, "Status:  %s (%s)", r->rcname, r->rtext ? r->rtext : "unknown rcode");
    if (r->wnum) nt_step_textf(s, ", Windows %d %s", r->wnum, r->wname);
    nt_step_textf(s, "; flags: %s\n", tb->len ? tb->p : "");
}

/* Every record, each section under its heading in the text form. */
static void record_steps(nt_step *s, const reply *r, const answer *as, size_t n, nt_step_fn fn, void *user, nt_buf *tb)
{
    const nt_dnsq_opts *o = r->o;
    for (int sec = NT_DNS_SEC_AN; sec <= NT_DNS_SEC_AR; sec++) {
        size_t cnt = 0;
        for (size_t i = 0; i < n; i++) cnt += as[i].rr.section == (nt_dns_section)sec;
        if (!o->shrt && (sec == NT_DNS_SEC_AN || (o->verbose && cnt))) {
            const char *sn = section_name((nt_dns_section)sec);
            start(s, "section", NT_SCOPE_TEXT);
            nt_step_textf(s, "%c%s (%zu):\n", sn[0] - 32, sn + 1, cnt);
            fn(user, s);
        }
        for (size_t i = 0; i < n; i++) {
            if (as[i].rr.section != (nt_dns_section)sec) continue;
            rr_step(s, o, &r->m, &as[i], tb);
            fn(user, s);
        }
    }
}

/* Why the command fails, for stderr. */
static void error_step(nt_step *s, const reply *r, bool unavailable)
{
    const nt_dnsq_opts *o = r->o;
    start(s, "error", NT_SCOPE_TEXT);
    s->err = true;
    s->verdict = NT_VERDICT_FAIL;
    if (r->rcode != 0) {
        nt_step_textf(s, "nettracer dns: %s %s: %s (%s)", o->name, r->tname, r->rcname, r->rtext ? r->rtext : "unknown rcode");
        if (r->wnum) nt_step_textf(s, ", Windows error %d %s", r->wnum, r->wname);
        nt_step_textf(s, " from %s\n", r->sa);
    } else if (unavailable) {
        nt_step_textf(s, "nettracer dns: %s SRV: the target is '.': the service is decidedly not available\n", o->name);
    } else {
        nt_step_textf(s, "nettracer dns: %s %s: no %s record (NOERROR with an empty answer%s; Windows: DNS_INFO_NO_RECORDS 9501) from %s\n",
                      o->name, r->tname, r->tname, r->nanswer ? ", only other types" : "", r->sa);
    }
}

/* No answer: the JSON record, and the message for stderr. */
static nt_verdict no_answer(nt_step *s, const reply *r, const nt_error *err, nt_step_fn fn, void *user)
{
    start(s, "dns", NT_SCOPE_LINE);
    s->verdict = NT_VERDICT_FAIL;
    nt_step_str(s, "type", "dns");
    nt_step_str(s, "server", r->sa);
    nt_step_str(s, "name", r->o->name);
    nt_step_str(s, "qtype", r->tname);
    nt_step_str(s, "error", err->msg);
    nt_step_bool(s, "timeout", err->code == ETIMEDOUT);
    fn(user, s);
    start(s, "error", NT_SCOPE_TEXT);
    s->err = true;
    if (err->code == ETIMEDOUT)
        nt_step_textf(s, "nettracer dns: %s %s: %s; the server is down, filtered, or not at that address (Windows: ERROR_TIMEOUT 1460)\n",
                      r->o->name, r->tname, err->msg);
    else
        nt_step_textf(s, "nettracer dns: %s %s: %s\n", r->o->name, r->tname, err->msg);
    fn(user, s);
    return NT_VERDICT_FAIL;
}

static nt_verdict report(nt_step *s, reply *r, nt_step_fn fn, void *user, nt_buf *tb)
{
    const nt_dnsq_opts *o = r->o;
    nt_dns_parse(r->x->resp, r->x->resp_len, &r->m); /* the exchange checked it parses */
    r->rcode = nt_dns_full_rcode(&r->m);
    r->rtext = nt_dns_rcode_text(r->rcode);
    const char *rmn = nt_dns_rcode_mnemonic(r->rcode);
    r->wnum = nt_dns_rcode_windows(r->rcode, &r->wname);
    if (rmn) snprintf(r->rcname, sizeof r->rcname, "%s", rmn);
    else snprintf(r->rcname, sizeof r->rcname, "RCODE%u", r->rcode);
    size_t n, nmatch;
    nt_dns_iter it;
    answer *as = collect(&r->m, o->type, &n, &r->nanswer, &nmatch, &it);
    if (!as) {
        start(s, "error", NT_SCOPE_TEXT);
        s->err = true;
        nt_step_textf(s, "nettracer dns: out of memory\n");
        fn(user, s);
        return NT_VERDICT_FAIL;
    }
    bool unavailable = srv_unavailable(&r->m, as, n);
    r->ok = r->rcode == 0 && nmatch > 0 && !unavailable;
    summary_step(s, r, &it, tb);
    fn(user, s);
    record_steps(s, r, as, n, fn, user, tb);
    if (!o->shrt) {
        start(s, "notes", NT_SCOPE_TEXT);
        if (it.err) nt_step_textf(s, "Malformed: the answer stops decoding at byte %zu: %s\n", it.off, nt_dns_strerror(it.err));
        if (unavailable)
            nt_step_textf(s, "Note:    an SRV target of '.' (<Root>) means the service is decidedly not available at %s\n",
                          o->name);
        nt_step_textf(s, "%s", cache_text(o, &r->m));
        fn(user, s);
    }
    if (!r->ok) {
        error_step(s, r, unavailable);
        fn(user, s);
    }
    free(as);
    return r->ok ? NT_VERDICT_OK : NT_VERDICT_FAIL;
}

nt_verdict nt_dns_query_run(const nt_dnsq_opts *o, nt_step_fn fn, void *user)
{
    static nt_dns_exchange x; /* 64 KB answer buffer: not on the stack */
    static nt_step s;
    memset(&x, 0, sizeof x);
    x.server = o->server;
    x.server_len = o->server_len;
    x.tcp_only = o->tcp;
    x.timeout_ms = o->timeout_ms;
    x.tries = o->tries;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    nt_dns_query q = {.id = (uint16_t)(ts.tv_nsec ^ (long)getpid() * 2654435761u), .name = o->name, .type = o->type,
                      .qclass = NT_DNS_CLASS_IN, .rd = !o->norecurse, .edns_udp = o->edns};
    char sa[80], tname[32];
    nt_sockaddr_str((const struct sockaddr *)&x.server, sa, sizeof sa);
    const char *tn = nt_dns_type_name(o->type);
    if (tn) snprintf(tname, sizeof tname, "%s", tn);
    else snprintf(tname, sizeof tname, "TYPE%u", o->type);
    reply r = {.o = o, .x = &x, .sa = sa, .tname = tname};
    nt_error err = {0};
    if (nt_dns_exchange_run(&x, &q, &err)) return no_answer(&s, &r, &err, fn, user);
    nt_buf tb;
    nt_buf_init(&tb);
    nt_verdict v = report(&s, &r, fn, user, &tb);
    nt_buf_free(&tb);
    return v;
}
