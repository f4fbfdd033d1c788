/* Unit tests for the parts of probe/ that need no network: targets and
 * server addresses as users write them, resolv.conf, and the certificate
 * name rules (RFC 9525 strict, OpenSSL's defaults as the loose second
 * opinion) on certificates made here in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "nettracer/probe.h"

static void targets(void **state)
{
    (void)state;
    nt_target t;
    nt_error e = {0};
    assert_int_equal(nt_target_parse("www.contoso.com", &t, &e), NT_OK);
    assert_string_equal(t.host, "www.contoso.com");
    assert_int_equal(t.port, 443);
    assert_false(t.url);
    assert_int_equal(nt_target_parse("sip.contoso.com:5061", &t, &e), NT_OK);
    assert_int_equal(t.port, 5061);
    assert_int_equal(nt_target_parse("HTTPS://meet.contoso.com:8443/a/b?x#y", &t, &e), NT_OK);
    assert_string_equal(t.host, "meet.contoso.com");
    assert_int_equal(t.port, 8443);
    assert_true(t.url);
    assert_int_equal(nt_target_parse("[fd00::1]:444", &t, &e), NT_OK);
    assert_string_equal(t.host, "fd00::1");
    assert_true(t.host_is_ip);
    assert_int_equal(t.port, 444);
    assert_int_equal(nt_target_parse("fd00::1", &t, &e), NT_OK);
    assert_int_equal(t.port, 443);
    assert_int_equal(nt_target_parse("10.0.0.1", &t, &e), NT_OK);
    assert_true(t.host_is_ip);
    const char *bad[] = {"host:0", "host:70000", "host:", "host:x", "ftp://host/", "https://", "https:///x",
                         "host/path", "[fd00::1", "[fd00::1]x", "a b", "https://user@host/", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nt_error_clear(&e);
        assert_int_equal(nt_target_parse(bad[i], &t, &e), NT_ERR);
        assert_true(e.msg[0] != 0);
        assert_null(strchr(e.msg, '\n'));
    }
}

static void server_addresses(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t sl;
    char s[80];
    assert_true(nt_parse_hostport_addr("10.77.1.1", 53, &ss, &sl));
    nt_sockaddr_str((struct sockaddr *)&ss, s, sizeof s);
    assert_string_equal(s, "10.77.1.1:53");
    assert_true(nt_parse_hostport_addr("10.77.1.1:5353", 53, &ss, &sl));
    nt_sockaddr_str((struct sockaddr *)&ss, s, sizeof s);
    assert_string_equal(s, "10.77.1.1:5353");
    assert_true(nt_parse_hostport_addr("fd00:77::1", 53, &ss, &sl));
    nt_sockaddr_str((struct sockaddr *)&ss, s, sizeof s);
    assert_string_equal(s, "[fd00:77::1]:53");
    assert_true(nt_parse_hostport_addr("[fd00:77::1]:54", 53, &ss, &sl));
    nt_sockaddr_str((struct sockaddr *)&ss, s, sizeof s);
    assert_string_equal(s, "[fd00:77::1]:54");
    assert_false(nt_parse_hostport_addr("10.77.1.1:0", 53, &ss, &sl));
    assert_false(nt_parse_hostport_addr("10.77.1.1:70000", 53, &ss, &sl));
    assert_false(nt_parse_hostport_addr("dns.example", 53, &ss, &sl));
    assert_false(nt_parse_hostport_addr("[fd00::1", 53, &ss, &sl));
    assert_false(nt_parse_hostport_addr("10.77.1.1:", 53, &ss, &sl));

    char path[] = "/tmp/nt7resolvXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\nsearch example\nnameserver fe80::1%eth0\nnameserver 10.77.1.9\n", f);
    fclose(f);
    assert_true(nt_resolv_conf_server(path, &ss, &sl));
    nt_sockaddr_str((struct sockaddr *)&ss, s, sizeof s);
    assert_string_equal(s, "[fe80::1]:53");
    unlink(path);
    assert_false(nt_resolv_conf_server("/nonexistent/resolv.conf", &ss, &sl));
}

/* A self-signed certificate with the given CN and SANs (may be NULL). */
static X509 *cert(const char *cn, const char *san)
{
    EVP_PKEY *k = EVP_EC_gen("prime256v1");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 20);
    X509_set_pubkey(x, k);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, n);
    if (san) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
        assert_non_null(ext);
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    X509_sign(x, k, EVP_sha256());
    EVP_PKEY_free(k);
    return x;
}

static void name_rules(void **state)
{
    (void)state;
    char m[300];
    const char *how;
    X509 *x = cert("www.contoso.com", "DNS:www.contoso.com, DNS:*.contoso.net, DNS:w*.contoso.org, IP:10.77.1.1");
    assert_int_equal(nt_cert_check_name(x, "www.contoso.com", m, sizeof m, &how), NT_NAME_MATCH);
    assert_string_equal(m, "DNS:www.contoso.com");
    assert_int_equal(nt_cert_check_name(x, "WWW.Contoso.COM", m, sizeof m, &how), NT_NAME_MATCH);
    assert_int_equal(nt_cert_check_name(x, "meet.contoso.net", m, sizeof m, &how), NT_NAME_MATCH);
    assert_string_equal(m, "DNS:*.contoso.net");
    /* a wildcard covers one label only */
    assert_int_equal(nt_cert_check_name(x, "a.b.contoso.net", m, sizeof m, &how), NT_NAME_MISMATCH);
    assert_int_equal(nt_cert_check_name(x, "contoso.net", m, sizeof m, &how), NT_NAME_MISMATCH);
    /* a partial wildcard: only the loose rules */
    assert_int_equal(nt_cert_check_name(x, "wx.contoso.org", m, sizeof m, &how), NT_NAME_LOOSE);
    assert_non_null(strstr(how, "partial wildcard"));
    assert_int_equal(nt_cert_check_name(x, "10.77.1.1", m, sizeof m, &how), NT_NAME_MATCH);
    assert_string_equal(m, "IP:10.77.1.1");
    assert_int_equal(nt_cert_check_name(x, "10.77.1.2", m, sizeof m, &how), NT_NAME_MISMATCH);
    /* the CN is never used when DNS SANs exist, not even loosely */
    X509 *y = cert("cn.contoso.com", "DNS:other.contoso.com");
    assert_int_equal(nt_cert_check_name(y, "cn.contoso.com", m, sizeof m, &how), NT_NAME_MISMATCH);
    /* CN without SANs: loose only */
    X509 *z = cert("cn.contoso.com", NULL);
    assert_int_equal(nt_cert_check_name(z, "cn.contoso.com", m, sizeof m, &how), NT_NAME_LOOSE);
    assert_string_equal(m, "CN=cn.contoso.com");
    assert_non_null(strstr(how, "subject CN"));
    /* the facts */
    nt_cert_info ci;
    nt_cert_describe(x, &ci);
    assert_string_equal(ci.subject, "CN=www.contoso.com");
    assert_true(ci.self_signed);
    assert_string_equal(ci.serial, "07");
    assert_string_equal(ci.key, "EC 256 bits (prime256v1)");
    assert_string_equal(ci.sigalg, "ecdsa-with-SHA256");
    assert_string_equal(ci.sans, "DNS:www.contoso.com, DNS:*.contoso.net, DNS:w*.contoso.org, IP:10.77.1.1");
    assert_true(ci.days_left == 19 || ci.days_left == 20);
    assert_false(ci.expired);
    X509_free(x);
    X509_free(y);
    X509_free(z);
}

static void verify_words(void **state)
{
    (void)state;
    const char *wn;
    uint32_t wc;
    assert_non_null(strstr(nt_verify_explain(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, &wn, &wc), "intermediate"));
    assert_string_equal(wn, "CERT_E_CHAINING");
    assert_int_equal(wc, 0x800B010A);
    nt_verify_explain(X509_V_ERR_CERT_HAS_EXPIRED, &wn, &wc);
    assert_int_equal(wc, 0x800B0101);
    nt_verify_explain(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, &wn, &wc);
    assert_string_equal(wn, "CERT_E_UNTRUSTEDROOT");
    nt_verify_explain(X509_V_ERR_PATH_LENGTH_EXCEEDED, &wn, &wc);
    assert_int_equal(wc, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(targets),
        cmocka_unit_test(server_addresses),
        cmocka_unit_test(name_rules),
        cmocka_unit_test(verify_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
