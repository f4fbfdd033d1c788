/* cmd_diagnose.c - `nettracer diagnose`: read each trace with the shared
 * loop, feed the analysed packets to the rules of analyze/diag/, print
 * a header (file, frames, time span, link types, marker range) and the
 * findings worst first, as text or one JSON object per finding. */
#include "cli.h"
#include "nettracer/diagnose.h"
#include "readloop.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char nt_diagnose_help[] =
    "usage: nettracer diagnose [OPTIONS] TRACE...\n"
    "\n"
    "Reads each trace like an expert and says what went wrong, worst first:\n"
    "each finding has a code, a severity (error, warning, notice), the flow,\n"
    "the evidence frames, measured values, a sentence and the next step.\n"
    "docs/findings.md lists every code. If the trace holds ping markers\n"
    "(22-byte then 33-byte ICMP echoes), only the frames between them are\n"
    "diagnosed, and the header says so.\n"
    "\n"
    "Options:\n"
    "  --all               diagnose the whole trace even when it has ping markers\n"
    "  --between-markers S,E  marker payload sizes (default 22,33)\n"
    "  --range A-B         only frames A to B\n"
    "  -Y FILTER           only packets matching a display filter\n"
    "  --json              one JSON object per finding: file, code, severity, frames,\n"
    "                      flow, values, text, advice (docs/findings.md)\n"
    "  --max-per-code N    text: print at most N findings of each code, then count\n"
    "                      the rest (default 5; 0 prints all; --json prints all)\n"
    "\n"
    "Thresholds (defaults in brackets):\n"
    "  --retrans-rate PCT  retransmitted share of a sender's data segments [1]\n"
    "  --retrans-min N     and at least N retransmissions [3]\n"
    "  --no-response S     request ACKed but unanswered for S seconds [3]\n"
    "  --idle-gap S        silence inside a connection [10]\n"
    "  --slow-response S   request to first answer byte, per server:port [1]\n"
    "  --dack-min MS, --dack-max MS  a delayed ACK's delay [30, 600]\n"
    "  --nagle-min N       delayed-ACK/Nagle stalls in a connection to report [2]\n"
    "  --window-stall S    window-full waiting worth a warning [0.5]\n"
    "  --ca-list-warn B    CertificateRequest CA list size to warn about [12288];\n"
    "                      over 16384 bytes is an error\n"
    "  --dns-slow S        DNS query to its answer [0.5]\n"
    "  --media-after S     one side's RTP going on after the other's stopped, no BYE [1]\n"
    "  --media-wait S      trace after a call's 200 OK before missing RTP is said [2]\n"
    "\n"
    "Exit status: 0 nothing of warning severity or worse; 1 a warning or an\n"
    "error found (or a file cut short); 2 bad arguments or unreadable input.\n";

enum {
    OPT_ALL = OPT_READ_LAST + 1,
    OPT_RETRANS_RATE,
    OPT_RETRANS_MIN,
    OPT_NO_RESPONSE,
    OPT_IDLE_GAP,
    OPT_SLOW,
    OPT_DACK_MIN,
    OPT_DACK_MAX,
    OPT_NAGLE_MIN,
    OPT_WINDOW_STALL,
    OPT_CA_LIST_WARN,
    OPT_MAX_PER_CODE,
    OPT_DNS_SLOW,
    OPT_MEDIA_AFTER,
    OPT_MEDIA_WAIT,
};

typedef struct run {
    nt_diag *d;
    /* header facts */
    uint32_t links[8];
    int nlinks;
    bool has_iface;
} run;

static bool add(void *user, const nt_packet *pkt, const nt_trace *t)
{
    (void)t;
    run *r = user;
    uint32_t lt = pkt->frame->linktype;
    if (lt != NT_LINK_PCAPNG_CUSTOM) {
        int i;
        for (i = 0; i < r->nlinks && r->links[i] != lt; i++) {}
        if (i == r->nlinks && r->nlinks < 8) r->links[r->nlinks++] = lt;
    }
    nt_diag_add(r->d, pkt);
    return true;
}

static void at_end(void *user, const nt_trace *t)
{
    run *r = user;
    nt_diag_finish(r->d, t);
    r->has_iface = true;
}

static bool num_opt(const char *arg, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v >= lo && v <= hi)) return false;
    *out = v;
    return true;
}

static void json_finding(nt_buf *b, const char *file, const nt_finding *f)
{
    nt_json j;
    nt_json_begin(&j, b);
    nt_json_obj_open(&j, NULL);
    nt_json_str(&j, "file", file);
    nt_json_str(&j, "code", f->code);
    nt_json_str(&j, "severity", nt_severity_name(f->severity));
    nt_json_arr_open(&j, "frames");
    for (int i = 0; i < f->nframes; i++) nt_json_u64(&j, NULL, f->frames[i]);
    nt_json_arr_close(&j);
    nt_json_str(&j, "flow", f->flow);
    nt_json_obj_open(&j, "values");
    for (int i = 0; i < f->nvalues; i++) {
        const nt_finding_value *v = &f->values[i];
        if (v->is_str) {
            nt_json_str(&j, v->key, v->str);
        } else {
            char n[64];
            if (v->num == (double)(int64_t)v->num && v->num > -1e15 && v->num < 1e15)
                snprintf(n, sizeof n, "%lld", (long long)v->num);
            else snprintf(n, sizeof n, "%.6f", v->num);
            nt_json_raw(&j, v->key, n);
        }
    }
    nt_json_obj_close(&j);
    nt_json_str(&j, "text", f->text);
    nt_json_str(&j, "advice", f->advice);
    nt_json_obj_close(&j);
    nt_buf_putc(b, '\n');
}

static void text_finding(nt_buf *b, const nt_finding *f)
{
    static const char *sev[] = {"notice ", "WARNING", "ERROR  "};
    nt_buf_printf(b, "%s %s", sev[f->severity], f->code);
    if (f->flow[0]) nt_buf_printf(b, "  %s", f->flow);
    if (f->nframes) {
        nt_buf_puts(b, "  frames ");
        for (int i = 0; i < f->nframes; i++) nt_buf_printf(b, "%s%llu", i ? "," : "", (unsigned long long)f->frames[i]);
    }
    nt_buf_printf(b, "\n        %s\n        -> %s\n", f->text, f->advice);
}

static void header(nt_buf *b, const char *file, const run *r, const nt_diag *d, const nt_markers *mk, bool all,
                   uint64_t first, uint64_t last, uint64_t nframes, nt_time t0, nt_time t1, bool have_ts)
{
    nt_buf_printf(b, "%s\n", file);
    if (!nframes) {
        nt_buf_puts(b, "  frames      none\n");
    } else {
        nt_buf_printf(b, "  frames      %llu-%llu (%llu read)\n", (unsigned long long)first, (unsigned long long)last,
                      (unsigned long long)nframes);
        if (have_ts) {
            nt_buf_puts(b, "  time        ");
            nt_buf_datetime(b, t0, 6, true);
            nt_buf_puts(b, " to ");
            nt_buf_datetime(b, t1, 6, true);
            nt_buf_printf(b, " UTC (%.3f s)\n", (double)nt_time_diff_ns(t1, t0) / 1e9);
        }
    }
    nt_buf_puts(b, "  link types  ");
    for (int i = 0; i < r->nlinks; i++) nt_buf_printf(b, "%s%s", i ? ", " : "", nt_linktype_name(r->links[i]));
    nt_buf_puts(b, r->nlinks ? "\n" : "none\n");
    if (mk && mk->nr) {
        nt_buf_puts(b, "  markers     ");
        for (size_t i = 0; i < mk->nr; i++)
            nt_buf_printf(b, "%sframes %llu-%llu", i ? ", " : "", (unsigned long long)mk->r[i].first,
                          (unsigned long long)mk->r[i].last);
        nt_buf_puts(b, ": the diagnosis is restricted to the range between the ping markers (--all for the "
                       "whole trace)\n");
    } else if (all) {
        nt_buf_puts(b, "  markers     ignored (--all)\n");
    }
    size_t n[3] = {0, 0, 0};
    for (size_t i = 0; i < nt_diag_count(d); i++) n[nt_diag_get(d, i)->severity]++;
    nt_buf_printf(b, "  findings    %zu error%s, %zu warning%s, %zu notice%s\n\n", n[2], n[2] == 1 ? "" : "s", n[1],
                  n[1] == 1 ? "" : "s", n[0], n[0] == 1 ? "" : "s");
}

/* the findings, at most max of each code (0: all), then what was left out */
static void print_text(nt_buf *b, const nt_diag *d, size_t max)
{
    const char *codes[64];
    size_t shown[64], nc = 0;
    bool cut = false;
    for (size_t i = 0; i < nt_diag_count(d); i++) {
        const nt_finding *f = nt_diag_get(d, i);
        size_t k;
        for (k = 0; k < nc && strcmp(codes[k], f->code); k++) {}
        if (k == nc && nc < 64) codes[nc] = f->code, shown[nc++] = 0;
        if (k < nc && max && shown[k]++ >= max) {
            cut = true;
            continue;
        }
        text_finding(b, f);
    }
    if (!cut) return;
    nt_buf_puts(b, "\nNot shown:");
    bool first = true;
    for (size_t k = 0; k < nc; k++) {
        if (shown[k] <= max) continue;
        nt_buf_printf(b, "%s %zu more %s", first ? "" : ",", shown[k] - max, codes[k]);
        first = false;
    }
    nt_buf_puts(b, " (--max-per-code 0 or --json lists them all).\n");
}

/* a view of the header facts the rules already counted */
typedef struct span {
    uint64_t first, last, n;
    nt_time t0, t1;
    bool ts;
} span;

int cmd_diagnose(int argc, char **argv)
{
    static const struct option lopts[] = {NT_READ_LONGOPTS,
                                          {"all", no_argument, NULL, OPT_ALL},
                                          {"retrans-rate", required_argument, NULL, OPT_RETRANS_RATE},
                                          {"retrans-min", required_argument, NULL, OPT_RETRANS_MIN},
                                          {"no-response", required_argument, NULL, OPT_NO_RESPONSE},
                                          {"idle-gap", required_argument, NULL, OPT_IDLE_GAP},
                                          {"slow-response", required_argument, NULL, OPT_SLOW},
                                          {"dack-min", required_argument, NULL, OPT_DACK_MIN},
                                          {"dack-max", required_argument, NULL, OPT_DACK_MAX},
                                          {"nagle-min", required_argument, NULL, OPT_NAGLE_MIN},
                                          {"window-stall", required_argument, NULL, OPT_WINDOW_STALL},
                                          {"ca-list-warn", required_argument, NULL, OPT_CA_LIST_WARN},
                                          {"max-per-code", required_argument, NULL, OPT_MAX_PER_CODE},
                                          {"dns-slow", required_argument, NULL, OPT_DNS_SLOW},
                                          {"media-after", required_argument, NULL, OPT_MEDIA_AFTER},
                                          {"media-wait", required_argument, NULL, OPT_MEDIA_WAIT},
                                          {NULL, 0, NULL, 0}};
    nt_read_opts o;
    nt_read_opts_init(&o);
    nt_diag_opts dop;
    nt_diag_opts_default(&dop);
    bool all = false;
    size_t max_per_code = 5;
    int ch, li = -1;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, NT_READ_OPTS, lopts, &li)) != -1) {
        double v;
        char name[40];
        if (li >= 0) snprintf(name, sizeof name, "--%s", lopts[li].name);
        else snprintf(name, sizeof name, "%s", optind > 0 && optind <= argc ? argv[optind - 1] : "");
        li = -1;
        int h = nt_read_opt("diagnose", &o, ch, optarg);
        if (h < 0) return NT_EXIT_USAGE;
        if (h) continue;
        switch (ch) {
        case OPT_ALL: all = true; continue;
        case OPT_RETRANS_RATE:
            if (!num_opt(optarg, 0, 100, &v)) goto bad;
            dop.retrans_rate = v / 100;
            continue;
        case OPT_RETRANS_MIN:
            if (!num_opt(optarg, 1, 1e9, &v)) goto bad;
            dop.retrans_min = (uint32_t)v;
            continue;
        case OPT_NO_RESPONSE:
            if (!num_opt(optarg, 1e-6, 1e6, &dop.no_response_s)) goto bad;
            continue;
        case OPT_IDLE_GAP:
            if (!num_opt(optarg, 1e-6, 1e6, &dop.idle_gap_s)) goto bad;
            continue;
        case OPT_SLOW:
            if (!num_opt(optarg, 1e-6, 1e6, &dop.slow_response_s)) goto bad;
            continue;
        case OPT_DACK_MIN:
            if (!num_opt(optarg, 1, 10000, &v)) goto bad;
            dop.dack_min_s = v / 1000;
            continue;
        case OPT_DACK_MAX:
            if (!num_opt(optarg, 1, 10000, &v)) goto bad;
            dop.dack_max_s = v / 1000;
            continue;
        case OPT_NAGLE_MIN:
            if (!num_opt(optarg, 1, 1e9, &v)) goto bad;
            dop.nagle_min = (uint32_t)v;
            continue;
        case OPT_WINDOW_STALL:
            if (!num_opt(optarg, 0, 1e6, &dop.window_stall_s)) goto bad;
            continue;
        case OPT_MEDIA_AFTER:
            if (!num_opt(optarg, 1e-6, 1e6, &dop.media_after_s)) goto bad;
            continue;
        case OPT_MEDIA_WAIT:
            if (!num_opt(optarg, 0, 1e6, &dop.media_wait_s)) goto bad;
            continue;
        case OPT_DNS_SLOW:
            if (!num_opt(optarg, 1e-6, 1e6, &dop.dns_slow_s)) goto bad;
            continue;
        case OPT_MAX_PER_CODE:
            if (!num_opt(optarg, 0, 1e9, &v)) goto bad;
            max_per_code = (size_t)v;
            continue;
        case OPT_CA_LIST_WARN:
            if (!num_opt(optarg, 1, 1e9, &v)) goto bad;
            dop.ca_list_warn = (uint32_t)v;
            continue;
        default: break;
        }
        if (optopt && strchr("rYc", optopt)) return nt_usage_error("diagnose", "option -%c needs a value", optopt);
        return nt_usage_error("diagnose", "unknown option '%s' (see 'nettracer diagnose --help')", name);
    bad:
        return nt_usage_error("diagnose", "%s needs a number in range, not '%s' (see 'nettracer diagnose --help')",
                              name, optarg);
    }
    if (dop.dack_min_s > dop.dack_max_s)
        return nt_usage_error("diagnose", "--dack-min must not be above --dack-max");
    const char *files[256];
    int nfiles = 0;
    if (o.file) files[nfiles++] = o.file;
    for (int i = optind; i < argc && nfiles < 256; i++) files[nfiles++] = argv[i];
    if (!nfiles) return nt_usage_error("diagnose", "no trace given (see 'nettracer diagnose --help')");
    if (o.markers && all) return nt_usage_error("diagnose", "--all and --between-markers contradict each other");

    int worst = NT_EXIT_OK;
    nt_buf b;
    nt_buf_init(&b);
    for (int fi = 0; fi < nfiles; fi++) {
        nt_read_opts fo = o;
        fo.file = files[fi];
        nt_markers mk;
        memset(&mk, 0, sizeof mk);
        if (!all && !o.markers) fo.markers_auto = true;
        fo.markers_out = &mk;
        fo.at_end = at_end;
        run r;
        memset(&r, 0, sizeof r);
        r.d = nt_diag_new(&dop);
        int rc = nt_read_trace("diagnose", &fo, add, &r);
        if (rc == NT_EXIT_USAGE) {
            nt_diag_free(r.d);
            nt_markers_free(&mk);
            worst = NT_EXIT_USAGE;
            continue;
        }
        if (!r.has_iface) nt_diag_finish(r.d, NULL);
        if (rc > worst) worst = rc;
        const nt_diag *d = r.d;
        for (size_t i = 0; i < nt_diag_count(d); i++)
            if (nt_diag_get(d, i)->severity >= NT_SEV_WARNING && worst < NT_EXIT_PROBLEM) worst = NT_EXIT_PROBLEM;
        if (o.json) {
            for (size_t i = 0; i < nt_diag_count(d); i++) json_finding(&b, files[fi], nt_diag_get(d, i));
        } else {
            span sp;
            memset(&sp, 0, sizeof sp);
            nt_diag_span(d, &sp.first, &sp.last, &sp.n, &sp.t0, &sp.t1, &sp.ts);
            if (fi) nt_buf_putc(&b, '\n');
            header(&b, files[fi], &r, d, &mk, all, sp.first, sp.last, sp.n, sp.t0, sp.t1, sp.ts);
            if (!nt_diag_count(d)) nt_buf_puts(&b, "No problems found.\n");
            print_text(&b, d, max_per_code);
        }
        nt_buf_flush(&b, stdout);
        nt_diag_free(r.d);
        nt_markers_free(&mk);
    }
    nt_buf_free(&b);
    return worst;
}
