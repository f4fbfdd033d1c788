/* profile.c - the profile engine of `nettracer check`: a profile is a data
 * file (profiles/NAME.profile: name, about, var, check, srv, advice, note
 * lines) that expands, with the user's --set VAR=VALUE, to labelled
 * targets and SRV lookups, as the field notes' Lync external URL script
 * does; items whose variables are not set are skipped and said so. */
#include "nettracer/check.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
    return s;
}

/* Splits "a | b | c" in place; returns the field count. */
static int split_bar(char *s, char **f, int max)
{
    int n = 0;
    while (n < max) {
        char *bar = strstr(s, " | ");
        f[n++] = trim(s);
        if (!bar) break;
        *bar = 0;
        s = bar + 3;
    }
    return n;
}

/* One line "KEY REST"; false when it is not a profile line. */
static bool profile_line(nt_profile *p, char *l)
{
    char *sp = strpbrk(l, " \t");
    if (!sp) return false;
    *sp = 0;
    char *rest = trim(sp + 1), *fld[4];
    int nf;
    if (!strcmp(l, "name")) {
        snprintf(p->name, sizeof p->name, "%s", rest);
    } else if (!strcmp(l, "about")) {
        snprintf(p->about, sizeof p->about, "%s", rest);
    } else if (!strcmp(l, "var") && p->nvar < NT_PROFILE_MAX_VARS) {
        char *v = strpbrk(rest, " \t");
        if (v) *v++ = 0;
        snprintf(p->var[p->nvar], sizeof p->var[0], "%s", rest);
        snprintf(p->var_help[p->nvar], sizeof p->var_help[0], "%s", v ? trim(v) : "");
        p->nvar++;
    } else if ((!strcmp(l, "check") || !strcmp(l, "srv")) && p->nitem < NT_PROFILE_MAX_ITEMS) {
        nf = split_bar(rest, fld, 3);
        if (nf < 2) return false;
        nt_profile_item *it = &p->item[p->nitem++];
        it->kind = l[0];
        snprintf(it->label, sizeof it->label, "%s", fld[0]);
        snprintf(it->spec, sizeof it->spec, "%s", fld[1]);
        if (nf > 2) snprintf(it->advice_tag, sizeof it->advice_tag, "%s", fld[2]);
    } else if (!strcmp(l, "advice") && p->nadv < 8) {
        nf = split_bar(rest, fld, 2);
        if (nf < 2) return false;
        snprintf(p->adv_tag[p->nadv], sizeof p->adv_tag[0], "%s", fld[0]);
        snprintf(p->adv_text[p->nadv], sizeof p->adv_text[0], "%s", fld[1]);
        p->nadv++;
    } else if (!strcmp(l, "note") && p->nnote < 8) {
        snprintf(p->note[p->nnote++], sizeof p->note[0], "%s", rest);
    } else {
        return false;
    }
    return true;
}

int nt_profile_load(const char *arg, const char *dir, nt_profile *p, char *path, size_t psz, nt_error *e)
{
    memset(p, 0, sizeof *p);
    if (strchr(arg, '/')) snprintf(path, psz, "%s", arg);
    else snprintf(path, psz, "%s/%s.profile", dir, arg);
    FILE *f = fopen(path, "r");
    if (!f) {
        nt_error_set(e, errno, "no profile '%s' (%s: %s)", arg, path, strerror(errno));
        return -1;
    }
    char line[1024];
    int ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *l = trim(line);
        if (!*l || *l == '#') continue;
        if (!profile_line(p, l)) {
            fclose(f);
            nt_error_set(e, EINVAL, "%s:%d: not a profile line (name, about, var, check, srv, advice, note)", path, ln);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

int nt_profile_check_vars(const nt_profile *p, const char *const *set, int nset, nt_error *e)
{
    for (int i = 0; i < nset; i++) {
        const char *eq = strchr(set[i], '=');
        bool known = false;
        for (int k = 0; eq && k < p->nvar; k++)
            if ((size_t)(eq - set[i]) == strlen(p->var[k]) && !strncmp(set[i], p->var[k], strlen(p->var[k]))) known = true;
        if (!known) {
            nt_error_set(e, EINVAL, "profile %s has no variable '%.*s'", p->name,
                         eq ? (int)(eq - set[i]) : (int)strlen(set[i]), set[i]);
            return -1;
        }
    }
    return 0;
}

static const char *var_value(const char *const *set, int nset, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < nset; i++)
        if (!strncmp(set[i], name, n) && set[i][n] == '=' && set[i][n + 1]) return set[i] + n + 1;
    return NULL;
}

bool nt_profile_expand(const char *const *set, int nset, const char *in, char *out, size_t osz, char *missing,
                       size_t msz)
{
    size_t w = 0;
    missing[0] = 0;
    for (const char *c = in; *c;) {
        if (*c == '{') {
            const char *close = strchr(c, '}');
            char name[64];
            if (!close || (size_t)(close - c - 1) >= sizeof name) return false;
            memcpy(name, c + 1, (size_t)(close - c - 1));
            name[close - c - 1] = 0;
            const char *v = var_value(set, nset, name);
            if (!v) {
                snprintf(missing, msz, "%s", name);
                return false;
            }
            int k = snprintf(out + w, osz - w, "%s", v);
            if (k < 0 || (size_t)k >= osz - w) return false;
            w += (size_t)k;
            c = close + 1;
        } else {
            if (w + 1 >= osz) return false;
            out[w++] = *c++;
        }
    }
    out[w] = 0;
    return true;
}

nt_verdict nt_profile_run(const nt_profile *p, const nt_check_opts *o, const char *const *set, int nset, nt_step_fn fn,
                          void *user, int *ran)
{
    static nt_step s;   /* large; profiles run one at a time */
    nt_step_start(&s, "profile", NT_SCOPE_TEXT, NULL, NULL);
    nt_step_textf(&s, "Profile %s: %s\n", p->name, p->about);
    fn(user, &s);
    nt_verdict worst = NT_VERDICT_OK;
    *ran = 0;
    for (int i = 0; i < p->nitem; i++) {
        const nt_profile_item *it = &p->item[i];
        char spec[512], missing[64];
        if (!nt_profile_expand(set, nset, it->spec, spec, sizeof spec, missing, sizeof missing)) {
            nt_step_start(&s, "skipped", NT_SCOPE_LINE, NULL, NULL);
            nt_step_str(&s, "type", "skipped");
            nt_step_str(&s, "label", it->label);
            nt_step_str(&s, "missing", missing);
            nt_step_textf(&s, "== %s: skipped: no %s given (--set %s=NAME)\n", it->label, missing, missing);
            fn(user, &s);
            continue;
        }
        const char *adv[9] = {0};
        int na = 0;
        for (int k = 0; k < p->nadv && it->advice_tag[0]; k++)
            if (!strcmp(p->adv_tag[k], it->advice_tag)) adv[na++] = p->adv_text[k];
        nt_verdict v = it->kind == 'c' ? nt_check_target(o, it->label, spec, adv, fn, user)
                                       : nt_check_srv(o, it->label, spec, "/etc/resolv.conf", fn, user);
        if (v != NT_VERDICT_INFO && v > worst) worst = v;
        (*ran)++;
    }
    nt_step_start(&s, "note", NT_SCOPE_TEXT, NULL, "Note");
    for (int i = 0; i < p->nnote; i++) nt_step_textf(&s, "%s\n", p->note[i]);
    fn(user, &s);
    return worst;
}
