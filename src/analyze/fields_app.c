/* fields_app.c - the registry's rows for the application messages the
 * session decodes into pkt->app (TLS and its certificates, DNS, HTTP), and
 * nt_app_msgs(), which hands the message rows of proto/'s tables their
 * messages. They are analyze/'s rows because pkt->app is the session's.
 * Names and types are Wireshark 4.0's. */
#include "nettracer/registry.h"

#include "nettracer/app.h"
#include "nettracer/field_put.h"

#define ACC NT_PKT_ACC
#define APP(pkt) ((const nt_appdata *)(pkt)->app)

static int put_str(nt_fvalue *out, int n, int max, nt_str s)
{
    return s.p ? put_bytes(out, n, max, s.p, s.len, NT_FT_STRING) : n;
}

/* ---- TLS ---------------------------------------------------------------- */

static bool has_tls(const nt_packet *pkt) { return pkt->app && APP(pkt)->has_tls; }

ACC(p_tls)
{
    const nt_appdata *a = APP(pkt);
    int n = 0;
    if (!a) return 0;
    for (int i = 0; i < a->npdu; i++)
        if (a->pdu[i].proto == NT_P_TLS) {
            n = put_bytes(out, n, max, a->pdu[i].p, a->pdu[i].len, NT_FT_PROTOCOL);
            out[n - 1].hdr_len = a->pdu[i].len;
            break; /* one "tls" per frame, as Wireshark's tree */
        }
    /* a record begun in this frame: TLS read its header and asked for more */
    if (!n && !a->npdu && a->seg_tls && pkt->ntcp) {
        const nt_tcp *t = &pkt->tcp[0];
        n = put_bytes(out, 0, max, t->payload, t->payload_cap, NT_FT_PROTOCOL);
        out[0].hdr_len = t->payload_cap;
    }
    return n;
}
ACC(tls_ct)
{
    int n = 0;
    if (!has_tls(pkt)) return 0;
    for (int i = 0; i < APP(pkt)->tls.nrec; i++)
        if (!APP(pkt)->tls.rec[i].opaque && !APP(pkt)->tls.rec[i].unknown) n = put_u(out, n, max, APP(pkt)->tls.rec[i].type);
    return n;
}
ACC(tls_opaque)
{
    int n = 0;
    if (!has_tls(pkt)) return 0;
    for (int i = 0; i < APP(pkt)->tls.nrec; i++)
        if (APP(pkt)->tls.rec[i].opaque) n = put_u(out, n, max, APP(pkt)->tls.rec[i].type);
    return n;
}
ACC(tls_rec_version)
{
    int n = 0;
    if (!has_tls(pkt)) return 0;
    for (int i = 0; i < APP(pkt)->tls.nrec; i++)
        if (!APP(pkt)->tls.rec[i].unknown) n = put_u(out, n, max, APP(pkt)->tls.rec[i].version);
    return n;
}
ACC(tls_rec_len)
{
    int n = 0;
    if (!has_tls(pkt)) return 0;
    for (int i = 0; i < APP(pkt)->tls.nrec; i++)
        if (!APP(pkt)->tls.rec[i].unknown) n = put_u(out, n, max, APP(pkt)->tls.rec[i].length);
    return n;
}
ACC(tls_hs_type)
{
    int n = 0;
    if (!has_tls(pkt)) return 0;
    const nt_tls_frame *t = &APP(pkt)->tls;
    for (int i = 0; i < t->nrec; i++)
        for (int k = 0; k < t->rec[i].nhs; k++) n = put_u(out, n, max, t->rec[i].hs[k]);
    return n;
}
ACC(tls_hs_version)
{
    int n = 0;
    if (!has_tls(pkt)) return 0;
    const nt_tls_frame *t = &APP(pkt)->tls;
    if (t->has_ch) n = put_u(out, n, max, t->ch.version);
    if (t->has_sh) n = put_u(out, n, max, t->sh.version);
    return n;
}
ACC(tls_sni)
{
    const nt_tls_frame *t = has_tls(pkt) ? &APP(pkt)->tls : NULL;
    if (!t || !t->has_ch || !t->ch.has_sni) return 0;
    return put_bytes(out, 0, max, t->ch.sni, (uint32_t)strlen(t->ch.sni), NT_FT_STRING);
}
static int alpn_list(const char *s, nt_fvalue *out, int n, int max)
{
    while (*s) {
        const char *e = strchr(s, ',');
        uint32_t l = e ? (uint32_t)(e - s) : (uint32_t)strlen(s);
        n = put_bytes(out, n, max, s, l, NT_FT_STRING);
        s += l + (e ? 1 : 0);
    }
    return n;
}
ACC(tls_alpn)
{
    int n = 0;
    if (!has_tls(pkt)) return 0;
    const nt_tls_frame *t = &APP(pkt)->tls;
    if (t->has_ch) n = alpn_list(t->ch.alpn, out, n, max);
    if (t->has_sh) n = alpn_list(t->sh.alpn, out, n, max);
    return n;
}
ACC(tls_cipher)
{
    int n = 0;
    if (!has_tls(pkt)) return 0;
    const nt_tls_frame *t = &APP(pkt)->tls;
    if (t->has_ch && t->ch.ciphers)
        for (int i = 0; i < t->ch.ncipher; i++)
            n = put_u(out, n, max, (uint16_t)(t->ch.ciphers[2 * i] << 8 | t->ch.ciphers[2 * i + 1]));
    if (t->has_sh) n = put_u(out, n, max, t->sh.cipher);
    return n;
}
ACC(tls_cipher_len)
{
    const nt_tls_frame *t = has_tls(pkt) ? &APP(pkt)->tls : NULL;
    return t && t->has_ch ? put_u(out, 0, max, (uint64_t)t->ch.ncipher * 2) : 0;
}
ACC(tls_supported_version)
{
    int n = 0;
    if (!has_tls(pkt)) return 0;
    const nt_tls_frame *t = &APP(pkt)->tls;
    if (t->has_ch)
        for (int i = 0; i < t->ch.nversions; i++) n = put_u(out, n, max, t->ch.versions[i]);
    if (t->has_sh)
        for (int i = 0; i < t->sh.nversions; i++) n = put_u(out, n, max, t->sh.versions[i]);
    return n;
}
ACC(tls_alert_level)
{
    int n = 0;
    if (!has_tls(pkt)) return 0;
    const nt_tls_frame *t = &APP(pkt)->tls;
    for (int i = 0; i < t->nrec; i++)
        if (t->rec[i].type == NT_TLS_CT_ALERT && !t->rec[i].encrypted) n = put_u(out, n, max, t->rec[i].alert_level);
    return n;
}
ACC(tls_alert_desc)
{
    int n = 0;
    if (!has_tls(pkt)) return 0;
    const nt_tls_frame *t = &APP(pkt)->tls;
    for (int i = 0; i < t->nrec; i++)
        if (t->rec[i].type == NT_TLS_CT_ALERT && !t->rec[i].encrypted) n = put_u(out, n, max, t->rec[i].alert_desc);
    return n;
}
ACC(tls_dnames_len)
{
    const nt_tls_frame *t = has_tls(pkt) ? &APP(pkt)->tls : NULL;
    return t && t->has_certreq ? put_u(out, 0, max, t->certreq.dn_len) : 0;
}
ACC(tls_cert)
{
    int n = 0;
    const nt_tls_frame *t = has_tls(pkt) ? &APP(pkt)->tls : NULL;
    if (!t || !t->has_certs) return 0;
    for (int i = 0; i < t->certs.n; i++) n = put_bytes(out, n, max, t->certs.der[i], t->certs.der_len[i], NT_FT_BYTES);
    return n;
}

typedef struct x509_get {
    nt_fvalue *out;
    int n, max;
    int want;       /* 0 UTF8String, 1 PrintableString, 2 SAN dNSName */
} x509_get;

static void x509_cb(void *user, nt_x509_item kind, uint8_t tag, const uint8_t *p, uint32_t len)
{
    x509_get *g = user;
    bool take = g->want == 2 ? kind == NT_X509_SAN_DNS
                             : kind != NT_X509_SAN_DNS && tag == (g->want == 0 ? 0x0C : 0x13);
    if (take) g->n = put_bytes(g->out, g->n, g->max, p, len, NT_FT_STRING);
}
static int x509_values(const nt_packet *pkt, nt_fvalue *out, int max, int want)
{
    const nt_tls_frame *t = has_tls(pkt) ? &APP(pkt)->tls : NULL;
    if (!t || (!t->has_certs && !t->has_certreq)) return 0;
    x509_get g = {out, 0, max, want};
    for (int i = 0; t->has_certs && i < t->certs.n; i++) nt_x509_walk(t->certs.der[i], t->certs.der_len[i], x509_cb, &g);
    /* a CertificateRequest's CA names are x509 Names too, as in Wireshark */
    if (t->has_certreq && t->certreq.dn && want != 2) {
        nt_cur d = nt_cur_make(t->certreq.dn, t->certreq.dn_len);
        while (nt_cur_left(&d) >= 2) {
            uint16_t l = nt_cur_be16(&d);
            const uint8_t *p = nt_cur_ptr(&d);
            if (!nt_cur_skip(&d, l)) break;
            nt_x509_walk_name(p, l, x509_cb, &g);
        }
    }
    return g.n;
}
ACC(x509_utf8) { return x509_values(pkt, out, max, 0); }
ACC(x509_printable) { return x509_values(pkt, out, max, 1); }
ACC(x509_dns) { return x509_values(pkt, out, max, 2); }

/* ---- HTTP --------------------------------------------------------------- */

#define EACH_HTTP(a) for (int hi_ = 0; (a) && hi_ < (a)->nhttp; hi_++) \
        for (const nt_http_msg *m = &(a)->http[hi_]; m; m = NULL) \
            if (!m->continuation)

ACC(p_http)
{
    const nt_appdata *a = APP(pkt);
    if (!a) return 0;
    for (int i = 0; i < a->npdu; i++)
        if (a->pdu[i].proto == NT_P_HTTP) {
            int n = put_bytes(out, 0, max, a->pdu[i].p, a->pdu[i].len, NT_FT_PROTOCOL);
            out[0].hdr_len = a->pdu[i].len;
            return n;
        }
    return 0;
}
ACC(http_request)
{
    int n = 0;
    EACH_HTTP(APP(pkt)) if (m->h.request) n = put_u(out, n, max, 1), out[n - 1].type = NT_FT_BOOL;
    return n;
}
ACC(http_response)
{
    int n = 0;
    EACH_HTTP(APP(pkt)) if (!m->h.request) n = put_u(out, n, max, 1), out[n - 1].type = NT_FT_BOOL;
    return n;
}
#define HTTP_STR(fn, member, req) \
    ACC(fn) \
    { \
        int n = 0; \
        EACH_HTTP(APP(pkt)) if (req < 0 || m->h.request == (bool)req) n = put_str(out, n, max, m->h.member); \
        return n; \
    }
HTTP_STR(http_method, method, 1)
HTTP_STR(http_uri, uri, 1)
HTTP_STR(http_req_version, version, 1)
HTTP_STR(http_resp_version, version, 0)
HTTP_STR(http_phrase, phrase, 0)
HTTP_STR(http_host, host, -1)
HTTP_STR(http_ctype, content_type, -1)
HTTP_STR(http_ua, user_agent, -1)
HTTP_STR(http_server, server, -1)
HTTP_STR(http_location, location, -1)
HTTP_STR(http_connection, connection, -1)
ACC(http_code)
{
    int n = 0;
    EACH_HTTP(APP(pkt)) if (!m->h.request) n = put_u(out, n, max, m->h.code);
    return n;
}
ACC(http_clen)
{
    int n = 0;
    EACH_HTTP(APP(pkt)) if (m->h.has_content_length) n = put_u(out, n, max, m->h.content_length);
    return n;
}
ACC(http_time)
{
    int n = 0;
    EACH_HTTP(APP(pkt)) if (m->has_time) n = put_i(out, n, max, m->time_ns, NT_FT_RELTIME);
    return n;
}
ACC(http_request_in)
{
    int n = 0;
    EACH_HTTP(APP(pkt)) if (m->request_in) n = put_i(out, n, max, (int64_t)m->request_in, NT_FT_FRAMENUM);
    return n;
}

/* ---- DNS ---------------------------------------------------------------- */

#define EACH_DNS(a) for (int di_ = 0; (a) && di_ < (a)->ndns; di_++) \
        for (const nt_dns_info *d = &(a)->dns[di_]; d; d = NULL)
#define EACH_RR(d) for (int ri_ = 0; ri_ < (d)->nrr; ri_++) \
        for (const nt_dns_rr_info *r = &(d)->rr[ri_]; r; r = NULL)

static const char *arena(const nt_dns_info *d, uint16_t off) { return off < d->arena_len ? d->arena + off : NULL; }
static int put_cstr(nt_fvalue *out, int n, int max, const char *s)
{
    return s ? put_bytes(out, n, max, s, (uint32_t)strlen(s), NT_FT_STRING) : n;
}

ACC(p_dns)
{
    const nt_appdata *a = APP(pkt);
    if (!a) return 0;
    for (int i = 0; i < a->npdu; i++)
        if (a->pdu[i].proto == NT_P_DNS) {
            int n = put_bytes(out, 0, max, a->pdu[i].p, a->pdu[i].len, NT_FT_PROTOCOL);
            out[0].hdr_len = a->pdu[i].len;
            return n;
        }
    return 0;
}
#define DNS_HDR(fn, expr) ACC(fn) { int n = 0; EACH_DNS(APP(pkt)) n = put_u(out, n, max, (expr)); return n; }
#define DNS_BOOL(fn, expr) ACC(fn) { int n = 0; EACH_DNS(APP(pkt)) n = put_b(out, n, max, (expr)); return n; }
DNS_HDR(dns_id, d->m.h.id)
DNS_HDR(dns_flags, d->m.h.flags)
DNS_BOOL(dns_response, d->m.h.qr)
DNS_HDR(dns_opcode, d->m.h.opcode)
DNS_BOOL(dns_truncated, d->m.h.tc)
DNS_BOOL(dns_rd, d->m.h.rd)
ACC(dns_rcode)
{
    int n = 0;
    EACH_DNS(APP(pkt)) if (d->m.h.qr) n = put_u(out, n, max, d->m.h.rcode);
    return n;
}
DNS_HDR(dns_qdcount, d->m.h.qdcount)
DNS_HDR(dns_ancount, d->m.h.ancount)
ACC(dns_qry_name)
{
    int n = 0;
    EACH_DNS(APP(pkt)) EACH_RR(d) if (r->section == NT_DNS_SEC_QD) n = put_cstr(out, n, max, arena(d, r->name));
    return n;
}
ACC(dns_qry_type)
{
    int n = 0;
    EACH_DNS(APP(pkt)) EACH_RR(d) if (r->section == NT_DNS_SEC_QD) n = put_u(out, n, max, r->type);
    return n;
}
ACC(dns_resp_name)
{
    int n = 0;
    /* Wireshark 4.0 gives an SRV record's owner as dns.srv.name instead */
    EACH_DNS(APP(pkt)) EACH_RR(d) if (r->section != NT_DNS_SEC_QD && r->type != NT_DNS_SRV)
        n = put_cstr(out, n, max, arena(d, r->name));
    return n;
}
ACC(dns_resp_type)
{
    int n = 0;
    EACH_DNS(APP(pkt)) EACH_RR(d) if (r->section != NT_DNS_SEC_QD) n = put_u(out, n, max, r->type);
    return n;
}
ACC(dns_resp_ttl)
{
    int n = 0;
    EACH_DNS(APP(pkt)) EACH_RR(d) if (r->section != NT_DNS_SEC_QD && r->type != NT_DNS_OPT) n = put_u(out, n, max, r->ttl);
    return n;
}
#define DNS_RD(fn, T, stmt) \
    ACC(fn) \
    { \
        int n = 0; \
        EACH_DNS(APP(pkt)) EACH_RR(d) if (r->section != NT_DNS_SEC_QD && r->has_rdata && r->type == (T)) stmt; \
        return n; \
    }
DNS_RD(dns_a, NT_DNS_A, n = put_addr(out, n, max, r->rd.u.a, NT_FT_IPV4))
DNS_RD(dns_aaaa, NT_DNS_AAAA, n = put_addr(out, n, max, r->rd.u.aaaa, NT_FT_IPV6))
DNS_RD(dns_cname, NT_DNS_CNAME, n = put_cstr(out, n, max, arena(d, r->rname)))
DNS_RD(dns_ns, NT_DNS_NS, n = put_cstr(out, n, max, arena(d, r->rname)))
DNS_RD(dns_ptr, NT_DNS_PTR, n = put_cstr(out, n, max, arena(d, r->rname)))
DNS_RD(dns_mx, NT_DNS_MX, n = put_cstr(out, n, max, arena(d, r->rname)))
DNS_RD(dns_mx_pref, NT_DNS_MX, n = put_u(out, n, max, r->rd.u.mx.preference))
DNS_RD(dns_srv_target, NT_DNS_SRV, n = put_cstr(out, n, max, arena(d, r->rname)))
DNS_RD(dns_srv_port, NT_DNS_SRV, n = put_u(out, n, max, r->rd.u.srv.port))
DNS_RD(dns_srv_prio, NT_DNS_SRV, n = put_u(out, n, max, r->rd.u.srv.priority))
DNS_RD(dns_srv_weight, NT_DNS_SRV, n = put_u(out, n, max, r->rd.u.srv.weight))
DNS_RD(dns_soa_mname, NT_DNS_SOA, n = put_cstr(out, n, max, arena(d, r->rname)))
/* every character-string of a TXT record is a value, as in Wireshark; read
 * from the message itself, which stays valid during the frame */
static int txt_strings(const nt_dns_info *d, const nt_dns_rr_info *r, nt_fvalue *out, int n, int max)
{
    size_t pos = 0;
    const uint8_t *str;
    uint8_t sl;
    nt_dns_err err = NT_DNS_OK;
    while (n < max && nt_dns_txt_next(&d->m, &r->rd, &pos, &str, &sl, &err)) n = put_bytes(out, n, max, str, sl, NT_FT_STRING);
    return n;
}
DNS_RD(dns_txt, NT_DNS_TXT, n = txt_strings(d, r, out, n, max))
ACC(dns_time)
{
    int n = 0;
    EACH_DNS(APP(pkt)) if (d->has_time) n = put_i(out, n, max, d->time_ns, NT_FT_RELTIME);
    return n;
}
ACC(dns_response_to)
{
    int n = 0;
    EACH_DNS(APP(pkt)) if (d->response_to) n = put_i(out, n, max, (int64_t)d->response_to, NT_FT_FRAMENUM);
    return n;
}
ACC(dns_retrans)
{
    int n = 0;
    EACH_DNS(APP(pkt)) if (d->retransmission) n = put_b(out, n, max, true);
    return n;
}

/* ---- protocols of the proto/ tables without a protocol row ------------- */

ACC(p_stun)
{
    const nt_appdata *a = APP(pkt);
    if (!a) return 0;
    int n = 0;
    for (int i = 0; i < a->npdu; i++)
        if (a->pdu[i].proto == NT_P_STUN) {
            n = put_bytes(out, n, max, a->pdu[i].p, a->pdu[i].len, NT_FT_PROTOCOL);
            out[n - 1].hdr_len = a->pdu[i].len;
        }
    return n;
}

#define P NT_ROW_P
#define U NT_ROW_U
#define F NT_ROW_F

const nt_field nt_app_fields[] = {
    P("tls", "Transport Layer Security", p_tls),
    U("tls.record.content_type", 1, "Content Type", tls_ct),
    U("tls.record.opaque_type", 1, "Opaque Type", tls_opaque),
    U("tls.record.version", 2, "Version", tls_rec_version),
    U("tls.record.length", 2, "Length", tls_rec_len),
    U("tls.handshake.type", 1, "Handshake Type", tls_hs_type),
    U("tls.handshake.version", 2, "Version", tls_hs_version),
    F("tls.handshake.extensions_server_name", NT_FT_STRING, "Server Name", tls_sni),
    F("tls.handshake.extensions_alpn_str", NT_FT_STRING, "ALPN Next Protocol", tls_alpn),
    U("tls.handshake.ciphersuite", 2, "Cipher Suite", tls_cipher),
    U("tls.handshake.cipher_suites_length", 2, "Cipher Suites Length", tls_cipher_len),
    U("tls.handshake.extensions.supported_version", 2, "Supported Version", tls_supported_version),
    U("tls.handshake.dnames_len", 2, "Distinguished Names Length", tls_dnames_len),
    F("tls.handshake.certificate", NT_FT_BYTES, "Certificate", tls_cert),
    U("tls.alert_message.level", 1, "Level", tls_alert_level),
    U("tls.alert_message.desc", 1, "Description", tls_alert_desc),
    F("x509sat.uTF8String", NT_FT_STRING, "uTF8String", x509_utf8),
    F("x509sat.printableString", NT_FT_STRING, "printableString", x509_printable),
    F("x509ce.dNSName", NT_FT_STRING, "dNSName", x509_dns),
    P("dns", "Domain Name System", p_dns),
    U("dns.id", 2, "Transaction ID", dns_id),
    U("dns.flags", 2, "Flags", dns_flags),
    F("dns.flags.response", NT_FT_BOOL, "Response", dns_response),
    U("dns.flags.opcode", 2, "Opcode", dns_opcode),
    F("dns.flags.truncated", NT_FT_BOOL, "Truncated", dns_truncated),
    F("dns.flags.recdesired", NT_FT_BOOL, "Recursion desired", dns_rd),
    U("dns.flags.rcode", 2, "Reply code", dns_rcode),
    U("dns.count.queries", 2, "Questions", dns_qdcount),
    U("dns.count.answers", 2, "Answer RRs", dns_ancount),
    F("dns.qry.name", NT_FT_STRING, "Name", dns_qry_name),
    U("dns.qry.type", 2, "Type", dns_qry_type),
    F("dns.resp.name", NT_FT_STRING, "Name", dns_resp_name),
    U("dns.resp.type", 2, "Type", dns_resp_type),
    U("dns.resp.ttl", 4, "Time to live", dns_resp_ttl),
    F("dns.a", NT_FT_IPV4, "Address", dns_a),
    F("dns.aaaa", NT_FT_IPV6, "AAAA Address", dns_aaaa),
    F("dns.cname", NT_FT_STRING, "CNAME", dns_cname),
    F("dns.ns", NT_FT_STRING, "Name Server", dns_ns),
    F("dns.ptr.domain_name", NT_FT_STRING, "Domain Name", dns_ptr),
    F("dns.mx.mail_exchange", NT_FT_STRING, "Mail Exchange", dns_mx),
    U("dns.mx.preference", 2, "Preference", dns_mx_pref),
    F("dns.srv.target", NT_FT_STRING, "Target", dns_srv_target),
    U("dns.srv.port", 2, "Port", dns_srv_port),
    U("dns.srv.priority", 2, "Priority", dns_srv_prio),
    U("dns.srv.weight", 2, "Weight", dns_srv_weight),
    F("dns.soa.mname", NT_FT_STRING, "Primary name server", dns_soa_mname),
    F("dns.txt", NT_FT_STRING, "TXT", dns_txt),
    F("dns.time", NT_FT_RELTIME, "Time", dns_time),
    F("dns.response_to", NT_FT_FRAMENUM, "Request In", dns_response_to),
    F("dns.retransmission", NT_FT_BOOL, "Retransmission", dns_retrans),
    P("stun", "Session Traversal Utilities for NAT", p_stun),
    P("http", "Hypertext Transfer Protocol", p_http),
    F("http.request", NT_FT_BOOL, "Request", http_request),
    F("http.response", NT_FT_BOOL, "Response", http_response),
    F("http.request.method", NT_FT_STRING, "Request Method", http_method),
    F("http.request.uri", NT_FT_STRING, "Request URI", http_uri),
    F("http.request.version", NT_FT_STRING, "Request Version", http_req_version),
    F("http.response.version", NT_FT_STRING, "Response Version", http_resp_version),
    U("http.response.code", 2, "Status Code", http_code),
    F("http.response.phrase", NT_FT_STRING, "Response Phrase", http_phrase),
    F("http.host", NT_FT_STRING, "Host", http_host),
    F("http.content_type", NT_FT_STRING, "Content-Type", http_ctype),
    U("http.content_length", 8, "Content length", http_clen),
    F("http.user_agent", NT_FT_STRING, "User-Agent", http_ua),
    F("http.server", NT_FT_STRING, "Server", http_server),
    F("http.location", NT_FT_STRING, "Location", http_location),
    F("http.connection", NT_FT_STRING, "Connection", http_connection),
    F("http.time", NT_FT_RELTIME, "Time since request", http_time),
    F("http.request_in", NT_FT_FRAMENUM, "Request in frame", http_request_in),
};
const size_t nt_app_nfields = sizeof nt_app_fields / sizeof nt_app_fields[0];

/* ---- the messages of the proto/ tables ---------------------------------- */

int nt_app_msgs(const nt_appdata *a, uint8_t proto, const void **out, int max)
{
    int n = 0;
#define TAKE(arr, cnt) for (int i = 0; i < (cnt) && n < max; i++) out[n++] = &(arr)[i]
    switch (proto) {
    case NT_P_SIP: TAKE(a->sip, a->nsip); break;
    case NT_P_SDP: TAKE(a->sdp, a->nsdp); break;
    case NT_P_RTP: TAKE(a->rtp, a->nrtp); break;
    case NT_P_RTCP: TAKE(a->rtcp, a->nrtcp); break;
    case NT_P_STUN: TAKE(a->stun, a->nstun); break;
    case NT_P_DHCP: TAKE(a->dhcp, a->ndhcp); break;
    case NT_P_NBNS: TAKE(a->nbns, a->nnbns); break;
    case NT_P_TPKT: TAKE(a->tpkt, a->ntpkt); break;
    default: break;
    }
#undef TAKE
    return n;
}
