/* cmd_markers.c - `nettracer markers`: the ping markers in a trace and the
 * reproduction ranges they bound. */
#include "cli.h"
#include "readloop.h"

#include <getopt.h>
#include <string.h>

const char nt_markers_help[] =
    "usage: nettracer markers [OPTIONS] TRACE\n"
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
    "\n"
    "Options:\n"
    "  --sizes START,END   marker payload sizes (default 22,33)\n"
    "  --json              one JSON object per marker and per range\n"
    "  -Y FILTER, --range A-B  look for markers only in those frames\n"
    "\n"
    "Exit status: 0 markers and at least one range found; 1 none; 2 bad input.\n";

enum { OPT_SIZES = OPT_READ_LAST };

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

int cmd_markers(int argc, char **argv)
{
    static const struct option lopts[] = {NT_READ_LONGOPTS, {"sizes", required_argument, NULL, OPT_SIZES},
                                          {NULL, 0, NULL, 0}};
    nt_read_opts o;
    nt_read_opts_init(&o);
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, NT_READ_OPTS, lopts, NULL)) != -1) {
        if (ch == OPT_SIZES) {
            if (!nt_parse_marker_sizes(optarg, &o.start_size, &o.end_size))
                return nt_usage_error("markers", "--sizes needs two different payload sizes START,END (e.g. 22,33), not '%s'",
                                      optarg);
            continue;
        }
        if (ch == OPT_BETWEEN_MARKERS) return nt_usage_error("markers", "--between-markers makes no sense here: use --sizes");
        int h = nt_read_opt("markers", &o, ch, optarg);
        if (h < 0) return NT_EXIT_USAGE;
        if (h) continue;
        if (optopt && strchr("rYc", optopt)) return nt_usage_error("markers", "option -%c needs a value", optopt);
        return nt_usage_error("markers", "unknown option '%s' (see 'nettracer markers --help')", argv[optind - 1]);
    }
    if (optind < argc && !o.file) o.file = argv[optind++];
    if (optind < argc) return nt_usage_error("markers", "one trace at a time (unexpected '%s')", argv[optind]);
    if (!o.file) return nt_usage_error("markers", "no trace given (usage: nettracer markers TRACE)");

    mk_state s = {.last = 0};
    nt_markers_init(&s.mk, o.start_size, o.end_size);
    int rc = nt_read_trace("markers", &o, add_one, &s);
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
                          (unsigned long long)s.mk.r[i].first, (unsigned long long)s.mk.r[i].last, o.start_size,
                          o.end_size);
        }
    }
    nt_buf_flush(&b, stdout);
    nt_buf_free(&b);
    if (s.mk.n == 0) {
        fprintf(stderr, "nettracer markers: no ping markers in %s (no ICMP echo with a %u- or %u-byte payload)\n", o.file,
                o.start_size, o.end_size);
        rc = rc ? rc : NT_EXIT_PROBLEM;
    } else if (s.mk.nr == 0) {
        fprintf(stderr, "nettracer markers: markers found but no range: a %u-byte start marker must come before a %u-byte end marker\n",
                o.start_size, o.end_size);
        rc = rc ? rc : NT_EXIT_PROBLEM;
    }
    nt_markers_free(&s.mk);
    return rc;
}
