/* options.h - the one option parser of the commands (git's parse-options
 * idea): a command declares its options as a table (long name, short
 * letter, value name, help line, handler) and the parser and the --help
 * printer both read that table, so an option is declared once. The trace
 * commands share one table of common options (traceopts.h). */
#ifndef NT_CLI_OPTIONS_H
#define NT_CLI_OPTIONS_H

#include "cli.h"

#include <stddef.h>
#include <stdio.h>

typedef struct nt_opt nt_opt;
/* Stores arg (NULL for a flag) into target; returns 0, or NT_EXIT_USAGE
 * after printing one line (nt_usage_error). */
typedef int (*nt_opt_fn)(const nt_opt *o, void *target, const char *cmd, const char *arg);

struct nt_opt {
    const char *name;        /* long name without "--", or NULL */
    char shrt;               /* short letter, or 0 */
    const char *arg;         /* the value's name in --help; NULL: the option takes none */
    const char *help;        /* --help text, lines split by '\n'; NULL: not listed */
    nt_opt_fn set;
    const void *data;        /* for the handler (e.g. where a number goes and its bounds) */
};

/* A table of options and the struct its handlers write into. */
typedef struct nt_opt_group {
    const nt_opt *opts;
    size_t n;
    void *target;
} nt_opt_group;

/* Parses argv[1..]: options anywhere before "--", operands kept in order.
 * A row of an earlier group hides a row of a later one with the same long
 * name (a command's own meaning of a common option). Returns 0 with
 * argv[*next..] the operands, or NT_EXIT_USAGE after one line on stderr
 * (unknown option, missing value, bad value). */
int nt_opts_parse(const char *cmd, int argc, char **argv, const nt_opt_group *g, size_t ng, int *next);

/* A command's --help: the intro (usage and description), "Options:" with
 * the command's own rows and the common rows they do not hide, an optional
 * second section, then the tail (exit status). */
struct nt_cmd_help {
    const char *intro;
    const nt_opt *own;
    size_t nown;
    bool trace;              /* the trace commands' common options (traceopts.h) */
    const char *more_heading;
    const nt_opt *more;
    size_t nmore;
    const char *tail;
};

void nt_opts_help(FILE *out, const nt_cmd_help *h);

/* a table and its length, as the parser and nt_cmd_help take them */
#define NT_NOPTS(t) (sizeof(t) / sizeof((t)[0]))
#define NT_HELP_OWN(t) .own = (t), .nown = NT_NOPTS(t)

/* Handlers for plain rows: a bool set to true (data: offset of the bool
 * in target, via NT_OPT_AT) and a string kept as given. */
int nt_opt_flag(const nt_opt *o, void *target, const char *cmd, const char *arg);
int nt_opt_string(const nt_opt *o, void *target, const char *cmd, const char *arg);
#define NT_OPT_AT(type, member) ((const void *)(uintptr_t)offsetof(type, member))
#define NT_OPT_FIELD(target, o, type) ((type *)((char *)(target) + (uintptr_t)(o)->data))

#endif
