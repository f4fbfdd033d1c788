/* Unit tests for the flow of `nettracer dns` (probe/dnsquery.c) and the
 * RFC 2782 order of SRV records (proto/dns.c): a DNS server in a thread on
 * 127.0.0.1 (loopback only) answers with crafted messages (SRV records out
 * of order, NXDOMAIN, a '.' target, an empty answer) and the tests read
 * the step records: the records' order, the verdict, the error message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nettracer/dns.h"
#include "nettracer/probe.h"

static void srv_order(void **state)
{
    (void)state;
    /* lower priority first, whatever the weight */
    assert_true(nt_dns_srv_cmp(0, 0, 5, 10, 100, 0) < 0);
    assert_true(nt_dns_srv_cmp(20, 100, 0, 10, 0, 1) > 0);
    /* within a priority the larger weight first */
    assert_true(nt_dns_srv_cmp(10, 60, 3, 10, 20, 0) < 0);
    assert_true(nt_dns_srv_cmp(10, 0, 0, 10, 1, 1) > 0);
    /* then the order of the answer */
    assert_true(nt_dns_srv_cmp(10, 5, 1, 10, 5, 2) < 0);
    assert_int_equal(nt_dns_srv_cmp(10, 5, 2, 10, 5, 2), 0);
}

/* ---- a scripted DNS server -------------------------------------------- */

typedef enum { SRV_SCRAMBLED, NXDOMAIN, SRV_DOT, EMPTY } script;

typedef struct server {
    int fd;
    uint16_t port;
    script how;
    pthread_t th;
} server;

static size_t put16(uint8_t *p, size_t at, unsigned v)
{
    p[at] = (uint8_t)(v >> 8), p[at + 1] = (uint8_t)v;
    return at + 2;
}

static size_t srv_rr(uint8_t *p, size_t at, unsigned prio, unsigned weight, unsigned port, const char *target)
{
    at = put16(p, at, 0xc00c);                    /* the question's name */
    at = put16(p, at, NT_DNS_SRV);
    at = put16(p, at, 1);
    at = put16(p, at, 0), at = put16(p, at, 300); /* TTL */
    size_t rdlen_at = at;
    at += 2;
    at = put16(p, at, prio), at = put16(p, at, weight), at = put16(p, at, port);
    for (const char *l = target; *l;) {          /* "a.b" -> 1a1b0; "" -> the root */
        const char *dot = strchr(l, '.');
        size_t n = dot ? (size_t)(dot - l) : strlen(l);
        p[at++] = (uint8_t)n;
        memcpy(p + at, l, n), at += n;
        l += n + (dot ? 1 : 0);
    }
    p[at++] = 0;
    put16(p, rdlen_at, (unsigned)(at - rdlen_at - 2));
    return at;
}

/* The answer to query q (n bytes): its header and question, then records. */
static size_t answer(script how, const uint8_t *q, size_t n, uint8_t *p)
{
    size_t qend = 12;
    while (qend < n && q[qend]) qend += q[qend] + 1u;
    qend += 5;                                    /* the root label, QTYPE, QCLASS */
    memcpy(p, q, qend);
    p[2] = 0x81, p[3] = how == NXDOMAIN ? 0x83 : 0x80; /* QR RD, RA, rcode */
    put16(p, 6, 0), put16(p, 8, 0), put16(p, 10, 0);
    size_t at = qend;
    unsigned an = 0;
    if (how == SRV_SCRAMBLED) {
        at = srv_rr(p, at, 20, 0, 5061, "backup.contoso.test"), an++;
        at = srv_rr(p, at, 10, 20, 5061, "light.contoso.test"), an++;
        at = srv_rr(p, at, 10, 60, 5061, "heavy.contoso.test"), an++;
        at = srv_rr(p, at, 10, 20, 5062, "light2.contoso.test"), an++;
    } else if (how == SRV_DOT) {
        at = srv_rr(p, at, 0, 0, 0, ""), an++;
    }
    put16(p, 6, an);
    return at;
}

static void *serve(void *arg)
{
    server *s = arg;
    uint8_t in[512], out[1024];
    struct pollfd pf = {s->fd, POLLIN, 0};
    if (poll(&pf, 1, 3000) <= 0) return NULL;    /* one question per run */
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(s->fd, in, sizeof in, 0, (struct sockaddr *)&from, &fl);
    if (n > 12) sendto(s->fd, out, answer(s->how, in, (size_t)n, out), 0, (struct sockaddr *)&from, fl);
    return NULL;
}

typedef struct seen {
    int nrr;
    char rr[8][64];       /* the "target" of each SRV record step, in order */
    char err[NT_STEP_TEXT_MAX]; /* what goes to stderr */
    nt_verdict summary;   /* the "dns" step's verdict */
    char text[4096];
} seen;

static void collect(void *user, const nt_step *s)
{
    seen *w = user;
    if (!strcmp(s->step, "rr") && w->nrr < 8) {
        const nt_step_value *t = nt_step_get(s, "target");
        snprintf(w->rr[w->nrr++], sizeof w->rr[0], "%s", t ? t->str : "?");
    }
    if (!strcmp(s->step, "dns")) w->summary = s->verdict;
    if (s->err) snprintf(w->err, sizeof w->err, "%s", s->text);
    else if (strlen(w->text) + strlen(s->text) < sizeof w->text) strcat(w->text, s->text);
}

static nt_verdict ask(script how, const char *name, uint16_t type, seen *w)
{
    static server s;
    memset(&s, 0, sizeof s);
    s.how = how;
    s.fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s.fd, (struct sockaddr *)&a, sizeof a), 0);
    nt_dnsq_opts o = {.server_from = "--server", .name = name, .type = type, .timeout_ms = 2000, .tries = 1};
    o.server_len = sizeof a;
    getsockname(s.fd, (struct sockaddr *)&a, &o.server_len);
    memcpy(&o.server, &a, sizeof a);
    pthread_create(&s.th, NULL, serve, &s);
    memset(w, 0, sizeof *w);
    nt_verdict v = nt_dns_query_run(&o, collect, w);
    pthread_join(s.th, NULL);
    close(s.fd);
    return v;
}

static void srv_in_client_order(void **state)
{
    (void)state;
    static seen w;
    assert_int_equal(ask(SRV_SCRAMBLED, "_sip._tls.contoso.test", NT_DNS_SRV, &w), NT_VERDICT_OK);
    assert_int_equal(w.nrr, 4);
    assert_string_equal(w.rr[0], "heavy.contoso.test");
    assert_string_equal(w.rr[1], "light.contoso.test");   /* equal weight: the answer's order */
    assert_string_equal(w.rr[2], "light2.contoso.test");
    assert_string_equal(w.rr[3], "backup.contoso.test");
    assert_int_equal(w.summary, NT_VERDICT_OK);
    assert_string_equal(w.err, "");
    assert_non_null(strstr(w.text, "Answer (4):\n"));
    assert_non_null(strstr(w.text, "Status:  NOERROR"));
}

static void nxdomain_fails_with_windows_number(void **state)
{
    (void)state;
    static seen w;
    assert_int_equal(ask(NXDOMAIN, "nope.contoso.test", NT_DNS_A, &w), NT_VERDICT_FAIL);
    assert_int_equal(w.summary, NT_VERDICT_FAIL);
    assert_non_null(strstr(w.err, "nettracer dns: nope.contoso.test A: NXDOMAIN"));
    assert_non_null(strstr(w.err, "9003"));
}

static void srv_root_target_fails(void **state)
{
    (void)state;
    static seen w;
    assert_int_equal(ask(SRV_DOT, "_sip._tls.contoso.test", NT_DNS_SRV, &w), NT_VERDICT_FAIL);
    assert_non_null(strstr(w.text, "means the service is decidedly not available"));
    assert_non_null(strstr(w.err, "the target is '.'"));
}

static void empty_answer_fails(void **state)
{
    (void)state;
    static seen w;
    assert_int_equal(ask(EMPTY, "www.contoso.test", NT_DNS_AAAA, &w), NT_VERDICT_FAIL);
    assert_non_null(strstr(w.err, "no AAAA record (NOERROR with an empty answer; Windows: DNS_INFO_NO_RECORDS 9501)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(srv_order),           cmocka_unit_test(srv_in_client_order),
        cmocka_unit_test(nxdomain_fails_with_windows_number), cmocka_unit_test(srv_root_target_fails),
        cmocka_unit_test(empty_answer_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
