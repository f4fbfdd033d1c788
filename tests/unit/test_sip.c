/* Unit tests for proto/sip.c and proto/sdp.c: request and status lines,
 * the headers and their compact forms, tags and user parts, message length
 * on a stream, Info text as tshark 4.0 prints it, SDP media endpoints, and
 * malformed input (every prefix, Content-Length that lies or is not a
 * number, bad first lines) decoded without reading past the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "nettracer/sdp.h"
#include "nettracer/sip.h"

static const char invite[] =
    "INVITE sip:bob@10.55.0.2 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.55.0.1:5060;branch=z9hG4bK-1;rport\r\n"
    "Via: SIP/2.0/UDP 10.55.9.9:5060;branch=z9hG4bK-0\r\n"
    "Max-Forwards: 70\r\n"
    "From: \"Alice <A>\" <sip:alice@10.55.0.1>;tag=a1f00d\r\n"
    "To: <sip:bob@10.55.0.2>\r\n"
    "Call-ID: 3f2a9c@10.55.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:alice@10.55.0.1:5060>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 149\r\n"
    "\r\n"
    "v=0\r\n"
    "o=- 1 1 IN IP4 10.55.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 10.55.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 40000 RTP/AVP 0 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";

static char *dup_exact(const char *s, size_t n)
{
    char *d = malloc(n ? n : 1);
    memcpy(d, s, n);
    return d;
}

static void info_is(const nt_sip *s, const char *want)
{
    nt_buf b;
    nt_buf_init(&b);
    nt_sip_info(s, &b);
    assert_string_equal(b.p, want);
    nt_buf_free(&b);
}

static void request_fields(void **st)
{
    (void)st;
    nt_sip s;
    uint32_t len = (uint32_t)strlen(invite);
    assert_true(nt_sip_detect((const uint8_t *)invite, len));
    assert_true(nt_sip_parse((const uint8_t *)invite, len, &s));
    assert_true(s.is_request);
    assert_true(nt_text_eq(s.method, "INVITE"));
    assert_true(nt_text_eq(s.ruri, "sip:bob@10.55.0.2"));
    assert_true(nt_text_eq(s.call_id, "3f2a9c@10.55.0.1"));
    assert_true(s.has_cseq);
    assert_int_equal(s.cseq_seq, 1);
    assert_true(nt_text_eq(s.cseq_method, "INVITE"));
    assert_true(nt_text_eq(s.from.user, "alice"));
    assert_true(nt_text_eq(s.from.tag, "a1f00d"));
    assert_true(nt_text_eq(s.to.user, "bob"));
    assert_null(s.to.tag.p);
    assert_int_equal(s.nvia, 2);
    assert_true(nt_text_eq(s.via[1], "SIP/2.0/UDP 10.55.9.9:5060;branch=z9hG4bK-0"));
    assert_int_equal(s.ncontact, 1);
    assert_true(s.has_clen);
    assert_int_equal(s.content_length, 149);
    assert_int_equal(s.body_len, 149);
    assert_false(s.body_cut);
    assert_int_equal(s.msg_len, len);
    assert_true(nt_sip_has_sdp(&s));
    info_is(&s, "Request: INVITE sip:bob@10.55.0.2 | ");

    nt_sdp d;
    assert_true(nt_sdp_parse(s.body, s.body_len, &d));
    assert_int_equal(d.nmedia, 1);
    assert_true(d.has_conn);
    assert_int_equal(d.conn.family, 4);
    assert_int_equal(d.media[0].port, 40000);
    assert_int_equal(d.media[0].nfmt, 2);
    assert_int_equal(nt_sdp_clock_rate(&d.media[0], 101), 8000);
    nt_sdp_endpoint e[2];
    assert_int_equal(nt_sdp_endpoints(&d, e, 2), 1);
    assert_int_equal(e[0].rtp_port, 40000);
    assert_int_equal(e[0].rtcp_port, 40001);
    const uint8_t want[4] = {10, 55, 0, 1};
    assert_memory_equal(e[0].addr, want, 4);

    /* the field table gives the same values */
    nt_fvalue v[NT_FIELD_MAX_OCC];
    for (size_t i = 0; i < nt_sip_nfields; i++) {
        if (!strcmp(nt_sip_fields[i].name, "sip.Via"))
            assert_int_equal(nt_sip_fields[i].get(&s, v, NT_FIELD_MAX_OCC), 2);
        if (!strcmp(nt_sip_fields[i].name, "sip.CSeq.seq")) {
            assert_int_equal(nt_sip_fields[i].get(&s, v, NT_FIELD_MAX_OCC), 1);
            assert_int_equal(v[0].v.u, 1);
        }
        if (!strcmp(nt_sip_fields[i].name, "sip.Status-Code"))
            assert_int_equal(nt_sip_fields[i].get(&s, v, NT_FIELD_MAX_OCC), 0);
    }
}

static void status_and_compact(void **st)
{
    (void)st;
    static const char ok[] =
        "SIP/2.0 200 OK\n"               /* bare LF line ends */
        "v: SIP/2.0/UDP 10.55.0.1\n"
        "f: <sip:alice@x>;tag=1\n"
        "t: Bob <sip:bob@y>;tag=zz;foo=bar\n"
        "i: cid\n"
        "CSeq: 7 BYE\n"
        "m: <sip:bob@y>\n"
        "l: 0\n"
        "\n";
    nt_sip s;
    assert_true(nt_sip_parse((const uint8_t *)ok, sizeof ok - 1, &s));
    assert_false(s.is_request);
    assert_int_equal(s.status, 200);
    assert_true(nt_text_eq(s.reason, "OK"));
    assert_true(nt_text_eq(s.call_id, "cid"));
    assert_true(nt_text_eq(s.to.tag, "zz"));
    assert_true(nt_text_eq(s.to.user, "bob"));
    assert_int_equal(s.nvia, 1);
    assert_int_equal(s.content_length, 0);
    info_is(&s, "Status: 200 OK (BYE) | ");

    static const char ringing[] = "SIP/2.0 180 Ringing\r\nCSeq: 1 INVITE\r\n\r\n";
    assert_true(nt_sip_parse((const uint8_t *)ringing, sizeof ringing - 1, &s));
    info_is(&s, "Status: 180 Ringing | ");

    /* tshark names the method of a 200 even when there is no CSeq */
    static const char nocseq[] = "SIP/2.0 200 Fine\r\n\r\n";
    assert_true(nt_sip_parse((const uint8_t *)nocseq, sizeof nocseq - 1, &s));
    info_is(&s, "Status: 200 Fine () | ");

    static const char diag[] =
        "SIP/2.0 488 Not Acceptable Here\r\nCSeq: 1 INVITE\r\n"
        "ms-diagnostics: 52001;reason=\"Client side general processing error.\";source=\"x\"\r\n\r\n";
    assert_true(nt_sip_parse((const uint8_t *)diag, sizeof diag - 1, &s));
    assert_true(nt_text_eq(s.ms_diag, "52001;reason=\"Client side general processing error.\";source=\"x\""));
    info_is(&s, "Status: 488 Not Acceptable Here | ");
}

static void register_bindings(void **st)
{
    (void)st;
    nt_sip s;
    static const char fetch[] = "REGISTER sip:r SIP/2.0\r\nCSeq: 1 REGISTER\r\n\r\n";
    assert_true(nt_sip_parse((const uint8_t *)fetch, sizeof fetch - 1, &s));
    info_is(&s, "Request: REGISTER sip:r  (fetch bindings) | ");
    static const char all[] = "REGISTER sip:r SIP/2.0\r\nContact: *\r\nExpires: 0\r\n\r\n";
    assert_true(nt_sip_parse((const uint8_t *)all, sizeof all - 1, &s));
    info_is(&s, "Request: REGISTER sip:r  (remove all bindings) | ");
    static const char two[] = "REGISTER sip:r SIP/2.0\r\nContact: \"a, b\" <sip:a@x>, <sip:b@y>;expires=0\r\n"
                              "m: <sip:c@z>\r\nExpires: 0\r\n\r\n";
    assert_true(nt_sip_parse((const uint8_t *)two, sizeof two - 1, &s));
    assert_int_equal(s.contacts, 3);
    assert_int_equal(s.contacts_expire0, 3);   /* one by parameter, two by Expires */
    info_is(&s, "Request: REGISTER sip:r  (remove 3 bindings) | ");
    static const char ok[] = "SIP/2.0 200 OK\r\nCSeq: 1 REGISTER\r\nContact: <sip:a@x>;expires=60\r\n\r\n";
    assert_true(nt_sip_parse((const uint8_t *)ok, sizeof ok - 1, &s));
    info_is(&s, "Status: 200 OK (REGISTER)  (1 binding) | ");
    static const char unauth[] = "SIP/2.0 401 Unauthorized\r\nCSeq: 1 REGISTER\r\n\r\n";
    assert_true(nt_sip_parse((const uint8_t *)unauth, sizeof unauth - 1, &s));
    info_is(&s, "Status: 401 Unauthorized | ");
}

static void folded_header(void **st)
{
    (void)st;
    static const char m[] = "OPTIONS sip:x SIP/2.0\r\nSubject: a\r\n  b\r\nCall-ID: q\r\n\t r\r\n\r\n";
    nt_sip s;
    assert_true(nt_sip_parse((const uint8_t *)m, sizeof m - 1, &s));
    assert_true(nt_text_eq(s.call_id, "q\r\n\t r"));
}

static void stream_length(void **st)
{
    (void)st;
    uint32_t len = (uint32_t)strlen(invite), ml = 0;
    char two[2048];
    snprintf(two, sizeof two, "%s%s", invite, "SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(nt_sip_msg_len((const uint8_t *)two, (uint32_t)strlen(two), &ml), NT_SIP_LEN_OK);
    assert_int_equal(ml, len);
    assert_int_equal(nt_sip_msg_len((const uint8_t *)two + len, (uint32_t)strlen(two) - len, &ml), NT_SIP_LEN_OK);
    assert_int_equal(ml, strlen(two) - len);
    /* every shorter prefix: need more */
    for (uint32_t n = 0; n < len; n++) {
        char *d = dup_exact(invite, n);
        assert_int_equal(nt_sip_msg_len((const uint8_t *)d, n, &ml), NT_SIP_LEN_MORE);
        free(d);
    }
    /* no Content-Length on a stream: no body */
    static const char nocl[] = "BYE sip:x SIP/2.0\r\nCSeq: 2 BYE\r\n\r\nXYZ";
    assert_int_equal(nt_sip_msg_len((const uint8_t *)nocl, sizeof nocl - 1, &ml), NT_SIP_LEN_OK);
    assert_int_equal(ml, sizeof nocl - 1 - 3);
    static const char bad[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(nt_sip_msg_len((const uint8_t *)bad, sizeof bad - 1, &ml), NT_SIP_LEN_BAD);
    static const char badcl[] = "BYE sip:x SIP/2.0\r\nContent-Length: 12x\r\n\r\n";
    assert_int_equal(nt_sip_msg_len((const uint8_t *)badcl, sizeof badcl - 1, &ml), NT_SIP_LEN_BAD);
    static const char hugecl[] = "BYE sip:x SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n";
    assert_int_equal(nt_sip_msg_len((const uint8_t *)hugecl, sizeof hugecl - 1, &ml), NT_SIP_LEN_BAD);
}

static void malformed(void **st)
{
    (void)st;
    nt_sip s;
    const char *bad[] = {
        "", "SIP/2.0 20 OK\r\n\r\n", "SIP/2.0 2000 OK\r\n\r\n", "INVITE sip:x HTTP/1.1\r\n\r\n",
        "INVITE  SIP/2.0\r\n\r\n", " INVITE sip:x SIP/2.0\r\n\r\n", "INVITE sip:x SIP/2.0",
        "HTTP/1.1 200 OK\r\n\r\n", "INVITE sip:a b SIP/2.0\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(nt_sip_parse((const uint8_t *)bad[i], (uint32_t)strlen(bad[i]), &s));
        assert_non_null(s.error);
        if (i != 6) assert_false(nt_sip_detect((const uint8_t *)bad[i], (uint32_t)strlen(bad[i])));
    }
    /* Content-Length larger than the datagram: body cut, not read past */
    static const char lie[] = "MESSAGE sip:x SIP/2.0\r\nContent-Length: 500\r\n\r\nhello";
    char *d = dup_exact(lie, sizeof lie - 1);
    assert_true(nt_sip_parse((const uint8_t *)d, sizeof lie - 1, &s));
    assert_true(s.body_cut);
    assert_int_equal(s.body_len, 5);
    free(d);
    /* every prefix of a real message parses or fails cleanly (ASan checks reads) */
    uint32_t len = (uint32_t)strlen(invite);
    for (uint32_t n = 0; n <= len; n++) {
        d = dup_exact(invite, n);
        bool ok = nt_sip_parse((const uint8_t *)d, n, &s);
        if (ok) {
            assert_true(s.msg_len <= n);
            nt_sdp sd;
            if (s.body_len) nt_sdp_parse(s.body, s.body_len, &sd);
        } else {
            assert_non_null(s.error);
        }
        free(d);
    }
}

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
        cmocka_unit_test(request_fields),
        cmocka_unit_test(status_and_compact),
        cmocka_unit_test(register_bindings),
        cmocka_unit_test(folded_header),
        cmocka_unit_test(stream_length),
        cmocka_unit_test(malformed),
        cmocka_unit_test(sdp_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
