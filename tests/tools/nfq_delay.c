/* nfq_delay.c - holds every packet of one NFQUEUE for a delay (plus an
 * optional random jitter) and then accepts it: an added one-way delay for
 * scenario tests on kernels without netem. Packets leave in the order they
 * came (jitter never reorders them). Bounded: it exits after a run time
 * limit or a packet count, accepting whatever it still holds, and on
 * SIGTERM/SIGINT the same way. Prints "ready" on standard error once the
 * queue is bound, so a script can wait for it.
 *
 *   nfq_delay -q QUEUE -d DELAY_MS [-j JITTER_MS] -t SECONDS [-n PACKETS]
 *
 *   iptables -A FORWARD -p tcp -j NFQUEUE --queue-num 3
 *   nfq_delay -q 3 -d 40 -t 20 &
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#define HOLD_MAX 65536

typedef struct held {
    uint32_t id;
    int64_t due;   /* ns, CLOCK_MONOTONIC */
} held;

static held q[HOLD_MAX];
static size_t qhead, qn;
static int64_t delay_ns, jitter_ns, last_due;
static uint64_t seen, accepted;
static volatile sig_atomic_t stop;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void accept_one(struct nfq_q_handle *qh, uint32_t id)
{
    nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
    accepted++;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data)
{
    (void)msg;
    (void)data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (!ph) return 0;
    uint32_t id = ntohl(ph->packet_id);
    seen++;
    if (qn == HOLD_MAX) {
        /* full: let it through rather than stall the queue */
        accept_one(qh, id);
        return 0;
    }
    int64_t due = now_ns() + delay_ns + (jitter_ns ? (int64_t)(random() % (jitter_ns + 1)) : 0);
    if (due < last_due) due = last_due;   /* keep the order */
    last_due = due;
    q[(qhead + qn) % HOLD_MAX] = (held){id, due};
    qn++;
    return 0;
}

static void release(struct nfq_q_handle *qh, int64_t upto)
{
    while (qn && q[qhead].due <= upto) {
        accept_one(qh, q[qhead].id);
        qhead = (qhead + 1) % HOLD_MAX;
        qn--;
    }
}

static int usage(const char *msg)
{
    fprintf(stderr, "nfq_delay: %s\nusage: nfq_delay -q QUEUE -d DELAY_MS [-j JITTER_MS] -t SECONDS [-n PACKETS]\n",
            msg);
    return 2;
}

static bool num(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi)) return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    double queue = -1, dms = -1, jms = 0, secs = 0, count = 0;
    int ch;
    while ((ch = getopt(argc, argv, "q:d:j:t:n:")) != -1) {
        switch (ch) {
        case 'q': if (!num(optarg, 0, 65535, &queue)) return usage("-q needs a queue number 0-65535"); break;
        case 'd': if (!num(optarg, 0, 60000, &dms)) return usage("-d needs a delay in ms (0-60000)"); break;
        case 'j': if (!num(optarg, 0, 60000, &jms)) return usage("-j needs a jitter in ms (0-60000)"); break;
        case 't': if (!num(optarg, 0.1, 3600, &secs)) return usage("-t needs a run time in seconds (0.1-3600)"); break;
        case 'n': if (!num(optarg, 1, 1e12, &count)) return usage("-n needs a positive packet count"); break;
        default: return usage("unknown option");
        }
    }
    if (queue < 0 || dms < 0 || secs <= 0 || optind != argc) return usage("-q, -d and -t are required");
    delay_ns = (int64_t)(dms * 1e6);
    jitter_ns = (int64_t)(jms * 1e6);
    srandom((unsigned)now_ns());

    struct nfq_handle *h = nfq_open();
    if (!h) {
        fprintf(stderr, "nfq_delay: cannot open netfilter queue: %s\n", strerror(errno));
        return 1;
    }
    struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t)queue, on_packet, NULL);
    if (!qh) {
        fprintf(stderr, "nfq_delay: cannot bind queue %d: %s\n", (int)queue, strerror(errno));
        nfq_close(h);
        return 1;
    }
    /* the verdict needs only the packet id */
    nfq_set_mode(qh, NFQNL_COPY_META, 0);
    nfq_set_queue_maxlen(qh, HOLD_MAX);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    int fd = nfq_fd(h);
    int64_t end = now_ns() + (int64_t)(secs * 1e9);
    fprintf(stderr, "ready\n");
    char buf[65536];
    while (!stop) {
        int64_t t = now_ns();
        release(qh, t);
        if (t >= end || (count > 0 && (double)accepted >= count)) break;
        int64_t wait = end - t;
        if (qn && q[qhead].due - t < wait) wait = q[qhead].due - t;
        if (wait > 100000000) wait = 100000000;   /* look at stop 10 times a second */
        struct pollfd pfd = {fd, POLLIN, 0};
        int pr = poll(&pfd, 1, (int)((wait + 999999) / 1000000));
        if (pr > 0) {
            ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) nfq_handle_packet(h, buf, (int)n);
            else if (n < 0 && errno == ENOBUFS) fprintf(stderr, "nfq_delay: the kernel dropped queued packets\n");
        }
    }
    release(qh, INT64_MAX);
    fprintf(stderr, "nfq_delay: %llu packets held and accepted\n", (unsigned long long)seen);
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 0;
}
