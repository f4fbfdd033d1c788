/* Unit tests for the application layer of traces: TLS and HTTP parsers
 * with crafted and lying input, TCP reassembly through the session on the
 * recorded captures (a CertificateRequest over 16 KB spread over 23
 * segments, HTTP request/response matching, DNS query matching), TCP
 * reassembly as tshark's on crafted segment sequences (gap filled later,
 * never filled, out of order, overlap, a huge claimed length), and random
 * corruption of payload bytes through every field accessor. */
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

/* ---- reassembly on crafted segments --------------------------------------
 * One TCP connection 10.0.0.1:40000 -> 10.0.0.2:PORT without handshake, so
 * the out-of-order threshold is tshark's default 3 ms: segments 1 ms apart
 * that go back are out of order, one 50 ms later a plain retransmission. */

typedef struct conn {
    nt_session *s;
    uint64_t n;
    int64_t ms;
    uint16_t port;
    uint32_t cseq, sseq; /* client's and server's initial sequence numbers */
    uint8_t buf[4096];
    nt_packet pkt;
    nt_buf info;
} conn;

static void conn_init(conn *c, uint16_t port)
{
    memset(c, 0, sizeof *c);
    c->s = nt_session_new();
    c->port = port;
    c->cseq = 1000, c->sseq = 5000;
    nt_buf_init(&c->info);
}

static void conn_free(conn *c)
{
    nt_session_free(c->s);
    nt_buf_free(&c->info);
}

/* A segment from the server (to_server false) or to it, at relative
 * sequence number off, acknowledging ack (relative); dt: ms after the
 * previous frame. Returns the frame's Info column. */
static const char *seg(conn *c, bool to_server, uint32_t off, uint32_t ack, const void *data, uint32_t len, int dt)
{
    uint8_t *b = c->buf;
    memset(b, 0, 54);
    memcpy(b, to_server ? "\x02\0\0\0\0\x02\x02\0\0\0\0\x01" : "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
    b[12] = 0x08;
    uint8_t *ip = b + 14;
    ip[0] = 0x45, ip[2] = (uint8_t)((40 + len) >> 8), ip[3] = (uint8_t)(40 + len), ip[8] = 64, ip[9] = 6;
    memcpy(ip + 12, to_server ? "\x0a\0\0\x01\x0a\0\0\x02" : "\x0a\0\0\x02\x0a\0\0\x01", 8);
    uint8_t *t = ip + 20;
    uint16_t sp = to_server ? 40000 : c->port, dp = to_server ? c->port : 40000;
    uint32_t seq = (to_server ? c->cseq : c->sseq) + off, an = (to_server ? c->sseq : c->cseq) + ack;
    t[0] = (uint8_t)(sp >> 8), t[1] = (uint8_t)sp, t[2] = (uint8_t)(dp >> 8), t[3] = (uint8_t)dp;
    for (int i = 0; i < 4; i++) t[4 + i] = (uint8_t)(seq >> (24 - 8 * i)), t[8 + i] = (uint8_t)(an >> (24 - 8 * i));
    t[12] = 0x50, t[13] = len ? 0x18 : 0x10, t[14] = 0xff, t[15] = 0xff;
    if (len) memcpy(b + 54, data, len);
    c->ms += dt;
    nt_frame f = {0};
    f.number = ++c->n;
    f.ts.sec = 1700000000 + c->ms / 1000, f.ts.nsec = (uint32_t)(c->ms % 1000) * 1000000u;
    f.caplen = f.len = 54 + len;
    f.data = b;
    f.linktype = 1;
    nt_session_dissect(c->s, &f, &c->pkt);
    nt_buf_reset(&c->info);
    nt_col_info(&c->pkt, &c->info);
    return c->info.p;
}

static const nt_app_pdu *pdu_of(const conn *c, uint8_t proto)
{
    const nt_appdata *a = c->pkt.app;
    for (int i = 0; a && i < a->npdu; i++)
        if (a->pdu[i].proto == proto) return &a->pdu[i];
    return NULL;
}

static bool labelled(const char *info) { return strstr(info, "[TCP segment of a reassembled PDU]") != NULL; }

/* a DNS answer over TCP (2-byte length first) of n bytes in all */
static uint32_t dns_answer(uint8_t *m, uint32_t n)
{
    memset(m, 0, n);
    m[0] = (uint8_t)((n - 2) >> 8), m[1] = (uint8_t)(n - 2);
    const uint8_t h[] = {0xbe, 0xef, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'a', 0, 0, 16, 0, 1,
                         0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60};
    memcpy(m + 2, h, sizeof h);
    uint32_t rd = n - 2 - (uint32_t)sizeof h - 2; /* one TXT record: strings of 255 */
    m[2 + sizeof h] = (uint8_t)(rd >> 8), m[3 + sizeof h] = (uint8_t)rd;
    for (uint32_t o = 4 + sizeof h; o < n;) {
        uint32_t l = n - o - 1 < 255 ? n - o - 1 : 255;
        m[o] = (uint8_t)l;
        memset(m + o + 1, 'x', l);
        o += 1 + l;
    }
    return n;
}

static void gap_filled_by_fast_retransmission(void **st)
{
    (void)st;
    conn c;
    conn_init(&c, 53);
    uint8_t m[3000];
    dns_answer(m, sizeof m);
    assert_true(labelled(seg(&c, false, 1, 1, m, 1000, 1)));
    seg(&c, true, 1, 1001, NULL, 0, 1);
    /* the second segment is lost: the third still belongs to the answer */
    assert_true(labelled(seg(&c, false, 2001, 1, m + 2000, 1000, 1)));
    assert_null(pdu_of(&c, NT_P_DNS));
    seg(&c, true, 1, 1001, NULL, 0, 1);
    seg(&c, true, 1, 1001, NULL, 0, 1);
    const char *info = seg(&c, false, 1001, 1, m + 1000, 1000, 1);
    assert_true(c.pkt.ana.tcp_flags & NT_TA_FAST_RETRANSMISSION);
    const nt_app_pdu *u = pdu_of(&c, NT_P_DNS);
    assert_non_null(u);
    assert_int_equal(u->len, sizeof m);
    assert_int_equal(u->first_frame, 1);
    assert_int_equal(u->nframes, 3);
    assert_memory_equal(u->p, m, sizeof m);
    assert_non_null(strstr(info, "Standard query response 0xbeef"));
    /* the next answer on the connection is read from its start */
    uint8_t m2[300];
    dns_answer(m2, sizeof m2);
    seg(&c, false, 3001, 1, m2, sizeof m2, 1);
    assert_non_null(pdu_of(&c, NT_P_DNS));
    conn_free(&c);
}

static const char http_big[] = "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n";

static void gap_never_filled_resyncs(void **st)
{
    (void)st;
    conn c;
    conn_init(&c, 80);
    const char *req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    seg(&c, true, 1, 1, req, (uint32_t)strlen(req), 1);
    uint32_t hl = (uint32_t)strlen(http_big), rl = (uint32_t)strlen(req);
    uint8_t r1[2200];
    memcpy(r1, http_big, hl);
    memset(r1 + hl, 'b', 2000);
    uint32_t total = hl + 2000;
    assert_non_null(strstr(seg(&c, false, 1, 1 + rl, r1, 1000, 1), "HTTP/1.1 200 OK"));
    /* bytes 1000..1500 are never captured */
    assert_true(labelled(seg(&c, false, 1501, 1 + rl, r1 + 1500, total - 1500, 1)));
    assert_null(pdu_of(&c, NT_P_HTTP));
    /* the next response starts at the message boundary: decoded */
    const char *r2 = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    seg(&c, true, 1 + rl, 1 + total, req, rl, 1);
    const char *info = seg(&c, false, 1 + total, 1 + 2 * rl, r2, (uint32_t)strlen(r2), 1);
    assert_non_null(strstr(info, "HTTP/1.1 404 Not Found"));
    /* and the detail view can say that the message of frame 2 was skipped */
    assert_int_equal(c.pkt.app->resync_from, 2);
    assert_int_equal(c.pkt.app->resync_missing, 500);
    conn_free(&c);
}

/* tshark 4.0 (reassemble_out_of_order off, no_subdissector_on_error on):
 * an out-of-order segment completes the message's reassembly but the
 * message is not decoded; a plain (timeout) retransmission is not used */
static void out_of_order_and_plain_retransmission(void **st)
{
    (void)st;
    conn c;
    conn_init(&c, 53);
    uint8_t m[3000];
    dns_answer(m, sizeof m);
    seg(&c, false, 1, 1, m, 1000, 1);
    seg(&c, false, 2001, 1, m + 2000, 1000, 1);
    const char *info = seg(&c, false, 1001, 1, m + 1000, 1000, 1);
    assert_true(c.pkt.ana.tcp_flags & NT_TA_OUT_OF_ORDER);
    assert_null(pdu_of(&c, NT_P_DNS));
    assert_false(labelled(info));
    conn_free(&c);

    conn_init(&c, 53);
    seg(&c, false, 1, 1, m, 1000, 1);
    seg(&c, false, 2001, 1, m + 2000, 1000, 1);
    info = seg(&c, false, 1001, 1, m + 1000, 1000, 50);
    assert_true(c.pkt.ana.tcp_flags & NT_TA_RETRANSMISSION);
    assert_null(pdu_of(&c, NT_P_DNS));
    assert_false(labelled(info));
    conn_free(&c);
}

/* bytes received twice with different contents: the first copy is kept */
static void overlap_keeps_first_bytes(void **st)
{
    (void)st;
    conn c;
    conn_init(&c, 53);
    uint8_t m[3000], alt[3000];
    dns_answer(m, sizeof m);
    memcpy(alt, m, sizeof m);
    memset(alt + 1400, 'Z', 100); /* differs where the first copy already arrived */
    seg(&c, false, 1, 1, m, 1000, 1);
    seg(&c, true, 1, 1001, NULL, 0, 1);
    seg(&c, false, 1401, 1, m + 1400, 1600, 1);
    seg(&c, true, 1, 1001, NULL, 0, 1);
    seg(&c, true, 1, 1001, NULL, 0, 1);
    seg(&c, false, 1001, 1, alt + 1000, 500, 1); /* 1000..1500: 400 new bytes, 100 again */
    assert_true(c.pkt.ana.tcp_flags & NT_TA_FAST_RETRANSMISSION);
    const nt_app_pdu *u = pdu_of(&c, NT_P_DNS);
    assert_non_null(u);
    assert_memory_equal(u->p, m, sizeof m);
    conn_free(&c);
}

/* a message that claims 4 GB: every segment is part of it, only APP_KEEP
 * bytes are kept (ASan would see more), nothing is decoded */
static void huge_claimed_length(void **st)
{
    (void)st;
    conn c;
    conn_init(&c, 80);
    const char *h = "HTTP/1.1 200 OK\r\nContent-Length: 4000000000\r\n\r\n";
    uint8_t b[1400];
    memset(b, 'q', sizeof b);
    seg(&c, false, 1, 1, h, (uint32_t)strlen(h), 1);
    uint32_t off = 1 + (uint32_t)strlen(h);
    for (int i = 0; i < 400; i++, off += sizeof b) {
        /* every tenth segment lost: holes beyond what is tracked give the
         * message up, the segments stay labelled */
        if (i % 10 == 5) continue;
        assert_true(labelled(seg(&c, false, off, 1, b, sizeof b, 1)));
        assert_null(pdu_of(&c, NT_P_HTTP));
    }
    conn_free(&c);
}

/* at most three incomplete messages per direction keep their bytes: a
 * fourth gives up the oldest, whose missing bytes then complete nothing */
static void open_messages_bounded(void **st)
{
    (void)st;
    conn c;
    conn_init(&c, 53);
    uint8_t m[1000];
    dns_answer(m, sizeof m);
    for (uint32_t k = 0; k < 4; k++) { /* four answers, each without bytes 450..550 */
        seg(&c, false, 1 + 1000 * k, 1, m, 450, 1);
        seg(&c, false, 1 + 1000 * k + 550, 1, m + 550, 450, 1);
    }
    uint32_t holes[] = {3, 0}; /* the newest, then the oldest */
    for (int i = 0; i < 2; i++) {
        uint32_t at = 1 + 1000 * holes[i] + 450;
        seg(&c, true, 1, at, NULL, 0, 1);
        seg(&c, true, 1, at, NULL, 0, 1);
        seg(&c, true, 1, at, NULL, 0, 1);
        seg(&c, false, at, 1, m + 450, 100, 1);
        assert_true(c.pkt.ana.tcp_flags & NT_TA_FAST_RETRANSMISSION);
        if (i == 0) assert_non_null(pdu_of(&c, NT_P_DNS));
        else assert_null(pdu_of(&c, NT_P_DNS));
    }
    conn_free(&c);
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

/* A TLS record of type ct with body b (n bytes) at out; returns its length */
static uint32_t tls_rec(uint8_t *out, uint8_t ct, const uint8_t *b, uint32_t n)
{
    out[0] = ct, out[1] = 3, out[2] = 3, out[3] = (uint8_t)(n >> 8), out[4] = (uint8_t)n;
    memcpy(out + 5, b, n);
    return n + 5;
}

/* reasm_tls_shd_client.pcap in small: a handshake message left open takes
 * the next handshake record whatever it holds (there ServerHelloDone, sent
 * after the lost end of the CertificateRequest), without a word in Info;
 * the record that completes it shows the message, and the 4 bytes after
 * it open a message of an unknown type that takes the Finished record
 * after ChangeCipherSpec (tshark 4.0: "Change Cipher Spec" alone) */
static void tls_handshake_left_open(void **st)
{
    (void)st;
    conn c;
    conn_init(&c, 443);
    uint8_t body[200], r[300];
    memset(body, 0x41, sizeof body);
    body[0] = NT_TLS_HS_CERTIFICATE_REQUEST, body[1] = 0, body[2] = 0, body[3] = 100; /* 104 in all */
    uint32_t off = 1, n = tls_rec(r, 22, body, 54);
    assert_string_equal(seg(&c, false, off, 1, r, n, 1), "[Certificate Request Fragment]");
    off += n;
    const uint8_t shd[] = {NT_TLS_HS_SERVER_HELLO_DONE, 0, 0, 0};
    n = tls_rec(r, 22, shd, sizeof shd);
    assert_string_equal(seg(&c, false, off, 1, r, n, 1), "");
    off += n;
    memset(body, 0x42, sizeof body);
    body[46] = 0xab, body[47] = 0, body[48] = 1, body[49] = 0; /* type 0xab, 256 bytes */
    n = tls_rec(r, 22, body, 50);
    assert_string_equal(seg(&c, false, off, 1, r, n, 1), "Certificate Request");
    off += n;
    const uint8_t ccs[] = {1};
    n = tls_rec(r, 20, ccs, 1);
    n += tls_rec(r + n, 22, body + 60, 40);
    assert_string_equal(seg(&c, false, off, 1, r, n, 1), "Change Cipher Spec");
    conn_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tls_record_headers), cmocka_unit_test(tls_client_hello), cmocka_unit_test(tls_handshake_left_open),
        cmocka_unit_test(tls_lists_that_lie), cmocka_unit_test(x509_names),   cmocka_unit_test(x509_name_cn),
        cmocka_unit_test(http_heads),         cmocka_unit_test(reassembly_on_captures),
        cmocka_unit_test(http_matching),      cmocka_unit_test(corrupted_payloads),
        cmocka_unit_test(gap_filled_by_fast_retransmission), cmocka_unit_test(gap_never_filled_resyncs),
        cmocka_unit_test(out_of_order_and_plain_retransmission), cmocka_unit_test(overlap_keeps_first_bytes),
        cmocka_unit_test(huge_claimed_length), cmocka_unit_test(open_messages_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
