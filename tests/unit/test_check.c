/* Unit tests for check's flow and verdicts (probe/checkrun.c) and its
 * profile engine (probe/profile.c): a TLS server in a thread on 127.0.0.1
 * (loopback only) with a certificate made here, optionally asking for a
 * client certificate with a CA list of a chosen size; the tests read the
 * step records: each step's verdict and values, and the target's verdict
 * with its reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "nettracer/check.h"
#include "nettracer/tls.h"

/* ---- a TLS server ---------------------------------------------------- */

typedef struct tls_server {
    int fd;
    uint16_t port;
    SSL_CTX *ctx;
    volatile int stop;
    pthread_t th;
} tls_server;

static X509 *g_cert;
static EVP_PKEY *g_key;
static char g_pem[64];

/* A self-signed leaf for localhost and 127.0.0.1, valid 10 more days. */
static void make_cert(void)
{
    g_key = EVP_EC_gen("prime256v1");
    g_cert = X509_new();
    X509_set_version(g_cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(g_cert), 14);
    X509_gmtime_adj(X509_getm_notBefore(g_cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(g_cert), 86400L * 10);
    X509_set_pubkey(g_cert, g_key);
    X509_NAME *n = X509_get_subject_name(g_cert);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(g_cert, n);
    X509V3_CTX v;
    X509V3_set_ctx_nodb(&v);
    X509V3_set_ctx(&v, g_cert, g_cert, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v, NID_subject_alt_name, "DNS:localhost, IP:127.0.0.1");
    X509_add_ext(g_cert, e, -1);
    X509_EXTENSION_free(e);
    X509_sign(g_cert, g_key, EVP_sha256());
    snprintf(g_pem, sizeof g_pem, "/tmp/nt-test-check-%d.pem", (int)getpid());
    FILE *f = fopen(g_pem, "w");
    assert_non_null(f);
    PEM_write_X509(f, g_cert);
    fclose(f);
}

static int accept_any(int ok, X509_STORE_CTX *c)
{
    (void)ok, (void)c;
    return 1;
}

static void *serve(void *arg)
{
    tls_server *s = arg;
    for (int i = 0; i < 300 && !s->stop; i++) {   /* at most 60 s */
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0) continue;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0) continue;
        struct timeval tv = {2, 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        SSL *ssl = SSL_new(s->ctx);
        SSL_set_fd(ssl, c);
        if (SSL_accept(ssl) == 1) SSL_shutdown(ssl);
        SSL_free(ssl);
        close(c);
    }
    return NULL;
}

/* The i-th name of the server's CA list. */
static X509_NAME *ca_name(int i)
{
    X509_NAME *n = X509_NAME_new();
    char cn[64];
    snprintf(cn, sizeof cn, "Contoso Issuing Certificate Authority number %04d", i);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Contoso Test PKI", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    return n;
}

/* ca_names > 0: ask for a client certificate with that many CA names. */
static void server_start(tls_server *s, int ca_names)
{
    memset(s, 0, sizeof *s);
    s->ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(s->ctx, g_cert);
    SSL_CTX_use_PrivateKey(s->ctx, g_key);
    if (ca_names) {
        STACK_OF(X509_NAME) *l = sk_X509_NAME_new_null();
        for (int i = 0; i < ca_names; i++) sk_X509_NAME_push(l, ca_name(i));
        SSL_CTX_set_client_CA_list(s->ctx, l);
        SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, accept_any);
    }
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    listen(s->fd, 8);
    socklen_t l = sizeof a;
    getsockname(s->fd, (struct sockaddr *)&a, &l);
    s->port = ntohs(a.sin_port);
    pthread_create(&s->th, NULL, serve, s);
}

static void server_stop(tls_server *s)
{
    s->stop = 1;
    pthread_join(s->th, NULL);
    close(s->fd);
    SSL_CTX_free(s->ctx);
}

/* The size check and diagnose compare with the thresholds: each name's DER
 * plus its 2-byte length. */
static size_t ca_list_bytes(int ca_names)
{
    size_t sum = 0;
    for (int i = 0; i < ca_names; i++) {
        X509_NAME *n = ca_name(i);
        sum += 2 + (size_t)i2d_X509_NAME(n, NULL);
        X509_NAME_free(n);
    }
    return sum;
}

/* ---- what the flow reported ------------------------------------------ */

#define MAX_SEEN 64
typedef struct seen {
    int n;
    struct { char step[16]; nt_verdict v; } s[MAX_SEEN];
    nt_step last;         /* the last "verdict" (or "srv") step */
    nt_step tls;          /* the last "tls" step */
    char all[16384];
} seen;

static void collect(void *user, const nt_step *s)
{
    seen *w = user;
    if (w->n < MAX_SEEN) {
        snprintf(w->s[w->n].step, sizeof w->s[0].step, "%s", s->step);
        w->s[w->n].v = s->verdict;
        w->n++;
    }
    if (!strcmp(s->step, "verdict") || !strcmp(s->step, "srv") || !strcmp(s->step, "skipped")) nt_step_copy(&w->last, s);
    if (!strcmp(s->step, "tls")) nt_step_copy(&w->tls, s);
    if (strlen(w->all) + strlen(s->text) < sizeof w->all) strcat(w->all, s->text);
}

static const nt_step_value *val(const nt_step *s, const char *k) { return nt_step_get(s, k); }

/* The verdict of the first step named step, or -1. */
static int verdict_of(const seen *w, const char *step)
{
    for (int i = 0; i < w->n; i++)
        if (!strcmp(w->s[i].step, step)) return (int)w->s[i].v;
    return -1;
}

static nt_check_opts opts(void)
{
    nt_check_opts o = {.family = AF_INET, .timeout_ms = 3000};
    return o;
}

static uint16_t closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&a, sizeof a);
    socklen_t l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    close(fd);
    return ntohs(a.sin_port);
}

/* ---- tests ------------------------------------------------------------ */

static void refused_fails(void **state)
{
    (void)state;
    static seen w;
    memset(&w, 0, sizeof w);
    char spec[64];
    snprintf(spec, sizeof spec, "127.0.0.1:%u", closed_port());
    nt_check_opts o = opts();
    assert_int_equal(nt_check_target(&o, NULL, spec, NULL, collect, &w), NT_VERDICT_FAIL);
    assert_int_equal(verdict_of(&w, "resolve"), NT_VERDICT_OK);
    assert_int_equal(verdict_of(&w, "connect"), NT_VERDICT_FAIL);
    assert_int_equal(verdict_of(&w, "tls"), -1);   /* nothing after a failed connect */
    assert_string_equal(val(&w.last, "verdict")->str, "fail");
    assert_non_null(strstr(val(&w.last, "reason")->str, "refused"));
    assert_non_null(strstr(w.last.text, "FAIL 127.0.0.1:"));
}

static void untrusted_and_trusted(void **state)
{
    (void)state;
    static tls_server s;
    static seen w;
    server_start(&s, 0);
    char spec[64];
    snprintf(spec, sizeof spec, "127.0.0.1:%u", s.port);
    nt_check_opts o = opts();
    /* self-signed, not trusted: verification fails, the IP address matches */
    memset(&w, 0, sizeof w);
    assert_int_equal(nt_check_target(&o, NULL, spec, NULL, collect, &w), NT_VERDICT_FAIL);
    assert_int_equal(verdict_of(&w, "tls"), NT_VERDICT_OK);
    assert_int_equal(verdict_of(&w, "verify"), NT_VERDICT_FAIL);
    assert_int_equal(verdict_of(&w, "name"), NT_VERDICT_OK);
    assert_non_null(strstr(w.all, "127.0.0.1 matches IP:127.0.0.1 (RFC 9525 rules)"));
    assert_non_null(strstr(val(&w.last, "reason")->str, "certificate verification failed"));
    /* trusted: only the near expiry is left, a warning */
    o.ca_file = g_pem;
    memset(&w, 0, sizeof w);
    assert_int_equal(nt_check_target(&o, NULL, spec, NULL, collect, &w), NT_VERDICT_WARN);
    assert_int_equal(verdict_of(&w, "verify"), NT_VERDICT_WARN);
    assert_non_null(strstr(val(&w.last, "reason")->str, "the certificate expires in"));
    /* a name the certificate lacks fails, and is the reason over the warning */
    o.expect[o.nexpect++] = "Localhost.";
    o.expect[o.nexpect++] = "sip.contoso.test";
    memset(&w, 0, sizeof w);
    const char *advice[] = {"Publish sip.contoso.test in the certificate.", NULL};
    assert_int_equal(nt_check_target(&o, "Edge", spec, advice, collect, &w), NT_VERDICT_FAIL);
    assert_non_null(strstr(w.all, "Localhost. matches DNS:localhost (RFC 9525 rules)"));
    assert_non_null(strstr(w.all, "sip.contoso.test does NOT match the certificate"));
    assert_non_null(strstr(w.all, "Publish sip.contoso.test"));   /* the profile's advice, after a mismatch */
    assert_string_equal(val(&w.last, "reason")->str, "the certificate is not valid for sip.contoso.test (subject CN=localhost)");
    server_stop(&s);
}

static void ca_list(int names, nt_verdict want, const char *words)
{
    static tls_server s;
    static seen w;
    server_start(&s, names);
    char spec[64];
    snprintf(spec, sizeof spec, "127.0.0.1:%u", s.port);
    nt_check_opts o = opts();
    o.ca_file = g_pem;
    memset(&w, 0, sizeof w);
    nt_check_target(&o, NULL, spec, NULL, collect, &w);
    assert_true(val(&w.tls, "client_cert_requested")->num);
    assert_int_equal(val(&w.tls, "client_ca_names")->num, names);
    assert_int_equal(val(&w.tls, "client_ca_bytes")->num, (int64_t)ca_list_bytes(names));
    assert_int_equal(w.tls.verdict, want);
    if (words) assert_non_null(strstr(w.tls.text, words));
    server_stop(&s);
}

static void ca_list_thresholds(void **state)
{
    (void)state;
    /* pick counts on each side of tls.h's thresholds by the same measure */
    int near = 1, over = 1;
    while (ca_list_bytes(near) < NT_TLS_CA_LIST_WARN) near++;
    while (ca_list_bytes(over) < NT_TLS_CA_LIST_LIMIT) over++;
    ca_list(near - 1, NT_VERDICT_OK, NULL);
    ca_list(near, NT_VERDICT_WARN, "near 16 KB");
    ca_list(over - 1, NT_VERDICT_WARN, "near 16 KB");
    ca_list(over, NT_VERDICT_WARN, "over 16 KB");
}

static void srv_without_nameserver(void **state)
{
    (void)state;
    static seen w;
    memset(&w, 0, sizeof w);
    char path[64];
    snprintf(path, sizeof path, "/tmp/nt-test-check-%d.resolv", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("search contoso.test\n", f);
    fclose(f);
    nt_check_opts o = opts();
    assert_int_equal(nt_check_srv(&o, "SIP", "_sip._tls.contoso.test", path, collect, &w), NT_VERDICT_FAIL);
    assert_int_equal(val(&w.last, "targets")->num, 0);
    assert_non_null(strstr(val(&w.last, "reason")->str, "no nameserver in"));
    unlink(path);
}

static void profiles(void **state)
{
    (void)state;
    static nt_profile p;
    static seen w;
    char path[64], got[512];
    nt_error e = {0};
    snprintf(path, sizeof path, "/tmp/nt-test-check-%d.profile", (int)getpid());
    FILE *f = fopen(path, "w");
    fprintf(f, "# a test profile\nname t\nabout A test.\nvar edge  the edge's name\nvar pool the pool\n"
               "check Edge | {edge}:%u | names\nsrv SIP | _sip._tls.{pool}\nadvice names | Check the names.\n"
               "note Done.\n", closed_port());
    fclose(f);
    assert_int_equal(nt_profile_load(path, "/nonexistent", &p, got, sizeof got, &e), 0);
    assert_string_equal(got, path);
    assert_string_equal(p.name, "t");
    assert_int_equal(p.nvar, 2);
    assert_string_equal(p.var_help[0], "the edge's name");
    assert_int_equal(p.nitem, 2);
    assert_string_equal(p.item[0].advice_tag, "names");
    /* variables */
    const char *bad[] = {"edge=x", "nope=1"};
    assert_int_not_equal(nt_profile_check_vars(&p, bad, 2, &e), 0);
    assert_non_null(strstr(e.msg, "profile t has no variable 'nope'"));
    const char *set[] = {"edge=127.0.0.1"};
    char out[128], missing[64];
    assert_true(nt_profile_expand(set, 1, "{edge}:443/{edge}", out, sizeof out, missing, sizeof missing));
    assert_string_equal(out, "127.0.0.1:443/127.0.0.1");
    assert_false(nt_profile_expand(set, 1, "_sip._tls.{pool}", out, sizeof out, missing, sizeof missing));
    assert_string_equal(missing, "pool");
    /* nothing set: both skipped, nothing ran */
    int ran;
    memset(&w, 0, sizeof w);
    nt_check_opts o = opts();
    assert_int_equal(nt_profile_run(&p, &o, NULL, 0, collect, &w, &ran), NT_VERDICT_OK);
    assert_int_equal(ran, 0);
    assert_non_null(strstr(w.all, "== Edge: skipped: no edge given (--set edge=NAME)"));
    assert_non_null(strstr(w.all, "Done.\n"));
    /* the edge set: its check runs (and fails: the port is closed) */
    memset(&w, 0, sizeof w);
    assert_int_equal(nt_profile_run(&p, &o, set, 1, collect, &w, &ran), NT_VERDICT_FAIL);
    assert_int_equal(ran, 1);
    assert_non_null(strstr(w.all, "== Edge: 127.0.0.1:"));
    assert_non_null(strstr(w.all, "Profile t: A test."));
    /* not a profile line */
    f = fopen(path, "w");
    fputs("name t\nbogus line\n", f);
    fclose(f);
    assert_int_not_equal(nt_profile_load(path, "/nonexistent", &p, got, sizeof got, &e), 0);
    assert_non_null(strstr(e.msg, ":2: not a profile line"));
    unlink(path);
    assert_int_not_equal(nt_profile_load("nosuch", "/nonexistent", &p, got, sizeof got, &e), 0);
    assert_non_null(strstr(e.msg, "no profile 'nosuch' (/nonexistent/nosuch.profile"));
}

int main(void)
{
    /* the test server writes its session tickets after the client may have
     * closed: a write error for it, not the end of the test program */
    signal(SIGPIPE, SIG_IGN);
    make_cert();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refused_fails),          cmocka_unit_test(untrusted_and_trusted),
        cmocka_unit_test(ca_list_thresholds),     cmocka_unit_test(srv_without_nameserver),
        cmocka_unit_test(profiles),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(g_pem);
    X509_free(g_cert);
    EVP_PKEY_free(g_key);
    return rc;
}
