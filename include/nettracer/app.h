/* app.h - the application messages a frame carries, found by the session
 * (analyze/app.c) after TCP reassembly or directly in a UDP datagram, and
 * decoded by the pure parsers of proto/. A packet points to one nt_appdata
 * owned by the session; its pointers are valid until the next frame. */
#ifndef NETTRACER_APP_H
#define NETTRACER_APP_H

#include "nettracer/dns.h"
#include "nettracer/dhcp.h"
#include "nettracer/http.h"
#include "nettracer/nbns.h"
#include "nettracer/rtp.h"
#include "nettracer/sdp.h"
#include "nettracer/sip.h"
#include "nettracer/stun.h"
#include "nettracer/tpkt.h"
#include "nettracer/tls.h"

#define NT_APP_MAX_PDU 16

typedef struct nt_app_pdu {
    uint8_t proto;          /* nt_proto: NT_P_TLS, NT_P_HTTP, NT_P_DNS, ... */
    uint8_t idx;            /* index into that protocol's array below */
    const uint8_t *p;       /* the message: in the frame, or reassembled */
    uint32_t len;           /* bytes at p (a long body may be cut: see full_len) */
    uint64_t full_len;      /* the message's length on the wire */
    uint64_t first_frame;   /* frame where the message began */
    uint32_t nframes;       /* frames it spanned */
} nt_app_pdu;

#define NT_TLS_MAX_REC 16
#define NT_TLS_REC_MAX_HS 8

typedef struct nt_tls_rec_info {
    uint8_t type;
    uint16_t version, length;
    bool encrypted;          /* handshake or alert not readable (after ChangeCipherSpec) */
    bool opaque;             /* TLS 1.3 protected record: type is tls.record.opaque_type */
    uint8_t nhs;
    uint8_t hs[NT_TLS_REC_MAX_HS];  /* handshake messages completed in this record */
    bool frag;               /* ends with a handshake message continued in a later record */
    uint8_t frag_type;
    uint8_t alert_level, alert_desc;
    bool unknown;            /* not a record (invalid content type): the rest of the
                                segment, "Ignored Unknown Record" once the session's
                                version is known, else "Continuation Data" (tshark) */
} nt_tls_rec_info;

typedef struct nt_tls_frame {
    uint8_t nrec;
    nt_tls_rec_info rec[NT_TLS_MAX_REC];
    uint16_t version;        /* for the Protocol column: the session's, else the record's */
    bool has_ch, has_sh, has_certs, has_certreq, hello_request;
    nt_tls_hello ch, sh;
    nt_tls_certs certs;
    nt_tls_certreq certreq;
} nt_tls_frame;

#define NT_APP_MAX_HTTP 4
typedef struct nt_http_msg {
    bool continuation;       /* bytes that do not start a message */
    nt_http h;
    uint64_t body_len;
    uint64_t request_in;     /* response: frame of its request */
    uint64_t response_in;    /* not known in one pass: always 0 */
    bool has_time;
    int64_t time_ns;         /* response: since its request */
} nt_http_msg;

#define NT_DNS_MAX_RR 40
typedef struct nt_dns_rr_info {
    uint8_t section;         /* nt_dns_section */
    uint16_t type, rclass;
    uint32_t ttl;
    uint16_t name;           /* owner name: offset into the arena */
    bool has_rdata;          /* rd below decoded */
    nt_dns_rdata rd;
    uint16_t rname;          /* the name in rdata (CNAME, NS, PTR, MX, SRV target, SOA mname), arena */
    uint16_t txt, txt_len;   /* TXT strings joined, arena */
} nt_dns_rr_info;

typedef struct nt_dns_info {
    nt_dns_msg m;
    const char *malformed;   /* why decoding stopped, or NULL */
    uint8_t nrr;             /* questions and records decoded */
    nt_dns_rr_info rr[NT_DNS_MAX_RR];
    uint64_t response_to;    /* response: frame of its query */
    bool has_time;
    int64_t time_ns;         /* response: since its query */
    bool retransmission;     /* a query (or response) seen before with this ID */
    uint16_t arena_len;
    char arena[4096];        /* decompressed names, NUL-terminated */
} nt_dns_info;

typedef struct nt_appdata {
    uint8_t npdu;
    nt_app_pdu pdu[NT_APP_MAX_PDU];
    /* a message begun here or before and not complete in this frame:
     * 1 continued (the payload starts inside it), 2 begun at the payload's
     * start (Wireshark's "[TCP segment of a reassembled PDU]") */
    uint8_t seg;
    bool seg_tls;            /* the part begun here is a TLS record (the "tls" layer shows) */
    char seg_info[160];      /* what the dissector showed before asking for more */
    bool cut;                /* a message cut by the snap length (not reassembled) */
    bool quoted;             /* the datagram an ICMP error quotes was decoded (RTP/RTCP) */
    bool reasm_error;        /* bytes again inside a message already reassembled (tshark's
                                "Reassembly error ... New fragment overlaps old data") */
    uint64_t resync_from;    /* decoding resumed past the message begun in this frame,
                                whose missing bytes never arrived (0: none) */
    uint64_t resync_missing; /* how many of its bytes were missing (0: unknown) */
    bool has_tls;
    nt_tls_frame tls;
    uint8_t nhttp;
    nt_http_msg http[NT_APP_MAX_HTTP];
    uint8_t ndns;
    nt_dns_info dns[2];
    uint8_t nsip, nsdp, nrtp, nrtcp, nstun, ndhcp, nnbns, ntpkt;
    nt_sip sip[4];
    nt_sdp sdp[4];
    int8_t sip_sdp[4];       /* the sdp[] decoded from sip[i]'s body, -1 none */
    nt_rtp rtp[1];
    char rtp_encoding[32];   /* the payload type's name from SDP's rtpmap, or "" */
    nt_rtcp rtcp[1];
    nt_stun_msg stun[2];
    /* STUN on an SDP-announced RTP or RTCP flow (ICE connectivity checks,
     * told apart from RTP by the first byte, RFC 7983): decoded for the
     * analysis (diagnose), not a message of the frame (show prints the
     * datagram as UDP, as it did; tshark 4.0 shows STUN there) */
    bool has_media_stun;
    nt_stun_msg media_stun;
    nt_dhcp dhcp[1];
    nt_nbns nbns[1];
    nt_tpkt tpkt[4];
} nt_appdata;

/* The decoded messages of one protocol in this frame (nt_sip, nt_sdp,
 * nt_rtp, nt_rtcp, nt_stun_msg, nt_dhcp, nt_nbns, nt_tpkt): up to max
 * pointers, returns how many. */
int nt_app_msgs(const nt_appdata *a, uint8_t proto, const void **out, int max);

/* Whether the session follows an SDP media line's flows as RTP and RTCP
 * (its transport is RTP/AVP or RTP/SAVP). */
bool nt_app_rtp_media(const nt_sdp_media *m);

#endif
