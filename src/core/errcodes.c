/* errcodes.c - lookups over the generated error tables (errtables.c in the
 * build directory): by value with a binary search, by name linearly (a
 * command-line lookup, once per run). */
#include "nettracer/errcodes.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t nt_err_find(uint32_t value, int table, const nt_errent **out, size_t max)
{
    size_t lo = 0, hi = nt_errtab_len, n = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (nt_errtab[mid].value < value) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < nt_errtab_len && nt_errtab[i].value == value; i++) {
        if (table >= 0 && nt_errtab[i].table != (nt_errtable)table) continue;
        if (n < max) out[n] = &nt_errtab[i];
        n++;
    }
    return n;
}

const nt_errent *nt_err_by_name(const char *name)
{
    for (size_t i = 0; i < nt_errtab_len; i++)
        if (!strcasecmp(nt_errtab[i].name, name)) return &nt_errtab[i];
    return NULL;
}

const char *nt_err_facility_name(uint32_t f)
{
    for (size_t i = 0; i < nt_facilities_len; i++)
        if (nt_facilities[i].value == f) return nt_facilities[i].name;
    return NULL;
}

const char *nt_err_table_name(nt_errtable t)
{
    switch (t) {
    case NT_ERRT_WIN32: return "Win32";
    case NT_ERRT_HRESULT: return "HRESULT";
    case NT_ERRT_NTSTATUS: return "NTSTATUS";
    case NT_ERRT_OPENSSL: return "OpenSSL verify";
    }
    return "?";
}

bool nt_err_parse(const char *s, uint32_t *v, bool *hex)
{
    if (!s || !*s) return false;
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    bool h = false;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        h = true;
        s += 2;
    }
    size_t n = strlen(s);
    if (n == 0) return false;
    bool letters = false;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i])) return false;
        if (!isdigit((unsigned char)s[i])) letters = true;
    }
    /* "80070005" / "014C0220": eight digits are how HRESULTs and NTSTATUS
     * codes are written in logs, without 0x */
    if (!h && !neg && (letters || n == 8)) h = true;
    if (letters && !h) return false;
    unsigned long long x = 0;
    for (size_t i = 0; i < n; i++) {
        int d = isdigit((unsigned char)s[i]) ? s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10;
        x = x * (h ? 16 : 10) + (unsigned)d;
        if (x > 0xFFFFFFFFull) return false;
    }
    if (neg) {
        if (h || x > 0x80000000ull) return false;
        x = (0x100000000ull - x) & 0xFFFFFFFFull;
    }
    *v = (uint32_t)x;
    if (hex) *hex = h;
    return true;
}
