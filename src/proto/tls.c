/* tls.c - TLS record and handshake decoding (see tls.h). Every length is
 * checked against the bytes given; a message that claims more than it has
 * is refused (false), never read past. */
#include "nettracer/tls.h"

#include <stdio.h>
#include <string.h>

int32_t nt_tls_record_len(const uint8_t *p, uint32_t len)
{
    if (len < 5) return -1;
    if (p[0] < NT_TLS_CT_CCS || p[0] > NT_TLS_CT_HEARTBEAT) return 0;
    if (p[1] != 3 || p[2] > 4) return 0; /* SSL 3.0 .. TLS 1.3 record versions */
    uint32_t l = (uint32_t)p[3] << 8 | p[4];
    if (l == 0 || l + 5 > NT_TLS_RECORD_MAX) return 0;
    return (int32_t)(l + 5);
}

bool nt_tls_sniff(const uint8_t *p, uint32_t len)
{
    if (nt_tls_record_len(p, len) <= 0 || p[0] != NT_TLS_CT_HANDSHAKE || len < 6) return false;
    return p[5] == NT_TLS_HS_CLIENT_HELLO || p[5] == NT_TLS_HS_SERVER_HELLO;
}

bool nt_tls_record_parse(const uint8_t *p, uint32_t len, nt_tls_record *r)
{
    int32_t l = nt_tls_record_len(p, len);
    if (l <= 0 || (uint32_t)l > len) return false;
    r->type = p[0];
    r->version = (uint16_t)(p[1] << 8 | p[2]);
    r->length = (uint16_t)(l - 5);
    r->frag = p + 5;
    return true;
}

static void put_alpn(char *dst, size_t n, const uint8_t *s, size_t l)
{
    size_t have = strlen(dst);
    if (have && have + 1 < n) dst[have++] = ',';
    for (size_t i = 0; i < l && have + 1 < n; i++) dst[have++] = (char)(s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '.');
    dst[have] = 0;
}

static void hello_ext(nt_tls_hello *h, bool client, uint16_t type, nt_cur e)
{
    switch (type) {
    case 0: /* server_name: list of (type, name) */
        if (!client) return;
        {
            nt_cur_be16(&e);
            while (nt_cur_left(&e) >= 3 && !e.bad) {
                uint8_t nt = nt_cur_u8(&e);
                uint16_t l = nt_cur_be16(&e);
                if (!nt_cur_has(&e, l)) return;
                if (nt == 0 && !h->has_sni) {
                    size_t k = l < sizeof h->sni - 1 ? l : sizeof h->sni - 1;
                    memcpy(h->sni, nt_cur_ptr(&e), k);
                    h->sni[k] = 0;
                    h->has_sni = true;
                }
                nt_cur_skip(&e, l);
            }
        }
        break;
    case 16: { /* ALPN: list of length-prefixed strings */
        uint16_t total = nt_cur_be16(&e);
        if (!nt_cur_has(&e, total)) return;
        nt_cur l = nt_cur_make(nt_cur_ptr(&e), total);
        while (nt_cur_left(&l) >= 1) {
            uint8_t n = nt_cur_u8(&l);
            if (!nt_cur_has(&l, n)) break;
            put_alpn(h->alpn, sizeof h->alpn, nt_cur_ptr(&l), n);
            nt_cur_skip(&l, n);
        }
        break;
    }
    case 43: /* supported_versions */
        if (client) {
            uint8_t l = nt_cur_u8(&e);
            for (uint8_t i = 0; i + 1 < l && nt_cur_has(&e, 2) && h->nversions < NT_TLS_MAX_VERSIONS; i += 2)
                h->versions[h->nversions++] = nt_cur_be16(&e);
        } else if (nt_cur_has(&e, 2)) {
            h->versions[0] = nt_cur_be16(&e);
            h->nversions = 1;
        }
        break;
    default: break;
    }
}

bool nt_tls_hello_parse(uint8_t hs_type, const uint8_t *body, uint32_t len, nt_tls_hello *h)
{
    memset(h, 0, sizeof *h);
    bool client = hs_type == NT_TLS_HS_CLIENT_HELLO;
    nt_cur c = nt_cur_make(body, len);
    h->version = nt_cur_be16(&c);
    nt_cur_skip(&c, 32); /* random */
    h->sid_len = nt_cur_u8(&c);
    nt_cur_skip(&c, h->sid_len);
    if (client) {
        uint16_t cl = nt_cur_be16(&c);
        h->ncipher = cl / 2;
        h->ciphers = nt_cur_has(&c, cl) ? nt_cur_ptr(&c) : NULL;
        nt_cur_skip(&c, cl);
        uint8_t ml = nt_cur_u8(&c);
        nt_cur_skip(&c, ml);
    } else {
        h->cipher = nt_cur_be16(&c);
        nt_cur_u8(&c); /* compression */
    }
    if (c.bad) return false;
    if (!nt_cur_has(&c, 2)) return true; /* no extensions (SSL 3.0 style) */
    uint16_t el = nt_cur_be16(&c);
    if (!nt_cur_has(&c, el)) return false;
    nt_cur x = nt_cur_make(nt_cur_ptr(&c), el);
    while (nt_cur_left(&x) >= 4) {
        uint16_t type = nt_cur_be16(&x), l = nt_cur_be16(&x);
        if (!nt_cur_has(&x, l)) return false;
        hello_ext(h, client, type, nt_cur_make(nt_cur_ptr(&x), l));
        nt_cur_skip(&x, l);
        h->nextensions++;
    }
    return true;
}

uint16_t nt_tls_hello_selected(const nt_tls_hello *h)
{
    return h->nversions == 1 ? h->versions[0] : h->version;
}

static uint32_t be24(nt_cur *c)
{
    uint32_t v = (uint32_t)nt_cur_u8(c) << 16;
    return v | nt_cur_be16(c);
}

bool nt_tls_certs_parse(const uint8_t *body, uint32_t len, bool tls13, nt_tls_certs *out)
{
    memset(out, 0, sizeof *out);
    nt_cur c = nt_cur_make(body, len);
    if (tls13) {
        uint8_t ctx = nt_cur_u8(&c);
        nt_cur_skip(&c, ctx);
    }
    uint32_t total = be24(&c);
    if (c.bad || !nt_cur_has(&c, total)) return false;
    nt_cur l = nt_cur_make(nt_cur_ptr(&c), total);
    while (nt_cur_left(&l) >= 3) {
        uint32_t n = be24(&l);
        if (!nt_cur_has(&l, n)) return false;
        if (out->n < NT_TLS_MAX_CERTS) {
            out->der[out->n] = nt_cur_ptr(&l);
            out->der_len[out->n] = n;
            out->n++;
        }
        out->total++;
        nt_cur_skip(&l, n);
        if (tls13) {
            uint16_t el = nt_cur_be16(&l);
            if (!nt_cur_skip(&l, el)) return false;
        }
    }
    return !l.bad;
}

bool nt_tls_certreq_parse(const uint8_t *body, uint32_t len, bool tls12, nt_tls_certreq *r)
{
    memset(r, 0, sizeof *r);
    nt_cur c = nt_cur_make(body, len);
    uint8_t nt = nt_cur_u8(&c);
    nt_cur_skip(&c, nt); /* certificate types */
    if (tls12) {
        uint16_t sl = nt_cur_be16(&c);
        nt_cur_skip(&c, sl); /* signature algorithms */
    }
    r->dn_len = nt_cur_be16(&c);
    if (c.bad || !nt_cur_has(&c, r->dn_len)) return false;
    r->dn = nt_cur_ptr(&c);
    nt_cur d = nt_cur_make(r->dn, r->dn_len);
    while (nt_cur_left(&d) >= 2) {
        uint16_t l = nt_cur_be16(&d);
        if (!nt_cur_skip(&d, l)) return false;
        r->ndn++;
    }
    return true;
}

const char *nt_tls_version_name(uint16_t v)
{
    switch (v) {
    case 0x0300: return "SSL 3.0";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default: return "Unknown";
    }
}

const char *nt_tls_version_short(uint16_t v)
{
    switch (v) {
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLSv1.1";
    case 0x0303: return "TLSv1.2";
    case 0x0304: return "TLSv1.3";
    default: return "TLS";
    }
}

const char *nt_tls_hs_name(uint8_t t)
{
    switch (t) {
    case 0: return "Hello Request";
    case 1: return "Client Hello";
    case 2: return "Server Hello";
    case 3: return "Hello Verify Request";
    case 4: return "New Session Ticket";
    case 5: return "End of Early Data";
    case 6: return "Hello Retry Request";
    case 8: return "Encrypted Extensions";
    case 11: return "Certificate";
    case 12: return "Server Key Exchange";
    case 13: return "Certificate Request";
    case 14: return "Server Hello Done";
    case 15: return "Certificate Verify";
    case 16: return "Client Key Exchange";
    case 20: return "Finished";
    case 21: return "Client Certificate URL";
    case 22: return "Certificate Status";
    case 23: return "Supplemental Data";
    case 24: return "Key Update";
    case 25: return "Compressed Certificate";
    case 254: return "Message Hash";
    default: return NULL;
    }
}

const char *nt_tls_alert_name(uint8_t d)
{
    switch (d) {
    case 0: return "Close Notify";
    case 1: return "End of Early Data";
    case 10: return "Unexpected Message";
    case 20: return "Bad Record MAC";
    case 21: return "Decryption Failed";
    case 22: return "Record Overflow";
    case 30: return "Decompression Failure";
    case 40: return "Handshake Failure";
    case 41: return "No Certificate";
    case 42: return "Bad Certificate";
    case 43: return "Unsupported Certificate";
    case 44: return "Certificate Revoked";
    case 45: return "Certificate Expired";
    case 46: return "Certificate Unknown";
    case 47: return "Illegal Parameter";
    case 48: return "Unknown CA";
    case 49: return "Access Denied";
    case 50: return "Decode Error";
    case 51: return "Decrypt Error";
    case 60: return "Export Restriction";
    case 70: return "Protocol Version";
    case 71: return "Insufficient Security";
    case 80: return "Internal Error";
    case 86: return "Inappropriate Fallback";
    case 90: return "User Canceled";
    case 100: return "No Renegotiation";
    case 109: return "Missing Extension";
    case 110: return "Unsupported Extension";
    case 111: return "Certificate Unobtainable";
    case 112: return "Unrecognized Name";
    case 113: return "Bad Certificate Status Response";
    case 114: return "Bad Certificate Hash Value";
    case 115: return "Unknown PSK Identity";
    case 116: return "Certificate Required";
    case 120: return "No application Protocol";
    case 121: return "ECH Required";
    default: return NULL;
    }
}

const char *nt_tls_ct_name(uint8_t t)
{
    switch (t) {
    case 20: return "Change Cipher Spec";
    case 21: return "Alert";
    case 22: return "Handshake";
    case 23: return "Application Data";
    case 24: return "Heartbeat";
    default: return NULL;
    }
}
