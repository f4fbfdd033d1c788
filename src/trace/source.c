/* source.c - see source.h. Mapped pages already parsed are released in
 * large steps so that reading a file bigger than memory keeps a flat
 * resident size. */
#define _DEFAULT_SOURCE
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define RELEASE_STEP (32u << 20)

int nt_source_open(nt_source *s, const char *path, char *why, size_t whylen)
{
    memset(s, 0, sizeof *s);
    if (strcmp(path, "-") == 0) {
        s->fp = stdin;
        return 0;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        snprintf(why, whylen, "is a directory");
        return -1;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
            close(fd);
            s->map = m;
            s->map_len = (size_t)st.st_size;
            return 0;
        }
    }
    /* not mappable (a FIFO, a device, an empty file): read it as a stream */
    s->fp = fdopen(fd, "rb");
    if (!s->fp) {
        snprintf(why, whylen, "%s", strerror(errno));
        close(fd);
        return -1;
    }
    return 0;
}

void nt_source_close(nt_source *s)
{
    if (s->map) munmap((void *)s->map, s->map_len);
    if (s->fp && s->fp != stdin) fclose(s->fp);
    free(s->buf);
    memset(s, 0, sizeof *s);
}

size_t nt_source_read(nt_source *s, size_t n, const uint8_t **out)
{
    if (s->map) {
        size_t left = s->map_len - s->pos;
        if (n > left) n = left;
        *out = s->map + s->pos;
        s->pos += n;
        if (s->pos - s->released >= 2 * RELEASE_STEP) {
            /* keep the last step mapped: the caller may still hold pointers
             * into the current record */
            size_t upto = (s->pos - RELEASE_STEP) & ~(size_t)4095;
            madvise((void *)(s->map + s->released), upto - s->released, MADV_DONTNEED);
            s->released = upto;
        }
        return n;
    }
    if (n > s->bufcap) {
        size_t cap = s->bufcap ? s->bufcap : 65536;
        while (cap < n) cap *= 2;
        uint8_t *b = realloc(s->buf, cap);
        if (!b) return 0;
        s->buf = b;
        s->bufcap = cap;
    }
    size_t got = fread(s->buf, 1, n, s->fp);
    s->pos += got;
    *out = s->buf;
    return got;
}
