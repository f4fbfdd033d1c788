/* lex.c - display-filter tokens. Words are Wireshark's "unparsed" values:
 * field names and literals alike (10.0.0.1, 00:22:64:08:91:a6, fe80::1/64,
 * 8000..8080); the parser and checker decide what a word is. */
#include "filter_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void nt_ferror(nt_error *err, const char *expr, uint32_t pos, uint32_t len, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (len == 0) {
        nt_error_set(err, NT_ERR, "%s", msg);
        return;
    }
    char caret[256];
    size_t k = 0;
    for (uint32_t i = 0; i < pos && k < sizeof caret - 2; i++) caret[k++] = ' ';
    for (uint32_t i = 0; i < len && k < sizeof caret - 1; i++) caret[k++] = i ? '~' : '^';
    caret[k] = 0;
    nt_error_set(err, NT_ERR, "%s\n    %s\n    %s", msg, expr, caret);
}

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == ':' || c == '/' || c == '-' || c == '$';
}

static const struct { const char *w; tok_kind k; } keywords[] = {
    {"and", T_AND}, {"or", T_OR}, {"not", T_NOT}, {"eq", T_EQ}, {"ne", T_NE}, {"lt", T_LT}, {"gt", T_GT},
    {"le", T_LE}, {"ge", T_GE}, {"contains", T_CONTAINS}, {"matches", T_MATCHES}, {"in", T_IN},
    {"any", T_ANY}, {"all", T_ALL}, {"all_eq", T_ALL_EQ}, {"any_ne", T_ANY_NE}, {"bitand", T_BITAND},
    {"AND", T_AND}, {"OR", T_OR}, {"NOT", T_NOT},
};

static int push(token **toks, size_t *n, size_t *cap, token t)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        token *nt = realloc(*toks, nc * sizeof *nt);
        if (!nt) abort();
        *toks = nt;
        *cap = nc;
    }
    (*toks)[(*n)++] = t;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int nt_flex(const char *e, token **toks, size_t *ntoks, nt_error *err)
{
    size_t n = 0, cap = 0;
    *toks = NULL;
    uint32_t i = 0, L = (uint32_t)strlen(e);
    while (i < L) {
        char c = e[i];
        if (isspace((unsigned char)c)) { i++; continue; }
        token t = {T_BAD, i, 1, NULL, 0};
        /* two- and three-character operators first */
        if (!strncmp(e + i, "===", 3)) t.kind = T_ALL_EQ, t.len = 3;
        else if (!strncmp(e + i, "!==", 3)) t.kind = T_ANY_NE, t.len = 3;
        else if (!strncmp(e + i, "==", 2)) t.kind = T_EQ, t.len = 2;
        else if (!strncmp(e + i, "!=", 2)) t.kind = T_NE, t.len = 2;
        else if (!strncmp(e + i, "~=", 2)) t.kind = T_ANY_NE, t.len = 2;
        else if (!strncmp(e + i, "<=", 2)) t.kind = T_LE, t.len = 2;
        else if (!strncmp(e + i, ">=", 2)) t.kind = T_GE, t.len = 2;
        else if (!strncmp(e + i, "&&", 2)) t.kind = T_AND, t.len = 2;
        else if (!strncmp(e + i, "||", 2)) t.kind = T_OR, t.len = 2;
        else if (c == '<') t.kind = T_LT;
        else if (c == '>') t.kind = T_GT;
        else if (c == '!') t.kind = T_NOT;
        else if (c == '~') t.kind = T_MATCHES;
        else if (c == '&') t.kind = T_BITAND;
        else if (c == '+') t.kind = T_PLUS;
        else if (c == '*') t.kind = T_MUL;
        else if (c == '/') t.kind = T_DIV;
        else if (c == '%') t.kind = T_MOD;
        else if (c == '(') t.kind = T_LPAREN;
        else if (c == ')') t.kind = T_RPAREN;
        else if (c == '{') t.kind = T_LBRACE;
        else if (c == '}') t.kind = T_RBRACE;
        else if (c == ',') t.kind = T_COMMA;
        else if (c == '-' && (i + 1 >= L || !word_char(e[i + 1]))) t.kind = T_MINUS;
        if (t.kind != T_BAD) {
            i += t.len;
            push(toks, &n, &cap, t);
            continue;
        }
        if (c == '[') { /* a slice: its text up to the closing bracket */
            uint32_t j = i + 1;
            while (j < L && e[j] != ']') j++;
            if (j >= L) {
                nt_flex_free(*toks, n);
                nt_ferror(err, e, 0, 0, "Unexpected end of filter expression.");
                return -1;
            }
            t.kind = T_SLICE;
            t.len = j + 1 - i;
            t.text_len = j - i - 1;
            t.text = strndup(e + i + 1, t.text_len);
            i = j + 1;
            push(toks, &n, &cap, t);
            continue;
        }
        if (c == '"' || (c == 'r' && i + 1 < L && e[i + 1] == '"')) {
            bool raw = c == 'r';
            uint32_t j = i + (raw ? 2 : 1);
            char *buf = malloc(L + 1);
            if (!buf) abort();
            uint32_t k = 0;
            while (j < L && e[j] != '"') {
                if (e[j] == '\\' && j + 1 < L) {
                    char x = e[j + 1];
                    if (raw) { buf[k++] = '\\'; buf[k++] = x; j += 2; continue; }
                    j += 2;
                    switch (x) {
                    case 'n': buf[k++] = '\n'; break;
                    case 't': buf[k++] = '\t'; break;
                    case 'r': buf[k++] = '\r'; break;
                    case '0': buf[k++] = '\0'; break;
                    case 'x':
                        if (j + 1 < L && hexval(e[j]) >= 0 && hexval(e[j + 1]) >= 0) {
                            buf[k++] = (char)(hexval(e[j]) * 16 + hexval(e[j + 1]));
                            j += 2;
                        } else {
                            buf[k++] = 'x';
                        }
                        break;
                    default: buf[k++] = x;
                    }
                    continue;
                }
                buf[k++] = e[j++];
            }
            if (j >= L) {
                free(buf);
                nt_flex_free(*toks, n);
                nt_ferror(err, e, 0, 0, "Unexpected end of filter expression.");
                return -1;
            }
            buf[k] = 0;
            t.kind = T_STRING;
            t.len = j + 1 - i;
            t.text = buf;
            t.text_len = k;
            i = j + 1;
            push(toks, &n, &cap, t);
            continue;
        }
        if (word_char(c)) {
            uint32_t j = i;
            while (j < L && word_char(e[j])) j++;
            t.kind = T_WORD;
            t.len = j - i;
            t.text = strndup(e + i, t.len);
            t.text_len = t.len;
            for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
                if (!strcmp(t.text, keywords[k].w)) t.kind = keywords[k].k;
            i = j;
            push(toks, &n, &cap, t);
            continue;
        }
        char what[8] = {c, 0};
        nt_flex_free(*toks, n);
        nt_ferror(err, e, i, 1, "\"%s\" was unexpected in this context.", what);
        return -1;
    }
    token end = {T_END, L, 0, NULL, 0};
    push(toks, &n, &cap, end);
    *ntoks = n;
    return 0;
}

void nt_flex_free(token *toks, size_t n)
{
    for (size_t i = 0; i < n; i++) free(toks[i].text);
    free(toks);
}
