/* cmd_show.c - `nettracer show`: the packet list, the detail view (-V) and
 * JSON Lines output of a trace. */
#include "cli.h"
#include "traceopts.h"
#include "nettracer/columns.h"
#include "nettracer/detail.h"
#include "nettracer/filter.h"
#include "nettracer/session.h"
#include "nettracer/trace.h"

#include <stdlib.h>
#include <string.h>

typedef enum { T_REL, T_AD, T_A, T_D, T_DD, T_E, T_UD, T_U } time_fmt;

typedef struct show_state {
    nt_trace_args r;
    bool verbose, absseq, header;
    time_fmt tfmt;
    int digits, tw;
    nt_time_cache tc;        /* the Time column's last second */
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

static void put_time(nt_buf *b, show_state *o, const nt_packet *pkt)
{
    const nt_frame *f = pkt->frame;
    const nt_pkt_ana *a = &pkt->ana;
    switch (o->tfmt) {
    case T_REL: nt_buf_secs(b, a->rel_ns, o->digits); break;
    case T_AD: nt_buf_datetime_cached(b, &o->tc, f->ts, o->digits, false); break;
    case T_UD: nt_buf_datetime_cached(b, &o->tc, f->ts, o->digits, true); break;
    case T_A:
    case T_U: {
        size_t at = b->len;
        nt_buf_datetime_cached(b, &o->tc, f->ts, o->digits, o->tfmt == T_U);
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

static int set_time(const nt_opt *opt, void *target, const char *cmd, const char *arg)
{
    (void)opt;
    static const char *const names[] = {[T_REL] = "r", [T_AD] = "ad", [T_A] = "a", [T_D] = "d",
                                        [T_DD] = "dd", [T_E] = "e", [T_UD] = "ud", [T_U] = "u"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(arg, names[i])) {
            ((show_state *)target)->tfmt = (time_fmt)i;
            return 0;
        }
    return nt_usage_error(cmd, "unknown time format '%s' (use r, ad, a, d, dd, e, ud or u)", arg);
}

static int set_noheader(const nt_opt *opt, void *target, const char *cmd, const char *arg)
{
    (void)opt, (void)cmd, (void)arg;
    ((show_state *)target)->header = false;
    return 0;
}

static int accept_n(const nt_opt *opt, void *target, const char *cmd, const char *arg)
{
    (void)opt, (void)target, (void)cmd, (void)arg;
    return 0;
}

/* show's own options; rows without a handler reword a common option's help */
static const nt_opt show_opts[] = {
    {NULL, 'V', NULL, "print every decoded field of every layer", nt_opt_flag, NT_OPT_AT(show_state, verbose)},
    {NULL, 'c', "N", "stop after N displayed packets", NULL, NULL},
    {NULL, 't', "FORMAT",
     "Time column: r relative to the first frame (default),\n"
     "ad absolute date and time, a absolute time, d delta from\n"
     "the previous captured frame, dd from the previous displayed\n"
     "one, e seconds since the epoch; ud, u: ad, a in UTC",
     set_time, NULL},
    {"absolute-seq", 0, NULL, "raw TCP sequence numbers instead of relative ones", nt_opt_flag,
     NT_OPT_AT(show_state, absseq)},
    {"json", 0, NULL, "one JSON object per frame (JSON Lines, docs/json.md)", NULL, NULL},
    {"no-header", 0, NULL, "no column header line", set_noheader, NULL},
    {NULL, 'n', NULL, "accepted for tcpdump/tshark habits: names are never resolved", accept_n, NULL},
};

const nt_cmd_help nt_show_help = {
    .intro = "usage: nettracer show [OPTIONS] TRACE\n"
             "\n"
             "Print the packets of a capture file (pcap or pcapng; '-' reads standard input)\n"
             "as Wireshark's packet list: No., Time, Delta, Source, Destination, Protocol,\n"
             "Length, Info. Protocol and Info follow tshark 4.0.\n"
             "\n",
    NT_HELP_OWN(show_opts),
    .trace = true,
    .tail = "Exit status: 0 ok; 1 the file was cut short (what was read is shown);\n"
            "2 bad arguments or a file that cannot be read.\n",
};

int cmd_show(int argc, char **argv)
{
    show_state o = {.tfmt = T_REL, .header = true, .digits = -1};
    nt_trace_args_init(&o.r);
    int next, rc0 = nt_trace_parse("show", argc, argv, &o.r, show_opts, NT_NOPTS(show_opts), &o, &next);
    if (rc0) return rc0;
    if (next < argc) {
        if (o.r.p.file) return nt_usage_error("show", "give the trace either with -r or as an argument, not both");
        o.r.p.file = argv[next++];
    }
    if (next < argc) return nt_usage_error("show", "one trace at a time (unexpected '%s')", argv[next]);
    if (!o.r.p.file) return nt_usage_error("show", "no trace given (usage: nettracer show TRACE)");
    nt_buf_init(&o.out);
    int rc = nt_trace_run("show", &o.r, show_one, &o);
    if (!nt_buf_flush(&o.out, stdout) || o.write_error) rc = NT_EXIT_USAGE;
    nt_buf_free(&o.out);
    return rc;
}
