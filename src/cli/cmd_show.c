/* cmd_show.c - `nettracer show`: the packet list, the detail view (-V) and
 * JSON Lines output of a trace. */
#include "cli.h"
#include "readloop.h"
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
    "  --rtp-heuristic        RTP and RTCP by content on any UDP port, as Wireshark's rtp_udp\n"
    "                         heuristic (without it: the flows SIP/SDP announced)\n"
    "  --between-markers S,E  only the frames between ping markers: echo requests\n"
    "                      and replies with S-byte and E-byte payloads (22,33)\n"
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

enum { OPT_ABSSEQ = OPT_READ_LAST, OPT_NOHEADER };

typedef enum { T_REL, T_AD, T_A, T_D, T_DD, T_E, T_UD, T_U } time_fmt;

typedef struct show_state {
    nt_read_opts r;
    bool verbose, absseq, header;
    time_fmt tfmt;
    int digits, tw;
    nt_buf out;
    bool write_error;
} show_state;

static int time_digits(const nt_trace *t)
{
    for (size_t i = 0; i < nt_trace_niface(t); i++) {
        int64_t r = nt_trace_iface(t, i)->tsresol_num;
        if (r < 0 || r > 1000000) return 9;
    }
    return 6;
}

static void put_time(nt_buf *b, const show_state *o, const nt_packet *pkt)
{
    const nt_frame *f = pkt->frame;
    const nt_pkt_ana *a = &pkt->ana;
    switch (o->tfmt) {
    case T_REL: nt_buf_secs(b, a->rel_ns, o->digits); break;
    case T_AD: nt_buf_datetime(b, f->ts, o->digits, false); break;
    case T_UD: nt_buf_datetime(b, f->ts, o->digits, true); break;
    case T_A:
    case T_U: {
        size_t at = b->len;
        nt_buf_datetime(b, f->ts, o->digits, o->tfmt == T_U);
        /* drop the date: "YYYY-MM-DD " */
        memmove(b->p + at, b->p + at + 11, b->len - at - 11);
        b->len -= 11;
        b->p[b->len] = 0;
        break;
    }
    case T_D: nt_buf_secs(b, a->delta_ns, o->digits); break;
    case T_DD: nt_buf_secs(b, a->delta_disp_ns, o->digits); break;
    case T_E: nt_buf_secs(b, f->ts.sec * 1000000000LL + f->ts.nsec, o->digits); break;
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

static bool show_one(void *user, const nt_packet *cpkt, const nt_trace *t)
{
    show_state *o = user;
    nt_packet pkt = *cpkt;
    const nt_frame *f = pkt.frame;
    nt_buf *out = &o->out;
    if (o->digits < 0) {
        o->digits = time_digits(t);
        o->tw = time_width(o->tfmt, o->digits);
        if (o->header && !o->r.json && !o->verbose)
            nt_buf_printf(out, "%7s %-*s %-*s %-21s %-21s %-8s %6s %s\n", "No.", o->tw, "Time", 4 + o->digits, "Delta",
                          "Source", "Destination", "Protocol", "Length", "Info");
    }
    nt_detail_opts dopts = {.absolute_seq = o->absseq};
    if (o->r.json) {
        nt_detail_json(&pkt, &dopts, out);
    } else if (o->verbose) {
        nt_detail_text(&pkt, &dopts, out);
    } else {
        size_t at = out->len;
        nt_buf_u64(out, f->number);
        nt_buf_rjust(out, at, 7);
        nt_buf_putc(out, ' ');
        at = out->len;
        if (!f->no_ts) put_time(out, o, &pkt);
        nt_buf_pad(out, at, (size_t)o->tw);
        nt_buf_putc(out, ' ');
        at = out->len;
        if (!f->no_ts) nt_buf_secs(out, pkt.ana.delta_disp_ns, o->digits);
        nt_buf_pad(out, at, (size_t)(4 + o->digits));
        nt_buf_putc(out, ' ');
        at = out->len;
        nt_col_src(&pkt, out);
        nt_buf_pad(out, at, 21);
        nt_buf_putc(out, ' ');
        at = out->len;
        nt_col_dst(&pkt, out);
        nt_buf_pad(out, at, 21);
        nt_buf_putc(out, ' ');
        at = out->len;
        nt_col_protocol(&pkt, out);
        nt_buf_pad(out, at, 8);
        nt_buf_putc(out, ' ');
        at = out->len;
        nt_buf_u64(out, f->len);
        nt_buf_rjust(out, at, 6);
        nt_buf_putc(out, ' ');
        if (o->absseq) pkt.ana.tcp_valid = false;
        nt_col_info(&pkt, out);
        nt_buf_putc(out, '\n');
    }
    if (out->len > (1u << 16) && !nt_buf_flush(out, stdout)) {
        o->write_error = true;
        return false;
    }
    return true;
}

int cmd_show(int argc, char **argv)
{
    static const struct option lopts[] = {
        NT_READ_LONGOPTS,
        {"absolute-seq", no_argument, NULL, OPT_ABSSEQ},
        {"no-header", no_argument, NULL, OPT_NOHEADER},
        {NULL, 0, NULL, 0},
    };
    show_state o = {.tfmt = T_REL, .header = true, .digits = -1};
    nt_read_opts_init(&o.r);
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, NT_READ_OPTS "Vt:n", lopts, NULL)) != -1) {
        int h = nt_read_opt("show", &o.r, ch, optarg);
        if (h < 0) return NT_EXIT_USAGE;
        if (h) continue;
        switch (ch) {
        case 'V': o.verbose = true; break;
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
        case OPT_ABSSEQ: o.absseq = true; break;
        case OPT_NOHEADER: o.header = false; break;
        default:
            if (optopt && strchr("rYct", optopt)) return nt_usage_error("show", "option -%c needs a value", optopt);
            return nt_usage_error("show", "unknown option '%s' (see 'nettracer show --help')", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        if (o.r.file) return nt_usage_error("show", "give the trace either with -r or as an argument, not both");
        o.r.file = argv[optind++];
    }
    if (optind < argc) return nt_usage_error("show", "one trace at a time (unexpected '%s')", argv[optind]);
    if (!o.r.file) return nt_usage_error("show", "no trace given (usage: nettracer show TRACE)");
    nt_buf_init(&o.out);
    int rc = nt_read_trace("show", &o.r, show_one, &o);
    if (!nt_buf_flush(&o.out, stdout) || o.write_error) rc = NT_EXIT_USAGE;
    nt_buf_free(&o.out);
    return rc;
}
