/* keylog.h - the NSS key log format (SSLKEYLOGFILE, as curl, browsers and
 * OpenSSL's keylog callback write it), read into a table the TLS decryption
 * looks secrets up in by client random and label. Pure: it parses a buffer
 * (the caller reads the file), prints nothing, and never puts a secret in an
 * error message, since a key log is as sensitive as the keys themselves. */
#ifndef NETTRACER_KEYLOG_H
#define NETTRACER_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

#include "nettracer/hash.h"

typedef enum nt_keylog_label {
    NT_KL_CLIENT_RANDOM,                   /* TLS 1.0-1.2 master secret */
    NT_KL_CLIENT_EARLY_TRAFFIC_SECRET,
    NT_KL_EARLY_EXPORTER_SECRET,
    NT_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
    NT_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET,
    NT_KL_CLIENT_TRAFFIC_SECRET_0,
    NT_KL_SERVER_TRAFFIC_SECRET_0,
    NT_KL_EXPORTER_SECRET,
    NT_KL_NLABELS
} nt_keylog_label;

#define NT_KEYLOG_MAX_SECRET 64            /* SHA-384 is 48; room to spare */

typedef struct nt_keylog_entry {
    uint8_t client_random[32];
    uint8_t secret[NT_KEYLOG_MAX_SECRET];
    uint8_t secret_len;
    uint8_t label;                         /* nt_keylog_label */
} nt_keylog_entry;

typedef struct nt_keylog {
    nt_keylog_entry *e;
    size_t n, cap;
    nt_hmap ix;                            /* label + client random -> index in e */
    size_t lines;                          /* non-blank, non-comment lines */
    size_t skipped;                        /* unknown label (RSA forms too, for now) */
    size_t malformed;                      /* known label, bad random or secret */
    size_t first_bad_line;                 /* 1-based line of the first malformed line, 0 none */
} nt_keylog;

void nt_keylog_init(nt_keylog *kl);
void nt_keylog_free(nt_keylog *kl);  /* wipes the secrets before freeing */
/* Parse LEN bytes of key log text; adds to KL (later lines with the same
 * random and label replace earlier ones, as a rewritten log would mean).
 * Returns 0, or -1 only when memory runs out. */
int nt_keylog_parse(nt_keylog *kl, const char *text, size_t len);
/* The entry for CLIENT_RANDOM (32 bytes) and LABEL, or NULL. */
const nt_keylog_entry *nt_keylog_find(const nt_keylog *kl, const uint8_t *client_random,
                                      nt_keylog_label label);
const char *nt_keylog_label_name(nt_keylog_label label);

#endif
