/* filter.c - compile (lex, parse, check) and run display filters. */
#include "filter_int.h"

#include <stdlib.h>
#include <string.h>

nt_filter *nt_filter_compile(const char *expr, const nt_field_registry *reg, nt_error *err)
{
    nt_filter *f = calloc(1, sizeof *f);
    if (!f) abort();
    f->reg = reg;
    f->expr = strdup(expr);
    token *toks;
    size_t n;
    if (nt_flex(expr, &toks, &n, err)) {
        nt_filter_free(f);
        return NULL;
    }
    int rc = nt_fparse(f, toks, n, err);
    nt_flex_free(toks, n);
    if (rc || nt_fcheck(f, err)) {
        nt_filter_free(f);
        return NULL;
    }
    return f;
}

bool nt_filter_match(nt_filter *f, const nt_packet *pkt) { return nt_feval(f->root, pkt); }

void nt_filter_free(nt_filter *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->nall; i++) {
        node *n = f->all[i];
        free(n->text);
        free(n->items);
        free(n->lit_bytes);
        free(n->scratch);
        if (n->md) pcre2_match_data_free(n->md);
        if (n->re) pcre2_code_free(n->re);
        free(n);
    }
    free(f->all);
    free(f->expr);
    free(f);
}
