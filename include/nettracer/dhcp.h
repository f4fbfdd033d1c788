/* dhcp.h - BOOTP/DHCP messages (RFC 2131/2132): the fixed header, the
 * options a troubleshooter reads (message type, requested address, server
 * identifier, lease time, host name, client identifier, parameter request
 * list) and every option's code and bytes. Pure: pointers into the input. */
#ifndef NETTRACER_DHCP_H
#define NETTRACER_DHCP_H

#include "nettracer/core.h"
#include "nettracer/fields.h"
#include "nettracer/text.h"

#define NT_DHCP_MAX_OPTS 48

typedef struct nt_dhcp_opt {
    uint8_t code;
    uint8_t len;
    const uint8_t *val;
} nt_dhcp_opt;

typedef struct nt_dhcp {
    const uint8_t *raw;
    uint32_t len;
    uint8_t op;             /* 1 request, 2 reply */
    uint8_t htype, hlen, hops;
    uint32_t xid;
    uint16_t secs, flags;
    uint8_t ciaddr[4], yiaddr[4], siaddr[4], giaddr[4];
    uint8_t chaddr[16];
    nt_text sname, file;    /* up to the first NUL */
    bool has_magic;         /* 99.130.83.99: options follow */
    bool has_msg_type;
    uint8_t msg_type;       /* option 53 */
    bool has_req_ip, has_server_id, has_lease;
    uint8_t req_ip[4];      /* option 50 */
    uint8_t server_id[4];   /* option 54 */
    uint32_t lease;         /* option 51, seconds */
    nt_text hostname;       /* option 12 */
    const uint8_t *client_id;   /* option 61 */
    uint8_t client_id_len;
    const uint8_t *params;  /* option 55 */
    uint8_t nparams;
    nt_dhcp_opt opts[NT_DHCP_MAX_OPTS];   /* in order; code 0: a run of pad bytes (len = run) */
    uint8_t nopts;
    uint8_t opts_dropped;
    bool has_end;           /* option 255 seen */
    const char *error;
} nt_dhcp;

/* false: shorter than the 236-byte BOOTP header, op not 1 or 2, or an
 * option running past the packet (error says which). */
bool nt_dhcp_parse(const uint8_t *p, uint32_t len, nt_dhcp *out);
/* "Discover", "Offer", ..., NULL if unknown. */
const char *nt_dhcp_type_name(uint8_t t);
/* Info as tshark 4.0: "DHCP Discover - Transaction ID 0x5e5e0001",
 * "DHCP Offer    - Transaction ID ..." (the type padded to 8), and for plain
 * BOOTP "Boot Request - Transaction ID ..." / "Boot Reply ...". */
void nt_dhcp_info(const nt_dhcp *d, nt_buf *out);

extern const nt_msg_field nt_dhcp_fields[];
extern const size_t nt_dhcp_nfields;

#endif
