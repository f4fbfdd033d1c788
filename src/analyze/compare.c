/* compare.c - see compare.h. Each packet is reduced to a small record: its
 * addresses, the fields compare reports, and a match key made of what
 * survives the path, so that TTL, checksums, NAT and sequence rewriting do
 * not change it: a TCP SYN by its length and flags (it defines the numbers
 * a firewall may rewrite), any other segment by its sequence and ack
 * numbers (B's shifted into A's numbering once a matched segment showed the
 * shift), length and flags; UDP and ICMP by length and a hash of the
 * payload's first bytes. Pass 0 reads both files and keeps a
 * content-sampled set of keys (the same packets are sampled in both files,
 * memory is capped): the unique pairs give B's clock offset (the
 * minimum-delay envelopes of the two directions balanced), which side each
 * host is on, and the address mappings. Pass 1 reads both files in step by
 * A's clock, keeps each unmatched record for a window, pairs records with
 * equal keys (first in pinned flows; a flow's first match pins its partner,
 * which is how NAT is learned), and judges what expires unmatched: lost,
 * injected, or bytes re-segmented by offload. */
#include "nettracer/compare.h"

#include "nettracer/filter.h"
#include "nettracer/registry.h"
#include "nettracer/session.h"
#include "nettracer/trace.h"

#include <stdlib.h>
#include <string.h>

#define CORE_FLAGS (NT_TCP_SYN | NT_TCP_FIN | NT_TCP_RST | NT_TCP_ACK)
#define SAMPLE_MAX 65536
#define HIST_BIN_NS 20000

/* ---- hashing ---------------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) abort();
    return q;
}

/* ---- index table: hash -> index into the caller's array ---------------- */

typedef struct itab {
    struct slot { uint32_t idx1, h; } *s;   /* idx1 0: empty */
    size_t cap, n;
} itab;

typedef bool (*itab_eq)(const void *ctx, uint32_t idx, const void *key);

/* the slot holding key, or the empty slot where it would go */
static struct slot *itab_find(itab *t, uint32_t h, itab_eq eq, const void *ctx, const void *key)
{
    if (!t->cap) return NULL;
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        struct slot *s = &t->s[i];
        if (!s->idx1 || (s->h == h && eq(ctx, s->idx1 - 1, key))) return s;
    }
}

static void itab_grow(itab *t)
{
    if (t->n * 2 < t->cap) return;
    size_t cap = t->cap ? t->cap * 2 : 256;
    struct slot *s = calloc(cap, sizeof *s);
    if (!s) abort();
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->s[i].idx1) continue;
        size_t j = t->s[i].h & (cap - 1);
        while (s[j].idx1) j = (j + 1) & (cap - 1);
        s[j] = t->s[i];
    }
    free(t->s);
    t->s = s;
    t->cap = cap;
}

/* ---- addresses -------------------------------------------------------- */

typedef struct addrkey {
    uint8_t fam;
    uint8_t a[16];
} addrkey;

typedef struct addrinfo {
    addrkey k;
    int32_t side_votes;   /* > 0: on A's side of the path, < 0: on B's */
    bool mapped;
    addrkey map;          /* the same host's address in the other trace */
} addrinfo;

/* A keyed array: elements whose first keysz bytes are their key, found
 * through an itab; the address and the flow tables are both one. */
typedef struct ktab {
    itab ix;
    void *v;
    size_t n, cap, elem, keysz;
} ktab;

static bool ktab_eq(const void *ctx, uint32_t idx, const void *key)
{
    const ktab *t = ctx;
    return !memcmp((const uint8_t *)t->v + idx * t->elem, key, t->keysz);
}

/* The element with key (a new zeroed one holding the key when add; NULL
 * when absent and not add); *created says which. */
static void *ktab_get(ktab *t, const void *key, bool add, bool *created)
{
    uint32_t h = (uint32_t)hash_bytes(key, t->keysz);
    struct slot *s = itab_find(&t->ix, h, ktab_eq, t, key);
    if (created) *created = false;
    if (s && s->idx1) return (uint8_t *)t->v + (s->idx1 - 1) * t->elem;
    if (!add) return NULL;
    itab_grow(&t->ix);
    s = itab_find(&t->ix, h, ktab_eq, t, key);
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->v = xrealloc(t->v, t->cap * t->elem);
    }
    uint8_t *e = (uint8_t *)t->v + t->n * t->elem;
    memset(e, 0, t->elem);
    memcpy(e, key, t->keysz);
    s->idx1 = (uint32_t)++t->n;
    s->h = h;
    t->ix.n++;
    if (created) *created = true;
    return e;
}

static void ktab_free(ktab *t)
{
    free(t->ix.s);
    free(t->v);
    t->ix.s = NULL;
    t->v = NULL;
    t->n = t->cap = 0;
}

static addrinfo *addr_get(ktab *t, const addrkey *k, bool add)
{
    t->elem = sizeof(addrinfo);
    t->keysz = sizeof(addrkey);
    return ktab_get(t, k, add, NULL);
}

/* ---- per-packet record ------------------------------------------------ */

typedef struct crec {
    uint64_t frame;
    int64_t t;            /* ns, own clock */
    nt_cmp_tuple tu;
    uint8_t ttl;
    nt_cmp_vals v;
    uint32_t seq, ack, rseq, rack;
    uint32_t kseq;        /* TCP: the sequence number in A's numbering (the key's) */
    uint32_t tsval;
    uint32_t len, cap;
    uint8_t icmp_type, icmp_code;
    bool icmp_error;
    uint64_t ph16, phall;
    bool full;
    uint64_t key;
    uint32_t flow;
    uint8_t dir;
    bool sel;
} crec;

/* ---- flows ------------------------------------------------------------ */

typedef struct cflow {
    nt_cmp_tuple k;       /* canonical: lower endpoint first */
    nt_cmp_tuple first;   /* as its first packet went: dir 0 */
    uint32_t isn[2];
    bool has_isn[2];
    uint32_t shift[2];    /* A's flows: B's sequence numbers minus A's, per direction here */
    bool has_shift[2];
    int32_t peer;         /* the same flow in the other trace, -1 unknown */
    uint8_t orient;       /* dir here ^ orient = dir there */
    bool offpath, listed;
    uint64_t npkts, first_frame;
    struct fstat {
        int64_t min_delay;
        double excess;     /* running mean of delay - min */
        uint64_t n;
        uint64_t max_s, r_at_max_s, max_r, s_at_max_r;   /* sender/receiver frames */
    } d[2];
    uint64_t matched, lost, injected, modified, reordered;
} cflow;

static nt_cmp_tuple canon(const nt_cmp_tuple *t)
{
    nt_cmp_tuple c;
    memset(&c, 0, sizeof c);
    c.family = t->family;
    c.proto = t->proto;
    int cmp = memcmp(t->src, t->dst, 16);
    if (cmp < 0 || (cmp == 0 && t->sport <= t->dport)) {
        memcpy(c.src, t->src, 16), memcpy(c.dst, t->dst, 16), c.sport = t->sport, c.dport = t->dport;
    } else {
        memcpy(c.src, t->dst, 16), memcpy(c.dst, t->src, 16), c.sport = t->dport, c.dport = t->sport;
    }
    return c;
}

static uint32_t flow_get(ktab *t, const crec *r, uint64_t frame, uint8_t *dir)
{
    nt_cmp_tuple k = canon(&r->tu);
    bool created;
    t->elem = sizeof(cflow);
    t->keysz = sizeof k;
    cflow *f = ktab_get(t, &k, true, &created);
    if (created) {
        f->first = r->tu;
        f->peer = -1;
        f->first_frame = frame;
        for (int d = 0; d < 2; d++) f->d[d].min_delay = INT64_MAX;
    }
    *dir = !(memcmp(f->first.src, r->tu.src, 16) == 0 && f->first.sport == r->tu.sport &&
             memcmp(f->first.dst, r->tu.dst, 16) == 0 && f->first.dport == r->tu.dport);
    return (uint32_t)(f - (cflow *)t->v);
}

/* ---- reading one trace ------------------------------------------------ */

typedef struct rdr {
    int side;             /* 0: A, 1: B */
    nt_trace *t;
    nt_session *s;
    nt_filter *flt;
    uint64_t first, last; /* frame range (A) */
    ktab ft;            /* cflow */
    nt_packet pkt;
    crec cur;
    bool have, eof;
    uint64_t frames;
} rdr;

static cflow *flow_at(rdr *R, uint32_t i) { return &((cflow *)R->ft.v)[i]; }

static bool rdr_open(rdr *R, int side, const char *path, nt_filter *flt, const nt_cmp_opts *o, nt_error *err)
{
    memset(R, 0, sizeof *R);
    R->side = side;
    R->flt = flt;
    R->first = side == 0 ? o->first : 1;
    R->last = side == 0 ? o->last : UINT64_MAX;
    R->t = nt_trace_open(path, err);
    if (!R->t) return false;
    R->s = nt_session_new();
    return true;
}

static void rdr_close(rdr *R)
{
    if (R->t) nt_trace_close(R->t);
    if (R->s) nt_session_free(R->s);
    ktab_free(&R->ft);
    R->t = NULL;
    R->s = NULL;
}

static void put_payload(crec *r, const uint8_t *p, uint32_t cap, uint32_t len)
{
    if (cap > len) cap = len;
    r->len = len;
    r->cap = cap;
    r->full = cap == len;
    uint32_t pre = len < 16 ? len : 16;
    r->ph16 = cap >= pre ? hash_bytes(p, pre) : 0;
    r->phall = hash_bytes(p, cap);
}

/* The outer IP header and the transport header after it. */
static void extract(const nt_packet *pkt, crec *r)
{
    const nt_layer *ip = NULL, *tr = NULL;
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *l = &pkt->layers[i];
        if (l->inner) break;
        if (!ip && (l->proto == NT_P_IPV4 || l->proto == NT_P_IPV6)) ip = l;
        else if (ip && (l->proto == NT_P_TCP || l->proto == NT_P_UDP || l->proto == NT_P_ICMP || l->proto == NT_P_ICMPV6)) {
            tr = l;
            break;
        }
    }
    r->v.wscale = -1;
    if (!ip) return;
    if (ip->proto == NT_P_IPV4) {
        const nt_ipv4 *h = &pkt->ip4[ip->idx];
        if (h->v6) return;
        r->tu.family = 4;
        memcpy(r->tu.src, h->src, 4);
        memcpy(r->tu.dst, h->dst, 4);
        r->tu.proto = h->proto;
        r->ttl = h->ttl;
        r->v.tos = h->tos;
        r->v.ipid = h->id;
        r->v.df = h->df;
    } else {
        const nt_ipv6 *h = &pkt->ip6[ip->idx];
        r->tu.family = 6;
        memcpy(r->tu.src, h->src, 16);
        memcpy(r->tu.dst, h->dst, 16);
        r->tu.proto = h->final_nxt;
        r->ttl = h->hlim;
        r->v.tos = h->tclass;
        r->v.ipid = (uint16_t)h->frag_id;
    }
    if (!tr || (pkt->flags & NT_PKT_FRAGMENT)) {
        /* a fragment or another protocol: the IP payload itself */
        uint32_t hl = ip->len, span = ip->span > hl ? ip->span - hl : 0;
        uint32_t len = ip->proto == NT_P_IPV4 ? pkt->ip4[ip->idx].payload_len : pkt->ip6[ip->idx].payload_len;
        put_payload(r, ip->p + hl, span, len);
        uint16_t fo = ip->proto == NT_P_IPV4 ? pkt->ip4[ip->idx].frag_off : pkt->ip6[ip->idx].frag_off;
        r->key = mix(mix(mix(mix(1, r->tu.proto), r->v.ipid), fo), mix(r->len, r->ph16));
        return;
    }
    if (tr->proto == NT_P_TCP) {
        const nt_tcp *h = &pkt->tcp[tr->idx];
        r->tu.sport = h->sport;
        r->tu.dport = h->dport;
        r->seq = h->seq;
        r->ack = h->ack;
        r->v.tcp_flags = h->flags;
        r->v.win = h->win;
        r->v.mss = h->has_mss ? h->mss : 0;
        r->v.wscale = h->has_ws ? h->ws : -1;
        r->v.sackperm = h->sack_perm;
        r->v.tsopt = h->has_ts;
        r->v.optlen = h->optlen;
        r->tsval = h->tsval;
        put_payload(r, h->payload, h->payload_cap, h->payload_len);
    } else if (tr->proto == NT_P_UDP) {
        const nt_udp *h = &pkt->udp[tr->idx];
        r->tu.sport = h->sport;
        r->tu.dport = h->dport;
        put_payload(r, h->payload, h->payload_cap, h->payload_len);
        r->key = mix(mix(2, r->len), r->ph16);
    } else {
        bool v6 = tr->proto == NT_P_ICMPV6;
        uint8_t type = v6 ? pkt->icmp6[tr->idx].type : pkt->icmp[tr->idx].type;
        r->icmp_type = type;
        r->icmp_code = v6 ? pkt->icmp6[tr->idx].code : pkt->icmp[tr->idx].code;
        bool echo = v6 ? (type == 128 || type == 129) : (type == 0 || type == 8);
        r->icmp_error = v6 ? type < 128 : (type == 3 || type == 11 || type == 12 || type == 5);
        uint16_t seq = 0;
        if (echo) {
            /* the identifier names the flow (NAT may rewrite it), the
             * sequence number is part of the key */
            r->tu.sport = r->tu.dport = v6 ? pkt->icmp6[tr->idx].id : pkt->icmp[tr->idx].id;
            seq = v6 ? pkt->icmp6[tr->idx].seq : pkt->icmp[tr->idx].seq;
        }
        uint32_t dl = v6 ? pkt->icmp6[tr->idx].data_len : pkt->icmp[tr->idx].data_len;
        uint32_t cap = tr->span > 8 ? tr->span - 8 : 0;
        put_payload(r, tr->p + (tr->span >= 8 ? 8 : tr->span), cap, dl);
        r->key = mix(mix(mix(3, type), mix(r->icmp_code, seq)), mix(r->len, r->ph16));
    }
}

static void tcp_match_key(crec *r, uint32_t shift_seq, uint32_t shift_ack);

/* TCP: sequence numbers relative to the flow's ISN in each direction (shown) */
static void tcp_key(cflow *f, crec *r)
{
    int d = r->dir;
    if (r->v.tcp_flags & NT_TCP_SYN) {
        if (!(r->v.tcp_flags & NT_TCP_ACK) && f->has_isn[d] && f->isn[d] != r->seq) f->has_isn[!d] = false;
        f->isn[d] = r->seq;
        f->has_isn[d] = true;
    }
    r->rseq = f->has_isn[d] ? r->seq - f->isn[d] : r->seq;
    r->rack = !(r->v.tcp_flags & NT_TCP_ACK) ? 0 : f->has_isn[!d] ? r->ack - f->isn[!d] : r->ack;
    tcp_match_key(r, 0, 0);
}

/* The key of a TCP segment. A SYN is keyed without its numbers (it defines
 * them: a firewall may rewrite the ISN); any other segment by its absolute
 * numbers, B's translated into A's numbering by the per-direction shift
 * learned from matched segments. Absolute rather than relative numbers keep
 * a flow whose handshake one capture missed matchable. */
static void tcp_match_key(crec *r, uint32_t shift_seq, uint32_t shift_ack)
{
    uint16_t fl = r->v.tcp_flags & CORE_FLAGS;
    r->kseq = r->seq - shift_seq;
    if (fl & NT_TCP_SYN) r->key = mix(mix(5, r->len), fl);
    else r->key = mix(mix(mix(4, r->kseq), mix((fl & NT_TCP_ACK) ? r->ack - shift_ack : 0, r->len)), fl);
}

/* Reads the next frame into R->cur; false at the end. Non-IP frames are
 * returned too (family 0), for the counts. */
static bool rdr_next(rdr *R, nt_error *err)
{
    if (R->eof) return false;
    nt_frame f;
    int rc = nt_trace_next(R->t, &f, err);
    if (rc != 1) {
        R->eof = true;
        R->have = false;
        return false;
    }
    R->frames++;
    nt_session_dissect(R->s, &f, &R->pkt);
    crec *r = &R->cur;
    memset(r, 0, sizeof *r);
    r->frame = f.number;
    r->t = f.ts.sec * 1000000000LL + f.ts.nsec;
    extract(&R->pkt, r);
    r->sel = f.number >= R->first && f.number <= R->last && (!R->flt || nt_filter_match(R->flt, &R->pkt));
    if (r->tu.family) {
        r->flow = flow_get(&R->ft, r, r->frame, &r->dir);
        cflow *fl = flow_at(R, r->flow);
        fl->npkts++;
        if (r->tu.proto == 6 && R->pkt.ntcp) tcp_key(fl, r);
    }
    R->have = true;
    return true;
}

/* ---- helpers on records ------------------------------------------------ */

static addrkey akey(uint8_t fam, const uint8_t *a)
{
    addrkey k;
    memset(&k, 0, sizeof k);
    k.fam = fam;
    memcpy(k.a, a, fam == 4 ? 4 : 16);
    return k;
}

/* multicast, broadcast and link-local destinations never cross a router */
static bool local_only(const nt_cmp_tuple *t)
{
    if (t->family == 4)
        return t->dst[0] >= 224 || (t->dst[0] == 169 && t->dst[1] == 254) || t->dst[0] == 127;
    return t->dst[0] == 0xff || (t->dst[0] == 0xfe && (t->dst[1] & 0xc0) == 0x80);
}

typedef struct cmp_ctx {
    const nt_cmp_opts *o;
    nt_cmp_result *r;
    rdr R[2];
    ktab addrs[2];        /* addrinfo: addresses each trace saw, their side, their mapping */
    int64_t off;          /* B - A */
    int64_t window;
    int64_t range_t0, range_t1;   /* times of A's selected range */
    bool ranged;
    /* pending records, per side */
    struct pend {
        crec r;
        int64_t tc;        /* in A's clock */
        bool matched, reseg;
        uint16_t partner_ipid;
        uint64_t partner_phall, partner_frame;
        int32_t next;      /* hash chain */
    } *pool;
    size_t npool, cappool;
    int32_t *freev;        /* free pool entries */
    size_t nfree;
    struct side_q {
        int32_t *q;
        size_t head, n, cap;
        int32_t *bucket;
        size_t nbucket;
        size_t live;
    } pq[2];
    uint32_t *hist[2];
    size_t nbins;
    uint64_t reseg_recv[2];
    size_t max_events;
} cmp_ctx;

/* side of a host from its address in trace s: 0 A's side, 1 B's, -1 unknown */
static int host_side(cmp_ctx *c, int s, const uint8_t fam, const uint8_t *a)
{
    addrkey k = akey(fam, a);
    addrinfo *ai = addr_get(&c->addrs[s], &k, false);
    if (ai && ai->side_votes) return ai->side_votes > 0 ? 0 : 1;
    if (ai && ai->mapped) {
        addrinfo *o = addr_get(&c->addrs[!s], &ai->map, false);
        if (o && o->side_votes) return o->side_votes > 0 ? 0 : 1;
    }
    return -1;
}

/* does the host (trace s's address) appear in the other trace? */
static bool in_other(cmp_ctx *c, int s, uint8_t fam, const uint8_t *a)
{
    addrkey k = akey(fam, a);
    addrinfo *ai = addr_get(&c->addrs[s], &k, false);
    if (ai && ai->mapped) return addr_get(&c->addrs[!s], &ai->map, false) != NULL;
    return addr_get(&c->addrs[!s], &k, false) != NULL;
}

static void learn_map(cmp_ctx *c, const nt_cmp_tuple *ta, const nt_cmp_tuple *tb)
{
    const uint8_t *pa[2] = {ta->src, ta->dst}, *pb[2] = {tb->src, tb->dst};
    for (int i = 0; i < 2; i++) {
        addrkey ka = akey(ta->family, pa[i]), kb = akey(tb->family, pb[i]);
        if (!memcmp(&ka, &kb, sizeof ka)) continue;
        addrinfo *x = addr_get(&c->addrs[0], &ka, true), *y = addr_get(&c->addrs[1], &kb, true);
        x->mapped = y->mapped = true;
        x->map = kb;
        y->map = ka;
    }
}

static void vote(cmp_ctx *c, const crec *a, const crec *b, int side)
{
    int v = side == 0 ? 1 : -1;
    addrkey ka = akey(a->tu.family, a->tu.src), kb = akey(b->tu.family, b->tu.src);
    addr_get(&c->addrs[0], &ka, true)->side_votes += v;
    addr_get(&c->addrs[1], &kb, true)->side_votes += v;
}

/* ---- pass 0: sampled pairs --------------------------------------------- */

typedef struct sample {
    uint64_t key;
    crec a, b;
    uint32_t na, nb;
} sample;

typedef struct sampler {
    itab ix;
    sample *v;
    size_t n;
    uint64_t mod;          /* keep keys whose high bits are 0 mod this */
} sampler;

static bool sample_eq(const void *ctx, uint32_t idx, const void *key)
{
    return ((const sample *)ctx)[idx].key == *(const uint64_t *)key;
}

static uint64_t sample_key(const crec *r)
{
    uint64_t k = r->key;
    if (r->tu.proto == 6) {
        if (r->v.tsopt) k = mix(k, r->tsval);
        if (r->len) k = mix(k, r->ph16);
    }
    return mix(k, 77);
}

static bool sampled(const sampler *s, uint64_t k) { return ((k >> 40) & (s->mod - 1)) == 0; }

static void sampler_rebuild(sampler *s)
{
    size_t m = 0;
    for (size_t i = 0; i < s->n; i++)
        if (sampled(s, s->v[i].key)) s->v[m++] = s->v[i];
    s->n = m;
    free(s->ix.s);
    memset(&s->ix, 0, sizeof s->ix);
    for (size_t i = 0; i < s->n; i++) {
        itab_grow(&s->ix);
        struct slot *sl = itab_find(&s->ix, (uint32_t)s->v[i].key, sample_eq, s->v, &s->v[i].key);
        sl->idx1 = (uint32_t)i + 1;
        sl->h = (uint32_t)s->v[i].key;
        s->ix.n++;
    }
}

static void note_addrs(cmp_ctx *c, int side, const crec *r)
{
    if (!r->tu.family) return;
    addrkey k = akey(r->tu.family, r->tu.src);
    addr_get(&c->addrs[side], &k, true);
    if (local_only(&r->tu)) return;
    k = akey(r->tu.family, r->tu.dst);
    addr_get(&c->addrs[side], &k, true);
}

typedef struct envelope {
    int64_t min_ab, max_ba;   /* of d = tB - tA */
    uint64_t n_ab, n_ba;
    double tsum;
} envelope;

static void env_init(envelope *e)
{
    e->min_ab = INT64_MAX;
    e->max_ba = INT64_MIN;
    e->n_ab = e->n_ba = 0;
    e->tsum = 0;
}

static void env_add(envelope *e, int dir, int64_t d, int64_t t)
{
    if (dir == NT_CMP_A_TO_B) {
        if (d < e->min_ab) e->min_ab = d;
        e->n_ab++;
    } else {
        if (d > e->max_ba) e->max_ba = d;
        e->n_ba++;
    }
    e->tsum += (double)t;
}

/* What a pcapng file's interface statistics say its capture dropped: those
 * packets are missing from the file, not from the path. */
static void note_drops(nt_cmp_result *res, const nt_trace *t, const char *name)
{
    uint64_t n = 0;
    for (size_t i = 0; i < nt_trace_niface(t); i++) {
        const nt_iface *f = nt_trace_iface(t, i);
        n += (f->has_ifdrop ? f->ifdrop : 0) + (f->has_osdrop ? f->osdrop : 0);
    }
    size_t len = strlen(res->warning);
    if (n && len < sizeof res->warning - 1)
        snprintf(res->warning + len, sizeof res->warning - len,
                 "%s%s's capture dropped %llu packets (interface statistics): some 'lost' may be capture drops",
                 len ? "; " : "", name, (unsigned long long)n);
}

static int pass0(cmp_ctx *c, const char *pa, const char *pb, nt_filter *flt, nt_error *err)
{
    nt_cmp_result *res = c->r;
    sampler sm;
    memset(&sm, 0, sizeof sm);
    sm.mod = 1;
    sm.v = xrealloc(NULL, SAMPLE_MAX * sizeof *sm.v);
    int rc = NT_CMP_OK;
    rdr *R = &c->R[0];
    bool first = true;
    if (!rdr_open(R, 0, pa, flt, c->o, err)) { rc = NT_CMP_ERR_INPUT; goto out; }
    while (rdr_next(R, err)) {
        crec *r = &R->cur;
        if (first) res->a_first = r->t, first = false;
        res->a_last = r->t;
        if (r->frame >= c->o->first && r->frame <= c->o->last) {
            if (!c->ranged || r->t < c->range_t0) c->range_t0 = r->t;
            if (r->t > c->range_t1) c->range_t1 = r->t;
            c->ranged = true;
        }
        note_addrs(c, 0, r);
        if (!r->tu.family || local_only(&r->tu)) continue;
        uint64_t k = sample_key(r);
        if (!sampled(&sm, k)) continue;
        struct slot *sl = itab_find(&sm.ix, (uint32_t)k, sample_eq, sm.v, &k);
        if (sl && sl->idx1) {
            sm.v[sl->idx1 - 1].na++;
            continue;
        }
        if (sm.n == SAMPLE_MAX) {
            sm.mod *= 2;
            sampler_rebuild(&sm);
            if (!sampled(&sm, k)) continue;
        }
        itab_grow(&sm.ix);
        sl = itab_find(&sm.ix, (uint32_t)k, sample_eq, sm.v, &k);
        sample *e = &sm.v[sm.n];
        memset(e, 0, sizeof *e);
        e->key = k;
        e->a = *r;
        e->na = 1;
        sl->idx1 = (uint32_t)++sm.n;
        sl->h = (uint32_t)k;
        sm.ix.n++;
    }
    if (R->t && nt_trace_warning(R->t)[0]) snprintf(res->warning, sizeof res->warning, "A: %s", nt_trace_warning(R->t));
    if (R->t) note_drops(res, R->t, "A");
    if (err->code) { rc = NT_CMP_ERR_INPUT; goto out; }
    res->frames_a = R->frames;
    size_t nflows_a = R->ft.n;
    rdr_close(R);

    R = &c->R[1];
    first = true;
    if (!rdr_open(R, 1, pb, NULL, c->o, err)) { rc = NT_CMP_ERR_INPUT; goto out; }
    while (rdr_next(R, err)) {
        crec *r = &R->cur;
        if (first) res->b_first = r->t, first = false;
        res->b_last = r->t;
        note_addrs(c, 1, r);
        if (!r->tu.family || local_only(&r->tu)) continue;
        uint64_t k = sample_key(r);
        if (!sampled(&sm, k)) continue;
        struct slot *sl = itab_find(&sm.ix, (uint32_t)k, sample_eq, sm.v, &k);
        if (!sl || !sl->idx1) continue;
        sample *e = &sm.v[sl->idx1 - 1];
        if (!e->nb++) e->b = *r;
    }
    if (R->t && nt_trace_warning(R->t)[0] && !res->warning[0])
        snprintf(res->warning, sizeof res->warning, "B: %s", nt_trace_warning(R->t));
    if (R->t) note_drops(res, R->t, "B");
    if (err->code) { rc = NT_CMP_ERR_INPUT; goto out; }
    res->frames_b = R->frames;
    rdr_close(R);

    /* Per flow of A, the range of d = tB - tA each way: the direction whose
     * smallest d exceeds the other's largest travelled A -> B. */
    struct fdir { int64_t mn, mx; double sum; uint64_t n; } *fd = calloc(nflows_a * 2 + 1, sizeof *fd);
    if (!fd) abort();
    size_t npairs = 0;
    for (size_t i = 0; i < sm.n; i++) {
        sample *e = &sm.v[i];
        if (e->na != 1 || e->nb != 1) continue;
        npairs++;
        struct fdir *x = &fd[e->a.flow * 2 + e->a.dir];
        int64_t d = e->b.t - e->a.t;
        if (!x->n || d < x->mn) x->mn = d;
        if (!x->n || d > x->mx) x->mx = d;
        x->sum += (double)d;
        x->n++;
        learn_map(c, &e->a.tu, &e->b.tu);
    }
    if (!npairs) {
        rc = NT_CMP_NO_SHARED;
        free(fd);
        goto out;
    }
    /* direction of each sample: 0 A->B, 1 B->A, -1 unknown */
    int8_t *fdir_side = calloc(nflows_a * 2 + 1, 1);
    if (!fdir_side) abort();
    for (size_t f = 0; f < nflows_a; f++) {
        struct fdir *x = &fd[f * 2], *y = &fd[f * 2 + 1];
        int8_t s0 = -1;
        if (x->n && y->n) {
            if (x->mn > y->mx) s0 = 0;
            else if (y->mn > x->mx) s0 = 1;
            else s0 = x->sum / (double)x->n > y->sum / (double)y->n ? 0 : 1;
        }
        fdir_side[f * 2] = s0;
        fdir_side[f * 2 + 1] = s0 < 0 ? -1 : !s0;
    }
    /* one-way flows: the TTL says which point is nearer the sender */
    for (size_t i = 0; i < sm.n; i++) {
        sample *e = &sm.v[i];
        if (e->na != 1 || e->nb != 1) continue;
        int8_t *s = &fdir_side[e->a.flow * 2 + e->a.dir];
        if (*s < 0 && e->a.ttl != e->b.ttl) *s = e->a.ttl > e->b.ttl ? 0 : 1;
    }
    envelope all, half[2];
    env_init(&all);
    env_init(&half[0]);
    env_init(&half[1]);
    int64_t mid = res->a_first / 2 + res->a_last / 2;
    for (size_t i = 0; i < sm.n; i++) {
        sample *e = &sm.v[i];
        if (e->na != 1 || e->nb != 1) continue;
        int8_t s = fdir_side[e->a.flow * 2 + e->a.dir];
        if (s < 0) continue;
        int64_t d = e->b.t - e->a.t;
        env_add(&all, s, d, e->a.t);
        env_add(&half[e->a.t >= mid], s, d, e->a.t);
        vote(c, &e->a, &e->b, s);
    }
    if (c->o->have_offset) {
        c->off = c->o->offset_ns;
        res->offset_given = true;
    } else if (all.n_ab && all.n_ba) {
        c->off = all.min_ab / 2 + all.max_ba / 2;
        res->offset_err_ns = (all.min_ab - all.max_ba) / 2;
        if (res->offset_err_ns < 0) res->offset_err_ns = 0;
    } else if (all.n_ab || all.n_ba) {
        c->off = all.n_ab ? all.min_ab : all.max_ba;
        res->one_way_only = true;
    } else {
        /* no direction known: the median difference */
        int64_t *ds = xrealloc(NULL, npairs * sizeof *ds);
        size_t n = 0;
        for (size_t i = 0; i < sm.n; i++)
            if (sm.v[i].na == 1 && sm.v[i].nb == 1) ds[n++] = sm.v[i].b.t - sm.v[i].a.t;
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && ds[j - 1] > ds[j]; j--) {
                int64_t t = ds[j]; ds[j] = ds[j - 1]; ds[j - 1] = t;
            }
        c->off = ds[n / 2];
        res->one_way_only = true;
        free(ds);
    }
    res->offset_samples[0] = all.n_ab;
    res->offset_samples[1] = all.n_ba;
    /* one-way flows whose TTL did not change: the offset decides */
    for (size_t i = 0; i < sm.n; i++) {
        sample *e = &sm.v[i];
        if (e->na != 1 || e->nb != 1 || fdir_side[e->a.flow * 2 + e->a.dir] >= 0) continue;
        vote(c, &e->a, &e->b, e->b.t - c->off >= e->a.t ? 0 : 1);
    }
    if (!res->offset_given && half[0].n_ab && half[0].n_ba && half[1].n_ab && half[1].n_ba &&
        res->a_last - res->a_first >= 20000000000LL) {
        double o1 = (double)half[0].min_ab / 2 + (double)half[0].max_ba / 2;
        double o2 = (double)half[1].min_ab / 2 + (double)half[1].max_ba / 2;
        double t1 = half[0].tsum / (double)(half[0].n_ab + half[0].n_ba);
        double t2 = half[1].tsum / (double)(half[1].n_ab + half[1].n_ba);
        if (t2 > t1) {
            res->has_drift = true;
            res->drift_ppm = (o2 - o1) / (t2 - t1) * 1e6;
        }
    }
    res->offset_ns = c->off;
    free(fd);
    free(fdir_side);
out:
    free(sm.v);
    free(sm.ix.s);
    rdr_close(&c->R[0]);
    rdr_close(&c->R[1]);
    return rc;
}

/* ---- pass 1: the match -------------------------------------------------- */

static void add_event(cmp_ctx *c, const nt_cmp_event *e)
{
    nt_cmp_result *r = c->r;
    if (r->nev >= c->max_events) {
        r->ev_dropped++;
        return;
    }
    if (!(r->nev & (r->nev + 1)) || r->nev == 0) r->ev = xrealloc(r->ev, (r->nev * 2 + 2) * sizeof *r->ev);
    r->ev[r->nev++] = *e;
}

static void event_of(nt_cmp_event *e, nt_cmp_kind k, int dir, const crec *a, const crec *b)
{
    memset(e, 0, sizeof *e);
    e->kind = k;
    e->dir = dir;
    const crec *x = a ? a : b;
    e->frame_a = a ? a->frame : 0;
    e->frame_b = b ? b->frame : 0;
    e->flow = x->tu;
    e->tcp_flags = x->v.tcp_flags;
    e->len = x->len;
    e->rel_seq = x->rseq;
    e->icmp_type = x->icmp_type;
    e->icmp_code = x->icmp_code;
    if (a) e->a = a->v;
    if (b) e->b = b->v;
}

static int32_t pend_alloc(cmp_ctx *c)
{
    if (c->nfree) return c->freev[--c->nfree];
    if (c->npool == c->cappool) {
        c->cappool = c->cappool ? c->cappool * 2 : 1024;
        c->pool = xrealloc(c->pool, c->cappool * sizeof *c->pool);
        c->freev = xrealloc(c->freev, c->cappool * sizeof *c->freev);
    }
    return (int32_t)c->npool++;
}

static void pend_free(cmp_ctx *c, int32_t i) { c->freev[c->nfree++] = i; }

static void bucket_rebuild(cmp_ctx *c, struct side_q *q, size_t nb)
{
    free(q->bucket);
    q->bucket = xrealloc(NULL, nb * sizeof *q->bucket);
    for (size_t i = 0; i < nb; i++) q->bucket[i] = -1;
    q->nbucket = nb;
    for (size_t k = 0; k < q->n; k++) {
        int32_t i = q->q[(q->head + k) % q->cap];
        size_t b = c->pool[i].r.key & (nb - 1);
        c->pool[i].next = q->bucket[b];
        q->bucket[b] = i;
    }
}

static void pend_push(cmp_ctx *c, int side, const crec *r, int64_t tc)
{
    struct side_q *q = &c->pq[side];
    int32_t i = pend_alloc(c);
    struct pend *p = &c->pool[i];
    memset(p, 0, sizeof *p);
    p->r = *r;
    p->tc = tc;
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 1024;
        int32_t *nq = xrealloc(NULL, cap * sizeof *nq);
        for (size_t k = 0; k < q->n; k++) nq[k] = q->q[(q->head + k) % q->cap];
        free(q->q);
        q->q = nq;
        q->cap = cap;
        q->head = 0;
    }
    q->q[(q->head + q->n) % q->cap] = i;
    q->n++;
    if (q->n > q->nbucket) bucket_rebuild(c, q, q->nbucket ? q->nbucket * 4 : 1024);
    else {
        size_t b = r->key & (q->nbucket - 1);
        p->next = q->bucket[b];
        q->bucket[b] = i;
    }
}

static void unlink_bucket(cmp_ctx *c, struct side_q *q, int32_t i)
{
    int32_t *pp = &q->bucket[c->pool[i].r.key & (q->nbucket - 1)];
    while (*pp >= 0 && *pp != i) pp = &c->pool[*pp].next;
    if (*pp == i) *pp = c->pool[i].next;
}

static bool same_tuple(const nt_cmp_tuple *a, const nt_cmp_tuple *b)
{
    return a->family == b->family && !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16) &&
           a->sport == b->sport && a->dport == b->dport;
}

static int64_t absdiff(int64_t a, int64_t b) { return a > b ? a - b : b - a; }

static int sender_side(cmp_ctx *c, const crec *a, const crec *b)
{
    int s = host_side(c, 0, a->tu.family, a->tu.src);
    if (s < 0) s = host_side(c, 1, b->tu.family, b->tu.src);
    if (s < 0) s = b->t - c->off >= a->t ? 0 : 1;
    return s;
}

static void hist_add(cmp_ctx *c, int dir, int64_t delay)
{
    int64_t bin = (delay + c->window) / HIST_BIN_NS;
    if (bin < 0) bin = 0;
    if (bin >= (int64_t)c->nbins) bin = (int64_t)c->nbins - 1;
    c->hist[dir][bin]++;
    nt_cmp_dirstats *d = &c->r->dir[dir];
    if (!d->delay_samples || delay < d->delay_min) d->delay_min = delay;
    if (!d->delay_samples || delay > d->delay_max) d->delay_max = delay;
    d->delay_samples++;
}

static uint32_t compare_vals(const crec *a, const crec *b)
{
    uint32_t ch = 0;
    const nt_cmp_vals *x = &a->v, *y = &b->v;
    if ((x->tos >> 2) != (y->tos >> 2)) ch |= NT_CMPF_DSCP;
    /* ECN: a router marking congestion (CE) is routing; clearing is not */
    if ((x->tos & 3) != (y->tos & 3) && (y->tos & 3) != 3 && (x->tos & 3) != 3) ch |= NT_CMPF_ECN;
    if (x->df != y->df) ch |= NT_CMPF_DF;
    if (a->tu.family == 4 && x->ipid != y->ipid) ch |= NT_CMPF_IPID;
    if (a->tu.proto == 6) {
        if (x->win != y->win) ch |= NT_CMPF_WINDOW;
        if (x->mss != y->mss) ch |= NT_CMPF_MSS;
        if (x->wscale != y->wscale) ch |= NT_CMPF_WSCALE;
        if (x->sackperm != y->sackperm) ch |= NT_CMPF_SACKPERM;
        if (x->tsopt != y->tsopt) ch |= NT_CMPF_TSOPT;
        if (x->optlen != y->optlen) ch |= NT_CMPF_OPTLEN;
        uint16_t other = (uint16_t)~(CORE_FLAGS | NT_TCP_PSH);
        if ((x->tcp_flags & other) != (y->tcp_flags & other)) ch |= NT_CMPF_FLAGS;
    }
    /* payload: whole when both have it, else the first 16 bytes */
    if (a->full && b->full) {
        if (a->phall != b->phall) ch |= NT_CMPF_PAYLOAD;
    } else if (a->ph16 && b->ph16 && a->ph16 != b->ph16) {
        ch |= NT_CMPF_PAYLOAD;
    }
    return ch;
}

static void do_match(cmp_ctx *c, const crec *a, const crec *b)
{
    cflow *fa = flow_at(&c->R[0], a->flow), *fb = flow_at(&c->R[1], b->flow);
    nt_cmp_result *res = c->r;
    if (fa->peer < 0) {
        fa->peer = (int32_t)b->flow;
        fb->peer = (int32_t)a->flow;
        fa->orient = fb->orient = a->dir ^ b->dir;
        res->shared_flows++;
        learn_map(c, &a->tu, &b->tu);
        bool shift = a->tu.proto == 6 && a->seq != b->seq;
        if (!same_tuple(&a->tu, &b->tu) || shift) {
            res->nat = xrealloc(res->nat, (res->nnat + 1) * sizeof *res->nat);
            nt_cmp_nat *m = &res->nat[res->nnat++];
            memset(m, 0, sizeof *m);
            m->a = a->tu;
            m->b = b->tu;
            m->seq_shift = shift;
            m->shift[0] = b->seq - a->seq;
            m->frame_a = a->frame;
            m->frame_b = b->frame;
        }
    }
    if (a->tu.proto == 6) {
        int d = a->dir;
        if (!fa->has_shift[d]) fa->shift[d] = b->seq - a->seq, fa->has_shift[d] = true;
        if ((a->v.tcp_flags & NT_TCP_ACK) && !fa->has_shift[!d])
            fa->shift[!d] = b->ack - a->ack, fa->has_shift[!d] = true;
    }
    if (!a->sel) return;
    int s = sender_side(c, a, b);
    int dir = s == 0 ? NT_CMP_A_TO_B : NT_CMP_B_TO_A;
    int64_t delay = dir == NT_CMP_A_TO_B ? (b->t - c->off) - a->t : a->t - (b->t - c->off);
    nt_cmp_dirstats *ds = &res->dir[dir];
    ds->matched++;
    fa->matched++;
    hist_add(c, dir, delay);
    nt_cmp_event e;
    uint32_t ch = compare_vals(a, b);
    if (ch) {
        event_of(&e, NT_CMP_MODIFIED, dir, a, b);
        e.changed = ch;
        e.delay_ns = delay;
        add_event(c, &e);
        ds->modified++;
        fa->modified++;
    }
    /* reordering: sent before a packet that arrived before it */
    int fd = a->dir;
    uint64_t sf = dir == NT_CMP_A_TO_B ? a->frame : b->frame, rf = dir == NT_CMP_A_TO_B ? b->frame : a->frame;
    struct fstat *st = &fa->d[fd];
    bool reord = (st->n && sf < st->max_s && rf > st->r_at_max_s) || (st->n && rf < st->max_r && sf > st->s_at_max_r);
    if (sf > st->max_s) st->max_s = sf, st->r_at_max_s = rf;
    if (rf > st->max_r) st->max_r = rf, st->s_at_max_r = sf;
    if (reord) {
        event_of(&e, NT_CMP_REORDERED, dir, a, b);
        e.delay_ns = delay;
        add_event(c, &e);
        ds->reordered++;
        fa->reordered++;
    }
    /* delayed: far beyond this flow direction's smallest delay */
    if (st->n >= 5 && st->min_delay != INT64_MAX) {
        double ex = (double)(delay - st->min_delay);
        double lim = 4 * st->excess;
        if (lim < 50e6) lim = 50e6;
        if (ex > lim) {
            event_of(&e, NT_CMP_DELAYED, dir, a, b);
            e.delay_ns = delay;
            e.usual_ns = st->min_delay;
            add_event(c, &e);
            ds->delayed++;
        }
    }
    if (delay < st->min_delay) st->min_delay = delay;
    st->excess += ((double)(delay - st->min_delay) - st->excess) / (double)(st->n + 1);
    st->n++;
}

static bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

/* The side (0 A, 1 B) that sent an unmatched record of trace s: the host's
 * side when matched traffic told it, else the flow's first sender in s is
 * on s's side (a SYN is not forged; what answers it there may be). */
static int unmatched_sender(cmp_ctx *c, int s, const crec *r)
{
    int h = host_side(c, s, r->tu.family, r->tu.src);
    return h >= 0 ? h : r->dir == 0 ? s : !s;
}

/* An unmatched TCP segment whose bytes the other point saw in other
 * segments (offload, or a middlebox re-segmenting): true when covered. */
static bool resegmented(cmp_ctx *c, int s, struct pend *p)
{
    const crec *r = &p->r;
    cflow *f = flow_at(&c->R[s], r->flow);
    uint32_t target = (uint32_t)f->peer, tdir = r->dir ^ f->orient;
    uint32_t lo = r->kseq, hi = r->kseq + r->len, cur = lo;
    struct side_q *oq = &c->pq[!s];
    bool found = true;
    while (seq_lt(cur, hi) && found) {
        found = false;
        for (size_t k = 0; k < oq->n; k++) {
            const struct pend *e = &c->pool[oq->q[(oq->head + k) % oq->cap]];
            if (e->matched || e->r.flow != target || e->r.dir != tdir || e->r.tu.proto != 6 || !e->r.len) continue;
            if (seq_le(e->r.kseq, cur) && seq_lt(cur, e->r.kseq + e->r.len)) {
                cur = e->r.kseq + e->r.len;
                found = true;
            }
        }
    }
    if (seq_lt(cur, hi)) return false;
    uint64_t first = 0, last = 0, n = 0;
    for (size_t k = 0; k < oq->n; k++) {
        struct pend *e = &c->pool[oq->q[(oq->head + k) % oq->cap]];
        if (e->matched || e->r.flow != target || e->r.dir != tdir || e->r.tu.proto != 6 || !e->r.len) continue;
        if (!seq_lt(e->r.kseq, hi) || !seq_lt(lo, e->r.kseq + e->r.len)) continue;
        if (!first) first = e->r.frame;
        last = e->r.frame;
        if (!e->reseg) n++;
        e->reseg = true;
    }
    if (!r->sel) return true;
    int sender = unmatched_sender(c, s, r);
    int dir = sender == 0 ? NT_CMP_A_TO_B : NT_CMP_B_TO_A;
    if (sender == s) {
        c->r->dir[dir].resegmented++;
        c->reseg_recv[dir] += n;
    } else {
        /* the receiver's copy expired first: it is the one counted received */
        c->reseg_recv[dir]++;
        c->r->dir[dir].resegmented += n;
    }
    nt_cmp_event e;
    event_of(&e, NT_CMP_RESEGMENTED, dir, s == 0 ? r : NULL, s == 1 ? r : NULL);
    if (s == 0) e.frame_b = first, e.frame_b_last = last, e.frame_a_last = r->frame;
    else e.frame_a = first, e.frame_a_last = last, e.frame_b_last = r->frame;
    add_event(c, &e);
    return true;
}

static cflow *tally_flow(cmp_ctx *c, int s, const crec *r)
{
    cflow *f = flow_at(&c->R[s], r->flow);
    if (s == 1 && f->peer >= 0) return flow_at(&c->R[0], f->peer);
    return f;
}

static void unmatched(cmp_ctx *c, int s, struct pend *p)
{
    const crec *r = &p->r;
    cflow *f = flow_at(&c->R[s], r->flow);
    /* before the other capture began: no verdict. (Its end is not known:
     * a capture that sees nothing more, behind a firewall that drops
     * everything, is still running.) */
    if (p->tc < c->r->common_first) {
        if (r->sel) c->r->outside_packets++;
        return;
    }
    if (f->peer >= 0 && r->tu.proto == 6 && r->len && resegmented(c, s, p)) return;
    int sender;
    if (f->peer < 0 && (local_only(&r->tu) || !in_other(c, s, r->tu.family, r->tu.dst))) {
        sender = -1;
    } else if (f->peer < 0 && !in_other(c, s, r->tu.family, r->tu.src)) {
        /* an ICMP error from a router between the points; anything else
         * from a host the other point never saw did not use the path */
        sender = r->icmp_error ? !s : -1;
    } else {
        sender = unmatched_sender(c, s, r);
    }
    if (!r->sel) return;
    nt_cmp_result *res = c->r;
    if (sender < 0) {
        res->offpath_packets++;
        f->offpath = true;
        if (!f->listed && res->noff < 1000) {
            f->listed = true;
            res->off = xrealloc(res->off, (res->noff + 1) * sizeof *res->off);
            nt_cmp_offpath *o = &res->off[res->noff++];
            o->side = s;
            o->flow = f->first;
            o->packets = 0;
            o->first_frame = f->first_frame;
        }
        for (size_t i = res->noff; i-- > 0;)
            if (res->off[i].side == s && same_tuple(&res->off[i].flow, &f->first)) {
                res->off[i].packets++;
                break;
            }
        return;
    }
    bool lost = sender == s;
    int dir = (sender == 0) ? NT_CMP_A_TO_B : NT_CMP_B_TO_A;
    nt_cmp_event e;
    event_of(&e, lost ? NT_CMP_LOST : NT_CMP_INJECTED, dir, s == 0 ? r : NULL, s == 1 ? r : NULL);
    add_event(c, &e);
    cflow *tf = tally_flow(c, s, r);
    if (lost) res->dir[dir].lost++, tf->lost++;
    else res->dir[dir].injected++, tf->injected++;
}

static void expire(cmp_ctx *c, int64_t limit)
{
    for (;;) {
        int s = -1;
        int64_t best = limit;
        for (int k = 0; k < 2; k++) {
            struct side_q *q = &c->pq[k];
            if (!q->n) continue;
            int64_t tc = c->pool[q->q[q->head]].tc;
            if (tc < best || (limit == INT64_MAX && s < 0)) best = tc, s = k;
        }
        if (s < 0) return;
        struct side_q *q = &c->pq[s];
        int32_t i = q->q[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
        struct pend *p = &c->pool[i];
        if (!p->matched && !p->reseg) unmatched(c, s, p);
        unlink_bucket(c, q, i);
        pend_free(c, i);
    }
}

/* how well candidate p (other side) fits r; < 0: not at all */
static int fit(cmp_ctx *c, int s, const crec *r, const struct pend *p)
{
    const cflow *f = flow_at(&c->R[s], r->flow), *pf = flow_at(&c->R[!s], p->r.flow);
    int score = 0;
    if (p->r.tu.proto != r->tu.proto || p->r.len != r->len) return -1;
    if (f->peer >= 0) {
        if ((uint32_t)f->peer != p->r.flow || p->r.dir != (r->dir ^ f->orient)) return -1;
        score = 10;
    } else {
        if (pf->peer >= 0) return -1;
        if (same_tuple(&r->tu, &p->r.tu)) score += 4;
        if (r->tu.family == 4 && r->v.ipid && r->v.ipid == p->r.v.ipid) score += 2;
        if (r->v.tsopt && p->r.v.tsopt && r->tsval == p->r.tsval) score += 2;
        if (r->len && (r->phall == p->r.phall || (r->ph16 && r->ph16 == p->r.ph16))) score += 3;
        if (score < 2) return -1;
    }
    if (r->tu.family == 4 && r->v.ipid == p->r.v.ipid) score += 2;
    return score;
}

static void process(cmp_ctx *c, int s, const crec *r)
{
    nt_cmp_result *res = c->r;
    int64_t tc = s == 0 ? r->t : r->t - c->off;
    expire(c, tc - c->window);
    if (!r->tu.family) {
        if (r->sel) res->nonip_packets++;
        return;
    }
    crec rr = *r;
    if (s == 1 && rr.tu.proto == 6) {
        const cflow *fb = flow_at(&c->R[1], rr.flow);
        if (fb->peer >= 0) {
            const cflow *fa = flow_at(&c->R[0], fb->peer);
            int da = rr.dir ^ fb->orient;
            tcp_match_key(&rr, fa->has_shift[da] ? fa->shift[da] : 0, fa->has_shift[!da] ? fa->shift[!da] : 0);
        }
    }
    if (s == 1 && c->ranged && (tc < c->range_t0 - c->window || tc > c->range_t1 + c->window)) rr.sel = false;
    struct side_q *oq = &c->pq[!s];
    int32_t best = -1, dup = -1;
    int best_score = -1;
    int64_t best_dt = 0, dup_dt = 0;
    if (oq->nbucket) {
        for (int32_t i = oq->bucket[rr.key & (oq->nbucket - 1)]; i >= 0; i = c->pool[i].next) {
            const struct pend *p = &c->pool[i];
            if (p->r.key != rr.key || p->reseg) continue;
            int sc = fit(c, s, &rr, p);
            if (sc < 0) continue;
            int64_t dt = absdiff(p->tc, tc);
            if (p->matched) {
                /* a second copy of what p's partner was */
                if (p->partner_ipid == rr.v.ipid && p->partner_phall == rr.phall && (dup < 0 || dt < dup_dt))
                    dup = i, dup_dt = dt;
                continue;
            }
            if (sc > best_score || (sc == best_score && dt < best_dt)) best = i, best_score = sc, best_dt = dt;
        }
    }
    if (best >= 0 && dup >= 0 && c->pool[best].r.v.ipid != rr.v.ipid) best = -1;
    if (best >= 0) {
        struct pend *p = &c->pool[best];
        p->matched = true;
        p->partner_ipid = rr.v.ipid;
        p->partner_phall = rr.phall;
        p->partner_frame = rr.frame;
        crec pr = p->r;
        if (s == 0) do_match(c, &rr, &pr);
        else do_match(c, &pr, &rr);
        return;
    }
    if (dup >= 0) {
        const struct pend *p = &c->pool[dup];
        const crec *a = s == 0 ? &rr : &p->r, *b = s == 0 ? &p->r : &rr;
        if (!a->sel) return;
        int dir = sender_side(c, a, b) == 0 ? NT_CMP_A_TO_B : NT_CMP_B_TO_A;
        nt_cmp_event e;
        event_of(&e, NT_CMP_DUPLICATED, dir, s == 0 ? &rr : NULL, s == 1 ? &rr : NULL);
        if (s == 0) e.frame_b = p->r.frame;
        else e.frame_a = p->r.frame;
        add_event(c, &e);
        res->dir[dir].duplicated++;
        return;
    }
    pend_push(c, s, &rr, tc);
}

/* ---- results ------------------------------------------------------------ */

static void percentiles(cmp_ctx *c, int dir)
{
    nt_cmp_dirstats *d = &c->r->dir[dir];
    if (!d->delay_samples) return;
    uint64_t med = (d->delay_samples + 1) / 2, p99 = (d->delay_samples * 99 + 99) / 100, cum = 0;
    bool have_med = false;
    for (size_t b = 0; b < c->nbins; b++) {
        cum += c->hist[dir][b];
        int64_t v = (int64_t)b * HIST_BIN_NS - c->window + HIST_BIN_NS / 2;
        if (v < d->delay_min) v = d->delay_min;
        if (v > d->delay_max) v = d->delay_max;
        if (!have_med && cum >= med) d->delay_median = v, have_med = true;
        if (cum >= p99) {
            d->delay_p99 = v;
            break;
        }
    }
}

static uint64_t flow_badness(const nt_cmp_flow *f) { return (f->lost + f->injected) * 4 + f->modified * 2 + f->reordered; }

static int flow_cmp(const void *x, const void *y)
{
    uint64_t a = flow_badness(x), b = flow_badness(y);
    return a < b ? 1 : a > b ? -1 : 0;
}

static void collect_flows(cmp_ctx *c)
{
    nt_cmp_result *res = c->r;
    for (int s = 0; s < 2; s++) {
        ktab *t = &c->R[s].ft;
        for (size_t i = 0; i < t->n; i++) {
            cflow *f = &((cflow *)t->v)[i];
            if (f->offpath || (s == 1 && f->peer >= 0)) continue;
            if (!f->matched && !f->lost && !f->injected) continue;
            res->flows = xrealloc(res->flows, (res->nflows + 1) * sizeof *res->flows);
            nt_cmp_flow *o = &res->flows[res->nflows++];
            memset(o, 0, sizeof *o);
            o->a = f->first;
            o->in_a = s == 0;
            o->in_b = s == 1 || f->peer >= 0;
            o->matched = f->matched;
            o->lost = f->lost;
            o->injected = f->injected;
            o->modified = f->modified;
            o->reordered = f->reordered;
        }
    }
    if (res->nflows) qsort(res->flows, res->nflows, sizeof *res->flows, flow_cmp);
}

void nt_cmp_opts_init(nt_cmp_opts *o)
{
    memset(o, 0, sizeof *o);
    o->first = 1;
    o->last = UINT64_MAX;
}

/* "2024-01-01 10:00:00.123456 + 0.320 s" (UTC) */
static void fmt_span(char *out, size_t n, int64_t a, int64_t b)
{
    nt_buf t;
    nt_buf_init(&t);
    nt_time ta = {a / 1000000000, (uint32_t)(a % 1000000000)};
    nt_buf_datetime(&t, ta, 6, true);
    nt_buf_printf(&t, " + %.3f s", (double)(b - a) / 1e9);
    snprintf(out, n, "%s", t.p);
    nt_buf_free(&t);
}

int nt_cmp_run(const char *path_a, const char *path_b, const nt_cmp_opts *o, nt_cmp_result *r, nt_error *err)
{
    memset(r, 0, sizeof *r);
    cmp_ctx *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->o = o;
    c->r = r;
    c->window = o->window_ns > 0 ? o->window_ns : 3000000000LL;
    c->max_events = o->max_events ? o->max_events : 20000;
    int rc = NT_CMP_OK;
    nt_filter *flt = NULL;
    if (o->filter && !(flt = nt_filter_compile(o->filter, &nt_registry, err))) {
        free(c);
        return NT_CMP_ERR_INPUT;
    }
    rc = pass0(c, path_a, path_b, flt, err);
    if (rc == NT_CMP_NO_SHARED) {
        char sa[96], sb[96];
        fmt_span(sa, sizeof sa, r->a_first, r->a_last);
        fmt_span(sb, sizeof sb, r->b_first, r->b_last);
        int64_t off = o->have_offset ? o->offset_ns : 0;
        if (r->a_last < r->b_first - off || r->b_last - off < r->a_first)
            nt_error_set(err, NT_ERR, "the traces do not overlap in time (A %s, B %s UTC%s): nothing to compare", sa, sb,
                         o->have_offset ? " with --offset" : "");
        else
            nt_error_set(err, NT_ERR, "no packet of A was found in B: the traces share no flow (A %s, B %s UTC)", sa, sb);
        rc = r->a_last < r->b_first - off || r->b_last - off < r->a_first ? NT_CMP_NO_OVERLAP : NT_CMP_NO_SHARED;
        goto out;
    }
    if (rc) goto out;
    c->ranged = c->ranged && (o->first > 1 || o->last != UINT64_MAX);
    r->common_first = r->a_first > r->b_first - c->off ? r->a_first : r->b_first - c->off;
    r->common_last = r->a_last < r->b_last - c->off ? r->a_last : r->b_last - c->off;
    c->nbins = (size_t)(2 * c->window / HIST_BIN_NS) + 1;
    c->hist[0] = calloc(c->nbins, sizeof(uint32_t));
    c->hist[1] = calloc(c->nbins, sizeof(uint32_t));
    if (!c->hist[0] || !c->hist[1]) abort();
    if (!rdr_open(&c->R[0], 0, path_a, flt, o, err) || !rdr_open(&c->R[1], 1, path_b, flt, o, err)) {
        rc = NT_CMP_ERR_INPUT;
        goto out;
    }
    rdr_next(&c->R[0], err);
    rdr_next(&c->R[1], err);
    while (!err->code && (c->R[0].have || c->R[1].have)) {
        int s = c->R[0].have && (!c->R[1].have || c->R[0].cur.t <= c->R[1].cur.t - c->off) ? 0 : 1;
        process(c, s, &c->R[s].cur);
        rdr_next(&c->R[s], err);
    }
    if (err->code) {
        rc = NT_CMP_ERR_INPUT;
        goto out;
    }
    expire(c, INT64_MAX);
    for (int d = 0; d < 2; d++) {
        nt_cmp_dirstats *x = &r->dir[d];
        x->sent = x->matched + x->lost + x->resegmented;
        x->received = x->matched + x->injected + x->duplicated + c->reseg_recv[d];
        percentiles(c, d);
    }
    collect_flows(c);
out:
    rdr_close(&c->R[0]);
    rdr_close(&c->R[1]);
    ktab_free(&c->addrs[0]);
    ktab_free(&c->addrs[1]);
    for (int s = 0; s < 2; s++) {
        free(c->pq[s].q);
        free(c->pq[s].bucket);
        free(c->hist[s]);
    }
    free(c->pool);
    free(c->freev);
    free(c);
    if (flt) nt_filter_free(flt);
    return rc;
}

void nt_cmp_result_free(nt_cmp_result *r)
{
    free(r->ev);
    free(r->nat);
    free(r->off);
    free(r->flows);
    memset(r, 0, sizeof *r);
}

const char *nt_cmp_kind_name(nt_cmp_kind k)
{
    static const char *const names[NT_CMP_NKINDS] = {"injected", "lost", "modified", "duplicated",
                                                     "reordered", "delayed", "resegmented"};
    return (unsigned)k < NT_CMP_NKINDS ? names[k] : "?";
}

bool nt_cmp_problem(const nt_cmp_result *r)
{
    for (int d = 0; d < 2; d++)
        if (r->dir[d].lost || r->dir[d].injected || r->dir[d].modified) return true;
    return false;
}
