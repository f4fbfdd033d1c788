/* pcapng_write.h - writing capture files: pcapng (section header with OS
 * and application, one interface description block per interface with its
 * name, description, snap length, timestamp resolution and capture filter,
 * enhanced packet blocks with comments, interface statistics with drop
 * counts) or classic pcap. libpcap writes only classic pcap, so every
 * command that writes a capture goes through this writer.
 *
 * Blocks are written whole: the writer buffers complete blocks and, when a
 * write fails (a full disk), cuts the file back to the last block that
 * reached it, so what is on disk is always a valid capture.
 *
 * A file opened on a queue (nt_capw_open_on) does not write() itself: its
 * full buffers go to the queue's writer thread, so that a write() that
 * blocks (page cache allocation, writeback, a slow disk) does not hold up
 * the caller, typically a live capture that must keep draining the
 * kernel's ring. The queue holds a bounded number of bytes; a caller that
 * gets ahead of the disk by more waits. */
#ifndef NETTRACER_PCAPNG_WRITE_H
#define NETTRACER_PCAPNG_WRITE_H

#include "nettracer/core.h"

typedef enum nt_capw_format { NT_CAPW_PCAPNG, NT_CAPW_PCAP } nt_capw_format;

typedef struct nt_capw nt_capw;
typedef struct nt_capw_queue nt_capw_queue;

typedef struct nt_capw_section {
    const char *os;          /* shb_os, e.g. "Linux 6.1.0" (NULL: none) */
    const char *app;         /* shb_userappl, e.g. "nettracer 0.1.0" */
    const char *hardware;    /* shb_hardware (NULL: none) */
    const char *comment;     /* opt_comment (NULL: none) */
} nt_capw_section;

typedef struct nt_capw_iface {
    uint32_t linktype;       /* LINKTYPE_* */
    uint32_t snaplen;
    const char *name;        /* if_name (NULL: none) */
    const char *description; /* if_description */
    const char *filter;      /* if_filter, as a libpcap filter string */
    const char *os;          /* if_os */
    uint8_t tsresol;         /* decimal digits after the second: 6 (default) or 9 */
} nt_capw_iface;

typedef struct nt_capw_stats {
    nt_time ts;              /* when the counts were taken */
    nt_time start, end;      /* isb_starttime / isb_endtime (sec 0: none) */
    bool has_recv, has_ifdrop, has_osdrop, has_accept, has_delivered;
    uint64_t recv;           /* isb_ifrecv: packets the interface received */
    uint64_t ifdrop;         /* isb_ifdrop: dropped by the interface */
    uint64_t osdrop;         /* isb_osdrop: dropped by the OS (capture buffer full) */
    uint64_t accept;         /* isb_filteraccept: accepted by the capture filter */
    uint64_t delivered;      /* isb_usrdeliv: written to the file */
} nt_capw_stats;

/* Creates (truncates) path; "-" is standard output. pcapng writes its
 * section header now; classic pcap writes its file header before the first
 * packet (its snap length is the largest of the interfaces'). */
nt_capw *nt_capw_open(const char *path, nt_capw_format fmt, const nt_capw_section *sec, nt_error *err);
/* A writer thread for files opened on it, with at most max_bytes of
 * buffers waiting (a single buffer larger than that still goes). */
nt_capw_queue *nt_capw_queue_start(size_t max_bytes, nt_error *err);
/* As nt_capw_open, but later writes go through q (the section header is
 * written at once, so an unwritable file fails here). */
nt_capw *nt_capw_open_on(nt_capw_queue *q, const char *path, nt_capw_format fmt, const nt_capw_section *sec,
                         nt_error *err);
/* Waits until everything handed to q is written and the files closed by
 * nt_capw_close are closed. Returns 0, or -1 with the first write error of
 * any of q's files (after which q writes nothing more). */
int nt_capw_queue_sync(nt_capw_queue *q, nt_error *err);
/* Packets in q's files (those that reached the disk), per interface id,
 * summed over all of q's files; call after nt_capw_queue_sync. */
uint64_t nt_capw_queue_written(nt_capw_queue *q, uint32_t ifid);
/* Waits for q (nt_capw_queue_sync), stops the thread and frees q. Files
 * still open on q must be closed first. */
void nt_capw_queue_stop(nt_capw_queue *q);

/* Adds an interface; returns its id (0, 1, ...) or -1. Classic pcap holds
 * one link type: a second interface must have the same one. */
int nt_capw_add_iface(nt_capw *w, const nt_capw_iface *ifc, nt_error *err);
/* One packet; comment may be NULL (classic pcap drops comments). */
int nt_capw_packet(nt_capw *w, uint32_t ifid, nt_time ts, const uint8_t *data, uint32_t caplen, uint32_t len,
                   const char *comment, nt_error *err);
/* Interface statistics (pcapng only; a no-op for classic pcap). */
int nt_capw_stats_block(nt_capw *w, uint32_t ifid, const nt_capw_stats *st, nt_error *err);
/* Writes what is buffered (on a queue: hands it over and waits for q). */
int nt_capw_flush(nt_capw *w, nt_error *err);
/* Starts writing what is buffered and returns: on a queue, hands it to the
 * writer thread without waiting; without one, nt_capw_flush. */
int nt_capw_push(nt_capw *w, nt_error *err);
/* Bytes in the file so far, counting what is still buffered. */
uint64_t nt_capw_size(const nt_capw *w);
/* Packets written; after a write error, those in the file. On a queue:
 * packets handed over (see nt_capw_queue_written). */
uint64_t nt_capw_packets(const nt_capw *w);
const char *nt_capw_path(const nt_capw *w);
/* Flushes and closes; frees w in every case. After a write error the file
 * ends at the last whole block. Returns 0, or -1 with the first error. On a
 * queue the close is queued too and this returns at once (0, or -1 if a
 * write error is already known): nt_capw_queue_sync says how it ended. */
int nt_capw_close(nt_capw *w, nt_error *err);

#endif
