/* Unit tests for the one certificate-name matcher of proto/x509.c, which
 * diagnose (on a captured certificate, nt_x509_name_matches) and check (on
 * the live leaf, nt_cert_check_name) both use: RFC 9525's rules, and the
 * older rules told apart. Certificates are made here in memory, their names
 * added as GENERAL_NAMEs so that odd ones (A-labels, trailing dots, IPv6)
 * are exactly what the test says. OpenSSL's X509_check_host with RFC 9525
 * flags is asked too, as the second opinion the matcher must agree with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "nettracer/probe.h"
#include "nettracer/tls.h"

typedef struct made {
    unsigned char *der;
    int len;
    X509 *x;
} made;

/* names: "dns:NAME" or "ip:ADDRESS" entries, NULL-terminated (may be empty) */
static made make(const char *cn, const char *const *names)
{
    made m = {0};
    EVP_PKEY *k = EVP_EC_gen("prime256v1");
    m.x = X509_new();
    X509_set_version(m.x, 2);
    X509_gmtime_adj(X509_getm_notBefore(m.x), 0);
    X509_gmtime_adj(X509_getm_notAfter(m.x), 3600);
    X509_set_pubkey(m.x, k);
    X509_NAME *n = X509_get_subject_name(m.x);
    if (cn) X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(m.x, n);
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    for (int i = 0; names && names[i]; i++) {
        GENERAL_NAME *g = GENERAL_NAME_new();
        ASN1_STRING *s;
        if (!strncmp(names[i], "ip:", 3)) {
            unsigned char a[16];
            int l = inet_pton(AF_INET, names[i] + 3, a) == 1 ? 4 : 16;
            if (l == 16) assert_int_equal(inet_pton(AF_INET6, names[i] + 3, a), 1);
            s = ASN1_OCTET_STRING_new();
            ASN1_OCTET_STRING_set(s, a, l);
            GENERAL_NAME_set0_value(g, GEN_IPADD, s);
        } else {
            s = ASN1_IA5STRING_new();
            ASN1_STRING_set(s, names[i] + 4, -1);
            GENERAL_NAME_set0_value(g, GEN_DNS, s);
        }
        sk_GENERAL_NAME_push(gens, g);
    }
    if (sk_GENERAL_NAME_num(gens)) X509_add1_ext_i2d(m.x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT);
    GENERAL_NAMES_free(gens);
    X509_sign(m.x, k, EVP_sha256());
    EVP_PKEY_free(k);
    m.len = i2d_X509(m.x, &m.der);
    assert_true(m.len > 0);
    return m;
}

static void unmake(made *m)
{
    OPENSSL_free(m->der);
    X509_free(m->x);
}

/* The matcher's answer, checked against diagnose's entry point and
 * OpenSSL's strict rules (DNS names; IP addresses by X509_check_ip_asc). */
static nt_x509_match match(const made *m, const char *name, char *matched)
{
    nt_x509_match r = nt_x509_match_name(m->der, (uint32_t)m->len, name, matched, 300);
    nt_x509 x;
    assert_true(nt_x509_decode(m->der, (uint32_t)m->len, &x));
    unsigned char a[16];
    bool ip = inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1;
    if (!ip) {
        assert_int_equal(nt_x509_name_matches(&x, name, false), r == NT_X509_MATCH);
        assert_int_equal(nt_x509_name_matches(&x, name, true), r == NT_X509_MATCH || r == NT_X509_MATCH_CN);
        int o = X509_check_host(m->x, name, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
                                NULL);
        assert_int_equal(o == 1, r == NT_X509_MATCH);
    } else {
        assert_int_equal(X509_check_ip_asc(m->x, name, 0) == 1, r == NT_X509_MATCH);
    }
    return r;
}

static void wildcard_one_label(void **state)
{
    (void)state;
    char mt[300];
    made m = make("www.contoso.com", (const char *const[]){"dns:*.contoso.com", NULL});
    assert_int_equal(match(&m, "meet.contoso.com", mt), NT_X509_MATCH);
    assert_string_equal(mt, "DNS:*.contoso.com");
    assert_int_equal(match(&m, "a.b.contoso.com", mt), NT_X509_NO_MATCH); /* exactly one label */
    assert_string_equal(mt, "");
    assert_int_equal(match(&m, "contoso.com", mt), NT_X509_NO_MATCH);     /* not zero labels */
    /* (X509_check_host reads a leading dot as "any subdomain": not a host name) */
    assert_int_equal(nt_x509_match_name(m.der, (uint32_t)m.len, ".contoso.com", mt, sizeof mt), NT_X509_NO_MATCH);
    assert_int_equal(match(&m, "www.contoso.org", mt), NT_X509_NO_MATCH);
    unmake(&m);
    /* "*.com" covers nothing: two labels at least after the wildcard */
    made tld = make(NULL, (const char *const[]){"dns:*.com", NULL});
    assert_int_equal(match(&tld, "contoso.com", mt), NT_X509_NO_MATCH);
    unmake(&tld);
    /* a wildcard not in the left-most label is no wildcard */
    made mid = make(NULL, (const char *const[]){"dns:www.*.com", NULL});
    assert_int_equal(match(&mid, "www.contoso.com", mt), NT_X509_NO_MATCH);
    unmake(&mid);
}

static void partial_wildcards(void **state)
{
    (void)state;
    char mt[300];
    made m = make(NULL, (const char *const[]){"dns:f*.contoso.com", "dns:*w.contoso.org", NULL});
    /* RFC 9525 6.3 forbids them; older clients (OpenSSL's defaults) accept */
    assert_int_equal(match(&m, "foo.contoso.com", mt), NT_X509_MATCH_PARTIAL);
    assert_string_equal(mt, "DNS:f*.contoso.com");
    assert_int_equal(match(&m, "f.contoso.com", mt), NT_X509_MATCH_PARTIAL); /* '*' may stand for nothing */
    assert_int_equal(match(&m, "bar.contoso.com", mt), NT_X509_NO_MATCH);
    assert_int_equal(match(&m, "f.x.contoso.com", mt), NT_X509_NO_MATCH);
    assert_int_equal(match(&m, "neww.contoso.org", mt), NT_X509_MATCH_PARTIAL);
    unmake(&m);
}

static void idna_a_labels(void **state)
{
    (void)state;
    char mt[300];
    /* bücher.example -> xn--bcher-kva.example: compared as A-labels */
    made m = make(NULL, (const char *const[]){"dns:xn--bcher-kva.example.com", "dns:*.shop.example.com",
                                              "dns:x*.idn.example.com", NULL});
    assert_int_equal(match(&m, "XN--BCHER-KVA.example.com", mt), NT_X509_MATCH);
    assert_int_equal(match(&m, "bücher.example.com", mt), NT_X509_NO_MATCH); /* a U-label is not converted */
    /* a whole-label wildcard covers an A-label; a partial one never does */
    assert_int_equal(match(&m, "xn--bcher-kva.shop.example.com", mt), NT_X509_MATCH);
    assert_int_equal(match(&m, "xn--bcher-kva.idn.example.com", mt), NT_X509_NO_MATCH);
    assert_int_equal(match(&m, "xavier.idn.example.com", mt), NT_X509_MATCH_PARTIAL);
    unmake(&m);
}

static void subject_cn(void **state)
{
    (void)state;
    char mt[300];
    /* with DNS names the CN is never looked at, not even by the older rules */
    made m = make("cn.contoso.com", (const char *const[]){"dns:other.contoso.com", NULL});
    assert_int_equal(match(&m, "cn.contoso.com", mt), NT_X509_NO_MATCH);
    unmake(&m);
    /* without: only the older rules take the CN */
    made c = make("cn.contoso.com", NULL);
    assert_int_equal(match(&c, "CN.contoso.com", mt), NT_X509_MATCH_CN);
    assert_string_equal(mt, "CN=cn.contoso.com");
    assert_int_equal(match(&c, "other.contoso.com", mt), NT_X509_NO_MATCH);
    unmake(&c);
    /* an iPAddress name alone still lets the CN count for DNS names */
    made ip = make("cn.contoso.com", (const char *const[]){"ip:10.0.0.1", NULL});
    assert_int_equal(match(&ip, "cn.contoso.com", mt), NT_X509_MATCH_CN);
    unmake(&ip);
}

static void ip_addresses(void **state)
{
    (void)state;
    char mt[300];
    made m = make("10.0.0.9", (const char *const[]){"ip:10.0.0.1", "ip:fd00::1", "dns:10.0.0.2", NULL});
    assert_int_equal(match(&m, "10.0.0.1", mt), NT_X509_MATCH);
    assert_string_equal(mt, "IP:10.0.0.1");
    assert_int_equal(match(&m, "fd00:0::1", mt), NT_X509_MATCH); /* compared as addresses, not text */
    assert_int_equal(match(&m, "fd00::2", mt), NT_X509_NO_MATCH);
    /* an address matches only an iPAddress name: not a DNS name, not the CN */
    assert_int_equal(match(&m, "10.0.0.2", mt), NT_X509_NO_MATCH);
    assert_int_equal(match(&m, "10.0.0.9", mt), NT_X509_NO_MATCH);
    unmake(&m);
}

static void case_and_trailing_dot(void **state)
{
    (void)state;
    char mt[300];
    made m = make(NULL, (const char *const[]){"dns:Sip.Contoso.COM", "dns:meet.contoso.com.", NULL});
    assert_int_equal(match(&m, "sip.contoso.com", mt), NT_X509_MATCH);
    assert_string_equal(mt, "DNS:Sip.Contoso.COM");
    /* the absolute form is the same name (OpenSSL's X509_check_host says no:
     * check followed it until the matcher was shared; diagnose always said yes) */
    assert_int_equal(nt_x509_match_name(m.der, (uint32_t)m.len, "SIP.CONTOSO.COM.", mt, sizeof mt), NT_X509_MATCH);
    assert_int_equal(nt_x509_match_name(m.der, (uint32_t)m.len, "meet.contoso.com", mt, sizeof mt), NT_X509_MATCH);
    assert_int_equal(match(&m, "sip.contoso.com..", mt), NT_X509_NO_MATCH);
    assert_int_equal(match(&m, "", mt), NT_X509_NO_MATCH);
    unmake(&m);
    /* not a certificate: no match, no crash */
    const uint8_t junk[] = {0x30, 0x82, 0xff, 0xff, 0x30};
    assert_int_equal(nt_x509_match_name(junk, sizeof junk, "a.b.c", mt, sizeof mt), NT_X509_NO_MATCH);
}

/* check's view of the same rules: the verdict words it prints */
static void check_uses_the_matcher(void **state)
{
    (void)state;
    char mt[300];
    const char *how;
    made m = make(NULL, (const char *const[]){"dns:w*.contoso.com", NULL});
    assert_int_equal(nt_cert_check_name(m.x, "www.contoso.com", mt, sizeof mt, &how), NT_NAME_LOOSE);
    assert_non_null(strstr(how, "partial wildcard"));
    assert_int_equal(nt_cert_check_name(m.x, "a.contoso.com", mt, sizeof mt, &how), NT_NAME_MISMATCH);
    assert_string_equal(mt, "");
    unmake(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wildcard_one_label), cmocka_unit_test(partial_wildcards),
        cmocka_unit_test(idna_a_labels),      cmocka_unit_test(subject_cn),
        cmocka_unit_test(ip_addresses),       cmocka_unit_test(case_and_trailing_dot),
        cmocka_unit_test(check_uses_the_matcher),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
