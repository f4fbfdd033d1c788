/* steps.h - what an active check did, as data: one step record per thing
 * tried (resolve, connect, TLS, certificate, a name, an SRV lookup, the
 * verdict), shaped like a diagnose finding (verdict, values, text, advice),
 * so that the probes in probe/ decide and the command line only prints a
 * step as its text or as JSON. Where a step's values go in the JSON record
 * is part of the step (its scope), which lets one renderer keep the nested
 * JSON shapes docs/json.md documents. */
#ifndef NETTRACER_STEPS_H
#define NETTRACER_STEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ordered so that the worse verdict is the larger; INFO never worsens one. */
typedef enum nt_verdict { NT_VERDICT_OK = 0, NT_VERDICT_WARN = 1, NT_VERDICT_FAIL = 2, NT_VERDICT_INFO = 3 } nt_verdict;

const char *nt_verdict_name(nt_verdict v);   /* "ok", "warn", "fail", "info" */
const char *nt_verdict_upper(nt_verdict v);  /* "OK", "WARN", "FAIL", "INFO" */

typedef enum nt_step_vkind { NT_SV_STR, NT_SV_INT, NT_SV_BOOL, NT_SV_RAW, NT_SV_EMPTY_ARRAY } nt_step_vkind;

/* A measured or named value. A key ending in "[]" is one element of an
 * array: consecutive values with that key make the array. Strings are
 * copied into the step's own store. */
typedef struct nt_step_value {
    const char *key;
    nt_step_vkind kind;
    int64_t num;         /* INT; BOOL as 0/1 */
    const char *str;     /* STR; RAW: a number already formatted ("12.3") */
} nt_step_value;

/* Where the values go in the JSON record (one JSON line):
 *   LINE     a record of its own (opened and closed by this step)
 *   BEGIN    opens a record; END closes it (its values are the last fields)
 *   RECORD   fields of the open record
 *   ITEM     a new object of the record's array `group`
 *   IN_ITEM  fields of the current item
 *   SUB      an object `group` inside the current item
 *   SUBITEM  a new object of the array `group` inside the current item
 *   TEXT     text only, nothing in JSON */
typedef enum nt_step_scope {
    NT_SCOPE_LINE, NT_SCOPE_BEGIN, NT_SCOPE_RECORD, NT_SCOPE_ITEM, NT_SCOPE_IN_ITEM, NT_SCOPE_SUB, NT_SCOPE_SUBITEM, NT_SCOPE_END,
    NT_SCOPE_TEXT,
} nt_step_scope;

#define NT_STEP_MAX_VALUES 40
#define NT_STEP_TEXT_MAX 8192

typedef struct nt_step {
    const char *step;        /* "resolve", "connect", "tls", "certificate", "verify", "name", "verdict", ... */
    nt_verdict verdict;
    nt_step_scope scope;
    const char *group;       /* ITEM, SUB, SUBITEM: the JSON key */
    const char *label;       /* text: each line starts with "Label:" in an 11-column field; NULL: as is */
    int nvalues;
    nt_step_value values[NT_STEP_MAX_VALUES];
    char text[NT_STEP_TEXT_MAX]; /* what a reader is told, lines ending in '\n' ("" in JSON-only steps) */
    const char *advice;      /* the next step, or NULL */
    bool err;                /* the text is the command's error message: stderr, in JSON mode too */
    size_t store_used;
    char store[NT_STEP_TEXT_MAX]; /* the values' strings */
} nt_step;

/* How a probe hands a step to its front end (the CLI renderer, a test). */
typedef void (*nt_step_fn)(void *user, const nt_step *s);

/* Building a step: start it, add values and text, hand it over. */
void nt_step_start(nt_step *s, const char *step, nt_step_scope scope, const char *group, const char *label);
void nt_step_str(nt_step *s, const char *key, const char *v);
void nt_step_int(nt_step *s, const char *key, int64_t v);
void nt_step_bool(nt_step *s, const char *key, bool v);
void nt_step_raw(nt_step *s, const char *key, const char *v);
void nt_step_empty_array(nt_step *s, const char *key);
void nt_step_textf(nt_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A copy that keeps its strings (a plain struct copy would point into the
 * original's store). */
void nt_step_copy(nt_step *dst, const nt_step *src);
/* The value of key (first occurrence), or NULL: for tests and front ends. */
const nt_step_value *nt_step_get(const nt_step *s, const char *key);

#endif
