/* Unit tests for proto/sdp.c: session and media c= lines, a=rtcp with an
 * address, rtcp-mux, a refused media (port 0), IPv6 connection addresses,
 * direction attributes, media endpoints and clock rates; malformed
 * descriptions refused with a reason; m= lines past the cap counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "nettracer/sdp.h"

static void sdp_cases(void **st)
{
    (void)st;
    static const char two[] =
        "v=0\r\nc=IN IP4 192.0.2.1\r\n"
        "m=audio 5004 RTP/AVP 8\r\nc=IN IP4 198.51.100.7/127\r\na=rtcp:6000 IN IP4 198.51.100.8\r\n"
        "m=video 0 RTP/AVP 96\r\n"
        "m=audio 7000 RTP/AVP 0\r\na=rtcp-mux\r\na=sendonly\r\n"
        "m=audio 8000 RTP/AVP 0\r\nc=IN IP6 2001:db8::1\r\n";
    nt_sdp d;
    assert_true(nt_sdp_parse((const uint8_t *)two, sizeof two - 1, &d));
    assert_int_equal(d.nmedia, 4);
    assert_true(nt_text_eq(d.media[0].conn.address, "198.51.100.7"));
    assert_true(nt_text_eq(d.media[2].direction, "sendonly"));
    nt_sdp_endpoint e[8];
    int n = nt_sdp_endpoints(&d, e, 8);
    assert_int_equal(n, 3);          /* port 0 refused */
    assert_int_equal(e[0].rtp_port, 5004);
    assert_int_equal(e[0].rtcp_port, 6000);
    assert_int_equal(e[0].rtcp_addr[3], 8);
    assert_int_equal(e[1].rtcp_port, 7000);   /* rtcp-mux */
    assert_int_equal(e[2].family, 6);
    assert_int_equal(nt_sdp_clock_rate(&d.media[0], 8), 8000);

    const char *bad[] = {"", "x=1\r\n", "v=0\r\nm=audio\r\n", "v=0\r\nm=audio 70000 RTP/AVP 0\r\n",
                         "v=0\r\nc=IN IP4\r\n", "v=0\r\nnot a line\r\n", "v=0\r\nm=audio 1/0 RTP/AVP 0\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(nt_sdp_parse((const uint8_t *)bad[i], (uint32_t)strlen(bad[i]), &d));
        assert_non_null(d.error);
    }
    /* more m= lines than the cap: counted, not stored */
    char many[2048] = "v=0\r\nc=IN IP4 10.0.0.1\r\n";
    for (int i = 0; i < NT_SDP_MAX_MEDIA + 3; i++) {
        char l[64];
        snprintf(l, sizeof l, "m=audio %d RTP/AVP 0\r\n", 10000 + 2 * i);
        strcat(many, l);
    }
    assert_true(nt_sdp_parse((const uint8_t *)many, (uint32_t)strlen(many), &d));
    assert_int_equal(d.nmedia, NT_SDP_MAX_MEDIA);
    assert_int_equal(d.media_dropped, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sdp_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
