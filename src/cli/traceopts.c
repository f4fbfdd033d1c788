/* traceopts.c - the common options of the trace commands, declared once
 * (traceopts.h), and the exit status and message of a pipeline run. */
#include "traceopts.h"

#include <stdlib.h>
#include <string.h>

void nt_trace_args_init(nt_trace_args *a)
{
    memset(a, 0, sizeof *a);
    nt_pipeline_opts_init(&a->p);
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

static int set_count(const nt_opt *o, void *target, const char *cmd, const char *arg)
{
    (void)o;
    nt_trace_args *a = target;
    if (!nt_parse_u64(arg, &a->p.count) || a->p.count == 0)
        return nt_usage_error(cmd, "-c needs a positive number of packets, not '%s'", arg);
    return 0;
}

static int set_range(const nt_opt *o, void *target, const char *cmd, const char *arg)
{
    (void)o;
    nt_trace_args *a = target;
    if (!nt_parse_range(arg, &a->p.first, &a->p.last))
        return nt_usage_error(cmd, "--range needs FIRST-LAST frame numbers (e.g. 126-210), not '%s'", arg);
    return 0;
}

static int set_markers(const nt_opt *o, void *target, const char *cmd, const char *arg)
{
    (void)o;
    nt_trace_args *a = target;
    if (!nt_parse_marker_sizes(arg, &a->p.start_size, &a->p.end_size))
        return nt_usage_error(cmd, "--between-markers needs two different payload sizes, START,END (e.g. 22,33), not '%s'",
                              arg);
    a->p.markers = true;
    return 0;
}

const nt_opt nt_trace_opts[] = {
    {NULL, 'r', "FILE", "the capture to read (or give it as the argument)", nt_opt_string,
     NT_OPT_AT(nt_trace_args, p.file)},
    {NULL, 'Y', "FILTER",
     "only packets matching a Wireshark display filter\n"
     "(e.g. 'tcp.flags.syn==1 and ip.addr==10.0.0.0/8';\n"
     "'nettracer fields' lists the fields)",
     nt_opt_string, NT_OPT_AT(nt_trace_args, p.filter)},
    {NULL, 'c', "N", "stop after N selected packets", set_count, NULL},
    {"range", 0, "A-B", "only frames A to B (1-based; 'A-' to the end)", set_range, NULL},
    {"between-markers", 0, "S,E",
     "only the frames between ping markers: echo requests\n"
     "and replies with S-byte and E-byte payloads (22,33)",
     set_markers, NULL},
    {"rtp-heuristic", 0, NULL,
     "RTP and RTCP by content on any UDP port, as Wireshark's\n"
     "rtp_udp heuristic (without it: the flows SIP/SDP announced)",
     nt_opt_flag, NT_OPT_AT(nt_trace_args, p.rtp_heuristic)},
    {"json", 0, NULL, "JSON Lines output (docs/json.md)", nt_opt_flag, NT_OPT_AT(nt_trace_args, json)},
};
const size_t nt_trace_nopts = sizeof nt_trace_opts / sizeof nt_trace_opts[0];

int nt_trace_parse(const char *cmd, int argc, char **argv, nt_trace_args *a, const nt_opt *own, size_t nown,
                   void *own_target, int *next)
{
    const nt_opt_group g[] = {{own, nown, own_target}, {nt_trace_opts, nt_trace_nopts, a}};
    return nt_opts_parse(cmd, argc, argv, g, 2, next);
}

int nt_trace_one(const char *cmd, nt_trace_args *a, int argc, char **argv, int next)
{
    if (next < argc && !a->p.file) a->p.file = argv[next++];
    if (next < argc) return nt_usage_error(cmd, "one trace at a time (unexpected '%s')", argv[next]);
    if (!a->p.file) return nt_usage_error(cmd, "no trace given (see 'nettracer %s --help')", cmd);
    return 0;
}

int nt_trace_run(const char *cmd, const nt_trace_args *a, nt_pipeline_cb cb, void *user)
{
    nt_error err = {0};
    switch (nt_pipeline_run(&a->p, cb, user, &err)) {
    case NT_PIPE_OK: return NT_EXIT_OK;
    case NT_PIPE_CUT: fprintf(stderr, "nettracer %s: warning: %s\n", cmd, err.msg); return NT_EXIT_PROBLEM;
    case NT_PIPE_NO_MARKERS: fprintf(stderr, "nettracer %s: %s\n", cmd, err.msg); return NT_EXIT_PROBLEM;
    default: fprintf(stderr, "nettracer %s: %s\n", cmd, err.msg); return NT_EXIT_USAGE;
    }
}
