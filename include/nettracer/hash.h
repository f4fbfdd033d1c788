/* hash.h - the library's one hash table: a map from fixed-length byte keys
 * to uint32 values (typically the index of a row in the caller's array),
 * open addressing with linear probing over FNV-1a hashes, kept at most
 * half full and doubled when it fills. Flow tables, conversation tables
 * and the rules' per-host and per-server state use it. */
#ifndef NETTRACER_HASH_H
#define NETTRACER_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct nt_hmap {
    size_t key_len;
    size_t nslot, n;
    uint32_t *val;           /* per slot */
    uint32_t *hash;          /* per slot: the key's hash, 0 for an empty slot */
    uint8_t *keys;           /* per slot: key_len bytes */
} nt_hmap;

/* FNV-1a over n bytes (64-bit), never 0. */
uint64_t nt_hash_bytes(const void *p, size_t n);

void nt_hmap_init(nt_hmap *m, size_t key_len);
void nt_hmap_free(nt_hmap *m);
/* Forgets every key, keeping the memory. */
void nt_hmap_clear(nt_hmap *m);
/* The value stored for key, or NULL. The pointer is valid until the next put. */
uint32_t *nt_hmap_find(const nt_hmap *m, const void *key);
/* The value of key, inserted as v when absent (*added then true). The
 * pointer is valid until the next put. */
uint32_t *nt_hmap_put(nt_hmap *m, const void *key, uint32_t v, bool *added);

#endif
