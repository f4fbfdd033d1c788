/* Unit tests for analyze/keylog.c: every label of the NSS key log format,
 * comments, blank lines and CRLF; unknown labels (RSA forms) skipped and
 * counted; malformed lines (odd or bad hex, wrong lengths, extra tokens, a
 * truncated last line) counted with the first one's line number, never a
 * crash or a read past the buffer (the ASan build checks that). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nettracer/keylog.h"

#define R1 "0101010101010101010101010101010101010101010101010101010101010101"
#define R2 "AbCdEf0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789"
#define S32 "1111111111111111111111111111111111111111111111111111111111111111"
#define S48 S32 "22222222222222222222222222222222"

/* parse from an exact-size heap copy so ASan sees any overread */
static void parse(nt_keylog *kl, const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n ? n : 1);
    memcpy(d, s, n);
    assert_int_equal(nt_keylog_parse(kl, d, n), 0);
    free(d);
}

static void all_labels(void **st)
{
    (void)st;
    nt_keylog kl;
    nt_keylog_init(&kl);
    parse(&kl, "# comment\n\nCLIENT_RANDOM " R1 " " S48 "\r\n"
               "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R2 " " S32 "\n"
               "SERVER_HANDSHAKE_TRAFFIC_SECRET " R2 " " S48 "\n"
               "CLIENT_TRAFFIC_SECRET_0 " R2 " " S32 "\n"
               "SERVER_TRAFFIC_SECRET_0 " R2 " " S32 "\n"
               "EXPORTER_SECRET " R2 " " S32 "\n"
               "CLIENT_EARLY_TRAFFIC_SECRET " R2 " " S32 "\n"
               "EARLY_EXPORTER_SECRET " R2 " " S32);
    assert_int_equal(kl.n, 8);
    assert_int_equal(kl.lines, 8);
    assert_int_equal(kl.skipped, 0);
    assert_int_equal(kl.malformed, 0);
    uint8_t r1[32], r2[32] = {0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89};
    memset(r1, 1, 32);
    const nt_keylog_entry *e = nt_keylog_find(&kl, r1, NT_KL_CLIENT_RANDOM);
    assert_non_null(e);
    assert_int_equal(e->secret_len, 48);
    assert_int_equal(e->secret[0], 0x11);
    assert_int_equal(e->secret[47], 0x22);
    assert_null(nt_keylog_find(&kl, r1, NT_KL_CLIENT_TRAFFIC_SECRET_0));
    assert_null(nt_keylog_find(&kl, r2, NT_KL_CLIENT_TRAFFIC_SECRET_0)); /* r2 only partly set */
    static const uint8_t r2full[32] = {0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
        0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
        0x01, 0x23, 0x45, 0x67, 0x89};
    e = nt_keylog_find(&kl, r2full, NT_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET);
    assert_non_null(e);
    assert_int_equal(e->secret_len, 48);
    e = nt_keylog_find(&kl, r2full, NT_KL_EARLY_EXPORTER_SECRET);
    assert_non_null(e);
    assert_int_equal(e->secret_len, 32);
    assert_string_equal(nt_keylog_label_name(NT_KL_SERVER_TRAFFIC_SECRET_0), "SERVER_TRAFFIC_SECRET_0");
    nt_keylog_free(&kl);
    assert_null(kl.e);
}

static void skipped_and_malformed(void **st)
{
    (void)st;
    nt_keylog kl;
    nt_keylog_init(&kl);
    parse(&kl, "RSA 0011223344556677 " S48 "\n"                       /* 1 skipped */
               "RSA Session-ID:" R1 " Master-Key:" S48 "\n"           /* 2 skipped */
               "CLIENT_RANDOM " R1 "\n"                               /* 3 no secret */
               "CLIENT_RANDOM " R1 " " S32 "\n"                       /* 4 TLS 1.2 needs 48 */
               "CLIENT_RANDOM 0" R1 " " S48 "\n"                      /* 5 odd random */
               "CLIENT_RANDOM " R1 " " S48 "x\n"                      /* 6 odd secret */
               "CLIENT_RANDOM " R1 " zz" S48 "\n"                     /* 7 not hex */
               "CLIENT_RANDOM " R1 " " S48 " extra\n"                 /* 8 extra token */
               "SERVER_TRAFFIC_SECRET_0 " R1 " " S48 S32 "\n"         /* 9 too long */
               "SERVER_TRAFFIC_SECRET_0 " R1 " 1111\n"                /* 10 too short */
               "CLIENT_RANDOM\n"                                      /* 11 bare label */
               "CLIENT_RANDOM " R1 " " S48 "\n"                       /* 12 good */
               "CLIENT_RANDOM " R1 " 33");                            /* 13 truncated */
    assert_int_equal(kl.lines, 13);
    assert_int_equal(kl.skipped, 2);
    assert_int_equal(kl.malformed, 10);
    assert_int_equal(kl.first_bad_line, 3);
    assert_int_equal(kl.n, 1);
    nt_keylog_free(&kl);
}

static void later_line_replaces(void **st)
{
    (void)st;
    nt_keylog kl;
    nt_keylog_init(&kl);
    parse(&kl, "CLIENT_RANDOM " R1 " " S48 "\n");
    parse(&kl, "CLIENT_RANDOM " R1 " 333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333");
    assert_int_equal(kl.n, 1);
    uint8_t r1[32];
    memset(r1, 1, 32);
    assert_int_equal(nt_keylog_find(&kl, r1, NT_KL_CLIENT_RANDOM)->secret[0], 0x33);
    /* many sessions: the table grows past its first allocation */
    for (int i = 0; i < 40; i++) {
        char line[256];
        snprintf(line, sizeof line, "CLIENT_TRAFFIC_SECRET_0 %064x " S32 "\n", i);
        parse(&kl, line);
    }
    assert_int_equal(kl.n, 41);
    /* after growth every entry is still found, and only under its label */
    assert_int_equal(nt_keylog_find(&kl, r1, NT_KL_CLIENT_RANDOM)->secret[0], 0x33);
    uint8_t r39[32] = {0};
    r39[31] = 39;
    assert_non_null(nt_keylog_find(&kl, r39, NT_KL_CLIENT_TRAFFIC_SECRET_0));
    assert_null(nt_keylog_find(&kl, r39, NT_KL_SERVER_TRAFFIC_SECRET_0));
    r39[31] = 40;
    assert_null(nt_keylog_find(&kl, r39, NT_KL_CLIENT_TRAFFIC_SECRET_0));
    nt_keylog_free(&kl);
}

static void empty_input(void **st)
{
    (void)st;
    nt_keylog kl;
    nt_keylog_init(&kl);
    parse(&kl, "");
    parse(&kl, "\n\n   \n# only comments\n");
    assert_int_equal(kl.n, 0);
    assert_int_equal(kl.lines, 0);
    nt_keylog_free(&kl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_labels),
        cmocka_unit_test(skipped_and_malformed),
        cmocka_unit_test(later_line_replaces),
        cmocka_unit_test(empty_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
