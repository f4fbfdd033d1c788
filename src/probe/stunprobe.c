/* stunprobe.c - sockets, TLS and timing for `nettracer stun` (see
 * stunprobe.h). Every wait is bounded by the caller's deadline; UDP
 * requests are retransmitted at 0, 0.5, 1.5, 3.5, 7.5 ... s (RFC 5389
 * 7.2.1: RTO 500 ms doubling, at most 7 sends), TCP and TLS send once (the
 * transport is reliable) and read a whole framed message. */
#include "nettracer/stunprobe.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

struct nt_stun_conn {
    int fd;
    nt_stun_transport tr;
    SSL_CTX *ctx;
    SSL *ssl;
    char tls_info[512];
    uint8_t rbuf[70000];      /* stream transports: bytes read ahead */
    size_t rlen;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int wait_fd(int fd, short ev, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_us();
        if (left <= 0) return 0;
        struct pollfd p = {fd, ev, 0};
        int r = poll(&p, 1, (int)((left + 999) / 1000));
        if (r < 0 && errno == EINTR) continue;
        return r;
    }
}

static const char *ssl_err(void)
{
    unsigned long e = ERR_get_error();
    return e ? ERR_reason_error_string(e) : "connection closed";
}

/* SSL_connect/read/write on a non-blocking socket, waiting as asked. */
static int ssl_wait(nt_stun_conn *c, int rc, int64_t deadline)
{
    int e = SSL_get_error(c->ssl, rc);
    if (e == SSL_ERROR_WANT_READ) return wait_fd(c->fd, POLLIN, deadline);
    if (e == SSL_ERROR_WANT_WRITE) return wait_fd(c->fd, POLLOUT, deadline);
    return -1;
}

static void describe_tls(nt_stun_conn *c)
{
    X509 *x = SSL_get1_peer_certificate(c->ssl);
    char subj[256] = "none";
    if (x) {
        X509_NAME_oneline(X509_get_subject_name(x), subj, sizeof subj);
        X509_free(x);
    }
    long v = SSL_get_verify_result(c->ssl);
    snprintf(c->tls_info, sizeof c->tls_info, "%s %s, certificate %s (%s; not required for this test)",
             SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl), subj,
             v == X509_V_OK ? "trusted" : X509_verify_cert_error_string(v));
}

nt_stun_conn *nt_stun_connect(const char *host, uint16_t port, nt_stun_transport tr, int family, int timeout_ms,
                              char *addr, size_t addrlen, nt_error *err)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = tr == NT_STUN_UDP ? SOCK_DGRAM : SOCK_STREAM;
    char ports[8];
    snprintf(ports, sizeof ports, "%u", port);
    int g = getaddrinfo(host, ports, &hints, &res);
    if (g != 0) {
        nt_error_set(err, NT_ERR, "cannot resolve '%s': %s", host, gai_strerror(g));
        return NULL;
    }
    int64_t deadline = now_us() + (int64_t)timeout_ms * 1000;
    nt_stun_conn *c = calloc(1, sizeof *c);
    if (!c) {
        freeaddrinfo(res);
        nt_error_set(err, ENOMEM, "out of memory");
        return NULL;
    }
    c->fd = -1;
    c->tr = tr;
    /* the first address that answers; UDP "connects" to the first */
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, (socklen_t)addrlen, NULL, 0, NI_NUMERICHOST);
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            nt_error_set(err, errno, "socket: %s", strerror(errno));
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            c->fd = fd;
            break;
        }
        if (errno == EINPROGRESS) {
            int w = wait_fd(fd, POLLOUT, deadline);
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (w > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0) {
                c->fd = fd;
                break;
            }
            if (w == 0) nt_error_set(err, ETIMEDOUT, "TCP connection to %s port %u: no answer within %.1f s", addr, port, timeout_ms / 1000.0);
            else nt_error_set(err, soerr, "TCP connection to %s port %u: %s", addr, port, strerror(soerr));
        } else {
            nt_error_set(err, errno, "connect to %s port %u: %s", addr, port, strerror(errno));
        }
        close(fd);
    }
    freeaddrinfo(res);
    if (c->fd < 0) {
        free(c);
        return NULL;
    }
    if (tr == NT_STUN_TLS) {
        c->ctx = SSL_CTX_new(TLS_client_method());
        c->ssl = c->ctx ? SSL_new(c->ctx) : NULL;
        if (!c->ssl) {
            nt_error_set(err, NT_ERR, "TLS set-up failed: %s", ssl_err());
            nt_stun_close(c);
            return NULL;
        }
        SSL_CTX_set_default_verify_paths(c->ctx);
        SSL_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
        SSL_set_fd(c->ssl, c->fd);
        /* SNI carries names only (RFC 6066 3), never an address literal */
        unsigned char tmp[16];
        if (inet_pton(AF_INET, host, tmp) != 1 && inet_pton(AF_INET6, host, tmp) != 1)
            SSL_set_tlsext_host_name(c->ssl, host);
        for (;;) {
            int rc = SSL_connect(c->ssl);
            if (rc == 1) break;
            int w = ssl_wait(c, rc, deadline);
            if (w > 0) continue;
            if (w == 0) nt_error_set(err, ETIMEDOUT, "TLS handshake with %s port %u: no answer within %.1f s", addr, port, timeout_ms / 1000.0);
            else nt_error_set(err, NT_ERR, "TLS handshake with %s port %u failed: %s", addr, port, ssl_err());
            nt_stun_close(c);
            return NULL;
        }
        describe_tls(c);
    }
    return c;
}

const char *nt_stun_conn_tls_info(const nt_stun_conn *c) { return c->tls_info; }

void nt_stun_conn_local(const nt_stun_conn *c, char *out, size_t n)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char h[64] = "?", p[8] = "?";
    if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0)
        getnameinfo((struct sockaddr *)&ss, sl, h, sizeof h, p, sizeof p, NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(out, n, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, p);
}

void nt_stun_close(nt_stun_conn *c)
{
    if (!c) return;
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    if (c->ctx) SSL_CTX_free(c->ctx);
    if (c->fd >= 0) close(c->fd);
    free(c);
}

static bool same_tid(const uint8_t *a, size_t alen, const uint8_t *req)
{
    return alen >= 20 && memcmp(a + 4, req + 4, 16) == 0;
}

static int send_all(nt_stun_conn *c, const uint8_t *p, size_t n, int64_t deadline, nt_error *err)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w;
        if (c->ssl) {
            int rc = SSL_write(c->ssl, p + done, (int)(n - done));
            if (rc <= 0) {
                int r = ssl_wait(c, rc, deadline);
                if (r > 0) continue;
                nt_error_set(err, NT_ERR, "TLS write failed: %s", r == 0 ? "timed out" : ssl_err());
                return -1;
            }
            w = rc;
        } else {
            w = send(c->fd, p + done, n - done, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN && wait_fd(c->fd, POLLOUT, deadline) > 0) continue;
                nt_error_set(err, errno, "send: %s", strerror(errno));
                return -1;
            }
        }
        done += (size_t)w;
    }
    return 0;
}

/* Stream transports: reads until one whole STUN message is buffered or the
 * deadline passes. 1: message of *mlen bytes at rbuf; 0: timeout; -1 error. */
static int read_msg(nt_stun_conn *c, size_t *mlen, int64_t deadline, nt_error *err)
{
    for (;;) {
        if (c->rlen >= 4) {
            size_t need = 20 + ((size_t)c->rbuf[2] << 8 | c->rbuf[3]);
            if (c->rbuf[0] & 0xc0) need = (4 + ((size_t)c->rbuf[2] << 8 | c->rbuf[3]) + 3) & ~(size_t)3; /* ChannelData */
            if (c->rlen >= need) {
                *mlen = need;
                return 1;
            }
        }
        ssize_t r;
        if (c->ssl) {
            int rc = SSL_read(c->ssl, c->rbuf + c->rlen, (int)(sizeof c->rbuf - c->rlen));
            if (rc <= 0) {
                int w = ssl_wait(c, rc, deadline);
                if (w > 0) continue;
                if (w == 0) return 0;
                nt_error_set(err, NT_ERR, "TLS read failed: %s", ssl_err());
                return -1;
            }
            r = rc;
        } else {
            r = recv(c->fd, c->rbuf + c->rlen, sizeof c->rbuf - c->rlen, 0);
            if (r < 0 && errno == EAGAIN) {
                int w = wait_fd(c->fd, POLLIN, deadline);
                if (w > 0) continue;
                if (w == 0) return 0;
                nt_error_set(err, errno, "poll: %s", strerror(errno));
                return -1;
            }
            if (r < 0) {
                nt_error_set(err, errno, "receive: %s", strerror(errno));
                return -1;
            }
            if (r == 0) {
                nt_error_set(err, NT_ERR, "the server closed the connection");
                return -1;
            }
        }
        c->rlen += (size_t)r;
    }
}

int nt_stun_pseudo_tls(nt_stun_conn *c, const uint8_t random[32], int timeout_ms, nt_ptls_answer *a,
                       int64_t *rtt_us, nt_error *err)
{
    uint8_t hello[NT_PTLS_HELLO_LEN];
    int64_t start = now_us(), deadline = start + (int64_t)timeout_ms * 1000;
    memset(a, 0, sizeof *a);
    a->status = NT_PTLS_MORE;
    *rtt_us = 0;
    if (c->tr != NT_STUN_TCP) {
        nt_error_set(err, NT_ERR, "pseudo-TLS is for TCP only");
        return -1;
    }
    nt_ptls_client_hello(hello, random);
    if (send_all(c, hello, sizeof hello, deadline, err) < 0) return -1;
    for (;;) {
        if (c->rlen > 0 && nt_ptls_parse_answer(c->rbuf, c->rlen, a) != NT_PTLS_MORE) break;
        if (wait_fd(c->fd, POLLIN, deadline) == 0) return 0;
        ssize_t r = recv(c->fd, c->rbuf + c->rlen, sizeof c->rbuf - c->rlen, 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (r < 0) {
            nt_error_set(err, errno, "receive: %s", strerror(errno));
            return -1;
        }
        if (r == 0) {
            nt_error_set(err, NT_ERR, c->rlen ? "the server closed the connection in the middle of its answer"
                                              : "the server closed the connection without answering");
            return -1;
        }
        c->rlen += (size_t)r;
    }
    *rtt_us = now_us() - start;
    if (a->status != NT_PTLS_OK) {
        nt_error_set(err, NT_ERR, "the server answered with %s", a->why);
        return -1;
    }
    memmove(c->rbuf, c->rbuf + a->len, c->rlen - a->len);
    c->rlen -= a->len;
    return 1;
}

int nt_stun_transact(nt_stun_conn *c, const uint8_t *req, size_t reqlen, uint8_t *resp, size_t cap,
                     int timeout_ms, nt_stun_result *r, nt_error *err)
{
    memset(r, 0, sizeof *r);
    int64_t start = now_us(), deadline = start + (int64_t)timeout_ms * 1000;
    int64_t last_send = start;
    if (c->tr != NT_STUN_UDP) {
        if (send_all(c, req, reqlen, deadline, err) < 0) return -1;
        r->sends = 1;
        for (;;) {
            size_t mlen;
            int rc = read_msg(c, &mlen, deadline, err);
            if (rc <= 0) return rc;
            bool mine = same_tid(c->rbuf, mlen, req);
            if (mine) {
                size_t n = mlen < cap ? mlen : cap;
                memcpy(resp, c->rbuf, n);
                r->len = n;
                r->rtt_us = now_us() - last_send;
            } else {
                r->ignored++;
            }
            memmove(c->rbuf, c->rbuf + mlen, c->rlen - mlen);
            c->rlen -= mlen;
            if (mine) return 0;
        }
    }
    int64_t rto = 500000, next = start;
    for (;;) {
        int64_t t = now_us();
        if (t >= deadline) return 0;
        if (t >= next && r->sends < 7) {
            if (send(c->fd, req, reqlen, 0) < 0 && errno != ECONNREFUSED) {
                nt_error_set(err, errno, "send: %s", strerror(errno));
                return -1;
            }
            last_send = t;
            r->sends++;
            next = t + rto;
            rto *= 2;
        }
        int64_t until = r->sends < 7 && next < deadline ? next : deadline;
        int w = wait_fd(c->fd, POLLIN, until);
        if (w < 0) {
            nt_error_set(err, errno, "poll: %s", strerror(errno));
            return -1;
        }
        if (w == 0) continue;
        ssize_t n = recv(c->fd, resp, cap, 0);
        if (n < 0) {
            /* an ICMP port unreachable shows here on a connected UDP socket */
            if (errno == ECONNREFUSED) {
                r->unreachable++;
                continue;
            }
            if (errno == EAGAIN || errno == EINTR) continue;
            nt_error_set(err, errno, "receive: %s", strerror(errno));
            return -1;
        }
        if (same_tid(resp, (size_t)n, req)) {
            r->len = (size_t)n;
            r->rtt_us = now_us() - last_send;
            return 0;
        }
        r->ignored++;
    }
}
