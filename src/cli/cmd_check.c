/* cmd_check.c - `nettracer check TARGET...`: the options of check and of
 * its profiles, then the library's checks (probe/checkrun.c, profile.c),
 * their step records printed by the one step renderer, and the exit status
 * from the worst verdict. */
#include "cli.h"
#include "steps_render.h"
#include "nettracer/check.h"
#include "nettracer/probe.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef NT_PROFILE_DIR
#define NT_PROFILE_DIR "/usr/local/share/nettracer/profiles"
#endif

const char nt_check_help[] =
    "usage: nettracer check [OPTIONS] TARGET...\n"
    "       nettracer check [OPTIONS] --profile NAME [--set VAR=VALUE]...\n"
    "\n"
    "Check endpoints as a client sees them. TARGET: host, host:port, [IPv6]:port\n"
    "or https://host[:port]/path (default port 443). For each target:\n"
    "  resolve     with the system resolver, hosts file included, every address\n"
    "  connect     TCP, timed; a failure named by its cause: refused (a reset came\n"
    "              back), timed out (SYN dropped or filtered), unreachable\n"
    "  TLS         handshake with SNI: protocol, cipher, ALPN, time; a client\n"
    "              certificate request with the size of its CA list\n"
    "  certificate every certificate the server sent: subject, issuer, SANs,\n"
    "              serial, validity and days left, key, signature algorithm;\n"
    "              verification (system store or --ca-file) with the error in words\n"
    "  names       the target and each --expect-name under RFC 9525's rules\n"
    "              (no partial wildcards, never the subject CN); a name that only\n"
    "              OpenSSL's older default rules accept is a warning of its own\n"
    "Without --all-addresses the addresses are tried in order until one\n"
    "connects, as applications do.\n"
    "\n"
    "Options:\n"
    "  -4, -6               IPv4 or IPv6 addresses only\n"
    "  --all-addresses      connect to (and check TLS on) every address\n"
    "  --ca-file FILE       trust the CAs in FILE (PEM) instead of the system store\n"
    "  --expect-name NAME   also check the certificate for NAME (repeatable)\n"
    "  --no-tls             stop after the TCP connect\n"
    "  --timeout SEC        per connect and per handshake (default 5)\n"
    "  --profile NAME|FILE  run a profile (profiles/NAME.profile), e.g. lync\n"
    "  --set VAR=VALUE      a profile variable (see --profile NAME --list)\n"
    "  --list               with --profile: print its variables and checks\n"
    "  --json               one JSON object per target\n"
    "\n"
    "Exit status: 0 every target passed (warnings allowed); 1 a target failed;\n"
    "2 bad arguments (a malformed target, port 0 or over 65535).\n";

enum { OPT_ALL = 1000, OPT_CA, OPT_EXPECT, OPT_NOTLS, OPT_TIMEOUT, OPT_PROFILE, OPT_SET, OPT_LIST, OPT_JSON };

#define MAX_VARS NT_PROFILE_MAX_VARS

typedef struct check_args {
    nt_check_opts c;
    bool json, list;
    const char *profile;
    const char *set[MAX_VARS];
    int nset;
} check_args;

static int exit_status(nt_verdict worst) { return worst == NT_VERDICT_FAIL ? NT_EXIT_PROBLEM : NT_EXIT_OK; }

static void print_list(const nt_profile *p, const char *path)
{
    printf("Profile %s (%s)\n%s\n\nVariables (--set VAR=VALUE):\n", p->name, path, p->about);
    for (int i = 0; i < p->nvar; i++) printf("  %-12s %s\n", p->var[i], p->var_help[i]);
    printf("\nChecks:\n");
    for (int i = 0; i < p->nitem; i++)
        printf("  %-4s %-28s %s\n", p->item[i].kind == 'c' ? "tls" : "srv", p->item[i].label, p->item[i].spec);
}

static int run_profile(const check_args *a)
{
    nt_profile *p = calloc(1, sizeof *p);
    char path[512];
    nt_error e = {0};
    if (!p) return NT_EXIT_PROBLEM;
    const char *dir = getenv("NT_PROFILE_DIR");
    if (nt_profile_load(a->profile, dir ? dir : NT_PROFILE_DIR, p, path, sizeof path, &e)) {
        free(p);
        return nt_usage_error("check", "%s", e.msg);
    }
    if (nt_profile_check_vars(p, a->set, a->nset, &e)) {
        free(p);
        return nt_usage_error("check", "%s (see --profile %s --list)", e.msg, a->profile);
    }
    if (a->list) {
        print_list(p, path);
        free(p);
        return NT_EXIT_OK;
    }
    nt_steps_out out;
    nt_steps_out_init(&out, a->json, stdout);
    int ran;
    nt_verdict worst = nt_profile_run(p, &a->c, a->set, a->nset, nt_steps_render, &out, &ran);
    nt_steps_out_free(&out);
    free(p);
    if (!ran) {
        fprintf(stderr, "nettracer check: profile %s: nothing to check: give its variables with --set (see --list)\n",
                a->profile);
        return NT_EXIT_USAGE;
    }
    return exit_status(worst);
}

int cmd_check(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"all-addresses", no_argument, NULL, OPT_ALL}, {"ca-file", required_argument, NULL, OPT_CA},
        {"expect-name", required_argument, NULL, OPT_EXPECT}, {"no-tls", no_argument, NULL, OPT_NOTLS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT}, {"profile", required_argument, NULL, OPT_PROFILE},
        {"set", required_argument, NULL, OPT_SET}, {"list", no_argument, NULL, OPT_LIST},
        {"json", no_argument, NULL, OPT_JSON}, {NULL, 0, NULL, 0}};
    check_args a = {.c = {.family = AF_UNSPEC, .timeout_ms = 5000}};
    nt_check_opts *o = &a.c;
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "46", lopts, NULL)) != -1) {
        switch (ch) {
        case '4': o->family = AF_INET; break;
        case '6': o->family = AF_INET6; break;
        case OPT_ALL: o->all = true; break;
        case OPT_NOTLS: o->notls = true; break;
        case OPT_JSON: a.json = true; break;
        case OPT_LIST: a.list = true; break;
        case OPT_CA:
            if (access(optarg, R_OK)) return nt_usage_error("check", "cannot read --ca-file %s: %s", optarg, strerror(errno));
            o->ca_file = optarg;
            break;
        case OPT_EXPECT:
            if (o->nexpect == NT_CHECK_MAX_EXPECT)
                return nt_usage_error("check", "at most %d --expect-name", NT_CHECK_MAX_EXPECT);
            o->expect[o->nexpect++] = optarg;
            break;
        case OPT_PROFILE: a.profile = optarg; break;
        case OPT_SET:
            if (!strchr(optarg, '=') || optarg[0] == '=')
                return nt_usage_error("check", "--set needs VAR=VALUE, not '%s'", optarg);
            if (a.nset == MAX_VARS) return nt_usage_error("check", "at most %d --set", MAX_VARS);
            a.set[a.nset++] = optarg;
            break;
        case OPT_TIMEOUT: {
            char *end;
            double s = strtod(optarg, &end);
            if (*end || !(s >= 0.01 && s <= 300))
                return nt_usage_error("check", "--timeout needs seconds from 0.01 to 300, not '%s'", optarg);
            o->timeout_ms = (int)(s * 1000 + 0.5);
            break;
        }
        default:
            return nt_usage_error("check", "unknown option '%s' (see 'nettracer check --help')", argv[optind - 1]);
        }
    }
    if (a.profile) {
        if (optind < argc) return nt_usage_error("check", "--profile takes no targets (unexpected '%s')", argv[optind]);
        return run_profile(&a);
    }
    if (a.list || a.nset) return nt_usage_error("check", "--set and --list go with --profile");
    if (optind >= argc) return nt_usage_error("check", "no target given (usage: nettracer check TARGET...)");
    /* every target is checked for syntax before any traffic */
    for (int i = optind; i < argc; i++) {
        nt_target t;
        nt_error e = {0};
        if (nt_target_parse(argv[i], &t, &e)) return nt_usage_error("check", "%s", e.msg);
    }
    nt_steps_out out;
    nt_steps_out_init(&out, a.json, stdout);
    nt_verdict worst = NT_VERDICT_OK;
    for (int i = optind; i < argc; i++) {
        nt_verdict v = nt_check_target(o, NULL, argv[i], NULL, nt_steps_render, &out);
        if (v > worst) worst = v;
    }
    nt_steps_out_free(&out);
    return exit_status(worst);
}
