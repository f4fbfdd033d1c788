/* diagnose.h - the expert's reading of a trace: rules that watch the
 * analysed packets (TCP analysis, connection outcomes, application
 * messages) and produce findings, each with a code, a severity, the flow,
 * the evidence frames, measured values, one sentence and advice. Fed the
 * packets of one trace in order, then finished; findings are data, so the
 * command line prints them as text or JSON. docs/findings.md catalogues the
 * codes. */
#ifndef NETTRACER_DIAGNOSE_H
#define NETTRACER_DIAGNOSE_H

#include "nettracer/packet.h"
#include "nettracer/trace.h"

typedef enum nt_severity { NT_SEV_NOTICE = 0, NT_SEV_WARNING = 1, NT_SEV_ERROR = 2 } nt_severity;

#define NT_FINDING_MAX_FRAMES 16
#define NT_FINDING_MAX_VALUES 12

typedef struct nt_finding_value {
    char key[32];
    bool is_str;
    double num;         /* numbers: seconds are seconds, counts are counts */
    char str[128];
} nt_finding_value;

typedef struct nt_finding {
    const char *code;            /* "tcp.syn-unanswered": a code of nt_diag_codes() */
    nt_severity severity;
    char flow[160];              /* "10.0.0.1:40000 -> 10.0.0.2:80", a host, or "" */
    uint8_t nframes;
    uint64_t frames[NT_FINDING_MAX_FRAMES];   /* evidence, the key ones first */
    uint8_t nvalues;
    nt_finding_value values[NT_FINDING_MAX_VALUES];
    char text[640];              /* one sentence: what happened */
    char advice[400];            /* the next step */
} nt_finding;

/* Thresholds; nt_diag_opts_default gives the documented defaults. */
typedef struct nt_diag_opts {
    double retrans_rate;         /* fraction of data segments retransmitted (0.01) */
    uint32_t retrans_min;        /* and at least this many retransmissions (3) */
    double no_response_s;        /* request ACKed, no answer for this long (3 s) */
    double idle_gap_s;           /* silence inside a connection (10 s) */
    double slow_response_s;      /* request to first answer byte (1 s) */
    double dack_min_s, dack_max_s; /* a delayed ACK's delay (0.03 .. 0.6 s) */
    uint32_t nagle_min;          /* delayed-ACK/Nagle stalls to report (2) */
    double window_stall_s;       /* window-full stalls worth a warning, total (0.5 s) */
    uint32_t ca_list_warn;       /* CertificateRequest CA names near the limit (12288) */
    uint32_t ca_list_limit;      /* over it: Windows' 16 KB limit (16384) */
    double dns_slow_s;           /* DNS answer time (0.5 s) */
    double media_after_s;        /* media of one side going on after the other's stopped, no BYE (1 s) */
    double media_wait_s;         /* trace after a call's 200 OK before "no media" is said (2 s) */
} nt_diag_opts;

void nt_diag_opts_default(nt_diag_opts *o);

typedef struct nt_diag nt_diag;

nt_diag *nt_diag_new(const nt_diag_opts *o);
void nt_diag_free(nt_diag *d);
/* Every frame of the trace (or of the range read), in order. */
void nt_diag_add(nt_diag *d, const nt_packet *pkt);
/* After the last frame: what the capture file says about itself (drop
 * counters of the interfaces), then the rules that need the whole trace. */
void nt_diag_finish(nt_diag *d, const nt_trace *t);
/* The findings, worst first (then by first evidence frame). */
size_t nt_diag_count(const nt_diag *d);
const nt_finding *nt_diag_get(const nt_diag *d, size_t i);

/* What was read: frame numbers, count, time span (ts false: no times). */
void nt_diag_span(const nt_diag *d, uint64_t *first, uint64_t *last, uint64_t *n, nt_time *t0, nt_time *t1,
                  bool *ts);

const char *nt_severity_name(nt_severity s);

/* The catalogue: every code diagnose can report, with its usual severity
 * (some findings of a code are raised or lowered, as docs/findings.md
 * says), a title and the anchor of its section in docs/findings.md. */
typedef struct nt_finding_code {
    const char *code;            /* "tcp.syn-unanswered" */
    nt_severity severity;
    const char *title;
    const char *anchor;          /* docs/findings.md#anchor */
} nt_finding_code;

const nt_finding_code *nt_diag_codes(size_t *n);

#endif
