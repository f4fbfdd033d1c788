/* core.h - the small pieces every layer uses: the bounds-checked byte cursor
 * through which every packet byte is read, the error type that carries the
 * message a user will read, and a growable output buffer with fast number
 * formatting (printing a packet list is dominated by formatting). */
#ifndef NETTRACER_CORE_H
#define NETTRACER_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NT_VERSION "0.1.0"

/* ---- errors ---------------------------------------------------------- */

enum { NT_OK = 0, NT_ERR = -1 };

typedef struct nt_error {
    int code;          /* 0 = none; otherwise an errno or NT_ERR */
    char msg[512];     /* what the user reads */
} nt_error;

void nt_error_set(nt_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void nt_error_clear(nt_error *e);

/* ---- cursor ----------------------------------------------------------
 * Reads past the end return 0 and set the sticky `bad` flag, so a parser
 * reads its fields straight through and checks `bad` once. */

typedef struct nt_cur {
    const uint8_t *p;
    size_t len;
    size_t off;
    bool bad;
} nt_cur;

static inline nt_cur nt_cur_make(const uint8_t *p, size_t len)
{
    nt_cur c = {p, len, 0, false};
    return c;
}
static inline size_t nt_cur_left(const nt_cur *c) { return c->off <= c->len ? c->len - c->off : 0; }
static inline bool nt_cur_has(const nt_cur *c, size_t n) { return nt_cur_left(c) >= n; }
static inline const uint8_t *nt_cur_ptr(const nt_cur *c) { return c->p + c->off; }

static inline bool nt_cur_skip(nt_cur *c, size_t n)
{
    if (!nt_cur_has(c, n)) { c->bad = true; c->off = c->len; return false; }
    c->off += n;
    return true;
}
static inline uint8_t nt_cur_u8(nt_cur *c)
{
    if (!nt_cur_has(c, 1)) { c->bad = true; return 0; }
    return c->p[c->off++];
}
static inline uint16_t nt_cur_be16(nt_cur *c)
{
    if (!nt_cur_has(c, 2)) { c->bad = true; c->off = c->len; return 0; }
    const uint8_t *q = c->p + c->off; c->off += 2;
    return (uint16_t)(q[0] << 8 | q[1]);
}
static inline uint32_t nt_cur_be32(nt_cur *c)
{
    if (!nt_cur_has(c, 4)) { c->bad = true; c->off = c->len; return 0; }
    const uint8_t *q = c->p + c->off; c->off += 4;
    return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}
static inline uint16_t nt_cur_le16(nt_cur *c)
{
    if (!nt_cur_has(c, 2)) { c->bad = true; c->off = c->len; return 0; }
    const uint8_t *q = c->p + c->off; c->off += 2;
    return (uint16_t)(q[1] << 8 | q[0]);
}
static inline uint32_t nt_cur_le32(nt_cur *c)
{
    if (!nt_cur_has(c, 4)) { c->bad = true; c->off = c->len; return 0; }
    const uint8_t *q = c->p + c->off; c->off += 4;
    return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}
/* Copies n bytes; on short input copies nothing and marks bad. */
static inline bool nt_cur_copy(nt_cur *c, void *dst, size_t n)
{
    if (!nt_cur_has(c, n)) { c->bad = true; c->off = c->len; return false; }
    for (size_t i = 0; i < n; i++) ((uint8_t *)dst)[i] = c->p[c->off + i];
    c->off += n;
    return true;
}

/* Plain bounds-checked loads at an offset, for code that is not sequential. */
static inline bool nt_load_be16(const uint8_t *p, size_t len, size_t off, uint16_t *v)
{
    if (off > len || len - off < 2) return false;
    *v = (uint16_t)(p[off] << 8 | p[off + 1]);
    return true;
}
static inline bool nt_load_be32(const uint8_t *p, size_t len, size_t off, uint32_t *v)
{
    if (off > len || len - off < 4) return false;
    *v = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 | p[off + 3];
    return true;
}

/* ---- output buffer ---------------------------------------------------- */

typedef struct nt_buf {
    char *p;
    size_t len, cap;
} nt_buf;

void nt_buf_init(nt_buf *b);
void nt_buf_free(nt_buf *b);
void nt_buf_reserve(nt_buf *b, size_t extra);
static inline void nt_buf_reset(nt_buf *b) { b->len = 0; }
void nt_buf_put(nt_buf *b, const char *s, size_t n);
void nt_buf_puts(nt_buf *b, const char *s);
static inline void nt_buf_putc(nt_buf *b, char ch)
{
    if (b->len + 1 >= b->cap) nt_buf_reserve(b, 1);
    b->p[b->len++] = ch;
    b->p[b->len] = 0;
}
void nt_buf_printf(nt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void nt_buf_u64(nt_buf *b, uint64_t v);
void nt_buf_i64(nt_buf *b, int64_t v);
void nt_buf_hex(nt_buf *b, uint64_t v, int width, bool upper); /* zero-padded to width */
void nt_buf_pad(nt_buf *b, size_t start, size_t width);        /* pad with spaces since start */
void nt_buf_rjust(nt_buf *b, size_t start, size_t width);      /* right-align what follows start */
void nt_buf_ipv4(nt_buf *b, const uint8_t a[4]);
void nt_buf_ipv6(nt_buf *b, const uint8_t a[16]);              /* RFC 5952 */
void nt_buf_mac(nt_buf *b, const uint8_t a[6]);
/* Writes and empties the buffer; returns false on a write error. */
bool nt_buf_flush(nt_buf *b, FILE *f);

/* ---- JSON writer (JSON Lines) ---------------------------------------- */

typedef struct nt_json {
    nt_buf *b;
    int depth;
    bool need_comma[32];
} nt_json;

void nt_json_begin(nt_json *j, nt_buf *b);
void nt_json_obj_open(nt_json *j, const char *key);   /* key NULL inside arrays / at top */
void nt_json_obj_close(nt_json *j);
void nt_json_arr_open(nt_json *j, const char *key);
void nt_json_arr_close(nt_json *j);
void nt_json_str(nt_json *j, const char *key, const char *s);
void nt_json_strn(nt_json *j, const char *key, const char *s, size_t n);
void nt_json_u64(nt_json *j, const char *key, uint64_t v);
void nt_json_i64(nt_json *j, const char *key, int64_t v);
void nt_json_bool(nt_json *j, const char *key, bool v);
void nt_json_raw(nt_json *j, const char *key, const char *raw); /* a number already formatted */
void nt_json_escape(nt_buf *b, const char *s, size_t n);

/* ---- time ------------------------------------------------------------ */

typedef struct nt_time {
    int64_t sec;
    uint32_t nsec;
} nt_time;

/* a - b in nanoseconds */
static inline int64_t nt_time_diff_ns(nt_time a, nt_time b)
{
    return (a.sec - b.sec) * 1000000000LL + ((int64_t)a.nsec - (int64_t)b.nsec);
}
/* Seconds with `digits` decimals (truncated as Wireshark does), sign kept. */
void nt_buf_secs(nt_buf *b, int64_t ns, int digits);
/* "2013-12-26 13:03:51.654321" in local time (utc=false) or UTC. */
void nt_buf_datetime(nt_buf *b, nt_time t, int digits, bool utc);
/* The same for a caller printing many times in a row (a packet list): the
 * cache, zeroed first, keeps the last second's text, since localtime_r is
 * slow and consecutive packets share the second. */
typedef struct nt_time_cache {
    bool valid, utc;
    int64_t sec;
    char txt[32];
} nt_time_cache;
void nt_buf_datetime_cached(nt_buf *b, nt_time_cache *c, nt_time t, int digits, bool utc);

#endif
