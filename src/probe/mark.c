/* mark.c - see mark.h. An unprivileged ICMP datagram socket ("ping
 * socket", allowed by net.ipv4.ping_group_range) is tried first, a raw
 * socket (root or CAP_NET_RAW) next; the kernel fills the checksum for
 * both except raw IPv4, where it is computed here. */
#include "nettracer/mark.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RTF_UP_ 0x0001
#define RTF_GATEWAY_ 0x0002
#define RTF_REJECT_ 0x0200

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* n bytes from 2n hex digits */
static bool hexbytes(const char *s, size_t slen, uint8_t *out, size_t n)
{
    if (slen != 2 * n) return false;
    for (size_t i = 0; i < n; i++) {
        int a = hexval(s[2 * i]), b = hexval(s[2 * i + 1]);
        if (a < 0 || b < 0) return false;
        out[i] = (uint8_t)(a << 4 | b);
    }
    return true;
}

/* 1 to 8 hex digits (the flags column has 4) */
static bool hexu32(const char *s, size_t slen, uint32_t *v)
{
    if (slen < 1 || slen > 8) return false;
    *v = 0;
    for (size_t i = 0; i < slen; i++) {
        int d = hexval(s[i]);
        if (d < 0) return false;
        *v = *v << 4 | (uint32_t)d;
    }
    return true;
}

/* splits a line into whitespace-separated fields */
static int fields(const char *line, size_t len, const char **f, size_t *fl, int max)
{
    int n = 0;
    size_t i = 0;
    while (i < len && n < max) {
        while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
        if (i >= len) break;
        size_t s = i;
        while (i < len && line[i] != ' ' && line[i] != '\t') i++;
        f[n] = line + s;
        fl[n] = i - s;
        n++;
    }
    return n;
}

int nt_route_default_parse(int family, const char *text, uint8_t addr[16], char *iface, size_t iface_len)
{
    uint32_t best = UINT32_MAX;
    bool found = false;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *f[12];
        size_t fl[12];
        int n = fields(p, len, f, fl, 12);
        p += len + (nl ? 1 : 0);
        if (family == 4) {
            /* Iface Destination Gateway Flags RefCnt Use Metric Mask ...; the
             * addresses are in network order printed as a host-order number */
            uint32_t dst, gw, flags, metric, mask;
            if (n < 8 || fl[1] != 8 || fl[2] != 8 || fl[7] != 8 || !hexu32(f[1], fl[1], &dst) ||
                !hexu32(f[2], fl[2], &gw) || !hexu32(f[3], fl[3], &flags) || !hexu32(f[7], fl[7], &mask))
                continue;
            char m[16];
            if (fl[6] >= sizeof m) continue;
            memcpy(m, f[6], fl[6]);
            m[fl[6]] = 0;
            metric = (uint32_t)strtoul(m, NULL, 10);
            if (dst || mask || !(flags & RTF_GATEWAY_) || !(flags & RTF_UP_) || !gw) continue;
            if (found && metric >= best) continue;
            /* "010200C0" is 192.0.2.1: the bytes reversed */
            addr[0] = (uint8_t)gw, addr[1] = (uint8_t)(gw >> 8), addr[2] = (uint8_t)(gw >> 16), addr[3] = (uint8_t)(gw >> 24);
            snprintf(iface, iface_len, "%.*s", (int)fl[0], f[0]);
            best = metric;
            found = true;
        } else {
            /* dst dstlen src srclen nexthop metric refcnt use flags iface */
            uint8_t dst[16], nh[16];
            uint32_t plen, metric, flags;
            if (n < 10 || !hexbytes(f[0], fl[0], dst, 16) || !hexbytes(f[4], fl[4], nh, 16) ||
                !hexu32(f[5], fl[5], &metric) || !hexu32(f[8], fl[8], &flags) || fl[1] != 2)
                continue;
            plen = (uint32_t)(hexval(f[1][0]) << 4 | hexval(f[1][1]));
            static const uint8_t zero[16];
            if (plen != 0 || memcmp(dst, zero, 16) || !memcmp(nh, zero, 16)) continue;
            if (!(flags & RTF_GATEWAY_) || (flags & RTF_REJECT_)) continue;
            if (found && metric >= best) continue;
            memcpy(addr, nh, 16);
            snprintf(iface, iface_len, "%.*s", (int)fl[9], f[9]);
            best = metric;
            found = true;
        }
    }
    return found ? 0 : -1;
}

int nt_route_default(int family, uint8_t addr[16], char *iface, size_t iface_len, nt_error *err)
{
    const char *path = family == 4 ? "/proc/net/route" : "/proc/net/ipv6_route";
    FILE *fp = fopen(path, "r");
    if (!fp) {
        nt_error_set(err, errno, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    if (!text) abort();
    size_t got;
    while ((got = fread(text + len, 1, cap - 1 - len, fp)) > 0) {
        len += got;
        if (len == cap - 1) {
            cap *= 2;
            char *t = realloc(text, cap);
            if (!t) abort();
            text = t;
        }
    }
    text[len] = 0;
    fclose(fp);
    int rc = nt_route_default_parse(family, text, addr, iface, iface_len);
    free(text);
    if (rc) nt_error_set(err, ENETUNREACH, "no default %s gateway in %s: give the address with --to ADDR",
                         family == 4 ? "IPv4" : "IPv6", path);
    return rc;
}

void nt_mark_payload(uint8_t *dst, uint32_t size)
{
    static const char text[] = "nettracer marker ";
    for (uint32_t i = 0; i < size; i++) dst[i] = (uint8_t)text[i % (sizeof text - 1)];
}

static uint16_t inet_cksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Is buf (as the socket gives it) our echo reply? */
static bool is_reply(int family, bool raw, const uint8_t *buf, size_t n, uint16_t id, uint16_t seq, uint32_t size)
{
    nt_cur c = nt_cur_make(buf, n);
    if (family == 4 && raw) {
        uint8_t vihl = nt_cur_u8(&c);
        if ((vihl >> 4) != 4 || !nt_cur_skip(&c, (size_t)(vihl & 15) * 4 - 1)) return false;
    }
    uint8_t type = nt_cur_u8(&c);
    nt_cur_skip(&c, 3);
    uint16_t rid = nt_cur_be16(&c), rseq = nt_cur_be16(&c);
    if (c.bad || type != (family == 4 ? 0 : 129) || rseq != seq || nt_cur_left(&c) != size) return false;
    /* a datagram socket's replies are ours whatever the id (the kernel rewrote it) */
    return !raw || rid == id;
}

int nt_mark_send(const nt_mark_req *req, nt_mark_result *res, nt_error *err)
{
    memset(res, 0, sizeof *res);
    int family = req->family == 6 ? 6 : 4;
    int af = family == 4 ? AF_INET : AF_INET6;
    struct sockaddr_storage ss = {0};
    socklen_t sl;
    uint8_t a[16];
    if (req->to) {
        if (inet_pton(af, req->to, a) != 1) {
            nt_error_set(err, EINVAL, "'%s' is not an IPv%d address", req->to, family);
            return -1;
        }
    } else {
        if (nt_route_default(family, a, res->iface, sizeof res->iface, err)) return -1;
        res->gateway = true;
    }
    if (family == 4) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, a, 4);
        sl = sizeof *s4;
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, a, 16);
        /* a link-local gateway is reached through its interface */
        if (res->iface[0] && a[0] == 0xfe && (a[1] & 0xc0) == 0x80) s6->sin6_scope_id = if_nametoindex(res->iface);
        sl = sizeof *s6;
    }
    inet_ntop(af, a, res->dst, sizeof res->dst);

    int proto = family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
    bool raw = false;
    int fd = socket(af, SOCK_DGRAM | SOCK_CLOEXEC, proto);
    int dgram_errno = errno;
    if (fd < 0) {
        fd = socket(af, SOCK_RAW | SOCK_CLOEXEC, proto);
        raw = true;
    }
    if (fd < 0) {
        nt_error_set(err, EPERM,
                     "cannot open an ICMP socket (%s; raw: %s): run as root, grant CAP_NET_RAW, or allow your group "
                     "in net.ipv4.ping_group_range",
                     strerror(dgram_errno), strerror(errno));
        return -1;
    }
    res->socket = raw ? "raw" : "datagram";
    res->id = (uint16_t)(getpid() & 0xffff);
    res->seq = 1;
    size_t n = 8 + (size_t)req->size;
    uint8_t *pkt = calloc(1, n), *rbuf = malloc(n + 128);
    if (!pkt || !rbuf) abort();
    pkt[0] = family == 4 ? 8 : 128;
    pkt[4] = (uint8_t)(res->id >> 8), pkt[5] = (uint8_t)res->id;
    pkt[6] = (uint8_t)(res->seq >> 8), pkt[7] = (uint8_t)res->seq;
    nt_mark_payload(pkt + 8, req->size);
    if (family == 4) {
        uint16_t ck = inet_cksum(pkt, n);
        pkt[2] = (uint8_t)(ck >> 8), pkt[3] = (uint8_t)ck;
    }
    int rc = 0;
    double t0 = mono_ms();
    if (sendto(fd, pkt, n, 0, (struct sockaddr *)&ss, sl) != (ssize_t)n) {
        nt_error_set(err, errno, "sending the marker to %s failed: %s", res->dst, strerror(errno));
        rc = -1;
    }
    /* the datagram socket's id is its local port: report what went out */
    if (!raw && rc == 0) {
        struct sockaddr_storage me;
        socklen_t ml = sizeof me;
        if (getsockname(fd, (struct sockaddr *)&me, &ml) == 0)
            res->id = ntohs(family == 4 ? ((struct sockaddr_in *)&me)->sin_port
                                        : ((struct sockaddr_in6 *)&me)->sin6_port);
    }
    while (rc == 0 && req->wait > 0) {
        double left = req->wait * 1000 - (mono_ms() - t0);
        if (left <= 0) break;
        struct pollfd pf = {fd, POLLIN, 0};
        int pr = poll(&pf, 1, (int)left + 1);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) break;
        ssize_t got = recv(fd, rbuf, n + 128, 0);
        if (got < 0) break;
        if (is_reply(family, raw, rbuf, (size_t)got, res->id, res->seq, req->size)) {
            res->replied = true;
            res->rtt_ms = mono_ms() - t0;
            break;
        }
    }
    close(fd);
    free(pkt);
    free(rbuf);
    return rc;
}
