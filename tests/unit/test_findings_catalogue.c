/* Holds diagnose's table of finding codes (nt_diag_codes) against the
 * catalogue a user reads, docs/findings.md, both ways: every code in the
 * table has a "### code (severity...)" section, whose first severity is the
 * table's and whose anchor is the table's; every code a section documents
 * is in the table; no code twice. A new finding is one table row and one
 * section, or this test fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nettracer/diagnose.h"

#define DOC NT_TEST_CAPTURES "/../../docs/findings.md"

typedef struct section {
    char code[64];
    char severity[16];  /* the first word in the heading's parentheses */
    char anchor[200];   /* as GitHub makes it from the heading */
} section;

/* GitHub's heading anchor: lower case, punctuation dropped (but - and _),
 * each space a hyphen */
static void slug(const char *h, char *out, size_t n)
{
    size_t o = 0;
    for (; *h && o + 1 < n; h++) {
        unsigned char ch = (unsigned char)*h;
        if (isalnum(ch) || ch == '-' || ch == '_') out[o++] = (char)tolower(ch);
        else if (ch == ' ') out[o++] = '-';
    }
    out[o] = 0;
}

/* "### tls.cert-expired / tls.cert-not-yet-valid (error)": one section per code */
static size_t read_doc(section *s, size_t max)
{
    FILE *f = fopen(DOC, "r");
    assert_non_null(f);
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "### ", 4)) continue;
        line[strcspn(line, "\r\n")] = 0;
        const char *h = line + 4;
        const char *paren = strchr(h, '(');
        assert_non_null(paren); /* every finding section names its severity */
        char sev[16];
        size_t k = 0;
        for (const char *p = paren + 1; isalpha((unsigned char)*p) && k + 1 < sizeof sev; p++) sev[k++] = *p;
        sev[k] = 0;
        char anchor[200];
        slug(h, anchor, sizeof anchor);
        char codes[256];
        snprintf(codes, sizeof codes, "%.*s", (int)(paren - h), h);
        for (char *tok = strtok(codes, " /"); tok; tok = strtok(NULL, " /")) {
            assert_true(n < max);
            snprintf(s[n].code, sizeof s[n].code, "%s", tok);
            snprintf(s[n].severity, sizeof s[n].severity, "%s", sev);
            snprintf(s[n].anchor, sizeof s[n].anchor, "%s", anchor);
            n++;
        }
    }
    fclose(f);
    return n;
}

static void table_matches_doc(void **st)
{
    (void)st;
    section doc[128];
    size_t nd = read_doc(doc, 128);
    size_t nc;
    const nt_finding_code *c = nt_diag_codes(&nc);
    assert_true(nc > 30);
    for (size_t i = 0; i < nc; i++) {
        assert_non_null(c[i].code);
        assert_true(c[i].title && c[i].title[0]);
        for (size_t k = 0; k < i; k++) assert_string_not_equal(c[i].code, c[k].code);
        size_t j = 0;
        while (j < nd && strcmp(doc[j].code, c[i].code)) j++;
        if (j == nd) fail_msg("%s is in the table but has no section in docs/findings.md", c[i].code);
        if (strcmp(doc[j].severity, nt_severity_name(c[i].severity)))
            fail_msg("%s: the table says %s, docs/findings.md %s", c[i].code, nt_severity_name(c[i].severity),
                     doc[j].severity);
        if (strcmp(doc[j].anchor, c[i].anchor))
            fail_msg("%s: anchor %s, docs/findings.md has #%s", c[i].code, c[i].anchor, doc[j].anchor);
    }
    for (size_t j = 0; j < nd; j++) {
        size_t i = 0;
        while (i < nc && strcmp(doc[j].code, c[i].code)) i++;
        if (i == nc) fail_msg("docs/findings.md documents %s, which the table lacks", doc[j].code);
        for (size_t k = 0; k < j; k++)
            if (!strcmp(doc[j].code, doc[k].code)) fail_msg("docs/findings.md documents %s twice", doc[j].code);
    }
}

/* the anchor rule itself, on headings of the catalogue's kinds */
static void anchors(void **st)
{
    (void)st;
    char a[200];
    slug("tcp.retransmissions (warning; error from 10 %)", a, sizeof a);
    assert_string_equal(a, "tcpretransmissions-warning-error-from-10-");
    slug("tcp.window-full (notice; warning from `--window-stall` seconds in total)", a, sizeof a);
    assert_string_equal(a, "tcpwindow-full-notice-warning-from---window-stall-seconds-in-total");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_matches_doc),
        cmocka_unit_test(anchors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
