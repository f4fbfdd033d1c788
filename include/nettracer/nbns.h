/* nbns.h - NetBIOS Name Service (RFC 1002) messages: the header, questions
 * and answers with their first-level-encoded names decoded
 * ("WORKSTATION<20>"), and the addresses of NB records. Pure: the decoded
 * names live in fixed arrays inside the struct. */
#ifndef NETTRACER_NBNS_H
#define NETTRACER_NBNS_H

#include "nettracer/core.h"
#include "nettracer/fields.h"

#define NT_NBNS_MAX_RR 4
#define NT_NBNS_NAME_MAX 96

typedef struct nt_nbns_name {
    char text[NT_NBNS_NAME_MAX];   /* "WORKSTATION<20>", scope appended as ".scope" */
    char name[16];                 /* the 15 name characters, trailing spaces removed */
    uint8_t suffix;                /* the 16th byte: <00> workstation, <20> server ... */
    bool netbios;                  /* first-level encoded (32 letters A-P) */
} nt_nbns_name;

typedef struct nt_nbns_rr {
    nt_nbns_name name;
    uint16_t type, cls;
    uint32_t ttl;                  /* answers only */
    uint16_t rdlen;
    const uint8_t *rdata;
    uint16_t nb_flags;             /* NB: the first entry's flags */
    bool has_addr;
    uint8_t addr[4];               /* NB: the first entry's address */
    uint16_t naddr;                /* NB: entries (rdlen / 6) */
    char shown[NT_NBNS_NAME_MAX + 48];  /* nbns.name as Wireshark gives it: an
                                           answer's name with its suffix meaning */
} nt_nbns_rr;

typedef struct nt_nbns {
    const uint8_t *raw;
    uint32_t len;
    uint16_t id, flags;
    bool response;
    uint8_t opcode, rcode;
    uint16_t qdcount, ancount, nscount, arcount;
    nt_nbns_rr q[NT_NBNS_MAX_RR];  /* questions (no ttl/rdata) */
    uint8_t nq;
    nt_nbns_rr an[NT_NBNS_MAX_RR]; /* answers */
    uint8_t nan;
    nt_nbns_rr ns[NT_NBNS_MAX_RR]; /* authority records */
    uint8_t nns;
    nt_nbns_rr ar[NT_NBNS_MAX_RR]; /* additional records (a registration's NB record) */
    uint8_t nar;
    const char *error;
} nt_nbns;

/* false: shorter than the header, or a question or resource record that
 * runs past the packet (what parsed before is kept). */
bool nt_nbns_parse(const uint8_t *p, uint32_t len, nt_nbns *out);
/* Info as tshark: "Name query NB WPAD<00>", "Name query response NB 10.0.0.2". */
void nt_nbns_info(const nt_nbns *n, nt_buf *out);
/* Wireshark's description of a name suffix ("Workstation/Redirector"), or NULL. */
const char *nt_nbns_suffix_name(uint8_t suffix);

extern const nt_msg_field nt_nbns_fields[];
extern const size_t nt_nbns_nfields;

#endif
