/* Unit tests for filter/: parsing and precedence, literal conversion per
 * type, multi-valued field semantics, slices and functions, and every
 * error message the checker gives (with the caret line). Packets are built
 * here; the differential test checks the same against tshark on captures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "nettracer/registry.h"
#include "nettracer/filter.h"
#include "nettracer/session.h"

/* Ethernet / IPv4 10.0.0.1 -> 10.0.0.2 / TCP 49693 -> 443 SYN with MSS, SACK_PERM, TS, WS */
static const uint8_t syn[] = {
    0x02, 0, 0, 0, 0, 2, 0x00, 0x22, 0x64, 0x08, 0x91, 0xa6, 0x08, 0x00,
    0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0xc2, 0x1d, 0x01, 0xbb, 0, 0, 0, 100, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
    2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
};

/* ICMP port unreachable from 10.0.0.2 quoting UDP 10.0.0.1:5000 -> 10.0.0.2:53 */
static const uint8_t unreach[] = {
    0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,
    0x45, 0, 0, 56, 0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1,
    3, 3, 0, 0, 0, 0, 0, 0,
    0x45, 0, 0, 28, 0xab, 0xcd, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0x13, 0x88, 0, 53, 0, 8, 0, 0,
};

static bool match(const uint8_t *d, size_t n, const char *expr)
{
    nt_error err = {0};
    nt_filter *f = nt_filter_compile(expr, &nt_registry, &err);
    if (!f) fail_msg("did not compile: %s: %s", expr, err.msg);
    nt_frame fr = {.number = 1, .caplen = (uint32_t)n, .len = (uint32_t)n, .data = d, .linktype = NT_LINK_ETHERNET};
    nt_session *s = nt_session_new();
    nt_packet pkt;
    nt_session_dissect(s, &fr, &pkt);
    bool r = nt_filter_match(f, &pkt);
    nt_session_free(s);
    nt_filter_free(f);
    return r;
}

static void expect_error(const char *expr, const char *msg)
{
    nt_error err = {0};
    nt_filter *f = nt_filter_compile(expr, &nt_registry, &err);
    if (f) fail_msg("compiled but should not: %s", expr);
    if (strcmp(err.msg, msg)) fail_msg("for %s\n got: %s\nwant: %s", expr, err.msg, msg);
}

#define YES(e) assert_true(match(syn, sizeof syn, e))
#define NO(e) assert_false(match(syn, sizeof syn, e))

static void comparisons_and_types(void **st)
{
    (void)st;
    YES("tcp");
    YES("ip and tcp and not udp");
    NO("udp");
    YES("tcp.port == 443");
    YES("tcp.port eq 49693");
    YES("tcp.dstport == 0x1bb");
    YES("tcp.dstport == 0673");
    YES("ip.len == 0b111100");
    YES("tcp.srcport > tcp.dstport");
    YES("ip.addr == 10.0.0.0/8");
    NO("ip.addr == 192.168.0.0/16");
    YES("ip.src == 10.0.0.1 && ip.dst == 10.0.0.2");
    YES("eth.src == 00:22:64:08:91:a6");
    YES("eth.src == 00-22-64-08-91-a6");
    YES("eth.src == 0022.6408.91a6");
    YES("eth.src[0:3] == 00:22:64");
    YES("eth.src[-1] == a6");
    YES("eth.src[3-4] == 08:91");
    YES("eth.src[:2] == 00:22 and eth.src[4:] == 91:a6");
    YES("tcp.flags.syn == 1 and tcp.flags.ack == 0");
    YES("tcp.flags.syn");
    YES("tcp.flags & 0x02");
    NO("tcp.flags & 0x10");
    YES("tcp.flags & 0x12 == 0x02");
    YES("tcp.options.mss_val == 1460");
    YES("tcp.options.wscale.shift == 7");
    YES("tcp.port in {80, 443, 8000..8080}");
    NO("tcp.port in {80, 8000..8080}");
    YES("tcp.port not in {80}");
    YES("ip.proto == \"TCP\"");
    YES("len(tcp) == 40");
    YES("len(eth.src) == 6");
    YES("count(tcp.port) == 2");
    YES("frame.len == 74 and frame.number == 1");
    YES("frame contains \"\\x05\\xb4\"");
    YES("frame matches \"^\\\\x02\"");
    YES("tcp.srcport + 1 == 49694");
    YES("frame.len % 2 == 0");
    YES("{frame.len - 14} * 2 == 120");
}

static void precedence_and_quantifiers(void **st)
{
    (void)st;
    /* and binds tighter than or */
    YES("udp or tcp and tcp.port == 443");
    NO("(udp or tcp) and tcp.port == 80");
    YES("not udp and tcp");
    YES("!(udp || icmp)");
    /* multi-valued fields, Wireshark 4.0 rules */
    YES("ip.addr == 10.0.0.1");
    NO("ip.addr != 10.0.0.1");          /* all occurrences must differ */
    YES("ip.addr ~= 10.0.0.1");          /* any occurrence differs */
    YES("ip.addr !== 10.0.0.1");
    NO("ip.addr === 10.0.0.1");          /* all equal */
    YES("any ip.addr == 10.0.0.2");
    NO("all ip.addr == 10.0.0.2");
    YES("all ip.addr == 10.0.0.0/24");
    NO("udp.port != 53");                /* absent field: not "not equal" */
}

static void quoted_packets(void **st)
{
    (void)st;
    /* the packet an ICMP error quotes is matched too, as in Wireshark */
    assert_true(match(unreach, sizeof unreach, "udp.port == 53"));
    assert_true(match(unreach, sizeof unreach, "icmp and udp"));
    assert_true(match(unreach, sizeof unreach, "count(ip.addr) == 4"));
    assert_true(match(unreach, sizeof unreach, "ip.id == 0xabcd"));
    assert_true(match(unreach, sizeof unreach, "icmp.type == 3 and icmp.code == 3"));
    assert_false(match(unreach, sizeof unreach, "tcp"));
}

static void errors(void **st)
{
    (void)st;
    expect_error("tcp.prot == 1", "Left side of \"==\" expression must be a field or function, not tcp.prot.\n"
                                  "    tcp.prot == 1\n    ^~~~~~~~");
    expect_error("tcp.prot", "tcp.prot is neither a field nor a protocol name.\n    tcp.prot\n    ^~~~~~~~");
    expect_error("tcp.port == foo", "\"foo\" is not a valid number.\n    tcp.port == foo\n                ^~~");
    expect_error("tcp.port == 70000",
                 "\"70000\" too big for this field, maximum 65535.\n    tcp.port == 70000\n                ^~~~~");
    expect_error("tcp.port == \"abc\"", "Unsigned integer (2 bytes) cannot be converted from a string (\"abc\").\n"
                                        "    tcp.port == \"abc\"\n                ^~~~~");
    expect_error("ip.addr == 1.2.3.300",
                 "\"1.2.3.300\" is not a valid hostname or IPv4 address.\n    ip.addr == 1.2.3.300\n               ^~~~~~~~~");
    expect_error("ip.addr == 10.0.0.1/33", "Netmask bits in a CIDR IPv4 address should be <= 32, not 33\n"
                                           "    ip.addr == 10.0.0.1/33\n               ^~~~~~~~~~~");
    expect_error("eth.src == 02:99", "\"02:99\" contains too few bytes to be a valid Ethernet address.\n"
                                     "    eth.src == 02:99\n               ^~~~~");
    expect_error("frame.time_relative > abc",
                 "\"abc\" is not a valid time.\n    frame.time_relative > abc\n                          ^~~");
    expect_error("tcp.port contains 80", "tcp.port (type=Unsigned integer (2 bytes)) cannot participate in contains "
                                         "comparison.\n    tcp.port contains 80\n    ^~~~~~~~");
    expect_error("tcp.flags.syn == true", "\"true\" cannot be found among the possible values for tcp.flags.syn.\n"
                                          "    tcp.flags.syn == true\n                     ^~~~");
    expect_error("tcp.port == 80 xor ip",
                 "\"xor\" was unexpected in this context.\n    tcp.port == 80 xor ip\n                   ^~~");
    expect_error("@tcp.port == 80", "\"@\" was unexpected in this context.\n    @tcp.port == 80\n    ^");
    expect_error("tcp.port in {80 443}",
                 "\"443\" was unexpected in this context.\n    tcp.port in {80 443}\n                    ^~~");
    expect_error("tcp.port ==", "Unexpected end of filter expression.");
    expect_error("(tcp.port == 80", "Unexpected end of filter expression.");
    expect_error("", "Unexpected end of filter expression.");
    expect_error("tcp.port[0] == 1", "\"tcp.port\" is a Unsigned integer (2 bytes) and cannot be sliced into a "
                                     "sequence of bytes.\n    tcp.port[0] == 1\n    ^~~~~~~~");
    expect_error("upper(eth.src) == \"x\"", "Only string type fields can be used as parameter for upper()\n"
                                            "    upper(eth.src) == \"x\"\n          ^~~~~~~");
    {
        nt_error err = {0};
        assert_null(nt_filter_compile("frame matches \"(\"", &nt_registry, &err));
        assert_non_null(strstr(err.msg, "is not a valid regular expression"));
    }
}

static void registry(void **st)
{
    (void)st;
    /* every field the issue names is registered with a type */
    const char *names[] = {"frame.number", "frame.len", "frame.cap_len", "frame.time_relative", "frame.time_delta",
                           "frame.time_delta_displayed", "frame.comment", "eth.addr", "eth.src", "eth.dst",
                           "eth.type", "vlan.id", "ip.addr", "ip.src", "ip.dst", "ip.len", "ip.id", "ip.ttl",
                           "ip.proto", "ip.flags.df", "ip.flags.mf", "ip.frag_offset", "ipv6.addr", "ipv6.src",
                           "ipv6.dst", "ipv6.nxt", "ipv6.hlim", "icmp.type", "icmp.code", "icmpv6.type", "tcp.port",
                           "tcp.srcport", "tcp.dstport", "tcp.stream", "tcp.len", "tcp.seq", "tcp.ack", "tcp.nxtseq",
                           "tcp.window_size", "tcp.window_size_value", "tcp.flags", "tcp.flags.syn", "tcp.flags.ack",
                           "tcp.flags.fin", "tcp.flags.reset", "tcp.flags.push", "tcp.flags.urg",
                           "tcp.options.mss_val", "tcp.checksum", "udp.port", "udp.srcport", "udp.dstport",
                           "udp.length", "udp.stream", "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const nt_field *f = nt_field_find(&nt_registry, names[i]);
        if (!f) fail_msg("missing field %s", names[i]);
        assert_true(f->type != NT_FT_NONE);
        assert_true(f->pkt_get != NULL || f->get != NULL); /* an accessor of either kind */
    }
    /* names are unique */
    for (size_t i = 0; i < nt_field_count(&nt_registry); i++)
        for (size_t j = i + 1; j < nt_field_count(&nt_registry); j++)
            assert_true(strcmp(nt_field_at(&nt_registry, i)->name, nt_field_at(&nt_registry, j)->name) != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(comparisons_and_types), cmocka_unit_test(precedence_and_quantifiers),
        cmocka_unit_test(quoted_packets),        cmocka_unit_test(errors),
        cmocka_unit_test(registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
