/* stun_dump.c - test helper for tests/diff/tshark_stun.sh: for every frame
 * of a capture whose UDP or TCP payload is one STUN message, prints the
 * frame number, "STUN", nettracer's Info text and the given STUN fields,
 * as `tshark -T fields -E occurrence=a -e frame.number -e _ws.col.Protocol
 * -e _ws.col.Info -e FIELD...` prints them. Frames without STUN print
 * only their number. Until `show` decodes STUN this is how the codec meets
 * the oracle. */
#include "nettracer/packet.h"
#include "nettracer/stun.h"
#include "nettracer/trace.h"

#include <stdio.h>
#include <string.h>

/* Wireshark's display base of the hexadecimal fields: digits shown */
static int hex_digits(const char *name)
{
    static const struct { const char *n; int d; } h[] = {
        {"stun.type", 4}, {"stun.type.class", 4}, {"stun.type.method", 4}, {"stun.att.type", 4},
        {"stun.att.family", 2}, {"stun.att.crc32", 8}, {"stun.att.magic_cookie", 8}, {"stun.att.transp", 2},
        {"stun.att.channelnum", 4}, {"stun.att.unknown", 4}, {"stun.channel", 4},
    };
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
        if (!strcmp(h[i].n, name)) return h[i].d;
    return 0;
}

static void put_value(nt_buf *b, const nt_msg_field *f, const nt_fvalue *v)
{
    switch (v->type) {
    case NT_FT_UINT: {
        int d = hex_digits(f->name);
        if (d) {
            nt_buf_puts(b, "0x");
            nt_buf_hex(b, v->v.u, d, false);
        } else {
            nt_buf_u64(b, v->v.u);
        }
        break;
    }
    case NT_FT_IPV4: nt_buf_ipv4(b, v->v.addr); break;
    case NT_FT_IPV6: nt_buf_ipv6(b, v->v.addr); break;
    case NT_FT_STRING: nt_buf_put(b, (const char *)v->p, v->len); break;
    default:
        for (uint32_t i = 0; i < v->len; i++) nt_buf_hex(b, v->p[i], 2, false);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: stun_dump CAPTURE [FIELD...]\n");
        return 2;
    }
    nt_error err;
    nt_error_clear(&err);
    nt_trace *t = nt_trace_open(argv[1], &err);
    if (!t) {
        fprintf(stderr, "stun_dump: %s\n", err.msg);
        return 2;
    }
    const nt_msg_field *fields[64];
    int nf = 0;
    for (int i = 2; i < argc && nf < 64; i++) {
        const nt_msg_field *f = NULL;
        for (size_t k = 0; k < nt_stun_nfields; k++)
            if (!strcmp(nt_stun_fields[k].name, argv[i])) f = &nt_stun_fields[k];
        if (!f) {
            fprintf(stderr, "stun_dump: no field %s\n", argv[i]);
            return 2;
        }
        fields[nf++] = f;
    }
    nt_frame fr;
    nt_buf b;
    nt_buf_init(&b);
    static nt_packet pkt;
    static nt_stun_msg m;
    nt_fvalue vals[NT_FIELD_MAX_OCC];
    int rc;
    while ((rc = nt_trace_next(t, &fr, &err)) == 1) {
        nt_dissect(&fr, &pkt);
        nt_buf_u64(&b, fr.number);
        const uint8_t *p = NULL;
        uint32_t n = 0;
        if (pkt.nudp && pkt.udp[0].payload_cap == pkt.udp[0].payload_len) p = pkt.udp[0].payload, n = pkt.udp[0].payload_len;
        else if (pkt.ntcp && pkt.tcp[0].payload_cap == pkt.tcp[0].payload_len) p = pkt.tcp[0].payload, n = pkt.tcp[0].payload_len;
        bool udp = pkt.nudp > 0;
        if (p && ((nt_stun_is_message(p, n) && nt_stun_parse(p, n, &m, NULL) == 0) ||
                  (udp && nt_stun_is_channeldata(p, n) && nt_stun_parse_channeldata(p, n, &m) == 0))) {
            nt_buf_puts(&b, "\tSTUN\t");
            nt_stun_info(&m, &b);
            for (int i = 0; i < nf; i++) {
                nt_buf_putc(&b, '\t');
                int k = fields[i]->get(&m, vals, NT_FIELD_MAX_OCC);
                for (int j = 0; j < k; j++) {
                    if (j) nt_buf_putc(&b, ',');
                    put_value(&b, fields[i], &vals[j]);
                }
            }
        }
        nt_buf_putc(&b, '\n');
        nt_buf_flush(&b, stdout);
    }
    nt_buf_free(&b);
    nt_trace_close(t);
    if (rc < 0) {
        fprintf(stderr, "stun_dump: %s\n", err.msg);
        return 1;
    }
    return 0;
}
