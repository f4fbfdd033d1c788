/* packet.h - a dissected packet: the list of layers found in a frame and
 * the decoded header fields of each, pointing into the frame's bytes (no
 * copies, no allocation). Filled by nt_dissect() from proto/; read by the
 * filter engine, the analyzers and the printers. */
#ifndef NETTRACER_PACKET_H
#define NETTRACER_PACKET_H

#include "nettracer/core.h"
#include "nettracer/frame.h"

typedef enum nt_proto {
    NT_P_NONE = 0,
    NT_P_FRAME,
    NT_P_ETH,
    NT_P_VLAN,
    NT_P_SLL,
    NT_P_NULL,
    NT_P_ARP,
    NT_P_IPV4,
    NT_P_IPV6,
    NT_P_ICMP,
    NT_P_ICMPV6,
    NT_P_TCP,
    NT_P_UDP,
    NT_P_DATA,
    NT_P_PCAPNG,        /* a pcapng block shown as a frame */
    /* application protocols (pkt->app) */
    NT_P_TLS,
    NT_P_HTTP,
    NT_P_DNS,
    NT_P_SIP,
    NT_P_SDP,
    NT_P_RTP,
    NT_P_RTCP,
    NT_P_STUN,
    NT_P_DHCP,
    NT_P_NBNS,
    NT_P_TPKT,
    NT_P_COUNT
} nt_proto;

typedef struct nt_layer {
    uint8_t proto;      /* nt_proto */
    uint8_t idx;        /* index into the per-protocol array below */
    uint8_t inner;      /* 1 inside an ICMP error's quoted packet */
    const uint8_t *p;   /* start of this layer's header */
    uint32_t len;       /* bytes of this header available from p (captured) */
    uint32_t span;      /* bytes from p to the end of the captured data */
} nt_layer;

typedef struct nt_eth {
    uint8_t dst[6], src[6];
    uint16_t type;      /* first EtherType / length field */
    bool is_8023;       /* length field: 802.3 frame with LLC */
    uint16_t len8023;
    bool has_trailer;
    uint32_t trailer_len;
    bool has_fcs;
} nt_eth;

typedef struct nt_vlan {
    uint16_t tpid;      /* 0x8100 or 0x88a8 */
    uint8_t pri;
    bool dei;
    uint16_t id;
    uint16_t etype;     /* the type that follows */
} nt_vlan;

typedef struct nt_sll {
    bool v2;
    uint16_t pkttype;
    uint16_t hatype;
    uint16_t halen;
    uint8_t addr[8];
    uint16_t protocol;
    uint32_t ifindex;   /* v2 only */
} nt_sll;

typedef struct nt_null {
    uint32_t family;
} nt_null;

typedef struct nt_arp {
    uint16_t htype, ptype;
    uint8_t hlen, plen;
    uint16_t op;
    const uint8_t *sha, *spa, *tha, *tpa;
} nt_arp;

typedef struct nt_ipv4 {
    uint8_t version, ihl, tos;
    uint16_t tot_len, id;
    bool df, mf, rb;
    uint16_t frag_off;  /* in bytes */
    uint8_t ttl, proto;
    uint16_t csum;
    uint8_t src[4], dst[4];
    const uint8_t *opts;
    uint8_t optlen;
    uint32_t payload_len;   /* per header: tot_len - ihl*4 */
    bool bad_ihl;           /* header length field below 5 */
    uint8_t hdr_cap;        /* bytes of the fixed header captured (20 when whole) */
    bool v6;                /* version 6: decoded as IPv6 (the next layer) */
} nt_ipv4;

#define NT_IPV6_MAX_EXT 8
typedef struct nt_ipv6 {
    uint8_t version, tclass;
    uint32_t flow;
    uint16_t plen;
    uint8_t nxt;            /* next header of the fixed header */
    uint8_t hlim;
    uint8_t src[16], dst[16];
    uint8_t final_nxt;      /* after extension headers */
    uint8_t next_ext;       /* extension headers recorded in ext[] */
    uint8_t ext_fail;       /* 1-based position of an extension header that ran
                               past the packet, 0 if none */
    uint8_t ext_fail_type;
    struct { uint8_t type; uint16_t len; } ext[NT_IPV6_MAX_EXT];
    bool frag;
    uint16_t frag_off;      /* bytes */
    bool mf;
    uint32_t frag_id;
    uint32_t payload_len;   /* after extension headers, per plen */
} nt_ipv6;

typedef struct nt_icmp {
    uint8_t type, code;
    uint16_t csum;
    uint16_t id, seq;       /* echo, timestamp */
    uint32_t rest;          /* the 4 bytes after the checksum */
    uint32_t data_len;      /* bytes after the 8-byte header */
    bool quoted;            /* an error quoting a packet */
} nt_icmp;

typedef struct nt_icmpv6 {
    uint8_t type, code;
    uint16_t csum;
    uint16_t id, seq;
    uint32_t rest;
    uint8_t target[16];     /* NS/NA target, redirect target */
    bool has_target;
    uint8_t lladdr[6];      /* source/target link-layer address option */
    uint8_t lladdr_opt;     /* 1 = source, 2 = target, 0 = none */
    uint16_t mld_nrecs;     /* MLDv2 report: number of records */
    uint32_t data_len;
    bool quoted;
} nt_icmpv6;

#define NT_TCP_FIN 0x001
#define NT_TCP_SYN 0x002
#define NT_TCP_RST 0x004
#define NT_TCP_PSH 0x008
#define NT_TCP_ACK 0x010
#define NT_TCP_URG 0x020
#define NT_TCP_ECE 0x040
#define NT_TCP_CWR 0x080
#define NT_TCP_AE  0x100    /* Accurate ECN (formerly NS) */

typedef struct nt_tcp {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t hlen;           /* bytes */
    uint16_t flags;         /* 12 bits */
    uint16_t win;
    uint16_t csum, urp;
    /* options */
    bool has_mss, has_ws, sack_perm, has_ts;
    uint16_t mss;
    uint8_t ws;
    uint32_t tsval, tsecr;
    uint8_t nsack;
    uint32_t sack[4][2];
    const uint8_t *opts;
    uint8_t optlen;
    const uint8_t *payload;
    uint32_t payload_len;   /* from the IP length (what was sent) */
    uint32_t payload_cap;   /* bytes actually captured */
    uint8_t bad_hlen;       /* 1: data offset below 5; 2: beyond the segment */
    bool opts_cut;          /* the snap length cut the options */
    bool tsval_only;        /* timestamps option cut after TSval */
} nt_tcp;

typedef struct nt_udp {
    uint16_t sport, dport, ulen, csum;
    const uint8_t *payload;
    uint32_t payload_len;
    uint32_t payload_cap;
    uint8_t bad_len;        /* 1: length below 8; 2: beyond the IP payload */
} nt_udp;

#define NT_PKT_MALFORMED  0x01  /* a header contradicts itself or the frame */
#define NT_PKT_TRUNCATED  0x02  /* cut by the snap length */
#define NT_PKT_FRAGMENT   0x04  /* an IP fragment whose payload is not decoded */
#define NT_PKT_SHORT      0x08  /* a header ran out of bytes: decoding stopped there
                                   (Wireshark's exception; shown in Info) */

#define NT_MAX_LAYERS 16

/* TCP analysis flags, with Wireshark's meaning (tcp.analysis.*) */
#define NT_TA_RETRANSMISSION        0x0001
#define NT_TA_FAST_RETRANSMISSION   0x0002
#define NT_TA_SPURIOUS_RETRANS      0x0004
#define NT_TA_OUT_OF_ORDER          0x0008
#define NT_TA_LOST_SEGMENT          0x0010  /* previous segment not captured */
#define NT_TA_ACK_LOST_SEGMENT      0x0020  /* ACKed unseen segment */
#define NT_TA_DUPLICATE_ACK         0x0040
#define NT_TA_ZERO_WINDOW           0x0080
#define NT_TA_ZERO_WINDOW_PROBE     0x0100
#define NT_TA_ZERO_WINDOW_PROBE_ACK 0x0200
#define NT_TA_WINDOW_FULL           0x0400
#define NT_TA_WINDOW_UPDATE         0x0800
#define NT_TA_KEEP_ALIVE            0x1000
#define NT_TA_KEEP_ALIVE_ACK        0x2000
#define NT_TA_REUSED_PORTS          0x4000

/* What stateful analysis (analyze/session.c) adds to a packet: stream
 * numbers, relative sequence numbers, the scaled window, request/response
 * links, reassembled IP datagrams. Zero when no session was used. */
typedef struct nt_pkt_ana {
    bool tcp_valid;          /* the TCP fields below are set */
    uint32_t tcp_stream;
    uint32_t rel_seq, rel_ack, nxtseq;   /* relative, as Wireshark shows */
    int8_t win_scale;        /* -1 unknown, -2 no scaling */
    uint32_t win;            /* window after scaling */
    uint32_t sack_rel[4][2];
    uint32_t tcp_flags;      /* NT_TA_* */
    uint32_t dupack_num;     /* with NT_TA_DUPLICATE_ACK: #n */
    uint64_t dupack_frame;   /* the frame the ACK duplicates */
    uint64_t acks_frame;     /* the segment this one acknowledges */
    int64_t ack_rtt_ns;
    uint32_t bytes_in_flight;
    bool has_irtt;
    int64_t irtt_ns;         /* initial RTT: SYN to the handshake's last ACK */
    bool udp_valid;
    uint32_t udp_stream;
    /* streams of the flow an ICMP error quotes, as Wireshark numbers them */
    bool inner_tcp_valid, inner_udp_valid;
    uint32_t inner_tcp_stream, inner_udp_stream;
    uint64_t request_in;     /* ICMP echo reply: frame of its request */
    bool reassembled;        /* IP payload below is a reassembled datagram */
    uint32_t reasm_frames;   /* fragments it was made of */
    uint64_t reasm_first;    /* first fragment's frame */
    bool has_time;           /* the times below are set (the record has a time) */
    int64_t rel_ns;          /* since the first frame */
    int64_t delta_ns;        /* since the previous captured frame */
    int64_t delta_disp_ns;   /* since the previous displayed frame: set by the reader */
} nt_pkt_ana;

typedef struct nt_packet {
    const nt_frame *frame;
    uint32_t flags;
    const char *malformed;          /* why, for the detail view */
    uint8_t entered;                /* last protocol whose decoding began (it
                                       names the Protocol column of a packet
                                       that ran out of bytes) */
    uint8_t nlayers;
    nt_layer layers[NT_MAX_LAYERS];
    const struct nt_appdata *app;   /* application messages (set by the session) */
    uint8_t neth, nvlan, nsll, nnull, narp, nip4, nip6, nicmp, nicmp6, ntcp, nudp;
    nt_eth eth[1];
    nt_vlan vlan[4];
    nt_sll sll[1];
    nt_null null[1];
    nt_arp arp[1];
    nt_ipv4 ip4[2];                 /* [1]: inside ICMP error or tunnel */
    nt_ipv6 ip6[2];
    nt_icmp icmp[2];                /* [1]: quoted inside an ICMP error */
    nt_icmpv6 icmp6[2];             /* [1]: quoted inside an ICMPv6 error */
    nt_tcp tcp[2];
    nt_udp udp[2];
    nt_pkt_ana ana;
    /* the highest layer carrying an application payload */
    const uint8_t *payload;
    uint32_t payload_len;
} nt_packet;

/* Dissects a frame. Never fails: problems are flags on the packet. */
void nt_dissect(const nt_frame *f, nt_packet *pkt);

/* Outermost layer of a protocol, or NULL. */
const nt_layer *nt_packet_layer(const nt_packet *pkt, nt_proto proto);
const nt_layer *nt_packet_top(const nt_packet *pkt);
const char *nt_proto_name(nt_proto p);   /* "TCP", "IPv4", ... */
const char *nt_ipproto_name(uint8_t p);  /* "TCP", "UDP", "ICMP", ... or NULL */
const char *nt_ethertype_name(uint16_t t);

/* The network and transport layers of a packet, as flows see them: the
 * last IP header (a tunnel's inner one) whose fixed part was captured
 * (IPv4: 20 bytes and not handed on to IPv6; IPv6: 40 bytes), and the
 * first TCP and UDP layers, all on one side: the packet itself (outer) or
 * the packet an ICMP error quotes. */
typedef struct nt_outer {
    uint8_t family;             /* 4 or 6 */
    const nt_layer *ip;
    const uint8_t *src, *dst;   /* 4 or 16 bytes */
    uint8_t ttl;                /* TTL or hop limit */
    const nt_layer *tcp_l, *udp_l;  /* NULL when absent */
    const nt_tcp *tcp;
    const nt_udp *udp;
} nt_outer;

/* The packet's own layers; false when it has no such IP header. */
bool nt_packet_outer(const nt_packet *pkt, nt_outer *o);
/* The layers of the packet an ICMP error quotes; false without one. */
bool nt_packet_quoted(const nt_packet *pkt, nt_outer *o);

/* Dissect from a given layer (used after IP reassembly). */
void nt_dissect_ip_payload(nt_packet *pkt, uint8_t proto, const uint8_t *p, uint32_t caplen,
                           uint32_t len, bool inner);

#endif
