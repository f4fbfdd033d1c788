/* cmd_conns.c - `nettracer conns`: every TCP connection attempt and its
 * outcome, one line each (or one JSON object each). */
#include "cli.h"
#include "nettracer/conns.h"
#include "traceopts.h"

#include <string.h>

static const nt_opt conns_opts[] = {
    {NULL, 'Y', "FILTER",
     "only connections with a packet matching the filter\n"
     "(e.g. 'ip.addr==10.0.0.1'); counts then cover those packets",
     NULL, NULL},
    {"json", 0, NULL, "one JSON object per connection (docs/json.md)", NULL, NULL},
};

const nt_cmd_help nt_conns_help = {
    .intro = "usage: nettracer conns [OPTIONS] TRACE\n"
             "\n"
             "Every TCP connection attempt, one line each: client and server, the first\n"
             "SYN, how many SYNs and the intervals between them, and the outcome:\n"
             "  established  handshake completed (with its round-trip time), then closed\n"
             "               by FIN (who first), reset (by whom), or still open\n"
             "  refused      a reset answered the SYN (its sender's TTL is shown: a\n"
             "               firewall's reset often has another TTL than the host's)\n"
             "  unanswered   no SYN-ACK at all: dropped on the way or host down\n"
             "  half-open    SYN-ACK seen (perhaps retransmitted), the client's ACK never\n"
             "  pre-existing running when the capture began\n"
             "Packets and payload bytes each way, and Zeek's conn_state and history.\n"
             "\n",
    NT_HELP_OWN(conns_opts),
    .trace = true,
    .tail = "Exit status: 0 ok; 1 the file was cut short; 2 bad input.\n",
};

static bool add(void *user, const nt_packet *pkt, const nt_trace *t)
{
    (void)t;
    nt_conns_add(user, pkt);
    return true;
}

static void addr(nt_buf *b, const nt_conn *c, const uint8_t *a, uint16_t port)
{
    if (c->family == 4) {
        nt_buf_ipv4(b, a);
        nt_buf_putc(b, ':');
    } else {
        nt_buf_putc(b, '[');
        nt_buf_ipv6(b, a);
        nt_buf_puts(b, "]:");
    }
    nt_buf_u64(b, port);
}

static void ms(nt_buf *b, int64_t ns)
{
    if (ns < 1000000) nt_buf_printf(b, "%.3f ms", (double)ns / 1e6);
    else if (ns < 1000000000) nt_buf_printf(b, "%.1f ms", (double)ns / 1e6);
    else nt_buf_printf(b, "%.1f s", (double)ns / 1e9);
}

static void syn_intervals(nt_buf *b, const nt_conn *c, bool json)
{
    uint32_t n = c->syns < NT_CONN_SYN_TIMES ? c->syns : NT_CONN_SYN_TIMES;
    for (uint32_t i = 1; i < n; i++) {
        double s = (double)nt_time_diff_ns(c->syn_ts[i], c->syn_ts[i - 1]) / 1e9;
        if (json) nt_buf_printf(b, "%s%.6f", i > 1 ? "," : "", s);
        else nt_buf_printf(b, "%s%.1f s", i > 1 ? ", " : "", s);
    }
}

static void text_line(nt_buf *b, const nt_conn *c)
{
    nt_conn_outcome o = nt_conn_outcome_of(c);
    nt_conn_end e = nt_conn_end_of(c);
    size_t at = b->len;
    nt_buf_u64(b, c->stream);
    nt_buf_rjust(b, at, 6);
    nt_buf_putc(b, ' ');
    at = b->len;
    addr(b, c, c->client, c->cport);
    nt_buf_puts(b, " -> ");
    addr(b, c, c->server, c->sport);
    nt_buf_pad(b, at, 48);
    nt_buf_putc(b, ' ');
    at = b->len;
    nt_buf_puts(b, nt_conn_outcome_name(o));
    nt_buf_pad(b, at, 12);
    nt_buf_puts(b, "  ");
    /* the story, in words */
    if (c->syns) {
        nt_buf_printf(b, "SYN at frame %llu", (unsigned long long)c->first_syn_frame);
        if (c->syns > 1) {
            nt_buf_printf(b, ", %u SYNs (", c->syns);
            syn_intervals(b, c, false);
            nt_buf_puts(b, " apart)");
        }
    } else {
        nt_buf_printf(b, "first seen at frame %llu", (unsigned long long)c->first_frame);
    }
    switch (o) {
    case NT_CONN_ESTABLISHED:
        if (c->hs_rtt_ns) {
            nt_buf_puts(b, "; handshake ");
            ms(b, c->hs_rtt_ns);
        }
        break;
    case NT_CONN_REFUSED:
        if (c->rst[1]) {
            nt_buf_printf(b, "; reset by the server at frame %llu (TTL %u)", (unsigned long long)c->rst_frame, c->rst_ttl);
        } else {
            nt_buf_printf(b, "; ICMP%s destination unreachable (code %u) from ", c->icmp_family == 6 ? "v6" : "",
                          c->icmp_code);
            if (c->icmp_family == 4) nt_buf_ipv4(b, c->icmp_from);
            else nt_buf_ipv6(b, c->icmp_from);
            nt_buf_printf(b, " at frame %llu", (unsigned long long)c->icmp_frame);
        }
        break;
    case NT_CONN_UNANSWERED:
        nt_buf_printf(b, "; no answer in %.1f s", (double)nt_time_diff_ns(c->last_ts, c->first_ts) / 1e9);
        break;
    case NT_CONN_HALF_OPEN:
        nt_buf_printf(b, "; SYN-ACK at frame %llu", (unsigned long long)c->first_synack_frame);
        if (c->synacks > 1) nt_buf_printf(b, " sent %u times", c->synacks);
        nt_buf_puts(b, ", the client's ACK never seen");
        break;
    default: break;
    }
    if (o == NT_CONN_ESTABLISHED || o == NT_CONN_PREEXISTING) {
        if (e == NT_END_FIN)
            nt_buf_printf(b, "; closed by FIN from the %s at frame %llu", c->fin_by ? "server" : "client",
                          (unsigned long long)c->fin_frame);
        else if (e == NT_END_RESET)
            nt_buf_printf(b, "; reset by the %s at frame %llu (after frame %llu)", c->rst_by ? "server" : "client",
                          (unsigned long long)c->rst_frame, (unsigned long long)c->rst_after_frame);
        else
            nt_buf_puts(b, "; still open at the end of the trace");
    }
    char h[32];
    nt_conn_history(c, h, sizeof h);
    nt_buf_printf(b, "; %llu/%llu packets, %llu/%llu bytes (client/server); %s %s\n",
                  (unsigned long long)c->packets[0], (unsigned long long)c->packets[1],
                  (unsigned long long)c->bytes[0], (unsigned long long)c->bytes[1], nt_conn_state(c), h);
}

static void json_line(nt_buf *b, const nt_conn *c)
{
    nt_json j;
    nt_json_begin(&j, b);
    nt_json_obj_open(&j, NULL);
    nt_buf tb;
    nt_buf_init(&tb);
    nt_json_u64(&j, "stream", c->stream);
    if (c->family == 4) nt_buf_ipv4(&tb, c->client);
    else nt_buf_ipv6(&tb, c->client);
    nt_json_str(&j, "client", tb.p);
    nt_json_u64(&j, "client_port", c->cport);
    nt_buf_reset(&tb);
    if (c->family == 4) nt_buf_ipv4(&tb, c->server);
    else nt_buf_ipv6(&tb, c->server);
    nt_json_str(&j, "server", tb.p);
    nt_json_u64(&j, "server_port", c->sport);
    nt_json_u64(&j, "first_frame", c->first_frame);
    if (c->syns) nt_json_u64(&j, "first_syn_frame", c->first_syn_frame);
    else nt_json_raw(&j, "first_syn_frame", "null");
    nt_buf_reset(&tb);
    nt_buf_secs(&tb, c->first_ts.sec * 1000000000LL + c->first_ts.nsec, 9);
    nt_json_raw(&j, "first_time_epoch", tb.p);
    nt_json_u64(&j, "syns", c->syns);
    nt_buf_reset(&tb);
    nt_buf_putc(&tb, '[');
    syn_intervals(&tb, c, true);
    nt_buf_putc(&tb, ']');
    nt_json_raw(&j, "syn_intervals", tb.p);
    nt_json_u64(&j, "synacks", c->synacks);
    nt_json_str(&j, "outcome", nt_conn_outcome_name(nt_conn_outcome_of(c)));
    nt_conn_end e = nt_conn_end_of(c);
    nt_json_str(&j, "end", nt_conn_end_name(e));
    if (e != NT_END_OPEN) {
        nt_json_str(&j, "end_by", (e == NT_END_RESET ? c->rst_by : c->fin_by) ? "server" : "client");
        nt_json_u64(&j, "end_frame", e == NT_END_RESET ? c->rst_frame : c->fin_frame);
    }
    if (e == NT_END_RESET) nt_json_u64(&j, "reset_ttl", c->rst_ttl);
    if (c->icmp_frame) {
        nt_json_u64(&j, "icmp_frame", c->icmp_frame);
        nt_json_u64(&j, "icmp_type", c->icmp_type);
        nt_json_u64(&j, "icmp_code", c->icmp_code);
        nt_buf_reset(&tb);
        if (c->icmp_family == 4) nt_buf_ipv4(&tb, c->icmp_from);
        else nt_buf_ipv6(&tb, c->icmp_from);
        nt_json_str(&j, "icmp_from", tb.p);
    }
    if (c->hs_rtt_ns) {
        nt_buf_reset(&tb);
        nt_buf_secs(&tb, c->hs_rtt_ns, 9);
        nt_json_raw(&j, "handshake_rtt", tb.p);
    }
    nt_json_str(&j, "conn_state", nt_conn_state(c));
    char h[32];
    nt_conn_history(c, h, sizeof h);
    nt_json_str(&j, "history", h);
    nt_json_u64(&j, "packets_c2s", c->packets[0]);
    nt_json_u64(&j, "bytes_c2s", c->bytes[0]);
    nt_json_u64(&j, "packets_s2c", c->packets[1]);
    nt_json_u64(&j, "bytes_s2c", c->bytes[1]);
    nt_json_u64(&j, "retransmissions_c2s", c->retrans[0]);
    nt_json_u64(&j, "retransmissions_s2c", c->retrans[1]);
    nt_buf_reset(&tb);
    nt_buf_secs(&tb, nt_time_diff_ns(c->last_ts, c->first_ts), 9);
    nt_json_raw(&j, "duration", tb.p);
    nt_buf_free(&tb);
    nt_json_obj_close(&j);
    nt_buf_putc(b, '\n');
}

int cmd_conns(int argc, char **argv)
{
    nt_trace_args o;
    nt_trace_args_init(&o);
    int next, rc0 = nt_trace_parse("conns", argc, argv, &o, conns_opts, NT_NOPTS(conns_opts), NULL, &next);
    if (!rc0) rc0 = nt_trace_one("conns", &o, argc, argv, next);
    if (rc0) return rc0;
    nt_conns cs;
    nt_conns_init(&cs);
    int rc = nt_trace_run("conns", &o, add, &cs);
    if (rc == NT_EXIT_USAGE) {
        nt_conns_free(&cs);
        return rc;
    }
    nt_buf b;
    nt_buf_init(&b);
    if (!o.json)
        nt_buf_printf(&b, "%6s %-48s %-12s  %s\n", "Stream", "Client -> Server", "Outcome", "Details");
    for (size_t i = 0; i < cs.max_stream_plus1; i++) {
        if (!cs.c[i].used) continue;
        if (o.json) json_line(&b, &cs.c[i]);
        else text_line(&b, &cs.c[i]);
        if (b.len > 65536) nt_buf_flush(&b, stdout);
    }
    nt_buf_flush(&b, stdout);
    nt_buf_free(&b);
    nt_conns_free(&cs);
    return rc;
}
