/* errcodes.h - error code lookup for `nettracer err`: Win32 errors (with
 * Winsock, DNS, lmerr, WinINet/WinHTTP), HRESULTs, NTSTATUS and OpenSSL
 * verify codes, from tables generated at build time (scripts/
 * gen-errtables.py: names and values from the mingw-w64 headers, message
 * texts from [MS-ERREF] in data/ms-erref.tsv). Sorted by value. */
#ifndef NETTRACER_ERRCODES_H
#define NETTRACER_ERRCODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum nt_errtable {
    NT_ERRT_WIN32, NT_ERRT_HRESULT, NT_ERRT_NTSTATUS, NT_ERRT_OPENSSL,
} nt_errtable;

typedef struct nt_errent {
    uint32_t value;
    nt_errtable table;
    const char *name;
    const char *source;   /* the header it came from, or "MS-ERREF" */
    const char *msg;      /* [MS-ERREF] text; "" if none */
} nt_errent;

typedef struct nt_facility {
    uint32_t value;
    const char *name;
} nt_facility;

extern const nt_errent nt_errtab[];
extern const size_t nt_errtab_len;
extern const nt_facility nt_facilities[];
extern const size_t nt_facilities_len;

/* Entries with this value (in any table if table < 0); returns how many,
 * fills out[] up to max. */
size_t nt_err_find(uint32_t value, int table, const nt_errent **out, size_t max);
/* By name, case-insensitive; NULL if none. */
const nt_errent *nt_err_by_name(const char *name);
const char *nt_err_facility_name(uint32_t facility);   /* NULL if unknown */
const char *nt_err_table_name(nt_errtable t);          /* "Win32", "HRESULT", ... */

/* A code as people write it: decimal ("10060"), negative decimal
 * ("-2146762487", taken as 32-bit two's complement), hex with 0x or with a
 * hex letter or 8 digits ("0x274c", "800B0109", "014C0220"). *hex says
 * which reading was taken. False if not a 32-bit number. */
bool nt_err_parse(const char *s, uint32_t *v, bool *hex);

#endif
