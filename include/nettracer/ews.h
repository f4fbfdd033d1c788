/* ews.h - the Autodiscover + Exchange Web Services check under
 * `nettracer ews`: find the user's EWS URL the way Exchange clients do
 * (SOAP GetUserSettings, POX as a fallback, over the documented candidate
 * URLs: the domain, autodiscover.DOMAIN, the HTTP redirect method, the
 * _autodiscover._tcp SRV record), then call GetUserOofSettings at that URL.
 * HTTP through libcurl (Basic, NTLM, Negotiate), XML through libxml2.
 * Every line of the report is a step record (steps.h), the last one the
 * result; the password is never part of any of them. */
#ifndef NETTRACER_EWS_H
#define NETTRACER_EWS_H

#include "nettracer/core.h"
#include "nettracer/steps.h"

typedef struct nt_ews_opts {
    const char *address;     /* user@domain */
    const char *user;        /* DOMAIN\user or user@domain; NULL: no credentials */
    const char *password;
    const char *cafile;      /* extra trusted CA certificates (PEM), or NULL */
    bool insecure;           /* do not verify certificates */
    int timeout_ms;          /* per HTTP request */
    const char *url;         /* skip Autodiscover: this EWS URL */
    const char *autodiscover_url; /* only this Autodiscover URL */
    unsigned auth;           /* NT_EWS_AUTH_* allowed; 0: all of them (libcurl picks the best offered) */
} nt_ews_opts;

enum { NT_EWS_AUTH_BASIC = 1, NT_EWS_AUTH_NTLM = 2, NT_EWS_AUTH_NEGOTIATE = 4 };

/* A line's level: a step begun, information, a step passed, failed, a
 * warning ("type" of the step's JSON: step, info, ok, fail, warn). */
typedef enum nt_ews_level { NT_EWS_STEP, NT_EWS_INFO, NT_EWS_OK, NT_EWS_FAIL, NT_EWS_WARN } nt_ews_level;

typedef struct nt_ews_result {
    char ews_url[1024];      /* the URL used for the EWS call ("" if none) */
    char oof_state[32];      /* Enabled, Disabled, Scheduled ("" if no answer) */
    const char *failed_step; /* NULL on success: "Autodiscover", "EWS GetUserOofSettings", ... */
} nt_ews_result;

/* Runs the whole check: a "report" step per line, then the "result" step.
 * Returns 0 when the EWS call succeeded. */
int nt_ews_check(const nt_ews_opts *o, nt_step_fn fn, void *user, nt_ews_result *r);

/* ---- the pieces, for tests ---------------------------------------------- */

/* Settings found by GetUserSettings or POX, keyed by the SOAP names
 * (ExternalEwsUrl, ExternalMailboxServer, ...). */
#define NT_EWS_MAX_SETTINGS 16
typedef struct nt_ews_settings {
    int n;
    struct { char name[64]; char value[512]; } s[NT_EWS_MAX_SETTINGS];
    char error[256];         /* the response's error code/message, "" if none */
    char redirect[512];      /* RedirectAddress / RedirectUrl, "" if none */
    bool redirect_is_url;
} nt_ews_settings;

const char *nt_ews_setting(const nt_ews_settings *s, const char *name);
/* Parse an Autodiscover answer; false (with why) when it is not one. */
bool nt_ews_parse_soap_settings(const char *xml, size_t len, nt_ews_settings *s, char *why, size_t whylen);
bool nt_ews_parse_pox_settings(const char *xml, size_t len, nt_ews_settings *s, char *why, size_t whylen);

typedef struct nt_ews_oof {
    char state[32];
    char external_audience[32];
    char external_reply[2048];
    char internal_reply[2048];
    char fault[512];         /* SOAP fault or EWS error text, "" on success */
} nt_ews_oof;
bool nt_ews_parse_oof(const char *xml, size_t len, nt_ews_oof *o, char *why, size_t whylen);

#endif
