/* cmd_convs.c - `nettracer convs`: conversation statistics per Ethernet
 * pair, IPv4 pair, IPv6 pair, TCP stream or UDP stream, as Wireshark's
 * Conversations dialog shows them; a table per type, or one JSON object
 * per conversation. */
#include "cli.h"
#include "nettracer/convs.h"
#include "traceopts.h"

#include <string.h>

static const nt_opt convs_opts[] = {
    {NULL, 'r', "FILE", "the capture to read (or give it as the first argument)", NULL, NULL},
    {NULL, 'Y', "FILTER", "count only the packets matching a display filter", NULL, NULL},
    {NULL, 'c', "N", "stop after N counted packets", NULL, NULL},
    {"json", 0, NULL, "one JSON object per conversation (docs/json.md, docs/convs.md)", NULL, NULL},
};

const nt_cmd_help nt_convs_help = {
    .intro = "usage: nettracer convs [OPTIONS] TRACE [eth|ip|ipv6|tcp|udp]...\n"
             "\n"
             "Conversation statistics, as Wireshark's Statistics > Conversations and\n"
             "'tshark -q -z conv,TYPE' count them. TYPE (default tcp; several may be given):\n"
             "  eth   Ethernet MAC address pairs\n"
             "  ip    IPv4 address pairs (IPv6 is 'ipv6', as in tshark)\n"
             "  ipv6  IPv6 address pairs\n"
             "  tcp   TCP streams (tcp.stream: a reused port pair is a new conversation)\n"
             "  udp   UDP streams (udp.stream)\n"
             "For each: Address A, Port A, Address B, Port B (tcp/udp), Packets, Bytes,\n"
             "Packets and Bytes A->B and B->A, Rel Start, Duration, Bits/s A->B and B->A.\n"
             "A is the source of the conversation's first packet; bytes are whole frame\n"
             "lengths; Rel Start is seconds from the capture's first frame; bits/s is N/A\n"
             "when the duration is 5 ms or less (as in Wireshark). Only outer headers\n"
             "count, not the packet an ICMP error quotes. Most packets first.\n"
             "\n",
    NT_HELP_OWN(convs_opts),
    .trace = true,
    .tail = "Exit status: 0 ok; 1 the file was cut short (what was read is counted);\n"
            "2 bad arguments or a file that cannot be read.\n",
};

typedef struct convs_state {
    nt_convs cs;
    int digits;                 /* Rel Start decimals: 6, or 9 for ns traces */
    bool seen;                  /* a frame reached the table */
} convs_state;

static bool add(void *user, const nt_packet *pkt, const nt_trace *t)
{
    convs_state *s = user;
    if (s->digits < 0) {
        s->digits = 6;
        for (size_t i = 0; i < nt_trace_niface(t); i++) {
            int64_t r = nt_trace_iface(t, i)->tsresol_num;
            if (r < 0 || r > 1000000) s->digits = 9;
        }
    }
    s->seen = true;
    nt_convs_add(&s->cs, pkt);
    return true;
}

static bool has_ports(nt_conv_type t) { return t == NT_CONV_TCP || t == NT_CONV_UDP; }

static void put_addr(nt_buf *b, const nt_conv *c, const uint8_t *a)
{
    if (c->alen == 6) nt_buf_mac(b, a);
    else if (c->alen == 4) nt_buf_ipv4(b, a);
    else nt_buf_ipv6(b, a);
}

/* ---- JSON ---------------------------------------------------------- */

static void json_line(nt_buf *b, nt_conv_type type, const nt_conv *c)
{
    nt_json j;
    nt_buf tb;
    nt_buf_init(&tb);
    nt_json_begin(&j, b);
    nt_json_obj_open(&j, NULL);
    nt_json_str(&j, "type", nt_conv_type_name(type));
    put_addr(&tb, c, c->addr_a);
    nt_json_str(&j, "address_a", tb.p);
    if (has_ports(type)) nt_json_u64(&j, "port_a", c->port_a);
    else nt_json_raw(&j, "port_a", "null");
    nt_buf_reset(&tb);
    put_addr(&tb, c, c->addr_b);
    nt_json_str(&j, "address_b", tb.p);
    if (has_ports(type)) nt_json_u64(&j, "port_b", c->port_b);
    else nt_json_raw(&j, "port_b", "null");
    if (has_ports(type)) nt_json_u64(&j, "stream", c->stream);
    nt_json_u64(&j, "packets", c->packets_ab + c->packets_ba);
    nt_json_u64(&j, "bytes", c->bytes_ab + c->bytes_ba);
    nt_json_u64(&j, "packets_ab", c->packets_ab);
    nt_json_u64(&j, "bytes_ab", c->bytes_ab);
    nt_json_u64(&j, "packets_ba", c->packets_ba);
    nt_json_u64(&j, "bytes_ba", c->bytes_ba);
    nt_buf_reset(&tb);
    nt_buf_secs(&tb, c->start_ns, 9);
    nt_json_raw(&j, "rel_start", tb.p);
    nt_buf_reset(&tb);
    nt_buf_secs(&tb, nt_conv_duration_ns(c), 9);
    nt_json_raw(&j, "duration", tb.p);
    uint64_t ab, ba;
    if (nt_conv_bps(c, &ab, &ba)) {
        nt_json_u64(&j, "bps_ab", ab);
        nt_json_u64(&j, "bps_ba", ba);
    } else {
        nt_json_raw(&j, "bps_ab", "null");
        nt_json_raw(&j, "bps_ba", "null");
    }
    nt_json_obj_close(&j);
    nt_buf_putc(b, '\n');
    nt_buf_free(&tb);
}

/* ---- text table ------------------------------------------------------ */

enum { C_ADDR_A, C_PORT_A, C_ADDR_B, C_PORT_B, C_PKTS, C_BYTES, C_PKTS_AB, C_BYTES_AB, C_PKTS_BA, C_BYTES_BA,
       C_START, C_DUR, C_BPS_AB, C_BPS_BA, NCOLS };

static const char *const col_title[NCOLS] = {
    "Address A", "Port A", "Address B", "Port B", "Packets", "Bytes", "Packets A->B", "Bytes A->B",
    "Packets B->A", "Bytes B->A", "Rel Start", "Duration", "Bits/s A->B", "Bits/s B->A",
};

static const char *const type_title[NT_CONV_NTYPES] = {
    "Ethernet conversations", "IPv4 conversations", "IPv6 conversations", "TCP conversations",
    "UDP conversations",
};

/* Writes one cell of a row into b (nothing else). */
static void cell(nt_buf *b, int col, const nt_conv *c, int digits)
{
    uint64_t ab = 0, ba = 0;
    switch (col) {
    case C_ADDR_A: put_addr(b, c, c->addr_a); break;
    case C_PORT_A: nt_buf_u64(b, c->port_a); break;
    case C_ADDR_B: put_addr(b, c, c->addr_b); break;
    case C_PORT_B: nt_buf_u64(b, c->port_b); break;
    case C_PKTS: nt_buf_u64(b, c->packets_ab + c->packets_ba); break;
    case C_BYTES: nt_buf_u64(b, c->bytes_ab + c->bytes_ba); break;
    case C_PKTS_AB: nt_buf_u64(b, c->packets_ab); break;
    case C_BYTES_AB: nt_buf_u64(b, c->bytes_ab); break;
    case C_PKTS_BA: nt_buf_u64(b, c->packets_ba); break;
    case C_BYTES_BA: nt_buf_u64(b, c->bytes_ba); break;
    /* Wireshark's precision: 6 (9) decimals for the start, 4 (6) for the
     * duration, from nstime_to_sec() doubles, rounded */
    case C_START: nt_buf_printf(b, "%.*f", digits, nt_conv_secs(c->start_ns)); break;
    case C_DUR:
        nt_buf_printf(b, "%.*f", digits == 9 ? 6 : 4, nt_conv_secs(c->stop_ns) - nt_conv_secs(c->start_ns));
        break;
    case C_BPS_AB:
    case C_BPS_BA:
        if (!nt_conv_bps(c, &ab, &ba)) nt_buf_puts(b, "N/A");
        else nt_buf_u64(b, col == C_BPS_AB ? ab : ba);
        break;
    }
}

static void text_table(nt_buf *b, nt_conv_type type, const nt_conv_table *t, int digits)
{
    if (!t->n) {
        nt_buf_printf(b, "%s: none\n", type_title[type]);
        return;
    }
    nt_buf_printf(b, "%s: %zu\n", type_title[type], t->n);
    bool ports = has_ports(type);
    size_t w[NCOLS];
    nt_buf tb;
    nt_buf_init(&tb);
    for (int k = 0; k < NCOLS; k++) w[k] = strlen(col_title[k]);
    for (size_t i = 0; i < t->n; i++)
        for (int k = 0; k < NCOLS; k++) {
            nt_buf_reset(&tb);
            cell(&tb, k, &t->c[i], digits);
            if (tb.len > w[k]) w[k] = tb.len;
        }
    for (size_t i = 0; i <= t->n; i++) {
        size_t line = b->len;
        for (int k = 0; k < NCOLS; k++) {
            if (!ports && (k == C_PORT_A || k == C_PORT_B)) continue;
            if (b->len > line) nt_buf_puts(b, "  ");
            size_t at = b->len;
            if (i == 0) nt_buf_puts(b, col_title[k]);
            else cell(b, k, &t->c[i - 1], digits);
            /* addresses left-aligned, numbers right-aligned */
            if (k == C_ADDR_A || k == C_ADDR_B) nt_buf_pad(b, at, w[k]);
            else nt_buf_rjust(b, at, w[k]);
        }
        nt_buf_putc(b, '\n');
        if (b->len > 65536) nt_buf_flush(b, stdout);
    }
    nt_buf_free(&tb);
}

int cmd_convs(int argc, char **argv)
{
    nt_trace_args o;
    nt_trace_args_init(&o);
    int next, rc0 = nt_trace_parse("convs", argc, argv, &o, convs_opts, NT_NOPTS(convs_opts), NULL, &next);
    if (rc0) return rc0;
    if (next < argc && !o.p.file) o.p.file = argv[next++];
    if (!o.p.file) return nt_usage_error("convs", "no trace given (see 'nettracer convs --help')");
    nt_conv_type order[NT_CONV_NTYPES];
    int ntypes = 0;
    unsigned mask = 0;
    for (; next < argc; next++) {
        nt_conv_type ty;
        if (!nt_conv_type_parse(argv[next], &ty))
            return nt_usage_error("convs", "unknown conversation type '%s' (use eth, ip, ipv6, tcp or udp)",
                                  argv[next]);
        if (mask & (1u << ty)) continue;
        mask |= 1u << ty;
        order[ntypes++] = ty;
    }
    if (!ntypes) {
        order[ntypes++] = NT_CONV_TCP;
        mask = 1u << NT_CONV_TCP;
    }

    convs_state s = {.digits = -1};
    nt_convs_init(&s.cs, mask);
    int rc = nt_trace_run("convs", &o, add, &s);
    /* a file that could not be read, or a bad filter; a file damaged
     * further on shows what was counted before the damage, as tshark */
    if (rc == NT_EXIT_USAGE && !s.seen) {
        nt_convs_free(&s.cs);
        return rc;
    }
    if (s.digits < 0) s.digits = 6;
    nt_buf b;
    nt_buf_init(&b);
    for (int i = 0; i < ntypes; i++) {
        nt_conv_table *t = &s.cs.t[order[i]];
        nt_conv_table_sort(t);
        if (o.json) {
            for (size_t k = 0; k < t->n; k++) {
                json_line(&b, order[i], &t->c[k]);
                if (b.len > 65536) nt_buf_flush(&b, stdout);
            }
        } else {
            if (i) nt_buf_putc(&b, '\n');
            text_table(&b, order[i], t, s.digits);
        }
    }
    /* a write error on any flush (a full disk, a closed pipe) sticks to stdout */
    if (!nt_buf_flush(&b, stdout) || fflush(stdout) || ferror(stdout)) rc = NT_EXIT_USAGE;
    nt_buf_free(&b);
    nt_convs_free(&s.cs);
    return rc;
}
