/* pseudotls.h - MS-TURN's pseudo-TLS exchange ([MS-TURN] 2.1.1
 * "Pseudo-TLS over TCP"): a TURN client that reaches an A/V Edge on TCP 443
 * first sends a TLS 1.0 ClientHello record and waits for one record holding
 * a ServerHello and a ServerHelloDone; after that the connection carries
 * plain TURN messages. Nothing is encrypted: the hello only lets the
 * connection pass firewalls and proxies that inspect port 443 for TLS.
 *
 * Pure: the caller gives the 32 random bytes (the spec's Time Stamp and
 * Random Value) and the bytes received; no I/O, no allocation. */
#ifndef NETTRACER_PSEUDOTLS_H
#define NETTRACER_PSEUDOTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NT_PTLS_HELLO_LEN 50          /* record header 5 + ClientHello 45 */
#define NT_PTLS_CIPHER 0x0018u        /* the one suite offered and chosen (TLS_DH_anon_WITH_RC4_128_MD5) */

/* Writes the pseudo-TLS ClientHello (NT_PTLS_HELLO_LEN bytes) and returns
 * its length. random: 4-byte time stamp then 28 random bytes. */
size_t nt_ptls_client_hello(uint8_t out[NT_PTLS_HELLO_LEN], const uint8_t random[32]);

/* true when p starts with a pseudo-TLS ClientHello (same layout and suite
 * as the one above, any random bytes). */
bool nt_ptls_is_client_hello(const uint8_t *p, size_t len);

typedef enum nt_ptls_status {
    NT_PTLS_OK,        /* ServerHello + ServerHelloDone in one record: `len` bytes */
    NT_PTLS_MORE,      /* not enough bytes yet: `need` in total */
    NT_PTLS_ALERT,     /* a TLS alert record (level, desc) */
    NT_PTLS_REAL_TLS,  /* a real TLS handshake answer (other suite, certificate, ...) */
    NT_PTLS_STUN,      /* a STUN message instead of the hello answer */
    NT_PTLS_OTHER,     /* anything else */
} nt_ptls_status;

typedef struct nt_ptls_answer {
    nt_ptls_status status;
    size_t need;            /* MORE: total bytes needed to decide */
    size_t len;             /* OK: bytes of the answer (TURN messages follow) */
    uint16_t version;       /* ServerHello's version (0x0301 expected) */
    uint16_t cipher;        /* ServerHello's cipher suite */
    uint8_t sid_len;        /* ServerHello's session ID length */
    uint8_t alert_level, alert_desc;
    char why[160];          /* ALERT, REAL_TLS, STUN, OTHER: what arrived, in words */
} nt_ptls_answer;

/* Reads the server's answer to the pseudo-TLS hello from the first bytes
 * received on the connection. */
nt_ptls_status nt_ptls_parse_answer(const uint8_t *p, size_t len, nt_ptls_answer *a);

/* "handshake_failure" for TLS alert 40, NULL when unknown. */
const char *nt_ptls_alert_name(uint8_t desc);

#endif
