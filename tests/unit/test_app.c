/* Unit tests for the application layer of traces: TLS and HTTP parsers
 * with crafted and lying input, TCP reassembly through the session on the
 * recorded captures (a CertificateRequest over 16 KB spread over 23
 * segments, HTTP request/response matching, DNS query matching), and
 * random corruption of payload bytes through every field accessor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nettracer/app.h"
#include "nettracer/columns.h"
#include "nettracer/registry.h"
#include "nettracer/session.h"
#include "nettracer/trace.h"

/* ---- TLS ---------------------------------------------------------------- */

static void tls_record_headers(void **st)
{
    (void)st;
    const uint8_t ok[] = {22, 3, 3, 0, 5, 1, 2, 3, 4, 5};
    assert_int_equal(nt_tls_record_len(ok, sizeof ok), 10);
    assert_int_equal(nt_tls_record_len(ok, 4), -1);
    const uint8_t badtype[] = {30, 3, 3, 0, 5};
    assert_int_equal(nt_tls_record_len(badtype, 5), 0);
    const uint8_t badver[] = {22, 2, 0, 0, 5};
    assert_int_equal(nt_tls_record_len(badver, 5), 0);
    const uint8_t huge[] = {23, 3, 3, 0xff, 0xff};
    assert_int_equal(nt_tls_record_len(huge, 5), 0);
    nt_tls_record r;
    assert_false(nt_tls_record_parse(ok, 9, &r)); /* the record says 5, 4 are there */
    assert_true(nt_tls_record_parse(ok, 10, &r));
    assert_int_equal(r.length, 5);
}

/* a ClientHello body with SNI "a.example", ALPN h2 + http/1.1 and
 * supported_versions 1.3, 1.2 */
static size_t client_hello(uint8_t *b)
{
    size_t n = 0;
    b[n++] = 3, b[n++] = 3;
    memset(b + n, 0xaa, 32), n += 32;
    b[n++] = 0;                                   /* session id */
    b[n++] = 0, b[n++] = 4, b[n++] = 0x13, b[n++] = 1, b[n++] = 0xc0, b[n++] = 0x2b;
    b[n++] = 1, b[n++] = 0;                       /* compression */
    size_t extlen_at = n;
    n += 2;
    /* server_name */
    const char *host = "a.example";
    size_t hl = strlen(host);
    b[n++] = 0, b[n++] = 0, b[n++] = 0, b[n++] = (uint8_t)(hl + 5);
    b[n++] = 0, b[n++] = (uint8_t)(hl + 3), b[n++] = 0, b[n++] = 0, b[n++] = (uint8_t)hl;
    memcpy(b + n, host, hl), n += hl;
    /* ALPN */
    b[n++] = 0, b[n++] = 16, b[n++] = 0, b[n++] = 14, b[n++] = 0, b[n++] = 12;
    b[n++] = 2, memcpy(b + n, "h2", 2), n += 2;
    b[n++] = 8, memcpy(b + n, "http/1.1", 8), n += 8;
    /* supported_versions */
    b[n++] = 0, b[n++] = 43, b[n++] = 0, b[n++] = 5, b[n++] = 4, b[n++] = 3, b[n++] = 4, b[n++] = 3, b[n++] = 3;
    size_t el = n - extlen_at - 2;
    b[extlen_at] = (uint8_t)(el >> 8), b[extlen_at + 1] = (uint8_t)el;
    return n;
}

static void tls_client_hello(void **st)
{
    (void)st;
    uint8_t b[256];
    size_t n = client_hello(b);
    nt_tls_hello h;
    assert_true(nt_tls_hello_parse(NT_TLS_HS_CLIENT_HELLO, b, (uint32_t)n, &h));
    assert_true(h.has_sni);
    assert_string_equal(h.sni, "a.example");
    assert_string_equal(h.alpn, "h2,http/1.1");
    assert_int_equal(h.ncipher, 2);
    assert_int_equal(h.nversions, 2);
    assert_int_equal(h.versions[0], 0x0304);
    /* every shorter body: never a read past it (ASan), never a crash */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, b, cut);
        nt_tls_hello_parse(NT_TLS_HS_CLIENT_HELLO, p, (uint32_t)cut, &h);
        nt_tls_hello_parse(NT_TLS_HS_SERVER_HELLO, p, (uint32_t)cut, &h);
        free(p);
    }
    /* an extension block that claims more than there is */
    b[43] = 0xff; /* the extensions length (after version, random, id, suites, compression) */
    assert_false(nt_tls_hello_parse(NT_TLS_HS_CLIENT_HELLO, b, (uint32_t)n, &h));
}

static void tls_lists_that_lie(void **st)
{
    (void)st;
    /* a certificate list longer than the message */
    const uint8_t certs[] = {0, 0, 20, 0, 0, 3, 1, 2, 3};
    nt_tls_certs c;
    assert_false(nt_tls_certs_parse(certs, sizeof certs, false, &c));
    /* a certificate longer than the list */
    const uint8_t certs2[] = {0, 0, 6, 0, 0, 9, 1, 2, 3};
    assert_false(nt_tls_certs_parse(certs2, sizeof certs2, false, &c));
    const uint8_t certs3[] = {0, 0, 6, 0, 0, 3, 1, 2, 3};
    assert_true(nt_tls_certs_parse(certs3, sizeof certs3, false, &c));
    assert_int_equal(c.n, 1);
    assert_int_equal(c.der_len[0], 3);
    /* CertificateRequest (TLS 1.2): types, sigalgs, names */
    const uint8_t req[] = {1, 64, 0, 2, 4, 3, 0, 8, 0, 2, 0x30, 0, 0, 2, 0x30, 0};
    nt_tls_certreq r;
    assert_true(nt_tls_certreq_parse(req, sizeof req, true, &r));
    assert_int_equal(r.dn_len, 8);
    assert_int_equal(r.ndn, 2);
    const uint8_t req_lie[] = {1, 64, 0, 2, 4, 3, 0x40, 0, 0, 2};
    assert_false(nt_tls_certreq_parse(req_lie, sizeof req_lie, true, &r));
    /* a malformed DER certificate: the walk says so */
    const uint8_t der[] = {0x30, 0x82, 0x10, 0x00, 0x30, 0x03};
    assert_false(nt_x509_walk(der, sizeof der, NULL, NULL));
}

static void x509_names(void **st)
{
    (void)st;
    nt_x509 x;
    memset(&x, 0, sizeof x);
    snprintf(x.san[0], sizeof x.san[0], "*.contoso.com");
    snprintf(x.san[1], sizeof x.san[1], "contoso.com");
    x.nsan = 2;
    assert_true(nt_x509_name_matches(&x, "sip.contoso.com", false));
    assert_true(nt_x509_name_matches(&x, "SIP.Contoso.com.", false));
    assert_true(nt_x509_name_matches(&x, "contoso.com", false));
    assert_false(nt_x509_name_matches(&x, "a.b.contoso.com", false)); /* one label only */
    assert_false(nt_x509_name_matches(&x, "contoso.org", false));
    snprintf(x.san[0], sizeof x.san[0], "s*.contoso.com"); /* partial wildcard: not under RFC 9525 */
    assert_false(nt_x509_name_matches(&x, "sip.contoso.com", false));
    nt_x509 cn;
    memset(&cn, 0, sizeof cn);
    snprintf(cn.cn, sizeof cn.cn, "Default Web Site");
    assert_false(nt_x509_name_matches(&cn, "www.nettracer.test", true));
    snprintf(cn.cn, sizeof cn.cn, "www.nettracer.test");
    assert_false(nt_x509_name_matches(&cn, "www.nettracer.test", false)); /* CN only with loose rules */
    assert_true(nt_x509_name_matches(&cn, "www.nettracer.test", true));
}

/* ---- HTTP --------------------------------------------------------------- */

static void count_attr(void *user, nt_x509_item kind, uint8_t tag, const uint8_t *p, uint32_t len)
{
    (void)kind, (void)tag, (void)p, (void)len;
    ++*(int *)user;
}

/* a DER Name: C=US (PrintableString), CN=Contoso CA (UTF8String) */
static void x509_name_cn(void **st)
{
    (void)st;
    static const uint8_t name[] = {0x30, 0x22, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13,
                                   0x02, 'U',  'S',  0x31, 0x13, 0x30, 0x11, 0x06, 0x03, 0x55, 0x04, 0x03,
                                   0x0c, 0x0a, 'C',  'o',  'n',  't',  'o',  's',  'o',  ' ',  'C',  'A'};
    char cn[64];
    assert_true(nt_x509_name_cn(name, sizeof name, cn, sizeof cn));
    assert_string_equal(cn, "Contoso CA");
    char small[5];
    assert_true(nt_x509_name_cn(name, sizeof name, small, sizeof small));
    assert_string_equal(small, "Cont"); /* cut to the buffer */
    for (uint32_t k = 0; k < sizeof name; k++) assert_false(nt_x509_name_cn(name, k, cn, sizeof cn));
    /* without a commonName: the C attribute alone */
    uint8_t c_only[15];
    memcpy(c_only, name, sizeof c_only);
    c_only[1] = 0x0d;
    assert_false(nt_x509_name_cn(c_only, sizeof c_only, cn, sizeof cn));
    /* the country is not a DirectoryString: nt_x509_walk_name leaves it out */
    int n = 0;
    assert_true(nt_x509_walk_name(name, sizeof name, count_attr, &n));
    assert_int_equal(n, 1);
}

static void http_heads(void **st)
{
    (void)st;
    const char *req = "GET /1.aspx HTTP/1.1\r\nHost: a.example\r\nUser-Agent: t\r\n\r\n";
    nt_http h;
    assert_int_equal(nt_http_head_len((const uint8_t *)req, (uint32_t)strlen(req)), strlen(req));
    assert_true(nt_http_parse((const uint8_t *)req, (uint32_t)strlen(req), &h));
    assert_true(h.request);
    assert_int_equal(h.uri.len, 7);
    assert_memory_equal(h.host.p, "a.example", 9);
    const char *resp = "HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\n"
                       "Content-Length: 12\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_true(nt_http_parse((const uint8_t *)resp, (uint32_t)strlen(resp), &h));
    assert_false(h.request);
    assert_int_equal(h.code, 404);
    assert_true(h.has_content_length);
    assert_int_equal(h.content_length, 12);
    assert_true(h.chunked);
    nt_str mt = nt_http_media_type(&h);
    assert_int_equal(mt.len, 9);
    /* not HTTP, a status without three digits, a lying Content-Length */
    assert_false(nt_http_parse((const uint8_t *)"HELLO\r\n\r\n", 9, &h));
    assert_false(nt_http_parse((const uint8_t *)"HTTP/1.1 20 OK\r\n\r\n", 18, &h));
    const char *lie = "HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n";
    assert_true(nt_http_parse((const uint8_t *)lie, (uint32_t)strlen(lie), &h));
    assert_false(h.has_content_length);
    for (size_t cut = 0; cut < strlen(resp); cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, resp, cut);
        nt_http_head_len(p, (uint32_t)cut);
        nt_http_parse(p, (uint32_t)cut, &h);
        free(p);
    }
}

/* ---- through the session ------------------------------------------------ */

typedef void (*frame_fn)(const nt_packet *pkt, void *user);

static unsigned each_frame(const char *name, frame_fn fn, void *user)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", NT_TEST_CAPTURES, name);
    nt_error err;
    nt_trace *t = nt_trace_open(path, &err);
    assert_non_null(t);
    nt_session *s = nt_session_new();
    nt_frame f;
    nt_packet pkt;
    unsigned n = 0;
    while (nt_trace_next(t, &f, &err) == 1) {
        nt_session_dissect(s, &f, &pkt);
        fn(&pkt, user);
        n++;
    }
    nt_session_free(s);
    nt_trace_close(t);
    return n;
}

typedef struct seen {
    uint64_t certreq_frame, certreq_first;
    uint32_t dn_len, certreq_frames;
    uint64_t certs_frame;
    char cn[256];
    unsigned segments;
} seen;

static void clientca_frame(const nt_packet *pkt, void *user)
{
    seen *s = user;
    const nt_appdata *a = pkt->app;
    if (!a) return;
    if (a->seg) s->segments++;
    if (a->tls.has_certreq) {
        s->certreq_frame = pkt->frame->number;
        s->dn_len = a->tls.certreq.dn_len;
        for (int i = 0; i < a->npdu; i++) {
            s->certreq_first = a->pdu[i].first_frame;
            s->certreq_frames = a->pdu[i].nframes;
        }
    }
    if (a->tls.has_certs && a->tls.certs.n) {
        nt_x509 x;
        s->certs_frame = pkt->frame->number;
        assert_true(nt_x509_decode(a->tls.certs.der[0], a->tls.certs.der_len[0], &x));
        snprintf(s->cn, sizeof s->cn, "%s", x.cn);
    }
}

static void reassembly_on_captures(void **st)
{
    (void)st;
    seen s = {0};
    each_frame("tls_clientca.pcap", clientca_frame, &s);
    /* the CertificateRequest: 90 CA names of about 230 bytes, over 16 KB,
     * in a handshake message split over two records */
    assert_int_equal(s.certreq_frame, 37);
    assert_true(s.dn_len > 16384);
    assert_true(s.certreq_first < 37);
    assert_int_equal(s.certs_frame, 8);
    assert_string_equal(s.cn, "www.nettracer.test");
    assert_true(s.segments >= 10);
}

typedef struct http_seen {
    uint64_t resp_frames[4], req_in[4];
    int n;
} http_seen;

static void http_frame(const nt_packet *pkt, void *user)
{
    http_seen *h = user;
    const nt_appdata *a = pkt->app;
    for (int i = 0; a && i < a->nhttp; i++)
        if (!a->http[i].h.request && h->n < 4) {
            h->resp_frames[h->n] = pkt->frame->number;
            h->req_in[h->n++] = a->http[i].request_in;
        }
}

static void http_matching(void **st)
{
    (void)st;
    http_seen h = {0};
    each_frame("http4.pcap", http_frame, &h);
    assert_int_equal(h.n, 3);
    assert_int_equal(h.resp_frames[0], 12);
    assert_int_equal(h.req_in[0], 6);
    assert_int_equal(h.resp_frames[2], 29);
    assert_int_equal(h.req_in[2], 28);
}

/* ---- corruption --------------------------------------------------------- */

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

/* Byte flips anywhere in the frames of the application captures, through
 * the session, the columns and every field accessor. */
static void corrupted_payloads(void **st)
{
    (void)st;
    const char *files[] = {"tls_clientca.pcap", "tls12.pcap", "tls13.pcap", "http4.pcap", "dns.pcap", "loss.pcap"};
    nt_fvalue vals[NT_FIELD_MAX_OCC];
    nt_buf b;
    nt_buf_init(&b);
    unsigned runs = 0;
    for (size_t fi = 0; fi < sizeof files / sizeof *files; fi++) {
        for (int round = 0; round < 12; round++) {
            char path[512];
            snprintf(path, sizeof path, "%s/%s", NT_TEST_CAPTURES, files[fi]);
            nt_error err;
            nt_trace *t = nt_trace_open(path, &err);
            assert_non_null(t);
            nt_session *s = nt_session_new();
            nt_frame f;
            nt_packet pkt;
            while (nt_trace_next(t, &f, &err) == 1) {
                uint8_t *copy = malloc(f.caplen ? f.caplen : 1);
                memcpy(copy, f.data, f.caplen);
                for (int k = 0; k < 4 && f.caplen > 54; k++)
                    copy[54 + rnd() % (f.caplen - 54)] = (uint8_t)rnd();
                nt_frame g = f;
                g.data = copy;
                nt_session_dissect(s, &g, &pkt);
                nt_buf_reset(&b);
                nt_col_protocol(&pkt, &b);
                nt_col_info(&pkt, &b);
                for (size_t i = 0; i < nt_field_count(&nt_registry); i++) nt_field_get(&nt_registry, nt_field_at(&nt_registry, i), &pkt, vals, NT_FIELD_MAX_OCC);
                free(copy);
                runs++;
            }
            nt_session_free(s);
            nt_trace_close(t);
        }
    }
    nt_buf_free(&b);
    assert_true(runs > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tls_record_headers), cmocka_unit_test(tls_client_hello),
        cmocka_unit_test(tls_lists_that_lie), cmocka_unit_test(x509_names),   cmocka_unit_test(x509_name_cn),
        cmocka_unit_test(http_heads),         cmocka_unit_test(reassembly_on_captures),
        cmocka_unit_test(http_matching),      cmocka_unit_test(corrupted_payloads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
