/* options.c - the option parser and --help printer of options.h, on top of
 * getopt_long: the tables are turned into getopt's arrays on each call, so
 * that a table stays the one declaration of an option. */
#include "options.h"

#include "traceopts.h"

#include <getopt.h>
#include <string.h>

enum { MAX_OPTS = 64, OPT_BASE = 1000 };

typedef struct entry {
    const nt_opt *row;       /* whose handler runs */
    void *target;
} entry;

static bool same_opt(const nt_opt *a, const nt_opt *b)
{
    return (a->name && b->name && !strcmp(a->name, b->name)) || (a->shrt && a->shrt == b->shrt);
}

/* the groups' rows, earlier groups hiding later ones; a row without a
 * handler only renames the help of the row it hides */
static size_t flatten(const nt_opt_group *g, size_t ng, entry *e)
{
    size_t n = 0;
    for (size_t k = 0; k < ng; k++)
        for (size_t i = 0; i < g[k].n; i++) {
            const nt_opt *o = &g[k].opts[i];
            size_t j;
            for (j = 0; j < n && !same_opt(e[j].row, o); j++) {}
            if (j < n) {
                if (!e[j].row->set) e[j] = (entry){o, g[k].target};
                continue;
            }
            if (n < MAX_OPTS) e[n++] = (entry){o, g[k].target};
        }
    return n;
}

int nt_opts_parse(const char *cmd, int argc, char **argv, const nt_opt_group *g, size_t ng, int *next)
{
    entry e[MAX_OPTS];
    size_t n = flatten(g, ng, e);
    struct option lopts[MAX_OPTS + 1];
    char shorts[2 * MAX_OPTS + 2];
    size_t nl = 0, ns = 0;
    shorts[ns++] = ':'; /* a missing value returns ':' */
    for (size_t i = 0; i < n; i++) {
        const nt_opt *o = e[i].row;
        if (o->name) lopts[nl++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, OPT_BASE + (int)i};
        if (o->shrt) {
            shorts[ns++] = o->shrt;
            if (o->arg) shorts[ns++] = ':';
        }
    }
    lopts[nl] = (struct option){NULL, 0, NULL, 0};
    shorts[ns] = 0;
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
        const entry *hit = NULL;
        if (ch >= OPT_BASE && ch < OPT_BASE + (int)n) hit = &e[ch - OPT_BASE];
        for (size_t i = 0; !hit && i < n && ch != '?' && ch != ':'; i++)
            if (e[i].row->shrt == ch) hit = &e[i];
        if (ch == ':') {
            if (optopt >= OPT_BASE) return nt_usage_error(cmd, "option --%s needs a value", e[optopt - OPT_BASE].row->name);
            return nt_usage_error(cmd, "option -%c needs a value", optopt);
        }
        if (!hit || !hit->row->set) /* a help-only row hides nothing: not an option */
            return nt_usage_error(cmd, "unknown option '%s' (see 'nettracer %s --help')", argv[optind - 1], cmd);
        int rc = hit->row->set(hit->row, hit->target, cmd, hit->row->arg ? optarg : NULL);
        if (rc) return rc;
    }
    *next = optind;
    return 0;
}

/* "  -Y FILTER           text", continuation lines from column 23 */
static void help_row(FILE *out, const nt_opt *o, const char *help)
{
    char left[64];
    int w = snprintf(left, sizeof left, "  ");
    if (o->shrt) w += snprintf(left + w, sizeof left - (size_t)w, "-%c%s", o->shrt, o->name ? ", " : "");
    if (o->name) w += snprintf(left + w, sizeof left - (size_t)w, "--%s", o->name);
    if (o->arg) w += snprintf(left + w, sizeof left - (size_t)w, " %s", o->arg);
    fprintf(out, "%s%*s", left, w < 22 ? 22 - w : 2, "");
    for (const char *p = help; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(out, "%s%.*s\n", p == help ? "" : "                      ", (int)len, p);
        p += len + (nl ? 1 : 0);
    }
}

static const nt_opt *find_row(const nt_opt *rows, size_t n, const nt_opt *o)
{
    for (size_t i = 0; i < n; i++)
        if (same_opt(&rows[i], o)) return &rows[i];
    return NULL;
}

void nt_opts_help(FILE *out, const nt_cmd_help *h)
{
    fputs(h->intro, out);
    fputs("Options:\n", out);
    for (size_t i = 0; h->trace && i < nt_trace_nopts; i++) {
        const nt_opt *c = &nt_trace_opts[i], *own = find_row(h->own, h->nown, c);
        const char *help = own ? own->help : c->help;
        if (help) help_row(out, c, help);
    }
    for (size_t i = 0; i < h->nown; i++)
        if (h->own[i].help && !(h->trace && find_row(nt_trace_opts, nt_trace_nopts, &h->own[i])))
            help_row(out, &h->own[i], h->own[i].help);
    if (h->more) {
        fprintf(out, "\n%s\n", h->more_heading);
        for (size_t i = 0; i < h->nmore; i++) help_row(out, &h->more[i], h->more[i].help);
    }
    fprintf(out, "\n%s", h->tail);
}

int nt_opt_flag(const nt_opt *o, void *target, const char *cmd, const char *arg)
{
    (void)cmd, (void)arg;
    *NT_OPT_FIELD(target, o, bool) = true;
    return 0;
}

int nt_opt_string(const nt_opt *o, void *target, const char *cmd, const char *arg)
{
    (void)cmd;
    *NT_OPT_FIELD(target, o, const char *) = arg;
    return 0;
}
