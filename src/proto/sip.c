/* sip.c - SIP message parser (see sip.h). Lines end in CRLF or a bare LF
 * (Wireshark accepts both); header lines starting with a space or tab
 * continue the previous header. */
#include "nettracer/sip.h"

#include <string.h>
#include <strings.h>

#include "nettracer/field_put.h"

static const char *const sip_methods[] = {
    "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE",
    "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE", "SERVICE", "BENOTIFY",
};

/* The line starting at off: its text without the line end, and the offset
 * after the line end. false when no line end is in the buffer. */
static bool next_line(const uint8_t *p, uint32_t len, uint32_t off, nt_text *line, uint32_t *next)
{
    const uint8_t *nl = off < len ? memchr(p + off, '\n', len - off) : NULL;
    if (!nl) return false;
    uint32_t end = (uint32_t)(nl - p);
    uint32_t e = end;
    if (e > off && p[e - 1] == '\r') e--;
    line->p = (const char *)p + off;
    line->len = e - off;
    *next = end + 1;
    return true;
}

static nt_text trim(nt_text t)
{
    while (t.len && (t.p[0] == ' ' || t.p[0] == '\t')) { t.p++; t.len--; }
    while (t.len && (t.p[t.len - 1] == ' ' || t.p[t.len - 1] == '\t' ||
                     t.p[t.len - 1] == '\r' || t.p[t.len - 1] == '\n')) t.len--;
    return t;
}

static bool is_token_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           strchr("-.!%*_+`'~", c) != NULL;
}

static bool starts(nt_text t, uint32_t off, const char *s)
{
    size_t n = strlen(s);
    return off <= t.len && t.len - off >= n && memcmp(t.p + off, s, n) == 0;
}

/* The first line: status line or request line. */
static bool parse_first_line(nt_text l, nt_sip *s)
{
    s->first_line = l;
    if (starts(l, 0, "SIP/2.0 ")) {
        if (l.len < 11) return false;
        uint32_t code = 0;
        for (int i = 8; i < 11; i++) {
            if (l.p[i] < '0' || l.p[i] > '9') return false;
            code = code * 10 + (uint32_t)(l.p[i] - '0');
        }
        if (l.len > 11 && l.p[11] != ' ') return false;
        s->is_request = false;
        s->status = (uint16_t)code;
        s->status_text = (nt_text){l.p + 8, l.len - 8};
        s->reason = l.len > 12 ? (nt_text){l.p + 12, l.len - 12} : (nt_text){l.p + l.len, 0};
        return true;
    }
    uint32_t i = 0;
    while (i < l.len && is_token_char(l.p[i])) i++;
    if (i == 0 || i >= l.len || l.p[i] != ' ') return false;
    if (l.len < i + 1 + 8 || memcmp(l.p + l.len - 8, " SIP/2.0", 8) != 0) return false;
    uint32_t uri_start = i + 1, uri_end = l.len - 8;
    if (uri_end <= uri_start) return false;
    for (uint32_t k = uri_start; k < uri_end; k++)
        if (l.p[k] == ' ') return false;
    s->is_request = true;
    s->method = (nt_text){l.p, i};
    s->ruri = (nt_text){l.p + uri_start, uri_end - uri_start};
    return true;
}

static bool known_method(nt_text m)
{
    for (size_t i = 0; i < sizeof sip_methods / sizeof sip_methods[0]; i++)
        if (nt_text_eq(m, sip_methods[i])) return true;
    return false;
}

bool nt_sip_detect(const uint8_t *p, uint32_t len)
{
    nt_text l;
    uint32_t next;
    /* the first line may be all we have of a long message */
    if (!next_line(p, len, 0, &l, &next)) l = (nt_text){(const char *)p, len};
    nt_sip s;
    memset(&s, 0, sizeof s);
    if (!parse_first_line(l, &s)) return false;
    return !s.is_request || known_method(s.method);
}

/* Could p be the beginning of a SIP first line that has not all arrived? */
static bool plausible_start(const uint8_t *p, uint32_t len)
{
    const char *v = "SIP/2.0 ";
    uint32_t n = len < 8 ? len : 8;
    if (memcmp(p, v, n) == 0) return true;
    for (size_t i = 0; i < sizeof sip_methods / sizeof sip_methods[0]; i++) {
        size_t ml = strlen(sip_methods[i]);
        uint32_t k = len < ml + 1 ? len : (uint32_t)ml + 1;
        char want[16];
        memcpy(want, sip_methods[i], ml);
        want[ml] = ' ';
        if (memcmp(p, want, k) == 0) return true;
    }
    return false;
}

/* Header name -> canonical id. */
enum { H_OTHER, H_CALLID, H_CSEQ, H_FROM, H_TO, H_VIA, H_CONTACT, H_CTYPE, H_CLEN, H_MSDIAG, H_EXPIRES };

static int header_id(nt_text name)
{
    static const struct { const char *n; int id; } names[] = {
        {"call-id", H_CALLID}, {"i", H_CALLID}, {"cseq", H_CSEQ}, {"from", H_FROM}, {"f", H_FROM},
        {"to", H_TO}, {"t", H_TO}, {"via", H_VIA}, {"v", H_VIA}, {"contact", H_CONTACT},
        {"m", H_CONTACT}, {"content-type", H_CTYPE}, {"c", H_CTYPE}, {"content-length", H_CLEN},
        {"l", H_CLEN}, {"ms-diagnostics", H_MSDIAG}, {"expires", H_EXPIRES},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (nt_text_ieq(name, names[i].n)) return names[i].id;
    return H_OTHER;
}

static bool parse_uint(nt_text t, uint32_t *v)
{
    if (!t.len || t.len > 10) return false;
    uint64_t x = 0;
    for (uint32_t i = 0; i < t.len; i++) {
        if (t.p[i] < '0' || t.p[i] > '9') return false;
        x = x * 10 + (uint64_t)(t.p[i] - '0');
    }
    if (x > UINT32_MAX) return false;
    *v = (uint32_t)x;
    return true;
}

/* From/To: [display-name] <uri>;params  or  uri;params */
static void parse_addr(nt_text v, nt_sip_addr *a)
{
    memset(a, 0, sizeof *a);
    a->value = v;
    uint32_t i = 0, uri_s, uri_e;
    const char *lt = NULL;
    /* a quoted display name may contain '<' */
    bool q = false;
    for (; i < v.len; i++) {
        if (v.p[i] == '"' && (i == 0 || v.p[i - 1] != '\\')) q = !q;
        else if (!q && v.p[i] == '<') { lt = v.p + i; break; }
    }
    uint32_t params;
    if (lt) {
        uri_s = (uint32_t)(lt - v.p) + 1;
        const char *gt = memchr(v.p + uri_s, '>', v.len - uri_s);
        uri_e = gt ? (uint32_t)(gt - v.p) : v.len;
        params = gt ? uri_e + 1 : v.len;
    } else {
        uri_s = 0;
        const char *semi = memchr(v.p, ';', v.len);
        uri_e = semi ? (uint32_t)(semi - v.p) : v.len;
        params = uri_e;
    }
    a->uri = trim((nt_text){v.p + uri_s, uri_e - uri_s});
    /* user part: between the scheme's ':' and '@' */
    const char *colon = a->uri.len ? memchr(a->uri.p, ':', a->uri.len) : NULL;
    if (colon) {
        uint32_t us = (uint32_t)(colon - a->uri.p) + 1;
        const char *at = memchr(a->uri.p + us, '@', a->uri.len - us);
        if (at) a->user = (nt_text){a->uri.p + us, (uint32_t)(at - a->uri.p) - us};
    }
    /* ;tag=... among the parameters after the URI */
    for (uint32_t k = params; k < v.len; k++) {
        if (v.p[k] != ';') continue;
        uint32_t s = k + 1;
        while (s < v.len && v.p[s] == ' ') s++;
        if (v.len - s >= 4 && strncasecmp(v.p + s, "tag=", 4) == 0) {
            uint32_t e = s + 4;
            while (e < v.len && v.p[e] != ';' && v.p[e] != ',' && v.p[e] != ' ') e++;
            a->tag = (nt_text){v.p + s + 4, e - s - 4};
            break;
        }
    }
}

static void parse_cseq(nt_text v, nt_sip *s)
{
    uint32_t i = 0;
    while (i < v.len && v.p[i] >= '0' && v.p[i] <= '9') i++;
    uint32_t seq;
    if (!parse_uint((nt_text){v.p, i}, &seq)) return;
    s->has_cseq = true;
    s->cseq_seq = seq;
    while (i < v.len && (v.p[i] == ' ' || v.p[i] == '\t')) i++;
    s->cseq_method = trim((nt_text){v.p + i, v.len - i});
}

/* Contact: a comma-separated list of addresses (commas inside quotes or
 * <> belong to an address); counts them and those with ;expires=0. */
static void count_contacts(nt_text v, nt_sip *s, uint16_t *no_param)
{
    if (nt_text_eq(v, "*")) {
        s->contact_star = true;
        return;
    }
    bool q = false, angle = false;
    uint32_t start = 0;
    for (uint32_t i = 0; i <= v.len; i++) {
        char ch = i < v.len ? v.p[i] : ',';
        if (ch == '"' && (i == 0 || v.p[i - 1] != '\\')) q = !q;
        else if (!q && ch == '<') angle = true;
        else if (!q && ch == '>') angle = false;
        else if (!q && !angle && ch == ',') {
            nt_text c = trim((nt_text){v.p + start, i - start});
            start = i + 1;
            if (!c.len) continue;
            s->contacts++;
            /* the expires parameter after the address */
            const char *gt = memchr(c.p, '>', c.len);
            uint32_t from = gt ? (uint32_t)(gt - c.p) : 0;
            bool found = false;
            for (uint32_t k = from; k + 8 <= c.len; k++) {
                if (c.p[k] == ';' && strncasecmp(c.p + k + 1, "expires=", 8) == 0 && k + 9 <= c.len) {
                    found = true;
                    uint32_t e = k + 9, val = 0;
                    bool digits = false;
                    while (e < c.len && c.p[e] >= '0' && c.p[e] <= '9') { val = val * 10 + (uint32_t)(c.p[e] - '0'); e++; digits = true; if (val > 100000000) break; }
                    if (digits && val == 0) s->contacts_expire0++;
                    break;
                }
            }
            if (!found) (*no_param)++;
        }
    }
}

/* Walks the headers; fills s when non-NULL. Returns the header length (the
 * empty line included), 0 when the empty line is not in the buffer, and sets
 * *clen / *has_clen; *bad on a Content-Length that is not a number. */
static uint32_t walk_headers(const uint8_t *p, uint32_t len, uint32_t off, nt_sip *s,
                             uint32_t *clen, bool *has_clen, bool *bad)
{
    nt_text l, name = {0}, value = {0};
    uint32_t next;
    bool have = false;
    uint16_t no_param = 0;      /* contacts without an expires parameter */
    *has_clen = false;
    *bad = false;
    for (;;) {
        if (!next_line(p, len, off, &l, &next)) return 0;
        bool cont = l.len && (l.p[0] == ' ' || l.p[0] == '\t');
        if (cont && have) {
            value.len = (uint32_t)(l.p + l.len - value.p);   /* folded line */
            off = next;
            continue;
        }
        if (have) {
            value = trim(value);
            int id = header_id(name);
            if (s) s->nheaders++;
            if (id == H_CLEN) {
                uint32_t v;
                if (!parse_uint(value, &v)) { *bad = true; return 0; }
                *clen = v;
                *has_clen = true;
            }
            if (s) {
                switch (id) {
                case H_CALLID: if (!s->call_id.p) s->call_id = value; break;
                case H_CSEQ: if (!s->has_cseq) parse_cseq(value, s); break;
                case H_FROM: if (!s->has_from) { parse_addr(value, &s->from); s->has_from = true; } break;
                case H_TO: if (!s->has_to) { parse_addr(value, &s->to); s->has_to = true; } break;
                case H_VIA: if (s->nvia < NT_SIP_MAX_VIA) s->via[s->nvia++] = value; break;
                case H_CONTACT:
                    if (s->ncontact < NT_SIP_MAX_CONTACT) s->contact[s->ncontact++] = value;
                    count_contacts(value, s, &no_param);
                    break;
                case H_EXPIRES: {
                    uint32_t v;
                    if (!s->has_expires && parse_uint(value, &v)) { s->has_expires = true; s->expires = v; }
                    break;
                }
                case H_CTYPE: if (!s->content_type.p) s->content_type = value; break;
                case H_MSDIAG: if (!s->ms_diag.p) s->ms_diag = value; break;
                default: break;
                }
            }
            have = false;
        }
        if (l.len == 0) {                    /* the empty line: end of headers */
            if (s && s->has_expires && s->expires == 0) s->contacts_expire0 += no_param;
            return next;
        }
        const char *colon = memchr(l.p, ':', l.len);
        if (!colon) { off = next; continue; }   /* not a header: skipped, as Wireshark */
        name = trim((nt_text){l.p, (uint32_t)(colon - l.p)});
        value = (nt_text){colon + 1, (uint32_t)(l.p + l.len - colon - 1)};
        have = true;
        off = next;
    }
}

int nt_sip_msg_len(const uint8_t *p, uint32_t len, uint32_t *msg_len)
{
    nt_text l;
    uint32_t next;
    if (!next_line(p, len, 0, &l, &next))   /* a first line longer than 4 KB is not SIP */
        return len < 4096 && plausible_start(p, len) ? NT_SIP_LEN_MORE : NT_SIP_LEN_BAD;
    nt_sip tmp;
    memset(&tmp, 0, sizeof tmp);
    if (!parse_first_line(l, &tmp)) return NT_SIP_LEN_BAD;
    uint32_t clen = 0;
    bool has, bad;
    uint32_t hl = walk_headers(p, len, next, NULL, &clen, &has, &bad);
    if (bad) return NT_SIP_LEN_BAD;
    if (!hl) return NT_SIP_LEN_MORE;
    *msg_len = hl + (has ? clen : 0);
    if (has && clen > len - hl) return NT_SIP_LEN_MORE;
    return NT_SIP_LEN_OK;
}

bool nt_sip_parse(const uint8_t *p, uint32_t len, nt_sip *s)
{
    memset(s, 0, sizeof *s);
    s->raw = p;
    nt_text l;
    uint32_t next;
    if (!next_line(p, len, 0, &l, &next)) {
        s->error = "no complete first line";
        return false;
    }
    if (!parse_first_line(l, s)) {
        s->error = "not a SIP request or status line";
        return false;
    }
    uint32_t clen = 0;
    bool has, bad;
    uint32_t hl = walk_headers(p, len, next, s, &clen, &has, &bad);
    if (bad) {
        s->error = "Content-Length is not a number";
        return false;
    }
    if (!hl) {
        /* no empty line: the headers run to the end of the buffer; keep
         * what was decoded, as Wireshark shows the headers of a cut message */
        s->hdr_len = len;
        s->msg_len = len;
        s->body = p + len;
        s->error = "headers not terminated by an empty line";
        return true;
    }
    s->hdr_len = hl;
    s->has_clen = has;
    s->content_length = clen;
    s->body = p + hl;
    uint32_t rest = len - hl;
    if (has) {
        s->body_len = clen <= rest ? clen : rest;
        s->body_cut = clen > rest;
    } else {
        s->body_len = rest;
    }
    s->msg_len = hl + s->body_len;
    return true;
}

static void bindings(nt_buf *b, unsigned n)
{
    nt_buf_printf(b, "  (%u binding%s)", n, n == 1 ? "" : "s");
}

void nt_sip_info(const nt_sip *s, nt_buf *b)
{
    if (s->is_request) {
        nt_buf_puts(b, "Request: ");
        nt_buf_put(b, s->first_line.p, s->first_line.len - 8);
        if (nt_text_eq(s->method, "REGISTER")) {
            if (s->contact_star && s->has_expires && s->expires == 0) {
                nt_buf_puts(b, "  (remove all bindings)");
            } else if (s->contacts_expire0) {
                nt_buf_printf(b, "  (remove %u binding%s)", s->contacts_expire0, s->contacts_expire0 == 1 ? "" : "s");
            } else if (s->contacts == 0 && !s->contact_star) {
                nt_buf_puts(b, "  (fetch bindings)");
            } else {
                bindings(b, s->contacts);
            }
        }
    } else {
        nt_buf_puts(b, "Status: ");
        nt_buf_put(b, s->status_text.p, s->status_text.len);
        if (s->status == 200) {   /* tshark names the method a 200 answers */
            nt_buf_puts(b, " (");
            if (s->has_cseq) nt_buf_put(b, s->cseq_method.p, s->cseq_method.len);
            nt_buf_putc(b, ')');
        }
        if (s->status >= 200 && s->status < 300 && s->has_cseq && nt_text_eq(s->cseq_method, "REGISTER"))
            bindings(b, (unsigned)(s->contacts - s->contacts_expire0));
    }
    nt_buf_puts(b, " | ");
}

bool nt_sip_has_sdp(const nt_sip *s)
{
    nt_text t = s->content_type;
    const char *semi = t.p ? memchr(t.p, ';', t.len) : NULL;
    if (semi) t.len = (uint32_t)(semi - t.p);
    t = trim(t);
    return s->body_len > 0 && nt_text_ieq(t, "application/sdp");
}

/* ---- fields ------------------------------------------------------------ */

#define MACC(fn) static int fn(const void *m, nt_fvalue *out, int max)
#define S ((const nt_sip *)m)

static int put_text(nt_fvalue *out, int n, int max, nt_text t)
{
    return t.p ? put_bytes(out, n, max, t.p, t.len, NT_FT_STRING) : n;
}

MACC(f_sip)
{
    int n = put_bytes(out, 0, max, S->raw, S->msg_len, NT_FT_PROTOCOL);
    if (n) out[0].hdr_len = S->hdr_len;
    return n;
}
MACC(f_method) { return S->is_request ? put_text(out, 0, max, S->method) : 0; }
MACC(f_status) { return S->is_request ? 0 : put_u(out, 0, max, S->status); }
MACC(f_callid) { return put_text(out, 0, max, S->call_id); }
MACC(f_cseq_method) { return S->has_cseq ? put_text(out, 0, max, S->cseq_method) : 0; }
MACC(f_cseq_seq) { return S->has_cseq ? put_u(out, 0, max, S->cseq_seq) : 0; }
MACC(f_from_user) { return S->has_from && S->from.user.len ? put_text(out, 0, max, S->from.user) : 0; }
MACC(f_to_user) { return S->has_to && S->to.user.len ? put_text(out, 0, max, S->to.user) : 0; }
MACC(f_from_tag) { return S->has_from ? put_text(out, 0, max, S->from.tag) : 0; }
MACC(f_to_tag) { return S->has_to ? put_text(out, 0, max, S->to.tag) : 0; }
MACC(f_ruri) { return S->is_request ? put_text(out, 0, max, S->ruri) : 0; }
MACC(f_via)
{
    int n = 0;
    for (int i = 0; i < S->nvia; i++) n = put_text(out, n, max, S->via[i]);
    return n;
}
MACC(f_contact)
{
    int n = 0;
    for (int i = 0; i < S->ncontact; i++) n = put_text(out, n, max, S->contact[i]);
    return n;
}
MACC(f_ctype) { return put_text(out, 0, max, S->content_type); }
MACC(f_clen) { return S->has_clen ? put_u(out, 0, max, S->content_length) : 0; }
MACC(f_msdiag) { return put_text(out, 0, max, S->ms_diag); }

const nt_msg_field nt_sip_fields[] = {
    {"sip", NT_FT_PROTOCOL, 0, "Session Initiation Protocol", f_sip, NULL, .msg_proto = NT_P_SIP},
    {"sip.Method", NT_FT_STRING, 0, "Method", f_method, NULL, .msg_proto = NT_P_SIP},
    {"sip.Status-Code", NT_FT_UINT, 4, "Status-Code", f_status, NULL, .msg_proto = NT_P_SIP},
    {"sip.Call-ID", NT_FT_STRING, 0, "Call-ID", f_callid, NULL, .msg_proto = NT_P_SIP},
    {"sip.CSeq.method", NT_FT_STRING, 0, "Method", f_cseq_method, NULL, .msg_proto = NT_P_SIP},
    {"sip.CSeq.seq", NT_FT_UINT, 4, "Sequence Number", f_cseq_seq, NULL, .msg_proto = NT_P_SIP},
    {"sip.from.user", NT_FT_STRING, 0, "SIP from address User Part", f_from_user, NULL, .msg_proto = NT_P_SIP},
    {"sip.to.user", NT_FT_STRING, 0, "SIP to address User Part", f_to_user, NULL, .msg_proto = NT_P_SIP},
    {"sip.from.tag", NT_FT_STRING, 0, "SIP from tag", f_from_tag, NULL, .msg_proto = NT_P_SIP},
    {"sip.to.tag", NT_FT_STRING, 0, "SIP to tag", f_to_tag, NULL, .msg_proto = NT_P_SIP},
    {"sip.r-uri", NT_FT_STRING, 0, "Request-URI", f_ruri, NULL, .msg_proto = NT_P_SIP},
    {"sip.Via", NT_FT_STRING, 0, "Via", f_via, NULL, .msg_proto = NT_P_SIP},
    {"sip.Contact", NT_FT_STRING, 0, "Contact", f_contact, NULL, .msg_proto = NT_P_SIP},
    {"sip.Content-Type", NT_FT_STRING, 0, "Content-Type", f_ctype, NULL, .msg_proto = NT_P_SIP},
    {"sip.Content-Length", NT_FT_UINT, 4, "Content-Length", f_clen, NULL, .msg_proto = NT_P_SIP},
    /* not a Wireshark 4.0 field (it shows the header as unknown): nettracer's */
    {"sip.ms-diagnostics", NT_FT_STRING, 0, "ms-diagnostics (Microsoft)", f_msdiag, NULL, .msg_proto = NT_P_SIP},
};
const size_t nt_sip_nfields = sizeof nt_sip_fields / sizeof nt_sip_fields[0];
