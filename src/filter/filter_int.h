/* filter_int.h - the pieces of the display-filter engine: tokens from the
 * lexer, the syntax tree the parser builds, which the checker types (and
 * whose literals it converts to the type of the field they meet), and the
 * evaluator walks per packet. */
#ifndef NT_FILTER_INT_H
#define NT_FILTER_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "nettracer/fields.h"
#include "nettracer/filter.h"

/* ---- lexer ---- */

typedef enum tok_kind {
    T_END, T_WORD, T_STRING, T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_SLICE, T_COMMA,
    T_AND, T_OR, T_NOT, T_EQ, T_NE, T_ALL_EQ, T_ANY_NE, T_LT, T_GT, T_LE, T_GE,
    T_CONTAINS, T_MATCHES, T_IN, T_ANY, T_ALL, T_BITAND, T_PLUS, T_MINUS, T_MUL, T_DIV, T_MOD,
    T_BAD
} tok_kind;

typedef struct token {
    tok_kind kind;
    uint32_t pos, len;   /* where it stands in the expression */
    char *text;          /* T_WORD, T_STRING (unescaped), T_SLICE (inside the brackets) */
    uint32_t text_len;
} token;

/* Tokenizes expr; on error sets err (with caret) and returns -1. */
int nt_flex(const char *expr, token **toks, size_t *ntoks, nt_error *err);
void nt_flex_free(token *toks, size_t n);

/* ---- syntax tree ---- */

typedef enum node_kind {
    N_AND, N_OR, N_NOT, N_CMP, N_IN, N_TEST,   /* tests */
    N_FIELD, N_LITERAL, N_STRING, N_FUNC, N_ARITH, N_RANGE, /* values */
} node_kind;

typedef enum func_kind { FN_LEN, FN_COUNT, FN_UPPER, FN_LOWER } func_kind;

#define MAX_SLICE_RANGES 4

typedef struct node node;
struct node {
    node_kind kind;
    uint32_t pos, len;           /* source span, for messages */
    tok_kind op;                 /* N_CMP, N_ARITH: the operator */
    const char *optext;          /* the operator as written */
    int quant;                   /* N_CMP: 0 default, 1 any, 2 all */
    node *a, *b;                 /* operands */
    node **items;                /* N_IN: members (values or N_RANGE) */
    size_t nitems;
    /* values */
    const nt_field *field;       /* N_FIELD */
    const nt_field_registry *reg; /* N_FIELD: the registry field is a row of */
    char *text;                  /* N_LITERAL / N_STRING source text */
    uint32_t text_len;
    func_kind fn;                /* N_FUNC */
    int nslice;                  /* N_FIELD: slice ranges applied */
    struct { int64_t start; int64_t len; bool to_end; } slice[MAX_SLICE_RANGES];
    nt_ftype type;               /* after checking: the type of the values */
    /* a literal, converted once it is checked */
    nt_fvalue lit;
    uint8_t *lit_bytes;          /* owned storage behind lit.p */
    pcre2_code *re;              /* the pattern of a matches */
    pcre2_match_data *md;
    /* evaluation scratch: occurrences of this value for the current packet */
    nt_fvalue vals[NT_FIELD_MAX_OCC];
    int nvals;
    uint8_t *scratch;            /* slice / upper / lower results */
    size_t scratch_cap;
};

struct nt_filter {
    char *expr;
    const nt_field_registry *reg;
    node *root;
    node **all;                  /* every node, to free them */
    size_t nall, capall;
};

node *nt_node_new(nt_filter *f, node_kind k, uint32_t pos, uint32_t len);

/* parser: builds f->root from the tokens */
int nt_fparse(nt_filter *f, token *toks, size_t ntoks, nt_error *err);
/* checker: types every node and converts literals */
int nt_fcheck(nt_filter *f, nt_error *err);
/* evaluator */
bool nt_feval(node *n, const nt_packet *pkt);

/* the error message with the expression and a caret under [pos, pos+len) */
void nt_ferror(nt_error *err, const char *expr, uint32_t pos, uint32_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
