/* cmd_capture.c - `nettracer capture`: a live capture the way an expert asks
 * for one (capture filter, snap length, chained files or a ring buffer,
 * ping markers commented in the file), then what was captured and lost. */
#include "cli.h"
#include "traceopts.h"

#include "nettracer/capture.h"
#include "nettracer/markers.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char nt_capture_help[] =
    "usage: nettracer capture [-i IFACE]... [-f FILTER] [-s SNAPLEN] -w FILE [OPTIONS]\n"
    "       nettracer capture -D\n"
    "\n"
    "Capture packets into a pcapng file (interface names, descriptions, OS,\n"
    "the capture filter, comments on ping markers, drop counts at the end) or,\n"
    "with --pcap, a classic pcap file. Stop with Ctrl-C (SIGINT) or SIGTERM:\n"
    "every file is closed complete. At the end, print the packets captured, those\n"
    "dropped by the kernel and by the interface, and the files written.\n"
    "\n"
    "Options:\n"
    "  -D, --list-interfaces  list the interfaces (with --json: one object each)\n"
    "  -i IFACE            interface to capture on; repeat for several; 'any' for\n"
    "                      all (default: the first interface that is up)\n"
    "  -f FILTER           capture filter (BPF, as tcpdump), e.g. 'host 10.1.1.1\n"
    "                      and port 443'; recorded in the file\n"
    "  -s SNAPLEN          bytes kept per packet (default 262144); 256 keeps the\n"
    "                      headers and little payload\n"
    "  -w FILE             output file ('-': standard output, one file only)\n"
    "  --pcap              classic pcap instead of pcapng (no comments, one link type)\n"
    "  --chain SIZE        start a new file every SIZE (e.g. 100M), keep them all\n"
    "  --ring SIZE:COUNT   files of SIZE, keep only the newest COUNT (circular)\n"
    "                      SIZE: bytes, or with k, M, G (1000s) or Ki, Mi, Gi (1024s)\n"
    "                      chained files are named like dumpcap's:\n"
    "                      FILE.pcapng -> FILE_00001_YYYYmmddHHMMSS.pcapng\n"
    "  --duration SECONDS  stop after this long\n"
    "  -c, --count N       stop after N packets\n"
    "  -B MIB              kernel buffer per interface in MiB (default 16)\n"
    "  -p                  do not put the interface in promiscuous mode\n"
    "  -Z USER             drop root privileges to USER after opening the\n"
    "                      interfaces (files are created as USER)\n"
    "  --marker-sizes START,END  ping marker payload sizes to comment (default\n"
    "                      22,33; see 'nettracer mark')\n"
    "  --no-markers        do not look for ping markers\n"
    "  -q                  no start line\n"
    "  --json              the end summary as one JSON object on standard output\n"
    "\n"
    "Capturing needs root or the CAP_NET_RAW capability; to let a user capture:\n"
    "  sudo setcap cap_net_raw,cap_net_admin=eip $(command -v nettracer)\n"
    "\n"
    "Exit status: 0 capture complete; 1 stopped by a write error (a full disk:\n"
    "the files are valid up to the last packet); 2 usage error, or the capture\n"
    "could not start (interface, filter, permission).\n";

enum { OPT_PCAP = 2000, OPT_CHAIN, OPT_RING, OPT_DURATION, OPT_MSIZES, OPT_NOMARK, OPT_JSON_C };

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* "100M", "64k", "1Gi", "5000" */
static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !(v > 0)) return false;
    double mul = 1;
    if (!*end) mul = 1;
    else if (!strcmp(end, "k") || !strcmp(end, "K") || !strcmp(end, "kB") || !strcmp(end, "KB")) mul = 1e3;
    else if (!strcmp(end, "M") || !strcmp(end, "MB")) mul = 1e6;
    else if (!strcmp(end, "G") || !strcmp(end, "GB")) mul = 1e9;
    else if (!strcmp(end, "Ki") || !strcmp(end, "KiB")) mul = 1024;
    else if (!strcmp(end, "Mi") || !strcmp(end, "MiB")) mul = 1048576;
    else if (!strcmp(end, "Gi") || !strcmp(end, "GiB")) mul = 1073741824;
    else return false;
    v *= mul;
    if (v < 1 || v > 1e15) return false;
    *out = (uint64_t)v;
    return true;
}

static int list_devices(bool json)
{
    nt_capdev *d;
    size_t n;
    nt_error err = {0};
    if (nt_capture_devices(&d, &n, &err)) {
        fprintf(stderr, "nettracer capture: %s\n", err.msg);
        return NT_EXIT_USAGE;
    }
    nt_buf b;
    nt_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (json) {
            nt_json j;
            nt_json_begin(&j, &b);
            nt_json_obj_open(&j, NULL);
            nt_json_u64(&j, "index", i + 1);
            nt_json_str(&j, "name", d[i].name);
            nt_json_str(&j, "description", d[i].desc);
            nt_json_str(&j, "addresses", d[i].addrs);
            nt_json_bool(&j, "up", d[i].up);
            nt_json_bool(&j, "running", d[i].running);
            nt_json_bool(&j, "loopback", d[i].loopback);
            nt_json_obj_close(&j);
            nt_buf_putc(&b, '\n');
        } else {
            nt_buf_printf(&b, "%zu. %s", i + 1, d[i].name);
            if (d[i].desc[0]) nt_buf_printf(&b, " (%s)", d[i].desc);
            nt_buf_printf(&b, " [%s%s%s]", d[i].up ? "Up" : "Down", d[i].running ? ", Running" : "",
                          d[i].loopback ? ", Loopback" : "");
            if (d[i].addrs[0]) nt_buf_printf(&b, "  %s", d[i].addrs);
            nt_buf_putc(&b, '\n');
        }
    }
    nt_buf_flush(&b, stdout);
    nt_buf_free(&b);
    free(d);
    return NT_EXIT_OK;
}

static int drop_privileges(const char *user)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        fprintf(stderr, "nettracer capture: -Z: no user '%s'\n", user);
        return -1;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
        fprintf(stderr, "nettracer capture: -Z %s: cannot drop privileges: %s\n", user, strerror(errno));
        return -1;
    }
    if (pw->pw_uid != 0 && setuid(0) == 0) {
        fprintf(stderr, "nettracer capture: -Z %s: privileges could be regained; stopping\n", user);
        return -1;
    }
    return 0;
}

typedef struct mark_sizes {
    uint32_t start, end;
} mark_sizes;

static const char *mark_comment(void *user, const nt_frame *f)
{
    const mark_sizes *m = user;
    return nt_marker_comment(f, m->start, m->end);
}

int cmd_capture(int argc, char **argv)
{
    static const struct option lopts[] = {{"list-interfaces", no_argument, NULL, 'D'},
                                          {"count", required_argument, NULL, 'c'},
                                          {"pcap", no_argument, NULL, OPT_PCAP},
                                          {"chain", required_argument, NULL, OPT_CHAIN},
                                          {"ring", required_argument, NULL, OPT_RING},
                                          {"duration", required_argument, NULL, OPT_DURATION},
                                          {"marker-sizes", required_argument, NULL, OPT_MSIZES},
                                          {"no-markers", no_argument, NULL, OPT_NOMARK},
                                          {"json", no_argument, NULL, OPT_JSON_C},
                                          {NULL, 0, NULL, 0}};
    nt_capture_opts o = {.app = "nettracer " NT_VERSION};
    const char *ifaces[64];
    size_t nif = 0;
    bool list = false, json = false, quiet = false, markers = true, chain = false, ring = false;
    const char *user = NULL;
    mark_sizes ms = {22, 33};
    uint64_t v;
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, ":Di:f:s:w:c:B:pZ:q", lopts, NULL)) != -1) {
        switch (ch) {
        case 'D': list = true; break;
        case 'i':
            if (nif == sizeof ifaces / sizeof ifaces[0]) return nt_usage_error("capture", "too many interfaces");
            ifaces[nif++] = optarg;
            break;
        case 'f': o.filter = optarg; break;
        case 's':
            if (!nt_parse_u64(optarg, &v) || v < 1 || v > 262144)
                return nt_usage_error("capture", "-s needs a snap length from 1 to 262144 bytes, not '%s'", optarg);
            o.snaplen = (uint32_t)v;
            break;
        case 'w': o.path = optarg; break;
        case 'c':
            if (!nt_parse_u64(optarg, &v) || v == 0)
                return nt_usage_error("capture", "-c needs a packet count above 0, not '%s'", optarg);
            o.count = v;
            break;
        case 'B':
            if (!nt_parse_u64(optarg, &v) || v == 0 || v > 4096)
                return nt_usage_error("capture", "-B needs a buffer size in MiB from 1 to 4096, not '%s'", optarg);
            o.buffer_kib = (uint32_t)v * 1024;
            break;
        case 'p': o.no_promisc = true; break;
        case 'Z': user = optarg; break;
        case 'q': quiet = true; break;
        case OPT_PCAP: o.pcap = true; break;
        case OPT_CHAIN:
            if (!parse_size(optarg, &o.file_size))
                return nt_usage_error("capture", "--chain needs a file size such as 100M or 500k, not '%s'", optarg);
            chain = true;
            break;
        case OPT_RING: {
            const char *colon = strrchr(optarg, ':');
            char sz[64];
            if (!colon || (size_t)(colon - optarg) >= sizeof sz)
                return nt_usage_error("capture", "--ring needs SIZE:COUNT such as 10M:5, not '%s'", optarg);
            memcpy(sz, optarg, (size_t)(colon - optarg));
            sz[colon - optarg] = 0;
            if (!parse_size(sz, &o.file_size) || !nt_parse_u64(colon + 1, &v) || v < 1 || v > 100000)
                return nt_usage_error("capture", "--ring needs SIZE:COUNT such as 10M:5, not '%s'", optarg);
            o.ring = (uint32_t)v;
            ring = true;
            break;
        }
        case OPT_DURATION: {
            char *end;
            double d = strtod(optarg, &end);
            if (end == optarg || *end || !(d > 0) || !isfinite(d))
                return nt_usage_error("capture", "--duration needs a number of seconds above 0, not '%s'", optarg);
            o.duration = d;
            break;
        }
        case OPT_MSIZES:
            if (!nt_parse_marker_sizes(optarg, &ms.start, &ms.end))
                return nt_usage_error("capture", "--marker-sizes needs two different payload sizes START,END, not '%s'",
                                      optarg);
            break;
        case OPT_NOMARK: markers = false; break;
        case OPT_JSON_C: json = true; break;
        case ':': return nt_usage_error("capture", "option %s needs a value", argv[optind - 1]);
        default: return nt_usage_error("capture", "unknown option '%s' (see 'nettracer capture --help')", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return nt_usage_error("capture", "unexpected '%s' (a capture filter goes after -f, quoted)", argv[optind]);
    if (list) return list_devices(json);
    if (!o.path) return nt_usage_error("capture", "no output file: give -w FILE");
    if (chain && ring) return nt_usage_error("capture", "--chain and --ring exclude each other");
    if (o.file_size && !strcmp(o.path, "-"))
        return nt_usage_error("capture", "--chain and --ring write several files: -w needs a file name, not '-'");
    if (json && !strcmp(o.path, "-")) return nt_usage_error("capture", "--json and -w - both want standard output");
    if (o.pcap && markers) markers = false; /* classic pcap has no comments */
    o.ifaces = ifaces;
    o.nifaces = nif;
    o.stop = &stop_flag;
    if (markers) {
        o.comment = mark_comment;
        o.comment_user = &ms;
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed pipe is a write error, reported */

    nt_error err = {0};
    nt_capture *c = nt_capture_open(&o, &err);
    if (!c) {
        if (err.code == EPERM) {
            char exe[512] = "nettracer";
            ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
            if (n > 0) exe[n] = 0;
            fprintf(stderr, "nettracer capture: %s (run as root, or once: sudo setcap cap_net_raw,cap_net_admin=eip %s)\n",
                    err.msg, exe);
        } else {
            fprintf(stderr, "nettracer capture: %s\n", err.msg);
        }
        return NT_EXIT_USAGE;
    }
    if (user && drop_privileges(user)) {
        nt_capture_close(c);
        return NT_EXIT_USAGE;
    }
    if (!quiet) {
        fprintf(stderr, "Capturing on");
        for (size_t i = 0; i < nt_capture_nifaces(c); i++)
            fprintf(stderr, "%s '%s'", i ? "," : "", nt_capture_stat(c, i)->name);
        if (o.filter) fprintf(stderr, " (filter '%s')", o.filter);
        fprintf(stderr, " -> %s%s\n", strcmp(o.path, "-") ? o.path : "standard output",
                ring ? " (ring)" : chain ? " (chain)" : "");
    }
    int rc = nt_capture_run(c, &err);
    nt_buf b;
    nt_buf_init(&b);
    if (json) {
        nt_json j;
        nt_json_begin(&j, &b);
        nt_json_obj_open(&j, NULL);
        nt_json_str(&j, "type", "capture");
        nt_json_str(&j, "stopped_by", nt_capture_stop_reason(c));
        if (rc) nt_json_str(&j, "error", err.msg);
        nt_json_u64(&j, "packets", nt_capture_packets(c));
        nt_json_u64(&j, "packets_written", nt_capture_written(c));
        nt_json_u64(&j, "marker_comments", nt_capture_comments(c));
        nt_json_arr_open(&j, "interfaces");
        for (size_t i = 0; i < nt_capture_nifaces(c); i++) {
            const nt_capture_ifstat *s = nt_capture_stat(c, i);
            nt_json_obj_open(&j, NULL);
            nt_json_str(&j, "name", s->name);
            nt_json_str(&j, "link_type", nt_linktype_name(s->linktype));
            nt_json_u64(&j, "captured", s->captured);
            nt_json_u64(&j, "written", s->written);
            if (s->has_stats) {
                nt_json_u64(&j, "received_by_filter", s->recv);
                nt_json_u64(&j, "dropped_by_kernel", s->drop);
                nt_json_u64(&j, "dropped_by_interface", s->ifdrop);
            }
            nt_json_obj_close(&j);
        }
        nt_json_arr_close(&j);
        nt_json_arr_open(&j, "files");
        for (size_t i = 0; i < nt_capture_nfiles(c); i++) nt_json_str(&j, NULL, nt_capture_file(c, i));
        nt_json_arr_close(&j);
        nt_json_u64(&j, "files_removed", nt_capture_deleted(c));
        nt_json_obj_close(&j);
        nt_buf_putc(&b, '\n');
        nt_buf_flush(&b, stdout);
    }
    if (rc) fprintf(stderr, "nettracer capture: %s\n", err.msg);
    for (size_t i = 0; i < nt_capture_nifaces(c); i++) {
        const nt_capture_ifstat *s = nt_capture_stat(c, i);
        if (s->written == s->captured)
            nt_buf_printf(&b, "%s: %llu packets captured", s->name, (unsigned long long)s->captured);
        else /* a write error: what is in the files, and what was lost with it */
            nt_buf_printf(&b, "%s: %llu packets written, %llu more captured but lost with the write error", s->name,
                          (unsigned long long)s->written, (unsigned long long)(s->captured - s->written));
        if (s->has_stats)
            nt_buf_printf(&b, ", %llu received by filter, %llu dropped by kernel, %llu dropped by interface",
                          (unsigned long long)s->recv, (unsigned long long)s->drop, (unsigned long long)s->ifdrop);
        nt_buf_putc(&b, '\n');
    }
    if (nt_capture_comments(c))
        nt_buf_printf(&b, "%llu ping markers commented\n", (unsigned long long)nt_capture_comments(c));
    if (strcmp(o.path, "-")) {
        nt_buf_printf(&b, "%zu file%s written:\n", nt_capture_nfiles(c), nt_capture_nfiles(c) == 1 ? "" : "s");
        for (size_t i = 0; i < nt_capture_nfiles(c); i++) nt_buf_printf(&b, "  %s\n", nt_capture_file(c, i));
        if (nt_capture_deleted(c))
            nt_buf_printf(&b, "  (%llu older file%s removed by the ring)\n", (unsigned long long)nt_capture_deleted(c),
                          nt_capture_deleted(c) == 1 ? "" : "s");
    }
    nt_buf_flush(&b, stderr);
    nt_buf_free(&b);
    nt_capture_close(c);
    return rc ? NT_EXIT_PROBLEM : NT_EXIT_OK;
}
