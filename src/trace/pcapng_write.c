/* pcapng_write.c - see pcapng_write.h. Blocks are built in host byte order
 * (pcapng's byte-order magic and pcap's magic say which) into a chunk: a
 * buffer that only ever holds whole blocks, with the end of each (and the
 * interface of each packet) remembered so that a write cut short by a full
 * disk can be trimmed back to a block boundary and the packets that reached
 * the file counted. Without a queue the caller writes its chunk itself;
 * with one, full chunks go to the queue's writer thread and come back
 * empty for reuse (their memory is already mapped, which matters: on a
 * fresh page the copy into the page cache is most of write()'s cost). */
#include "nettracer/pcapng_write.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLUSH_AT (64u << 10)    /* written by the caller */
#define QFLUSH_AT (256u << 10)  /* handed to a queue: fewer, larger writes */

typedef struct blkend {
    uint32_t end;            /* offset in the chunk just after the block */
    int32_t ifid;            /* the packet's interface; -1: not a packet */
} blkend;

typedef struct chunk {
    struct chunk *next;
    nt_capw *w;              /* the file it goes to */
    uint8_t *buf;
    size_t len, cap;
    blkend *ends;
    size_t nends, capends;
    size_t held;             /* what it counts against the queue's bound */
    bool close;              /* the file's last: close and free it after */
} chunk;

struct nt_capw_queue {
    pthread_mutex_t mu;
    pthread_cond_t work;     /* the writer waits for chunks */
    pthread_cond_t room;     /* callers wait for room, or for the queue to empty */
    chunk *head, *tail;      /* waiting, oldest first */
    chunk *spare;            /* written, for reuse */
    size_t held, max;
    size_t nwaiting;         /* chunks in the queue */
    unsigned wake_at;        /* chunks that make the writer start */
    bool urgent;             /* a close, a sync or a full queue: write now */
    bool busy;               /* the writer has a chunk in hand */
    bool quit;
    atomic_int failed;       /* errno of the first write error of any file */
    char failmsg[512];       /* set before failed */
    uint64_t *written;       /* packets in the files, per interface id */
    size_t nwritten;
    pthread_t th;
};

struct nt_capw {
    int fd;
    bool own_fd;
    nt_capw_format fmt;
    char *path;
    chunk *cur;              /* where blocks are built */
    nt_capw_queue *q;
    uint64_t size;           /* bytes written or handed to the queue */
    uint64_t packets;        /* written, buffered or handed over */
    /* the writing side's (the writer thread's, on a queue) */
    uint64_t ondisk;         /* bytes in the file, all whole blocks */
    uint64_t pk_ondisk;      /* packets in the file */
    int failed;              /* errno of the first write error */
    char failmsg[512];
    /* classic pcap: one link type, header written before the first packet */
    bool header_done;
    int niface;
    uint32_t linktype, snaplen;
    uint8_t tsresol;
    uint8_t *resol;          /* pcapng: tsresol per interface */
};

static chunk *chunk_new(void)
{
    chunk *c = calloc(1, sizeof *c);
    if (!c) abort();
    return c;
}

static void chunk_free(chunk *c)
{
    if (!c) return;
    free(c->buf);
    free(c->ends);
    free(c);
}

/* The error the caller sees: the file's own, or on a queue the first of
 * any of its files (which stops the queue). */
static int failed_code(const nt_capw *w)
{
    return w->q ? atomic_load_explicit(&w->q->failed, memory_order_acquire) : w->failed;
}

static void report(const nt_capw *w, nt_error *err)
{
    nt_error_set(err, failed_code(w), "%s", w->q ? w->q->failmsg : w->failmsg);
}

/* the writing side: the first error of the file, with what it holds */
static void record_failure(nt_capw *w, int code)
{
    if (w->failed) return;
    w->failed = code;
    if (code == ENOSPC || code == EDQUOT)
        snprintf(w->failmsg, sizeof w->failmsg,
                 "%s: the disk is full (%s); the file ends with the last whole packet written (%llu packets)",
                 w->path, strerror(code), (unsigned long long)w->pk_ondisk);
    else
        snprintf(w->failmsg, sizeof w->failmsg, "%s: write failed: %s", w->path, strerror(code));
}

static void reserve(nt_capw *w, size_t n)
{
    chunk *c = w->cur;
    if (c->len + n <= c->cap) return;
    size_t cap = c->cap ? c->cap : (w->q ? QFLUSH_AT : FLUSH_AT) * 2;
    while (cap < c->len + n) cap *= 2;
    uint8_t *b = realloc(c->buf, cap);
    if (!b) abort();
    c->buf = b;
    c->cap = cap;
}

static void put(nt_capw *w, const void *p, size_t n)
{
    reserve(w, n);
    if (n) memcpy(w->cur->buf + w->cur->len, p, n);
    w->cur->len += n;
}
static void put16(nt_capw *w, uint16_t v) { put(w, &v, 2); }
static void put32(nt_capw *w, uint32_t v) { put(w, &v, 4); }
static void pad4(nt_capw *w)
{
    static const uint8_t z[4];
    put(w, z, (4 - w->cur->len % 4) % 4);
}

static void end_block_as(nt_capw *w, int32_t ifid)
{
    chunk *c = w->cur;
    if (c->nends == c->capends) {
        c->capends = c->capends ? c->capends * 2 : 256;
        blkend *e = realloc(c->ends, c->capends * sizeof *e);
        if (!e) abort();
        c->ends = e;
    }
    c->ends[c->nends++] = (blkend){(uint32_t)c->len, ifid};
}
static void end_block(nt_capw *w) { end_block_as(w, -1); }

/* pcapng: opens a block; returns its start so that the length can be set */
static size_t blk_open(nt_capw *w, uint32_t type)
{
    size_t at = w->cur->len;
    put32(w, type);
    put32(w, 0);
    return at;
}
static void blk_close_as(nt_capw *w, size_t at, int32_t ifid)
{
    uint32_t total = (uint32_t)(w->cur->len - at + 4);
    put32(w, total);
    memcpy(w->cur->buf + at + 4, &total, 4);
    end_block_as(w, ifid);
}
static void blk_close(nt_capw *w, size_t at) { blk_close_as(w, at, -1); }
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

/* Writes chunk c to its file, on the writing side (the caller's thread, or
 * the queue's writer); counts the packets that reach the file into cnt
 * (per interface id, n of them; NULL: none). A file that has failed takes
 * nothing more. Leaves c empty. */
static void write_chunk(nt_capw *w, chunk *c, uint64_t *cnt, size_t n)
{
    size_t done = 0;
    if (w->failed) done = c->len = 0;
    while (done < c->len) {
        ssize_t r = write(w->fd, c->buf + done, c->len - done);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            int e = r < 0 ? errno : ENOSPC;
            /* keep the whole blocks that reached the file, cut the rest */
            size_t keep = 0;
            for (size_t i = 0; i < c->nends && c->ends[i].end <= done; i++) {
                keep = c->ends[i].end;
                if (c->ends[i].ifid >= 0) {
                    w->pk_ondisk++;
                    if ((size_t)c->ends[i].ifid < n) cnt[c->ends[i].ifid]++;
                }
            }
            if (w->own_fd && ftruncate(w->fd, (off_t)(w->ondisk + keep)) == 0)
                lseek(w->fd, (off_t)(w->ondisk + keep), SEEK_SET);
            w->ondisk += keep;
            record_failure(w, e);
            c->len = c->nends = 0;
            return;
        }
        done += (size_t)r;
    }
    for (size_t i = 0; i < c->nends; i++)
        if (c->ends[i].ifid >= 0) {
            w->pk_ondisk++;
            if ((size_t)c->ends[i].ifid < n) cnt[c->ends[i].ifid]++;
        }
    w->ondisk += c->len;
    c->len = c->nends = 0;
}

/* ---- the queue --------------------------------------------------------- */

static void *writer_main(void *arg)
{
    nt_capw_queue *q = arg;
    bool draining = false;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        /* started by a few chunks at a time, then until the queue is
         * empty: every wakeup may take the CPU from the capture thread */
        if (!q->head) draining = q->urgent = false;
        while (!draining && !q->quit && !(q->head && (q->urgent || q->nwaiting >= q->wake_at)))
            pthread_cond_wait(&q->work, &q->mu);
        chunk *c = q->head;
        if (!c) break; /* quit, and nothing left */
        draining = true;
        q->head = c->next;
        if (!q->head) q->tail = NULL;
        q->nwaiting--;
        q->busy = true;
        /* every interface id of the chunk gets a counter */
        int32_t top = -1;
        for (size_t i = 0; i < c->nends; i++)
            if (c->ends[i].ifid > top) top = c->ends[i].ifid;
        if (top >= 0 && (size_t)top >= q->nwritten) {
            uint64_t *wr = realloc(q->written, ((size_t)top + 1) * sizeof *wr);
            if (!wr) abort();
            memset(wr + q->nwritten, 0, ((size_t)top + 1 - q->nwritten) * sizeof *wr);
            q->written = wr;
            q->nwritten = (size_t)top + 1;
        }
        /* the counters are only read under the lock: count into a copy */
        size_t n = q->nwritten;
        uint64_t before[64], *cnt = n <= 64 ? before : calloc(n, sizeof *cnt);
        if (!cnt) abort();
        memset(cnt, 0, n * sizeof *cnt);
        nt_capw *w = c->w;
        /* after the first error of any file, nothing more is written */
        if (atomic_load_explicit(&q->failed, memory_order_relaxed)) c->len = c->nends = 0;
        pthread_mutex_unlock(&q->mu);

        write_chunk(w, c, cnt, n);
        bool closing = c->close;
        if (closing && w->own_fd) close(w->fd);

        pthread_mutex_lock(&q->mu);
        for (size_t i = 0; i < n; i++) q->written[i] += cnt[i];
        if (cnt != before) free(cnt);
        if (w->failed && !atomic_load_explicit(&q->failed, memory_order_relaxed)) {
            memcpy(q->failmsg, w->failmsg, sizeof q->failmsg);
            atomic_store_explicit(&q->failed, w->failed, memory_order_release);
        }
        if (closing) {
            free(w->resol);
            free(w->path);
            free(w);
        }
        q->held -= c->held;
        c->held = 0;
        c->close = false;
        c->w = NULL;
        c->next = q->spare;
        q->spare = c;
        q->busy = false;
        pthread_cond_broadcast(&q->room);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

nt_capw_queue *nt_capw_queue_start(size_t max_bytes, nt_error *err)
{
    nt_capw_queue *q = calloc(1, sizeof *q);
    if (!q) abort();
    q->max = max_bytes;
    q->wake_at = 4; /* 1 MiB */
    atomic_init(&q->failed, 0);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->room, NULL);
    int e = pthread_create(&q->th, NULL, writer_main, q);
    if (e) {
        nt_error_set(err, e, "cannot start the writer thread: %s", strerror(e));
        pthread_cond_destroy(&q->room);
        pthread_cond_destroy(&q->work);
        pthread_mutex_destroy(&q->mu);
        free(q);
        return NULL;
    }
    return q;
}

/* Hands w's current chunk to the queue (waiting while the queue is over its
 * bound) and takes an empty one. With close, w is the writer's from now.
 * urgent: the writer starts now rather than when a few chunks wait. */
static void hand_off(nt_capw *w, bool close, bool urgent)
{
    nt_capw_queue *q = w->q;
    chunk *c = w->cur;
    pthread_mutex_lock(&q->mu);
    size_t need = c->cap ? c->cap : 1;
    while (q->held && q->held + need > q->max && !atomic_load_explicit(&q->failed, memory_order_relaxed)) {
        q->urgent = true;
        pthread_cond_signal(&q->work);
        pthread_cond_wait(&q->room, &q->mu);
    }
    w->size += c->len;
    c->w = w;
    c->close = close;
    c->held = need;
    c->next = NULL;
    q->held += need;
    if (q->tail) q->tail->next = c;
    else q->head = c;
    q->tail = c;
    w->cur = NULL;
    if (!close) {
        w->cur = q->spare;
        if (w->cur) q->spare = w->cur->next;
    }
    q->nwaiting++;
    if (close || urgent) q->urgent = true;
    if (q->urgent || q->nwaiting >= q->wake_at) pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->mu);
    if (close) return; /* w may be freed already */
    if (!w->cur) w->cur = chunk_new();
    w->cur->next = NULL;
}

int nt_capw_queue_sync(nt_capw_queue *q, nt_error *err)
{
    pthread_mutex_lock(&q->mu);
    if (q->head) {
        q->urgent = true;
        pthread_cond_signal(&q->work);
    }
    while (q->head || q->busy) pthread_cond_wait(&q->room, &q->mu);
    pthread_mutex_unlock(&q->mu);
    int code = atomic_load_explicit(&q->failed, memory_order_acquire);
    if (code) {
        nt_error_set(err, code, "%s", q->failmsg);
        return -1;
    }
    return 0;
}

uint64_t nt_capw_queue_written(nt_capw_queue *q, uint32_t ifid)
{
    pthread_mutex_lock(&q->mu);
    uint64_t n = ifid < q->nwritten ? q->written[ifid] : 0;
    pthread_mutex_unlock(&q->mu);
    return n;
}

void nt_capw_queue_stop(nt_capw_queue *q)
{
    if (!q) return;
    nt_capw_queue_sync(q, NULL);
    pthread_mutex_lock(&q->mu);
    q->quit = true;
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->th, NULL);
    while (q->spare) {
        chunk *c = q->spare;
        q->spare = c->next;
        chunk_free(c);
    }
    free(q->written);
    pthread_cond_destroy(&q->room);
    pthread_cond_destroy(&q->work);
    pthread_mutex_destroy(&q->mu);
    free(q);
}

/* ---- files ------------------------------------------------------------- */

int nt_capw_flush(nt_capw *w, nt_error *err)
{
    if (failed_code(w)) {
        report(w, err);
        return -1;
    }
    if (w->q) {
        if (w->cur->len) hand_off(w, false, false);
        return nt_capw_queue_sync(w->q, err);
    }
    w->size += w->cur->len;
    write_chunk(w, w->cur, NULL, 0);
    if (w->failed) {
        w->size = w->ondisk;
        report(w, err);
        return -1;
    }
    return 0;
}

int nt_capw_push(nt_capw *w, nt_error *err)
{
    if (!w->q) return nt_capw_flush(w, err);
    if (failed_code(w)) {
        report(w, err);
        return -1;
    }
    if (w->cur->len) hand_off(w, false, true);
    return 0;
}

static int maybe_flush(nt_capw *w, nt_error *err)
{
    if (w->q) {
        if (w->cur->len < QFLUSH_AT) return 0;
        hand_off(w, false, false);
        if (failed_code(w)) {
            report(w, err);
            return -1;
        }
        return 0;
    }
    return w->cur->len >= FLUSH_AT ? nt_capw_flush(w, err) : 0;
}

nt_capw *nt_capw_open_on(nt_capw_queue *q, const char *path, nt_capw_format fmt, const nt_capw_section *sec,
                         nt_error *err)
{
    int qf = q ? atomic_load_explicit(&q->failed, memory_order_acquire) : 0;
    if (qf) {
        nt_error_set(err, qf, "%s", q->failmsg);
        return NULL;
    }
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
    w->cur = chunk_new();
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
        /* written here, before the file joins a queue: a file that cannot
         * be written fails at once */
        if (nt_capw_flush(w, err)) {
            nt_capw_close(w, NULL);
            return NULL;
        }
    }
    w->q = q;
    return w;
}

nt_capw *nt_capw_open(const char *path, nt_capw_format fmt, const nt_capw_section *sec, nt_error *err)
{
    return nt_capw_open_on(NULL, path, fmt, sec, err);
}

int nt_capw_add_iface(nt_capw *w, const nt_capw_iface *ifc, nt_error *err)
{
    if (failed_code(w)) {
        report(w, err);
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
    if (failed_code(w)) {
        report(w, err);
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
        end_block_as(w, (int32_t)ifid);
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
        blk_close_as(w, at, (int32_t)ifid);
    }
    w->packets++;
    return maybe_flush(w, err);
}

int nt_capw_stats_block(nt_capw *w, uint32_t ifid, const nt_capw_stats *st, nt_error *err)
{
    if (failed_code(w)) {
        report(w, err);
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

uint64_t nt_capw_size(const nt_capw *w) { return w->size + w->cur->len; }
uint64_t nt_capw_packets(const nt_capw *w) { return !w->q && w->failed ? w->pk_ondisk : w->packets; }
const char *nt_capw_path(const nt_capw *w) { return w->path; }

int nt_capw_close(nt_capw *w, nt_error *err)
{
    if (!w) return 0;
    int rc = 0;
    if (w->fmt == NT_CAPW_PCAP && !w->header_done && w->niface && !failed_code(w)) {
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
    if (w->q) {
        /* the writer writes what is left, closes the file and frees w */
        nt_capw_queue *q = w->q;
        hand_off(w, true, true);
        int qf = atomic_load_explicit(&q->failed, memory_order_acquire);
        if (qf) {
            nt_error_set(err, qf, "%s", q->failmsg);
            return -1;
        }
        return 0;
    }
    if (w->failed || w->cur->len) rc = nt_capw_flush(w, err);
    if (w->own_fd && close(w->fd) != 0 && rc == 0) {
        nt_error_set(err, errno, "%s: %s", w->path, strerror(errno));
        rc = -1;
    }
    chunk_free(w->cur);
    free(w->resol);
    free(w->path);
    free(w);
    return rc;
}
