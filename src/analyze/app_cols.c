/* app_cols.c - Protocol and Info of frames carrying application messages,
 * as Wireshark writes them: the messages completed in the frame, joined;
 * a frame that only carries part of a message is TCP with
 * "[TCP segment of a reassembled PDU]". */
#include "app_cols.h"
#include "app_int.h"

#include "nettracer/app.h"

#include <string.h>
#include <strings.h>

static void tls_rec_info(const nt_tls_rec_info *r, bool version_known, nt_buf *b)
{
    switch (r->type) {
    case NT_TLS_CT_CCS: nt_buf_puts(b, "Change Cipher Spec"); break;
    case NT_TLS_CT_ALERT:
        if (r->encrypted) {
            nt_buf_puts(b, "Encrypted Alert");
        } else {
            const char *d = nt_tls_alert_name(r->alert_desc);
            nt_buf_printf(b, "Alert (Level: %s, Description: ", r->alert_level == 1 ? "Warning"
                                                                : r->alert_level == 2 ? "Fatal" : "Unknown");
            if (d) nt_buf_puts(b, d);
            else nt_buf_printf(b, "Unknown (%u)", r->alert_desc);
            nt_buf_putc(b, ')');
        }
        break;
    case NT_TLS_CT_HANDSHAKE:
        if (r->encrypted) {
            nt_buf_puts(b, "Encrypted Handshake Message");
            break;
        }
        for (int i = 0; i < r->nhs; i++) {
            if (i) nt_buf_puts(b, ", ");
            nt_buf_puts(b, nt_tls_hs_name(r->hs[i]));
        }
        if (r->frag) {
            if (r->nhs) nt_buf_puts(b, ", ");
            nt_buf_printf(b, "[%s Fragment]", nt_tls_hs_name(r->frag_type));
        }
        break;
    case NT_TLS_CT_APPDATA: nt_buf_puts(b, "Application Data"); break;
    case NT_TLS_CT_HEARTBEAT: nt_buf_puts(b, r->encrypted ? "Encrypted Heartbeat" : "Heartbeat"); break;
    default:
        if (r->unknown) nt_buf_puts(b, version_known ? "Ignored Unknown Record" : "Continuation Data");
        break;
    }
}

/* The body dissector tshark hands the message's body to (0: none). */
static int http_body_kind(const nt_http_msg *m)
{
    return m->continuation || !m->body_len ? 0 : nt_http_body_kind(&m->h);
}

static void http_info(const nt_http_msg *m, nt_buf *b)
{
    if (m->continuation) {
        nt_buf_puts(b, "Continuation");
        return;
    }
    nt_buf_put(b, m->h.line.p, m->h.line.len);
    nt_buf_putc(b, ' ');
    int kind = http_body_kind(m);
    if (kind == NT_HTTP_BODY_JSON) {
        /* the JSON dissector names the media type when it was matched as
         * written (lower case), tshark 4.0 observed */
        nt_str t = nt_http_media_type(&m->h);
        bool lower = true;
        for (uint32_t i = 0; i < t.len; i++)
            if (t.p[i] >= 'A' && t.p[i] <= 'Z') lower = false;
        nt_buf_puts(b, " , JavaScript Object Notation");
        if (lower) {
            nt_buf_puts(b, " (");
            nt_buf_put(b, t.p, t.len);
            nt_buf_putc(b, ')');
        }
        return;
    }
    if (kind == NT_HTTP_BODY_XML) return; /* the XML dissector adds nothing */
    nt_str t = nt_http_media_type(&m->h);
    /* a body the "data" dissector takes is not named either (tshark 4.0) */
    if (t.len == 24 && !strncasecmp((const char *)t.p, "application/octet-stream", 24)) return;
    if (!m->h.request && m->h.content_type.len) {
        nt_str t = nt_http_media_type(&m->h);
        nt_buf_puts(b, " (");
        nt_buf_put(b, t.p, t.len);
        nt_buf_putc(b, ')');
    }
}

bool nt_app_col_protocol(const nt_packet *pkt, nt_buf *b)
{
    const nt_appdata *a = pkt->app;
    if (!a || !a->npdu) return false;
    switch (a->pdu[a->npdu - 1].proto) {
    case NT_P_TLS:
        /* unknown bytes before the session's version is known: "SSL", as tshark */
        nt_buf_puts(b, !a->tls.version && a->tls.nrec && a->tls.rec[a->tls.nrec - 1].unknown
                           ? "SSL" : nt_tls_version_short(a->tls.version));
        return true;
    case NT_P_HTTP: {
        const nt_app_pdu *u = &a->pdu[a->npdu - 1];
        int kind = u->idx < a->nhttp ? http_body_kind(&a->http[u->idx]) : 0;
        nt_buf_puts(b, kind == NT_HTTP_BODY_JSON ? "HTTP/JSON" : kind == NT_HTTP_BODY_XML ? "HTTP/XML" : "HTTP");
        return true;
    }
    case NT_P_DNS: nt_buf_puts(b, "DNS"); return true;
    case NT_P_SIP: nt_buf_puts(b, a->nsdp ? "SIP/SDP" : "SIP"); return true;
    case NT_P_RTP: nt_buf_puts(b, "RTP"); return true;
    case NT_P_RTCP: nt_buf_puts(b, "RTCP"); return true;
    case NT_P_STUN: nt_buf_puts(b, "STUN"); return true;
    case NT_P_DHCP: nt_buf_puts(b, a->dhcp[0].has_msg_type ? "DHCP" : "BOOTP"); return true;
    case NT_P_NBNS: nt_buf_puts(b, "NBNS"); return true;
    case NT_P_TPKT: {
        const nt_app_pdu *u = &a->pdu[a->npdu - 1];
        nt_buf_puts(b, nt_tpkt_protocol(&a->tpkt[u->idx < a->ntpkt ? u->idx : 0]));
        return true;
    }
    default: return false;
    }
}

bool nt_app_col_info(const nt_packet *pkt, nt_buf *b)
{
    const nt_appdata *a = pkt->app;
    if (!a || !a->npdu) return false;
    size_t start = b->len;
    int tls_i = 0;
    for (int i = 0; i < a->npdu; i++) {
        const nt_app_pdu *u = &a->pdu[i];
        /* several TPKTs or STUN messages in a segment: tshark shows the
         * last one's text (their dissectors set Info, not append) */
        if (u->proto == NT_P_TPKT || u->proto == NT_P_STUN) b->len = start;
        /* SIP ends each message's text with " | " itself */
        size_t before = b->len;
        if (b->len > start && u->proto != NT_P_SIP) nt_buf_puts(b, u->proto == NT_P_TLS || u->proto == NT_P_TPKT ? ", " : " , ");
        if (u->proto == NT_P_TLS && tls_i < a->tls.nrec) {
            size_t sep = b->len;
            tls_rec_info(&a->tls.rec[tls_i++], a->tls.version != 0, b);
            /* a record that adds no text adds no separator either
             * (col_append_sep_str) */
            if (b->len == sep) b->len = before, b->p[b->len] = 0;
        }
        else if (u->proto == NT_P_HTTP && u->idx < a->nhttp) http_info(&a->http[u->idx], b);
        else if (u->proto == NT_P_DNS && u->idx < a->ndns) nt_app_dns_info(&a->dns[u->idx], b);
        else if (u->proto == NT_P_SIP && u->idx < a->nsip) nt_sip_info(&a->sip[u->idx], b);
        else if (u->proto == NT_P_STUN && u->idx < a->nstun) nt_stun_info(&a->stun[u->idx], b);
        else if (u->proto == NT_P_DHCP && a->ndhcp) nt_dhcp_info(&a->dhcp[0], b);
        else if (u->proto == NT_P_NBNS && a->nnbns) nt_nbns_info(&a->nbns[0], b);
        else if (u->proto == NT_P_TPKT && u->idx < a->ntpkt) nt_tpkt_info(&a->tpkt[u->idx], b);
        else if (u->proto == NT_P_RTP && a->nrtp)
            nt_rtp_info_sdp(&a->rtp[0], (nt_text){a->rtp_encoding[0] ? a->rtp_encoding : NULL,
                                                  (uint32_t)strlen(a->rtp_encoding)}, b);
        else if (u->proto == NT_P_RTCP && a->nrtcp) {
            nt_rtcp_info(&a->rtcp[0], b);
            if (a->rtcp[0].malformed) nt_buf_puts(b, "[Malformed Packet]");
        }
    }
    /* HTTP runs out of bytes, except on a continuation that starts with a
     * line end (tshark 4.0, observed: it skips leading blank lines first) */
    if (a->cut) {
        const nt_app_pdu *u = &a->pdu[a->npdu - 1];
        bool cont = u->proto == NT_P_HTTP && u->idx < a->nhttp && a->http[u->idx].continuation;
        if (!cont || !u->len || (u->p[0] != '\n' && u->p[0] != '\r')) nt_buf_puts(b, "[Packet size limited during capture]");
    }
    return true;
}
