/* check.c - types the syntax tree and converts every literal to the type
 * of the field it meets, with tshark 4.0's messages for what does not fit.
 * Regular expressions are compiled here, once. */
#include "filter_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct cstate {
    nt_filter *f;
    nt_error *err;
} cstate;

#define FAIL(n, ...) (nt_ferror(c->err, c->f->expr, (n)->pos, (n)->len, __VA_ARGS__), -1)

static bool is_numeric(nt_ftype t)
{
    return t == NT_FT_UINT || t == NT_FT_INT || t == NT_FT_BOOL || t == NT_FT_FRAMENUM || t == NT_FT_RELTIME ||
           t == NT_FT_DOUBLE;
}
static bool is_bytes(nt_ftype t)
{
    return t == NT_FT_BYTES || t == NT_FT_STRING || t == NT_FT_PROTOCOL || t == NT_FT_ETHER;
}

static const char *tname(nt_ftype t, const nt_field *fld, char *buf, size_t n)
{
    return nt_ftype_name(t, fld ? fld->size : 4, buf, n);
}

/* "0x50", "0120", "0b101", "80", "-1" */
static bool parse_int(const char *s, bool *neg, uint64_t *v)
{
    *neg = false;
    if (*s == '-') *neg = true, s++;
    if (!*s) return false;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s += 2;
    else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) base = 2, s += 2;
    else if (s[0] == '0' && s[1]) base = 8, s += 1;
    if (!*s) return false;
    uint64_t r = 0;
    for (; *s; s++) {
        int d = isdigit((unsigned char)*s) ? *s - '0' : isxdigit((unsigned char)*s) ? tolower(*s) - 'a' + 10 : 99;
        if (d >= base) return false;
        if (r > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) return false;
        r = r * (uint64_t)base + (uint64_t)d;
    }
    *v = r;
    return true;
}

/* hex bytes separated by ':', '-' or '.', groups of one or two digits (or
 * four, Cisco-style 0299.0007.0001), or an unseparated even run */
static int parse_hexbytes(const char *s, uint8_t *out, size_t max)
{
    size_t n = 0;
    const char *p = s;
    bool seps = strpbrk(s, ":-.") != NULL;
    if (!*p) return -1;
    while (*p) {
        const char *q = p;
        while (isxdigit((unsigned char)*q)) q++;
        size_t g = (size_t)(q - p);
        if (g == 0) return -1;
        if (!seps || g == 4) {
            if (g % 2) return -1;
            for (size_t i = 0; i < g; i += 2) {
                if (n >= max) return -1;
                char h[3] = {p[i], p[i + 1], 0};
                out[n++] = (uint8_t)strtoul(h, NULL, 16);
            }
        } else if (g <= 2) {
            if (n >= max) return -1;
            char h[3] = {p[0], g == 2 ? p[1] : 0, 0};
            out[n++] = (uint8_t)strtoul(h, NULL, 16);
        } else {
            return -1;
        }
        p = q;
        if (*p == ':' || *p == '-' || *p == '.') {
            p++;
            if (!*p) return -1;
        } else if (*p) {
            return -1;
        }
    }
    return (int)n;
}

static bool parse_time(const char *s, int64_t *ns)
{
    bool neg = false;
    if (*s == '-') neg = true, s++;
    if (!isdigit((unsigned char)*s) && *s != '.') return false;
    int64_t sec = 0, frac = 0;
    int digits = 0;
    while (isdigit((unsigned char)*s)) {
        if (sec > INT64_MAX / 10 / 1000000000) return false;
        sec = sec * 10 + (*s++ - '0');
    }
    if (*s == '.') {
        s++;
        while (isdigit((unsigned char)*s)) {
            if (digits < 9) frac = frac * 10 + (*s - '0'), digits++;
            s++;
        }
    }
    if (*s) return false;
    while (digits < 9) frac *= 10, digits++;
    *ns = (sec * 1000000000 + frac) * (neg ? -1 : 1);
    return true;
}

static uint8_t *own(node *n, const void *p, size_t len)
{
    free(n->lit_bytes);
    n->lit_bytes = malloc(len ? len : 1);
    if (!n->lit_bytes) abort();
    memcpy(n->lit_bytes, p, len);
    return n->lit_bytes;
}

/* Converts literal node n (a word or a quoted string) to type t, for the
 * field fld (which may be NULL: a slice or a function result). */
static int convert(cstate *c, node *n, nt_ftype t, const nt_field *fld)
{
    char tb[64];
    bool quoted = n->kind == N_STRING;
    const char *s = n->text;
    nt_fvalue *v = &n->lit;
    memset(v, 0, sizeof *v);
    v->type = (uint8_t)t;
    n->type = t;
    switch (t) {
    case NT_FT_UINT:
    case NT_FT_INT:
    case NT_FT_FRAMENUM:
    case NT_FT_BOOL: {
        uint64_t x;
        bool neg;
        if (fld && fld->value_of && fld->value_of(s, &x)) {
            v->v.u = x;
            return 0;
        }
        if (quoted && fld && fld->value_of)
            return FAIL(n, "\"%s\" cannot be found among the possible values for %s.", s, fld->name);
        if (quoted)
            return FAIL(n, "%s cannot be converted from a string (\"%s\").", tname(t, fld, tb, sizeof tb), s);
        if (!parse_int(s, &neg, &x)) {
            if (t == NT_FT_BOOL || (fld && fld->value_of))
                return FAIL(n, "\"%s\" cannot be found among the possible values for %s.", s, fld ? fld->name : "");
            return FAIL(n, "\"%s\" is not a valid number.", s);
        }
        if (t == NT_FT_BOOL) {
            v->v.u = x != 0;
            return 0;
        }
        if (neg) { /* kept signed: it compares below every unsigned value */
            v->type = NT_FT_INT;
            v->v.i = -(int64_t)x;
            return 0;
        }
        if (fld && fld->size && fld->size < 8 && t == NT_FT_UINT) {
            uint64_t maxv = (1ull << (fld->size * 8)) - 1;
            if (x > maxv) return FAIL(n, "\"%s\" too big for this field, maximum %llu.", s, (unsigned long long)maxv);
        }
        if (t == NT_FT_INT) v->v.i = (int64_t)x;
        else v->v.u = x;
        return 0;
    }
    case NT_FT_RELTIME:
        if (quoted || !parse_time(s, &v->v.i)) return FAIL(n, "\"%s\" is not a valid time.", s);
        return 0;
    case NT_FT_DOUBLE: {
        char *end;
        v->v.d = strtod(s, &end);
        if (quoted || *end || end == s) return FAIL(n, "\"%s\" is not a valid number.", s);
        return 0;
    }
    case NT_FT_IPV4:
    case NT_FT_IPV6: {
        bool v4 = t == NT_FT_IPV4;
        if (quoted)
            return FAIL(n, "%s cannot be converted from a string (\"%s\").", tname(t, fld, tb, sizeof tb), s);
        char addr[128];
        snprintf(addr, sizeof addr, "%s", s);
        char *slash = strchr(addr, '/');
        unsigned maxbits = v4 ? 32 : 128, bits = maxbits;
        if (slash) {
            *slash = 0;
            char *end;
            unsigned long b = strtoul(slash + 1, &end, 10);
            if (*end || end == slash + 1)
                return FAIL(n, "\"%s\" is not a valid hostname or %s address.", s, v4 ? "IPv4" : "IPv6");
            if (b > maxbits)
                return FAIL(n, "Netmask bits in a CIDR %s address should be <= %u, not %lu", v4 ? "IPv4" : "IPv6",
                            maxbits, b);
            bits = (unsigned)b;
        }
        /* dotted quads only: no hostnames, no short forms */
        int dots = 0;
        for (const char *q = addr; *q; q++) dots += *q == '.';
        if ((v4 && dots != 3) || inet_pton(v4 ? AF_INET : AF_INET6, addr, v->v.addr) != 1)
            return FAIL(n, "\"%s\" is not a valid hostname or %s address.", s, v4 ? "IPv4" : "IPv6");
        v->prefix = (uint8_t)bits;
        v->len = v4 ? 4 : 16;
        v->p = NULL; /* set when evaluated: the node's own copy */
        return 0;
    }
    case NT_FT_ETHER: {
        uint8_t b[64];
        int k = quoted ? -1 : parse_hexbytes(s, b, sizeof b);
        if (k < 0) return FAIL(n, "\"%s\" is not a valid Ethernet address.", s);
        if (k < 6) return FAIL(n, "\"%s\" contains too few bytes to be a valid Ethernet address.", s);
        if (k > 6) return FAIL(n, "\"%s\" contains too many bytes to be a valid Ethernet address.", s);
        memcpy(v->v.addr, b, 6);
        v->len = 6;
        return 0;
    }
    case NT_FT_BYTES:
    case NT_FT_PROTOCOL: {
        if (quoted) {
            v->p = own(n, s, n->text_len);
            v->len = n->text_len;
            v->type = NT_FT_BYTES;
            return 0;
        }
        uint8_t b[1024];
        int k = parse_hexbytes(s, b, sizeof b);
        uint64_t x;
        bool neg;
        if (k < 0 && parse_int(s, &neg, &x) && !neg && x <= 0xff) { /* 0xff: one byte */
            b[0] = (uint8_t)x;
            k = 1;
        }
        if (k < 0) return FAIL(n, "\"%s\" is not a valid byte string.", s);
        v->p = own(n, b, (size_t)k);
        v->len = (uint32_t)k;
        v->type = NT_FT_BYTES;
        return 0;
    }
    case NT_FT_STRING:
        v->p = own(n, s, n->text_len);
        v->len = n->text_len;
        return 0;
    default:
        return FAIL(n, "\"%s\" cannot be compared here.", s);
    }
}

static bool untyped(const node *n) { return n->kind == N_LITERAL || n->kind == N_STRING; }

static int check_value(cstate *c, node *n);

static int check_arith(cstate *c, node *n)
{
    if (check_value(c, n->a) || check_value(c, n->b)) return -1;
    node *typed = !untyped(n->a) ? n->a : !untyped(n->b) ? n->b : NULL;
    nt_ftype t = typed ? typed->type : NT_FT_INT;
    if (!is_numeric(t) || t == NT_FT_DOUBLE) {
        char tb[64];
        return FAIL(typed, "%s is not a valid operand for arithmetic (type=%s).", "value",
                    tname(t, typed->field, tb, sizeof tb));
    }
    if (untyped(n->a) && convert(c, n->a, t == NT_FT_BOOL ? NT_FT_UINT : t, NULL)) return -1;
    if (untyped(n->b) && convert(c, n->b, t == NT_FT_BOOL ? NT_FT_UINT : t, NULL)) return -1;
    n->type = t == NT_FT_BOOL ? NT_FT_UINT : t;
    return 0;
}

static int check_value(cstate *c, node *n)
{
    char tb[64];
    switch (n->kind) {
    case N_FIELD:
        n->type = n->field->type;
        if (n->nslice) {
            if (is_numeric(n->type)) { /* the caret goes under the field's name */
                nt_ferror(c->err, c->f->expr, n->pos, (uint32_t)strlen(n->field->name),
                          "\"%s\" is a %s and cannot be sliced into a sequence of bytes.", n->field->name,
                          tname(n->type, n->field, tb, sizeof tb));
                return -1;
            }
            n->type = NT_FT_BYTES;
        }
        return 0;
    case N_LITERAL:
    case N_STRING:
        n->type = NT_FT_NONE;
        return 0;
    case N_FUNC: {
        node *a = n->a;
        if (a->kind != N_FIELD) {
            if (a->kind == N_LITERAL)
                return FAIL(a, "%s is neither a field nor a protocol name.", a->text);
            return FAIL(a, "Function parameter must be a field.");
        }
        if (check_value(c, a)) return -1;
        if ((n->fn == FN_UPPER || n->fn == FN_LOWER) && a->type != NT_FT_STRING)
            return FAIL(a, "Only string type fields can be used as parameter for %s()",
                        n->fn == FN_UPPER ? "upper" : "lower");
        n->type = n->fn == FN_UPPER || n->fn == FN_LOWER ? NT_FT_STRING : NT_FT_UINT;
        return 0;
    }
    case N_ARITH: return check_arith(c, n);
    default: return FAIL(n, "Unexpected expression.");
    }
}

static const nt_field *field_of(const node *n) { return n->kind == N_FIELD && !n->nslice ? n->field : NULL; }

static int check_test(cstate *c, node *n)
{
    char tb[64];
    switch (n->kind) {
    case N_AND:
    case N_OR:
        return check_test(c, n->a) || check_test(c, n->b) ? -1 : 0;
    case N_NOT: return check_test(c, n->a);
    case N_TEST:
        if (n->a->kind == N_LITERAL) return FAIL(n->a, "%s is neither a field nor a protocol name.", n->a->text);
        if (n->a->kind == N_STRING) return FAIL(n->a, "\"%s\" was unexpected in this context.", n->a->text);
        return check_value(c, n->a);
    case N_CMP: {
        node *a = n->a, *b = n->b;
        if (check_value(c, a) || check_value(c, b)) return -1;
        if (untyped(a))
            return FAIL(a, "Left side of \"%s\" expression must be a field or function, not %s.", n->text,
                        a->kind == N_STRING ? "a string" : a->text);
        nt_ftype t = a->type;
        if (t == NT_FT_LABEL)
            return FAIL(a, "%.*s (type=Label) cannot participate in %s comparison.", (int)a->len, c->f->expr + a->pos,
                        n->text);
        if (n->op == T_CONTAINS || n->op == T_MATCHES) {
            bool ok = n->op == T_CONTAINS ? is_bytes(t) : (t == NT_FT_STRING || t == NT_FT_BYTES || t == NT_FT_PROTOCOL);
            if (!ok)
                return FAIL(a, "%.*s (type=%s) cannot participate in %s comparison.", (int)a->len, c->f->expr + a->pos,
                            tname(t, a->field, tb, sizeof tb), n->op == T_CONTAINS ? "contains" : "matches");
            if (n->op == T_MATCHES) {
                if (b->kind != N_STRING) return FAIL(b, "\"%s\" is not a valid regular expression.", b->text ? b->text : "");
                int ec;
                PCRE2_SIZE eo;
                b->re = pcre2_compile((PCRE2_SPTR)b->text, b->text_len, 0, &ec, &eo, NULL);
                if (!b->re) {
                    PCRE2_UCHAR m[256];
                    pcre2_get_error_message(ec, m, sizeof m);
                    return FAIL(b, "\"%s\" is not a valid regular expression: %s", b->text, (char *)m);
                }
                b->md = pcre2_match_data_create_from_pattern(b->re, NULL);
                b->type = NT_FT_STRING;
                return 0;
            }
            /* contains: a string pattern, or bytes */
            if (untyped(b)) return convert(c, b, t == NT_FT_STRING ? NT_FT_STRING : NT_FT_BYTES, NULL);
            return 0;
        }
        if (untyped(b)) return convert(c, b, t, field_of(a));
        return 0;
    }
    case N_IN: {
        if (check_value(c, n->a)) return -1;
        if (untyped(n->a))
            return FAIL(n->a, "Left side of \"in\" expression must be a field or function, not %s.", n->a->text);
        for (size_t i = 0; i < n->nitems; i++) {
            node *m = n->items[i];
            if (m->kind == N_RANGE) {
                if (convert(c, m->a, n->a->type, field_of(n->a)) || convert(c, m->b, n->a->type, field_of(n->a)))
                    return -1;
                continue;
            }
            if (check_value(c, m)) return -1;
            if (untyped(m) && convert(c, m, n->a->type, field_of(n->a))) return -1;
        }
        return 0;
    }
    default: return FAIL(n, "Unexpected expression.");
    }
}

int nt_fcheck(nt_filter *f, nt_error *err)
{
    cstate c = {f, err};
    return check_test(&c, f->root);
}
