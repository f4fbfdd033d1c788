/* readloop.h - what every trace command shares: its options (-r, -Y,
 * --range, --between-markers, -c) and the loop that reads a trace, dissects
 * each frame with a session and hands on the frames that are selected. */
#ifndef NT_CLI_READLOOP_H
#define NT_CLI_READLOOP_H

#include "cli.h"
#include "nettracer/markers.h"
#include "nettracer/packet.h"
#include "nettracer/trace.h"

#define NT_READ_OPTS "r:Y:c:"
enum { OPT_RANGE = 1000, OPT_BETWEEN_MARKERS, OPT_JSON, OPT_RTP_HEURISTIC, OPT_READ_LAST };
#define NT_READ_LONGOPTS \
    {"range", required_argument, NULL, OPT_RANGE}, {"between-markers", required_argument, NULL, OPT_BETWEEN_MARKERS}, \
        {"json", no_argument, NULL, OPT_JSON}, {"rtp-heuristic", no_argument, NULL, OPT_RTP_HEURISTIC}

typedef struct nt_read_opts {
    const char *file;
    const char *filter;
    uint64_t first, last, count;
    bool markers;                  /* restrict to the ranges between ping markers */
    uint32_t start_size, end_size;
    bool json;
    bool rtp_heuristic;            /* RTP/RTCP by content on any UDP port */
    /* diagnose: look for markers and restrict to them only if there are
     * some (no message when there are none); the markers found are moved
     * to markers_out when it is set */
    bool markers_auto;
    nt_markers *markers_out;
    /* called once after the last frame, before the trace is closed (what
     * the file says at its end: pcapng interface statistics) */
    void (*at_end)(void *user, const nt_trace *t);
} nt_read_opts;

void nt_read_opts_init(nt_read_opts *o);
/* Handles one of the shared options; 1 handled, 0 not ours, -1 error (printed). */
int nt_read_opt(const char *cmd, nt_read_opts *o, int ch, const char *arg);
/* "22,33" marker payload sizes */
bool nt_parse_marker_sizes(const char *s, uint32_t *a, uint32_t *b);

/* The option loop of a command that takes only the shared options: on
 * return 0, argv[*next..] are the operands (the trace first, unless -r gave
 * it); otherwise the usage error's exit status (already printed). */
int nt_read_args(const char *cmd, int argc, char **argv, nt_read_opts *o, int *next);

typedef struct nt_read_ctx nt_read_ctx;
/* Called for each selected frame, with its analysed packet. Return false to stop. */
typedef bool (*nt_read_cb)(void *user, const nt_packet *pkt, const nt_trace *t);

/* Reads o->file; returns an exit status (2 on unreadable input or a bad
 * filter, 1 when the file was cut short), messages already printed. */
int nt_read_trace(const char *cmd, const nt_read_opts *o, nt_read_cb cb, void *user);

#endif
