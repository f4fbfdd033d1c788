/* error.c - nt_error: an error code plus the sentence a user will read. */
#include "nettracer/core.h"

#include <stdarg.h>
#include <string.h>

void nt_error_set(nt_error *e, int code, const char *fmt, ...)
{
    if (!e) return;
    e->code = code ? code : NT_ERR;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
}

void nt_error_clear(nt_error *e)
{
    if (!e) return;
    e->code = 0;
    e->msg[0] = 0;
}
