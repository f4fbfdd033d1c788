/* text.h - a piece of text inside a packet: pointer into the captured
 * bytes and a length, never NUL-terminated, never owned. The application
 * protocol parsers (sip.h, sdp.h, tpkt.h ...) return their strings so. */
#ifndef NETTRACER_TEXT_H
#define NETTRACER_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

typedef struct nt_text {
    const char *p;      /* NULL when absent */
    uint32_t len;
} nt_text;

static inline bool nt_text_eq(nt_text t, const char *s)
{
    size_t n = strlen(s);
    return t.p && t.len == n && memcmp(t.p, s, n) == 0;
}
static inline bool nt_text_ieq(nt_text t, const char *s)
{
    size_t n = strlen(s);
    return t.p && t.len == n && strncasecmp(t.p, s, n) == 0;
}
/* Copies into a NUL-terminated buffer, cut to n-1 bytes. */
static inline const char *nt_text_cstr(nt_text t, char *buf, size_t n)
{
    size_t k = t.p ? t.len : 0;
    if (n == 0) return buf;
    if (k > n - 1) k = n - 1;
    if (k) memcpy(buf, t.p, k);
    buf[k] = 0;
    return buf;
}

#endif
