/* Unit tests for core/: the cursor never reads past its end, number and
 * address formatting match what Wireshark prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "nettracer/core.h"
#include "nettracer/hash.h"

static void cursor_reads_and_stops(void **st)
{
    (void)st;
    const uint8_t d[] = {0x12, 0x34, 0x56, 0x78, 0x9a};
    nt_cur c = nt_cur_make(d, sizeof d);
    assert_int_equal(nt_cur_be16(&c), 0x1234);
    assert_int_equal(nt_cur_le16(&c), 0x7856);
    assert_false(c.bad);
    assert_int_equal(nt_cur_be32(&c), 0); /* only one byte left */
    assert_true(c.bad);
    assert_int_equal(nt_cur_left(&c), 0);
    assert_int_equal(nt_cur_u8(&c), 0);
    uint8_t out[4] = {9, 9, 9, 9};
    assert_false(nt_cur_copy(&c, out, 4));
    assert_int_equal(out[0], 9);
}

static void cursor_skip_past_end(void **st)
{
    (void)st;
    const uint8_t d[3] = {1, 2, 3};
    nt_cur c = nt_cur_make(d, 3);
    assert_false(nt_cur_skip(&c, 4));
    assert_true(c.bad);
    assert_int_equal(nt_cur_left(&c), 0);
    uint16_t v;
    assert_false(nt_load_be16(d, 3, 2, &v));
    assert_true(nt_load_be16(d, 3, 1, &v));
    assert_int_equal(v, 0x0203);
    uint32_t w;
    assert_false(nt_load_be32(d, 3, SIZE_MAX, &w));
}

static void expect_ipv6(const char *want, const uint8_t a[16])
{
    nt_buf b;
    nt_buf_init(&b);
    nt_buf_ipv6(&b, a);
    assert_string_equal(b.p, want);
    nt_buf_free(&b);
}

static void ipv6_rfc5952(void **st)
{
    (void)st;
    uint8_t a[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xcc, 0x29, 0x5d, 0xff, 0xfe, 0x2d, 0xee, 0x4b};
    expect_ipv6("fe80::cc29:5dff:fe2d:ee4b", a);
    uint8_t z[16] = {0};
    expect_ipv6("::", z);
    uint8_t one[16] = {0};
    one[15] = 1;
    expect_ipv6("::1", one);
    uint8_t m[16] = {0xff, 0x02};
    m[15] = 0x16;
    expect_ipv6("ff02::16", m);
    /* a single zero word is not compressed; the first longest run is */
    uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
    expect_ipv6("2001:db8:0:1::1", s);
    uint8_t t[16] = {0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1};
    expect_ipv6("2001::1:0:0:1:1", t);
    uint8_t v4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
    expect_ipv6("::ffff:192.0.2.1", v4);
}

static void numbers_and_times(void **st)
{
    (void)st;
    nt_buf b;
    nt_buf_init(&b);
    nt_buf_u64(&b, 0);
    nt_buf_putc(&b, ' ');
    nt_buf_u64(&b, UINT64_MAX);
    nt_buf_putc(&b, ' ');
    nt_buf_i64(&b, INT64_MIN);
    assert_string_equal(b.p, "0 18446744073709551615 -9223372036854775808");
    nt_buf_reset(&b);
    nt_buf_secs(&b, 1234567891, 6);
    nt_buf_putc(&b, ' ');
    nt_buf_secs(&b, -1500000000, 3);
    nt_buf_putc(&b, ' ');
    nt_buf_secs(&b, 999, 9);
    assert_string_equal(b.p, "1.234567 -1.500 0.000000999");
    nt_buf_reset(&b);
    nt_time t = {1388063031, 654321000};
    nt_buf_datetime(&b, t, 3, true);
    assert_string_equal(b.p, "2013-12-26 13:03:51.654");
    nt_buf_reset(&b);
    nt_buf_hex(&b, 0x1a2b, 8, false);
    assert_string_equal(b.p, "00001a2b");
    nt_buf_free(&b);
}

static void json_escapes(void **st)
{
    (void)st;
    nt_buf b;
    nt_buf_init(&b);
    nt_json j;
    nt_json_begin(&j, &b);
    nt_json_obj_open(&j, NULL);
    nt_json_str(&j, "s", "a\"b\\c\n\x01");
    nt_json_u64(&j, "n", 7);
    nt_json_arr_open(&j, "a");
    nt_json_bool(&j, NULL, true);
    nt_json_arr_close(&j);
    nt_json_obj_close(&j);
    assert_string_equal(b.p, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"n\":7,\"a\":[true]}");
    nt_buf_free(&b);
}

/* the hash map: every key put is found with its value, across growth;
 * a key put twice keeps its first value; absent keys are not found */
static void hash_map(void **st)
{
    (void)st;
    typedef struct { uint8_t fam; uint8_t a[16]; uint16_t port; } key;
    nt_hmap m;
    nt_hmap_init(&m, sizeof(key));
    assert_null(nt_hmap_find(&m, &(key){0}));
    enum { N = 5000 };
    for (uint32_t i = 0; i < N; i++) {
        key k;
        memset(&k, 0, sizeof k);
        k.fam = 4;
        memcpy(k.a, &i, sizeof i); /* keys that differ in one or two bytes */
        k.port = (uint16_t)(i % 7);
        bool added = false;
        uint32_t *v = nt_hmap_put(&m, &k, i * 3, &added);
        assert_true(added);
        assert_int_equal(*v, i * 3);
    }
    assert_int_equal(m.n, N);
    assert_true(m.nslot >= 2 * N);
    for (uint32_t i = 0; i < N; i++) {
        key k;
        memset(&k, 0, sizeof k);
        k.fam = 4;
        memcpy(k.a, &i, sizeof i);
        k.port = (uint16_t)(i % 7);
        uint32_t *v = nt_hmap_find(&m, &k);
        assert_non_null(v);
        assert_int_equal(*v, i * 3);
        bool added = true;
        assert_int_equal(*nt_hmap_put(&m, &k, 99, &added), i * 3);
        assert_false(added);
        k.port = (uint16_t)(k.port + 1); /* the same address on another port */
        assert_null(nt_hmap_find(&m, &k));
    }
    assert_int_equal(m.n, N);
    nt_hmap_clear(&m);
    assert_int_equal(m.n, 0);
    key k0;
    memset(&k0, 0, sizeof k0);
    k0.fam = 4;
    assert_null(nt_hmap_find(&m, &k0));
    bool added;
    nt_hmap_put(&m, &k0, 7, &added);
    assert_true(added);
    assert_int_equal(*nt_hmap_find(&m, &k0), 7);
    nt_hmap_free(&m);
    assert_true(nt_hash_bytes("", 0) != 0);
    assert_true(nt_hash_bytes("ab", 2) != nt_hash_bytes("ba", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cursor_reads_and_stops), cmocka_unit_test(cursor_skip_past_end),
        cmocka_unit_test(ipv6_rfc5952),           cmocka_unit_test(numbers_and_times),
        cmocka_unit_test(json_escapes),           cmocka_unit_test(hash_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
