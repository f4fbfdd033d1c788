/* stunflow.h - the client flow of `nettracer stun`: a Binding request (the
 * address the server sees), a TURN Allocate without credentials (ERROR-CODE
 * 401 with REALM and NONCE is the healthy answer, decided by the code and
 * never by the reason text), with credentials the long-term-credential
 * Allocate (once more after a 438 stale nonce) and a Refresh with lifetime
 * 0 to release it; MS-TURN's pseudo-TLS hello first where asked. Every
 * request and answer (each attribute decoded) and every conclusion is a
 * step record (steps.h); the last step, "result", holds the facts. */
#ifndef NETTRACER_STUNFLOW_H
#define NETTRACER_STUNFLOW_H

#include "nettracer/steps.h"
#include "nettracer/stunprobe.h"

typedef struct nt_stunflow_opts {
    const char *host;
    uint16_t port;
    nt_stun_transport tr;
    int family;              /* 0, 4 or 6 */
    int timeout_ms;          /* per answer */
    const char *user;        /* NULL: no authenticated allocation */
    bool ms;                 /* the MS-TURN dialect */
    bool binding;            /* a Binding request first */
    bool pseudo_tls;         /* MS-TURN's pseudo-TLS hello first (TCP) */
    const uint8_t *rawreq;   /* the unauthenticated Allocate as given, or NULL */
    size_t rawlen;
    /* the password, asked for only once the server wants credentials */
    bool (*password)(void *user, char *pw, size_t n);
    void *password_user;
    const char *password_file;  /* where the password comes from, for the message when it cannot be read */
} nt_stunflow_opts;

/* Runs the flow; true when the server answered as a live TURN server (a
 * 401, or a successful authenticated allocation). */
bool nt_stunflow_run(const nt_stunflow_opts *o, nt_step_fn fn, void *user);

#endif
