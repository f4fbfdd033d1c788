/* cmd_fields.c - `nettracer fields [PREFIX]`: the display-filter fields
 * and protocols, like `tshark -G fields` narrowed to a prefix. */
#include "cli.h"
#include "options.h"
#include "nettracer/registry.h"

#include <string.h>

typedef struct fields_args {
    bool json;
} fields_args;

static const nt_opt fields_opts[] = {
    {"json", 0, NULL, "one JSON object per field: name, type, description", nt_opt_flag, NT_OPT_AT(fields_args, json)},
};

const nt_cmd_help nt_fields_help = {
    .intro = "usage: nettracer fields [--json] [PREFIX]\n"
             "\n"
             "List the fields and protocols display filters (-Y) can use: name, type and\n"
             "description. With PREFIX, only names that start with it (e.g. 'tcp.').\n"
             "\n",
    NT_HELP_OWN(fields_opts),
    .tail = "Exit status: 0 fields listed; 1 none starts with PREFIX; 2 bad arguments.\n",
};

int cmd_fields(int argc, char **argv)
{
    fields_args a = {.json = false};
    const nt_opt_group g = {fields_opts, NT_NOPTS(fields_opts), &a};
    int next, rc = nt_opts_parse("fields", argc, argv, &g, 1, &next);
    if (rc) return rc;
    const char *prefix = next < argc ? argv[next++] : "";
    if (next < argc) return nt_usage_error("fields", "one prefix at a time (unexpected '%s')", argv[next]);
    const bool json = a.json;
    nt_buf b;
    nt_buf_init(&b);
    size_t shown = 0;
    for (size_t i = 0; i < nt_field_count(&nt_registry); i++) {
        const nt_field *f = nt_field_at(&nt_registry, i);
        if (strncmp(f->name, prefix, strlen(prefix))) continue;
        char tb[64];
        const char *type = nt_ftype_name(f->type, f->size, tb, sizeof tb);
        if (json) {
            nt_json j;
            nt_json_begin(&j, &b);
            nt_json_obj_open(&j, NULL);
            nt_json_str(&j, "name", f->name);
            nt_json_str(&j, "type", type);
            nt_json_str(&j, "description", f->desc);
            nt_json_obj_close(&j);
            nt_buf_putc(&b, '\n');
        } else {
            nt_buf_printf(&b, "%-30s %-30s %s\n", f->name, type, f->desc);
        }
        shown++;
    }
    nt_buf_flush(&b, stdout);
    nt_buf_free(&b);
    if (!shown) {
        fprintf(stderr, "nettracer fields: no field starts with '%s'\n", prefix);
        return NT_EXIT_PROBLEM;
    }
    return NT_EXIT_OK;
}
