/* convs.h - conversation statistics, as Wireshark's Conversations dialog
 * and `tshark -z conv,TYPE` count them: per Ethernet MAC pair, IPv4 address
 * pair, IPv6 address pair, TCP stream or UDP stream, the packets and bytes
 * (frame lengths) each way, the first packet's time relative to the start
 * of the capture, and the duration. Endpoint A is the source of the
 * conversation's first packet. Fed packets in order; memory grows with the
 * number of conversations, not of packets (one hash table per type). */
#ifndef NETTRACER_CONVS_H
#define NETTRACER_CONVS_H

#include "nettracer/hash.h"
#include "nettracer/packet.h"

typedef enum nt_conv_type {
    NT_CONV_ETH,
    NT_CONV_IPV4,
    NT_CONV_IPV6,
    NT_CONV_TCP,
    NT_CONV_UDP,
    NT_CONV_NTYPES
} nt_conv_type;

/* One conversation: about 112 bytes with its share of the hash index. */
typedef struct nt_conv {
    uint8_t alen;                   /* address length: 6 (MAC), 4 or 16 */
    uint16_t port_a, port_b;        /* TCP and UDP only */
    uint32_t stream;                /* tcp.stream / udp.stream */
    uint32_t seq;                   /* order of first appearance */
    uint8_t addr_a[16], addr_b[16]; /* A: the source of the first packet */
    uint64_t packets_ab, bytes_ab;  /* A to B; bytes are frame lengths */
    uint64_t packets_ba, bytes_ba;
    int64_t start_ns, stop_ns;      /* earliest and latest packet, relative
                                       to the capture's first frame */
} nt_conv;

/* What nt_conv_table_add needs to know of one packet. */
typedef struct nt_conv_pkt {
    uint8_t alen;
    const uint8_t *src, *dst;
    uint16_t sport, dport;
    uint32_t stream;                /* TCP/UDP: the key; else unused */
    uint32_t bytes;
    int64_t rel_ns;
} nt_conv_pkt;

typedef struct nt_conv_table {
    nt_conv_type type;
    nt_conv *c;                     /* in order of first appearance until sorted */
    size_t n, cap;
    nt_hmap index;                  /* the key of each row -> its position in c */
} nt_conv_table;

void nt_conv_table_init(nt_conv_table *t, nt_conv_type type);
void nt_conv_table_free(nt_conv_table *t);
/* Counts one packet. TCP and UDP conversations are keyed by stream number
 * (a reused port pair makes a new row, as in Wireshark 4.0), the others by
 * the unordered address pair. Returns the conversation. */
nt_conv *nt_conv_table_add(nt_conv_table *t, const nt_conv_pkt *p);
nt_conv *nt_conv_table_find(const nt_conv_table *t, const nt_conv_pkt *p);
/* Orders the rows as tshark prints them: most packets first, ties in order
 * of first appearance. The table stays usable. */
void nt_conv_table_sort(nt_conv_table *t);

/* Duration in nanoseconds, and bits per second each way as Wireshark
 * computes them: false (N/A) when the duration is 5 ms or less. */
static inline int64_t nt_conv_duration_ns(const nt_conv *c) { return c->stop_ns - c->start_ns; }
bool nt_conv_bps(const nt_conv *c, uint64_t *ab, uint64_t *ba);
/* Seconds as Wireshark's nstime_to_sec() makes them (what tshark prints
 * Rel Start and Duration from, with printf rounding). */
double nt_conv_secs(int64_t ns);

/* All the tables a command asked for, fed whole packets. */
typedef struct nt_convs {
    unsigned types;                 /* bit (1u << nt_conv_type) per table kept */
    nt_conv_table t[NT_CONV_NTYPES];
} nt_convs;

void nt_convs_init(nt_convs *cs, unsigned types);
void nt_convs_free(nt_convs *cs);
/* Counts a dissected, analysed packet in every table it belongs to, with
 * tshark's rules: only outer headers (not a packet an ICMP error quotes),
 * only headers tshark finishes decoding (an IPv4 header with a bad length
 * or cut options, an IPv6 header whose extension headers run past the
 * packet, a TCP header with a bad data offset or options cut by the snap
 * length, a UDP length below 8 do not
 * count); every IP header of a tunnel counts; a fragmented datagram counts
 * for TCP/UDP once, in the frame that completes it; so does a fragmented
 * IPv6 datagram for IPv6 (every IPv4 fragment counts for IPv4). */
void nt_convs_add(nt_convs *cs, const nt_packet *pkt);

/* "eth", "ip", "ipv6", "tcp", "udp" (tshark's -z conv names) */
const char *nt_conv_type_name(nt_conv_type t);
bool nt_conv_type_parse(const char *s, nt_conv_type *t);

#endif
