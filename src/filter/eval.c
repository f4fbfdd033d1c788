/* eval.c - evaluates a checked filter against one packet. Every value node
 * holds the occurrences of its value for the current packet; comparisons
 * follow Wireshark 4.0 for fields that occur several times: "==" and the
 * order relations hold when any pair does, "!=" when no pair is equal,
 * "===" when all are, "!==" and "~=" when any pair differs. */
#include "filter_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *scratch(node *n, size_t need)
{
    if (n->scratch_cap < need) {
        size_t cap = n->scratch_cap ? n->scratch_cap : 256;
        while (cap < need) cap *= 2;
        uint8_t *p = realloc(n->scratch, cap); /* grows rarely, then reused */
        if (!p) abort();
        n->scratch = p;
        n->scratch_cap = cap;
    }
    return n->scratch;
}

/* the bytes a value is made of, for slices and byte comparisons */
static void value_bytes(const nt_fvalue *v, const uint8_t **p, uint32_t *len)
{
    switch (v->type) {
    case NT_FT_IPV4: *p = v->v.addr, *len = 4; return;
    case NT_FT_IPV6: *p = v->v.addr, *len = 16; return;
    case NT_FT_ETHER: *p = v->v.addr, *len = 6; return;
    default: *p = v->p, *len = v->len; return;
    }
}

static void apply_slices(node *n)
{
    size_t total = 0;
    for (int i = 0; i < n->nvals; i++) {
        const uint8_t *p;
        uint32_t len;
        value_bytes(&n->vals[i], &p, &len);
        total += len;
    }
    uint8_t *buf = scratch(n, total * (size_t)n->nslice + 1);
    size_t used = 0;
    int out = 0;
    for (int i = 0; i < n->nvals; i++) {
        const uint8_t *p;
        uint32_t len;
        value_bytes(&n->vals[i], &p, &len);
        uint8_t *start = buf + used;
        bool ok = true;
        for (int r = 0; r < n->nslice && ok; r++) {
            int64_t s = n->slice[r].start;
            if (s < 0) s += len;
            int64_t l = n->slice[r].to_end ? (int64_t)len - s : n->slice[r].len;
            if (s < 0 || l < 0 || s + l > (int64_t)len) { ok = false; break; } /* out of range: no value */
            memcpy(buf + used, p + s, (size_t)l);
            used += (size_t)l;
        }
        if (!ok) {
            used = (size_t)(start - buf);
            continue;
        }
        nt_fvalue *v = &n->vals[out++];
        memset(v, 0, sizeof *v);
        v->type = NT_FT_BYTES;
        v->p = start;
        v->len = (uint32_t)(buf + used - start);
    }
    n->nvals = out;
}

static bool num_of(const nt_fvalue *v, __int128 *x)
{
    switch (v->type) {
    case NT_FT_UINT: case NT_FT_BOOL: *x = (__int128)v->v.u; return true;
    case NT_FT_INT: case NT_FT_FRAMENUM: case NT_FT_RELTIME: *x = v->v.i; return true;
    default: return false;
    }
}

static void eval_value(node *n, const nt_packet *pkt);

static void eval_arith(node *n, const nt_packet *pkt)
{
    eval_value(n->a, pkt);
    eval_value(n->b, pkt);
    n->nvals = 0;
    for (int i = 0; i < n->a->nvals; i++)
        for (int j = 0; j < n->b->nvals && n->nvals < NT_FIELD_MAX_OCC; j++) {
            __int128 x, y, r;
            if (!num_of(&n->a->vals[i], &x) || !num_of(&n->b->vals[j], &y)) continue;
            switch (n->op) {
            case T_PLUS: r = x + y; break;
            case T_MINUS: r = x - y; break;
            case T_MUL: r = x * y; break;
            case T_DIV: if (!y) continue; r = x / y; break;
            case T_MOD: if (!y) continue; r = x % y; break;
            case T_BITAND: r = (__int128)((uint64_t)x & (uint64_t)y); break;
            default: continue;
            }
            nt_fvalue *v = &n->vals[n->nvals++];
            memset(v, 0, sizeof *v);
            v->type = (uint8_t)(n->type == NT_FT_UINT && r >= 0 ? NT_FT_UINT : n->type == NT_FT_RELTIME ? NT_FT_RELTIME : NT_FT_INT);
            if (v->type == NT_FT_UINT) v->v.u = (uint64_t)r;
            else v->v.i = (int64_t)r;
        }
}

static void eval_value(node *n, const nt_packet *pkt)
{
    switch (n->kind) {
    case N_FIELD:
        n->nvals = nt_field_get(n->reg, n->field, pkt, n->vals, NT_FIELD_MAX_OCC);
        if (n->nslice) apply_slices(n);
        return;
    case N_LITERAL:
    case N_STRING:
        n->vals[0] = n->lit;
        if (n->lit.type == NT_FT_IPV4 || n->lit.type == NT_FT_IPV6 || n->lit.type == NT_FT_ETHER)
            n->vals[0].p = n->vals[0].v.addr;
        n->nvals = 1;
        return;
    case N_FUNC: {
        node *a = n->a;
        eval_value(a, pkt);
        if (n->fn == FN_COUNT) {
            memset(&n->vals[0], 0, sizeof n->vals[0]);
            n->vals[0].type = NT_FT_UINT;
            n->vals[0].v.u = (uint64_t)a->nvals;
            n->nvals = 1;
            return;
        }
        if (n->fn == FN_LEN) {
            n->nvals = 0;
            for (int i = 0; i < a->nvals; i++) {
                const nt_fvalue *x = &a->vals[i];
                uint64_t l;
                switch (x->type) {
                case NT_FT_PROTOCOL: l = x->hdr_len; break;
                case NT_FT_IPV4: l = 4; break;
                case NT_FT_IPV6: l = 16; break;
                case NT_FT_ETHER: l = 6; break;
                case NT_FT_BYTES: case NT_FT_STRING: l = x->len; break;
                case NT_FT_BOOL: l = 1; break;
                default: l = a->field ? a->field->size : 0; break;
                }
                nt_fvalue *v = &n->vals[n->nvals++];
                memset(v, 0, sizeof *v);
                v->type = NT_FT_UINT;
                v->v.u = l;
            }
            return;
        }
        /* upper, lower */
        size_t total = 0;
        for (int i = 0; i < a->nvals; i++) total += a->vals[i].len;
        uint8_t *buf = scratch(n, total + 1);
        size_t used = 0;
        n->nvals = 0;
        for (int i = 0; i < a->nvals; i++) {
            const nt_fvalue *x = &a->vals[i];
            for (uint32_t k = 0; k < x->len; k++)
                buf[used + k] = (uint8_t)(n->fn == FN_UPPER ? toupper(x->p[k]) : tolower(x->p[k]));
            nt_fvalue *v = &n->vals[n->nvals++];
            memset(v, 0, sizeof *v);
            v->type = NT_FT_STRING;
            v->p = buf + used;
            v->len = x->len;
            used += x->len;
        }
        return;
    }
    case N_ARITH: eval_arith(n, pkt); return;
    default: n->nvals = 0; return;
    }
}

/* -1, 0, 1; for addresses with a prefix, equality within the prefix */
static int compare(const nt_fvalue *x, const nt_fvalue *y, bool *comparable)
{
    *comparable = true;
    __int128 a, b;
    if (num_of(x, &a) && num_of(y, &b)) return a < b ? -1 : a > b;
    if (x->type == NT_FT_DOUBLE || y->type == NT_FT_DOUBLE) {
        double p = x->type == NT_FT_DOUBLE ? x->v.d : (double)x->v.u;
        double q = y->type == NT_FT_DOUBLE ? y->v.d : (double)y->v.u;
        return p < q ? -1 : p > q;
    }
    if ((x->type == NT_FT_IPV4 || x->type == NT_FT_IPV6) && x->type == y->type) {
        unsigned len = x->type == NT_FT_IPV4 ? 4 : 16;
        unsigned bits = x->prefix < y->prefix ? x->prefix : y->prefix;
        if (bits > len * 8) bits = len * 8;
        for (unsigned i = 0; i < len; i++) {
            unsigned keep = bits >= 8 ? 8 : bits;
            bits -= keep;
            uint8_t mask = (uint8_t)(keep ? 0xff << (8 - keep) : 0);
            uint8_t p = x->v.addr[i] & mask, q = y->v.addr[i] & mask;
            if (p != q) return p < q ? -1 : 1;
        }
        return 0;
    }
    const uint8_t *p, *q;
    uint32_t pl, ql;
    value_bytes(x, &p, &pl);
    value_bytes(y, &q, &ql);
    if (!p || !q) {
        *comparable = false;
        return 1;
    }
    int r = memcmp(p, q, pl < ql ? pl : ql);
    if (r) return r < 0 ? -1 : 1;
    return pl < ql ? -1 : pl > ql;
}

static bool rel_holds(tok_kind op, const nt_fvalue *x, const nt_fvalue *y)
{
    bool ok;
    int r = compare(x, y, &ok);
    if (!ok) return op == T_NE || op == T_ANY_NE;
    switch (op) {
    case T_EQ: case T_ALL_EQ: return r == 0;
    case T_NE: case T_ANY_NE: return r != 0;
    case T_LT: return r < 0;
    case T_GT: return r > 0;
    case T_LE: return r <= 0;
    case T_GE: return r >= 0;
    default: return false;
    }
}

static bool contains(const nt_fvalue *x, const nt_fvalue *y)
{
    const uint8_t *p, *q;
    uint32_t pl, ql;
    value_bytes(x, &p, &pl);
    value_bytes(y, &q, &ql);
    if (!ql) return true;
    if (!p || ql > pl) return false;
    return memmem(p, pl, q, ql) != NULL;
}

static bool matches(node *re, const nt_fvalue *x)
{
    const uint8_t *p;
    uint32_t pl;
    value_bytes(x, &p, &pl);
    if (!p) return false;
    return pcre2_match(re->re, (PCRE2_SPTR)p, pl, 0, 0, re->md, NULL) >= 0;
}

/* does occurrence x stand in relation with some (or, for ===, every) y? */
static bool pair_test(node *n, const nt_fvalue *x)
{
    node *b = n->b;
    if (n->op == T_MATCHES) return matches(b, x);
    for (int j = 0; j < b->nvals; j++) {
        bool h = n->op == T_CONTAINS ? contains(x, &b->vals[j]) : rel_holds(n->op == T_NE ? T_EQ : n->op, x, &b->vals[j]);
        if (n->op == T_ALL_EQ && !h) return false;
        if (n->op != T_ALL_EQ && h) return true;
    }
    return n->op == T_ALL_EQ && b->nvals > 0;
}

static bool eval_cmp(node *n, const nt_packet *pkt)
{
    eval_value(n->a, pkt);
    if (n->op != T_MATCHES) eval_value(n->b, pkt);
    node *a = n->a;
    if (n->op == T_NE) { /* present, and no occurrence equal */
        for (int i = 0; i < a->nvals; i++)
            if (pair_test(n, &a->vals[i])) return false;
        return a->nvals > 0 && n->b->nvals > 0; /* absent is not "not equal" */
    }
    bool all = n->quant == 2 || n->op == T_ALL_EQ;
    if (a->nvals == 0) return false;
    for (int i = 0; i < a->nvals; i++) {
        bool h = pair_test(n, &a->vals[i]);
        if (all && !h) return false;
        if (!all && h) return true;
    }
    return all;
}

static bool in_set(node *n, const nt_packet *pkt)
{
    eval_value(n->a, pkt);
    node *a = n->a;
    if (a->nvals == 0) return false;
    bool all = n->quant == 2;
    for (int i = 0; i < a->nvals; i++) {
        bool h = false;
        for (size_t k = 0; k < n->nitems && !h; k++) {
            node *m = n->items[k];
            if (m->kind == N_RANGE) {
                bool ok1, ok2;
                h = compare(&a->vals[i], &m->a->lit, &ok1) >= 0 && compare(&a->vals[i], &m->b->lit, &ok2) <= 0 && ok1 && ok2;
            } else {
                eval_value(m, pkt);
                for (int j = 0; j < m->nvals && !h; j++) h = rel_holds(T_EQ, &a->vals[i], &m->vals[j]);
            }
        }
        if (all && !h) return false;
        if (!all && h) return true;
    }
    return all;
}

bool nt_feval(node *n, const nt_packet *pkt)
{
    switch (n->kind) {
    case N_AND: return nt_feval(n->a, pkt) && nt_feval(n->b, pkt);
    case N_OR: return nt_feval(n->a, pkt) || nt_feval(n->b, pkt);
    case N_NOT: return !nt_feval(n->a, pkt);
    case N_CMP: return eval_cmp(n, pkt);
    case N_IN: return in_set(n, pkt);
    case N_TEST:
        eval_value(n->a, pkt);
        if (n->a->kind == N_ARITH) { /* a bare arithmetic value tests non-zero */
            for (int i = 0; i < n->a->nvals; i++)
                if (n->a->vals[i].v.u) return true;
            return false;
        }
        return n->a->nvals > 0;
    default: return false;
    }
}
