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

/* ---- a minimal DER walk for the display-filter fields ---------------- */

typedef struct der {
    uint8_t tag;
    const uint8_t *p; /* contents */
    uint32_t len;
} der;

/* Reads one TLV from *c; definite lengths only (DER). */
static bool der_next(nt_cur *c, der *d)
{
    d->tag = nt_cur_u8(c);
    uint8_t l0 = nt_cur_u8(c);
    uint32_t l = l0;
    if (l0 & 0x80) {
        int n = l0 & 0x7f;
        if (n < 1 || n > 3) return false;
        l = 0;
        for (int i = 0; i < n; i++) l = l << 8 | nt_cur_u8(c);
    }
    if (c->bad || !nt_cur_has(c, l)) return false;
    d->p = nt_cur_ptr(c);
    d->len = l;
    nt_cur_skip(c, l);
    return true;
}

/* Each attribute (OID, value) of a Name's RDNs; fn returns false to stop
 * early. False on malformed DER. */
static bool each_attr(const der *name, bool (*fn)(void *u, const der *oid, const der *val), void *u)
{
    nt_cur rdns = nt_cur_make(name->p, name->len);
    der set, atv, oid, val;
    while (nt_cur_left(&rdns)) {
        if (!der_next(&rdns, &set) || set.tag != 0x31) return false;
        nt_cur s = nt_cur_make(set.p, set.len);
        while (nt_cur_left(&s)) {
            if (!der_next(&s, &atv) || atv.tag != 0x30) return false;
            nt_cur a = nt_cur_make(atv.p, atv.len);
            if (!der_next(&a, &oid) || !der_next(&a, &val)) return false;
            if (!fn(u, &oid, &val)) return true;
        }
    }
    return true;
}

static bool oid_at(const der *oid, uint8_t attr) /* 2.5.4.attr */
{
    return oid->len == 3 && oid->p[0] == 0x55 && oid->p[1] == 0x04 && oid->p[2] == attr;
}

typedef struct {
    nt_x509_item kind;
    nt_x509_cb cb;
    void *user;
} walk_ctx;

static bool walk_attr(void *u, const der *oid, const der *val)
{
    walk_ctx *w = u;
    /* countryName, serialNumber and dnQualifier have fields of their own in
     * Wireshark (x509sat.CountryName, ...), not the DirectoryString ones */
    if (!oid_at(oid, 0x06) && !oid_at(oid, 0x05) && !oid_at(oid, 0x2e)) w->cb(w->user, w->kind, val->tag, val->p, val->len);
    return true;
}

static bool walk_name(const der *name, nt_x509_item kind, nt_x509_cb cb, void *user)
{
    walk_ctx w = {kind, cb, user};
    return each_attr(name, walk_attr, &w);
}

bool nt_x509_walk_name(const uint8_t *der_p, uint32_t len, nt_x509_cb cb, void *user)
{
    nt_cur c = nt_cur_make(der_p, len);
    der name;
    if (!der_next(&c, &name) || name.tag != 0x30) return false;
    return walk_name(&name, NT_X509_SUBJECT_ATTR, cb, user);
}

typedef struct {
    char *out;
    size_t n;
    bool found;
} cn_ctx;

static bool cn_attr(void *u, const der *oid, const der *val)
{
    cn_ctx *c = u;
    if (!oid_at(oid, 0x03)) return true;
    size_t k = val->len < c->n - 1 ? val->len : c->n - 1;
    memcpy(c->out, val->p, k);
    c->out[k] = 0;
    c->found = true;
    return false;
}

bool nt_x509_name_cn(const uint8_t *der_p, uint32_t len, char *out, size_t n)
{
    nt_cur c = nt_cur_make(der_p, len);
    der name;
    if (!n || !der_next(&c, &name) || name.tag != 0x30) return false;
    cn_ctx x = {out, n, false};
    return each_attr(&name, cn_attr, &x) && x.found;
}

static const uint8_t oid_san[] = {0x55, 0x1d, 0x11};

bool nt_x509_walk(const uint8_t *der_p, uint32_t len, nt_x509_cb cb, void *user)
{
    nt_cur c = nt_cur_make(der_p, len);
    der cert, tbs, d;
    if (!der_next(&c, &cert) || cert.tag != 0x30) return false;
    nt_cur cc = nt_cur_make(cert.p, cert.len);
    if (!der_next(&cc, &tbs) || tbs.tag != 0x30) return false;
    nt_cur t = nt_cur_make(tbs.p, tbs.len);
    if (!der_next(&t, &d)) return false;
    if (d.tag == 0xa0 && !der_next(&t, &d)) return false; /* version, then serial */
    if (!der_next(&t, &d)) return false;                 /* signature algorithm */
    der issuer, validity, subject;
    if (!der_next(&t, &issuer) || !der_next(&t, &validity) || !der_next(&t, &subject)) return false;
    if (!walk_name(&issuer, NT_X509_ISSUER_ATTR, cb, user)) return false;
    if (!walk_name(&subject, NT_X509_SUBJECT_ATTR, cb, user)) return false;
    if (!der_next(&t, &d)) return false; /* subjectPublicKeyInfo */
    while (nt_cur_left(&t)) {
        if (!der_next(&t, &d)) return false;
        if (d.tag != 0xa3) continue; /* [3] extensions */
        nt_cur x = nt_cur_make(d.p, d.len);
        der exts, ext, oid, v;
        if (!der_next(&x, &exts)) return false;
        nt_cur e = nt_cur_make(exts.p, exts.len);
        while (nt_cur_left(&e)) {
            if (!der_next(&e, &ext)) return false;
            nt_cur f = nt_cur_make(ext.p, ext.len);
            if (!der_next(&f, &oid) || !der_next(&f, &v)) return false;
            if (v.tag == 0x01 && !der_next(&f, &v)) return false; /* critical */
            if (oid.len != sizeof oid_san || memcmp(oid.p, oid_san, sizeof oid_san) || v.tag != 0x04) continue;
            nt_cur o = nt_cur_make(v.p, v.len);
            der names, gn;
            if (!der_next(&o, &names)) return false;
            nt_cur g = nt_cur_make(names.p, names.len);
            while (nt_cur_left(&g)) {
                if (!der_next(&g, &gn)) return false;
                if (gn.tag == 0x82) cb(user, NT_X509_SAN_DNS, 0x16, gn.p, gn.len);
            }
        }
    }
    return true;
}
