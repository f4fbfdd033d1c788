/* dns.c - DNS message codec: header, questions and records by offset,
 * name decompression with loop and length limits, rdata of the common
 * types, the names Wireshark gives numbers, and the query builder used by
 * `nettracer dns`. No allocation, no I/O; every read is bounds-checked. */
#include "nettracer/dns.h"
#include "nettracer/core.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *nt_dns_strerror(nt_dns_err e)
{
    switch (e) {
    case NT_DNS_OK: return "no error";
    case NT_DNS_E_SHORT: return "message ends inside a field";
    case NT_DNS_E_LABEL: return "reserved label type in a name";
    case NT_DNS_E_LOOP: return "compression pointers loop in a name";
    case NT_DNS_E_PTR: return "compression pointer outside the message";
    case NT_DNS_E_TOOLONG: return "name longer than 255 octets";
    case NT_DNS_E_RDATA: return "record data length does not fit its type";
    case NT_DNS_E_SPACE: return "output buffer too small";
    case NT_DNS_E_NAME: return "invalid name (empty label or label over 63 octets)";
    }
    return "unknown error";
}

nt_dns_err nt_dns_parse(const uint8_t *p, size_t len, nt_dns_msg *m)
{
    memset(m, 0, sizeof *m);
    m->p = p;
    m->len = len;
    nt_cur c = nt_cur_make(p, len);
    nt_dns_header *h = &m->h;
    h->id = nt_cur_be16(&c);
    h->flags = nt_cur_be16(&c);
    h->qdcount = nt_cur_be16(&c);
    h->ancount = nt_cur_be16(&c);
    h->nscount = nt_cur_be16(&c);
    h->arcount = nt_cur_be16(&c);
    if (c.bad) return NT_DNS_E_SHORT;
    uint16_t f = h->flags;
    h->qr = f >> 15 & 1;
    h->opcode = f >> 11 & 0xf;
    h->aa = f >> 10 & 1;
    h->tc = f >> 9 & 1;
    h->rd = f >> 8 & 1;
    h->ra = f >> 7 & 1;
    h->z = f >> 6 & 1;
    h->ad = f >> 5 & 1;
    h->cd = f >> 4 & 1;
    h->rcode = f & 0xf;
    return NT_DNS_OK;
}

/* Length of the UTF-8 sequence starting at p[0] (n bytes left), 0 if it is
 * not a valid one (overlong forms, surrogates and values past U+10FFFF
 * included). */
static size_t utf8_len(const uint8_t *p, size_t n)
{
    uint8_t b = p[0];
    size_t len;
    uint32_t min, cp;
    if (b >= 0xc2 && b <= 0xdf) len = 2, min = 0x80, cp = b & 0x1f;
    else if (b >= 0xe0 && b <= 0xef) len = 3, min = 0x800, cp = b & 0x0f;
    else if (b >= 0xf0 && b <= 0xf4) len = 4, min = 0x10000, cp = b & 0x07;
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

/* A label as Wireshark 4.0's format_text shows it: printable ASCII as is
 * (a dot or backslash inside a label too), \a \b \f \n \r \t \v, other
 * control bytes as \ooo, valid UTF-8 as is, any other byte as U+FFFD.
 * Writes at most 4 bytes per input byte; returns the bytes written. */
static size_t label_text(const uint8_t *l, size_t n, char *out)
{
    static const char cesc[] = "abtnvfr"; /* for 7..13 */
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint8_t ch = l[i];
        if (ch >= 0x20 && ch < 0x7f) {
            out[o++] = (char)ch;
            i++;
        } else if (ch >= 7 && ch <= 13) {
            out[o++] = '\\';
            out[o++] = cesc[ch - 7];
            i++;
        } else if (ch < 0x80) {
            out[o++] = '\\';
            out[o++] = (char)('0' + (ch >> 6));
            out[o++] = (char)('0' + (ch >> 3 & 7));
            out[o++] = (char)('0' + (ch & 7));
            i++;
        } else {
            size_t u = utf8_len(l + i, n - i);
            if (u) {
                memcpy(out + o, l + i, u);
                o += u;
                i += u;
            } else {
                memcpy(out + o, "\xef\xbf\xbd", 3);
                o += 3;
                i++;
            }
        }
    }
    return o;
}

/* One walk serves text and skipping: out may be NULL. */
static nt_dns_err name_walk(const uint8_t *p, size_t len, size_t off, char *out, size_t outsz, size_t *end,
                            size_t *wire_len)
{
    size_t pos = off, endpos = 0, wire = 1, o = 0;
    bool jumped = false;
    int ptrs = 0;
    if (out && outsz == 0) return NT_DNS_E_SPACE;
    for (;;) {
        if (pos >= len) return NT_DNS_E_SHORT;
        uint8_t c = p[pos];
        if (c == 0) {
            if (!jumped) endpos = pos + 1;
            break;
        }
        if ((c & 0xc0) == 0xc0) {
            if (pos + 1 >= len) return NT_DNS_E_SHORT;
            size_t target = (size_t)(c & 0x3f) << 8 | p[pos + 1];
            if (!jumped) endpos = pos + 2;
            jumped = true;
            if (++ptrs > NT_DNS_MAX_POINTERS) return NT_DNS_E_LOOP;
            if (target >= len) return NT_DNS_E_PTR;
            pos = target;
            continue;
        }
        if (c & 0xc0) return NT_DNS_E_LABEL;
        if (len - pos - 1 < c) return NT_DNS_E_SHORT;
        wire += 1u + c;
        if (wire > NT_DNS_NAME_MAX) return NT_DNS_E_TOOLONG;
        if (out) {
            /* worst case: a dot and 4 bytes per octet, plus the NUL */
            if (o + 1 + 4u * c + 1 > outsz) return NT_DNS_E_SPACE;
            if (o) out[o++] = '.';
            o += label_text(p + pos + 1, c, out + o);
        }
        pos += 1u + c;
    }
    if (out) {
        if (o == 0) {
            if (outsz < sizeof "<Root>") return NT_DNS_E_SPACE;
            memcpy(out, "<Root>", sizeof "<Root>");
        } else {
            out[o] = 0;
        }
    }
    if (end) *end = endpos;
    if (wire_len) *wire_len = wire;
    return NT_DNS_OK;
}

nt_dns_err nt_dns_name(const uint8_t *p, size_t len, size_t off, char *out, size_t outsz, size_t *end,
                       size_t *wire_len)
{
    nt_dns_err e = name_walk(p, len, off, out, outsz, end, wire_len);
    if (e && out && outsz) out[0] = 0;
    return e;
}

nt_dns_err nt_dns_name_skip(const uint8_t *p, size_t len, size_t off, size_t *end)
{
    return name_walk(p, len, off, NULL, 0, end, NULL);
}

void nt_dns_iter_init(nt_dns_iter *it, const nt_dns_msg *m)
{
    it->m = m;
    it->off = NT_DNS_HDR_LEN;
    it->sec = NT_DNS_SEC_QD;
    it->idx = 0;
    it->err = m->len < NT_DNS_HDR_LEN ? NT_DNS_E_SHORT : NT_DNS_OK;
}

static uint16_t sec_count(const nt_dns_header *h, nt_dns_section s)
{
    switch (s) {
    case NT_DNS_SEC_QD: return h->qdcount;
    case NT_DNS_SEC_AN: return h->ancount;
    case NT_DNS_SEC_NS: return h->nscount;
    case NT_DNS_SEC_AR: return h->arcount;
    }
    return 0;
}

bool nt_dns_next(nt_dns_iter *it, nt_dns_rr *rr)
{
    if (it->err) return false;
    while (it->sec <= NT_DNS_SEC_AR && it->idx >= sec_count(&it->m->h, it->sec)) {
        it->sec++;
        it->idx = 0;
    }
    if (it->sec > NT_DNS_SEC_AR) return false;
    memset(rr, 0, sizeof *rr);
    rr->section = it->sec;
    rr->index = it->idx;
    rr->name_off = it->off;
    size_t end;
    nt_dns_err e = nt_dns_name_skip(it->m->p, it->m->len, it->off, &end);
    if (e) {
        it->err = e;
        return false;
    }
    nt_cur c = nt_cur_make(it->m->p, it->m->len);
    c.off = end;
    rr->type = nt_cur_be16(&c);
    rr->rclass = nt_cur_be16(&c);
    if (it->sec != NT_DNS_SEC_QD) {
        rr->ttl = nt_cur_be32(&c);
        rr->rdlen = nt_cur_be16(&c);
        rr->rdata_off = c.off;
        nt_cur_skip(&c, rr->rdlen);
    }
    if (c.bad) {
        it->err = NT_DNS_E_SHORT;
        return false;
    }
    it->off = c.off;
    it->idx++;
    return true;
}

/* A name inside rdata: it must start and (its uncompressed part) end there. */
static nt_dns_err rd_name(const nt_dns_msg *m, size_t at, size_t rdend, size_t *off, size_t *end)
{
    if (at >= rdend) return NT_DNS_E_RDATA;
    nt_dns_err e = nt_dns_name_skip(m->p, m->len, at, end);
    if (e) return e;
    if (*end > rdend) return NT_DNS_E_RDATA;
    *off = at;
    return NT_DNS_OK;
}

nt_dns_err nt_dns_rdata_parse(const nt_dns_msg *m, const nt_dns_rr *rr, nt_dns_rdata *out)
{
    memset(out, 0, sizeof *out);
    out->type = rr->type;
    if (rr->section == NT_DNS_SEC_QD) return NT_DNS_E_RDATA;
    size_t at = rr->rdata_off, rdend = rr->rdata_off + rr->rdlen, end;
    if (rdend > m->len || at > rdend) return NT_DNS_E_SHORT;
    nt_cur c = nt_cur_make(m->p, rdend);
    c.off = at;
    nt_dns_err e;
    switch (rr->type) {
    case NT_DNS_A:
        if (rr->rdlen != 4) return NT_DNS_E_RDATA;
        memcpy(out->u.a, m->p + at, 4);
        break;
    case NT_DNS_AAAA:
        if (rr->rdlen != 16) return NT_DNS_E_RDATA;
        memcpy(out->u.aaaa, m->p + at, 16);
        break;
    case NT_DNS_CNAME:
    case NT_DNS_NS:
    case NT_DNS_PTR:
        return rd_name(m, at, rdend, &out->u.name_off, &end);
    case NT_DNS_MX:
        out->u.mx.preference = nt_cur_be16(&c);
        if (c.bad) return NT_DNS_E_RDATA;
        return rd_name(m, c.off, rdend, &out->u.mx.name_off, &end);
    case NT_DNS_SRV:
        out->u.srv.priority = nt_cur_be16(&c);
        out->u.srv.weight = nt_cur_be16(&c);
        out->u.srv.port = nt_cur_be16(&c);
        if (c.bad) return NT_DNS_E_RDATA;
        return rd_name(m, c.off, rdend, &out->u.srv.target_off, &end);
    case NT_DNS_SOA:
        if ((e = rd_name(m, at, rdend, &out->u.soa.mname_off, &end))) return e;
        if ((e = rd_name(m, end, rdend, &out->u.soa.rname_off, &end))) return e;
        c.off = end;
        out->u.soa.serial = nt_cur_be32(&c);
        out->u.soa.refresh = nt_cur_be32(&c);
        out->u.soa.retry = nt_cur_be32(&c);
        out->u.soa.expire = nt_cur_be32(&c);
        out->u.soa.minimum = nt_cur_be32(&c);
        if (c.bad) return NT_DNS_E_RDATA;
        break;
    case NT_DNS_TXT:
        out->u.txt.off = at;
        out->u.txt.len = rr->rdlen;
        break;
    case NT_DNS_OPT:
        out->u.opt.udp_size = rr->rclass;
        out->u.opt.ext_rcode = (uint8_t)(rr->ttl >> 24);
        out->u.opt.version = (uint8_t)(rr->ttl >> 16);
        out->u.opt.dnssec_ok = rr->ttl >> 15 & 1;
        out->u.opt.z = rr->ttl & 0x7fff;
        out->u.opt.opt_off = at;
        out->u.opt.opt_len = rr->rdlen;
        /* options are (code, length, data): check they tile the rdata */
        while (c.off < rdend) {
            nt_cur_be16(&c);
            uint16_t olen = nt_cur_be16(&c);
            nt_cur_skip(&c, olen);
            if (c.bad) return NT_DNS_E_RDATA;
        }
        break;
    default:
        break;
    }
    return NT_DNS_OK;
}

bool nt_dns_txt_next(const nt_dns_msg *m, const nt_dns_rdata *rd, size_t *pos, const uint8_t **s, uint8_t *slen,
                     nt_dns_err *err)
{
    if (err) *err = NT_DNS_OK;
    if (*pos >= rd->u.txt.len) return false;
    size_t at = rd->u.txt.off + *pos;
    uint8_t n = m->p[at];
    if ((size_t)rd->u.txt.len - *pos - 1 < n) {
        if (err) *err = NT_DNS_E_RDATA;
        *pos = rd->u.txt.len;
        return false;
    }
    *s = m->p + at + 1;
    *slen = n;
    *pos += 1u + n;
    return true;
}

uint16_t nt_dns_full_rcode(const nt_dns_msg *m)
{
    uint16_t rc = m->h.rcode;
    nt_dns_iter it;
    nt_dns_rr rr;
    nt_dns_iter_init(&it, m);
    while (nt_dns_next(&it, &rr))
        if (rr.section == NT_DNS_SEC_AR && rr.type == NT_DNS_OPT) return (uint16_t)(rc | (rr.ttl >> 24) << 4);
    return rc;
}

/* ---- names of numbers ------------------------------------------------ */

/* Wireshark 4.0's dns_types_vals mnemonics (tshark -G values, dns.qry.type,
 * the text before the parenthesis). */
static const struct { uint16_t v; const char *s; } type_names[] = {
    {0, "Unused"},
    {1, "A"},
    {2, "NS"},
    {3, "MD"},
    {4, "MF"},
    {5, "CNAME"},
    {6, "SOA"},
    {7, "MB"},
    {8, "MG"},
    {9, "MR"},
    {10, "NULL"},
    {11, "WKS"},
    {12, "PTR"},
    {13, "HINFO"},
    {14, "MINFO"},
    {15, "MX"},
    {16, "TXT"},
    {17, "RP"},
    {18, "AFSDB"},
    {19, "X25"},
    {20, "ISDN"},
    {21, "RT"},
    {22, "NSAP"},
    {23, "NSAP-PTR"},
    {24, "SIG"},
    {25, "KEY"},
    {26, "PX"},
    {27, "GPOS"},
    {28, "AAAA"},
    {29, "LOC"},
    {30, "NXT"},
    {31, "EID"},
    {32, "NIMLOC"},
    {33, "SRV"},
    {34, "ATMA"},
    {35, "NAPTR"},
    {36, "KX"},
    {37, "CERT"},
    {38, "A6"},
    {39, "DNAME"},
    {40, "SINK"},
    {41, "OPT"},
    {42, "APL"},
    {43, "DS"},
    {44, "SSHFP"},
    {45, "IPSECKEY"},
    {46, "RRSIG"},
    {47, "NSEC"},
    {48, "DNSKEY"},
    {49, "DHCID"},
    {50, "NSEC3"},
    {51, "NSEC3PARAM"},
    {52, "TLSA"},
    {55, "HIP"},
    {57, "RKEY"},
    {58, "TALINK"},
    {59, "CDS"},
    {60, "CDNSKEY"},
    {61, "OPENPGPKEY"},
    {62, "CSYNC"},
    {63, "ZONEMD"},
    {64, "SVCB"},
    {65, "HTTPS"},
    {99, "SPF"},
    {100, "UINFO"},
    {101, "UID"},
    {102, "GID"},
    {103, "UNSPEC"},
    {104, "NID"},
    {105, "L32"},
    {106, "L64"},
    {107, "LP"},
    {108, "EUI48"},
    {109, "EUI64"},
    {249, "TKEY"},
    {250, "TSIG"},
    {251, "IXFR"},
    {252, "AXFR"},
    {253, "MAILB"},
    {254, "MAILA"},
    {255, "ANY"},
    {256, "URI"},
    {257, "CAA"},
    {32768, "TA"},
    {32769, "DLV"},
    {65281, "WINS"},
    {65282, "WINS-R"},
    {65422, "XPF"},
};

const char *nt_dns_type_name(uint16_t type)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type_names[i].v == type) return type_names[i].s;
    return NULL;
}

bool nt_dns_type_parse(const char *s, uint16_t *type)
{
    if (!s || !*s) return false;
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type_names[i].v != 0 && !strcasecmp(type_names[i].s, s)) {
            *type = type_names[i].v;
            return true;
        }
    if (!strncasecmp(s, "TYPE", 4) && s[4]) {
        unsigned long v = 0;
        for (const char *q = s + 4; *q; q++) {
            if (*q < '0' || *q > '9') return false;
            v = v * 10 + (unsigned long)(*q - '0');
            if (v > 65535) return false;
        }
        *type = (uint16_t)v;
        return true;
    }
    return false;
}

const char *nt_dns_class_name(uint16_t rclass)
{
    switch (rclass) {
    case 1: return "IN";
    case 2: return "CS";
    case 3: return "CH";
    case 4: return "HS";
    case 254: return "NONE";
    case 255: return "ANY";
    }
    return NULL;
}

const char *nt_dns_opcode_name(uint8_t opcode)
{
    static const char *const n[] = {"Standard query", "Inverse query", "Server status request", NULL,
                                    "Zone change notification", "Dynamic update",
                                    "DNS Stateful operations (DSO)"};
    return opcode < sizeof n / sizeof n[0] ? n[opcode] : NULL;
}

/* Wireshark 4.0's rcode_vals (dns.flags.rcode), RFC 6895 mnemonics and the
 * Windows DNS_ERROR_RCODE_* constants (winerror.h: 9000 + rcode). */
static const struct {
    uint16_t v;
    const char *text, *mnemonic, *win;
} rcodes[] = {
    {0, "No error", "NOERROR", NULL},
    {1, "Format error", "FORMERR", "DNS_ERROR_RCODE_FORMAT_ERROR"},
    {2, "Server failure", "SERVFAIL", "DNS_ERROR_RCODE_SERVER_FAILURE"},
    {3, "No such name", "NXDOMAIN", "DNS_ERROR_RCODE_NAME_ERROR"},
    {4, "Not implemented", "NOTIMP", "DNS_ERROR_RCODE_NOT_IMPLEMENTED"},
    {5, "Refused", "REFUSED", "DNS_ERROR_RCODE_REFUSED"},
    {6, "Name exists", "YXDOMAIN", "DNS_ERROR_RCODE_YXDOMAIN"},
    {7, "RRset exists", "YXRRSET", "DNS_ERROR_RCODE_YXRRSET"},
    {8, "RRset does not exist", "NXRRSET", "DNS_ERROR_RCODE_NXRRSET"},
    {9, "Not authoritative", "NOTAUTH", "DNS_ERROR_RCODE_NOTAUTH"},
    {10, "Name out of zone", "NOTZONE", "DNS_ERROR_RCODE_NOTZONE"},
    {11, "DSO-Type not implemented", "DSOTYPENI", NULL},
    {16, "Bad OPT Version or TSIG Signature Failure", "BADVERS", "DNS_ERROR_RCODE_BADSIG"},
    {17, "Key not recognized", "BADKEY", "DNS_ERROR_RCODE_BADKEY"},
    {18, "Signature out of time window", "BADTIME", "DNS_ERROR_RCODE_BADTIME"},
    {19, "Bad TKEY Mode", "BADMODE", NULL},
    {20, "Duplicate key name", "BADNAME", NULL},
    {21, "Algorithm not supported", "BADALG", NULL},
    {22, "Bad Truncation", "BADTRUNC", NULL},
    {23, "Bad/missing Server Cookie", "BADCOOKIE", NULL},
};

static int rcode_index(uint16_t rc)
{
    for (size_t i = 0; i < sizeof rcodes / sizeof rcodes[0]; i++)
        if (rcodes[i].v == rc) return (int)i;
    return -1;
}

const char *nt_dns_rcode_text(uint16_t rcode)
{
    int i = rcode_index(rcode);
    return i < 0 ? NULL : rcodes[i].text;
}

const char *nt_dns_rcode_mnemonic(uint16_t rcode)
{
    int i = rcode_index(rcode);
    return i < 0 ? NULL : rcodes[i].mnemonic;
}

int nt_dns_rcode_windows(uint16_t rcode, const char **name)
{
    int i = rcode_index(rcode);
    if (name) *name = NULL;
    if (i < 0 || !rcodes[i].win) return 0;
    if (name) *name = rcodes[i].win;
    return 9000 + rcode;
}

/* ---- building -------------------------------------------------------- */

nt_dns_err nt_dns_name_encode(const char *name, uint8_t *out, size_t cap, size_t *len)
{
    size_t o = 0;
    const char *s = name;
    if (!s || !*s) return NT_DNS_E_NAME;
    if (!strcmp(s, ".")) s++;
    while (*s) {
        size_t lenpos = o++;
        uint8_t lab = 0;
        if (o > cap) return NT_DNS_E_SPACE;
        while (*s && *s != '.') {
            int ch = (unsigned char)*s++;
            if (ch == '\\' && *s) {
                if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2])) {
                    ch = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
                    if (ch > 255) return NT_DNS_E_NAME;
                    s += 3;
                } else {
                    ch = (unsigned char)*s++;
                }
            }
            if (lab == 63) return NT_DNS_E_NAME;
            if (o >= cap) return NT_DNS_E_SPACE;
            out[o++] = (uint8_t)ch;
            lab++;
        }
        if (lab == 0) return NT_DNS_E_NAME;   /* "a..b" or a leading dot */
        out[lenpos] = lab;
        if (*s == '.') s++;
        if (o + 1 > NT_DNS_NAME_MAX) return NT_DNS_E_TOOLONG;
    }
    if (o >= cap) return NT_DNS_E_SPACE;
    out[o++] = 0;
    *len = o;
    return NT_DNS_OK;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

nt_dns_err nt_dns_build_query(const nt_dns_query *q, bool tcp, uint8_t *out, size_t cap, size_t *len)
{
    size_t o = tcp ? 2 : 0, n;
    if (cap < o + NT_DNS_HDR_LEN) return NT_DNS_E_SPACE;
    uint16_t flags = (uint16_t)((q->rd ? 0x0100 : 0) | (q->ad ? 0x0020 : 0) | (q->cd ? 0x0010 : 0));
    put16(out + o, q->id);
    put16(out + o + 2, flags);
    put16(out + o + 4, 1);
    put16(out + o + 6, 0);
    put16(out + o + 8, 0);
    put16(out + o + 10, q->edns_udp ? 1 : 0);
    o += NT_DNS_HDR_LEN;
    nt_dns_err e = nt_dns_name_encode(q->name, out + o, cap - o, &n);
    if (e) return e;
    o += n;
    if (cap - o < 4) return NT_DNS_E_SPACE;
    put16(out + o, q->type);
    put16(out + o + 2, q->qclass ? q->qclass : NT_DNS_CLASS_IN);
    o += 4;
    if (q->edns_udp) {
        if (cap - o < 11) return NT_DNS_E_SPACE;
        out[o] = 0;                                   /* root owner */
        put16(out + o + 1, NT_DNS_OPT);
        put16(out + o + 3, q->edns_udp);
        put16(out + o + 5, 0);                        /* ext rcode, version 0 */
        put16(out + o + 7, q->dnssec_ok ? 0x8000 : 0);
        put16(out + o + 9, 0);                        /* no options */
        o += 11;
    }
    if (tcp) put16(out, (uint16_t)(o - 2));
    *len = o;
    return NT_DNS_OK;
}

bool nt_dns_tcp_message(const uint8_t *p, size_t len, const uint8_t **msg, size_t *msglen)
{
    uint16_t n;
    if (!nt_load_be16(p, len, 0, &n) || len - 2 < n) return false;
    *msg = p + 2;
    *msglen = n;
    return true;
}

bool nt_dns_ptr_name(int family, const uint8_t *a, char *out, size_t outsz)
{
    static const char hex[] = "0123456789abcdef";
    int n;
    if (family == 4) {
        n = snprintf(out, outsz, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
        return n > 0 && (size_t)n < outsz;
    }
    if (family != 6 || outsz < 64 + sizeof "ip6.arpa") return false;
    size_t o = 0;
    for (int i = 15; i >= 0; i--) {
        out[o++] = hex[a[i] & 0xf];
        out[o++] = '.';
        out[o++] = hex[a[i] >> 4];
        out[o++] = '.';
    }
    memcpy(out + o, "ip6.arpa", sizeof "ip6.arpa");
    return true;
}

int nt_dns_srv_cmp(uint16_t pa, uint16_t wa, uint16_t ia, uint16_t pb, uint16_t wb, uint16_t ib)
{
    if (pa != pb) return pa < pb ? -1 : 1;
    if (wa != wb) return wa > wb ? -1 : 1;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
}
