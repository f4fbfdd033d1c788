/* cmd_show.c - `nettracer show`: the packet list, the detail view (-V) and
 * JSON Lines output of a trace. */
#include "cli.h"
#include "nettracer/columns.h"
#include "nettracer/detail.h"
#include "nettracer/filter.h"
#include "nettracer/session.h"
#include "nettracer/trace.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char nt_show_help[] =
    "usage: nettracer show [OPTIONS] TRACE\n"
    "\n"
    "Print the packets of a capture file (pcap or pcapng; '-' reads standard input)\n"
    "as Wireshark's packet list: No., Time, Delta, Source, Destination, Protocol,\n"
    "Length, Info. Protocol and Info follow tshark 4.0.\n"
    "\n"
    "Options:\n"
    "  -r FILE             the capture to read (or give it as the argument)\n"
    "  -Y FILTER           only packets matching a Wireshark display filter\n"
    "                      (e.g. 'tcp.flags.syn==1 and ip.addr==10.0.0.0/8';\n"
    "                      'nettracer fields' lists the fields)\n"
    "  -V                  print every decoded field of every layer\n"
    "  -c N                stop after N displayed packets\n"
    "  --range A-B         only frames A to B (1-based; 'A-' to the end)\n"
    "  -t FORMAT           Time column: r relative to the first frame (default),\n"
    "                      ad absolute date and time, a absolute time, d delta from\n"
    "                      the previous captured frame, dd from the previous displayed\n"
    "                      one, e seconds since the epoch; ud, u: ad, a in UTC\n"
    "  --absolute-seq      raw TCP sequence numbers instead of relative ones\n"
    "  --json              one JSON object per frame (JSON Lines, docs/json.md)\n"
    "  --no-header         no column header line\n"
    "  -n                  accepted for tcpdump/tshark habits: names are never resolved\n"
    "\n"
    "Exit status: 0 ok; 1 the file was cut short (what was read is shown);\n"
    "2 bad arguments or a file that cannot be read.\n";

enum { OPT_RANGE = 256, OPT_ABSSEQ, OPT_JSON, OPT_NOHEADER };

typedef enum { T_REL, T_AD, T_A, T_D, T_DD, T_E, T_UD, T_U } time_fmt;

typedef struct show_opts {
    const char *file;
    const char *filter;
    bool verbose, json, absseq, header;
    uint64_t count, first, last;
    time_fmt tfmt;
} show_opts;

static int time_digits(const nt_trace *t)
{
    for (size_t i = 0; i < nt_trace_niface(t); i++) {
        int64_t r = nt_trace_iface(t, i)->tsresol_num;
        if (r < 0 || r > 1000000) return 9;
    }
    return 6;
}

static void put_time(nt_buf *b, const show_opts *o, const nt_frame *f, nt_time first, nt_time prev_cap,
                     nt_time prev_disp, int digits)
{
    switch (o->tfmt) {
    case T_REL: nt_buf_secs(b, nt_time_diff_ns(f->ts, first), digits); break;
    case T_AD: nt_buf_datetime(b, f->ts, digits, false); break;
    case T_UD: nt_buf_datetime(b, f->ts, digits, true); break;
    case T_A:
    case T_U: {
        size_t at = b->len;
        nt_buf_datetime(b, f->ts, digits, o->tfmt == T_U);
        /* drop the date: "YYYY-MM-DD " */
        memmove(b->p + at, b->p + at + 11, b->len - at - 11);
        b->len -= 11;
        b->p[b->len] = 0;
        break;
    }
    case T_D: nt_buf_secs(b, nt_time_diff_ns(f->ts, prev_cap), digits); break;
    case T_DD: nt_buf_secs(b, nt_time_diff_ns(f->ts, prev_disp), digits); break;
    case T_E: nt_buf_secs(b, f->ts.sec * 1000000000LL + f->ts.nsec, digits); break;
    }
}

static int time_width(time_fmt t, int digits)
{
    switch (t) {
    case T_AD: case T_UD: return 20 + digits;
    case T_A: case T_U: return 9 + digits;
    case T_E: return 11 + digits;
    default: return 4 + digits;
    }
}

int cmd_show(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"range", required_argument, NULL, OPT_RANGE},
        {"absolute-seq", no_argument, NULL, OPT_ABSSEQ},
        {"json", no_argument, NULL, OPT_JSON},
        {"no-header", no_argument, NULL, OPT_NOHEADER},
        {NULL, 0, NULL, 0},
    };
    show_opts o = {.first = 1, .last = UINT64_MAX, .tfmt = T_REL, .header = true};
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "r:Y:Vc:t:n", lopts, NULL)) != -1) {
        switch (ch) {
        case 'r': o.file = optarg; break;
        case 'Y': o.filter = optarg; break;
        case 'V': o.verbose = true; break;
        case 'c':
            if (!nt_parse_u64(optarg, &o.count) || o.count == 0)
                return nt_usage_error("show", "-c needs a positive number of packets, not '%s'", optarg);
            break;
        case 't':
            if (!strcmp(optarg, "r")) o.tfmt = T_REL;
            else if (!strcmp(optarg, "ad")) o.tfmt = T_AD;
            else if (!strcmp(optarg, "a")) o.tfmt = T_A;
            else if (!strcmp(optarg, "d")) o.tfmt = T_D;
            else if (!strcmp(optarg, "dd")) o.tfmt = T_DD;
            else if (!strcmp(optarg, "e")) o.tfmt = T_E;
            else if (!strcmp(optarg, "ud")) o.tfmt = T_UD;
            else if (!strcmp(optarg, "u")) o.tfmt = T_U;
            else return nt_usage_error("show", "unknown time format '%s' (use r, ad, a, d, dd, e, ud or u)", optarg);
            break;
        case 'n': break;
        case OPT_RANGE:
            if (!nt_parse_range(optarg, &o.first, &o.last))
                return nt_usage_error("show", "--range needs FIRST-LAST frame numbers (e.g. 126-210), not '%s'",
                                      optarg);
            break;
        case OPT_ABSSEQ: o.absseq = true; break;
        case OPT_JSON: o.json = true; break;
        case OPT_NOHEADER: o.header = false; break;
        case ':':
        case '?':
        default:
            if (optopt && strchr("rYct", optopt))
                return nt_usage_error("show", "option -%c needs a value", optopt);
            return nt_usage_error("show", "unknown option '%s' (see 'nettracer show --help')", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        if (o.file) return nt_usage_error("show", "give the trace either with -r or as an argument, not both");
        o.file = argv[optind++];
    }
    if (optind < argc) return nt_usage_error("show", "one trace at a time (unexpected '%s')", argv[optind]);
    if (!o.file) return nt_usage_error("show", "no trace given (usage: nettracer show TRACE)");

    nt_error err = {0};
    nt_filter *flt = NULL;
    if (o.filter && !(flt = nt_filter_compile(o.filter, &err))) {
        fprintf(stderr, "nettracer show: %s\n", err.msg);
        return NT_EXIT_USAGE;
    }
    nt_trace *t = nt_trace_open(o.file, &err);
    if (!t) {
        fprintf(stderr, "nettracer show: %s\n", err.msg);
        nt_filter_free(flt);
        return NT_EXIT_USAGE;
    }
    nt_session *s = nt_session_new();
    nt_buf out;
    nt_buf_init(&out);
    nt_frame f;
    nt_packet pkt;
    nt_time first = {0, 0}, prev_cap = {0, 0}, prev_disp = {0, 0};
    bool have_first = false, have_disp = false;
    uint64_t shown = 0;
    int digits = -1, tw = 0;
    int rc = NT_EXIT_OK, r;
    nt_detail_opts dopts = {.absolute_seq = o.absseq};
    while ((r = nt_trace_next(t, &f, &err)) == 1) {
        if (!have_first && !f.no_ts) {
            first = prev_cap = f.ts;
            have_first = true;
        }
        if (f.number > o.last) break;
        nt_session_dissect(s, &f, &pkt);
        if (f.number < o.first) {
            if (f.linktype != NT_LINK_PCAPNG_CUSTOM) prev_cap = f.ts;
            continue;
        }
        if (digits < 0) {
            digits = time_digits(t);
            tw = time_width(o.tfmt, digits);
            if (o.header && !o.json && !o.verbose) {
                nt_buf_printf(&out, "%7s %-*s %-*s %-21s %-21s %-8s %6s %s\n", "No.", tw, "Time", 4 + digits,
                              "Delta", "Source", "Destination", "Protocol", "Length", "Info");
            }
        }
        if (!have_disp) prev_disp = f.ts;
        int64_t delta_disp = nt_time_diff_ns(f.ts, prev_disp);
        pkt.ana.delta_disp_ns = delta_disp;
        if (flt && !nt_filter_match(flt, &pkt)) {
            if (f.linktype != NT_LINK_PCAPNG_CUSTOM) prev_cap = f.ts;
            continue;
        }
        if (o.json) {
            nt_detail_json(&pkt, &dopts, first, delta_disp, nt_time_diff_ns(f.ts, prev_cap), &out);
        } else if (o.verbose) {
            nt_detail_text(&pkt, &dopts, first, delta_disp, nt_time_diff_ns(f.ts, prev_cap), &out);
        } else {
            size_t at = out.len;
            nt_buf_u64(&out, f.number);
            nt_buf_rjust(&out, at, 7);
            nt_buf_putc(&out, ' ');
            at = out.len;
            if (!f.no_ts) put_time(&out, &o, &f, first, prev_cap, prev_disp, digits);
            nt_buf_pad(&out, at, (size_t)tw);
            nt_buf_putc(&out, ' ');
            at = out.len;
            if (!f.no_ts) nt_buf_secs(&out, delta_disp, digits);
            nt_buf_pad(&out, at, (size_t)(4 + digits));
            nt_buf_putc(&out, ' ');
            at = out.len;
            nt_col_src(&pkt, &out);
            nt_buf_pad(&out, at, 21);
            nt_buf_putc(&out, ' ');
            at = out.len;
            nt_col_dst(&pkt, &out);
            nt_buf_pad(&out, at, 21);
            nt_buf_putc(&out, ' ');
            at = out.len;
            nt_col_protocol(&pkt, &out);
            nt_buf_pad(&out, at, 8);
            nt_buf_putc(&out, ' ');
            at = out.len;
            nt_buf_u64(&out, f.len);
            nt_buf_rjust(&out, at, 6);
            nt_buf_putc(&out, ' ');
            if (o.absseq) {
                nt_pkt_ana saved = pkt.ana;
                pkt.ana.tcp_valid = false;
                nt_col_info(&pkt, &out);
                pkt.ana = saved;
            } else {
                nt_col_info(&pkt, &out);
            }
            nt_buf_putc(&out, '\n');
        }
        /* tshark skips custom blocks for deltas but counts a simple packet
         * block's hidden zero timestamp */
        if (f.linktype != NT_LINK_PCAPNG_CUSTOM) {
            prev_cap = prev_disp = f.ts;
            have_disp = true;
        }
        if (out.len > (1u << 16) && !nt_buf_flush(&out, stdout)) break;
        if (o.count && ++shown >= o.count) break;
    }
    if (!nt_buf_flush(&out, stdout)) {
        rc = NT_EXIT_USAGE;
    }
    if (r < 0) {
        fprintf(stderr, "nettracer show: %s\n", err.msg);
        rc = NT_EXIT_USAGE;
    } else if (nt_trace_warning(t)[0]) {
        fprintf(stderr, "nettracer show: warning: %s\n", nt_trace_warning(t));
        rc = NT_EXIT_PROBLEM;
    }
    nt_buf_free(&out);
    nt_session_free(s);
    nt_trace_close(t);
    nt_filter_free(flt);
    return rc;
}
