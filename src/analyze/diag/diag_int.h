/* diag_int.h - what the rule modules of diagnose share: the context (the
 * options, the connection records of conns.c, the findings made so far,
 * the trace's span), the per-packet view every module observes (IP header,
 * transport header, TCP connection and direction, computed once in
 * diag.c), the finding builders (findings.c), the code table (codes.c) and
 * the few facts one module keeps for another (a host's ordinary TTL, the
 * name DNS resolved an address from, whether a TLS handshake was cut off).
 *
 * A rule module is one nt_diag_rule: init makes its state, observe sees each
 * packet, finish turns the state into findings at the end of the trace, free
 * releases it. diag.c walks the one table of them (nt_diag_rules). */
#ifndef NT_ANALYZE_DIAG_INT_H
#define NT_ANALYZE_DIAG_INT_H

#include "nettracer/conns.h"
#include "nettracer/diagnose.h"
#include "nettracer/hash.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define EXAMPLES 4   /* example frames kept per finding */

/* ---- the finding codes (codes.c; docs/findings.md documents each) ------ */

typedef enum nt_fcode {
    NT_F_TCP_SYN_UNANSWERED,
    NT_F_TCP_SYN_REFUSED,
    NT_F_TCP_HANDSHAKE_INCOMPLETE,
    NT_F_TCP_RESET,
    NT_F_TCP_RETRANSMISSIONS,
    NT_F_TCP_ZERO_WINDOW,
    NT_F_TCP_WINDOW_FULL,
    NT_F_TCP_DELAYED_ACK_NAGLE,
    NT_F_APP_NO_RESPONSE,
    NT_F_APP_SLOW_RESPONSE,
    NT_F_APP_IDLE_GAP,
    NT_F_TLS_ALERT,
    NT_F_TLS_HANDSHAKE_ABORTED,
    NT_F_TLS_CERT_NAME_MISMATCH,
    NT_F_TLS_CERT_EXPIRED,
    NT_F_TLS_CERT_NOT_YET_VALID,
    NT_F_TLS_CLIENT_CA_LIST_LARGE,
    NT_F_TLS_RENEGOTIATION,
    NT_F_DNS_NO_SUCH_NAME,
    NT_F_DNS_SERVER_FAILURE,
    NT_F_DNS_NO_RESPONSE,
    NT_F_DNS_SLOW,
    NT_F_DNS_RESOLVED_ELSEWHERE,
    NT_F_SIP_ERROR_RESPONSE,
    NT_F_SIP_MEDIA_WITHOUT_BYE,
    NT_F_SIP_MEDIA_FAILED,
    NT_F_STUN_NO_RESPONSE,
    NT_F_STUN_ERROR,
    NT_F_ICMP_UNREACHABLE,
    NT_F_ICMP_TTL_EXCEEDED,
    NT_F_ARP_UNANSWERED,
    NT_F_CAPTURE_SNAPLEN,
    NT_F_CAPTURE_DROPPED,
    NT_F_CAPTURE_CHECKSUM_OFFLOAD,
    NT_F_CAPTURE_BAD_CHECKSUM,
    NT_F_COUNT
} nt_fcode;

extern const nt_finding_code nt_finding_codes[NT_F_COUNT];

/* ---- the shared context ------------------------------------------------- */

/* Also a table key (nt_hmap hashes its bytes): 17 bytes, no padding, so
 * an addr made with an initializer ({.fam = 4}) is the same key each time. */
typedef struct addr {
    uint8_t fam;      /* 4 or 6 */
    uint8_t a[16];    /* IPv4 in the first 4 bytes, the rest 0 */
} addr;

typedef struct ipinfo {
    uint8_t fam, ttl;
    const uint8_t *src, *dst;
} ipinfo;

/* What every module needs of a packet, found once (diag.c). */
typedef struct diag_pkt {
    const nt_packet *pkt;
    uint64_t frame;
    nt_time ts;
    bool has_ip;            /* the IPv4/IPv6 header nt_packet_outer finds, in ip */
    ipinfo ip;
    const nt_udp *udp;      /* the outer transport header when it is UDP */
    uint16_t sport, dport;  /* of the outer UDP or TCP header, else 0 */
    const nt_tcp *tcp;      /* the outer TCP header */
    const nt_conn *conn;    /* its connection record (conns.c), when it has one */
    uint32_t stream;
    int dir;                /* 0 client to server, 1 back */
} diag_pkt;

/* the rule modules, in the order they observe and finish */
enum { DIAG_NET, DIAG_DNS, DIAG_VOIP, DIAG_STUN, DIAG_TCP, DIAG_TLS, DIAG_CAPTURE, DIAG_NRULES };

typedef struct nt_diag_rule {
    const char *name;
    void *(*init)(nt_diag *d);
    void (*observe)(nt_diag *d, void *st, const diag_pkt *p);
    void (*finish)(nt_diag *d, void *st, const nt_trace *t);
    void (*free)(void *st);
} nt_diag_rule;

extern const nt_diag_rule nt_diag_net_rule, nt_diag_dns_rule, nt_diag_voip_rule, nt_diag_stun_rule,
    nt_diag_tcp_rule, nt_diag_tls_rule, nt_diag_capture_rule;

struct nt_diag {
    nt_diag_opts o;
    nt_conns conns;          /* fed every packet before the modules see it */
    void *st[DIAG_NRULES];   /* each module's state */
    nt_finding *f;
    size_t nf, fcap;
    /* what was read */
    uint64_t frames, first_frame, last_frame;
    nt_time first_ts, last_ts;
    bool have_ts;
};

/* an array of zeroed slots by number (a stream's, or a table row's: the
 * modules key their rows with nt_hmap, hash.h, whose values index such an
 * array), grown so that index fits */
void *nt_diag_grow(void *p, size_t *cap, size_t index, size_t size);

/* ---- facts one module keeps for another --------------------------------- */

/* net.c: a host's ordinary TTL (of its first packet that is not a reset),
 * frame 0 when not seen */
typedef struct diag_host_ttl {
    uint8_t ttl;
    uint64_t frame;
} diag_host_ttl;
diag_host_ttl nt_diag_host_ttl(const nt_diag *d, uint8_t fam, const uint8_t *a);
/* dns.c: the name a DNS answer gave for this address, or NULL */
const char *nt_diag_name_of(const nt_diag *d, uint8_t fam, const uint8_t *a, uint64_t *frame);
/* tls.c: the server's hello came but the client never went on (the
 * handshake was cut off: tls.handshake-aborted says it) */
bool nt_diag_tls_aborted(const nt_diag *d, uint32_t stream);

/* ---- building findings (findings.c) ------------------------------------- */

nt_finding *nt_diag_finding(nt_diag *d, nt_fcode code, nt_severity sev);
void nt_diag_frame(nt_finding *f, uint64_t frame);
void nt_diag_num(nt_finding *f, const char *key, double v);
void nt_diag_str(nt_finding *f, const char *key, const char *s);
void nt_diag_vprint(char *dst, size_t n, const char *fmt, va_list ap);
void nt_diag_sort_frames(uint64_t *f, uint8_t n);
void nt_diag_sort(nt_diag *d);
/* strings cut to fit, without the format-truncation warnings of snprintf */
void nt_diag_scpy(char *dst, size_t n, const char *src);
void nt_diag_addr_str(char *out, size_t n, const addr *a);
void nt_diag_ep_str(char *out, size_t n, uint8_t fam, const uint8_t *a, uint16_t port);
void nt_diag_conn_flow(char *out, size_t n, const nt_conn *c);
/* "1.5 s", "230 ms", "0.4 ms" */
const char *nt_diag_dur(char *buf, size_t n, double s);

/* the short names the rules are written with */
static inline nt_finding *finding(nt_diag *d, nt_fcode code) { return nt_diag_finding(d, code, nt_finding_codes[code].severity); }
static inline nt_finding *finding_sev(nt_diag *d, nt_fcode code, nt_severity sev) { return nt_diag_finding(d, code, sev); }
static inline void ff(nt_finding *f, uint64_t frame) { nt_diag_frame(f, frame); }
static inline void fnum(nt_finding *f, const char *key, double v) { nt_diag_num(f, key, v); }
static inline void fstr(nt_finding *f, const char *key, const char *s) { nt_diag_str(f, key, s); }
static inline void scpy(char *dst, size_t n, const char *src) { nt_diag_scpy(dst, n, src); }
static inline double secs(nt_time a, nt_time b) { return (double)nt_time_diff_ns(a, b) / 1e9; }
static inline const char *dur(char *buf, size_t n, double s) { return nt_diag_dur(buf, n, s); }

/* the sentence and the advice: printf-like, cleaned to valid UTF-8 */
static inline void ftext(nt_finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void ftext(nt_finding *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nt_diag_vprint(f->text, sizeof f->text, fmt, ap);
    va_end(ap);
}
static inline void fadvice(nt_finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void fadvice(nt_finding *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nt_diag_vprint(f->advice, sizeof f->advice, fmt, ap);
    va_end(ap);
}

#endif
