/* Unit tests for proto/pseudotls.c: MS-TURN's pseudo-TLS hello byte for
 * byte against an implementation nobody here wrote (libnice,
 * socket/pseudossl.c, NICE_PSEUDOSSL_SOCKET_COMPATIBILITY_MSOC: its
 * SSL_CLIENT_MSOC_HANDSHAKE and SSL_SERVER_MSOC_HANDSHAKE arrays, copied
 * below as data), the server's answer read field by field, and what a wrong
 * server sends instead (a TLS alert, a real TLS ServerHello, STUN, HTTP),
 * every prefix (more bytes needed) and every single-byte corruption. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "nettracer/pseudotls.h"

/* libnice SSL_CLIENT_MSOC_HANDSHAKE (its random value is fixed) */
static const uint8_t NICE_CLIENT[50] = {
    0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29, 0x03, 0x01, 0xc1, 0xfc, 0xd5, 0xa3, 0x6d, 0x93,
    0xdd, 0x7e, 0x0b, 0x45, 0x67, 0x3f, 0xec, 0x79, 0x85, 0xfb, 0xbc, 0x3f, 0xd6, 0x60, 0xc2, 0xce, 0x84,
    0x85, 0x08, 0x1b, 0x81, 0x21, 0xbc, 0xaa, 0x10, 0xfb, 0x00, 0x00, 0x02, 0x00, 0x18, 0x01, 0x00};

/* libnice SSL_SERVER_MSOC_HANDSHAKE: random (11..42) and session ID
 * (44..75) zero, as libnice compares them after zeroing */
static const uint8_t NICE_SERVER[83] = {
    0x16, 0x03, 0x01, 0x00, 0x4e, 0x02, 0x00, 0x00,
    0x46, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x0e,
    0x00, 0x00, 0x00};

static void client_hello_bytes(void **state)
{
    (void)state;
    uint8_t out[NT_PTLS_HELLO_LEN];
    assert_int_equal(nt_ptls_client_hello(out, NICE_CLIENT + 11), 50);
    assert_memory_equal(out, NICE_CLIENT, 50);
    assert_true(nt_ptls_is_client_hello(NICE_CLIENT, 50));
    assert_false(nt_ptls_is_client_hello(NICE_CLIENT, 49));
    uint8_t other[50];
    memcpy(other, NICE_CLIENT, 50);
    other[46] = 0x2f;   /* another suite: not the pseudo-TLS hello */
    assert_false(nt_ptls_is_client_hello(other, 50));
}

static void server_answer(void **state)
{
    (void)state;
    nt_ptls_answer a;
    uint8_t buf[120];
    memcpy(buf, NICE_SERVER, 83);
    for (int i = 11; i < 43; i++) buf[i] = (uint8_t)(i * 37);   /* random */
    for (int i = 44; i < 76; i++) buf[i] = (uint8_t)(i * 11);   /* session ID */
    /* the first TURN message may follow in the same segment */
    memset(buf + 83, 0x00, sizeof buf - 83);
    assert_int_equal(nt_ptls_parse_answer(NICE_SERVER, 83, &a), NT_PTLS_OK);
    assert_int_equal(a.len, 83);
    assert_int_equal(nt_ptls_parse_answer(buf, sizeof buf, &a), NT_PTLS_OK);
    assert_int_equal(a.len, 83);
    assert_int_equal(a.version, 0x0301);
    assert_int_equal(a.cipher, 0x0018);
    assert_int_equal(a.sid_len, 32);
    for (size_t n = 0; n < 83; n++) {
        assert_int_equal(nt_ptls_parse_answer(buf, n, &a), NT_PTLS_MORE);
        assert_true(a.need > n && a.need <= 83);
    }
}

static void wrong_answers(void **state)
{
    (void)state;
    nt_ptls_answer a;
    static const uint8_t alert[7] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28};
    assert_int_equal(nt_ptls_parse_answer(alert, 7, &a), NT_PTLS_ALERT);
    assert_int_equal(a.alert_desc, 40);
    assert_string_equal(a.why, "a TLS alert: fatal handshake_failure (40)");
    assert_int_equal(nt_ptls_parse_answer(alert, 6, &a), NT_PTLS_MORE);

    /* a TLS 1.2 ServerHello choosing ECDHE-RSA-AES128-GCM, then a Certificate */
    uint8_t real[5 + 42 + 4 + 7];
    memset(real, 0, sizeof real);
    static const uint8_t rh[] = {0x16, 0x03, 0x03, 0x00, 49, 0x02, 0x00, 0x00, 38, 0x03, 0x03};
    memcpy(real, rh, sizeof rh);
    real[43] = 0;                     /* session ID length */
    real[44] = 0xc0, real[45] = 0x2f; /* suite */
    real[46] = 0;                     /* compression */
    real[47] = 11, real[50] = 3;      /* Certificate, length 3 */
    assert_int_equal(nt_ptls_parse_answer(real, 5 + 49, &a), NT_PTLS_REAL_TLS);
    assert_int_equal(a.cipher, 0xc02f);
    assert_string_equal(a.why, "a real TLS ServerHello (version 0x0303, cipher suite 0xc02f)");

    /* the right ServerHello, but without ServerHelloDone */
    uint8_t nodone[79];
    memcpy(nodone, NICE_SERVER, 79);
    nodone[4] = 74;
    assert_int_equal(nt_ptls_parse_answer(nodone, 79, &a), NT_PTLS_REAL_TLS);
    assert_string_equal(a.why, "a ServerHello without ServerHelloDone in its record");

    static const uint8_t stun[20] = {0x01, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
    assert_int_equal(nt_ptls_parse_answer(stun, 20, &a), NT_PTLS_STUN);
    assert_int_equal(nt_ptls_parse_answer(stun, 7, &a), NT_PTLS_MORE);
    static const char http[] = "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n";
    assert_int_equal(nt_ptls_parse_answer((const uint8_t *)http, sizeof http - 1, &a), NT_PTLS_OTHER);
    assert_string_equal(a.why, "an HTTP answer (\"HTTP/1.1 400 Bad Request\")");
    static const uint8_t v2[5] = {0x16, 0x02, 0x00, 0x00, 0x00};
    assert_int_equal(nt_ptls_parse_answer(v2, 5, &a), NT_PTLS_OTHER);
    static const uint8_t junk[3] = {0xff, 0xfe, 0x00};
    assert_int_equal(nt_ptls_parse_answer(junk, 3, &a), NT_PTLS_OTHER);
    assert_string_equal(a.why, "not TLS (first byte 0xff)");
}

/* Every single-byte corruption of the answer is judged without reading
 * past the buffer (ASan checks); only the random and session ID bytes and
 * the minor versions (record, ServerHello) may change and still give OK. */
static void corruption_sweep(void **state)
{
    (void)state;
    nt_ptls_answer a;
    uint8_t buf[83];
    for (size_t i = 0; i < 83; i++)
        for (int v = 0; v < 256; v += 5) {
            memcpy(buf, NICE_SERVER, 83);
            buf[i] = (uint8_t)v;
            for (size_t n = 0; n <= 83; n += 83) {
                nt_ptls_status st = nt_ptls_parse_answer(buf, n ? n : 41, &a);
                if (st == NT_PTLS_OK && buf[i] != NICE_SERVER[i])
                    assert_true(i == 2 || i == 10 || (i >= 11 && i < 43) || (i >= 44 && i < 76));
            }
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_hello_bytes),
        cmocka_unit_test(server_answer),
        cmocka_unit_test(wrong_answers),
        cmocka_unit_test(corruption_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
