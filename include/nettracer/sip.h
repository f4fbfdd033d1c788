/* sip.h - SIP messages (RFC 3261) decoded from a buffer: the request or
 * status line and the headers a troubleshooter reads (Call-ID, CSeq, From,
 * To, Via, Contact, Content-Type, Content-Length, ms-diagnostics), compact
 * forms included. Pure: every string points into the input buffer. */
#ifndef NETTRACER_SIP_H
#define NETTRACER_SIP_H

#include "nettracer/core.h"
#include "nettracer/fields.h"
#include "nettracer/text.h"

#define NT_SIP_MAX_VIA 8
#define NT_SIP_MAX_CONTACT 4

typedef struct nt_sip_addr {
    nt_text value;          /* the whole header value */
    nt_text uri;            /* "sip:alice@10.0.0.1" */
    nt_text user;           /* "alice" (empty if the URI has no user part) */
    nt_text tag;            /* the tag parameter */
} nt_sip_addr;

typedef struct nt_sip {
    const uint8_t *raw;     /* the message */
    bool is_request;
    nt_text first_line;     /* without the line end */
    nt_text method, ruri;   /* request */
    uint16_t status;        /* response */
    nt_text reason;         /* response: may be empty */
    nt_text status_text;    /* "200 OK": the status line after "SIP/2.0 " */
    nt_text call_id;
    bool has_cseq;
    uint32_t cseq_seq;
    nt_text cseq_method;
    bool has_from, has_to;
    nt_sip_addr from, to;
    nt_text via[NT_SIP_MAX_VIA];
    uint8_t nvia;
    nt_text contact[NT_SIP_MAX_CONTACT];
    uint8_t ncontact;       /* Contact headers kept */
    uint16_t contacts;      /* contact addresses in all Contact headers (comma lists counted) */
    uint16_t contacts_expire0;  /* of them with expires=0 (or Expires: 0 without a parameter) */
    bool contact_star;      /* Contact: * */
    bool has_expires;
    uint32_t expires;       /* Expires header */
    nt_text content_type;
    bool has_clen;
    uint32_t content_length;
    nt_text ms_diag;        /* ms-diagnostics (Microsoft Lync/Skype for Business) */
    uint32_t hdr_len;       /* first line and headers, the empty line included */
    const uint8_t *body;
    uint32_t body_len;      /* bytes of body present (Content-Length, or the rest) */
    bool body_cut;          /* Content-Length is larger than the bytes present */
    uint32_t msg_len;       /* hdr_len + body_len */
    uint16_t nheaders;
    const char *error;      /* why parsing failed */
} nt_sip;

/* Does the buffer start like a SIP message: a request line with a known SIP
 * method ending in "SIP/2.0", or a status line "SIP/2.0 NNN"? */
bool nt_sip_detect(const uint8_t *p, uint32_t len);

enum { NT_SIP_LEN_BAD = -1, NT_SIP_LEN_MORE = 0, NT_SIP_LEN_OK = 1 };
/* For a byte stream (TCP): how many bytes the message at p occupies (headers
 * plus Content-Length body; no Content-Length means no body, as RFC 3261
 * requires on streams). NT_SIP_LEN_MORE: incomplete, wait for more bytes
 * (*msg_len is the whole length already when the headers are complete);
 * NT_SIP_LEN_BAD: not SIP, or a Content-Length that is not a number. */
int nt_sip_msg_len(const uint8_t *p, uint32_t len, uint32_t *msg_len);

/* Parses the first message in p (a datagram, or one message cut out with
 * nt_sip_msg_len). Without Content-Length the body is the rest of the buffer;
 * with a Content-Length beyond the buffer the body is cut (body_cut).
 * false (error says why): no complete first line, not a request or status
 * line, a Content-Length that is not a number. Headers without the empty
 * line that ends them are kept as far as they go: true, with error set. */
bool nt_sip_parse(const uint8_t *p, uint32_t len, nt_sip *out);

/* Info as tshark 4.0: "Request: INVITE sip:bob@10.0.0.2 | ",
 * "Status: 200 OK (INVITE) | ", "Status: 180 Ringing | " (several messages in
 * one TCP segment: one after another); REGISTER and its 2xx answers count
 * bindings: "Request: REGISTER sip:x  (fetch bindings) | ",
 * "Status: 200 OK (REGISTER)  (1 binding) | ". */
void nt_sip_info(const nt_sip *s, nt_buf *out);
/* Content-Type application/sdp: the Protocol column is "SIP/SDP". */
bool nt_sip_has_sdp(const nt_sip *s);

extern const nt_msg_field nt_sip_fields[];
extern const size_t nt_sip_nfields;

#endif
