/* cmd_check.c - `nettracer check TARGET...`: resolve, connect, TLS,
 * certificate and name checks, one verdict line per target; and profiles
 * (data files: profiles/NAME.profile) that expand to a list of labelled
 * targets and SRV lookups, as the reference's Lync external URL script. */
#include "cli.h"
#include "nettracer/dns.h"
#include "nettracer/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef NT_PROFILE_DIR
#define NT_PROFILE_DIR "/usr/local/share/nettracer/profiles"
#endif

const char nt_check_help[] =
    "usage: nettracer check [OPTIONS] TARGET...\n"
    "       nettracer check [OPTIONS] --profile NAME [--set VAR=VALUE]...\n"
    "\n"
    "Check endpoints as a client sees them. TARGET: host, host:port, [IPv6]:port\n"
    "or https://host[:port]/path (default port 443). For each target:\n"
    "  resolve     with the system resolver, hosts file included, every address\n"
    "  connect     TCP, timed; a failure named by its cause: refused (a reset came\n"
    "              back), timed out (SYN dropped or filtered), unreachable\n"
    "  TLS         handshake with SNI: protocol, cipher, ALPN, time; a client\n"
    "              certificate request with the size of its CA list\n"
    "  certificate every certificate the server sent: subject, issuer, SANs,\n"
    "              serial, validity and days left, key, signature algorithm;\n"
    "              verification (system store or --ca-file) with the error in words\n"
    "  names       the target and each --expect-name under RFC 9525's rules\n"
    "              (no partial wildcards, never the subject CN); a name that only\n"
    "              OpenSSL's older default rules accept is a warning of its own\n"
    "Without --all-addresses the addresses are tried in order until one\n"
    "connects, as applications do.\n"
    "\n"
    "Options:\n"
    "  -4, -6               IPv4 or IPv6 addresses only\n"
    "  --all-addresses      connect to (and check TLS on) every address\n"
    "  --ca-file FILE       trust the CAs in FILE (PEM) instead of the system store\n"
    "  --expect-name NAME   also check the certificate for NAME (repeatable)\n"
    "  --no-tls             stop after the TCP connect\n"
    "  --timeout SEC        per connect and per handshake (default 5)\n"
    "  --profile NAME|FILE  run a profile (profiles/NAME.profile), e.g. lync\n"
    "  --set VAR=VALUE      a profile variable (see --profile NAME --list)\n"
    "  --list               with --profile: print its variables and checks\n"
    "  --json               one JSON object per target\n"
    "\n"
    "Exit status: 0 every target passed (warnings allowed); 1 a target failed;\n"
    "2 bad arguments (a malformed target, port 0 or over 65535).\n";

enum { OPT_ALL = 1000, OPT_CA, OPT_EXPECT, OPT_NOTLS, OPT_TIMEOUT, OPT_PROFILE, OPT_SET, OPT_LIST, OPT_JSON };

#define MAX_EXPECT 16
#define MAX_VARS 32
#define MAX_ITEMS 32

typedef struct check_opts {
    int family;
    bool all, notls, json, list;
    const char *ca_file, *profile;
    const char *expect[MAX_EXPECT];
    int nexpect;
    int timeout_ms;
    const char *set[MAX_VARS];
    int nset;
} check_opts;

typedef enum { V_OK, V_WARN, V_FAIL } verdict;

static const char *vname(verdict v) { return v == V_OK ? "OK" : v == V_WARN ? "WARN" : "FAIL"; }

/* One target's outcome; text lines go straight to stdout, JSON is built. */
typedef struct tstate {
    verdict v;
    char reason[600];
    nt_buf *jb;
    nt_json j;
} tstate;

static void worsen(tstate *s, verdict v, const char *reason)
{
    if (v > s->v || (v == s->v && !s->reason[0])) {
        if (v > s->v || !s->reason[0]) snprintf(s->reason, sizeof s->reason, "%s", reason);
        s->v = v;
    }
}

static void addr_str(const struct sockaddr *sa, char *out, size_t n)
{
    char h[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, h, sizeof h);
    else if (sa->sa_family == AF_INET6) inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, h, sizeof h);
    snprintf(out, n, "%s", h);
}

static void ms_str(char *out, size_t n, int64_t ns) { snprintf(out, n, "%.1f", (double)ns / 1e6); }

static void print_cert(const check_opts *o, tstate *s, int i, X509 *x)
{
    nt_cert_info ci;
    nt_cert_describe(x, &ci);
    if (o->json) {
        nt_json *j = &s->j;
        nt_json_obj_open(j, NULL);
        nt_json_str(j, "subject", ci.subject);
        nt_json_str(j, "issuer", ci.issuer);
        nt_json_str(j, "sans", ci.sans);
        nt_json_str(j, "serial", ci.serial);
        nt_json_str(j, "not_before", ci.not_before);
        nt_json_str(j, "not_after", ci.not_after);
        nt_json_i64(j, "days_left", ci.days_left);
        nt_json_str(j, "key", ci.key);
        nt_json_str(j, "signature", ci.sigalg);
        nt_json_obj_close(j);
        return;
    }
    printf("Certificate %d: %s%s\n", i, ci.subject[0] ? ci.subject : "(empty subject)", ci.self_signed ? "  (self-signed)" : "");
    printf("  issuer:    %s\n", ci.issuer);
    if (i == 0 || ci.sans[0]) printf("  SANs:      %s\n", ci.sans[0] ? ci.sans : "(none)");
    printf("  serial:    %s\n", ci.serial);
    printf("  valid:     %s to %s (%s%d days %s)\n", ci.not_before, ci.not_after, "", ci.days_left < 0 ? -ci.days_left : ci.days_left,
           ci.expired ? "ago: EXPIRED" : ci.not_yet_valid ? "left, but NOT YET VALID" : "left");
    printf("  key:       %s, signature %s\n", ci.key, ci.sigalg);
}

/* TLS and certificate steps on a connected socket. */
static void tls_steps(const check_opts *o, tstate *s, int fd, const nt_target *t, const char *const *advice)
{
    nt_tls_result r;
    nt_error e = {0};
    char ms[32];
    const char *sni = t->host_is_ip ? NULL : t->host;
    int rc = nt_tls_handshake(fd, sni, o->ca_file, o->timeout_ms, &r, &e);
    ms_str(ms, sizeof ms, r.handshake_ns);
    if (o->json) nt_json_obj_open(&s->j, "tls");
    if (rc) {
        if (o->json) {
            nt_json_str(&s->j, "error", e.msg);
            nt_json_bool(&s->j, "client_cert_requested", r.client_cert_requested);
            nt_json_obj_close(&s->j);
        } else {
            if (r.client_cert_requested)
                printf("TLS:       client certificate requested: %d acceptable CA names (%zu bytes)\n", r.ca_names, r.ca_bytes);
            printf("TLS:       %s\n", e.msg);
        }
        worsen(s, V_FAIL, e.msg);
        nt_tls_result_free(&r);
        return;
    }
    if (o->json) {
        nt_json_str(&s->j, "version", r.version);
        nt_json_str(&s->j, "cipher", r.cipher);
        nt_json_str(&s->j, "alpn", r.alpn);
        nt_json_str(&s->j, "sni", sni ? sni : "");
        nt_json_raw(&s->j, "handshake_ms", ms);
        nt_json_bool(&s->j, "client_cert_requested", r.client_cert_requested);
        if (r.client_cert_requested) {
            nt_json_u64(&s->j, "client_ca_names", (uint64_t)r.ca_names);
            nt_json_u64(&s->j, "client_ca_bytes", r.ca_bytes);
        }
        nt_json_obj_close(&s->j);
    } else {
        printf("TLS:       %s, %s, ALPN %s, SNI %s, handshake %s ms\n", r.version, r.cipher, r.alpn[0] ? r.alpn : "none",
               sni ? sni : "none (an IP address)", ms);
        if (r.client_cert_requested)
            printf("TLS:       client certificate requested: %d acceptable CA names (%zu bytes)%s\n", r.ca_names, r.ca_bytes,
                   r.ca_bytes > 16384 ? "; over 16 KB: some clients (Schannel) fail the handshake with a list this long"
                                      : "");
    }
    if (r.client_cert_requested && r.ca_bytes > 16384)
        worsen(s, V_WARN, "the client certificate request carries a CA list over 16 KB");

    int n = r.chain ? sk_X509_num(r.chain) : 0;
    if (o->json) nt_json_arr_open(&s->j, "certificates");
    for (int i = 0; i < n; i++) print_cert(o, s, i, sk_X509_value(r.chain, i));
    if (o->json) nt_json_arr_close(&s->j);
    if (n == 0) {
        if (!o->json) printf("Certificate: none sent\n");
        worsen(s, V_FAIL, "the server sent no certificate");
        nt_tls_result_free(&r);
        return;
    }
    X509 *leaf = sk_X509_value(r.chain, 0);
    nt_cert_info li;
    nt_cert_describe(leaf, &li);

    const char *wn;
    uint32_t wc;
    const char *words = nt_verify_explain(r.verify, &wn, &wc);
    char vmsg[600];
    if (r.verify == X509_V_OK) {
        snprintf(vmsg, sizeof vmsg, "OK against %s", o->ca_file ? o->ca_file : "the system store");
    } else {
        int w = snprintf(vmsg, sizeof vmsg, "FAILED: %s (OpenSSL %ld): %s", X509_verify_cert_error_string(r.verify), r.verify,
                         words);
        if (wc && w > 0 && (size_t)w < sizeof vmsg)
            snprintf(vmsg + w, sizeof vmsg - (size_t)w, "; Windows reports %s 0x%08X", wn, wc);
    }
    if (o->json) {
        nt_json_obj_open(&s->j, "verify");
        nt_json_i64(&s->j, "code", r.verify);
        nt_json_str(&s->j, "result", r.verify == X509_V_OK ? "ok" : X509_verify_cert_error_string(r.verify));
        nt_json_str(&s->j, "explanation", words);
        if (wc) nt_json_str(&s->j, "windows", wn);
        nt_json_obj_close(&s->j);
    } else {
        printf("Verify:    %s (the server sent %d certificate%s)\n", vmsg, n, n == 1 ? "" : "s");
    }
    if (r.verify != X509_V_OK) {
        char why[600];
        snprintf(why, sizeof why, "certificate verification failed: %s", X509_verify_cert_error_string(r.verify));
        worsen(s, V_FAIL, why);
    } else if (!li.expired && li.days_left < 30) {
        char why[200];
        snprintf(why, sizeof why, "the certificate expires in %d days", li.days_left);
        worsen(s, V_WARN, why);
    }

    /* names: the target itself, then each --expect-name */
    const char *names[MAX_EXPECT + 1];
    int nn = 0;
    names[nn++] = t->host;
    for (int i = 0; i < o->nexpect; i++) names[nn++] = o->expect[i];
    bool wildcard_used = false, any_mismatch = false;
    if (o->json) nt_json_arr_open(&s->j, "names");
    for (int i = 0; i < nn; i++) {
        char matched[300];
        const char *how;
        nt_name_match m = nt_cert_check_name(leaf, names[i], matched, sizeof matched, &how);
        if (strchr(matched, '*')) wildcard_used = true;
        char line[4096];
        if (m == NT_NAME_MATCH) {
            snprintf(line, sizeof line, "%s matches %s (RFC 9525 rules)", names[i], matched);
        } else if (m == NT_NAME_LOOSE) {
            snprintf(line, sizeof line, "%s matches %s only under older, looser rules: through %s. Older clients "
                     "accept it; browsers and RFC 9525 do not: add the name as a DNS subjectAltName", names[i], matched, how);
            char why[400];
            snprintf(why, sizeof why, "%s matches the certificate only through %s", names[i], how);
            worsen(s, V_WARN, why);
        } else {
            any_mismatch = true;
            snprintf(line, sizeof line, "%s does NOT match the certificate (subject %s; SANs %s)%s", names[i],
                     li.subject[0] ? li.subject : "(empty)", li.sans[0] ? li.sans : "none",
                     wc ? "" : "; Windows reports CERT_E_CN_NO_MATCH 0x800B010F");
            char why[600];
            snprintf(why, sizeof why, "the certificate is not valid for %s (subject %s)", names[i], li.subject);
            worsen(s, V_FAIL, why);
        }
        if (o->json) {
            nt_json_obj_open(&s->j, NULL);
            nt_json_str(&s->j, "name", names[i]);
            nt_json_str(&s->j, "result", m == NT_NAME_MATCH ? "match" : m == NT_NAME_LOOSE ? "loose" : "mismatch");
            if (matched[0]) nt_json_str(&s->j, "matched", matched);
            nt_json_obj_close(&s->j);
        } else {
            printf("Name:      %s\n", line);
        }
    }
    if (o->json) nt_json_arr_close(&s->j);
    if (!o->json && advice)
        for (int i = 0; advice[i]; i++)
            if (wildcard_used || any_mismatch) printf("Advice:    %s\n", advice[i]);
    nt_tls_result_free(&r);
}

/* One target: resolve, then connect (and TLS) per address. */
static verdict check_target(const check_opts *o, const char *label, const char *spec, const char *const *advice)
{
    nt_target t;
    nt_error e = {0};
    tstate s = {.v = V_OK};
    nt_buf jb;
    nt_buf_init(&jb);
    s.jb = &jb;
    if (nt_target_parse(spec, &t, &e)) {
        /* only reached for profile-made targets: command-line ones were checked */
        printf("Verdict:   FAIL %s: %s\n", spec, e.msg);
        nt_buf_free(&jb);
        return V_FAIL;
    }
    char hostport[300];
    snprintf(hostport, sizeof hostport, strchr(t.host, ':') ? "[%s]:%u" : "%s:%u", t.host, t.port);
    if (o->json) {
        nt_json_begin(&s.j, &jb);
        nt_json_obj_open(&s.j, NULL);
        nt_json_str(&s.j, "type", "check");
        if (label) nt_json_str(&s.j, "label", label);
        nt_json_str(&s.j, "target", spec);
        nt_json_str(&s.j, "host", t.host);
        nt_json_u64(&s.j, "port", t.port);
    } else {
        printf("== %s%s%s\n", label ? label : "", label ? ": " : "", spec);
    }
    struct addrinfo *res = NULL;
    int64_t ns;
    char ms[32];
    if (nt_resolve(t.host, t.port, o->family, &res, &ns, &e)) {
        if (o->json) nt_json_str(&s.j, "resolve_error", e.msg);
        else printf("Resolve:   %s\n", e.msg);
        worsen(&s, V_FAIL, e.msg);
    } else {
        ms_str(ms, sizeof ms, ns);
        if (o->json) nt_json_arr_open(&s.j, "addresses");
        else printf("Resolve:   %s ->", t.host);
        int na = 0;
        for (struct addrinfo *a = res; a; a = a->ai_next, na++) {
            char as[INET6_ADDRSTRLEN];
            addr_str(a->ai_addr, as, sizeof as);
            if (o->json) nt_json_str(&s.j, NULL, as);
            else printf("%s %s", na ? "," : "", as);
        }
        if (o->json) {
            nt_json_arr_close(&s.j);
            nt_json_raw(&s.j, "resolve_ms", ms);
        } else {
            printf(" (%d address%s, system resolver, %s ms)\n", na, na == 1 ? "" : "es", ms);
        }
        if (o->json) nt_json_arr_open(&s.j, "attempts");
        bool connected = false;
        tstate fails = {.v = V_OK};
        for (struct addrinfo *a = res; a; a = a->ai_next) {
            char as[80];
            nt_sockaddr_str(a->ai_addr, as, sizeof as);
            int fd;
            nt_conn_status cs = nt_tcp_connect(a->ai_addr, a->ai_addrlen, o->timeout_ms, &fd, &ns, &e);
            ms_str(ms, sizeof ms, ns);
            static const char *const csn[] = {"connected", "refused", "timeout", "unreachable", "error"};
            if (o->json) {
                nt_json_obj_open(&s.j, NULL);
                nt_json_str(&s.j, "address", as);
                nt_json_str(&s.j, "connect", csn[cs]);
                nt_json_raw(&s.j, "connect_ms", ms);
                if (cs != NT_CONN_OK) nt_json_str(&s.j, "error", e.msg);
            }
            if (cs != NT_CONN_OK) {
                if (!o->json) printf("Connect:   %s\n", e.msg);
                worsen(o->all ? &s : &fails, V_FAIL, e.msg);
            } else {
                connected = true;
                if (!o->json) printf("Connect:   %s connected in %s ms\n", as, ms);
                if (!o->notls) tls_steps(o, &s, fd, &t, advice);
                close(fd);
            }
            if (o->json) nt_json_obj_close(&s.j);
            if (connected && !o->all) break;
        }
        if (!connected) worsen(&s, V_FAIL, fails.reason);
        if (o->json) nt_json_arr_close(&s.j);
        freeaddrinfo(res);
    }
    if (o->json) {
        nt_json_str(&s.j, "verdict", s.v == V_OK ? "ok" : s.v == V_WARN ? "warn" : "fail");
        if (s.reason[0]) nt_json_str(&s.j, "reason", s.reason);
        nt_json_obj_close(&s.j);
        nt_buf_putc(&jb, '\n');
        nt_buf_flush(&jb, stdout);
    } else {
        printf("Verdict:   %s %s%s%s\n", vname(s.v), hostport, s.reason[0] ? ": " : "", s.reason);
    }
    nt_buf_free(&jb);
    fflush(stdout);
    return s.v;
}

/* ---- profiles ---------------------------------------------------------- */

typedef struct pitem {
    char kind;        /* 'c' check, 's' srv */
    char label[128], spec[512], advice_tag[64];
} pitem;

typedef struct profile {
    char name[64], about[512];
    char var[MAX_VARS][64], var_help[MAX_VARS][256];
    int nvar;
    pitem item[MAX_ITEMS];
    int nitem;
    char adv_tag[8][64], adv_text[8][512];
    int nadv;
    char note[8][512];
    int nnote;
} profile;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
    return s;
}

/* Splits "a | b | c" in place; returns the field count. */
static int split_bar(char *s, char **f, int max)
{
    int n = 0;
    while (n < max) {
        char *bar = strstr(s, " | ");
        f[n++] = trim(s);
        if (!bar) break;
        *bar = 0;
        s = bar + 3;
    }
    return n;
}

static int load_profile(const char *arg, profile *p, char *path, size_t psz)
{
    memset(p, 0, sizeof *p);
    const char *dir = getenv("NT_PROFILE_DIR");
    if (strchr(arg, '/')) snprintf(path, psz, "%s", arg);
    else snprintf(path, psz, "%s/%s.profile", dir ? dir : NT_PROFILE_DIR, arg);
    FILE *f = fopen(path, "r");
    if (!f) return nt_usage_error("check", "no profile '%s' (%s: %s)", arg, path, strerror(errno));
    char line[1024];
    int ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *l = trim(line);
        if (!*l || *l == '#') continue;
        char *sp = strpbrk(l, " \t");
        if (!sp) goto bad;
        *sp = 0;
        char *rest = trim(sp + 1), *fld[4];
        int nf;
        if (!strcmp(l, "name")) {
            snprintf(p->name, sizeof p->name, "%s", rest);
        } else if (!strcmp(l, "about")) {
            snprintf(p->about, sizeof p->about, "%s", rest);
        } else if (!strcmp(l, "var") && p->nvar < MAX_VARS) {
            char *v = strpbrk(rest, " \t");
            if (v) *v++ = 0;
            snprintf(p->var[p->nvar], sizeof p->var[0], "%s", rest);
            snprintf(p->var_help[p->nvar], sizeof p->var_help[0], "%s", v ? trim(v) : "");
            p->nvar++;
        } else if ((!strcmp(l, "check") || !strcmp(l, "srv")) && p->nitem < MAX_ITEMS) {
            nf = split_bar(rest, fld, 3);
            if (nf < 2) goto bad;
            pitem *it = &p->item[p->nitem++];
            it->kind = l[0];
            snprintf(it->label, sizeof it->label, "%s", fld[0]);
            snprintf(it->spec, sizeof it->spec, "%s", fld[1]);
            if (nf > 2) snprintf(it->advice_tag, sizeof it->advice_tag, "%s", fld[2]);
        } else if (!strcmp(l, "advice") && p->nadv < 8) {
            nf = split_bar(rest, fld, 2);
            if (nf < 2) goto bad;
            snprintf(p->adv_tag[p->nadv], sizeof p->adv_tag[0], "%s", fld[0]);
            snprintf(p->adv_text[p->nadv], sizeof p->adv_text[0], "%s", fld[1]);
            p->nadv++;
        } else if (!strcmp(l, "note") && p->nnote < 8) {
            snprintf(p->note[p->nnote++], sizeof p->note[0], "%s", rest);
        } else {
            goto bad;
        }
    }
    fclose(f);
    return 0;
bad:
    fclose(f);
    return nt_usage_error("check", "%s:%d: not a profile line (name, about, var, check, srv, advice, note)", path, ln);
}

static const char *var_value(const check_opts *o, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < o->nset; i++)
        if (!strncmp(o->set[i], name, n) && o->set[i][n] == '=' && o->set[i][n + 1]) return o->set[i] + n + 1;
    return NULL;
}

/* Replaces {var} with its value; *missing gets the first variable not set. */
static bool expand(const check_opts *o, const char *in, char *out, size_t osz, char *missing, size_t msz)
{
    size_t w = 0;
    missing[0] = 0;
    for (const char *c = in; *c;) {
        if (*c == '{') {
            const char *close = strchr(c, '}');
            char name[64];
            if (!close || (size_t)(close - c - 1) >= sizeof name) return false;
            memcpy(name, c + 1, (size_t)(close - c - 1));
            name[close - c - 1] = 0;
            const char *v = var_value(o, name);
            if (!v) {
                snprintf(missing, msz, "%s", name);
                return false;
            }
            int k = snprintf(out + w, osz - w, "%s", v);
            if (k < 0 || (size_t)k >= osz - w) return false;
            w += (size_t)k;
            c = close + 1;
        } else {
            if (w + 1 >= osz) return false;
            out[w++] = *c++;
        }
    }
    out[w] = 0;
    return true;
}

static verdict srv_item(const check_opts *o, const char *label, const char *name)
{
    static nt_dns_exchange x;
    memset(&x, 0, sizeof x);
    char sa[80];
    if (!nt_resolv_conf_server("/etc/resolv.conf", &x.server, &x.server_len)) {
        printf("== %s: %s SRV\nVerdict:   FAIL %s: no nameserver in /etc/resolv.conf\n", label, name, name);
        return V_FAIL;
    }
    nt_sockaddr_str((struct sockaddr *)&x.server, sa, sizeof sa);
    x.timeout_ms = o->timeout_ms < 2000 ? o->timeout_ms : 2000;
    x.tries = 2;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    nt_dns_query q = {.id = (uint16_t)(ts.tv_nsec ^ getpid()), .name = name, .type = NT_DNS_SRV, .qclass = NT_DNS_CLASS_IN,
                      .rd = true};
    nt_error e = {0};
    if (!o->json) printf("== %s: %s SRV (asked of %s directly)\n", label, name, sa);
    char reason[600] = "";
    verdict v = V_OK;
    int found = 0;
    if (nt_dns_exchange_run(&x, &q, &e)) {
        snprintf(reason, sizeof reason, "%s", e.msg);
        v = V_FAIL;
    } else {
        nt_dns_msg m;
        nt_dns_parse(x.resp, x.resp_len, &m);
        uint16_t rc = nt_dns_full_rcode(&m);
        if (rc) {
            const char *wn;
            int wnum = nt_dns_rcode_windows(rc, &wn);
            snprintf(reason, sizeof reason, "%s (%s), Windows error %d %s", nt_dns_rcode_mnemonic(rc) ? nt_dns_rcode_mnemonic(rc) : "?",
                     nt_dns_rcode_text(rc) ? nt_dns_rcode_text(rc) : "?", wnum, wn ? wn : "");
            v = V_FAIL;
        } else {
            nt_dns_iter it;
            nt_dns_rr rr;
            nt_dns_rdata rd;
            nt_dns_iter_init(&it, &m);
            while (nt_dns_next(&it, &rr)) {
                if (rr.section != NT_DNS_SEC_AN || rr.type != NT_DNS_SRV || nt_dns_rdata_parse(&m, &rr, &rd)) continue;
                char t[NT_DNS_NAME_TEXT_MAX];
                size_t wl;
                nt_dns_name(m.p, m.len, rd.u.srv.target_off, t, sizeof t, NULL, &wl);
                if (!o->json)
                    printf("SRV:       priority %u weight %u %s:%u%s\n", rd.u.srv.priority, rd.u.srv.weight, t, rd.u.srv.port,
                           wl == 1 ? " (target '.': service decidedly not available)" : "");
                if (wl == 1) {
                    snprintf(reason, sizeof reason, "target '.': the service is decidedly not available");
                    v = V_FAIL;
                } else {
                    found++;
                }
            }
            if (!found && v == V_OK) {
                snprintf(reason, sizeof reason, "no SRV record (NOERROR, empty answer)");
                v = V_FAIL;
            }
        }
    }
    if (o->json) {
        nt_buf b;
        nt_buf_init(&b);
        nt_json j;
        nt_json_begin(&j, &b);
        nt_json_obj_open(&j, NULL);
        nt_json_str(&j, "type", "srv");
        nt_json_str(&j, "label", label);
        nt_json_str(&j, "name", name);
        nt_json_u64(&j, "targets", (uint64_t)found);
        nt_json_str(&j, "verdict", v == V_OK ? "ok" : "fail");
        if (reason[0]) nt_json_str(&j, "reason", reason);
        nt_json_obj_close(&j);
        nt_buf_putc(&b, '\n');
        nt_buf_flush(&b, stdout);
        nt_buf_free(&b);
    } else {
        printf("Verdict:   %s %s SRV%s%s\n", vname(v), name, reason[0] ? ": " : "", reason);
    }
    return v;
}

static int run_profile(const check_opts *o)
{
    profile *p = calloc(1, sizeof *p);
    char path[512];
    if (!p) return NT_EXIT_PROBLEM;
    if (load_profile(o->profile, p, path, sizeof path)) {
        free(p);
        return NT_EXIT_USAGE;
    }
    for (int i = 0; i < o->nset; i++) {
        const char *eq = strchr(o->set[i], '=');
        bool known = false;
        for (int k = 0; eq && k < p->nvar; k++)
            if ((size_t)(eq - o->set[i]) == strlen(p->var[k]) && !strncmp(o->set[i], p->var[k], strlen(p->var[k]))) known = true;
        if (!known) {
            int rc = nt_usage_error("check", "profile %s has no variable '%.*s' (see --profile %s --list)", p->name,
                                    eq ? (int)(eq - o->set[i]) : (int)strlen(o->set[i]), o->set[i], o->profile);
            free(p);
            return rc;
        }
    }
    if (o->list) {
        printf("Profile %s (%s)\n%s\n\nVariables (--set VAR=VALUE):\n", p->name, path, p->about);
        for (int i = 0; i < p->nvar; i++) printf("  %-12s %s\n", p->var[i], p->var_help[i]);
        printf("\nChecks:\n");
        for (int i = 0; i < p->nitem; i++)
            printf("  %-4s %-28s %s\n", p->item[i].kind == 'c' ? "tls" : "srv", p->item[i].label, p->item[i].spec);
        free(p);
        return NT_EXIT_OK;
    }
    if (!o->json) printf("Profile %s: %s\n", p->name, p->about);
    verdict worst = V_OK;
    int ran = 0;
    for (int i = 0; i < p->nitem; i++) {
        const pitem *it = &p->item[i];
        char spec[512], missing[64];
        if (!expand(o, it->spec, spec, sizeof spec, missing, sizeof missing)) {
            if (o->json)
                printf("{\"type\":\"skipped\",\"label\":\"%s\",\"missing\":\"%s\"}\n", it->label, missing);
            else
                printf("== %s: skipped: no %s given (--set %s=NAME)\n", it->label, missing, missing);
            continue;
        }
        const char *adv[9] = {0};
        int na = 0;
        for (int k = 0; k < p->nadv && it->advice_tag[0]; k++)
            if (!strcmp(p->adv_tag[k], it->advice_tag)) adv[na++] = p->adv_text[k];
        verdict v = it->kind == 'c' ? check_target(o, it->label, spec, adv) : srv_item(o, it->label, spec);
        if (v > worst) worst = v;
        ran++;
    }
    if (!o->json)
        for (int i = 0; i < p->nnote; i++) printf("Note:      %s\n", p->note[i]);
    free(p);
    if (!ran) {
        fprintf(stderr, "nettracer check: profile %s: nothing to check: give its variables with --set (see --list)\n",
                o->profile);
        return NT_EXIT_USAGE;
    }
    return worst == V_FAIL ? NT_EXIT_PROBLEM : NT_EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"all-addresses", no_argument, NULL, OPT_ALL}, {"ca-file", required_argument, NULL, OPT_CA},
        {"expect-name", required_argument, NULL, OPT_EXPECT}, {"no-tls", no_argument, NULL, OPT_NOTLS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT}, {"profile", required_argument, NULL, OPT_PROFILE},
        {"set", required_argument, NULL, OPT_SET}, {"list", no_argument, NULL, OPT_LIST},
        {"json", no_argument, NULL, OPT_JSON}, {NULL, 0, NULL, 0}};
    check_opts o = {.family = AF_UNSPEC, .timeout_ms = 5000};
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "46", lopts, NULL)) != -1) {
        switch (ch) {
        case '4': o.family = AF_INET; break;
        case '6': o.family = AF_INET6; break;
        case OPT_ALL: o.all = true; break;
        case OPT_NOTLS: o.notls = true; break;
        case OPT_JSON: o.json = true; break;
        case OPT_LIST: o.list = true; break;
        case OPT_CA:
            if (access(optarg, R_OK)) return nt_usage_error("check", "cannot read --ca-file %s: %s", optarg, strerror(errno));
            o.ca_file = optarg;
            break;
        case OPT_EXPECT:
            if (o.nexpect == MAX_EXPECT) return nt_usage_error("check", "at most %d --expect-name", MAX_EXPECT);
            o.expect[o.nexpect++] = optarg;
            break;
        case OPT_PROFILE: o.profile = optarg; break;
        case OPT_SET:
            if (!strchr(optarg, '=') || optarg[0] == '=')
                return nt_usage_error("check", "--set needs VAR=VALUE, not '%s'", optarg);
            if (o.nset == MAX_VARS) return nt_usage_error("check", "at most %d --set", MAX_VARS);
            o.set[o.nset++] = optarg;
            break;
        case OPT_TIMEOUT: {
            char *end;
            double s = strtod(optarg, &end);
            if (*end || !(s >= 0.01 && s <= 300))
                return nt_usage_error("check", "--timeout needs seconds from 0.01 to 300, not '%s'", optarg);
            o.timeout_ms = (int)(s * 1000 + 0.5);
            break;
        }
        default:
            return nt_usage_error("check", "unknown option '%s' (see 'nettracer check --help')", argv[optind - 1]);
        }
    }
    if (o.profile) {
        if (optind < argc) return nt_usage_error("check", "--profile takes no targets (unexpected '%s')", argv[optind]);
        return run_profile(&o);
    }
    if (o.list || o.nset) return nt_usage_error("check", "--set and --list go with --profile");
    if (optind >= argc) return nt_usage_error("check", "no target given (usage: nettracer check TARGET...)");
    /* every target is checked for syntax before any traffic */
    for (int i = optind; i < argc; i++) {
        nt_target t;
        nt_error e = {0};
        if (nt_target_parse(argv[i], &t, &e)) return nt_usage_error("check", "%s", e.msg);
    }
    verdict worst = V_OK;
    for (int i = optind; i < argc; i++) {
        verdict v = check_target(&o, NULL, argv[i], NULL);
        if (v > worst) worst = v;
    }
    return worst == V_FAIL ? NT_EXIT_PROBLEM : NT_EXIT_OK;
}
