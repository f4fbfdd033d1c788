/* steps_render.c - prints the step records of the active checks (check,
 * stun, dns, ews): as text (each line of a step's text after its label,
 * "Verify:    ...") or as JSON Lines, where the step's scope says where its
 * values go in the record, so the nested records of docs/json.md come out
 * of flat steps; a step flagged err is the command's error message, on
 * stderr. No verdict is decided here: the probes decided them. */
#include "steps_render.h"

#include <string.h>

void nt_steps_out_init(nt_steps_out *o, bool json, FILE *f)
{
    memset(o, 0, sizeof *o);
    o->json = json;
    o->f = f;
    nt_buf_init(&o->jb);
}

void nt_steps_out_free(nt_steps_out *o) { nt_buf_free(&o->jb); }

static void text(nt_steps_out *o, const nt_step *s)
{
    if (!s->text[0]) return;
    if (!s->label) {
        fputs(s->text, o->f);
        return;
    }
    char lab[64];
    snprintf(lab, sizeof lab, "%s:", s->label);
    for (const char *l = s->text; *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l + 1) : strlen(l);
        fprintf(o->f, "%-10s %.*s", lab, (int)n, l);
        l += n;
    }
}

static void close_sub(nt_steps_out *o)
{
    if (!o->sub) return;
    nt_json_obj_close(&o->j);
    if (o->sub_is_arr) nt_json_arr_close(&o->j);
    o->sub = NULL;
}

static void close_item(nt_steps_out *o)
{
    close_sub(o);
    if (o->in_item) nt_json_obj_close(&o->j);
    o->in_item = false;
}

static void close_arr(nt_steps_out *o)
{
    close_item(o);
    if (o->arr) nt_json_arr_close(&o->j);
    o->arr = NULL;
}

static void record_begin(nt_steps_out *o)
{
    nt_buf_reset(&o->jb);
    nt_json_begin(&o->j, &o->jb);
    nt_json_obj_open(&o->j, NULL);
    o->in_record = true;
}

static void record_end(nt_steps_out *o)
{
    close_arr(o);
    nt_json_obj_close(&o->j);
    nt_buf_putc(&o->jb, '\n');
    nt_buf_flush(&o->jb, o->f);
    o->in_record = false;
}

static bool is_elem(const char *k, size_t *base)
{
    size_t n = strlen(k);
    *base = n > 2 && !strcmp(k + n - 2, "[]") ? n - 2 : n;
    return *base != n;
}

static void values(nt_steps_out *o, const nt_step *s)
{
    for (int i = 0; i < s->nvalues; i++) {
        const nt_step_value *v = &s->values[i];
        size_t base;
        const char *key = v->key;
        char arr[64];
        bool el = is_elem(v->key, &base);
        if (el) {
            if (!(i > 0 && !strcmp(s->values[i - 1].key, v->key))) {
                snprintf(arr, sizeof arr, "%.*s", (int)base, v->key);
                nt_json_arr_open(&o->j, arr);
            }
            key = NULL;
        }
        switch (v->kind) {
        case NT_SV_STR: nt_json_str(&o->j, key, v->str); break;
        case NT_SV_RAW: nt_json_raw(&o->j, key, v->str); break;
        case NT_SV_INT: nt_json_i64(&o->j, key, v->num); break;
        case NT_SV_BOOL: nt_json_bool(&o->j, key, v->num != 0); break;
        case NT_SV_EMPTY_ARRAY:
            nt_json_arr_open(&o->j, key);
            nt_json_arr_close(&o->j);
            break;
        }
        if (el && !(i + 1 < s->nvalues && !strcmp(s->values[i + 1].key, v->key))) nt_json_arr_close(&o->j);
    }
}

static void json(nt_steps_out *o, const nt_step *s)
{
    switch (s->scope) {
    case NT_SCOPE_TEXT: return;
    case NT_SCOPE_LINE:
    case NT_SCOPE_BEGIN:
        if (o->in_record) record_end(o);
        record_begin(o);
        break;
    case NT_SCOPE_RECORD:
    case NT_SCOPE_END: close_arr(o); break;
    case NT_SCOPE_ITEM:
        close_item(o);
        if (!o->arr || strcmp(o->arr, s->group)) {
            close_arr(o);
            nt_json_arr_open(&o->j, s->group);
            o->arr = s->group;
        }
        nt_json_obj_open(&o->j, NULL);
        o->in_item = true;
        break;
    case NT_SCOPE_IN_ITEM: close_sub(o); break;
    case NT_SCOPE_SUB:
        close_sub(o);
        nt_json_obj_open(&o->j, s->group);
        o->sub = s->group, o->sub_is_arr = false;
        break;
    case NT_SCOPE_SUBITEM:
        if (o->sub && o->sub_is_arr && !strcmp(o->sub, s->group)) {
            nt_json_obj_close(&o->j);
        } else {
            close_sub(o);
            nt_json_arr_open(&o->j, s->group);
            o->sub = s->group, o->sub_is_arr = true;
        }
        nt_json_obj_open(&o->j, NULL);
        break;
    }
    values(o, s);
    if (s->scope == NT_SCOPE_LINE || s->scope == NT_SCOPE_END) record_end(o);
}

void nt_steps_render(void *user, const nt_step *s)
{
    nt_steps_out *o = user;
    if (s->err) {
        fflush(o->f);
        fputs(s->text, stderr);
    } else if (o->json) json(o, s);
    else text(o, s);
    fflush(o->f);
}
