/* field_put.h - how field accessors write occurrences (see fields.h):
 * shared by the registry and the per-protocol field tables in proto/. */
#ifndef NT_PROTO_FIELD_PUT_H
#define NT_PROTO_FIELD_PUT_H

#include "nettracer/fields.h"

#include <string.h>

static inline int put_u(nt_fvalue *out, int n, int max, uint64_t v)
{
    if (n < max) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].type = NT_FT_UINT;
        out[n].v.u = v;
        n++;
    }
    return n;
}
static inline int put_i(nt_fvalue *out, int n, int max, int64_t v, nt_ftype t)
{
    if (n < max) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].type = (uint8_t)t;
        out[n].v.i = v;
        n++;
    }
    return n;
}
static inline int put_b(nt_fvalue *out, int n, int max, bool v)
{
    n = put_u(out, n, max, v);
    if (n) out[n - 1].type = NT_FT_BOOL;
    return n;
}
static inline int put_addr(nt_fvalue *out, int n, int max, const uint8_t *a, nt_ftype t)
{
    if (n < max) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].type = (uint8_t)t;
        size_t len = t == NT_FT_IPV4 ? 4 : t == NT_FT_IPV6 ? 16 : 6;
        memcpy(out[n].v.addr, a, len);
        out[n].p = out[n].v.addr;
        out[n].len = (uint32_t)len;
        out[n].prefix = (uint8_t)(len * 8);
        n++;
    }
    return n;
}
static inline int put_bytes(nt_fvalue *out, int n, int max, const void *p, uint32_t len, nt_ftype t)
{
    if (n < max) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].type = (uint8_t)t;
        out[n].p = p;
        out[n].len = len;
        n++;
    }
    return n;
}

#endif
