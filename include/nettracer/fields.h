/* fields.h - the field registry: every display-filter field as one row
 * (name, type, description, accessor), as Wireshark declares its fields in
 * hf_register_info. The filter engine, the detail view and `nettracer
 * fields` read it. Each layer contributes the rows of what it decodes, so
 * that no accessor reads a layer above its own. An accessor writes each
 * occurrence of its field in a packet (outer layers first, then the packet
 * an ICMP error quotes) and never allocates. */
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

/* One row of the registry. A row reads either the dissected packet
 * (pkt_get: headers, and the analysis the session adds) or one decoded
 * application message of protocol msg_proto (get: the protocol's file in
 * proto/ need not know nt_packet or the session that holds the messages). */
typedef struct nt_field {
    const char *name;        /* "tcp.port" */
    nt_ftype type;
    uint8_t size;            /* integers: bytes on the wire, for messages and range checks */
    const char *desc;
    /* message rows: writes up to max occurrences, returns how many */
    int (*get)(const void *msg, nt_fvalue *out, int max);
    /* value names a literal may use ("TCP" for ip.proto 6); NULL if none */
    bool (*value_of)(const char *name, uint64_t *v);
    uint8_t msg_proto;       /* message rows: nt_proto of the message */
    /* packet rows: writes up to max occurrences, returns how many */
    int (*pkt_get)(const nt_packet *pkt, nt_fvalue *out, int max);
} nt_field;

/* the rows of a protocol's application messages (sip.h, stun.h, ...) */
typedef nt_field nt_msg_field;

/* Rows one layer contributes: header rows (proto/), analysis and
 * application rows (analyze/), each protocol's message rows (proto/). */
typedef struct nt_field_table {
    const nt_field *rows;
    const size_t *n;
} nt_field_table;

/* The registry: every table in the order `nettracer fields` lists them,
 * and how to find a packet's messages of one protocol (they are the
 * session's, so the layer that owns them supplies this). Immutable: the
 * one instance is a constant (analyze/registry.h). */
typedef struct nt_field_registry {
    const nt_field_table *tables;
    size_t ntables;
    int (*msgs)(const nt_packet *pkt, uint8_t proto, const void **out, int max);
} nt_field_registry;

/* The occurrences of a field in a packet (either kind of row). */
int nt_field_get(const nt_field_registry *r, const nt_field *f, const nt_packet *pkt, nt_fvalue *out, int max);
const nt_field *nt_field_find(const nt_field_registry *r, const char *name);
size_t nt_field_count(const nt_field_registry *r);
const nt_field *nt_field_at(const nt_field_registry *r, size_t i);
/* Wireshark's name of a type: "Unsigned integer (2 bytes)". */
const char *nt_ftype_name(nt_ftype t, uint8_t size, char *buf, size_t n);

/* proto/'s rows: the headers nt_dissect() decodes */
extern const nt_field nt_header_fields[];
extern const size_t nt_header_nfields;

#endif
