/* pipeline.c - the trace pipeline (pipeline.h): the one loop every trace
 * command reads with. With marker ranges the file is read twice: once to
 * find the markers, once to hand on the frames inside them. The time since
 * the previous displayed frame is set here, because only the reader knows
 * which frames are displayed. */
#include "nettracer/pipeline.h"

#include "nettracer/filter.h"
#include "nettracer/registry.h"
#include "nettracer/session.h"

#include <string.h>

void nt_pipeline_opts_init(nt_pipeline_opts *o)
{
    memset(o, 0, sizeof *o);
    o->first = 1;
    o->last = UINT64_MAX;
    o->start_size = 22;
    o->end_size = 33;
}

/* first pass: the marker ranges */
static nt_pipeline_status find_ranges(const nt_pipeline_opts *o, nt_markers *mk, nt_error *err)
{
    if (!strcmp(o->file, "-")) {
        nt_error_set(err, NT_ERR, "--between-markers reads the trace twice: give a file, not standard input");
        return NT_PIPE_ERROR;
    }
    nt_trace *t = nt_trace_open(o->file, err);
    if (!t) return NT_PIPE_ERROR;
    nt_markers_init(mk, o->start_size, o->end_size);
    nt_frame f;
    nt_packet pkt;
    uint64_t last = 0;
    nt_error rerr = {0};
    while (nt_trace_next(t, &f, &rerr) == 1) {
        nt_dissect(&f, &pkt);
        nt_markers_add(mk, &pkt);
        last = f.number;
    }
    nt_trace_close(t);
    nt_markers_ranges(mk, last);
    if (mk->nr == 0 && !o->markers_auto) {
        nt_error_set(err, NT_ERR,
                     "no ping markers in %s: no ICMP echo with a %u-byte payload followed by one with %u bytes "
                     "(see 'nettracer markers')",
                     o->file, o->start_size, o->end_size);
        return NT_PIPE_NO_MARKERS;
    }
    return NT_PIPE_OK;
}

static bool in_ranges(const nt_markers *mk, uint64_t n)
{
    for (size_t i = 0; i < mk->nr; i++)
        if (n >= mk->r[i].first && n <= mk->r[i].last) return true;
    return false;
}

/* the second (or only) pass over an open trace */
static nt_pipeline_status read_frames(const nt_pipeline_opts *o, nt_trace *t, nt_filter *flt, const nt_markers *mk,
                                      nt_pipeline_cb cb, void *user, nt_error *err)
{
    nt_session *s = nt_session_new();
    nt_session_set_rtp_heuristic(s, o->rtp_heuristic);
    nt_frame f;
    nt_packet pkt;
    nt_time prev_disp = {0, 0};
    bool have_disp = false;
    uint64_t shown = 0;
    int r;
    while ((r = nt_trace_next(t, &f, err)) == 1) {
        if (f.number > o->last) break;
        nt_session_dissect(s, &f, &pkt);
        if (f.number < o->first) continue;
        if ((o->markers || mk->nr) && !in_ranges(mk, f.number)) continue;
        pkt.ana.delta_disp_ns = have_disp ? nt_time_diff_ns(f.ts, prev_disp) : 0;
        if (flt && !nt_filter_match(flt, &pkt)) continue;
        if (f.linktype != NT_LINK_PCAPNG_CUSTOM) {
            prev_disp = f.ts;
            have_disp = true;
        }
        if (!cb(user, &pkt, t)) break;
        if (o->count && ++shown >= o->count) break;
    }
    nt_pipeline_status st = NT_PIPE_OK;
    if (r < 0) {
        st = NT_PIPE_ERROR;
    } else if (nt_trace_warning(t)[0]) {
        nt_error_set(err, NT_ERR, "%s", nt_trace_warning(t));
        st = NT_PIPE_CUT;
    }
    if (o->at_end && r >= 0) o->at_end(user, t);
    nt_session_free(s);
    return st;
}

nt_pipeline_status nt_pipeline_run(const nt_pipeline_opts *o, nt_pipeline_cb cb, void *user, nt_error *err)
{
    nt_filter *flt = NULL;
    if (o->filter && !(flt = nt_filter_compile(o->filter, &nt_registry, err))) return NT_PIPE_ERROR;
    nt_markers mk;
    memset(&mk, 0, sizeof mk);
    nt_pipeline_status st = NT_PIPE_OK;
    if (o->markers || (o->markers_auto && strcmp(o->file, "-"))) st = find_ranges(o, &mk, err);
    nt_trace *t = NULL;
    if (st == NT_PIPE_OK && !(t = nt_trace_open(o->file, err))) st = NT_PIPE_ERROR;
    if (t) {
        st = read_frames(o, t, flt, &mk, cb, user, err);
        nt_trace_close(t);
        if (o->markers_out) {
            *o->markers_out = mk;
            memset(&mk, 0, sizeof mk);
        }
    }
    nt_markers_free(&mk);
    nt_filter_free(flt);
    return st;
}
