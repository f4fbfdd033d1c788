/* session.h - stateful reading of a trace: dissection plus what needs
 * memory of earlier packets (IP reassembly, TCP stream numbers and
 * relative sequence numbers, ICMP echo matching). One session per trace,
 * fed frames in order. */
#ifndef NETTRACER_SESSION_H
#define NETTRACER_SESSION_H

#include "nettracer/packet.h"

typedef struct nt_session nt_session;

nt_session *nt_session_new(void);
void nt_session_free(nt_session *s);
/* Dissects f into pkt and adds the analysis in pkt->ana. The packet may
 * point into session buffers (a reassembled datagram) until the next call. */
void nt_session_dissect(nt_session *s, const nt_frame *f, nt_packet *pkt);

/* Also look for RTP/RTCP by content on UDP flows no SDP announced
 * (Wireshark's rtp_udp and rtcp_udp heuristics; off by default). */
void nt_session_set_rtp_heuristic(nt_session *s, bool on);

#endif
