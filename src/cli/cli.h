/* cli.h - what the subcommands share: the command table entry, usage
 * errors (one line, exit status 2) and number and range parsing. Only
 * argument handling and output live in cli/. */
#ifndef NT_CLI_H
#define NT_CLI_H

#include "nettracer/core.h"

#define NT_EXIT_OK 0
#define NT_EXIT_PROBLEM 1
#define NT_EXIT_USAGE 2

typedef struct nt_cmd_help nt_cmd_help; /* options.h */

typedef struct nt_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *help;   /* full --help text, or NULL: */
    const nt_cmd_help *opts_help; /* printed from the command's option tables */
} nt_command;

extern const char *nt_prog;

/* Prints "nettracer CMD: message" and returns NT_EXIT_USAGE. */
int nt_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool nt_parse_u64(const char *s, uint64_t *out);
/* "A-B", "A-" or "A": frame numbers, 1-based. */
bool nt_parse_range(const char *s, uint64_t *first, uint64_t *last);
const nt_command *nt_find_command(const char *name);
void nt_print_help(const nt_command *c, FILE *out);

int cmd_show(int argc, char **argv);
extern const nt_cmd_help nt_show_help;
int cmd_conns(int argc, char **argv);
extern const nt_cmd_help nt_conns_help;
int cmd_convs(int argc, char **argv);
int cmd_voip(int argc, char **argv);
extern const nt_cmd_help nt_voip_help;
extern const nt_cmd_help nt_convs_help;
int cmd_compare(int argc, char **argv);
extern const char nt_compare_help[];
int cmd_markers(int argc, char **argv);
extern const nt_cmd_help nt_markers_help;
int cmd_diagnose(int argc, char **argv);
extern const nt_cmd_help nt_diagnose_help;
int cmd_stun(int argc, char **argv);
extern const char nt_stun_help[];
int cmd_ews(int argc, char **argv);
extern const char nt_ews_help[];
int cmd_capture(int argc, char **argv);
extern const char nt_capture_help[];
int cmd_mark(int argc, char **argv);
extern const char nt_mark_help[];
int cmd_fields(int argc, char **argv);
extern const nt_cmd_help nt_fields_help;

int cmd_check(int argc, char **argv);
extern const char nt_check_help[];
int cmd_err(int argc, char **argv);
extern const char nt_err_help[];
int cmd_dns(int argc, char **argv);
extern const char nt_dns_help[];

/* The password in file (first line), or typed on /dev/tty without echo
 * after "Password for USER: " when file is NULL. */
bool nt_read_password(const char *file, const char *user, char *pw, size_t n);

#endif
