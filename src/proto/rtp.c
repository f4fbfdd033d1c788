/* rtp.c - RTP/RTCP parsers, heuristics and stream statistics (see rtp.h). */
#include "nettracer/rtp.h"

#include <stdio.h>
#include <string.h>

#include "nettracer/field_put.h"

/* ---- RTP ---------------------------------------------------------------- */

bool nt_rtp_parse(const uint8_t *p, uint32_t len, nt_rtp *r)
{
    memset(r, 0, sizeof *r);
    r->raw = p;
    r->len = len;
    nt_cur c = nt_cur_make(p, len);
    uint8_t b0 = nt_cur_u8(&c), b1 = nt_cur_u8(&c);
    r->version = b0 >> 6;
    r->padding = b0 & 0x20;
    r->ext = b0 & 0x10;
    r->cc = b0 & 0x0f;
    r->marker = b1 & 0x80;
    r->pt = b1 & 0x7f;
    r->seq = nt_cur_be16(&c);
    r->ts = nt_cur_be32(&c);
    r->ssrc = nt_cur_be32(&c);
    if (c.bad) { r->error = "shorter than the 12-byte RTP header"; return false; }
    if (r->version != 2) { r->error = "RTP version is not 2"; return false; }
    for (int i = 0; i < r->cc; i++) r->csrc[i] = nt_cur_be32(&c);
    if (c.bad) { r->error = "CSRC list runs past the packet"; return false; }
    if (r->ext) {
        r->ext_profile = nt_cur_be16(&c);
        r->ext_words = nt_cur_be16(&c);
        nt_cur_skip(&c, (size_t)r->ext_words * 4);
        if (c.bad) { r->error = "header extension runs past the packet"; return false; }
    }
    r->hdr_len = (uint32_t)c.off;
    uint32_t plen = len - r->hdr_len;
    if (r->padding) {
        r->pad_len = plen ? p[len - 1] : 0;
        if (r->pad_len == 0 || r->pad_len > plen) {
            r->error = "padding length is 0 or larger than the payload";
            return false;
        }
        plen -= r->pad_len;
    }
    r->payload = p + r->hdr_len;
    r->payload_len = plen;
    return true;
}

bool nt_rtp_heuristic(const uint8_t *p, uint32_t len)
{
    if (len < 12 || (p[0] >> 6) != 2) return false;
    uint8_t pt = p[1] & 0x7f;
    if (pt >= 72 && pt <= 76) return false;
    nt_rtp r;
    return nt_rtp_parse(p, len, &r);
}

const char *nt_rtp_pt_name(uint8_t pt, char *buf, size_t n)
{
    static const char *const names[35] = {
        "ITU-T G.711 PCMU", "USA Federal Standard FS-1016", "ITU-T G.721", "GSM 06.10",
        "ITU-T G.723", "DVI4 8000 samples/s", "DVI4 16000 samples/s",
        "Experimental linear predictive encoding from Xerox PARC", "ITU-T G.711 PCMA",
        "ITU-T G.722", "16-bit uncompressed audio, stereo", "16-bit uncompressed audio, monaural",
        "Qualcomm Code Excited Linear Predictive coding", "Comfort noise", "MPEG-I/II Audio",
        "ITU-T G.728", "DVI4 11025 samples/s", "DVI4 22050 samples/s", "ITU-T G.729",
        "Comfort noise (old)", NULL, NULL, NULL, NULL, NULL, "Sun CellB video encoding",
        "JPEG-compressed video", NULL, "'nv' program", NULL, NULL, "ITU-T H.261",
        "MPEG-I/II Video", "MPEG-II transport streams", "ITU-T H.263",
    };
    if (pt < 35 && names[pt]) return names[pt];
    if (pt >= 72 && pt <= 76) return "Reserved for RTCP conflict avoidance";
    if (pt >= 96 && pt <= 127) {
        snprintf(buf, n, "DynamicRTP-Type-%u", pt);
        return buf;
    }
    return NULL;
}

uint32_t nt_rtp_clock_rate(uint8_t pt)
{
    switch (pt) {
    case 0: case 3: case 4: case 5: case 7: case 8: case 9: case 12: case 13:
    case 15: case 18: case 19:
        return 8000;          /* G722 included: its RTP clock is 8000 (RFC 3551 4.5.2) */
    case 6: return 16000;
    case 10: case 11: return 44100;
    case 16: return 11025;
    case 17: return 22050;
    case 14: case 25: case 26: case 28: case 31: case 32: case 33: case 34:
        return 90000;
    default: return 0;
    }
}

void nt_rtp_info_sdp(const nt_rtp *r, nt_text encoding, nt_buf *b)
{
    char tmp[32];
    const char *name = nt_rtp_pt_name(r->pt, tmp, sizeof tmp);
    nt_buf_puts(b, "PT=");
    if (r->pt >= 96 && encoding.p && encoding.len) nt_buf_put(b, encoding.p, encoding.len);
    else nt_buf_puts(b, name ? name : "Unassigned");
    nt_buf_puts(b, ", SSRC=0x");
    nt_buf_hex(b, r->ssrc, 1, true);
    nt_buf_puts(b, ", Seq=");
    nt_buf_u64(b, r->seq);
    nt_buf_puts(b, ", Time=");
    nt_buf_u64(b, r->ts);
    if (r->marker) nt_buf_puts(b, ", Mark");
}

void nt_rtp_info(const nt_rtp *r, nt_buf *b)
{
    nt_rtp_info_sdp(r, (nt_text){NULL, 0}, b);
}

/* ---- RTCP --------------------------------------------------------------- */

const char *nt_rtcp_pt_name(uint8_t pt)
{
    switch (pt) {
    case 192: return "Full Intra-frame Request (H.261)";
    case 193: return "Negative Acknowledgement (H.261)";
    case 194: return "SMPTE time-code mapping";
    case 195: return "Extended inter-arrival jitter report";
    case 200: return "Sender Report";
    case 201: return "Receiver Report";
    case 202: return "Source description";
    case 203: return "Goodbye";
    case 204: return "Application specific";
    case 205: return "Generic RTP Feedback";
    case 206: return "Payload-specific Feedback";
    case 207: return "Extended report (RFC 3611)";
    case 208: return "AVB RTCP packet (IEEE1733)";
    case 209: return "Receiver Summary Information";
    case 210: return "Port Mapping";
    case 211: return "IDMS Settings";
    case 212: return "Reporting Group Reporting Sources";
    case 213: return "Splicing Notification Message";
    default: return NULL;
    }
}

static void parse_blocks(nt_cur *c, nt_rtcp_pkt *k, int n)
{
    for (int i = 0; i < n; i++) {
        nt_rtcp_rb rb;
        rb.ssrc = nt_cur_be32(c);
        uint32_t w = nt_cur_be32(c);
        rb.fraction_lost = (uint8_t)(w >> 24);
        int32_t cum = (int32_t)(w & 0xffffff);
        if (cum & 0x800000) cum -= 0x1000000;
        rb.cum_lost = cum;
        rb.ext_high_seq = nt_cur_be32(c);
        rb.jitter = nt_cur_be32(c);
        rb.lsr = nt_cur_be32(c);
        rb.dlsr = nt_cur_be32(c);
        if (c->bad) return;
        if (k->nrb < NT_RTCP_MAX_RB) k->rb[k->nrb++] = rb;
    }
}

/* false: a field runs past the packet's length (Wireshark's malformed) */
static bool parse_one(nt_rtcp_pkt *k)
{
    nt_cur c = nt_cur_make(k->p + 4, k->len - 4);
    switch (k->pt) {
    case NT_RTCP_SR:
        k->ssrc = nt_cur_be32(&c);
        k->has_ssrc = !c.bad;
        k->ntp_sec = nt_cur_be32(&c);
        k->ntp_frac = nt_cur_be32(&c);
        k->rtp_ts = nt_cur_be32(&c);
        k->pkt_count = nt_cur_be32(&c);
        k->octet_count = nt_cur_be32(&c);
        if (!c.bad) parse_blocks(&c, k, k->count);
        break;
    case NT_RTCP_RR:
        k->ssrc = nt_cur_be32(&c);
        k->has_ssrc = !c.bad;
        if (!c.bad) parse_blocks(&c, k, k->count);
        break;
    case NT_RTCP_SDES:
        if (k->count == 0) break;
        k->ssrc = nt_cur_be32(&c);
        k->has_ssrc = !c.bad;
        /* the first chunk's items: type, length, text; type 0 ends the list */
        while (!c.bad && nt_cur_left(&c) >= 1) {
            uint8_t type = nt_cur_u8(&c);
            if (type == 0) break;
            uint8_t ilen = nt_cur_u8(&c);
            const uint8_t *text = nt_cur_ptr(&c);
            if (!nt_cur_skip(&c, ilen)) break;
            if (type == 1 && !k->cname.p) k->cname = (nt_text){(const char *)text, ilen};
        }
        break;
    case NT_RTCP_BYE:
        if (k->count == 0) break;
        k->ssrc = nt_cur_be32(&c);
        k->has_ssrc = !c.bad;
        break;
    case NT_RTCP_APP:
        k->ssrc = nt_cur_be32(&c);
        k->has_ssrc = !c.bad;
        if (nt_cur_has(&c, 4)) k->app_name = (nt_text){(const char *)nt_cur_ptr(&c), 4};
        else c.bad = true;      /* the name is required */
        break;
    case NT_RTCP_RTPFB:
    case NT_RTCP_PSFB:
    case NT_RTCP_XR:
        k->ssrc = nt_cur_be32(&c);
        k->has_ssrc = !c.bad;
        break;
    default:
        break;
    }
    return !c.bad;
}

bool nt_rtcp_parse(const uint8_t *p, uint32_t len, nt_rtcp *r)
{
    memset(r, 0, sizeof *r);
    r->raw = p;
    r->len = len;
    uint32_t off = 0;
    if (len < 4) { r->error = "shorter than an RTCP header"; return false; }
    while (off < len) {
        uint16_t words;
        if (!nt_load_be16(p, len, off + 2, &words)) {
            /* fewer than 4 bytes left: Wireshark stops there, silently */
            r->error = "bytes after the last RTCP packet";
            break;
        }
        uint8_t b0 = p[off];
        if ((b0 >> 6) != 2) {
            r->error = "RTCP version is not 2";
            if (off == 0) return false;
            break;              /* Wireshark ends the compound here, silently */
        }
        uint32_t plen = ((uint32_t)words + 1) * 4;
        bool cut = plen > len - off;
        if (cut) {
            r->error = "RTCP length runs past the packet";
            r->malformed = true;
            plen = len - off;
        }
        if (r->npkt < NT_RTCP_MAX_PKTS) {
            nt_rtcp_pkt *k = &r->pkt[r->npkt++];
            k->version = 2;
            k->padding = b0 & 0x20;
            k->count = b0 & 0x1f;
            k->pt = p[off + 1];
            k->length = words;
            k->p = p + off;
            k->len = plen;
            k->cut = cut;
            if (!parse_one(k) && !r->malformed) {
                r->error = "an RTCP packet shorter than its fields";
                r->malformed = true;
            }
        } else {
            r->dropped++;
        }
        off += plen;
    }
    return true;
}

bool nt_rtcp_heuristic(const uint8_t *p, uint32_t len)
{
    if (len < 4 || (p[0] >> 6) != 2 || len % 4) return false;
    uint8_t pt = p[1];
    return pt == NT_RTCP_SR || pt == NT_RTCP_RR || pt == NT_RTCP_BYE || pt == NT_RTCP_APP ||
           pt == NT_RTCP_PSFB;
}

static const char *psfb_name(uint8_t fmt)
{
    switch (fmt) {
    case 1: return "PLI";
    case 2: return "SLI";
    case 3: return "RPSI";
    case 4: return "FIR";
    case 5: return "TSTR";
    case 6: return "TSTN";
    case 7: return "VBCM";
    case 15: return "ALFB";
    default: return "Unknown";
    }
}

void nt_rtcp_info(const nt_rtcp *r, nt_buf *b)
{
    for (int i = 0; i < r->npkt; i++) {
        const nt_rtcp_pkt *k = &r->pkt[i];
        const char *n = nt_rtcp_pt_name(k->pt);
        if (n) nt_buf_puts(b, n);
        else nt_buf_printf(b, "Unknown (%u)", k->pt);
        nt_buf_puts(b, "   ");
        if (k->pt == NT_RTCP_APP && k->app_name.p) {
            nt_buf_puts(b, "( ");
            nt_buf_put(b, k->app_name.p, k->app_name.len);
            nt_buf_printf(b, " ) subtype=%u", k->count);
        } else if (k->pt == NT_RTCP_PSFB) {
            nt_buf_puts(b, psfb_name(k->count));
            nt_buf_puts(b, "  ");
        }
    }
}

/* ---- statistics --------------------------------------------------------- */

#define MAX_DROPOUT 3000
#define MAX_MISORDER 100

void nt_rtp_stats_update(nt_rtp_stats *s, const nt_rtp *r, nt_time t, uint32_t clock_rate)
{
    if (!s->started) {
        memset(s, 0, sizeof *s);
        s->started = true;
        s->ssrc = r->ssrc;
        s->base_seq = s->max_seq = r->seq;
        s->first = t;
    } else {
        uint16_t udelta = (uint16_t)(r->seq - s->max_seq);
        if (udelta > 0 && udelta < MAX_DROPOUT) {
            if (r->seq < s->max_seq) s->cycles += 65536;   /* wrapped */
            s->max_seq = r->seq;
        } else if (udelta != 0 && udelta <= 65536 - MAX_MISORDER) {
            /* a jump too large to be loss (a restarted sender): a new run
             * starts here, the expected count of the old one is kept */
            s->seq_offset = nt_rtp_stats_expected(s);
            s->cycles = 0;
            s->base_seq = s->max_seq = r->seq;
        }
        /* else duplicate or reordered: counted, sequence state unchanged */
    }
    s->packets++;
    if (r->marker) s->marker_packets++;
    s->pt = r->pt;
    s->last = t;
    s->clock_rate = clock_rate;
    if (clock_rate) {
        double arrival = (double)t.sec * clock_rate + (double)t.nsec * clock_rate / 1e9;
        if (s->have_transit) {
            /* D(i-1,i) = (Rj - Ri) - (Sj - Si), timestamps modulo 2^32 */
            double d = (arrival - s->last_arrival) - (double)(int32_t)(r->ts - s->last_ts);
            if (d < 0) d = -d;
            s->jitter += (d - s->jitter) / 16.0;
            if (s->jitter > s->max_jitter) s->max_jitter = s->jitter;
            s->jitter_sum += s->jitter;
            s->jitter_n++;
        }
        s->have_transit = true;
        s->last_arrival = arrival;
        s->last_ts = r->ts;
    }
}

uint64_t nt_rtp_stats_expected(const nt_rtp_stats *s)
{
    if (!s->started) return 0;
    return s->seq_offset + (uint64_t)((int64_t)s->cycles + s->max_seq - s->base_seq + 1);
}

int64_t nt_rtp_stats_lost(const nt_rtp_stats *s)
{
    return (int64_t)nt_rtp_stats_expected(s) - (int64_t)s->packets;
}

double nt_rtp_stats_jitter_ms(const nt_rtp_stats *s)
{
    return s->clock_rate ? s->jitter * 1000.0 / s->clock_rate : 0.0;
}

double nt_rtp_stats_max_jitter_ms(const nt_rtp_stats *s)
{
    return s->clock_rate ? s->max_jitter * 1000.0 / s->clock_rate : 0.0;
}

double nt_rtp_stats_mean_jitter_ms(const nt_rtp_stats *s)
{
    return s->clock_rate && s->jitter_n ? s->jitter_sum / (double)s->jitter_n * 1000.0 / s->clock_rate : 0.0;
}

/* ---- fields ------------------------------------------------------------- */

#define MACC(fn) static int fn(const void *msg, nt_fvalue *out, int max)
#define R ((const nt_rtp *)msg)
#define C ((const nt_rtcp *)msg)

MACC(f_rtp)
{
    int n = put_bytes(out, 0, max, R->raw, R->len, NT_FT_PROTOCOL);
    if (n) out[0].hdr_len = R->hdr_len;
    return n;
}
MACC(f_version) { return put_u(out, 0, max, R->version); }
MACC(f_padding) { return put_b(out, 0, max, R->padding); }
MACC(f_ext) { return put_b(out, 0, max, R->ext); }
MACC(f_cc) { return put_u(out, 0, max, R->cc); }
MACC(f_marker) { return put_b(out, 0, max, R->marker); }
MACC(f_ptype) { return put_u(out, 0, max, R->pt); }
MACC(f_seq) { return put_u(out, 0, max, R->seq); }
MACC(f_ts) { return put_u(out, 0, max, R->ts); }
MACC(f_ssrc) { return put_u(out, 0, max, R->ssrc); }

const nt_msg_field nt_rtp_fields[] = {
    {"rtp", NT_FT_PROTOCOL, 0, "Real-Time Transport Protocol", f_rtp, NULL, .msg_proto = NT_P_RTP},
    {"rtp.version", NT_FT_UINT, 1, "Version", f_version, NULL, .msg_proto = NT_P_RTP},
    {"rtp.padding", NT_FT_BOOL, 1, "Padding", f_padding, NULL, .msg_proto = NT_P_RTP},
    {"rtp.ext", NT_FT_BOOL, 1, "Extension", f_ext, NULL, .msg_proto = NT_P_RTP},
    {"rtp.cc", NT_FT_UINT, 1, "Contributing source identifiers count", f_cc, NULL, .msg_proto = NT_P_RTP},
    {"rtp.marker", NT_FT_BOOL, 1, "Marker", f_marker, NULL, .msg_proto = NT_P_RTP},
    {"rtp.p_type", NT_FT_UINT, 1, "Payload type", f_ptype, NULL, .msg_proto = NT_P_RTP},
    {"rtp.seq", NT_FT_UINT, 2, "Sequence number", f_seq, NULL, .msg_proto = NT_P_RTP},
    {"rtp.timestamp", NT_FT_UINT, 4, "Timestamp", f_ts, NULL, .msg_proto = NT_P_RTP},
    {"rtp.ssrc", NT_FT_UINT, 4, "Synchronization Source identifier", f_ssrc, NULL, .msg_proto = NT_P_RTP},
};
const size_t nt_rtp_nfields = sizeof nt_rtp_fields / sizeof nt_rtp_fields[0];

MACC(f_rtcp)
{
    int n = put_bytes(out, 0, max, C->raw, C->len, NT_FT_PROTOCOL);
    if (n) out[0].hdr_len = C->len;
    return n;
}
MACC(f_rtcp_version)
{
    int n = 0;
    for (int i = 0; i < C->npkt; i++) n = put_u(out, n, max, C->pkt[i].version);
    return n;
}
MACC(f_rtcp_pt)
{
    int n = 0;
    for (int i = 0; i < C->npkt; i++) n = put_u(out, n, max, C->pkt[i].pt);
    return n;
}
MACC(f_rtcp_length)
{
    int n = 0;
    for (int i = 0; i < C->npkt; i++) n = put_u(out, n, max, C->pkt[i].length);
    return n;
}
/* Wireshark's rtcp.senderssrc: the sender SSRC of SR, RR, APP?, and the
 * feedback and XR packets; SDES and BYE carry source SSRCs instead */
MACC(f_rtcp_sender)
{
    int n = 0;
    for (int i = 0; i < C->npkt; i++) {
        const nt_rtcp_pkt *k = &C->pkt[i];
        if (k->has_ssrc && (k->pt == NT_RTCP_SR || k->pt == NT_RTCP_RR || k->pt == NT_RTCP_RTPFB ||
                            k->pt == NT_RTCP_PSFB || k->pt == NT_RTCP_XR))
            n = put_u(out, n, max, k->ssrc);
    }
    return n;
}

const nt_msg_field nt_rtcp_fields[] = {
    {"rtcp", NT_FT_PROTOCOL, 0, "Real-time Transport Control Protocol", f_rtcp, NULL, .msg_proto = NT_P_RTCP},
    {"rtcp.version", NT_FT_UINT, 1, "Version", f_rtcp_version, NULL, .msg_proto = NT_P_RTCP},
    {"rtcp.pt", NT_FT_UINT, 1, "Packet type", f_rtcp_pt, NULL, .msg_proto = NT_P_RTCP},
    {"rtcp.length", NT_FT_UINT, 2, "Length", f_rtcp_length, NULL, .msg_proto = NT_P_RTCP},
    {"rtcp.senderssrc", NT_FT_UINT, 4, "Sender SSRC", f_rtcp_sender, NULL, .msg_proto = NT_P_RTCP},
};
const size_t nt_rtcp_nfields = sizeof nt_rtcp_fields / sizeof nt_rtcp_fields[0];
