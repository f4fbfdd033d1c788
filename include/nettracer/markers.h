/* markers.h - ping markers: ICMP or ICMPv6 echo requests and replies whose
 * payload has a marker size (22 bytes at the start of a reproduction, 33 at
 * its end, by the field notes' convention: IPv4 total length 50 and 61),
 * sent around a reproduction so that the range between them can be read
 * alone. */
#ifndef NETTRACER_MARKERS_H
#define NETTRACER_MARKERS_H

#include "nettracer/packet.h"

typedef struct nt_marker {
    uint64_t frame;
    nt_time ts;
    bool start;              /* start size (else end size) */
    bool reply;              /* echo reply (else request) */
    uint32_t size;           /* ICMP payload bytes */
    uint8_t family;          /* 4 or 6 */
    uint8_t src[16], dst[16];
    uint16_t id, seq;
} nt_marker;

typedef struct nt_range {
    uint64_t first, last;    /* frames, inclusive */
} nt_range;

typedef struct nt_markers {
    uint32_t start_size, end_size;
    nt_marker *m;
    size_t n, cap;
    nt_range *r;
    size_t nr;
} nt_markers;

void nt_markers_init(nt_markers *mk, uint32_t start_size, uint32_t end_size);
void nt_markers_free(nt_markers *mk);
/* Feed every packet in order; records it when it is a marker. */
void nt_markers_add(nt_markers *mk, const nt_packet *pkt);
/* After the last packet: the reproduction ranges, each from the frame after
 * a start marker's reply (or its request when no reply was seen) to the
 * frame before the next end marker's request. */
void nt_markers_ranges(nt_markers *mk, uint64_t last_frame);
/* The ICMP payload size if pkt is an echo request or reply, else -1. */
int64_t nt_echo_payload(const nt_packet *pkt, bool *reply);

/* The comments a live capture writes on marker pings, by which
 * nt_markers_add also recognises a marker of any size. */
#define NT_MARKER_COMMENT_START "marker start"
#define NT_MARKER_COMMENT_END "marker end"
/* For a capture: NT_MARKER_COMMENT_START/END when the frame is a marker of
 * these sizes (request or reply), else NULL. */
const char *nt_marker_comment(const nt_frame *f, uint32_t start_size, uint32_t end_size);

#endif
