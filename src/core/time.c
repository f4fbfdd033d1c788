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

void nt_buf_datetime(nt_buf *b, nt_time t, int digits, bool utc)
{
    /* cache the broken-down time of the last second seen: consecutive
     * packets share it and localtime_r is slow */
    static __thread int64_t last_sec = INT64_MIN;
    static __thread bool last_utc;
    static __thread char last_txt[32];
    if (t.sec != last_sec || utc != last_utc) {
        time_t s = (time_t)t.sec;
        struct tm tm;
        if (utc) gmtime_r(&s, &tm);
        else localtime_r(&s, &tm);
        strftime(last_txt, sizeof last_txt, "%Y-%m-%d %H:%M:%S", &tm);
        last_sec = t.sec;
        last_utc = utc;
    }
    nt_buf_puts(b, last_txt);
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
