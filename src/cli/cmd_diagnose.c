/* cmd_diagnose.c - `nettracer diagnose`: read each trace with the shared
 * loop, feed the analysed packets to the rules of analyze/diag/, print
 * a header (file, frames, time span, link types, marker range) and the
 * findings worst first, as text or one JSON object per finding. */
#include "cli.h"
#include "nettracer/diagnose.h"
#include "traceopts.h"

#include <stdlib.h>
#include <string.h>

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

/* what diagnose's own options set */
typedef struct diag_args {
    nt_diag_opts dop;
    bool all;
    size_t max_per_code;
} diag_args;

/* a number option: where it goes, its bounds, the factor to its unit */
typedef struct num_spec {
    size_t off;
    enum { NUM_DOUBLE, NUM_U32, NUM_SIZE } kind;
    double lo, hi, scale;
} num_spec;

static int set_num(const nt_opt *o, void *target, const char *cmd, const char *arg)
{
    const num_spec *n = o->data;
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v >= n->lo && v <= n->hi))
        return nt_usage_error(cmd, "--%s needs a number in range, not '%s' (see 'nettracer diagnose --help')", o->name,
                              arg);
    char *p = (char *)target + n->off;
    if (n->kind == NUM_DOUBLE) *(double *)p = v * n->scale;
    else if (n->kind == NUM_U32) *(uint32_t *)p = (uint32_t)v;
    else *(size_t *)p = (size_t)v;
    return 0;
}

#define DOPT(member) offsetof(diag_args, dop.member)
#define NUM(name, arg, help, off, kind, lo, hi, scale) \
    {name, 0, arg, help, set_num, &(const num_spec){off, kind, lo, hi, scale}}

static const nt_opt diagnose_opts[] = {
    {"all", 0, NULL, "diagnose the whole trace even when it has ping markers", nt_opt_flag, NT_OPT_AT(diag_args, all)},
    {"between-markers", 0, "S,E",
     "only the frames between ping markers of these payload\n"
     "sizes (default 22,33: used without this option too)",
     NULL, NULL},
    {"json", 0, NULL,
     "one JSON object per finding: file, code, severity, frames,\n"
     "flow, values, text, advice (docs/findings.md)",
     NULL, NULL},
    NUM("max-per-code", "N",
        "text: print at most N findings of each code, then count\n"
        "the rest (default 5; 0 prints all; --json prints all)",
        offsetof(diag_args, max_per_code), NUM_SIZE, 0, 1e9, 1),
};

static const nt_opt threshold_opts[] = {
    NUM("retrans-rate", "PCT", "retransmitted share of a sender's data segments [1]", DOPT(retrans_rate), NUM_DOUBLE,
        0, 100, 0.01),
    NUM("retrans-min", "N", "and at least N retransmissions [3]", DOPT(retrans_min), NUM_U32, 1, 1e9, 1),
    NUM("no-response", "S", "request ACKed but unanswered for S seconds [3]", DOPT(no_response_s), NUM_DOUBLE, 1e-6,
        1e6, 1),
    NUM("idle-gap", "S", "silence inside a connection [10]", DOPT(idle_gap_s), NUM_DOUBLE, 1e-6, 1e6, 1),
    NUM("slow-response", "S", "request to first answer byte, per server:port [1]", DOPT(slow_response_s), NUM_DOUBLE,
        1e-6, 1e6, 1),
    NUM("dack-min", "MS", "a delayed ACK's shortest delay [30]", DOPT(dack_min_s), NUM_DOUBLE, 1, 10000, 0.001),
    NUM("dack-max", "MS", "and its longest [600]", DOPT(dack_max_s), NUM_DOUBLE, 1, 10000, 0.001),
    NUM("nagle-min", "N", "delayed-ACK/Nagle stalls in a connection to report [2]", DOPT(nagle_min), NUM_U32, 1, 1e9,
        1),
    NUM("window-stall", "S", "window-full waiting worth a warning [0.5]", DOPT(window_stall_s), NUM_DOUBLE, 0, 1e6, 1),
    NUM("ca-list-warn", "B",
        "CertificateRequest CA list size to warn about [12288];\n"
        "over 16384 bytes is an error",
        DOPT(ca_list_warn), NUM_U32, 1, 1e9, 1),
    NUM("dns-slow", "S", "DNS query to its answer [0.5]", DOPT(dns_slow_s), NUM_DOUBLE, 1e-6, 1e6, 1),
    NUM("media-after", "S", "one side's RTP going on after the other's stopped, no BYE [1]", DOPT(media_after_s),
        NUM_DOUBLE, 1e-6, 1e6, 1),
    NUM("media-wait", "S", "trace after a call's 200 OK before missing RTP is said [2]", DOPT(media_wait_s),
        NUM_DOUBLE, 0, 1e6, 1),
};

const nt_cmd_help nt_diagnose_help = {
    .intro = "usage: nettracer diagnose [OPTIONS] TRACE...\n"
             "\n"
             "Reads each trace like an expert and says what went wrong, worst first:\n"
             "each finding has a code, a severity (error, warning, notice), the flow,\n"
             "the evidence frames, measured values, a sentence and the next step.\n"
             "docs/findings.md lists every code. If the trace holds ping markers\n"
             "(22-byte then 33-byte ICMP echoes), only the frames between them are\n"
             "diagnosed, and the header says so.\n"
             "\n",
    NT_HELP_OWN(diagnose_opts),
    .trace = true,
    .more_heading = "Thresholds (defaults in brackets):",
    .more = threshold_opts,
    .nmore = NT_NOPTS(threshold_opts),
    .tail = "Exit status: 0 nothing of warning severity or worse; 1 a warning or an\n"
            "error found (or a file cut short); 2 bad arguments or unreadable input.\n",
};

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
    nt_trace_args o;
    nt_trace_args_init(&o);
    diag_args da = {.max_per_code = 5};
    nt_diag_opts_default(&da.dop);
    const nt_opt_group groups[] = {{diagnose_opts, NT_NOPTS(diagnose_opts), &da},
                                   {threshold_opts, NT_NOPTS(threshold_opts), &da},
                                   {nt_trace_opts, nt_trace_nopts, &o}};
    int next, rc0 = nt_opts_parse("diagnose", argc, argv, groups, 3, &next);
    if (rc0) return rc0;
    const nt_diag_opts dop = da.dop;
    const bool all = da.all;
    const size_t max_per_code = da.max_per_code;
    if (dop.dack_min_s > dop.dack_max_s)
        return nt_usage_error("diagnose", "--dack-min must not be above --dack-max");
    const char *files[256];
    int nfiles = 0;
    if (o.p.file) files[nfiles++] = o.p.file;
    for (int i = next; i < argc && nfiles < 256; i++) files[nfiles++] = argv[i];
    if (!nfiles) return nt_usage_error("diagnose", "no trace given (see 'nettracer diagnose --help')");
    if (o.p.markers && all) return nt_usage_error("diagnose", "--all and --between-markers contradict each other");

    int worst = NT_EXIT_OK;
    nt_buf b;
    nt_buf_init(&b);
    for (int fi = 0; fi < nfiles; fi++) {
        nt_trace_args fo = o;
        fo.p.file = files[fi];
        nt_markers mk;
        memset(&mk, 0, sizeof mk);
        if (!all && !o.p.markers) fo.p.markers_auto = true;
        fo.p.markers_out = &mk;
        fo.p.at_end = at_end;
        run r;
        memset(&r, 0, sizeof r);
        r.d = nt_diag_new(&dop);
        int rc = nt_trace_run("diagnose", &fo, add, &r);
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
