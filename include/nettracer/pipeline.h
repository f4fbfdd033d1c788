/* pipeline.h - the trace pipeline every trace command, test and benchmark
 * reads with: open a trace, dissect each frame with a session, keep the
 * frames of a range and of the ping-marker ranges (a first pass finds the
 * markers), apply a display filter, and hand each selected packet to a
 * callback. Messages for the user come back in an nt_error. */
#ifndef NETTRACER_PIPELINE_H
#define NETTRACER_PIPELINE_H

#include "nettracer/markers.h"
#include "nettracer/packet.h"
#include "nettracer/trace.h"

typedef struct nt_pipeline_opts {
    const char *file;              /* a capture file, or "-" for standard input */
    const char *filter;            /* display filter, or NULL */
    uint64_t first, last;          /* frame range, inclusive (1, UINT64_MAX: all) */
    uint64_t count;                /* stop after this many selected packets (0: no limit) */
    bool markers;                  /* only the ranges between ping markers */
    uint32_t start_size, end_size; /* marker payload sizes (22, 33) */
    /* look for markers and keep only their ranges if there are some (no
     * error when there are none; not on standard input) */
    bool markers_auto;
    nt_markers *markers_out;       /* when set, receives the markers found */
    bool rtp_heuristic;            /* RTP/RTCP by content on any UDP port */
    /* called once after the last frame, before the trace is closed (what
     * the file says at its end: pcapng interface statistics) */
    void (*at_end)(void *user, const nt_trace *t);
} nt_pipeline_opts;

typedef enum nt_pipeline_status {
    NT_PIPE_OK = 0,
    NT_PIPE_CUT,                   /* the file was cut short: the frames read were handed on; err says where */
    NT_PIPE_NO_MARKERS,            /* markers asked for and none found: nothing handed on */
    NT_PIPE_ERROR,                 /* unreadable input or a bad filter: err says what */
} nt_pipeline_status;

void nt_pipeline_opts_init(nt_pipeline_opts *o);

/* Called for each selected packet, analysed by the session. Return false to stop. */
typedef bool (*nt_pipeline_cb)(void *user, const nt_packet *pkt, const nt_trace *t);

nt_pipeline_status nt_pipeline_run(const nt_pipeline_opts *o, nt_pipeline_cb cb, void *user, nt_error *err);

#endif
