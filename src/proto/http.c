/* http.c - HTTP/1.x heads (see http.h). */
#include "nettracer/http.h"

#include <string.h>
#include <strings.h>

static const char *const methods[] = {"GET",     "POST",  "HEAD",   "PUT",   "DELETE", "OPTIONS", "CONNECT",
                                      "TRACE",   "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE",
                                      "LOCK",    "UNLOCK", "SEARCH", "RPC_IN_DATA", "RPC_OUT_DATA", NULL};

static size_t method_len(const uint8_t *p, uint32_t len)
{
    for (int i = 0; methods[i]; i++) {
        size_t l = strlen(methods[i]);
        if (len > l && !memcmp(p, methods[i], l) && p[l] == ' ') return l;
    }
    return 0;
}

bool nt_http_sniff(const uint8_t *p, uint32_t len)
{
    if (len >= 7 && !memcmp(p, "HTTP/1.", 7)) return true;
    return method_len(p, len) > 0;
}

uint32_t nt_http_head_len(const uint8_t *p, uint32_t len)
{
    for (uint32_t i = 0; i + 3 < len; i++)
        if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') return i + 4;
    return 0;
}

static nt_str trim(const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
    return (nt_str){s, (uint32_t)(e - s)};
}

static bool is(const char *s, size_t l, const char *name)
{
    return strlen(name) == l && !strncasecmp(s, name, l);
}

bool nt_http_parse(const uint8_t *p, uint32_t len, nt_http *h)
{
    memset(h, 0, sizeof *h);
    const char *s = (const char *)p, *end = s + len;
    const char *eol = memchr(s, '\n', len);
    if (!eol) return false;
    const char *le = eol > s && eol[-1] == '\r' ? eol - 1 : eol;
    h->line = (nt_str){s, (uint32_t)(le - s)};
    if (len >= 7 && !memcmp(s, "HTTP/1.", 7)) {
        const char *sp = memchr(s, ' ', (size_t)(le - s));
        if (!sp) return false;
        h->version = (nt_str){s, (uint32_t)(sp - s)};
        const char *c = sp + 1;
        int digits = 0;
        while (c < le && *c >= '0' && *c <= '9' && digits < 3) h->code = (uint16_t)(h->code * 10 + (*c++ - '0')), digits++;
        if (digits != 3) return false;
        h->phrase = trim(c, le);
    } else {
        size_t ml = method_len(p, len);
        if (!ml) return false;
        h->request = true;
        h->method = (nt_str){s, (uint32_t)ml};
        const char *u = s + ml + 1;
        const char *sp = memchr(u, ' ', (size_t)(le - u));
        if (!sp) return false;
        h->uri = (nt_str){u, (uint32_t)(sp - u)};
        h->version = trim(sp + 1, le);
    }
    for (const char *q = eol + 1; q < end;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        if (!nl) nl = end; /* a head cut short: its last line as far as it goes */
        const char *e = nl > q && nl[-1] == '\r' ? nl - 1 : nl;
        if (e == q) {
            h->head_len = (uint32_t)(nl + 1 - s);
            break;
        }
        if (nl == end) e = end;
        const char *colon = memchr(q, ':', (size_t)(e - q));
        if (colon) {
            size_t nlen = (size_t)(colon - q);
            nt_str v = trim(colon + 1, e);
            if (is(q, nlen, "Host")) h->host = v;
            else if (is(q, nlen, "Content-Type")) h->content_type = v;
            else if (is(q, nlen, "User-Agent")) h->user_agent = v;
            else if (is(q, nlen, "Server")) h->server = v;
            else if (is(q, nlen, "Location")) h->location = v;
            else if (is(q, nlen, "Connection")) h->connection = v;
            else if (is(q, nlen, "Transfer-Encoding")) {
                h->transfer_encoding = v;
                h->chunked = v.len >= 7 && !strncasecmp(v.p + v.len - 7, "chunked", 7);
            } else if (is(q, nlen, "Content-Length")) {
                uint64_t n = 0;
                uint32_t i = 0;
                for (; i < v.len && v.p[i] >= '0' && v.p[i] <= '9' && n < (1ULL << 60); i++)
                    n = n * 10 + (uint64_t)(v.p[i] - '0');
                if (i == v.len && i > 0) h->has_content_length = true, h->content_length = n;
            }
        }
        if (nl == end) break;
        q = nl + 1;
    }
    return true;
}

nt_str nt_http_media_type(const nt_http *h)
{
    nt_str t = h->content_type;
    for (uint32_t i = 0; i < t.len; i++)
        if (t.p[i] == ';' || t.p[i] == ' ') return (nt_str){t.p, i};
    return t;
}

/* Wireshark 4.0's media_type table entries of its JSON and XML dissectors
 * (observed with tshark: a "+json" or "+xml" suffix alone is not enough) */
int nt_http_body_kind(const nt_http *h)
{
    static const char *json[] = {"application/json", "application/json-rpc", "application/jsonrequest",
                                 "application/x-ndjson", "application/dds-web+json",
                                 "application/vnd.oma.lwm2m+json", "application/problem+json"};
    static const char *xml[] = {"text/xml", "application/xml", "application/soap+xml", "application/xml-dtd",
                                "application/atom+xml", "application/rss+xml", "application/rdf+xml",
                                "application/xslt+xml", "application/mathml+xml", "image/svg+xml",
                                "text/vnd.wap.wml", "application/pidf+xml", "application/xpidf+xml",
                                "application/rlmi+xml", "application/reginfo+xml",
                                "application/conference-info+xml", "application/resource-lists+xml",
                                "application/watcherinfo+xml", "application/simple-filter+xml"};
    nt_str t = nt_http_media_type(h);
    for (size_t i = 0; i < sizeof json / sizeof json[0]; i++)
        if (strlen(json[i]) == t.len && !strncasecmp(json[i], (const char *)t.p, t.len)) return NT_HTTP_BODY_JSON;
    for (size_t i = 0; i < sizeof xml / sizeof xml[0]; i++)
        if (strlen(xml[i]) == t.len && !strncasecmp(xml[i], (const char *)t.p, t.len)) return NT_HTTP_BODY_XML;
    return 0;
}
