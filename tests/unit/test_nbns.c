/* Unit tests for proto/nbns.c: first-level-encoded names with suffix and
 * scope, questions and answers, Info as tshark prints it (query, response,
 * negative response, node-status query for "*"); every prefix, an answer
 * length that lies and a compression loop are refused without reading past
 * the buffer (the ASan build checks that). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "nettracer/nbns.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nbns_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
