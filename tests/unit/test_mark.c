/* Unit tests for probe/mark.c and the capture's marker comments: the
 * default gateway from /proc/net/route and /proc/net/ipv6_route texts
 * (metrics, non-default and reject routes, malformed lines), the marker
 * payload, and nt_marker_comment on the recorded marker captures agreeing
 * with nt_markers_add frame by frame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <string.h>

#include "nettracer/mark.h"
#include "nettracer/markers.h"
#include "nettracer/packet.h"
#include "nettracer/trace.h"

static const char route4[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "eth1\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
    "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "tun0\t00000000\t00000000\t0001\t0\t0\t50\t00000000\t0\t0\t0\n" /* default without a gateway */
    "junk line\n";

static const char route6[] =
    "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 "
    "00000100 00000001 00000000 00000001     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 "
    "00000400 00000002 00000000 00000003     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000009 "
    "00000200 00000002 00000000 00200200       lo\n" /* reject route */
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd0000000000000000000000000000zz "
    "00000001 00000002 00000000 00000003     bad0\n";

static void gateway_v4(void **state)
{
    (void)state;
    uint8_t a[16];
    char ifc[32];
    assert_int_equal(nt_route_default_parse(4, route4, a, ifc, sizeof ifc), 0);
    /* the lowest metric wins; the bytes are reversed in the file */
    assert_memory_equal(a, ((uint8_t[]){192, 0, 2, 1}), 4);
    assert_string_equal(ifc, "eth0");
    assert_int_equal(nt_route_default_parse(4, "Iface\tDestination\n", a, ifc, sizeof ifc), -1);
    assert_int_equal(nt_route_default_parse(4, "", a, ifc, sizeof ifc), -1);
}

static void gateway_v6(void **state)
{
    (void)state;
    uint8_t a[16];
    char ifc[32];
    assert_int_equal(nt_route_default_parse(6, route6, a, ifc, sizeof ifc), 0);
    static const uint8_t ll[16] = {0xfe, 0x80, [15] = 1};
    assert_memory_equal(a, ll, 16);
    assert_string_equal(ifc, "eth0");
    /* only the reject route: none */
    const char *rej = strstr(route6, "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd00");
    assert_int_equal(nt_route_default_parse(6, rej, a, ifc, sizeof ifc), -1);
}

static void payload(void **state)
{
    (void)state;
    uint8_t p[40];
    nt_mark_payload(p, 22);
    assert_memory_equal(p, "nettracer marker nettr", 22);
    nt_mark_payload(p, 1);
    assert_int_equal(p[0], 'n');
}

/* the capture's comment says exactly what nt_markers_add records */
static void comments_agree(const char *file, uint32_t want_markers)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", NT_TEST_CAPTURES, file);
    nt_error err = {0};
    nt_trace *t = nt_trace_open(path, &err);
    assert_non_null(t);
    nt_markers mk;
    nt_markers_init(&mk, 22, 33);
    nt_frame f;
    uint32_t commented = 0;
    while (nt_trace_next(t, &f, &err) == 1) {
        nt_packet pkt;
        nt_dissect(&f, &pkt);
        size_t before = mk.n;
        nt_markers_add(&mk, &pkt);
        const char *c = nt_marker_comment(&f, 22, 33);
        if (mk.n > before) {
            assert_non_null(c);
            assert_string_equal(c, mk.m[mk.n - 1].start ? NT_MARKER_COMMENT_START : NT_MARKER_COMMENT_END);
            commented++;
        } else {
            assert_null(c);
        }
    }
    assert_int_equal(commented, want_markers);
    nt_markers_free(&mk);
    nt_trace_close(t);
}

static void capture_comments(void **state)
{
    (void)state;
    comments_agree("markers.pcap", 4);
    comments_agree("markers6.pcap", 4);
    comments_agree("http4.pcap", 0);
}

/* The capture's quick test (frames whose IP protocol is TCP or UDP are not
 * dissected) never hides a frame nt_markers_add counts by size: on every
 * capture of the test set (Ethernet, VLAN and Q-in-Q, SLL, SLL2, raw IP,
 * loopback, IPv6, fragments, tunnels, ICMP errors quoting echoes, damaged
 * frames), with the default sizes and with sizes that common pings have. */
static void all_captures_agree(void **state)
{
    (void)state;
    static const uint32_t sizes[][2] = {{22, 33}, {56, 32}, {48, 64}};
    DIR *d = opendir(NT_TEST_CAPTURES);
    assert_non_null(d);
    struct dirent *e;
    unsigned files = 0;
    uint64_t echoes = 0;
    while ((e = readdir(d))) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", NT_TEST_CAPTURES, e->d_name);
        nt_error err = {0};
        nt_trace *t = nt_trace_open(path, &err);
        if (!t) continue; /* not a capture */
        files++;
        nt_frame f;
        while (nt_trace_next(t, &f, &err) == 1) {
            nt_packet pkt;
            nt_dissect(&f, &pkt);
            for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
                bool reply;
                int64_t size = nt_echo_payload(&pkt, &reply);
                bool marker = size >= 0 && (size == sizes[k][0] || size == sizes[k][1]);
                if (marker) echoes++;
                const char *c = nt_marker_comment(&f, sizes[k][0], sizes[k][1]);
                if (marker != (c != NULL))
                    fail_msg("%s frame %llu, sizes %u,%u: marker %d, comment %s", e->d_name,
                             (unsigned long long)f.number, sizes[k][0], sizes[k][1], marker, c ? c : "none");
            }
        }
        nt_trace_close(t);
    }
    closedir(d);
    assert_true(files > 50);
    assert_true(echoes > 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gateway_v4),
        cmocka_unit_test(gateway_v6),
        cmocka_unit_test(payload),
        cmocka_unit_test(capture_comments),
        cmocka_unit_test(all_captures_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
