/* Unit tests for proto/dhcp.c: a crafted request decodes to the expected
 * header, options and fields, Info as tshark 4.0 prints it for each message
 * type and for plain BOOTP; every prefix and an option length that lies are
 * refused without reading past the buffer (the ASan build checks that). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "nettracer/dhcp.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dhcp_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
