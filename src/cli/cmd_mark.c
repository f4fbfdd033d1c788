/* cmd_mark.c - `nettracer mark`: send one ping marker, so that a trace
 * being captured (here or at the other end) shows where a reproduction
 * starts and ends. */
#include "cli.h"

#include "nettracer/mark.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char nt_mark_help[] =
    "usage: nettracer mark [-6] [--to ADDR] [start|end|SIZE]\n"
    "\n"
    "Send one ICMP echo request (ICMPv6 with -6) whose payload marks a trace:\n"
    "22 bytes for 'start' (the default), 33 for 'end', or SIZE bytes, as\n"
    "'ping -c 1 -s 22' does. It goes to the default gateway (from\n"
    "/proc/net/route or /proc/net/ipv6_route) unless --to names an address.\n"
    "A running 'nettracer capture' writes the comment \"marker start\" or\n"
    "\"marker end\" on the marker and its reply; 'nettracer markers' and\n"
    "--between-markers find the range between them.\n"
    "\n"
    "Options:\n"
    "  -6                  IPv6 (ICMPv6 echo)\n"
    "  --to ADDR           send to this address instead of the default gateway\n"
    "  -W, --wait SECONDS  wait this long for the reply (default 1; 0: do not wait)\n"
    "  --json              what was sent as one JSON object\n"
    "\n"
    "Sending uses an unprivileged ICMP socket when net.ipv4.ping_group_range\n"
    "allows it, else a raw socket (root or CAP_NET_RAW).\n"
    "\n"
    "Exit status: 0 the marker was sent (answered or not); 1 it could not be\n"
    "sent (no gateway, no socket); 2 usage error or a bad address.\n";

enum { OPT_TO = 3000, OPT_JSON_M };

int cmd_mark(int argc, char **argv)
{
    static const struct option lopts[] = {{"to", required_argument, NULL, OPT_TO},
                                          {"wait", required_argument, NULL, 'W'},
                                          {"json", no_argument, NULL, OPT_JSON_M},
                                          {NULL, 0, NULL, 0}};
    nt_mark_req req = {.family = 4, .size = 22, .wait = 1};
    bool json = false;
    const char *what = "start";
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, ":6W:", lopts, NULL)) != -1) {
        switch (ch) {
        case '6': req.family = 6; break;
        case OPT_TO: req.to = optarg; break;
        case 'W': {
            char *end;
            double w = strtod(optarg, &end);
            if (end == optarg || *end || !(w >= 0) || w > 60)
                return nt_usage_error("mark", "--wait needs seconds from 0 to 60, not '%s'", optarg);
            req.wait = w;
            break;
        }
        case OPT_JSON_M: json = true; break;
        case ':': return nt_usage_error("mark", "option %s needs a value", argv[optind - 1]);
        default: return nt_usage_error("mark", "unknown option '%s' (see 'nettracer mark --help')", argv[optind - 1]);
        }
    }
    if (optind < argc) what = argv[optind++];
    if (optind < argc) return nt_usage_error("mark", "one marker at a time (unexpected '%s')", argv[optind]);
    uint64_t v;
    if (!strcmp(what, "start")) req.size = 22;
    else if (!strcmp(what, "end")) req.size = 33;
    else if (nt_parse_u64(what, &v) && v >= 1 && v <= NT_MARK_MAX_SIZE) req.size = (uint32_t)v, what = "size";
    else return nt_usage_error("mark", "give start, end or a payload size from 1 to %d, not '%s'", NT_MARK_MAX_SIZE, what);

    nt_mark_result res;
    nt_error err = {0};
    if (nt_mark_send(&req, &res, &err)) {
        fprintf(stderr, "nettracer mark: %s\n", err.msg);
        return err.code == EINVAL ? NT_EXIT_USAGE : NT_EXIT_PROBLEM;
    }
    nt_buf b;
    nt_buf_init(&b);
    if (json) {
        nt_json j;
        nt_json_begin(&j, &b);
        nt_json_obj_open(&j, NULL);
        nt_json_str(&j, "type", "mark");
        nt_json_str(&j, "marker", what);
        nt_json_u64(&j, "size", req.size);
        nt_json_u64(&j, "family", (uint64_t)req.family);
        nt_json_str(&j, "dst", res.dst);
        nt_json_bool(&j, "gateway", res.gateway);
        if (res.iface[0]) nt_json_str(&j, "iface", res.iface);
        nt_json_str(&j, "socket", res.socket);
        nt_json_u64(&j, "id", res.id);
        nt_json_u64(&j, "seq", res.seq);
        nt_json_bool(&j, "replied", res.replied);
        if (res.replied) {
            nt_buf t;
            nt_buf_init(&t);
            nt_buf_printf(&t, "%.3f", res.rtt_ms);
            nt_json_raw(&j, "rtt_ms", t.p);
            nt_buf_free(&t);
        }
        nt_json_obj_close(&j);
        nt_buf_putc(&b, '\n');
    } else {
        nt_buf_printf(&b, "sent %s%smarker: ICMP%s echo request with a %u-byte payload to %s",
                      strcmp(what, "size") ? what : "", strcmp(what, "size") ? " " : "", req.family == 6 ? "v6" : "",
                      req.size, res.dst);
        if (res.gateway) nt_buf_printf(&b, " (default gateway via %s)", res.iface);
        nt_buf_printf(&b, ", id %u seq %u, %s socket\n", res.id, res.seq, res.socket);
        if (res.replied) nt_buf_printf(&b, "reply from %s in %.3f ms\n", res.dst, res.rtt_ms);
        else if (req.wait > 0)
            nt_buf_printf(&b, "no reply within %g s (the request alone marks the trace)\n", req.wait);
    }
    nt_buf_flush(&b, stdout);
    nt_buf_free(&b);
    return NT_EXIT_OK;
}
