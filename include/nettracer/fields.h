/* fields.h - the field registry: every display-filter field as one row
 * (name, type, description, accessor), as Wireshark declares its fields in
 * hf_register_info. The filter engine and `nettracer fields` read it. An
 * accessor writes each occurrence of its field in a packet (outer layers
 * first, then the packet an ICMP error quotes) and never allocates. */
#ifndef NETTRACER_FIELDS_H
#define NETTRACER_FIELDS_H

#include "nettracer/packet.h"

typedef enum nt_ftype {
    NT_FT_NONE = 0,
    NT_FT_PROTOCOL,
    NT_FT_BOOL,
    NT_FT_UINT,
    NT_FT_INT,
    NT_FT_FRAMENUM,
    NT_FT_IPV4,
    NT_FT_IPV6,
    NT_FT_ETHER,
    NT_FT_BYTES,
    NT_FT_STRING,
    NT_FT_RELTIME,
    NT_FT_DOUBLE,
    NT_FT_LABEL,             /* present or absent, no value (Wireshark's FT_NONE) */
} nt_ftype;

typedef struct nt_fvalue {
    uint8_t type;            /* nt_ftype */
    uint8_t prefix;          /* addresses: CIDR prefix length (literals), else full */
    uint32_t len;            /* bytes, string, protocol: length of p */
    uint32_t hdr_len;        /* protocol: the header's length, what len() gives */
    union {
        uint64_t u;
        int64_t i;           /* INT; RELTIME in nanoseconds */
        double d;
        uint8_t addr[16];
    } v;
    const uint8_t *p;        /* bytes, string, protocol (to the end of the capture) */
} nt_fvalue;

#define NT_FIELD_MAX_OCC 16

/* A field of one decoded application message (proto/dns.h, sip.h, ...):
 * the same row, with an accessor that reads the message struct instead of
 * the packet. The registry wraps each table for every message a packet
 * carries, so a protocol's file need not know nt_packet. */
typedef struct nt_msg_field {
    const char *name;
    nt_ftype type;
    uint8_t size;
    const char *desc;
    int (*get)(const void *msg, nt_fvalue *out, int max);
    bool (*value_of)(const char *name, uint64_t *v);
} nt_msg_field;

typedef struct nt_field {
    const char *name;        /* "tcp.port" */
    nt_ftype type;
    uint8_t size;            /* integers: bytes on the wire, for messages and range checks */
    const char *desc;
    /* writes up to max occurrences, returns how many */
    int (*get)(const nt_packet *pkt, nt_fvalue *out, int max);
    /* value names a literal may use ("TCP" for ip.proto 6); NULL if none */
    bool (*value_of)(const char *name, uint64_t *v);
    /* a row of a message table: read with msg->get on each message of
     * protocol msg_proto the packet carries (get is NULL) */
    const nt_msg_field *msg;
    uint8_t msg_proto;
} nt_field;

/* The occurrences of a field in a packet (either kind of row). */
int nt_field_get(const nt_field *f, const nt_packet *pkt, nt_fvalue *out, int max);


const nt_field *nt_field_find(const char *name);
size_t nt_field_count(void);
const nt_field *nt_field_at(size_t i);
/* Wireshark's name of a type: "Unsigned integer (2 bytes)". */
const char *nt_ftype_name(nt_ftype t, uint8_t size, char *buf, size_t n);

#endif
