/* x509.c - a certificate from a capture, decoded with OpenSSL into what a
 * reader checks: names, SANs, serial, validity, key, signature. */
#include "nettracer/tls.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void name_line(X509_NAME *n, char *out, size_t size)
{
    out[0] = 0;
    if (!n) return;
    /* one line, most specific first, as RFC 2253 writes it */
    X509_NAME_oneline(n, out, (int)size); /* fallback form */
    BIO *b = BIO_new(BIO_s_mem());
    if (!b) return;
    if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        int l = BIO_read(b, out, (int)size - 1);
        if (l >= 0) out[l] = 0;
    }
    BIO_free(b);
}

static int64_t asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm)) return 0;
    return (int64_t)timegm(&tm);
}

bool nt_x509_decode(const uint8_t *der, uint32_t len, nt_x509 *x)
{
    memset(x, 0, sizeof *x);
    const unsigned char *p = der;
    X509 *c = d2i_X509(NULL, &p, (long)len);
    if (!c) return false;
    name_line(X509_get_subject_name(c), x->subject, sizeof x->subject);
    name_line(X509_get_issuer_name(c), x->issuer, sizeof x->issuer);
    X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, x->cn, sizeof x->cn);
    const ASN1_INTEGER *sn = X509_get0_serialNumber(c);
    BIGNUM *bn = sn ? ASN1_INTEGER_to_BN(sn, NULL) : NULL;
    if (bn) {
        char *hex = BN_bn2hex(bn);
        if (hex) {
            snprintf(x->serial, sizeof x->serial, "%s", hex);
            for (char *q = x->serial; *q; q++) *q = (char)(*q >= 'A' && *q <= 'F' ? *q + 32 : *q);
            OPENSSL_free(hex);
        }
        BN_free(bn);
    }
    x->not_before = asn1_time(X509_get0_notBefore(c));
    x->not_after = asn1_time(X509_get0_notAfter(c));
    EVP_PKEY *k = X509_get0_pubkey(c);
    if (k) {
        const char *kt = EVP_PKEY_get0_type_name(k);
        snprintf(x->key, sizeof x->key, "%s %d bits", kt ? kt : "key", EVP_PKEY_get_bits(k));
    }
    int sig = X509_get_signature_nid(c);
    snprintf(x->sigalg, sizeof x->sigalg, "%s", sig != NID_undef ? OBJ_nid2ln(sig) : "unknown");
    GENERAL_NAMES *gens = X509_get_ext_d2i(c, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens) && x->nsan < NT_X509_MAX_SAN; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        if (g->type != GEN_DNS) continue;
        const unsigned char *s = ASN1_STRING_get0_data(g->d.dNSName);
        int l = ASN1_STRING_length(g->d.dNSName);
        if (l <= 0 || (size_t)l >= sizeof x->san[0]) continue;
        memcpy(x->san[x->nsan], s, (size_t)l);
        x->san[x->nsan][l] = 0;
        x->nsan++;
    }
    GENERAL_NAMES_free(gens);
    x->is_ca = X509_check_ca(c) > 0;
    X509_free(c);
    return true;
}

/* RFC 9525 6.3: "*" only as the complete left-most label, matching one label */
static bool dns_match(const char *pattern, const char *name)
{
    size_t pl = strlen(pattern), nl = strlen(name);
    if (pl && pattern[pl - 1] == '.') pl--;
    if (nl && name[nl - 1] == '.') nl--;
    if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.') {
        const char *dot = memchr(name, '.', nl);
        if (!dot || dot == name) return false;
        size_t rest = nl - (size_t)(dot - name);
        return rest == pl - 1 && !strncasecmp(dot, pattern + 1, rest) && strchr(pattern + 2, '.');
    }
    return pl == nl && !strncasecmp(pattern, name, nl);
}

bool nt_x509_name_matches(const nt_x509 *x, const char *name, bool loose)
{
    for (int i = 0; i < x->nsan; i++)
        if (dns_match(x->san[i], name)) return true;
    if (loose && x->nsan == 0 && x->cn[0]) return dns_match(x->cn, name);
    return false;
}
