/* pseudotls.c - MS-TURN's pseudo-TLS hello and its answer (see pseudotls.h).
 *
 * The bytes: [MS-TURN] section 2.1.1 "Pseudo-TLS over TCP" gives the layout
 * (a TLS 1.0 record holding a ClientHello: Time Stamp, 28-byte Random Value,
 * Session ID Length, one cipher suite, one compression method; the answer is
 * one record holding a ServerHello and a ServerHelloDone). The field values
 * are those of libnice's MS-OC compatible pseudo-SSL socket
 * (socket/pseudossl.c, SSL_CLIENT_MSOC_HANDSHAKE / SSL_SERVER_MSOC_HANDSHAKE,
 * used against OCS/Lync edges): record and hello version 3.1, no session ID
 * from the client, suite 0x0018, compression 0 (null); the server's answer
 * carries a 32-byte session ID, the same suite and compression, then
 * ServerHelloDone (0x0e, length 0): 83 bytes. libnice compares the answer
 * byte for byte apart from the random and the session ID; this decoder reads
 * it field by field instead, so that what a wrong server sent (an alert, a
 * real TLS handshake, STUN, HTTP) can be said. */
#include "nettracer/pseudotls.h"

#include "nettracer/core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

size_t nt_ptls_client_hello(uint8_t out[NT_PTLS_HELLO_LEN], const uint8_t random[32])
{
    static const uint8_t head[11] = {
        0x16, 0x03, 0x01, 0x00, 0x2d,   /* record: handshake, TLS 1.0, length 45 */
        0x01, 0x00, 0x00, 0x29,         /* ClientHello, length 41 */
        0x03, 0x01,                     /* client version TLS 1.0 */
    };
    static const uint8_t tail[7] = {
        0x00,                           /* session ID length 0 */
        0x00, 0x02, 0x00, 0x18,         /* one cipher suite: 0x0018 */
        0x01, 0x00,                     /* one compression method: null */
    };
    memcpy(out, head, sizeof head);
    memcpy(out + 11, random, 32);
    memcpy(out + 43, tail, sizeof tail);
    return NT_PTLS_HELLO_LEN;
}

bool nt_ptls_is_client_hello(const uint8_t *p, size_t len)
{
    uint8_t ref[NT_PTLS_HELLO_LEN];
    static const uint8_t zero[32];
    if (len < NT_PTLS_HELLO_LEN) return false;
    nt_ptls_client_hello(ref, zero);
    return memcmp(p, ref, 11) == 0 && memcmp(p + 43, ref + 43, NT_PTLS_HELLO_LEN - 43) == 0;
}

const char *nt_ptls_alert_name(uint8_t desc)
{
    switch (desc) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 47: return "illegal_parameter";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 109: return "missing_extension";
    case 112: return "unrecognized_name";
    default: return NULL;
    }
}

static nt_ptls_status more(nt_ptls_answer *a, size_t need)
{
    a->need = need;
    return a->status = NT_PTLS_MORE;
}

static nt_ptls_status say(nt_ptls_answer *a, nt_ptls_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static nt_ptls_status say(nt_ptls_answer *a, nt_ptls_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->why, sizeof a->why, fmt, ap);
    va_end(ap);
    return a->status = st;
}

static const char *hs_name(uint8_t t)
{
    switch (t) {
    case 2: return "ServerHello";
    case 4: return "NewSessionTicket";
    case 8: return "EncryptedExtensions";
    case 11: return "Certificate";
    case 12: return "ServerKeyExchange";
    case 13: return "CertificateRequest";
    case 14: return "ServerHelloDone";
    default: return NULL;
    }
}

nt_ptls_status nt_ptls_parse_answer(const uint8_t *p, size_t len, nt_ptls_answer *a)
{
    memset(a, 0, sizeof *a);
    if (len < 1) return more(a, 5);
    if (p[0] != 0x15 && p[0] != 0x16) {
        /* STUN: first two bits 0 and the magic cookie at offset 4 */
        if ((p[0] & 0xc0) == 0 && len < 8) return more(a, 8);
        if ((p[0] & 0xc0) == 0 && p[4] == 0x21 && p[5] == 0x12 && p[6] == 0xa4 && p[7] == 0x42)
            return say(a, NT_PTLS_STUN, "a STUN message (the server does not expect the pseudo-TLS hello)");
        if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
            size_t n = 0;
            while (n < len && n < 60 && p[n] >= 0x20 && p[n] < 0x7f) n++;
            return say(a, NT_PTLS_OTHER, "an HTTP answer (\"%.*s\")", (int)n, (const char *)p);
        }
        if (p[0] == 0x14 || p[0] == 0x17)
            return say(a, NT_PTLS_REAL_TLS, "a TLS %s record", p[0] == 0x14 ? "ChangeCipherSpec" : "application data");
        return say(a, NT_PTLS_OTHER, "not TLS (first byte 0x%02x)", p[0]);
    }
    if (len < 5) return more(a, 5);
    nt_cur c = nt_cur_make(p, len);
    uint8_t type = nt_cur_u8(&c);
    uint16_t rver = nt_cur_be16(&c), rlen = nt_cur_be16(&c);
    if (rver >> 8 != 3) return say(a, NT_PTLS_OTHER, "not TLS (record version 0x%04x)", rver);
    if (len < 5 + (size_t)rlen) return more(a, 5 + (size_t)rlen);
    if (type == 0x15) {
        if (rlen < 2) return say(a, NT_PTLS_ALERT, "a TLS alert record of %u bytes", rlen);
        a->alert_level = nt_cur_u8(&c);
        a->alert_desc = nt_cur_u8(&c);
        const char *n = nt_ptls_alert_name(a->alert_desc);
        return say(a, NT_PTLS_ALERT, "a TLS alert: %s %s (%u)", a->alert_level == 2 ? "fatal" : "warning",
                   n ? n : "alert", a->alert_desc);
    }
    /* the handshake messages of this one record */
    nt_cur r = nt_cur_make(p + 5, rlen);
    uint8_t ht = nt_cur_u8(&r);
    uint32_t hl = (uint32_t)nt_cur_u8(&r) << 16;
    hl |= nt_cur_be16(&r);
    if (r.bad) return say(a, NT_PTLS_OTHER, "a TLS handshake record of %u bytes", rlen);
    if (ht != 2) {
        const char *n = hs_name(ht);
        if (n) return say(a, NT_PTLS_REAL_TLS, "a TLS %s first, not a ServerHello", n);
        return say(a, NT_PTLS_OTHER, "a TLS handshake message of type %u, not a ServerHello", ht);
    }
    if (!nt_cur_has(&r, hl))
        return say(a, NT_PTLS_REAL_TLS, "a ServerHello longer than its record (%u > %zu bytes)", hl, nt_cur_left(&r));
    nt_cur h = nt_cur_make(nt_cur_ptr(&r), hl);
    nt_cur_skip(&r, hl);
    a->version = nt_cur_be16(&h);
    nt_cur_skip(&h, 32);
    a->sid_len = nt_cur_u8(&h);
    nt_cur_skip(&h, a->sid_len);
    a->cipher = nt_cur_be16(&h);
    uint8_t comp = nt_cur_u8(&h);
    if (h.bad || a->sid_len > 32 || a->version >> 8 != 3) return say(a, NT_PTLS_OTHER, "a malformed ServerHello (%u bytes)", hl);
    if (a->cipher != NT_PTLS_CIPHER || comp != 0 || nt_cur_left(&h) > 0)
        return say(a, NT_PTLS_REAL_TLS, "a real TLS ServerHello (version 0x%04x, cipher suite 0x%04x%s)", a->version,
                   a->cipher, nt_cur_left(&h) ? ", extensions" : "");
    /* then ServerHelloDone, ending the record */
    if (nt_cur_left(&r) == 0)
        return say(a, NT_PTLS_REAL_TLS, "a ServerHello without ServerHelloDone in its record");
    uint8_t dt = nt_cur_u8(&r);
    uint32_t dl = (uint32_t)nt_cur_u8(&r) << 16;
    dl |= nt_cur_be16(&r);
    if (r.bad || dt != 14 || dl != 0 || nt_cur_left(&r) > 0) {
        const char *n = hs_name(dt);
        return say(a, NT_PTLS_REAL_TLS, "a ServerHello followed by %s%s", n ? n : "another handshake message",
                   dt == 14 ? " of the wrong length" : ", not ServerHelloDone alone");
    }
    a->len = 5 + (size_t)rlen;
    return a->status = NT_PTLS_OK;
}
