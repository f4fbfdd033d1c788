/* Unit tests for proto/dns.c: messages built here byte by byte (a response
 * with every decoded type and compression), the query builder round trip,
 * names of numbers, and malformed input: compression loops, pointers out of
 * the message, lengths that lie, truncation at every byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "nettracer/dns.h"

typedef struct w {
    uint8_t b[1024];
    size_t n;
} w;
static void u8(w *x, unsigned v) { x->b[x->n++] = (uint8_t)v; }
static void u16(w *x, unsigned v) { u8(x, v >> 8); u8(x, v & 0xff); }
static void u32(w *x, uint32_t v) { u16(x, v >> 16); u16(x, v & 0xffff); }
static void bytes(w *x, const void *p, size_t n) { memcpy(x->b + x->n, p, n); x->n += n; }
static void name(w *x, const char *s)
{
    size_t n;
    assert_int_equal(nt_dns_name_encode(s, x->b + x->n, sizeof x->b - x->n, &n), NT_DNS_OK);
    x->n += n;
}
static void ptr(w *x, unsigned off) { u16(x, 0xc000 | off); }
static size_t rr_start(w *x, unsigned type, uint32_t ttl) /* after the owner name */
{
    u16(x, type); u16(x, 1); u32(x, ttl);
    size_t at = x->n;
    u16(x, 0);
    return at;
}
static void rr_end(w *x, size_t at) { x->b[at] = (uint8_t)((x->n - at - 2) >> 8); x->b[at + 1] = (uint8_t)(x->n - at - 2); }

/* A response to "_sip._tls.contoso.com SRV" with one record of each type. */
static void build_response(w *x)
{
    memset(x, 0, sizeof *x);
    u16(x, 0xbeef); u16(x, 0x8583); /* QR AA RD RA, rcode 3 */
    u16(x, 1); u16(x, 8); u16(x, 1); u16(x, 1);
    name(x, "_sip._tls.contoso.com"); /* at 12; "contoso.com" at 12+10 = 22 */
    u16(x, NT_DNS_SRV); u16(x, 1);
    size_t a;
    ptr(x, 12); a = rr_start(x, NT_DNS_SRV, 3600); u16(x, 10); u16(x, 20); u16(x, 5061);
    u8(x, 3); bytes(x, "sip", 3); ptr(x, 22); rr_end(x, a);
    ptr(x, 22); a = rr_start(x, NT_DNS_A, 60); bytes(x, "\x0a\x4d\x00\x01", 4); rr_end(x, a);
    ptr(x, 22); a = rr_start(x, NT_DNS_AAAA, 60);
    bytes(x, "\xfd\x00\x00\x77\0\0\0\0\0\0\0\0\0\0\0\x01", 16); rr_end(x, a);
    ptr(x, 22); a = rr_start(x, NT_DNS_CNAME, 60); name(x, "www.example.net"); rr_end(x, a);
    ptr(x, 22); a = rr_start(x, NT_DNS_MX, 60); u16(x, 5); u8(x, 4); bytes(x, "mail", 4); ptr(x, 22); rr_end(x, a);
    ptr(x, 22); a = rr_start(x, NT_DNS_TXT, 60); u8(x, 5); bytes(x, "v=spf", 5); u8(x, 0); u8(x, 2); bytes(x, "\x01z", 2);
    rr_end(x, a);
    ptr(x, 22); a = rr_start(x, NT_DNS_PTR, 60); u8(x, 0); rr_end(x, a); /* the root */
    ptr(x, 22); a = rr_start(x, 99, 60); u8(x, 1); rr_end(x, a);      /* SPF: undecoded */
    /* authority: SOA */
    ptr(x, 22); a = rr_start(x, NT_DNS_SOA, 300);
    u8(x, 3); bytes(x, "ns1", 3); ptr(x, 22); u8(x, 10); bytes(x, "hostmaster", 10); ptr(x, 22);
    u32(x, 2024010101); u32(x, 7200); u32(x, 900); u32(x, 1209600); u32(x, 300); rr_end(x, a);
    /* additional: OPT, 1232 bytes, extended rcode 1, DO */
    u8(x, 0); u16(x, NT_DNS_OPT); u16(x, 1232); u32(x, 0x01008000); u16(x, 8);
    u16(x, 10); u16(x, 4); bytes(x, "abcd", 4);
}

static void response_decodes(void **state)
{
    (void)state;
    w x;
    build_response(&x);
    nt_dns_msg m;
    assert_int_equal(nt_dns_parse(x.b, x.n, &m), NT_DNS_OK);
    assert_int_equal(m.h.id, 0xbeef);
    assert_true(m.h.qr && m.h.aa && m.h.rd && m.h.ra);
    assert_false(m.h.tc || m.h.ad || m.h.cd);
    assert_int_equal(m.h.opcode, 0);
    assert_int_equal(m.h.rcode, 3);
    assert_int_equal(nt_dns_full_rcode(&m), 3 | 1 << 4);
    nt_dns_iter it;
    nt_dns_rr rr;
    nt_dns_rdata rd;
    char t[NT_DNS_NAME_TEXT_MAX], t2[NT_DNS_NAME_TEXT_MAX];
    size_t end, wl;
    int n = 0;
    nt_dns_iter_init(&it, &m);
    while (nt_dns_next(&it, &rr)) {
        assert_int_equal(nt_dns_name(x.b, x.n, rr.name_off, t, sizeof t, &end, &wl), NT_DNS_OK);
        if (rr.section == NT_DNS_SEC_QD) {
            assert_string_equal(t, "_sip._tls.contoso.com");
            assert_int_equal(wl, 23);
            assert_int_equal(rr.type, NT_DNS_SRV);
            n++;
            continue;
        }
        assert_int_equal(nt_dns_rdata_parse(&m, &rr, &rd), NT_DNS_OK);
        switch (rr.type) {
        case NT_DNS_SRV:
            assert_int_equal(rd.u.srv.priority, 10);
            assert_int_equal(rd.u.srv.weight, 20);
            assert_int_equal(rd.u.srv.port, 5061);
            assert_int_equal(nt_dns_name(x.b, x.n, rd.u.srv.target_off, t, sizeof t, NULL, NULL), NT_DNS_OK);
            assert_string_equal(t, "sip.contoso.com");
            assert_int_equal(rr.ttl, 3600);
            break;
        case NT_DNS_A: assert_memory_equal(rd.u.a, "\x0a\x4d\x00\x01", 4); break;
        case NT_DNS_AAAA: assert_int_equal(rd.u.aaaa[15], 1); break;
        case NT_DNS_CNAME:
            nt_dns_name(x.b, x.n, rd.u.name_off, t, sizeof t, NULL, NULL);
            assert_string_equal(t, "www.example.net");
            break;
        case NT_DNS_MX:
            assert_int_equal(rd.u.mx.preference, 5);
            nt_dns_name(x.b, x.n, rd.u.mx.name_off, t, sizeof t, NULL, NULL);
            assert_string_equal(t, "mail.contoso.com");
            break;
        case NT_DNS_TXT: {
            size_t pos = 0;
            const uint8_t *s;
            uint8_t sl;
            nt_dns_err e;
            assert_true(nt_dns_txt_next(&m, &rd, &pos, &s, &sl, &e));
            assert_int_equal(sl, 5);
            assert_memory_equal(s, "v=spf", 5);
            assert_true(nt_dns_txt_next(&m, &rd, &pos, &s, &sl, &e));
            assert_int_equal(sl, 0);
            assert_true(nt_dns_txt_next(&m, &rd, &pos, &s, &sl, &e));
            assert_int_equal(sl, 2);
            assert_false(nt_dns_txt_next(&m, &rd, &pos, &s, &sl, &e));
            assert_int_equal(e, NT_DNS_OK);
            break;
        }
        case NT_DNS_PTR:
            nt_dns_name(x.b, x.n, rd.u.name_off, t, sizeof t, NULL, NULL);
            assert_string_equal(t, "<Root>");
            break;
        case NT_DNS_SOA:
            assert_int_equal(rr.section, NT_DNS_SEC_NS);
            nt_dns_name(x.b, x.n, rd.u.soa.mname_off, t, sizeof t, NULL, NULL);
            nt_dns_name(x.b, x.n, rd.u.soa.rname_off, t2, sizeof t2, NULL, NULL);
            assert_string_equal(t, "ns1.contoso.com");
            assert_string_equal(t2, "hostmaster.contoso.com");
            assert_int_equal(rd.u.soa.serial, 2024010101u);
            assert_int_equal(rd.u.soa.minimum, 300);
            break;
        case NT_DNS_OPT:
            assert_int_equal(rr.section, NT_DNS_SEC_AR);
            assert_string_equal(t, "<Root>");
            assert_int_equal(rd.u.opt.udp_size, 1232);
            assert_int_equal(rd.u.opt.ext_rcode, 1);
            assert_true(rd.u.opt.dnssec_ok);
            assert_int_equal(rd.u.opt.opt_len, 8);
            break;
        case 99: break;
        default: fail_msg("unexpected type %u", rr.type);
        }
        n++;
    }
    assert_int_equal(it.err, NT_DNS_OK);
    assert_int_equal(n, 11);
    assert_int_equal(it.off, x.n);
}

/* Every prefix of a valid message: parsing stops with E_SHORT, never reads
 * past the end (ASan checks that), and a name error is reported as such. */
static void truncation_everywhere(void **state)
{
    (void)state;
    w x;
    build_response(&x);
    for (size_t len = 0; len < x.n; len++) {
        uint8_t *copy = malloc(len ? len : 1); /* exact size, so ASan sees any overread */
        memcpy(copy, x.b, len);
        nt_dns_msg m;
        nt_dns_err e = nt_dns_parse(copy, len, &m);
        if (len < NT_DNS_HDR_LEN) {
            assert_int_equal(e, NT_DNS_E_SHORT);
            free(copy);
            continue;
        }
        nt_dns_iter it;
        nt_dns_rr rr;
        nt_dns_rdata rd;
        char t[NT_DNS_NAME_TEXT_MAX];
        int n = 0;
        nt_dns_iter_init(&it, &m);
        while (nt_dns_next(&it, &rr)) {
            n++;
            nt_dns_name(copy, len, rr.name_off, t, sizeof t, NULL, NULL);
            if (rr.section != NT_DNS_SEC_QD) nt_dns_rdata_parse(&m, &rr, &rd);
        }
        assert_true(n < 12);
        assert_int_not_equal(it.err, NT_DNS_OK);
        free(copy);
    }
}

static void hdr(w *x, unsigned qd)
{
    memset(x, 0, sizeof *x);
    u16(x, 1); u16(x, 0); u16(x, qd); u16(x, 0); u16(x, 0); u16(x, 0);
}

static void compression_loops(void **state)
{
    (void)state;
    w x;
    char t[NT_DNS_NAME_TEXT_MAX];
    size_t end;
    /* a pointer to itself */
    hdr(&x, 1); ptr(&x, 12); u16(&x, 1); u16(&x, 1);
    assert_int_equal(nt_dns_name(x.b, x.n, 12, t, sizeof t, &end, NULL), NT_DNS_E_LOOP);
    assert_string_equal(t, "");
    /* two pointers to each other, with a label between */
    hdr(&x, 1); u8(&x, 1); u8(&x, 'a'); ptr(&x, 16); ptr(&x, 12);
    assert_int_equal(nt_dns_name(x.b, x.n, 12, t, sizeof t, &end, NULL), NT_DNS_E_LOOP);
    /* a long label in the loop reaches 255 octets before the pointer limit */
    hdr(&x, 1); u8(&x, 60); for (int i = 0; i < 60; i++) u8(&x, 'a'); ptr(&x, 12);
    assert_int_equal(nt_dns_name(x.b, x.n, 12, t, sizeof t, &end, NULL), NT_DNS_E_TOOLONG);
    hdr(&x, 1); ptr(&x, 14); ptr(&x, 12);
    assert_int_equal(nt_dns_name(x.b, x.n, 12, t, sizeof t, &end, NULL), NT_DNS_E_LOOP);
    /* the iterator stops on it */
    nt_dns_msg m;
    nt_dns_iter it;
    nt_dns_rr rr;
    nt_dns_parse(x.b, x.n, &m);
    nt_dns_iter_init(&it, &m);
    assert_false(nt_dns_next(&it, &rr));
    assert_int_equal(it.err, NT_DNS_E_LOOP);
    assert_false(nt_dns_next(&it, &rr)); /* sticky */
    /* a pointer past the end, a reserved label type, a pointer cut in half */
    hdr(&x, 1); ptr(&x, 0x3fff);
    assert_int_equal(nt_dns_name(x.b, x.n, 12, t, sizeof t, &end, NULL), NT_DNS_E_PTR);
    hdr(&x, 1); u8(&x, 0x41); u8(&x, 0);
    assert_int_equal(nt_dns_name(x.b, x.n, 12, t, sizeof t, &end, NULL), NT_DNS_E_LABEL);
    hdr(&x, 1); u8(&x, 0xc0);
    assert_int_equal(nt_dns_name(x.b, x.n, 12, t, sizeof t, &end, NULL), NT_DNS_E_SHORT);
    /* a label that claims more bytes than are left */
    hdr(&x, 1); u8(&x, 10); bytes(&x, "abc", 3);
    assert_int_equal(nt_dns_name(x.b, x.n, 12, t, sizeof t, &end, NULL), NT_DNS_E_SHORT);
    /* a chain of pointers, each a step back: followed up to the limit */
    hdr(&x, 1); u8(&x, 0);
    for (int i = 0; i < NT_DNS_MAX_POINTERS + 1; i++) ptr(&x, (unsigned)(x.n - (i ? 2 : 1)));
    assert_int_equal(nt_dns_name(x.b, x.n, x.n - 4, t, sizeof t, &end, NULL), NT_DNS_OK);
    assert_string_equal(t, "<Root>");
    assert_int_equal(nt_dns_name(x.b, x.n, x.n - 2, t, sizeof t, &end, NULL), NT_DNS_E_LOOP);
}

static void names_too_long_and_escaped(void **state)
{
    (void)state;
    w x;
    char t[NT_DNS_NAME_TEXT_MAX];
    size_t end, wl;
    hdr(&x, 1);
    for (int i = 0; i < 4; i++) { u8(&x, 63); for (int j = 0; j < 63; j++) u8(&x, 'a'); }
    u8(&x, 0); /* 4 * 64 + 1 = 257 octets */
    assert_int_equal(nt_dns_name(x.b, x.n, 12, t, sizeof t, &end, NULL), NT_DNS_E_TOOLONG);
    hdr(&x, 1); u8(&x, 3); bytes(&x, "a\x01.", 3); u8(&x, 0);
    assert_int_equal(nt_dns_name(x.b, x.n, 12, t, sizeof t, &end, &wl), NT_DNS_OK);
    assert_string_equal(t, "a\\x01.");
    assert_int_equal(end, 17);
    assert_int_equal(wl, 5);
    /* a buffer too small says so */
    assert_int_equal(nt_dns_name(x.b, x.n, 12, t, 4, &end, NULL), NT_DNS_E_SPACE);
    hdr(&x, 1); u8(&x, 0);
    assert_int_equal(nt_dns_name(x.b, x.n, 12, t, 3, &end, NULL), NT_DNS_E_SPACE);
}

static void lying_lengths(void **state)
{
    (void)state;
    w x;
    nt_dns_msg m;
    nt_dns_iter it;
    nt_dns_rr rr;
    nt_dns_rdata rd;
    /* an answer count of 5 with one record present */
    hdr(&x, 0); x.b[7] = 5;
    u8(&x, 0); u16(&x, NT_DNS_A); u16(&x, 1); u32(&x, 1); u16(&x, 4); u32(&x, 0x0a000001);
    nt_dns_parse(x.b, x.n, &m);
    nt_dns_iter_init(&it, &m);
    assert_true(nt_dns_next(&it, &rr));
    assert_false(nt_dns_next(&it, &rr));
    assert_int_equal(it.err, NT_DNS_E_SHORT);
    /* rdlength past the end */
    hdr(&x, 0); x.b[7] = 1;
    u8(&x, 0); u16(&x, NT_DNS_A); u16(&x, 1); u32(&x, 1); u16(&x, 400); u32(&x, 0x0a000001);
    nt_dns_parse(x.b, x.n, &m);
    nt_dns_iter_init(&it, &m);
    assert_false(nt_dns_next(&it, &rr));
    assert_int_equal(it.err, NT_DNS_E_SHORT);
    /* an A record of 5 bytes, an SRV too short for its target, a CNAME whose
     * name runs past its rdata, a TXT string longer than its rdata, OPT
     * options that do not tile */
    struct { uint16_t type; const char *rdata; size_t len; } bad[] = {
        {NT_DNS_A, "\x0a\0\0\x01\x02", 5},
        {NT_DNS_AAAA, "\x0a\0\0\x01", 4},
        {NT_DNS_SRV, "\0\x01\0\x02\0\x03", 6},
        {NT_DNS_CNAME, "\x05" "ab", 3},
        {NT_DNS_MX, "\0", 1},
        {NT_DNS_SOA, "\0\0\0\0\0\x01", 6},
        {NT_DNS_OPT, "\0\x0a\0\x09zz", 6},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hdr(&x, 0); x.b[7] = 1;
        u8(&x, 0); u16(&x, bad[i].type); u16(&x, 1); u32(&x, 1); u16(&x, (unsigned)bad[i].len);
        bytes(&x, bad[i].rdata, bad[i].len);
        u8(&x, 3); bytes(&x, "xyz", 3); u8(&x, 0); /* bytes after: a name must not run into them */
        nt_dns_parse(x.b, x.n, &m);
        nt_dns_iter_init(&it, &m);
        assert_true(nt_dns_next(&it, &rr));
        assert_int_not_equal(nt_dns_rdata_parse(&m, &rr, &rd), NT_DNS_OK);
    }
    hdr(&x, 0); x.b[7] = 1;
    u8(&x, 0); u16(&x, NT_DNS_TXT); u16(&x, 1); u32(&x, 1); u16(&x, 3); bytes(&x, "\x05" "ab", 3);
    nt_dns_parse(x.b, x.n, &m);
    nt_dns_iter_init(&it, &m);
    assert_true(nt_dns_next(&it, &rr));
    assert_int_equal(nt_dns_rdata_parse(&m, &rr, &rd), NT_DNS_OK);
    size_t pos = 0;
    const uint8_t *s;
    uint8_t sl;
    nt_dns_err e;
    assert_false(nt_dns_txt_next(&m, &rd, &pos, &s, &sl, &e));
    assert_int_equal(e, NT_DNS_E_RDATA);
}

static void query_round_trip(void **state)
{
    (void)state;
    uint8_t b[512];
    size_t len;
    nt_dns_query q = {.id = 0x1234, .name = "_sipfederationtls._tcp.contoso.com.", .type = NT_DNS_SRV,
                      .rd = true, .edns_udp = 1232, .dnssec_ok = true};
    assert_int_equal(nt_dns_build_query(&q, true, b, sizeof b, &len), NT_DNS_OK);
    const uint8_t *msg;
    size_t mlen;
    assert_true(nt_dns_tcp_message(b, len, &msg, &mlen));
    assert_int_equal(mlen, len - 2);
    assert_false(nt_dns_tcp_message(b, len - 1, &msg, &mlen));
    assert_false(nt_dns_tcp_message(b, 1, &msg, &mlen));
    nt_dns_msg m;
    assert_int_equal(nt_dns_parse(msg, mlen, &m), NT_DNS_OK);
    assert_int_equal(m.h.id, 0x1234);
    assert_int_equal(m.h.flags, 0x0100);
    assert_int_equal(m.h.qdcount, 1);
    assert_int_equal(m.h.arcount, 1);
    nt_dns_iter it;
    nt_dns_rr rr;
    nt_dns_rdata rd;
    char t[NT_DNS_NAME_TEXT_MAX];
    nt_dns_iter_init(&it, &m);
    assert_true(nt_dns_next(&it, &rr));
    nt_dns_name(msg, mlen, rr.name_off, t, sizeof t, NULL, NULL);
    assert_string_equal(t, "_sipfederationtls._tcp.contoso.com");
    assert_int_equal(rr.type, NT_DNS_SRV);
    assert_int_equal(rr.rclass, 1);
    assert_true(nt_dns_next(&it, &rr));
    assert_int_equal(rr.type, NT_DNS_OPT);
    assert_int_equal(nt_dns_rdata_parse(&m, &rr, &rd), NT_DNS_OK);
    assert_int_equal(rd.u.opt.udp_size, 1232);
    assert_true(rd.u.opt.dnssec_ok);
    assert_false(nt_dns_next(&it, &rr));
    assert_int_equal(it.err, NT_DNS_OK);
    /* the root, escapes, and names that cannot be encoded */
    nt_dns_query r = {.id = 1, .name = ".", .type = NT_DNS_NS};
    assert_int_equal(nt_dns_build_query(&r, false, b, sizeof b, &len), NT_DNS_OK);
    assert_int_equal(len, 12 + 1 + 4);
    assert_int_equal(nt_dns_name_encode("a\\.b.c", b, sizeof b, &len), NT_DNS_OK);
    assert_memory_equal(b, "\x03" "a.b\x01" "c\0", 7);
    assert_int_equal(nt_dns_name_encode("a..b", b, sizeof b, &len), NT_DNS_E_NAME);
    assert_int_equal(nt_dns_name_encode("", b, sizeof b, &len), NT_DNS_E_NAME);
    char big[300];
    memset(big, 'x', 64);
    big[64] = 0;
    assert_int_equal(nt_dns_name_encode(big, b, sizeof b, &len), NT_DNS_E_NAME);
    for (int i = 0; i < 300; i++) big[i] = i % 2 ? '.' : 'x';
    big[299] = 0;
    assert_int_equal(nt_dns_name_encode(big, b, sizeof b, &len), NT_DNS_E_TOOLONG);
    assert_int_equal(nt_dns_build_query(&q, false, b, 20, &len), NT_DNS_E_SPACE);
}

static void number_names(void **state)
{
    (void)state;
    assert_string_equal(nt_dns_type_name(1), "A");
    assert_string_equal(nt_dns_type_name(28), "AAAA");
    assert_string_equal(nt_dns_type_name(33), "SRV");
    assert_string_equal(nt_dns_type_name(255), "ANY");
    assert_string_equal(nt_dns_type_name(10), "NULL");
    assert_null(nt_dns_type_name(54));
    uint16_t t;
    assert_true(nt_dns_type_parse("srv", &t));
    assert_int_equal(t, 33);
    assert_true(nt_dns_type_parse("TYPE65", &t));
    assert_int_equal(t, 65);
    assert_false(nt_dns_type_parse("TYPE70000", &t));
    assert_false(nt_dns_type_parse("BOGUS", &t));
    assert_false(nt_dns_type_parse("Unused", &t));
    assert_string_equal(nt_dns_rcode_text(3), "No such name");
    assert_string_equal(nt_dns_rcode_text(2), "Server failure");
    assert_string_equal(nt_dns_rcode_text(5), "Refused");
    assert_string_equal(nt_dns_rcode_mnemonic(3), "NXDOMAIN");
    const char *wn;
    assert_int_equal(nt_dns_rcode_windows(3, &wn), 9003);
    assert_string_equal(wn, "DNS_ERROR_RCODE_NAME_ERROR");
    assert_int_equal(nt_dns_rcode_windows(0, &wn), 0);
    assert_null(nt_dns_rcode_text(12));
    assert_string_equal(nt_dns_opcode_name(0), "Standard query");
    assert_null(nt_dns_opcode_name(3));
    assert_string_equal(nt_dns_class_name(1), "IN");
    char p[80];
    assert_true(nt_dns_ptr_name(4, (const uint8_t *)"\x0a\x4d\x00\x05", p, sizeof p));
    assert_string_equal(p, "5.0.77.10.in-addr.arpa");
    uint8_t a6[16] = {0xfd, 0, 0, 0x77};
    a6[15] = 0x1b;
    assert_true(nt_dns_ptr_name(6, a6, p, sizeof p));
    assert_string_equal(p, "b.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.7.7.0.0.0.0.d.f.ip6.arpa");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(response_decodes),
        cmocka_unit_test(truncation_everywhere),
        cmocka_unit_test(compression_loops),
        cmocka_unit_test(names_too_long_and_escaped),
        cmocka_unit_test(lying_lengths),
        cmocka_unit_test(query_round_trip),
        cmocka_unit_test(number_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
