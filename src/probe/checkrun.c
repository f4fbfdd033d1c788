/* checkrun.c - the flow and verdicts of `nettracer check` for one target
 * and for one SRV lookup: which steps run in which order, what each result
 * means (a refused connect fails, a certificate near its end warns, a CA
 * list near 16 KB warns, a name only older rules accept warns), and the
 * worst verdict with its reason. Every step goes out as a step record; the
 * sockets, handshake and certificate facts are check.c's. */
#include "nettracer/check.h"
#include "nettracer/dns.h"
#include "nettracer/probe.h"
#include "nettracer/tls.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* One target's outcome so far: the worst verdict and the first reason for it. */
typedef struct worst {
    nt_verdict v;
    char reason[600];
} worst;

static void worsen(worst *w, nt_verdict v, const char *reason)
{
    if (v == NT_VERDICT_INFO) return;
    if (v > w->v || !w->reason[0]) snprintf(w->reason, sizeof w->reason, "%s", reason);
    if (v > w->v) w->v = v;
}

typedef struct run {
    const nt_check_opts *o;
    nt_step_fn fn;
    void *user;
    nt_step s;     /* the step being built (large: one per run, not per call) */
    worst w;
} run;

static nt_step *start(run *r, const char *step, nt_step_scope scope, const char *group, const char *label)
{
    nt_step_start(&r->s, step, scope, group, label);
    return &r->s;
}

static void emit(run *r, nt_verdict v)
{
    r->s.verdict = v;
    r->fn(r->user, &r->s);
}

static void ms_str(char *out, size_t n, int64_t ns) { snprintf(out, n, "%.1f", (double)ns / 1e6); }

static void cert_step(run *r, int i, X509 *x)
{
    nt_cert_info ci;
    nt_cert_describe(x, &ci);
    nt_step *s = start(r, "certificate", NT_SCOPE_SUBITEM, "certificates", NULL);
    nt_step_str(s, "subject", ci.subject);
    nt_step_str(s, "issuer", ci.issuer);
    nt_step_str(s, "sans", ci.sans);
    nt_step_str(s, "serial", ci.serial);
    nt_step_str(s, "not_before", ci.not_before);
    nt_step_str(s, "not_after", ci.not_after);
    nt_step_int(s, "days_left", ci.days_left);
    nt_step_str(s, "key", ci.key);
    nt_step_str(s, "signature", ci.sigalg);
    nt_step_textf(s, "Certificate %d: %s%s\n", i, ci.subject[0] ? ci.subject : "(empty subject)",
                  ci.self_signed ? "  (self-signed)" : "");
    nt_step_textf(s, "  issuer:    %s\n", ci.issuer);
    if (i == 0 || ci.sans[0]) nt_step_textf(s, "  SANs:      %s\n", ci.sans[0] ? ci.sans : "(none)");
    nt_step_textf(s, "  serial:    %s\n", ci.serial);
    nt_step_textf(s, "  valid:     %s to %s (%d days %s)\n", ci.not_before, ci.not_after,
                  ci.days_left < 0 ? -ci.days_left : ci.days_left,
                  ci.expired ? "ago: EXPIRED" : ci.not_yet_valid ? "left, but NOT YET VALID" : "left");
    nt_step_textf(s, "  key:       %s, signature %s\n", ci.key, ci.sigalg);
    emit(r, NT_VERDICT_INFO);
}

/* The CertificateRequest's CA list against the one threshold diagnose uses. */
static nt_verdict ca_list_verdict(size_t bytes, const char **note)
{
    if (bytes >= NT_TLS_CA_LIST_LIMIT) {
        *note = "; over 16 KB: some clients (Schannel) fail the handshake with a list this long";
        return NT_VERDICT_WARN;
    }
    if (bytes >= NT_TLS_CA_LIST_WARN) {
        *note = "; near 16 KB: some clients (Schannel) fail the handshake once it is over";
        return NT_VERDICT_WARN;
    }
    *note = "";
    return NT_VERDICT_OK;
}

static void verify_step(run *r, const nt_tls_result *tr, int n, X509 *leaf, uint32_t *wcode)
{
    nt_cert_info li;
    nt_cert_describe(leaf, &li);
    const char *wn;
    const char *words = nt_verify_explain(tr->verify, &wn, wcode);
    nt_step *s = start(r, "verify", NT_SCOPE_SUB, "verify", "Verify");
    nt_step_int(s, "code", tr->verify);
    nt_step_str(s, "result", tr->verify == X509_V_OK ? "ok" : X509_verify_cert_error_string(tr->verify));
    nt_step_str(s, "explanation", words);
    if (*wcode) nt_step_str(s, "windows", wn);
    if (tr->verify == X509_V_OK)
        nt_step_textf(s, "OK against %s", r->o->ca_file ? r->o->ca_file : "the system store");
    else {
        nt_step_textf(s, "FAILED: %s (OpenSSL %ld): %s", X509_verify_cert_error_string(tr->verify), tr->verify, words);
        if (*wcode) nt_step_textf(s, "; Windows reports %s 0x%08X", wn, *wcode);
    }
    nt_step_textf(s, " (the server sent %d certificate%s)\n", n, n == 1 ? "" : "s");
    char why[600];
    nt_verdict v = NT_VERDICT_OK;
    if (tr->verify != X509_V_OK) {
        snprintf(why, sizeof why, "certificate verification failed: %s", X509_verify_cert_error_string(tr->verify));
        v = NT_VERDICT_FAIL;
    } else if (!li.expired && li.days_left < 30) {
        snprintf(why, sizeof why, "the certificate expires in %d days", li.days_left);
        v = NT_VERDICT_WARN;
    }
    emit(r, v);
    if (v != NT_VERDICT_OK) worsen(&r->w, v, why);
}

/* The target and each --expect-name against the leaf; true when advice is due. */
static bool name_steps(run *r, const nt_target *t, X509 *leaf, uint32_t wcode)
{
    nt_cert_info li;
    nt_cert_describe(leaf, &li);
    const char *names[NT_CHECK_MAX_EXPECT + 1];
    int nn = 0;
    names[nn++] = t->host;
    for (int i = 0; i < r->o->nexpect; i++) names[nn++] = r->o->expect[i];
    bool due = false;
    for (int i = 0; i < nn; i++) {
        char matched[300], why[600];
        const char *how;
        nt_name_match m = nt_cert_check_name(leaf, names[i], matched, sizeof matched, &how);
        if (strchr(matched, '*')) due = true;
        nt_step *s = start(r, "name", NT_SCOPE_SUBITEM, "names", "Name");
        nt_step_str(s, "name", names[i]);
        nt_step_str(s, "result", m == NT_NAME_MATCH ? "match" : m == NT_NAME_LOOSE ? "loose" : "mismatch");
        if (matched[0]) nt_step_str(s, "matched", matched);
        nt_verdict v = NT_VERDICT_OK;
        if (m == NT_NAME_MATCH) {
            nt_step_textf(s, "%s matches %s (RFC 9525 rules)\n", names[i], matched);
        } else if (m == NT_NAME_LOOSE) {
            nt_step_textf(s, "%s matches %s only under older, looser rules: through %s. Older clients accept it; "
                          "browsers and RFC 9525 do not: add the name as a DNS subjectAltName\n", names[i], matched, how);
            snprintf(why, sizeof why, "%s matches the certificate only through %s", names[i], how);
            v = NT_VERDICT_WARN;
        } else {
            due = true;
            nt_step_textf(s, "%s does NOT match the certificate (subject %s; SANs %s)%s\n", names[i],
                          li.subject[0] ? li.subject : "(empty)", li.sans[0] ? li.sans : "none",
                          wcode ? "" : "; Windows reports CERT_E_CN_NO_MATCH 0x800B010F");
            snprintf(why, sizeof why, "the certificate is not valid for %s (subject %s)", names[i], li.subject);
            v = NT_VERDICT_FAIL;
        }
        emit(r, v);
        if (v != NT_VERDICT_OK) worsen(&r->w, v, why);
    }
    return due;
}

/* TLS and certificate steps on a connected socket. */
static void tls_steps(run *r, int fd, const nt_target *t, const char *const *advice)
{
    nt_tls_result tr;
    nt_error e = {0};
    char ms[32];
    const char *sni = t->host_is_ip ? NULL : t->host;
    int rc = nt_tls_handshake(fd, sni, r->o->ca_file, r->o->timeout_ms, &tr, &e);
    ms_str(ms, sizeof ms, tr.handshake_ns);
    nt_step *s = start(r, "tls", NT_SCOPE_SUB, "tls", "TLS");
    if (rc) {
        nt_step_str(s, "error", e.msg);
        nt_step_bool(s, "client_cert_requested", tr.client_cert_requested);
        if (tr.client_cert_requested)
            nt_step_textf(s, "client certificate requested: %d acceptable CA names (%zu bytes)\n", tr.ca_names, tr.ca_bytes);
        nt_step_textf(s, "%s\n", e.msg);
        emit(r, NT_VERDICT_FAIL);
        worsen(&r->w, NT_VERDICT_FAIL, e.msg);
        nt_tls_result_free(&tr);
        return;
    }
    const char *note = "";
    nt_verdict cv = tr.client_cert_requested ? ca_list_verdict(tr.ca_bytes, &note) : NT_VERDICT_OK;
    nt_step_str(s, "version", tr.version);
    nt_step_str(s, "cipher", tr.cipher);
    nt_step_str(s, "alpn", tr.alpn);
    nt_step_str(s, "sni", sni ? sni : "");
    nt_step_raw(s, "handshake_ms", ms);
    nt_step_bool(s, "client_cert_requested", tr.client_cert_requested);
    if (tr.client_cert_requested) {
        nt_step_int(s, "client_ca_names", tr.ca_names);
        nt_step_int(s, "client_ca_bytes", (int64_t)tr.ca_bytes);
    }
    nt_step_textf(s, "%s, %s, ALPN %s, SNI %s, handshake %s ms\n", tr.version, tr.cipher, tr.alpn[0] ? tr.alpn : "none",
                  sni ? sni : "none (an IP address)", ms);
    if (tr.client_cert_requested)
        nt_step_textf(s, "client certificate requested: %d acceptable CA names (%zu bytes)%s\n", tr.ca_names, tr.ca_bytes,
                      note);
    emit(r, cv);
    if (cv == NT_VERDICT_WARN)
        worsen(&r->w, cv, tr.ca_bytes >= NT_TLS_CA_LIST_LIMIT
                              ? "the client certificate request carries a CA list over 16 KB"
                              : "the client certificate request carries a CA list near 16 KB");

    int n = tr.chain ? sk_X509_num(tr.chain) : 0;
    for (int i = 0; i < n; i++) cert_step(r, i, sk_X509_value(tr.chain, i));
    if (n == 0) {
        s = start(r, "certificate", NT_SCOPE_IN_ITEM, NULL, "Certificate");
        nt_step_empty_array(s, "certificates");
        nt_step_textf(s, "none sent\n");
        emit(r, NT_VERDICT_FAIL);
        worsen(&r->w, NT_VERDICT_FAIL, "the server sent no certificate");
        nt_tls_result_free(&tr);
        return;
    }
    X509 *leaf = sk_X509_value(tr.chain, 0);
    uint32_t wcode;
    verify_step(r, &tr, n, leaf, &wcode);
    bool due = name_steps(r, t, leaf, wcode);
    if (advice && due) {
        s = start(r, "advice", NT_SCOPE_TEXT, NULL, "Advice");
        for (int i = 0; advice[i]; i++) nt_step_textf(s, "%s\n", advice[i]);
        emit(r, NT_VERDICT_INFO);
    }
    nt_tls_result_free(&tr);
}

static void addr_str(const struct sockaddr *sa, char *out, size_t n)
{
    char h[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, h, sizeof h);
    else if (sa->sa_family == AF_INET6) inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, h, sizeof h);
    snprintf(out, n, "%s", h);
}

/* Connect (and TLS) per address, in order; without --all-addresses until one connects. */
static void connect_steps(run *r, const nt_target *t, struct addrinfo *res, const char *const *advice)
{
    static const char *const csn[] = {"connected", "refused", "timeout", "unreachable", "error"};
    worst fails = {.v = NT_VERDICT_OK};
    bool connected = false;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        char as[80], ms[32];
        int64_t ns;
        int fd;
        nt_error e = {0};
        nt_sockaddr_str(a->ai_addr, as, sizeof as);
        nt_conn_status cs = nt_tcp_connect(a->ai_addr, a->ai_addrlen, r->o->timeout_ms, &fd, &ns, &e);
        ms_str(ms, sizeof ms, ns);
        nt_step *s = start(r, "connect", NT_SCOPE_ITEM, "attempts", "Connect");
        nt_step_str(s, "address", as);
        nt_step_str(s, "connect", csn[cs]);
        nt_step_raw(s, "connect_ms", ms);
        if (cs != NT_CONN_OK) {
            nt_step_str(s, "error", e.msg);
            nt_step_textf(s, "%s\n", e.msg);
            emit(r, NT_VERDICT_FAIL);
            worsen(r->o->all ? &r->w : &fails, NT_VERDICT_FAIL, e.msg);
        } else {
            connected = true;
            nt_step_textf(s, "%s connected in %s ms\n", as, ms);
            emit(r, NT_VERDICT_OK);
            if (!r->o->notls) tls_steps(r, fd, t, advice);
            close(fd);
        }
        if (connected && !r->o->all) break;
    }
    if (!connected) worsen(&r->w, NT_VERDICT_FAIL, fails.reason);
}

nt_verdict nt_check_target(const nt_check_opts *o, const char *label, const char *spec, const char *const *advice,
                           nt_step_fn fn, void *user)
{
    static run r;   /* the step inside is large; checks run one at a time */
    memset(&r.w, 0, sizeof r.w);
    r.o = o, r.fn = fn, r.user = user;
    nt_target t;
    nt_error e = {0};
    nt_step *s;
    if (nt_target_parse(spec, &t, &e)) {
        /* only reached for profile-made targets: command-line ones were checked */
        s = start(&r, "verdict", NT_SCOPE_LINE, NULL, "Verdict");
        nt_step_str(s, "type", "check");
        if (label) nt_step_str(s, "label", label);
        nt_step_str(s, "target", spec);
        nt_step_str(s, "verdict", "fail");
        nt_step_str(s, "reason", e.msg);
        nt_step_textf(s, "FAIL %s: %s\n", spec, e.msg);
        emit(&r, NT_VERDICT_FAIL);
        return NT_VERDICT_FAIL;
    }
    s = start(&r, "target", NT_SCOPE_BEGIN, NULL, NULL);
    nt_step_str(s, "type", "check");
    if (label) nt_step_str(s, "label", label);
    nt_step_str(s, "target", spec);
    nt_step_str(s, "host", t.host);
    nt_step_int(s, "port", t.port);
    nt_step_textf(s, "== %s%s%s\n", label ? label : "", label ? ": " : "", spec);
    emit(&r, NT_VERDICT_INFO);

    struct addrinfo *res = NULL;
    int64_t ns;
    char ms[32];
    s = start(&r, "resolve", NT_SCOPE_RECORD, NULL, "Resolve");
    if (nt_resolve(t.host, t.port, o->family, &res, &ns, &e)) {
        nt_step_str(s, "resolve_error", e.msg);
        nt_step_textf(s, "%s\n", e.msg);
        emit(&r, NT_VERDICT_FAIL);
        worsen(&r.w, NT_VERDICT_FAIL, e.msg);
    } else {
        ms_str(ms, sizeof ms, ns);
        nt_step_textf(s, "%s ->", t.host);
        int na = 0;
        for (struct addrinfo *a = res; a; a = a->ai_next, na++) {
            char as[INET6_ADDRSTRLEN];
            addr_str(a->ai_addr, as, sizeof as);
            nt_step_str(s, "addresses[]", as);
            nt_step_textf(s, "%s %s", na ? "," : "", as);
        }
        nt_step_raw(s, "resolve_ms", ms);
        nt_step_textf(s, " (%d address%s, system resolver, %s ms)\n", na, na == 1 ? "" : "es", ms);
        emit(&r, NT_VERDICT_OK);
        connect_steps(&r, &t, res, advice);
        freeaddrinfo(res);
    }
    char hostport[300];
    snprintf(hostport, sizeof hostport, strchr(t.host, ':') ? "[%s]:%u" : "%s:%u", t.host, t.port);
    s = start(&r, "verdict", NT_SCOPE_END, NULL, "Verdict");
    nt_step_str(s, "verdict", nt_verdict_name(r.w.v));
    if (r.w.reason[0]) nt_step_str(s, "reason", r.w.reason);
    nt_step_textf(s, "%s %s%s%s\n", nt_verdict_upper(r.w.v), hostport, r.w.reason[0] ? ": " : "", r.w.reason);
    emit(&r, r.w.v);
    return r.w.v;
}

/* The SRV answer: each target, and why it fails (rcode, '.', none). */
static nt_verdict srv_answer(run *r, const nt_dns_exchange *x, int *found, char *reason, size_t rsz)
{
    nt_dns_msg m;
    nt_dns_parse(x->resp, x->resp_len, &m);
    uint16_t rc = nt_dns_full_rcode(&m);
    if (rc) {
        const char *wn;
        int wnum = nt_dns_rcode_windows(rc, &wn);
        snprintf(reason, rsz, "%s (%s), Windows error %d %s", nt_dns_rcode_mnemonic(rc) ? nt_dns_rcode_mnemonic(rc) : "?",
                 nt_dns_rcode_text(rc) ? nt_dns_rcode_text(rc) : "?", wnum, wn ? wn : "");
        return NT_VERDICT_FAIL;
    }
    nt_verdict v = NT_VERDICT_OK;
    nt_dns_iter it;
    nt_dns_rr rr;
    nt_dns_rdata rd;
    nt_dns_iter_init(&it, &m);
    while (nt_dns_next(&it, &rr)) {
        if (rr.section != NT_DNS_SEC_AN || rr.type != NT_DNS_SRV || nt_dns_rdata_parse(&m, &rr, &rd)) continue;
        char t[NT_DNS_NAME_TEXT_MAX];
        size_t wl;
        nt_dns_name(m.p, m.len, rd.u.srv.target_off, t, sizeof t, NULL, &wl);
        nt_step *s = start(r, "srv-target", NT_SCOPE_TEXT, NULL, "SRV");
        nt_step_textf(s, "priority %u weight %u %s:%u%s\n", rd.u.srv.priority, rd.u.srv.weight, t, rd.u.srv.port,
                      wl == 1 ? " (target '.': service decidedly not available)" : "");
        emit(r, wl == 1 ? NT_VERDICT_FAIL : NT_VERDICT_OK);
        if (wl == 1) {
            snprintf(reason, rsz, "target '.': the service is decidedly not available");
            v = NT_VERDICT_FAIL;
        } else {
            (*found)++;
        }
    }
    if (!*found && v == NT_VERDICT_OK) {
        snprintf(reason, rsz, "no SRV record (NOERROR, empty answer)");
        v = NT_VERDICT_FAIL;
    }
    return v;
}

nt_verdict nt_check_srv(const nt_check_opts *o, const char *label, const char *name, const char *resolv, nt_step_fn fn,
                        void *user)
{
    static nt_dns_exchange x;
    static run r;
    memset(&x, 0, sizeof x);
    r.o = o, r.fn = fn, r.user = user;
    char sa[80], reason[600] = "";
    nt_step *s;
    int found = 0;
    nt_verdict v;
    if (!nt_resolv_conf_server(resolv, &x.server, &x.server_len)) {
        snprintf(reason, sizeof reason, "no nameserver in %s", resolv);
        s = start(&r, "srv", NT_SCOPE_LINE, NULL, NULL);
        nt_step_textf(s, "== %s: %s SRV\nVerdict:   FAIL %s: %s\n", label, name, name, reason);
        v = NT_VERDICT_FAIL;
    } else {
        nt_sockaddr_str((struct sockaddr *)&x.server, sa, sizeof sa);
        x.timeout_ms = o->timeout_ms < 2000 ? o->timeout_ms : 2000;
        x.tries = 2;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        nt_dns_query q = {.id = (uint16_t)(ts.tv_nsec ^ getpid()), .name = name, .type = NT_DNS_SRV,
                          .qclass = NT_DNS_CLASS_IN, .rd = true};
        nt_error e = {0};
        s = start(&r, "srv-query", NT_SCOPE_TEXT, NULL, NULL);
        nt_step_textf(s, "== %s: %s SRV (asked of %s directly)\n", label, name, sa);
        emit(&r, NT_VERDICT_INFO);
        if (nt_dns_exchange_run(&x, &q, &e)) {
            snprintf(reason, sizeof reason, "%s", e.msg);
            v = NT_VERDICT_FAIL;
        } else {
            v = srv_answer(&r, &x, &found, reason, sizeof reason);
        }
        s = start(&r, "srv", NT_SCOPE_LINE, NULL, "Verdict");
        nt_step_textf(s, "%s %s SRV%s%s\n", nt_verdict_upper(v), name, reason[0] ? ": " : "", reason);
    }
    nt_step_str(s, "type", "srv");
    nt_step_str(s, "label", label);
    nt_step_str(s, "name", name);
    nt_step_int(s, "targets", found);
    nt_step_str(s, "verdict", nt_verdict_name(v));
    if (reason[0]) nt_step_str(s, "reason", reason);
    emit(&r, v);
    return v;
}
