/* sdp.h - SDP session descriptions (RFC 8866) as carried in SIP bodies:
 * the connection (c=) and media (m=) lines, a=rtpmap and a=rtcp, and the
 * media endpoints they give (address, RTP port, RTCP port) that identify
 * the RTP/RTCP flows of a call. Pure: strings point into the input. */
#ifndef NETTRACER_SDP_H
#define NETTRACER_SDP_H

#include "nettracer/core.h"
#include "nettracer/fields.h"
#include "nettracer/text.h"

#define NT_SDP_MAX_MEDIA 8
#define NT_SDP_MAX_FMT 16
#define NT_SDP_MAX_RTPMAP 16
#define NT_SDP_MAX_CONN 9      /* session c= plus one per media */

typedef struct nt_sdp_conn {
    nt_text nettype, addrtype, address;   /* "IN", "IP4", "10.0.0.1" (TTL/count cut off) */
    uint8_t family;                       /* 4 or 6 when the address parses, else 0 */
    uint8_t addr[16];
} nt_sdp_conn;

typedef struct nt_sdp_rtpmap {
    uint8_t pt;
    nt_text encoding;       /* "PCMU" */
    uint32_t clock_rate;    /* 8000 */
} nt_sdp_rtpmap;

typedef struct nt_sdp_media {
    nt_text media;          /* "audio" */
    uint16_t port;
    uint16_t nports;        /* the /count after the port, 1 if none */
    nt_text proto;          /* "RTP/AVP" */
    nt_text fmt[NT_SDP_MAX_FMT];
    uint8_t nfmt;
    nt_sdp_rtpmap rtpmap[NT_SDP_MAX_RTPMAP];
    uint8_t nrtpmap;
    bool has_conn;          /* media-level c= */
    nt_sdp_conn conn;
    bool has_rtcp;          /* a=rtcp:PORT [IN IP4 ADDR] */
    uint16_t rtcp_port;
    bool has_rtcp_conn;
    nt_sdp_conn rtcp_conn;
    bool rtcp_mux;          /* a=rtcp-mux: RTCP on the RTP port */
    nt_text direction;      /* sendrecv, sendonly, recvonly, inactive (empty: session's or sendrecv) */
} nt_sdp_media;

typedef struct nt_sdp {
    const uint8_t *raw;
    uint32_t len;
    bool has_conn;          /* session-level c= */
    nt_sdp_conn conn;
    nt_sdp_media media[NT_SDP_MAX_MEDIA];
    uint8_t nmedia;
    uint8_t media_dropped;  /* m= lines past NT_SDP_MAX_MEDIA */
    nt_text direction;      /* session-level direction attribute */
    const char *error;
} nt_sdp;

/* One RTP/RTCP flow end that a description announces. */
typedef struct nt_sdp_endpoint {
    uint8_t media_idx;      /* into nt_sdp.media */
    uint8_t family;         /* 4 or 6 */
    uint8_t addr[16];       /* RTP address (media c=, else session c=) */
    uint16_t rtp_port;
    uint16_t rtcp_port;     /* a=rtcp, else rtp_port + 1 (rtp_port with rtcp-mux) */
    uint8_t rtcp_family;
    uint8_t rtcp_addr[16];  /* a=rtcp's address, else the RTP address */
} nt_sdp_endpoint;

/* false: not SDP (no "v=" line first) or malformed (error says why). */
bool nt_sdp_parse(const uint8_t *p, uint32_t len, nt_sdp *out);
/* The endpoints of the media with a usable address and a port other than 0
 * (port 0 = media refused), at most max. */
int nt_sdp_endpoints(const nt_sdp *s, nt_sdp_endpoint *out, int max);
/* The clock rate the description gives a payload type of a media (rtpmap),
 * else the static one (nt_rtp_clock_rate), 0 if unknown. */
uint32_t nt_sdp_clock_rate(const nt_sdp_media *m, uint8_t pt);

extern const nt_msg_field nt_sdp_fields[];
extern const size_t nt_sdp_nfields;

#endif
