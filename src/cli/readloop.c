/* readloop.c - see readloop.h. With --between-markers the file is read
 * twice: once to find the markers, once to hand on the frames inside. */
#include "readloop.h"

#include "nettracer/filter.h"
#include "nettracer/registry.h"
#include "nettracer/session.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void nt_read_opts_init(nt_read_opts *o)
{
    memset(o, 0, sizeof *o);
    o->first = 1;
    o->last = UINT64_MAX;
    o->start_size = 22;
    o->end_size = 33;
}

bool nt_parse_marker_sizes(const char *s, uint32_t *a, uint32_t *b)
{
    char *end;
    unsigned long x = strtoul(s, &end, 10);
    if (end == s || *end != ',') return false;
    const char *t = end + 1;
    unsigned long y = strtoul(t, &end, 10);
    if (end == t || *end || x == y || x > 65000 || y > 65000) return false;
    *a = (uint32_t)x;
    *b = (uint32_t)y;
    return true;
}

int nt_read_opt(const char *cmd, nt_read_opts *o, int ch, const char *arg)
{
    switch (ch) {
    case 'r': o->file = arg; return 1;
    case 'Y': o->filter = arg; return 1;
    case 'c':
        if (!nt_parse_u64(arg, &o->count) || o->count == 0) {
            nt_usage_error(cmd, "-c needs a positive number of packets, not '%s'", arg);
            return -1;
        }
        return 1;
    case OPT_RANGE:
        if (!nt_parse_range(arg, &o->first, &o->last)) {
            nt_usage_error(cmd, "--range needs FIRST-LAST frame numbers (e.g. 126-210), not '%s'", arg);
            return -1;
        }
        return 1;
    case OPT_BETWEEN_MARKERS:
        if (!nt_parse_marker_sizes(arg, &o->start_size, &o->end_size)) {
            nt_usage_error(cmd, "--between-markers needs two different payload sizes, START,END (e.g. 22,33), not '%s'",
                           arg);
            return -1;
        }
        o->markers = true;
        return 1;
    case OPT_JSON: o->json = true; return 1;
    case OPT_RTP_HEURISTIC: o->rtp_heuristic = true; return 1;
    default: return 0;
    }
}

int nt_read_args(const char *cmd, int argc, char **argv, nt_read_opts *o, int *next)
{
    static const struct option lopts[] = {NT_READ_LONGOPTS, {NULL, 0, NULL, 0}};
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, NT_READ_OPTS, lopts, NULL)) != -1) {
        int h = nt_read_opt(cmd, o, ch, optarg);
        if (h < 0) return NT_EXIT_USAGE;
        if (h) continue;
        if (optopt && strchr("rYc", optopt)) return nt_usage_error(cmd, "option -%c needs a value", optopt);
        return nt_usage_error(cmd, "unknown option '%s' (see 'nettracer %s --help')", argv[optind - 1], cmd);
    }
    if (optind < argc && !o->file) o->file = argv[optind++];
    if (!o->file) return nt_usage_error(cmd, "no trace given (see 'nettracer %s --help')", cmd);
    *next = optind;
    return 0;
}

/* first pass: the marker ranges */
static int find_ranges(const char *cmd, const nt_read_opts *o, nt_markers *mk)
{
    nt_error err = {0};
    if (!strcmp(o->file, "-")) {
        fprintf(stderr, "nettracer %s: --between-markers reads the trace twice: give a file, not standard input\n", cmd);
        return NT_EXIT_USAGE;
    }
    nt_trace *t = nt_trace_open(o->file, &err);
    if (!t) {
        fprintf(stderr, "nettracer %s: %s\n", cmd, err.msg);
        return NT_EXIT_USAGE;
    }
    nt_markers_init(mk, o->start_size, o->end_size);
    nt_frame f;
    nt_packet pkt;
    uint64_t last = 0;
    while (nt_trace_next(t, &f, &err) == 1) {
        nt_dissect(&f, &pkt);
        nt_markers_add(mk, &pkt);
        last = f.number;
    }
    nt_trace_close(t);
    nt_markers_ranges(mk, last);
    if (mk->nr == 0 && o->markers_auto) return NT_EXIT_OK;
    if (mk->nr == 0) {
        fprintf(stderr,
                "nettracer %s: no ping markers in %s: no ICMP echo with a %u-byte payload followed by one with %u bytes "
                "(see 'nettracer markers')\n",
                cmd, o->file, o->start_size, o->end_size);
        return NT_EXIT_PROBLEM;
    }
    return NT_EXIT_OK;
}

static bool in_ranges(const nt_markers *mk, uint64_t n)
{
    for (size_t i = 0; i < mk->nr; i++)
        if (n >= mk->r[i].first && n <= mk->r[i].last) return true;
    return false;
}

int nt_read_trace(const char *cmd, const nt_read_opts *o, nt_read_cb cb, void *user)
{
    nt_error err = {0};
    nt_filter *flt = NULL;
    if (o->filter && !(flt = nt_filter_compile(o->filter, &nt_registry, &err))) {
        fprintf(stderr, "nettracer %s: %s\n", cmd, err.msg);
        return NT_EXIT_USAGE;
    }
    nt_markers mk;
    memset(&mk, 0, sizeof mk);
    if (o->markers || (o->markers_auto && strcmp(o->file, "-"))) {
        int rc = find_ranges(cmd, o, &mk);
        if (rc) {
            nt_markers_free(&mk);
            nt_filter_free(flt);
            return rc;
        }
    }
    nt_trace *t = nt_trace_open(o->file, &err);
    if (!t) {
        fprintf(stderr, "nettracer %s: %s\n", cmd, err.msg);
        nt_markers_free(&mk);
        nt_filter_free(flt);
        return NT_EXIT_USAGE;
    }
    nt_session *s = nt_session_new();
    nt_session_set_rtp_heuristic(s, o->rtp_heuristic);
    nt_frame f;
    nt_packet pkt;
    nt_time prev_disp = {0, 0};
    bool have_disp = false;
    uint64_t shown = 0;
    int r, rc = NT_EXIT_OK;
    while ((r = nt_trace_next(t, &f, &err)) == 1) {
        if (f.number > o->last) break;
        nt_session_dissect(s, &f, &pkt);
        if (f.number < o->first) continue;
        if ((o->markers || mk.nr) && !in_ranges(&mk, f.number)) continue;
        pkt.ana.delta_disp_ns = have_disp ? nt_time_diff_ns(f.ts, prev_disp) : 0;
        if (flt && !nt_filter_match(flt, &pkt)) continue;
        if (f.linktype != NT_LINK_PCAPNG_CUSTOM) {
            prev_disp = f.ts;
            have_disp = true;
        }
        if (!cb(user, &pkt, t)) break;
        if (o->count && ++shown >= o->count) break;
    }
    if (r < 0) {
        fprintf(stderr, "nettracer %s: %s\n", cmd, err.msg);
        rc = NT_EXIT_USAGE;
    } else if (nt_trace_warning(t)[0]) {
        fprintf(stderr, "nettracer %s: warning: %s\n", cmd, nt_trace_warning(t));
        rc = NT_EXIT_PROBLEM;
    }
    if (o->at_end && r >= 0) o->at_end(user, t);
    nt_session_free(s);
    nt_trace_close(t);
    if (o->markers_out) {
        *o->markers_out = mk;
        memset(&mk, 0, sizeof mk);
    }
    nt_markers_free(&mk);
    nt_filter_free(flt);
    return rc;
}
