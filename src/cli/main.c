/* main.c - the nettracer program: one table of subcommands, git-style.
 * `nettracer CMD --help` and `nettracer help CMD` print a command's help. */
#include "cli.h"
#include "options.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *nt_prog = "nettracer";

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const nt_command commands[] = {
    {"diagnose", cmd_diagnose, "expert findings, worst first, each with evidence frames and advice",
     NULL, &nt_diagnose_help},
    {"show", cmd_show, "packet list (No., Time, Delta, Source, Destination, Protocol, Length, Info) or full detail",
     NULL, &nt_show_help},
    {"conns", cmd_conns, "every TCP connection attempt and its outcome", NULL, &nt_conns_help},
    {"convs", cmd_convs, "conversation statistics per Ethernet/IPv4/IPv6 pair, TCP or UDP stream", NULL, &nt_convs_help},
    {"voip", cmd_voip, "SIP calls (INVITE to BYE) and RTP streams: packets, lost, jitter, first and last time", NULL, &nt_voip_help},
    {"compare", cmd_compare, "two simultaneous captures matched packet by packet: lost, injected, modified, delay",
     nt_compare_help, NULL},
    {"markers", cmd_markers, "ping markers and the reproduction range they bound", NULL, &nt_markers_help},
    {"check", cmd_check, "resolve, connect, TLS, certificate and name checks, one verdict per target", nt_check_help, NULL},
    {"dns", cmd_dns, "direct DNS query, cache bypassed: rcode, answers, SRV order", nt_dns_help, NULL},
    {"err", cmd_err, "Windows / Winsock / HRESULT / NTSTATUS / DNS / errno / OpenSSL error code lookup", nt_err_help, NULL},
    {"stun", cmd_stun, "STUN binding and TURN allocate test (coturn, MS-TURN A/V Edge)", nt_stun_help, NULL},
    {"ews", cmd_ews, "Exchange Autodiscover then an EWS call (GetUserOofSettings)", nt_ews_help, NULL},
    {"capture", cmd_capture, "live capture: filter, snap length, chained or ring files, marker comments",
     nt_capture_help, NULL},
    {"mark", cmd_mark, "send a ping marker (start, end or a size) to the gateway or an address", nt_mark_help, NULL},
    {"fields", cmd_fields, "list the display-filter fields and protocols", NULL, &nt_fields_help},
    {"help", cmd_help, "help on a command", "usage: nettracer help [COMMAND]\n", NULL},
    {"version", cmd_version, "print the version", "usage: nettracer version\n", NULL},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

const nt_command *nt_find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, name)) return &commands[i];
    return NULL;
}

static void main_help(FILE *out)
{
    fprintf(out,
            "usage: nettracer COMMAND [OPTIONS] [ARGS]\n"
            "\n"
            "Network troubleshooting: read traces like an expert.\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "Run 'nettracer COMMAND --help' or 'nettracer help COMMAND' for a command's options.\n"
            "Exit status: 0 ok, 1 problem found or check failed, 2 usage or input error.\n");
}

void nt_print_help(const nt_command *c, FILE *out)
{
    if (c->opts_help) nt_opts_help(out, c->opts_help);
    else fputs(c->help, out);
}

int nt_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "nettracer%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return NT_EXIT_USAGE;
}

bool nt_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s) return false;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        if (v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return true;
}

bool nt_parse_range(const char *s, uint64_t *first, uint64_t *last)
{
    char a[32];
    const char *dash = strchr(s, '-');
    if (!dash) {
        if (!nt_parse_u64(s, first) || *first == 0) return false;
        *last = *first;
        return true;
    }
    size_t n = (size_t)(dash - s);
    if (n >= sizeof a) return false;
    memcpy(a, s, n);
    a[n] = 0;
    if (n == 0) *first = 1;
    else if (!nt_parse_u64(a, first) || *first == 0) return false;
    if (!dash[1]) *last = UINT64_MAX;
    else if (!nt_parse_u64(dash + 1, last)) return false;
    return *first <= *last;
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        main_help(stdout);
        return NT_EXIT_OK;
    }
    const nt_command *c = nt_find_command(argv[1]);
    if (!c) return nt_usage_error(NULL, "no such command '%s' (see 'nettracer --help')", argv[1]);
    nt_print_help(c, stdout);
    return NT_EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("nettracer %s\n", NT_VERSION);
    return NT_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        main_help(stderr);
        return NT_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
        main_help(stdout);
        return NT_EXIT_OK;
    }
    if (!strcmp(name, "--version") || !strcmp(name, "-v")) return cmd_version(0, NULL);
    const nt_command *c = nt_find_command(name);
    if (!c) return nt_usage_error(NULL, "no such command '%s' (see 'nettracer --help')", name);
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            nt_print_help(c, stdout);
            return NT_EXIT_OK;
        }
    }
    return c->run(argc - 1, argv + 1);
}
