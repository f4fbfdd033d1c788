/* fields_ana.c - the registry's rows that read what the session adds to a
 * packet (pkt->ana: times, stream numbers, relative sequence numbers, the
 * scaled window, tcp.analysis.*, request links) or what its application
 * layer took (pkt->app: the "data" a protocol did not decode). They are
 * analyze/'s rows because that is the layer that owns the data; the
 * header fields beside them are proto/'s (proto/fields.c). */
#include "nettracer/registry.h"

#include <string.h>

#include "nettracer/app.h"
#include "nettracer/field_put.h"

#define ACC NT_PKT_ACC
#define EACH NT_EACH_LAYER
#define TCP_ACC NT_TCP_ACC

ACC(f_rel) { return pkt->ana.has_time ? put_i(out, 0, max, pkt->ana.rel_ns, NT_FT_RELTIME) : 0; }
ACC(f_delta) { return pkt->ana.has_time ? put_i(out, 0, max, pkt->ana.delta_ns, NT_FT_RELTIME) : 0; }
ACC(f_delta_disp) { return pkt->ana.has_time ? put_i(out, 0, max, pkt->ana.delta_disp_ns, NT_FT_RELTIME) : 0; }
ACC(f_epoch)
{
    if (!pkt->ana.has_time) return 0;
    return put_i(out, 0, max, pkt->frame->ts.sec * 1000000000LL + pkt->frame->ts.nsec, NT_FT_RELTIME);
}

ACC(icmp_resp_to) { return pkt->nicmp && pkt->ana.request_in ? put_i(out, 0, max, (int64_t)pkt->ana.request_in, NT_FT_FRAMENUM) : 0; }

/* a stream number on the analysed header, another on the quoted one */
static int stream_get(const nt_packet *pkt, nt_fvalue *out, int max, nt_proto p, bool valid, uint32_t stream,
                      bool inner_valid, uint32_t inner_stream)
{
    int n = 0;
    EACH(p) {
        if (!l->inner && valid) n = put_u(out, n, max, stream);
        if (l->inner && inner_valid) n = put_u(out, n, max, inner_stream);
    }
    return n;
}
ACC(tcp_stream)
{
    const nt_pkt_ana *a = &pkt->ana;
    return stream_get(pkt, out, max, NT_P_TCP, a->tcp_valid, a->tcp_stream, a->inner_tcp_valid, a->inner_tcp_stream);
}

TCP_ACC(tcp_seq, 1, n = put_u(out, n, max, a->tcp_valid && !l->inner ? a->rel_seq : t->seq))

TCP_ACC(tcp_nxtseq, 2, if (a->tcp_valid && !t->bad_hlen && !l->inner) n = put_u(out, n, max, a->nxtseq))

TCP_ACC(tcp_ack, 2, n = put_u(out, n, max, a->tcp_valid && !l->inner ? a->rel_ack : t->ack))

TCP_ACC(tcp_win, 2, n = put_u(out, n, max, a->tcp_valid && !l->inner ? a->win : t->win))

TCP_ACC(tcp_win_sf, 2, if (a->tcp_valid && !l->inner && !(t->flags & NT_TCP_SYN))
        n = put_i(out, n, max, a->win_scale >= 0 ? (1 << a->win_scale) : a->win_scale, NT_FT_INT))

/* TCP analysis: a label per flag, on the analysed (outer) segment */
static int ta_get(const nt_packet *pkt, nt_fvalue *out, int max, uint32_t mask)
{
    if (!pkt->ana.tcp_valid || !(pkt->ana.tcp_flags & mask) || max < 1) return 0;
    memset(out, 0, sizeof *out);
    out->type = NT_FT_LABEL;
    return 1;
}
#define TA_ACC(fn, mask) ACC(fn) { return ta_get(pkt, out, max, mask); }
/* Wireshark marks a fast retransmission as a retransmission too */
TA_ACC(ta_retrans, NT_TA_RETRANSMISSION | NT_TA_FAST_RETRANSMISSION)
TA_ACC(ta_fast, NT_TA_FAST_RETRANSMISSION)
TA_ACC(ta_spurious, NT_TA_SPURIOUS_RETRANS)
TA_ACC(ta_ooo, NT_TA_OUT_OF_ORDER)
TA_ACC(ta_lost, NT_TA_LOST_SEGMENT)
TA_ACC(ta_acklost, NT_TA_ACK_LOST_SEGMENT)
TA_ACC(ta_dupack, NT_TA_DUPLICATE_ACK)
TA_ACC(ta_zw, NT_TA_ZERO_WINDOW)
TA_ACC(ta_zwp, NT_TA_ZERO_WINDOW_PROBE)
TA_ACC(ta_zwpa, NT_TA_ZERO_WINDOW_PROBE_ACK)
TA_ACC(ta_wfull, NT_TA_WINDOW_FULL)
TA_ACC(ta_wupd, NT_TA_WINDOW_UPDATE)
TA_ACC(ta_ka, NT_TA_KEEP_ALIVE)
TA_ACC(ta_kaack, NT_TA_KEEP_ALIVE_ACK)
TA_ACC(ta_reused, NT_TA_REUSED_PORTS)
/* "flags": the expert-info ones, as Wireshark (window update and keep-alive
 * ACK count too, reused ports does not: it is not in the analysis tree) */
TA_ACC(ta_flags, 0x7fff)
ACC(ta_dupack_num) { return pkt->ana.tcp_flags & NT_TA_DUPLICATE_ACK ? put_u(out, 0, max, pkt->ana.dupack_num) : 0; }
ACC(ta_dupack_frame)
{
    return pkt->ana.tcp_flags & NT_TA_DUPLICATE_ACK ? put_i(out, 0, max, (int64_t)pkt->ana.dupack_frame, NT_FT_FRAMENUM) : 0;
}
ACC(ta_acks_frame) { return pkt->ana.acks_frame ? put_i(out, 0, max, (int64_t)pkt->ana.acks_frame, NT_FT_FRAMENUM) : 0; }
ACC(ta_ack_rtt) { return pkt->ana.acks_frame ? put_i(out, 0, max, pkt->ana.ack_rtt_ns, NT_FT_RELTIME) : 0; }
ACC(ta_bif) { return pkt->ana.bytes_in_flight ? put_u(out, 0, max, pkt->ana.bytes_in_flight) : 0; }
ACC(ta_irtt) { return pkt->ana.has_irtt ? put_i(out, 0, max, pkt->ana.irtt_ns, NT_FT_RELTIME) : 0; }


ACC(udp_stream)
{
    const nt_pkt_ana *a = &pkt->ana;
    return stream_get(pkt, out, max, NT_P_UDP, a->udp_valid, a->udp_stream, a->inner_udp_valid, a->inner_udp_stream);
}

/* payload an application protocol decoded (or gathers) is not "data" */
static bool app_took(const nt_packet *pkt, const nt_layer *l)
{
    const nt_appdata *a = pkt->app;
    if (!a) return false;
    return l->inner ? a->quoted : a->npdu || a->seg;
}
/* payload an application protocol hands on undecoded: a STUN Send/Data
 * indication's DATA attribute, a TURN ChannelData message's data, a COTP
 * DT's user data (T.125 is not decoded) */
static int put_data(nt_fvalue *out, int n, int max, int what, const uint8_t *p, uint32_t len)
{
    if (what == 2) return put_u(out, n, max, len);
    n = put_bytes(out, n, max, p, len, what == 0 ? NT_FT_PROTOCOL : NT_FT_BYTES);
    if (what == 0 && n) out[n - 1].hdr_len = len;
    return n;
}
static int stun_data(const nt_packet *pkt, nt_fvalue *out, int n, int max, int what)
{
    const nt_appdata *a = pkt->app;
    for (int i = 0; a && i < a->ntpkt; i++)
        if (a->tpkt[i].has_cotp && a->tpkt[i].type == 0x0f && a->tpkt[i].eot && a->tpkt[i].user && a->tpkt[i].user_len)
            n = put_data(out, n, max, what, a->tpkt[i].user, a->tpkt[i].user_len);
    for (int i = 0; a && i < a->nstun; i++) {
        const nt_stun_msg *m = &a->stun[i];
        if (m->channel_data && m->len > 4) n = put_data(out, n, max, what, m->p + 4, (uint32_t)(m->len - 4));
    }
    for (int i = 0; a && i < a->nstun; i++)
        for (int k = 0; k < a->stun[i].nattrs; k++) {
            const nt_stun_attr *at = &a->stun[i].attrs[k];
            if (at->kind != NT_STUN_A_DATA || !at->avail) continue;
            n = put_data(out, n, max, what, at->val, at->avail);
        }
    return n;
}
ACC(p_data)
{
    int n = 0;
    EACH(NT_P_DATA) if (!app_took(pkt, l)) {
        n = put_bytes(out, n, max, l->p, l->span, NT_FT_PROTOCOL);
        out[n - 1].hdr_len = l->len;
    }
    return stun_data(pkt, out, n, max, 0);
}
ACC(data_data)
{
    int n = 0;
    EACH(NT_P_DATA) if (!app_took(pkt, l)) n = put_bytes(out, n, max, l->p, l->len, NT_FT_BYTES);
    return stun_data(pkt, out, n, max, 1);
}
ACC(data_len)
{
    int n = 0;
    EACH(NT_P_DATA) if (!app_took(pkt, l)) n = put_u(out, n, max, l->len);
    return stun_data(pkt, out, n, max, 2);
}

#define P NT_ROW_P
#define U NT_ROW_U
#define F NT_ROW_F

const nt_field nt_ana_fields[] = {
    F("frame.time_relative", NT_FT_RELTIME, "Time since reference or first frame", f_rel),
    F("frame.time_delta", NT_FT_RELTIME, "Time delta from previous captured frame", f_delta),
    F("frame.time_delta_displayed", NT_FT_RELTIME, "Time delta from previous displayed frame", f_delta_disp),
    F("frame.time_epoch", NT_FT_RELTIME, "Epoch Time", f_epoch),
    F("icmp.resp_to", NT_FT_FRAMENUM, "Response to", icmp_resp_to),
    U("tcp.stream", 4, "Stream index", tcp_stream),
    U("tcp.seq", 4, "Sequence Number (relative)", tcp_seq),
    U("tcp.nxtseq", 4, "Next Sequence Number", tcp_nxtseq),
    U("tcp.ack", 4, "Acknowledgment Number (relative)", tcp_ack),
    U("tcp.window_size", 4, "Calculated window size", tcp_win),
    NT_ROW_V("tcp.window_size_scalefactor", NT_FT_INT, 4, "Window size scaling factor", tcp_win_sf, NULL),
    F("tcp.analysis.flags", NT_FT_LABEL, "TCP Analysis Flags", ta_flags),
    F("tcp.analysis.retransmission", NT_FT_LABEL, "This frame is a (suspected) retransmission", ta_retrans),
    F("tcp.analysis.fast_retransmission", NT_FT_LABEL, "This frame is a (suspected) fast retransmission", ta_fast),
    F("tcp.analysis.spurious_retransmission", NT_FT_LABEL, "This frame is a (suspected) spurious retransmission", ta_spurious),
    F("tcp.analysis.out_of_order", NT_FT_LABEL, "This frame is a (suspected) out-of-order segment", ta_ooo),
    F("tcp.analysis.lost_segment", NT_FT_LABEL, "Previous segment(s) not captured (common at capture start)", ta_lost),
    F("tcp.analysis.ack_lost_segment", NT_FT_LABEL, "ACKed segment that wasn't captured (common at capture start)", ta_acklost),
    F("tcp.analysis.duplicate_ack", NT_FT_LABEL, "Duplicate ACK", ta_dupack),
    U("tcp.analysis.duplicate_ack_num", 4, "Duplicate ACK #", ta_dupack_num),
    F("tcp.analysis.duplicate_ack_frame", NT_FT_FRAMENUM, "Duplicate to the ACK in frame", ta_dupack_frame),
    F("tcp.analysis.zero_window", NT_FT_LABEL, "TCP Zero Window segment", ta_zw),
    F("tcp.analysis.zero_window_probe", NT_FT_LABEL, "TCP Zero Window Probe", ta_zwp),
    F("tcp.analysis.zero_window_probe_ack", NT_FT_LABEL, "ACK to a TCP Zero Window Probe", ta_zwpa),
    F("tcp.analysis.window_full", NT_FT_LABEL, "TCP window specified by the receiver is now completely full", ta_wfull),
    F("tcp.analysis.window_update", NT_FT_LABEL, "TCP window update", ta_wupd),
    F("tcp.analysis.keep_alive", NT_FT_LABEL, "TCP keep-alive segment", ta_ka),
    F("tcp.analysis.keep_alive_ack", NT_FT_LABEL, "ACK to a TCP keep-alive segment", ta_kaack),
    F("tcp.analysis.reused_ports", NT_FT_LABEL, "A new tcp session is started with the same ports as an earlier session in this trace", ta_reused),
    F("tcp.analysis.acks_frame", NT_FT_FRAMENUM, "This is an ACK to the segment in frame", ta_acks_frame),
    F("tcp.analysis.ack_rtt", NT_FT_RELTIME, "The RTT to ACK the segment was", ta_ack_rtt),
    U("tcp.analysis.bytes_in_flight", 4, "Bytes in flight", ta_bif),
    F("tcp.analysis.initial_rtt", NT_FT_RELTIME, "iRTT: the time from the SYN to the handshake's final ACK", ta_irtt),
    U("udp.stream", 4, "Stream index", udp_stream),
    P("data", "Data", p_data),
    F("data.data", NT_FT_BYTES, "Data", data_data),
    U("data.len", 4, "Length", data_len),
};
const size_t nt_ana_nfields = sizeof nt_ana_fields / sizeof nt_ana_fields[0];
