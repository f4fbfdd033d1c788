/* cmd_dns.c - `nettracer dns NAME [TYPE]`: one question asked directly of a
 * DNS server (no local cache in the way), the answer printed with what it
 * means: the rcode with its Windows number, SRV targets in the order a
 * client tries them, which caches were bypassed. Exit 0 only with an answer. */
#include "cli.h"
#include "nettracer/dns.h"
#include "nettracer/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char nt_dns_help[] =
    "usage: nettracer dns [OPTIONS] NAME [TYPE]\n"
    "       nettracer dns [OPTIONS] -x ADDRESS\n"
    "\n"
    "Ask one DNS server directly (not through the local resolver and its cache)\n"
    "and explain the answer. TYPE: A (default), AAAA, CNAME, SRV, MX, TXT, NS,\n"
    "SOA, PTR, ANY or TYPEnnn. UDP first, TCP again when the answer is truncated.\n"
    "SRV records are listed in the order a client tries them: lowest priority\n"
    "first, then highest weight; a target of '.' means the service is\n"
    "decidedly not available at that domain.\n"
    "\n"
    "Options:\n"
    "  -s, --server ADDR[:PORT]  the server to ask (default: the first nameserver\n"
    "                         of /etc/resolv.conf); IPv6 as [ADDR]:PORT\n"
    "  -x, --reverse ADDR     PTR query for an IPv4/IPv6 address\n"
    "  --tcp                  TCP only\n"
    "  --norecurse            clear RD: ask the server only what it holds itself\n"
    "  --edns SIZE            add an EDNS OPT record advertising SIZE bytes (512-65535)\n"
    "  --timeout SEC          wait per try (default 2, decimals allowed)\n"
    "  --tries N              UDP sends before giving up (default 2)\n"
    "  --short                only the answer data, one per line\n"
    "                         (SRV: target:port, in the order above)\n"
    "  -v, --verbose          also the authority and additional sections\n"
    "  --json                 JSON Lines: a 'dns' record, then one per resource record\n"
    "\n"
    "Exit status: 0 an answer came; 1 NXDOMAIN, SERVFAIL or another error rcode,\n"
    "an empty answer, or no response (the message names the rcode and its Windows\n"
    "number, e.g. NXDOMAIN = 9003 DNS_ERROR_RCODE_NAME_ERROR); 2 bad arguments.\n";

enum { OPT_TCP = 1000, OPT_NOREC, OPT_EDNS, OPT_TIMEOUT, OPT_TRIES, OPT_SHORT, OPT_JSON };

typedef struct dns_opts {
    const char *server, *name, *type_s;
    char ptrname[80];
    uint16_t type;
    bool tcp, norecurse, shrt, verbose, json;
    uint16_t edns;
    int timeout_ms, tries;
} dns_opts;

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

/* SRV: the order of RFC 2782 selection, lowest priority first; inside a
 * priority the larger weight (the larger share) first. */
static int srv_cmp(const void *a, const void *b)
{
    const answer *x = a, *y = b;
    if (x->rr.type != NT_DNS_SRV || y->rr.type != NT_DNS_SRV) return 0;
    if (x->rd.u.srv.priority != y->rd.u.srv.priority) return x->rd.u.srv.priority < y->rd.u.srv.priority ? -1 : 1;
    if (x->rd.u.srv.weight != y->rd.u.srv.weight) return x->rd.u.srv.weight > y->rd.u.srv.weight ? -1 : 1;
    return x->rr.index < y->rr.index ? -1 : 1;
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

static int parse_args(int argc, char **argv, dns_opts *o)
{
    static const struct option lopts[] = {
        {"server", required_argument, NULL, 's'},   {"reverse", required_argument, NULL, 'x'},
        {"tcp", no_argument, NULL, OPT_TCP},         {"norecurse", no_argument, NULL, OPT_NOREC},
        {"edns", required_argument, NULL, OPT_EDNS}, {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"tries", required_argument, NULL, OPT_TRIES}, {"short", no_argument, NULL, OPT_SHORT},
        {"verbose", no_argument, NULL, 'v'},         {"json", no_argument, NULL, OPT_JSON},
        {NULL, 0, NULL, 0}};
    const char *rev = NULL;
    int ch;
    uint64_t v;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "s:x:v", lopts, NULL)) != -1) {
        switch (ch) {
        case 's': o->server = optarg; break;
        case 'x': rev = optarg; break;
        case 'v': o->verbose = true; break;
        case OPT_TCP: o->tcp = true; break;
        case OPT_NOREC: o->norecurse = true; break;
        case OPT_SHORT: o->shrt = true; break;
        case OPT_JSON: o->json = true; break;
        case OPT_EDNS:
            if (!nt_parse_u64(optarg, &v) || v < 512 || v > 65535)
                return nt_usage_error("dns", "--edns needs a payload size from 512 to 65535, not '%s'", optarg);
            o->edns = (uint16_t)v;
            break;
        case OPT_TRIES:
            if (!nt_parse_u64(optarg, &v) || v < 1 || v > 10)
                return nt_usage_error("dns", "--tries needs a number from 1 to 10, not '%s'", optarg);
            o->tries = (int)v;
            break;
        case OPT_TIMEOUT: {
            char *end;
            double s = strtod(optarg, &end);
            if (*end || !(s >= 0.01 && s <= 60))
                return nt_usage_error("dns", "--timeout needs seconds from 0.01 to 60, not '%s'", optarg);
            o->timeout_ms = (int)(s * 1000 + 0.5);
            break;
        }
        default:
            if (optopt && strchr("sx", optopt)) return nt_usage_error("dns", "option -%c needs a value", optopt);
            return nt_usage_error("dns", "unknown option '%s' (see 'nettracer dns --help')", argv[optind - 1]);
        }
    }
    if (rev) {
        uint8_t a[16];
        int fam = inet_pton(AF_INET, rev, a) == 1 ? 4 : inet_pton(AF_INET6, rev, a) == 1 ? 6 : 0;
        if (!fam) return nt_usage_error("dns", "-x needs an IPv4 or IPv6 address, not '%s'", rev);
        nt_dns_ptr_name(fam, a, o->ptrname, sizeof o->ptrname);
        o->name = o->ptrname;
        o->type = NT_DNS_PTR;
        if (optind < argc) return nt_usage_error("dns", "-x takes no NAME or TYPE (unexpected '%s')", argv[optind]);
        return 0;
    }
    if (optind >= argc) return nt_usage_error("dns", "no name given (usage: nettracer dns NAME [TYPE])");
    o->name = argv[optind++];
    if (optind < argc) {
        o->type_s = argv[optind++];
        if (!nt_dns_type_parse(o->type_s, &o->type) || o->type == NT_DNS_OPT)
            return nt_usage_error("dns", "unknown record type '%s' (A, AAAA, CNAME, SRV, MX, TXT, NS, SOA, PTR, ANY or TYPEnnn)",
                                  o->type_s);
    }
    if (optind < argc) return nt_usage_error("dns", "one name at a time (unexpected '%s')", argv[optind]);
    uint8_t tmp[NT_DNS_NAME_MAX + 1];
    size_t n;
    nt_dns_err e = nt_dns_name_encode(o->name, tmp, sizeof tmp, &n);
    if (e) return nt_usage_error("dns", "'%s' is not a valid DNS name: %s", o->name, nt_dns_strerror(e));
    return 0;
}

int cmd_dns(int argc, char **argv)
{
    dns_opts o = {.type = NT_DNS_A, .timeout_ms = 2000, .tries = 2};
    if (parse_args(argc, argv, &o)) return NT_EXIT_USAGE;

    static nt_dns_exchange x; /* 64 KB answer buffer: not on the stack */
    memset(&x, 0, sizeof x);
    const char *server_from = "--server";
    if (o.server) {
        if (!nt_parse_hostport_addr(o.server, NT_DNS_PORT, &x.server, &x.server_len))
            return nt_usage_error("dns", "--server needs an IP address with an optional port (ADDR, ADDR:PORT, [IPv6]:PORT), not '%s'",
                                  o.server);
    } else {
        if (!nt_resolv_conf_server("/etc/resolv.conf", &x.server, &x.server_len))
            return nt_usage_error("dns", "no nameserver in /etc/resolv.conf: give one with --server ADDR");
        server_from = "/etc/resolv.conf";
    }
    x.tcp_only = o.tcp;
    x.timeout_ms = o.timeout_ms;
    x.tries = o.tries;
    uint16_t id;
    {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        id = (uint16_t)(ts.tv_nsec ^ (long)getpid() * 2654435761u);
    }
    nt_dns_query q = {.id = id, .name = o.name, .type = o.type, .qclass = NT_DNS_CLASS_IN, .rd = !o.norecurse,
                      .edns_udp = o.edns};
    char sa[80], tname[32];
    nt_sockaddr_str((struct sockaddr *)&x.server, sa, sizeof sa);
    const char *tn = nt_dns_type_name(o.type);
    if (tn) snprintf(tname, sizeof tname, "%s", tn);
    else snprintf(tname, sizeof tname, "TYPE%u", o.type);

    nt_buf b;
    nt_buf_init(&b);
    nt_error err = {0};
    if (nt_dns_exchange_run(&x, &q, &err)) {
        if (o.json) {
            nt_json j;
            nt_json_begin(&j, &b);
            nt_json_obj_open(&j, NULL);
            nt_json_str(&j, "type", "dns");
            nt_json_str(&j, "server", sa);
            nt_json_str(&j, "name", o.name);
            nt_json_str(&j, "qtype", tname);
            nt_json_str(&j, "error", err.msg);
            nt_json_bool(&j, "timeout", err.code == ETIMEDOUT);
            nt_json_obj_close(&j);
            nt_buf_putc(&b, '\n');
            nt_buf_flush(&b, stdout);
        }
        nt_buf_free(&b);
        if (err.code == ETIMEDOUT)
            fprintf(stderr, "nettracer dns: %s %s: %s; the server is down, filtered, or not at that address (Windows: ERROR_TIMEOUT 1460)\n",
                    o.name, tname, err.msg);
        else
            fprintf(stderr, "nettracer dns: %s %s: %s\n", o.name, tname, err.msg);
        return NT_EXIT_PROBLEM;
    }

    nt_dns_msg m;
    nt_dns_parse(x.resp, x.resp_len, &m); /* the exchange checked it parses */
    uint16_t rcode = nt_dns_full_rcode(&m);
    const char *rtext = nt_dns_rcode_text(rcode), *rmn = nt_dns_rcode_mnemonic(rcode), *wname;
    int wnum = nt_dns_rcode_windows(rcode, &wname);
    char rcname[64];
    snprintf(rcname, sizeof rcname, "%s", rmn ? rmn : "");
    if (!rmn) snprintf(rcname, sizeof rcname, "RCODE%u", rcode);

    /* collect the records (bounded: a 64 KB message holds at most ~6000) */
    size_t cap = 64, n = 0;
    answer *as = malloc(cap * sizeof *as);
    nt_dns_iter it;
    nt_dns_rr rr;
    nt_dns_iter_init(&it, &m);
    size_t nanswer = 0, nmatch = 0;
    while (as && nt_dns_next(&it, &rr)) {
        if (rr.section == NT_DNS_SEC_QD) continue;
        if (n == cap) {
            answer *na = realloc(as, 2 * cap * sizeof *as);
            if (!na) break;
            as = na;
            cap *= 2;
        }
        as[n].rr = rr;
        as[n].ok = nt_dns_rdata_parse(&m, &rr, &as[n].rd) == NT_DNS_OK;
        if (rr.section == NT_DNS_SEC_AN) {
            nanswer++;
            if (rr.type == o.type || o.type == NT_DNS_ANY) nmatch++;
        }
        n++;
    }
    if (!as) {
        fprintf(stderr, "nettracer dns: out of memory\n");
        return NT_EXIT_PROBLEM;
    }
    /* order SRV answers among themselves (answers come first in the array) */
    if (o.type == NT_DNS_SRV) {
        size_t first = 0, last = 0;
        while (first < n && !(as[first].rr.section == NT_DNS_SEC_AN && as[first].rr.type == NT_DNS_SRV && as[first].ok)) first++;
        for (last = first; last < n && as[last].rr.section == NT_DNS_SEC_AN && as[last].rr.type == NT_DNS_SRV && as[last].ok;) last++;
        if (last > first) qsort(as + first, last - first, sizeof *as, srv_cmp);
    }
    bool srv_unavailable = false;
    for (size_t i = 0; i < n; i++)
        if (as[i].ok && as[i].rr.section == NT_DNS_SEC_AN && as[i].rr.type == NT_DNS_SRV) {
            size_t wl;
            char t[8];
            if (!nt_dns_name(m.p, m.len, as[i].rd.u.srv.target_off, t, sizeof t, NULL, &wl) && wl == 1)
                srv_unavailable = true;
        }

    char ms[32];
    snprintf(ms, sizeof ms, "%.1f", (double)x.rtt_ns / 1e6);
    const char *transport = x.used_tcp ? "TCP" : "UDP";
    bool ok = rcode == 0 && nmatch > 0 && !srv_unavailable;

    if (o.json) {
        nt_json j;
        nt_json_begin(&j, &b);
        nt_json_obj_open(&j, NULL);
        nt_json_str(&j, "type", "dns");
        nt_json_str(&j, "server", sa);
        nt_json_str(&j, "server_from", server_from);
        nt_json_str(&j, "name", o.name);
        nt_json_str(&j, "qtype", tname);
        nt_json_str(&j, "transport", x.used_tcp ? "tcp" : "udp");
        nt_json_bool(&j, "tcp_after_truncation", x.fell_back);
        nt_json_raw(&j, "time_ms", ms);
        nt_json_u64(&j, "id", m.h.id);
        nt_json_u64(&j, "rcode", rcode);
        nt_json_str(&j, "rcode_name", rcname);
        if (rtext) nt_json_str(&j, "rcode_text", rtext);
        if (wnum) {
            nt_json_u64(&j, "windows_error", (uint64_t)wnum);
            nt_json_str(&j, "windows_error_name", wname);
        }
        nt_buf fb;
        nt_buf_init(&fb);
        flags_text(&fb, &m.h);
        nt_json_str(&j, "flags", fb.p ? fb.p : "");
        nt_buf_free(&fb);
        nt_json_u64(&j, "answers", nanswer);
        nt_json_bool(&j, "ok", ok);
        if (it.err) nt_json_str(&j, "malformed", nt_dns_strerror(it.err));
        nt_json_obj_close(&j);
        nt_buf_putc(&b, '\n');
        for (size_t i = 0; i < n; i++) {
            const answer *a = &as[i];
            char owner[NT_DNS_NAME_TEXT_MAX];
            nt_dns_name(m.p, m.len, a->rr.name_off, owner, sizeof owner, NULL, NULL);
            nt_json_begin(&j, &b);
            nt_json_obj_open(&j, NULL);
            nt_json_str(&j, "type", "rr");
            nt_json_str(&j, "section", section_name(a->rr.section));
            nt_json_str(&j, "name", owner);
            nt_buf tb;
            nt_buf_init(&tb);
            type_text(&tb, a->rr.type);
            nt_json_str(&j, "rrtype", tb.p);
            nt_buf_reset(&tb);
            if (a->rr.type != NT_DNS_OPT) nt_json_u64(&j, "ttl", a->rr.ttl);
            rdata_text(&tb, &m, &a->rr, &a->rd, a->ok);
            nt_json_str(&j, "data", tb.p ? tb.p : "");
            nt_buf_free(&tb);
            if (a->ok && a->rr.type == NT_DNS_SRV) {
                char t[NT_DNS_NAME_TEXT_MAX];
                nt_dns_name(m.p, m.len, a->rd.u.srv.target_off, t, sizeof t, NULL, NULL);
                nt_json_u64(&j, "priority", a->rd.u.srv.priority);
                nt_json_u64(&j, "weight", a->rd.u.srv.weight);
                nt_json_u64(&j, "port", a->rd.u.srv.port);
                nt_json_str(&j, "target", t);
            }
            nt_json_obj_close(&j);
            nt_buf_putc(&b, '\n');
        }
    } else if (o.shrt) {
        for (size_t i = 0; i < n; i++) {
            const answer *a = &as[i];
            if (a->rr.section != NT_DNS_SEC_AN) continue;
            if (a->ok && a->rr.type == NT_DNS_SRV) {
                char t[NT_DNS_NAME_TEXT_MAX];
                nt_dns_name(m.p, m.len, a->rd.u.srv.target_off, t, sizeof t, NULL, NULL);
                nt_buf_printf(&b, "%s:%u\n", t, a->rd.u.srv.port);
            } else {
                rdata_text(&b, &m, &a->rr, &a->rd, a->ok);
                nt_buf_putc(&b, '\n');
            }
        }
    } else {
        nt_buf_printf(&b, "Server:  %s (%s, from %s)\n", sa, transport, server_from);
        nt_buf_printf(&b, "Query:   %s %s, recursion %s%s\n", o.name, tname, o.norecurse ? "not desired" : "desired",
                      o.edns ? ", EDNS" : "");
        nt_buf_printf(&b, "Time:    %s ms%s%s\n", ms, x.fell_back ? " (over TCP: the UDP answer was truncated)" : "",
                      x.udp_tries > 1 ? " (after UDP retries)" : "");
        nt_buf_printf(&b, "Status:  %s (%s)", rcname, rtext ? rtext : "unknown rcode");
        if (wnum) nt_buf_printf(&b, ", Windows %d %s", wnum, wname);
        nt_buf_puts(&b, "; flags: ");
        flags_text(&b, &m.h);
        nt_buf_putc(&b, '\n');
        for (int s = NT_DNS_SEC_AN; s <= NT_DNS_SEC_AR; s++) {
            if (s != NT_DNS_SEC_AN && !o.verbose) continue;
            size_t cnt = 0;
            for (size_t i = 0; i < n; i++) cnt += as[i].rr.section == (nt_dns_section)s;
            if (!cnt && s != NT_DNS_SEC_AN) continue;
            nt_buf_printf(&b, "%c%s (%zu):\n", section_name((nt_dns_section)s)[0] - 32, section_name((nt_dns_section)s) + 1,
                          cnt);
            for (size_t i = 0; i < n; i++) {
                const answer *a = &as[i];
                if (a->rr.section != (nt_dns_section)s) continue;
                char owner[NT_DNS_NAME_TEXT_MAX];
                nt_dns_name(m.p, m.len, a->rr.name_off, owner, sizeof owner, NULL, NULL);
                nt_buf_printf(&b, "  %s  ", owner);
                if (a->rr.type != NT_DNS_OPT) nt_buf_printf(&b, "%u  ", a->rr.ttl);
                type_text(&b, a->rr.type);
                nt_buf_puts(&b, "  ");
                rdata_text(&b, &m, &a->rr, &a->rd, a->ok);
                nt_buf_putc(&b, '\n');
            }
        }
        if (it.err) nt_buf_printf(&b, "Malformed: the answer stops decoding at byte %zu: %s\n", it.off, nt_dns_strerror(it.err));
        if (srv_unavailable)
            nt_buf_printf(&b, "Note:    an SRV target of '.' (<Root>) means the service is decidedly not available at %s\n", o.name);
        /* which caches this answer could have come from */
        if (o.norecurse && m.h.aa)
            nt_buf_puts(&b, "Cache:   none: a direct, non-recursive query answered authoritatively (aa)\n");
        else if (o.norecurse)
            nt_buf_puts(&b, "Cache:   the local stub cache was bypassed; the answer is not authoritative (no aa): it comes "
                            "from the server's cache or is a referral; ask the zone's authoritative server\n");
        else if (m.h.aa)
            nt_buf_puts(&b, "Cache:   the local stub cache was bypassed; the server is authoritative (aa), so no server "
                            "cache either\n");
        else
            nt_buf_puts(&b, "Cache:   the local stub cache was bypassed, but a recursive server may answer from its own "
                            "cache (TTLs shown are what remains); use --norecurse against the authoritative server to "
                            "skip that too\n");
    }
    nt_buf_flush(&b, stdout);
    nt_buf_free(&b);
    if (!ok) {
        if (rcode != 0) {
            fprintf(stderr, "nettracer dns: %s %s: %s (%s)", o.name, tname, rcname, rtext ? rtext : "unknown rcode");
            if (wnum) fprintf(stderr, ", Windows error %d %s", wnum, wname);
            fprintf(stderr, " from %s\n", sa);
        } else if (srv_unavailable) {
            fprintf(stderr, "nettracer dns: %s SRV: the target is '.': the service is decidedly not available\n", o.name);
        } else {
            fprintf(stderr, "nettracer dns: %s %s: no %s record (NOERROR with an empty answer%s; Windows: DNS_INFO_NO_RECORDS 9501) from %s\n",
                    o.name, tname, tname, nanswer ? ", only other types" : "", sa);
        }
    }
    free(as);
    return ok ? NT_EXIT_OK : NT_EXIT_PROBLEM;
}
