/* capture.c - see capture.h. One non-blocking libpcap handle per interface,
 * polled together; packets go to the current file through the pcapng/pcap
 * writer; a new file starts when the current one reaches the chain size
 * (with the ring, the oldest of this run's files is then removed). Each
 * file is a complete capture on its own: section header, interfaces,
 * packets, and interface statistics when it is closed. */
#include "nettracer/capture.h"

#include "nettracer/pcapng_write.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

typedef struct cap_if {
    pcap_t *p;
    int fd;
    nt_capture_ifstat st;
    char desc[256];
} cap_if;

struct nt_capture {
    nt_capture_opts o;
    cap_if *ifs;
    size_t nifs;
    char *filter;
    char os[160];
    nt_capw_queue *q;        /* the writer thread */
    nt_capw *w;
    uint64_t seq;            /* file number */
    char **files;            /* kept files, oldest first */
    size_t nfiles;
    uint64_t deleted;
    uint64_t packets, comments;
    nt_time start;
    const char *reason;
    bool done;
    nt_error werr;           /* first write error */
    bool failed;
};

static nt_time now_real(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (nt_time){ts.tv_sec, (uint32_t)ts.tv_nsec};
}

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void addr_str(char *dst, size_t n, const struct sockaddr *sa)
{
    char a[INET6_ADDRSTRLEN] = "";
    if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, a, sizeof a);
    else if (sa->sa_family == AF_INET6) inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, a, sizeof a);
    else return;
    size_t l = strlen(dst);
    if (l + strlen(a) + 3 >= n) return;
    snprintf(dst + l, n - l, "%s%s", l ? ", " : "", a);
}

int nt_capture_devices(nt_capdev **devs, size_t *n, nt_error *err)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all = NULL;
    *devs = NULL;
    *n = 0;
    if (pcap_findalldevs(&all, eb) != 0) {
        nt_error_set(err, NT_ERR, "cannot list the interfaces: %s", eb);
        return -1;
    }
    size_t cnt = 0;
    for (pcap_if_t *d = all; d; d = d->next) cnt++;
    nt_capdev *out = calloc(cnt ? cnt : 1, sizeof *out);
    if (!out) abort();
    size_t i = 0;
    for (pcap_if_t *d = all; d; d = d->next, i++) {
        snprintf(out[i].name, sizeof out[i].name, "%s", d->name);
        if (d->description) snprintf(out[i].desc, sizeof out[i].desc, "%s", d->description);
        out[i].up = d->flags & PCAP_IF_UP;
        out[i].running = d->flags & PCAP_IF_RUNNING;
        out[i].loopback = d->flags & PCAP_IF_LOOPBACK;
        out[i].wireless = d->flags & PCAP_IF_WIRELESS;
        for (pcap_addr_t *a = d->addresses; a; a = a->next)
            if (a->addr) addr_str(out[i].addrs, sizeof out[i].addrs, a->addr);
    }
    pcap_freealldevs(all);
    *devs = out;
    *n = cnt;
    return 0;
}

/* dumpcap's choice when no interface is given: the first one that is up,
 * running and not a loopback. */
static int default_iface(char *dst, size_t n, nt_error *err)
{
    nt_capdev *d;
    size_t nd;
    if (nt_capture_devices(&d, &nd, err)) return -1;
    int rc = -1;
    for (size_t i = 0; i < nd && rc; i++)
        if (d[i].up && d[i].running && !d[i].loopback && strcmp(d[i].name, "any")) {
            snprintf(dst, n, "%s", d[i].name);
            rc = 0;
        }
    free(d);
    if (rc) nt_error_set(err, NT_ERR, "no interface is up to capture on: name one with -i (see -D)");
    return rc;
}

static const char *priv_hint = "you need root or the CAP_NET_RAW capability";

static int open_one(nt_capture *c, cap_if *ci, const char *name, nt_error *err)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    snprintf(ci->st.name, sizeof ci->st.name, "%s", name);
    ci->fd = -1;
    ci->p = pcap_create(name, eb);
    if (!ci->p) {
        nt_error_set(err, NT_ERR, "cannot capture on %s: %s", name, eb);
        return -1;
    }
    pcap_set_snaplen(ci->p, (int)(c->o.snaplen ? c->o.snaplen : 262144));
    pcap_set_promisc(ci->p, !c->o.no_promisc && strcmp(name, "any"));
    /* a short timeout so that markers and a stop are seen quickly; the
     * buffer is what absorbs bursts */
    pcap_set_timeout(ci->p, 100);
    pcap_set_buffer_size(ci->p, (int)((c->o.buffer_kib ? c->o.buffer_kib : NT_CAPTURE_BUFFER_KIB) * 1024u));
    if (!c->o.pcap) pcap_set_tstamp_precision(ci->p, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(ci->p);
    if (rc < 0) {
        const char *why = pcap_geterr(ci->p);
        if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED)
            nt_error_set(err, EPERM, "no permission to capture on %s: %s", name, priv_hint);
        else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
            nt_error_set(err, ENODEV, "no interface '%s' (see 'nettracer capture -D')", name);
        else if (rc == PCAP_ERROR_IFACE_NOT_UP)
            nt_error_set(err, ENETDOWN, "interface %s is down (ip link set %s up)", name, name);
        else
            nt_error_set(err, NT_ERR, "cannot capture on %s: %s", name, why && *why ? why : pcap_statustostr(rc));
        return -1;
    }
    if (c->filter) {
        struct bpf_program prog;
        bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
        if (pcap_lookupnet(name, &net, &mask, eb) != 0) mask = PCAP_NETMASK_UNKNOWN;
        if (pcap_compile(ci->p, &prog, c->filter, 1, mask) != 0) {
            nt_error_set(err, EINVAL, "capture filter '%s' on %s: %s", c->filter, name, pcap_geterr(ci->p));
            return -1;
        }
        rc = pcap_setfilter(ci->p, &prog);
        pcap_freecode(&prog);
        if (rc != 0) {
            nt_error_set(err, NT_ERR, "cannot set the capture filter on %s: %s", name, pcap_geterr(ci->p));
            return -1;
        }
    }
    if (pcap_setnonblock(ci->p, 1, eb) != 0) {
        nt_error_set(err, NT_ERR, "%s: %s", name, eb);
        return -1;
    }
    ci->fd = pcap_get_selectable_fd(ci->p);
    ci->st.linktype = (uint32_t)pcap_datalink(ci->p);
    /* the description dumpcap would give: what libpcap says, else the addresses */
    nt_capdev *d;
    size_t nd;
    if (nt_capture_devices(&d, &nd, NULL) == 0) {
        for (size_t i = 0; i < nd; i++)
            if (!strcmp(d[i].name, name))
                snprintf(ci->desc, sizeof ci->desc, "%s", d[i].desc[0] ? d[i].desc : d[i].addrs);
        free(d);
    }
    return 0;
}

nt_capture *nt_capture_open(const nt_capture_opts *o, nt_error *err)
{
    nt_capture *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->o = *o;
    c->reason = "signal";
    if (o->filter && *o->filter) {
        c->filter = strdup(o->filter);
        if (!c->filter) abort();
    }
    struct utsname u;
    if (uname(&u) == 0) snprintf(c->os, sizeof c->os, "%.64s %.64s", u.sysname, u.release);
    size_t n = o->nifaces ? o->nifaces : 1;
    c->ifs = calloc(n, sizeof *c->ifs);
    if (!c->ifs) abort();
    for (size_t i = 0; i < n; i++) {
        char def[64];
        const char *name = o->nifaces ? o->ifaces[i] : NULL;
        if (!name) {
            if (default_iface(def, sizeof def, err)) goto fail;
            name = def;
        }
        for (size_t j = 0; j < c->nifs; j++)
            if (!strcmp(c->ifs[j].st.name, name)) {
                nt_error_set(err, EINVAL, "interface %s is given twice", name);
                goto fail;
            }
        c->nifs++;
        if (open_one(c, &c->ifs[i], name, err)) goto fail;
    }
    if (o->pcap)
        for (size_t i = 1; i < c->nifs; i++)
            if (c->ifs[i].st.linktype != c->ifs[0].st.linktype) {
                nt_error_set(err, EINVAL,
                             "%s and %s have different link types (%s, %s): a pcap file holds one; drop --pcap",
                             c->ifs[0].st.name, c->ifs[i].st.name, nt_linktype_name(c->ifs[0].st.linktype),
                             nt_linktype_name(c->ifs[i].st.linktype));
                goto fail;
            }
    c->o.ifaces = NULL; /* the caller's array need not outlive this call */
    return c;
fail:
    nt_capture_close(c);
    return NULL;
}

void nt_capture_file_name(char *dst, size_t n, const char *path, uint64_t seq, time_t when)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t plen = dot && dot != base ? (size_t)(dot - path) : strlen(path);
    struct tm tm;
    localtime_r(&when, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
    snprintf(dst, n, "%.*s_%05llu_%s%s", (int)plen, path, (unsigned long long)seq, stamp,
             dot && dot != base ? dot : "");
}

static void iface_stats(nt_capture *c)
{
    for (size_t i = 0; i < c->nifs; i++) {
        struct pcap_stat ps;
        cap_if *ci = &c->ifs[i];
        if (ci->p && pcap_stats(ci->p, &ps) == 0) {
            ci->st.has_stats = true;
            ci->st.recv = ps.ps_recv;
            ci->st.drop = ps.ps_drop;
            ci->st.ifdrop = ps.ps_ifdrop;
        }
    }
}

static void write_error(nt_capture *c, const nt_error *e)
{
    if (!c->failed) {
        c->failed = true;
        c->werr = *e;
        c->reason = "error";
    }
    c->done = true;
}

/* Closes the current file with one statistics block per interface: counts
 * since the start of the capture, as pcapng's ISB defines them. isb_ifdrop
 * carries every packet lost on the interface (kernel and interface, as
 * dumpcap writes it and Wireshark shows it), isb_osdrop the kernel's part. */
static void close_file(nt_capture *c)
{
    if (!c->w) return;
    nt_error e = {0};
    iface_stats(c);
    nt_time t = now_real();
    for (size_t i = 0; i < c->nifs && !c->failed; i++) {
        const nt_capture_ifstat *s = &c->ifs[i].st;
        nt_capw_stats st = {.ts = t, .start = c->start, .end = t, .has_delivered = true, .delivered = s->captured};
        if (s->has_stats) {
            st.has_recv = st.has_ifdrop = st.has_osdrop = true;
            st.recv = s->recv;
            st.ifdrop = s->drop + s->ifdrop;
            st.osdrop = s->drop;
        }
        if (nt_capw_stats_block(c->w, (uint32_t)i, &st, &e)) write_error(c, &e);
    }
    if (nt_capw_close(c->w, &e)) write_error(c, &e);
    c->w = NULL;
}

static int open_file(nt_capture *c)
{
    nt_error e = {0};
    char name[4096];
    c->seq++;
    if (c->o.file_size) nt_capture_file_name(name, sizeof name, c->o.path, c->seq, time(NULL));
    else snprintf(name, sizeof name, "%s", c->o.path);
    nt_capw_section sec = {.os = c->os, .app = c->o.app};
    c->w = nt_capw_open_on(c->q, name, c->o.pcap ? NT_CAPW_PCAP : NT_CAPW_PCAPNG, &sec, &e);
    if (!c->w) {
        write_error(c, &e);
        return -1;
    }
    for (size_t i = 0; i < c->nifs; i++) {
        cap_if *ci = &c->ifs[i];
        nt_capw_iface ifc = {.linktype = ci->st.linktype,
                             .snaplen = (uint32_t)pcap_snapshot(ci->p),
                             .name = ci->st.name,
                             .description = ci->desc,
                             .filter = c->filter,
                             .os = c->os,
                             .tsresol = pcap_get_tstamp_precision(ci->p) == PCAP_TSTAMP_PRECISION_NANO ? 9 : 6};
        if (nt_capw_add_iface(c->w, &ifc, &e) < 0) {
            write_error(c, &e);
            return -1;
        }
    }
    char **f = realloc(c->files, (c->nfiles + 1) * sizeof *f);
    if (!f) abort();
    c->files = f;
    c->files[c->nfiles] = strdup(name);
    if (!c->files[c->nfiles]) abort();
    c->nfiles++;
    /* the ring keeps the newest files: this run's oldest goes */
    if (c->o.file_size && c->o.ring && c->nfiles > c->o.ring) {
        unlink(c->files[0]);
        free(c->files[0]);
        memmove(c->files, c->files + 1, (c->nfiles - 1) * sizeof *c->files);
        c->nfiles--;
        c->deleted++;
    }
    return 0;
}

typedef struct cb_ctx {
    nt_capture *c;
    size_t idx;
} cb_ctx;

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    cb_ctx *x = (cb_ctx *)user;
    nt_capture *c = x->c;
    cap_if *ci = &c->ifs[x->idx];
    if (c->done) {
        pcap_breakloop(ci->p);
        return;
    }
    if (c->o.file_size && nt_capw_size(c->w) >= c->o.file_size && nt_capw_packets(c->w) > 0) {
        close_file(c);
        if (c->failed || open_file(c)) {
            pcap_breakloop(ci->p);
            return;
        }
    }
    bool nano = pcap_get_tstamp_precision(ci->p) == PCAP_TSTAMP_PRECISION_NANO;
    nt_frame f = {0};
    f.number = c->packets + 1;
    f.ts.sec = h->ts.tv_sec;
    f.ts.nsec = (uint32_t)(nano ? h->ts.tv_usec : h->ts.tv_usec * 1000);
    f.caplen = h->caplen;
    f.len = h->len;
    f.data = bytes;
    f.linktype = ci->st.linktype;
    f.ifidx = (uint32_t)x->idx;
    const char *comment = c->o.comment ? c->o.comment(c->o.comment_user, &f) : NULL;
    nt_error e = {0};
    if (nt_capw_packet(c->w, (uint32_t)x->idx, f.ts, bytes, h->caplen, h->len, comment, &e)) {
        write_error(c, &e);
        pcap_breakloop(ci->p);
        return;
    }
    if (comment) c->comments++;
    ci->st.captured++;
    c->packets++;
    if (c->o.count && c->packets >= c->o.count) {
        c->done = true;
        c->reason = "count";
        pcap_breakloop(ci->p);
    }
}

static int dispatch_all(nt_capture *c, const struct pollfd *pf, bool all, nt_error *err)
{
    for (size_t i = 0; i < c->nifs && !c->done; i++) {
        if (!all && pf && !(pf[i].revents & (POLLIN | POLLERR | POLLHUP))) continue;
        cb_ctx x = {c, i};
        int n = pcap_dispatch(c->ifs[i].p, -1, on_packet, (u_char *)&x);
        if (n == PCAP_ERROR) {
            nt_error_set(err, NT_ERR, "capture on %s failed: %s", c->ifs[i].st.name, pcap_geterr(c->ifs[i].p));
            c->reason = "error";
            return -1;
        }
    }
    return 0;
}

/* After the writer thread is done: how many packets reached the files. */
static void count_written(nt_capture *c)
{
    for (size_t i = 0; i < c->nifs; i++) c->ifs[i].st.written = nt_capw_queue_written(c->q, (uint32_t)i);
}

int nt_capture_run(nt_capture *c, nt_error *err)
{
    c->start = now_real();
    /* Files are written by a thread of their own: a write() can block for
     * tens of milliseconds (page cache allocation, writeback) while the
     * kernel's ring fills at the packet rate; measured, that was what
     * dropped packets, not the work per packet. This thread then only
     * copies packets into memory, up to queue_kib ahead of the disk. */
    nt_error qe = {0};
    c->q = nt_capw_queue_start((size_t)(c->o.queue_kib ? c->o.queue_kib : NT_CAPTURE_QUEUE_KIB) * 1024u, &qe);
    if (!c->q) {
        *err = qe;
        c->reason = "error";
        return -1;
    }
    if (open_file(c)) {
        nt_capw_queue_sync(c->q, NULL);
        count_written(c);
        *err = c->werr;
        return -1;
    }
    struct pollfd *pf = calloc(c->nifs, sizeof *pf);
    if (!pf) abort();
    for (size_t i = 0; i < c->nifs; i++) pf[i] = (struct pollfd){.fd = c->ifs[i].fd, .events = POLLIN};
    double t0 = now_mono(), last_push = t0;
    int rc = 0;
    while (!c->done) {
        if (c->o.stop && *c->o.stop) break;
        int timeout = 100;
        if (c->o.duration > 0) {
            double left = c->o.duration - (now_mono() - t0);
            if (left <= 0) {
                c->reason = "duration";
                break;
            }
            if (left * 1000 < timeout) timeout = (int)(left * 1000) + 1;
        }
        int n = poll(pf, c->nifs, timeout);
        if (n < 0 && errno != EINTR) {
            nt_error_set(err, errno, "poll: %s", strerror(errno));
            c->reason = "error";
            rc = -1;
            break;
        }
        /* on a timeout too: a handle may hold packets its block timer released */
        if (dispatch_all(c, pf, n <= 0, err)) {
            rc = -1;
            break;
        }
        /* packets reach the file within a second, however slow the
         * traffic: a buffer is otherwise handed over only when full */
        double now = now_mono();
        if (now - last_push >= 1.0 && c->w && !c->done) {
            nt_error e = {0};
            if (nt_capw_push(c->w, &e)) write_error(c, &e);
            last_push = now;
        }
    }
    /* what the kernel still holds when a stop arrives is written too */
    if (!c->done && rc == 0) dispatch_all(c, NULL, true, err);
    free(pf);
    close_file(c);
    nt_error e = {0};
    if (nt_capw_queue_sync(c->q, &e)) write_error(c, &e);
    count_written(c);
    if (c->failed) {
        *err = c->werr;
        return -1;
    }
    return rc;
}

void nt_capture_close(nt_capture *c)
{
    if (!c) return;
    if (c->w) nt_capw_close(c->w, NULL);
    nt_capw_queue_stop(c->q);
    for (size_t i = 0; i < c->nifs; i++)
        if (c->ifs[i].p) pcap_close(c->ifs[i].p);
    for (size_t i = 0; i < c->nfiles; i++) free(c->files[i]);
    free(c->files);
    free(c->ifs);
    free(c->filter);
    free(c);
}

size_t nt_capture_nifaces(const nt_capture *c) { return c->nifs; }
const nt_capture_ifstat *nt_capture_stat(const nt_capture *c, size_t i) { return &c->ifs[i].st; }
size_t nt_capture_nfiles(const nt_capture *c) { return c->nfiles; }
const char *nt_capture_file(const nt_capture *c, size_t i) { return c->files[i]; }
uint64_t nt_capture_deleted(const nt_capture *c) { return c->deleted; }
uint64_t nt_capture_packets(const nt_capture *c) { return c->packets; }
uint64_t nt_capture_written(const nt_capture *c)
{
    uint64_t n = 0;
    for (size_t i = 0; i < c->nifs; i++) n += c->ifs[i].st.written;
    return n;
}
uint64_t nt_capture_comments(const nt_capture *c) { return c->comments; }
const char *nt_capture_stop_reason(const nt_capture *c) { return c->reason; }
