/* frame.h - one captured frame as every layer sees it: the bytes as
 * captured plus what the file format carried (time, original length, link
 * type, interface, comments). It is in core because both the packet
 * sources (trace/) that fill it and the parsers (proto/) that read it need
 * it, and proto/ must not depend on trace/. */
#ifndef NETTRACER_FRAME_H
#define NETTRACER_FRAME_H

#include "nettracer/core.h"

/* Link types (LINKTYPE_* values as in pcap files). */
enum {
    NT_LINK_NULL = 0,
    NT_LINK_ETHERNET = 1,
    NT_LINK_RAW = 101,
    NT_LINK_LOOP = 108,
    NT_LINK_LINUX_SLL = 113,
    NT_LINK_IPV4 = 228,
    NT_LINK_IPV6 = 229,
    NT_LINK_LINUX_SLL2 = 276,
    /* not a link type: a pcapng custom block, which Wireshark lists as a
     * frame (so frame numbers agree); data is the block body from the PEN on */
    NT_LINK_PCAPNG_CUSTOM = 0x7fff0bad,
};

#define NT_MAX_COMMENTS 4

typedef struct nt_frame {
    uint64_t number;         /* 1-based, as Wireshark counts */
    nt_time ts;
    uint32_t caplen;         /* bytes present */
    uint32_t len;            /* bytes on the wire */
    const uint8_t *data;
    uint32_t linktype;
    uint32_t ifidx;          /* pcapng interface index (global over sections) */
    int ncomments;
    struct { const char *s; uint16_t len; } comments[NT_MAX_COMMENTS];
    uint32_t flags;          /* pcapng epb_flags; for a custom block: 1 if copyable */
    uint32_t pen;            /* custom block: private enterprise number */
    bool no_ts;              /* the record carries no timestamp */
} nt_frame;

#endif
