/* x509.c - a certificate from a capture, decoded with OpenSSL into what a
 * reader checks: names, SANs, serial, validity, key, signature. */
#include "nettracer/tls.h"

#include <arpa/inet.h>
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

/* ---- the one certificate-name matcher (RFC 9525) ------------------- */

/* How pattern (a DNS name of the certificate) covers name: 0 not, 1 under
 * RFC 9525 (exact, or "*" as the whole left-most label standing for exactly
 * one label), 2 only under the older rules OpenSSL applies by default (a
 * partial wildcard, "f*.example.com", never in or against an A-label).
 * ASCII case-insensitive, one trailing dot ignored on either side; a
 * wildcard needs two labels after it ("*.com" covers nothing). */
static int dns_match(const char *pat, size_t pl, const char *name)
{
    size_t nl = strlen(name);
    if (pl && pat[pl - 1] == '.') pl--;
    if (nl && name[nl - 1] == '.') nl--;
    if (!pl || !nl) return 0;
    const char *pdot = memchr(pat, '.', pl);
    size_t plab = pdot ? (size_t)(pdot - pat) : pl;
    const char *star = memchr(pat, '*', plab);
    if (!star) return !memchr(pat, '*', pl) && pl == nl && !strncasecmp(pat, name, nl);
    if (!pdot || !memchr(pdot + 1, '.', pl - plab - 1) || memchr(star + 1, '*', pl - (size_t)(star + 1 - pat)))
        return 0;
    const char *ndot = memchr(name, '.', nl);
    if (!ndot || ndot == name) return 0;
    size_t nlab = (size_t)(ndot - name);
    if (pl - plab != nl - nlab || strncasecmp(pdot, ndot, nl - nlab)) return 0;
    if (plab == 1) return 1;
    size_t pre = (size_t)(star - pat), suf = plab - pre - 1;
    if ((plab >= 4 && !strncasecmp(pat, "xn--", 4)) || (nlab >= 4 && !strncasecmp(name, "xn--", 4))) return 0;
    if (nlab < pre + suf || strncasecmp(pat, name, pre) || strncasecmp(star + 1, name + nlab - suf, suf)) return 0;
    return 2;
}

/* One name being matched: the certificate's names are fed in, the best
 * outcome kept. An IP address matches only an iPAddress name; a DNS name
 * only DNS names, and the CN only when the certificate has no DNS name. */
typedef struct matcher {
    const char *name;
    uint8_t ip[16];
    int iplen;              /* 0: name is a DNS name */
    nt_x509_match best;
    bool any_dns;
    char *matched;
    size_t msz;
} matcher;

static void m_init(matcher *m, const char *name, char *matched, size_t msz)
{
    memset(m, 0, sizeof *m);
    m->name = name, m->matched = matched, m->msz = msz, m->best = NT_X509_NO_MATCH;
    if (matched && msz) matched[0] = 0;
    if (inet_pton(AF_INET, name, m->ip) == 1) m->iplen = 4;
    else if (inet_pton(AF_INET6, name, m->ip) == 1) m->iplen = 16;
}

static void m_take(matcher *m, nt_x509_match how, const char *prefix, const char *s, size_t n)
{
    if (how >= m->best) return;
    m->best = how;
    if (m->matched && m->msz) snprintf(m->matched, m->msz, "%s%.*s", prefix, (int)n, s);
}

static void m_dns(matcher *m, const char *p, size_t n)
{
    m->any_dns = true;
    if (m->iplen) return;
    int r = dns_match(p, n, m->name);
    if (r) m_take(m, r == 1 ? NT_X509_MATCH : NT_X509_MATCH_PARTIAL, "DNS:", p, n);
}

static void m_ip(matcher *m, const uint8_t *p, size_t n)
{
    if (m->iplen && (size_t)m->iplen == n && !memcmp(p, m->ip, n)) m_take(m, NT_X509_MATCH, "IP:", m->name, strlen(m->name));
}

static nt_x509_match m_end(matcher *m, const char *cn)
{
    if (!m->any_dns && !m->iplen && cn && cn[0] && dns_match(cn, strlen(cn), m->name))
        m_take(m, NT_X509_MATCH_CN, "CN=", cn, strlen(cn));
    return m->best;
}

bool nt_x509_name_matches(const nt_x509 *x, const char *name, bool loose)
{
    matcher m;
    m_init(&m, name, NULL, 0);
    for (int i = 0; i < x->nsan; i++) m_dns(&m, x->san[i], strlen(x->san[i]));
    nt_x509_match r = m_end(&m, x->cn);
    return r == NT_X509_MATCH || (loose && r == NT_X509_MATCH_CN);
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

/* The walk under nt_x509_walk; with m (the matcher) set, the SANs (DNS and
 * iPAddress) go to the matcher and *subject gets the subject Name. */
static bool walk_cert(const uint8_t *der_p, uint32_t len, nt_x509_cb cb, void *user, matcher *m, der *subject_out)
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
    if (m) *subject_out = subject;
    else if (!walk_name(&issuer, NT_X509_ISSUER_ATTR, cb, user) || !walk_name(&subject, NT_X509_SUBJECT_ATTR, cb, user))
        return false;
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
                if (m && gn.tag == 0x82) m_dns(m, (const char *)gn.p, gn.len);
                else if (m && gn.tag == 0x87) m_ip(m, gn.p, gn.len);
                else if (gn.tag == 0x82) cb(user, NT_X509_SAN_DNS, 0x16, gn.p, gn.len);
            }
        }
    }
    return true;
}

bool nt_x509_walk(const uint8_t *der_p, uint32_t len, nt_x509_cb cb, void *user)
{
    return walk_cert(der_p, len, cb, user, NULL, NULL);
}

nt_x509_match nt_x509_match_name(const uint8_t *der_p, uint32_t len, const char *name, char *matched, size_t msz)
{
    matcher m;
    der subject;
    char cn[256] = "";
    m_init(&m, name, matched, msz);
    if (!walk_cert(der_p, len, NULL, NULL, &m, &subject)) return NT_X509_NO_MATCH;
    cn_ctx c = {cn, sizeof cn, false};
    each_attr(&subject, cn_attr, &c);
    return m_end(&m, cn);
}
