/* voip.h - SIP dialogs and RTP streams in a trace, as Wireshark's VoIP
 * Calls and RTP Streams windows list them: each call from its INVITE to
 * its BYE or CANCEL (or final error response), with the media SDP
 * announced; each RTP stream (source, destination, SSRC) with packets,
 * lost, jitter and its first and last time. Fed analysed packets in order. */
#ifndef NETTRACER_VOIP_H
#define NETTRACER_VOIP_H

#include "nettracer/packet.h"
#include "nettracer/rtp.h"
#include "nettracer/text.h"

typedef enum nt_call_state {
    NT_CALL_SETUP,       /* INVITE sent, no final answer */
    NT_CALL_IN_CALL,     /* 2xx, no BYE seen */
    NT_CALL_COMPLETED,   /* BYE */
    NT_CALL_CANCELLED,   /* CANCEL before a 2xx */
    NT_CALL_REJECTED,    /* a 3xx-6xx final answer */
} nt_call_state;

#define NT_CALL_MAX_MEDIA 8
#define NT_CALL_MAX_SIDE 4
typedef struct nt_voip_ep {
    uint8_t family, addr[16];
    uint16_t port;
} nt_voip_ep;

typedef struct nt_voip_call {
    char call_id[128];
    char from[96], to[96];
    uint8_t family;
    uint8_t caller[16], callee[16];   /* the INVITE's source and destination */
    uint64_t invite_frame, final_frame, bye_frame, cancel_frame, last_sig_frame;
    nt_time invite_ts, final_ts, bye_ts, last_sig_ts;
    uint16_t final_code;
    char reason[64];
    char ms_diag[256];               /* ms-diagnostics of the final answer or the BYE */
    uint32_t messages;
    uint8_t nmedia;                  /* SDP media endpoints (address, port) */
    nt_voip_ep media[NT_CALL_MAX_MEDIA];
    bool used;
    /* the offer/answer and the media that followed, for diagnose's rules */
    uint64_t ok_frame, ack_frame;    /* the first 2xx to the INVITE; the first ACK */
    nt_time ok_ts;
    nt_voip_ep side[2][NT_CALL_MAX_SIDE]; /* [0] the caller's media (the offer of the first INVITE,
                                         or of the ACK), [1] the callee's (the 2xx's, or a 183's) */
    uint8_t nside[2];
    /* RTP (not RTCP) to or from those endpoints: [0] caller to callee, [1] back */
    uint64_t rtp[2], rtp_first[2], rtp_last[2];
    nt_time rtp_first_ts[2], rtp_last_ts[2];
    uint32_t icmp;                   /* ICMP errors quoting a datagram sent to the media */
    uint64_t icmp_frame;
} nt_voip_call;

typedef struct nt_voip_stream {
    uint8_t family;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    nt_rtp_stats st;
    uint64_t first_frame, last_frame;
    int call;                        /* index into calls, -1 if none */
} nt_voip_stream;

typedef struct nt_voip {
    nt_voip_call *calls;
    size_t ncalls, ccalls;
    nt_voip_stream *streams;
    size_t nstreams, cstreams;
    bool have_first;
    nt_time first;
} nt_voip;

void nt_voip_init(nt_voip *v);
void nt_voip_free(nt_voip *v);
void nt_voip_add(nt_voip *v, const nt_packet *pkt);
/* The call with this Call-ID, or NULL. */
const nt_voip_call *nt_voip_find(const nt_voip *v, nt_text call_id);
nt_call_state nt_voip_call_state(const nt_voip_call *c);
const char *nt_call_state_name(nt_call_state s);   /* "COMPLETED", ... (Wireshark's) */

#endif
