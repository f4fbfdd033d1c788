/* pcapng_write.c - see pcapng_write.h. Blocks are built in host byte order
 * (pcapng's byte-order magic and pcap's magic say which) into one buffer
 * that only ever holds whole blocks; the end of each is remembered so that
 * a write cut short by a full disk can be trimmed back to a block boundary. */
#include "nettracer/pcapng_write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLUSH_AT (64u << 10)

struct nt_capw {
    int fd;
    bool own_fd;
    nt_capw_format fmt;
    char *path;
    uint8_t *buf;
    size_t len, cap;
    uint32_t *ends;          /* end offsets of the whole blocks in buf; the
                                top bit marks a packet */
    size_t nends, capends;
    uint64_t ondisk;         /* bytes written, all whole blocks */
    uint64_t packets;        /* written or buffered */
    uint64_t pk_ondisk;      /* in the file */
    int failed;              /* errno of the first write error */
    char failmsg[512];
    /* classic pcap: one link type, header written before the first packet */
    bool header_done;
    int niface;
    uint32_t linktype, snaplen;
    uint8_t tsresol;
    uint8_t *resol;          /* pcapng: tsresol per interface */
};

static void fail(nt_capw *w, int code, nt_error *err)
{
    if (!w->failed) {
        w->failed = code;
        if (code == ENOSPC || code == EDQUOT)
            snprintf(w->failmsg, sizeof w->failmsg,
                     "%s: the disk is full (%s); the file ends with the last whole packet written (%llu packets)",
                     w->path, strerror(code), (unsigned long long)w->pk_ondisk);
        else
            snprintf(w->failmsg, sizeof w->failmsg, "%s: write failed: %s", w->path, strerror(code));
    }
    nt_error_set(err, w->failed, "%s", w->failmsg);
}

static void reserve(nt_capw *w, size_t n)
{
    if (w->len + n <= w->cap) return;
    size_t cap = w->cap ? w->cap : FLUSH_AT * 2;
    while (cap < w->len + n) cap *= 2;
    uint8_t *b = realloc(w->buf, cap);
    if (!b) abort();
    w->buf = b;
    w->cap = cap;
}

static void put(nt_capw *w, const void *p, size_t n)
{
    reserve(w, n);
    if (n) memcpy(w->buf + w->len, p, n);
    w->len += n;
}
static void put16(nt_capw *w, uint16_t v) { put(w, &v, 2); }
static void put32(nt_capw *w, uint32_t v) { put(w, &v, 4); }
static void pad4(nt_capw *w)
{
    static const uint8_t z[4];
    put(w, z, (4 - w->len % 4) % 4);
}

#define PKT_BIT 0x80000000u

static void end_block_as(nt_capw *w, bool packet)
{
    if (w->nends == w->capends) {
        w->capends = w->capends ? w->capends * 2 : 256;
        uint32_t *e = realloc(w->ends, w->capends * sizeof *e);
        if (!e) abort();
        w->ends = e;
    }
    w->ends[w->nends++] = (uint32_t)w->len | (packet ? PKT_BIT : 0);
}
static void end_block(nt_capw *w) { end_block_as(w, false); }

/* pcapng: opens a block; returns its start so that the length can be set */
static size_t blk_open(nt_capw *w, uint32_t type)
{
    size_t at = w->len;
    put32(w, type);
    put32(w, 0);
    return at;
}
static void blk_close(nt_capw *w, size_t at)
{
    uint32_t total = (uint32_t)(w->len - at + 4);
    put32(w, total);
    memcpy(w->buf + at + 4, &total, 4);
    end_block(w);
}
static void opt_bytes(nt_capw *w, uint16_t code, const void *v, size_t n)
{
    if (n > 0xffff) n = 0xffff;
    put16(w, code);
    put16(w, (uint16_t)n);
    put(w, v, n);
    pad4(w);
}
static void opt_str(nt_capw *w, uint16_t code, const char *s)
{
    if (s && *s) opt_bytes(w, code, s, strlen(s));
}
static void opt_u64(nt_capw *w, uint16_t code, uint64_t v) { opt_bytes(w, code, &v, 8); }
static void opt_end(nt_capw *w) { put32(w, 0); }

int nt_capw_flush(nt_capw *w, nt_error *err)
{
    if (w->failed) {
        fail(w, w->failed, err);
        return -1;
    }
    size_t done = 0;
    while (done < w->len) {
        ssize_t n = write(w->fd, w->buf + done, w->len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = n < 0 ? errno : ENOSPC;
            /* keep the whole blocks that reached the file, cut the rest */
            size_t keep = 0;
            for (size_t i = 0; i < w->nends && (w->ends[i] & ~PKT_BIT) <= done; i++) {
                keep = w->ends[i] & ~PKT_BIT;
                if (w->ends[i] & PKT_BIT) w->pk_ondisk++;
            }
            if (w->own_fd && ftruncate(w->fd, (off_t)(w->ondisk + keep)) == 0)
                lseek(w->fd, (off_t)(w->ondisk + keep), SEEK_SET);
            w->ondisk += keep;
            w->len = 0;
            w->nends = 0;
            fail(w, e, err);
            return -1;
        }
        done += (size_t)n;
    }
    for (size_t i = 0; i < w->nends; i++)
        if (w->ends[i] & PKT_BIT) w->pk_ondisk++;
    w->ondisk += w->len;
    w->len = 0;
    w->nends = 0;
    return 0;
}

static int maybe_flush(nt_capw *w, nt_error *err)
{
    return w->len >= FLUSH_AT ? nt_capw_flush(w, err) : 0;
}

nt_capw *nt_capw_open(const char *path, nt_capw_format fmt, const nt_capw_section *sec, nt_error *err)
{
    int fd;
    bool own = true;
    if (!strcmp(path, "-")) {
        fd = STDOUT_FILENO;
        own = false;
    } else {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            nt_error_set(err, errno, "cannot create %s: %s", path, strerror(errno));
            return NULL;
        }
    }
    nt_capw *w = calloc(1, sizeof *w);
    if (!w) abort();
    w->fd = fd;
    w->own_fd = own;
    w->fmt = fmt;
    w->path = strdup(path);
    if (!w->path) abort();
    if (fmt == NT_CAPW_PCAPNG) {
        size_t at = blk_open(w, 0x0A0D0D0A);
        put32(w, 0x1A2B3C4D); /* byte-order magic, in our order */
        put16(w, 1);
        put16(w, 0);
        uint64_t unknown = UINT64_MAX; /* section length not given */
        put(w, &unknown, 8);
        if (sec) {
            opt_str(w, 1, sec->comment);
            opt_str(w, 2, sec->hardware);
            opt_str(w, 3, sec->os);
            opt_str(w, 4, sec->app);
        }
        opt_end(w);
        blk_close(w, at);
        if (nt_capw_flush(w, err)) {
            nt_capw_close(w, NULL);
            return NULL;
        }
    }
    return w;
}

int nt_capw_add_iface(nt_capw *w, const nt_capw_iface *ifc, nt_error *err)
{
    if (w->failed) {
        fail(w, w->failed, err);
        return -1;
    }
    uint8_t resol = ifc->tsresol ? ifc->tsresol : 6;
    if (resol != 6 && resol != 9) {
        nt_error_set(err, NT_ERR, "%s: timestamp resolution must be 6 or 9 digits", w->path);
        return -1;
    }
    if (w->fmt == NT_CAPW_PCAP) {
        if (w->niface == 0) {
            w->linktype = ifc->linktype;
            w->tsresol = resol;
        } else if (ifc->linktype != w->linktype) {
            nt_error_set(err, NT_ERR,
                         "%s: a pcap file holds one link type; interface %s has another (%u, not %u): write pcapng",
                         w->path, ifc->name ? ifc->name : "?", ifc->linktype, w->linktype);
            return -1;
        } else if (w->header_done) {
            nt_error_set(err, NT_ERR, "%s: interfaces must be added before the first packet", w->path);
            return -1;
        }
        if (ifc->snaplen > w->snaplen) w->snaplen = ifc->snaplen;
        return w->niface++;
    }
    uint8_t *r = realloc(w->resol, (size_t)w->niface + 1);
    if (!r) abort();
    w->resol = r;
    w->resol[w->niface] = resol;
    size_t at = blk_open(w, 1);
    put16(w, (uint16_t)ifc->linktype);
    put16(w, 0);
    put32(w, ifc->snaplen);
    opt_str(w, 2, ifc->name);
    opt_str(w, 3, ifc->description);
    opt_bytes(w, 9, &resol, 1);
    if (ifc->filter && *ifc->filter) {
        /* if_filter: a type byte (0: libpcap filter string), then the string */
        size_t n = strlen(ifc->filter);
        if (n > 0xfffe) n = 0xfffe;
        put16(w, 11);
        put16(w, (uint16_t)(n + 1));
        uint8_t kind = 0;
        put(w, &kind, 1);
        put(w, ifc->filter, n);
        pad4(w);
    }
    opt_str(w, 12, ifc->os);
    opt_end(w);
    blk_close(w, at);
    if (maybe_flush(w, err)) return -1;
    return w->niface++;
}

static uint64_t ticks(nt_time ts, uint8_t resol)
{
    return resol == 9 ? (uint64_t)ts.sec * 1000000000u + ts.nsec : (uint64_t)ts.sec * 1000000u + ts.nsec / 1000;
}

int nt_capw_packet(nt_capw *w, uint32_t ifid, nt_time ts, const uint8_t *data, uint32_t caplen, uint32_t len,
                   const char *comment, nt_error *err)
{
    if (w->failed) {
        fail(w, w->failed, err);
        return -1;
    }
    if (ifid >= (uint32_t)w->niface) {
        nt_error_set(err, NT_ERR, "%s: packet for interface %u, which was not added", w->path, ifid);
        return -1;
    }
    if (len < caplen) len = caplen;
    if (w->fmt == NT_CAPW_PCAP) {
        if (!w->header_done) {
            put32(w, w->tsresol == 9 ? 0xa1b23c4d : 0xa1b2c3d4);
            put16(w, 2);
            put16(w, 4);
            put32(w, 0);
            put32(w, 0);
            put32(w, w->snaplen);
            put32(w, w->linktype);
            end_block(w);
            w->header_done = true;
        }
        if (caplen > w->snaplen && w->snaplen) caplen = w->snaplen;
        put32(w, (uint32_t)ts.sec);
        put32(w, w->tsresol == 9 ? ts.nsec : ts.nsec / 1000);
        put32(w, caplen);
        put32(w, len);
        put(w, data, caplen);
        end_block_as(w, true);
    } else {
        uint64_t t = ticks(ts, w->resol[ifid]);
        size_t at = blk_open(w, 6);
        put32(w, ifid);
        put32(w, (uint32_t)(t >> 32));
        put32(w, (uint32_t)t);
        put32(w, caplen);
        put32(w, len);
        put(w, data, caplen);
        pad4(w);
        if (comment && *comment) {
            opt_str(w, 1, comment);
            opt_end(w);
        }
        blk_close(w, at);
        w->ends[w->nends - 1] |= PKT_BIT;
    }
    w->packets++;
    return maybe_flush(w, err);
}

int nt_capw_stats_block(nt_capw *w, uint32_t ifid, const nt_capw_stats *st, nt_error *err)
{
    if (w->failed) {
        fail(w, w->failed, err);
        return -1;
    }
    if (w->fmt == NT_CAPW_PCAP) return 0;
    if (ifid >= (uint32_t)w->niface) {
        nt_error_set(err, NT_ERR, "%s: statistics for interface %u, which was not added", w->path, ifid);
        return -1;
    }
    uint8_t r = w->resol[ifid];
    uint64_t t = ticks(st->ts, r);
    size_t at = blk_open(w, 5);
    put32(w, ifid);
    put32(w, (uint32_t)(t >> 32));
    put32(w, (uint32_t)t);
    /* start and end times are written as two 32-bit halves, high first */
    if (st->start.sec) {
        uint64_t v = ticks(st->start, r);
        uint32_t hl[2] = {(uint32_t)(v >> 32), (uint32_t)v};
        opt_bytes(w, 2, hl, 8);
    }
    if (st->end.sec) {
        uint64_t v = ticks(st->end, r);
        uint32_t hl[2] = {(uint32_t)(v >> 32), (uint32_t)v};
        opt_bytes(w, 3, hl, 8);
    }
    if (st->has_recv) opt_u64(w, 4, st->recv);
    if (st->has_ifdrop) opt_u64(w, 5, st->ifdrop);
    if (st->has_accept) opt_u64(w, 6, st->accept);
    if (st->has_osdrop) opt_u64(w, 7, st->osdrop);
    if (st->has_delivered) opt_u64(w, 8, st->delivered);
    opt_end(w);
    blk_close(w, at);
    return maybe_flush(w, err);
}

uint64_t nt_capw_size(const nt_capw *w) { return w->ondisk + w->len; }
uint64_t nt_capw_packets(const nt_capw *w) { return w->failed ? w->pk_ondisk : w->packets; }
const char *nt_capw_path(const nt_capw *w) { return w->path; }

int nt_capw_close(nt_capw *w, nt_error *err)
{
    if (!w) return 0;
    int rc = 0;
    if (w->fmt == NT_CAPW_PCAP && !w->header_done && w->niface && !w->failed) {
        /* no packet: still a valid (empty) pcap file */
        put32(w, w->tsresol == 9 ? 0xa1b23c4d : 0xa1b2c3d4);
        put16(w, 2);
        put16(w, 4);
        put32(w, 0);
        put32(w, 0);
        put32(w, w->snaplen);
        put32(w, w->linktype);
        end_block(w);
        w->header_done = true;
    }
    if (w->failed || w->len) rc = nt_capw_flush(w, err);
    if (w->own_fd && close(w->fd) != 0 && rc == 0) {
        nt_error_set(err, errno, "%s: %s", w->path, strerror(errno));
        rc = -1;
    }
    free(w->buf);
    free(w->ends);
    free(w->resol);
    free(w->path);
    free(w);
    return rc;
}
