/* trace.c - capture file readers: classic pcap (microsecond, nanosecond and
 * the "modified" variant, either byte order) and pcapng (several sections,
 * either byte order, per-interface timestamp resolution, enhanced, simple
 * and obsolete packet blocks, comments). Unknown pcapng blocks are skipped.
 * Every length field is checked against what is left in the file. */
#include "nettracer/trace.h"
#include "source.h"

#include <stdlib.h>
#include <string.h>

#define PCAP_MAX_RECORD (256u << 20) /* larger caplen means a corrupt file */

struct nt_trace {
    nt_source src;
    char path[256];
    nt_trace_format fmt;
    bool swap;
    /* classic pcap */
    uint32_t linktype, snaplen, fcslen;
    bool nsec;
    bool modified; /* 24-byte record headers */
    /* pcapng */
    nt_iface *ifaces;
    size_t niface, capiface;
    size_t section_first; /* index of this section's interface 0 */
    uint64_t count;
    char warning[512];
};

static uint16_t g16(const nt_trace *t, const uint8_t *p)
{
    return t->swap ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}
static uint32_t g32(const nt_trace *t, const uint8_t *p)
{
    uint32_t le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
    uint32_t be = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return t->swap ? be : le;
}

const char *nt_linktype_name(uint32_t lt)
{
    switch (lt) {
    case NT_LINK_NULL: return "BSD loopback";
    case NT_LINK_ETHERNET: return "Ethernet";
    case NT_LINK_RAW: return "Raw IP";
    case NT_LINK_LOOP: return "OpenBSD loopback";
    case NT_LINK_LINUX_SLL: return "Linux cooked-mode capture v1";
    case NT_LINK_LINUX_SLL2: return "Linux cooked-mode capture v2";
    case NT_LINK_IPV4: return "Raw IPv4";
    case NT_LINK_IPV6: return "Raw IPv6";
    case NT_LINK_PCAPNG_CUSTOM: return "pcapng custom block";
    default: return NULL;
    }
}

/* a link type a file may declare (the custom-block pseudo type is ours) */
static bool linktype_known(uint32_t lt) { return lt != NT_LINK_PCAPNG_CUSTOM && nt_linktype_name(lt) != NULL; }

static uint32_t linktype_norm(uint32_t lt)
{
    lt &= 0x03FFFFFF; /* upper bits carry the FCS length */
    if (lt == 12 || lt == 14) lt = NT_LINK_RAW; /* DLT_RAW as written by some BSDs */
    return lt;
}

/* ---- classic pcap -------------------------------------------------- */

static int pcap_open(nt_trace *t, const uint8_t *h, nt_error *err)
{
    uint32_t magic = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    switch (magic) {
    case 0xa1b2c3d4: break;
    case 0xd4c3b2a1: t->swap = true; break;
    case 0xa1b23c4d: t->nsec = true; break;
    case 0x4d3cb2a1: t->nsec = true; t->swap = true; break;
    case 0xa1b2cd34: t->modified = true; break;
    case 0x34cdb2a1: t->modified = true; t->swap = true; break;
    default: return 1;
    }
    t->fmt = NT_FMT_PCAP;
    uint32_t lt_raw = g32(t, h + 20);
    t->snaplen = g32(t, h + 16);
    t->linktype = linktype_norm(lt_raw);
    if (lt_raw & 0x04000000) t->fcslen = (lt_raw >> 28) * 2;
    if (!linktype_known(t->linktype)) {
        nt_error_set(err, NT_ERR, "%s: unsupported link type %u (pcap header, offset 20)", t->path,
                     t->linktype);
        return -1;
    }
    nt_iface ifc = {.linktype = t->linktype, .snaplen = t->snaplen,
                    .tsresol_num = t->nsec ? 1000000000 : 1000000};
    t->ifaces = calloc(1, sizeof *t->ifaces);
    if (!t->ifaces) abort();
    t->ifaces[0] = ifc;
    t->niface = t->capiface = 1;
    return 0;
}

static int pcap_next(nt_trace *t, nt_frame *f, nt_error *err)
{
    size_t hlen = t->modified ? 24 : 16;
    size_t at = t->src.pos;
    const uint8_t *h;
    size_t got = nt_source_read(&t->src, hlen, &h);
    if (got == 0) return 0;
    uint8_t hdr[24];
    memcpy(hdr, h, got);
    if (got < hlen) {
        snprintf(t->warning, sizeof t->warning,
                 "%s: cut short in the middle of a packet header at offset %zu (after frame %llu)",
                 t->path, at, (unsigned long long)t->count);
        return 0;
    }
    uint32_t sec = g32(t, hdr), frac = g32(t, hdr + 4);
    uint32_t caplen = g32(t, hdr + 8), len = g32(t, hdr + 12);
    if (caplen > PCAP_MAX_RECORD) {
        nt_error_set(err, NT_ERR,
                     "%s: record at offset %zu claims %u captured bytes: not a valid capture record",
                     t->path, at, caplen);
        return -1;
    }
    const uint8_t *data;
    got = nt_source_read(&t->src, caplen, &data);
    if (got < caplen) {
        snprintf(t->warning, sizeof t->warning,
                 "%s: cut short in the middle of a packet at offset %zu (frame %llu has %zu of %u bytes)",
                 t->path, at, (unsigned long long)t->count + 1, got, caplen);
        return 0;
    }
    memset(f, 0, sizeof *f);
    f->number = ++t->count;
    f->ts.sec = sec;
    if (t->nsec) {
        f->ts.sec += frac / 1000000000u;
        f->ts.nsec = frac % 1000000000u;
    } else {
        f->ts.sec += frac / 1000000u;
        f->ts.nsec = (frac % 1000000u) * 1000u;
    }
    f->caplen = caplen;
    f->len = len < caplen ? caplen : len;
    f->data = data;
    f->linktype = t->linktype;
    return 1;
}

/* ---- pcapng ---------------------------------------------------------- */

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_PB 2u
#define BT_SPB 3u
#define BT_ISB 5u
#define BT_EPB 6u

typedef struct opt_iter {
    const uint8_t *p;
    size_t len, off;
} opt_iter;

/* Next option; false at opt_endofopt or when the options run out. */
static bool opt_next(const nt_trace *t, opt_iter *it, uint16_t *code, const uint8_t **val, uint16_t *vlen)
{
    if (it->len - it->off < 4) return false;
    *code = g16(t, it->p + it->off);
    *vlen = g16(t, it->p + it->off + 2);
    if (*code == 0) return false;
    size_t padded = ((size_t)*vlen + 3) & ~(size_t)3;
    if (it->len - it->off - 4 < *vlen) return false; /* option runs past the block */
    *val = it->p + it->off + 4;
    it->off += 4 + padded;
    if (it->off > it->len) it->off = it->len;
    return true;
}

static int shb_parse(nt_trace *t, const uint8_t *body, size_t blen, size_t at, nt_error *err)
{
    /* body starts at the byte-order magic */
    if (blen < 16) {
        nt_error_set(err, NT_ERR, "%s: section header block at offset %zu is too short", t->path, at);
        return -1;
    }
    uint16_t major = g16(t, body + 4);
    if (major != 1) {
        nt_error_set(err, NT_ERR, "%s: pcapng section at offset %zu has unsupported version %u", t->path,
                     at, major);
        return -1;
    }
    t->section_first = t->niface;
    return 0;
}

static int idb_parse(nt_trace *t, const uint8_t *body, size_t blen, size_t at, nt_error *err)
{
    if (blen < 8) {
        nt_error_set(err, NT_ERR, "%s: interface description block at offset %zu is too short", t->path, at);
        return -1;
    }
    nt_iface ifc = {0};
    ifc.linktype = linktype_norm(g16(t, body));
    ifc.snaplen = g32(t, body + 4);
    ifc.tsresol_num = 1000000;
    opt_iter it = {body + 8, blen - 8, 0};
    uint16_t code, vlen;
    const uint8_t *v;
    while (opt_next(t, &it, &code, &v, &vlen)) {
        if (code == 2 && vlen) { /* if_name */
            size_t n = vlen < sizeof ifc.name - 1 ? vlen : sizeof ifc.name - 1;
            memcpy(ifc.name, v, n);
            ifc.name[n] = 0;
        } else if (code == 9 && vlen >= 1) { /* if_tsresol */
            uint8_t r = v[0];
            int64_t num = 1;
            if (r & 0x80) {
                if ((r & 0x7f) > 62) goto badres;
                num = (int64_t)1 << (r & 0x7f);
                ifc.tsresol_num = -num; /* negative: a power of two */
            } else {
                if (r > 18) goto badres;
                for (int i = 0; i < r; i++) num *= 10;
                ifc.tsresol_num = num;
            }
        } else if (code == 14 && vlen >= 8) { /* if_tsoffset */
            uint64_t lo = g32(t, v), hi = g32(t, v + 4);
            ifc.tsoffset = (int64_t)(t->swap ? (lo << 32 | hi) : (hi << 32 | lo));
        }
    }
    if (!linktype_known(ifc.linktype)) {
        nt_error_set(err, NT_ERR, "%s: interface %zu (block at offset %zu) has unsupported link type %u",
                     t->path, t->niface - t->section_first, at, ifc.linktype);
        return -1;
    }
    if (t->niface == t->capiface) {
        size_t cap = t->capiface ? t->capiface * 2 : 4;
        nt_iface *n = realloc(t->ifaces, cap * sizeof *n);
        if (!n) abort();
        t->ifaces = n;
        t->capiface = cap;
    }
    t->ifaces[t->niface++] = ifc;
    return 0;
badres:
    nt_error_set(err, NT_ERR, "%s: interface at offset %zu has an invalid timestamp resolution", t->path, at);
    return -1;
}

static nt_time ts_convert(const nt_iface *ifc, uint64_t ts)
{
    nt_time r;
    int64_t num = ifc->tsresol_num;
    if (num < 0) {
        uint64_t den = (uint64_t)-num;
        r.sec = (int64_t)(ts / den);
        r.nsec = (uint32_t)((unsigned __int128)(ts % den) * 1000000000u / den);
    } else {
        uint64_t den = (uint64_t)num;
        r.sec = (int64_t)(ts / den);
        uint64_t rem = ts % den;
        r.nsec = (uint32_t)(den <= 1000000000u ? rem * (1000000000u / den) : rem / (den / 1000000000u));
    }
    r.sec += ifc->tsoffset;
    return r;
}

static void frame_options(const nt_trace *t, nt_frame *f, const uint8_t *p, size_t len)
{
    opt_iter it = {p, len, 0};
    uint16_t code, vlen;
    const uint8_t *v;
    while (opt_next(t, &it, &code, &v, &vlen)) {
        if (code == 1 && f->ncomments < NT_MAX_COMMENTS) {
            f->comments[f->ncomments].s = (const char *)v;
            f->comments[f->ncomments].len = vlen;
            f->ncomments++;
        } else if (code == 2 && vlen >= 4) {
            f->flags = g32(t, v);
        }
    }
}

static int pcapng_next(nt_trace *t, nt_frame *f, nt_error *err)
{
    for (;;) {
        size_t at = t->src.pos;
        const uint8_t *h;
        size_t got = nt_source_read(&t->src, 12, &h);
        if (got == 0) return 0;
        if (got < 12) goto cut;
        uint32_t type_raw = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
        if (type_raw == BT_SHB) {
            /* a new section: its own byte order */
            uint32_t bom = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
            if (bom == 0x1A2B3C4D) t->swap = false;
            else if (bom == 0x4D3C2B1A) t->swap = true;
            else {
                nt_error_set(err, NT_ERR, "%s: section header at offset %zu has a bad byte-order magic", t->path, at);
                return -1;
            }
        }
        uint32_t type = g32(t, h), total = g32(t, h + 4);
        if (total < 12 || total % 4 || total > PCAP_MAX_RECORD) {
            nt_error_set(err, NT_ERR, "%s: block at offset %zu has an invalid length %u", t->path, at, total);
            return -1;
        }
        uint8_t first4[4];
        memcpy(first4, h + 8, 4);
        const uint8_t *rest;
        size_t want = total - 12;
        got = nt_source_read(&t->src, want, &rest);
        if (got < want) goto cut;
        /* body = first4 + rest minus the trailing length; in mapped mode
         * first4 directly precedes rest, in stream mode rebuild it */
        const uint8_t *body;
        size_t blen = total - 12;
        if (t->src.map) {
            body = rest - 4;
        } else {
            /* stream: shift to make room for the 4 bytes read with the header */
            if (t->src.bufcap < want + 4) {
                uint8_t *nb = realloc(t->src.buf, want + 4);
                if (!nb) abort();
                t->src.buf = nb;
                t->src.bufcap = want + 4;
                rest = nb;
            }
            memmove(t->src.buf + 4, rest, want);
            memcpy(t->src.buf, first4, 4);
            body = t->src.buf;
        }
        if (g32(t, body + blen) != total) {
            nt_error_set(err, NT_ERR, "%s: block at offset %zu: trailing length does not match (%u)", t->path,
                         at, g32(t, body + blen));
            return -1;
        }
        switch (type) {
        case BT_SHB:
            if (shb_parse(t, body, blen, at, err)) return -1;
            continue;
        case BT_IDB:
            if (idb_parse(t, body, blen, at, err)) return -1;
            continue;
        case BT_ISB: {
            if (blen < 12) continue;
            uint32_t id = g32(t, body);
            if (t->section_first + id >= t->niface) continue;
            nt_iface *ifc = &t->ifaces[t->section_first + id];
            opt_iter it = {body + 12, blen - 12, 0};
            uint16_t code, vlen;
            const uint8_t *v;
            while (opt_next(t, &it, &code, &v, &vlen))
                if ((code == 5 || code == 7) && vlen >= 8) { /* isb_ifdrop, isb_osdrop */
                    uint64_t lo = g32(t, v), hi = g32(t, v + 4);
                    uint64_t n = t->swap ? (lo << 32 | hi) : (hi << 32 | lo);
                    if (code == 5) ifc->ifdrop = n, ifc->has_ifdrop = true;
                    else ifc->osdrop = n, ifc->has_osdrop = true;
                }
            continue;
        }
        case BT_EPB:
        case BT_PB: {
            if (blen < 20) {
                nt_error_set(err, NT_ERR, "%s: packet block at offset %zu is too short", t->path, at);
                return -1;
            }
            uint32_t id = type == BT_EPB ? g32(t, body) : g16(t, body);
            uint32_t caplen = g32(t, body + 12), len = g32(t, body + 16);
            if (t->section_first + id >= t->niface) {
                nt_error_set(err, NT_ERR, "%s: packet block at offset %zu names interface %u, which was not described",
                             t->path, at, id);
                return -1;
            }
            if (caplen > blen - 20) {
                nt_error_set(err, NT_ERR, "%s: packet block at offset %zu: captured length %u runs past the block",
                             t->path, at, caplen);
                return -1;
            }
            const nt_iface *ifc = &t->ifaces[t->section_first + id];
            uint64_t ts = (uint64_t)g32(t, body + 4) << 32 | g32(t, body + 8);
            memset(f, 0, sizeof *f);
            f->number = ++t->count;
            f->ts = ts_convert(ifc, ts);
            f->caplen = caplen;
            f->len = len < caplen ? caplen : len;
            f->data = body + 20;
            f->linktype = ifc->linktype;
            f->ifidx = (uint32_t)(t->section_first + id);
            size_t optat = 20 + (((size_t)caplen + 3) & ~(size_t)3);
            if (optat < blen) frame_options(t, f, body + optat, blen - optat);
            return 1;
        }
        case BT_SPB: {
            if (blen < 4 || t->section_first >= t->niface) {
                nt_error_set(err, NT_ERR, "%s: simple packet block at offset %zu without an interface", t->path, at);
                return -1;
            }
            const nt_iface *ifc = &t->ifaces[t->section_first];
            uint32_t len = g32(t, body);
            uint32_t caplen = len;
            if (ifc->snaplen && caplen > ifc->snaplen) caplen = ifc->snaplen;
            if (caplen > blen - 4) caplen = (uint32_t)(blen - 4);
            memset(f, 0, sizeof *f);
            f->number = ++t->count;
            f->caplen = caplen;
            f->len = len < caplen ? caplen : len;
            f->data = body + 4;
            f->linktype = ifc->linktype;
            f->ifidx = (uint32_t)t->section_first;
            f->no_ts = true; /* a simple packet block has no timestamp */
            return 1;
        }
        case 0x00000BADu:
        case 0x40000BADu:
            if (blen < 4) continue;
            memset(f, 0, sizeof *f);
            f->number = ++t->count;
            f->caplen = f->len = (uint32_t)(blen - 4);
            f->data = body + 4;
            f->no_ts = true;
            f->linktype = NT_LINK_PCAPNG_CUSTOM;
            f->flags = type == 0x00000BADu;
            f->pen = g32(t, body);
            return 1;
        default:
            continue; /* name resolution, secrets, unknown: skipped */
        }
    cut:
        snprintf(t->warning, sizeof t->warning,
                 "%s: cut short in the middle of a block at offset %zu (after frame %llu)", t->path, at,
                 (unsigned long long)t->count);
        return 0;
    }
}

/* ---- public ---------------------------------------------------------- */

nt_trace *nt_trace_open(const char *path, nt_error *err)
{
    nt_trace *t = calloc(1, sizeof *t);
    if (!t) abort();
    snprintf(t->path, sizeof t->path, "%s", strcmp(path, "-") ? path : "(standard input)");
    char why[256];
    if (nt_source_open(&t->src, path, why, sizeof why)) {
        nt_error_set(err, NT_ERR, "%s: cannot open: %s", t->path, why);
        free(t);
        return NULL;
    }
    const uint8_t *h;
    uint8_t hdr[24];
    size_t got = nt_source_read(&t->src, 24, &h);
    memcpy(hdr, h, got);
    if (got >= 4) {
        uint32_t m = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
        if (m == BT_SHB) {
            t->fmt = NT_FMT_PCAPNG;
            /* rewind: pcapng_next parses the first SHB as any other block */
            if (t->src.map) {
                t->src.pos = 0;
            } else {
                /* stream: cannot rewind; re-feed the header by parsing the SHB here */
                if (got < 24) goto notcap;
                uint32_t bom = (uint32_t)hdr[8] | (uint32_t)hdr[9] << 8 | (uint32_t)hdr[10] << 16 | (uint32_t)hdr[11] << 24;
                if (bom == 0x4D3C2B1A) t->swap = true;
                else if (bom != 0x1A2B3C4D) goto notcap;
                uint32_t total = g32(t, hdr + 4);
                if (total < 28 || total % 4 || total > PCAP_MAX_RECORD) goto notcap;
                const uint8_t *rest;
                if (nt_source_read(&t->src, total - 24, &rest) < total - 24) goto notcap;
                t->section_first = 0;
            }
            return t;
        }
        if (got == 24) {
            int r = pcap_open(t, hdr, err);
            if (r == 0) return t;
            if (r < 0) {
                nt_trace_close(t);
                return NULL;
            }
        }
    }
notcap:
    if (got < 24 && got > 0 && got >= 4) {
        uint32_t m = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
        if (m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1) {
            nt_error_set(err, NT_ERR, "%s: pcap file header cut short (%zu of 24 bytes)", t->path, got);
            nt_trace_close(t);
            return NULL;
        }
    }
    if (got == 0)
        nt_error_set(err, NT_ERR, "%s: empty file, not a capture", t->path);
    else
        nt_error_set(err, NT_ERR, "%s: not a pcap or pcapng capture file (unknown magic at offset 0)", t->path);
    nt_trace_close(t);
    return NULL;
}

int nt_trace_next(nt_trace *t, nt_frame *f, nt_error *err)
{
    return t->fmt == NT_FMT_PCAP ? pcap_next(t, f, err) : pcapng_next(t, f, err);
}

void nt_trace_close(nt_trace *t)
{
    if (!t) return;
    nt_source_close(&t->src);
    free(t->ifaces);
    free(t);
}

nt_trace_format nt_trace_fmt(const nt_trace *t) { return t->fmt; }
const char *nt_trace_path(const nt_trace *t) { return t->path; }
const char *nt_trace_warning(const nt_trace *t) { return t->warning; }
size_t nt_trace_niface(const nt_trace *t) { return t->niface; }
const nt_iface *nt_trace_iface(const nt_trace *t, size_t i) { return i < t->niface ? &t->ifaces[i] : NULL; }
