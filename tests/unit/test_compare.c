/* Unit tests for analyze/compare.c: pairs of captures crafted here as if
 * taken at the same time on a client (A) and a server (B) two milliseconds
 * apart, with what a path does to packets written into one of them
 * (TTL decrement and other checksums always; NAT, sequence rewriting, MSS
 * clamping, offload re-segmentation, duplicates, reordering, a forged reset,
 * a lost SYN, another link type, a shifted clock), checked against what
 * compare reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nettracer/compare.h"
#include "nettracer/packet.h"

#define D_US 2000   /* one-way delay between the points */

/* one capture file and what the path looks like from it */
typedef struct wr {
    FILE *f;
    uint32_t link;            /* 1 Ethernet, 113 Linux cooked */
    uint8_t cli[4], srv[4];   /* addresses as this point sees them */
    uint16_t cport, sport;
    uint32_t shift[2];        /* added to each direction's sequence numbers */
    uint8_t ttl[2];           /* TTL of each direction here */
    uint16_t csum;
    int64_t off_us;           /* this file's clock minus A's */
    uint16_t mss;             /* MSS option of SYNs here (0: as given) */
    uint8_t tos;              /* DSCP and ECN of TCP segments here */
} wr;

typedef struct pair {
    char dir[64], pa[96], pb[96];
    wr a, b;
    uint16_t ipid[2];
} pair;

static void le32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }

static void wr_open(wr *w, const char *path, uint32_t link)
{
    w->f = fopen(path, "wb");
    assert_non_null(w->f);
    w->link = link;
    uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, link};
    fwrite(hdr, 4, 6, w->f);
}

static void pair_init(pair *p)
{
    memset(p, 0, sizeof *p);
    strcpy(p->dir, "/tmp/ntcmpXXXXXX");
    assert_non_null(mkdtemp(p->dir));
    snprintf(p->pa, sizeof p->pa, "%s/a.pcap", p->dir);
    snprintf(p->pb, sizeof p->pb, "%s/b.pcap", p->dir);
    wr *w[2] = {&p->a, &p->b};
    for (int i = 0; i < 2; i++) {
        memcpy(w[i]->cli, (uint8_t[]){10, 0, 1, 2}, 4);
        memcpy(w[i]->srv, (uint8_t[]){10, 0, 2, 2}, 4);
        w[i]->cport = 40000;
        w[i]->sport = 80;
        w[i]->csum = i ? 0x2222 : 0x1111;
    }
    /* one router between: each direction's TTL drops by one */
    p->a.ttl[0] = 64, p->a.ttl[1] = 63;
    p->b.ttl[0] = 63, p->b.ttl[1] = 64;
    p->ipid[0] = 1000, p->ipid[1] = 5000;
}

static void pair_open(pair *p, uint32_t link_b)
{
    wr_open(&p->a, p->pa, 1);
    wr_open(&p->b, p->pb, link_b);
}

static void pair_done(pair *p)
{
    unlink(p->pa);
    unlink(p->pb);
    rmdir(p->dir);
}

static void put16(uint8_t *q, uint16_t v) { q[0] = (uint8_t)(v >> 8), q[1] = (uint8_t)v; }
static void put32(uint8_t *q, uint32_t v) { put16(q, (uint16_t)(v >> 16)), put16(q + 2, (uint16_t)v); }

static void record(wr *w, int64_t t_us, const uint8_t *ip, size_t n)
{
    uint8_t l2[16] = {0};
    size_t hl;
    if (w->link == 113) {
        put16(l2, 0);   /* to us */
        put16(l2 + 2, 1);
        put16(l2 + 4, 6);
        put16(l2 + 14, 0x0800);
        hl = 16;
    } else {
        memcpy(l2, (uint8_t[]){2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}, 12);
        put16(l2 + 12, 0x0800);
        hl = 14;
    }
    t_us += w->off_us;
    le32(w->f, (uint32_t)(t_us / 1000000));
    le32(w->f, (uint32_t)(t_us % 1000000));
    le32(w->f, (uint32_t)(hl + n));
    le32(w->f, (uint32_t)(hl + n));
    fwrite(l2, 1, hl, w->f);
    fwrite(ip, 1, n, w->f);
}

/* an IPv4 header at ip, for n bytes in all */
static void ipv4(uint8_t *ip, size_t n, uint8_t proto, uint16_t id, uint8_t ttl, uint16_t csum, const uint8_t *src,
                 const uint8_t *dst)
{
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)n);
    put16(ip + 4, id);
    put16(ip + 6, 0x4000);
    ip[8] = ttl;
    ip[9] = proto;
    put16(ip + 10, csum);
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
}

/* a TCP segment of direction dir (0 client to server) as w sees it */
static void tcp(wr *w, int64_t t_us, int dir, uint32_t seq, uint32_t ack, uint16_t flags, uint32_t len, uint16_t id,
                uint16_t mss)
{
    uint8_t pk[2048] = {0};
    size_t ol = mss ? 4 : 0, n = 20 + 20 + ol + len;
    ipv4(pk, n, 6, id, w->ttl[dir], w->csum, dir ? w->srv : w->cli, dir ? w->cli : w->srv);
    pk[1] = w->tos;
    uint8_t *t = pk + 20;
    put16(t, dir ? w->sport : w->cport);
    put16(t + 2, dir ? w->cport : w->sport);
    put32(t + 4, seq + w->shift[dir]);
    put32(t + 8, (flags & NT_TCP_ACK) ? ack + w->shift[!dir] : 0);
    t[12] = (uint8_t)((20 + ol) / 4) << 4;
    t[13] = (uint8_t)flags;
    put16(t + 14, 64240);
    put16(t + 16, w->csum);
    if (mss) {
        t[20] = 2, t[21] = 4;
        put16(t + 22, w->mss ? w->mss : mss);
    }
    for (uint32_t i = 0; i < len; i++) t[20 + ol + i] = (uint8_t)((seq + i) * 7);
    record(w, t_us, pk, n);
}

/* the same segment at both points: sent at t_us (A's clock) at its sender's
 * point, seen D_US later at the other */
static void both(pair *p, int64_t t_us, int dir, uint32_t seq, uint32_t ack, uint16_t flags, uint32_t len)
{
    uint16_t id = p->ipid[dir]++;
    uint16_t mss = (flags & NT_TCP_SYN) ? 1460 : 0;
    tcp(&p->a, t_us + (dir ? D_US : 0), dir, seq, ack, flags, len, id, mss);
    tcp(&p->b, t_us + (dir ? 0 : D_US), dir, seq, ack, flags, len, id, mss);
}

/* client ISN 1000, server ISN 9000, 5 ms apart from t0 */
static void handshake(pair *p, int64_t t0)
{
    both(p, t0, 0, 1000, 0, NT_TCP_SYN, 0);
    both(p, t0 + 5000, 1, 9000, 1001, NT_TCP_SYN | NT_TCP_ACK, 0);
    both(p, t0 + 10000, 0, 1001, 9001, NT_TCP_ACK, 0);
}

/* the handshake, a 100-byte request, a 1000-byte answer, the close */
static void conn(pair *p, int64_t t0)
{
    handshake(p, t0);
    both(p, t0 + 15000, 0, 1001, 9001, NT_TCP_ACK | NT_TCP_PSH, 100);
    both(p, t0 + 20000, 1, 9001, 1101, NT_TCP_ACK | NT_TCP_PSH, 1000);
    both(p, t0 + 25000, 0, 1101, 10001, NT_TCP_ACK | NT_TCP_FIN, 0);
    both(p, t0 + 30000, 1, 10001, 1102, NT_TCP_ACK | NT_TCP_FIN, 0);
    both(p, t0 + 35000, 0, 1102, 10002, NT_TCP_ACK, 0);
}

/* an echo request from the client at both points: both captures run then */
static void ping_both(pair *p, int64_t t_us)
{
    wr *w[2] = {&p->a, &p->b};
    for (int i = 0; i < 2; i++) {
        uint8_t pk[64] = {0};
        ipv4(pk, 36, 1, p->ipid[0], w[i]->ttl[0], w[i]->csum, w[i]->cli, w[i]->srv);
        pk[20] = 8;
        put16(pk + 24, 7);
        put16(pk + 26, (uint16_t)(t_us / 1000));
        record(w[i], t_us + (i ? D_US : 0), pk, 36);
    }
    p->ipid[0]++;
}

static int run(pair *p, nt_cmp_result *r)
{
    fclose(p->a.f);
    fclose(p->b.f);
    nt_cmp_opts o;
    nt_cmp_opts_init(&o);
    nt_error err = {0};
    int rc = nt_cmp_run(p->pa, p->pb, &o, r, &err);
    if (rc) fprintf(stderr, "compare: %s\n", err.msg);
    return rc;
}

static void run_ok(pair *p, nt_cmp_result *r) { assert_int_equal(run(p, r), NT_CMP_OK); }

static void done(pair *p, nt_cmp_result *r)
{
    nt_cmp_result_free(r);
    pair_done(p);
}

static size_t count(const nt_cmp_result *r, nt_cmp_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nev; i++) n += r->ev[i].kind == k;
    return n;
}

static const nt_cmp_event *find(const nt_cmp_result *r, nt_cmp_kind k)
{
    for (size_t i = 0; i < r->nev; i++)
        if (r->ev[i].kind == k) return &r->ev[i];
    return NULL;
}

static void assert_clean(const nt_cmp_result *r)
{
    for (int d = 0; d < 2; d++) {
        assert_int_equal(r->dir[d].lost, 0);
        assert_int_equal(r->dir[d].injected, 0);
        assert_int_equal(r->dir[d].modified, 0);
    }
    assert_false(nt_cmp_problem(r));
}

/* TTL one lower and other checksums at B: all matched, nothing modified,
 * the delay each way is the 2 ms written */
static void clean_pair(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    p.b.off_us = 0;
    pair_open(&p, 1);
    conn(&p, 1000000);
    nt_cmp_result r;
    run_ok(&p, &r);
    assert_clean(&r);
    assert_int_equal(r.dir[NT_CMP_A_TO_B].matched, 5);
    assert_int_equal(r.dir[NT_CMP_B_TO_A].matched, 3);
    assert_int_equal(r.dir[NT_CMP_A_TO_B].sent, 5);
    assert_int_equal(r.nev, 0);
    assert_int_equal(r.nnat, 0);
    assert_int_equal(r.dir[0].delay_min, D_US * 1000);
    assert_int_equal(r.dir[1].delay_max, D_US * 1000);
    assert_int_equal(r.offset_ns, 0);
    assert_int_equal(r.shared_flows, 1);
    done(&p, &r);
}

/* B's clock an hour and 3.5 ms ahead, B in Linux cooked framing */
static void clock_offset_and_link_type(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    p.b.off_us = 3600003500LL;
    pair_open(&p, 113);
    conn(&p, 1000000);
    nt_cmp_result r;
    run_ok(&p, &r);
    assert_clean(&r);
    assert_int_equal(r.offset_ns, 3600003500LL * 1000);
    assert_int_equal(r.offset_err_ns, D_US * 1000);   /* half the 4 ms round trip */
    assert_int_equal(r.dir[0].matched + r.dir[1].matched, 8);
    assert_int_equal(r.dir[0].delay_median, D_US * 1000);
    done(&p, &r);
}

/* a firewall adds 123456789 to the client's sequence numbers (and takes it
 * off the acks): matched on relative numbers, the shift reported */
static void isn_offset(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    p.b.shift[0] = 123456789;
    pair_open(&p, 1);
    conn(&p, 1000000);
    nt_cmp_result r;
    run_ok(&p, &r);
    assert_clean(&r);
    assert_int_equal(r.dir[0].matched + r.dir[1].matched, 8);
    assert_int_equal(r.nnat, 1);
    assert_true(r.nat[0].seq_shift);
    assert_int_equal(r.nat[0].shift[0], 123456789);
    done(&p, &r);
}

/* source NAT: B sees the client as 192.0.2.7:61000 */
static void nat_mapping(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    memcpy(p.b.cli, (uint8_t[]){192, 0, 2, 7}, 4);
    p.b.cport = 61000;
    pair_open(&p, 1);
    conn(&p, 1000000);
    nt_cmp_result r;
    run_ok(&p, &r);
    assert_clean(&r);
    assert_int_equal(r.dir[0].matched + r.dir[1].matched, 8);
    assert_int_equal(r.nnat, 1);
    assert_false(r.nat[0].seq_shift);
    const nt_cmp_nat *m = &r.nat[0];
    /* the mapping's first packet is the SYN: client to server in both */
    assert_memory_equal(m->a.src, ((uint8_t[]){10, 0, 1, 2}), 4);
    assert_memory_equal(m->b.src, ((uint8_t[]){192, 0, 2, 7}), 4);
    assert_int_equal(m->a.sport, 40000);
    assert_int_equal(m->b.sport, 61000);
    assert_int_equal(m->b.dport, 80);
    done(&p, &r);
}

/* MSS clamped from 1460 to 1200 on the SYN: modified, that field only */
static void mss_clamped(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    p.b.mss = 1200;
    pair_open(&p, 1);
    conn(&p, 1000000);
    nt_cmp_result r;
    run_ok(&p, &r);
    /* SYN and SYN-ACK both carry the rewritten option at B */
    assert_int_equal(r.dir[NT_CMP_A_TO_B].modified, 1);
    assert_int_equal(r.dir[NT_CMP_B_TO_A].modified, 1);
    const nt_cmp_event *e = find(&r, NT_CMP_MODIFIED);
    assert_non_null(e);
    assert_int_equal(e->changed, NT_CMPF_MSS);
    assert_int_equal(e->a.mss, 1460);
    assert_int_equal(e->b.mss, 1200);
    assert_int_equal(r.dir[0].lost + r.dir[1].lost, 0);
    assert_true(nt_cmp_problem(&r));
    done(&p, &r);
}

/* A marks its segments DSCP EF with ECT(0). First B sees the DSCP reset
 * and the ECN bits cleared: modified, both fields. Then B sees them marked
 * congestion experienced (CE): what a router may do, not a modification. */
static void dscp_and_ecn(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    p.a.tos = 0xb8 | 2;
    p.b.tos = 0;
    pair_open(&p, 1);
    conn(&p, 1000000);
    nt_cmp_result r;
    run_ok(&p, &r);
    assert_int_equal(r.dir[0].modified + r.dir[1].modified, 8);
    const nt_cmp_event *e = find(&r, NT_CMP_MODIFIED);
    assert_int_equal(e->changed, NT_CMPF_DSCP | NT_CMPF_ECN);
    done(&p, &r);

    pair_init(&p);
    p.a.tos = 0xb8 | 2;
    p.b.tos = 0xb8 | 3;
    pair_open(&p, 1);
    conn(&p, 1000000);
    run_ok(&p, &r);
    assert_clean(&r);
    done(&p, &r);
}

/* the answer: one 2000-byte segment at B (TSO on the server), two of
 * 1000 bytes at A: re-segmented, not lost and not injected */
static void resegmented(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    pair_open(&p, 1);
    handshake(&p, 1000000);
    both(&p, 1015000, 0, 1001, 9001, NT_TCP_ACK | NT_TCP_PSH, 100);
    tcp(&p.b, 1020000, 1, 9001, 1101, NT_TCP_ACK | NT_TCP_PSH, 2000, p.ipid[1], 0);
    tcp(&p.a, 1020000 + D_US, 1, 9001, 1101, NT_TCP_ACK, 1000, p.ipid[1], 0);
    tcp(&p.a, 1020000 + D_US + 10, 1, 10001, 1101, NT_TCP_ACK | NT_TCP_PSH, 1000, (uint16_t)(p.ipid[1] + 1), 0);
    p.ipid[1] += 2;
    both(&p, 1030000, 0, 1101, 11001, NT_TCP_ACK, 0);
    nt_cmp_result r;
    run_ok(&p, &r);
    assert_clean(&r);
    assert_int_equal(count(&r, NT_CMP_RESEGMENTED), 1);
    const nt_cmp_event *e = find(&r, NT_CMP_RESEGMENTED);
    assert_int_equal(e->dir, NT_CMP_B_TO_A);
    assert_int_equal(e->frame_b, 5);
    assert_int_equal(e->frame_a, 5);
    assert_int_equal(e->frame_a_last, 6);
    assert_int_equal(r.dir[NT_CMP_B_TO_A].sent, 2);       /* SYN-ACK, the big segment */
    assert_int_equal(r.dir[NT_CMP_B_TO_A].received, 3);   /* SYN-ACK, two halves */
    done(&p, &r);
}

/* the request arrives twice at B (same IP ID): duplicated, not injected */
static void duplicated(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    pair_open(&p, 1);
    handshake(&p, 1000000);
    both(&p, 1015000, 0, 1001, 9001, NT_TCP_ACK | NT_TCP_PSH, 100);
    tcp(&p.b, 1015000 + D_US + 100, 0, 1001, 9001, NT_TCP_ACK | NT_TCP_PSH, 100, (uint16_t)(p.ipid[0] - 1), 0);
    both(&p, 1020000, 1, 9001, 1101, NT_TCP_ACK, 0);
    nt_cmp_result r;
    run_ok(&p, &r);
    assert_clean(&r);
    assert_int_equal(r.dir[NT_CMP_A_TO_B].duplicated, 1);
    const nt_cmp_event *e = find(&r, NT_CMP_DUPLICATED);
    assert_non_null(e);
    assert_int_equal(e->frame_b, 5);
    assert_int_equal(e->frame_a, 4);
    done(&p, &r);
}

/* two requests that arrive at B in the other order */
static void reordered(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    pair_open(&p, 1);
    handshake(&p, 1000000);
    tcp(&p.a, 1015000, 0, 1001, 9001, NT_TCP_ACK, 100, 2000, 0);
    tcp(&p.a, 1015100, 0, 1101, 9001, NT_TCP_ACK, 100, 2001, 0);
    tcp(&p.b, 1015000 + D_US, 0, 1101, 9001, NT_TCP_ACK, 100, 2001, 0);
    tcp(&p.b, 1015000 + D_US + 300, 0, 1001, 9001, NT_TCP_ACK, 100, 2000, 0);
    both(&p, 1020000, 1, 9001, 1201, NT_TCP_ACK, 0);
    nt_cmp_result r;
    run_ok(&p, &r);
    assert_clean(&r);
    assert_int_equal(r.dir[NT_CMP_A_TO_B].reordered, 1);
    assert_int_equal(r.dir[NT_CMP_A_TO_B].matched, 4);
    const nt_cmp_event *e = find(&r, NT_CMP_REORDERED);
    assert_non_null(e);
    assert_int_equal(e->frame_a, 4);
    assert_int_equal(e->frame_b, 5);
    done(&p, &r);
}

/* a clean connection, then a second one whose SYN a firewall answers
 * with a reset in the server's name: A sees SYN and RST, B nothing */
static void injected_reset(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    pair_open(&p, 1);
    conn(&p, 1000000);
    p.a.cport = 40001;
    tcp(&p.a, 2000000, 0, 5000, 0, NT_TCP_SYN, 0, 3000, 1460);
    tcp(&p.a, 2001000, 1, 0, 5001, NT_TCP_RST | NT_TCP_ACK, 0, 0, 0);
    ping_both(&p, 3000000);
    nt_cmp_result r;
    run_ok(&p, &r);
    assert_int_equal(r.dir[NT_CMP_B_TO_A].injected, 1);
    assert_int_equal(r.dir[NT_CMP_A_TO_B].lost, 1);
    const nt_cmp_event *e = find(&r, NT_CMP_INJECTED);
    assert_non_null(e);
    assert_int_equal(e->frame_a, 10);
    assert_int_equal(e->frame_b, 0);
    assert_true(e->tcp_flags & NT_TCP_RST);
    e = find(&r, NT_CMP_LOST);
    assert_int_equal(e->frame_a, 9);
    assert_true(nt_cmp_problem(&r));
    done(&p, &r);
}

/* the first SYN is dropped, its retransmission 1 s later goes through:
 * one loss, the first frame; the rest matched */
static void lost_syn(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    pair_open(&p, 1);
    ping_both(&p, 0);
    tcp(&p.a, 10000, 0, 1000, 0, NT_TCP_SYN, 0, 999, 1460);
    conn(&p, 1000000);
    nt_cmp_result r;
    run_ok(&p, &r);
    assert_int_equal(r.dir[NT_CMP_A_TO_B].lost, 1);
    assert_int_equal(r.dir[NT_CMP_A_TO_B].matched, 6);   /* the ping too */
    assert_int_equal(r.dir[NT_CMP_A_TO_B].sent, 7);
    assert_int_equal(r.dir[NT_CMP_B_TO_A].injected, 0);
    const nt_cmp_event *e = find(&r, NT_CMP_LOST);
    assert_int_equal(e->frame_a, 2);
    assert_int_equal(e->dir, NT_CMP_A_TO_B);
    done(&p, &r);
}

/* pings from the client to its router: not on the common path, not lost */
static void off_path(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    pair_open(&p, 1);
    conn(&p, 1000000);
    uint8_t pk[64] = {0}, router[4] = {10, 0, 1, 1};
    ipv4(pk, 28 + 8, 1, 77, 64, 0, p.a.cli, router);
    pk[20] = 8;
    put16(pk + 24, 1);
    put16(pk + 26, 1);
    record(&p.a, 2000000, pk, 36);
    ping_both(&p, 3000000);
    nt_cmp_result r;
    run_ok(&p, &r);
    assert_clean(&r);
    assert_int_equal(r.offpath_packets, 1);
    assert_int_equal(r.noff, 1);
    assert_int_equal(r.off[0].side, 0);
    done(&p, &r);
}

/* B's capture began after the handshake: the flow still matches (on
 * absolute numbers), and A's handshake gets no verdict */
static void handshake_before_b(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    pair_open(&p, 1);
    /* conn() writes the handshake into both; keep B's file from after it */
    handshake(&p, 1000000);
    fclose(p.b.f);
    wr_open(&p.b, p.pb, 1);
    both(&p, 1015000, 0, 1001, 9001, NT_TCP_ACK | NT_TCP_PSH, 100);
    both(&p, 1020000, 1, 9001, 1101, NT_TCP_ACK | NT_TCP_PSH, 1000);
    both(&p, 1025000, 0, 1101, 10001, NT_TCP_ACK, 0);
    nt_cmp_result r;
    run_ok(&p, &r);
    assert_clean(&r);
    assert_int_equal(r.dir[NT_CMP_A_TO_B].matched, 2);
    assert_int_equal(r.dir[NT_CMP_B_TO_A].matched, 1);
    assert_int_equal(r.outside_packets, 3);
    done(&p, &r);
}

/* nothing in common: one sentence, no result */
static void no_shared_flow(void **state)
{
    (void)state;
    pair p;
    pair_init(&p);
    pair_open(&p, 1);
    tcp(&p.a, 1000000, 0, 1000, 0, NT_TCP_SYN, 0, 1, 1460);
    tcp(&p.b, 1000000, 0, 7000, 0, NT_TCP_ACK, 10, 2, 0);
    fclose(p.a.f);
    fclose(p.b.f);
    nt_cmp_opts o;
    nt_cmp_opts_init(&o);
    nt_error err = {0};
    nt_cmp_result r;
    assert_int_equal(nt_cmp_run(p.pa, p.pb, &o, &r, &err), NT_CMP_NO_SHARED);
    assert_non_null(strstr(err.msg, "share no flow"));
    done(&p, &r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_pair),   cmocka_unit_test(clock_offset_and_link_type),
        cmocka_unit_test(isn_offset),   cmocka_unit_test(nat_mapping),
        cmocka_unit_test(mss_clamped),  cmocka_unit_test(dscp_and_ecn),
        cmocka_unit_test(resegmented),
        cmocka_unit_test(duplicated),   cmocka_unit_test(reordered),
        cmocka_unit_test(injected_reset), cmocka_unit_test(lost_syn),
        cmocka_unit_test(off_path),     cmocka_unit_test(handshake_before_b),
        cmocka_unit_test(no_shared_flow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
