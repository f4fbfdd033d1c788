/* compare.h - two captures taken at the same time at two points of one path
 * (A, typically near the client; B, near the server) matched packet by
 * packet: what was lost, injected, modified, reordered, duplicated or
 * delayed between the points, B's clock offset, and the NAT mappings
 * learned on the way. The library reads both files (twice: a sampling pass
 * for the clock and the sides, then the match in a sliding time window), so
 * memory follows the flows and the window, not the files' size. */
#ifndef NETTRACER_COMPARE_H
#define NETTRACER_COMPARE_H

#include "nettracer/core.h"

typedef enum nt_cmp_kind {
    NT_CMP_INJECTED,     /* seen at the receiving point, never sent at the other */
    NT_CMP_LOST,         /* sent past one point, never seen at the other */
    NT_CMP_MODIFIED,     /* matched, but fields beyond TTL/checksums changed */
    NT_CMP_DUPLICATED,   /* an extra copy of a packet already matched */
    NT_CMP_REORDERED,    /* arrived in another order than it was sent */
    NT_CMP_DELAYED,      /* far beyond the flow's usual one-way delay */
    NT_CMP_RESEGMENTED,  /* TCP bytes sent as other segment sizes (offload) */
    NT_CMP_NKINDS
} nt_cmp_kind;

enum { NT_CMP_A_TO_B = 0, NT_CMP_B_TO_A = 1 };

/* fields of a modified packet (nt_cmp_event.changed) */
#define NT_CMPF_DSCP     0x0001
#define NT_CMPF_ECN      0x0002
#define NT_CMPF_DF       0x0004
#define NT_CMPF_IPID     0x0008
#define NT_CMPF_WINDOW   0x0010
#define NT_CMPF_MSS      0x0020
#define NT_CMPF_WSCALE   0x0040
#define NT_CMPF_SACKPERM 0x0080
#define NT_CMPF_TSOPT    0x0100
#define NT_CMPF_OPTLEN   0x0200
#define NT_CMPF_FLAGS    0x0400   /* TCP flags other than SYN/FIN/RST/ACK/PSH */
#define NT_CMPF_PAYLOAD  0x0800

/* one endpoint pair as one trace saw it */
typedef struct nt_cmp_tuple {
    uint8_t family;      /* 4 or 6; 0: not IP */
    uint8_t proto;       /* IP protocol */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;   /* ICMP echo: the identifier in both */
} nt_cmp_tuple;

/* values of one packet that compare reports */
typedef struct nt_cmp_vals {
    uint8_t tos;
    bool df;
    uint16_t ipid;
    uint16_t win;
    uint16_t tcp_flags;
    uint16_t mss;        /* 0: no MSS option */
    int16_t wscale;      /* -1: no window scale option */
    bool sackperm, tsopt;
    uint8_t optlen;
} nt_cmp_vals;

typedef struct nt_cmp_event {
    nt_cmp_kind kind;
    int dir;                 /* NT_CMP_A_TO_B or NT_CMP_B_TO_A */
    uint64_t frame_a, frame_b;   /* 0: not in that trace */
    uint64_t frame_b_last;   /* resegmented: the last of B's frames (frame_a/frame_b the first) */
    uint64_t frame_a_last;
    nt_cmp_tuple flow;       /* as A saw it when the packet is in A, else as B saw it */
    uint16_t tcp_flags;
    uint32_t len;            /* payload bytes */
    uint32_t rel_seq;        /* TCP, relative to the ISN */
    uint8_t icmp_type, icmp_code;   /* ICMP/ICMPv6 */
    uint32_t changed;        /* NT_CMPF_* */
    nt_cmp_vals a, b;        /* modified: the values at each point */
    int64_t delay_ns;        /* matched events: the one-way delay */
    int64_t usual_ns;        /* delayed: the flow's minimum delay */
} nt_cmp_event;

typedef struct nt_cmp_dirstats {
    uint64_t sent, received, matched, lost, injected, modified, reordered;
    uint64_t duplicated, delayed, resegmented;
    uint64_t delay_samples;
    int64_t delay_min, delay_median, delay_p99, delay_max;   /* ns */
} nt_cmp_dirstats;

typedef struct nt_cmp_nat {
    nt_cmp_tuple a, b;       /* the same flow in A and in B */
    bool seq_shift;          /* a device rewrote TCP sequence numbers */
    uint32_t shift[2];       /* per direction of a: B's ISN - A's ISN */
    uint64_t frame_a, frame_b;
} nt_cmp_nat;

/* a flow that never crossed the other point */
typedef struct nt_cmp_offpath {
    int side;                /* 0: seen in A, 1: in B */
    nt_cmp_tuple flow;
    uint64_t packets, first_frame;
} nt_cmp_offpath;

/* per matched flow, worst first after nt_cmp_run */
typedef struct nt_cmp_flow {
    nt_cmp_tuple a;          /* as A saw it (as B saw it when only in B) */
    bool in_a, in_b;
    uint64_t matched, lost, injected, modified, reordered;
} nt_cmp_flow;

typedef struct nt_cmp_opts {
    bool have_offset;
    int64_t offset_ns;       /* B's clock minus A's: B time - offset = A time */
    const char *filter;      /* display filter on A (and on B's packets A lacks) */
    uint64_t first, last;    /* A's frame range (1, UINT64_MAX: all) */
    int64_t window_ns;       /* matching window (0: 3 s) */
    size_t max_events;       /* events kept (0: 20000); counts are always whole */
} nt_cmp_opts;

typedef struct nt_cmp_result {
    uint64_t frames_a, frames_b;
    int64_t a_first, a_last, b_first, b_last;   /* ns since the epoch, each in its own clock */
    int64_t common_first, common_last;          /* in A's clock */
    int64_t offset_ns;
    bool offset_given;
    /* quality: the offset is exact when the path is symmetric, and off by at
     * most offset_err_ns (half the minimum round trip between the points) */
    int64_t offset_err_ns;
    uint64_t offset_samples[2];                 /* matched packets each way used */
    bool one_way_only;                          /* no traffic back: offset includes the delay */
    bool has_drift;
    double drift_ppm;
    nt_cmp_dirstats dir[2];
    nt_cmp_event *ev;
    size_t nev, ev_dropped;
    nt_cmp_nat *nat;
    size_t nnat;
    nt_cmp_offpath *off;
    size_t noff;
    uint64_t offpath_packets, nonip_packets;
    uint64_t outside_packets;    /* unmatched, outside the common time span: no verdict */
    nt_cmp_flow *flows;
    size_t nflows;
    uint64_t shared_flows;
    char warning[256];                          /* a cut file, ... */
} nt_cmp_result;

/* Result of nt_cmp_run beyond success: the traces cannot be compared. */
enum { NT_CMP_OK = 0, NT_CMP_ERR_INPUT = -1, NT_CMP_NO_OVERLAP = -2, NT_CMP_NO_SHARED = -3 };

void nt_cmp_opts_init(nt_cmp_opts *o);
/* Compares; on failure err->msg is the one sentence a user reads. */
int nt_cmp_run(const char *path_a, const char *path_b, const nt_cmp_opts *o, nt_cmp_result *r, nt_error *err);
void nt_cmp_result_free(nt_cmp_result *r);
const char *nt_cmp_kind_name(nt_cmp_kind k);   /* "lost", "injected", ... */
/* true when the result shows loss, injection or modification (exit 1) */
bool nt_cmp_problem(const nt_cmp_result *r);

#endif
