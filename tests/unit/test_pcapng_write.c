/* Unit tests for trace/pcapng_write.c: captures written by the writer and
 * read back with the project's reader (pcapng with two interfaces of
 * different link types and resolutions, comments, interface statistics;
 * classic pcap in both resolutions), the errors a caller can make, and a
 * full disk (a file size limit) leaving a file that ends at a whole block;
 * the same through a writer thread's queue (nt_capw_open_on), with a bound
 * small enough that the caller has to wait for the thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nettracer/pcapng_write.h"
#include "nettracer/trace.h"

static char path[64];

static void tmpname(void)
{
    strcpy(path, "/tmp/nt_test_pcapng_write_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

static uint8_t frame[1500];

static void fill(void)
{
    for (size_t i = 0; i < sizeof frame; i++) frame[i] = (uint8_t)(i * 7 + 1);
}

static void pcapng_round_trip(void **state)
{
    (void)state;
    fill();
    tmpname();
    nt_error err = {0};
    nt_capw_section sec = {.os = "Linux 6.1", .app = "nettracer test"};
    nt_capw *w = nt_capw_open(path, NT_CAPW_PCAPNG, &sec, &err);
    assert_non_null(w);
    nt_capw_iface eth = {.linktype = 1, .snaplen = 256, .name = "nt9a", .description = "veth", .filter = "icmp",
                         .tsresol = 9};
    nt_capw_iface sll = {.linktype = 113, .snaplen = 65535, .name = "any", .tsresol = 6};
    assert_int_equal(nt_capw_add_iface(w, &eth, &err), 0);
    assert_int_equal(nt_capw_add_iface(w, &sll, &err), 1);
    nt_time t1 = {1700000000, 123456789}, t2 = {1700000001, 987654321};
    assert_int_equal(nt_capw_packet(w, 0, t1, frame, 98, 98, "marker start", &err), 0);
    assert_int_equal(nt_capw_packet(w, 1, t2, frame, 61, 1514, NULL, &err), 0);
    /* a comment whose length is not a multiple of 4 */
    assert_int_equal(nt_capw_packet(w, 0, t2, frame, 3, 3, "end", &err), 0);
    assert_int_equal(nt_capw_packet(w, 7, t2, frame, 3, 3, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "interface 7"));
    nt_capw_stats st = {.ts = t2, .start = t1, .end = t2, .has_recv = true, .recv = 10, .has_ifdrop = true,
                        .ifdrop = 2, .has_osdrop = true, .osdrop = 5, .has_delivered = true, .delivered = 2};
    assert_int_equal(nt_capw_stats_block(w, 0, &st, &err), 0);
    assert_int_equal(nt_capw_packets(w), 3);
    uint64_t size = nt_capw_size(w);
    assert_int_equal(nt_capw_close(w, &err), 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal((uint64_t)sb.st_size, size);

    nt_trace *t = nt_trace_open(path, &err);
    assert_non_null(t);
    assert_int_equal(nt_trace_fmt(t), NT_FMT_PCAPNG);
    nt_frame f;
    assert_int_equal(nt_trace_next(t, &f, &err), 1);
    assert_int_equal(f.ifidx, 0);
    assert_int_equal(f.linktype, 1);
    assert_int_equal(f.ts.sec, t1.sec);
    assert_int_equal(f.ts.nsec, t1.nsec);
    assert_int_equal(f.caplen, 98);
    assert_memory_equal(f.data, frame, 98);
    assert_int_equal(f.ncomments, 1);
    assert_int_equal(f.comments[0].len, 12);
    assert_memory_equal(f.comments[0].s, "marker start", 12);
    assert_int_equal(nt_trace_next(t, &f, &err), 1);
    assert_int_equal(f.ifidx, 1);
    assert_int_equal(f.linktype, 113);
    assert_int_equal(f.ts.nsec, 987654000); /* microseconds on that interface */
    assert_int_equal(f.caplen, 61);
    assert_int_equal(f.len, 1514);
    assert_int_equal(f.ncomments, 0);
    assert_int_equal(nt_trace_next(t, &f, &err), 1);
    assert_int_equal(f.caplen, 3);
    assert_int_equal(f.ncomments, 1);
    assert_memory_equal(f.comments[0].s, "end", 3);
    assert_int_equal(nt_trace_next(t, &f, &err), 0);
    assert_string_equal(nt_trace_warning(t), "");
    assert_int_equal(nt_trace_niface(t), 2);
    const nt_iface *i0 = nt_trace_iface(t, 0);
    assert_string_equal(i0->name, "nt9a");
    assert_int_equal(i0->snaplen, 256);
    assert_int_equal(i0->tsresol_num, 1000000000);
    assert_true(i0->has_ifdrop);
    assert_int_equal(i0->ifdrop, 2);
    assert_true(i0->has_osdrop);
    assert_int_equal(i0->osdrop, 5);
    const nt_iface *i1 = nt_trace_iface(t, 1);
    assert_string_equal(i1->name, "any");
    assert_int_equal(i1->tsresol_num, 1000000);
    assert_false(i1->has_ifdrop);
    nt_trace_close(t);
    unlink(path);
}

static void pcap_round_trip_res(uint8_t resol)
{
    fill();
    tmpname();
    nt_error err = {0};
    nt_capw *w = nt_capw_open(path, NT_CAPW_PCAP, NULL, &err);
    assert_non_null(w);
    nt_capw_iface a = {.linktype = 1, .snaplen = 128, .name = "a", .tsresol = resol};
    nt_capw_iface b = {.linktype = 1, .snaplen = 256, .name = "b", .tsresol = resol};
    nt_capw_iface c = {.linktype = 113, .snaplen = 256, .name = "c", .tsresol = resol};
    assert_int_equal(nt_capw_add_iface(w, &a, &err), 0);
    assert_int_equal(nt_capw_add_iface(w, &b, &err), 1);
    assert_int_equal(nt_capw_add_iface(w, &c, &err), -1);
    assert_non_null(strstr(err.msg, "one link type"));
    nt_time t1 = {1700000000, 123456789};
    assert_int_equal(nt_capw_packet(w, 1, t1, frame, 200, 1000, "dropped in pcap", &err), 0);
    assert_int_equal(nt_capw_stats_block(w, 0, &(nt_capw_stats){.ts = t1}, &err), 0);
    assert_int_equal(nt_capw_close(w, &err), 0);
    nt_trace *t = nt_trace_open(path, &err);
    assert_non_null(t);
    assert_int_equal(nt_trace_fmt(t), NT_FMT_PCAP);
    assert_int_equal(nt_trace_iface(t, 0)->snaplen, 256);
    nt_frame f;
    assert_int_equal(nt_trace_next(t, &f, &err), 1);
    assert_int_equal(f.ts.sec, t1.sec);
    assert_int_equal(f.ts.nsec, resol == 9 ? 123456789 : 123456000);
    assert_int_equal(f.caplen, 200);
    assert_int_equal(f.len, 1000);
    assert_memory_equal(f.data, frame, 200);
    assert_int_equal(nt_trace_next(t, &f, &err), 0);
    nt_trace_close(t);
    unlink(path);
}

static void pcap_round_trip(void **state)
{
    (void)state;
    pcap_round_trip_res(6);
    pcap_round_trip_res(9);
}

static void empty_pcap_is_valid(void **state)
{
    (void)state;
    tmpname();
    nt_error err = {0};
    nt_capw *w = nt_capw_open(path, NT_CAPW_PCAP, NULL, &err);
    assert_non_null(w);
    assert_int_equal(nt_capw_add_iface(w, &(nt_capw_iface){.linktype = 1, .snaplen = 96}, &err), 0);
    assert_int_equal(nt_capw_close(w, &err), 0);
    nt_trace *t = nt_trace_open(path, &err);
    assert_non_null(t);
    nt_frame f;
    assert_int_equal(nt_trace_next(t, &f, &err), 0);
    nt_trace_close(t);
    unlink(path);
}

static void errors(void **state)
{
    (void)state;
    nt_error err = {0};
    assert_null(nt_capw_open("/nonexistent-dir/x.pcapng", NT_CAPW_PCAPNG, NULL, &err));
    assert_non_null(strstr(err.msg, "cannot create /nonexistent-dir/x.pcapng"));
    /* /dev/full: every write fails with ENOSPC */
    if (access("/dev/full", W_OK) == 0) {
        assert_null(nt_capw_open("/dev/full", NT_CAPW_PCAPNG, NULL, &err));
        assert_non_null(strstr(err.msg, "the disk is full"));
    }
    tmpname();
    nt_capw *w = nt_capw_open(path, NT_CAPW_PCAPNG, NULL, &err);
    assert_non_null(w);
    assert_int_equal(nt_capw_add_iface(w, &(nt_capw_iface){.linktype = 1, .tsresol = 3}, &err), -1);
    assert_non_null(strstr(err.msg, "resolution"));
    assert_int_equal(nt_capw_close(w, &err), 0);
    unlink(path);
}

/* Files may grow to bytes from now on (write() then stops part-way, as on
 * a full disk); returns the old limit to put back. */
static struct rlimit limit_file_size(rlim_t bytes)
{
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = bytes;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    return old;
}

/* A file size limit makes write() stop part-way, as a full disk does: the
 * file must end at a whole block and read back without a warning. */
static void write_limit_leaves_whole_blocks(void **state)
{
    (void)state;
    fill();
    tmpname();
    struct rlimit old = limit_file_size(100000);
    nt_error err = {0};
    nt_capw *w = nt_capw_open(path, NT_CAPW_PCAPNG, &(nt_capw_section){.app = "t"}, &err);
    assert_non_null(w);
    assert_int_equal(nt_capw_add_iface(w, &(nt_capw_iface){.linktype = 1, .snaplen = 1500, .name = "x"}, &err), 0);
    int rc = 0;
    uint64_t n = 0;
    for (int i = 0; i < 1000 && rc == 0; i++) {
        rc = nt_capw_packet(w, 0, (nt_time){1700000000 + i, 0}, frame, 1003, 1003, i % 3 ? NULL : "c", &err);
        if (rc == 0) n++;
    }
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err.msg, "write failed"));
    uint64_t ondisk = nt_capw_packets(w);
    assert_int_equal(nt_capw_close(w, &err), -1);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    assert_true(err.msg[0] != 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size <= 100000);
    assert_true(sb.st_size > 50000);
    nt_trace *t = nt_trace_open(path, &err);
    assert_non_null(t);
    nt_frame f;
    uint64_t got = 0;
    while (nt_trace_next(t, &f, &err) == 1) {
        assert_int_equal(f.caplen, 1003);
        got++;
    }
    assert_string_equal(nt_trace_warning(t), "");
    assert_true(got > 0 && got <= n);
    assert_int_equal(got, ondisk);
    nt_trace_close(t);
    unlink(path);
}

/* Reads path back: n packets of 1003 bytes whose first byte is i % 251 and
 * whose interface is i % 2, in order. */
static void check_sequence(const char *p, uint64_t n)
{
    nt_error err = {0};
    nt_trace *t = nt_trace_open(p, &err);
    assert_non_null(t);
    nt_frame f;
    uint64_t i = 0;
    while (nt_trace_next(t, &f, &err) == 1) {
        assert_int_equal(f.caplen, 1003);
        assert_int_equal(f.data[0], (uint8_t)(i % 251));
        assert_int_equal(f.ifidx, i % 2);
        assert_int_equal(f.ts.sec, 1700000000 + i);
        i++;
    }
    assert_string_equal(nt_trace_warning(t), "");
    assert_int_equal(i, n);
    nt_trace_close(t);
}

static nt_capw *open_two(nt_capw_queue *q, const char *p)
{
    nt_error err = {0};
    nt_capw *w = nt_capw_open_on(q, p, NT_CAPW_PCAPNG, &(nt_capw_section){.app = "t"}, &err);
    assert_non_null(w);
    assert_int_equal(nt_capw_add_iface(w, &(nt_capw_iface){.linktype = 1, .snaplen = 1500, .name = "a"}, &err), 0);
    assert_int_equal(nt_capw_add_iface(w, &(nt_capw_iface){.linktype = 1, .snaplen = 1500, .name = "b"}, &err), 1);
    return w;
}

/* Two files, one after the other, through one writer thread whose bound
 * (300 KiB) is below two buffers: every packet arrives, in order, and the
 * queue counts them per interface. */
static void queued_files(void **state)
{
    (void)state;
    fill();
    nt_error err = {0};
    nt_capw_queue *q = nt_capw_queue_start(300u << 10, &err);
    assert_non_null(q);
    char p1[64], p2[64];
    tmpname();
    strcpy(p1, path);
    tmpname();
    strcpy(p2, path);
    const uint64_t n1 = 3000, n2 = 5;
    nt_capw *w = open_two(q, p1);
    for (uint64_t i = 0; i < n1; i++) {
        frame[0] = (uint8_t)(i % 251);
        assert_int_equal(nt_capw_packet(w, i % 2, (nt_time){1700000000 + i, 0}, frame, 1003, 1003, NULL, &err), 0);
    }
    assert_int_equal(nt_capw_packets(w), n1);
    uint64_t size1 = nt_capw_size(w);
    assert_int_equal(nt_capw_close(w, &err), 0);
    /* the first file may still be being written while the second starts */
    w = open_two(q, p2);
    for (uint64_t i = 0; i < n2; i++) {
        frame[0] = (uint8_t)(i % 251);
        assert_int_equal(nt_capw_packet(w, i % 2, (nt_time){1700000000 + i, 0}, frame, 1003, 1003, NULL, &err), 0);
    }
    /* pushed (less than a buffer): in the file while it is still open */
    assert_int_equal(nt_capw_push(w, &err), 0);
    assert_int_equal(nt_capw_queue_sync(q, &err), 0);
    check_sequence(p2, n2);
    assert_int_equal(nt_capw_close(w, &err), 0);
    assert_int_equal(nt_capw_queue_sync(q, &err), 0);
    assert_int_equal(nt_capw_queue_written(q, 0), (n1 + 1) / 2 + (n2 + 1) / 2);
    assert_int_equal(nt_capw_queue_written(q, 1), n1 / 2 + n2 / 2);
    assert_int_equal(nt_capw_queue_written(q, 7), 0);
    nt_capw_queue_stop(q);
    struct stat sb;
    assert_int_equal(stat(p1, &sb), 0);
    assert_int_equal((uint64_t)sb.st_size, size1);
    check_sequence(p1, n1);
    check_sequence(p2, n2);
    unlink(p1);
    unlink(p2);
}

/* A write cut short in the writer thread: the caller learns of it on a
 * later packet, the file ends at a whole block, the queue counts exactly
 * the packets in it, and a new file on the failed queue is refused. */
static void queued_write_limit(void **state)
{
    (void)state;
    fill();
    tmpname();
    struct rlimit old = limit_file_size(100000);
    nt_error err = {0};
    nt_capw_queue *q = nt_capw_queue_start(300u << 10, &err);
    assert_non_null(q);
    nt_capw *w = open_two(q, path);
    int rc = 0;
    uint64_t handed = 0;
    for (uint64_t i = 0; i < 5000 && rc == 0; i++) {
        frame[0] = (uint8_t)(i % 251);
        rc = nt_capw_packet(w, i % 2, (nt_time){1700000000 + i, 0}, frame, 1003, 1003, NULL, &err);
        if (rc == 0) handed++;
    }
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err.msg, "write failed"));
    assert_int_equal(nt_capw_close(w, &err), -1);
    assert_int_equal(nt_capw_queue_sync(q, &err), -1);
    assert_non_null(strstr(err.msg, "write failed"));
    uint64_t written = nt_capw_queue_written(q, 0) + nt_capw_queue_written(q, 1);
    char p2[80];
    snprintf(p2, sizeof p2, "%.64s.2", path);
    assert_null(nt_capw_open_on(q, p2, NT_CAPW_PCAPNG, NULL, &err));
    assert_non_null(strstr(err.msg, "write failed"));
    assert_int_equal(access(p2, F_OK), -1);
    nt_capw_queue_stop(q);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size <= 100000);
    assert_true(sb.st_size > 50000);
    assert_true(written > 0 && written < handed);
    check_sequence(path, written);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pcapng_round_trip),
        cmocka_unit_test(pcap_round_trip),
        cmocka_unit_test(empty_pcap_is_valid),
        cmocka_unit_test(errors),
        cmocka_unit_test(write_limit_leaves_whole_blocks),
        cmocka_unit_test(queued_files),
        cmocka_unit_test(queued_write_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
