/* Unit tests for analyze/pipeline.c, the loop every trace command reads
 * with: the frames it hands on under a range, a count, a display filter
 * and the ping-marker ranges, and the status and message of each way a
 * run can fail. Expected frames come from reading the same capture with
 * nt_trace directly, not from numbers written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "nettracer/pipeline.h"

#define CAP(name) NT_TEST_CAPTURES "/" name

typedef struct seen {
    uint64_t n;
    uint64_t frames[4096];
    uint64_t stop_after;     /* the callback returns false after this many (0: never) */
    int at_end_calls;
} seen;

static bool collect(void *user, const nt_packet *pkt, const nt_trace *t)
{
    (void)t;
    seen *s = user;
    if (s->n < 4096) s->frames[s->n] = pkt->frame->number;
    s->n++;
    return !s->stop_after || s->n < s->stop_after;
}

static void count_end(void *user, const nt_trace *t)
{
    (void)t;
    ((seen *)user)->at_end_calls++;
}

static uint64_t frames_in(const char *path)
{
    nt_error err = {0};
    nt_trace *t = nt_trace_open(path, &err);
    assert_non_null(t);
    nt_frame f;
    uint64_t n = 0;
    while (nt_trace_next(t, &f, &err) == 1) n++;
    nt_trace_close(t);
    return n;
}

static nt_pipeline_status run(nt_pipeline_opts *o, seen *s, nt_error *err)
{
    memset(s, 0, sizeof *s);
    memset(err, 0, sizeof *err);
    o->at_end = count_end;
    return nt_pipeline_run(o, collect, s, err);
}

static void whole_range_count(void **state)
{
    (void)state;
    static seen s;
    nt_error err;
    nt_pipeline_opts o;
    nt_pipeline_opts_init(&o);
    o.file = CAP("http4.pcap");
    uint64_t total = frames_in(o.file);
    assert_true(total > 5);
    assert_int_equal(run(&o, &s, &err), NT_PIPE_OK);
    assert_int_equal(s.n, total);
    assert_int_equal(s.at_end_calls, 1);
    for (uint64_t i = 0; i < s.n; i++) assert_int_equal(s.frames[i], i + 1);

    o.first = 3, o.last = 5;
    assert_int_equal(run(&o, &s, &err), NT_PIPE_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.frames[0], 3);
    assert_int_equal(s.frames[2], 5);

    o.first = 1, o.last = UINT64_MAX, o.count = 2;
    assert_int_equal(run(&o, &s, &err), NT_PIPE_OK);
    assert_int_equal(s.n, 2);

    o.count = 0;
    memset(&s, 0, sizeof s);
    s.stop_after = 4;
    memset(&err, 0, sizeof err);
    assert_int_equal(nt_pipeline_run(&o, collect, &s, &err), NT_PIPE_OK);
    assert_int_equal(s.n, 4); /* the callback stopped it */
}

static void filter(void **state)
{
    (void)state;
    static seen all, syn;
    nt_error err;
    nt_pipeline_opts o;
    nt_pipeline_opts_init(&o);
    o.file = CAP("http4.pcap");
    assert_int_equal(run(&o, &all, &err), NT_PIPE_OK);
    o.filter = "tcp.flags.syn == 1";
    assert_int_equal(run(&o, &syn, &err), NT_PIPE_OK);
    assert_true(syn.n > 0 && syn.n < all.n);
    /* the selected frames are frames of the trace, in order */
    for (uint64_t i = 1; i < syn.n; i++) assert_true(syn.frames[i] > syn.frames[i - 1]);

    o.filter = "tcp.port ==";
    assert_int_equal(run(&o, &syn, &err), NT_PIPE_ERROR);
    assert_int_equal(syn.n, 0);
    assert_non_null(strstr(err.msg, "Unexpected end of filter expression"));
}

static void markers(void **state)
{
    (void)state;
    static seen s;
    nt_error err;
    nt_markers mk;
    nt_pipeline_opts o;
    nt_pipeline_opts_init(&o);
    o.file = CAP("markers.pcap");
    o.markers = true;
    o.markers_out = &mk;
    assert_int_equal(run(&o, &s, &err), NT_PIPE_OK);
    assert_true(mk.nr >= 1);
    assert_true(s.n > 0 && s.n < frames_in(o.file));
    for (uint64_t i = 0; i < s.n; i++) {
        bool in = false;
        for (size_t r = 0; r < mk.nr; r++) in |= s.frames[i] >= mk.r[r].first && s.frames[i] <= mk.r[r].last;
        assert_true(in);
    }
    nt_markers_free(&mk);

    /* asked for and absent: an error with the sizes; auto: the whole trace */
    o.file = CAP("ping4.pcap");
    o.markers_out = NULL;
    assert_int_equal(run(&o, &s, &err), NT_PIPE_NO_MARKERS);
    assert_int_equal(s.n, 0);
    assert_non_null(strstr(err.msg, "no ping markers"));
    o.markers = false;
    o.markers_auto = true;
    assert_int_equal(run(&o, &s, &err), NT_PIPE_OK);
    assert_int_equal(s.n, frames_in(o.file));

    o.markers = true;
    o.file = "-";
    assert_int_equal(run(&o, &s, &err), NT_PIPE_ERROR);
    assert_non_null(strstr(err.msg, "standard input"));
}

static void bad_input(void **state)
{
    (void)state;
    static seen s;
    nt_error err;
    nt_pipeline_opts o;
    nt_pipeline_opts_init(&o);
    o.file = CAP("does-not-exist.pcap");
    assert_int_equal(run(&o, &s, &err), NT_PIPE_ERROR);
    assert_true(err.msg[0] != 0);
    assert_int_equal(s.at_end_calls, 0);

    /* cut short: what was read is handed on, and the warning says where */
    o.file = CAP("truncated_tail.pcap");
    assert_int_equal(run(&o, &s, &err), NT_PIPE_CUT);
    assert_true(s.n > 0);
    assert_int_equal(s.at_end_calls, 1);
    assert_non_null(strstr(err.msg, "cut short"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_range_count),
        cmocka_unit_test(filter),
        cmocka_unit_test(markers),
        cmocka_unit_test(bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
