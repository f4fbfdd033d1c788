/* findings.c - building diagnose's findings: a new finding of a code from
 * the table, its evidence frames (each once, the key ones first), measured
 * values, the sentence and the advice (text from the network made valid
 * UTF-8, as JSON must be), the address and duration strings the rules
 * write them with, and the final order: worst first, then by the first
 * evidence frame. */
#include "diag_int.h"

#include <stdlib.h>

nt_finding *nt_diag_finding(nt_diag *d, nt_fcode code, nt_severity sev)
{
    if (d->nf == d->fcap) {
        d->fcap = d->fcap ? d->fcap * 2 : 32;
        d->f = realloc(d->f, d->fcap * sizeof *d->f);
        if (!d->f) abort();
    }
    nt_finding *f = &d->f[d->nf++];
    memset(f, 0, sizeof *f);
    f->code = nt_finding_codes[code].code;
    f->severity = sev;
    return f;
}

void nt_diag_frame(nt_finding *f, uint64_t frame)
{
    if (!frame || f->nframes >= NT_FINDING_MAX_FRAMES) return;
    for (int i = 0; i < f->nframes; i++)
        if (f->frames[i] == frame) return;
    f->frames[f->nframes++] = frame;
}

void nt_diag_num(nt_finding *f, const char *key, double v)
{
    if (f->nvalues >= NT_FINDING_MAX_VALUES) return;
    nt_finding_value *x = &f->values[f->nvalues++];
    snprintf(x->key, sizeof x->key, "%s", key);
    x->num = v;
}

void nt_diag_scpy(char *dst, size_t n, const char *src)
{
    size_t l = strlen(src);
    if (l >= n) l = n - 1;
    memcpy(dst, src, l);
    dst[l] = 0;
}

/* Text from the network may hold any bytes: keep valid UTF-8 (JSON must be),
 * turn control characters and invalid sequences into '?'. In place. */
static void clean_text(char *p)
{
    unsigned char *s = (unsigned char *)p;
    while (*s) {
        int n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 : (*s & 0xf8) == 0xf0 ? 4 : 0;
        bool ok = n > 0 && !(n == 1 && (*s < 0x20 || *s == 0x7f));
        for (int k = 1; ok && k < n; k++)
            if ((s[k] & 0xc0) != 0x80) ok = false;
        /* overlong forms, surrogates, beyond U+10FFFF */
        if (ok && n == 2 && *s < 0xc2) ok = false;
        if (ok && n == 3 && ((*s == 0xe0 && s[1] < 0xa0) || (*s == 0xed && s[1] >= 0xa0))) ok = false;
        if (ok && n == 4 && ((*s == 0xf0 && s[1] < 0x90) || *s > 0xf4 || (*s == 0xf4 && s[1] >= 0x90))) ok = false;
        if (!ok) {
            *s++ = '?';
            continue;
        }
        s += n;
    }
}

void nt_diag_str(nt_finding *f, const char *key, const char *s)
{
    if (f->nvalues >= NT_FINDING_MAX_VALUES) return;
    nt_finding_value *x = &f->values[f->nvalues++];
    snprintf(x->key, sizeof x->key, "%s", key);
    x->is_str = true;
    nt_diag_scpy(x->str, sizeof x->str, s);
    clean_text(x->str);
}

void nt_diag_vprint(char *dst, size_t n, const char *fmt, va_list ap)
{
    vsnprintf(dst, n, fmt, ap);
    clean_text(dst);
}

void nt_diag_addr_str(char *out, size_t n, const addr *a)
{
    nt_buf b;
    nt_buf_init(&b);
    if (a->fam == 4) nt_buf_ipv4(&b, a->a);
    else nt_buf_ipv6(&b, a->a);
    nt_diag_scpy(out, n, b.p ? b.p : "");
    nt_buf_free(&b);
}

void nt_diag_ep_str(char *out, size_t n, uint8_t fam, const uint8_t *a, uint16_t port)
{
    nt_buf b;
    nt_buf_init(&b);
    if (fam == 4) nt_buf_ipv4(&b, a);
    else nt_buf_putc(&b, '['), nt_buf_ipv6(&b, a), nt_buf_putc(&b, ']');
    nt_buf_printf(&b, ":%u", port);
    nt_diag_scpy(out, n, b.p);
    nt_buf_free(&b);
}

void nt_diag_conn_flow(char *out, size_t n, const nt_conn *c)
{
    char a[64], b[64];
    nt_diag_ep_str(a, sizeof a, c->family, c->client, c->cport);
    nt_diag_ep_str(b, sizeof b, c->family, c->server, c->sport);
    snprintf(out, n, "%s -> %s", a, b);
}

const char *nt_diag_dur(char *buf, size_t n, double s)
{
    if (s >= 10) snprintf(buf, n, "%.0f s", s);
    else if (s >= 1) snprintf(buf, n, "%.1f s", s);
    else if (s >= 0.001) snprintf(buf, n, "%.0f ms", s * 1e3);
    else snprintf(buf, n, "%.2f ms", s * 1e3);
    return buf;
}

void nt_diag_sort_frames(uint64_t *f, uint8_t n)
{
    for (uint8_t i = 1; i < n; i++)
        for (uint8_t k = i; k > 0 && f[k] < f[k - 1]; k--) {
            uint64_t t = f[k];
            f[k] = f[k - 1], f[k - 1] = t;
        }
}

static int cmp_finding(const void *a, const void *b)
{
    const nt_finding *x = a, *y = b;
    if (x->severity != y->severity) return x->severity > y->severity ? -1 : 1;
    uint64_t fx = x->nframes ? x->frames[0] : 0, fy = y->nframes ? y->frames[0] : 0;
    if (fx != fy) return fx < fy ? -1 : 1;
    return strcmp(x->code, y->code);
}

void nt_diag_sort(nt_diag *d)
{
    if (d->nf) qsort(d->f, d->nf, sizeof *d->f, cmp_finding);
}
