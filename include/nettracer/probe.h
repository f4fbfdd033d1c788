/* probe.h - active checks that talk to the network: the DNS exchange behind
 * `nettracer dns` (UDP with TCP fallback, timeout, retries) and the steps
 * of `nettracer check` (resolve, connect, TLS, certificate). Every wait is
 * bounded by a timeout; every failure comes back as an nt_error whose text
 * names the cause. */
#ifndef NETTRACER_PROBE_H
#define NETTRACER_PROBE_H

#include "nettracer/core.h"
#include "nettracer/dns.h"
#include "nettracer/steps.h"

#include <netinet/in.h>
#include <sys/socket.h>

/* Monotonic clock, nanoseconds. */
int64_t nt_now_ns(void);
/* "10.0.0.1", "10.0.0.1:5353", "fd00::1", "[fd00::1]:5353"; default port. */
bool nt_parse_hostport_addr(const char *s, uint16_t defport, struct sockaddr_storage *ss, socklen_t *slen);
/* "10.0.0.1:53" or "[fd00::1]:53" */
void nt_sockaddr_str(const struct sockaddr *sa, char *out, size_t outsz);
/* First "nameserver" of a resolv.conf; false if none. */
bool nt_resolv_conf_server(const char *path, struct sockaddr_storage *ss, socklen_t *slen);

typedef struct nt_dns_exchange {
    /* in */
    struct sockaddr_storage server;
    socklen_t server_len;
    bool tcp_only;
    int timeout_ms;   /* per try */
    int tries;        /* UDP sends before giving up */
    /* out */
    uint8_t resp[65535];
    size_t resp_len;
    bool used_tcp;
    bool fell_back;   /* UDP answer was truncated (TC), TCP asked again */
    int udp_tries;    /* UDP sends made */
    int64_t rtt_ns;   /* of the exchange that gave the answer */
} nt_dns_exchange;

/* Sends q and waits for the matching response (same id, question, from the
 * server). errno-like codes in e->code: ETIMEDOUT (no answer),
 * ECONNREFUSED (ICMP port unreachable / TCP reset), others from sockets. */
int nt_dns_exchange_run(nt_dns_exchange *x, const nt_dns_query *q, nt_error *e);

/* ---- nettracer dns: one question and what its answer means --------------- */

typedef struct nt_dnsq_opts {
    struct sockaddr_storage server;
    socklen_t server_len;
    const char *server_from;   /* where the server came from: "--server", "/etc/resolv.conf" */
    const char *name;
    uint16_t type;
    bool tcp, norecurse;
    uint16_t edns;             /* EDNS payload size advertised, 0: none */
    int timeout_ms, tries;
    bool shrt, verbose;        /* text form: only the data; all sections */
} nt_dnsq_opts;

/* Asks and reports: a "dns" summary, an "rr" step per record, notes, and
 * on failure an err step (NXDOMAIN and other rcodes, an empty answer, an
 * SRV target of '.', no response). OK when an answer of the type came. */
nt_verdict nt_dns_query_run(const nt_dnsq_opts *o, nt_step_fn fn, void *user);

/* ---- nettracer check ------------------------------------------------ */

#include <netdb.h>
#include <openssl/x509.h>

/* A target: "host", "host:port", "[v6]:port" or "https://host[:port]/path". */
typedef struct nt_target {
    char host[256];
    uint16_t port;
    bool url;
    bool host_is_ip;
} nt_target;

/* Parses a target (default port 443); e gets one sentence on failure. */
int nt_target_parse(const char *s, nt_target *t, nt_error *e);

/* getaddrinfo as the application would (hosts file, then DNS); family
 * AF_UNSPEC, AF_INET or AF_INET6. The caller frees *res with freeaddrinfo. */
int nt_resolve(const char *host, uint16_t port, int family, struct addrinfo **res, int64_t *ns, nt_error *e);

typedef enum nt_conn_status {
    NT_CONN_OK, NT_CONN_REFUSED, NT_CONN_TIMEOUT, NT_CONN_UNREACHABLE, NT_CONN_ERROR,
} nt_conn_status;

/* Non-blocking connect bounded by timeout_ms; the failure named by its
 * cause. On NT_CONN_OK *fd is the connected (non-blocking) socket. */
nt_conn_status nt_tcp_connect(const struct sockaddr *sa, socklen_t len, int timeout_ms, int *fd, int64_t *ns,
                              nt_error *e);

typedef struct nt_tls_result {
    char version[24], cipher[80], alpn[64];
    int64_t handshake_ns;
    bool client_cert_requested;
    int ca_names;          /* CA names in the certificate request */
    size_t ca_bytes;       /* certificate_authorities length: DER + 2 each (tls.h; the 16 KB case) */
    long verify;           /* X509_V_OK or the verify error */
    int verify_depth;      /* where the error is, as OpenSSL reports it */
    STACK_OF(X509) *chain; /* as the server sent it, leaf first (owned) */
} nt_tls_result;

/* TLS handshake over fd with SNI (unless sni is NULL), ALPN h2/http1.1,
 * verification against the system store or ca_file (the handshake goes on
 * whatever the result, so the certificate can be shown). */
int nt_tls_handshake(int fd, const char *sni, const char *ca_file, int timeout_ms, nt_tls_result *r, nt_error *e);
void nt_tls_result_free(nt_tls_result *r);

typedef struct nt_cert_info {
    char subject[512], issuer[512], serial[128];
    char not_before[32], not_after[32];   /* "2026-11-27 03:50:00 UTC" */
    int days_left;                        /* negative once expired */
    bool expired, not_yet_valid;
    char key[96];                         /* "RSA 2048 bits", "EC 256 bits (prime256v1)" */
    char sigalg[64];
    char sans[2048];                      /* "DNS:a, DNS:b, IP:10.0.0.1" */
    bool self_signed;
} nt_cert_info;

void nt_cert_describe(X509 *x, nt_cert_info *ci);

typedef enum nt_name_match {
    NT_NAME_MATCH,      /* under RFC 9525's strict rules */
    NT_NAME_LOOSE,      /* only under OpenSSL's default (older clients') rules */
    NT_NAME_MISMATCH,
} nt_name_match;

/* Name (or IP address) check of the leaf. matched gets the certificate's
 * name that matched; *how says why a loose match is loose. */
nt_name_match nt_cert_check_name(X509 *leaf, const char *name, char *matched, size_t msz, const char **how);

/* A verify error in words with what to do, and the Windows CERT_E_ error a
 * Windows client reports for it (0 if none). */
const char *nt_verify_explain(long err, const char **win_name, uint32_t *win_code);

#endif
