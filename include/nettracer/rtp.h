/* rtp.h - RTP and RTCP (RFC 3550): the RTP fixed header, the RTCP compound
 * packet (SR, RR, SDES, BYE, APP and the feedback types by header), the
 * heuristics that recognise them without signalling (as Wireshark's
 * rtp_udp and rtcp_udp), and per-stream statistics (packets, expected,
 * lost, RFC 3550 jitter, first and last time) that the caller keeps. */
#ifndef NETTRACER_RTP_H
#define NETTRACER_RTP_H

#include "nettracer/core.h"
#include "nettracer/fields.h"
#include "nettracer/text.h"

typedef struct nt_rtp {
    const uint8_t *raw;
    uint32_t len;
    uint8_t version;
    bool padding, ext, marker;
    uint8_t cc, pt;
    uint16_t seq;
    uint32_t ts, ssrc;
    uint32_t csrc[15];
    uint16_t ext_profile;   /* header extension: profile-defined id */
    uint16_t ext_words;     /* its length in 32-bit words */
    uint32_t hdr_len;       /* fixed header, CSRCs and extension */
    uint8_t pad_len;        /* with padding: the last byte */
    const uint8_t *payload;
    uint32_t payload_len;   /* without the padding */
    const char *error;
} nt_rtp;

/* Parses an RTP packet (version 2). false: not version 2, or the header,
 * CSRC list, extension or padding runs past the buffer. */
bool nt_rtp_parse(const uint8_t *p, uint32_t len, nt_rtp *out);
/* Wireshark's rtp_udp heuristic, made careful: version 2, payload type not
 * 72-76 (the RTCP types of RFC 5761), and the whole header fits. */
bool nt_rtp_heuristic(const uint8_t *p, uint32_t len);
/* Info as tshark: "PT=ITU-T G.711 PCMU, SSRC=0x3C3C0001, Seq=1000, Time=8000, Mark". */
void nt_rtp_info(const nt_rtp *r, nt_buf *out);
/* The same with the encoding name SDP gave the payload type (a=rtpmap):
 * tshark shows it for dynamic types (96-127): "PT=opus, SSRC=...". */
void nt_rtp_info_sdp(const nt_rtp *r, nt_text encoding, nt_buf *out);
/* Wireshark's name of a static payload type ("ITU-T G.711 PCMU"); dynamic
 * types are "DynamicRTP-Type-96"; NULL for an unassigned one. */
const char *nt_rtp_pt_name(uint8_t pt, char *buf, size_t n);
/* The clock rate of a static payload type (RFC 3551): 8000 for PCMU, PCMA,
 * G722 (its RTP clock is 8000), G729 ...; 0 if dynamic or unknown. */
uint32_t nt_rtp_clock_rate(uint8_t pt);

/* ---- RTCP ---- */

#define NT_RTCP_MAX_PKTS 8
#define NT_RTCP_MAX_RB 4

enum { NT_RTCP_SR = 200, NT_RTCP_RR = 201, NT_RTCP_SDES = 202, NT_RTCP_BYE = 203,
       NT_RTCP_APP = 204, NT_RTCP_RTPFB = 205, NT_RTCP_PSFB = 206, NT_RTCP_XR = 207 };

typedef struct nt_rtcp_rb {     /* a report block */
    uint32_t ssrc;
    uint8_t fraction_lost;
    int32_t cum_lost;           /* 24-bit signed */
    uint32_t ext_high_seq, jitter, lsr, dlsr;
} nt_rtcp_rb;

typedef struct nt_rtcp_pkt {
    uint8_t version;
    bool padding;
    uint8_t count;              /* RC / SC / subtype */
    uint8_t pt;
    uint16_t length;            /* in 32-bit words minus one */
    const uint8_t *p;           /* the packet */
    uint32_t len;               /* (length + 1) * 4 */
    uint32_t ssrc;              /* SR/RR sender, APP/feedback sender, first SDES chunk / BYE source */
    bool has_ssrc;
    /* SR */
    uint32_t ntp_sec, ntp_frac, rtp_ts, pkt_count, octet_count;
    nt_rtcp_rb rb[NT_RTCP_MAX_RB];
    uint8_t nrb;
    nt_text cname;              /* SDES: the first chunk's CNAME */
    nt_text app_name;           /* APP: 4 characters */
    bool cut;                   /* its length runs past the datagram */
} nt_rtcp_pkt;

typedef struct nt_rtcp {
    const uint8_t *raw;
    uint32_t len;
    nt_rtcp_pkt pkt[NT_RTCP_MAX_PKTS];
    uint8_t npkt;
    uint8_t dropped;            /* packets past NT_RTCP_MAX_PKTS */
    bool malformed;             /* a packet's length runs past the datagram:
                                   Wireshark's [Malformed Packet] */
    const char *error;          /* what is wrong, also when parsing went on */
} nt_rtcp;

/* Parses a compound packet. false: shorter than 4 bytes or a first packet
 * of a version other than 2. Later packets of another version end the
 * compound silently (as Wireshark), so do fewer than 4 bytes left; a packet whose length runs past the
 * datagram is kept, marked cut, and sets malformed. */
bool nt_rtcp_parse(const uint8_t *p, uint32_t len, nt_rtcp *out);
/* Wireshark's rtcp_udp heuristic: version 2, the first packet SR, RR, BYE,
 * APP or PSFB, and a length that is a multiple of 4. (Wireshark also wants
 * an odd destination port: the caller checks that.) */
bool nt_rtcp_heuristic(const uint8_t *p, uint32_t len);
/* Info as tshark: each packet's type name followed by three spaces,
 * "Sender Report   Source description   "; APP adds "( NAME ) subtype=N",
 * payload-specific feedback its message ("PLI  "). */
void nt_rtcp_info(const nt_rtcp *r, nt_buf *out);
const char *nt_rtcp_pt_name(uint8_t pt);

/* ---- per-stream statistics ---- */

typedef struct nt_rtp_stats {
    bool started;
    uint32_t ssrc;
    uint8_t pt;                 /* of the last packet */
    uint32_t clock_rate;        /* 0: jitter not computed */
    uint64_t packets;
    uint16_t base_seq, max_seq;
    uint32_t cycles;            /* sequence wraparounds, times 65536 */
    uint64_t seq_offset;        /* expected packets of runs before a sequence jump */
    double jitter;              /* RFC 3550 estimate, in timestamp units */
    double max_jitter;
    double jitter_sum;          /* of the estimate after each packet but the first, */
    uint64_t jitter_n;          /* and how many: the mean, as tshark's */
    bool have_transit;
    double last_arrival;        /* arrival of the last packet, in timestamp units */
    uint32_t last_ts;
    nt_time first, last;
    uint64_t marker_packets;
} nt_rtp_stats;

/* Updates a stream with one packet that arrived at t. clock_rate: the
 * payload type's (nt_rtp_clock_rate, or the SDP's rtpmap), 0 if unknown. */
void nt_rtp_stats_update(nt_rtp_stats *s, const nt_rtp *r, nt_time t, uint32_t clock_rate);
/* Expected packets: extended highest sequence - base + 1 (RFC 3550 A.3). */
uint64_t nt_rtp_stats_expected(const nt_rtp_stats *s);
/* Lost = expected - received; negative with duplicates. */
int64_t nt_rtp_stats_lost(const nt_rtp_stats *s);
/* Jitter in milliseconds (0 without a clock rate): the current estimate,
 * its largest value, and its mean over the packets (as tshark -z rtp,streams). */
double nt_rtp_stats_jitter_ms(const nt_rtp_stats *s);
double nt_rtp_stats_max_jitter_ms(const nt_rtp_stats *s);
double nt_rtp_stats_mean_jitter_ms(const nt_rtp_stats *s);

extern const nt_msg_field nt_rtp_fields[];
extern const size_t nt_rtp_nfields;
extern const nt_msg_field nt_rtcp_fields[];
extern const size_t nt_rtcp_nfields;

#endif
