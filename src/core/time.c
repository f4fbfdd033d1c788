/* time.c - formatting of capture timestamps the way Wireshark shows them. */
#include "nettracer/core.h"

#include <time.h>

void nt_buf_secs(nt_buf *b, int64_t ns, int digits)
{
    if (ns < 0) {
        nt_buf_putc(b, '-');
        ns = -ns;
    }
    nt_buf_u64(b, (uint64_t)(ns / 1000000000));
    if (digits <= 0) return;
    int64_t frac = ns % 1000000000;
    for (int i = digits; i < 9; i++) frac /= 10;
    nt_buf_putc(b, '.');
    char tmp[9];
    for (int i = digits - 1; i >= 0; i--) {
        tmp[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    nt_buf_put(b, tmp, (size_t)digits);
}

void nt_buf_datetime_cached(nt_buf *b, nt_time_cache *c, nt_time t, int digits, bool utc)
{
    if (!c->valid || t.sec != c->sec || utc != c->utc) {
        time_t s = (time_t)t.sec;
        struct tm tm;
        if (utc) gmtime_r(&s, &tm);
        else localtime_r(&s, &tm);
        strftime(c->txt, sizeof c->txt, "%Y-%m-%d %H:%M:%S", &tm);
        c->sec = t.sec;
        c->utc = utc;
        c->valid = true;
    }
    nt_buf_puts(b, c->txt);
    if (digits > 0) {
        uint32_t frac = t.nsec;
        for (int i = digits; i < 9; i++) frac /= 10;
        char tmp[9];
        for (int i = digits - 1; i >= 0; i--) {
            tmp[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        nt_buf_putc(b, '.');
        nt_buf_put(b, tmp, (size_t)digits);
    }
}

void nt_buf_datetime(nt_buf *b, nt_time t, int digits, bool utc)
{
    nt_time_cache c = {.valid = false};
    nt_buf_datetime_cached(b, &c, t, digits, utc);
}
