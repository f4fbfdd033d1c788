/* Robustness of all application-protocol parsers together: random bytes
 * (fixed seed, first bytes often made plausible) through every parser,
 * Info writer and field accessor of sip, sdp, rtp, rtcp, dhcp, nbns and
 * tpkt, from exact-size heap buffers, so that ASan catches any read past
 * the input. */
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
        cmocka_unit_test(random_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
