/* sdp.c - SDP parser (see sdp.h). Lines are "<type>=<value>", ending in
 * CRLF or LF; unknown line types are skipped. */
#include "nettracer/sdp.h"

#include <arpa/inet.h>
#include <string.h>

#include "nettracer/field_put.h"
#include "nettracer/rtp.h"

static nt_text word(nt_text *rest)
{
    uint32_t i = 0;
    while (i < rest->len && rest->p[i] == ' ') i++;
    uint32_t s = i;
    while (i < rest->len && rest->p[i] != ' ') i++;
    nt_text w = {rest->p + s, i - s};
    rest->p += i;
    rest->len -= i;
    return w;
}

static bool to_u32(nt_text t, uint32_t *v)
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

static void parse_address(nt_sdp_conn *c)
{
    char buf[64];
    nt_text a = c->address;
    const char *slash = a.len ? memchr(a.p, '/', a.len) : NULL;   /* multicast TTL/count */
    if (slash) a.len = (uint32_t)(slash - a.p);
    c->address = a;
    nt_text_cstr(a, buf, sizeof buf);
    c->family = 0;
    if (nt_text_eq(c->addrtype, "IP4") && inet_pton(AF_INET, buf, c->addr) == 1) c->family = 4;
    else if (nt_text_eq(c->addrtype, "IP6") && inet_pton(AF_INET6, buf, c->addr) == 1) c->family = 6;
}

/* "IN IP4 10.0.0.1" */
static bool parse_conn(nt_text v, nt_sdp_conn *c)
{
    memset(c, 0, sizeof *c);
    c->nettype = word(&v);
    c->addrtype = word(&v);
    c->address = word(&v);
    if (!c->address.len) return false;
    parse_address(c);
    return true;
}

/* "audio 49170[/2] RTP/AVP 0 8 101" */
static bool parse_media(nt_text v, nt_sdp_media *m)
{
    memset(m, 0, sizeof *m);
    m->media = word(&v);
    nt_text port = word(&v);
    m->proto = word(&v);
    if (!m->media.len || !port.len || !m->proto.len) return false;
    const char *slash = memchr(port.p, '/', port.len);
    uint32_t pv, cnt = 1;
    nt_text pt = {port.p, slash ? (uint32_t)(slash - port.p) : port.len};
    if (!to_u32(pt, &pv) || pv > 65535) return false;
    if (slash && (!to_u32((nt_text){slash + 1, (uint32_t)(port.p + port.len - slash - 1)}, &cnt) ||
                  cnt == 0 || cnt > 65535))
        return false;
    m->port = (uint16_t)pv;
    m->nports = (uint16_t)cnt;
    for (;;) {
        nt_text f = word(&v);
        if (!f.len) break;
        if (m->nfmt < NT_SDP_MAX_FMT) m->fmt[m->nfmt++] = f;
    }
    return true;
}

static bool is_direction(nt_text a)
{
    return nt_text_eq(a, "sendrecv") || nt_text_eq(a, "sendonly") || nt_text_eq(a, "recvonly") ||
           nt_text_eq(a, "inactive");
}

static void parse_attr(nt_text v, nt_sdp *s, nt_sdp_media *m)
{
    const char *colon = memchr(v.p, ':', v.len);
    nt_text name = {v.p, colon ? (uint32_t)(colon - v.p) : v.len};
    nt_text val = colon ? (nt_text){colon + 1, (uint32_t)(v.p + v.len - colon - 1)} : (nt_text){v.p + v.len, 0};
    if (is_direction(name)) {
        if (m) m->direction = name;
        else s->direction = name;
        return;
    }
    if (!m) return;
    if (nt_text_eq(name, "rtpmap") && m->nrtpmap < NT_SDP_MAX_RTPMAP) {
        /* rtpmap:<pt> <encoding>/<clock>[/<channels>] */
        nt_text ptw = word(&val), enc = word(&val);
        uint32_t pt, rate = 0;
        if (!to_u32(ptw, &pt) || pt > 127 || !enc.len) return;
        const char *sl = memchr(enc.p, '/', enc.len);
        nt_text name_t = {enc.p, sl ? (uint32_t)(sl - enc.p) : enc.len};
        if (sl) {
            nt_text r = {sl + 1, (uint32_t)(enc.p + enc.len - sl - 1)};
            const char *sl2 = memchr(r.p, '/', r.len);
            if (sl2) r.len = (uint32_t)(sl2 - r.p);
            if (!to_u32(r, &rate)) rate = 0;
        }
        nt_sdp_rtpmap *rm = &m->rtpmap[m->nrtpmap++];
        rm->pt = (uint8_t)pt;
        rm->encoding = name_t;
        rm->clock_rate = rate;
    } else if (nt_text_eq(name, "rtcp")) {
        /* rtcp:<port> [IN IP4 <addr>] (RFC 3605) */
        nt_text pw = word(&val);
        uint32_t port;
        if (!to_u32(pw, &port) || port > 65535) return;
        m->has_rtcp = true;
        m->rtcp_port = (uint16_t)port;
        if (parse_conn(val, &m->rtcp_conn) && m->rtcp_conn.family) m->has_rtcp_conn = true;
    } else if (nt_text_eq(name, "rtcp-mux")) {
        m->rtcp_mux = true;
    }
}

bool nt_sdp_parse(const uint8_t *p, uint32_t len, nt_sdp *s)
{
    memset(s, 0, sizeof *s);
    s->raw = p;
    s->len = len;
    if (len < 3 || p[0] != 'v' || p[1] != '=') {
        s->error = "does not start with a v= line";
        return false;
    }
    uint32_t off = 0;
    nt_sdp_media *cur = NULL;
    bool skipping = false;      /* inside a media past the cap */
    while (off < len) {
        const uint8_t *nl = memchr(p + off, '\n', len - off);
        uint32_t end = nl ? (uint32_t)(nl - p) : len;
        uint32_t e = end;
        if (e > off && p[e - 1] == '\r') e--;
        nt_text line = {(const char *)p + off, e - off};
        off = nl ? end + 1 : len;
        if (line.len < 2 || line.p[1] != '=') {
            if (line.len == 0) continue;
            s->error = "a line that is not <type>=<value>";
            return false;
        }
        nt_text v = {line.p + 2, line.len - 2};
        switch (line.p[0]) {
        case 'c': {
            nt_sdp_conn c;
            if (!parse_conn(v, &c)) {
                s->error = "c= line without an address";
                return false;
            }
            if (skipping) break;
            if (cur) { cur->conn = c; cur->has_conn = true; }
            else { s->conn = c; s->has_conn = true; }
            break;
        }
        case 'm':
            if (s->nmedia >= NT_SDP_MAX_MEDIA) {
                s->media_dropped++;
                skipping = true;
                cur = NULL;
                break;
            }
            if (!parse_media(v, &s->media[s->nmedia])) {
                s->error = "m= line is not <media> <port> <proto> <fmt>...";
                return false;
            }
            cur = &s->media[s->nmedia++];
            break;
        case 'a':
            if (!skipping) parse_attr(v, s, cur);
            break;
        default:
            break;
        }
    }
    return true;
}

int nt_sdp_endpoints(const nt_sdp *s, nt_sdp_endpoint *out, int max)
{
    int n = 0;
    for (int i = 0; i < s->nmedia && n < max; i++) {
        const nt_sdp_media *m = &s->media[i];
        const nt_sdp_conn *c = m->has_conn ? &m->conn : s->has_conn ? &s->conn : NULL;
        if (!c || !c->family || m->port == 0) continue;
        nt_sdp_endpoint *e = &out[n++];
        memset(e, 0, sizeof *e);
        e->media_idx = (uint8_t)i;
        e->family = c->family;
        memcpy(e->addr, c->addr, 16);
        e->rtp_port = m->port;
        e->rtcp_port = m->has_rtcp ? m->rtcp_port : m->rtcp_mux ? m->port : (uint16_t)(m->port + 1);
        const nt_sdp_conn *rc = m->has_rtcp_conn ? &m->rtcp_conn : c;
        e->rtcp_family = rc->family;
        memcpy(e->rtcp_addr, rc->addr, 16);
    }
    return n;
}

uint32_t nt_sdp_clock_rate(const nt_sdp_media *m, uint8_t pt)
{
    for (int i = 0; m && i < m->nrtpmap; i++)
        if (m->rtpmap[i].pt == pt && m->rtpmap[i].clock_rate) return m->rtpmap[i].clock_rate;
    return nt_rtp_clock_rate(pt);
}

/* ---- fields ------------------------------------------------------------ */

#define MACC(fn) static int fn(const void *msg, nt_fvalue *out, int max)
#define S ((const nt_sdp *)msg)

MACC(f_sdp)
{
    int n = put_bytes(out, 0, max, S->raw, S->len, NT_FT_PROTOCOL);
    if (n) out[0].hdr_len = S->len;
    return n;
}
MACC(f_conn_addr)
{
    int n = 0;
    if (S->has_conn) n = put_bytes(out, n, max, S->conn.address.p, S->conn.address.len, NT_FT_STRING);
    for (int i = 0; i < S->nmedia; i++)
        if (S->media[i].has_conn)
            n = put_bytes(out, n, max, S->media[i].conn.address.p, S->media[i].conn.address.len, NT_FT_STRING);
    return n;
}
MACC(f_port)
{
    int n = 0;
    for (int i = 0; i < S->nmedia; i++) n = put_u(out, n, max, S->media[i].port);
    return n;
}
MACC(f_media)
{
    int n = 0;
    for (int i = 0; i < S->nmedia; i++)
        n = put_bytes(out, n, max, S->media[i].media.p, S->media[i].media.len, NT_FT_STRING);
    return n;
}
MACC(f_proto)
{
    int n = 0;
    for (int i = 0; i < S->nmedia; i++)
        n = put_bytes(out, n, max, S->media[i].proto.p, S->media[i].proto.len, NT_FT_STRING);
    return n;
}

const nt_msg_field nt_sdp_fields[] = {
    {"sdp", NT_FT_PROTOCOL, 0, "Session Description Protocol", f_sdp, NULL, .msg_proto = NT_P_SDP},
    {"sdp.connection_info.address", NT_FT_STRING, 0, "Connection Address", f_conn_addr, NULL, .msg_proto = NT_P_SDP},
    {"sdp.media.port", NT_FT_UINT, 2, "Media Port", f_port, NULL, .msg_proto = NT_P_SDP},
    {"sdp.media.media", NT_FT_STRING, 0, "Media Type", f_media, NULL, .msg_proto = NT_P_SDP},
    {"sdp.media.proto", NT_FT_STRING, 0, "Media Protocol", f_proto, NULL, .msg_proto = NT_P_SDP},
};
const size_t nt_sdp_nfields = sizeof nt_sdp_fields / sizeof nt_sdp_fields[0];
