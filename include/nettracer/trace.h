/* trace.h - packet sources. A trace yields frames one at a time: the bytes
 * as captured plus the metadata the file format carried (time, original
 * length, link type, interface, comments). Frame bytes point into the
 * mapped file or the reader's buffer and stay valid until the next call. */
#ifndef NETTRACER_TRACE_H
#define NETTRACER_TRACE_H

#include "nettracer/core.h"
#include "nettracer/frame.h"

typedef enum nt_trace_format { NT_FMT_PCAP, NT_FMT_PCAPNG } nt_trace_format;

typedef struct nt_iface {
    uint32_t linktype;
    uint32_t snaplen;
    int64_t tsresol_num;     /* ticks per second */
    int64_t tsoffset;        /* seconds */
    char name[64];
    uint64_t ifdrop;         /* from interface statistics, if any */
    bool has_ifdrop;
    uint64_t osdrop;         /* dropped by the OS (the capture buffer was full) */
    bool has_osdrop;
} nt_iface;

typedef struct nt_trace nt_trace;

/* Opens a capture file, or standard input for "-". */
nt_trace *nt_trace_open(const char *path, nt_error *err);
/* 1: a frame; 0: end of file (check nt_trace_warning); -1: error in err. */
int nt_trace_next(nt_trace *t, nt_frame *f, nt_error *err);
void nt_trace_close(nt_trace *t);

nt_trace_format nt_trace_fmt(const nt_trace *t);
const char *nt_trace_path(const nt_trace *t);
/* Non-empty after a truncated tail: what was cut, and where. */
const char *nt_trace_warning(const nt_trace *t);
/* Interfaces seen so far (pcap: one). */
size_t nt_trace_niface(const nt_trace *t);
const nt_iface *nt_trace_iface(const nt_trace *t, size_t i);
/* Name of a link type ("Ethernet", "Linux cooked v2", ...). */
const char *nt_linktype_name(uint32_t linktype);

#endif
