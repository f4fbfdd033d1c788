/* dns_exchange.c - one DNS question asked directly of a server: UDP (a
 * connected socket, so an ICMP port unreachable comes back as a refusal),
 * re-sent up to `tries` times, then TCP when the answer has TC set or when
 * asked. A datagram that is not the answer (wrong id or question) is
 * ignored, as resolvers do, until the try's time is up. */
#include "nettracer/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

int64_t nt_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

bool nt_parse_hostport_addr(const char *s, uint16_t defport, struct sockaddr_storage *ss, socklen_t *slen)
{
    char host[INET6_ADDRSTRLEN + 2];
    const char *port = NULL;
    memset(ss, 0, sizeof *ss);
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || (size_t)(close - s - 1) >= sizeof host) return false;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = 0;
        if (close[1] == ':') port = close + 2;
        else if (close[1]) return false;
    } else {
        const char *colon = strchr(s, ':');
        if (colon && !strchr(colon + 1, ':')) { /* one colon: IPv4:port */
            if ((size_t)(colon - s) >= sizeof host) return false;
            memcpy(host, s, (size_t)(colon - s));
            host[colon - s] = 0;
            port = colon + 1;
        } else {
            if (strlen(s) >= sizeof host) return false;
            strcpy(host, s);
        }
    }
    unsigned long p = defport;
    if (port) {
        char *end;
        if (!*port) return false;
        p = strtoul(port, &end, 10);
        if (*end || p == 0 || p > 65535) return false;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)p);
        *slen = sizeof *a4;
        return true;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)p);
        *slen = sizeof *a6;
        return true;
    }
    return false;
}

void nt_sockaddr_str(const struct sockaddr *sa, char *out, size_t outsz)
{
    char h[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &a->sin_addr, h, sizeof h);
        snprintf(out, outsz, "%s:%u", h, ntohs(a->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &a->sin6_addr, h, sizeof h);
        snprintf(out, outsz, "[%s]:%u", h, ntohs(a->sin6_port));
    } else {
        snprintf(out, outsz, "(address family %d)", sa->sa_family);
    }
}

bool nt_resolv_conf_server(const char *path, struct sockaddr_storage *ss, socklen_t *slen)
{
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[512];
    bool ok = false;
    while (!ok && fgets(line, sizeof line, f)) {
        char addr[256];
        if (sscanf(line, " nameserver %255s", addr) != 1) continue;
        char *pct = strchr(addr, '%'); /* a scope id (fe80::1%eth0): not kept */
        if (pct) *pct = 0;
        ok = nt_parse_hostport_addr(addr, NT_DNS_PORT, ss, slen);
    }
    fclose(f);
    return ok;
}

/* Is this the answer to our question? Same id, QR set, same first question
 * (name compared case-insensitively, RFC 4343). A FORMERR with no question
 * section is accepted: servers that cannot parse the query answer so. */
static bool is_answer(const uint8_t *qb, size_t ql, const uint8_t *rb, size_t rl)
{
    nt_dns_msg q, r;
    if (nt_dns_parse(qb, ql, &q) || nt_dns_parse(rb, rl, &r)) return false;
    if (q.h.id != r.h.id || !r.h.qr) return false;
    if (r.h.qdcount == 0) return r.h.rcode != 0;
    nt_dns_iter iq, ir;
    nt_dns_rr a, b;
    nt_dns_iter_init(&iq, &q);
    nt_dns_iter_init(&ir, &r);
    if (!nt_dns_next(&iq, &a) || !nt_dns_next(&ir, &b) || b.section != NT_DNS_SEC_QD) return false;
    if (a.type != b.type || a.rclass != b.rclass) return false;
    char na[NT_DNS_NAME_TEXT_MAX], nb[NT_DNS_NAME_TEXT_MAX];
    if (nt_dns_name(qb, ql, a.name_off, na, sizeof na, NULL, NULL)) return false;
    if (nt_dns_name(rb, rl, b.name_off, nb, sizeof nb, NULL, NULL)) return false;
    return strcasecmp(na, nb) == 0;
}

static int udp_exchange(nt_dns_exchange *x, const uint8_t *qb, size_t ql, nt_error *e)
{
    char sa[80];
    nt_sockaddr_str((struct sockaddr *)&x->server, sa, sizeof sa);
    int fd = socket(x->server.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&x->server, x->server_len) < 0) {
        nt_error_set(e, errno, "cannot send to %s: %s", sa, strerror(errno));
        if (fd >= 0) close(fd);
        return NT_ERR;
    }
    for (int t = 0; t < x->tries; t++) {
        x->udp_tries = t + 1;
        int64_t start = nt_now_ns(), deadline = start + (int64_t)x->timeout_ms * 1000000;
        if (send(fd, qb, ql, 0) < 0) {
            int err = errno;
            if (err == ECONNREFUSED)
                nt_error_set(e, err, "%s refused the query: an ICMP port unreachable came back, no DNS server listens there", sa);
            else
                nt_error_set(e, err, "cannot send to %s: %s", sa, strerror(err));
            close(fd);
            return NT_ERR;
        }
        for (;;) {
            int64_t left = deadline - nt_now_ns();
            if (left <= 0) break;
            struct pollfd pfd = {fd, POLLIN, 0};
            int pr = poll(&pfd, 1, (int)((left + 999999) / 1000000));
            if (pr < 0 && errno == EINTR) continue;
            if (pr <= 0) break;
            ssize_t n = recv(fd, x->resp, sizeof x->resp, 0);
            if (n < 0) {
                int err = errno;
                if (err == ECONNREFUSED)
                    nt_error_set(e, err, "%s refused the query: an ICMP port unreachable came back, no DNS server listens there", sa);
                else
                    nt_error_set(e, err, "receiving from %s: %s", sa, strerror(err));
                close(fd);
                return NT_ERR;
            }
            if (!is_answer(qb, ql, x->resp, (size_t)n)) continue;
            x->resp_len = (size_t)n;
            x->rtt_ns = nt_now_ns() - start;
            close(fd);
            return NT_OK;
        }
    }
    close(fd);
    nt_error_set(e, ETIMEDOUT, "no response from %s over UDP after %d tr%s of %d ms each", sa, x->tries,
                 x->tries == 1 ? "y" : "ies", x->timeout_ms);
    return NT_ERR;
}

/* Waits until fd is ready for `events` or the deadline passes. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - nt_now_ns();
        if (left <= 0) return 0;
        struct pollfd pfd = {fd, events, 0};
        int pr = poll(&pfd, 1, (int)((left + 999999) / 1000000));
        if (pr < 0 && errno == EINTR) continue;
        return pr;
    }
}

static int tcp_exchange(nt_dns_exchange *x, const uint8_t *qb, size_t ql, nt_error *e)
{
    char sa[80];
    nt_sockaddr_str((struct sockaddr *)&x->server, sa, sizeof sa);
    int64_t start = nt_now_ns(), deadline = start + (int64_t)x->timeout_ms * 1000000;
    int fd = socket(x->server.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        nt_error_set(e, errno, "socket: %s", strerror(errno));
        return NT_ERR;
    }
    if (connect(fd, (struct sockaddr *)&x->server, x->server_len) < 0 && errno != EINPROGRESS) {
        nt_error_set(e, errno, "TCP connect to %s: %s", sa, strerror(errno));
        close(fd);
        return NT_ERR;
    }
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (wait_fd(fd, POLLOUT, deadline) <= 0) {
        nt_error_set(e, ETIMEDOUT, "TCP connect to %s timed out after %d ms (SYN unanswered)", sa, x->timeout_ms);
        close(fd);
        return NT_ERR;
    }
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (soerr) {
        if (soerr == ECONNREFUSED) nt_error_set(e, soerr, "TCP connect to %s refused (a reset came back)", sa);
        else nt_error_set(e, soerr, "TCP connect to %s: %s", sa, strerror(soerr));
        close(fd);
        return NT_ERR;
    }
    uint8_t frame[2 + 65535]; /* on the stack: no state shared between exchanges or threads */
    frame[0] = (uint8_t)(ql >> 8);
    frame[1] = (uint8_t)ql;
    memcpy(frame + 2, qb, ql);
    size_t sent = 0, flen = ql + 2;
    while (sent < flen) {
        if (wait_fd(fd, POLLOUT, deadline) <= 0) goto timeout;
        ssize_t n = send(fd, frame + sent, flen - sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n < 0) {
            nt_error_set(e, errno, "sending to %s over TCP: %s", sa, strerror(errno));
            close(fd);
            return NT_ERR;
        }
        sent += (size_t)n;
    }
    size_t got = 0;
    for (;;) {
        const uint8_t *msg;
        size_t mlen;
        if (nt_dns_tcp_message(frame, got, &msg, &mlen)) {
            if (!is_answer(qb, ql, msg, mlen)) {
                nt_error_set(e, NT_ERR, "%s answered over TCP with a message that does not match the question", sa);
                close(fd);
                return NT_ERR;
            }
            memcpy(x->resp, msg, mlen);
            x->resp_len = mlen;
            x->rtt_ns = nt_now_ns() - start;
            x->used_tcp = true;
            close(fd);
            return NT_OK;
        }
        if (got == sizeof frame) break;
        if (wait_fd(fd, POLLIN, deadline) <= 0) goto timeout;
        ssize_t n = recv(fd, frame + got, sizeof frame - got, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) {
            nt_error_set(e, n < 0 ? errno : ECONNRESET,
                         "%s closed the TCP connection before a whole answer (%zu bytes received)", sa, got);
            close(fd);
            return NT_ERR;
        }
        got += (size_t)n;
    }
timeout:
    nt_error_set(e, ETIMEDOUT, "no answer from %s over TCP within %d ms", sa, x->timeout_ms);
    close(fd);
    return NT_ERR;
}

int nt_dns_exchange_run(nt_dns_exchange *x, const nt_dns_query *q, nt_error *e)
{
    uint8_t qb[NT_DNS_HDR_LEN + NT_DNS_NAME_MAX + 4 + 11];
    size_t ql;
    nt_dns_err de = nt_dns_build_query(q, false, qb, sizeof qb, &ql);
    if (de) {
        nt_error_set(e, NT_ERR, "cannot encode the query for '%s': %s", q->name, nt_dns_strerror(de));
        return NT_ERR;
    }
    x->resp_len = 0;
    x->used_tcp = x->fell_back = false;
    x->udp_tries = 0;
    if (x->tries < 1) x->tries = 1;
    if (!x->tcp_only) {
        if (udp_exchange(x, qb, ql, e)) return NT_ERR;
        nt_dns_msg m;
        if (nt_dns_parse(x->resp, x->resp_len, &m) || !m.h.tc) return NT_OK;
        x->fell_back = true;
    }
    return tcp_exchange(x, qb, ql, e);
}
