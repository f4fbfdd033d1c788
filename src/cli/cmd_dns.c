/* cmd_dns.c - `nettracer dns NAME [TYPE]`: the options of a direct DNS
 * question and the server to ask; the library (probe/dnsquery.c) asks and
 * says what the answer means, as step records printed by the one step
 * renderer. Exit 0 only with an answer. */
#include "cli.h"
#include "steps_render.h"
#include "nettracer/dns.h"
#include "nettracer/probe.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char nt_dns_help[] =
    "usage: nettracer dns [OPTIONS] NAME [TYPE]\n"
    "       nettracer dns [OPTIONS] -x ADDRESS\n"
    "\n"
    "Ask one DNS server directly (not through the local resolver and its cache)\n"
    "and explain the answer. TYPE: A (default), AAAA, CNAME, SRV, MX, TXT, NS,\n"
    "SOA, PTR, ANY or TYPEnnn. UDP first, TCP again when the answer is truncated.\n"
    "SRV records are listed in the order a client tries them: lowest priority\n"
    "first, then highest weight; a target of '.' means the service is\n"
    "decidedly not available at that domain.\n"
    "\n"
    "Options:\n"
    "  -s, --server ADDR[:PORT]  the server to ask (default: the first nameserver\n"
    "                         of /etc/resolv.conf); IPv6 as [ADDR]:PORT\n"
    "  -x, --reverse ADDR     PTR query for an IPv4/IPv6 address\n"
    "  --tcp                  TCP only\n"
    "  --norecurse            clear RD: ask the server only what it holds itself\n"
    "  --edns SIZE            add an EDNS OPT record advertising SIZE bytes (512-65535)\n"
    "  --timeout SEC          wait per try (default 2, decimals allowed)\n"
    "  --tries N              UDP sends before giving up (default 2)\n"
    "  --short                only the answer data, one per line\n"
    "                         (SRV: target:port, in the order above)\n"
    "  -v, --verbose          also the authority and additional sections\n"
    "  --json                 JSON Lines: a 'dns' record, then one per resource record\n"
    "\n"
    "Exit status: 0 an answer came; 1 NXDOMAIN, SERVFAIL or another error rcode,\n"
    "an empty answer, or no response (the message names the rcode and its Windows\n"
    "number, e.g. NXDOMAIN = 9003 DNS_ERROR_RCODE_NAME_ERROR); 2 bad arguments.\n";

enum { OPT_TCP = 1000, OPT_NOREC, OPT_EDNS, OPT_TIMEOUT, OPT_TRIES, OPT_SHORT, OPT_JSON };

typedef struct dns_opts {
    const char *server, *name, *type_s;
    char ptrname[80];
    uint16_t type;
    bool tcp, norecurse, shrt, verbose, json;
    uint16_t edns;
    int timeout_ms, tries;
} dns_opts;

static int parse_args(int argc, char **argv, dns_opts *o)
{
    static const struct option lopts[] = {
        {"server", required_argument, NULL, 's'},   {"reverse", required_argument, NULL, 'x'},
        {"tcp", no_argument, NULL, OPT_TCP},         {"norecurse", no_argument, NULL, OPT_NOREC},
        {"edns", required_argument, NULL, OPT_EDNS}, {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"tries", required_argument, NULL, OPT_TRIES}, {"short", no_argument, NULL, OPT_SHORT},
        {"verbose", no_argument, NULL, 'v'},         {"json", no_argument, NULL, OPT_JSON},
        {NULL, 0, NULL, 0}};
    const char *rev = NULL;
    int ch;
    uint64_t v;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "s:x:v", lopts, NULL)) != -1) {
        switch (ch) {
        case 's': o->server = optarg; break;
        case 'x': rev = optarg; break;
        case 'v': o->verbose = true; break;
        case OPT_TCP: o->tcp = true; break;
        case OPT_NOREC: o->norecurse = true; break;
        case OPT_SHORT: o->shrt = true; break;
        case OPT_JSON: o->json = true; break;
        case OPT_EDNS:
            if (!nt_parse_u64(optarg, &v) || v < 512 || v > 65535)
                return nt_usage_error("dns", "--edns needs a payload size from 512 to 65535, not '%s'", optarg);
            o->edns = (uint16_t)v;
            break;
        case OPT_TRIES:
            if (!nt_parse_u64(optarg, &v) || v < 1 || v > 10)
                return nt_usage_error("dns", "--tries needs a number from 1 to 10, not '%s'", optarg);
            o->tries = (int)v;
            break;
        case OPT_TIMEOUT: {
            char *end;
            double s = strtod(optarg, &end);
            if (*end || !(s >= 0.01 && s <= 60))
                return nt_usage_error("dns", "--timeout needs seconds from 0.01 to 60, not '%s'", optarg);
            o->timeout_ms = (int)(s * 1000 + 0.5);
            break;
        }
        default:
            if (optopt && strchr("sx", optopt)) return nt_usage_error("dns", "option -%c needs a value", optopt);
            return nt_usage_error("dns", "unknown option '%s' (see 'nettracer dns --help')", argv[optind - 1]);
        }
    }
    if (rev) {
        uint8_t a[16];
        int fam = inet_pton(AF_INET, rev, a) == 1 ? 4 : inet_pton(AF_INET6, rev, a) == 1 ? 6 : 0;
        if (!fam) return nt_usage_error("dns", "-x needs an IPv4 or IPv6 address, not '%s'", rev);
        nt_dns_ptr_name(fam, a, o->ptrname, sizeof o->ptrname);
        o->name = o->ptrname;
        o->type = NT_DNS_PTR;
        if (optind < argc) return nt_usage_error("dns", "-x takes no NAME or TYPE (unexpected '%s')", argv[optind]);
        return 0;
    }
    if (optind >= argc) return nt_usage_error("dns", "no name given (usage: nettracer dns NAME [TYPE])");
    o->name = argv[optind++];
    if (optind < argc) {
        o->type_s = argv[optind++];
        if (!nt_dns_type_parse(o->type_s, &o->type) || o->type == NT_DNS_OPT)
            return nt_usage_error("dns", "unknown record type '%s' (A, AAAA, CNAME, SRV, MX, TXT, NS, SOA, PTR, ANY or TYPEnnn)",
                                  o->type_s);
    }
    if (optind < argc) return nt_usage_error("dns", "one name at a time (unexpected '%s')", argv[optind]);
    uint8_t tmp[NT_DNS_NAME_MAX + 1];
    size_t n;
    nt_dns_err e = nt_dns_name_encode(o->name, tmp, sizeof tmp, &n);
    if (e) return nt_usage_error("dns", "'%s' is not a valid DNS name: %s", o->name, nt_dns_strerror(e));
    return 0;
}

int cmd_dns(int argc, char **argv)
{
    dns_opts o = {.type = NT_DNS_A, .timeout_ms = 2000, .tries = 2};
    if (parse_args(argc, argv, &o)) return NT_EXIT_USAGE;
    nt_dnsq_opts q = {.server_from = "--server", .name = o.name, .type = o.type, .tcp = o.tcp, .norecurse = o.norecurse,
                      .edns = o.edns, .timeout_ms = o.timeout_ms, .tries = o.tries, .shrt = o.shrt, .verbose = o.verbose};
    if (o.server) {
        if (!nt_parse_hostport_addr(o.server, NT_DNS_PORT, &q.server, &q.server_len))
            return nt_usage_error("dns", "--server needs an IP address with an optional port (ADDR, ADDR:PORT, [IPv6]:PORT), not '%s'",
                                  o.server);
    } else {
        if (!nt_resolv_conf_server("/etc/resolv.conf", &q.server, &q.server_len))
            return nt_usage_error("dns", "no nameserver in /etc/resolv.conf: give one with --server ADDR");
        q.server_from = "/etc/resolv.conf";
    }
    nt_steps_out out;
    nt_steps_out_init(&out, o.json, stdout);
    nt_verdict v = nt_dns_query_run(&q, nt_steps_render, &out);
    nt_steps_out_free(&out);
    return v == NT_VERDICT_OK ? NT_EXIT_OK : NT_EXIT_PROBLEM;
}
