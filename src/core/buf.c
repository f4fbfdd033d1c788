/* buf.c - growable text buffer with allocation-free number and address
 * formatting: printing millions of packet lines must not go through
 * printf for every field. */
#include "nettracer/core.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void nt_buf_init(nt_buf *b)
{
    b->cap = 256;
    b->len = 0;
    b->p = malloc(b->cap);
    if (!b->p) abort();
    b->p[0] = 0;
}

void nt_buf_free(nt_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void nt_buf_reserve(nt_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) abort(); /* out of memory: nothing sensible left to do */
    b->p = p;
    b->cap = cap;
}

void nt_buf_put(nt_buf *b, const char *s, size_t n)
{
    nt_buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void nt_buf_puts(nt_buf *b, const char *s) { nt_buf_put(b, s, strlen(s)); }

void nt_buf_printf(nt_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= b->cap - b->len) {
        nt_buf_reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void nt_buf_u64(nt_buf *b, uint64_t v)
{
    char tmp[24];
    int i = 24;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    nt_buf_put(b, tmp + i, (size_t)(24 - i));
}

void nt_buf_i64(nt_buf *b, int64_t v)
{
    if (v < 0) {
        nt_buf_putc(b, '-');
        nt_buf_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        nt_buf_u64(b, (uint64_t)v);
    }
}

void nt_buf_hex(nt_buf *b, uint64_t v, int width, bool upper)
{
    const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[16];
    int i = 16;
    do {
        tmp[--i] = d[v & 15];
        v >>= 4;
    } while (v && i > 0);
    while (16 - i < width && i > 0) tmp[--i] = '0';
    nt_buf_put(b, tmp + i, (size_t)(16 - i));
}

void nt_buf_pad(nt_buf *b, size_t start, size_t width)
{
    size_t used = b->len - start;
    if (used >= width) return;
    size_t n = width - used;
    nt_buf_reserve(b, n);
    memset(b->p + b->len, ' ', n);
    b->len += n;
    b->p[b->len] = 0;
}

void nt_buf_rjust(nt_buf *b, size_t start, size_t width)
{
    size_t used = b->len - start;
    if (used >= width) return;
    size_t n = width - used;
    nt_buf_reserve(b, n);
    memmove(b->p + start + n, b->p + start, used);
    memset(b->p + start, ' ', n);
    b->len += n;
    b->p[b->len] = 0;
}

void nt_buf_ipv4(nt_buf *b, const uint8_t a[4])
{
    nt_buf_reserve(b, 16);
    for (int i = 0; i < 4; i++) {
        if (i) b->p[b->len++] = '.';
        unsigned v = a[i];
        if (v >= 100) b->p[b->len++] = (char)('0' + v / 100);
        if (v >= 10) b->p[b->len++] = (char)('0' + v / 10 % 10);
        b->p[b->len++] = (char)('0' + v % 10);
    }
    b->p[b->len] = 0;
}

void nt_buf_ipv6(nt_buf *b, const uint8_t a[16])
{
    uint16_t w[8];
    for (int i = 0; i < 8; i++) w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
    /* IPv4-mapped and compatible forms print the last 32 bits dotted, as inet_ntop */
    bool mapped = !w[0] && !w[1] && !w[2] && !w[3] && !w[4] && w[5] == 0xffff;
    /* longest run of zero words (length >= 2) becomes "::" */
    int best = -1, bestlen = 0;
    for (int i = 0; i < 8;) {
        if (w[i]) { i++; continue; }
        int j = i;
        while (j < 8 && !w[j]) j++;
        if (j - i > bestlen) { best = i; bestlen = j - i; }
        i = j;
    }
    if (bestlen < 2) best = -1;
    if (mapped) {
        nt_buf_puts(b, "::ffff:");
        nt_buf_ipv4(b, a + 12);
        return;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            nt_buf_put(b, "::", 2);
            i += bestlen - 1;
            continue;
        }
        if (i && i != best + bestlen) nt_buf_putc(b, ':');
        nt_buf_hex(b, w[i], 1, false);
    }
}

void nt_buf_mac(nt_buf *b, const uint8_t a[6])
{
    for (int i = 0; i < 6; i++) {
        if (i) nt_buf_putc(b, ':');
        nt_buf_hex(b, a[i], 2, false);
    }
}

bool nt_buf_flush(nt_buf *b, FILE *f)
{
    bool ok = true;
    if (b->len && fwrite(b->p, 1, b->len, f) != b->len) ok = false;
    b->len = 0;
    b->p[0] = 0;
    return ok;
}
