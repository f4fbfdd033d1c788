/* cmd_stun.c - `nettracer stun HOST`: is this STUN/TURN server alive?
 * The options, the password (file or terminal), then the library's client
 * flow (probe/stunflow.c: Binding, Allocate without and with credentials,
 * release), its step records printed by the one step renderer; the exit
 * status says whether the server answered as a live TURN server. */
#include "cli.h"
#include "steps_render.h"
#include "nettracer/stun.h"
#include "nettracer/stunflow.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char nt_stun_help[] =
    "usage: nettracer stun [OPTIONS] HOST\n"
    "\n"
    "Test a STUN/TURN server (coturn, a Lync/Skype/Teams A/V Edge): a Binding\n"
    "request shows the address the server sees (XOR-MAPPED-ADDRESS); a TURN\n"
    "Allocate without credentials must get ERROR-CODE 401 with a REALM and a\n"
    "NONCE (\"alive, wants credentials\"). With --user and a password, the\n"
    "authenticated Allocate prints the relayed address and lifetime, and the\n"
    "allocation is released (Refresh, lifetime 0). Every answer is decoded\n"
    "attribute by attribute. Over UDP a request is sent again after 0.5, 1.5,\n"
    "3.5, 7.5 s (RFC 5389) until --timeout.\n"
    "\n"
    "Options:\n"
    "  --port N            server port (default 3478; 5349 is usual for --tls)\n"
    "  --udp | --tcp | --tls   transport (default UDP; TLS does not verify the\n"
    "                      server's certificate, it describes it)\n"
    "  --timeout SEC       how long to wait for each answer (default 10)\n"
    "  -4, -6              use IPv4 or IPv6 only\n"
    "  --user NAME         TURN long-term credential user name\n"
    "  --password-file F   read the password from the first line of F\n"
    "                      (without it, --user prompts for it without echo)\n"
    "  --ms-turn           Microsoft's MS-TURN dialect (A/V Edge): MAGIC-COOKIE\n"
    "                      first, MS-VERSION, NONCE/REALM with swapped numbers;\n"
    "                      with --tcp the port defaults to 443\n"
    "  --pseudo-tls, --no-pseudo-tls\n"
    "                      over TCP, first send MS-TURN's pseudo-TLS hello and\n"
    "                      wait for its ServerHello/ServerHelloDone, as an A/V\n"
    "                      Edge expects on TCP 443 (default: on for --ms-turn\n"
    "                      --tcp on port 443, off otherwise)\n"
    "  --request-file F    send the bytes of F as the unauthenticated Allocate\n"
    "                      (e.g. a request copied from a trace or a script)\n"
    "  --no-binding        skip the Binding request\n"
    "  --json              JSON Lines: one object per request/answer (every\n"
    "                      attribute decoded), then a result object\n"
    "\n"
    "Exit status: 0 the server answered as a live TURN server (401, or a\n"
    "successful authenticated allocation); 1 no answer, or an error other than\n"
    "the expected 401; 2 bad arguments.\n";

enum { O_PORT = 1000, O_UDP, O_TCP, O_TLS, O_TIMEOUT, O_USER, O_PWFILE, O_MSTURN, O_REQFILE, O_NOBIND, O_JSON, O_PTLS, O_NOPTLS };

typedef struct pw_source {
    const char *file, *user;
} pw_source;

static bool get_password(void *u, char *pw, size_t n)
{
    const pw_source *p = u;
    return nt_read_password(p->file, p->user, pw, n);
}

static bool read_request_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    *len = fread(buf, 1, cap, f);
    bool ok = !ferror(f);
    fclose(f);
    return ok;
}

int cmd_stun(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"help", no_argument, NULL, 'h'}, {"port", required_argument, NULL, O_PORT},
        {"udp", no_argument, NULL, O_UDP}, {"tcp", no_argument, NULL, O_TCP}, {"tls", no_argument, NULL, O_TLS},
        {"timeout", required_argument, NULL, O_TIMEOUT}, {"user", required_argument, NULL, O_USER},
        {"password-file", required_argument, NULL, O_PWFILE}, {"ms-turn", no_argument, NULL, O_MSTURN},
        {"request-file", required_argument, NULL, O_REQFILE}, {"no-binding", no_argument, NULL, O_NOBIND},
        {"json", no_argument, NULL, O_JSON}, {"pseudo-tls", no_argument, NULL, O_PTLS},
        {"no-pseudo-tls", no_argument, NULL, O_NOPTLS}, {NULL, 0, NULL, 0}};
    nt_stunflow_opts r = {.port = 3478, .tr = NT_STUN_UDP, .timeout_ms = 10000, .binding = true};
    const char *pwfile = NULL, *reqfile = NULL;
    bool json = false, port_set = false;
    int ch, ptls = -1;   /* -1: by the defaults */
    uint64_t v;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h46", lopts, NULL)) != -1) {
        switch (ch) {
        case 'h': fputs(nt_stun_help, stdout); return NT_EXIT_OK;
        case '4': r.family = 4; break;
        case '6': r.family = 6; break;
        case O_PORT:
            if (!nt_parse_u64(optarg, &v) || v == 0 || v > 65535)
                return nt_usage_error("stun", "--port needs a port number 1-65535, not '%s'", optarg);
            r.port = (uint16_t)v, port_set = true;
            break;
        case O_UDP: r.tr = NT_STUN_UDP; break;
        case O_TCP: r.tr = NT_STUN_TCP; break;
        case O_TLS: r.tr = NT_STUN_TLS; break;
        case O_TIMEOUT: {
            char *end;
            double d = strtod(optarg, &end);
            if (*end || !(d > 0 && d <= 3600))
                return nt_usage_error("stun", "--timeout needs seconds (0-3600], not '%s'", optarg);
            r.timeout_ms = (int)(d * 1000);
            break;
        }
        case O_USER: r.user = optarg; break;
        case O_PWFILE: pwfile = optarg; break;
        case O_MSTURN: r.ms = true; break;
        case O_REQFILE: reqfile = optarg; break;
        case O_NOBIND: r.binding = false; break;
        case O_JSON: json = true; break;
        case O_PTLS: ptls = 1; break;
        case O_NOPTLS: ptls = 0; break;
        default:
            if (optopt) return nt_usage_error("stun", "option '%s' needs a value", argv[optind - 1]);
            return nt_usage_error("stun", "unknown option '%s' (see 'nettracer stun --help')", argv[optind - 1]);
        }
    }
    if (optind >= argc) return nt_usage_error("stun", "no server given (usage: nettracer stun HOST)");
    if (optind + 1 < argc) return nt_usage_error("stun", "one server at a time (unexpected '%s')", argv[optind + 1]);
    r.host = argv[optind];
    if (pwfile && !r.user) return nt_usage_error("stun", "--password-file needs --user");
    if (pwfile && access(pwfile, R_OK) != 0)
        return nt_usage_error("stun", "cannot read the password file '%s': %s", pwfile, strerror(errno));
    if (r.tr == NT_STUN_TLS && !port_set) r.port = 5349;
    if (r.tr == NT_STUN_TCP && r.ms && !port_set) r.port = 443;   /* where an A/V Edge takes TURN over TCP */
    if (ptls == 1 && r.tr != NT_STUN_TCP)
        return nt_usage_error("stun", "--pseudo-tls needs --tcp (it replaces a real TLS handshake)");
    r.pseudo_tls = ptls == 1 || (ptls == -1 && r.ms && r.tr == NT_STUN_TCP && r.port == 443);
    static uint8_t raw[2048];
    size_t rawlen = 0;
    if (reqfile) {
        nt_stun_msg m;
        const char *why = NULL;
        if (!read_request_file(reqfile, raw, sizeof raw, &rawlen))
            return nt_usage_error("stun", "cannot read '%s': %s", reqfile, strerror(errno));
        if (nt_stun_parse(raw, rawlen, &m, &why) < 0 || m.cls != NT_STUN_REQUEST)
            return nt_usage_error("stun", "'%s' is not a STUN request: %s", reqfile, why ? why : "not a request");
    }
    r.rawreq = reqfile ? raw : NULL;
    r.rawlen = rawlen;
    pw_source pws = {pwfile, r.user};
    r.password = get_password;
    r.password_user = &pws;
    r.password_file = pwfile;
    nt_steps_out out;
    nt_steps_out_init(&out, json, stdout);
    bool alive = nt_stunflow_run(&r, nt_steps_render, &out);
    nt_steps_out_free(&out);
    return alive ? NT_EXIT_OK : NT_EXIT_PROBLEM;
}
