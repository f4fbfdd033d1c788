/* check.h - the flow and the verdicts of `nettracer check`: a target
 * resolved, connected, its TLS handshake, certificates and names judged,
 * and profiles (data files, profiles/NAME.profile) that expand to labelled
 * targets and SRV lookups. Each step is reported as a step record
 * (steps.h); the returned verdict is the worst of them. The primitives the
 * flow uses (nt_resolve, nt_tcp_connect, nt_tls_handshake) are in probe.h. */
#ifndef NETTRACER_CHECK_H
#define NETTRACER_CHECK_H

#include "nettracer/core.h"
#include "nettracer/steps.h"

#define NT_CHECK_MAX_EXPECT 16

typedef struct nt_check_opts {
    int family;              /* AF_UNSPEC, AF_INET, AF_INET6 */
    bool all;                /* connect to every address */
    bool notls;              /* stop after the TCP connect */
    const char *ca_file;     /* trusted CAs instead of the system store, or NULL */
    const char *expect[NT_CHECK_MAX_EXPECT];
    int nexpect;             /* names the certificate must also hold */
    int timeout_ms;          /* per connect, per handshake */
} nt_check_opts;

/* One target ("host", "host:port", "[v6]:port", "https://host/path"):
 * resolve, connect (and TLS) per address. label (profiles) or NULL;
 * advice: lines shown when a name does not match or a wildcard was used. */
nt_verdict nt_check_target(const nt_check_opts *o, const char *label, const char *spec, const char *const *advice,
                           nt_step_fn fn, void *user);

/* An SRV lookup asked of the first nameserver of resolv (a resolv.conf):
 * fails without a target, or on the '.' target. */
nt_verdict nt_check_srv(const nt_check_opts *o, const char *label, const char *name, const char *resolv,
                        nt_step_fn fn, void *user);

/* ---- profiles ---------------------------------------------------------- */

#define NT_PROFILE_MAX_VARS 32
#define NT_PROFILE_MAX_ITEMS 32

typedef struct nt_profile_item {
    char kind;               /* 'c' check, 's' srv */
    char label[128], spec[512], advice_tag[64];
} nt_profile_item;

typedef struct nt_profile {
    char name[64], about[512];
    char var[NT_PROFILE_MAX_VARS][64], var_help[NT_PROFILE_MAX_VARS][256];
    int nvar;
    nt_profile_item item[NT_PROFILE_MAX_ITEMS];
    int nitem;
    char adv_tag[8][64], adv_text[8][512];
    int nadv;
    char note[8][512];
    int nnote;
} nt_profile;

/* arg: a name (dir/NAME.profile) or a path (it has a '/'); path gets the
 * file read. e gets one sentence on failure. */
int nt_profile_load(const char *arg, const char *dir, nt_profile *p, char *path, size_t psz, nt_error *e);
/* Every "VAR=VALUE" of set names a variable of p; e says which does not. */
int nt_profile_check_vars(const nt_profile *p, const char *const *set, int nset, nt_error *e);
/* Replaces {var} in in with its value from set; false when a variable is not
 * set (*missing gets its name) or the result does not fit. */
bool nt_profile_expand(const char *const *set, int nset, const char *in, char *out, size_t osz, char *missing,
                       size_t msz);
/* Runs every item whose variables are set; *ran gets how many ran. */
nt_verdict nt_profile_run(const nt_profile *p, const nt_check_opts *o, const char *const *set, int nset, nt_step_fn fn,
                          void *user, int *ran);

#endif
