/* probe.h - active checks that talk to the network: the DNS exchange behind
 * `nettracer dns` (UDP with TCP fallback, timeout, retries) and the steps
 * of `nettracer check` (resolve, connect, TLS, certificate). Every wait is
 * bounded by a timeout; every failure comes back as an nt_error whose text
 * names the cause. */
#ifndef NETTRACER_PROBE_H
#define NETTRACER_PROBE_H

#include "nettracer/core.h"
#include "nettracer/dns.h"

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

#endif
