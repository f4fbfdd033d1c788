/* dhcp.c - BOOTP/DHCP parser (see dhcp.h). */
#include "nettracer/dhcp.h"

#include <string.h>

#include "nettracer/field_put.h"

#define BOOTP_HDR 236

static nt_text cstr_field(const uint8_t *p, uint32_t n)
{
    const uint8_t *z = memchr(p, 0, n);
    return (nt_text){(const char *)p, z ? (uint32_t)(z - p) : n};
}

bool nt_dhcp_parse(const uint8_t *p, uint32_t len, nt_dhcp *d)
{
    memset(d, 0, sizeof *d);
    d->raw = p;
    d->len = len;
    nt_cur c = nt_cur_make(p, len);
    d->op = nt_cur_u8(&c);
    d->htype = nt_cur_u8(&c);
    d->hlen = nt_cur_u8(&c);
    d->hops = nt_cur_u8(&c);
    d->xid = nt_cur_be32(&c);
    d->secs = nt_cur_be16(&c);
    d->flags = nt_cur_be16(&c);
    nt_cur_copy(&c, d->ciaddr, 4);
    nt_cur_copy(&c, d->yiaddr, 4);
    nt_cur_copy(&c, d->siaddr, 4);
    nt_cur_copy(&c, d->giaddr, 4);
    nt_cur_copy(&c, d->chaddr, 16);
    if (c.bad || !nt_cur_has(&c, 64 + 128)) {
        d->error = "shorter than the 236-byte BOOTP header";
        return false;
    }
    d->sname = cstr_field(nt_cur_ptr(&c), 64);
    nt_cur_skip(&c, 64);
    d->file = cstr_field(nt_cur_ptr(&c), 128);
    nt_cur_skip(&c, 128);
    if (d->op != 1 && d->op != 2) {
        d->error = "BOOTP op is neither 1 (request) nor 2 (reply)";
        return false;
    }
    uint32_t magic = nt_cur_be32(&c);
    if (c.bad || magic != 0x63825363) return true;   /* plain BOOTP */
    d->has_magic = true;
    while (nt_cur_left(&c) > 0) {
        uint8_t code = nt_cur_u8(&c);
        if (code == 0) {                          /* pad: a run is one entry, as Wireshark shows it */
            const uint8_t *run = nt_cur_ptr(&c) - 1;
            uint8_t n = 1;
            while (nt_cur_left(&c) > 0 && *nt_cur_ptr(&c) == 0 && n < 255) { nt_cur_skip(&c, 1); n++; }
            if (d->nopts < NT_DHCP_MAX_OPTS) d->opts[d->nopts++] = (nt_dhcp_opt){0, n, run};
            else d->opts_dropped++;
            continue;
        }
        if (code == 255) { d->has_end = true; break; }
        uint8_t olen = nt_cur_u8(&c);
        const uint8_t *val = nt_cur_ptr(&c);
        if (c.bad || !nt_cur_skip(&c, olen)) {
            d->error = "a DHCP option runs past the packet";
            return false;
        }
        if (d->nopts < NT_DHCP_MAX_OPTS) d->opts[d->nopts++] = (nt_dhcp_opt){code, olen, val};
        else d->opts_dropped++;
        switch (code) {
        case 53: if (olen == 1 && !d->has_msg_type) { d->has_msg_type = true; d->msg_type = val[0]; } break;
        case 50: if (olen == 4) { d->has_req_ip = true; memcpy(d->req_ip, val, 4); } break;
        case 54: if (olen == 4) { d->has_server_id = true; memcpy(d->server_id, val, 4); } break;
        case 51:
            if (olen == 4) {
                d->has_lease = true;
                d->lease = (uint32_t)val[0] << 24 | (uint32_t)val[1] << 16 | (uint32_t)val[2] << 8 | val[3];
            }
            break;
        case 12: d->hostname = cstr_field(val, olen); break;
        case 61: d->client_id = val; d->client_id_len = olen; break;
        case 55: d->params = val; d->nparams = olen; break;
        default: break;
        }
    }
    return true;
}

const char *nt_dhcp_type_name(uint8_t t)
{
    static const char *const names[] = {
        NULL, "Discover", "Offer", "Request", "Decline", "ACK", "NAK", "Release", "Inform",
        "Force Renew", "Lease query", "Lease Unassigned", "Lease Unknown", "Lease Active",
        "Bulk Lease Query", "Lease Query Done", "Active LeaseQuery", "Lease Query Status", "TLS",
    };
    return t < sizeof names / sizeof names[0] ? names[t] : NULL;
}

void nt_dhcp_info(const nt_dhcp *d, nt_buf *b)
{
    if (!d->has_msg_type) {
        /* tshark names the client by its resolved MAC in parentheses; we
         * resolve nothing, so the address appears twice */
        if (d->op == 1 && d->htype == 1 && d->hlen == 6) {
            nt_buf_puts(b, "Boot Request from ");
            nt_buf_mac(b, d->chaddr);
            nt_buf_puts(b, " (");
            nt_buf_mac(b, d->chaddr);
            nt_buf_putc(b, ')');
        } else {
            nt_buf_puts(b, d->op == 1 ? "Boot Request" : "Boot Reply");
        }
        return;
    }
    nt_buf_puts(b, "DHCP ");
    const char *n = nt_dhcp_type_name(d->msg_type);
    size_t start = b->len;
    if (n) nt_buf_puts(b, n);
    else nt_buf_printf(b, "Unknown Message Type (0x%02x)", d->msg_type);
    nt_buf_pad(b, start, 8);
    nt_buf_puts(b, " - Transaction ID 0x");
    nt_buf_hex(b, d->xid, 1, false);
}

/* ---- fields ------------------------------------------------------------- */

#define MACC(fn) static int fn(const void *msg, nt_fvalue *out, int max)
#define D ((const nt_dhcp *)msg)

MACC(f_dhcp)
{
    int n = put_bytes(out, 0, max, D->raw, D->len, NT_FT_PROTOCOL);
    if (n) out[0].hdr_len = D->len;
    return n;
}
MACC(f_type) { return put_u(out, 0, max, D->op); }
MACC(f_id) { return put_u(out, 0, max, D->xid); }
MACC(f_ciaddr) { return put_addr(out, 0, max, D->ciaddr, NT_FT_IPV4); }
MACC(f_yiaddr) { return put_addr(out, 0, max, D->yiaddr, NT_FT_IPV4); }
MACC(f_siaddr) { return put_addr(out, 0, max, D->siaddr, NT_FT_IPV4); }
MACC(f_giaddr) { return put_addr(out, 0, max, D->giaddr, NT_FT_IPV4); }
/* the header's chaddr, and (as Wireshark) the MAC in a client identifier
 * of hardware type 1 */
MACC(f_mac)
{
    int n = 0;
    if (D->htype == 1 && D->hlen == 6) n = put_addr(out, n, max, D->chaddr, NT_FT_ETHER);
    if (D->client_id && D->client_id_len == 7 && D->client_id[0] == 1)
        n = put_addr(out, n, max, D->client_id + 1, NT_FT_ETHER);
    return n;
}
MACC(f_opt_type)
{
    int n = 0;
    for (int i = 0; i < D->nopts; i++) n = put_u(out, n, max, D->opts[i].code);
    if (D->has_end) n = put_u(out, n, max, 0);   /* tshark 4.0 gives the End option type 0 */
    return n;
}
MACC(f_msgtype) { return D->has_msg_type ? put_u(out, 0, max, D->msg_type) : 0; }
MACC(f_req_ip) { return D->has_req_ip ? put_addr(out, 0, max, D->req_ip, NT_FT_IPV4) : 0; }
MACC(f_server_id) { return D->has_server_id ? put_addr(out, 0, max, D->server_id, NT_FT_IPV4) : 0; }
MACC(f_lease) { return D->has_lease ? put_u(out, 0, max, D->lease) : 0; }
MACC(f_hostname) { return D->hostname.p ? put_bytes(out, 0, max, D->hostname.p, D->hostname.len, NT_FT_STRING) : 0; }
MACC(f_param)
{
    int n = 0;
    for (int i = 0; D->params && i < D->nparams; i++) n = put_u(out, n, max, D->params[i]);
    return n;
}

const nt_msg_field nt_dhcp_fields[] = {
    {"dhcp", NT_FT_PROTOCOL, 0, "Dynamic Host Configuration Protocol", f_dhcp, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.type", NT_FT_UINT, 1, "Message type", f_type, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.id", NT_FT_UINT, 4, "Transaction ID", f_id, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.ip.client", NT_FT_IPV4, 4, "Client IP address", f_ciaddr, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.ip.your", NT_FT_IPV4, 4, "Your (client) IP address", f_yiaddr, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.ip.server", NT_FT_IPV4, 4, "Next server IP address", f_siaddr, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.ip.relay", NT_FT_IPV4, 4, "Relay agent IP address", f_giaddr, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.hw.mac_addr", NT_FT_ETHER, 6, "Client MAC address", f_mac, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.option.type", NT_FT_UINT, 1, "Option", f_opt_type, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.option.dhcp", NT_FT_UINT, 1, "DHCP", f_msgtype, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.option.requested_ip_address", NT_FT_IPV4, 4, "Requested IP Address", f_req_ip, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.option.dhcp_server_id", NT_FT_IPV4, 4, "DHCP Server Identifier", f_server_id, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.option.ip_address_lease_time", NT_FT_UINT, 4, "IP Address Lease Time", f_lease, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.option.hostname", NT_FT_STRING, 0, "Host Name", f_hostname, NULL, .msg_proto = NT_P_DHCP},
    {"dhcp.option.request_list_item", NT_FT_UINT, 1, "Parameter Request List Item", f_param, NULL, .msg_proto = NT_P_DHCP},
};
const size_t nt_dhcp_nfields = sizeof nt_dhcp_fields / sizeof nt_dhcp_fields[0];
