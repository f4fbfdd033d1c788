/* Unit tests for analyze/convs.c: the conversation table (keys, directions,
 * times, order, growth, bits per second) and which headers of a dissected
 * packet count, on frames built here byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "nettracer/convs.h"
#include "nettracer/session.h"

static const uint8_t H1[4] = {10, 0, 0, 1}, H2[4] = {10, 0, 0, 2}, H3[4] = {10, 0, 0, 3};

static nt_conv_pkt pk(const uint8_t *src, const uint8_t *dst, uint16_t sp, uint16_t dp, uint32_t stream,
                      uint32_t bytes, int64_t ns)
{
    nt_conv_pkt p = {.alen = 4, .src = src, .dst = dst, .sport = sp, .dport = dp, .stream = stream,
                     .bytes = bytes, .rel_ns = ns};
    return p;
}

static void directions_and_a(void **state)
{
    (void)state;
    nt_conv_table t;
    nt_conv_table_init(&t, NT_CONV_IPV4);
    nt_conv_pkt p = pk(H2, H1, 0, 0, 0, 60, 1000);
    nt_conv *c = nt_conv_table_add(&t, &p);
    p = pk(H1, H2, 0, 0, 0, 1500, 2000);
    assert_ptr_equal(nt_conv_table_add(&t, &p), c); /* either order: one pair */
    p = pk(H1, H2, 0, 0, 0, 1500, 3000);
    nt_conv_table_add(&t, &p);
    assert_int_equal(t.n, 1);
    /* A is the first packet's source, not the lower address */
    assert_memory_equal(c->addr_a, H2, 4);
    assert_memory_equal(c->addr_b, H1, 4);
    assert_int_equal(c->packets_ab, 1);
    assert_int_equal(c->bytes_ab, 60);
    assert_int_equal(c->packets_ba, 2);
    assert_int_equal(c->bytes_ba, 3000);
    assert_int_equal(c->start_ns, 1000);
    assert_int_equal(nt_conv_duration_ns(c), 2000);
    p = pk(H1, H3, 0, 0, 0, 60, 4000);
    assert_ptr_not_equal(nt_conv_table_add(&t, &p), NULL);
    assert_int_equal(t.n, 2);
    p = pk(H3, H2, 0, 0, 0, 0, 0);
    assert_null(nt_conv_table_find(&t, &p));
    p = pk(H3, H1, 0, 0, 0, 0, 0);
    assert_non_null(nt_conv_table_find(&t, &p));
    nt_conv_table_free(&t);
}

static void self_conversation(void **state)
{
    (void)state;
    nt_conv_table t;
    nt_conv_table_init(&t, NT_CONV_IPV4);
    nt_conv_pkt p = pk(H1, H1, 0, 0, 0, 100, 0);
    nt_conv_table_add(&t, &p);
    nt_conv_table_add(&t, &p);
    /* Wireshark's test is "exactly A to B": a host to itself is always A->B */
    assert_int_equal(t.n, 1);
    assert_int_equal(t.c[0].packets_ab, 2);
    assert_int_equal(t.c[0].packets_ba, 0);
    nt_conv_table_free(&t);

    /* TCP between two ports of one address: the ports tell the direction */
    nt_conv_table_init(&t, NT_CONV_TCP);
    p = pk(H1, H1, 1000, 2000, 0, 54, 0);
    nt_conv_table_add(&t, &p);
    p = pk(H1, H1, 2000, 1000, 0, 54, 10);
    nt_conv_table_add(&t, &p);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.c[0].port_a, 1000);
    assert_int_equal(t.c[0].packets_ab, 1);
    assert_int_equal(t.c[0].packets_ba, 1);
    nt_conv_table_free(&t);
}

static void streams_are_the_key(void **state)
{
    (void)state;
    nt_conv_table t;
    nt_conv_table_init(&t, NT_CONV_TCP);
    /* the same ports reused: stream 1 is a new row */
    nt_conv_pkt p = pk(H1, H2, 40000, 80, 0, 74, 0);
    nt_conv_table_add(&t, &p);
    p = pk(H2, H1, 80, 40000, 0, 74, 1);
    nt_conv_table_add(&t, &p);
    p = pk(H1, H2, 40000, 80, 1, 74, 2);
    nt_conv *c = nt_conv_table_add(&t, &p);
    assert_int_equal(t.n, 2);
    assert_int_equal(c->stream, 1);
    assert_int_equal(c->packets_ab, 1);
    assert_int_equal(t.c[0].packets_ab + t.c[0].packets_ba, 2);
    nt_conv_table_free(&t);
}

static void times_are_min_and_max(void **state)
{
    (void)state;
    nt_conv_table t;
    nt_conv_table_init(&t, NT_CONV_IPV4);
    int64_t times[] = {500, 900, 200, 700, -100, 1000};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        nt_conv_pkt p = pk(H1, H2, 0, 0, 0, 10, times[i]);
        nt_conv_table_add(&t, &p);
    }
    assert_int_equal(t.c[0].start_ns, -100);
    assert_int_equal(t.c[0].stop_ns, 1000);
    nt_conv_table_free(&t);
}

static void order_and_growth(void **state)
{
    (void)state;
    nt_conv_table t;
    nt_conv_table_init(&t, NT_CONV_UDP);
    /* stream s gets s % 7 + 1 packets: many ties */
    enum { N = 20000 };
    for (uint32_t round = 0; round < 7; round++)
        for (uint32_t s = 0; s < N; s++) {
            if (round > s % 7) continue;
            nt_conv_pkt p = pk(H1, H2, (uint16_t)(s + 1), 53, s, 100, s);
            nt_conv_table_add(&t, &p);
        }
    assert_int_equal(t.n, N);
    assert_true(t.index.nslot >= 2 * t.n); /* the map stays at most half full */
    nt_conv_table_sort(&t);
    for (size_t i = 1; i < t.n; i++) {
        uint64_t a = t.c[i - 1].packets_ab + t.c[i - 1].packets_ba, b = t.c[i].packets_ab + t.c[i].packets_ba;
        assert_true(a >= b);
        if (a == b) assert_true(t.c[i - 1].stream < t.c[i].stream); /* first appearance first */
    }
    assert_int_equal(t.c[0].stream, 6);
    /* still indexed after sorting */
    for (uint32_t s = 0; s < N; s += 997) {
        nt_conv_pkt p = pk(H1, H2, 0, 0, s, 0, 0);
        nt_conv *c = nt_conv_table_find(&t, &p);
        assert_non_null(c);
        assert_int_equal(c->stream, s);
        assert_int_equal(c->packets_ab, s % 7 + 1);
        assert_int_equal(c->port_a, s + 1);
    }
    nt_conv_table_free(&t);
}

static void bits_per_second(void **state)
{
    (void)state;
    nt_conv c = {.bytes_ab = 1000, .bytes_ba = 250, .start_ns = 0, .stop_ns = 5000000};
    uint64_t ab = 1, ba = 1;
    /* 5 ms or less: Wireshark shows no rate */
    assert_false(nt_conv_bps(&c, &ab, &ba));
    c.stop_ns = 2000000000;
    assert_true(nt_conv_bps(&c, &ab, &ba));
    assert_int_equal(ab, 4000);
    assert_int_equal(ba, 1000);
    /* nstime_to_sec() truncates towards zero, also below zero */
    assert_true(nt_conv_secs(-1500000000) == -1.5);
    assert_true(nt_conv_secs(2000000001) == 2.0 + 1e-9);
}

static void type_names(void **state)
{
    (void)state;
    const char *names[] = {"eth", "ip", "ipv6", "tcp", "udp"};
    for (int i = 0; i < NT_CONV_NTYPES; i++) {
        nt_conv_type t;
        assert_true(nt_conv_type_parse(names[i], &t));
        assert_int_equal(t, i);
        assert_string_equal(nt_conv_type_name(t), names[i]);
    }
    nt_conv_type t;
    assert_false(nt_conv_type_parse("ipv4", &t));
    assert_false(nt_conv_type_parse("", &t));
}

/* ---- whole packets ---------------------------------------------------- */

static size_t put_eth(uint8_t *b, uint8_t src, uint8_t dst, uint16_t type)
{
    const uint8_t m[6] = {2, 0, 0, 0, 0, 0};
    memcpy(b, m, 6);
    b[5] = dst;
    memcpy(b + 6, m, 6);
    b[11] = src;
    b[12] = (uint8_t)(type >> 8), b[13] = (uint8_t)type;
    return 14;
}

static size_t put_ip(uint8_t *b, const uint8_t *src, const uint8_t *dst, uint8_t proto, size_t payload)
{
    memset(b, 0, 20);
    b[0] = 0x45;
    b[2] = (uint8_t)((20 + payload) >> 8), b[3] = (uint8_t)(20 + payload);
    b[8] = 64, b[9] = proto;
    memcpy(b + 12, src, 4);
    memcpy(b + 16, dst, 4);
    return 20;
}

static size_t put_udp(uint8_t *b, uint16_t sp, uint16_t dp, size_t data)
{
    memset(b, 0, 8 + data);
    b[0] = (uint8_t)(sp >> 8), b[1] = (uint8_t)sp, b[2] = (uint8_t)(dp >> 8), b[3] = (uint8_t)dp;
    b[4] = (uint8_t)((8 + data) >> 8), b[5] = (uint8_t)(8 + data);
    return 8 + data;
}

static void feed(nt_session *s, nt_convs *cs, const uint8_t *d, size_t n, uint64_t num, uint32_t wire)
{
    nt_frame f = {.number = num, .ts = {1700000000 + (int64_t)num, 0}, .caplen = (uint32_t)n, .len = wire,
                  .data = d, .linktype = NT_LINK_ETHERNET};
    nt_packet pkt;
    nt_session_dissect(s, &f, &pkt);
    nt_convs_add(cs, &pkt);
}

static void packets_outer_headers_only(void **state)
{
    (void)state;
    nt_session *s = nt_session_new();
    nt_convs cs;
    nt_convs_init(&cs, (1u << NT_CONV_ETH) | (1u << NT_CONV_IPV4) | (1u << NT_CONV_UDP));
    uint8_t b[256];
    /* frame 1: H1:5000 -> H2:53, 100 bytes on the wire (caplen shorter) */
    size_t n = put_eth(b, 1, 2, 0x0800);
    n += put_ip(b + n, H1, H2, 17, 12);
    n += put_udp(b + n, 5000, 53, 4);
    feed(s, &cs, b, n, 1, 100);
    /* frame 2: H2 answers with an ICMP port unreachable quoting it */
    n = put_eth(b, 2, 1, 0x0800);
    n += put_ip(b + n, H2, H1, 1, 8 + 20 + 8);
    memset(b + n, 0, 8);
    b[n] = 3, b[n + 1] = 3;
    n += 8;
    n += put_ip(b + n, H1, H2, 17, 12);
    n += put_udp(b + n, 5000, 53, 0);
    feed(s, &cs, b, n, 2, (uint32_t)n);
    /* frame 3: a UDP length below 8 is not a conversation's packet */
    n = put_eth(b, 1, 2, 0x0800);
    n += put_ip(b + n, H1, H2, 17, 8);
    put_udp(b + n, 5000, 53, 0);
    b[n + 5] = 4;
    n += 8;
    feed(s, &cs, b, n, 3, (uint32_t)n);
    /* frame 4: IPv4 header length 4 (bogus): Ethernet only */
    n = put_eth(b, 1, 2, 0x0800);
    n += put_ip(b + n, H1, H3, 17, 0);
    b[14] = 0x44;
    feed(s, &cs, b, n, 4, (uint32_t)n);

    const nt_conv_table *eth = &cs.t[NT_CONV_ETH], *ip = &cs.t[NT_CONV_IPV4], *udp = &cs.t[NT_CONV_UDP];
    assert_int_equal(eth->n, 1);
    assert_int_equal(eth->c[0].packets_ab, 3);
    assert_int_equal(eth->c[0].packets_ba, 1);
    assert_int_equal(eth->c[0].bytes_ab, 100 + 42 + 34);
    assert_int_equal(ip->n, 1); /* no H1-H3 row, and the quoted header adds nothing */
    assert_int_equal(ip->c[0].packets_ab, 2);
    assert_int_equal(ip->c[0].packets_ba, 1);
    assert_int_equal(udp->n, 1);
    assert_int_equal(udp->c[0].packets_ab, 1); /* frame 1 only */
    assert_int_equal(udp->c[0].packets_ba, 0);
    assert_int_equal(udp->c[0].bytes_ab, 100);
    assert_int_equal(udp->c[0].port_a, 5000);
    assert_int_equal(udp->c[0].start_ns, 0);
    assert_int_equal(ip->c[0].stop_ns, 2000000000);
    assert_int_equal(cs.t[NT_CONV_TCP].n, 0); /* not asked for */
    nt_convs_free(&cs);
    nt_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(directions_and_a),
        cmocka_unit_test(self_conversation),
        cmocka_unit_test(streams_are_the_key),
        cmocka_unit_test(times_are_min_and_max),
        cmocka_unit_test(order_and_growth),
        cmocka_unit_test(bits_per_second),
        cmocka_unit_test(type_names),
        cmocka_unit_test(packets_outer_headers_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
