/* http.h - HTTP/1.x message heads: the request or status line and the
 * headers a troubleshooter reads. Pure; points into the given buffer. */
#ifndef NETTRACER_HTTP_H
#define NETTRACER_HTTP_H

#include "nettracer/core.h"

typedef struct nt_str {
    const char *p;
    uint32_t len;
} nt_str;

typedef struct nt_http {
    bool request;
    nt_str line;            /* first line, without CRLF */
    nt_str method, uri, version;
    uint16_t code;
    nt_str phrase;
    nt_str host, content_type, user_agent, server, location, connection, transfer_encoding;
    bool has_content_length;
    uint64_t content_length;
    bool chunked;
    uint32_t head_len;      /* through the blank line */
} nt_http;

/* Whether p starts like an HTTP/1.x message (a known method and a space,
 * or "HTTP/1."). */
bool nt_http_sniff(const uint8_t *p, uint32_t len);
/* Length of the head (through CRLFCRLF), 0 if not complete in len bytes. */
uint32_t nt_http_head_len(const uint8_t *p, uint32_t len);
/* Parses a complete head. */
bool nt_http_parse(const uint8_t *p, uint32_t len, nt_http *h);
/* The media type of Content-Type without parameters ("text/html"). */
nt_str nt_http_media_type(const nt_http *h);
/* Which of Wireshark's body dissectors the media type selects: JSON, XML
 * or neither (0). */
enum { NT_HTTP_BODY_JSON = 1, NT_HTTP_BODY_XML = 2 };
int nt_http_body_kind(const nt_http *h);

#endif
