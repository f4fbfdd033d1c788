/* steps_render.h - the one printer of step records (nettracer/steps.h) for
 * the active checks: text lines or JSON Lines records. */
#ifndef NT_STEPS_RENDER_H
#define NT_STEPS_RENDER_H

#include "nettracer/core.h"
#include "nettracer/steps.h"

#include <stdio.h>

typedef struct nt_steps_out {
    bool json;
    FILE *f;
    nt_buf jb;
    nt_json j;
    bool in_record, in_item, sub_is_arr;
    const char *arr, *sub;   /* the open array of the record, the open object/array of the item */
} nt_steps_out;

void nt_steps_out_init(nt_steps_out *o, bool json, FILE *f);
void nt_steps_out_free(nt_steps_out *o);
/* An nt_step_fn: user is the nt_steps_out. */
void nt_steps_render(void *user, const nt_step *s);

#endif
