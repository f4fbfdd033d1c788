/* udprate.c - a bounded, paced UDP sender for bench/capture.sh: COUNT
 * datagrams of SIZE bytes to DST:PORT at RATE per second (0: as fast as
 * possible), never for longer than MAXSEC. Prints what it sent and how long
 * it took. Only used between the benchmark's own network namespaces. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: udprate DST PORT RATE COUNT SIZE MAXSEC\n");
        return 2;
    }
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) return 2;
    double rate = atof(argv[3]), maxsec = atof(argv[6]);
    long count = atol(argv[4]), size = atol(argv[5]);
    if (count <= 0 || size <= 0 || size > 1400 || maxsec <= 0 || maxsec > 120) return 2;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return 1;
    char buf[1400];
    memset(buf, 'b', sizeof buf);
    double t0 = now();
    long sent = 0;
    while (sent < count) {
        double t = now() - t0;
        if (t > maxsec) break;
        if (rate > 0 && sent > t * rate) {
            /* ahead of the schedule: wait for it, in small steps */
            struct timespec ts = {0, 20000};
            nanosleep(&ts, NULL);
            continue;
        }
        /* batches of up to 32 with sendmmsg: one system call per batch */
        long batch = count - sent < 32 ? count - sent : 32;
        if (rate > 0) {
            long due = (long)(t * rate) + 1 - sent;
            if (due < batch) batch = due > 0 ? due : 1;
        }
        struct mmsghdr mm[32];
        struct iovec iov[32];
        for (long i = 0; i < batch; i++) {
            iov[i] = (struct iovec){buf, (size_t)size};
            mm[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &dst, .msg_namelen = sizeof dst, .msg_iov = &iov[i],
                                                 .msg_iovlen = 1}};
        }
        int n = sendmmsg(fd, mm, (unsigned)batch, 0);
        if (n > 0) sent += n;
    }
    double el = now() - t0;
    printf("%ld %.3f\n", sent, el);
    return 0;
}
