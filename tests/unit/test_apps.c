/* Unit tests for proto/dhcp.c, proto/nbns.c and proto/tpkt.c: crafted
 * messages decode to the expected fields and tshark's Info text; every
 * prefix and lengths that lie (option lengths, answer lengths, TPKT and
 * COTP lengths, compression loops) are refused or cut without reading past
 * the buffer (the ASan build checks that). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "nettracer/dhcp.h"
#include "nettracer/nbns.h"
#include "nettracer/rtp.h"
#include "nettracer/sdp.h"
#include "nettracer/sip.h"
#include "nettracer/tpkt.h"

static uint8_t *dup_exact(const uint8_t *s, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    memcpy(d, s, n);
    return d;
}

#define INFO_IS(fn, msg, want) do { \
        nt_buf b_; nt_buf_init(&b_); fn(msg, &b_); \
        assert_string_equal(b_.p, want); free(b_.p); } while (0)

static int field_count(const nt_msg_field *t, size_t n, const char *name, const void *m, nt_fvalue *v)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, name)) return t[i].get(m, v, NT_FIELD_MAX_OCC);
    fail_msg("no field %s", name);
    return -1;
}

/* ---- DHCP ---- */

static size_t dhcp_msg(uint8_t *b, uint8_t op, uint32_t xid, int type, const uint8_t *opts, size_t olen)
{
    memset(b, 0, 240);
    b[0] = op; b[1] = 1; b[2] = 6;
    b[4] = (uint8_t)(xid >> 24); b[5] = (uint8_t)(xid >> 16); b[6] = (uint8_t)(xid >> 8); b[7] = (uint8_t)xid;
    b[16] = 10; b[17] = 55; b[18] = 5; b[19] = 147;       /* yiaddr */
    const uint8_t mac[6] = {2, 0x55, 0, 5, 0, 1};
    memcpy(b + 28, mac, 6);
    if (type < 0) return 236;
    b[236] = 99; b[237] = 130; b[238] = 83; b[239] = 99;
    size_t n = 240;
    b[n++] = 53; b[n++] = 1; b[n++] = (uint8_t)type;
    memcpy(b + n, opts, olen);
    n += olen;
    return n;
}

static void dhcp_cases(void **st)
{
    (void)st;
    uint8_t b[600];
    static const uint8_t opts[] = {50, 4, 10, 55, 5, 147, 54, 4, 10, 55, 5, 2, 51, 4, 0, 0, 0x0e, 0x10,
                                   12, 4, 'h', 'o', 's', 't', 61, 7, 1, 2, 0x55, 0, 5, 0, 1,
                                   55, 3, 1, 3, 6, 0, 0, 255, 0, 0};
    size_t n = dhcp_msg(b, 1, 0x5e5e0001, 3, opts, sizeof opts);
    nt_dhcp d;
    assert_true(nt_dhcp_parse(b, (uint32_t)n, &d));
    assert_true(d.has_msg_type);
    assert_int_equal(d.msg_type, 3);
    assert_int_equal(d.xid, 0x5e5e0001);
    assert_true(d.has_req_ip && d.req_ip[3] == 147);
    assert_true(d.has_server_id && d.server_id[3] == 2);
    assert_true(d.has_lease && d.lease == 3600);
    assert_true(nt_text_eq(d.hostname, "host"));
    assert_int_equal(d.nparams, 3);
    assert_true(d.has_end);
    INFO_IS(nt_dhcp_info, &d, "DHCP Request  - Transaction ID 0x5e5e0001");
    nt_fvalue v[NT_FIELD_MAX_OCC];
    /* chaddr and the client identifier's MAC, as tshark */
    assert_int_equal(field_count(nt_dhcp_fields, nt_dhcp_nfields, "dhcp.hw.mac_addr", &d, v), 2);
    /* 7 options, the run of 2 pad bytes as one, and End: tshark 4.0 gives
     * both type 0 */
    assert_int_equal(field_count(nt_dhcp_fields, nt_dhcp_nfields, "dhcp.option.type", &d, v), 9);
    assert_int_equal(v[6].v.u, 55);
    assert_int_equal(v[7].v.u, 0);
    assert_int_equal(v[8].v.u, 0);
    assert_int_equal(d.opts[7].len, 2);

    n = dhcp_msg(b, 2, 0xab, 6, (const uint8_t *)"\xff", 1);
    assert_true(nt_dhcp_parse(b, (uint32_t)n, &d));
    INFO_IS(nt_dhcp_info, &d, "DHCP NAK      - Transaction ID 0xab");
    n = dhcp_msg(b, 1, 5, 99, (const uint8_t *)"\xff", 1);
    assert_true(nt_dhcp_parse(b, (uint32_t)n, &d));
    INFO_IS(nt_dhcp_info, &d, "DHCP Unknown Message Type (0x63) - Transaction ID 0x5");
    n = dhcp_msg(b, 2, 1, -1, NULL, 0);      /* plain BOOTP */
    assert_true(nt_dhcp_parse(b, (uint32_t)n, &d));
    assert_false(d.has_magic);
    INFO_IS(nt_dhcp_info, &d, "Boot Reply");

    /* every prefix: shorter than the header is refused; an option cut short too */
    n = dhcp_msg(b, 1, 0x5e5e0001, 3, opts, sizeof opts);
    for (size_t k = 0; k < n; k++) {
        uint8_t *c = dup_exact(b, k);
        bool ok = nt_dhcp_parse(c, (uint32_t)k, &d);
        if (k < 236) assert_false(ok);
        if (!ok) assert_non_null(d.error);
        free(c);
    }
    /* an option length that lies */
    static const uint8_t lie[] = {12, 200, 'x'};
    n = dhcp_msg(b, 1, 1, 1, lie, sizeof lie);
    assert_false(nt_dhcp_parse(b, (uint32_t)n, &d));
    b[0] = 7;
    assert_false(nt_dhcp_parse(b, (uint32_t)n, &d));
}

/* ---- NBNS ---- */

static size_t nb_name(uint8_t *o, const char *name, uint8_t suffix)
{
    char raw[16];
    memset(raw, ' ', 15);
    memcpy(raw, name, strlen(name));
    raw[15] = (char)suffix;
    o[0] = 32;
    for (int i = 0; i < 16; i++) {
        o[1 + 2 * i] = (uint8_t)('A' + ((uint8_t)raw[i] >> 4));
        o[2 + 2 * i] = (uint8_t)('A' + (raw[i] & 15));
    }
    o[33] = 0;
    return 34;
}

static void nbns_cases(void **st)
{
    (void)st;
    uint8_t q[64] = {0x8a, 0x31, 0x01, 0x10, 0, 1, 0, 0, 0, 0, 0, 0};
    size_t n = 12 + nb_name(q + 12, "WPAD", 0);
    q[n++] = 0; q[n++] = 0x20; q[n++] = 0; q[n++] = 1;
    nt_nbns m;
    assert_true(nt_nbns_parse(q, (uint32_t)n, &m));
    assert_false(m.response);
    assert_int_equal(m.nq, 1);
    assert_string_equal(m.q[0].name.text, "WPAD<00>");
    INFO_IS(nt_nbns_info, &m, "Name query NB WPAD<00>");
    for (size_t k = 0; k < n; k++) {
        uint8_t *c = dup_exact(q, k);
        assert_false(nt_nbns_parse(c, (uint32_t)k, &m));
        assert_non_null(m.error);
        free(c);
    }

    uint8_t a[80] = {0x8a, 0x31, 0x85, 0x00, 0, 0, 0, 1, 0, 0, 0, 0};
    n = 12 + nb_name(a + 12, "WORKSTATION", 0x20);
    static const uint8_t rr[] = {0, 0x20, 0, 1, 0, 4, 0x93, 0xe0, 0, 6, 0, 0, 10, 55, 6, 2};
    memcpy(a + n, rr, sizeof rr);
    n += sizeof rr;
    assert_true(nt_nbns_parse(a, (uint32_t)n, &m));
    assert_true(m.response);
    assert_int_equal(m.an[0].ttl, 300000);
    assert_true(m.an[0].has_addr);
    assert_string_equal(m.an[0].shown, "WORKSTATION<20> (Server service)");
    INFO_IS(nt_nbns_info, &m, "Name query response NB 10.55.6.2");
    nt_fvalue v[NT_FIELD_MAX_OCC];
    assert_int_equal(field_count(nt_nbns_fields, nt_nbns_nfields, "nbns.addr", &m, v), 1);
    /* answer data length that lies */
    a[n - 7] = 60;
    assert_false(nt_nbns_parse(a, (uint32_t)n, &m));
    /* negative answer */
    a[3] = 0x03;
    a[n - 7] = 0;
    assert_true(nt_nbns_parse(a, (uint32_t)n - 6, &m));
    INFO_IS(nt_nbns_info, &m, "Name query response, Requested name does not exist");

    /* a compression pointer loop is refused */
    uint8_t loop[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 0x20, 0, 1};
    assert_false(nt_nbns_parse(loop, sizeof loop, &m));
    /* a name that is not first-level encoded is shown as it is, with scope */
    uint8_t plain[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c', 2, 'd', 'e', 0, 0, 0x20, 0, 1};
    assert_true(nt_nbns_parse(plain, sizeof plain, &m));
    assert_string_equal(m.q[0].name.text, "abc.de");
    /* node status query for the wildcard name, as tshark shows it */
    uint8_t star[64] = {0, 0x11, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    char wild[16] = {'*'};
    n = 12 + nb_name(star + 12, "", 0);
    for (int i = 0; i < 15; i++) {   /* '*' and 14 NUL bytes, not spaces */
        star[13 + 2 * i] = (uint8_t)('A' + ((uint8_t)wild[i] >> 4));
        star[14 + 2 * i] = (uint8_t)('A' + (wild[i] & 15));
    }
    star[n++] = 0; star[n++] = 0x21; star[n++] = 0; star[n++] = 1;
    assert_true(nt_nbns_parse(star, (uint32_t)n, &m));
    INFO_IS(nt_nbns_info, &m, "Name query NBSTAT *<00><00><00><00><00><00><00><00><00><00><00><00><00><00><00>");
}

/* ---- TPKT / COTP / RDP ---- */

static void tpkt_cases(void **st)
{
    (void)st;
    /* X.224 CR as mstsc sends it: the length indicator covers cookie and rdpNegReq */
    static const char cookie[] = "Cookie: mstshash=alice\r\n";
    uint8_t p[64] = {3, 0, 0, 0, 0, 0xe0, 0, 0, 0, 0, 0};
    size_t n = 11;
    memcpy(p + n, cookie, sizeof cookie - 1);
    n += sizeof cookie - 1;
    static const uint8_t neg[] = {1, 0, 8, 0, 3, 0, 0, 0};
    memcpy(p + n, neg, sizeof neg);
    n += sizeof neg;
    p[3] = (uint8_t)n;
    p[4] = (uint8_t)(n - 5);
    nt_tpkt t;
    uint32_t ml;
    assert_int_equal(nt_tpkt_msg_len(p, (uint32_t)n, &ml), NT_TPKT_LEN_OK);
    assert_int_equal(ml, n);
    assert_true(nt_tpkt_parse(p, (uint32_t)n, &t));
    assert_int_equal(t.type, NT_COTP_CR);
    assert_true(nt_text_eq(t.cookie, "Cookie: mstshash=alice"));
    assert_true(t.has_neg);
    assert_int_equal(t.neg_value, 3);
    assert_string_equal(nt_tpkt_protocol(&t), "RDP");
    INFO_IS(nt_tpkt_info, &t, "Cookie: mstshash=alice, Negotiate Request");
    for (size_t k = 0; k < n; k++) {
        uint8_t *c = dup_exact(p, k);
        int r = nt_tpkt_msg_len(c, (uint32_t)k, &ml);
        assert_int_equal(r, NT_TPKT_LEN_MORE);
        if (nt_tpkt_parse(c, (uint32_t)k, &t)) assert_true(t.len <= k);
        free(c);
    }

    /* CC with rdpNegFailure */
    uint8_t cc[] = {3, 0, 0, 19, 14, 0xd0, 0, 0, 0x12, 0x34, 0, 3, 0, 8, 0, 5, 0, 0, 0};
    assert_true(nt_tpkt_parse(cc, sizeof cc, &t));
    assert_int_equal(t.src_ref, 0x1234);
    INFO_IS(nt_tpkt_info, &t, "Negotiate Failure, failureCode Server requires Enhanced RDP Security with CredSSP");
    nt_fvalue v[NT_FIELD_MAX_OCC];
    assert_int_equal(field_count(nt_tpkt_fields, nt_tpkt_nfields, "rdp.negFailure.failureCode", &t, v), 1);
    assert_int_equal(field_count(nt_tpkt_fields, nt_tpkt_nfields, "rdp.negReq.selectedProtocol", &t, v), 0);

    /* plain CR without RDP data: COTP's text */
    uint8_t cr[] = {3, 0, 0, 11, 6, 0xe0, 0, 0, 0, 7, 0};
    assert_true(nt_tpkt_parse(cr, sizeof cr, &t));
    assert_string_equal(nt_tpkt_protocol(&t), "COTP");
    INFO_IS(nt_tpkt_info, &t, "CR TPDU src-ref: 0x0007 dst-ref: 0x0000");

    /* lengths that lie */
    uint8_t bad1[] = {3, 0, 0, 5, 1, 0xe0, 0};       /* TPKT length below 7 */
    assert_false(nt_tpkt_parse(bad1, sizeof bad1, &t));
    assert_int_equal(nt_tpkt_msg_len(bad1, sizeof bad1, &ml), NT_TPKT_LEN_BAD);
    uint8_t bad2[] = {3, 0, 0, 11, 200, 0xe0, 0, 0, 0, 7, 0};   /* LI past the TPKT */
    assert_false(nt_tpkt_parse(bad2, sizeof bad2, &t));
    assert_non_null(t.error);
    uint8_t bad3[] = {3, 0, 0, 9, 2, 0xe0, 0, 0, 0};  /* CR header shorter than 6 */
    assert_false(nt_tpkt_parse(bad3, sizeof bad3, &t));
    uint8_t bad4[] = {4, 0, 0, 11, 6, 0xe0, 0, 0, 0, 7, 0};
    assert_false(nt_tpkt_parse(bad4, sizeof bad4, &t));
    assert_int_equal(nt_tpkt_msg_len(bad4, sizeof bad4, &ml), NT_TPKT_LEN_BAD);
    /* DT data */
    uint8_t dt[] = {3, 0, 0, 10, 2, 0xf0, 0x80, 'a', 'b', 'c'};
    assert_true(nt_tpkt_parse(dt, sizeof dt, &t));
    assert_true(t.eot);
    assert_int_equal(t.user_len, 3);
}

static void all_fields(const nt_msg_field *t, size_t n, const void *m)
{
    nt_fvalue v[NT_FIELD_MAX_OCC];
    for (size_t i = 0; i < n; i++) {
        int k = t[i].get(m, v, NT_FIELD_MAX_OCC);
        assert_true(k >= 0 && k <= NT_FIELD_MAX_OCC);
    }
}

/* Random bytes (a fixed-seed generator, so a failure repeats), with the
 * first bytes often made plausible, through every parser and Info writer:
 * nothing may read past the exact-size buffer (ASan) or crash. */
static void random_input(void **st)
{
    (void)st;
    uint32_t x = 12345;
    nt_buf b;
    nt_buf_init(&b);
    static const char *const starts[] = {"SIP/2.0 200 OK\r\n", "INVITE sip:a SIP/2.0\r\nl: 9\r\n\r\n",
                                         "v=0\r\nm=audio 1 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\n", "\x80", "\x81\xc8", "\x03\x00"};
    for (int it = 0; it < 20000; it++) {
        x = x * 1103515245u + 12345u;
        uint32_t n = (x >> 8) % 320;
        uint8_t *d = malloc(n ? n : 1);
        for (uint32_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            d[i] = (uint8_t)(x >> 16);
        }
        const char *s0 = starts[it % 6];
        size_t sl = strlen(s0);
        if (it % 3 && sl <= n) memcpy(d, s0, sl);
        if (it % 7 == 0 && n > 240) { d[0] = 1; d[236] = 99; d[237] = 130; d[238] = 83; d[239] = 99; }
        nt_sip sip; nt_sdp sdp; nt_rtp rtp; nt_rtcp rtcp; nt_dhcp dh; nt_nbns nb; nt_tpkt tp;
        uint32_t ml;
        nt_buf_reset(&b);
        if (nt_sip_parse(d, n, &sip)) { nt_sip_info(&sip, &b); nt_sip_has_sdp(&sip); all_fields(nt_sip_fields, nt_sip_nfields, &sip); }
        nt_sip_msg_len(d, n, &ml);
        nt_sip_detect(d, n);
        if (nt_sdp_parse(d, n, &sdp)) { nt_sdp_endpoint e[4]; nt_sdp_endpoints(&sdp, e, 4); all_fields(nt_sdp_fields, nt_sdp_nfields, &sdp); }
        if (nt_rtp_parse(d, n, &rtp)) { nt_rtp_info(&rtp, &b); all_fields(nt_rtp_fields, nt_rtp_nfields, &rtp); }
        nt_rtp_heuristic(d, n);
        if (nt_rtcp_parse(d, n, &rtcp)) { nt_rtcp_info(&rtcp, &b); all_fields(nt_rtcp_fields, nt_rtcp_nfields, &rtcp); }
        nt_rtcp_heuristic(d, n);
        if (nt_dhcp_parse(d, n, &dh)) { nt_dhcp_info(&dh, &b); all_fields(nt_dhcp_fields, nt_dhcp_nfields, &dh); }
        if (nt_nbns_parse(d, n, &nb)) { nt_nbns_info(&nb, &b); all_fields(nt_nbns_fields, nt_nbns_nfields, &nb); }
        nt_tpkt_msg_len(d, n, &ml);
        if (nt_tpkt_parse(d, n, &tp)) { nt_tpkt_info(&tp, &b); all_fields(nt_tpkt_fields, nt_tpkt_nfields, &tp); }
        free(d);
    }
    free(b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dhcp_cases),
        cmocka_unit_test(nbns_cases),
        cmocka_unit_test(tpkt_cases),
        cmocka_unit_test(random_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
