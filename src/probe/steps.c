/* steps.c - building step records (steps.h): the values and text an active
 * check reports for one step. Strings are copied into the step, so a probe
 * can hand over a step built from its own short-lived buffers. */
#include "nettracer/steps.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *nt_verdict_name(nt_verdict v)
{
    static const char *const n[] = {"ok", "warn", "fail", "info"};
    return (unsigned)v < 4 ? n[v] : "?";
}

const char *nt_verdict_upper(nt_verdict v)
{
    static const char *const n[] = {"OK", "WARN", "FAIL", "INFO"};
    return (unsigned)v < 4 ? n[v] : "?";
}

void nt_step_start(nt_step *s, const char *step, nt_step_scope scope, const char *group, const char *label)
{
    s->step = step;
    s->verdict = NT_VERDICT_INFO;
    s->scope = scope;
    s->group = group;
    s->label = label;
    s->nvalues = 0;
    s->text[0] = 0;
    s->advice = NULL;
    s->err = false;
    s->store_used = 0;
}

/* A copy in the step's store; a string that does not fit is cut. */
static const char *keep(nt_step *s, const char *v)
{
    size_t left = sizeof s->store - s->store_used;
    if (!v || !left) return "";
    char *p = s->store + s->store_used;
    size_t n = strlen(v);
    if (n >= left) n = left - 1;
    memcpy(p, v, n);
    p[n] = 0;
    s->store_used += n + 1;
    return p;
}

static nt_step_value *add(nt_step *s, const char *key, nt_step_vkind kind)
{
    if (s->nvalues == NT_STEP_MAX_VALUES) return NULL;
    nt_step_value *v = &s->values[s->nvalues++];
    v->key = key, v->kind = kind, v->num = 0, v->str = NULL;
    return v;
}

void nt_step_str(nt_step *s, const char *key, const char *v)
{
    nt_step_value *x = add(s, key, NT_SV_STR);
    if (x) x->str = keep(s, v);
}

void nt_step_raw(nt_step *s, const char *key, const char *v)
{
    nt_step_value *x = add(s, key, NT_SV_RAW);
    if (x) x->str = keep(s, v);
}

void nt_step_int(nt_step *s, const char *key, int64_t v)
{
    nt_step_value *x = add(s, key, NT_SV_INT);
    if (x) x->num = v;
}

void nt_step_bool(nt_step *s, const char *key, bool v)
{
    nt_step_value *x = add(s, key, NT_SV_BOOL);
    if (x) x->num = v;
}

void nt_step_empty_array(nt_step *s, const char *key) { add(s, key, NT_SV_EMPTY_ARRAY); }

void nt_step_textf(nt_step *s, const char *fmt, ...)
{
    size_t n = strlen(s->text);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->text + n, sizeof s->text - n, fmt, ap);
    va_end(ap);
}

const nt_step_value *nt_step_get(const nt_step *s, const char *key)
{
    for (int i = 0; i < s->nvalues; i++)
        if (!strcmp(s->values[i].key, key)) return &s->values[i];
    return NULL;
}

void nt_step_copy(nt_step *dst, const nt_step *src)
{
    *dst = *src;
    uintptr_t lo = (uintptr_t)src->store, hi = lo + sizeof src->store;
    for (int i = 0; i < dst->nvalues; i++) {
        uintptr_t p = (uintptr_t)src->values[i].str;
        if (p >= lo && p < hi) dst->values[i].str = dst->store + (p - lo);
    }
}
