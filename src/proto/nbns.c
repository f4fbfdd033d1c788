/* nbns.c - NetBIOS Name Service parser (see nbns.h). */
#include "nettracer/nbns.h"

#include <stdio.h>
#include <string.h>

#include "nettracer/field_put.h"

const char *nt_nbns_suffix_name(uint8_t s)
{
    switch (s) {
    case 0x00: return "Workstation/Redirector";
    case 0x01: return "Browser";
    case 0x02: return "Workstation/Redirector";
    case 0x03: return "Messenger service/Main name";
    case 0x05: return "Forwarded name";
    case 0x06: return "RAS Server service";
    case 0x1b: return "Domain Master Browser";
    case 0x1c: return "Domain Controllers";
    case 0x1d: return "Local Master Browser";
    case 0x1e: return "Browser Election Service";
    case 0x1f: return "Net DDE Service";
    case 0x20: return "Server service";
    case 0x21: return "RAS client service";
    case 0x22: return "Exchange Interchange (MSMail Connector)";
    case 0x23: return "Exchange Store";
    case 0x24: return "Exchange Directory";
    case 0x2b: return "Lotus Notes Server service";
    case 0x30: return "Modem sharing server service";
    case 0x31: return "Modem sharing client service";
    case 0x43: return "SMS Clients Remote Control";
    case 0x44: return "SMS Administrators Remote Control Tool";
    case 0x45: return "SMS Clients Remote Chat";
    case 0x46: return "SMS Clients Remote Transfer";
    case 0x4c: return "DEC Pathworks TCP/IP Service on Windows NT";
    case 0x52: return "DEC Pathworks TCP/IP Service on Windows NT";
    case 0x6a: return "Microsoft Exchange IMC";
    case 0x87: return "Microsoft Exchange MTA";
    case 0xbe: return "Network Monitor Agent";
    case 0xbf: return "Network Monitor Analyzer";
    default: return NULL;
    }
}

static const char *type_name(uint16_t t)
{
    switch (t) {
    case 0x01: return "A";
    case 0x02: return "NS";
    case 0x0a: return "NULL";
    case 0x20: return "NB";
    case 0x21: return "NBSTAT";
    default: return NULL;
    }
}

static const char *opcode_name(uint8_t o)
{
    switch (o) {
    case 0: return "Name query";
    case 5: return "Registration";
    case 6: return "Release";
    case 7: return "Wait for acknowledgment";
    case 8: return "Refresh";
    case 9: return "Refresh (obsolete)";
    case 15: return "Multi-homed registration";
    default: return NULL;
    }
}

static const char *rcode_name(uint8_t r)
{
    switch (r) {
    case 0: return "No error";
    case 1: return "Format error";
    case 2: return "Server failure";
    case 3: return "Requested name does not exist";
    case 4: return "Request is not implemented";
    case 5: return "Request was refused";
    case 6: return "Active error";
    case 7: return "Name in conflict";
    default: return NULL;
    }
}

/* A domain-style name at off: labels, possibly ending in a compression
 * pointer (followed at most 8 times: a loop is malformed). Writes the raw
 * labels joined by '.' into raw[] and returns the offset after the name in
 * the packet, or 0 when it runs past the packet. */
static uint32_t read_labels(const uint8_t *p, uint32_t len, uint32_t off, char *raw, size_t rawcap,
                            size_t *rawlen, uint8_t *first, uint8_t *first_len)
{
    uint32_t end = 0;
    int jumps = 0;
    size_t n = 0;
    bool firstlab = true;
    for (;;) {
        if (off >= len) return 0;
        uint8_t l = p[off];
        if ((l & 0xc0) == 0xc0) {
            if (off + 1 >= len || ++jumps > 8) return 0;
            if (!end) end = off + 2;
            off = (uint32_t)(l & 0x3f) << 8 | p[off + 1];
            continue;
        }
        if (l & 0xc0) return 0;
        off++;
        if (l == 0) break;
        if (l > len - off) return 0;
        if (firstlab) {
            memcpy(first, p + off, l < 64 ? l : 63);
            *first_len = l;
            firstlab = false;
        } else {
            if (n + 1 < rawcap) raw[n++] = '.';
            for (uint8_t i = 0; i < l && n + 1 < rawcap; i++) raw[n++] = (char)p[off + i];
        }
        off += l;
    }
    raw[n < rawcap ? n : rawcap - 1] = 0;
    *rawlen = n;
    return end ? end : off;
}

static uint32_t read_name(const uint8_t *p, uint32_t len, uint32_t off, nt_nbns_name *nm)
{
    char scope[64];
    size_t scope_len = 0;
    uint8_t first[64];
    uint8_t flen = 0;
    memset(nm, 0, sizeof *nm);
    uint32_t next = read_labels(p, len, off, scope, sizeof scope, &scope_len, first, &flen);
    if (!next) return 0;
    size_t t = 0;
    if (flen == 32) {
        uint8_t dec[16];
        bool ok = true;
        for (int i = 0; i < 16; i++) {
            uint8_t hi = (uint8_t)(first[2 * i] - 'A'), lo = (uint8_t)(first[2 * i + 1] - 'A');
            if (hi > 15 || lo > 15) { ok = false; break; }
            dec[i] = (uint8_t)(hi << 4 | lo);
        }
        if (ok) {
            nm->netbios = true;
            nm->suffix = dec[15];
            int e = 15;
            while (e > 0 && dec[e - 1] == ' ') e--;
            /* as Wireshark: unprintable characters as <xx> (the "*" wildcard
             * name of a node status query is "*<00><00>...") */
            for (int i = 0; i < e; i++) {
                bool pr = dec[i] >= 0x20 && dec[i] < 0x7f;
                nm->name[i] = pr ? (char)dec[i] : '.';
                if (t + 5 >= sizeof nm->text) continue;
                if (pr) nm->text[t++] = (char)dec[i];
                else t += (size_t)snprintf(nm->text + t, sizeof nm->text - t, "<%02x>", dec[i]);
            }
            nm->name[e] = 0;
            t += (size_t)snprintf(nm->text + t, sizeof nm->text - t, "<%02x>", nm->suffix);
        }
    }
    if (!nm->netbios) {
        for (uint8_t i = 0; i < flen && i < 63 && t + 1 < sizeof nm->text; i++)
            nm->text[t++] = (first[i] >= 0x20 && first[i] < 0x7f) ? (char)first[i] : '.';
        nm->text[t] = 0;
    }
    if (scope_len && t < sizeof nm->text)
        snprintf(nm->text + t, sizeof nm->text - t, "%s", scope);
    return next;
}

bool nt_nbns_parse(const uint8_t *p, uint32_t len, nt_nbns *n)
{
    memset(n, 0, sizeof *n);
    n->raw = p;
    n->len = len;
    nt_cur c = nt_cur_make(p, len);
    n->id = nt_cur_be16(&c);
    n->flags = nt_cur_be16(&c);
    n->qdcount = nt_cur_be16(&c);
    n->ancount = nt_cur_be16(&c);
    n->nscount = nt_cur_be16(&c);
    n->arcount = nt_cur_be16(&c);
    if (c.bad) { n->error = "shorter than the 12-byte NBNS header"; return false; }
    n->response = n->flags & 0x8000;
    n->opcode = (n->flags >> 11) & 0x0f;
    n->rcode = n->flags & 0x0f;
    uint32_t off = 12;
    for (uint32_t i = 0; i < n->qdcount; i++) {
        nt_nbns_rr rr;
        memset(&rr, 0, sizeof rr);
        off = read_name(p, len, off, &rr.name);
        if (!off || !nt_load_be16(p, len, off, &rr.type) || !nt_load_be16(p, len, off + 2, &rr.cls)) {
            n->error = "a question runs past the packet";
            return false;
        }
        off += 4;
        snprintf(rr.shown, sizeof rr.shown, "%s", rr.name.text);
        if (n->nq < NT_NBNS_MAX_RR) n->q[n->nq++] = rr;
    }
    nt_nbns_rr *lists[3] = {n->an, n->ns, n->ar};
    uint8_t *counts[3] = {&n->nan, &n->nns, &n->nar};
    uint16_t wanted[3] = {n->ancount, n->nscount, n->arcount};
    for (int sec = 0; sec < 3; sec++) {
        for (uint32_t i = 0; i < wanted[sec]; i++) {
            nt_nbns_rr rr;
            memset(&rr, 0, sizeof rr);
            off = read_name(p, len, off, &rr.name);
            if (!off || !nt_load_be16(p, len, off, &rr.type) || !nt_load_be16(p, len, off + 2, &rr.cls) ||
                !nt_load_be32(p, len, off + 4, &rr.ttl) || !nt_load_be16(p, len, off + 8, &rr.rdlen) ||
                rr.rdlen > len - off - 10) {
                n->error = sec == 0 ? "an answer runs past the packet" : "a resource record runs past the packet";
                return false;
            }
            off += 10;
            rr.rdata = p + off;
            if (rr.type == 0x20 && rr.rdlen >= 6) {
                rr.nb_flags = (uint16_t)(p[off] << 8 | p[off + 1]);
                memcpy(rr.addr, p + off + 2, 4);
                rr.has_addr = true;
                rr.naddr = rr.rdlen / 6;
            }
            off += rr.rdlen;
            const char *d = rr.name.netbios ? nt_nbns_suffix_name(rr.name.suffix) : NULL;
            if (d) snprintf(rr.shown, sizeof rr.shown, "%s (%s)", rr.name.text, d);
            else snprintf(rr.shown, sizeof rr.shown, "%s", rr.name.text);
            if (*counts[sec] < NT_NBNS_MAX_RR) lists[sec][(*counts[sec])++] = rr;
        }
    }
    return true;
}

void nt_nbns_info(const nt_nbns *n, nt_buf *b)
{
    const char *op = opcode_name(n->opcode);
    if (op) nt_buf_puts(b, op);
    else nt_buf_printf(b, "Unknown operation (%u)", n->opcode);
    if (n->response) {
        nt_buf_puts(b, " response");
        if (n->rcode) {
            const char *rc = rcode_name(n->rcode);
            nt_buf_puts(b, ", ");
            if (rc) nt_buf_puts(b, rc);
            else nt_buf_printf(b, "Unknown error (%u)", n->rcode);
        }
    }
    for (int i = 0; i < n->nq; i++) {
        const char *t = type_name(n->q[i].type);
        nt_buf_putc(b, ' ');
        nt_buf_puts(b, t ? t : "Unknown");
        nt_buf_putc(b, ' ');
        nt_buf_puts(b, n->q[i].name.text);
    }
    for (int i = 0; i < n->nan; i++) {
        const nt_nbns_rr *a = &n->an[i];
        const char *t = type_name(a->type);
        if (a->type == 0x20 && !a->has_addr) continue;   /* tshark stops at the empty NB data */
        nt_buf_putc(b, ' ');
        nt_buf_puts(b, t ? t : "Unknown");
        if (a->has_addr) {
            nt_buf_putc(b, ' ');
            nt_buf_ipv4(b, a->addr);
        }
    }
}

/* ---- fields ------------------------------------------------------------- */

#define MACC(fn) static int fn(const void *msg, nt_fvalue *out, int max)
#define N ((const nt_nbns *)msg)

MACC(f_nbns)
{
    int k = put_bytes(out, 0, max, N->raw, N->len, NT_FT_PROTOCOL);
    if (k) out[0].hdr_len = N->len;
    return k;
}
MACC(f_id) { return put_u(out, 0, max, N->id); }
MACC(f_flags) { return put_u(out, 0, max, N->flags); }
MACC(f_response) { return put_b(out, 0, max, N->response); }
MACC(f_opcode) { return put_u(out, 0, max, N->opcode); }
/* Wireshark shows the reply code only in responses */
MACC(f_rcode) { return N->response ? put_u(out, 0, max, N->rcode) : 0; }
MACC(f_qd) { return put_u(out, 0, max, N->qdcount); }
MACC(f_an) { return put_u(out, 0, max, N->ancount); }
/* the resource records in packet order: answers, authority, additional */
#define EACH_RR(rr) \
    for (int s_ = 0; s_ < 3; s_++) \
        for (int i_ = 0; i_ < (s_ == 0 ? N->nan : s_ == 1 ? N->nns : N->nar); i_++) \
            for (const nt_nbns_rr *rr = s_ == 0 ? &N->an[i_] : s_ == 1 ? &N->ns[i_] : &N->ar[i_]; rr; rr = NULL)

MACC(f_name)
{
    int k = 0;
    for (int i = 0; i < N->nq; i++) k = put_bytes(out, k, max, N->q[i].shown, (uint32_t)strlen(N->q[i].shown), NT_FT_STRING);
    EACH_RR(rr) k = put_bytes(out, k, max, rr->shown, (uint32_t)strlen(rr->shown), NT_FT_STRING);
    return k;
}
MACC(f_type)
{
    int k = 0;
    for (int i = 0; i < N->nq; i++) k = put_u(out, k, max, N->q[i].type);
    EACH_RR(rr) k = put_u(out, k, max, rr->type);
    return k;
}
MACC(f_ttl)
{
    int k = 0;
    EACH_RR(rr) k = put_u(out, k, max, rr->ttl);
    return k;
}
MACC(f_addr)
{
    int k = 0;
    EACH_RR(rr)
        for (uint16_t j = 0; j < rr->naddr && rr->type == 0x20; j++)
            k = put_addr(out, k, max, rr->rdata + 6 * j + 2, NT_FT_IPV4);
    return k;
}

const nt_msg_field nt_nbns_fields[] = {
    {"nbns", NT_FT_PROTOCOL, 0, "NetBIOS Name Service", f_nbns, NULL, .msg_proto = NT_P_NBNS},
    {"nbns.id", NT_FT_UINT, 2, "Transaction ID", f_id, NULL, .msg_proto = NT_P_NBNS},
    {"nbns.flags", NT_FT_UINT, 2, "Flags", f_flags, NULL, .msg_proto = NT_P_NBNS},
    {"nbns.flags.response", NT_FT_BOOL, 2, "Response", f_response, NULL, .msg_proto = NT_P_NBNS},
    {"nbns.flags.opcode", NT_FT_UINT, 2, "Opcode", f_opcode, NULL, .msg_proto = NT_P_NBNS},
    {"nbns.flags.rcode", NT_FT_UINT, 2, "Reply code", f_rcode, NULL, .msg_proto = NT_P_NBNS},
    {"nbns.count.queries", NT_FT_UINT, 2, "Questions", f_qd, NULL, .msg_proto = NT_P_NBNS},
    {"nbns.count.answers", NT_FT_UINT, 2, "Answer RRs", f_an, NULL, .msg_proto = NT_P_NBNS},
    {"nbns.name", NT_FT_STRING, 0, "Name", f_name, NULL, .msg_proto = NT_P_NBNS},
    {"nbns.type", NT_FT_UINT, 2, "Type", f_type, NULL, .msg_proto = NT_P_NBNS},
    {"nbns.ttl", NT_FT_UINT, 4, "Time to live", f_ttl, NULL, .msg_proto = NT_P_NBNS},
    {"nbns.addr", NT_FT_IPV4, 4, "Addr", f_addr, NULL, .msg_proto = NT_P_NBNS},
};
const size_t nt_nbns_nfields = sizeof nt_nbns_fields / sizeof nt_nbns_fields[0];
