/* cmd_err.c - `nettracer err CODE...`: what an error number means, in
 * every table it matches, as Microsoft's err tool answers: Win32 (Winsock,
 * DNS, WinINet...), HRESULT with severity/facility/code decoded and the code
 * looked up again, NTSTATUS, POSIX errno and OpenSSL verify codes. */
#include "cli.h"
#include "nettracer/errcodes.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <openssl/x509.h>
#include <string.h>

const char nt_err_help[] =
    "usage: nettracer err [--json] CODE...\n"
    "\n"
    "Look up an error code in every table it matches: Win32 errors (Winsock\n"
    "WSAE*, DNS_ERROR_*, NERR_*, WinINet/WinHTTP ERROR_INTERNET_*), HRESULTs\n"
    "(SEC_E_*, CERT_E_*, E_*), NTSTATUS, POSIX errno and OpenSSL certificate\n"
    "verify codes. An HRESULT-shaped value is also decoded into severity,\n"
    "facility and code, and the code is looked up as a Win32 error (or, with\n"
    "the N bit, as an NTSTATUS).\n"
    "\n"
    "CODE: decimal (10060), negative decimal (-2146762487), hex (0x274c,\n"
    "800b0109: a hex letter or 8 digits mean hex), or a name (WSAETIMEDOUT).\n"
    "\n"
    "Names and values come from the mingw-w64 headers (winerror.h family),\n"
    "messages from Microsoft's [MS-ERREF] (see docs/check-dns-err.md).\n"
    "\n"
    "Options:\n"
    "  --json    one JSON object per match\n"
    "\n"
    "Exit status: 0 something matched; 1 no table knows the code; 2 not a number\n"
    "or name.\n";

typedef struct err_out {
    bool json;
    nt_buf *b;
    const char *query;
    int matches;
} err_out;

static void one(err_out *o, uint32_t v, const char *table, const char *name, const char *source, const char *msg,
                const char *via)
{
    o->matches++;
    if (o->json) {
        nt_json j;
        nt_json_begin(&j, o->b);
        nt_json_obj_open(&j, NULL);
        nt_json_str(&j, "query", o->query);
        nt_json_u64(&j, "value", v);
        nt_buf hx;
        nt_buf_init(&hx);
        nt_buf_printf(&hx, "0x%08x", v);
        nt_json_str(&j, "hex", hx.p);
        nt_buf_free(&hx);
        nt_json_str(&j, "table", table);
        nt_json_str(&j, "name", name);
        nt_json_str(&j, "source", source);
        if (msg && *msg) nt_json_str(&j, "message", msg);
        if (via) nt_json_str(&j, "via", via);
        nt_json_obj_close(&j);
        nt_buf_putc(o->b, '\n');
        return;
    }
    size_t start = o->b->len;
    nt_buf_printf(o->b, "  %s", name);
    nt_buf_pad(o->b, start, 64);
    nt_buf_printf(o->b, "%s (%s)\n", source, table);
    if (msg && *msg) nt_buf_printf(o->b, "# %s\n", msg);
}

/* Every table's exact match for v; returns how many. */
static int lookup_all(err_out *o, uint32_t v, const char *via)
{
    int before = o->matches;
    const nt_errent *e[64];
    size_t n = nt_err_find(v, -1, e, 64);
    for (size_t i = 0; i < n && i < 64; i++)
        if (e[i]->table != NT_ERRT_OPENSSL)
            one(o, v, nt_err_table_name(e[i]->table), e[i]->name, e[i]->source, e[i]->msg, via);
    /* POSIX errno: the C library's own names and texts */
    if (v > 0 && v < 4096) {
        const char *en = strerrorname_np((int)v);
        if (en) one(o, v, "POSIX errno", en, "errno.h", strerrordesc_np((int)v), via);
    }
    for (size_t i = 0; i < n && i < 64; i++)
        if (e[i]->table == NT_ERRT_OPENSSL)
            one(o, v, nt_err_table_name(e[i]->table), e[i]->name, e[i]->source, X509_verify_cert_error_string((long)v),
                via);
    return o->matches - before;
}

static void comment(err_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void comment(err_out *o, const char *fmt, ...)
{
    if (o->json) return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    nt_buf_printf(o->b, "# %s\n", line);
}

static void lookup(err_out *o, uint32_t v)
{
    comment(o, "for decimal %u / hex 0x%x :", v, v);
    lookup_all(o, v, NULL);
    /* an HRESULT-shaped value: severity, facility, code; the code again */
    uint32_t sev = v >> 31, nbit = v >> 28 & 1, fac = v >> 16 & 0x7ff, code = v & 0xffff;
    if (v >= 0x10000 && nbit) {
        comment(o, "as an HRESULT from an NTSTATUS (N bit): NTSTATUS 0x%08x", v & ~0x10000000u);
        lookup_all(o, v & ~0x10000000u, "HRESULT_FROM_NT");
    } else if (v >= 0x10000 && (v >> 30 & 1)) {
        /* the R bit of an HRESULT is set: the NTSTATUS layout (Sev:2 C N Facility:12 Code:16) */
        static const char *const sevn[] = {"SUCCESS", "INFORMATIONAL", "WARNING", "ERROR"};
        comment(o, "as an NTSTATUS: Severity: %s (%u), Customer: %u, Facility: 0x%x, Code 0x%x", sevn[v >> 30], v >> 30,
                v >> 29 & 1, v >> 16 & 0xfff, code);
    } else if (v >= 0x10000) {
        const char *fn = nt_err_facility_name(fac);
        comment(o, "as an HRESULT: Severity: %s (%u), Facility: 0x%x%s%s%s, Code 0x%x", sev ? "FAILURE" : "SUCCESS", sev, fac,
                fn ? " (" : "", fn ? fn : "", fn ? ")" : "", code);
        const nt_errent *e[64];
        size_t n = nt_err_find(code, NT_ERRT_WIN32, e, 64);
        if (n) comment(o, "for hex 0x%x / decimal %u :", code, code);
        for (size_t i = 0; i < n && i < 64; i++)
            one(o, code, "Win32", e[i]->name, e[i]->source, e[i]->msg, fac == 7 ? "HRESULT_FROM_WIN32" : "HRESULT code");
    }
}

int cmd_err(int argc, char **argv)
{
    static const struct option lopts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    bool json = false;
    int ch;
    opterr = 0;
    optind = 1;
    /* "-2146762487" is a code, not an option: stop at the first non-option
     * and let a leading '-' followed by a digit through */
    while (optind < argc && !(argv[optind][0] == '-' && argv[optind][1] >= '0' && argv[optind][1] <= '9') &&
           (ch = getopt_long(argc, argv, "+", lopts, NULL)) != -1) {
        if (ch == 'j') json = true;
        else return nt_usage_error("err", "unknown option '%s' (see 'nettracer err --help')", argv[optind - 1]);
    }
    if (optind >= argc) return nt_usage_error("err", "no code given (usage: nettracer err CODE)");
    for (int i = optind; i < argc; i++) {
        uint32_t v;
        if (!nt_err_parse(argv[i], &v, NULL) && !nt_err_by_name(argv[i]))
            return nt_usage_error("err", "'%s' is not a 32-bit number or a known error name", argv[i]);
    }
    nt_buf b;
    nt_buf_init(&b);
    int rc = NT_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        err_out o = {.json = json, .b = &b, .query = argv[i]};
        uint32_t v;
        const nt_errent *byname = NULL;
        if (!nt_err_parse(argv[i], &v, NULL)) {
            byname = nt_err_by_name(argv[i]);
            v = byname->value;
            comment(&o, "%s is %s 0x%08x (%u)", byname->name, nt_err_table_name(byname->table), v, v);
        }
        lookup(&o, v);
        if (!json) {
            if (o.matches) nt_buf_printf(&b, "# %d match%s found for \"%s\"\n", o.matches, o.matches == 1 ? "" : "es", argv[i]);
            else nt_buf_printf(&b, "# no table knows \"%s\"\n", argv[i]);
            if (i + 1 < argc) nt_buf_putc(&b, '\n');
        }
        if (!o.matches) rc = NT_EXIT_PROBLEM;
    }
    nt_buf_flush(&b, stdout);
    nt_buf_free(&b);
    return rc;
}
