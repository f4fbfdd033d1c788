/* Unit tests for the generated error tables and their lookups: one code of
 * each table with its name, source and [MS-ERREF] text; codes that several
 * tables share; names; the ways people write numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "nettracer/errcodes.h"

static const nt_errent *only(uint32_t v, nt_errtable t, const char *name)
{
    const nt_errent *e[32];
    size_t n = nt_err_find(v, (int)t, e, 32);
    for (size_t i = 0; i < n && i < 32; i++)
        if (!strcmp(e[i]->name, name)) return e[i];
    fail_msg("%s not found at 0x%x", name, v);
    return NULL;
}

static void each_table(void **state)
{
    (void)state;
    const nt_errent *e = only(10060, NT_ERRT_WIN32, "WSAETIMEDOUT");
    assert_string_equal(e->source, "winerror.h");
    assert_non_null(strstr(e->msg, "did not properly respond after a period of time"));
    e = only(9003, NT_ERRT_WIN32, "DNS_ERROR_RCODE_NAME_ERROR");
    assert_string_equal(e->msg, "DNS name does not exist.");
    e = only(0x800b0109, NT_ERRT_HRESULT, "CERT_E_UNTRUSTEDROOT");
    assert_non_null(strstr(e->msg, "root certificate that is not trusted"));
    e = only(0x80090308, NT_ERRT_HRESULT, "SEC_E_INVALID_TOKEN");
    assert_string_equal(e->source, "winerror.h");
    e = only(0xC0000022, NT_ERRT_NTSTATUS, "STATUS_ACCESS_DENIED");
    assert_string_equal(e->source, "ntstatus.h");
    e = only(67, NT_ERRT_WIN32, "ERROR_BAD_NET_NAME");
    assert_string_equal(e->msg, "The network name cannot be found.");
    e = only(12045, NT_ERRT_WIN32, "ERROR_INTERNET_INVALID_CA");
    assert_string_equal(e->source, "wininet.h");
    e = only(2310, NT_ERRT_WIN32, "NERR_NetNameNotFound");
    assert_string_equal(e->source, "lmerr.h");
    e = only(20, NT_ERRT_OPENSSL, "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY");
    assert_string_equal(e->source, "x509_vfy.h");
}

static void ambiguous(void **state)
{
    (void)state;
    const nt_errent *e[64];
    /* 5: a Win32 error and an OpenSSL verify code */
    size_t n = nt_err_find(5, -1, e, 64);
    assert_true(n >= 2);
    only(5, NT_ERRT_WIN32, "ERROR_ACCESS_DENIED");
    only(5, NT_ERRT_OPENSSL, "X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE");
    /* 12045: WinINet and WinHTTP name the same number */
    only(12045, NT_ERRT_WIN32, "ERROR_WINHTTP_SECURE_INVALID_CA");
    /* 0: success in several tables */
    assert_true(nt_err_find(0, -1, e, 64) >= 3);
    /* a table filter */
    assert_int_equal(nt_err_find(0x800b0109, NT_ERRT_WIN32, e, 64), 0);
    /* nothing there */
    assert_int_equal(nt_err_find(0xdeadbeef, -1, e, 64), 0);
    /* the table is sorted, so the binary search finds everything */
    for (size_t i = 1; i < nt_errtab_len; i++) assert_true(nt_errtab[i - 1].value <= nt_errtab[i].value);
    assert_true(nt_errtab_len > 5000);
}

static void names_and_facilities(void **state)
{
    (void)state;
    const nt_errent *e = nt_err_by_name("wsaeconnrefused");
    assert_non_null(e);
    assert_int_equal(e->value, 10061);
    assert_null(nt_err_by_name("NOT_AN_ERROR_NAME"));
    assert_string_equal(nt_err_facility_name(7), "FACILITY_WIN32");
    assert_string_equal(nt_err_facility_name(11), "FACILITY_CERT");
    assert_null(nt_err_facility_name(0x14c));
}

static void parsing(void **state)
{
    (void)state;
    uint32_t v;
    bool hex;
    assert_true(nt_err_parse("10060", &v, &hex));
    assert_int_equal(v, 10060);
    assert_false(hex);
    assert_true(nt_err_parse("0x274C", &v, &hex));
    assert_int_equal(v, 10060);
    assert_true(hex);
    assert_true(nt_err_parse("800b0109", &v, &hex));
    assert_int_equal(v, 0x800b0109);
    assert_true(nt_err_parse("014C0220", &v, &hex));
    assert_int_equal(v, 0x014C0220);
    assert_true(nt_err_parse("80070005", &v, &hex)); /* 8 digits: hex */
    assert_int_equal(v, 0x80070005);
    assert_true(nt_err_parse("-2146762487", &v, &hex));
    assert_int_equal(v, 0x800b0109);
    assert_true(nt_err_parse("4294967295", &v, &hex));
    assert_int_equal(v, 0xffffffff);
    assert_false(nt_err_parse("4294967296", &v, &hex));
    assert_false(nt_err_parse("0x100000000", &v, &hex));
    assert_false(nt_err_parse("-2147483649", &v, &hex));
    assert_false(nt_err_parse("-0x5", &v, &hex));
    assert_false(nt_err_parse("12g", &v, &hex));
    assert_false(nt_err_parse("", &v, &hex));
    assert_false(nt_err_parse("0x", &v, &hex));
    assert_false(nt_err_parse("-", &v, &hex));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_table),
        cmocka_unit_test(ambiguous),
        cmocka_unit_test(names_and_facilities),
        cmocka_unit_test(parsing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
