/* Unit tests for proto/stun.c: parsing both dialects, every attribute
 * decoder with good and malformed lengths, MESSAGE-INTEGRITY and
 * FINGERPRINT against RFC 5769's test vector, the builders (round trip,
 * MS-TURN numbering, overflow), the Info text, the fields, and a sweep over
 * every prefix and every single-byte corruption of the test messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "nettracer/stun.h"

/* RFC 5769 2.2: sample IPv4 response, short-term password below */
static const uint8_t RFC5769_RESP[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};
static const char RFC5769_PW[] = "VOkJxbRl1RmTxUk/WvJxBt";

/* The reference's turn.ps1 MS-TURN Allocate, byte for byte */
static const uint8_t MS_REF[120] = {
    0x00, 0x03, 0x00, 0x64, 0x21, 0x12, 0xa4, 0x42, 0xf1, 0x3c, 0x08, 0x4b, 0x80, 0x18, 0x17, 0x72, 0x47, 0x49,
    0x30, 0x65, 0x00, 0x0f, 0x00, 0x04, 0x72, 0xc6, 0x4b, 0xc6, 0x80, 0x08, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04,
    0x00, 0x06, 0x00, 0x38, 0x02, 0x00, 0x00, 0x24, 0x79, 0xb7, 0x95, 0x2d, 0x01, 0xce, 0xa8, 0x6e, 0x4e, 0x3d,
    0x76, 0x22, 0x64, 0xaa, 0xc7, 0xb6, 0x2b, 0xb8, 0x78, 0xde, 0xee, 0x8a, 0xc0, 0x88, 0x84, 0x49, 0x1b, 0x7c,
    0x00, 0x00, 0x00, 0x00, 0x82, 0x8b, 0x73, 0x75, 0xdd, 0x0c, 0xae, 0x66, 0x95, 0xed, 0xef, 0x56, 0xd0, 0x4b,
    0x54, 0xa4, 0x7c, 0xbd, 0xfa, 0x98, 0x00, 0x10, 0x00, 0x04, 0x00, 0x00, 0x00, 0xc8, 0x80, 0x06, 0x00, 0x04,
    0x00, 0x00, 0x00, 0x01, 0x80, 0x55, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00};

static const uint8_t TID[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* A message of one method/class with raw attribute bytes appended. */
static size_t mk(uint8_t *buf, uint16_t type, const void *attrs, size_t alen)
{
    buf[0] = (uint8_t)(type >> 8), buf[1] = (uint8_t)type;
    buf[2] = (uint8_t)(alen >> 8), buf[3] = (uint8_t)alen;
    buf[4] = 0x21, buf[5] = 0x12, buf[6] = 0xa4, buf[7] = 0x42;
    memcpy(buf + 8, TID, 12);
    if (alen) memcpy(buf + 20, attrs, alen);
    return 20 + alen;
}

static const char *info(const nt_stun_msg *m)
{
    static nt_buf b;
    static bool init;
    if (!init) nt_buf_init(&b), init = true;
    nt_buf_reset(&b);
    nt_stun_info(m, &b);
    return b.p;
}

static void rfc5769_vector(void **state)
{
    (void)state;
    nt_stun_msg m;
    assert_int_equal(nt_stun_parse(RFC5769_RESP, sizeof RFC5769_RESP, &m, NULL), 0);
    assert_int_equal(m.cls, NT_STUN_SUCCESS);
    assert_int_equal(m.method, NT_STUN_BINDING);
    assert_int_equal(m.dialect, NT_STUN_RFC5389);
    assert_int_equal(m.nattrs, 4);
    assert_false(m.malformed);
    const nt_stun_attr *sw = nt_stun_find(&m, NT_STUN_A_SOFTWARE);
    const char *s;
    size_t n;
    assert_true(nt_stun_attr_str(sw, &s, &n));
    assert_int_equal(n, 11);
    assert_memory_equal(s, "test vector", 11);
    nt_stun_addr a;
    assert_true(nt_stun_attr_addr(&m, nt_stun_find(&m, NT_STUN_A_XOR_MAPPED_ADDRESS), &a));
    assert_int_equal(a.family, 1);
    assert_int_equal(a.port, 32853);
    assert_memory_equal(a.addr, ((uint8_t[]){192, 0, 2, 1}), 4);
    const nt_stun_attr *mi = nt_stun_find(&m, NT_STUN_A_MESSAGE_INTEGRITY);
    assert_true(nt_stun_integrity_ok(&m, mi, (const uint8_t *)RFC5769_PW, strlen(RFC5769_PW)));
    assert_false(nt_stun_integrity_ok(&m, mi, (const uint8_t *)"wrong", 5));
    assert_true(nt_stun_fingerprint_ok(&m, nt_stun_find(&m, NT_STUN_A_FINGERPRINT)));
    assert_string_equal(info(&m), "Binding Success Response XOR-MAPPED-ADDRESS: 192.0.2.1:32853");
}

static void ms_turn_reference(void **state)
{
    (void)state;
    nt_stun_msg m;
    assert_int_equal(nt_stun_parse(MS_REF, sizeof MS_REF, &m, NULL), 0);
    assert_int_equal(m.dialect, NT_STUN_MS_TURN);
    assert_int_equal(m.method, NT_STUN_ALLOCATE);
    assert_int_equal(m.cls, NT_STUN_REQUEST);
    assert_int_equal(m.length, 100);
    assert_false(m.malformed);
    assert_int_equal(m.nattrs, 6);
    static const uint16_t types[] = {0x000f, 0x8008, 0x0006, 0x0010, 0x8006, 0x8055};
    for (int i = 0; i < 6; i++) assert_int_equal(m.attrs[i].type, types[i]);
    uint32_t v;
    assert_true(nt_stun_attr_u32(&m.attrs[0], &v));
    assert_int_equal(v, NT_STUN_MS_COOKIE);
    assert_true(nt_stun_attr_u32(&m.attrs[1], &v));
    assert_int_equal(v, 4);
    assert_int_equal(m.attrs[2].len, 56);
    assert_int_equal(m.attrs[2].val[0], 0x02);
    assert_true(nt_stun_attr_u32(&m.attrs[3], &v));
    assert_int_equal(v, 200);
    uint16_t st, q;
    assert_true(nt_stun_attr_ms_quality(&m.attrs[5], &st, &q));
    assert_int_equal(st, 1);
    assert_int_equal(q, 0);
    /* MS-TURN USERNAME is an opaque token: no "user:" in Info */
    assert_string_equal(info(&m), "Allocate Request bandwidth: 200");
}

static void ms_turn_swapped_numbers(void **state)
{
    (void)state;
    /* MAGIC-COOKIE first, then 0x0014 (NONCE here) "nnn" and 0x0015 (REALM) "rr", unpadded */
    static const uint8_t at[] = {0x00, 0x0f, 0x00, 0x04, 0x72, 0xc6, 0x4b, 0xc6, 0x00, 0x14, 0x00, 0x03, 'n',
                                 'n', 'n', 0x00, 0x15, 0x00, 0x02, 'r', 'r', 0x00, 0x09, 0x00, 0x04, 0, 0, 4, 1};
    uint8_t buf[128];
    size_t len = mk(buf, 0x0113, at, sizeof at);
    nt_stun_msg m;
    assert_int_equal(nt_stun_parse(buf, len, &m, NULL), 0);
    assert_int_equal(m.dialect, NT_STUN_MS_TURN);
    assert_false(m.malformed);
    assert_false(m.bad_length); /* no multiple-of-4 rule in MS-TURN */
    const nt_stun_attr *r = nt_stun_find(&m, NT_STUN_A_REALM), *n = nt_stun_find(&m, NT_STUN_A_NONCE);
    assert_non_null(r);
    assert_non_null(n);
    assert_int_equal(r->type, 0x0015);
    assert_int_equal(n->type, 0x0014);
    assert_int_equal(r->len, 2);
    assert_memory_equal(r->val, "rr", 2);
    assert_string_equal(info(&m), "Allocate Error Response with nonce realm: rr error-code: 401 (Unauthenticated)");
    /* the same bytes without MAGIC-COOKIE first are standard: 0x0014 is REALM, padded */
    static const uint8_t at2[] = {0x00, 0x14, 0x00, 0x03, 'n', 'n', 'n', 0x00};
    len = mk(buf, 0x0113, at2, sizeof at2);
    assert_int_equal(nt_stun_parse(buf, len, &m, NULL), 0);
    assert_int_equal(m.dialect, NT_STUN_RFC5389);
    assert_int_equal(m.attrs[0].kind, NT_STUN_A_REALM);
}

static void addresses(void **state)
{
    (void)state;
    uint8_t buf[256];
    /* XOR-MAPPED IPv6: fd00:88:1::1 port 51000, XOR-RELAYED IPv4, MAPPED IPv4 in clear */
    uint8_t at[64], *p = at;
    const uint8_t v6[16] = {0xfd, 0, 0, 0x88, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    uint8_t key[16] = {0x21, 0x12, 0xa4, 0x42};
    memcpy(key + 4, TID, 12);
    *p++ = 0x00, *p++ = 0x20, *p++ = 0, *p++ = 20, *p++ = 0, *p++ = 2;
    *p++ = (uint8_t)((51000 ^ 0x2112) >> 8), *p++ = (uint8_t)(51000 ^ 0x2112);
    for (int i = 0; i < 16; i++) *p++ = v6[i] ^ key[i];
    const uint8_t relayed[] = {0x00, 0x16, 0x00, 0x08, 0x00, 0x01, (49152 ^ 0x2112) >> 8, (49152 ^ 0x2112) & 0xff,
                               10 ^ 0x21, 88 ^ 0x12, 1 ^ 0xa4, 2 ^ 0x42};
    memcpy(p, relayed, sizeof relayed), p += sizeof relayed;
    const uint8_t mapped[] = {0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x0d, 0x96, 10, 88, 1, 1};
    memcpy(p, mapped, sizeof mapped), p += sizeof mapped;
    size_t len = mk(buf, 0x0103, at, (size_t)(p - at));
    nt_stun_msg m;
    assert_int_equal(nt_stun_parse(buf, len, &m, NULL), 0);
    nt_stun_addr a;
    assert_true(nt_stun_attr_addr(&m, &m.attrs[0], &a));
    assert_int_equal(a.family, 2);
    assert_int_equal(a.port, 51000);
    assert_memory_equal(a.addr, v6, 16);
    assert_true(nt_stun_attr_addr(&m, &m.attrs[1], &a));
    assert_int_equal(a.port, 49152);
    assert_memory_equal(a.addr, ((uint8_t[]){10, 88, 1, 2}), 4);
    assert_true(nt_stun_attr_addr(&m, &m.attrs[2], &a));
    assert_int_equal(a.port, 3478);
    assert_memory_equal(a.addr, ((uint8_t[]){10, 88, 1, 1}), 4);
    nt_buf b;
    nt_buf_init(&b);
    nt_stun_addr_str(&a, &b, true);
    assert_string_equal(b.p, "10.88.1.1:3478");
    nt_buf_reset(&b);
    assert_true(nt_stun_attr_addr(&m, &m.attrs[0], &a));
    nt_stun_addr_str(&a, &b, true);
    assert_string_equal(b.p, "[fd00:88:1::1]:51000");
    nt_buf_free(&b);
    assert_string_equal(info(&m), "Allocate Success Response XOR-MAPPED-ADDRESS: fd00:88:1::1:51000 "
                                  "XOR-RELAYED-ADDRESS: 10.88.1.2:49152 MAPPED-ADDRESS: 10.88.1.1:3478");
}

static void short_addresses(void **state)
{
    (void)state;
    uint8_t buf[64];
    nt_stun_msg m;
    nt_stun_addr a;
    /* 6 bytes (padded to 8): no address, malformed attribute, Info without it */
    static const uint8_t six[] = {0x00, 0x20, 0x00, 0x06, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0, 0};
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0101, six, sizeof six), &m, NULL), 0);
    assert_true(m.attrs[0].malformed);
    assert_false(m.attrs[0].past_end);
    assert_false(nt_stun_attr_addr(&m, &m.attrs[0], &a));
    assert_string_equal(info(&m), "Binding Success Response");
    /* IPv6 family in 8 bytes */
    static const uint8_t v6short[] = {0x00, 0x20, 0x00, 0x08, 0x00, 0x02, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43};
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0101, v6short, sizeof v6short), &m, NULL), 0);
    assert_true(m.attrs[0].malformed);
    assert_false(nt_stun_attr_addr(&m, &m.attrs[0], &a));
    /* unknown family 3 */
    static const uint8_t fam3[] = {0x00, 0x01, 0x00, 0x08, 0x00, 0x03, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43};
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0101, fam3, sizeof fam3), &m, NULL), 0);
    assert_false(nt_stun_attr_addr(&m, &m.attrs[0], &a));
}

static void error_code(void **state)
{
    (void)state;
    uint8_t buf[128];
    nt_stun_msg m;
    unsigned code;
    const char *r;
    size_t rl;
    static const uint8_t e401[] = {0x00, 0x09, 0x00, 0x10, 0, 0, 4, 1, 'U', 'n', 'a', 'u', 't', 'h', 'o', 'r', 'i', 'z',
                                   'e', 'd', 0x00, 0x14, 0x00, 0x02, 'r', 'x', 0, 0, 0x00, 0x15, 0x00, 0x01, 'n', 0, 0, 0};
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0113, e401, sizeof e401), &m, NULL), 0);
    assert_true(nt_stun_attr_error(&m.attrs[0], &code, &r, &rl));
    assert_int_equal(code, 401);
    assert_int_equal(rl, 12);
    assert_memory_equal(r, "Unauthorized", 12);
    assert_string_equal(nt_stun_error_name(code), "Unauthenticated");
    assert_string_equal(info(&m), "Allocate Error Response error-code: 401 (Unauthenticated) Unauthorized realm: rx with nonce");
    /* 438 with the class bits' neighbours set: the decoder keeps 3 bits */
    static const uint8_t e438[] = {0x00, 0x09, 0x00, 0x04, 0, 0, 0x0c, 38};
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0113, e438, sizeof e438), &m, NULL), 0);
    assert_true(nt_stun_attr_error(&m.attrs[0], &code, &r, &rl));
    assert_int_equal(code, 438);
    assert_int_equal(rl, 0);
    /* Wireshark multiplies the whole byte: 0x0c * 100 + 38 */
    assert_string_equal(info(&m), "Allocate Error Response error-code: 1238 (*Unknown error code*)");
    /* 2 bytes: too short */
    static const uint8_t e2[] = {0x00, 0x09, 0x00, 0x02, 0, 0, 0, 0};
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0113, e2, sizeof e2), &m, NULL), 0);
    assert_true(m.attrs[0].malformed);
    assert_false(nt_stun_attr_error(&m.attrs[0], &code, &r, &rl));
    assert_string_equal(info(&m), "Allocate Error Response");
}

static void scalar_attributes(void **state)
{
    (void)state;
    uint8_t buf[256];
    nt_stun_msg m;
    static const uint8_t at[] = {
        0x00, 0x0d, 0x00, 0x04, 0x00, 0x00, 0x02, 0x58,             /* LIFETIME 600 */
        0x00, 0x19, 0x00, 0x04, 17, 0, 0, 0,                        /* REQUESTED-TRANSPORT UDP */
        0x00, 0x06, 0x00, 0x05, 'a', 'l', 'i', 'c', 'e', 0, 0, 0,   /* USERNAME */
        0x80, 0x22, 0x00, 0x03, 'x', 'y', 'z', 0,                   /* SOFTWARE */
        0x80, 0x08, 0x00, 0x04, 0, 0, 0, 6,                         /* MS-VERSION */
        0x00, 0x10, 0x00, 0x04, 0, 0, 0, 200,                       /* BANDWIDTH */
        0x00, 0x0c, 0x00, 0x04, 0x40, 0x01, 0, 0,                   /* CHANNEL-NUMBER */
        0x00, 0x0d, 0x00, 0x02, 0, 7, 0, 0,                         /* LIFETIME of 2 bytes */
    };
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0003, at, sizeof at), &m, NULL), 0);
    assert_int_equal(m.nattrs, 8);
    uint32_t v;
    uint8_t proto;
    const char *s;
    size_t n;
    assert_true(nt_stun_attr_u32(&m.attrs[0], &v));
    assert_int_equal(v, 600);
    assert_true(nt_stun_attr_transport(&m.attrs[1], &proto));
    assert_int_equal(proto, 17);
    assert_true(nt_stun_attr_str(&m.attrs[2], &s, &n));
    assert_int_equal(n, 5);
    assert_memory_equal(s, "alice", 5);
    assert_true(nt_stun_attr_str(&m.attrs[3], &s, &n));
    assert_int_equal(n, 3);
    assert_true(nt_stun_attr_u32(&m.attrs[4], &v));
    assert_int_equal(v, 6);
    assert_true(nt_stun_attr_u32(&m.attrs[5], &v));
    assert_int_equal(v, 200);
    assert_true(m.attrs[7].malformed);
    assert_false(nt_stun_attr_u32(&m.attrs[7], &v));
    assert_true(m.malformed);
    assert_string_equal(info(&m), "Allocate Request lifetime: 600 UDP user: alice bandwidth: 200 ChannelNumber=0x4001");
}

static void malformed_lengths(void **state)
{
    (void)state;
    uint8_t buf[128];
    nt_stun_msg m;
    /* a known attribute longer than the message: shown, walk ends quietly */
    static const uint8_t realm_long[] = {0x00, 0x14, 0x00, 0x28, 'e', 'x', 'a', 'm'};
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0113, realm_long, sizeof realm_long), &m, NULL), 0);
    assert_int_equal(m.nattrs, 1);
    assert_true(m.attrs[0].past_end);
    assert_int_equal(m.attrs[0].avail, 4);
    assert_true(m.malformed);
    const char *s;
    size_t n;
    assert_false(nt_stun_attr_str(&m.attrs[0], &s, &n));
    assert_string_equal(info(&m), "Allocate Error Response");
    /* an unknown attribute longer than the message: Wireshark's exception */
    static const uint8_t unk_long[] = {0x77, 0x77, 0x00, 0x28, 'z', 'z', 'z', 'z'};
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0113, unk_long, sizeof unk_long), &m, NULL), 0);
    assert_true(m.malformed);
    assert_null(nt_stun_attr_name(0x7777));
    assert_string_equal(info(&m), "Allocate Error Response[Malformed Packet]");
    /* two stray bytes after an attribute: the next header is cut */
    static const uint8_t stray[] = {0x00, 0x06, 0x00, 0x03, 'b', 'o', 'b', 0, 0x00, 0x06};
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0001, stray, sizeof stray), &m, NULL), 0);
    assert_true(m.bad_length);
    assert_true(m.malformed);
    assert_int_equal(m.nattrs, 1);
    assert_string_equal(info(&m), "Binding Request user: bob[Malformed Packet]");
    /* MS-VERSION of 2 bytes at the end: Wireshark reads 4 */
    static const uint8_t msv[] = {0x80, 0x08, 0x00, 0x02, 0, 1, 0, 0};
    size_t len = mk(buf, 0x0001, msv, 6); /* the message ends right after the value */
    assert_int_equal(nt_stun_parse(buf, len, &m, NULL), 0);
    assert_true(m.malformed);
    /* header says more than the buffer holds */
    static const uint8_t ok[] = {0x00, 0x0d, 0x00, 0x04, 0, 0, 0, 1};
    len = mk(buf, 0x0003, ok, sizeof ok);
    assert_int_equal(nt_stun_parse(buf, len - 3, &m, NULL), 0);
    assert_true(m.truncated);
    assert_true(m.malformed);
    assert_false(nt_stun_is_message(buf, len - 3));
    assert_true(nt_stun_is_message(buf, len));
}

static void not_stun(void **state)
{
    (void)state;
    uint8_t buf[64] = {0};
    nt_stun_msg m;
    const char *why = NULL;
    assert_int_equal(nt_stun_parse(buf, 19, &m, &why), -1);
    assert_non_null(strstr(why, "shorter"));
    size_t len = mk(buf, 0x0001, NULL, 0);
    buf[4] = 0;
    assert_int_equal(nt_stun_parse(buf, len, &m, &why), -1);
    assert_non_null(strstr(why, "magic cookie"));
    buf[4] = 0x21, buf[0] = 0x40; /* ChannelData */
    assert_int_equal(nt_stun_parse(buf, len, &m, &why), -1);
    assert_non_null(strstr(why, "ChannelData"));
    assert_false(nt_stun_is_message(buf, len));
}

static void fingerprint_bad(void **state)
{
    (void)state;
    uint8_t out[128];
    nt_stun_builder b;
    nt_stun_build_start(&b, out, sizeof out, NT_STUN_BINDING, NT_STUN_REQUEST, TID);
    nt_stun_build_fingerprint(&b);
    size_t len = nt_stun_build_end(&b);
    assert_int_equal(len, 28);
    nt_stun_msg m;
    assert_int_equal(nt_stun_parse(out, len, &m, NULL), 0);
    assert_true(nt_stun_fingerprint_ok(&m, &m.attrs[0]));
    out[8] ^= 1; /* a transaction ID bit: the CRC no longer matches */
    assert_int_equal(nt_stun_parse(out, len, &m, NULL), 0);
    assert_false(nt_stun_fingerprint_ok(&m, &m.attrs[0]));
    /* a 2-byte FINGERPRINT decodes to nothing */
    static const uint8_t fp2[] = {0x80, 0x28, 0x00, 0x02, 1, 2, 0, 0};
    uint8_t buf[64];
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0101, fp2, sizeof fp2), &m, NULL), 0);
    assert_false(nt_stun_fingerprint_ok(&m, &m.attrs[0]));
    assert_true(m.attrs[0].malformed);
}

static void build_long_term(void **state)
{
    (void)state;
    uint8_t key[16], out[512];
    nt_stun_long_term_key("alice", "example.org", 11, "secret", key);
    /* MD5("alice:example.org:secret") */
    static const uint8_t want[16] = {0x54, 0x3e, 0x1a, 0xec, 0x5d, 0x36, 0x14, 0xf0,
                                     0x31, 0x41, 0x65, 0x2d, 0x6a, 0xda, 0x51, 0xb2};
    assert_memory_equal(key, want, 16);
    nt_stun_builder b;
    nt_stun_build_start(&b, out, sizeof out, NT_STUN_ALLOCATE, NT_STUN_REQUEST, TID);
    const uint8_t udp[4] = {17, 0, 0, 0};
    nt_stun_build_attr(&b, NT_STUN_A_REQUESTED_TRANSPORT, udp, 4);
    nt_stun_build_attr(&b, NT_STUN_A_USERNAME, "alice", 5);
    nt_stun_build_attr(&b, NT_STUN_A_REALM, "example.org", 11);
    nt_stun_build_attr(&b, NT_STUN_A_NONCE, "abc", 3);
    nt_stun_build_integrity(&b, key, 16);
    nt_stun_build_fingerprint(&b);
    size_t len = nt_stun_build_end(&b);
    assert_int_equal(len, 20 + 8 + 12 + 16 + 8 + 24 + 8);
    nt_stun_msg m;
    assert_int_equal(nt_stun_parse(out, len, &m, NULL), 0);
    assert_false(m.malformed);
    assert_false(m.bad_length);
    assert_int_equal(m.method, NT_STUN_ALLOCATE);
    assert_memory_equal(m.tid, TID, 12);
    const nt_stun_attr *mi = nt_stun_find(&m, NT_STUN_A_MESSAGE_INTEGRITY);
    assert_true(nt_stun_integrity_ok(&m, mi, key, 16));
    key[0] ^= 1;
    assert_false(nt_stun_integrity_ok(&m, mi, key, 16));
    assert_true(nt_stun_fingerprint_ok(&m, nt_stun_find(&m, NT_STUN_A_FINGERPRINT)));
    assert_string_equal(info(&m), "Allocate Request UDP user: alice realm: example.org with nonce");
    /* too small a buffer */
    nt_stun_build_start(&b, out, 30, NT_STUN_ALLOCATE, NT_STUN_REQUEST, TID);
    nt_stun_build_attr(&b, NT_STUN_A_USERNAME, "alice", 5);
    assert_int_equal(nt_stun_build_end(&b), 0);
}

static void build_ms_turn(void **state)
{
    (void)state;
    uint8_t out[128];
    nt_stun_builder b;
    nt_stun_build_start(&b, out, sizeof out, NT_STUN_ALLOCATE, NT_STUN_REQUEST, TID);
    b.ms = true;
    nt_stun_build_u32(&b, NT_STUN_A_MAGIC_COOKIE, NT_STUN_MS_COOKIE);
    nt_stun_build_attr(&b, NT_STUN_A_REALM, "abc", 3);
    nt_stun_build_attr(&b, NT_STUN_A_NONCE, "n", 1);
    size_t len = nt_stun_build_end(&b);
    assert_int_equal(len, 20 + 8 + 7 + 5); /* no padding */
    assert_int_equal(out[28], 0x00);
    assert_int_equal(out[29], 0x15); /* REALM is 0x0015 in MS-TURN */
    nt_stun_msg m;
    assert_int_equal(nt_stun_parse(out, len, &m, NULL), 0);
    assert_int_equal(m.dialect, NT_STUN_MS_TURN);
    assert_int_equal(nt_stun_find(&m, NT_STUN_A_REALM)->len, 3);
    assert_int_equal(nt_stun_find(&m, NT_STUN_A_NONCE)->type, 0x0014);
}

static void many_attributes(void **state)
{
    (void)state;
    uint8_t at[40 * 4], buf[256];
    for (int i = 0; i < 40; i++) at[4 * i] = 0x00, at[4 * i + 1] = 0x25, at[4 * i + 2] = 0, at[4 * i + 3] = 0;
    nt_stun_msg m;
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0001, at, sizeof at), &m, NULL), 0);
    assert_int_equal(m.nattrs, NT_STUN_MAX_ATTRS);
    assert_true(m.more_attrs);
    assert_false(m.malformed);
}

static int field(const char *name, const nt_stun_msg *m, nt_fvalue *v)
{
    for (size_t i = 0; i < nt_stun_nfields; i++)
        if (!strcmp(nt_stun_fields[i].name, name)) return nt_stun_fields[i].get(m, v, NT_FIELD_MAX_OCC);
    fail_msg("no field %s", name);
    return 0;
}

static void fields(void **state)
{
    (void)state;
    uint8_t buf[128];
    nt_stun_msg m;
    nt_fvalue v[NT_FIELD_MAX_OCC];
    static const uint8_t e401[] = {0x00, 0x09, 0x00, 0x06, 0, 0, 4, 1, 'N', 'o', 0, 0,
                                   0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43};
    assert_int_equal(nt_stun_parse(buf, mk(buf, 0x0113, e401, sizeof e401), &m, NULL), 0);
    assert_int_equal(field("stun.type", &m, v), 1);
    assert_int_equal(v[0].v.u, 0x0113);
    field("stun.type.class", &m, v);
    assert_int_equal(v[0].v.u, 0x0011);
    field("stun.type.method", &m, v);
    assert_int_equal(v[0].v.u, 0x0003);
    field("stun.att.error", &m, v);
    assert_int_equal(v[0].v.u, 1);
    field("stun.att.error.class", &m, v);
    assert_int_equal(v[0].v.u, 4);
    assert_int_equal(field("stun.att.error.reason", &m, v), 1);
    assert_int_equal(v[0].len, 2);
    assert_int_equal(field("stun.att.type", &m, v), 2);
    assert_int_equal(v[1].v.u, 0x0020);
    assert_int_equal(field("stun.att.ipv4", &m, v), 1);
    assert_memory_equal(v[0].v.addr, ((uint8_t[]){192, 0, 2, 1}), 4);
    field("stun.att.port", &m, v);
    assert_int_equal(v[0].v.u, 32853);
    assert_int_equal(field("stun.att.padding", &m, v), 1);
    assert_int_equal(v[0].v.u, 2);
    assert_int_equal(field("stun.att.realm", &m, v), 0);
}

/* Every prefix and every single-byte change of the test messages parses
 * (or is refused) without reading outside the buffer; ASan checks it. */
static void sweep(void **state)
{
    (void)state;
    const uint8_t *msgs[] = {RFC5769_RESP, MS_REF};
    const size_t lens[] = {sizeof RFC5769_RESP, sizeof MS_REF};
    nt_buf b;
    nt_buf_init(&b);
    nt_stun_msg m;
    nt_fvalue v[NT_FIELD_MAX_OCC];
    uint8_t tmp[256];
    for (size_t k = 0; k < 2; k++) {
        for (size_t n = 0; n <= lens[k]; n++) {
            memcpy(tmp, msgs[k], n);
            if (nt_stun_parse(tmp, n, &m, NULL) == 0) {
                nt_buf_reset(&b);
                nt_stun_info(&m, &b);
                for (size_t f = 0; f < nt_stun_nfields; f++) nt_stun_fields[f].get(&m, v, NT_FIELD_MAX_OCC);
            }
        }
        for (size_t i = 0; i < lens[k]; i++)
            for (int x = 0; x < 256; x += 17) {
                memcpy(tmp, msgs[k], lens[k]);
                tmp[i] = (uint8_t)x;
                if (nt_stun_parse(tmp, lens[k], &m, NULL) == 0) {
                    nt_buf_reset(&b);
                    nt_stun_info(&m, &b);
                    for (unsigned a = 0; a < m.nattrs; a++) {
                        nt_stun_addr ad;
                        unsigned code;
                        const char *r;
                        size_t rl;
                        nt_stun_attr_addr(&m, &m.attrs[a], &ad);
                        nt_stun_attr_error(&m.attrs[a], &code, &r, &rl);
                        nt_stun_fingerprint_ok(&m, &m.attrs[a]);
                    }
                    for (size_t f = 0; f < nt_stun_nfields; f++) nt_stun_fields[f].get(&m, v, NT_FIELD_MAX_OCC);
                }
                /* the same bytes read as ChannelData (a corrupted first byte makes one) */
                if (nt_stun_parse_channeldata(tmp, lens[k], &m) == 0) {
                    nt_buf_reset(&b);
                    nt_stun_info(&m, &b);
                    for (size_t f = 0; f < nt_stun_nfields; f++) nt_stun_fields[f].get(&m, v, NT_FIELD_MAX_OCC);
                }
            }
    }
    nt_buf_free(&b);
}

/* TURN ChannelData: Wireshark 4.0's UDP rule (exact or padded to 4), the
 * parse for both transports, Info, and only stun.length/stun.channel set */
static void channel_data(void **state)
{
    (void)state;
    static const uint8_t exact[] = {0x40, 0x00, 0x00, 0x04, 'a', 'b', 'c', 'd'};
    static const uint8_t padded[] = {0x40, 0x01, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0};
    static const uint8_t stray[] = {0x40, 0x00, 0x00, 0x04, 'a', 'b', 'c', 'd', 'e', 'f'};
    static const uint8_t toolong[] = {0x40, 0x00, 0x00, 0x0a, 'a', 'b', 'c', 'd'};
    static const uint8_t high[] = {0x80, 0x00, 0x00, 0x00};
    assert_true(nt_stun_is_channeldata(exact, sizeof exact));
    assert_true(nt_stun_is_channeldata(padded, sizeof padded));
    assert_true(nt_stun_is_channeldata(padded, 9));
    assert_false(nt_stun_is_channeldata(stray, sizeof stray));
    assert_false(nt_stun_is_channeldata(toolong, sizeof toolong));
    assert_false(nt_stun_is_channeldata(high, sizeof high));
    assert_false(nt_stun_is_channeldata(exact, 3));
    assert_false(nt_stun_is_message(exact, sizeof exact));

    nt_stun_msg m;
    nt_fvalue v[NT_FIELD_MAX_OCC];
    assert_int_equal(nt_stun_parse_channeldata(padded, sizeof padded, &m), 0);
    assert_true(m.channel_data);
    assert_int_equal(m.type, 0x4001);
    assert_int_equal(m.length, 5);
    assert_false(m.malformed);
    nt_buf b;
    nt_buf_init(&b);
    nt_stun_info(&m, &b);
    assert_string_equal(b.p, "ChannelData TURN Message");
    nt_buf_free(&b);
    assert_int_equal(field("stun.channel", &m, v), 1);
    assert_int_equal(v[0].v.u, 0x4001);
    assert_int_equal(field("stun.length", &m, v), 1);
    assert_int_equal(v[0].v.u, 5);
    for (size_t i = 0; i < nt_stun_nfields; i++)
        if (strcmp(nt_stun_fields[i].name, "stun.channel") && strcmp(nt_stun_fields[i].name, "stun.length"))
            assert_int_equal(nt_stun_fields[i].get(&m, v, NT_FIELD_MAX_OCC), 0);
    assert_int_equal(nt_stun_parse_channeldata(toolong, sizeof toolong, &m), 0);
    assert_true(m.truncated && m.malformed);
    assert_int_equal(nt_stun_parse_channeldata(high, sizeof high, &m), -1);
    assert_int_equal(nt_stun_parse_channeldata(exact, 3, &m), -1);
    /* a STUN message is not ChannelData, and the other way round */
    const char *why;
    assert_int_equal(nt_stun_parse(exact, sizeof exact, &m, &why), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc5769_vector),   cmocka_unit_test(ms_turn_reference), cmocka_unit_test(ms_turn_swapped_numbers),
        cmocka_unit_test(addresses),        cmocka_unit_test(short_addresses),   cmocka_unit_test(error_code),
        cmocka_unit_test(scalar_attributes), cmocka_unit_test(malformed_lengths), cmocka_unit_test(not_stun),
        cmocka_unit_test(fingerprint_bad),  cmocka_unit_test(build_long_term),   cmocka_unit_test(build_ms_turn),
        cmocka_unit_test(many_attributes),  cmocka_unit_test(fields),            cmocka_unit_test(sweep),
        cmocka_unit_test(channel_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
