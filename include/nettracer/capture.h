/* capture.h - live capture with libpcap into pcapng or pcap files: one or
 * more interfaces (or "any"), a capture filter, a snap length, one file or
 * a chain of files of a given size (all kept, or only the newest COUNT as a
 * ring), bounded by time or packet count, stopped by a flag a signal
 * handler sets. Every file is closed complete, with interface statistics
 * (drop counts) at its end. A caller may attach a comment to each packet
 * (ping markers, from analyze/). */
#ifndef NETTRACER_CAPTURE_H
#define NETTRACER_CAPTURE_H

#include <signal.h>
#include <time.h>

#include "nettracer/core.h"
#include "nettracer/trace.h"

typedef struct nt_capdev {
    char name[64];
    char desc[128];
    char addrs[256];         /* "10.0.0.1, fe80::1" */
    bool up, running, loopback, wireless;
} nt_capdev;

/* The interfaces libpcap can capture on. */
int nt_capture_devices(nt_capdev **devs, size_t *n, nt_error *err);

/* A comment for a captured frame, or NULL. */
typedef const char *(*nt_capture_comment_fn)(void *user, const nt_frame *f);

/* Defaults: the kernel's ring per interface, and what the writer thread
 * may hold while a write() is slow (see capture.c). */
#define NT_CAPTURE_BUFFER_KIB 16384u
#define NT_CAPTURE_QUEUE_KIB 65536u

typedef struct nt_capture_opts {
    const char *const *ifaces;
    size_t nifaces;          /* 0: the first interface that is up (as dumpcap) */
    const char *filter;      /* BPF (NULL: all) */
    uint32_t snaplen;        /* 0: 262144 */
    uint32_t buffer_kib;     /* kernel buffer per interface; 0: NT_CAPTURE_BUFFER_KIB */
    uint32_t queue_kib;      /* packets waiting for the writer thread; 0: NT_CAPTURE_QUEUE_KIB */
    bool no_promisc;
    const char *path;        /* "-": standard output (one file only) */
    bool pcap;               /* classic pcap instead of pcapng */
    uint64_t file_size;      /* bytes per file, 0: one file */
    uint32_t ring;           /* with file_size: keep only the newest this many; 0: keep all */
    double duration;         /* seconds, 0: no limit */
    uint64_t count;          /* packets, 0: no limit */
    volatile sig_atomic_t *stop; /* set (by a signal handler) to stop */
    nt_capture_comment_fn comment;
    void *comment_user;
    const char *app;         /* shb_userappl */
} nt_capture_opts;

typedef struct nt_capture_ifstat {
    char name[64];
    uint32_t linktype;
    uint64_t captured;       /* packets captured and handed to the writer */
    uint64_t written;        /* of those, packets in the files (less after a write error) */
    bool has_stats;          /* pcap_stats answered */
    uint64_t recv;           /* ps_recv: accepted by the filter in the kernel */
    uint64_t drop;           /* ps_drop: dropped by the kernel (buffer full) */
    uint64_t ifdrop;         /* ps_ifdrop: dropped by the interface */
} nt_capture_ifstat;

typedef struct nt_capture nt_capture;

/* Opens and activates every interface and sets the filter; needs the
 * privilege (err->code EPERM without it). Creates no file yet, so that the
 * caller can drop privileges first. */
nt_capture *nt_capture_open(const nt_capture_opts *o, nt_error *err);
/* Captures until a limit, the stop flag or a write error; writes the last
 * file's statistics and closes it. 0, or -1 with err (files stay valid). */
int nt_capture_run(nt_capture *c, nt_error *err);
void nt_capture_close(nt_capture *c);

size_t nt_capture_nifaces(const nt_capture *c);
const nt_capture_ifstat *nt_capture_stat(const nt_capture *c, size_t i);
/* The files kept (ring: the newest), oldest first; files deleted by the ring. */
size_t nt_capture_nfiles(const nt_capture *c);
const char *nt_capture_file(const nt_capture *c, size_t i);
uint64_t nt_capture_deleted(const nt_capture *c);
uint64_t nt_capture_packets(const nt_capture *c);    /* captured, all interfaces */
uint64_t nt_capture_written(const nt_capture *c);    /* in the files, all interfaces */
uint64_t nt_capture_comments(const nt_capture *c);
/* Why the capture stopped: "signal", "duration", "count", "error". */
const char *nt_capture_stop_reason(const nt_capture *c);
/* dumpcap's name for file number seq of a chain: out.pcapng ->
 * out_00001_20261127033000.pcapng (local start time of that file). */
void nt_capture_file_name(char *dst, size_t n, const char *path, uint64_t seq, time_t when);

#endif
