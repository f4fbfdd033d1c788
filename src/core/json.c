/* json.c - a minimal streaming JSON writer for JSON Lines output. */
#include "nettracer/core.h"

#include <string.h>

void nt_json_begin(nt_json *j, nt_buf *b)
{
    j->b = b;
    j->depth = 0;
    j->need_comma[0] = false;
}

static void key(nt_json *j, const char *k)
{
    if (j->need_comma[j->depth]) nt_buf_putc(j->b, ',');
    j->need_comma[j->depth] = true;
    if (k) {
        nt_buf_putc(j->b, '"');
        nt_json_escape(j->b, k, strlen(k));
        nt_buf_put(j->b, "\":", 2);
    }
}

void nt_json_escape(nt_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': nt_buf_put(b, "\\\"", 2); break;
        case '\\': nt_buf_put(b, "\\\\", 2); break;
        case '\n': nt_buf_put(b, "\\n", 2); break;
        case '\r': nt_buf_put(b, "\\r", 2); break;
        case '\t': nt_buf_put(b, "\\t", 2); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                nt_buf_puts(b, "\\u00");
                nt_buf_hex(b, c, 2, false);
            } else {
                nt_buf_putc(b, (char)c);
            }
        }
    }
}

void nt_json_obj_open(nt_json *j, const char *k)
{
    key(j, k);
    nt_buf_putc(j->b, '{');
    if (j->depth < 31) j->depth++;
    j->need_comma[j->depth] = false;
}

void nt_json_obj_close(nt_json *j)
{
    nt_buf_putc(j->b, '}');
    if (j->depth > 0) j->depth--;
}

void nt_json_arr_open(nt_json *j, const char *k)
{
    key(j, k);
    nt_buf_putc(j->b, '[');
    if (j->depth < 31) j->depth++;
    j->need_comma[j->depth] = false;
}

void nt_json_arr_close(nt_json *j)
{
    nt_buf_putc(j->b, ']');
    if (j->depth > 0) j->depth--;
}

void nt_json_strn(nt_json *j, const char *k, const char *s, size_t n)
{
    key(j, k);
    nt_buf_putc(j->b, '"');
    nt_json_escape(j->b, s, n);
    nt_buf_putc(j->b, '"');
}

void nt_json_str(nt_json *j, const char *k, const char *s) { nt_json_strn(j, k, s, strlen(s)); }

void nt_json_u64(nt_json *j, const char *k, uint64_t v)
{
    key(j, k);
    nt_buf_u64(j->b, v);
}

void nt_json_i64(nt_json *j, const char *k, int64_t v)
{
    key(j, k);
    nt_buf_i64(j->b, v);
}

void nt_json_bool(nt_json *j, const char *k, bool v)
{
    key(j, k);
    nt_buf_puts(j->b, v ? "true" : "false");
}

void nt_json_raw(nt_json *j, const char *k, const char *raw)
{
    key(j, k);
    nt_buf_puts(j->b, raw);
}
