/* app_oracle.c - test helper for tests/diff/tshark_apps.sh: reads a capture
 * with the project's reader and dissector, decodes the application
 * protocols of src/proto (SIP, SDP, RTP, RTCP, DHCP, NBNS, TPKT/COTP/RDP)
 * on their ports, and prints one line per frame that carries one, as
 * `tshark -T fields -e frame.number -e _ws.col.Protocol -e _ws.col.Info
 * -e F...` does (occurrences joined by ',', hexadecimal fields as tshark
 * shows them). RTP and RTCP flows are the ones SIP/SDP announced (as
 * Wireshark's SDP conversations), or any UDP with --rtp-heuristic.
 *
 * usage: app_oracle [--rtp-heuristic] [--no-sip] [--rtp-streams] CAPTURE FIELD...
 * (--no-sip: SIP, and so SDP, not decoded, as tshark --disable-protocol=sip;
 * --rtp-streams: instead of frames, one line per RTP stream with the
 * statistics of nt_rtp_stats, as tshark -q -z rtp,streams counts them)
 *
 * Stands in for the nettracer binary until the application layer is wired
 * in; only the ports above are looked at (no TCP reassembly: a SIP message
 * over TCP must sit in one segment). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nettracer/columns.h"
#include "nettracer/dhcp.h"
#include "nettracer/nbns.h"
#include "nettracer/packet.h"
#include "nettracer/rtp.h"
#include "nettracer/sdp.h"
#include "nettracer/sip.h"
#include "nettracer/tpkt.h"
#include "nettracer/trace.h"

/* ---- the fields of every decoded message of a frame ---- */

#define MAX_MSGS 8
typedef struct msg {
    const nt_msg_field *tab;
    size_t n;
    const void *m;
} msg;

typedef struct frame_out {
    msg msgs[MAX_MSGS];
    int nmsgs;
    nt_buf proto, info;
    bool any;
} frame_out;

static void add_msg(frame_out *o, const nt_msg_field *tab, size_t n, const void *m)
{
    if (o->nmsgs < MAX_MSGS) o->msgs[o->nmsgs++] = (msg){tab, n, m};
}

/* tshark shows these in hexadecimal, zero-padded to this many digits */
static int hex_width(const char *name)
{
    static const struct { const char *n; int w; } hex[] = {
        {"rtp.ssrc", 8}, {"rtcp.senderssrc", 8}, {"dhcp.id", 8}, {"nbns.id", 4}, {"nbns.flags", 4},
        {"cotp.type", 2}, {"cotp.destref", 4}, {"cotp.srcref", 4}, {"rdp.neg_type", 2},
        {"rdp.negReq.requestedProtocols", 8}, {"rdp.negReq.selectedProtocol", 8},
        {"rdp.negFailure.failureCode", 8},
    };
    for (size_t i = 0; i < sizeof hex / sizeof hex[0]; i++)
        if (!strcmp(hex[i].n, name)) return hex[i].w;
    return 0;
}

static void print_value(nt_buf *b, const char *name, const nt_fvalue *v)
{
    switch (v->type) {
    case NT_FT_UINT: {
        int w = hex_width(name);
        if (w) { nt_buf_puts(b, "0x"); nt_buf_hex(b, v->v.u, w, false); }
        else nt_buf_u64(b, v->v.u);
        break;
    }
    case NT_FT_BOOL: nt_buf_putc(b, v->v.u ? '1' : '0'); break;
    case NT_FT_IPV4: nt_buf_ipv4(b, v->v.addr); break;
    case NT_FT_IPV6: nt_buf_ipv6(b, v->v.addr); break;
    case NT_FT_ETHER: nt_buf_mac(b, v->v.addr); break;
    case NT_FT_STRING: nt_buf_put(b, (const char *)v->p, v->len); break;
    default: break;
    }
}

static void print_field(nt_buf *b, const frame_out *o, const char *name)
{
    bool first = true;
    for (int i = 0; i < o->nmsgs; i++) {
        for (size_t k = 0; k < o->msgs[i].n; k++) {
            const nt_msg_field *f = &o->msgs[i].tab[k];
            if (strcmp(f->name, name)) continue;
            nt_fvalue vals[NT_FIELD_MAX_OCC];
            int n = f->get(o->msgs[i].m, vals, NT_FIELD_MAX_OCC);
            for (int j = 0; j < n; j++) {
                if (vals[j].type == NT_FT_PROTOCOL) continue;
                if (!first) nt_buf_putc(b, ',');
                print_value(b, name, &vals[j]);
                first = false;
            }
        }
    }
}

/* ---- RTP/RTCP endpoints announced by SDP ---- */

#define MAX_EP 64
typedef struct ep {
    uint8_t family, addr[16];
    uint16_t port;
    bool rtcp;
    uint8_t nmap;                  /* the media's rtpmap encoding names */
    struct { uint8_t pt; char name[32]; } map[8];
} ep;
static ep eps[MAX_EP];
static int neps;

static void add_ep(uint8_t fam, const uint8_t *addr, uint16_t port, bool rtcp, const nt_sdp_media *m)
{
    ep *e = NULL;
    for (int i = 0; i < neps && !e; i++)
        if (eps[i].family == fam && eps[i].port == port && !memcmp(eps[i].addr, addr, 16)) e = &eps[i];
    if (!e && neps < MAX_EP) e = &eps[neps++];
    if (!e) return;
    e->family = fam;
    memcpy(e->addr, addr, 16);
    e->port = port;
    e->rtcp = rtcp;
    e->nmap = 0;
    for (int i = 0; i < m->nrtpmap && e->nmap < 8; i++) {
        e->map[e->nmap].pt = m->rtpmap[i].pt;
        nt_text_cstr(m->rtpmap[i].encoding, e->map[e->nmap].name, sizeof e->map[0].name);
        e->nmap++;
    }
}

/* 0 none, 1 RTP, 2 RTCP; *which: the endpoint */
static int find_ep(uint8_t fam, const uint8_t *addr, uint16_t port, const ep **which)
{
    uint8_t a[16] = {0};
    memcpy(a, addr, fam == 4 ? 4 : 16);
    for (int i = 0; i < neps; i++)
        if (eps[i].family == fam && eps[i].port == port && !memcmp(eps[i].addr, a, 16)) {
            *which = &eps[i];
            return eps[i].rtcp ? 2 : 1;
        }
    return 0;
}

static void learn_sdp(const nt_sdp *s)
{
    nt_sdp_endpoint e[NT_SDP_MAX_MEDIA];
    int n = nt_sdp_endpoints(s, e, NT_SDP_MAX_MEDIA);
    for (int i = 0; i < n; i++) {
        if (!nt_text_ieq(s->media[e[i].media_idx].proto, "RTP/AVP") &&
            !nt_text_ieq(s->media[e[i].media_idx].proto, "RTP/SAVP"))
            continue;
        uint8_t a[16] = {0}, r[16] = {0};
        memcpy(a, e[i].addr, e[i].family == 4 ? 4 : 16);
        memcpy(r, e[i].rtcp_addr, e[i].rtcp_family == 4 ? 4 : 16);
        const nt_sdp_media *m = &s->media[e[i].media_idx];
        add_ep(e[i].family, a, e[i].rtp_port, false, m);
        if (e[i].rtcp_family) add_ep(e[i].rtcp_family, r, e[i].rtcp_port, true, m);
    }
}

/* ---- RTP streams (src, dst, SSRC), as tshark -z rtp,streams ---- */

#define MAX_STREAMS 32
typedef struct stream {
    uint8_t fam, src[16], dst[16];
    uint16_t sport, dport;
    nt_rtp_stats st;
} stream;
static stream streams[MAX_STREAMS];
static int nstreams;
static nt_time first_ts;
static bool have_first;

static void stream_update(uint8_t fam, const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport,
                          const nt_rtp *r, nt_time t)
{
    size_t al = fam == 4 ? 4 : 16;
    stream *x = NULL;
    for (int i = 0; i < nstreams && !x; i++)
        if (streams[i].fam == fam && streams[i].sport == sport && streams[i].dport == dport &&
            streams[i].st.ssrc == r->ssrc && !memcmp(streams[i].src, src, al) && !memcmp(streams[i].dst, dst, al))
            x = &streams[i];
    if (!x) {
        if (nstreams == MAX_STREAMS) return;
        x = &streams[nstreams++];
        memset(x, 0, sizeof *x);
        x->fam = fam;
        memcpy(x->src, src, al);
        memcpy(x->dst, dst, al);
        x->sport = sport;
        x->dport = dport;
    }
    nt_rtp_stats_update(&x->st, r, t, nt_rtp_clock_rate(r->pt));
}

static void print_streams(void)
{
    nt_buf b;
    nt_buf_init(&b);
    for (int i = 0; i < nstreams; i++) {
        const stream *x = &streams[i];
        if (x->fam == 4) nt_buf_ipv4(&b, x->src); else nt_buf_ipv6(&b, x->src);
        nt_buf_printf(&b, "\t%u\t", x->sport);
        if (x->fam == 4) nt_buf_ipv4(&b, x->dst); else nt_buf_ipv6(&b, x->dst);
        nt_buf_printf(&b, "\t%u\t0x%08X\t%llu\t%lld\t%.3f\t%.3f\t", x->dport, x->st.ssrc,
                      (unsigned long long)x->st.packets, (long long)nt_rtp_stats_lost(&x->st),
                      nt_rtp_stats_max_jitter_ms(&x->st), nt_rtp_stats_mean_jitter_ms(&x->st));
        nt_buf_secs(&b, nt_time_diff_ns(x->st.first, first_ts), 6);
        nt_buf_putc(&b, '\t');
        nt_buf_secs(&b, nt_time_diff_ns(x->st.last, first_ts), 6);
        nt_buf_putc(&b, '\n');
    }
    nt_buf_flush(&b, stdout);
    nt_buf_free(&b);
}

/* ---- per frame ---- */

static nt_time cur_ts;

/* the messages of one frame live here until it is printed */
static nt_sip sips[MAX_MSGS];
static nt_sdp sdps[MAX_MSGS];
static nt_rtp rtp;
static nt_rtcp rtcp;
static nt_dhcp dhcp;
static nt_nbns nbns;
static nt_tpkt tpkts[MAX_MSGS];

static void set_cols(frame_out *o, const char *proto)
{
    nt_buf_reset(&o->proto);
    nt_buf_puts(&o->proto, proto);
    o->any = true;
}

static void do_sip(frame_out *o, const uint8_t *p, uint32_t len, bool stream)
{
    int k = 0;
    bool sdp_seen = false;
    while (len > 0 && k < MAX_MSGS) {
        uint32_t ml = len;
        if (stream) {
            if (nt_sip_msg_len(p, len, &ml) != NT_SIP_LEN_OK) break;
        } else if (!nt_sip_detect(p, len)) {
            break;
        }
        if (!nt_sip_parse(p, ml, &sips[k])) break;
        if (!o->any) nt_buf_reset(&o->info);
        set_cols(o, "SIP");
        nt_sip_info(&sips[k], &o->info);
        add_msg(o, nt_sip_fields, nt_sip_nfields, &sips[k]);
        if (nt_sip_has_sdp(&sips[k]) && nt_sdp_parse(sips[k].body, sips[k].body_len, &sdps[k])) {
            add_msg(o, nt_sdp_fields, nt_sdp_nfields, &sdps[k]);
            learn_sdp(&sdps[k]);
            sdp_seen = true;
        }
        k++;
        if (!stream) break;     /* UDP: tshark decodes the first message only */
        p += sips[k - 1].msg_len;
        len -= sips[k - 1].msg_len;
    }
    if (sdp_seen) set_cols(o, "SIP/SDP");
}

static void do_udp(frame_out *o, const nt_layer *l, const nt_udp *u, uint8_t fam,
                   const uint8_t *src, const uint8_t *dst, bool inner, bool heur, bool no_sip)
{
    const uint8_t *p = u->payload;
    uint32_t len = u->payload_cap < u->payload_len ? u->payload_cap : u->payload_len;
    if (inner) {
        /* the dissector leaves a quoted datagram's payload as data: take it
         * from the layer, as far as the quote and the UDP length go */
        p = l->span > 8 ? l->p + 8 : NULL;
        len = l->span > 8 ? l->span - 8 : 0;
        if (u->ulen >= 8 && len > (uint32_t)u->ulen - 8) len = (uint32_t)u->ulen - 8;
    }
    if (!p || !len) return;
    /* as Wireshark: a conversation SDP set up, then the port's protocol,
     * then (when enabled) the heuristics */
    const ep *which = NULL;
    int kind = find_ep(fam, dst, u->dport, &which);
    if (!kind) kind = find_ep(fam, src, u->sport, &which);
    if (!kind && !inner) {
        if (!no_sip && (u->sport == 5060 || u->dport == 5060) && nt_sip_detect(p, len)) {
            do_sip(o, p, len, false);
            return;
        }
        if ((u->sport == 67 || u->sport == 68 || u->dport == 67 || u->dport == 68) &&
            nt_dhcp_parse(p, len, &dhcp)) {
            set_cols(o, dhcp.has_msg_type ? "DHCP" : "BOOTP");
            nt_buf_reset(&o->info);
            nt_dhcp_info(&dhcp, &o->info);
            add_msg(o, nt_dhcp_fields, nt_dhcp_nfields, &dhcp);
            return;
        }
        if ((u->sport == 137 || u->dport == 137) && nt_nbns_parse(p, len, &nbns)) {
            set_cols(o, "NBNS");
            nt_buf_reset(&o->info);
            nt_nbns_info(&nbns, &o->info);
            add_msg(o, nt_nbns_fields, nt_nbns_nfields, &nbns);
            return;
        }
    }
    if (!kind && heur) {
        if (u->dport % 2 && nt_rtcp_heuristic(p, len)) kind = 2;
        else if (nt_rtp_heuristic(p, len)) kind = 1;
    }
    if (kind == 1 && nt_rtp_parse(p, len, &rtp)) {
        add_msg(o, nt_rtp_fields, nt_rtp_nfields, &rtp);
        if (!inner) {
            stream_update(fam, src, dst, u->sport, u->dport, &rtp, cur_ts);
            nt_text enc = {NULL, 0};
            for (int i = 0; which && i < which->nmap; i++)
                if (which->map[i].pt == rtp.pt) enc = (nt_text){which->map[i].name, (uint32_t)strlen(which->map[i].name)};
            set_cols(o, "RTP");
            nt_buf_reset(&o->info);
            nt_rtp_info_sdp(&rtp, enc, &o->info);
        }
    } else if (kind == 2 && nt_rtcp_parse(p, len, &rtcp)) {
        add_msg(o, nt_rtcp_fields, nt_rtcp_nfields, &rtcp);
        if (!inner) {
            set_cols(o, "RTCP");
            nt_buf_reset(&o->info);
            nt_rtcp_info(&rtcp, &o->info);
            if (rtcp.malformed) nt_buf_puts(&o->info, "[Malformed Packet]");
        }
    }
}

static void do_tcp(frame_out *o, const nt_tcp *t, bool no_sip)
{
    const uint8_t *p = t->payload;
    uint32_t len = t->payload_cap < t->payload_len ? t->payload_cap : t->payload_len;
    if (!p || !len) return;
    if (t->sport == 5060 || t->dport == 5060) {
        if (!no_sip) do_sip(o, p, len, true);
    } else if (t->sport == 3389 || t->dport == 3389) {
        int k = 0;
        while (len > 0 && k < MAX_MSGS) {
            uint32_t ml;
            if (nt_tpkt_msg_len(p, len, &ml) != NT_TPKT_LEN_OK) break;
            if (!nt_tpkt_parse(p, ml, &tpkts[k])) break;
            if (!o->any) nt_buf_reset(&o->info);
            else nt_buf_puts(&o->info, ", ");
            set_cols(o, nt_tpkt_protocol(&tpkts[k]));
            nt_tpkt_info(&tpkts[k], &o->info);
            add_msg(o, nt_tpkt_fields, nt_tpkt_nfields, &tpkts[k]);
            p += ml;
            len -= ml;
            k++;
        }
    }
}

int main(int argc, char **argv)
{
    int a = 1;
    bool heur = false, no_sip = false, rtp_streams = false;
    for (; a < argc && argv[a][0] == '-' && argv[a][1] == '-'; a++) {
        if (!strcmp(argv[a], "--rtp-heuristic")) heur = true;
        else if (!strcmp(argv[a], "--no-sip")) no_sip = true;
        else if (!strcmp(argv[a], "--rtp-streams")) rtp_streams = true;
        else { fprintf(stderr, "app_oracle: unknown option %s\n", argv[a]); return 2; }
    }
    if (a >= argc) {
        fprintf(stderr, "usage: app_oracle [--rtp-heuristic] [--no-sip] [--rtp-streams] CAPTURE FIELD...\n");
        return 2;
    }
    nt_error err = {0};
    nt_trace *tr = nt_trace_open(argv[a], &err);
    if (!tr) {
        fprintf(stderr, "app_oracle: %s\n", err.msg);
        return 1;
    }
    frame_out o;
    memset(&o, 0, sizeof o);
    nt_buf_init(&o.proto);
    nt_buf_init(&o.info);
    nt_buf line;
    nt_buf_init(&line);
    nt_frame f;
    static nt_packet pkt;
    int rc;
    while ((rc = nt_trace_next(tr, &f, &err)) == 1) {
        nt_dissect(&f, &pkt);
        if (!have_first) { first_ts = f.ts; have_first = true; }
        cur_ts = f.ts;
        o.nmsgs = 0;
        o.any = false;
        nt_buf_reset(&o.proto);
        nt_buf_reset(&o.info);
        for (int i = 0; i < pkt.nlayers; i++) {
            const nt_layer *l = &pkt.layers[i];
            if (l->proto != NT_P_UDP && l->proto != NT_P_TCP) continue;
            /* the addresses of the IP header before this layer */
            uint8_t fam = 0;
            const uint8_t *src = NULL, *dst = NULL;
            for (int j = i - 1; j >= 0; j--) {
                const nt_layer *ip = &pkt.layers[j];
                if (ip->proto == NT_P_IPV4) { fam = 4; src = pkt.ip4[ip->idx].src; dst = pkt.ip4[ip->idx].dst; break; }
                if (ip->proto == NT_P_IPV6) { fam = 6; src = pkt.ip6[ip->idx].src; dst = pkt.ip6[ip->idx].dst; break; }
            }
            if (!fam) continue;
            if (l->proto == NT_P_UDP) do_udp(&o, l, &pkt.udp[l->idx], fam, src, dst, l->inner, heur, no_sip);
            else if (!l->inner) do_tcp(&o, &pkt.tcp[l->idx], no_sip);
        }
        if (rtp_streams || (!o.any && o.nmsgs == 0)) continue;
        if (!o.any) {   /* a message quoted in an ICMP error: the packet's own columns */
            nt_col_protocol(&pkt, &o.proto);
            nt_col_info(&pkt, &o.info);
        }
        nt_buf_reset(&line);
        nt_buf_u64(&line, f.number);
        nt_buf_putc(&line, '\t');
        nt_buf_put(&line, o.proto.p, o.proto.len);
        nt_buf_putc(&line, '\t');
        nt_buf_put(&line, o.info.p, o.info.len);
        for (int k = a + 1; k < argc; k++) {
            nt_buf_putc(&line, '\t');
            print_field(&line, &o, argv[k]);
        }
        nt_buf_putc(&line, '\n');
        nt_buf_flush(&line, stdout);
    }
    if (rc < 0) fprintf(stderr, "app_oracle: %s\n", err.msg);
    if (rtp_streams) print_streams();
    nt_trace_close(tr);
    nt_buf_free(&line);
    nt_buf_free(&o.proto);
    nt_buf_free(&o.info);
    return rc < 0 ? 1 : 0;
}
