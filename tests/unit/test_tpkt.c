/* Unit tests for proto/tpkt.c: TPKT and X.224 CR/CC/DT with the RDP
 * cookie and negotiation request/failure, Info as tshark prints it; every
 * prefix, TPKT lengths and COTP length indicators that lie are refused or
 * cut without reading past the buffer (the ASan build checks that). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

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
    INFO_IS(nt_tpkt_info, &t, "DT TPDU (0) EOT");
    dt[6] = 0x00;
    assert_true(nt_tpkt_parse(dt, sizeof dt, &t));
    INFO_IS(nt_tpkt_info, &t, "DT TPDU (0) [COTP fragment, 3 bytes]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tpkt_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
