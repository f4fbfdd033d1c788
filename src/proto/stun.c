/* stun.c - the STUN/TURN codec (see stun.h): parse a message in place,
 * decode its attributes, write Wireshark's Info text and fields, and build
 * requests with long-term credentials. The attribute walk follows
 * Wireshark 4.0's dissect_stun_message() rule by rule (padding by dialect,
 * a known attribute that runs past the end ends the walk quietly, reading
 * past the end makes the packet "[Malformed Packet]"), so that the Info
 * column and the fields agree with tshark; the decoders say plainly whether
 * a value is usable. */
#include "nettracer/stun.h"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <stddef.h>
#include <string.h>

#include "nettracer/field_put.h"

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- names (Wireshark 4.0 value strings) ------------------------------ */

const char *nt_stun_method_name(uint16_t method)
{
    switch (method) {
    case 0x001: return "Binding";
    case 0x002: return "SharedSecret";
    case 0x003: return "Allocate";
    case 0x004: return "Refresh";
    case 0x006: return "Send";
    case 0x007: return "Data";
    case 0x008: return "CreatePermission";
    case 0x009: return "Channel-Bind";
    case 0x00a: return "Connect";
    case 0x00b: return "ConnectionBind";
    case 0x00c: return "ConnectionAttempt";
    case 0x080: return "GooglePing";
    }
    return "Unknown";
}

const char *nt_stun_class_name(uint8_t cls)
{
    static const char *const n[] = {"Request", "Indication", "Success Response", "Error Response"};
    return n[cls & 3];
}

static const struct { uint16_t t; const char *name; } attr_names[] = {
    {0x0001, "MAPPED-ADDRESS"}, {0x0002, "RESPONSE_ADDRESS"}, {0x0003, "CHANGE_REQUEST"},
    {0x0004, "SOURCE_ADDRESS"}, {0x0005, "CHANGED_ADDRESS"}, {0x0006, "USERNAME"}, {0x0007, "PASSWORD"},
    {0x0008, "MESSAGE-INTEGRITY"}, {0x0009, "ERROR-CODE"}, {0x000a, "UNKNOWN-ATTRIBUTES"},
    {0x000b, "REFLECTED-FROM"}, {0x000c, "CHANNEL-NUMBER"}, {0x000d, "LIFETIME"},
    {0x000e, "MS-ALTERNATE-SERVER"}, {0x000f, "MAGIC-COOKIE"}, {0x0010, "BANDWIDTH"},
    {0x0011, "DESTINATION-ADDRESS"}, {0x0012, "XOR-PEER-ADDRESS"}, {0x0013, "DATA"}, {0x0014, "REALM"},
    {0x0015, "NONCE"}, {0x0016, "XOR-RELAYED-ADDRESS"}, {0x0017, "REQUESTED-ADDRESS-FAMILY"},
    {0x0018, "EVEN-PORT"}, {0x0019, "REQUESTED-TRANSPORT"}, {0x001a, "DONT-FRAGMENT"},
    {0x001b, "ACCESS-TOKEN"}, {0x001c, "MESSAGE-INTEGRITY-SHA256"}, {0x001d, "PASSWORD-ALGORITHM"},
    {0x001e, "USERHASH"}, {0x0020, "XOR-MAPPED-ADDRESS"}, {0x0022, "RESERVATION-TOKEN"},
    {0x0024, "PRIORITY"}, {0x0025, "USE-CANDIDATE"}, {0x0026, "PADDING"}, {0x0027, "XOR-RESPONSE-TARGET"},
    {0x0028, "XOR-REFELECTED-FROM"}, {0x002a, "CONNECTION-ID"}, {0x0030, "LEGACY-ICMP"},
    {0x8000, "ADDITIONAL-ADDRESS-FAMILY"}, {0x8001, "ADDRESS-ERROR-CODE"}, {0x8002, "PASSWORD-ALGORITHMS"},
    {0x8003, "ALTERNATE-DOMAIN"}, {0x8004, "ICMP"}, {0x8006, "MS-TURN UNKNOWN 8006"},
    {0x8008, "MS-VERSION"}, {0x8020, "XOR-MAPPED-ADDRESS"}, {0x8022, "SOFTWARE"},
    {0x8023, "ALTERNATE-SERVER"}, {0x8025, "TRANSACTION-TRANSMIT-COUNTER"}, {0x8027, "CACHE-TIMEOUT"},
    {0x8028, "FINGERPRINT"}, {0x8029, "ICE-CONTROLLED"}, {0x802a, "ICE-CONTROLLING"},
    {0x802b, "RESPONSE-ORIGIN"}, {0x802c, "OTHER-ADDRESS"}, {0x802d, "ECN-CHECK-STUN"},
    {0x802e, "THIRD-PARTY-AUTHORIZATION"}, {0x8030, "MOBILITY-TICKET"}, {0x8032, "MS-ALTERNATE-HOST-NAME"},
    {0x8037, "MS-APP-ID"}, {0x8039, "MS-SECURE-TAG"}, {0x8050, "MS-SEQUENCE-NUMBER"},
    {0x8054, "MS-CANDIDATE-IDENTIFIER"}, {0x8055, "MS-SERVICE-QUALITY"},
    {0x8056, "Bandwidth Admission Control Message"}, {0x8057, "Bandwidth Reservation Identifier"},
    {0x8058, "Bandwidth Reservation Amount"}, {0x8059, "Remote Site Address"},
    {0x805a, "Remote Relay Site Address"}, {0x805b, "Local Site Address"}, {0x805c, "Local Relay Site Address"},
    {0x805d, "Remote Site Address Response"}, {0x805e, "Remote Relay Site Address Response"},
    {0x805f, "Local Site Address Response"}, {0x8060, "Local Relay Site Address Response"},
    {0x8061, "SIP Dialog Identifier"}, {0x8062, "SIP Call Identifier"}, {0x8068, "Location Profile"},
    {0x8070, "MS-IMPLEMENTATION-VERSION"}, {0x8090, "MS-ALT-MAPPED-ADDRESS"},
    {0x8095, "MS-MULTIPLEXED-TURN-SESSION-ID"}, {0xc000, "CISCO-STUN-FLOWDATA"},
    {0xc001, "ENF-FLOW-DESCRIPTION"}, {0xc002, "ENF-NETWORK-STATUS"}, {0xc057, "GOOG-NETWORK-INFO"},
    {0xc058, "GOOG-LAST-ICE-CHECK-RECEIVED"}, {0xc059, "GOOG-MISC-INFO"},
    {0xc060, "GOOG-MESSAGE_INTEGRITY-32"}, {0xff04, "GOOG-MULTI-MAPPING"}, {0xff05, "GOOG-LOGGING-ID"},
};

const char *nt_stun_attr_name(uint16_t kind)
{
    for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
        if (attr_names[i].t == kind) return attr_names[i].name;
    return NULL;
}

const char *nt_stun_error_name(unsigned code)
{
    switch (code) {
    case 274: return "Disable Candidate";
    case 275: return "Disable Candidate Pair";
    case 300: return "Try Alternate";
    case 400: return "Bad Request";
    case 401: return "Unauthenticated";
    case 403: return "Forbidden";
    case 405: return "Mobility Forbidden";
    case 420: return "Unknown Attribute";
    case 430: return "Stale Credentials (legacy)";
    case 431: return "Integrity Check Failure (legacy)";
    case 432: return "Missing Username (legacy)";
    case 433: return "Use TLS (legacy)";
    case 434: return "Missing Realm (legacy)";
    case 435: return "Missing Nonce (legacy)";
    case 436: return "Unknown User (legacy)";
    case 437: return "Allocation Mismatch";
    case 438: return "Stale Nonce";
    case 439: return "Wrong Credentials (legacy)";
    case 440: return "Address Family not Supported";
    case 441: return "Wrong Credentials";
    case 442: return "Unsupported Transport Protocol";
    case 443: return "Peer Address Family Mismatch";
    case 446: return "Connection Already Exists";
    case 447: return "Connection Timeout or Failure";
    case 481: return "Connection does not exist (legacy)";
    case 486: return "Allocation Quota Reached";
    case 487: return "Role Conflict";
    case 500: return "Server Error";
    case 503: return "Service Unavailable (legacy)";
    case 507: return "Insufficient Bandwidth Capacity (legacy)";
    case 508: return "Insufficient Port Capacity";
    case 600: return "Global Failure";
    }
    return "*Unknown error code*";
}

/* Bytes Wireshark reads from a value whatever its length says: these
 * attributes' dissectors do not check it, so a short one at the end of
 * the message makes the packet malformed. */
static unsigned fixed_read(uint16_t kind)
{
    switch (kind) {
    case 0x8008: case 0x8070: case 0x8055: case 0x8056: case 0x8054: case 0x8068: case 0xc057: return 4;
    case 0x8095: return 8;
    case 0x805d: case 0x805e: case 0x805f: case 0x8060: return 12;
    case 0x8057: case 0x8058: return 16;
    case 0x8050: return 24;
    }
    return 0;
}

/* Least value length a decoder needs (0: any). */
static unsigned min_len(uint16_t kind, const uint8_t *val, uint16_t avail)
{
    switch (kind) {
    case 0x0001: case 0x0002: case 0x0004: case 0x0005: case 0x000b: case 0x000e: case 0x0011:
    case 0x0012: case 0x0016: case 0x0020: case 0x0027: case 0x0028: case 0x8020: case 0x8023:
    case 0x802b: case 0x802c: case 0x8090:
        return avail >= 2 && val[1] == 2 ? 20 : 8;
    case 0x0008: return 20;
    case 0x0009: case 0x000c: case 0x000d: case 0x000f: case 0x0010: case 0x0019: case 0x0024:
    case 0x8028: case 0x8008: case 0x8055: return 4;
    case 0x8029: case 0x802a: return 8;
    }
    return 0;
}

/* ---- the attribute walk ------------------------------------------------ */

typedef enum { WALK_DONE, WALK_ATTR, WALK_LAST, WALK_EXC } walk_rc;

/* One attribute at *off. WALK_ATTR: go on; WALK_LAST: a known attribute
 * longer than the message (shown, then the walk ends); WALK_EXC: Wireshark
 * reads past the end here (a attribute may have been filled: a->len set
 * when it has, a->type 0xffff-free); WALK_DONE: no more. */
static walk_rc walk_next(const nt_stun_msg *m, size_t *off, nt_stun_attr *a, bool *have)
{
    size_t end = m->len;
    *have = false;
    if (*off >= (size_t)NT_STUN_HDR + m->length) return WALK_DONE;
    if (*off + 4 > end) return WALK_EXC;
    memset(a, 0, sizeof *a);
    a->type = be16(m->p + *off);
    a->len = be16(m->p + *off + 2);
    a->kind = a->type;
    if (m->dialect == NT_STUN_MS_TURN && (a->type == 0x0014 || a->type == 0x0015)) a->kind ^= 1;
    a->off = (uint16_t)*off;
    size_t pad = m->dialect == NT_STUN_RFC5389 ? ((size_t)a->len + 3) & ~(size_t)3 : a->len;
    size_t voff = *off + 4;
    a->val = m->p + voff;
    a->avail = (uint16_t)(end - voff < a->len ? end - voff : a->len);
    a->past_end = voff + a->len > end;
    unsigned need = min_len(a->kind, a->val, a->avail);
    a->malformed = a->past_end || a->len < need;
    *have = true;
    bool known = nt_stun_attr_name(a->kind) != NULL;
    if (known && voff + pad > end) {
        a->past_end = a->malformed = true;
        return WALK_LAST;
    }
    if (!known && a->len > 0 && voff + a->len > end) return WALK_EXC;
    unsigned fr = known ? fixed_read(a->kind) : 0;
    if (fr && voff + fr > end) return WALK_EXC;
    if (a->kind == NT_STUN_A_UNKNOWN_ATTRIBUTES && voff + (((size_t)a->len + 1) & ~(size_t)1) > end) return WALK_EXC;
    *off = voff + pad;
    return WALK_ATTR;
}

int nt_stun_parse(const uint8_t *p, size_t len, nt_stun_msg *m, const char **why)
{
    const char *w = NULL;
    memset(m, 0, offsetof(nt_stun_msg, attrs));
    if (why) *why = NULL;
    if (len < NT_STUN_HDR) w = "shorter than a STUN header (20 bytes)";
    else if (p[0] & 0xc0) w = "the first two bits are set (a TURN ChannelData message, or not STUN)";
    else if (be32(p + 4) != NT_STUN_COOKIE) w = "no STUN magic cookie 0x2112A442 (not STUN, or classic RFC 3489 STUN)";
    if (w) {
        if (why) *why = w;
        return -1;
    }
    m->p = p;
    m->type = be16(p);
    m->length = be16(p + 2);
    m->len = len < (size_t)NT_STUN_HDR + m->length ? len : (size_t)NT_STUN_HDR + m->length;
    m->truncated = len < (size_t)NT_STUN_HDR + m->length;
    m->cls = (uint8_t)((m->type >> 4 & 1) | (m->type >> 7 & 2));
    m->method = (uint16_t)((m->type & 0x000f) | (m->type & 0x00e0) >> 1 | (m->type & 0x3e00) >> 2);
    m->cookie = be32(p + 4);
    memcpy(m->tid, p + 8, 12);
    m->dialect = NT_STUN_RFC5389;
    if (m->length && m->len >= NT_STUN_HDR + 2 && be16(p + NT_STUN_HDR) == NT_STUN_A_MAGIC_COOKIE)
        m->dialect = NT_STUN_MS_TURN;
    m->bad_length = m->dialect == NT_STUN_RFC5389 && (m->length & 3);
    size_t off = NT_STUN_HDR;
    for (;;) {
        nt_stun_attr a;
        bool have;
        walk_rc rc = walk_next(m, &off, &a, &have);
        if (have) {
            if (m->nattrs < NT_STUN_MAX_ATTRS) m->attrs[m->nattrs++] = a;
            else m->more_attrs = true;
            if (a.malformed) m->malformed = true;
        }
        if (rc == WALK_ATTR) continue;
        if (rc != WALK_DONE) m->malformed = true;
        break;
    }
    if (m->truncated) m->malformed = true;
    return 0;
}

bool nt_stun_is_message(const uint8_t *p, size_t len)
{
    return len >= NT_STUN_HDR && !(p[0] & 0xc0) && be32(p + 4) == NT_STUN_COOKIE &&
           (size_t)NT_STUN_HDR + be16(p + 2) == len;
}

bool nt_stun_is_channeldata(const uint8_t *p, size_t len)
{
    if (len < 4 || (p[0] & 0xc0) != 0x40) return false;
    size_t n = 4 + (size_t)be16(p + 2);
    return len == n || len == ((n + 3) & ~(size_t)3);
}

int nt_stun_parse_channeldata(const uint8_t *p, size_t len, nt_stun_msg *m)
{
    memset(m, 0, offsetof(nt_stun_msg, attrs));
    if (len < 4 || (p[0] & 0xc0) != 0x40) return -1;
    m->p = p;
    m->channel_data = true;
    m->type = be16(p);
    m->length = be16(p + 2);
    m->len = len < 4 + (size_t)m->length ? len : 4 + (size_t)m->length;
    m->truncated = m->malformed = len < 4 + (size_t)m->length;
    return 0;
}

const nt_stun_attr *nt_stun_find(const nt_stun_msg *m, uint16_t kind)
{
    for (unsigned i = 0; i < m->nattrs; i++)
        if (m->attrs[i].kind == kind) return &m->attrs[i];
    return NULL;
}

/* ---- decoders ---------------------------------------------------------- */

bool nt_stun_is_xor_addr(uint16_t kind)
{
    switch (kind) {
    case 0x0012: case 0x0016: case 0x0020: case 0x0027: case 0x0028: case 0x8020:
    case 0x8059: case 0x805a: case 0x805b: case 0x805c:
        return true;
    }
    return false;
}

bool nt_stun_attr_addr(const nt_stun_msg *m, const nt_stun_attr *a, nt_stun_addr *out)
{
    memset(out, 0, sizeof *out);
    if (a->past_end || a->avail < 8) return false;
    uint8_t fam = a->val[1];
    size_t alen = fam == 1 ? 4 : fam == 2 ? 16 : 0;
    if (!alen || a->avail < 4 + alen) return false;
    out->family = fam;
    out->port = be16(a->val + 2);
    memcpy(out->addr, a->val + 4, alen);
    if (nt_stun_is_xor_addr(a->kind)) {
        uint8_t key[16];
        key[0] = NT_STUN_COOKIE >> 24, key[1] = NT_STUN_COOKIE >> 16 & 0xff;
        key[2] = NT_STUN_COOKIE >> 8 & 0xff, key[3] = NT_STUN_COOKIE & 0xff;
        memcpy(key + 4, m->tid, 12);
        out->port ^= NT_STUN_COOKIE >> 16;
        for (size_t i = 0; i < alen; i++) out->addr[i] ^= key[i];
    }
    return true;
}

bool nt_stun_attr_error(const nt_stun_attr *a, unsigned *code, const char **reason, size_t *reason_len)
{
    if (a->past_end || a->avail < 4) return false;
    *code = (a->val[2] & 7) * 100u + a->val[3];
    *reason = (const char *)a->val + 4;
    *reason_len = a->avail - 4u;
    return true;
}

bool nt_stun_attr_u32(const nt_stun_attr *a, uint32_t *v)
{
    if (a->past_end || a->avail < 4) return false;
    *v = be32(a->val);
    return true;
}

bool nt_stun_attr_str(const nt_stun_attr *a, const char **s, size_t *n)
{
    if (a->past_end) return false;
    *s = (const char *)a->val;
    *n = a->avail;
    return true;
}

bool nt_stun_attr_ms_quality(const nt_stun_attr *a, uint16_t *stream_type, uint16_t *quality)
{
    if (a->past_end || a->avail < 4) return false;
    *stream_type = be16(a->val);
    *quality = be16(a->val + 2);
    return true;
}

bool nt_stun_attr_transport(const nt_stun_attr *a, uint8_t *proto)
{
    if (a->past_end || a->avail < 4) return false;
    *proto = a->val[0];
    return true;
}

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
    }
    return ~c;
}

bool nt_stun_fingerprint_ok(const nt_stun_msg *m, const nt_stun_attr *a)
{
    uint32_t v;
    if (!nt_stun_attr_u32(a, &v)) return false;
    return (crc32_ieee(m->p, a->off) ^ NT_STUN_FP_XOR) == v;
}

/* HMAC-SHA1 over the message up to `upto`, with the length field set to
 * cover the MESSAGE-INTEGRITY attribute that starts there (RFC 5389 15.4). */
static void integrity_mac(const uint8_t *p, size_t upto, const uint8_t *key, size_t keylen, uint8_t mac[20])
{
    uint8_t hdr[4] = {p[0], p[1], (uint8_t)((upto + 24 - NT_STUN_HDR) >> 8), (uint8_t)(upto + 24 - NT_STUN_HDR)};
    size_t maclen = 0;
    char digest[] = "SHA1";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
    EVP_MAC *hm = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = hm ? EVP_MAC_CTX_new(hm) : NULL;
    if (!c || !EVP_MAC_init(c, key, keylen, params) || !EVP_MAC_update(c, hdr, 4) ||
        !EVP_MAC_update(c, p + 4, upto - 4) || !EVP_MAC_final(c, mac, &maclen, 20) || maclen != 20)
        memset(mac, 0, 20);
    EVP_MAC_CTX_free(c);
    EVP_MAC_free(hm);
}

bool nt_stun_integrity_ok(const nt_stun_msg *m, const nt_stun_attr *a, const uint8_t *key, size_t keylen)
{
    if (a->past_end || a->avail != 20) return false;
    uint8_t mac[20];
    integrity_mac(m->p, a->off, key, keylen, mac);
    return memcmp(mac, a->val, 20) == 0;
}

void nt_stun_long_term_key(const char *user, const char *realm, size_t realm_len, const char *pass, uint8_t key[16])
{
    unsigned int n = 16;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c) {
        memset(key, 0, 16);
        return;
    }
    EVP_DigestInit_ex(c, EVP_md5(), NULL);
    EVP_DigestUpdate(c, user, strlen(user));
    EVP_DigestUpdate(c, ":", 1);
    EVP_DigestUpdate(c, realm, realm_len);
    EVP_DigestUpdate(c, ":", 1);
    EVP_DigestUpdate(c, pass, strlen(pass));
    EVP_DigestFinal_ex(c, key, &n);
    EVP_MD_CTX_free(c);
}

/* ---- text -------------------------------------------------------------- */

void nt_stun_addr_str(const nt_stun_addr *a, nt_buf *b, bool brackets)
{
    if (a->family == 2) {
        if (brackets) nt_buf_putc(b, '[');
        nt_buf_ipv6(b, a->addr);
        if (brackets) nt_buf_putc(b, ']');
    } else {
        nt_buf_ipv4(b, a->addr);
    }
    nt_buf_putc(b, ':');
    nt_buf_u64(b, a->port);
}

/* A string value as Wireshark puts it in a column: up to the first NUL,
 * each byte that is not part of valid UTF-8 replaced by U+FFFD. */
static void put_text(nt_buf *b, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n && s[i];) {
        uint8_t c = s[i];
        size_t k = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        bool ok = k && i + k <= n;
        for (size_t j = 1; ok && j < k; j++) ok = (s[i + j] & 0xc0) == 0x80;
        if (ok && k == 2 && c < 0xc2) ok = false; /* overlong */
        if (ok) {
            nt_buf_put(b, (const char *)s + i, k);
            i += k;
        } else {
            nt_buf_puts(b, "\xef\xbf\xbd");
            i++;
        }
    }
}

static bool plain_addr_kind(uint16_t k)
{
    return k == 0x0001 || k == 0x8023 || k == 0x802b || k == 0x802c || k == 0x8090 || k == 0x000e;
}

static void info_attr(const nt_stun_msg *m, const nt_stun_attr *a, nt_buf *b)
{
    const char *name = nt_stun_attr_name(a->kind);
    uint16_t len = a->len;
    const uint8_t *v = a->val;
    switch (a->kind) {
    case NT_STUN_A_USERNAME:
        if (m->dialect == NT_STUN_RFC5389) {
            nt_buf_puts(b, " user: ");
            put_text(b, v, len);
        }
        return;
    case NT_STUN_A_ERROR_CODE:
        if (len < 4) return;
        {
            /* Wireshark multiplies the whole byte, not the 3-bit class */
            unsigned code = v[2] * 100u + v[3];
            nt_buf_printf(b, " error-code: %u (%s)", code, nt_stun_error_name(code));
        }
        if (len < 5) return;
        nt_buf_putc(b, ' ');
        put_text(b, v + 4, len - 4u);
        return;
    case NT_STUN_A_REALM:
        nt_buf_puts(b, " realm: ");
        put_text(b, v, len);
        return;
    case NT_STUN_A_NONCE:
        nt_buf_puts(b, " with nonce");
        return;
    case NT_STUN_A_REQUESTED_TRANSPORT:
        if (len < 4) return;
        if (v[0] == 17) nt_buf_puts(b, " UDP");
        else if (v[0] == 6) nt_buf_puts(b, " TCP");
        else nt_buf_printf(b, " Unknown (0x%8x)", v[0]);
        return;
    case NT_STUN_A_CHANNEL_NUMBER:
        if (len >= 4) nt_buf_printf(b, " ChannelNumber=0x%x", be16(v));
        return;
    case NT_STUN_A_BANDWIDTH:
        if (len >= 4) nt_buf_printf(b, " bandwidth: %d", (int32_t)be32(v));
        return;
    case NT_STUN_A_LIFETIME:
        if (len >= 4) nt_buf_printf(b, " lifetime: %d", (int32_t)be32(v));
        return;
    }
    if (plain_addr_kind(a->kind) || nt_stun_is_xor_addr(a->kind)) {
        nt_stun_addr ad;
        if (!nt_stun_attr_addr(m, a, &ad)) return;
        nt_buf_printf(b, " %s: ", name);
        nt_stun_addr_str(&ad, b, false);
    }
}

void nt_stun_info(const nt_stun_msg *m, nt_buf *b)
{
    if (m->channel_data) {
        nt_buf_puts(b, "ChannelData TURN Message");
        return;
    }
    nt_buf_puts(b, nt_stun_method_name(m->method));
    nt_buf_putc(b, ' ');
    nt_buf_puts(b, nt_stun_class_name(m->cls));
    size_t off = NT_STUN_HDR;
    for (;;) {
        nt_stun_attr a;
        bool have;
        walk_rc rc = walk_next(m, &off, &a, &have);
        if (rc == WALK_ATTR) info_attr(m, &a, b);
        if (rc == WALK_ATTR) continue;
        if (rc == WALK_EXC) nt_buf_puts(b, "[Malformed Packet]");
        break;
    }
}

/* ---- building ------------------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

void nt_stun_build_start(nt_stun_builder *b, uint8_t *buf, size_t cap, uint16_t method, uint8_t cls,
                         const uint8_t tid[12])
{
    b->p = buf, b->cap = cap, b->len = 0, b->overflow = cap < NT_STUN_HDR, b->ms = false;
    if (b->overflow) return;
    uint16_t t = (uint16_t)((method & 0x000f) | (method & 0x0070) << 1 | (method & 0x0f80) << 2 |
                            (cls & 1) << 4 | (cls & 2) << 7);
    put16(buf, t);
    put16(buf + 2, 0);
    put32(buf + 4, NT_STUN_COOKIE);
    memcpy(buf + 8, tid, 12);
    b->len = NT_STUN_HDR;
}

static void set_length(nt_stun_builder *b) { put16(b->p + 2, (uint16_t)(b->len - NT_STUN_HDR)); }

void nt_stun_build_attr(nt_stun_builder *b, uint16_t kind, const void *val, size_t len)
{
    size_t pad = b->ms ? len : (len + 3) & ~(size_t)3;
    if (b->overflow || len > 0xffff || b->len + 4 + pad > b->cap || b->len + 4 + pad - NT_STUN_HDR > 0xffff) {
        b->overflow = true;
        return;
    }
    uint16_t type = kind;
    if (b->ms && (kind == NT_STUN_A_REALM || kind == NT_STUN_A_NONCE)) type ^= 1;
    put16(b->p + b->len, type);
    put16(b->p + b->len + 2, (uint16_t)len);
    if (len) memcpy(b->p + b->len + 4, val, len);
    memset(b->p + b->len + 4 + len, 0, pad - len);
    b->len += 4 + pad;
    set_length(b);
}

void nt_stun_build_u32(nt_stun_builder *b, uint16_t kind, uint32_t v)
{
    uint8_t x[4];
    put32(x, v);
    nt_stun_build_attr(b, kind, x, 4);
}

void nt_stun_build_integrity(nt_stun_builder *b, const uint8_t *key, size_t keylen)
{
    if (b->overflow || b->len + 24 > b->cap) {
        b->overflow = true;
        return;
    }
    uint8_t mac[20];
    integrity_mac(b->p, b->len, key, keylen, mac);
    nt_stun_build_attr(b, NT_STUN_A_MESSAGE_INTEGRITY, mac, 20);
}

void nt_stun_build_fingerprint(nt_stun_builder *b)
{
    if (b->overflow || b->len + 8 > b->cap) {
        b->overflow = true;
        return;
    }
    put16(b->p + 2, (uint16_t)(b->len + 8 - NT_STUN_HDR)); /* the CRC covers the final length */
    nt_stun_build_u32(b, NT_STUN_A_FINGERPRINT, crc32_ieee(b->p, b->len) ^ NT_STUN_FP_XOR);
}

size_t nt_stun_build_end(nt_stun_builder *b) { return b->overflow ? 0 : b->len; }

/* ---- fields ---------------------------------------------------------------
 * One walk serves every field: `want` names the field, the walk writes its
 * occurrences in attribute order, as Wireshark adds them to the tree. */

enum {
    F_ATT_TYPE, F_ATT_LENGTH, F_FAMILY, F_IPV4, F_IPV6, F_PORT, F_IPV4_XORD, F_IPV6_XORD, F_PORT_XORD,
    F_USERNAME, F_USERNAME_OPAQUE, F_HMAC, F_CRC32, F_CRC32_STATUS, F_ERROR_CLASS, F_ERROR, F_ERROR_REASON,
    F_REALM, F_NONCE, F_UNKNOWN, F_SOFTWARE, F_LIFETIME, F_MAGIC_COOKIE, F_BANDWIDTH, F_MS_VERSION,
    F_TRANSP, F_CHANNELNUM, F_MS_STREAM_TYPE, F_MS_SERVICE_QUALITY, F_PRIORITY, F_VALUE, F_PADDING,
};

static int put_str(nt_fvalue *out, int n, int max, const uint8_t *s, size_t len)
{
    size_t k = 0;
    while (k < len && s[k]) k++;
    return put_bytes(out, n, max, s, (uint32_t)k, NT_FT_STRING);
}

static int addr_fields(const nt_stun_msg *m, const nt_stun_attr *a, bool xor, int want, nt_fvalue *out, int n,
                       int max)
{
    const uint8_t *v = a->val;
    uint16_t len = a->len;
    if (len >= 2 && want == F_FAMILY) n = put_u(out, n, max, v[1]);
    if (len < 4) return n;
    uint16_t port = be16(v + 2);
    if (xor) {
        if (want == F_PORT_XORD) n = put_bytes(out, n, max, v + 2, 2, NT_FT_BYTES);
        if (want == F_PORT) n = put_u(out, n, max, (uint16_t)(port ^ (NT_STUN_COOKIE >> 16)));
        if (len < 8) return n;
    } else if (want == F_PORT) {
        n = put_u(out, n, max, port);
    }
    nt_stun_addr ad;
    if (v[1] == 1 && len >= 8) {
        if (xor && want == F_IPV4_XORD) n = put_bytes(out, n, max, v + 4, 4, NT_FT_BYTES);
        if (want == F_IPV4 && nt_stun_attr_addr(m, a, &ad)) n = put_addr(out, n, max, ad.addr, NT_FT_IPV4);
    } else if (v[1] == 2 && len >= 20) {
        if (xor && want == F_IPV6_XORD) n = put_bytes(out, n, max, v + 4, 16, NT_FT_BYTES);
        if (want == F_IPV6 && nt_stun_attr_addr(m, a, &ad)) n = put_addr(out, n, max, ad.addr, NT_FT_IPV6);
    }
    return n;
}

static int attr_fields(const nt_stun_msg *m, const nt_stun_attr *a, bool last, int want, nt_fvalue *out,
                       int n, int max)
{
    bool known = nt_stun_attr_name(a->kind) != NULL;
    const uint8_t *v = a->val;
    uint16_t len = a->len;
    if (known && want == F_ATT_TYPE) n = put_u(out, n, max, a->type);
    if (last) { /* Wireshark shows the padded length, then stops */
        size_t pad = m->dialect == NT_STUN_RFC5389 ? ((size_t)len + 3) & ~(size_t)3 : len;
        return want == F_ATT_LENGTH ? put_u(out, n, max, pad) : n;
    }
    if (want == F_ATT_LENGTH) return put_u(out, n, max, len);
    uint16_t k = a->kind;
    bool xor = nt_stun_is_xor_addr(k);
    if (plain_addr_kind(k) || xor || k == 0x0002 || k == 0x0004 || k == 0x0005 || k == 0x000b || k == 0x0011)
        n = addr_fields(m, a, xor, want, out, n, max);
    else
    switch (k) {
    case NT_STUN_A_USERNAME:
        if (m->dialect == NT_STUN_RFC5389 && want == F_USERNAME) n = put_str(out, n, max, v, len);
        if (m->dialect != NT_STUN_RFC5389 && want == F_USERNAME_OPAQUE)
            n = put_bytes(out, n, max, v, len, NT_FT_BYTES);
        break;
    case NT_STUN_A_MESSAGE_INTEGRITY:
        if (len >= 20 && want == F_HMAC) n = put_bytes(out, n, max, v, len, NT_FT_BYTES);
        break;
    case NT_STUN_A_ERROR_CODE:
        if (len >= 3 && want == F_ERROR_CLASS) n = put_u(out, n, max, v[2] & 7);
        if (len >= 4 && want == F_ERROR) n = put_u(out, n, max, v[3]);
        if (len >= 5 && want == F_ERROR_REASON) n = put_str(out, n, max, v + 4, len - 4u);
        break;
    case NT_STUN_A_UNKNOWN_ATTRIBUTES:
        if (want == F_UNKNOWN)
            for (unsigned i = 0; i < len; i += 2) n = put_u(out, n, max, be16(v + i));
        break;
    case NT_STUN_A_REALM:
        if (want == F_REALM) n = put_str(out, n, max, v, len);
        break;
    case NT_STUN_A_NONCE:
        if (want == F_NONCE) n = put_str(out, n, max, v, len);
        break;
    case NT_STUN_A_SOFTWARE:
        if (want == F_SOFTWARE) n = put_str(out, n, max, v, len);
        break;
    case NT_STUN_A_FINGERPRINT:
        if (len == 4 && want == F_CRC32) n = put_u(out, n, max, be32(v));
        if (len == 4 && want == F_CRC32_STATUS) n = put_u(out, n, max, nt_stun_fingerprint_ok(m, a) ? 1 : 0);
        break;
    case NT_STUN_A_LIFETIME:
        if (len >= 4 && want == F_LIFETIME) n = put_u(out, n, max, be32(v));
        break;
    case NT_STUN_A_MAGIC_COOKIE:
        if (len >= 4 && want == F_MAGIC_COOKIE) n = put_u(out, n, max, be32(v));
        break;
    case NT_STUN_A_BANDWIDTH:
        if (len >= 4 && want == F_BANDWIDTH) n = put_u(out, n, max, be32(v));
        break;
    case NT_STUN_A_MS_VERSION:
    case NT_STUN_A_MS_IMPLEMENTATION_VER:
        if (want == F_MS_VERSION) n = put_u(out, n, max, be32(v));
        break;
    case NT_STUN_A_REQUESTED_TRANSPORT:
        if (len >= 1 && want == F_TRANSP) n = put_u(out, n, max, v[0]);
        break;
    case NT_STUN_A_CHANNEL_NUMBER:
        if (len >= 4 && want == F_CHANNELNUM) n = put_u(out, n, max, be16(v));
        break;
    case NT_STUN_A_MS_SERVICE_QUALITY:
        if (want == F_MS_STREAM_TYPE) n = put_u(out, n, max, be16(v));
        if (want == F_MS_SERVICE_QUALITY) n = put_u(out, n, max, be16(v + 2));
        break;
    case NT_STUN_A_PRIORITY:
        if (len >= 4 && want == F_PRIORITY) n = put_u(out, n, max, be32(v));
        break;
    case NT_STUN_A_DATA:
        if (len > 0 && want == F_VALUE) n = put_bytes(out, n, max, v, len, NT_FT_BYTES);
        break;
    default:
        /* attributes without their own decoder show their value as bytes */
        if (!fixed_read(k) && k != 0x0003 && k != 0x0007 && k != 0x0018 && k != 0x0017 && k != 0x0022 &&
            k != 0x0026 && k != 0x0030 && k != 0x8004 && k != 0x8006 && k != 0x8027 && k != 0x8029 &&
            k != 0x802a && k != 0x001d && k != 0x8002 && k != 0x8061 && k != 0x8062 && len > 0 &&
            want == F_VALUE)
            n = put_bytes(out, n, max, v, len, NT_FT_BYTES);
        break;
    }
    if (want == F_PADDING && m->dialect == NT_STUN_RFC5389 && (len & 3))
        n = put_u(out, n, max, 4u - (len & 3));
    return n;
}

static int walk_fields(const nt_stun_msg *m, int want, nt_fvalue *out, int max)
{
    int n = 0;
    size_t off = NT_STUN_HDR;
    for (;;) {
        nt_stun_attr a;
        bool have;
        walk_rc rc = walk_next(m, &off, &a, &have);
        if (rc == WALK_ATTR) n = attr_fields(m, &a, false, want, out, n, max);
        else if (rc == WALK_LAST) n = attr_fields(m, &a, true, want, out, n, max);
        else if (rc == WALK_EXC && have) {
            /* the header was shown before the value's read failed */
            if (want == F_ATT_LENGTH) n = put_u(out, n, max, a.len);
            if (want == F_ATT_TYPE && nt_stun_attr_name(a.kind)) n = put_u(out, n, max, a.type);
        }
        if (rc != WALK_ATTR) break;
    }
    return n;
}

#define M(x) ((const nt_stun_msg *)(x))
/* ChannelData has only stun.length and stun.channel, as in Wireshark */
#define WF(fn, W) static int fn(const void *msg, nt_fvalue *out, int max) \
    { return M(msg)->channel_data ? 0 : walk_fields(M(msg), W, out, max); }
WF(f_att_type, F_ATT_TYPE)
WF(f_att_length, F_ATT_LENGTH)
WF(f_family, F_FAMILY)
WF(f_ipv4, F_IPV4)
WF(f_ipv6, F_IPV6)
WF(f_port, F_PORT)
WF(f_ipv4_xord, F_IPV4_XORD)
WF(f_ipv6_xord, F_IPV6_XORD)
WF(f_port_xord, F_PORT_XORD)
WF(f_username, F_USERNAME)
WF(f_username_opaque, F_USERNAME_OPAQUE)
WF(f_hmac, F_HMAC)
WF(f_crc32, F_CRC32)
WF(f_crc32_status, F_CRC32_STATUS)
WF(f_error_class, F_ERROR_CLASS)
WF(f_error, F_ERROR)
WF(f_error_reason, F_ERROR_REASON)
WF(f_realm, F_REALM)
WF(f_nonce, F_NONCE)
WF(f_unknown, F_UNKNOWN)
WF(f_software, F_SOFTWARE)
WF(f_lifetime, F_LIFETIME)
WF(f_magic_cookie, F_MAGIC_COOKIE)
WF(f_bandwidth, F_BANDWIDTH)
WF(f_ms_version, F_MS_VERSION)
WF(f_transp, F_TRANSP)
WF(f_channelnum, F_CHANNELNUM)
WF(f_ms_stream_type, F_MS_STREAM_TYPE)
WF(f_ms_service_quality, F_MS_SERVICE_QUALITY)
WF(f_priority, F_PRIORITY)
WF(f_value, F_VALUE)
WF(f_padding, F_PADDING)

#define CD(msg) if (M(msg)->channel_data) return 0
static int f_type(const void *msg, nt_fvalue *out, int max) { CD(msg); return put_u(out, 0, max, M(msg)->type); }
static int f_class(const void *msg, nt_fvalue *out, int max)
{
    CD(msg);
    return put_u(out, 0, max, (M(msg)->type & 0x0110u) >> 4);
}
static int f_method(const void *msg, nt_fvalue *out, int max) { CD(msg); return put_u(out, 0, max, M(msg)->type & 0x3eefu); }
static int f_length(const void *msg, nt_fvalue *out, int max) { return put_u(out, 0, max, M(msg)->length); }
static int f_cookie(const void *msg, nt_fvalue *out, int max)
{
    CD(msg);
    return put_bytes(out, 0, max, M(msg)->p + 4, 4, NT_FT_BYTES);
}
static int f_id(const void *msg, nt_fvalue *out, int max) { CD(msg); return put_bytes(out, 0, max, M(msg)->p + 8, 12, NT_FT_BYTES); }
static int f_netver(const void *msg, nt_fvalue *out, int max)
{
    CD(msg);
    return M(msg)->length ? put_u(out, 0, max, M(msg)->dialect) : 0;
}
static int f_channel(const void *msg, nt_fvalue *out, int max)
{
    return M(msg)->channel_data ? put_u(out, 0, max, M(msg)->type) : 0;
}

const nt_msg_field nt_stun_fields[] = {
    {"stun.type", NT_FT_UINT, 2, "Message Type", f_type, NULL, .msg_proto = NT_P_STUN},
    {"stun.type.class", NT_FT_UINT, 2, "Message Class", f_class, NULL, .msg_proto = NT_P_STUN},
    {"stun.type.method", NT_FT_UINT, 2, "Message Method", f_method, NULL, .msg_proto = NT_P_STUN},
    {"stun.length", NT_FT_UINT, 2, "Message Length", f_length, NULL, .msg_proto = NT_P_STUN},
    {"stun.cookie", NT_FT_BYTES, 0, "Message Cookie", f_cookie, NULL, .msg_proto = NT_P_STUN},
    {"stun.id", NT_FT_BYTES, 0, "Message Transaction ID", f_id, NULL, .msg_proto = NT_P_STUN},
    {"stun.network_version", NT_FT_UINT, 1, "STUN Network Version", f_netver, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.type", NT_FT_UINT, 2, "Attribute Type", f_att_type, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.length", NT_FT_UINT, 2, "Attribute Length", f_att_length, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.family", NT_FT_UINT, 1, "Protocol Family", f_family, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.ipv4", NT_FT_IPV4, 4, "IP", f_ipv4, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.ipv6", NT_FT_IPV6, 16, "IP", f_ipv6, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.port", NT_FT_UINT, 2, "Port", f_port, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.ipv4-xord", NT_FT_BYTES, 0, "IP (XOR-d)", f_ipv4_xord, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.ipv6-xord", NT_FT_BYTES, 0, "IP (XOR-d)", f_ipv6_xord, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.port-xord", NT_FT_BYTES, 0, "Port (XOR-d)", f_port_xord, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.username", NT_FT_STRING, 0, "Username", f_username, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.username.opaque", NT_FT_BYTES, 0, "Username", f_username_opaque, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.hmac", NT_FT_BYTES, 0, "HMAC-SHA1", f_hmac, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.crc32", NT_FT_UINT, 4, "CRC-32", f_crc32, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.crc32.status", NT_FT_UINT, 1, "CRC-32 Status", f_crc32_status, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.error.class", NT_FT_UINT, 1, "Error Class", f_error_class, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.error", NT_FT_UINT, 1, "Error Code", f_error, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.error.reason", NT_FT_STRING, 0, "Error Reason Phrase", f_error_reason, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.realm", NT_FT_STRING, 0, "Realm", f_realm, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.nonce", NT_FT_STRING, 0, "Nonce", f_nonce, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.unknown", NT_FT_UINT, 2, "Unknown Attribute", f_unknown, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.software", NT_FT_STRING, 0, "Software", f_software, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.lifetime", NT_FT_UINT, 4, "Lifetime", f_lifetime, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.magic_cookie", NT_FT_UINT, 4, "Magic Cookie", f_magic_cookie, NULL, .msg_proto = NT_P_STUN},
    {"stun.port.bandwidth", NT_FT_UINT, 4, "Bandwidth", f_bandwidth, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.ms.version", NT_FT_UINT, 4, "MS Version", f_ms_version, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.transp", NT_FT_UINT, 1, "Transport", f_transp, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.channelnum", NT_FT_UINT, 2, "Channel-Number", f_channelnum, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.ms.stream_type", NT_FT_UINT, 2, "Stream Type", f_ms_stream_type, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.ms.service_quality", NT_FT_UINT, 2, "Service Quality", f_ms_service_quality, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.priority", NT_FT_UINT, 4, "Priority", f_priority, NULL, .msg_proto = NT_P_STUN},
    {"stun.value", NT_FT_BYTES, 0, "Value", f_value, NULL, .msg_proto = NT_P_STUN},
    {"stun.att.padding", NT_FT_UINT, 2, "Padding", f_padding, NULL, .msg_proto = NT_P_STUN},
    {"stun.channel", NT_FT_UINT, 2, "Channel Number", f_channel, NULL, .msg_proto = NT_P_STUN},
};
const size_t nt_stun_nfields = sizeof nt_stun_fields / sizeof nt_stun_fields[0];
