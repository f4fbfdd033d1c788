/* diagnose.c - see diagnose.h. One pass: per TCP stream a little state
 * (who is the client, the open request turn, window stalls, the
 * delayed-ACK/Nagle watch, TLS handshake progress), per host the TTL of its
 * ordinary packets, per server:port the response times, and a few small
 * tables (ARP requests, ICMP errors). Connection outcomes come from conns.c
 * (fed the same packets), so the handshake rules read the same records that
 * `nettracer conns` prints. Rules that need the whole trace run in
 * nt_diag_finish. Memory grows with streams and hosts, not packets. */
#include "nettracer/diagnose.h"

#include "nettracer/app.h"
#include "nettracer/conns.h"
#include "nettracer/dns.h"
#include "nettracer/rtp.h"
#include "nettracer/sdp.h"
#include "nettracer/sip.h"
#include "nettracer/stun.h"
#include "nettracer/tls.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_HOSTS 4096
#define MAX_SERVERS 1024
#define MAX_ARP 1024
#define MAX_ICMP 512
#define WORST 3
#define EXAMPLES 4
#define MAX_DNSQ 8192     /* open DNS queries tracked */
#define MAX_DNSAGG 256    /* DNS findings kept apart (per name / server) */
#define MAX_NAMES 2048    /* addresses learnt from DNS answers */
#define MAX_DIALOGS 256   /* SIP dialogs (Call-IDs) followed */
#define MAX_SIPERR 128    /* SIP error answers kept apart */
#define MAX_STUNQ 1024    /* STUN transactions followed */
#define MAX_STUNAGG 64
#define CSUM_SAMPLE 50000  /* TCP/UDP checksums verified per trace (bounded work) */

typedef struct addr {
    uint8_t fam;      /* 4 or 6 */
    uint8_t a[16];
} addr;

typedef struct turn_ex {
    uint64_t req_frame, resp_frame;
    double secs;
} turn_ex;

typedef struct dstream {
    bool used;
    uint32_t syn_frames[NT_CONN_SYN_TIMES]; /* not uint64 to keep the struct small */
    uint32_t nsynf;
    uint32_t synack_frames[4];
    uint32_t nsynackf;
    uint16_t mss[2];
    /* data turns: the side that spoke last, and the open request */
    int last_dir;                 /* -1 none */
    bool req_open;                /* client data not answered yet */
    uint64_t req_first_frame, req_last_frame;
    nt_time req_last_ts;
    uint32_t req_end;             /* relative sequence after the request */
    bool req_acked;
    uint64_t req_ack_frame;
    bool req_reported;
    bool any_data[2];
    bool had_http;
    /* idle gaps: last packet */
    nt_time last_ts;
    uint64_t last_frame;
    int last_pkt_dir;
    double gap_max;
    uint64_t gap_before, gap_after;
    int gap_waiter;               /* 0 client waited for server, 1 server for client, 2 nobody (both done) */
    uint32_t ngaps;
    /* data segments and retransmissions per direction */
    uint64_t data_segs[2], retrans[2], fast[2], lost_seg[2], dupacks[2];
    uint64_t first_retrans[2][EXAMPLES];
    uint8_t nfirst_retrans[2];
    /* zero window: dir = the side advertising it */
    bool zw_in[2];
    nt_time zw_start[2];
    uint64_t zw_start_frame[2];
    uint32_t zw_count[2], zw_probes[2];
    double zw_total[2], zw_max[2];
    uint64_t zw_first[2], zw_end_frame[2];
    /* window full: dir = the sender that filled the peer's window */
    bool wf_in[2];
    nt_time wf_ts[2];
    uint32_t wf_count[2];
    double wf_total[2];
    uint64_t wf_first[2];
    /* delayed ACK + Nagle, dir = the sender of the small segment */
    int ng_state[2];              /* 0 idle, 1 small segment alone in flight, 2 its ACK came late */
    uint64_t ng_seg_frame[2], ng_ack_frame[2];
    nt_time ng_seg_ts[2], ng_ack_ts[2];
    uint32_t ng_end[2];
    uint32_t ng_count[2];
    double ng_total[2], ng_max[2];
    uint64_t ng_ex[2][EXAMPLES][3];
    uint8_t nng_ex[2];
    /* TLS */
    char sni[128];
    uint64_t ch_frame, sh_frame, cert_frame, client_after_frame, server_after_frame;
    bool tls_client_hello_seen;
    uint32_t nclient_hello;
    bool cert_checked;
    /* TLS 1.2 renegotiation, which is encrypted: per direction 0 before its
     * ChangeCipherSpec, 1 waiting for its Finished, 2 handshake done */
    uint8_t tls_st[2];
    bool reneg_on;
    uint32_t nreneg;
    uint64_t reneg_frame, reneg_fin_frame, reneg_reply_frame;
    int reneg_by;
    nt_time reneg_ts, fin_ts;
} dstream;

typedef struct host {
    bool used;
    addr ad;
    uint8_t ttl;
    uint64_t frame;
    uint32_t csum_checked, csum_bad;  /* TCP/UDP checksums of the packets it sent */
    uint64_t csum_first_bad;
} host;

typedef struct server {
    bool used;
    addr ad;
    uint16_t port;
    bool http;
    uint64_t n;
    double sum, max;
    uint32_t nslow;
    turn_ex worst[WORST];
} server;

typedef struct arpq {
    uint8_t tpa[4], spa[4];
    uint32_t n;
    uint64_t frames[EXAMPLES];
    bool answered;
} arpq;

typedef struct icmpe {
    bool ttl;                /* time exceeded, else unreachable */
    uint8_t fam, type, code;
    addr from;
    char quoted[160];
    uint32_t n;
    uint64_t frames[EXAMPLES];
    uint32_t inner_stream;
    bool inner_tcp;
} icmpe;

typedef struct dnsq {
    bool used, answered;
    uint8_t fam;
    uint8_t client[16], server[16];
    uint16_t cport, id;
    uint16_t qtype;
    uint32_t tries;
    char qname[128];
    uint64_t frame, resp_frame;
    nt_time ts;            /* the last try */
} dnsq;

enum { DA_NX, DA_FAIL, DA_NORESP, DA_SLOW };
typedef struct dnsagg {
    int kind;
    uint8_t fam;
    uint8_t server[16];
    char qname[128];       /* DA_NX, DA_FAIL: per name; else the first names */
    uint16_t rcode;
    uint32_t n, tries;
    uint64_t frames[EXAMPLES * 2];
    uint8_t nframes;
    double max, sum;
    uint32_t answered;     /* DA_SLOW: all answers of this server */
    double last_gap;       /* DA_NORESP: trace time after the last unanswered query */
} dnsagg;

typedef struct dname {
    bool used;
    addr ad;
    char name[128];
    uint64_t frame;
} dname;

/* a SIP dialog (by Call-ID) and its media */
typedef struct sipep {
    uint8_t fam;
    uint8_t a[16];
    uint16_t port;
} sipep;

typedef struct dialog {
    char call_id[96];
    uint8_t fam;
    uint8_t caller[16], callee[16];
    uint64_t invite_frame, ok_frame, ack_frame, bye_frame, cancel_frame, last_sip_frame;
    nt_time ok_ts, last_sip_ts;
    sipep ep[2][4];          /* [0] the caller's media (offer), [1] the callee's (answer) */
    uint8_t nep[2];
    /* RTP per direction: [0] caller to callee, [1] callee to caller */
    uint64_t rtp[2], rtp_first[2], rtp_last[2];
    nt_time rtp_first_ts[2], rtp_last_ts[2];
    uint32_t icmp;           /* ICMP errors quoting the media */
    uint64_t icmp_frame;
} dialog;

typedef struct siperr {
    uint16_t status;
    char call_id[96];
    char line[96];           /* "488 Not Acceptable Here" */
    char cseq_method[16];
    char diag[200];          /* ms-diagnostics */
    uint8_t fam;
    uint8_t from[16], to[16];
    uint32_t n;
    uint64_t frame, req_frame;
} siperr;

typedef struct stunq {
    bool used, answered;
    uint8_t tid[12];
    uint8_t fam;
    uint8_t client[16], server[16];
    uint16_t sport;
    uint16_t method;
    uint32_t tries;
    uint64_t frame;
    nt_time ts;
} stunq;

typedef struct stunagg {
    bool noresp;             /* else an error answer */
    uint8_t fam;
    uint8_t server[16];
    uint16_t sport, method;
    unsigned code;
    char reason[96];
    uint32_t n, tries;
    uint64_t frames[EXAMPLES];
    uint8_t nframes;
    uint64_t req_frame;
    bool later_success;      /* the same method from this server succeeded afterwards */
} stunagg;

struct nt_diag {
    nt_diag_opts o;
    nt_conns conns;
    dstream *s;
    size_t scap;
    host *hosts;
    server *servers;
    arpq *arp;
    size_t narp;
    icmpe *icmp;
    size_t nicmp;
    nt_finding *f;
    size_t nf, fcap;
    /* capture */
    uint64_t frames, first_frame, last_frame;
    nt_time first_ts, last_ts;
    bool have_ts;
    uint64_t cut, cut_first;
    uint32_t cut_caplen;
    uint64_t ack_unseen, ack_unseen_first;
    uint32_t csum_checked;
    dnsq *dq;
    dnsagg *da;
    size_t nda;
    dname *names;
    dialog *dl;
    size_t ndl;
    siperr *se;
    size_t nse;
    stunq *sq;
    stunagg *sa;
    size_t nsa;
};

void nt_diag_opts_default(nt_diag_opts *o)
{
    o->retrans_rate = 0.01;
    o->retrans_min = 3;
    o->no_response_s = 3.0;
    o->idle_gap_s = 10.0;
    o->slow_response_s = 1.0;
    o->dack_min_s = 0.03;
    o->dack_max_s = 0.6;
    o->nagle_min = 2;
    o->window_stall_s = 0.5;
    o->ca_list_warn = 12288;
    o->ca_list_limit = 16384;
    o->dns_slow_s = 0.5;
    o->media_after_s = 1.0;
    o->media_wait_s = 2.0;
}

const char *nt_severity_name(nt_severity s)
{
    static const char *n[] = {"notice", "warning", "error"};
    return n[s];
}

nt_diag *nt_diag_new(const nt_diag_opts *o)
{
    nt_diag *d = calloc(1, sizeof *d);
    if (!d) abort();
    if (o) d->o = *o;
    else nt_diag_opts_default(&d->o);
    nt_conns_init(&d->conns);
    d->hosts = calloc(MAX_HOSTS, sizeof *d->hosts);
    d->servers = calloc(MAX_SERVERS, sizeof *d->servers);
    d->arp = calloc(MAX_ARP, sizeof *d->arp);
    d->icmp = calloc(MAX_ICMP, sizeof *d->icmp);
    d->dq = calloc(MAX_DNSQ, sizeof *d->dq);
    d->da = calloc(MAX_DNSAGG, sizeof *d->da);
    d->names = calloc(MAX_NAMES, sizeof *d->names);
    d->dl = calloc(MAX_DIALOGS, sizeof *d->dl);
    d->se = calloc(MAX_SIPERR, sizeof *d->se);
    d->sq = calloc(MAX_STUNQ, sizeof *d->sq);
    d->sa = calloc(MAX_STUNAGG, sizeof *d->sa);
    if (!d->dl || !d->se || !d->sq || !d->sa) abort();
    if (!d->hosts || !d->servers || !d->arp || !d->icmp || !d->dq || !d->da || !d->names) abort();
    return d;
}

void nt_diag_free(nt_diag *d)
{
    if (!d) return;
    nt_conns_free(&d->conns);
    free(d->s);
    free(d->hosts);
    free(d->servers);
    free(d->arp);
    free(d->icmp);
    free(d->dq);
    free(d->da);
    free(d->names);
    free(d->dl);
    free(d->se);
    free(d->sq);
    free(d->sa);
    free(d->f);
    free(d);
}

void nt_diag_span(const nt_diag *d, uint64_t *first, uint64_t *last, uint64_t *n, nt_time *t0, nt_time *t1,
                  bool *ts)
{
    *first = d->first_frame, *last = d->last_frame, *n = d->frames;
    *t0 = d->first_ts, *t1 = d->last_ts, *ts = d->have_ts;
}

size_t nt_diag_count(const nt_diag *d) { return d->nf; }
const nt_finding *nt_diag_get(const nt_diag *d, size_t i) { return i < d->nf ? &d->f[i] : NULL; }

/* ---- building findings ---------------------------------------------- */

static nt_finding *finding(nt_diag *d, const char *code, nt_severity sev)
{
    if (d->nf == d->fcap) {
        d->fcap = d->fcap ? d->fcap * 2 : 32;
        d->f = realloc(d->f, d->fcap * sizeof *d->f);
        if (!d->f) abort();
    }
    nt_finding *f = &d->f[d->nf++];
    memset(f, 0, sizeof *f);
    f->code = code;
    f->severity = sev;
    return f;
}

static void ff(nt_finding *f, uint64_t frame)
{
    if (!frame || f->nframes >= NT_FINDING_MAX_FRAMES) return;
    for (int i = 0; i < f->nframes; i++)
        if (f->frames[i] == frame) return;
    f->frames[f->nframes++] = frame;
}

static void fnum(nt_finding *f, const char *key, double v)
{
    if (f->nvalues >= NT_FINDING_MAX_VALUES) return;
    nt_finding_value *x = &f->values[f->nvalues++];
    snprintf(x->key, sizeof x->key, "%s", key);
    x->num = v;
}

/* strings cut to fit, without the format-truncation warnings of snprintf */
static void scpy(char *dst, size_t n, const char *src)
{
    size_t l = strlen(src);
    if (l >= n) l = n - 1;
    memcpy(dst, src, l);
    dst[l] = 0;
}

/* Text from the network may hold any bytes: keep valid UTF-8 (JSON must be),
 * turn control characters and invalid sequences into '?'. In place. */
static void clean_text(char *p)
{
    unsigned char *s = (unsigned char *)p;
    while (*s) {
        int n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 : (*s & 0xf8) == 0xf0 ? 4 : 0;
        bool ok = n > 0 && !(n == 1 && (*s < 0x20 || *s == 0x7f));
        for (int k = 1; ok && k < n; k++)
            if ((s[k] & 0xc0) != 0x80) ok = false;
        /* overlong forms, surrogates, beyond U+10FFFF */
        if (ok && n == 2 && *s < 0xc2) ok = false;
        if (ok && n == 3 && ((*s == 0xe0 && s[1] < 0xa0) || (*s == 0xed && s[1] >= 0xa0))) ok = false;
        if (ok && n == 4 && ((*s == 0xf0 && s[1] < 0x90) || *s > 0xf4 || (*s == 0xf4 && s[1] >= 0x90))) ok = false;
        if (!ok) {
            *s++ = '?';
            continue;
        }
        s += n;
    }
}

static void fstr(nt_finding *f, const char *key, const char *s)
{
    if (f->nvalues >= NT_FINDING_MAX_VALUES) return;
    nt_finding_value *x = &f->values[f->nvalues++];
    snprintf(x->key, sizeof x->key, "%s", key);
    x->is_str = true;
    scpy(x->str, sizeof x->str, s);
    clean_text(x->str);
}

static void ftext(nt_finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ftext(nt_finding *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof f->text, fmt, ap);
    va_end(ap);
    clean_text(f->text);
}

static void fadvice(nt_finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fadvice(nt_finding *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->advice, sizeof f->advice, fmt, ap);
    va_end(ap);
    clean_text(f->advice);
}

static void addr_str(char *out, size_t n, const addr *a)
{
    nt_buf b;
    nt_buf_init(&b);
    if (a->fam == 4) nt_buf_ipv4(&b, a->a);
    else nt_buf_ipv6(&b, a->a);
    scpy(out, n, b.p ? b.p : "");
    nt_buf_free(&b);
}

static void ep_str(char *out, size_t n, uint8_t fam, const uint8_t *a, uint16_t port)
{
    nt_buf b;
    nt_buf_init(&b);
    if (fam == 4) nt_buf_ipv4(&b, a);
    else nt_buf_putc(&b, '['), nt_buf_ipv6(&b, a), nt_buf_putc(&b, ']');
    nt_buf_printf(&b, ":%u", port);
    scpy(out, n, b.p);
    nt_buf_free(&b);
}

static void conn_flow(char *out, size_t n, const nt_conn *c)
{
    char a[64], b[64];
    ep_str(a, sizeof a, c->family, c->client, c->cport);
    ep_str(b, sizeof b, c->family, c->server, c->sport);
    snprintf(out, n, "%s -> %s", a, b);
}

/* "1.5 s", "230 ms", "0.4 ms" */
static const char *dur(char *buf, size_t n, double s)
{
    if (s >= 10) snprintf(buf, n, "%.0f s", s);
    else if (s >= 1) snprintf(buf, n, "%.1f s", s);
    else if (s >= 0.001) snprintf(buf, n, "%.0f ms", s * 1e3);
    else snprintf(buf, n, "%.2f ms", s * 1e3);
    return buf;
}

static double secs(nt_time a, nt_time b) { return (double)nt_time_diff_ns(a, b) / 1e9; }

/* ---- tables ----------------------------------------------------------- */

static uint32_t hash_bytes(const uint8_t *p, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static host *host_find(nt_diag *d, const addr *a, bool create)
{
    uint32_t h = hash_bytes(a->a, 16, 2166136261u ^ a->fam);
    for (uint32_t i = 0; i < 16; i++) {
        host *x = &d->hosts[(h + i) % MAX_HOSTS];
        if (!x->used) {
            if (!create) return NULL;
            x->used = true;
            x->ad = *a;
            return x;
        }
        if (x->ad.fam == a->fam && !memcmp(x->ad.a, a->a, 16)) return x;
    }
    return NULL; /* table full here: the TTL comparison is skipped */
}

static server *server_find(nt_diag *d, const addr *a, uint16_t port)
{
    uint32_t h = hash_bytes(a->a, 16, 2166136261u ^ a->fam ^ ((uint32_t)port << 8));
    for (uint32_t i = 0; i < 16; i++) {
        server *x = &d->servers[(h + i) % MAX_SERVERS];
        if (!x->used) {
            x->used = true;
            x->ad = *a;
            x->port = port;
            return x;
        }
        if (x->port == port && x->ad.fam == a->fam && !memcmp(x->ad.a, a->a, 16)) return x;
    }
    return NULL;
}

static dstream *stream_slot(nt_diag *d, uint32_t stream)
{
    if (stream >= d->scap) {
        size_t cap = d->scap ? d->scap : 64;
        while (cap <= stream) cap *= 2;
        dstream *s = realloc(d->s, cap * sizeof *s);
        if (!s) abort();
        memset(s + d->scap, 0, (cap - d->scap) * sizeof *s);
        d->s = s;
        d->scap = cap;
    }
    dstream *s = &d->s[stream];
    if (!s->used) {
        s->used = true;
        s->last_dir = -1;
        s->last_pkt_dir = -1;
    }
    return s;
}

/* ---- per packet --------------------------------------------------------- */

typedef struct ipinfo {
    uint8_t fam, ttl;
    const uint8_t *src, *dst;
} ipinfo;

static bool outer_ip(const nt_packet *pkt, ipinfo *ip)
{
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *l = &pkt->layers[i];
        if (l->inner) break;
        if (l->proto == NT_P_IPV4 && l->len >= 20) {
            const nt_ipv4 *h = &pkt->ip4[l->idx];
            *ip = (ipinfo){4, h->ttl, h->src, h->dst};
            return true;
        }
        if (l->proto == NT_P_IPV6 && l->len >= 40) {
            const nt_ipv6 *h = &pkt->ip6[l->idx];
            *ip = (ipinfo){6, h->hlim, h->src, h->dst};
            return true;
        }
    }
    return false;
}

/* ones' complement sum of n bytes (RFC 1071), folded at the end */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (; i + 1 < n; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (i < n) sum += (uint32_t)(p[i] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

/* Verifies the TCP or UDP checksum of a whole, unfragmented segment:
 * 1 right, 0 wrong, -1 not checkable (cut, fragment, UDP without one). */
static int check_l4(const nt_packet *pkt)
{
    if (pkt->ana.reassembled || (pkt->flags & (NT_PKT_TRUNCATED | NT_PKT_MALFORMED | NT_PKT_FRAGMENT))) return -1;
    const nt_layer *ipl = NULL, *l4 = NULL;
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *l = &pkt->layers[i];
        if (l->inner) break;
        if (l->proto == NT_P_IPV4 || l->proto == NT_P_IPV6) ipl = l;
        if ((l->proto == NT_P_TCP || l->proto == NT_P_UDP) && ipl) {
            l4 = l;
            break;
        }
    }
    if (!l4) return -1;
    uint32_t len;
    uint8_t ps[40];
    size_t pn;
    if (ipl->proto == NT_P_IPV4) {
        const nt_ipv4 *h = &pkt->ip4[ipl->idx];
        len = h->payload_len;
        memcpy(ps, h->src, 4);
        memcpy(ps + 4, h->dst, 4);
        ps[8] = 0, ps[9] = l4->proto == NT_P_TCP ? 6 : 17;
        ps[10] = (uint8_t)(len >> 8), ps[11] = (uint8_t)len;
        pn = 12;
    } else {
        const nt_ipv6 *h = &pkt->ip6[ipl->idx];
        len = h->payload_len;
        memcpy(ps, h->src, 16);
        memcpy(ps + 16, h->dst, 16);
        ps[32] = (uint8_t)(len >> 24), ps[33] = (uint8_t)(len >> 16), ps[34] = (uint8_t)(len >> 8), ps[35] = (uint8_t)len;
        ps[36] = ps[37] = ps[38] = 0, ps[39] = l4->proto == NT_P_TCP ? 6 : 17;
        pn = 40;
    }
    if (len < 8 || l4->span < len) return -1;
    if (l4->proto == NT_P_UDP) {
        if (pkt->udp[l4->idx].csum == 0) return -1; /* none sent (IPv4) */
        if (pkt->udp[l4->idx].ulen != len) return -1;
    }
    uint32_t sum = csum_add(0, ps, pn);
    sum = csum_add(sum, l4->p, len);
    return sum == 0xffff ? 1 : 0;
}

static void add_csum(nt_diag *d, const nt_packet *pkt, const ipinfo *ip)
{
    if (d->csum_checked >= CSUM_SAMPLE) return;
    int r = check_l4(pkt);
    if (r < 0) return;
    d->csum_checked++;
    addr h = {.fam = ip->fam};
    memcpy(h.a, ip->src, ip->fam == 4 ? 4 : 16);
    host *x = host_find(d, &h, true);
    if (!x) return;
    x->csum_checked++;
    if (!r) {
        if (!x->csum_bad) x->csum_first_bad = pkt->frame->number;
        x->csum_bad++;
    }
}

/* ---- DNS (over UDP) ---------------------------------------------------- */

static dnsq *dnsq_find(nt_diag *d, uint8_t fam, const uint8_t *client, uint16_t cport, const uint8_t *server,
                       uint16_t id, bool create)
{
    size_t al = fam == 4 ? 4 : 16;
    uint32_t h = hash_bytes(client, al, 2166136261u ^ ((uint32_t)cport << 16 | id));
    h = hash_bytes(server, al, h);
    for (uint32_t i = 0; i < 32; i++) {
        dnsq *q = &d->dq[(h + i) % MAX_DNSQ];
        if (!q->used) {
            if (!create) return NULL;
            memset(q, 0, sizeof *q);
            q->used = true;
            q->fam = fam;
            memcpy(q->client, client, al);
            memcpy(q->server, server, al);
            q->cport = cport;
            q->id = id;
            return q;
        }
        if (q->fam == fam && q->cport == cport && q->id == id && !memcmp(q->client, client, al) &&
            !memcmp(q->server, server, al))
            return q;
    }
    return NULL;
}

static dnsagg *dnsagg_get(nt_diag *d, int kind, uint8_t fam, const uint8_t *server, const char *qname)
{
    size_t al = fam == 4 ? 4 : 16;
    for (size_t i = 0; i < d->nda; i++) {
        dnsagg *a = &d->da[i];
        if (a->kind == kind && a->fam == fam && !memcmp(a->server, server, al) &&
            (!qname || !strcmp(a->qname, qname)))
            return a;
    }
    if (d->nda >= MAX_DNSAGG) return NULL;
    dnsagg *a = &d->da[d->nda++];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->fam = fam;
    memcpy(a->server, server, al);
    if (qname) scpy(a->qname, sizeof a->qname, qname);
    return a;
}

static void sort_frames(uint64_t *f, uint8_t n)
{
    for (uint8_t i = 1; i < n; i++)
        for (uint8_t k = i; k > 0 && f[k] < f[k - 1]; k--) {
            uint64_t t = f[k];
            f[k] = f[k - 1], f[k - 1] = t;
        }
}

static void agg_frame(dnsagg *a, uint64_t f)
{
    if (a->nframes < EXAMPLES * 2) a->frames[a->nframes++] = f;
}

static void learn_name(nt_diag *d, uint8_t fam, const uint8_t *ad, const char *name, uint64_t frame)
{
    addr x = {.fam = fam};
    memcpy(x.a, ad, fam == 4 ? 4 : 16);
    uint32_t h = hash_bytes(x.a, 16, 2166136261u ^ fam);
    for (uint32_t i = 0; i < 16; i++) {
        dname *n = &d->names[(h + i) % MAX_NAMES];
        if (!n->used || (n->ad.fam == fam && !memcmp(n->ad.a, x.a, 16))) {
            n->used = true;
            n->ad = x;
            scpy(n->name, sizeof n->name, name);
            n->frame = frame;
            return;
        }
    }
}

static const dname *name_of(const nt_diag *d, uint8_t fam, const uint8_t *ad)
{
    addr x = {.fam = fam};
    memcpy(x.a, ad, fam == 4 ? 4 : 16);
    uint32_t h = hash_bytes(x.a, 16, 2166136261u ^ fam);
    for (uint32_t i = 0; i < 16; i++) {
        const dname *n = &d->names[(h + i) % MAX_NAMES];
        if (!n->used) return NULL;
        if (n->ad.fam == fam && !memcmp(n->ad.a, x.a, 16)) return n;
    }
    return NULL;
}

typedef struct dns_ports {
    uint16_t sport, dport;
} dns_ports;

static void add_dns(nt_diag *d, const nt_packet *pkt, const ipinfo *ip, const uint8_t *p, size_t len,
                    dns_ports pt)
{
    const dns_ports *u = &pt;
    nt_dns_msg m;
    if (nt_dns_parse(p, len, &m) != NT_DNS_OK) return;
    if (m.h.opcode != 0 || m.h.qdcount != 1) return; /* standard queries with one question */
    nt_dns_iter it;
    nt_dns_rr rr;
    nt_dns_iter_init(&it, &m);
    if (!nt_dns_next(&it, &rr) || rr.section != NT_DNS_SEC_QD) return;
    char qname[NT_DNS_NAME_TEXT_MAX];
    if (nt_dns_name(m.p, m.len, rr.name_off, qname, sizeof qname, NULL, NULL) != NT_DNS_OK) return;
    uint64_t fr = pkt->frame->number;
    if (!m.h.qr) {
        if (u->dport != 53) return;
        dnsq *q = dnsq_find(d, ip->fam, ip->src, u->sport, ip->dst, m.h.id, true);
        if (!q) return;
        if (!q->tries) {
            q->frame = fr;
            q->qtype = rr.type;
            scpy(q->qname, sizeof q->qname, qname);
        }
        q->tries++;
        q->ts = pkt->frame->ts;
        return;
    }
    if (u->sport != 53) return;
    dnsq *q = dnsq_find(d, ip->fam, ip->dst, u->dport, ip->src, m.h.id, false);
    if (!q || q->answered) return;
    q->answered = true;
    q->resp_frame = fr;
    double rt = secs(pkt->frame->ts, q->ts);
    uint16_t rcode = nt_dns_full_rcode(&m);
    dnsagg *sl = dnsagg_get(d, DA_SLOW, ip->fam, ip->src, NULL);
    if (sl) {
        sl->answered++;
        sl->sum += rt;
        if (rt >= d->o.dns_slow_s) {
            sl->n++;
            if (rt > sl->max) {
                sl->max = rt;
                /* the worst pair first */
                memmove(sl->frames + 2, sl->frames, sizeof sl->frames - 2 * sizeof sl->frames[0]);
                sl->frames[0] = q->frame, sl->frames[1] = fr;
                if (sl->nframes < EXAMPLES * 2) sl->nframes = (uint8_t)(sl->nframes + 2);
                scpy(sl->qname, sizeof sl->qname, q->qname);
            }
        }
    }
    if (rcode == NT_DNS_NXDOMAIN || rcode == NT_DNS_SERVFAIL || rcode == NT_DNS_REFUSED) {
        dnsagg *a = dnsagg_get(d, rcode == NT_DNS_NXDOMAIN ? DA_NX : DA_FAIL, ip->fam, ip->src, q->qname);
        if (a) {
            a->n++;
            a->rcode = rcode;
            if (a->nframes < EXAMPLES * 2) agg_frame(a, q->frame), agg_frame(a, fr);
        }
        return;
    }
    /* addresses the name resolved to: for certificates met later */
    while (nt_dns_next(&it, &rr)) {
        if (rr.section != NT_DNS_SEC_AN || (rr.type != NT_DNS_A && rr.type != NT_DNS_AAAA)) continue;
        nt_dns_rdata rd;
        if (nt_dns_rdata_parse(&m, &rr, &rd) != NT_DNS_OK) continue;
        if (rr.type == NT_DNS_A) learn_name(d, 4, rd.u.a, q->qname, fr);
        else learn_name(d, 6, rd.u.aaaa, q->qname, fr);
    }
}

static void dns_rules(nt_diag *d)
{
    char srv[64], b1[32], b2[32];
    /* unanswered queries, per server */
    for (size_t i = 0; i < MAX_DNSQ; i++) {
        dnsq *q = &d->dq[i];
        if (!q->used || q->answered) continue;
        dnsagg *a = dnsagg_get(d, DA_NORESP, q->fam, q->server, NULL);
        if (!a) continue;
        a->n++;
        a->tries += q->tries;
        double gap = secs(d->last_ts, q->ts);
        if (a->n == 1 || gap > a->last_gap) a->last_gap = gap;
        agg_frame(a, q->frame);
        if (!a->qname[0]) scpy(a->qname, sizeof a->qname, q->qname);
    }
    for (size_t i = 0; i < d->nda; i++) {
        dnsagg *a = &d->da[i];
        addr sa = {.fam = a->fam};
        memcpy(sa.a, a->server, 16);
        addr_str(srv, sizeof srv, &sa);
        nt_finding *f = NULL;
        switch (a->kind) {
        case DA_NX:
            f = finding(d, "dns.no-such-name", NT_SEV_WARNING);
            fstr(f, "name", a->qname);
            fstr(f, "server", srv);
            fnum(f, "answers", a->n);
            ftext(f, "The DNS server %s answered \"no such name\" (NXDOMAIN) for %s%s (query in frame %llu, answer "
                     "in frame %llu).",
                  srv, a->qname, a->n > 1 ? ", more than once" : "", (unsigned long long)a->frames[0],
                  (unsigned long long)a->frames[1]);
            fadvice(f, "Check the name's spelling and the DNS zone that should hold it (a record missing, or the "
                       "client asking the wrong server or with the wrong suffix).");
            break;
        case DA_FAIL:
            f = finding(d, "dns.server-failure", NT_SEV_ERROR);
            fstr(f, "name", a->qname);
            fstr(f, "server", srv);
            fstr(f, "rcode", nt_dns_rcode_mnemonic(a->rcode) ? nt_dns_rcode_mnemonic(a->rcode) : "?");
            fnum(f, "answers", a->n);
            ftext(f, "The DNS server %s could not answer for %s: %s (query in frame %llu, answer in frame %llu).",
                  srv, a->qname, nt_dns_rcode_text(a->rcode) ? nt_dns_rcode_text(a->rcode) : "error",
                  (unsigned long long)a->frames[0], (unsigned long long)a->frames[1]);
            fadvice(f, a->rcode == NT_DNS_REFUSED
                           ? "The server refuses to answer this client (recursion or zone transfer not allowed): "
                             "check its access lists, or use the right server."
                           : "The server failed to resolve it (its forwarders or the zone's authoritative servers "
                             "are unreachable, or DNSSEC validation failed): look at the server's logs.");
            break;
        case DA_NORESP: {
            sort_frames(a->frames, a->nframes);
            bool sure = a->last_gap >= 1.0 || a->tries > a->n;
            f = finding(d, "dns.no-response", sure ? NT_SEV_WARNING : NT_SEV_NOTICE);
            fstr(f, "server", srv);
            fstr(f, "first_name", a->qname);
            fnum(f, "queries", a->n);
            fnum(f, "tries", a->tries);
            ftext(f, "%u DNS quer%s to %s got no answer (%u packet%s; first: %s in frame %llu)%s.", a->n,
                  a->n > 1 ? "ies" : "y", srv, a->tries, a->tries > 1 ? "s" : "", a->qname,
                  (unsigned long long)a->frames[0],
                  sure ? "" : "; the trace ends less than a second after the last one");
            fadvice(f, "The server is down or a firewall drops DNS (UDP 53) to it: check the client's DNS server "
                       "settings and the path; try `nettracer dns NAME @%s`.",
                    srv);
            break;
        }
        case DA_SLOW:
            if (!a->n) break;
            f = finding(d, "dns.slow", NT_SEV_WARNING);
            fstr(f, "server", srv);
            fnum(f, "slow", a->n);
            fnum(f, "answers", a->answered);
            fnum(f, "max_s", a->max);
            fnum(f, "average_s", a->sum / a->answered);
            ftext(f, "%u of %u answers from the DNS server %s took %s or more; the slowest, %s for %s (frames "
                     "%llu-%llu).",
                  a->n, a->answered, srv, dur(b1, sizeof b1, d->o.dns_slow_s), dur(b2, sizeof b2, a->max), a->qname,
                  (unsigned long long)a->frames[0], (unsigned long long)a->frames[1]);
            fadvice(f, "Every connection waits for these answers: look at the server's load and its forwarders, or "
                       "use a closer server.");
            break;
        }
        if (!f) continue;
        scpy(f->flow, sizeof f->flow, srv);
        for (int k = 0; k < a->nframes; k++) ff(f, a->frames[k]);
    }
}


/* ---- SIP, its media, STUN ------------------------------------------------ */

static dialog *dialog_get(nt_diag *d, nt_text cid, bool create)
{
    char id[96];
    nt_text_cstr(cid, id, sizeof id);
    if (!id[0]) return NULL;
    for (size_t i = 0; i < d->ndl; i++)
        if (!strcmp(d->dl[i].call_id, id)) return &d->dl[i];
    if (!create || d->ndl >= MAX_DIALOGS) return NULL;
    dialog *g = &d->dl[d->ndl++];
    memset(g, 0, sizeof *g);
    scpy(g->call_id, sizeof g->call_id, id);
    return g;
}

static void dialog_sdp(dialog *g, int side, const nt_sip *m)
{
    if (!m->body || !m->body_len || !nt_sip_has_sdp(m)) return;
    nt_sdp sdp;
    if (!nt_sdp_parse(m->body, m->body_len, &sdp)) return;
    nt_sdp_endpoint ep[4];
    int n = nt_sdp_endpoints(&sdp, ep, 4);
    g->nep[side] = 0;
    for (int i = 0; i < n; i++) {
        sipep *e = &g->ep[side][g->nep[side]++];
        e->fam = ep[i].family;
        memcpy(e->a, ep[i].addr, 16);
        e->port = ep[i].rtp_port;
    }
}

static void add_sip(nt_diag *d, const nt_packet *pkt, const ipinfo *ip, const uint8_t *p, uint32_t len)
{
    nt_sip m;
    if (!nt_sip_parse(p, len, &m)) return;
    uint64_t fr = pkt->frame->number;
    char cm[16];
    nt_text_cstr(m.cseq_method, cm, sizeof cm);
    bool invite = !strcmp(cm, "INVITE");
    dialog *g = dialog_get(d, m.call_id, m.is_request && nt_text_eq(m.method, "INVITE"));
    if (g) {
        g->last_sip_frame = fr;
        g->last_sip_ts = pkt->frame->ts;
    }
    size_t al = ip->fam == 4 ? 4 : 16;
    if (m.is_request) {
        if (!g) return;
        if (nt_text_eq(m.method, "INVITE") && !g->invite_frame) {
            g->invite_frame = fr;
            g->fam = ip->fam;
            memcpy(g->caller, ip->src, al);
            memcpy(g->callee, ip->dst, al);
            dialog_sdp(g, 0, &m);
        } else if (nt_text_eq(m.method, "ACK") && !g->ack_frame) {
            g->ack_frame = fr;
            if (!g->nep[0]) dialog_sdp(g, 0, &m); /* late offer */
        } else if (nt_text_eq(m.method, "BYE") && !g->bye_frame) {
            g->bye_frame = fr;
        } else if (nt_text_eq(m.method, "CANCEL") && !g->cancel_frame) {
            g->cancel_frame = fr;
        }
        return;
    }
    if (g && invite && m.status >= 200 && m.status < 300 && !g->ok_frame) {
        g->ok_frame = fr;
        g->ok_ts = pkt->frame->ts;
        dialog_sdp(g, 1, &m);
    } else if (g && invite && m.status == 183 && !g->nep[1]) {
        dialog_sdp(g, 1, &m); /* early media */
    }
    /* error answers: the authentication challenges and the answer to a
     * CANCEL are the protocol working, not a problem */
    if (m.status < 400 || m.status == 401 || m.status == 407 || m.status == 487) return;
    char cid[96];
    nt_text_cstr(m.call_id, cid, sizeof cid);
    for (size_t i = 0; i < d->nse; i++) {
        siperr *e = &d->se[i];
        if (e->status == m.status && !strcmp(e->call_id, cid)) {
            e->n++; /* a retransmission of the answer */
            return;
        }
    }
    if (d->nse >= MAX_SIPERR) return;
    siperr *e = &d->se[d->nse++];
    memset(e, 0, sizeof *e);
    e->status = m.status;
    scpy(e->call_id, sizeof e->call_id, cid);
    nt_text_cstr(m.status_text, e->line, sizeof e->line);
    scpy(e->cseq_method, sizeof e->cseq_method, cm);
    nt_text_cstr(m.ms_diag, e->diag, sizeof e->diag);
    e->fam = ip->fam;
    memcpy(e->from, ip->src, al);
    memcpy(e->to, ip->dst, al);
    e->n = 1;
    e->frame = fr;
    e->req_frame = g ? g->invite_frame : 0;
}

static bool ep_match(const sipep *e, uint8_t fam, const uint8_t *a, uint16_t port)
{
    return e->port == port && e->fam == fam && !memcmp(e->a, a, fam == 4 ? 4 : 16);
}

/* RTP to or from a media endpoint a dialog's SDP announced */
static void add_rtp(nt_diag *d, const nt_packet *pkt, const ipinfo *ip, const nt_udp *u)
{
    for (size_t i = 0; i < d->ndl; i++) {
        dialog *g = &d->dl[i];
        int dir = -1;
        for (int side = 0; side < 2 && dir < 0; side++)
            for (int k = 0; k < g->nep[side] && dir < 0; k++) {
                if (ep_match(&g->ep[side][k], ip->fam, ip->dst, u->dport)) dir = side == 1 ? 0 : 1;
                else if (ep_match(&g->ep[side][k], ip->fam, ip->src, u->sport)) dir = side == 0 ? 0 : 1;
            }
        if (dir < 0) continue;
        if (!nt_rtp_heuristic(u->payload, u->payload_cap)) return;
        uint8_t pt = u->payload_cap > 1 ? (u->payload[1] & 0x7f) : 0;
        if (pt >= 72 && pt <= 76) return; /* RTCP on the same port (rtcp-mux) */
        if (!g->rtp[dir]) g->rtp_first[dir] = pkt->frame->number, g->rtp_first_ts[dir] = pkt->frame->ts;
        g->rtp[dir]++;
        g->rtp_last[dir] = pkt->frame->number;
        g->rtp_last_ts[dir] = pkt->frame->ts;
        return;
    }
}

/* an ICMP error quoting a dialog's media: the other side is gone */
static void icmp_media(nt_diag *d, const nt_packet *pkt)
{
    const nt_layer *qip = NULL, *qu = NULL;
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *x = &pkt->layers[i];
        if (!x->inner) continue;
        if (!qip && (x->proto == NT_P_IPV4 || x->proto == NT_P_IPV6)) qip = x;
        if (!qu && x->proto == NT_P_UDP) qu = x;
    }
    if (!qip || !qu) return;
    uint8_t fam = qip->proto == NT_P_IPV4 ? 4 : 6;
    const uint8_t *dst = fam == 4 ? pkt->ip4[qip->idx].dst : pkt->ip6[qip->idx].dst;
    uint16_t dport = pkt->udp[qu->idx].dport;
    for (size_t i = 0; i < d->ndl; i++) {
        dialog *g = &d->dl[i];
        for (int side = 0; side < 2; side++)
            for (int k = 0; k < g->nep[side]; k++)
                if (ep_match(&g->ep[side][k], fam, dst, dport)) {
                    if (!g->icmp) g->icmp_frame = pkt->frame->number;
                    g->icmp++;
                    return;
                }
    }
}

static stunq *stunq_find(nt_diag *d, const uint8_t tid[12], bool create)
{
    uint32_t h = hash_bytes(tid, 12, 2166136261u);
    for (uint32_t i = 0; i < 32; i++) {
        stunq *q = &d->sq[(h + i) % MAX_STUNQ];
        if (!q->used) {
            if (!create) return NULL;
            memset(q, 0, sizeof *q);
            q->used = true;
            memcpy(q->tid, tid, 12);
            return q;
        }
        if (!memcmp(q->tid, tid, 12)) return q;
    }
    return NULL;
}

static stunagg *stunagg_get(nt_diag *d, bool noresp, uint8_t fam, const uint8_t *server, uint16_t sport,
                            uint16_t method, unsigned code)
{
    size_t al = fam == 4 ? 4 : 16;
    for (size_t i = 0; i < d->nsa; i++) {
        stunagg *a = &d->sa[i];
        if (a->noresp == noresp && a->fam == fam && a->sport == sport && a->method == method && a->code == code &&
            !memcmp(a->server, server, al))
            return a;
    }
    if (d->nsa >= MAX_STUNAGG) return NULL;
    stunagg *a = &d->sa[d->nsa++];
    memset(a, 0, sizeof *a);
    a->noresp = noresp;
    a->fam = fam;
    memcpy(a->server, server, al);
    a->sport = sport;
    a->method = method;
    a->code = code;
    return a;
}

static void add_stun(nt_diag *d, const nt_packet *pkt, const ipinfo *ip, const uint8_t *p, uint32_t len,
                     dns_ports pt)
{
    const dns_ports *u = &pt;
    nt_stun_msg m;
    if (nt_stun_parse(p, len, &m, NULL) != 0) return;
    size_t al = ip->fam == 4 ? 4 : 16;
    uint64_t fr = pkt->frame->number;
    if (m.cls == NT_STUN_REQUEST) {
        stunq *q = stunq_find(d, m.tid, true);
        if (!q) return;
        if (!q->tries) {
            q->fam = ip->fam;
            memcpy(q->client, ip->src, al);
            memcpy(q->server, ip->dst, al);
            q->sport = u->dport;
            q->method = m.method;
            q->frame = fr;
        }
        q->tries++;
        q->ts = pkt->frame->ts;
        return;
    }
    if (m.cls != NT_STUN_SUCCESS && m.cls != NT_STUN_ERROR) return;
    stunq *q = stunq_find(d, m.tid, false);
    if (q) q->answered = true;
    if (m.cls == NT_STUN_SUCCESS) {
        /* a success after an error of the same method: the error was the
         * credential challenge (401) or a stale nonce (438) being answered */
        for (size_t i = 0; i < d->nsa; i++) {
            stunagg *a = &d->sa[i];
            if (!a->noresp && a->method == m.method && a->fam == ip->fam && !memcmp(a->server, ip->src, al))
                a->later_success = true;
        }
        return;
    }
    unsigned code = 0;
    const char *reason = NULL;
    size_t rlen = 0;
    const nt_stun_attr *ea = nt_stun_find(&m, NT_STUN_A_ERROR_CODE);
    if (!ea || !nt_stun_attr_error(ea, &code, &reason, &rlen)) code = 0;
    stunagg *a = stunagg_get(d, false, ip->fam, ip->src, u->sport, m.method, code);
    if (!a) return;
    if (!a->n && reason) {
        size_t k = rlen < sizeof a->reason - 1 ? rlen : sizeof a->reason - 1;
        memcpy(a->reason, reason, k);
        a->reason[k] = 0;
    }
    a->n++;
    if (a->nframes < EXAMPLES) a->frames[a->nframes++] = fr;
    if (q && !a->req_frame) a->req_frame = q->frame;
}

static void sip_stun_rules(nt_diag *d)
{
    char b1[32], fa[64], ta[64];
    for (size_t i = 0; i < d->nse; i++) {
        siperr *e = &d->se[i];
        addr x = {.fam = e->fam}, y = {.fam = e->fam};
        memcpy(x.a, e->from, 16);
        memcpy(y.a, e->to, 16);
        addr_str(fa, sizeof fa, &x);
        addr_str(ta, sizeof ta, &y);
        bool user = e->status == 486 || e->status == 600 || e->status == 603 || e->status == 480;
        nt_finding *f = finding(d, "sip.error-response",
                                user ? NT_SEV_NOTICE : e->status >= 500 ? NT_SEV_ERROR : NT_SEV_WARNING);
        snprintf(f->flow, sizeof f->flow, "%.60s -> %.60s", fa, ta);
        ff(f, e->frame);
        ff(f, e->req_frame);
        fnum(f, "status", e->status);
        fstr(f, "response", e->line);
        fstr(f, "method", e->cseq_method);
        fstr(f, "call_id", e->call_id);
        if (e->diag[0]) fstr(f, "ms_diagnostics", e->diag);
        ftext(f, "%s answered the %s%s with \"%s\" (frame %llu)%s%s%s.", fa, e->cseq_method[0] ? e->cseq_method : "request",
              e->req_frame ? "" : "", e->line, (unsigned long long)e->frame, e->diag[0] ? "; ms-diagnostics: " : "",
              e->diag, e->n > 1 ? " (sent again)" : "");
        if (e->diag[0])
            fadvice(f, "The ms-diagnostics code names the component and reason: look it up (nettracer err) and "
                       "check that server's configuration for this call.");
        else if (e->status == 488 || e->status == 415)
            fadvice(f, "The two sides share no codec or media setting: compare the SDP offer (frame %llu) with "
                       "what the other side supports.",
                    (unsigned long long)e->req_frame);
        else if (e->status == 403 || e->status == 404)
            fadvice(f, "The user or number is unknown or not allowed there: check the dial plan, the user's "
                       "enabled state and routing.");
        else if (user)
            fadvice(f, "The called party declined or is busy: not a network problem unless it happens for every "
                       "call.");
        else
            fadvice(f, "Look at the server that answered: its logs say why it refused the %s.",
                    e->cseq_method[0] ? e->cseq_method : "request");
    }
    for (size_t i = 0; i < d->ndl; i++) {
        dialog *g = &d->dl[i];
        if (!g->ok_frame || g->cancel_frame) continue;
        addr x = {.fam = g->fam}, y = {.fam = g->fam};
        memcpy(x.a, g->caller, 16);
        memcpy(y.a, g->callee, 16);
        addr_str(fa, sizeof fa, &x);
        addr_str(ta, sizeof ta, &y);
        char flow[160];
        snprintf(flow, sizeof flow, "%.60s -> %.60s", fa, ta);
        double after_ok = secs(d->last_ts, g->ok_ts);
        if (!g->bye_frame && g->rtp[0] && g->rtp[1]) {
            /* one side's media stopped, the other's went on, and nobody said BYE */
            int stopped = nt_time_diff_ns(g->rtp_last_ts[0], g->rtp_last_ts[1]) < 0 ? 0 : 1;
            double more = secs(g->rtp_last_ts[1 - stopped], g->rtp_last_ts[stopped]);
            if (more >= d->o.media_after_s) {
                static const char *who[2] = {"caller", "callee"};
                nt_finding *f = finding(d, "sip.media-without-bye", NT_SEV_ERROR);
                scpy(f->flow, sizeof f->flow, flow);
                ff(f, g->rtp_last[stopped]);
                ff(f, g->rtp_last[1 - stopped]);
                ff(f, g->ok_frame);
                ff(f, g->icmp_frame);
                fstr(f, "call_id", g->call_id);
                fstr(f, "stopped", who[stopped]);
                fnum(f, "media_after_s", more);
                fnum(f, "icmp_errors", g->icmp);
                ftext(f,
                      "The %s's RTP stopped at frame %llu but the %s's went on for %s more (to frame %llu) and no "
                      "BYE was seen for the call answered in frame %llu%s.",
                      who[stopped], (unsigned long long)g->rtp_last[stopped], who[1 - stopped],
                      dur(b1, sizeof b1, more), (unsigned long long)g->rtp_last[1 - stopped],
                      (unsigned long long)g->ok_frame,
                      g->icmp ? "; the media was answered by ICMP errors: the other side is gone" : "");
                fadvice(f, "The %s hung up (or crashed) without signalling it: check why it sends no BYE (a "
                           "gateway's configuration, the SIP path for in-dialog requests); the call stays up on "
                           "the other side.",
                        who[stopped]);
            }
        }
        if (g->nep[0] && g->nep[1] && after_ok >= d->o.media_wait_s && (!g->rtp[0] || !g->rtp[1]) &&
            (!g->bye_frame || secs(d->last_ts, g->ok_ts) > 0)) {
            bool none = !g->rtp[0] && !g->rtp[1];
            nt_finding *f = finding(d, "sip.media-failed", none ? NT_SEV_ERROR : NT_SEV_WARNING);
            scpy(f->flow, sizeof f->flow, flow);
            ff(f, g->invite_frame);
            ff(f, g->ok_frame);
            ff(f, g->rtp_first[0] ? g->rtp_first[0] : g->rtp_first[1]);
            fstr(f, "call_id", g->call_id);
            fnum(f, "rtp_caller_to_callee", (double)g->rtp[0]);
            fnum(f, "rtp_callee_to_caller", (double)g->rtp[1]);
            char ep[2][80];
            for (int side = 0; side < 2; side++) {
                addr z = {.fam = g->ep[side][0].fam};
                memcpy(z.a, g->ep[side][0].a, 16);
                char zs[64];
                addr_str(zs, sizeof zs, &z);
                snprintf(ep[side], sizeof ep[side], "%s:%u", zs, g->ep[side][0].port);
            }
            if (none)
                ftext(f, "The call was answered (frame %llu) but no RTP was seen to or from the media addresses its "
                         "SDP gave (%s, %s).",
                      (unsigned long long)g->ok_frame, ep[0], ep[1]);
            else
                ftext(f, "One-way media: the call was answered (frame %llu) and RTP went only from the %s (to %s); "
                         "none came back to %s.",
                      (unsigned long long)g->ok_frame, g->rtp[0] ? "caller" : "callee", g->rtp[0] ? ep[1] : ep[0],
                      g->rtp[0] ? ep[0] : ep[1]);
            fadvice(f, "Media takes another path than signalling: check firewalls and NAT for the RTP ports, the "
                       "addresses in the SDP (private addresses behind NAT), and the media relay (TURN/Edge).");
        }
    }
    /* STUN: unanswered requests, per server and method */
    for (size_t i = 0; i < MAX_STUNQ; i++) {
        stunq *q = &d->sq[i];
        if (!q->used || q->answered) continue;
        stunagg *a = stunagg_get(d, true, q->fam, q->server, q->sport, q->method, 0);
        if (!a) continue;
        a->n++;
        a->tries += q->tries;
        if (a->nframes < EXAMPLES) a->frames[a->nframes++] = q->frame;
    }
    for (size_t i = 0; i < d->nsa; i++) {
        stunagg *a = &d->sa[i];
        sort_frames(a->frames, a->nframes);
        addr x = {.fam = a->fam};
        memcpy(x.a, a->server, 16);
        char sv[80];
        ep_str(sv, sizeof sv, a->fam, a->server, a->sport);
        const char *meth = nt_stun_method_name(a->method);
        if (a->noresp) {
            nt_finding *f = finding(d, "stun.no-response", NT_SEV_ERROR);
            scpy(f->flow, sizeof f->flow, sv);
            for (int k = 0; k < a->nframes; k++) ff(f, a->frames[k]);
            fstr(f, "method", meth ? meth : "?");
            fnum(f, "requests", a->n);
            fnum(f, "tries", a->tries);
            ftext(f, "%u STUN %s request%s to %s got no answer (%u packet%s, first in frame %llu).", a->n,
                  meth ? meth : "", a->n > 1 ? "s" : "", sv, a->tries, a->tries > 1 ? "s" : "",
                  (unsigned long long)a->frames[0]);
            fadvice(f, "UDP to the STUN/TURN server is blocked or the server is down: open UDP %u to it (and TCP "
                       "443 as the fallback for A/V Edge), then test with `nettracer stun`.",
                    a->sport);
            continue;
        }
        if ((a->code == 401 || a->code == 438) && a->later_success) continue; /* the credential exchange */
        nt_finding *f = finding(d, "stun.error", a->code == 401 || a->code == 438 ? NT_SEV_WARNING : NT_SEV_ERROR);
        scpy(f->flow, sizeof f->flow, sv);
        for (int k = 0; k < a->nframes; k++) ff(f, a->frames[k]);
        ff(f, a->req_frame);
        fstr(f, "method", meth ? meth : "?");
        fnum(f, "code", a->code);
        fstr(f, "reason", a->reason[0] ? a->reason : nt_stun_error_name(a->code));
        fnum(f, "answers", a->n);
        ftext(f, "The STUN server %s answered %s with error %u (%s)%s, first in frame %llu.", sv,
              meth ? meth : "a request", a->code, a->reason[0] ? a->reason : nt_stun_error_name(a->code),
              a->code == 401 ? " and no authenticated request succeeded afterwards" : "",
              (unsigned long long)a->frames[0]);
        if (a->code == 401 || a->code == 438)
            fadvice(f, "The credentials were refused: check the TURN user name and password (or the MRAS token "
                       "for A/V Edge) and the realm.");
        else if (a->code == 486)
            fadvice(f, "The allocation quota is reached: the server has too many allocations for this user.");
        else
            fadvice(f, "Look at the TURN server's logs for why it refused the %s.", meth ? meth : "request");
    }
}

static void add_arp(nt_diag *d, const nt_packet *pkt)
{
    const nt_arp *a = &pkt->arp[0];
    if (a->ptype != 0x0800 || a->plen != 4 || a->hlen != 6 || !a->spa || !a->tpa) return;
    if (a->op == 1) {
        if (!memcmp(a->spa, a->tpa, 4)) return; /* gratuitous */
        static const uint8_t zero[4];
        if (!memcmp(a->spa, zero, 4)) return;   /* address probe (RFC 5227) */
        for (size_t i = 0; i < d->narp; i++) {
            arpq *q = &d->arp[i];
            if (!memcmp(q->tpa, a->tpa, 4) && !memcmp(q->spa, a->spa, 4)) {
                if (!q->answered) {
                    if (q->n < EXAMPLES) q->frames[q->n] = pkt->frame->number;
                    q->n++;
                } else {
                    /* answered before: a new round of questions */
                    q->answered = false;
                    q->n = 1;
                    memset(q->frames, 0, sizeof q->frames);
                    q->frames[0] = pkt->frame->number;
                }
                return;
            }
        }
        if (d->narp >= MAX_ARP) return;
        arpq *q = &d->arp[d->narp++];
        memset(q, 0, sizeof *q);
        memcpy(q->tpa, a->tpa, 4);
        memcpy(q->spa, a->spa, 4);
        q->n = 1;
        q->frames[0] = pkt->frame->number;
    } else if (a->op == 2) {
        for (size_t i = 0; i < d->narp; i++)
            if (!memcmp(d->arp[i].tpa, a->spa, 4)) d->arp[i].answered = true;
    }
}

static void add_icmp(nt_diag *d, const nt_packet *pkt)
{
    const nt_layer *l = NULL;
    for (int i = 0; i < pkt->nlayers && !l; i++)
        if ((pkt->layers[i].proto == NT_P_ICMP || pkt->layers[i].proto == NT_P_ICMPV6) && !pkt->layers[i].inner)
            l = &pkt->layers[i];
    if (!l) return;
    uint8_t fam = l->proto == NT_P_ICMP ? 4 : 6;
    uint8_t type = fam == 4 ? pkt->icmp[0].type : pkt->icmp6[0].type;
    uint8_t code = fam == 4 ? pkt->icmp[0].code : pkt->icmp6[0].code;
    bool unreach = fam == 4 ? type == 3 : type == 1;
    bool ttl = fam == 4 ? type == 11 : type == 3;
    if (!unreach && !ttl) return;
    ipinfo ip;
    if (!outer_ip(pkt, &ip)) return;
    /* the quoted flow */
    char q[256] = "";
    const nt_layer *qip = NULL, *qtr = NULL;
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *x = &pkt->layers[i];
        if (!x->inner) continue;
        if (!qip && (x->proto == NT_P_IPV4 || x->proto == NT_P_IPV6)) qip = x;
        if (!qtr && (x->proto == NT_P_TCP || x->proto == NT_P_UDP || x->proto == NT_P_ICMP || x->proto == NT_P_ICMPV6))
            qtr = x;
    }
    if (qip) {
        uint8_t qf = qip->proto == NT_P_IPV4 ? 4 : 6;
        const uint8_t *qs = qf == 4 ? pkt->ip4[qip->idx].src : pkt->ip6[qip->idx].src;
        const uint8_t *qd = qf == 4 ? pkt->ip4[qip->idx].dst : pkt->ip6[qip->idx].dst;
        char a[64], b[64];
        if (qtr && (qtr->proto == NT_P_TCP || qtr->proto == NT_P_UDP)) {
            uint16_t sp = qtr->proto == NT_P_TCP ? pkt->tcp[qtr->idx].sport : pkt->udp[qtr->idx].sport;
            uint16_t dp = qtr->proto == NT_P_TCP ? pkt->tcp[qtr->idx].dport : pkt->udp[qtr->idx].dport;
            ep_str(a, sizeof a, qf, qs, sp);
            ep_str(b, sizeof b, qf, qd, dp);
            snprintf(q, sizeof q, "%s %s -> %s", qtr->proto == NT_P_TCP ? "TCP" : "UDP", a, b);
        } else {
            addr x = {.fam = qf}, y = {.fam = qf};
            memcpy(x.a, qs, qf == 4 ? 4 : 16);
            memcpy(y.a, qd, qf == 4 ? 4 : 16);
            addr_str(a, sizeof a, &x);
            addr_str(b, sizeof b, &y);
            snprintf(q, sizeof q, "%s %s -> %s", qtr ? nt_proto_name((nt_proto)qtr->proto) : "IP", a, b);
        }
    }
    addr from = {.fam = fam};
    memcpy(from.a, ip.src, fam == 4 ? 4 : 16);
    for (size_t i = 0; i < d->nicmp; i++) {
        icmpe *e = &d->icmp[i];
        if (e->fam == fam && e->type == type && e->code == code && !memcmp(e->from.a, from.a, 16) &&
            !strncmp(e->quoted, q, sizeof e->quoted - 1)) {
            if (e->n < EXAMPLES) e->frames[e->n] = pkt->frame->number;
            e->n++;
            return;
        }
    }
    if (d->nicmp >= MAX_ICMP) return;
    icmpe *e = &d->icmp[d->nicmp++];
    memset(e, 0, sizeof *e);
    e->ttl = ttl;
    e->fam = fam, e->type = type, e->code = code;
    e->from = from;
    scpy(e->quoted, sizeof e->quoted, q);
    e->n = 1;
    e->frames[0] = pkt->frame->number;
    e->inner_tcp = pkt->ana.inner_tcp_valid;
    e->inner_stream = pkt->ana.inner_tcp_stream;
}

static void check_cert(nt_diag *d, dstream *s, const nt_conn *c, const nt_packet *pkt, const nt_tls_certs *certs)
{
    char flow[160];
    conn_flow(flow, sizeof flow, c);
    uint64_t fr = pkt->frame->number;
    int64_t now = pkt->frame->ts.sec;
    for (int i = 0; i < certs->n; i++) {
        nt_x509 x;
        if (!nt_x509_decode(certs->der[i], certs->der_len[i], &x)) continue;
        char when[64];
        if (i == 0 && s->sni[0] && !nt_x509_name_matches(&x, s->sni, false)) {
            nt_finding *f = finding(d, "tls.cert-name-mismatch", NT_SEV_ERROR);
            scpy(f->flow, sizeof f->flow, flow);
            ff(f, fr);
            ff(f, s->ch_frame);
            fstr(f, "sni", s->sni);
            fstr(f, "subject", x.subject);
            char names[128] = "";
            size_t at = 0;
            for (int k = 0; k < x.nsan && at < sizeof names - 1; k++)
                at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", k ? "," : "", x.san[k]);
            if (at >= sizeof names) at = sizeof names - 1;
            fstr(f, "dns_names", names);
            ftext(f,
                  "The server's certificate (frame %llu) does not cover the name the client asked for, %s "
                  "(SNI in frame %llu): it is for %s%s%s.",
                  (unsigned long long)fr, s->sni, (unsigned long long)s->ch_frame, names[0] ? names : x.subject,
                  x.nsan ? "" : " (no subjectAltName; the CN alone is not used by current clients)", "");
            fadvice(f,
                    "Bind a certificate whose subjectAltName lists %s (a wildcard covers exactly one label) to "
                    "this address and port, or check that the name resolves to the right server.",
                    s->sni);
        }
        /* the name the client resolved to reach this address (the field notes'
         * DirectAccess case), when the SNI did not already say it */
        const dname *dn = i == 0 ? name_of(d, c->family, c->server) : NULL;
        if (dn && strcasecmp(dn->name, s->sni) && !nt_x509_name_matches(&x, dn->name, false)) {
            nt_finding *f = finding(d, "dns.resolved-elsewhere", NT_SEV_ERROR);
            scpy(f->flow, sizeof f->flow, flow);
            ff(f, dn->frame);
            ff(f, fr);
            fstr(f, "name", dn->name);
            fstr(f, "subject", x.subject);
            fnum(f, "dns_frame", (double)dn->frame);
            char sv[64];
            addr sa = {.fam = c->family};
            memcpy(sa.a, c->server, 16);
            addr_str(sv, sizeof sv, &sa);
            ftext(f,
                  "DNS resolved %s to %s (frame %llu), but the certificate that address sends (frame %llu, %s) does "
                  "not cover %s%s.",
                  dn->name, sv, (unsigned long long)dn->frame, (unsigned long long)fr, x.subject, dn->name,
                  s->sni[0] ? "" : " (the client sent no SNI)");
            fadvice(f,
                    "The name points to the wrong server (or a server without the right certificate bound): check "
                    "the DNS record for %s (internal vs. external zone) and the certificate on %s.",
                    dn->name, sv);
        }
        if (x.not_after && now > x.not_after) {
            nt_finding *f = finding(d, "tls.cert-expired", NT_SEV_ERROR);
            scpy(f->flow, sizeof f->flow, flow);
            ff(f, fr);
            nt_buf b;
            nt_buf_init(&b);
            nt_buf_datetime(&b, (nt_time){x.not_after, 0}, 0, true);
            scpy(when, sizeof when, b.p);
            nt_buf_free(&b);
            fstr(f, "subject", x.subject);
            fstr(f, "not_after", when);
            fnum(f, "days_expired", (double)(now - x.not_after) / 86400.0);
            fnum(f, "chain_position", i);
            ftext(f, "The %s certificate sent in frame %llu (%s) expired on %s UTC, %lld days before the capture.",
                  i == 0 ? "server's" : "chain's", (unsigned long long)fr, x.subject, when,
                  (long long)((now - x.not_after) / 86400));
            fadvice(f, "Renew the certificate and bind the new one on the server (check every server behind the "
                       "name or load balancer).");
        } else if (x.not_before && now < x.not_before) {
            nt_finding *f = finding(d, "tls.cert-not-yet-valid", NT_SEV_ERROR);
            scpy(f->flow, sizeof f->flow, flow);
            ff(f, fr);
            nt_buf b;
            nt_buf_init(&b);
            nt_buf_datetime(&b, (nt_time){x.not_before, 0}, 0, true);
            scpy(when, sizeof when, b.p);
            nt_buf_free(&b);
            fstr(f, "subject", x.subject);
            fstr(f, "not_before", when);
            fnum(f, "chain_position", i);
            ftext(f, "The certificate sent in frame %llu (%s) is valid only from %s UTC, after the capture's time.",
                  (unsigned long long)fr, x.subject, when);
            fadvice(f, "Check the clocks of the server and the client (and of the capturing host), or the "
                       "certificate's validity dates.");
        }
    }
}

static void add_tls(nt_diag *d, dstream *s, const nt_conn *c, int dir, const nt_packet *pkt)
{
    const nt_tls_frame *t = &pkt->app->tls;
    uint64_t fr = pkt->frame->number;
    if (t->has_ch && dir == 0) {
        s->nclient_hello++;
        if (!s->ch_frame) {
            s->ch_frame = fr;
            if (t->ch.has_sni) scpy(s->sni, sizeof s->sni, t->ch.sni);
        } else if (s->sh_frame && s->nclient_hello == 2) {
            nt_finding *f = finding(d, "tls.renegotiation", NT_SEV_NOTICE);
            conn_flow(f->flow, sizeof f->flow, c);
            ff(f, fr);
            ff(f, s->ch_frame);
            ftext(f, "The client sent a second ClientHello in the clear in frame %llu: a renegotiation (first "
                     "handshake at frame %llu).",
                  (unsigned long long)fr, (unsigned long long)s->ch_frame);
            fadvice(f, "Renegotiation is how IIS asks for a client certificate after the request: if the "
                       "connection fails here, look at the client certificate and the CA list.");
        }
    }
    if (t->has_sh && dir == 1 && !s->sh_frame) s->sh_frame = fr;
    if (t->has_certs && dir == 1 && !s->cert_checked) {
        s->cert_checked = true;
        s->cert_frame = fr;
        check_cert(d, s, c, pkt, &t->certs);
    }
    if (t->hello_request) {
        nt_finding *f = finding(d, "tls.renegotiation", NT_SEV_NOTICE);
        conn_flow(f->flow, sizeof f->flow, c);
        ff(f, fr);
        ftext(f, "The server asked for a renegotiation (HelloRequest) in frame %llu.", (unsigned long long)fr);
        fadvice(f, "Usually the server wants a client certificate for this resource: check that the client has "
                   "one issued by a CA the server's list names.");
    }
    if (t->has_certreq && dir == 1) {
        uint32_t n = t->certreq.dn_len;
        if (n >= d->o.ca_list_warn) {
            bool over = n >= d->o.ca_list_limit;
            nt_finding *f = finding(d, "tls.client-ca-list-large", over ? NT_SEV_ERROR : NT_SEV_WARNING);
            conn_flow(f->flow, sizeof f->flow, c);
            ff(f, fr);
            fnum(f, "ca_list_bytes", n);
            fnum(f, "ca_names", t->certreq.ndn);
            fnum(f, "limit_bytes", d->o.ca_list_limit);
            /* the first few names, so that the admin sees which store they come from */
            char first[400] = "";
            size_t fl = 0;
            int shown = 0;
            nt_cur dl = nt_cur_make(t->certreq.dn, t->certreq.dn ? t->certreq.dn_len : 0);
            while (shown < 3 && nt_cur_left(&dl) >= 2) {
                uint16_t l = nt_cur_be16(&dl);
                const uint8_t *p = nt_cur_ptr(&dl);
                if (!nt_cur_skip(&dl, l)) break;
                char cn[120];
                if (!nt_x509_name_cn(p, l, cn, sizeof cn)) continue;
                if (!shown) fstr(f, "first_ca", cn);
                fl += (size_t)snprintf(first + fl, sizeof first - fl, "%s%s", shown ? "; " : "", cn);
                if (fl >= sizeof first) fl = sizeof first - 1;
                shown++;
            }
            ftext(f,
                  "The server's CertificateRequest in frame %llu lists %u CA names in %u bytes, %s the %u-byte "
                  "limit of Windows' TLS stack (SChannel)%s%s.",
                  (unsigned long long)fr, t->certreq.ndn, n, over ? "over" : "near", d->o.ca_list_limit,
                  shown ? "; the first: " : "", first);
            fadvice(f, "Remove the CAs that do not issue client certificates from the server's trusted root "
                       "store (or set SendTrustedIssuerList to 0 on IIS), so the list shrinks.");
        }
    }
    /* handshake progress and alerts, record by record */
    for (int i = 0; i < t->nrec; i++) {
        const nt_tls_rec_info *r = &t->rec[i];
        /* after a side's ChangeCipherSpec its first encrypted handshake
         * message is its Finished; any later one (TLS 1.2 and below; 1.3
         * hides the record type) starts a renegotiation, seen only as
         * "Encrypted Handshake Message" */
        if (r->type == NT_TLS_CT_CCS) {
            s->tls_st[dir] = 1;
        } else if (r->type == NT_TLS_CT_HANDSHAKE && r->encrypted && !r->opaque) {
            if (s->tls_st[dir] == 1) {
                s->tls_st[dir] = 2;
                if (!s->nreneg) s->reneg_fin_frame = fr, s->fin_ts = pkt->frame->ts; /* the later Finished */
                if (s->reneg_on && s->tls_st[1 - dir] == 2) s->reneg_on = false;
            } else if (s->tls_st[dir] == 2 && s->tls_st[1 - dir] == 2 && !s->reneg_on) {
                s->reneg_on = true;
                if (!s->nreneg++) {
                    s->reneg_frame = fr;
                    s->reneg_by = dir;
                    s->reneg_ts = pkt->frame->ts;
                }
            } else if (s->reneg_on && s->nreneg == 1 && dir != s->reneg_by && !s->reneg_reply_frame) {
                s->reneg_reply_frame = fr;
            }
        }
        if (s->sh_frame) {
            if (dir == 0 && !s->client_after_frame && fr >= s->sh_frame &&
                (r->type == NT_TLS_CT_CCS || r->type == NT_TLS_CT_APPDATA || r->type == NT_TLS_CT_HANDSHAKE))
                s->client_after_frame = fr;
            else if (dir == 1 && s->client_after_frame && !s->server_after_frame && fr > s->client_after_frame &&
                     (r->type == NT_TLS_CT_CCS || r->type == NT_TLS_CT_APPDATA || r->type == NT_TLS_CT_HANDSHAKE))
                s->server_after_frame = fr;
        }
        if (r->type == NT_TLS_CT_ALERT && !r->encrypted && !r->opaque) {
            if (r->alert_desc == 0 && r->alert_level == 1) continue; /* close_notify */
            bool fatal = r->alert_level == 2;
            nt_finding *f = finding(d, "tls.alert", fatal ? NT_SEV_ERROR : NT_SEV_WARNING);
            conn_flow(f->flow, sizeof f->flow, c);
            ff(f, fr);
            fstr(f, "sender", dir ? "server" : "client");
            fnum(f, "level", r->alert_level);
            fnum(f, "description", r->alert_desc);
            const char *name = nt_tls_alert_name(r->alert_desc);
            fstr(f, "alert", name ? name : "unknown");
            ftext(f, "The %s sent a %s TLS alert in frame %llu: %s (%u).", dir ? "server" : "client",
                  fatal ? "fatal" : "warning", (unsigned long long)fr, name ? name : "unknown", r->alert_desc);
            switch (r->alert_desc) {
            case 42: case 43: case 44: case 45: case 46: case 48:
                fadvice(f, "The %s rejected the peer's certificate: check its names, dates and chain against the "
                           "%s's trusted CAs.",
                        dir ? "server" : "client", dir ? "server" : "client");
                break;
            case 40: case 70: case 71:
                fadvice(f, "No common protocol version or cipher suite: compare the ClientHello (frame %llu) with "
                           "what the server allows.",
                        (unsigned long long)s->ch_frame);
                break;
            case 112:
                fadvice(f, "The server does not know the name in the SNI (%s): check the server's bindings.",
                        s->sni[0] ? s->sni : "none sent");
                break;
            default: fadvice(f, "Look at the %s's TLS logs for why it gave up.", dir ? "server" : "client");
            }
        }
    }
}

/* the client's request turn got no answer for long: called when the
 * client gives up (FIN/RST) or at the end of the trace */
static void no_response(nt_diag *d, dstream *s, const nt_conn *c, nt_time now, uint64_t end_frame, bool gave_up)
{
    if (!s->req_open || !s->req_acked || s->req_reported) return;
    double w = secs(now, s->req_last_ts);
    if (w < d->o.no_response_s) return;
    s->req_reported = true;
    nt_finding *f = finding(d, "app.no-response", gave_up ? NT_SEV_ERROR : NT_SEV_WARNING);
    conn_flow(f->flow, sizeof f->flow, c);
    ff(f, s->req_first_frame);
    ff(f, s->req_last_frame);
    ff(f, s->req_ack_frame);
    ff(f, end_frame);
    fnum(f, "waited_s", w);
    fnum(f, "request_frame", (double)s->req_first_frame);
    fnum(f, "ack_frame", (double)s->req_ack_frame);
    char b1[32], req[64];
    if (s->req_first_frame == s->req_last_frame)
        snprintf(req, sizeof req, "frame %llu", (unsigned long long)s->req_first_frame);
    else
        snprintf(req, sizeof req, "frames %llu-%llu", (unsigned long long)s->req_first_frame,
                 (unsigned long long)s->req_last_frame);
    if (gave_up)
        ftext(f,
              "The server ACKed the client's request (%s, ACK in frame %llu) but sent no application data back; "
              "the client gave up after %s (frame %llu).",
              req, (unsigned long long)s->req_ack_frame, dur(b1, sizeof b1, w), (unsigned long long)end_frame);
    else
        ftext(f,
              "The server ACKed the client's request (%s, ACK in frame %llu) but sent no application data back in "
              "the %s until the end of the trace.",
              req, (unsigned long long)s->req_ack_frame, dur(b1, sizeof b1, w));
    fadvice(f, "TCP works, the application does not answer: look at the server application (or the load "
               "balancer or proxy that ACKs on its behalf) and try the server behind it directly.");
}

static void add_tcp(nt_diag *d, const nt_packet *pkt)
{
    const nt_pkt_ana *a = &pkt->ana;
    const nt_tcp *t = NULL;
    for (int i = 0; i < pkt->nlayers; i++)
        if (pkt->layers[i].proto == NT_P_TCP && !pkt->layers[i].inner) t = &pkt->tcp[pkt->layers[i].idx];
    ipinfo ip;
    if (!t || !outer_ip(pkt, &ip)) return;
    if (a->tcp_stream >= d->conns.cap || !d->conns.c[a->tcp_stream].used) return;
    const nt_conn *c = &d->conns.c[a->tcp_stream];
    dstream *s = stream_slot(d, a->tcp_stream);
    size_t alen = ip.fam == 4 ? 4 : 16;
    int dir = (memcmp(ip.src, c->client, alen) == 0 && t->sport == c->cport) ? 0 : 1;
    const nt_frame *fr = pkt->frame;
    uint64_t n = fr->number;
    uint16_t fl = t->flags;
    uint32_t ta = a->tcp_flags;
    bool syn = fl & NT_TCP_SYN, ack = fl & NT_TCP_ACK, rst = fl & NT_TCP_RST, fin = fl & NT_TCP_FIN;
    uint32_t plen = t->payload_len;
    bool retrans = ta & (NT_TA_RETRANSMISSION | NT_TA_FAST_RETRANSMISSION | NT_TA_SPURIOUS_RETRANS);

    if (syn && !ack && dir == 0 && s->nsynf < NT_CONN_SYN_TIMES) s->syn_frames[s->nsynf++] = (uint32_t)n;
    if (syn && ack && dir == 1 && s->nsynackf < 4) s->synack_frames[s->nsynackf++] = (uint32_t)n;
    if (syn && t->has_mss) s->mss[dir] = t->mss;

    /* idle gaps between consecutive packets of an established connection */
    if (s->last_frame && (c->established || (!c->syns && !c->synacks))) { /* or begun before the capture */
        double g = secs(fr->ts, s->last_ts);
        if (g >= d->o.idle_gap_s) {
            s->ngaps++;
            if (g > s->gap_max) {
                s->gap_max = g;
                s->gap_before = s->last_frame;
                s->gap_after = n;
                /* who was waiting: an open request means the client waited for the server */
                s->gap_waiter = s->req_open ? 0 : (s->last_dir == 1 || s->last_dir == -1) ? 1 : 2;
            }
        }
    }
    s->last_ts = fr->ts;
    s->last_frame = n;
    s->last_pkt_dir = dir;

    /* retransmissions of data */
    if (plen && !syn) {
        s->data_segs[dir]++;
        if (retrans) {
            s->retrans[dir]++;
            if (ta & NT_TA_FAST_RETRANSMISSION) s->fast[dir]++;
            if (s->nfirst_retrans[dir] < EXAMPLES) s->first_retrans[dir][s->nfirst_retrans[dir]++] = n;
        }
    }
    if (ta & NT_TA_LOST_SEGMENT) s->lost_seg[dir]++;
    if (ta & NT_TA_DUPLICATE_ACK) s->dupacks[dir]++;
    if (ta & NT_TA_ACK_LOST_SEGMENT) {
        if (!d->ack_unseen) d->ack_unseen_first = n;
        d->ack_unseen++;
    }

    /* zero window, advertised by dir; a Linux probe looks like a keep-alive */
    int o = 1 - dir;
    if ((ta & NT_TA_ZERO_WINDOW) && !rst) {
        if (!s->zw_in[dir]) {
            s->zw_in[dir] = true;
            s->zw_start[dir] = fr->ts;
            s->zw_start_frame[dir] = n;
            if (!s->zw_count[dir]) s->zw_first[dir] = n;
            s->zw_count[dir]++;
        }
    } else if (s->zw_in[dir] && a->win > 0 && !rst) {
        double w = secs(fr->ts, s->zw_start[dir]);
        s->zw_in[dir] = false;
        s->zw_total[dir] += w;
        if (w >= s->zw_max[dir]) s->zw_max[dir] = w, s->zw_end_frame[dir] = n;
    }
    if (s->zw_in[o] && (ta & (NT_TA_ZERO_WINDOW_PROBE | NT_TA_KEEP_ALIVE))) s->zw_probes[o]++;
    if ((ta & NT_TA_ZERO_WINDOW) && s->wf_in[o]) {
        s->wf_in[o] = false;
        s->wf_total[o] += secs(fr->ts, s->wf_ts[o]);
    }

    /* window full: dir filled the peer's window; the stall lasts until dir sends new data */
    if (s->wf_in[dir] && plen && !retrans && !(ta & NT_TA_WINDOW_FULL)) {
        s->wf_in[dir] = false;
        s->wf_total[dir] += secs(fr->ts, s->wf_ts[dir]);
    }
    if ((ta & NT_TA_WINDOW_FULL) && !s->wf_in[dir]) {
        s->wf_in[dir] = true;
        s->wf_ts[dir] = fr->ts;
        if (!s->wf_count[dir]) s->wf_first[dir] = n;
        s->wf_count[dir]++;
    }

    /* delayed ACK + Nagle: dir sends a small segment with nothing else in
     * flight; the peer ACKs it only after a delayed-ACK timer, without data;
     * dir's next segment follows that ACK at once (it was waiting for it). */
    uint16_t mss = s->mss[o] ? s->mss[o] : 1460; /* what the peer announced */
    if (plen && !syn && !retrans) {
        if (s->ng_state[dir] == 2) {
            double follow = secs(fr->ts, s->ng_ack_ts[dir]);
            double lost = secs(s->ng_ack_ts[dir], s->ng_seg_ts[dir]);
            double lim = c->hs_rtt_ns > 0 ? 2.0 * (double)c->hs_rtt_ns / 1e9 : 0;
            if (lim < 0.005) lim = 0.005;
            if (follow <= lim) {
                s->ng_count[dir]++;
                s->ng_total[dir] += lost;
                if (lost > s->ng_max[dir]) s->ng_max[dir] = lost;
                if (s->nng_ex[dir] < EXAMPLES) {
                    uint64_t *e = s->ng_ex[dir][s->nng_ex[dir]++];
                    e[0] = s->ng_seg_frame[dir], e[1] = s->ng_ack_frame[dir], e[2] = n;
                }
            }
        }
        s->ng_state[dir] = 0;
        if (plen < mss && a->bytes_in_flight == plen) {
            s->ng_state[dir] = 1;
            s->ng_seg_frame[dir] = n;
            s->ng_seg_ts[dir] = fr->ts;
            s->ng_end[dir] = a->nxtseq;
        }
    }
    if (s->ng_state[o] == 1) {
        if (plen || syn || fin || rst) s->ng_state[o] = 0;
        else if (ack && (int32_t)(a->rel_ack - s->ng_end[o]) >= 0) {
            double dly = secs(fr->ts, s->ng_seg_ts[o]);
            double rtt = c->hs_rtt_ns > 0 ? (double)c->hs_rtt_ns / 1e9 : 0;
            if (dly >= d->o.dack_min_s && dly <= d->o.dack_max_s && dly >= rtt + d->o.dack_min_s * 0.5) {
                s->ng_state[o] = 2;
                s->ng_ack_frame[o] = n;
                s->ng_ack_ts[o] = fr->ts;
            } else {
                s->ng_state[o] = 0;
            }
        }
    } else if (s->ng_state[o] == 2 && plen) {
        s->ng_state[o] = 0;
    }

    /* request/response turns (client speaks first) */
    if (plen && !retrans && !syn) {
        s->any_data[dir] = true;
        if (dir == 0) {
            if (!s->req_open) {
                s->req_open = true;
                s->req_first_frame = n;
                s->req_acked = false;
                s->req_reported = false;
            }
            s->req_last_frame = n;
            s->req_last_ts = fr->ts;
            s->req_end = a->nxtseq;
        } else if (s->req_open) {
            /* the first answer byte: a response time for this server:port */
            s->req_open = false;
            double rt = secs(fr->ts, s->req_last_ts);
            addr sv = {.fam = c->family};
            memcpy(sv.a, c->server, 16);
            server *sv_ = server_find(d, &sv, c->sport);
            if (sv_) {
                sv_->n++;
                sv_->sum += rt;
                if (rt > sv_->max) sv_->max = rt;
                if (pkt->app && pkt->app->nhttp && !pkt->app->http[0].continuation && !pkt->app->http[0].h.request)
                    sv_->http = true;
                if (rt >= d->o.slow_response_s) {
                    sv_->nslow++;
                    /* keep the worst few, worst first */
                    for (int k = 0; k < WORST; k++) {
                        if (!sv_->worst[k].req_frame || rt > sv_->worst[k].secs) {
                            memmove(&sv_->worst[k + 1], &sv_->worst[k], (WORST - 1 - k) * sizeof sv_->worst[0]);
                            sv_->worst[k] = (turn_ex){s->req_first_frame, n, rt};
                            break;
                        }
                    }
                }
            }
        }
        s->last_dir = dir;
    }
    if (dir == 1 && ack && s->req_open && !s->req_acked && (int32_t)(a->rel_ack - s->req_end) >= 0) {
        s->req_acked = true;
        s->req_ack_frame = n;
    }
    if (dir == 0 && (fin || rst)) no_response(d, s, c, fr->ts, n, true);

    if (pkt->app && pkt->app->has_tls) add_tls(d, s, c, dir, pkt);
}

void nt_diag_add(nt_diag *d, const nt_packet *pkt)
{
    const nt_frame *fr = pkt->frame;
    if (fr->linktype == NT_LINK_PCAPNG_CUSTOM) return;
    d->frames++;
    if (!d->first_frame) d->first_frame = fr->number;
    d->last_frame = fr->number;
    if (!fr->no_ts) {
        /* the span, even when a merged file goes back in time */
        if (!d->have_ts) d->first_ts = d->last_ts = fr->ts, d->have_ts = true;
        if (nt_time_diff_ns(fr->ts, d->first_ts) < 0) d->first_ts = fr->ts;
        if (nt_time_diff_ns(fr->ts, d->last_ts) > 0) d->last_ts = fr->ts;
    }
    if (fr->caplen < fr->len) {
        if (!d->cut) d->cut_first = fr->number, d->cut_caplen = fr->caplen;
        d->cut++;
    }
    nt_conns_add(&d->conns, pkt);
    /* each host's ordinary TTL (not from TCP resets: those are what it is compared with) */
    ipinfo ip;
    if (outer_ip(pkt, &ip)) {
        bool rst = false;
        for (int i = 0; i < pkt->nlayers; i++)
            if (pkt->layers[i].proto == NT_P_TCP && !pkt->layers[i].inner)
                rst = pkt->tcp[pkt->layers[i].idx].flags & NT_TCP_RST;
        /* neighbour discovery and MLD always use hop limit 255 or 1: not the host's own */
        bool nd = pkt->nicmp6 && pkt->icmp6[0].type >= 130 && pkt->icmp6[0].type <= 143;
        if (!rst && !nd) {
            addr h = {.fam = ip.fam};
            memcpy(h.a, ip.src, ip.fam == 4 ? 4 : 16);
            host *x = host_find(d, &h, true);
            if (x && !x->frame) x->ttl = ip.ttl, x->frame = fr->number;
        }
        add_csum(d, pkt, &ip);
        /* DNS, SIP and STUN as the session's application layer found them:
         * after TCP reassembly, retransmissions left out */
        dns_ports pt = {0, 0};
        bool udp = false;
        const nt_udp *u = NULL;
        for (int i = 0; i < pkt->nlayers; i++) {
            const nt_layer *l = &pkt->layers[i];
            if (l->inner) break;
            if (l->proto == NT_P_UDP) u = &pkt->udp[l->idx], pt = (dns_ports){u->sport, u->dport}, udp = true;
            if (l->proto == NT_P_TCP) pt = (dns_ports){pkt->tcp[l->idx].sport, pkt->tcp[l->idx].dport};
            if (l->proto == NT_P_UDP || l->proto == NT_P_TCP) break;
        }
        bool claimed = false;
        for (int i = 0; pkt->app && i < pkt->app->npdu; i++) {
            const nt_app_pdu *m = &pkt->app->pdu[i];
            size_t pre = udp ? 0 : 2; /* DNS over TCP: the 2-byte length first */
            if (m->proto == NT_P_DNS && m->len >= NT_DNS_HDR_LEN + pre)
                add_dns(d, pkt, &ip, m->p + pre, m->len - pre, pt);
            else if (m->proto == NT_P_SIP) add_sip(d, pkt, &ip, m->p, m->len);
            else if (m->proto == NT_P_STUN) add_stun(d, pkt, &ip, m->p, m->len, pt);
            else continue;
            claimed = true;
        }
        /* UDP on ports the application layer does not know: SIP and STUN
         * by content, RTP on the endpoints a dialog's SDP announced */
        if (udp && !claimed && u->payload) {
            if (u->payload_cap >= 20 && nt_stun_is_message(u->payload, u->payload_cap))
                add_stun(d, pkt, &ip, u->payload, u->payload_cap, pt);
            else if (nt_sip_detect(u->payload, u->payload_cap))
                add_sip(d, pkt, &ip, u->payload, u->payload_cap);
            else if (d->ndl && u->payload_cap >= 12)
                add_rtp(d, pkt, &ip, u);
        }
    }
    if (pkt->narp) add_arp(d, pkt);
    if (pkt->nicmp || pkt->nicmp6) {
        add_icmp(d, pkt);
        if (d->ndl) icmp_media(d, pkt);
    }
    if (pkt->ana.tcp_valid) add_tcp(d, pkt);
}

/* ---- end of trace ----------------------------------------------------- */

static void handshake_rules(nt_diag *d, const nt_conn *c, dstream *s)
{
    char flow[160], b1[32];
    conn_flow(flow, sizeof flow, c);
    nt_conn_outcome oc = nt_conn_outcome_of(c);
    if (oc == NT_CONN_UNANSWERED) {
        double span = secs(d->last_ts, c->first_ts);
        bool sure = c->syns >= 2 || span >= 3.0;
        nt_finding *f = finding(d, "tcp.syn-unanswered", sure ? NT_SEV_ERROR : NT_SEV_NOTICE);
        scpy(f->flow, sizeof f->flow, flow);
        for (uint32_t i = 0; i < s->nsynf; i++) ff(f, s->syn_frames[i]);
        fnum(f, "syns", c->syns);
        char sched[96] = "";
        size_t at = 0;
        uint32_t k = c->syns < NT_CONN_SYN_TIMES ? c->syns : NT_CONN_SYN_TIMES;
        for (uint32_t i = 1; i < k && at < sizeof sched; i++)
            at += (size_t)snprintf(sched + at, sizeof sched - at, "%s+%.1f s", i > 1 ? ", " : "",
                                   secs(c->syn_ts[i], c->syn_ts[0]));
        fstr(f, "schedule", sched);
        fnum(f, "waited_s", secs(c->last_ts, c->first_ts));
        if (c->syns > 1)
            ftext(f, "%u SYNs to %s got no answer (first in frame %llu, retransmitted at %s); nothing came back.",
                  c->syns, strstr(flow, "-> ") + 3, (unsigned long long)c->first_syn_frame,
                  sched);
        else
            ftext(f, "The SYN in frame %llu got no answer in the %s the trace runs after it.",
                  (unsigned long long)c->first_syn_frame, dur(b1, sizeof b1, span));
        fadvice(f, "The SYNs were dropped on the way or the host is down: check firewalls and routes towards "
                   "port %u, and capture on the server at the same time to see whether the SYNs arrive.",
                c->sport);
        return;
    }
    if (oc == NT_CONN_REFUSED) {
        nt_finding *f = finding(d, "tcp.syn-refused", NT_SEV_ERROR);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, c->first_syn_frame);
        fnum(f, "syns", c->syns);
        if (c->rst[1] && c->rst_before_synack) {
            ff(f, c->rst_frame);
            fnum(f, "reset_frame", (double)c->rst_frame);
            fnum(f, "reset_ttl", c->rst_ttl);
            addr h = {.fam = c->family};
            memcpy(h.a, c->server, 16);
            host *x = host_find(d, &h, false);
            if (x && x->frame) {
                fnum(f, "host_ttl", x->ttl);
                fnum(f, "host_ttl_frame", (double)x->frame);
                ff(f, x->frame);
            }
            char other[200];
            if (x && x->frame && x->ttl != c->rst_ttl)
                snprintf(other, sizeof other,
                         "; its TTL %u differs from the TTL %u of the host's other packets (frame %llu): a "
                         "firewall or load balancer in between likely sent it",
                         c->rst_ttl, x->ttl, (unsigned long long)x->frame);
            else if (x && x->frame)
                snprintf(other, sizeof other, "; its TTL %u is the host's own (frame %llu)", c->rst_ttl,
                         (unsigned long long)x->frame);
            else
                snprintf(other, sizeof other, " with TTL %u (no other packet from the host to compare)", c->rst_ttl);
            ftext(f, "The connection to %s was refused: the SYN (frame %llu) was answered by a reset (frame %llu)%s.",
                  strstr(flow, "-> ") + 3, (unsigned long long)c->first_syn_frame, (unsigned long long)c->rst_frame,
                  other);
            fadvice(f, "Nothing listens on port %u on the server, or a firewall rejects it: check the service "
                       "and its binding, then firewall rules that reject with a reset.",
                    c->sport);
        } else {
            ff(f, c->icmp_frame);
            addr from = {.fam = c->icmp_family};
            memcpy(from.a, c->icmp_from, 16);
            char fs[64];
            addr_str(fs, sizeof fs, &from);
            fstr(f, "icmp_from", fs);
            fnum(f, "icmp_code", c->icmp_code);
            ftext(f,
                  "The connection to %s was rejected: the SYN (frame %llu) was answered by an ICMP%s destination "
                  "unreachable (code %u) from %s (frame %llu).",
                  strstr(flow, "-> ") + 3, (unsigned long long)c->first_syn_frame, c->icmp_family == 6 ? "v6" : "",
                  c->icmp_code, fs, (unsigned long long)c->icmp_frame);
            fadvice(f, "A firewall (or the host) rejects port %u with ICMP: check the rules on %s and on the way.",
                    c->sport, fs);
        }
        return;
    }
    if (oc == NT_CONN_HALF_OPEN) {
        nt_finding *f = finding(d, "tcp.handshake-incomplete", NT_SEV_ERROR);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, c->first_syn_frame);
        for (uint32_t i = 0; i < s->nsynackf; i++) ff(f, s->synack_frames[i]);
        fnum(f, "synacks", c->synacks);
        fnum(f, "syns", c->syns);
        ftext(f,
              "The server answered the SYN (frame %llu) with a SYN-ACK (frame %llu%s%u times) but the client's "
              "final ACK never came.",
              (unsigned long long)c->first_syn_frame, (unsigned long long)c->first_synack_frame, ", sent ",
              c->synacks);
        fadvice(f, "The SYN-ACK or the ACK is lost between the two: capture on the client too; look for a "
                   "firewall that drops one direction or asymmetric routing.");
        return;
    }
    bool tls_aborted = s->sh_frame && !s->server_after_frame; /* tls.handshake-aborted tells it */
    if (nt_conn_end_of(c) == NT_END_RESET && (oc == NT_CONN_ESTABLISHED || oc == NT_CONN_PREEXISTING) &&
        !tls_aborted) {
        bool after_fin = c->fin[0] && c->fin[1];
        nt_finding *f = finding(d, "tcp.reset", after_fin ? NT_SEV_NOTICE : NT_SEV_WARNING);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, c->rst_frame);
        ff(f, c->rst_after_frame);
        const char *by = c->rst_by ? "server" : "client";
        fstr(f, "by", by);
        fnum(f, "reset_ttl", c->rst_ttl);
        fnum(f, "bytes_c2s", (double)c->bytes[0]);
        fnum(f, "bytes_s2c", (double)c->bytes[1]);
        fnum(f, "after_s", secs(c->last_ts, c->first_ts));
        /* the resetting side's ordinary TTL: another one means a device in between sent the reset */
        addr h = {.fam = c->family};
        memcpy(h.a, c->rst_by ? c->server : c->client, 16);
        host *x = host_find(d, &h, false);
        char ttl[160] = "";
        if (x && x->frame) {
            fnum(f, "host_ttl", x->ttl);
            if (x->ttl != c->rst_ttl) {
                ff(f, x->frame);
                snprintf(ttl, sizeof ttl,
                         "; its TTL %u differs from the %s's other packets (TTL %u, frame %llu): a device in "
                         "between likely sent it",
                         c->rst_ttl, by, x->ttl, (unsigned long long)x->frame);
            }
        }
        ftext(f,
              "The %s reset the established connection in frame %llu (after frame %llu), %s into it, after "
              "%llu bytes from the client and %llu from the server%s%s.",
              by, (unsigned long long)c->rst_frame, (unsigned long long)c->rst_after_frame,
              dur(b1, sizeof b1, secs(c->last_ts, c->first_ts)), (unsigned long long)c->bytes[0],
              (unsigned long long)c->bytes[1], after_fin ? ", both sides had already sent FIN" : "", ttl);
        fadvice(f, "Look at what the %s application logged at that time; a reset with another TTL than the "
                   "host's comes from a device in between (idle timeout, IPS).",
                by);
    }
}

static void stream_rules(nt_diag *d, const nt_conn *c, dstream *s)
{
    char flow[160], b1[32], b2[32];
    conn_flow(flow, sizeof flow, c);
    static const char *side[2] = {"client", "server"};
    if (s->nreneg) {
        /* unfinished: the connection ended before both sides' new Finished */
        bool open = s->reneg_on;
        nt_finding *f = finding(d, "tls.renegotiation", open ? NT_SEV_WARNING : NT_SEV_NOTICE);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, s->reneg_frame);
        if (s->reneg_reply_frame) ff(f, s->reneg_reply_frame);
        if (s->reneg_fin_frame) ff(f, s->reneg_fin_frame);
        fstr(f, "initiator", side[s->reneg_by]);
        fnum(f, "renegotiations", s->nreneg);
        fnum(f, "after_handshake_s", s->reneg_fin_frame ? secs(s->reneg_ts, s->fin_ts) : 0);
        fstr(f, "completed", open ? "no" : "yes");
        ftext(f,
              "The %s started a TLS renegotiation in frame %llu, %s after the handshake ended (frame %llu): an "
              "encrypted handshake message inside the established session%s%s.",
              side[s->reneg_by], (unsigned long long)s->reneg_frame,
              dur(b1, sizeof b1, s->reneg_fin_frame ? secs(s->reneg_ts, s->fin_ts) : 0),
              (unsigned long long)s->reneg_fin_frame, s->nreneg > 1 ? ", the first of several" : "",
              open ? "; it never completed" : "");
        if (s->reneg_by == 1)
            fadvice(f, "A server renegotiates (HelloRequest) mostly to ask for a client certificate for one "
                       "resource (IIS, client certificates negotiated per folder): check the client has a "
                       "certificate from a CA in the server's list, or require it in the first handshake.");
        else
            fadvice(f, "Client-initiated renegotiation is refused by many servers (and was a DoS vector): if the "
                       "connection failed here, look at the server's renegotiation settings.");
    }
    for (int dir = 0; dir < 2; dir++) {
        /* retransmissions */
        uint64_t segs = s->data_segs[dir], rt = s->retrans[dir];
        double rate = segs ? (double)rt / (double)segs : 0;
        if (rt >= d->o.retrans_min && rate >= d->o.retrans_rate) {
            nt_finding *f = finding(d, "tcp.retransmissions", rate >= 0.1 ? NT_SEV_ERROR : NT_SEV_WARNING);
            scpy(f->flow, sizeof f->flow, flow);
            for (int i = 0; i < s->nfirst_retrans[dir]; i++) ff(f, s->first_retrans[dir][i]);
            fstr(f, "sender", side[dir]);
            fnum(f, "retransmissions", (double)rt);
            fnum(f, "data_segments", (double)segs);
            fnum(f, "rate", rate);
            fnum(f, "fast_retransmissions", (double)s->fast[dir]);
            fnum(f, "dup_acks", (double)s->dupacks[1 - dir]);
            fnum(f, "previous_segment_lost", (double)s->lost_seg[dir]);
            ftext(f,
                  "The %s retransmitted %llu of its %llu data segments (%.1f %%; %llu fast retransmissions, "
                  "%llu duplicate ACKs from the %s), first in frame %llu.",
                  side[dir], (unsigned long long)rt, (unsigned long long)segs, rate * 100,
                  (unsigned long long)s->fast[dir], (unsigned long long)s->dupacks[1 - dir], side[1 - dir],
                  (unsigned long long)s->first_retrans[dir][0]);
            fadvice(f, "Packets are lost between the two: capture at both ends to find where, and look at "
                       "interface errors, duplex, congested links or a policer on the path.");
        }
        /* zero window advertised by dir */
        if (s->zw_count[dir]) {
            if (s->zw_in[dir]) { /* still closed at the end */
                double w = secs(d->last_ts, s->zw_start[dir]);
                s->zw_total[dir] += w;
                if (w >= s->zw_max[dir]) s->zw_max[dir] = w, s->zw_end_frame[dir] = 0;
            }
            nt_finding *f = finding(d, "tcp.zero-window", NT_SEV_WARNING);
            scpy(f->flow, sizeof f->flow, flow);
            ff(f, s->zw_first[dir]);
            ff(f, s->zw_end_frame[dir]);
            fstr(f, "receiver", side[dir]);
            fnum(f, "stalls", s->zw_count[dir]);
            fnum(f, "total_s", s->zw_total[dir]);
            fnum(f, "longest_s", s->zw_max[dir]);
            fnum(f, "probes", s->zw_probes[dir]);
            ftext(f,
                  "The %s advertised a zero window %u time%s (first in frame %llu): the %s was stalled %s in "
                  "total, %s at the longest, with %u window probe%s%s.",
                  side[dir], s->zw_count[dir], s->zw_count[dir] > 1 ? "s" : "", (unsigned long long)s->zw_first[dir],
                  side[1 - dir], dur(b1, sizeof b1, s->zw_total[dir]), dur(b2, sizeof b2, s->zw_max[dir]),
                  s->zw_probes[dir], s->zw_probes[dir] == 1 ? "" : "s",
                  s->zw_in[dir] ? " (still closed at the end of the trace)" : "");
            fadvice(f, "The receiving application on the %s does not read its socket fast enough: look at its "
                       "load (CPU, disk) and how it reads; the network is not the bottleneck here.",
                    side[dir]);
        }
        /* window full: dir filled the peer's window */
        if (s->wf_count[dir]) {
            if (s->wf_in[dir]) s->wf_total[dir] += secs(d->last_ts, s->wf_ts[dir]);
            bool warn = s->wf_total[dir] >= d->o.window_stall_s;
            nt_finding *f = finding(d, "tcp.window-full", warn ? NT_SEV_WARNING : NT_SEV_NOTICE);
            scpy(f->flow, sizeof f->flow, flow);
            ff(f, s->wf_first[dir]);
            fstr(f, "sender", side[dir]);
            fnum(f, "times", s->wf_count[dir]);
            fnum(f, "stalled_s", s->wf_total[dir]);
            ftext(f,
                  "The %s filled the %s's receive window %u time%s (first in frame %llu) and waited %s in total "
                  "before it could send more.",
                  side[dir], side[1 - dir], s->wf_count[dir], s->wf_count[dir] > 1 ? "s" : "",
                  (unsigned long long)s->wf_first[dir], dur(b1, sizeof b1, s->wf_total[dir]));
            fadvice(f, "The %s's receive window limits the transfer: a small socket buffer or no window "
                       "scaling on the %s, or an application that reads slowly.",
                    side[1 - dir], side[1 - dir]);
        }
        /* delayed ACK + Nagle: dir's small segments waited for the peer's delayed ACK */
        if (s->ng_count[dir] >= d->o.nagle_min) {
            nt_finding *f = finding(d, "tcp.delayed-ack-nagle", NT_SEV_WARNING);
            scpy(f->flow, sizeof f->flow, flow);
            for (int i = 0; i < s->nng_ex[dir]; i++)
                for (int k = 0; k < 3; k++) ff(f, s->ng_ex[dir][i][k]);
            double avg = s->ng_total[dir] / s->ng_count[dir];
            fstr(f, "sender", side[dir]);
            fnum(f, "occurrences", s->ng_count[dir]);
            fnum(f, "total_s", s->ng_total[dir]);
            fnum(f, "average_s", avg);
            fnum(f, "longest_s", s->ng_max[dir]);
            ftext(f,
                  "%u times the %s sent a small segment, the %s ACKed it only after its delayed-ACK timer "
                  "(%s on average, %s at most) and the %s's next segment waited for that ACK (Nagle): %s lost "
                  "in total (first: frames %llu, %llu, %llu).",
                  s->ng_count[dir], side[dir], side[1 - dir], dur(b1, sizeof b1, avg),
                  dur(b2, sizeof b2, s->ng_max[dir]), side[dir],
                  dur((char[32]){0}, 32, s->ng_total[dir]), (unsigned long long)s->ng_ex[dir][0][0],
                  (unsigned long long)s->ng_ex[dir][0][1], (unsigned long long)s->ng_ex[dir][0][2]);
            fadvice(f,
                    "Set TCP_NODELAY on the %s's socket (or have it write each message in one call), or turn "
                    "off or shorten delayed ACK on the %s (Windows: TcpAckFrequency=1; Linux: TCP_QUICKACK).",
                    side[dir], side[1 - dir]);
        }
    }
    /* request ACKed, never answered, and the trace ended with the connection open */
    /* (only where the server answered before: a one-way stream, such as an
     * upload or a log feed, is not waiting for anything) */
    if (nt_conn_end_of(c) == NT_END_OPEN && s->any_data[1]) no_response(d, s, c, d->last_ts, d->last_frame, false);
    /* idle gap */
    if (s->ngaps) {
        static const char *who[3] = {"the client was waiting for the server's answer",
                                     "the server had answered and the client sent nothing",
                                     "both sides were quiet"};
        nt_finding *f = finding(d, "app.idle-gap", s->gap_waiter == 0 ? NT_SEV_WARNING : NT_SEV_NOTICE);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, s->gap_before);
        ff(f, s->gap_after);
        fnum(f, "gap_s", s->gap_max);
        fnum(f, "gaps", s->ngaps);
        fstr(f, "waiting", s->gap_waiter == 0 ? "client" : s->gap_waiter == 1 ? "server" : "none");
        ftext(f, "Nothing was sent in this connection for %s between frames %llu and %llu (%u gap%s over %s): %s.",
              dur(b1, sizeof b1, s->gap_max), (unsigned long long)s->gap_before, (unsigned long long)s->gap_after,
              s->ngaps, s->ngaps > 1 ? "s" : "", dur(b2, sizeof b2, d->o.idle_gap_s), who[s->gap_waiter]);
        if (s->gap_waiter == 0)
            fadvice(f, "The server (or something in between) held the answer: look at the server application's "
                       "timing for the request before frame %llu.",
                    (unsigned long long)s->gap_before);
        else
            fadvice(f, "The client application paused: if the user saw a hang here, look at the client (or at what "
                       "it waited for elsewhere: DNS, another connection).");
    }
    /* TLS handshake aborted: the client never went on after the server's hello */
    if (s->sh_frame && !s->server_after_frame && nt_conn_end_of(c) != NT_END_OPEN) {
        nt_finding *f = finding(d, "tls.handshake-aborted", NT_SEV_ERROR);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, s->ch_frame);
        ff(f, s->sh_frame);
        ff(f, s->cert_frame);
        uint64_t endf = nt_conn_end_of(c) == NT_END_RESET ? c->rst_frame : c->fin_frame;
        int by = nt_conn_end_of(c) == NT_END_RESET ? c->rst_by : c->fin_by;
        ff(f, endf);
        fstr(f, "closed_by", side[by]);
        if (s->sni[0]) fstr(f, "sni", s->sni);
        ftext(f,
              "The TLS handshake did not complete: after the server's hello (frame %llu)%s the %s closed the "
              "connection (frame %llu).",
              (unsigned long long)s->sh_frame, s->cert_frame ? " and certificate" : "", side[by],
              (unsigned long long)endf);
        fadvice(f, "The %s did not accept the handshake: look for a TLS alert just before the close and check the "
                   "certificate (names, dates, chain) and the protocol versions both sides allow.",
                side[by]);
    }
}

static void server_rules(nt_diag *d)
{
    char b1[32], b2[32];
    for (size_t i = 0; i < MAX_SERVERS; i++) {
        server *sv = &d->servers[i];
        if (!sv->used || !sv->nslow) continue;
        nt_finding *f = finding(d, "app.slow-response", NT_SEV_WARNING);
        char a[80];
        ep_str(a, sizeof a, sv->ad.fam, sv->ad.a, sv->port);
        scpy(f->flow, sizeof f->flow, a);
        char worst[160] = "";
        size_t at = 0;
        for (int k = 0; k < WORST && sv->worst[k].req_frame; k++) {
            ff(f, sv->worst[k].req_frame);
            ff(f, sv->worst[k].resp_frame);
            if (at < sizeof worst)
                at += (size_t)snprintf(worst + at, sizeof worst - at, "%s%s (frames %llu-%llu)", k ? ", " : "",
                                       dur(b1, sizeof b1, sv->worst[k].secs),
                                       (unsigned long long)sv->worst[k].req_frame,
                                       (unsigned long long)sv->worst[k].resp_frame);
        }
        fnum(f, "responses", (double)sv->n);
        fnum(f, "slow", sv->nslow);
        fnum(f, "average_s", sv->sum / (double)sv->n);
        fnum(f, "max_s", sv->max);
        fnum(f, "threshold_s", d->o.slow_response_s);
        ftext(f, "%u of %llu %sresponses from %s took %s or more (average %s); the worst: %s.", sv->nslow,
              (unsigned long long)sv->n, sv->http ? "HTTP " : "", a, dur(b2, sizeof b2, d->o.slow_response_s),
              dur((char[32]){0}, 32, sv->sum / (double)sv->n), worst);
        fadvice(f, "The time is spent between the request's last segment and the answer's first: on the server "
                   "(or a proxy in front of it); a trace on the server tells whether the delay is added on the way.");
    }
}

static void capture_rules(nt_diag *d, const nt_trace *t)
{
    if (d->cut) {
        nt_finding *f = finding(d, "capture.snaplen", NT_SEV_NOTICE);
        ff(f, d->cut_first);
        fnum(f, "frames_cut", (double)d->cut);
        fnum(f, "snaplen", d->cut_caplen);
        ftext(f, "%llu frame%s cut by the capture's snap length (first: frame %llu, %u bytes kept).",
              (unsigned long long)d->cut, d->cut == 1 ? " was" : "s were", (unsigned long long)d->cut_first,
              d->cut_caplen);
        fadvice(f, "Headers are complete but application payload is not: TLS certificates, HTTP and other "
                   "application findings may be missing. Capture without -s (or a larger one) to see them.");
    }
    uint64_t drops = 0;
    bool any = false;
    for (size_t i = 0; t && i < nt_trace_niface(t); i++) {
        const nt_iface *x = nt_trace_iface(t, i);
        if (x->has_ifdrop) any = true, drops += x->ifdrop;
    }
    if (drops || d->ack_unseen) {
        nt_finding *f = finding(d, "capture.dropped", NT_SEV_WARNING);
        ff(f, d->ack_unseen_first);
        if (any) fnum(f, "interface_drops", (double)drops);
        fnum(f, "acked_unseen", (double)d->ack_unseen);
        if (drops)
            ftext(f, "The capture dropped %llu packets (interface statistics)%s.", (unsigned long long)drops,
                  d->ack_unseen ? " and ACKs acknowledge segments the capture never saw" : "");
        else
            ftext(f,
                  "%llu ACKs acknowledge data the capture never saw (first in frame %llu): the capture missed "
                  "packets that reached the other side.",
                  (unsigned long long)d->ack_unseen, (unsigned long long)d->ack_unseen_first);
        fadvice(f, "Missing packets in the trace are not network loss: capture with a larger buffer (dumpcap "
                   "-B), a capture filter, or a snap length, and write to a fast disk.");
    }
}

/* Bad checksums only on what some hosts sent, all of it: checksum offload
 * on the capturing host (the NIC fills them in after the capture point).
 * Bad checksums here and there among good ones from the same host: the
 * packets were damaged. */
static void checksum_rules(nt_diag *d)
{
    uint32_t offl = 0, bad_hosts = 0, good_hosts = 0;
    host *first = NULL, *worst_mixed = NULL;
    uint64_t bad_total = 0;
    for (size_t i = 0; i < MAX_HOSTS; i++) {
        host *x = &d->hosts[i];
        if (!x->used || !x->csum_checked) continue;
        if (!x->csum_bad) {
            good_hosts++;
            continue;
        }
        bad_hosts++;
        bad_total += x->csum_bad;
        if ((double)x->csum_bad >= 0.9 * x->csum_checked) {
            offl++;
            if (!first || x->csum_first_bad < first->csum_first_bad) first = x;
        } else if (!worst_mixed || x->csum_bad > worst_mixed->csum_bad) {
            worst_mixed = x;
        }
    }
    if (!bad_hosts) return;
    if (offl) {
        char a[64];
        addr_str(a, sizeof a, &first->ad);
        nt_finding *f = finding(d, "capture.checksum-offload", NT_SEV_NOTICE);
        scpy(f->flow, sizeof f->flow, a);
        ff(f, first->csum_first_bad);
        fnum(f, "hosts", offl);
        fnum(f, "bad", (double)first->csum_bad);
        fnum(f, "checked", first->csum_checked);
        fstr(f, "host", a);
        if (good_hosts)
            ftext(f,
                  "All %u TCP/UDP checksums checked on packets sent by %s were wrong (first in frame %llu)%s, and the "
                  "other hosts' were right: %s is the capturing host and its network card fills in checksums after "
                  "the capture point (offload).",
                  first->csum_checked, a, (unsigned long long)first->csum_first_bad,
                  offl > 1 ? " (and those of other hosts too)" : "", a);
        else
            ftext(f,
                  "The TCP/UDP checksums of %u host%s were all wrong (first in frame %llu): checksum offload on the "
                  "capturing host, or a virtual interface (loopback, veth) where checksums are never filled in.",
                  offl, offl > 1 ? "s" : "", (unsigned long long)first->csum_first_bad);
        fadvice(f, "Not a network problem: ignore these checksum errors (Wireshark flags them too when told to "
                   "check), or capture on another host or a mirror port to see the wire.");
    }
    if (worst_mixed) {
        char a[64];
        addr_str(a, sizeof a, &worst_mixed->ad);
        nt_finding *f = finding(d, "capture.bad-checksum", NT_SEV_WARNING);
        scpy(f->flow, sizeof f->flow, a);
        ff(f, worst_mixed->csum_first_bad);
        fnum(f, "bad", (double)worst_mixed->csum_bad);
        fnum(f, "checked", worst_mixed->csum_checked);
        fstr(f, "host", a);
        ftext(f, "%u of %u TCP/UDP checksums checked on packets from %s were wrong (first in frame %llu).",
              worst_mixed->csum_bad, worst_mixed->csum_checked, a, (unsigned long long)worst_mixed->csum_first_bad);
        fadvice(f, "Packets are damaged on the way (faulty NIC, cable, switch port) and the receiver drops them, "
                   "which looks like loss: check interface error counters along the path.");
    }
    (void)bad_total;
}

static void icmp_arp_rules(nt_diag *d)
{
    for (size_t i = 0; i < d->nicmp; i++) {
        icmpe *e = &d->icmp[i];
        /* an unreachable that refused a TCP connection is already tcp.syn-refused */
        if (!e->ttl && e->inner_tcp && e->inner_stream < d->conns.cap && d->conns.c[e->inner_stream].used &&
            nt_conn_outcome_of(&d->conns.c[e->inner_stream]) == NT_CONN_REFUSED)
            continue;
        char from[64];
        addr_str(from, sizeof from, &e->from);
        nt_finding *f = finding(d, e->ttl ? "icmp.ttl-exceeded" : "icmp.unreachable", NT_SEV_WARNING);
        scpy(f->flow, sizeof f->flow, e->quoted);
        for (uint32_t k = 0; k < e->n && k < EXAMPLES; k++) ff(f, e->frames[k]);
        fstr(f, "from", from);
        fnum(f, "type", e->type);
        fnum(f, "code", e->code);
        fnum(f, "count", e->n);
        static const char *un4[] = {"network unreachable", "host unreachable", "protocol unreachable",
                                    "port unreachable", "fragmentation needed", "source route failed",
                                    "network unknown", "host unknown", "source host isolated",
                                    "network prohibited", "host prohibited", "network unreachable for TOS",
                                    "host unreachable for TOS", "communication administratively prohibited"};
        static const char *un6[] = {"no route", "administratively prohibited", "beyond scope",
                                    "address unreachable", "port unreachable", "source address failed policy",
                                    "reject route"};
        const char *what = e->ttl ? (e->fam == 4 ? "time to live exceeded" : "hop limit exceeded")
                           : e->fam == 4 ? (e->code < 14 ? un4[e->code] : "unreachable")
                                         : (e->code < 7 ? un6[e->code] : "unreachable");
        fstr(f, "reason", what);
        ftext(f, "%s sent %u ICMP%s %s error%s about %s (first in frame %llu).", from, e->n, e->fam == 6 ? "v6" : "",
              what, e->n > 1 ? "s" : "", e->quoted[0] ? e->quoted : "a packet", (unsigned long long)e->frames[0]);
        if (e->ttl)
            fadvice(f, "Packets expire on the way (a routing loop, or a TTL set too low): run a traceroute and "
                       "check the routes near %s.",
                    from);
        else if (e->code == 4 && e->fam == 4)
            fadvice(f, "A router cannot forward a large packet with DF set: check the MTU on the path (PMTUD "
                       "black holes, VPN tunnels).");
        else
            fadvice(f, "Check the route to the destination and the service on it; %s is the device that gave "
                       "up.",
                    from);
    }
    for (size_t i = 0; i < d->narp; i++) {
        arpq *q = &d->arp[i];
        if (q->answered) continue;
        nt_finding *f = finding(d, "arp.unanswered", NT_SEV_WARNING);
        addr t = {.fam = 4}, s = {.fam = 4};
        memcpy(t.a, q->tpa, 4);
        memcpy(s.a, q->spa, 4);
        char ts[32], ss[32];
        addr_str(ts, sizeof ts, &t);
        addr_str(ss, sizeof ss, &s);
        snprintf(f->flow, sizeof f->flow, "%s -> %s", ss, ts);
        for (uint32_t k = 0; k < q->n && k < EXAMPLES; k++) ff(f, q->frames[k]);
        fstr(f, "target", ts);
        fnum(f, "requests", q->n);
        ftext(f, "%s asked %u time%s who has %s (first in frame %llu) and got no ARP reply.", ss, q->n,
              q->n > 1 ? "s" : "", ts, (unsigned long long)q->frames[0]);
        fadvice(f, "%s is down, not in this subnet or VLAN, or its address is misconfigured: check the host and "
                   "the switch port.",
                ts);
    }
}

static int cmp_finding(const void *a, const void *b)
{
    const nt_finding *x = a, *y = b;
    if (x->severity != y->severity) return x->severity > y->severity ? -1 : 1;
    uint64_t fx = x->nframes ? x->frames[0] : 0, fy = y->nframes ? y->frames[0] : 0;
    if (fx != fy) return fx < fy ? -1 : 1;
    return strcmp(x->code, y->code);
}

void nt_diag_finish(nt_diag *d, const nt_trace *t)
{
    for (size_t i = 0; i < d->conns.max_stream_plus1; i++) {
        const nt_conn *c = &d->conns.c[i];
        if (!c->used) continue;
        dstream *s = stream_slot(d, (uint32_t)i);
        handshake_rules(d, c, s);
        stream_rules(d, c, s);
    }
    server_rules(d);
    icmp_arp_rules(d);
    dns_rules(d);
    sip_stun_rules(d);
    checksum_rules(d);
    capture_rules(d, t);
    if (d->nf) qsort(d->f, d->nf, sizeof *d->f, cmp_finding);
}
