/* keylog.c - reader of the NSS key log format: one "LABEL <client random
 * hex> <secret hex>" per line, '#' comments and blank lines ignored. Lines
 * with a label it does not use (RSA, RSA Session-ID:, future labels) are
 * counted as skipped, not fatal, as Wireshark does; lines with a known label
 * but a random or secret that is not even-length hex of the right size are
 * counted as malformed. No secret ever leaves this file except through
 * nt_keylog_find, and the table is wiped when freed. */
#include "nettracer/keylog.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const label_names[NT_KL_NLABELS] = {
    [NT_KL_CLIENT_RANDOM] = "CLIENT_RANDOM",
    [NT_KL_CLIENT_EARLY_TRAFFIC_SECRET] = "CLIENT_EARLY_TRAFFIC_SECRET",
    [NT_KL_EARLY_EXPORTER_SECRET] = "EARLY_EXPORTER_SECRET",
    [NT_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    [NT_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    [NT_KL_CLIENT_TRAFFIC_SECRET_0] = "CLIENT_TRAFFIC_SECRET_0",
    [NT_KL_SERVER_TRAFFIC_SECRET_0] = "SERVER_TRAFFIC_SECRET_0",
    [NT_KL_EXPORTER_SECRET] = "EXPORTER_SECRET",
};

const char *nt_keylog_label_name(nt_keylog_label label)
{
    return (unsigned)label < NT_KL_NLABELS ? label_names[label] : "?";
}

/* A lookup key: the label's byte, then the 32-byte client random (public on
 * the wire, so the index holds nothing secret). */
enum { KEY_LEN = 33 };

static void key_of(uint8_t key[KEY_LEN], nt_keylog_label label, const uint8_t *client_random)
{
    key[0] = (uint8_t)label;
    memcpy(key + 1, client_random, 32);
}

void nt_keylog_init(nt_keylog *kl)
{
    memset(kl, 0, sizeof *kl);
    nt_hmap_init(&kl->ix, KEY_LEN);
}

/* Zero and free the entry array: volatile stores, so the wipe is not
 * optimised away before free. */
static void wipe_free(nt_keylog_entry *e, size_t cap)
{
    if (!e) return;
    volatile uint8_t *p = (volatile uint8_t *)e;
    for (size_t i = 0; i < cap * sizeof *e; i++) p[i] = 0;
    free(e);
}

void nt_keylog_free(nt_keylog *kl)
{
    wipe_free(kl->e, kl->cap);
    nt_hmap_free(&kl->ix);
    memset(kl, 0, sizeof *kl);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decode the hex token [s, s+n) into out (room max); returns bytes or -1. */
static int unhex(const char *s, size_t n, uint8_t *out, size_t max)
{
    if (n == 0 || n % 2 || n / 2 > max) return -1;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(n / 2);
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* The next blank-separated token of [*p, end): start and length. */
static size_t token(const char **p, const char *end, const char **tok)
{
    const char *s = *p;
    while (s < end && is_space(*s)) s++;
    const char *t = s;
    while (t < end && !is_space(*t)) t++;
    *tok = s;
    *p = t;
    return (size_t)(t - s);
}

/* Browsers' logs run to many thousands of lines: entries are indexed, so
 * reading a log is linear in its size. */
static int add(nt_keylog *kl, const nt_keylog_entry *ne)
{
    uint8_t key[KEY_LEN];
    key_of(key, ne->label, ne->client_random);
    uint32_t *at = nt_hmap_find(&kl->ix, key);
    if (at) {
        kl->e[*at] = *ne;
        return 0;
    }
    if (kl->n >= UINT32_MAX) return -1;
    if (kl->n == kl->cap) {
        size_t nc = kl->cap ? kl->cap * 2 : 16;
        nt_keylog_entry *ng = calloc(nc, sizeof *ng);
        if (!ng) return -1;
        if (kl->e) memcpy(ng, kl->e, kl->n * sizeof *ng);
        wipe_free(kl->e, kl->cap);
        kl->e = ng;
        kl->cap = nc;
    }
    bool added;
    if (!nt_hmap_put(&kl->ix, key, (uint32_t)kl->n, &added)) return -1;
    kl->e[kl->n++] = *ne;
    return 0;
}

static int parse_line(nt_keylog *kl, const char *s, const char *end, size_t lineno)
{
    const char *tok;
    size_t n = token(&s, end, &tok);
    if (n == 0 || tok[0] == '#') return 0;
    kl->lines++;
    int label = -1;
    for (int i = 0; i < NT_KL_NLABELS; i++)
        if (strlen(label_names[i]) == n && !memcmp(tok, label_names[i], n)) label = i;
    if (label < 0) {
        kl->skipped++;
        return 0;
    }
    nt_keylog_entry ne;
    memset(&ne, 0, sizeof ne);
    ne.label = (uint8_t)label;
    const char *rt, *st, *xt;
    size_t rn = token(&s, end, &rt);
    size_t sn = token(&s, end, &st);
    size_t xn = token(&s, end, &xt);
    int got;
    /* TLS 1.2 master secrets are 48 bytes; TLS 1.3 secrets are the hash's
     * length (32 for SHA-256, 48 for SHA-384) */
    if (xn != 0 || unhex(rt, rn, ne.client_random, 32) != 32
        || (got = unhex(st, sn, ne.secret, NT_KEYLOG_MAX_SECRET)) < 0
        || (label == NT_KL_CLIENT_RANDOM ? got != 48 : got != 32 && got != 48)) {
        kl->malformed++;
        if (!kl->first_bad_line) kl->first_bad_line = lineno;
        memset(&ne, 0, sizeof ne);
        return 0;
    }
    ne.secret_len = (uint8_t)got;
    int r = add(kl, &ne);
    memset(&ne, 0, sizeof ne);
    return r;
}

int nt_keylog_parse(nt_keylog *kl, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    size_t lineno = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        if (parse_line(kl, p, le, lineno) < 0) return -1;
        p = nl ? nl + 1 : end;
    }
    return 0;
}

const nt_keylog_entry *nt_keylog_find(const nt_keylog *kl, const uint8_t *client_random,
                                      nt_keylog_label label)
{
    if ((unsigned)label >= NT_KL_NLABELS) return NULL;
    uint8_t key[KEY_LEN];
    key_of(key, label, client_random);
    const uint32_t *at = nt_hmap_find(&kl->ix, key);
    return at ? &kl->e[*at] : NULL;
}
