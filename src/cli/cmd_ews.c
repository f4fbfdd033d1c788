/* cmd_ews.c - `nettracer ews ADDRESS`: Autodiscover, then an EWS call
 * (probe/ews.c does the work and reports step records; this file reads
 * the arguments and the password, and the one step renderer prints the
 * report as text or JSON Lines). */
#include "cli.h"
#include "steps_render.h"
#include "nettracer/ews.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

const char nt_ews_help[] =
    "usage: nettracer ews [OPTIONS] ADDRESS\n"
    "\n"
    "Check Exchange Web Services for a mailbox as an external client does:\n"
    "Autodiscover (SOAP GetUserSettings, POX as a fallback) at https://DOMAIN,\n"
    "https://autodiscover.DOMAIN, the HTTP redirect from http://autodiscover.DOMAIN\n"
    "and the _autodiscover._tcp.DOMAIN SRV record, in that order; print each URL\n"
    "tried with its HTTP status or error and the External* settings found; then\n"
    "call GetUserOofSettings at ExternalEwsUrl and print the OOF state and the\n"
    "external reply. Redirects are printed; one to plain http is refused.\n"
    "\n"
    "Options:\n"
    "  --user NAME         DOMAIN\\user or user@domain (Basic, NTLM or Negotiate,\n"
    "                      whichever the server offers, through libcurl)\n"
    "  --auth LIST         the methods allowed, comma-separated: basic, ntlm,\n"
    "                      negotiate, any (default any; libcurl picks the best\n"
    "                      one the server offers: Negotiate, NTLM, Basic).\n"
    "                      Negotiate uses the Kerberos ticket (kinit); with\n"
    "                      --auth negotiate, --user is not needed\n"
    "  --password-file F   read the password from the first line of F (without\n"
    "                      it, --user prompts for it without echo)\n"
    "  --cacert FILE       also trust the CA certificates in FILE (PEM)\n"
    "  --insecure          do not verify server certificates (said loudly)\n"
    "  --timeout SEC       per HTTP request (default 15)\n"
    "  --url URL           skip Autodiscover: call EWS at URL\n"
    "  --autodiscover-url URL  use only this Autodiscover URL (.svc: SOAP, .xml: POX)\n"
    "  --json              JSON Lines: one object per report line, then a result\n"
    "\n"
    "The password never appears in the output.\n"
    "Exit status: 0 the EWS call succeeded; 1 a step failed (named in the\n"
    "output); 2 bad arguments.\n";

enum { O_AUTH = 999, O_USER = 1000, O_PWFILE, O_CACERT, O_INSECURE, O_TIMEOUT, O_URL, O_ADURL, O_JSON };

int cmd_ews(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"help", no_argument, NULL, 'h'}, {"user", required_argument, NULL, O_USER},
        {"password-file", required_argument, NULL, O_PWFILE}, {"cacert", required_argument, NULL, O_CACERT},
        {"insecure", no_argument, NULL, O_INSECURE}, {"timeout", required_argument, NULL, O_TIMEOUT},
        {"url", required_argument, NULL, O_URL}, {"autodiscover-url", required_argument, NULL, O_ADURL},
        {"json", no_argument, NULL, O_JSON}, {"auth", required_argument, NULL, O_AUTH}, {NULL, 0, NULL, 0}};
    nt_ews_opts o = {.timeout_ms = 15000};
    const char *pwfile = NULL;
    bool json = false;
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
        switch (ch) {
        case 'h': fputs(nt_ews_help, stdout); return NT_EXIT_OK;
        case O_USER: o.user = optarg; break;
        case O_PWFILE: pwfile = optarg; break;
        case O_CACERT: o.cafile = optarg; break;
        case O_INSECURE: o.insecure = true; break;
        case O_TIMEOUT: {
            char *end;
            double d = strtod(optarg, &end);
            if (*end || !(d > 0 && d <= 3600)) return nt_usage_error("ews", "--timeout needs seconds (0-3600], not '%s'", optarg);
            o.timeout_ms = (int)(d * 1000);
            break;
        }
        case O_URL:
            if (strncmp(optarg, "https://", 8)) return nt_usage_error("ews", "--url needs an https:// URL, not '%s'", optarg);
            o.url = optarg;
            break;
        case O_ADURL:
            if (strncmp(optarg, "https://", 8))
                return nt_usage_error("ews", "--autodiscover-url needs an https:// URL, not '%s'", optarg);
            o.autodiscover_url = optarg;
            break;
        case O_JSON: json = true; break;
        case O_AUTH: {
            char list[128];
            snprintf(list, sizeof list, "%s", optarg);
            o.auth = 0;
            for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (!strcasecmp(t, "basic")) o.auth |= NT_EWS_AUTH_BASIC;
                else if (!strcasecmp(t, "ntlm")) o.auth |= NT_EWS_AUTH_NTLM;
                else if (!strcasecmp(t, "negotiate")) o.auth |= NT_EWS_AUTH_NEGOTIATE;
                else if (!strcasecmp(t, "any")) o.auth |= NT_EWS_AUTH_BASIC | NT_EWS_AUTH_NTLM | NT_EWS_AUTH_NEGOTIATE;
                else return nt_usage_error("ews", "--auth takes basic, ntlm, negotiate or any, not '%s'", t);
            }
            if (!o.auth) return nt_usage_error("ews", "--auth needs a method (basic, ntlm, negotiate, any)");
            break;
        }
        default:
            if (optopt) return nt_usage_error("ews", "option '%s' needs a value", argv[optind - 1]);
            return nt_usage_error("ews", "unknown option '%s' (see 'nettracer ews --help')", argv[optind - 1]);
        }
    }
    if (optind >= argc) return nt_usage_error("ews", "no address given (usage: nettracer ews user@domain)");
    if (optind + 1 < argc) return nt_usage_error("ews", "one address at a time (unexpected '%s')", argv[optind + 1]);
    o.address = argv[optind];
    const char *at = strrchr(o.address, '@');
    if (!at || at == o.address || !at[1] || strchr(at + 1, '/'))
        return nt_usage_error("ews", "'%s' is not an e-mail address (user@domain)", o.address);
    if (pwfile && !o.user) return nt_usage_error("ews", "--password-file needs --user");
    if (pwfile && access(pwfile, R_OK) != 0)
        return nt_usage_error("ews", "cannot read the password file '%s': %s", pwfile, strerror(errno));
    if (o.cafile && access(o.cafile, R_OK) != 0)
        return nt_usage_error("ews", "cannot read the CA file '%s': %s", o.cafile, strerror(errno));
    static char pw[512];
    if (o.user) {
        if (!nt_read_password(pwfile, o.user, pw, sizeof pw)) {
            fprintf(stderr, "nettracer ews: cannot read the password (give --password-file F, or run from a terminal)\n");
            return NT_EXIT_USAGE;
        }
        o.password = pw;
    }
    nt_steps_out out;
    nt_steps_out_init(&out, json, stdout);
    nt_ews_result r;
    int rc = nt_ews_check(&o, nt_steps_render, &out, &r);
    memset(pw, 0, sizeof pw);
    nt_steps_out_free(&out);
    return rc == 0 ? NT_EXIT_OK : NT_EXIT_PROBLEM;
}
