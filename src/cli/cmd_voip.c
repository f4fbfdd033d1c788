/* cmd_voip.c - `nettracer voip`: SIP calls and RTP streams in a trace. */
#include "cli.h"
#include "traceopts.h"

#include "nettracer/voip.h"

#include <stdio.h>
#include <string.h>

static const nt_opt voip_opts[] = {
    {"json", 0, NULL, "one JSON object per call and per stream (docs/json.md)", NULL, NULL},
};

const nt_cmd_help nt_voip_help = {
    .intro = "usage: nettracer voip [OPTIONS] TRACE\n"
             "\n"
             "List the SIP calls (as Wireshark's VoIP Calls: from the INVITE to the BYE,\n"
             "CANCEL or final error, with ms-diagnostics) and the RTP streams (as its RTP\n"
             "Streams: per source, destination and SSRC the payload type, packets, lost,\n"
             "max and mean jitter, first and last time, and the call whose SDP announced\n"
             "the stream). RTP is found on the flows SIP/SDP announced, or on any UDP port\n"
             "with --rtp-heuristic.\n"
             "\n",
    NT_HELP_OWN(voip_opts),
    .trace = true,
    .tail = "Exit status: 0 calls or streams found; 1 none; 2 bad input.\n",
};

static bool add(void *user, const nt_packet *pkt, const nt_trace *t)
{
    (void)t;
    nt_voip_add(user, pkt);
    return true;
}

static void addr(nt_buf *b, uint8_t fam, const uint8_t *a)
{
    if (fam == 4) nt_buf_ipv4(b, a);
    else nt_buf_ipv6(b, a);
}

static double rel(const nt_voip *v, nt_time t) { return nt_time_diff_ns(t, v->first) / 1e9; }

static void print_text(const nt_voip *v, nt_buf *b)
{
    nt_buf_printf(b, "SIP calls: %zu\n", v->ncalls);
    for (size_t i = 0; i < v->ncalls; i++) {
        const nt_voip_call *c = &v->calls[i];
        nt_buf_printf(b, "  #%zu %s  %s -> %s\n      ", i, nt_call_state_name(nt_voip_call_state(c)), c->from, c->to);
        addr(b, c->family, c->caller);
        nt_buf_puts(b, " -> ");
        addr(b, c->family, c->callee);
        nt_buf_printf(b, "  INVITE frame %llu at %.6f s", (unsigned long long)c->invite_frame, rel(v, c->invite_ts));
        if (c->final_frame)
            nt_buf_printf(b, ", final %u %s frame %llu (+%.3f s)", c->final_code, c->reason,
                          (unsigned long long)c->final_frame, nt_time_diff_ns(c->final_ts, c->invite_ts) / 1e9);
        if (c->bye_frame)
            nt_buf_printf(b, ", BYE frame %llu at %.6f s", (unsigned long long)c->bye_frame, rel(v, c->bye_ts));
        if (c->cancel_frame) nt_buf_printf(b, ", CANCEL frame %llu", (unsigned long long)c->cancel_frame);
        nt_buf_printf(b, ", %u messages, Call-ID %s\n", c->messages, c->call_id);
        if (c->ms_diag[0]) nt_buf_printf(b, "      ms-diagnostics: %s\n", c->ms_diag);
    }
    nt_buf_printf(b, "RTP streams: %zu\n", v->nstreams);
    for (size_t i = 0; i < v->nstreams; i++) {
        const nt_voip_stream *s = &v->streams[i];
        char pt[48];
        nt_buf_puts(b, "  ");
        addr(b, s->family, s->src);
        nt_buf_printf(b, ":%u -> ", s->sport);
        addr(b, s->family, s->dst);
        nt_buf_printf(b, ":%u  SSRC 0x%08X  %s\n      %llu packets, %lld lost, jitter max %.3f ms mean %.3f ms, "
                         "%.6f-%.6f s (frames %llu-%llu)",
                      s->dport, s->st.ssrc, nt_rtp_pt_name(s->st.pt, pt, sizeof pt),
                      (unsigned long long)s->st.packets, (long long)nt_rtp_stats_lost(&s->st),
                      nt_rtp_stats_max_jitter_ms(&s->st), nt_rtp_stats_mean_jitter_ms(&s->st), rel(v, s->st.first),
                      rel(v, s->st.last), (unsigned long long)s->first_frame, (unsigned long long)s->last_frame);
        if (s->call >= 0) nt_buf_printf(b, ", call #%d", s->call);
        nt_buf_putc(b, '\n');
    }
}

static void jaddr(nt_json *j, const char *k, uint8_t fam, const uint8_t *a)
{
    nt_buf t;
    nt_buf_init(&t);
    addr(&t, fam, a);
    nt_buf_putc(&t, 0);
    nt_json_str(j, k, t.p);
    nt_buf_free(&t);
}

static void jnum(nt_json *j, const char *k, double v, int digits)
{
    char t[48];
    snprintf(t, sizeof t, "%.*f", digits, v);
    nt_json_raw(j, k, t);
}

static void print_json(const nt_voip *v, nt_buf *b)
{
    nt_json j;
    for (size_t i = 0; i < v->ncalls; i++) {
        const nt_voip_call *c = &v->calls[i];
        nt_json_begin(&j, b);
        nt_json_obj_open(&j, NULL);
        nt_json_str(&j, "type", "call");
        nt_json_u64(&j, "call", i);
        nt_json_str(&j, "state", nt_call_state_name(nt_voip_call_state(c)));
        nt_json_str(&j, "call_id", c->call_id);
        nt_json_str(&j, "from", c->from);
        nt_json_str(&j, "to", c->to);
        jaddr(&j, "caller", c->family, c->caller);
        jaddr(&j, "callee", c->family, c->callee);
        nt_json_u64(&j, "invite_frame", c->invite_frame);
        nt_json_u64(&j, "final_frame", c->final_frame);
        nt_json_u64(&j, "final_code", c->final_code);
        nt_json_str(&j, "reason", c->reason);
        nt_json_u64(&j, "bye_frame", c->bye_frame);
        nt_json_u64(&j, "cancel_frame", c->cancel_frame);
        nt_json_u64(&j, "last_signalling_frame", c->last_sig_frame);
        nt_json_str(&j, "ms_diagnostics", c->ms_diag);
        nt_json_u64(&j, "messages", c->messages);
        nt_json_obj_close(&j);
        nt_buf_putc(b, '\n');
    }
    for (size_t i = 0; i < v->nstreams; i++) {
        const nt_voip_stream *s = &v->streams[i];
        char ssrc[16];
        snprintf(ssrc, sizeof ssrc, "0x%08X", s->st.ssrc);
        nt_json_begin(&j, b);
        nt_json_obj_open(&j, NULL);
        nt_json_str(&j, "type", "stream");
        jaddr(&j, "src", s->family, s->src);
        nt_json_u64(&j, "src_port", s->sport);
        jaddr(&j, "dst", s->family, s->dst);
        nt_json_u64(&j, "dst_port", s->dport);
        nt_json_str(&j, "ssrc", ssrc);
        nt_json_u64(&j, "payload_type", s->st.pt);
        nt_json_u64(&j, "packets", s->st.packets);
        nt_json_i64(&j, "lost", nt_rtp_stats_lost(&s->st));
        jnum(&j, "max_jitter_ms", nt_rtp_stats_max_jitter_ms(&s->st), 3);
        jnum(&j, "mean_jitter_ms", nt_rtp_stats_mean_jitter_ms(&s->st), 3);
        jnum(&j, "first", rel(v, s->st.first), 6);
        jnum(&j, "last", rel(v, s->st.last), 6);
        nt_json_u64(&j, "first_frame", s->first_frame);
        nt_json_u64(&j, "last_frame", s->last_frame);
        nt_json_i64(&j, "call", s->call);
        nt_json_obj_close(&j);
        nt_buf_putc(b, '\n');
    }
}

int cmd_voip(int argc, char **argv)
{
    nt_trace_args o;
    nt_trace_args_init(&o);
    int next, rc0 = nt_trace_parse("voip", argc, argv, &o, voip_opts, NT_NOPTS(voip_opts), NULL, &next);
    if (!rc0) rc0 = nt_trace_one("voip", &o, argc, argv, next);
    if (rc0) return rc0;
    nt_voip v;
    nt_voip_init(&v);
    int rc = nt_trace_run("voip", &o, add, &v);
    if (rc == NT_EXIT_USAGE) {
        nt_voip_free(&v);
        return rc;
    }
    nt_buf b;
    nt_buf_init(&b);
    if (o.json) print_json(&v, &b);
    else print_text(&v, &b);
    nt_buf_flush(&b, stdout);
    nt_buf_free(&b);
    bool any = v.ncalls || v.nstreams;
    nt_voip_free(&v);
    return rc ? rc : any ? 0 : 1;
}
