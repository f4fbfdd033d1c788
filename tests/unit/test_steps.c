/* Unit tests for step records (probe/steps.c) and their one printer
 * (cli/steps_render.c, linked in): the text form (labels in an 11-column
 * field on every line) and the JSON form, where each step's scope puts its
 * values into the nested records docs/json.md documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/steps_render.h"

static nt_step s;

static void step(const char *name, nt_step_scope scope, const char *group, const char *label,
                 const char *text)
{
    nt_step_start(&s, name, scope, group, label);
    if (text) nt_step_textf(&s, "%s", text);
}

/* A check-shaped sequence; rendered into *buf. */
static void render(bool json, char **buf)
{
    size_t len;
    FILE *f = open_memstream(buf, &len);
    nt_steps_out o;
    nt_steps_out_init(&o, json, f);
    step("target", NT_SCOPE_BEGIN, NULL, NULL, "== t\n");
    nt_step_str(&s, "type", "check");
    nt_step_int(&s, "port", 443);
    nt_steps_render(&o, &s);
    step("resolve", NT_SCOPE_RECORD, NULL, "Resolve", "t -> a, b\n");
    nt_step_str(&s, "addresses[]", "a");
    nt_step_str(&s, "addresses[]", "b");
    nt_step_raw(&s, "resolve_ms", "0.5");
    nt_steps_render(&o, &s);
    step("connect", NT_SCOPE_ITEM, "attempts", "Connect", "a connected\n");
    nt_step_str(&s, "address", "a");
    nt_steps_render(&o, &s);
    step("tls", NT_SCOPE_SUB, "tls", "TLS", "TLSv1.3\nclient certificate requested\n");
    nt_step_bool(&s, "client_cert_requested", true);
    nt_steps_render(&o, &s);
    for (int i = 0; i < 2; i++) {
        step("certificate", NT_SCOPE_SUBITEM, "certificates", NULL, i ? "Certificate 1: c1\n" : "Certificate 0: c0\n");
        nt_step_str(&s, "subject", i ? "c1" : "c0");
        nt_steps_render(&o, &s);
    }
    step("name", NT_SCOPE_SUBITEM, "names", "Name", "t matches\n");
    nt_step_str(&s, "name", "t");
    nt_steps_render(&o, &s);
    step("advice", NT_SCOPE_TEXT, NULL, "Advice", "Look.\n");
    nt_steps_render(&o, &s);
    step("connect", NT_SCOPE_ITEM, "attempts", "Connect", "b connected\n");
    nt_step_str(&s, "address", "b");
    nt_steps_render(&o, &s);
    step("certificate", NT_SCOPE_IN_ITEM, NULL, "Certificate", "none sent\n");
    nt_step_empty_array(&s, "certificates");
    nt_steps_render(&o, &s);
    step("verdict", NT_SCOPE_END, NULL, "Verdict", "FAIL t:443: none\n");
    nt_step_str(&s, "verdict", "fail");
    nt_steps_render(&o, &s);
    step("skipped", NT_SCOPE_LINE, NULL, NULL, "== skipped\n");
    nt_step_str(&s, "type", "skipped");
    nt_steps_render(&o, &s);
    nt_steps_out_free(&o);
    fclose(f);
}

static void json_nesting(void **state)
{
    (void)state;
    char *b = NULL;
    render(true, &b);
    assert_string_equal(b, "{\"type\":\"check\",\"port\":443,\"addresses\":[\"a\",\"b\"],\"resolve_ms\":0.5,"
                           "\"attempts\":[{\"address\":\"a\",\"tls\":{\"client_cert_requested\":true},"
                           "\"certificates\":[{\"subject\":\"c0\"},{\"subject\":\"c1\"}],\"names\":[{\"name\":\"t\"}]},"
                           "{\"address\":\"b\",\"certificates\":[]}],\"verdict\":\"fail\"}\n"
                           "{\"type\":\"skipped\"}\n");
    free(b);
}

static void text_labels(void **state)
{
    (void)state;
    char *b = NULL;
    render(false, &b);
    assert_string_equal(b, "== t\n"
                           "Resolve:   t -> a, b\n"
                           "Connect:   a connected\n"
                           "TLS:       TLSv1.3\n"
                           "TLS:       client certificate requested\n"
                           "Certificate 0: c0\n"
                           "Certificate 1: c1\n"
                           "Name:      t matches\n"
                           "Advice:    Look.\n"
                           "Connect:   b connected\n"
                           "Certificate: none sent\n"
                           "Verdict:   FAIL t:443: none\n"
                           "== skipped\n");
    free(b);
}

static void builder(void **state)
{
    (void)state;
    nt_step_start(&s, "x", NT_SCOPE_LINE, NULL, NULL);
    char tmp[32];
    snprintf(tmp, sizeof tmp, "copied");
    nt_step_str(&s, "k", tmp);
    tmp[0] = 0;   /* the step keeps its own copy */
    nt_step_int(&s, "n", -5);
    assert_string_equal(nt_step_get(&s, "k")->str, "copied");
    assert_int_equal(nt_step_get(&s, "n")->num, -5);
    assert_null(nt_step_get(&s, "missing"));
    assert_int_equal(s.verdict, NT_VERDICT_INFO);
    /* more values than fit are dropped, not written past the end */
    for (int i = 0; i < NT_STEP_MAX_VALUES + 5; i++) nt_step_int(&s, "many", i);
    assert_int_equal(s.nvalues, NT_STEP_MAX_VALUES);
    /* a string longer than the store is cut */
    static char big[NT_STEP_TEXT_MAX * 2];
    memset(big, 'x', sizeof big - 1);
    nt_step_start(&s, "x", NT_SCOPE_LINE, NULL, NULL);
    nt_step_str(&s, "big", big);
    assert_int_equal(strlen(nt_step_get(&s, "big")->str), NT_STEP_TEXT_MAX - 1);
    nt_step_str(&s, "after", "y");
    assert_string_equal(nt_step_get(&s, "after")->str, "");
    /* a copy keeps its strings when the original is reused */
    static nt_step c;
    nt_step_start(&s, "x", NT_SCOPE_LINE, NULL, NULL);
    nt_step_str(&s, "k", "first");
    nt_step_copy(&c, &s);
    nt_step_start(&s, "x", NT_SCOPE_LINE, NULL, NULL);
    nt_step_str(&s, "k", "other");
    assert_string_equal(nt_step_get(&c, "k")->str, "first");
    assert_string_equal(nt_verdict_name(NT_VERDICT_WARN), "warn");
    assert_string_equal(nt_verdict_upper(NT_VERDICT_FAIL), "FAIL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_nesting), cmocka_unit_test(text_labels), cmocka_unit_test(builder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
