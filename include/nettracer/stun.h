/* stun.h - STUN/TURN messages (RFC 5389/8489, RFC 5766/8656) and
 * Microsoft's MS-TURN dialect, decoded and built without allocation.
 *
 * One codec for both halves of nettracer: the trace side decodes captured
 * messages (Info text and display-filter fields as Wireshark 4.0 shows them),
 * `nettracer stun` builds its requests and decodes the answers with it.
 *
 * Dialect: a message whose first attribute is MAGIC-COOKIE (0x000F) is
 * MS-TURN. There NONCE is 0x0014 and REALM 0x0015 (swapped against the
 * RFCs) and attribute values are not padded to 4 bytes. Each attribute
 * keeps its type as on the wire (`type`) and its meaning (`kind`: the
 * standard number, so REALM is always NT_STUN_A_REALM). This is what
 * Wireshark does with the preference stun.stunversion set to "Auto"; its
 * default ("RFC5389 and later") ignores the dialect. */
#ifndef NETTRACER_STUN_H
#define NETTRACER_STUN_H

#include "nettracer/core.h"
#include "nettracer/fields.h"

#define NT_STUN_HDR 20
#define NT_STUN_COOKIE 0x2112A442u
#define NT_STUN_MS_COOKIE 0x72C64BC6u    /* value of the MS-TURN MAGIC-COOKIE attribute */
#define NT_STUN_FP_XOR 0x5354554Eu       /* FINGERPRINT = CRC-32 ^ this */
#define NT_STUN_MAX_ATTRS 32

enum nt_stun_class { NT_STUN_REQUEST = 0, NT_STUN_INDICATION = 1, NT_STUN_SUCCESS = 2, NT_STUN_ERROR = 3 };

enum nt_stun_method {
    NT_STUN_BINDING = 0x001,
    NT_STUN_SHARED_SECRET = 0x002,
    NT_STUN_ALLOCATE = 0x003,
    NT_STUN_REFRESH = 0x004,
    NT_STUN_SEND = 0x006,
    NT_STUN_DATA = 0x007,
    NT_STUN_CREATE_PERMISSION = 0x008,
    NT_STUN_CHANNEL_BIND = 0x009,
    NT_STUN_CONNECT = 0x00a,
    NT_STUN_CONNECTION_BIND = 0x00b,
    NT_STUN_CONNECTION_ATTEMPT = 0x00c,
};

/* Attribute kinds: the RFC numbers (MS-TURN's NONCE/REALM are mapped). */
enum nt_stun_attr_kind {
    NT_STUN_A_MAPPED_ADDRESS = 0x0001,
    NT_STUN_A_RESPONSE_ADDRESS = 0x0002,
    NT_STUN_A_CHANGE_REQUEST = 0x0003,
    NT_STUN_A_SOURCE_ADDRESS = 0x0004,
    NT_STUN_A_CHANGED_ADDRESS = 0x0005,
    NT_STUN_A_USERNAME = 0x0006,
    NT_STUN_A_PASSWORD = 0x0007,
    NT_STUN_A_MESSAGE_INTEGRITY = 0x0008,
    NT_STUN_A_ERROR_CODE = 0x0009,
    NT_STUN_A_UNKNOWN_ATTRIBUTES = 0x000a,
    NT_STUN_A_REFLECTED_FROM = 0x000b,
    NT_STUN_A_CHANNEL_NUMBER = 0x000c,
    NT_STUN_A_LIFETIME = 0x000d,
    NT_STUN_A_MS_ALTERNATE_SERVER = 0x000e,
    NT_STUN_A_MAGIC_COOKIE = 0x000f,
    NT_STUN_A_BANDWIDTH = 0x0010,
    NT_STUN_A_DESTINATION_ADDRESS = 0x0011,
    NT_STUN_A_XOR_PEER_ADDRESS = 0x0012,
    NT_STUN_A_DATA = 0x0013,
    NT_STUN_A_REALM = 0x0014,
    NT_STUN_A_NONCE = 0x0015,
    NT_STUN_A_XOR_RELAYED_ADDRESS = 0x0016,
    NT_STUN_A_REQUESTED_ADDRESS_FAMILY = 0x0017,
    NT_STUN_A_EVEN_PORT = 0x0018,
    NT_STUN_A_REQUESTED_TRANSPORT = 0x0019,
    NT_STUN_A_DONT_FRAGMENT = 0x001a,
    NT_STUN_A_MESSAGE_INTEGRITY_SHA256 = 0x001c,
    NT_STUN_A_XOR_MAPPED_ADDRESS = 0x0020,
    NT_STUN_A_RESERVATION_TOKEN = 0x0022,
    NT_STUN_A_PRIORITY = 0x0024,
    NT_STUN_A_USE_CANDIDATE = 0x0025,
    NT_STUN_A_PADDING = 0x0026,
    NT_STUN_A_XOR_RESPONSE_TARGET = 0x0027,
    NT_STUN_A_XOR_REFLECTED_FROM = 0x0028,
    NT_STUN_A_CONNECTION_ID = 0x002a,
    NT_STUN_A_MS_UNKNOWN_8006 = 0x8006,
    NT_STUN_A_MS_VERSION = 0x8008,
    NT_STUN_A_MS_XOR_MAPPED_ADDRESS = 0x8020,
    NT_STUN_A_SOFTWARE = 0x8022,
    NT_STUN_A_ALTERNATE_SERVER = 0x8023,
    NT_STUN_A_FINGERPRINT = 0x8028,
    NT_STUN_A_ICE_CONTROLLED = 0x8029,
    NT_STUN_A_ICE_CONTROLLING = 0x802a,
    NT_STUN_A_RESPONSE_ORIGIN = 0x802b,
    NT_STUN_A_OTHER_ADDRESS = 0x802c,
    NT_STUN_A_MS_SEQUENCE_NUMBER = 0x8050,
    NT_STUN_A_MS_SERVICE_QUALITY = 0x8055,
    NT_STUN_A_MS_IMPLEMENTATION_VER = 0x8070,
    NT_STUN_A_MS_ALT_MAPPED_ADDRESS = 0x8090,
};

typedef enum nt_stun_dialect { NT_STUN_RFC5389 = 3, NT_STUN_MS_TURN = 1 } nt_stun_dialect; /* Wireshark's numbers */

typedef struct nt_stun_attr {
    uint16_t type;          /* as on the wire */
    uint16_t kind;          /* meaning (nt_stun_attr_kind), dialect applied */
    uint16_t len;           /* the length field */
    uint16_t off;           /* offset of the attribute header in the message */
    const uint8_t *val;     /* value; `avail` bytes of it are inside the message */
    uint16_t avail;
    bool past_end;          /* the length runs past the end of the message */
    bool malformed;         /* past_end, or too short for what its type holds */
} nt_stun_attr;

typedef struct nt_stun_msg {
    const uint8_t *p;       /* message start */
    size_t len;             /* bytes of the message present: min(20 + length, buffer) */
    uint16_t type, length;  /* as on the wire */
    uint8_t cls;            /* nt_stun_class */
    uint16_t method;
    uint32_t cookie;
    uint8_t tid[12];
    uint8_t dialect;        /* nt_stun_dialect */
    uint8_t nattrs;
    bool more_attrs;        /* more than NT_STUN_MAX_ATTRS: the rest not in attrs[] */
    /* Problems (the message is still decoded as far as it goes) */
    bool truncated;         /* fewer bytes than the header's length says */
    bool malformed;         /* an attribute header or value runs past the end,
                               or an attribute is too short for its type */
    bool bad_length;        /* length not a multiple of 4 (RFC 5389 dialect) */
    bool channel_data;      /* a TURN ChannelData message (RFC 5766 11.4): `type` is
                               the channel number, `length` the data's; no header
                               fields, no attributes */
    nt_stun_attr attrs[NT_STUN_MAX_ATTRS];   /* last: parse clears only what comes before */
} nt_stun_msg;

/* Parses one STUN message at p. Returns 0, or -1 when p does not start a
 * STUN message (shorter than a header, first two bits set, wrong magic
 * cookie); `why` (may be NULL) then says which. */
int nt_stun_parse(const uint8_t *p, size_t len, nt_stun_msg *m, const char **why);
/* Whether a UDP payload is one STUN message, as Wireshark decides it (the
 * header's length matches the payload exactly). */
bool nt_stun_is_message(const uint8_t *p, size_t len);
/* TURN ChannelData (channel 0x4000-0x7FFF, 2-byte length, the data): whether
 * a UDP payload is one, as Wireshark 4.0 decides it (the payload is the
 * data, exactly or padded to 4 bytes); and the parse, for UDP and TCP
 * (-1 when p does not start one). Info: "ChannelData TURN Message". */
bool nt_stun_is_channeldata(const uint8_t *p, size_t len);
int nt_stun_parse_channeldata(const uint8_t *p, size_t len, nt_stun_msg *m);

/* Names: Wireshark's ("Binding", "Success Response", "XOR-MAPPED-ADDRESS",
 * "Unauthenticated"). The attribute name is NULL for an unknown kind. */
const char *nt_stun_method_name(uint16_t method);
const char *nt_stun_class_name(uint8_t cls);
const char *nt_stun_attr_name(uint16_t kind);
const char *nt_stun_error_name(unsigned code);   /* "*Unknown error code*" if unknown */

/* First attribute of a kind, or NULL. */
const nt_stun_attr *nt_stun_find(const nt_stun_msg *m, uint16_t kind);

/* ---- attribute decoders: false when the value is too short or wrong */

typedef struct nt_stun_addr {
    uint8_t family;         /* 1 IPv4, 2 IPv6 */
    uint16_t port;
    uint8_t addr[16];
} nt_stun_addr;
/* MAPPED-ADDRESS and its kin as they are; XOR-* kinds XOR-decoded. */
bool nt_stun_attr_addr(const nt_stun_msg *m, const nt_stun_attr *a, nt_stun_addr *out);
bool nt_stun_is_xor_addr(uint16_t kind);
/* ERROR-CODE: code = class * 100 + number; the reason is not terminated. */
bool nt_stun_attr_error(const nt_stun_attr *a, unsigned *code, const char **reason, size_t *reason_len);
/* LIFETIME, BANDWIDTH, MAGIC-COOKIE, MS-VERSION, PRIORITY, FINGERPRINT. */
bool nt_stun_attr_u32(const nt_stun_attr *a, uint32_t *v);
/* REALM, NONCE, USERNAME, SOFTWARE: the bytes (not terminated). */
bool nt_stun_attr_str(const nt_stun_attr *a, const char **s, size_t *n);
/* MS-SERVICE-QUALITY: stream type (1 audio, 2 video, ...), quality. */
bool nt_stun_attr_ms_quality(const nt_stun_attr *a, uint16_t *stream_type, uint16_t *quality);
/* REQUESTED-TRANSPORT: the IP protocol number (17 UDP). */
bool nt_stun_attr_transport(const nt_stun_attr *a, uint8_t *proto);
/* FINGERPRINT: whether the CRC-32 matches the message before it. */
bool nt_stun_fingerprint_ok(const nt_stun_msg *m, const nt_stun_attr *a);
/* MESSAGE-INTEGRITY: whether the HMAC-SHA1 with `key` matches (RFC 5389
 * 15.4: the length field counts up to the end of this attribute). */
bool nt_stun_integrity_ok(const nt_stun_msg *m, const nt_stun_attr *a, const uint8_t *key, size_t keylen);
/* Long-term credential key: MD5(username ":" realm ":" password). */
void nt_stun_long_term_key(const char *user, const char *realm, size_t realm_len, const char *pass, uint8_t key[16]);

/* ---- text */

/* Appends what Wireshark 4.0 shows in the Info column for the message
 * (with stun.stunversion "Auto"), e.g. "Allocate Error Response
 * error-code: 401 (Unauthenticated) Unauthorized with nonce realm: x". */
void nt_stun_info(const nt_stun_msg *m, nt_buf *b);
/* Appends "ip:port" ("[ip6]:port" for IPv6 when brackets is true). */
void nt_stun_addr_str(const nt_stun_addr *a, nt_buf *b, bool brackets);

/* ---- building requests */

typedef struct nt_stun_builder {
    uint8_t *p;
    size_t cap, len;
    bool overflow;
    bool ms;                /* MS-TURN: no padding; REALM/NONCE numbers swapped */
} nt_stun_builder;

/* Starts a message (header with length 0) in buf. */
void nt_stun_build_start(nt_stun_builder *b, uint8_t *buf, size_t cap, uint16_t method, uint8_t cls,
                         const uint8_t tid[12]);
/* Adds an attribute by kind (the dialect picks the wire number), padded. */
void nt_stun_build_attr(nt_stun_builder *b, uint16_t kind, const void *val, size_t len);
void nt_stun_build_u32(nt_stun_builder *b, uint16_t kind, uint32_t v);
/* MESSAGE-INTEGRITY over everything so far; then FINGERPRINT. */
void nt_stun_build_integrity(nt_stun_builder *b, const uint8_t *key, size_t keylen);
void nt_stun_build_fingerprint(nt_stun_builder *b);
/* The message length, or 0 if it did not fit. */
size_t nt_stun_build_end(nt_stun_builder *b);

/* ---- display-filter fields (Wireshark's names and values) */

extern const nt_msg_field nt_stun_fields[];
extern const size_t nt_stun_nfields;

#endif
