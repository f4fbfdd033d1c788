/* hash.c - the map of hash.h. The hash of each key is kept next to its
 * value, so that growing never rereads the keys' bytes to rehash and a
 * probe compares keys only when the hashes match. */
#include "nettracer/hash.h"

#include <stdlib.h>
#include <string.h>

uint64_t nt_hash_bytes(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    h ^= h >> 29;
    return h ? h : 1;
}

void nt_hmap_init(nt_hmap *m, size_t key_len)
{
    memset(m, 0, sizeof *m);
    m->key_len = key_len;
}

void nt_hmap_free(nt_hmap *m)
{
    free(m->val);
    free(m->hash);
    free(m->keys);
    nt_hmap_init(m, m->key_len);
}

void nt_hmap_clear(nt_hmap *m)
{
    if (m->hash) memset(m->hash, 0, m->nslot * sizeof *m->hash);
    m->n = 0;
}

/* 32 bits of the hash index the table; 0 marks an empty slot */
static uint32_t h32(const void *key, size_t len)
{
    uint64_t h = nt_hash_bytes(key, len);
    uint32_t x = (uint32_t)(h ^ (h >> 32));
    return x ? x : 1;
}

static size_t probe(const nt_hmap *m, const void *key, uint32_t h)
{
    size_t mask = m->nslot - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask)
        if (!m->hash[i] || (m->hash[i] == h && !memcmp(m->keys + i * m->key_len, key, m->key_len))) return i;
}

static void grow(nt_hmap *m)
{
    size_t nslot = m->nslot ? m->nslot * 2 : 64;
    nt_hmap g = {.key_len = m->key_len, .nslot = nslot, .n = m->n};
    g.val = malloc(nslot * sizeof *g.val);
    g.hash = calloc(nslot, sizeof *g.hash);
    g.keys = malloc(nslot * (m->key_len ? m->key_len : 1));
    if (!g.val || !g.hash || !g.keys) abort();
    for (size_t i = 0; i < m->nslot; i++) {
        if (!m->hash[i]) continue;
        size_t j;
        for (j = m->hash[i] & (nslot - 1); g.hash[j]; j = (j + 1) & (nslot - 1)) {}
        g.hash[j] = m->hash[i];
        g.val[j] = m->val[i];
        memcpy(g.keys + j * m->key_len, m->keys + i * m->key_len, m->key_len);
    }
    nt_hmap_free(m);
    *m = g;
}

uint32_t *nt_hmap_find(const nt_hmap *m, const void *key)
{
    if (!m->n) return NULL;
    size_t i = probe(m, key, h32(key, m->key_len));
    return m->hash[i] ? &m->val[i] : NULL;
}

uint32_t *nt_hmap_put(nt_hmap *m, const void *key, uint32_t v, bool *added)
{
    if ((m->n + 1) * 2 > m->nslot) grow(m);
    uint32_t h = h32(key, m->key_len);
    size_t i = probe(m, key, h);
    *added = !m->hash[i];
    if (*added) {
        m->hash[i] = h;
        m->val[i] = v;
        memcpy(m->keys + i * m->key_len, key, m->key_len);
        m->n++;
    }
    return &m->val[i];
}
