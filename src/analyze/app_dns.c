/* app_dns.c - a DNS message of a frame decoded for the packet (names
 * decompressed into the message's arena) and its Info text, as tshark 4.0
 * writes it: "Standard query response 0x1a2b No such name A name SOA ns". */
#include "app_int.h"

#include <stdio.h>
#include <string.h>

static uint16_t arena_name(nt_dns_info *d, size_t off)
{
    uint16_t at = d->arena_len;
    size_t room = sizeof d->arena - at;
    if (room < 2) return 0xffff;
    size_t end;
    if (nt_dns_name(d->m.p, d->m.len, off, d->arena + at, room, &end, NULL) != NT_DNS_OK) {
        d->arena[at] = 0;
        if (!d->malformed) d->malformed = "bad name";
    }
    d->arena_len = (uint16_t)(at + strlen(d->arena + at) + 1);
    return at;
}

bool nt_app_dns_decode(nt_dns_info *d, const uint8_t *p, uint32_t len)
{
    memset(d, 0, offsetof(nt_dns_info, arena));
    d->arena_len = 0;
    if (nt_dns_parse(p, len, &d->m) != NT_DNS_OK) return false;
    nt_dns_iter it;
    nt_dns_rr rr;
    nt_dns_iter_init(&it, &d->m);
    while (d->nrr < NT_DNS_MAX_RR && nt_dns_next(&it, &rr)) {
        nt_dns_rr_info *ri = &d->rr[d->nrr++];
        memset(ri, 0, sizeof *ri);
        ri->section = (uint8_t)rr.section;
        ri->type = rr.type, ri->rclass = rr.rclass, ri->ttl = rr.ttl;
        ri->name = arena_name(d, rr.name_off);
        ri->rname = ri->txt = 0xffff;
        if (rr.section == NT_DNS_SEC_QD) continue;
        if (nt_dns_rdata_parse(&d->m, &rr, &ri->rd) != NT_DNS_OK) {
            if (!d->malformed) d->malformed = "bad record data";
            continue;
        }
        ri->has_rdata = true;
        switch (rr.type) {
        case NT_DNS_CNAME: case NT_DNS_NS: case NT_DNS_PTR: ri->rname = arena_name(d, ri->rd.u.name_off); break;
        case NT_DNS_MX: ri->rname = arena_name(d, ri->rd.u.mx.name_off); break;
        case NT_DNS_SRV: ri->rname = arena_name(d, ri->rd.u.srv.target_off); break;
        case NT_DNS_SOA: ri->rname = arena_name(d, ri->rd.u.soa.mname_off); break;
        case NT_DNS_TXT: {
            size_t pos = 0;
            const uint8_t *str;
            uint8_t sl;
            nt_dns_err err = NT_DNS_OK;
            ri->txt = d->arena_len;
            while (nt_dns_txt_next(&d->m, &ri->rd, &pos, &str, &sl, &err)) {
                if (d->arena_len + sl + 1u >= sizeof d->arena) break;
                memcpy(d->arena + d->arena_len, str, sl);
                d->arena_len = (uint16_t)(d->arena_len + sl);
                ri->txt_len = (uint16_t)(ri->txt_len + sl);
                break; /* Wireshark's dns.txt: one value per string; the first is kept */
            }
            d->arena[d->arena_len++] = 0;
            break;
        }
        default: break;
        }
    }
    if (it.err != NT_DNS_OK && !d->malformed) d->malformed = nt_dns_strerror(it.err);
    return true;
}

const char *nt_app_dns_str(const nt_dns_info *d, uint16_t off)
{
    return off < d->arena_len ? d->arena + off : "";
}

void nt_app_dns_info(const nt_dns_info *d, nt_buf *b)
{
    const nt_dns_header *h = &d->m.h;
    const char *op = nt_dns_opcode_name(h->opcode);
    if (op) nt_buf_puts(b, op);
    else nt_buf_printf(b, "Unknown operation (%u)", h->opcode);
    if (h->qr) nt_buf_puts(b, " response");
    nt_buf_puts(b, " 0x");
    nt_buf_hex(b, h->id, 4, false);
    uint16_t rc = nt_dns_full_rcode(&d->m);
    if (h->qr && rc) {
        const char *t = nt_dns_rcode_text(rc);
        if (t) nt_buf_printf(b, " %s", t);
        else nt_buf_printf(b, " Unknown error (%u)", rc);
    }
    char a[64];
    for (int i = 0; i < d->nrr; i++) {
        const nt_dns_rr_info *r = &d->rr[i];
        const char *tn = nt_dns_type_name(r->type);
        nt_buf_putc(b, ' ');
        if (tn) nt_buf_puts(b, tn);
        else nt_buf_printf(b, "Unknown (%u)", r->type);
        if (r->section == NT_DNS_SEC_QD) {
            nt_buf_printf(b, " %s", nt_app_dns_str(d, r->name));
            continue;
        }
        if (!r->has_rdata) continue;
        switch (r->type) {
        case NT_DNS_A: nt_buf_putc(b, ' '); nt_buf_ipv4(b, r->rd.u.a); break;
        case NT_DNS_AAAA: nt_buf_putc(b, ' '); nt_buf_ipv6(b, r->rd.u.aaaa); break;
        case NT_DNS_CNAME: case NT_DNS_NS: case NT_DNS_PTR: case NT_DNS_SOA:
            nt_buf_printf(b, " %s", nt_app_dns_str(d, r->rname));
            break;
        case NT_DNS_MX: nt_buf_printf(b, " %u %s", r->rd.u.mx.preference, nt_app_dns_str(d, r->rname)); break;
        case NT_DNS_SRV:
            snprintf(a, sizeof a, " %u %u %u ", r->rd.u.srv.priority, r->rd.u.srv.weight, r->rd.u.srv.port);
            nt_buf_puts(b, a);
            nt_buf_puts(b, nt_app_dns_str(d, r->rname));
            break;
        default: break;
        }
    }
}
