/*
 * gencap.c - writes a synthetic but realistic classic pcap for benchmarks.
 *
 * Usage: gencap OUT.pcap SIZE_MB [SEED]
 *
 * The file is a little-endian, microsecond, LINKTYPE_ETHERNET pcap of at most
 * SIZE_MB MiB. Its traffic is built so that dissectors, reassembly and flow
 * tables have real work to do: thousands of interleaved TCP connections
 * (IPv4 and IPv6) with a three-way handshake carrying MSS/SACK_PERM/TS/WS,
 * HTTP/1.1 requests and responses or TLS 1.3 (ClientHello with SNI,
 * ServerHello, then application data records), delayed and every-other-segment
 * ACKs, slow-start bursts, occasional RTO, fast and spurious retransmissions
 * with duplicate ACKs and SACK/D-SACK blocks, FIN or RST closes, refused and
 * unanswered SYNs; DNS A+AAAA lookups (CNAME chains, NXDOMAIN with SOA), RTP
 * streams (172-byte UDP payloads every 20 ms each way), ICMP echo, ARP, and
 * ICMPv6 neighbour discovery plus echo. All IPv4, TCP, UDP and ICMP checksums
 * are valid. Addresses are in 10.0.0.0/8 and fd00::/8.
 *
 * Every connection is a small scripted state machine that plans its next few
 * packets ("a burst") with absolute times; a binary heap of connections,
 * ordered by the time of their next packet, interleaves them, so timestamps
 * increase monotonically and each flow keeps its own RTT and pacing. The
 * capture point is next to the clients (10.1/16, 10.3/16, fd00:0:0:1::/64):
 * their packets leave immediately, the servers' answers arrive one RTT later.
 * A fixed seed gives a byte-identical file. libc only.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* tuning                                                               */

#define T_START_SEC 1705309200ull /* Mon, 15 Jan 2024 09:00:00 GMT */
#define SPAWN_PER_SEC 30u         /* new sessions per second of trace */
#define N_CLIENTS4 2000u
#define N_SERVERS4 100u
#define N_PHONES 500u
#define N_CLIENTS6 500u
#define N_SERVERS6 50u
#define QCAP 256 /* planned packets per session (one burst at most) */
#define MAXBURST 64u
#define OBUF_SZ (16u << 20)
#define POOL_SZ (1u << 20)

/* ------------------------------------------------------------------ */
/* deterministic PRNG: xoshiro256** seeded with splitmix64              */

static uint64_t rs[4];

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
    uint64_t r = rs[1] * 5;
    r = ((r << 7) | (r >> 57)) * 9;
    uint64_t t = rs[1] << 17;
    rs[2] ^= rs[0];
    rs[3] ^= rs[1];
    rs[1] ^= rs[2];
    rs[0] ^= rs[3];
    rs[2] ^= t;
    rs[3] = (rs[3] << 45) | (rs[3] >> 19);
    return r;
}

/* uniform in [lo, hi], inclusive */
static uint32_t rr(uint32_t lo, uint32_t hi)
{
    uint64_t span = (uint64_t)hi - lo + 1;
    return lo + (uint32_t)(((rnd() >> 32) * span) >> 32);
}

static int chance(uint32_t per_mille) { return rr(0, 999) < per_mille; }

/* roughly log-uniform in [lo, hi]: pick an octave, then a value in it */
static uint32_t logu(uint32_t lo, uint32_t hi)
{
    uint32_t oct = 0;
    while (((uint64_t)lo << (oct + 1)) <= hi)
        oct++;
    uint32_t o = rr(0, oct);
    uint64_t a = (uint64_t)lo << o, b = a * 2;
    if (b > hi)
        b = hi;
    return rr((uint32_t)a, (uint32_t)b);
}

/* ------------------------------------------------------------------ */
/* byte helpers and checksums                                           */

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void put24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    put16(p + 1, v);
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}
static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint64_t sum16(const uint8_t *p, size_t n)
{
    uint64_t s = 0;
    size_t i;
    for (i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint64_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* random bytes that payloads are copied from; the same stream offset always
 * gives the same bytes, so a retransmission repeats its original exactly */
static uint8_t pool[POOL_SZ + 2048];

/* ------------------------------------------------------------------ */
/* hosts                                                                */

typedef struct {
    uint8_t ip[16];
    uint8_t mac[6];
    uint8_t v6;
} host_t;

static void host4(host_t *h, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    memset(h, 0, sizeof *h);
    h->ip[0] = a, h->ip[1] = b, h->ip[2] = c, h->ip[3] = d;
    h->mac[0] = 0x02, h->mac[1] = 0x00;
    memcpy(h->mac + 2, h->ip, 4);
}

static void host6(host_t *h, uint8_t net, uint16_t id)
{
    memset(h, 0, sizeof *h);
    h->v6 = 1;
    h->ip[0] = 0xfd;
    h->ip[7] = net;
    put16(h->ip + 14, id);
    h->mac[0] = 0x02, h->mac[1] = 0x66;
    memcpy(h->mac + 2, h->ip + 12, 4);
}

static void client4(host_t *h, uint32_t i) { host4(h, 10, 1, (uint8_t)(i / 250), (uint8_t)(1 + i % 250)); }
static void server4(host_t *h, uint32_t i) { host4(h, 10, 2, 0, (uint8_t)(1 + i)); }
static void phone4(host_t *h, uint32_t i) { host4(h, 10, 3, (uint8_t)(i / 250), (uint8_t)(1 + i % 250)); }
static void client6(host_t *h, uint32_t i) { host6(h, 1, (uint16_t)(0x100 + i)); }
static void server6(host_t *h, uint32_t i) { host6(h, 2, (uint16_t)(1 + i)); }

/* skewed towards the first servers, as real traffic is */
static uint32_t pick_server(uint32_t n) { return (rr(0, n - 1) * rr(0, n - 1)) / (n - 1); }

static uint16_t eph4[N_CLIENTS4], eph6[N_CLIENTS6], rtpport[N_PHONES];

static uint16_t next_eph(uint16_t *c)
{
    uint16_t p = *c;
    *c = (uint16_t)(p >= 60999 ? 32768 : p + 1);
    return p;
}

/* ------------------------------------------------------------------ */
/* application messages carried over TCP                                */

enum { M_RAW, M_TLS };

/* A message is an explicit prefix (HTTP header, TLS handshake) followed by a
 * body: raw pool bytes, or TLS application-data records of `rec` bytes (the
 * last one shorter) whose headers are computed from the offset. */
typedef struct {
    uint32_t base;  /* TCP sequence number of the first byte */
    uint32_t total; /* bytes on the wire */
    uint32_t plen;  /* prefix bytes */
    uint32_t body;  /* body payload bytes, without record headers */
    uint32_t rec;   /* TLS record payload size */
    uint32_t key;   /* pool offset of body bytes */
    uint8_t kind;
    uint8_t pre[1024];
} msg_t;

static void msg_set(msg_t *m, uint8_t kind, uint32_t body, uint32_t rec)
{
    m->kind = kind;
    m->body = body;
    m->rec = rec ? rec : 1;
    m->key = rr(0, POOL_SZ - 1);
    uint32_t wire = body;
    if (kind == M_TLS && body)
        wire += 5 * ((body + m->rec - 1) / m->rec);
    m->total = m->plen + wire;
}

/* end offset of the PDU (HTTP message, TLS record) holding offset off */
static uint32_t msg_pdu_end(const msg_t *m, uint32_t off)
{
    if (m->kind == M_RAW)
        return m->total;
    if (off < m->plen)
        return m->plen;
    uint32_t rl = m->rec + 5, end = m->plen + (off - m->plen) / rl * rl + rl;
    return end < m->total ? end : m->total;
}

static void msg_fill(const msg_t *m, uint32_t off, uint8_t *dst, uint32_t n)
{
    while (n) {
        uint32_t k;
        if (off < m->plen) {
            k = m->plen - off < n ? m->plen - off : n;
            memcpy(dst, m->pre + off, k);
        } else if (m->kind == M_RAW) {
            k = n;
            memcpy(dst, pool + (m->key + off) % POOL_SZ, k);
        } else {
            uint32_t o = off - m->plen, rl = m->rec + 5;
            uint32_t r = o / rl, w = o % rl;
            uint32_t nrec = (m->body + m->rec - 1) / m->rec;
            uint32_t len = r == nrec - 1 ? m->body - r * m->rec : m->rec;
            if (w < 5) {
                uint8_t h[5] = {0x17, 0x03, 0x03, (uint8_t)(len >> 8), (uint8_t)len};
                k = 5 - w < n ? 5 - w : n;
                memcpy(dst, h + w, k);
            } else {
                k = len + 5 - w < n ? len + 5 - w : n;
                memcpy(dst, pool + (m->key + off) % POOL_SZ, k);
            }
        }
        dst += k, off += k, n -= k;
    }
}

/* ------------------------------------------------------------------ */
/* sessions                                                             */

enum { S_TCP, S_DNS, S_ICMP, S_ARP, S_ICMP6, S_RTP };
enum { K_TCP, K_SYN, K_DNSQ, K_DNSR, K_ECHO, K_ARP, K_NS, K_NA, K_ECHO6, K_RTP };
enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };
enum { X_NOOPT = 1, X_WIN0 = 2 };
enum { TP_SYN, TP_FLIGHT, TP_CLOSE, TP_DONE };
enum { APP_HTTP, APP_TLS };

/* one planned packet */
typedef struct {
    uint64_t t;
    uint32_t seq, ack; /* TCP; other kinds use them as parameters */
    uint32_t sl, sr;   /* one SACK block when sl != sr */
    uint16_t len;
    uint8_t dir, kind, flags, x;
} ev_t;

typedef struct {
    uint32_t isn, nxt, rcv; /* next seq to send; what we acknowledge */
    uint32_t ts_base, last_tsval;
    uint16_t win, synwin, ipid, mss, seg, cwnd;
    uint8_t ttl, ws;
} side_t;

typedef struct sess {
    uint64_t t_next, serial; /* heap key */
    uint8_t type;
    int qh, qn;
    uint64_t plan_end;
    ev_t q[QCAP];
    host_t h[2]; /* 0: near the capture point (client), 1: far */
    uint16_t port[2];
    uint32_t flowlabel;
    /* TCP */
    side_t s[2];
    msg_t m[2];
    uint8_t app, ts, phase, step, rounds, sack;
    uint32_t rtt, pace, srv_think, srv;
    int fl_dir;
    uint32_t fl_left;
    uint64_t fl_t, fl_last_data;
    uint8_t fl_loss, fl_rto, fl_spur;
    uint8_t sid[32];
    char sni[64];
    /* UDP / ICMP */
    uint16_t id16, seq16[2], seq0[2];
    uint32_t ssrc[2], rts[2], left[2];
    uint64_t nt[2];
    uint8_t pt;
    struct sess *free_next;
} sess_t;

static void q_push(sess_t *S, uint64_t t, uint8_t dir, uint8_t kind, uint8_t flags, uint32_t seq, uint32_t ack,
                   uint32_t len)
{
    if (S->qn >= QCAP) {
        fprintf(stderr, "gencap: internal error: plan queue full\n");
        exit(3);
    }
    ev_t *e = &S->q[S->qn++];
    memset(e, 0, sizeof *e);
    e->t = t, e->dir = dir, e->kind = kind, e->flags = flags;
    e->seq = seq, e->ack = ack, e->len = (uint16_t)len;
    if (t > S->plan_end)
        S->plan_end = t;
}

static void q_sack(sess_t *S, uint32_t l, uint32_t r)
{
    S->q[S->qn - 1].sl = l;
    S->q[S->qn - 1].sr = r;
}

/* stable insertion sort of the freshly planned burst by time */
static void q_sort(sess_t *S)
{
    for (int i = 1; i < S->qn; i++) {
        ev_t e = S->q[i];
        int j = i - 1;
        while (j >= 0 && S->q[j].t > e.t) {
            S->q[j + 1] = S->q[j];
            j--;
        }
        S->q[j + 1] = e;
    }
}

/* ------------------------------------------------------------------ */
/* TCP: message scripts                                                 */

static const char *const ua =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

static uint32_t resp_size(void)
{
    uint32_t r = rr(0, 999);
    if (r < 500)
        return logu(200, 4000);
    if (r < 910)
        return logu(4000, 40000);
    if (r < 990)
        return logu(40000, 400000);
    return logu(400000, 2000000);
}

static uint32_t srv_think(void)
{
    uint32_t r = rr(0, 999);
    if (r < 700)
        return rr(50, 3000);
    if (r < 950)
        return rr(3000, 60000);
    return rr(60000, 600000);
}

static uint32_t client_think(void)
{
    uint32_t r = rr(0, 999);
    if (r < 400)
        return rr(200, 20000);
    if (r < 800)
        return rr(20000, 300000);
    return rr(300000, 3000000);
}

static uint32_t put_tls_client_hello(sess_t *S, uint8_t *p)
{
    uint8_t *h = p + 5, *q = h + 4;
    p[0] = 0x16, p[1] = 3, p[2] = 1;
    h[0] = 1;
    *q++ = 3, *q++ = 3;
    memcpy(q, pool + rr(0, POOL_SZ - 1), 32), q += 32;
    *q++ = 32;
    memcpy(q, S->sid, 32), q += 32;
    static const uint8_t cs[] = {0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b, 0xc0,
                                 0x2f, 0xc0, 0x2c, 0xc0, 0x30, 0xcc, 0xa9, 0xcc, 0xa8};
    put16(q, sizeof cs), q += 2;
    memcpy(q, cs, sizeof cs), q += sizeof cs;
    *q++ = 1, *q++ = 0;
    uint8_t *el = q;
    q += 2;
    uint32_t n = (uint32_t)strlen(S->sni);
    put16(q, 0), put16(q + 2, n + 5), put16(q + 4, n + 3), q[6] = 0, put16(q + 7, n);
    memcpy(q + 9, S->sni, n), q += 9 + n;
    static const uint8_t ext[] = {
        0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,                                     /* ec_point_formats */
        0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, /* groups */
        0x00, 0x23, 0x00, 0x00,                                                 /* session_ticket */
        0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 'h',  '2',  0x08, 'h',  't',  't',
        'p',  '/',  '1',  '.',  '1',                                            /* alpn */
        0x00, 0x16, 0x00, 0x00,                                                 /* encrypt_then_mac */
        0x00, 0x17, 0x00, 0x00,                                                 /* ext. master secret */
        0x00, 0x0d, 0x00, 0x12, 0x00, 0x10, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03,
        0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06, 0x01,                         /* signature_algs */
        0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03,                   /* supported_versions */
        0x00, 0x2d, 0x00, 0x02, 0x01, 0x01,                                     /* psk modes */
        0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20,             /* key_share x25519 */
    };
    memcpy(q, ext, sizeof ext), q += sizeof ext;
    memcpy(q, pool + rr(0, POOL_SZ - 1), 32), q += 32;
    put16(el, (uint32_t)(q - el - 2));
    put24(h + 1, (uint32_t)(q - h - 4));
    put16(p + 3, (uint32_t)(q - h));
    return (uint32_t)(q - p);
}

static uint32_t put_tls_server_hello(sess_t *S, uint8_t *p)
{
    uint8_t *h = p + 5, *q = h + 4;
    p[0] = 0x16, p[1] = 3, p[2] = 3;
    h[0] = 2;
    *q++ = 3, *q++ = 3;
    memcpy(q, pool + rr(0, POOL_SZ - 1), 32), q += 32;
    *q++ = 32;
    memcpy(q, S->sid, 32), q += 32;
    *q++ = 0x13, *q++ = 0x01, *q++ = 0;
    static const uint8_t ext[] = {0x00, 0x2e, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
                                  0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20};
    memcpy(q, ext, sizeof ext), q += sizeof ext;
    memcpy(q, pool + rr(0, POOL_SZ - 1), 32), q += 32;
    put24(h + 1, (uint32_t)(q - h - 4));
    put16(p + 3, (uint32_t)(q - h));
    static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    memcpy(q, ccs, sizeof ccs), q += sizeof ccs;
    return (uint32_t)(q - p);
}

static const char *const paths[] = {"static/js/app.%u.js", "api/v1/items/%u", "images/thumb-%u.jpg",
                                    "downloads/pkg-%u.bin", "index.html?v=%u", "ews/exchange.asmx?id=%u"};

static void http_request(sess_t *S, msg_t *m)
{
    char path[64];
    snprintf(path, sizeof path, paths[rr(0, 5)], rr(1, 99999));
    uint32_t body = chance(80) ? logu(2000, 300000) : 0;
    const char *host = S->sni;
    if (body)
        m->plen = (uint32_t)snprintf((char *)m->pre, sizeof m->pre,
                                     "POST /upload/%u HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
                                     "Content-Type: application/octet-stream\r\nContent-Length: %u\r\n"
                                     "Connection: keep-alive\r\n\r\n",
                                     rr(1, 99999), host, ua, body);
    else
        m->plen = (uint32_t)snprintf((char *)m->pre, sizeof m->pre,
                                     "GET /%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
                                     "Accept-Encoding: gzip, deflate\r\nAccept-Language: en-US,en;q=0.9\r\n"
                                     "Connection: keep-alive\r\n\r\n",
                                     path, host, ua);
    msg_set(m, M_RAW, body, 0);
}

static void http_response(msg_t *m, uint64_t t)
{
    uint32_t s = (uint32_t)(t / 1000000 - T_START_SEC);
    uint32_t hh = (9 + s / 3600) % 24, mm = s / 60 % 60, ss = s % 60;
    uint32_t r = rr(0, 999), body;
    if (r < 60) {
        m->plen = (uint32_t)snprintf((char *)m->pre, sizeof m->pre,
                                     "HTTP/1.1 304 Not Modified\r\nServer: nginx/1.24.0\r\n"
                                     "Date: Mon, 15 Jan 2024 %02u:%02u:%02u GMT\r\nETag: \"%08x\"\r\n"
                                     "Connection: keep-alive\r\n\r\n",
                                     hh, mm, ss, rr(0, 0x7fffffff));
        body = 0;
    } else if (r < 90) {
        static const char nf[] = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
                                 "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n"
                                 "</body>\r\n</html>\r\n";
        m->plen = (uint32_t)snprintf((char *)m->pre, sizeof m->pre,
                                     "HTTP/1.1 404 Not Found\r\nServer: nginx/1.24.0\r\n"
                                     "Date: Mon, 15 Jan 2024 %02u:%02u:%02u GMT\r\nContent-Type: text/html\r\n"
                                     "Content-Length: %u\r\nConnection: keep-alive\r\n\r\n%s",
                                     hh, mm, ss, (unsigned)(sizeof nf - 1), nf);
        body = 0;
    } else {
        body = resp_size();
        m->plen = (uint32_t)snprintf((char *)m->pre, sizeof m->pre,
                                     "HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\n"
                                     "Date: Mon, 15 Jan 2024 %02u:%02u:%02u GMT\r\n"
                                     "Content-Type: application/octet-stream\r\nContent-Length: %u\r\n"
                                     "Cache-Control: max-age=3600\r\nConnection: keep-alive\r\n\r\n",
                                     hh, mm, ss, body);
    }
    msg_set(m, M_RAW, body, 0);
}

/* Sets up the next flight (message and direction) of the connection's script;
 * returns 0 when the script is over and the connection should close. */
static int next_message(sess_t *S, uint64_t t)
{
    uint8_t step = S->step++;
    msg_t *m;
    if (S->app == APP_TLS) {
        if (step == 0) {
            m = &S->m[0];
            m->plen = put_tls_client_hello(S, m->pre);
            msg_set(m, M_RAW, 0, 0);
            S->fl_dir = 0;
            return 1;
        }
        if (step == 1) {
            m = &S->m[1];
            m->plen = put_tls_server_hello(S, m->pre);
            uint32_t enc = rr(1500, 4800); /* EncryptedExtensions..Finished */
            msg_set(m, M_TLS, enc, enc);
            S->fl_dir = 1;
            return 1;
        }
        step -= 2;
        if (step / 2 >= S->rounds)
            return 0;
        if (step % 2 == 0) {
            m = &S->m[0];
            m->plen = 0;
            if (step == 0) { /* client ChangeCipherSpec + Finished, then the request */
                static const uint8_t fin[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x17, 0x03, 0x03, 0x00, 0x35};
                memcpy(m->pre, fin, sizeof fin);
                memcpy(m->pre + sizeof fin, pool + rr(0, POOL_SZ - 1), 53);
                m->plen = sizeof fin + 53;
            }
            uint32_t req = chance(60) ? logu(4000, 300000) : rr(80, 1200);
            msg_set(m, M_TLS, req, 16401);
            S->fl_dir = 0;
        } else {
            m = &S->m[1];
            m->plen = 0;
            msg_set(m, M_TLS, resp_size(), 16401);
            S->fl_dir = 1;
        }
        return 1;
    }
    if (step / 2 >= S->rounds)
        return 0;
    if (step % 2 == 0) {
        http_request(S, &S->m[0]);
        S->fl_dir = 0;
    } else {
        http_response(&S->m[1], t);
        S->fl_dir = 1;
    }
    return 1;
}

static void begin_flight(sess_t *S, uint64_t t0)
{
    int d = S->fl_dir;
    side_t *A = &S->s[d];
    msg_t *m = &S->m[d];
    m->base = A->nxt;
    S->fl_left = m->total;
    S->fl_t = t0;
    uint32_t nseg = (m->total + A->seg - 1) / A->seg;
    S->fl_loss = S->fl_rto = S->fl_spur = 0;
    if (d == 0) {
        S->srv_think = S->app == APP_TLS && S->step == 1 ? rr(100, 2000) : srv_think();
        if (nseg == 1 && chance(5))
            S->fl_rto = 1;
        if (nseg >= 6 && chance(150))
            S->fl_loss = 1;
    } else {
        if (nseg >= 2 && chance(15))
            S->fl_spur = 1;
    }
}

/* ------------------------------------------------------------------ */
/* TCP: planning                                                        */

static void tcp_plan_syn(sess_t *S)
{
    side_t *C = &S->s[0], *V = &S->s[1];
    uint64_t t = S->fl_t;
    uint32_t r = rr(0, 999);
    q_push(S, t, 0, K_SYN, F_SYN, C->isn, 0, 0);
    if (r < 15) { /* unanswered: firewall drops it; Linux retries at 1, 3, 7 s */
        q_push(S, t + 1000000 + rr(0, 3000), 0, K_SYN, F_SYN, C->isn, 0, 0);
        q_push(S, t + 3000000 + rr(0, 3000), 0, K_SYN, F_SYN, C->isn, 0, 0);
        q_push(S, t + 7000000 + rr(0, 3000), 0, K_SYN, F_SYN, C->isn, 0, 0);
        S->phase = TP_DONE;
        return;
    }
    if (r < 35) { /* closed port */
        q_push(S, t + S->rtt, 1, K_TCP, F_RST | F_ACK, 0, C->isn + 1, 0);
        S->q[S->qn - 1].x = X_NOOPT | X_WIN0;
        S->phase = TP_DONE;
        return;
    }
    if (r < 60) { /* first SYN lost beyond the capture point */
        t += 1000000 + rr(0, 3000);
        q_push(S, t, 0, K_SYN, F_SYN, C->isn, 0, 0);
    }
    C->nxt = C->isn + 1;
    V->nxt = V->isn + 1;
    t += S->rtt;
    q_push(S, t, 1, K_SYN, F_SYN | F_ACK, V->isn, C->nxt, 0);
    t += rr(15, 80);
    q_push(S, t, 0, K_TCP, F_ACK, C->nxt, V->nxt, 0);
    C->rcv = V->nxt;
    V->rcv = C->nxt;
    S->phase = TP_FLIGHT;
    next_message(S, t);
    begin_flight(S, t + rr(20, 400));
}

static void flight_done(sess_t *S)
{
    int d = S->fl_dir;
    uint64_t t0;
    if (d == 0)
        t0 = S->fl_last_data + S->rtt + S->srv_think;
    else if (S->app == APP_TLS && S->step == 2)
        t0 = S->plan_end + rr(150, 2500); /* client finishes the handshake */
    else
        t0 = S->plan_end + client_think();
    if (t0 < S->plan_end + 10)
        t0 = S->plan_end + 10;
    if (next_message(S, t0)) {
        begin_flight(S, t0);
        return;
    }
    S->phase = TP_CLOSE;
    S->fl_t = t0;
}

static void tcp_plan_burst(sess_t *S)
{
    int d = S->fl_dir;
    side_t *A = &S->s[d], *B = &S->s[!d];
    uint32_t nleft = (S->fl_left + A->seg - 1) / A->seg;
    uint32_t n = nleft < A->cwnd ? nleft : A->cwnd;
    /* never more in flight than the receiver's scaled window */
    uint32_t wmax = ((uint32_t)B->win << B->ws) / A->seg - 1;
    if (n > wmax)
        n = wmax;
    if (n == 0) {
        flight_done(S);
        return;
    }
    int last = n == nleft;
    uint32_t seq[MAXBURST], len[MAXBURST];
    uint64_t ts[MAXBURST], t = S->fl_t, tend = 0;

    for (uint32_t j = 0; j < n; j++) {
        len[j] = S->fl_left < A->seg ? S->fl_left : A->seg;
        seq[j] = A->nxt;
        ts[j] = t;
        q_push(S, t, (uint8_t)d, K_TCP, F_ACK | (j == n - 1 ? F_PSH : 0), seq[j], A->rcv, len[j]);
        A->nxt += len[j];
        S->fl_left -= len[j];
        t += (uint64_t)S->pace * len[j] / A->seg + rr(0, S->pace / 4 + 1);
    }
    S->fl_last_data = ts[n - 1];

    if (d == 0) {
        /* our data leaves now; the server's ACKs come back one RTT later */
        int piggy = last && S->srv_think < 40000;
        int loss = -1, dups = 0;
        uint64_t tdup3 = 0, tack = 0;
        if (S->fl_loss && n >= 5) {
            /* Lose a segment whose PDU (TLS record, HTTP message) is still
             * incomplete when it is resent: that is what a receiver
             * reassembles, and Wireshark would flag an overlap otherwise. */
            uint32_t cand[MAXBURST], nc = 0, bend = seq[n - 1] + len[n - 1] - S->m[d].base;
            for (uint32_t j = 1; j + 3 < n; j++)
                if (msg_pdu_end(&S->m[d], seq[j] - S->m[d].base) > bend)
                    cand[nc++] = j;
            if (nc) {
                loss = (int)cand[rr(0, nc - 1)];
                S->fl_loss = 0;
            }
        }
        if (S->fl_rto && n == 1 && last) {
            /* request lost after the capture point: resent after the RTO */
            uint64_t tr = ts[0] + 200000 + S->rtt + rr(0, 20000);
            q_push(S, tr, 0, K_TCP, F_ACK | F_PSH, seq[0], A->rcv, len[0]);
            ts[0] = tr;
            S->fl_last_data = tr;
        }
        for (uint32_t j = 0; j < n; j++) {
            uint64_t ta = ts[j] + S->rtt + rr(0, 30);
            tack = ta > tack ? ta : tack + 1;
            if ((int)j == loss)
                continue;
            if (loss >= 0 && (int)j > loss) { /* duplicate ACK with a SACK block */
                q_push(S, tack, 1, K_TCP, F_ACK, B->nxt, seq[loss], 0);
                q_sack(S, seq[loss + 1], seq[j] + len[j]);
                if (++dups == 3)
                    tdup3 = tack;
                continue;
            }
            if ((j & 1) || (int)j == loss - 1 || (j == n - 1 && !piggy))
                q_push(S, tack, 1, K_TCP, F_ACK, B->nxt, seq[j] + len[j], 0);
        }
        if (loss >= 0) { /* fast retransmission, then everything is acknowledged */
            uint64_t tr = tdup3 + rr(20, 300);
            q_push(S, tr, 0, K_TCP, F_ACK, seq[loss], A->rcv, len[loss]);
            if (tr > S->fl_last_data)
                S->fl_last_data = tr;
            if (!piggy)
                q_push(S, (tr + S->rtt > tack ? tr + S->rtt : tack + 10), 1, K_TCP, F_ACK, B->nxt, A->nxt, 0);
        }
        B->rcv = A->nxt;
        tend = S->plan_end + rr(10, 60);
    } else {
        /* the server's data arrives now; we ACK every second segment at once */
        uint64_t tl = 0;
        for (uint32_t j = 0; j < n; j++)
            if ((j & 1) || j == n - 1) {
                uint64_t ta = ts[j] + rr(8, 60);
                tl = ta > tl ? ta : tl + 1;
                q_push(S, tl, 0, K_TCP, F_ACK, B->nxt, seq[j] + len[j], 0);
            }
        B->rcv = A->nxt;
        if (last && S->fl_spur) {
            /* our last ACK was lost upstream: the server resends, we D-SACK */
            uint64_t tr = tl + 200000 + S->rtt + rr(0, 50000);
            q_push(S, tr, 1, K_TCP, F_ACK | F_PSH, seq[n - 1], A->rcv, len[n - 1]);
            q_push(S, tr + rr(10, 60), 0, K_TCP, F_ACK, B->nxt, A->nxt, 0);
            q_sack(S, seq[n - 1], seq[n - 1] + len[n - 1]);
        }
        tend = tl + S->rtt / 2 + rr(0, S->rtt / 2 + 1);
    }
    if (A->cwnd < MAXBURST)
        A->cwnd = (uint16_t)(A->cwnd * 2 > MAXBURST ? MAXBURST : A->cwnd * 2);
    if (S->fl_left == 0)
        flight_done(S);
    else
        S->fl_t = tend;
}

static void tcp_plan_close(sess_t *S)
{
    side_t *C = &S->s[0], *V = &S->s[1];
    uint64_t t = S->fl_t;
    uint32_t r = rr(0, 999);
    if (r < 100) { /* the client aborts */
        q_push(S, t, 0, K_TCP, F_RST | F_ACK, C->nxt, C->rcv, 0);
        S->q[S->qn - 1].x = X_NOOPT;
    } else if (r < 650) { /* the client closes */
        q_push(S, t, 0, K_TCP, F_FIN | F_ACK, C->nxt, C->rcv, 0);
        C->nxt++;
        t += S->rtt + rr(20, 800);
        q_push(S, t, 1, K_TCP, F_FIN | F_ACK, V->nxt, C->nxt, 0);
        V->nxt++;
        q_push(S, t + rr(10, 60), 0, K_TCP, F_ACK, C->nxt, V->nxt, 0);
    } else { /* the server ends an idle keep-alive connection */
        t += rr(1000000, 5000000);
        q_push(S, t, 1, K_TCP, F_FIN | F_ACK, V->nxt, V->rcv, 0);
        V->nxt++;
        t += rr(30, 2000);
        q_push(S, t, 0, K_TCP, F_FIN | F_ACK, C->nxt, V->nxt, 0);
        C->nxt++;
        q_push(S, t + S->rtt, 1, K_TCP, F_ACK, V->nxt, C->nxt, 0);
    }
    S->phase = TP_DONE;
}

static void tcp_plan(sess_t *S)
{
    switch (S->phase) {
    case TP_SYN:
        tcp_plan_syn(S);
        break;
    case TP_FLIGHT:
        tcp_plan_burst(S);
        break;
    case TP_CLOSE:
        tcp_plan_close(S);
        break;
    default:
        break;
    }
}

static void side_init(side_t *s, int v6, int linux, uint32_t peer_mss, uint32_t mss, int ts)
{
    s->isn = (uint32_t)rnd();
    s->ts_base = (uint32_t)rnd();
    s->last_tsval = 0;
    s->ipid = (uint16_t)rnd();
    s->mss = (uint16_t)mss;
    uint32_t eff = (peer_mss < mss ? peer_mss : mss) - (ts ? 12 : 0);
    s->seg = (uint16_t)eff;
    s->cwnd = 10;
    if (linux) {
        s->ttl = 64, s->ws = 7, s->synwin = v6 ? 64800 : 64240, s->win = (uint16_t)rr(501, 2052);
    } else {
        s->ttl = 128, s->ws = 8, s->synwin = 64240, s->win = (uint16_t)rr(256, 1026);
    }
}

static void tcp_init(sess_t *S, uint64_t t, int v6)
{
    uint32_t ci, sv;
    S->type = S_TCP;
    if (v6) {
        ci = rr(0, N_CLIENTS6 - 1);
        sv = pick_server(N_SERVERS6);
        client6(&S->h[0], ci);
        server6(&S->h[1], sv);
        S->port[0] = next_eph(&eph6[ci]);
        S->flowlabel = rr(1, 0xfffff);
    } else {
        ci = rr(0, N_CLIENTS4 - 1);
        sv = pick_server(N_SERVERS4);
        client4(&S->h[0], ci);
        server4(&S->h[1], sv);
        S->port[0] = next_eph(&eph4[ci]);
    }
    S->srv = sv;
    uint32_t r = rr(0, 999);
    if (r < 350) {
        S->app = APP_HTTP;
        S->port[1] = chance(850) ? 80 : 8080;
    } else {
        S->app = APP_TLS;
        r = rr(0, 999);
        S->port[1] = r < 850 ? 443 : r < 950 ? 5061 : 993;
    }
    snprintf(S->sni, sizeof S->sni, "srv%u.corp.example.com", sv + 1);
    memcpy(S->sid, pool + rr(0, POOL_SZ - 1), 32);
    S->ts = chance(700); /* Linux-like clients use timestamps, Windows-like do not */
    uint32_t base = v6 ? 1440 : 1460;
    uint32_t cmss = base, smss = chance(100) ? base - 80 : base;
    side_init(&S->s[0], v6, S->ts, smss, cmss, S->ts);
    side_init(&S->s[1], v6, (sv & 1) == 0, cmss, smss, S->ts);
    r = rr(0, 999);
    S->rtt = r < 500 ? rr(150, 1000) : r < 850 ? rr(5000, 30000) : rr(30000, 150000);
    r = rr(0, 999);
    S->pace = r < 400 ? rr(12, 15) : r < 800 ? rr(120, 130) : rr(1000, 1300);
    r = rr(0, 999);
    S->rounds = (uint8_t)(r < 450 ? 1 : r < 700 ? 2 : r < 900 ? rr(3, 5) : rr(6, 20));
    S->phase = TP_SYN;
    S->step = 0;
    S->fl_t = t;
}

/* ------------------------------------------------------------------ */
/* UDP and ICMP sessions                                                */

static const char *const dns_fmt[] = {"srv%u.corp.example.com", "www.example%u.com", "cdn%u.static.example.net",
                                      "host-%u.lab.example.org"};

static void dns_init(sess_t *S, uint64_t t)
{
    S->type = S_DNS;
    uint32_t ci = rr(0, N_CLIENTS4 - 1);
    client4(&S->h[0], ci);
    if (chance(700))
        host4(&S->h[1], 10, 0, 0, 53);
    else
        host4(&S->h[1], 10, 0, 1, 53);
    S->port[0] = next_eph(&eph4[ci]);
    S->port[1] = 53;
    S->id16 = (uint16_t)rnd();
    uint32_t name = rr(0, 3) | rr(1, 400) << 2;
    uint32_t rtt = chance(800) ? rr(150, 3000) : rr(8000, 80000);
    uint8_t var = chance(50) ? 2 : chance(250) ? 1 : 0; /* NXDOMAIN, CNAME, plain */
    uint16_t id2 = (uint16_t)rnd();
    uint64_t t2 = t + rr(30, 300);
    q_push(S, t, 0, K_DNSQ, 0, S->id16, name, 1);
    q_push(S, t2, 0, K_DNSQ, 0, id2, name, 28);
    q_push(S, t + rtt, 1, K_DNSR, var, S->id16, name, 1);
    q_push(S, t2 + rtt + rr(10, 400), 1, K_DNSR, var, id2, name, 28);
    q_sort(S);
}

static void icmp_init(sess_t *S, uint64_t t)
{
    S->type = S_ICMP;
    client4(&S->h[0], rr(0, N_CLIENTS4 - 1));
    server4(&S->h[1], pick_server(N_SERVERS4));
    uint32_t n = rr(3, 8), rtt = rr(150, 40000);
    uint8_t win = (uint8_t)chance(400);
    S->id16 = (uint16_t)rnd();
    for (uint32_t i = 0; i < n; i++) {
        uint64_t ti = t + (uint64_t)i * 1000000 + rr(0, 2000);
        q_push(S, ti, 0, K_ECHO, win, i + 1, 8, 0);
        q_push(S, ti + rtt + rr(0, 200), 1, K_ECHO, win, i + 1, 0, 0);
    }
    q_sort(S);
}

static void arp_init(sess_t *S, uint64_t t)
{
    S->type = S_ARP;
    client4(&S->h[0], rr(0, N_CLIENTS4 - 1));
    if (chance(500))
        server4(&S->h[1], pick_server(N_SERVERS4));
    else
        client4(&S->h[1], rr(0, N_CLIENTS4 - 1));
    if (!memcmp(S->h[0].ip, S->h[1].ip, 4))
        host4(&S->h[1], 10, 1, 0, 1);
    q_push(S, t, 0, K_ARP, 1, 0, 0, 0);
    q_push(S, t + rr(40, 900), 1, K_ARP, 2, 0, 0, 0);
}

static void icmp6_init(sess_t *S, uint64_t t)
{
    S->type = S_ICMP6;
    client6(&S->h[0], rr(0, N_CLIENTS6 - 1));
    server6(&S->h[1], pick_server(N_SERVERS6));
    uint32_t rtt = rr(150, 20000);
    q_push(S, t, 0, K_NS, 0, 0, 0, 0);
    q_push(S, t + rr(40, 500), 1, K_NA, 0, 0, 0, 0);
    t += 600 + rr(0, 300);
    S->id16 = (uint16_t)rnd();
    uint32_t n = rr(2, 5);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t ti = t + (uint64_t)i * 1000000 + rr(0, 2000);
        q_push(S, ti, 0, K_ECHO6, 128, i + 1, 0, 0);
        q_push(S, ti + rtt + rr(0, 200), 1, K_ECHO6, 129, i + 1, 0, 0);
    }
    q_sort(S);
}

static void rtp_plan(sess_t *S)
{
    /* one second of both streams per plan, up to a common horizon so that
     * the next plan starts after everything planned here */
    uint64_t until = UINT64_MAX;
    for (int d = 0; d < 2; d++)
        if (S->left[d] && S->nt[d] + 1000000 < until)
            until = S->nt[d] + 1000000;
    for (int d = 0; d < 2; d++) {
        while (S->left[d] && S->nt[d] < until) {
            q_push(S, S->nt[d], (uint8_t)d, K_RTP, 0, 0, 0, 172);
            S->nt[d] += 20000 + rr(0, 1500) - 750;
            S->left[d]--;
        }
    }
    q_sort(S);
}

static void rtp_init(sess_t *S, uint64_t t)
{
    S->type = S_RTP;
    uint32_t a = rr(0, N_PHONES - 1), b = rr(0, N_PHONES - 1);
    if (a == b)
        b = (b + 1) % N_PHONES;
    phone4(&S->h[0], a);
    phone4(&S->h[1], b);
    for (int d = 0; d < 2; d++) {
        uint16_t *pc = &rtpport[d ? b : a];
        S->port[d] = *pc;
        *pc = (uint16_t)(*pc >= 49998 ? 40000 : *pc + 2);
        S->ssrc[d] = (uint32_t)rnd();
        S->rts[d] = (uint32_t)rnd();
        S->seq16[d] = S->seq0[d] = (uint16_t)rnd();
    }
    S->pt = chance(500) ? 0 : 8;
    uint32_t n = rr(250, 3000);
    S->left[0] = n;
    S->left[1] = n - rr(0, 5);
    S->nt[0] = t;
    S->nt[1] = t + rr(100000, 400000);
}

/* ------------------------------------------------------------------ */
/* frame building                                                       */

static uint8_t fb[2048];

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint8_t *eth(uint8_t *p, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
    memcpy(p, dst, 6);
    memcpy(p + 6, src, 6);
    put16(p + 12, type);
    return p + 14;
}

/* IP header; returns the start of the L4 header */
static uint8_t *ip(uint8_t *p, const host_t *s, const host_t *d, uint8_t proto, uint32_t l4len, uint16_t id,
                   uint8_t ttl, int df, uint32_t flowlabel)
{
    if (s->v6) {
        put32(p, 0x60000000u | (flowlabel & 0xfffff));
        put16(p + 4, l4len);
        p[6] = proto;
        p[7] = ttl;
        memcpy(p + 8, s->ip, 16);
        memcpy(p + 24, d->ip, 16);
        return p + 40;
    }
    p[0] = 0x45, p[1] = 0;
    put16(p + 2, 20 + l4len);
    put16(p + 4, id);
    put16(p + 6, df ? 0x4000 : 0);
    p[8] = ttl, p[9] = proto;
    p[10] = p[11] = 0;
    memcpy(p + 12, s->ip, 4);
    memcpy(p + 16, d->ip, 4);
    put16(p + 10, fold(sum16(p, 20)));
    return p + 20;
}

static uint16_t l4sum(const host_t *s, const host_t *d, uint8_t proto, const uint8_t *l4, uint32_t len)
{
    int n = s->v6 ? 16 : 4;
    uint64_t sum = sum16(s->ip, (size_t)n) + sum16(d->ip, (size_t)n) + proto + len;
    sum += sum16(l4, len);
    return fold(sum);
}

static uint32_t tcp_frame(sess_t *S, const ev_t *e)
{
    int d = e->dir;
    side_t *A = &S->s[d], *B = &S->s[!d];
    const host_t *hs = &S->h[d], *hd = &S->h[!d];
    uint8_t opt[40], *o = opt;
    uint32_t tsval = A->ts_base + (uint32_t)((e->t - T_START_SEC * 1000000) / 1000);

    if (e->kind == K_SYN) {
        int synack = (e->flags & F_ACK) != 0;
        if (S->ts) {
            *o++ = 2, *o++ = 4, put16(o, A->mss), o += 2;
            *o++ = 4, *o++ = 2;
            *o++ = 8, *o++ = 10, put32(o, tsval), put32(o + 4, synack ? B->last_tsval : 0), o += 8;
            *o++ = 1, *o++ = 3, *o++ = 3, *o++ = A->ws;
        } else {
            *o++ = 2, *o++ = 4, put16(o, A->mss), o += 2;
            *o++ = 1, *o++ = 3, *o++ = 3, *o++ = A->ws;
            *o++ = 1, *o++ = 1, *o++ = 4, *o++ = 2;
        }
    } else if (!(e->x & X_NOOPT)) {
        if (S->ts) {
            *o++ = 1, *o++ = 1, *o++ = 8, *o++ = 10;
            put32(o, tsval), put32(o + 4, B->last_tsval), o += 8;
        }
        if (e->sl != e->sr) {
            *o++ = 1, *o++ = 1, *o++ = 5, *o++ = 10;
            put32(o, e->sl), put32(o + 4, e->sr), o += 8;
        }
    }
    if (S->ts && !(e->x & X_NOOPT))
        A->last_tsval = tsval;
    uint32_t olen = (uint32_t)(o - opt), hl = 20 + olen, l4 = hl + e->len;

    uint8_t *p = eth(fb, hd->mac, hs->mac, hs->v6 ? 0x86dd : 0x0800);
    p = ip(p, hs, hd, 6, l4, A->ipid++, A->ttl, 1, S->flowlabel);
    put16(p, S->port[d]);
    put16(p + 2, S->port[!d]);
    put32(p + 4, e->seq);
    put32(p + 8, (e->flags & F_ACK) ? e->ack : 0);
    p[12] = (uint8_t)((hl / 4) << 4);
    p[13] = e->flags;
    put16(p + 14, e->x & X_WIN0 ? 0 : e->kind == K_SYN ? A->synwin : A->win);
    p[16] = p[17] = p[18] = p[19] = 0;
    memcpy(p + 20, opt, olen);
    if (e->len)
        msg_fill(&S->m[d], e->seq - S->m[d].base, p + hl, e->len);
    put16(p + 16, l4sum(hs, hd, 6, p, l4));
    return (uint32_t)(p + l4 - fb);
}

static uint8_t *dns_name(uint8_t *p, const char *s)
{
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        *p++ = (uint8_t)n;
        memcpy(p, s, n);
        p += n;
        s += n + (dot ? 1 : 0);
    }
    *p++ = 0;
    return p;
}

static uint8_t *dns_rr(uint8_t *p, uint16_t name_ptr, uint16_t type, uint32_t ttl)
{
    put16(p, 0xc000 | name_ptr), put16(p + 2, type), put16(p + 4, 1), put32(p + 6, ttl);
    return p + 10; /* then rdlength and rdata */
}

static uint32_t dns_payload(uint8_t *p0, const ev_t *e, int resp)
{
    char name[80];
    uint32_t nid = e->ack, qtype = e->len;
    snprintf(name, sizeof name, dns_fmt[nid & 3], nid >> 2);
    uint8_t *p = p0;
    uint8_t var = e->flags;
    put16(p, e->seq);
    put16(p + 2, resp ? (var == 2 ? 0x8183 : 0x8180) : 0x0100);
    put16(p + 4, 1);
    memset(p + 6, 0, 6);
    p = dns_name(p + 12, name);
    put16(p, qtype), put16(p + 2, 1), p += 4;
    if (!resp)
        return (uint32_t)(p - p0);
    uint16_t owner = 12, nan = 0;
    uint32_t ttl = 300 + (nid % 3300);
    if (var == 2) { /* NXDOMAIN: SOA of the parent zone in the authority section */
        uint16_t zone = (uint16_t)(12 + 1 + p0[12]);
        p = dns_rr(p, zone, 6, 900);
        uint8_t *rd = p + 2, *q = rd;
        *q++ = 3, memcpy(q, "ns1", 3), q += 3, put16(q, 0xc000 | zone), q += 2;
        *q++ = 10, memcpy(q, "hostmaster", 10), q += 10, put16(q, 0xc000 | zone), q += 2;
        put32(q, 2024011501), put32(q + 4, 7200), put32(q + 8, 3600), put32(q + 12, 1209600);
        put32(q + 16, 900), q += 20;
        put16(p, (uint32_t)(q - rd));
        p = q;
        put16(p0 + 8, 1);
        return (uint32_t)(p - p0);
    }
    if (var == 1) { /* CNAME to a CDN edge name */
        p = dns_rr(p, owner, 5, ttl);
        uint8_t *rd = p + 2;
        char cn[48];
        snprintf(cn, sizeof cn, "edge-%u.cdn.example.net", nid % 97);
        uint8_t *q = dns_name(rd, cn);
        put16(p, (uint32_t)(q - rd));
        owner = (uint16_t)(rd - p0);
        p = q;
        nan++;
        ttl = 60;
    }
    uint32_t na = qtype == 1 ? 1 + nid % 3 : 1;
    for (uint32_t i = 0; i < na; i++) {
        p = dns_rr(p, owner, (uint16_t)qtype, ttl);
        if (qtype == 1) {
            put16(p, 4);
            p[2] = 10, p[3] = 2, p[4] = (uint8_t)(100 + i), p[5] = (uint8_t)(1 + nid % 250);
            p += 6;
        } else {
            put16(p, 16);
            memset(p + 2, 0, 16);
            p[2] = 0xfd, p[9] = 2, put16(p + 16, (uint16_t)(0x1000 + nid));
            p += 18;
        }
        nan++;
    }
    put16(p0 + 6, nan);
    return (uint32_t)(p - p0);
}

static uint32_t udp_frame(sess_t *S, const ev_t *e, const uint8_t *pl, uint32_t plen, uint16_t id, uint8_t ttl)
{
    int d = e->dir;
    const host_t *hs = &S->h[d], *hd = &S->h[!d];
    uint8_t *p = eth(fb, hd->mac, hs->mac, hs->v6 ? 0x86dd : 0x0800);
    p = ip(p, hs, hd, 17, 8 + plen, id, ttl, 0, 0);
    put16(p, S->port[d]), put16(p + 2, S->port[!d]), put16(p + 4, 8 + plen), put16(p + 6, 0);
    memcpy(p + 8, pl, plen);
    uint16_t c = l4sum(hs, hd, 17, p, 8 + plen);
    put16(p + 6, c ? c : 0xffff);
    return (uint32_t)(p + 8 + plen - fb);
}

static uint32_t other_frame(sess_t *S, const ev_t *e)
{
    uint8_t pl[600];
    int d = e->dir;
    const host_t *hs = &S->h[d], *hd = &S->h[!d];
    uint8_t *p, *q;
    uint32_t n;
    switch (e->kind) {
    case K_DNSQ:
    case K_DNSR:
        n = dns_payload(pl, e, e->kind == K_DNSR);
        return udp_frame(S, e, pl, n, (uint16_t)rnd(), 64);
    case K_RTP:
        pl[0] = 0x80;
        pl[1] = (uint8_t)(S->pt | (S->seq16[d] == S->seq0[d] ? 0x80 : 0));
        put16(pl + 2, S->seq16[d]++);
        put32(pl + 4, S->rts[d]);
        S->rts[d] += 160;
        put32(pl + 8, S->ssrc[d]);
        memcpy(pl + 12, pool + rr(0, POOL_SZ - 1), 160);
        return udp_frame(S, e, pl, 172, (uint16_t)rnd(), 64);
    case K_ECHO: { /* e->flags: Windows-style when set */
        int win = e->flags;
        n = win ? 32 : 56;
        uint8_t *ic = pl;
        ic[0] = d == 0 ? 8 : 0, ic[1] = 0, ic[2] = ic[3] = 0;
        put16(ic + 4, S->id16), put16(ic + 6, e->seq);
        if (win) {
            for (uint32_t i = 0; i < n; i++)
                ic[8 + i] = (uint8_t)('a' + i % 23);
        } else {
            uint64_t t0 = S->q[S->qh].t; /* the request time, as ping stores it */
            if (d == 1) /* the reply echoes the request's data */
                for (int k = S->qh - 1; k >= 0; k--)
                    if (S->q[k].dir == 0 && S->q[k].seq == e->seq) {
                        t0 = S->q[k].t;
                        break;
                    }
            le32(ic + 8, (uint32_t)(t0 / 1000000)), le32(ic + 12, 0);
            le32(ic + 16, (uint32_t)(t0 % 1000000)), le32(ic + 20, 0);
            for (uint32_t i = 16; i < n; i++)
                ic[8 + i] = (uint8_t)i;
        }
        put16(ic + 2, fold(sum16(ic, 8 + n)));
        p = eth(fb, hd->mac, hs->mac, 0x0800);
        p = ip(p, hs, hd, 1, 8 + n, (uint16_t)rnd(), win ? 128 : 64, !win, 0);
        memcpy(p, ic, 8 + n);
        return (uint32_t)(p + 8 + n - fb);
    }
    case K_ARP: {
        int req = e->flags == 1;
        p = eth(fb, req ? bcast : hd->mac, hs->mac, 0x0806);
        put16(p, 1), put16(p + 2, 0x0800), p[4] = 6, p[5] = 4, put16(p + 6, e->flags);
        memcpy(p + 8, hs->mac, 6), memcpy(p + 14, hs->ip, 4);
        if (req)
            memset(p + 18, 0, 6);
        else
            memcpy(p + 18, hd->mac, 6);
        memcpy(p + 24, hd->ip, 4);
        return (uint32_t)(p + 28 - fb);
    }
    case K_NS:
    case K_NA: {
        host_t dst = *hd;
        uint8_t dmac[6];
        memcpy(dmac, hd->mac, 6);
        const host_t *target = e->kind == K_NS ? hd : hs;
        if (e->kind == K_NS) { /* to the solicited-node multicast group */
            memset(dst.ip, 0, 16);
            dst.ip[0] = 0xff, dst.ip[1] = 0x02, dst.ip[11] = 1, dst.ip[12] = 0xff;
            memcpy(dst.ip + 13, hd->ip + 13, 3);
            dmac[0] = 0x33, dmac[1] = 0x33, dmac[2] = 0xff;
            memcpy(dmac + 3, hd->ip + 13, 3);
        }
        q = pl;
        q[0] = e->kind == K_NS ? 135 : 136, q[1] = 0, q[2] = q[3] = 0;
        put32(q + 4, e->kind == K_NS ? 0 : 0x60000000u);
        memcpy(q + 8, target->ip, 16);
        q[24] = e->kind == K_NS ? 1 : 2, q[25] = 1;
        memcpy(q + 26, hs->mac, 6);
        n = 32;
        put16(q + 2, l4sum(hs, &dst, 58, q, n));
        p = eth(fb, dmac, hs->mac, 0x86dd);
        p = ip(p, hs, &dst, 58, n, 0, 255, 0, 0);
        memcpy(p, q, n);
        return (uint32_t)(p + n - fb);
    }
    case K_ECHO6:
        q = pl;
        q[0] = e->flags, q[1] = 0, q[2] = q[3] = 0;
        put16(q + 4, S->id16), put16(q + 6, e->seq);
        for (uint32_t i = 0; i < 56; i++)
            q[8 + i] = (uint8_t)(0x10 + i);
        n = 64;
        put16(q + 2, l4sum(hs, hd, 58, q, n));
        p = eth(fb, hd->mac, hs->mac, 0x86dd);
        p = ip(p, hs, hd, 58, n, 0, 64, 0, (uint32_t)S->id16 << 2);
        memcpy(p, q, n);
        return (uint32_t)(p + n - fb);
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ */
/* output                                                               */

static uint8_t *obuf;
static size_t olen;
static FILE *out;
static const char *out_name;
static uint64_t written, limit, npkts, last_ts;
static uint64_t nsess[6]; /* sessions started, by S_* type */

static void flush_out(void)
{
    if (olen && fwrite(obuf, 1, olen, out) != olen) {
        fprintf(stderr, "gencap: %s: write error: %s\n", out_name, strerror(errno));
        exit(1);
    }
    olen = 0;
}

/* returns 0 once the size limit is reached */
static int write_frame(uint32_t len, uint64_t t)
{
    if (len < 60) { /* Ethernet minimum frame, padded with zeros */
        memset(fb + len, 0, 60 - len);
        len = 60;
    }
    if (written + 16 + len > limit)
        return 0;
    if (t <= last_ts)
        t = last_ts + 1;
    last_ts = t;
    if (olen + 16 + len > OBUF_SZ)
        flush_out();
    uint8_t *p = obuf + olen;
    le32(p, (uint32_t)(t / 1000000));
    le32(p + 4, (uint32_t)(t % 1000000));
    le32(p + 8, len);
    le32(p + 12, len);
    memcpy(p + 16, fb, len);
    olen += 16 + len;
    written += 16 + len;
    npkts++;
    return 1;
}

/* ------------------------------------------------------------------ */
/* scheduler: a binary heap of sessions keyed on their next packet      */

static sess_t **heap, *free_list;
static size_t hn, hcap;
static uint64_t serial;

static int before(const sess_t *a, const sess_t *b)
{
    return a->t_next < b->t_next || (a->t_next == b->t_next && a->serial < b->serial);
}

static void sift_up(size_t i)
{
    sess_t *s = heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(s, heap[p]))
            break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = s;
}

static void sift_down(size_t i)
{
    sess_t *s = heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= hn)
            break;
        if (c + 1 < hn && before(heap[c + 1], heap[c]))
            c++;
        if (!before(heap[c], s))
            break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = s;
}

static void *xalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "gencap: out of memory\n");
        exit(1);
    }
    return p;
}

static void heap_push(sess_t *s)
{
    if (hn == hcap) {
        hcap = hcap ? hcap * 2 : 1024;
        sess_t **nh = realloc(heap, hcap * sizeof *heap);
        if (!nh) {
            fprintf(stderr, "gencap: out of memory\n");
            exit(1);
        }
        heap = nh;
    }
    heap[hn++] = s;
    sift_up(hn - 1);
}

static void plan(sess_t *S)
{
    S->qh = S->qn = 0;
    if (S->type == S_TCP) {
        tcp_plan(S);
        q_sort(S);
    } else if (S->type == S_RTP) {
        rtp_plan(S);
    }
}

static void spawn(uint64_t t)
{
    sess_t *S = free_list;
    if (S)
        free_list = S->free_next;
    else
        S = xalloc(sizeof *S);
    memset(S, 0, sizeof *S);
    S->serial = serial++;
    uint32_t r = rr(0, 999);
    if (r < 540)
        tcp_init(S, t, 0);
    else if (r < 600)
        tcp_init(S, t, 1);
    else if (r < 870)
        dns_init(S, t);
    else if (r < 910)
        icmp_init(S, t);
    else if (r < 965)
        arp_init(S, t);
    else if (r < 990)
        icmp6_init(S, t);
    else
        rtp_init(S, t);
    nsess[S->type]++;
    if (S->qn == 0)
        plan(S);
    if (S->qn == 0) {
        S->free_next = free_list;
        free_list = S;
        return;
    }
    S->t_next = S->q[0].t;
    heap_push(S);
}

/* writes the session's next packet; returns 0 when the file is full */
static int step(sess_t *S)
{
    ev_t *e = &S->q[S->qh];
    uint32_t len = e->kind <= K_SYN ? tcp_frame(S, e) : other_frame(S, e);
    if (!write_frame(len, e->t))
        return 0;
    S->qh++;
    if (S->qh == S->qn)
        plan(S);
    if (S->qn == 0 || S->qh == S->qn) {
        /* finished: drop it from the heap */
        heap[0] = heap[--hn];
        if (hn)
            sift_down(0);
        S->free_next = free_list;
        free_list = S;
        return 1;
    }
    S->t_next = S->q[S->qh].t;
    sift_down(0);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s OUT.pcap SIZE_MB [SEED]\n"
                        "  writes a realistic synthetic Ethernet pcap of at most SIZE_MB MiB\n",
                argv[0]);
        return 2;
    }
    char *end;
    errno = 0;
    unsigned long long mb = strtoull(argv[2], &end, 10);
    if (errno || *end || mb == 0 || mb > 1024ull * 1024) {
        fprintf(stderr, "gencap: bad SIZE_MB '%s' (1..1048576)\n", argv[2]);
        return 2;
    }
    uint64_t seed = 1;
    if (argc == 4) {
        seed = strtoull(argv[3], &end, 0);
        if (*end) {
            fprintf(stderr, "gencap: bad SEED '%s'\n", argv[3]);
            return 2;
        }
    }
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rs[i] = splitmix(&x);
    for (size_t i = 0; i < sizeof pool; i++)
        pool[i] = (uint8_t)(rnd() >> 56);
    for (uint32_t i = 0; i < N_CLIENTS4; i++)
        eph4[i] = (uint16_t)rr(32768, 60999);
    for (uint32_t i = 0; i < N_CLIENTS6; i++)
        eph6[i] = (uint16_t)rr(32768, 60999);
    for (uint32_t i = 0; i < N_PHONES; i++)
        rtpport[i] = (uint16_t)(40000 + 2 * rr(0, 4999));

    limit = mb << 20;
    out_name = argv[1];
    out = fopen(out_name, "wb");
    if (!out) {
        fprintf(stderr, "gencap: %s: %s\n", out_name, strerror(errno));
        return 1;
    }
    obuf = xalloc(OBUF_SZ);
    uint8_t *g = obuf; /* pcap global header */
    le32(g, 0xa1b2c3d4);
    g[4] = 2, g[5] = 0, g[6] = 4, g[7] = 0;
    le32(g + 8, 0), le32(g + 12, 0), le32(g + 16, 262144), le32(g + 20, 1);
    olen = written = 24;

    uint64_t next_spawn = T_START_SEC * 1000000, gap = 2000000 / SPAWN_PER_SEC;
    for (;;) {
        if (hn == 0 || next_spawn <= heap[0]->t_next) {
            spawn(next_spawn);
            next_spawn += rr(0, (uint32_t)gap);
            continue;
        }
        if (!step(heap[0]))
            break;
    }
    flush_out();
    if (fclose(out) != 0) {
        fprintf(stderr, "gencap: %s: %s\n", out_name, strerror(errno));
        return 1;
    }
    double secs = (double)(last_ts - T_START_SEC * 1000000) / 1e6;
    fprintf(stderr,
            "gencap: %s: %llu packets, %llu bytes, %.1f s of traffic (%.0f packets/s), seed %llu\n"
            "gencap: sessions started: %llu TCP, %llu DNS, %llu ICMP echo, %llu ARP, %llu ICMPv6, %llu RTP\n",
            out_name, (unsigned long long)npkts, (unsigned long long)written, secs, secs > 0 ? npkts / secs : 0.0,
            (unsigned long long)seed, (unsigned long long)nsess[S_TCP], (unsigned long long)nsess[S_DNS],
            (unsigned long long)nsess[S_ICMP], (unsigned long long)nsess[S_ARP], (unsigned long long)nsess[S_ICMP6],
            (unsigned long long)nsess[S_RTP]);
    return 0;
}
