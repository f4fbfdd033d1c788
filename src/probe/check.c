/* check.c - the steps of `nettracer check`: resolve through the system
 * resolver (hosts file included, as the application sees it), TCP connect
 * with the failure named by its cause, a TLS handshake with SNI that goes on
 * whatever the verification result (so a bad certificate can be shown),
 * certificate facts, and the name check under RFC 9525's strict rules with
 * OpenSSL's looser defaults as a second opinion. */
#include "nettracer/probe.h"
#include "nettracer/tls.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int nt_target_parse(const char *s, nt_target *t, nt_error *e)
{
    memset(t, 0, sizeof *t);
    t->port = 443;
    const char *h = s;
    if (!strncasecmp(s, "https://", 8)) {
        h = s + 8;
        t->url = true;
    } else if (strstr(s, "://")) {
        nt_error_set(e, NT_ERR, "'%s': only https:// URLs are checked (or give host:port)", s);
        return NT_ERR;
    }
    size_t hl = strcspn(h, "/?#");
    char hp[256];
    if (hl == 0 || hl >= sizeof hp) {
        nt_error_set(e, NT_ERR, "'%s': no host name", s);
        return NT_ERR;
    }
    if (!t->url && h[hl]) {
        nt_error_set(e, NT_ERR, "'%s': a path needs an https:// URL", s);
        return NT_ERR;
    }
    memcpy(hp, h, hl);
    hp[hl] = 0;
    if (strchr(hp, '@')) {
        nt_error_set(e, NT_ERR, "'%s': user names in URLs are not supported", s);
        return NT_ERR;
    }
    char *port = NULL;
    if (hp[0] == '[') {
        char *close = strchr(hp, ']');
        if (!close || (close[1] && close[1] != ':')) {
            nt_error_set(e, NT_ERR, "'%s': an IPv6 address goes in brackets: [ADDR]:PORT", s);
            return NT_ERR;
        }
        *close = 0;
        if (close[1] == ':') port = close + 2;
        snprintf(t->host, sizeof t->host, "%s", hp + 1);
    } else {
        char *colon = strchr(hp, ':');
        if (colon && strchr(colon + 1, ':')) { /* a bare IPv6 address */
            snprintf(t->host, sizeof t->host, "%s", hp);
        } else {
            if (colon) {
                *colon = 0;
                port = colon + 1;
            }
            snprintf(t->host, sizeof t->host, "%s", hp);
        }
    }
    if (port) {
        char *end;
        long p = strtol(port, &end, 10);
        if (!*port || *end || p < 1 || p > 65535) {
            nt_error_set(e, NT_ERR, "'%s': the port must be a number from 1 to 65535, not '%s'", s, port);
            return NT_ERR;
        }
        t->port = (uint16_t)p;
    }
    if (!t->host[0]) {
        nt_error_set(e, NT_ERR, "'%s': no host name", s);
        return NT_ERR;
    }
    uint8_t a[16];
    t->host_is_ip = inet_pton(AF_INET, t->host, a) == 1 || inet_pton(AF_INET6, t->host, a) == 1;
    if (!t->host_is_ip)
        for (const char *c = t->host; *c; c++)
            if (!(isalnum((unsigned char)*c) || *c == '-' || *c == '.' || *c == '_')) {
                nt_error_set(e, NT_ERR, "'%s': '%s' is not a host name", s, t->host);
                return NT_ERR;
            }
    return NT_OK;
}

int nt_resolve(const char *host, uint16_t port, int family, struct addrinfo **res, int64_t *ns, nt_error *e)
{
    struct addrinfo hints = {0};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    char ps[8];
    snprintf(ps, sizeof ps, "%u", port);
    int64_t t0 = nt_now_ns();
    int rc = getaddrinfo(host, ps, &hints, res);
    *ns = nt_now_ns() - t0;
    if (rc == 0) return NT_OK;
    const char *fam = family == AF_INET ? " IPv4" : family == AF_INET6 ? " IPv6" : "";
    switch (rc) {
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
        nt_error_set(e, rc, "cannot resolve %s: no such name or no%s address for it (hosts file and DNS asked; "
                            "try 'nettracer dns %s')", host, fam, host);
        break;
    case EAI_AGAIN:
        nt_error_set(e, rc, "cannot resolve %s: temporary failure: the DNS server did not answer or answered SERVFAIL "
                            "(try 'nettracer dns %s')", host, host);
        break;
    case EAI_ADDRFAMILY:
        nt_error_set(e, rc, "cannot resolve %s: it has no%s address", host, fam);
        break;
    default:
        nt_error_set(e, rc, "cannot resolve %s: %s", host, gai_strerror(rc));
    }
    *res = NULL;
    return NT_ERR;
}

static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - nt_now_ns();
        if (left <= 0) return 0;
        struct pollfd pfd = {fd, events, 0};
        int pr = poll(&pfd, 1, (int)((left + 999999) / 1000000));
        if (pr < 0 && errno == EINTR) continue;
        return pr;
    }
}

nt_conn_status nt_tcp_connect(const struct sockaddr *sa, socklen_t len, int timeout_ms, int *fdp, int64_t *ns,
                              nt_error *e)
{
    char s[80];
    nt_sockaddr_str(sa, s, sizeof s);
    *fdp = -1;
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        nt_error_set(e, errno, "socket: %s", strerror(errno));
        return NT_CONN_ERROR;
    }
    int64_t t0 = nt_now_ns();
    int err = 0;
    if (connect(fd, sa, len) < 0) {
        if (errno != EINPROGRESS) {
            err = errno;
        } else if (wait_fd(fd, POLLOUT, t0 + (int64_t)timeout_ms * 1000000) <= 0) {
            *ns = nt_now_ns() - t0;
            nt_error_set(e, ETIMEDOUT, "connect to %s timed out after %d ms: the SYN was not answered (dropped or "
                                       "filtered on the way, or the host is down)", s, timeout_ms);
            close(fd);
            return NT_CONN_TIMEOUT;
        } else {
            socklen_t sl = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl);
        }
    }
    *ns = nt_now_ns() - t0;
    if (!err) {
        *fdp = fd;
        return NT_CONN_OK;
    }
    close(fd);
    switch (err) {
    case ECONNREFUSED:
        nt_error_set(e, err, "connect to %s refused: a reset came back (nothing listens on that port, or a firewall "
                             "rejects)", s);
        return NT_CONN_REFUSED;
    case ETIMEDOUT:
        nt_error_set(e, err, "connect to %s timed out: the SYN was not answered", s);
        return NT_CONN_TIMEOUT;
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EHOSTDOWN:
    case ENETDOWN:
        nt_error_set(e, err, "connect to %s: %s (an ICMP unreachable came back, or there is no route)", s,
                     strerror(err));
        return NT_CONN_UNREACHABLE;
    default:
        nt_error_set(e, err, "connect to %s: %s", s, strerror(err));
        return NT_CONN_ERROR;
    }
}

/* Called when the server asks for a client certificate: note the request
 * and its CA list, send none. */
static int client_cert_cb(SSL *ssl, X509 **x, EVP_PKEY **pk)
{
    (void)x, (void)pk;
    nt_tls_result *r = SSL_get_app_data(ssl);
    r->client_cert_requested = true;
    STACK_OF(X509_NAME) *cas = SSL_get_client_CA_list(ssl);
    r->ca_names = cas ? sk_X509_NAME_num(cas) : 0;
    /* as the CertificateRequest's certificate_authorities length: each
     * name's DER plus its 2-byte length (tls.h, the measure diagnose uses) */
    r->ca_bytes = 0;
    for (int i = 0; i < r->ca_names; i++) {
        int n = i2d_X509_NAME(sk_X509_NAME_value(cas, i), NULL);
        if (n > 0) r->ca_bytes += 2 + (size_t)n;
    }
    return 0;
}

static void ssl_errors(char *out, size_t n)
{
    unsigned long err, last = 0;
    while ((err = ERR_get_error())) last = err;
    if (last) ERR_error_string_n(last, out, n);
    else snprintf(out, n, "no OpenSSL error recorded");
}

int nt_tls_handshake(int fd, const char *sni, const char *ca_file, int timeout_ms, nt_tls_result *r, nt_error *e)
{
    memset(r, 0, sizeof *r);
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        nt_error_set(e, NT_ERR, "OpenSSL: cannot create a TLS context");
        return NT_ERR;
    }
    if (ca_file) {
        if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
            char m[256];
            ssl_errors(m, sizeof m);
            nt_error_set(e, NT_ERR, "cannot load CA file %s: %s", ca_file, m);
            SSL_CTX_free(ctx);
            return NT_ERR;
        }
    } else {
        SSL_CTX_set_default_verify_paths(ctx);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
    static const unsigned char alpn[] = "\x02h2\x08http/1.1";
    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn - 1);
    SSL *ssl = SSL_new(ctx);
    SSL_set_app_data(ssl, r);
    SSL_set_fd(ssl, fd);
    if (sni) SSL_set_tlsext_host_name(ssl, sni);
    int64_t t0 = nt_now_ns(), deadline = t0 + (int64_t)timeout_ms * 1000000;
    int rc = NT_ERR;
    for (;;) {
        int ret = SSL_connect(ssl);
        if (ret == 1) {
            rc = NT_OK;
            break;
        }
        int se = SSL_get_error(ssl, ret);
        if (se == SSL_ERROR_WANT_READ || se == SSL_ERROR_WANT_WRITE) {
            if (wait_fd(fd, se == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline) <= 0) {
                nt_error_set(e, ETIMEDOUT, "TLS handshake timed out after %d ms: the server accepted the connection but "
                                           "did not answer the ClientHello (not TLS on this port, or a device in the "
                                           "path holds it)", timeout_ms);
                break;
            }
            continue;
        }
        char m[256];
        ssl_errors(m, sizeof m);
        if (se == SSL_ERROR_SYSCALL || (se == SSL_ERROR_SSL && strstr(m, "unexpected eof")))
            nt_error_set(e, NT_ERR, "TLS handshake failed: the server closed the connection (or reset it) without a TLS "
                                    "alert%s", r->client_cert_requested ? " after asking for a client certificate" : "");
        else if (strstr(m, "wrong version number") || strstr(m, "packet length too long"))
            nt_error_set(e, NT_ERR, "TLS handshake failed: the server answered, but not with TLS (plain text on this "
                                    "port?): %s", m);
        else if (strstr(m, "certificate required") || strstr(m, "handshake failure"))
            nt_error_set(e, NT_ERR, "TLS handshake failed: %s%s", m,
                         r->client_cert_requested ? " (the server asked for a client certificate and got none)" : "");
        else
            nt_error_set(e, NT_ERR, "TLS handshake failed: %s", m);
        break;
    }
    r->handshake_ns = nt_now_ns() - t0;
    if (rc == NT_OK) {
        snprintf(r->version, sizeof r->version, "%s", SSL_get_version(ssl));
        snprintf(r->cipher, sizeof r->cipher, "%s", SSL_get_cipher_name(ssl));
        const unsigned char *ap;
        unsigned apl;
        SSL_get0_alpn_selected(ssl, &ap, &apl);
        snprintf(r->alpn, sizeof r->alpn, "%.*s", (int)apl, ap ? (const char *)ap : "");
        r->verify = SSL_get_verify_result(ssl);
        STACK_OF(X509) *ch = SSL_get_peer_cert_chain(ssl);
        if (ch) {
            r->chain = sk_X509_new_null();
            for (int i = 0; i < sk_X509_num(ch); i++) {
                X509 *x = sk_X509_value(ch, i);
                X509_up_ref(x);
                sk_X509_push(r->chain, x);
            }
        }
        /* In TLS 1.3 the client's Finished ends its handshake before the
         * server has judged the (absent) client certificate: a server that
         * requires one answers with an alert only now. Read briefly to see it. */
        if (r->client_cert_requested && !strcmp(r->version, "TLSv1.3")) {
            int64_t until = nt_now_ns() + (int64_t)(timeout_ms < 1000 ? timeout_ms : 1000) * 1000000;
            char buf[256];
            for (;;) {
                int n = SSL_read(ssl, buf, sizeof buf);
                if (n > 0) break; /* the server talks first: it accepted us */
                int se = SSL_get_error(ssl, n);
                if (se == SSL_ERROR_WANT_READ || se == SSL_ERROR_WANT_WRITE) {
                    if (wait_fd(fd, se == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, until) <= 0) break;
                    continue;
                }
                if (se == SSL_ERROR_SSL) {
                    char m[256];
                    ssl_errors(m, sizeof m);
                    nt_error_set(e, NT_ERR, "TLS handshake failed: the server asked for a client certificate, got none and "
                                            "refused the connection after the handshake: %s", m);
                    rc = NT_ERR;
                }
                break; /* a close or reset without an alert: nothing to say */
            }
        }
        SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return rc;
}

void nt_tls_result_free(nt_tls_result *r)
{
    if (r->chain) sk_X509_pop_free(r->chain, X509_free);
    r->chain = NULL;
}

static void asn1_time_str(const ASN1_TIME *t, char *out, size_t n)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        snprintf(out, n, "?");
        return;
    }
    strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

void nt_cert_describe(X509 *x, nt_cert_info *ci)
{
    memset(ci, 0, sizeof *ci);
    BIO *b = BIO_new(BIO_s_mem());
    unsigned long fl = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
    X509_NAME_print_ex(b, X509_get_subject_name(x), 0, fl);
    int n = BIO_read(b, ci->subject, sizeof ci->subject - 1);
    ci->subject[n > 0 ? n : 0] = 0;
    X509_NAME_print_ex(b, X509_get_issuer_name(x), 0, fl);
    n = BIO_read(b, ci->issuer, sizeof ci->issuer - 1);
    ci->issuer[n > 0 ? n : 0] = 0;
    BIO_free(b);
    ci->self_signed = X509_check_issued(x, x) == X509_V_OK;

    const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
    BIGNUM *bn = ASN1_INTEGER_to_BN(sn, NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    snprintf(ci->serial, sizeof ci->serial, "%s", hex ? hex : "?");
    OPENSSL_free(hex);
    BN_free(bn);

    asn1_time_str(X509_get0_notBefore(x), ci->not_before, sizeof ci->not_before);
    asn1_time_str(X509_get0_notAfter(x), ci->not_after, sizeof ci->not_after);
    int days = 0, secs = 0;
    if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x))) ci->days_left = days;
    ci->expired = X509_cmp_current_time(X509_get0_notAfter(x)) < 0;
    ci->not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(x)) > 0;

    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (pk) {
        int id = EVP_PKEY_get_base_id(pk), bits = EVP_PKEY_get_bits(pk);
        const char *kt = id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_EC ? "EC" : id == EVP_PKEY_ED25519 ? "Ed25519"
                         : id == EVP_PKEY_ED448 ? "Ed448" : id == EVP_PKEY_DSA ? "DSA" : OBJ_nid2sn(id);
        char grp[40] = "";
        size_t gl;
        if (id == EVP_PKEY_EC && EVP_PKEY_get_utf8_string_param(pk, "group", grp + 2, sizeof grp - 3, &gl) == 1) {
            grp[0] = ' ';
            grp[1] = '(';
            strcat(grp, ")");
        }
        snprintf(ci->key, sizeof ci->key, "%s %d bits%s", kt ? kt : "?", bits, grp);
    }
    int sig = X509_get_signature_nid(x);
    snprintf(ci->sigalg, sizeof ci->sigalg, "%s", sig != NID_undef ? OBJ_nid2ln(sig) : "?");

    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    size_t o = 0;
    for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        char v[300] = "";
        const char *kind = NULL;
        if (g->type == GEN_DNS) {
            kind = "DNS";
            snprintf(v, sizeof v, "%.*s", ASN1_STRING_length(g->d.dNSName), (const char *)ASN1_STRING_get0_data(g->d.dNSName));
        } else if (g->type == GEN_IPADD) {
            kind = "IP";
            int l = ASN1_STRING_length(g->d.iPAddress);
            const unsigned char *d = ASN1_STRING_get0_data(g->d.iPAddress);
            if (l == 4) inet_ntop(AF_INET, d, v, sizeof v);
            else if (l == 16) inet_ntop(AF_INET6, d, v, sizeof v);
        } else if (g->type == GEN_EMAIL) {
            kind = "email";
            snprintf(v, sizeof v, "%.*s", ASN1_STRING_length(g->d.rfc822Name), (const char *)ASN1_STRING_get0_data(g->d.rfc822Name));
        } else if (g->type == GEN_URI) {
            kind = "URI";
            snprintf(v, sizeof v, "%.*s", ASN1_STRING_length(g->d.uniformResourceIdentifier),
                     (const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier));
        }
        if (!kind) continue;
        int w = snprintf(ci->sans + o, sizeof ci->sans - o, "%s%s:%s", o ? ", " : "", kind, v);
        if (w < 0 || (size_t)w >= sizeof ci->sans - o) break;
        o += (size_t)w;
    }
    GENERAL_NAMES_free(gens);
}

/* The leaf through proto/x509.c's matcher, the one diagnose uses on
 * captured certificates, so that check and diagnose cannot disagree. */
nt_name_match nt_cert_check_name(X509 *leaf, const char *name, char *matched, size_t msz, const char **how)
{
    *how = NULL;
    if (matched && msz) matched[0] = 0;
    unsigned char *der = NULL;
    int len = i2d_X509(leaf, &der);
    if (len <= 0) return NT_NAME_MISMATCH;
    nt_x509_match m = nt_x509_match_name(der, (uint32_t)len, name, matched, msz);
    OPENSSL_free(der);
    switch (m) {
    case NT_X509_MATCH: return NT_NAME_MATCH;
    case NT_X509_MATCH_PARTIAL:
        *how = "a partial wildcard (a '*' inside a label, like w*.example.com)";
        return NT_NAME_LOOSE;
    case NT_X509_MATCH_CN:
        *how = "the subject CN, while the certificate has no DNS name in subjectAltName";
        return NT_NAME_LOOSE;
    default:
        if (matched && msz) matched[0] = 0;
        return NT_NAME_MISMATCH;
    }
}

const char *nt_verify_explain(long err, const char **win_name, uint32_t *win_code)
{
    *win_name = NULL;
    *win_code = 0;
    switch (err) {
    case X509_V_OK: return "the chain verifies to a trusted root";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        *win_name = "CERT_E_CHAINING";
        *win_code = 0x800B010A;
        return "the issuer of a certificate in the chain is unknown here: the server did not send the intermediate "
               "certificate, or the issuing CA is not in the trusted store; have the server send the full chain";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        *win_name = "CERT_E_CHAINING";
        *win_code = 0x800B010A;
        return "the issuer certificate of a certificate in the chain could not be found";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        *win_name = "CERT_E_UNTRUSTEDROOT";
        *win_code = 0x800B0109;
        return "the certificate is self-signed and not trusted here: install a certificate from a trusted CA, or "
               "trust this one explicitly (--ca-file)";
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        *win_name = "CERT_E_UNTRUSTEDROOT";
        *win_code = 0x800B0109;
        return "the chain ends in a root CA that is not trusted here: add the root to the client's trusted store "
               "(--ca-file to test with it)";
    case X509_V_ERR_CERT_HAS_EXPIRED:
        *win_name = "CERT_E_EXPIRED";
        *win_code = 0x800B0101;
        return "a certificate in the chain has expired: renew it and bind the new one";
    case X509_V_ERR_CERT_NOT_YET_VALID:
        *win_name = "CERT_E_EXPIRED";
        *win_code = 0x800B0101;
        return "a certificate in the chain is not valid yet: check the clocks of the client and of the CA";
    case X509_V_ERR_CERT_REVOKED:
        *win_name = "CRYPT_E_REVOKED";
        *win_code = 0x80092010;
        return "a certificate in the chain has been revoked";
    case X509_V_ERR_INVALID_PURPOSE:
        *win_name = "CERT_E_WRONG_USAGE";
        *win_code = 0x800B0110;
        return "the certificate is not meant for TLS server authentication (extended key usage)";
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        *win_name = "TRUST_E_CERT_SIGNATURE";
        *win_code = 0x80096004;
        return "a signature in the chain does not verify: a certificate was altered or signed by another key";
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_EE_KEY_TOO_SMALL:
        return "a key in the chain is too small for this client's security level";
    case X509_V_ERR_CA_MD_TOO_WEAK:
        return "a certificate is signed with a digest this client no longer accepts (MD5 or SHA-1)";
    case X509_V_ERR_INVALID_CA:
        return "a certificate used as a CA is not allowed to be one (basicConstraints)";
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        return "the chain is longer than a CA's path length constraint allows";
    }
    return "see 'nettracer err' for the OpenSSL verify code";
}
