/* dns.h - the DNS message codec (RFC 1035, 2782, 6891), shared by the
 * active `nettracer dns` query and by trace decoding. Pure: no allocation,
 * no I/O, no state. A parsed message keeps a pointer to the caller's bytes;
 * questions and records refer to it by offset, names are decompressed on
 * demand with nt_dns_name(). Every length in the message is checked against
 * what is there; a compression loop or a name over 255 octets is an error,
 * never a hang. Names and numbers are those Wireshark shows. */
#ifndef NETTRACER_DNS_H
#define NETTRACER_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NT_DNS_PORT 53
#define NT_DNS_HDR_LEN 12
#define NT_DNS_NAME_MAX 255        /* octets on the wire (RFC 1035 3.1) */
#define NT_DNS_NAME_TEXT_MAX 1024  /* text, escaped as Wireshark does: up to 4 bytes per octet */
#define NT_DNS_MAX_POINTERS 64     /* compression pointers followed in one name */

enum nt_dns_type {
    NT_DNS_A = 1, NT_DNS_NS = 2, NT_DNS_CNAME = 5, NT_DNS_SOA = 6, NT_DNS_PTR = 12,
    NT_DNS_MX = 15, NT_DNS_TXT = 16, NT_DNS_AAAA = 28, NT_DNS_SRV = 33, NT_DNS_OPT = 41,
    NT_DNS_ANY = 255,
};
enum { NT_DNS_CLASS_IN = 1 };

enum nt_dns_rcode {
    NT_DNS_NOERROR = 0, NT_DNS_FORMERR = 1, NT_DNS_SERVFAIL = 2, NT_DNS_NXDOMAIN = 3,
    NT_DNS_NOTIMP = 4, NT_DNS_REFUSED = 5,
};

/* What a parse error was, so a caller can say it (and mark "malformed"). */
typedef enum nt_dns_err {
    NT_DNS_OK = 0,
    NT_DNS_E_SHORT,      /* the message ends inside a field */
    NT_DNS_E_LABEL,      /* a label type 0x40/0x80 (reserved / obsolete) */
    NT_DNS_E_LOOP,       /* more than NT_DNS_MAX_POINTERS pointers: a loop */
    NT_DNS_E_PTR,        /* a pointer to outside the message */
    NT_DNS_E_TOOLONG,    /* a name over 255 octets */
    NT_DNS_E_RDATA,      /* rdata shorter or longer than its type needs */
    NT_DNS_E_SPACE,      /* the caller's output buffer is too small */
    NT_DNS_E_NAME,       /* a name to encode is not valid (empty label, label > 63) */
} nt_dns_err;

const char *nt_dns_strerror(nt_dns_err e);

/* Header: flags broken out (RFC 1035 4.1.1, RFC 4035 for AD/CD). */
typedef struct nt_dns_header {
    uint16_t id;
    uint16_t flags;     /* raw, as dns.flags */
    bool qr, aa, tc, rd, ra, z, ad, cd;
    uint8_t opcode;
    uint8_t rcode;      /* the 4 header bits; nt_dns_msg.ext_rcode adds the OPT bits */
    uint16_t qdcount, ancount, nscount, arcount;
} nt_dns_header;

typedef enum nt_dns_section {
    NT_DNS_SEC_QD = 0, NT_DNS_SEC_AN, NT_DNS_SEC_NS, NT_DNS_SEC_AR,
} nt_dns_section;

/* A question or a resource record. For questions ttl, rdlen, rdata_off are 0. */
typedef struct nt_dns_rr {
    nt_dns_section section;
    uint16_t index;         /* within its section */
    size_t name_off;        /* offset of the owner name in the message */
    uint16_t type, rclass;
    uint32_t ttl;
    uint16_t rdlen;
    size_t rdata_off;
} nt_dns_rr;

typedef struct nt_dns_msg {
    const uint8_t *p;
    size_t len;
    nt_dns_header h;
} nt_dns_msg;

/* Parses the 12-byte header. Fails (E_SHORT) only if fewer than 12 bytes. */
nt_dns_err nt_dns_parse(const uint8_t *p, size_t len, nt_dns_msg *m);

/* Walks the questions then answer, authority and additional records in
 * order. nt_dns_next returns true with the next entry, false at the end or
 * on an error (it->err says which; it->off is where it stopped). */
typedef struct nt_dns_iter {
    const nt_dns_msg *m;
    size_t off;
    nt_dns_section sec;
    uint16_t idx;
    nt_dns_err err;
} nt_dns_iter;

void nt_dns_iter_init(nt_dns_iter *it, const nt_dns_msg *m);
bool nt_dns_next(nt_dns_iter *it, nt_dns_rr *rr);

/* Decompresses the name at `off` into `out` (NUL-terminated) as Wireshark
 * shows it (tshark 4.0's dns.qry.name): labels joined by dots, the root as
 * "<Root>", control bytes as \n-style or \ooo escapes, valid UTF-8 as is,
 * other bytes as U+FFFD (format_text's rules). *end gets the offset just after the name where
 * it sits (after the first pointer, if any). wire_len (optional) gets the
 * name's length in octets uncompressed. */
nt_dns_err nt_dns_name(const uint8_t *p, size_t len, size_t off, char *out, size_t outsz, size_t *end,
                       size_t *wire_len);
/* Only the end offset (no text): for skipping names. */
nt_dns_err nt_dns_name_skip(const uint8_t *p, size_t len, size_t off, size_t *end);

/* Decoded rdata of the types nettracer uses. Name fields are offsets into
 * the message (decompress with nt_dns_name). TXT strings are walked with
 * nt_dns_txt_next. Other types: only rdata_off/rdlen are meaningful. */
typedef struct nt_dns_rdata {
    uint16_t type;
    union {
        uint8_t a[4];
        uint8_t aaaa[16];
        size_t name_off;                     /* CNAME, NS, PTR */
        struct { uint16_t preference; size_t name_off; } mx;
        struct { uint16_t priority, weight, port; size_t target_off; } srv;
        struct { size_t mname_off, rname_off; uint32_t serial, refresh, retry, expire, minimum; } soa;
        struct { size_t off; uint16_t len; } txt; /* the whole rdata */
        struct {
            uint16_t udp_size;   /* the requestor's payload size (the CLASS field) */
            uint8_t ext_rcode;   /* upper 8 bits of the 12-bit rcode */
            uint8_t version;
            bool dnssec_ok;      /* DO */
            uint16_t z;          /* the other flag bits */
            size_t opt_off;      /* options (code, length, data)... */
            uint16_t opt_len;
        } opt;
    } u;
} nt_dns_rdata;

/* Decodes rr's rdata (answers only: not questions). A name in rdata must
 * start inside the rdata, and for fixed layouts the rdata length must be
 * exactly right (E_RDATA otherwise). Unknown types succeed with nothing
 * decoded. */
nt_dns_err nt_dns_rdata_parse(const nt_dns_msg *m, const nt_dns_rr *rr, nt_dns_rdata *out);

/* Next character-string of a TXT rdata: *pos starts at 0; returns false at
 * the end; on a string that runs past the rdata returns false and sets *err. */
bool nt_dns_txt_next(const nt_dns_msg *m, const nt_dns_rdata *rd, size_t *pos, const uint8_t **s, uint8_t *slen,
                     nt_dns_err *err);

/* The 12-bit rcode: header bits plus the OPT record's extension, if any. */
uint16_t nt_dns_full_rcode(const nt_dns_msg *m);

/* ---- names of numbers ------------------------------------------------ */

/* Wireshark's mnemonic ("A", "AAAA", "SRV", "ANY"...); NULL if unknown. */
const char *nt_dns_type_name(uint16_t type);
/* Mnemonic (any case) or "TYPE123" (RFC 3597) to number; false if unknown. */
bool nt_dns_type_parse(const char *s, uint16_t *type);
const char *nt_dns_class_name(uint16_t rclass);      /* "IN", "CH", ...; NULL if unknown */
const char *nt_dns_opcode_name(uint8_t opcode);      /* "Standard query", ...; NULL if unknown */
/* As Wireshark prints it in Info and dns.flags.rcode: "No such name". */
const char *nt_dns_rcode_text(uint16_t rcode);
/* RFC mnemonic: "NXDOMAIN", "SERVFAIL"...; NULL if none. */
const char *nt_dns_rcode_mnemonic(uint16_t rcode);
/* Windows DNS error for an rcode: 9000 + rcode (DNS_ERROR_RCODE_NAME_ERROR
 * = 9003) and its name; 0 / NULL for NOERROR or no Windows constant. */
int nt_dns_rcode_windows(uint16_t rcode, const char **name);

/* ---- building a query ------------------------------------------------ */

typedef struct nt_dns_query {
    uint16_t id;
    const char *name;    /* "www.example.com", trailing dot optional, "." = root; "\." escapes a dot */
    uint16_t type, qclass;
    bool rd, cd, ad;
    uint16_t edns_udp;   /* 0: no OPT record; else the payload size to advertise */
    bool dnssec_ok;
} nt_dns_query;

/* Writes the query into out[cap]; *len gets its length. With tcp, the
 * 2-byte length prefix of RFC 1035 4.2.2 comes first (and counts in *len). */
nt_dns_err nt_dns_build_query(const nt_dns_query *q, bool tcp, uint8_t *out, size_t cap, size_t *len);
/* Encodes a text name as labels; *len gets the octets written. */
nt_dns_err nt_dns_name_encode(const char *name, uint8_t *out, size_t cap, size_t *len);

/* TCP framing: given the bytes received so far, returns true when a whole
 * message is there and sets *msg and *msglen to it (after the prefix). */
bool nt_dns_tcp_message(const uint8_t *p, size_t len, const uint8_t **msg, size_t *msglen);

/* The reverse-lookup name of an address: "4.3.2.1.in-addr.arpa" or the
 * nibble form under ip6.arpa. family 4 or 6. */
bool nt_dns_ptr_name(int family, const uint8_t *addr, char *out, size_t outsz);

/* RFC 2782's order of SRV records as a client tries them: the lower
 * priority first; within a priority the larger weight (the larger share of
 * the random pick) first; then the order of the answer (index). For qsort
 * wrappers: <0, 0, >0. */
int nt_dns_srv_cmp(uint16_t pa, uint16_t wa, uint16_t ia, uint16_t pb, uint16_t wb, uint16_t ib);

#endif
