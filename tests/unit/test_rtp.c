/* Unit tests for proto/rtp.c: RTP header with CSRCs, extension and
 * padding; RTCP compound packets; the heuristics; Info text as tshark
 * prints it; stream statistics (loss across a sequence wraparound,
 * duplicates, RFC 3550 jitter); malformed packets (every prefix, lengths
 * that lie) without reads past the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nettracer/rtp.h"

static uint8_t *dup_exact(const uint8_t *s, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    memcpy(d, s, n);
    return d;
}

static void rtp_header(void **st)
{
    (void)st;
    /* V=2 P=1 X=1 CC=2, M=1 PT=8, seq 0x1234, ts 160, ssrc 0xdeadbeef,
     * 2 CSRCs, extension profile 0xbede with 1 word, 3 payload bytes, 2 padding */
    static const uint8_t p[] = {
        0xb2, 0x88, 0x12, 0x34, 0, 0, 0, 160, 0xde, 0xad, 0xbe, 0xef,
        0, 0, 0, 1, 0, 0, 0, 2,
        0xbe, 0xde, 0, 1, 1, 2, 3, 4,
        'a', 'b', 'c', 0, 2,
    };
    nt_rtp r;
    assert_true(nt_rtp_parse(p, sizeof p, &r));
    assert_int_equal(r.version, 2);
    assert_true(r.padding && r.ext && r.marker);
    assert_int_equal(r.cc, 2);
    assert_int_equal(r.csrc[1], 2);
    assert_int_equal(r.pt, 8);
    assert_int_equal(r.seq, 0x1234);
    assert_int_equal(r.ssrc, 0xdeadbeef);
    assert_int_equal(r.ext_profile, 0xbede);
    assert_int_equal(r.hdr_len, 28);
    assert_int_equal(r.pad_len, 2);
    assert_int_equal(r.payload_len, 3);
    nt_buf b;
    nt_buf_init(&b);
    nt_rtp_info(&r, &b);
    assert_string_equal(b.p, "PT=ITU-T G.711 PCMA, SSRC=0xDEADBEEF, Seq=4660, Time=160, Mark");
    free(b.p);

    /* every prefix is refused cleanly */
    for (size_t n = 0; n < sizeof p; n++) {
        uint8_t *d = dup_exact(p, n);
        assert_false(nt_rtp_parse(d, (uint32_t)n, &r));
        assert_non_null(r.error);
        free(d);
    }
    /* padding count larger than the payload, and padding count 0 */
    uint8_t q[sizeof p];
    memcpy(q, p, sizeof p);
    q[sizeof q - 1] = 40;
    assert_false(nt_rtp_parse(q, sizeof q, &r));
    q[sizeof q - 1] = 0;
    assert_false(nt_rtp_parse(q, sizeof q, &r));
    /* extension length that lies */
    memcpy(q, p, sizeof p);
    q[23] = 200;
    assert_false(nt_rtp_parse(q, sizeof q, &r));
    /* version 1 */
    memcpy(q, p, sizeof p);
    q[0] = 0x40;
    assert_false(nt_rtp_parse(q, sizeof q, &r));
}

static void names_and_rates(void **st)
{
    (void)st;
    char buf[32];
    assert_string_equal(nt_rtp_pt_name(0, buf, sizeof buf), "ITU-T G.711 PCMU");
    assert_string_equal(nt_rtp_pt_name(18, buf, sizeof buf), "ITU-T G.729");
    assert_string_equal(nt_rtp_pt_name(96, buf, sizeof buf), "DynamicRTP-Type-96");
    assert_string_equal(nt_rtp_pt_name(73, buf, sizeof buf), "Reserved for RTCP conflict avoidance");
    assert_null(nt_rtp_pt_name(20, buf, sizeof buf));
    assert_int_equal(nt_rtp_clock_rate(9), 8000);    /* G.722: 8000 on the wire */
    assert_int_equal(nt_rtp_clock_rate(0), 8000);
    assert_int_equal(nt_rtp_clock_rate(34), 90000);
    assert_int_equal(nt_rtp_clock_rate(96), 0);
    nt_rtp r;
    static const uint8_t un[] = {0x80, 20, 0, 1, 0, 0, 0, 2, 0x12, 0x34, 0xab, 0xcd};
    assert_true(nt_rtp_parse(un, sizeof un, &r));
    nt_buf b;
    nt_buf_init(&b);
    nt_rtp_info(&r, &b);
    assert_string_equal(b.p, "PT=Unassigned, SSRC=0x1234ABCD, Seq=1, Time=2");
    free(b.p);
}

static void heuristics(void **st)
{
    (void)st;
    static const uint8_t rtp[] = {0x80, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xff};
    assert_true(nt_rtp_heuristic(rtp, sizeof rtp));
    uint8_t q[sizeof rtp];
    memcpy(q, rtp, sizeof q);
    q[1] = 200 & 0x7f;         /* an SR seen as RTP: payload type 72 */
    assert_false(nt_rtp_heuristic(q, sizeof q));
    q[1] = 0;
    q[0] = 0x00;               /* version 0 */
    assert_false(nt_rtp_heuristic(q, sizeof q));
    assert_false(nt_rtp_heuristic(rtp, 11));
    /* text (SIP) is never RTP: version 1 */
    assert_false(nt_rtp_heuristic((const uint8_t *)"INVITE sip:x SIP/2.0\r\n", 22));

    static const uint8_t sr[28] = {0x80, 200, 0, 6};
    assert_true(nt_rtcp_heuristic(sr, sizeof sr));
    assert_false(nt_rtcp_heuristic(sr, 27));          /* not a multiple of 4 */
    uint8_t s2[28] = {0x80, 202, 0, 6};
    assert_false(nt_rtcp_heuristic(s2, sizeof s2));   /* SDES may not come first */
}

static void rtcp_compound(void **st)
{
    (void)st;
    /* SR with one report block, then SDES with a CNAME, then BYE */
    static const uint8_t p[] = {
        0x81, 200, 0, 12, 0x11, 0x22, 0x33, 0x44,
        0xe0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0x1f, 0x40, 0, 0, 0, 50, 0, 0, 0x1f, 0x40,
        0x55, 0x66, 0x77, 0x88, 0x02, 0xff, 0xff, 0xfe, 0, 0, 0x10, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0,
        0x81, 202, 0, 3, 0x11, 0x22, 0x33, 0x44, 1, 5, 'a', '@', 'b', '.', 'c', 0,
        0x81, 203, 0, 1, 0x11, 0x22, 0x33, 0x44,
    };
    nt_rtcp r;
    assert_true(nt_rtcp_parse(p, sizeof p, &r));
    assert_int_equal(r.npkt, 3);
    assert_int_equal(r.pkt[0].pt, NT_RTCP_SR);
    assert_int_equal(r.pkt[0].ssrc, 0x11223344);
    assert_int_equal(r.pkt[0].pkt_count, 50);
    assert_int_equal(r.pkt[0].nrb, 1);
    assert_int_equal(r.pkt[0].rb[0].ssrc, 0x55667788);
    assert_int_equal(r.pkt[0].rb[0].fraction_lost, 2);
    assert_int_equal(r.pkt[0].rb[0].cum_lost, -2);
    assert_true(nt_text_eq(r.pkt[1].cname, "a@b.c"));
    assert_int_equal(r.pkt[2].pt, NT_RTCP_BYE);
    nt_buf b;
    nt_buf_init(&b);
    nt_rtcp_info(&r, &b);
    assert_string_equal(b.p, "Sender Report   Source description   Goodbye   ");
    free(b.p);
    /* sender SSRC: only the SR's */
    for (size_t i = 0; i < nt_rtcp_nfields; i++)
        if (!strcmp(nt_rtcp_fields[i].name, "rtcp.senderssrc")) {
            nt_fvalue v[NT_FIELD_MAX_OCC];
            assert_int_equal(nt_rtcp_fields[i].get(&r, v, NT_FIELD_MAX_OCC), 1);
        }
    /* every prefix: refused below one header; a packet cut short is kept
     * and marks the compound malformed (Wireshark's [Malformed Packet]);
     * fewer than 4 bytes after a whole packet are ignored, as Wireshark */
    for (size_t n = 0; n < sizeof p; n++) {
        uint8_t *d = dup_exact(p, n);
        bool ok = nt_rtcp_parse(d, (uint32_t)n, &r);
        assert_true(ok == (n >= 4));
        if (n >= 4 && n < 52) assert_true(r.malformed && r.npkt == 1 && r.pkt[0].cut);
        if (n >= 52 && n < 56) assert_true(!r.malformed && r.npkt == 1);
        if (n == 68) assert_true(!r.malformed && r.npkt == 2);
        free(d);
    }
    /* a later packet of version 0 ends the compound silently */
    uint8_t v0[60];
    memcpy(v0, p, 52);
    memset(v0 + 52, 0, 8);
    assert_true(nt_rtcp_parse(v0, sizeof v0, &r));
    assert_int_equal(r.npkt, 1);
    assert_false(r.malformed);
    /* a length that lies */
    uint8_t q[sizeof p];
    memcpy(q, p, sizeof p);
    q[3] = 100;
    assert_true(nt_rtcp_parse(q, sizeof q, &r));
    assert_true(r.malformed);
    assert_non_null(r.error);
    assert_int_equal(r.npkt, 1);
    assert_int_equal(r.pkt[0].len, sizeof q);
    /* the first packet of another version: not RTCP */
    q[0] = 0x40;
    assert_false(nt_rtcp_parse(q, sizeof q, &r));
    /* a report count larger than the blocks present: no read past */
    memcpy(q, p, sizeof p);
    q[0] = 0x9f;
    assert_true(nt_rtcp_parse(q, sizeof q, &r));
    assert_int_equal(r.pkt[0].nrb, 1);
}

static nt_rtp pkt(uint16_t seq, uint32_t ts)
{
    nt_rtp r;
    memset(&r, 0, sizeof r);
    r.version = 2;
    r.seq = seq;
    r.ts = ts;
    r.ssrc = 7;
    return r;
}

static void stats(void **st)
{
    (void)st;
    nt_rtp_stats s;
    memset(&s, 0, sizeof s);
    /* 20 ms packets across the sequence wraparound; 65535+3 and 65535+5 lost,
     * one duplicate */
    nt_time t = {1000, 0};
    uint16_t seq = 65530;
    uint32_t ts = 0xfffff000u;   /* timestamp wraps too */
    for (int i = 0; i < 12; i++, seq++, ts += 160) {
        nt_time at = {t.sec, t.nsec + (uint32_t)i * 20000000u};
        at.sec += at.nsec / 1000000000u;
        at.nsec %= 1000000000u;
        if (i == 8 || i == 10) continue;
        nt_rtp r = pkt(seq, ts);
        nt_rtp_stats_update(&s, &r, at, 8000);
        if (i == 4) nt_rtp_stats_update(&s, &r, at, 8000);   /* duplicate */
    }
    assert_int_equal(s.packets, 11);
    assert_int_equal(nt_rtp_stats_expected(&s), 12);
    assert_int_equal(nt_rtp_stats_lost(&s), 1);   /* 2 lost, 1 duplicate */
    assert_int_equal(s.cycles, 65536);
    assert_true(nt_rtp_stats_jitter_ms(&s) < 0.001);   /* perfectly paced */
    assert_int_equal(s.first.sec, 1000);

    /* a packet 10 ms late: |D| = 80 units, J = 80/16 = 5 units, then decays */
    memset(&s, 0, sizeof s);
    nt_rtp r = pkt(1, 0);
    nt_rtp_stats_update(&s, &r, (nt_time){0, 0}, 8000);
    r = pkt(2, 160);
    nt_rtp_stats_update(&s, &r, (nt_time){0, 30000000}, 8000);
    assert_true(fabs(s.jitter - 5.0) < 1e-6);
    assert_true(fabs(nt_rtp_stats_jitter_ms(&s) - 0.625) < 1e-6);
    r = pkt(3, 320);
    nt_rtp_stats_update(&s, &r, (nt_time){0, 50000000}, 8000);
    assert_true(fabs(s.jitter - 5.0 * 15 / 16) < 1e-6);
    assert_true(fabs(nt_rtp_stats_max_jitter_ms(&s) - 0.625) < 1e-9);
    /* the mean over the packets after the first, as tshark -z rtp,streams */
    assert_true(fabs(nt_rtp_stats_mean_jitter_ms(&s) - (5.0 + 5.0 * 15 / 16) / 2 / 8) < 1e-9);

    /* no clock rate: no jitter */
    memset(&s, 0, sizeof s);
    nt_rtp_stats_update(&s, &r, (nt_time){0, 0}, 0);
    assert_true(nt_rtp_stats_jitter_ms(&s) == 0.0);
    /* a restarted sender (jump of 20000): the new run counts on */
    r = pkt(20003, 0);
    nt_rtp_stats_update(&s, &r, (nt_time){1, 0}, 0);
    r = pkt(20004, 0);
    nt_rtp_stats_update(&s, &r, (nt_time){1, 0}, 0);
    assert_int_equal(nt_rtp_stats_expected(&s), 3);
    assert_int_equal(nt_rtp_stats_lost(&s), 0);
    assert_int_equal(s.last.sec, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rtp_header),
        cmocka_unit_test(names_and_rates),
        cmocka_unit_test(heuristics),
        cmocka_unit_test(rtcp_compound),
        cmocka_unit_test(stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
