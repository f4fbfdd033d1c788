/* cmd_markers.c - `nettracer markers`: the ping markers in a trace and the
 * reproduction ranges they bound. */
#include "cli.h"
#include "traceopts.h"

#include <string.h>

typedef struct mk_state {
    nt_markers mk;
    uint64_t last;
} mk_state;

static bool add_one(void *user, const nt_packet *pkt, const nt_trace *t)
{
    (void)t;
    mk_state *s = user;
    nt_markers_add(&s->mk, pkt);
    s->last = pkt->frame->number;
    return true;
}

static void addr(nt_buf *b, const nt_marker *m, bool src)
{
    if (m->family == 4) nt_buf_ipv4(b, src ? m->src : m->dst);
    else nt_buf_ipv6(b, src ? m->src : m->dst);
}

static int set_sizes(const nt_opt *o, void *target, const char *cmd, const char *arg)
{
    (void)o;
    nt_trace_args *a = target;
    if (!nt_parse_marker_sizes(arg, &a->p.start_size, &a->p.end_size))
        return nt_usage_error(cmd, "--sizes needs two different payload sizes START,END (e.g. 22,33), not '%s'", arg);
    return 0;
}

static int no_between(const nt_opt *o, void *target, const char *cmd, const char *arg)
{
    (void)o, (void)target, (void)arg;
    return nt_usage_error(cmd, "--between-markers makes no sense here: use --sizes");
}

static const nt_opt markers_opts[] = {
    {"sizes", 0, "START,END", "marker payload sizes (default 22,33)", set_sizes, NULL},
    {"between-markers", 0, "S,E", NULL, no_between, NULL},
    {NULL, 'Y', "FILTER", "look for markers only in the frames matching a display filter", NULL, NULL},
    {"range", 0, "A-B", "look for markers only in frames A to B", NULL, NULL},
    {"json", 0, NULL, "one JSON object per marker and per range", NULL, NULL},
};

const nt_cmd_help nt_markers_help = {
    .intro = "usage: nettracer markers [OPTIONS] TRACE\n"
             "\n"
             "Find the ping markers sent around a reproduction: ICMP/ICMPv6 echo requests\n"
             "and replies whose payload is the start size (22 bytes: IPv4 total length 50)\n"
             "or the end size (33 bytes: length 61), as in 'ping -s 22' before and\n"
             "'ping -s 33' after. Print each marker and each range, from the frame after\n"
             "the start marker's reply to the frame before the end marker's request.\n"
             "An echo that 'nettracer capture' commented \"marker start\" or \"marker end\"\n"
             "is a marker whatever its size.\n"
             "Every trace command takes --between-markers START,END to read only those\n"
             "ranges.\n"
             "\n",
    NT_HELP_OWN(markers_opts),
    .trace = true,
    .tail = "Exit status: 0 markers and at least one range found; 1 none; 2 bad input.\n",
};

int cmd_markers(int argc, char **argv)
{
    nt_trace_args o;
    nt_trace_args_init(&o);
    int next, rc0 = nt_trace_parse("markers", argc, argv, &o, markers_opts, NT_NOPTS(markers_opts),
                                   &o, &next);
    if (!rc0) rc0 = nt_trace_one("markers", &o, argc, argv, next);
    if (rc0) return rc0;

    mk_state s = {.last = 0};
    nt_markers_init(&s.mk, o.p.start_size, o.p.end_size);
    int rc = nt_trace_run("markers", &o, add_one, &s);
    if (rc == NT_EXIT_USAGE) {
        nt_markers_free(&s.mk);
        return rc;
    }
    nt_markers_ranges(&s.mk, s.last);
    nt_buf b;
    nt_buf_init(&b);
    for (size_t i = 0; i < s.mk.n; i++) {
        const nt_marker *m = &s.mk.m[i];
        if (o.json) {
            nt_json j;
            nt_json_begin(&j, &b);
            nt_json_obj_open(&j, NULL);
            nt_json_str(&j, "type", "marker");
            nt_json_u64(&j, "frame", m->frame);
            nt_json_str(&j, "kind", m->start ? "start" : "end");
            nt_json_str(&j, "echo", m->reply ? "reply" : "request");
            nt_json_u64(&j, "size", m->size);
            nt_buf tb;
            nt_buf_init(&tb);
            addr(&tb, m, true);
            nt_json_str(&j, "src", tb.p);
            nt_buf_reset(&tb);
            addr(&tb, m, false);
            nt_json_str(&j, "dst", tb.p);
            nt_buf_reset(&tb);
            nt_buf_secs(&tb, m->ts.sec * 1000000000LL + m->ts.nsec, 9);
            nt_json_raw(&j, "time_epoch", tb.p);
            nt_buf_free(&tb);
            nt_json_obj_close(&j);
            nt_buf_putc(&b, '\n');
        } else {
            if (i == 0) nt_buf_puts(&b, "Markers:\n");
            nt_buf_printf(&b, "  frame %-7llu %-5s %-7s %3u bytes  ", (unsigned long long)m->frame,
                          m->start ? "start" : "end", m->reply ? "reply" : "request", m->size);
            addr(&b, m, true);
            nt_buf_puts(&b, " -> ");
            addr(&b, m, false);
            nt_buf_puts(&b, "  ");
            nt_buf_datetime(&b, m->ts, 6, false);
            nt_buf_putc(&b, '\n');
        }
    }
    for (size_t i = 0; i < s.mk.nr; i++) {
        if (o.json) {
            nt_buf_printf(&b, "{\"type\":\"range\",\"first\":%llu,\"last\":%llu}\n",
                          (unsigned long long)s.mk.r[i].first, (unsigned long long)s.mk.r[i].last);
        } else {
            if (i == 0) nt_buf_puts(&b, "Reproduction ranges (between the markers):\n");
            nt_buf_printf(&b, "  frames %llu-%llu   (use --range %llu-%llu or --between-markers %u,%u)\n",
                          (unsigned long long)s.mk.r[i].first, (unsigned long long)s.mk.r[i].last,
                          (unsigned long long)s.mk.r[i].first, (unsigned long long)s.mk.r[i].last, o.p.start_size,
                          o.p.end_size);
        }
    }
    nt_buf_flush(&b, stdout);
    nt_buf_free(&b);
    if (s.mk.n == 0) {
        fprintf(stderr, "nettracer markers: no ping markers in %s (no ICMP echo with a %u- or %u-byte payload)\n", o.p.file,
                o.p.start_size, o.p.end_size);
        rc = rc ? rc : NT_EXIT_PROBLEM;
    } else if (s.mk.nr == 0) {
        fprintf(stderr, "nettracer markers: markers found but no range: a %u-byte start marker must come before a %u-byte end marker\n",
                o.p.start_size, o.p.end_size);
        rc = rc ? rc : NT_EXIT_PROBLEM;
    }
    nt_markers_free(&s.mk);
    return rc;
}
