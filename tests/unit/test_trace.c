/* Unit tests for trace/: the pcap and pcapng readers on captures built
 * byte by byte here (both byte orders, resolutions, sections, comments,
 * truncation, garbage), from a mapped file and from a pipe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nettracer/trace.h"

typedef struct bb {
    uint8_t d[8192];
    size_t n;
    bool be;
} bb;

static void put8(bb *b, uint8_t v) { b->d[b->n++] = v; }
static void put16(bb *b, uint16_t v)
{
    if (b->be) { put8(b, v >> 8); put8(b, (uint8_t)v); }
    else { put8(b, (uint8_t)v); put8(b, v >> 8); }
}
static void put32(bb *b, uint32_t v)
{
    if (b->be) { put16(b, v >> 16); put16(b, (uint16_t)v); }
    else { put16(b, (uint16_t)v); put16(b, v >> 16); }
}
static void putn(bb *b, const void *p, size_t n) { memcpy(b->d + b->n, p, n); b->n += n; }
static void pad4(bb *b) { while (b->n % 4) put8(b, 0); }

static char path[64];

static void write_file(const bb *b)
{
    strcpy(path, "/tmp/nt_test_trace_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b->d, b->n), (ssize_t)b->n);
    close(fd);
}

static const uint8_t pkt60[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 0x08, 0x06};

static void pcap_file(bb *b, uint32_t magic, uint32_t linktype)
{
    put32(b, magic);
    put16(b, 2);
    put16(b, 4);
    put32(b, 0);
    put32(b, 0);
    put32(b, 65535);
    put32(b, linktype);
}

static void pcap_rec(bb *b, uint32_t s, uint32_t frac, uint32_t caplen, uint32_t len)
{
    put32(b, s);
    put32(b, frac);
    put32(b, caplen);
    put32(b, len);
    putn(b, pkt60, caplen);
}

static void check_pcap(bool be, uint32_t magic, uint32_t frac, uint32_t want_nsec)
{
    bb b = {.be = be};
    pcap_file(&b, magic, 1);
    pcap_rec(&b, 1388063031, frac, 60, 60);
    pcap_rec(&b, 1388063032, 0, 42, 1514);
    write_file(&b);
    nt_error err = {0};
    nt_trace *t = nt_trace_open(path, &err);
    assert_non_null(t);
    assert_int_equal(nt_trace_fmt(t), NT_FMT_PCAP);
    nt_frame f;
    assert_int_equal(nt_trace_next(t, &f, &err), 1);
    assert_int_equal(f.number, 1);
    assert_int_equal(f.ts.sec, 1388063031);
    assert_int_equal(f.ts.nsec, want_nsec);
    assert_int_equal(f.caplen, 60);
    assert_int_equal(f.linktype, NT_LINK_ETHERNET);
    assert_memory_equal(f.data, pkt60, 60);
    assert_int_equal(nt_trace_next(t, &f, &err), 1);
    assert_int_equal(f.number, 2);
    assert_int_equal(f.caplen, 42);
    assert_int_equal(f.len, 1514);
    assert_int_equal(nt_trace_next(t, &f, &err), 0);
    assert_string_equal(nt_trace_warning(t), "");
    nt_trace_close(t);
    unlink(path);
}

static void pcap_both_orders_and_resolutions(void **st)
{
    (void)st;
    check_pcap(false, 0xa1b2c3d4, 654321, 654321000);
    check_pcap(true, 0xa1b2c3d4, 654321, 654321000);
    check_pcap(false, 0xa1b23c4d, 654321123, 654321123);
    check_pcap(true, 0xa1b23c4d, 654321123, 654321123);
}

static void pcap_truncated_tail_warns(void **st)
{
    (void)st;
    bb b = {0};
    pcap_file(&b, 0xa1b2c3d4, 1);
    pcap_rec(&b, 1, 0, 60, 60);
    pcap_rec(&b, 2, 0, 60, 60);
    b.n -= 10; /* cut inside the second packet */
    write_file(&b);
    nt_error err = {0};
    nt_trace *t = nt_trace_open(path, &err);
    assert_non_null(t);
    nt_frame f;
    assert_int_equal(nt_trace_next(t, &f, &err), 1);
    assert_int_equal(nt_trace_next(t, &f, &err), 0);
    assert_non_null(strstr(nt_trace_warning(t), "cut short in the middle of a packet at offset 100"));
    nt_trace_close(t);
    /* and cut inside a record header */
    b.n = 24 + 16 + 60 + 7;
    write_file(&b);
    t = nt_trace_open(path, &err);
    assert_int_equal(nt_trace_next(t, &f, &err), 1);
    assert_int_equal(nt_trace_next(t, &f, &err), 0);
    assert_non_null(strstr(nt_trace_warning(t), "packet header at offset 100"));
    nt_trace_close(t);
    unlink(path);
}

static void rejects_garbage(void **st)
{
    (void)st;
    nt_error err = {0};
    bb b = {0};
    putn(&b, "hello, this is not a capture file at all\n", 41);
    write_file(&b);
    assert_null(nt_trace_open(path, &err));
    assert_non_null(strstr(err.msg, "not a pcap or pcapng capture file"));
    assert_non_null(strstr(err.msg, path));
    b.n = 0;
    write_file(&b);
    assert_null(nt_trace_open(path, &err));
    assert_non_null(strstr(err.msg, "empty file"));
    bb u = {0};
    pcap_file(&u, 0xa1b2c3d4, 999);
    write_file(&u);
    assert_null(nt_trace_open(path, &err));
    assert_non_null(strstr(err.msg, "unsupported link type 999"));
    unlink(path);
    assert_null(nt_trace_open("/nonexistent/x.pcap", &err));
    assert_non_null(strstr(err.msg, "No such file"));
    /* a record claiming a gigabyte */
    bb h = {0};
    pcap_file(&h, 0xa1b2c3d4, 1);
    put32(&h, 1); put32(&h, 0); put32(&h, 1u << 30); put32(&h, 1u << 30);
    write_file(&h);
    nt_trace *t = nt_trace_open(path, &err);
    assert_non_null(t);
    nt_frame f;
    assert_int_equal(nt_trace_next(t, &f, &err), -1);
    assert_non_null(strstr(err.msg, "offset 24"));
    nt_trace_close(t);
    unlink(path);
}

/* pcapng builders */
static size_t blk_start(bb *b, uint32_t type)
{
    size_t at = b->n;
    put32(b, type);
    put32(b, 0); /* length, patched */
    return at;
}
static void blk_end(bb *b, size_t at)
{
    pad4(b);
    uint32_t total = (uint32_t)(b->n - at + 4);
    put32(b, total);
    size_t save = b->n;
    b->n = at + 4;
    put32(b, total);
    b->n = save;
}
static void shb(bb *b)
{
    size_t at = blk_start(b, 0x0A0D0D0A);
    put32(b, 0x1A2B3C4D);
    put16(b, 1);
    put16(b, 0);
    put32(b, 0xffffffff);
    put32(b, 0xffffffff);
    put32(b, 0); /* end of options */
    blk_end(b, at);
}
static void idb(bb *b, uint16_t lt, int tsresol)
{
    size_t at = blk_start(b, 1);
    put16(b, lt);
    put16(b, 0);
    put32(b, 262144);
    if (tsresol >= 0) {
        put16(b, 9);
        put16(b, 1);
        put8(b, (uint8_t)tsresol);
        pad4(b);
    }
    put16(b, 2);
    put16(b, 4);
    putn(b, "eth0", 4);
    put16(b, 0);
    put16(b, 0);
    blk_end(b, at);
}
static void epb(bb *b, uint32_t ifid, uint64_t ts, uint32_t caplen, const char *c1, const char *c2)
{
    size_t at = blk_start(b, 6);
    put32(b, ifid);
    put32(b, (uint32_t)(ts >> 32));
    put32(b, (uint32_t)ts);
    put32(b, caplen);
    put32(b, caplen);
    putn(b, pkt60, caplen);
    pad4(b);
    const char *cs[2] = {c1, c2};
    for (int i = 0; i < 2; i++) {
        if (!cs[i]) continue;
        put16(b, 1);
        put16(b, (uint16_t)strlen(cs[i]));
        putn(b, cs[i], strlen(cs[i]));
        pad4(b);
    }
    if (c1 || c2) { put16(b, 0); put16(b, 0); }
    blk_end(b, at);
}

static void build_multisection(bb *b)
{
    b->be = false;
    shb(b);
    idb(b, 1, 9);           /* nanoseconds */
    idb(b, 101, 0x80 | 20); /* 2^-20 seconds */
    epb(b, 0, 1388063031654321123ull, 60, "marker start", "second comment");
    size_t at = blk_start(b, 0x0B0B); /* unknown block: skipped */
    put32(b, 42);
    blk_end(b, at);
    epb(b, 1, ((uint64_t)100 << 20) | (1u << 19), 42, NULL, NULL);
    /* second section, big-endian, microsecond default */
    b->be = true;
    shb(b);
    idb(b, 1, -1);
    at = blk_start(b, 3); /* simple packet block */
    put32(b, 60);
    putn(b, pkt60, 60);
    blk_end(b, at);
    at = blk_start(b, 2); /* obsolete packet block */
    put16(b, 0);
    put16(b, 0);
    put32(b, 0);
    put32(b, 1500000);
    put32(b, 60);
    put32(b, 60);
    putn(b, pkt60, 60);
    blk_end(b, at);
    b->be = false;
}

static void check_multisection(nt_trace *t)
{
    nt_error err = {0};
    nt_frame f;
    assert_int_equal(nt_trace_fmt(t), NT_FMT_PCAPNG);
    assert_int_equal(nt_trace_next(t, &f, &err), 1);
    assert_int_equal(f.ts.sec, 1388063031);
    assert_int_equal(f.ts.nsec, 654321123);
    assert_int_equal(f.ncomments, 2);
    assert_int_equal(f.comments[0].len, 12);
    assert_memory_equal(f.comments[0].s, "marker start", 12);
    assert_memory_equal(f.comments[1].s, "second comment", 14);
    assert_int_equal(nt_trace_next(t, &f, &err), 1);
    assert_int_equal(f.linktype, NT_LINK_RAW);
    assert_int_equal(f.ifidx, 1);
    assert_int_equal(f.ts.sec, 100);
    assert_int_equal(f.ts.nsec, 500000000);
    assert_int_equal(f.caplen, 42);
    assert_int_equal(nt_trace_next(t, &f, &err), 1); /* SPB in the BE section */
    assert_int_equal(f.ifidx, 2);
    assert_int_equal(f.caplen, 60);
    assert_int_equal(f.number, 3);
    assert_true(f.no_ts);
    assert_int_equal(nt_trace_next(t, &f, &err), 1); /* obsolete PB */
    assert_int_equal(f.ts.sec, 1);
    assert_int_equal(f.ts.nsec, 500000000);
    assert_int_equal(nt_trace_next(t, &f, &err), 0);
    assert_string_equal(nt_trace_warning(t), "");
    assert_int_equal(nt_trace_niface(t), 3);
}

static void pcapng_sections_resolutions_comments(void **st)
{
    (void)st;
    bb b = {0};
    build_multisection(&b);
    write_file(&b);
    nt_error err = {0};
    nt_trace *t = nt_trace_open(path, &err);
    assert_non_null(t);
    check_multisection(t);
    nt_trace_close(t);
    unlink(path);
}

static void pcapng_from_pipe(void **st)
{
    (void)st;
    static bb b;
    memset(&b, 0, sizeof b);
    build_multisection(&b);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        /* write in small pieces so the reader sees short reads */
        for (size_t i = 0; i < b.n; i += 7) {
            size_t n = b.n - i < 7 ? b.n - i : 7;
            if (write(p[1], b.d + i, n) != (ssize_t)n) _exit(1);
        }
        _exit(0);
    }
    close(p[1]);
    int saved = dup(0);
    dup2(p[0], 0);
    close(p[0]);
    nt_error err = {0};
    nt_trace *t = nt_trace_open("-", &err);
    assert_non_null(t);
    check_multisection(t);
    nt_trace_close(t);
    dup2(saved, 0);
    close(saved);
    waitpid(pid, NULL, 0);
}

static void pcapng_bad_and_cut_blocks(void **st)
{
    (void)st;
    bb b = {0};
    build_multisection(&b);
    size_t full = b.n;
    b.n = full - 30; /* cut inside the last block */
    write_file(&b);
    nt_error err = {0};
    nt_trace *t = nt_trace_open(path, &err);
    nt_frame f;
    int n = 0, r;
    while ((r = nt_trace_next(t, &f, &err)) == 1) n++;
    assert_int_equal(r, 0);
    assert_int_equal(n, 3);
    assert_non_null(strstr(nt_trace_warning(t), "cut short in the middle of a block"));
    nt_trace_close(t);
    /* a block length that is not a multiple of 4 */
    bb c = {0};
    shb(&c);
    idb(&c, 1, -1);
    size_t at = c.n;
    epb(&c, 0, 0, 60, NULL, NULL);
    c.d[at + 4] = 0x3f;
    write_file(&c);
    t = nt_trace_open(path, &err);
    assert_int_equal(nt_trace_next(t, &f, &err), -1);
    assert_non_null(strstr(err.msg, "invalid length"));
    nt_trace_close(t);
    /* a packet naming an interface that was never described */
    bb d = {0};
    shb(&d);
    idb(&d, 1, -1);
    epb(&d, 5, 0, 60, NULL, NULL);
    write_file(&d);
    t = nt_trace_open(path, &err);
    assert_int_equal(nt_trace_next(t, &f, &err), -1);
    assert_non_null(strstr(err.msg, "interface 5"));
    nt_trace_close(t);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pcap_both_orders_and_resolutions),
        cmocka_unit_test(pcap_truncated_tail_warns),
        cmocka_unit_test(rejects_garbage),
        cmocka_unit_test(pcapng_sections_resolutions_comments),
        cmocka_unit_test(pcapng_from_pipe),
        cmocka_unit_test(pcapng_bad_and_cut_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
