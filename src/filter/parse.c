/* parse.c - recursive-descent parser for display filters. Precedence, as
 * in Wireshark 4.0: "not" binds tightest, then "and", then "or"; in values,
 * * / % & bind tighter than + -. */
#include "filter_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct pstate {
    nt_filter *f;
    token *t;
    size_t n, i;
    nt_error *err;
    bool failed;
} pstate;

node *nt_node_new(nt_filter *f, node_kind k, uint32_t pos, uint32_t len)
{
    node *n = calloc(1, sizeof *n);
    if (!n) abort();
    n->kind = k;
    n->pos = pos;
    n->len = len;
    if (f->nall == f->capall) {
        f->capall = f->capall ? f->capall * 2 : 16;
        node **a = realloc(f->all, f->capall * sizeof *a);
        if (!a) abort();
        f->all = a;
    }
    f->all[f->nall++] = n;
    return n;
}

static token *peek(pstate *p) { return &p->t[p->i]; }
static token *next(pstate *p) { return &p->t[p->i < p->n - 1 ? p->i++ : p->i]; }

static node *fail_at(pstate *p, token *t)
{
    if (p->failed) return NULL;
    p->failed = true;
    if (t->kind == T_END) {
        nt_ferror(p->err, p->f->expr, 0, 0, "Unexpected end of filter expression.");
    } else {
        char what[128];
        snprintf(what, sizeof what, "%.*s", (int)t->len, p->f->expr + t->pos);
        nt_ferror(p->err, p->f->expr, t->pos, t->len, "\"%s\" was unexpected in this context.", what);
    }
    return NULL;
}

static node *parse_or(pstate *p);
static node *parse_sum(pstate *p);

static bool parse_slice(pstate *p, node *n, token *t)
{
    /* [i:j] start and length, [i-j] start and end, [i], [:j], [i:], ranges joined by commas */
    const char *s = t->text;
    while (*s) {
        if (n->nslice >= MAX_SLICE_RANGES) goto bad;
        char *end;
        int64_t a = 0, b = 0;
        bool has_a = false;
        if (*s != ':') {
            a = strtoll(s, &end, 10);
            if (end == s) goto bad;
            s = end;
            has_a = true;
        }
        n->slice[n->nslice].start = a;
        n->slice[n->nslice].to_end = false;
        if (*s == ':') {
            s++;
            if (*s == 0 || *s == ',') {
                n->slice[n->nslice].to_end = true;
            } else {
                b = strtoll(s, &end, 10);
                if (end == s || b < 0) goto bad;
                s = end;
                n->slice[n->nslice].len = b;
            }
        } else if (*s == '-' && has_a) {
            s++;
            b = strtoll(s, &end, 10);
            if (end == s || b < a) goto bad;
            s = end;
            n->slice[n->nslice].len = b - a + 1;
        } else {
            n->slice[n->nslice].len = 1;
        }
        n->nslice++;
        if (*s == ',') s++;
        else if (*s) goto bad;
    }
    if (n->nslice) return true;
bad:
    if (!p->failed) {
        p->failed = true;
        nt_ferror(p->err, p->f->expr, t->pos, t->len, "\"%s\" is not a valid range.", t->text);
    }
    return false;
}

static node *parse_primary(pstate *p)
{
    token *t = next(p);
    if (t->kind == T_STRING) {
        node *n = nt_node_new(p->f, N_STRING, t->pos, t->len);
        n->text = t->text;
        n->text_len = t->text_len;
        t->text = NULL;
        return n;
    }
    if (t->kind == T_LBRACE) { /* grouping in arithmetic */
        node *n = parse_sum(p);
        if (!n) return NULL;
        if (next(p)->kind != T_RBRACE) return fail_at(p, &p->t[p->i - 1]);
        return n;
    }
    if (t->kind != T_WORD) return fail_at(p, t);
    if (peek(p)->kind == T_LPAREN) {
        static const struct { const char *n; func_kind k; } fns[] = {
            {"len", FN_LEN}, {"count", FN_COUNT}, {"upper", FN_UPPER}, {"lower", FN_LOWER}};
        int fk = -1;
        for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++)
            if (!strcmp(t->text, fns[k].n)) fk = (int)fns[k].k;
        if (fk < 0) {
            p->failed = true;
            nt_ferror(p->err, p->f->expr, t->pos, t->len, "Function '%s' does not exist", t->text);
            return NULL;
        }
        next(p);
        node *arg = parse_sum(p);
        if (!arg) return NULL;
        token *close = next(p);
        if (close->kind != T_RPAREN) return fail_at(p, close);
        node *n = nt_node_new(p->f, N_FUNC, t->pos, close->pos + 1 - t->pos);
        n->fn = (func_kind)fk;
        n->a = arg;
        return n;
    }
    node *n = nt_node_new(p->f, N_LITERAL, t->pos, t->len);
    n->field = nt_field_find(p->f->reg, t->text);
    n->reg = p->f->reg;
    if (n->field) n->kind = N_FIELD;
    n->text = t->text;
    n->text_len = t->text_len;
    t->text = NULL;
    while (peek(p)->kind == T_SLICE) {
        token *s = next(p);
        if (!parse_slice(p, n, s)) return NULL;
        n->len = s->pos + s->len - n->pos;
    }
    return n;
}

static node *parse_product(pstate *p)
{
    node *l = parse_primary(p);
    while (l) {
        tok_kind k = peek(p)->kind;
        if (k != T_MUL && k != T_DIV && k != T_MOD && k != T_BITAND) break;
        token *op = next(p);
        node *r = parse_primary(p);
        if (!r) return NULL;
        node *n = nt_node_new(p->f, N_ARITH, l->pos, r->pos + r->len - l->pos);
        n->op = op->kind;
        n->a = l, n->b = r;
        l = n;
    }
    return l;
}

static node *parse_sum(pstate *p)
{
    node *l = parse_product(p);
    while (l) {
        tok_kind k = peek(p)->kind;
        if (k != T_PLUS && k != T_MINUS) break;
        token *op = next(p);
        node *r = parse_product(p);
        if (!r) return NULL;
        node *n = nt_node_new(p->f, N_ARITH, l->pos, r->pos + r->len - l->pos);
        n->op = op->kind;
        n->a = l, n->b = r;
        l = n;
    }
    return l;
}

static node *parse_set(pstate *p, node *in)
{
    token *open = next(p);
    if (open->kind != T_LBRACE) return fail_at(p, open);
    for (;;) {
        token *t = peek(p);
        node *m;
        char *dots = t->kind == T_WORD ? strstr(t->text, "..") : NULL;
        if (dots) { /* a range lo..hi */
            next(p);
            m = nt_node_new(p->f, N_RANGE, t->pos, t->len);
            node *lo = nt_node_new(p->f, N_LITERAL, t->pos, (uint32_t)(dots - t->text));
            node *hi = nt_node_new(p->f, N_LITERAL, t->pos + (uint32_t)(dots - t->text) + 2,
                                   t->len - (uint32_t)(dots - t->text) - 2);
            lo->text = strndup(t->text, (size_t)(dots - t->text));
            lo->text_len = (uint32_t)strlen(lo->text);
            hi->text = strdup(dots + 2);
            hi->text_len = (uint32_t)strlen(hi->text);
            if (!lo->text_len || !hi->text_len) return fail_at(p, t);
            m->a = lo, m->b = hi;
        } else {
            m = parse_sum(p);
            if (!m) return NULL;
        }
        in->items = realloc(in->items, (in->nitems + 1) * sizeof *in->items);
        if (!in->items) abort();
        in->items[in->nitems++] = m;
        token *sep = next(p);
        if (sep->kind == T_RBRACE) break;
        if (sep->kind != T_COMMA) return fail_at(p, sep);
    }
    return in;
}

static node *parse_test(pstate *p)
{
    token *t = peek(p);
    if (t->kind == T_LPAREN) {
        next(p);
        node *n = parse_or(p);
        if (!n) return NULL;
        token *c = next(p);
        if (c->kind != T_RPAREN) return fail_at(p, c);
        return n;
    }
    int quant = 0;
    if (t->kind == T_ANY || t->kind == T_ALL) {
        quant = t->kind == T_ANY ? 1 : 2;
        next(p);
    }
    node *l = parse_sum(p);
    if (!l) return NULL;
    token *op = peek(p);
    switch (op->kind) {
    case T_EQ: case T_NE: case T_ALL_EQ: case T_ANY_NE: case T_LT: case T_GT: case T_LE: case T_GE:
    case T_CONTAINS: case T_MATCHES: {
        next(p);
        node *r = parse_sum(p);
        if (!r) return NULL;
        node *n = nt_node_new(p->f, N_CMP, l->pos, r->pos + r->len - l->pos);
        n->op = op->kind;
        n->optext = NULL;
        n->text = strndup(p->f->expr + op->pos, op->len); /* the operator as written */
        n->quant = quant;
        n->a = l, n->b = r;
        return n;
    }
    case T_IN: {
        next(p);
        node *n = nt_node_new(p->f, N_IN, l->pos, l->len);
        n->a = l;
        n->quant = quant;
        return parse_set(p, n);
    }
    case T_NOT:
        if (p->t[p->i + 1].kind == T_IN) { /* "not in" */
            next(p), next(p);
            node *in = nt_node_new(p->f, N_IN, l->pos, l->len);
            in->a = l;
            in->quant = quant;
            if (!parse_set(p, in)) return NULL;
            node *n = nt_node_new(p->f, N_NOT, l->pos, l->len);
            n->a = in;
            return n;
        }
        /* fall through */
    default: {
        if (quant) return fail_at(p, op);
        node *n = nt_node_new(p->f, N_TEST, l->pos, l->len);
        n->a = l;
        return n;
    }
    }
}

static node *parse_not(pstate *p)
{
    token *t = peek(p);
    if (t->kind == T_NOT) {
        next(p);
        node *a = parse_not(p);
        if (!a) return NULL;
        node *n = nt_node_new(p->f, N_NOT, t->pos, a->pos + a->len - t->pos);
        n->a = a;
        return n;
    }
    return parse_test(p);
}

static node *parse_and(pstate *p)
{
    node *l = parse_not(p);
    while (l && peek(p)->kind == T_AND) {
        next(p);
        node *r = parse_not(p);
        if (!r) return NULL;
        node *n = nt_node_new(p->f, N_AND, l->pos, r->pos + r->len - l->pos);
        n->a = l, n->b = r;
        l = n;
    }
    return l;
}

static node *parse_or(pstate *p)
{
    node *l = parse_and(p);
    while (l && peek(p)->kind == T_OR) {
        next(p);
        node *r = parse_and(p);
        if (!r) return NULL;
        node *n = nt_node_new(p->f, N_OR, l->pos, r->pos + r->len - l->pos);
        n->a = l, n->b = r;
        l = n;
    }
    return l;
}

int nt_fparse(nt_filter *f, token *toks, size_t ntoks, nt_error *err)
{
    pstate p = {f, toks, ntoks, 0, err, false};
    if (toks[0].kind == T_END) {
        nt_ferror(err, f->expr, 0, 0, "Unexpected end of filter expression.");
        return -1;
    }
    f->root = parse_or(&p);
    if (!f->root) {
        if (!p.failed) fail_at(&p, peek(&p));
        return -1;
    }
    if (peek(&p)->kind != T_END) {
        fail_at(&p, peek(&p));
        return -1;
    }
    return 0;
}
