/* tpkt.c - TPKT, COTP and the RDP connection negotiation (see tpkt.h). */
#include "nettracer/tpkt.h"

#include <string.h>

#include "nettracer/field_put.h"

int nt_tpkt_msg_len(const uint8_t *p, uint32_t len, uint32_t *msg_len)
{
    if (len < 4) return len && p[0] != 3 ? NT_TPKT_LEN_BAD : NT_TPKT_LEN_MORE;
    if (p[0] != 3) return NT_TPKT_LEN_BAD;
    uint32_t l = (uint32_t)(p[2] << 8 | p[3]);
    if (l < 7) return NT_TPKT_LEN_BAD;
    if (l > len) return NT_TPKT_LEN_MORE;
    *msg_len = l;
    return NT_TPKT_LEN_OK;
}

static uint32_t le32(const uint8_t *q) { return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0]; }

/* CR/CC user data: [Cookie or routing token ending in CRLF][8-byte negotiation] */
static void parse_rdp(nt_tpkt *t)
{
    const uint8_t *u = t->user;
    uint32_t n = t->user_len, off = 0;
    if (t->type == NT_COTP_CR && n >= 8 && memcmp(u, "Cookie: ", 8) == 0) {
        for (uint32_t i = 8; i + 1 < n; i++) {
            if (u[i] == '\r' && u[i + 1] == '\n') {
                t->cookie = (nt_text){(const char *)u, i};
                off = i + 2;
                break;
            }
        }
        if (!t->cookie.p) {          /* no CRLF: the rest is the cookie */
            t->cookie = (nt_text){(const char *)u, n};
            return;
        }
    }
    /* (a request flagged 0x08 carries a 36-byte rdpCorrelationInfo after it) */
    if (n - off >= 8 && u[off] >= 1 && u[off] <= 3) {
        t->has_neg = true;
        t->neg_type = u[off];
        t->neg_flags = u[off + 1];
        t->neg_length = (uint16_t)(u[off + 2] | u[off + 3] << 8);
        t->neg_value = le32(u + off + 4);
        off += 8;
        if (t->neg_type == NT_RDP_NEG_REQ && (t->neg_flags & 0x08) && n - off >= 36 && u[off] == 6) {
            t->has_corr = true;
            t->corr_type = u[off];
            t->corr_length = (uint16_t)(u[off + 2] | u[off + 3] << 8);
            t->corr_id = u + off + 4;
        }
    }
}

bool nt_tpkt_parse(const uint8_t *p, uint32_t len, nt_tpkt *t)
{
    memset(t, 0, sizeof *t);
    t->raw = p;
    nt_cur c = nt_cur_make(p, len);
    t->version = nt_cur_u8(&c);
    nt_cur_u8(&c);
    t->length = nt_cur_be16(&c);
    if (c.bad) { t->error = "shorter than the 4-byte TPKT header"; return false; }
    if (t->version != 3) { t->error = "TPKT version is not 3"; return false; }
    if (t->length < 7) { t->error = "TPKT length below 7"; return false; }
    t->len = t->length <= len ? t->length : len;
    c.len = t->len;
    t->li = nt_cur_u8(&c);
    uint8_t code = nt_cur_u8(&c);
    if (c.bad) { t->error = "COTP header cut short"; return false; }
    if ((uint32_t)t->li + 1 > t->len - 4) { t->error = "COTP length indicator runs past the TPKT"; return false; }
    t->has_cotp = true;
    t->type = code >> 4;
    switch (t->type) {
    case NT_COTP_CR:
    case NT_COTP_CC:
    case NT_COTP_DR:
    case NT_COTP_DC:
        if (t->li < (t->type == NT_COTP_DC ? 5 : 6)) { t->error = "COTP header shorter than its TPDU type needs"; return false; }
        t->dst_ref = nt_cur_be16(&c);
        t->src_ref = nt_cur_be16(&c);
        if (t->type == NT_COTP_DR) t->reason = nt_cur_u8(&c);
        else if (t->type != NT_COTP_DC) t->class_opt = nt_cur_u8(&c);
        break;
    case NT_COTP_DT: {
        if (t->li < 2) { t->error = "COTP header shorter than its TPDU type needs"; return false; }
        uint8_t b = nt_cur_u8(&c);
        t->eot = b & 0x80;
        t->tpdu_nr = b & 0x7f;
        break;
    }
    default:
        break;
    }
    t->user = p + 4 + 1 + t->li;
    t->user_len = t->len - 4 - 1 - t->li;
    if (t->type == NT_COTP_CR || t->type == NT_COTP_CC) {
        /* RDP counts its cookie and negotiation in the length indicator, as
         * the variable part of the TPDU: they start after the 6 fixed bytes */
        t->user = p + 4 + 1 + 6;
        t->user_len = t->len - 4 - 1 - 6;
        parse_rdp(t);
    }
    return true;
}

const char *nt_rdp_failure_name(uint32_t code)
{
    switch (code) {
    case 1: return "TLS required by server";
    case 2: return "TLS not allowed by server";
    case 3: return "TLS certificate not on server";
    case 4: return "Inconsistent flags";
    case 5: return "Server requires Enhanced RDP Security with CredSSP";
    case 6: return "Server requires Enhanced RDP Security with TLS and certificate-based client authentication";
    default: return NULL;
    }
}

static const char *tpdu_abbrev(uint8_t type)
{
    switch (type) {
    case NT_COTP_CR: return "CR";
    case NT_COTP_CC: return "CC";
    case NT_COTP_DR: return "DR";
    case NT_COTP_DC: return "DC";
    case NT_COTP_DT: return "DT";
    case NT_COTP_ED: return "ED";
    case NT_COTP_AK: return "AK";
    case NT_COTP_ER: return "ER";
    default: return NULL;
    }
}

const char *nt_tpkt_protocol(const nt_tpkt *t)
{
    if (t->has_neg || t->cookie.p) return "RDP";
    return t->has_cotp ? "COTP" : "TPKT";
}

void nt_tpkt_info(const nt_tpkt *t, nt_buf *b)
{
    if (t->has_neg || t->cookie.p) {
        bool sep = false;
        if (t->cookie.p) {
            nt_buf_put(b, t->cookie.p, t->cookie.len);
            sep = true;
        }
        if (t->has_neg) {
            if (sep) nt_buf_puts(b, ", ");
            if (t->neg_type == NT_RDP_NEG_REQ) nt_buf_puts(b, "Negotiate Request");
            else if (t->neg_type == NT_RDP_NEG_RSP) nt_buf_puts(b, "Negotiate Response");
            else {
                const char *f = nt_rdp_failure_name(t->neg_value);
                nt_buf_puts(b, "Negotiate Failure, failureCode ");
                if (f) nt_buf_puts(b, f);
                else nt_buf_printf(b, "Unknown (0x%08x)", t->neg_value);
            }
        }
        return;
    }
    if (!t->has_cotp) {
        nt_buf_puts(b, "Continuation");
        return;
    }
    const char *a = tpdu_abbrev(t->type);
    if (!a) {
        nt_buf_printf(b, "Unknown TPDU type (0x%x)", t->type);
        return;
    }
    nt_buf_puts(b, a);
    nt_buf_puts(b, " TPDU");
    if (t->type == NT_COTP_DT) {
        if (t->eot) nt_buf_printf(b, " (%u) EOT", t->tpdu_nr);
        else nt_buf_printf(b, " (%u) [COTP fragment, %u byte%s]", t->tpdu_nr, t->user_len, t->user_len == 1 ? "" : "s");
    } else if (t->type == NT_COTP_CR || t->type == NT_COTP_CC || t->type == NT_COTP_DR ||
               t->type == NT_COTP_DC) {
        nt_buf_printf(b, " src-ref: 0x%04x dst-ref: 0x%04x", t->src_ref, t->dst_ref);
    }
}

/* ---- fields ------------------------------------------------------------- */

#define MACC(fn) static int fn(const void *msg, nt_fvalue *out, int max)
#define T ((const nt_tpkt *)msg)

MACC(f_tpkt)
{
    int n = put_bytes(out, 0, max, T->raw, T->len, NT_FT_PROTOCOL);
    if (n) out[0].hdr_len = 4;
    return n;
}
MACC(f_version) { return put_u(out, 0, max, T->version); }
MACC(f_length) { return put_u(out, 0, max, T->length); }
MACC(f_cotp)
{
    if (!T->has_cotp) return 0;
    int n = put_bytes(out, 0, max, T->raw + 4, T->len - 4, NT_FT_PROTOCOL);
    if (n) out[0].hdr_len = (uint32_t)T->li + 1;
    return n;
}
MACC(f_li) { return T->has_cotp ? put_u(out, 0, max, T->li) : 0; }
MACC(f_type) { return T->has_cotp ? put_u(out, 0, max, T->type) : 0; }
static bool has_refs(const nt_tpkt *t)
{
    return t->has_cotp && (t->type == NT_COTP_CR || t->type == NT_COTP_CC || t->type == NT_COTP_DR ||
                           t->type == NT_COTP_DC);
}
/* tshark 4.0 shows a destination reference (0) for a class 0 DT too */
MACC(f_dst) { return has_refs(T) || (T->has_cotp && T->type == NT_COTP_DT) ? put_u(out, 0, max, T->dst_ref) : 0; }
MACC(f_src) { return has_refs(T) ? put_u(out, 0, max, T->src_ref) : 0; }
MACC(f_rdp)
{
    if (!T->has_neg && !T->cookie.p) return 0;
    return put_bytes(out, 0, max, T->user, T->user_len, NT_FT_PROTOCOL);
}
MACC(f_cookie) { return T->cookie.p ? put_bytes(out, 0, max, T->cookie.p, T->cookie.len, NT_FT_STRING) : 0; }
/* Wireshark files the correlation info's type and length under the same names */
MACC(f_neg_type)
{
    int n = T->has_neg ? put_u(out, 0, max, T->neg_type) : 0;
    return T->has_corr ? put_u(out, n, max, T->corr_type) : n;
}
MACC(f_neg_len)
{
    int n = T->has_neg ? put_u(out, 0, max, T->neg_length) : 0;
    return T->has_corr ? put_u(out, n, max, T->corr_length) : n;
}
MACC(f_req_proto) { return T->has_neg && T->neg_type == NT_RDP_NEG_REQ ? put_u(out, 0, max, T->neg_value) : 0; }
MACC(f_sel_proto) { return T->has_neg && T->neg_type == NT_RDP_NEG_RSP ? put_u(out, 0, max, T->neg_value) : 0; }
MACC(f_failure) { return T->has_neg && T->neg_type == NT_RDP_NEG_FAILURE ? put_u(out, 0, max, T->neg_value) : 0; }

const nt_msg_field nt_tpkt_fields[] = {
    {"tpkt", NT_FT_PROTOCOL, 0, "TPKT - ISO on TCP - RFC1006", f_tpkt, NULL, .msg_proto = NT_P_TPKT},
    {"tpkt.version", NT_FT_UINT, 1, "Version", f_version, NULL, .msg_proto = NT_P_TPKT},
    {"tpkt.length", NT_FT_UINT, 2, "Length", f_length, NULL, .msg_proto = NT_P_TPKT},
    {"cotp", NT_FT_PROTOCOL, 0, "ISO 8073/X.224 COTP Connection-Oriented Transport Protocol", f_cotp, NULL, .msg_proto = NT_P_TPKT},
    {"cotp.li", NT_FT_UINT, 1, "Length", f_li, NULL, .msg_proto = NT_P_TPKT},
    {"cotp.type", NT_FT_UINT, 1, "PDU Type", f_type, NULL, .msg_proto = NT_P_TPKT},
    {"cotp.destref", NT_FT_UINT, 2, "Destination reference", f_dst, NULL, .msg_proto = NT_P_TPKT},
    {"cotp.srcref", NT_FT_UINT, 2, "Source reference", f_src, NULL, .msg_proto = NT_P_TPKT},
    {"rdp", NT_FT_PROTOCOL, 0, "Remote Desktop Protocol", f_rdp, NULL, .msg_proto = NT_P_TPKT},
    {"rdp.rt_cookie", NT_FT_STRING, 0, "Routing Token/Cookie", f_cookie, NULL, .msg_proto = NT_P_TPKT},
    {"rdp.neg_type", NT_FT_UINT, 1, "Type", f_neg_type, NULL, .msg_proto = NT_P_TPKT},
    {"rdp.neg_length", NT_FT_UINT, 2, "Length", f_neg_len, NULL, .msg_proto = NT_P_TPKT},
    {"rdp.negReq.requestedProtocols", NT_FT_UINT, 4, "requestedProtocols", f_req_proto, NULL, .msg_proto = NT_P_TPKT},
    /* Wireshark 4.0 files rdpNegRsp's selectedProtocol under negReq */
    {"rdp.negReq.selectedProtocol", NT_FT_UINT, 4, "selectedProtocol", f_sel_proto, NULL, .msg_proto = NT_P_TPKT},
    {"rdp.negFailure.failureCode", NT_FT_UINT, 4, "failureCode", f_failure, NULL, .msg_proto = NT_P_TPKT},
};
const size_t nt_tpkt_nfields = sizeof nt_tpkt_fields / sizeof nt_tpkt_fields[0];
