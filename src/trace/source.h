/* source.h - byte source under the capture readers: a memory-mapped file
 * (the fast path: records are parsed in place) or a stream (a pipe or
 * standard input, read into a buffer that is reused record by record). */
#ifndef NT_TRACE_SOURCE_H
#define NT_TRACE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct nt_source {
    const uint8_t *map;     /* whole file when mapped */
    size_t map_len;
    size_t pos;             /* offset of the next unread byte */
    size_t released;        /* pages before this were given back */
    FILE *fp;               /* stream mode */
    uint8_t *buf;
    size_t bufcap;
} nt_source;

int nt_source_open(nt_source *s, const char *path, char *why, size_t whylen);
void nt_source_close(nt_source *s);
/* Makes the next n bytes available at *out and consumes them. Returns the
 * number of bytes available (less than n only at the end of the input).
 * In stream mode the bytes stay valid until the next call. */
size_t nt_source_read(nt_source *s, size_t n, const uint8_t **out);

#endif
