/* cmd_fields.c - `nettracer fields [PREFIX]`: the display-filter fields
 * and protocols, like `tshark -G fields` narrowed to a prefix. */
#include "cli.h"
#include "nettracer/registry.h"

#include <string.h>

const char nt_fields_help[] =
    "usage: nettracer fields [--json] [PREFIX]\n"
    "\n"
    "List the fields and protocols display filters (-Y) can use: name, type and\n"
    "description. With PREFIX, only names that start with it (e.g. 'tcp.').\n";

int cmd_fields(int argc, char **argv)
{
    bool json = false;
    const char *prefix = "";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = true;
        else if (argv[i][0] == '-') return nt_usage_error("fields", "unknown option '%s'", argv[i]);
        else if (prefix[0]) return nt_usage_error("fields", "one prefix at a time (unexpected '%s')", argv[i]);
        else prefix = argv[i];
    }
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
