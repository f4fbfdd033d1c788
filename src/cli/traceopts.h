/* traceopts.h - what the trace commands (show, conns, convs, voip,
 * markers, diagnose) share on the command line: the one table of their
 * common options (-r, -Y, -c, --range, --between-markers, --rtp-heuristic,
 * --json), parsed into the library's pipeline options, and running the
 * pipeline with the outcome printed as one line and an exit status. */
#ifndef NT_CLI_TRACEOPTS_H
#define NT_CLI_TRACEOPTS_H

#include "options.h"
#include "nettracer/pipeline.h"

typedef struct nt_trace_args {
    nt_pipeline_opts p;
    bool json;
} nt_trace_args;

extern const nt_opt nt_trace_opts[];
extern const size_t nt_trace_nopts;

void nt_trace_args_init(nt_trace_args *a);

/* Parses the command's own rows (target own_target; they hide common rows
 * of the same name) and the common ones; argv[*next..] are the operands. */
int nt_trace_parse(const char *cmd, int argc, char **argv, nt_trace_args *a, const nt_opt *own, size_t nown,
                   void *own_target, int *next);

/* The operands of a command reading one trace: the trace unless -r gave it,
 * nothing after it. 0 or the usage error's exit status (printed). */
int nt_trace_one(const char *cmd, nt_trace_args *a, int argc, char **argv, int next);

/* "22,33" marker payload sizes */
bool nt_parse_marker_sizes(const char *s, uint32_t *a, uint32_t *b);

/* Runs the pipeline: 0; 1 when the file was cut short (the frames read
 * were handed on) or markers were asked for and none found; 2 unreadable
 * input or a bad filter. The message is printed as "nettracer CMD: ...". */
int nt_trace_run(const char *cmd, const nt_trace_args *a, nt_pipeline_cb cb, void *user);

#endif
