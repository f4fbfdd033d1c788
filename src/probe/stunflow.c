/* stunflow.c - the TURN client state machine under `nettracer stun`
 * (stunflow.h): which requests are sent in which order, what each answer
 * means and what to check next. The messages are built and read with
 * proto/stun.c, the sockets are probe/stunprobe.c's. Requests and answers
 * are step records whose text is the decoded exchange and whose values are
 * its JSON; conclusions are text steps, also collected for the result. */
#include "nettracer/stunflow.h"
#include "nettracer/stun.h"

#include <errno.h>
#include <stdarg.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct flow {
    const nt_stunflow_opts *o;
    nt_step_fn fn;
    void *user;
    nt_stun_conn *c;
    bool show_req;          /* the request's attributes too */
    nt_buf out;             /* the conclusions, for the result's text */
    nt_buf t;               /* scratch */
    nt_step s;
    /* facts for the result */
    char server_addr[128], mapped[80], relayed[80], realm[256];
    unsigned code;          /* ERROR-CODE of the unauthenticated Allocate */
    long lifetime;          /* -1: none */
    bool allocated, released;
} flow;

static const char *tr_name(nt_stun_transport t) { return t == NT_STUN_UDP ? "UDP" : t == NT_STUN_TCP ? "TCP" : "TLS"; }

static nt_step *start(flow *f, const char *step, nt_step_scope scope, const char *group)
{
    nt_step_start(&f->s, step, scope, group, NULL);
    return &f->s;
}

static void emit(flow *f) { f->fn(f->user, &f->s); }

/* A conclusion: shown as text, kept for the result. */
static void say(flow *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(flow *f, const char *fmt, ...)
{
    nt_step *s = start(f, "say", NT_SCOPE_TEXT, NULL);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->text, sizeof s->text, fmt, ap);
    va_end(ap);
    nt_buf_puts(&f->out, s->text);
    emit(f);
}

/* Text of the exchange only (not a conclusion, nothing in JSON). */
static void show(flow *f, const char *text)
{
    nt_step *s = start(f, "exchange-text", NT_SCOPE_TEXT, NULL);
    snprintf(s->text, sizeof s->text, "%s", text);
    emit(f);
}

static void put_str_attr(nt_buf *b, const nt_stun_attr *a)
{
    const char *s;
    size_t n;
    if (!nt_stun_attr_str(a, &s, &n)) return;
    nt_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') nt_buf_putc(b, (char)ch);
        else nt_buf_printf(b, "\\x%02x", ch);
    }
    nt_buf_putc(b, '"');
}

/* The decoded value of one attribute. */
static void attr_value(nt_buf *b, const nt_stun_msg *m, const nt_stun_attr *a, const uint8_t *key, size_t keylen)
{
    nt_stun_addr ad;
    unsigned code;
    const char *reason;
    size_t rlen;
    uint32_t v;
    uint16_t st, q;
    if (a->malformed) {
        nt_buf_printf(b, "malformed (length %u%s)", a->len, a->past_end ? ", past the end of the message" : "");
        return;
    }
    switch (a->kind) {
    case NT_STUN_A_ERROR_CODE:
        nt_stun_attr_error(a, &code, &reason, &rlen);
        nt_buf_printf(b, "%u (%s) \"%.*s\"", code, nt_stun_error_name(code), (int)rlen, reason);
        break;
    case NT_STUN_A_REALM: case NT_STUN_A_NONCE: case NT_STUN_A_SOFTWARE:
        put_str_attr(b, a);
        break;
    case NT_STUN_A_USERNAME:
        if (m->dialect == NT_STUN_MS_TURN) nt_buf_printf(b, "%u bytes (MS-TURN token)", a->len);
        else put_str_attr(b, a);
        break;
    case NT_STUN_A_LIFETIME:
        nt_stun_attr_u32(a, &v);
        nt_buf_printf(b, "%u s", v);
        break;
    case NT_STUN_A_MAGIC_COOKIE:
        nt_stun_attr_u32(a, &v);
        nt_buf_printf(b, "0x%08x%s", v, v == NT_STUN_MS_COOKIE ? " (MS-TURN)" : " (unexpected value)");
        break;
    case NT_STUN_A_MS_VERSION: case NT_STUN_A_BANDWIDTH: case NT_STUN_A_PRIORITY:
        nt_stun_attr_u32(a, &v);
        nt_buf_printf(b, "%u", v);
        break;
    case NT_STUN_A_MS_SERVICE_QUALITY:
        nt_stun_attr_ms_quality(a, &st, &q);
        nt_buf_printf(b, "stream type %u, quality %u", st, q);
        break;
    case NT_STUN_A_FINGERPRINT:
        nt_stun_attr_u32(a, &v);
        nt_buf_printf(b, "0x%08x (%s)", v, nt_stun_fingerprint_ok(m, a) ? "correct" : "WRONG CRC");
        break;
    case NT_STUN_A_MESSAGE_INTEGRITY:
        if (key) nt_buf_puts(b, nt_stun_integrity_ok(m, a, key, keylen) ? "HMAC-SHA1 correct" : "HMAC-SHA1 WRONG (not our key)");
        else nt_buf_puts(b, "HMAC-SHA1 (no key to check it)");
        break;
    default:
        if (nt_stun_attr_addr(m, a, &ad)) nt_stun_addr_str(&ad, b, true);
        else nt_buf_printf(b, "%u bytes", a->len);
    }
}

static void attr_name(nt_buf *b, const nt_stun_attr *a)
{
    const char *name = nt_stun_attr_name(a->kind);
    if (name) nt_buf_puts(b, name);
    else nt_buf_printf(b, "attribute 0x%04x", a->type);
    if (a->type != a->kind) nt_buf_printf(b, " (0x%04x in MS-TURN)", a->type);
}

/* Every attribute, decoded: one item of `group` each, a line of text each. */
static void attr_steps(flow *f, const char *group, const nt_stun_msg *m, const uint8_t *key, size_t keylen)
{
    char name[128];
    for (unsigned i = 0; i < m->nattrs; i++) {
        nt_step *s = start(f, "attribute", NT_SCOPE_ITEM, group);
        nt_buf_reset(&f->t);
        attr_name(&f->t, &m->attrs[i]);
        snprintf(name, sizeof name, "%s", f->t.p);
        nt_buf_reset(&f->t);
        attr_value(&f->t, m, &m->attrs[i], key, keylen);
        nt_step_str(s, "name", name);
        nt_step_str(s, "value", f->t.p);
        nt_step_textf(s, "      %s: %s\n", name, f->t.p);
        emit(f);
    }
    if (m->more_attrs) show(f, "      (more attributes not shown)\n");
}

static void new_tid(uint8_t tid[12])
{
    if (RAND_bytes(tid, 12) != 1)
        for (int i = 0; i < 12; i++) tid[i] = (uint8_t)rand();
}

static void method_class(nt_buf *b, const nt_stun_msg *m)
{
    nt_buf_reset(b);
    nt_buf_printf(b, "%s %s", nt_stun_method_name(m->method), nt_stun_class_name(m->cls));
}

/* One transaction. Returns 1 answered (m filled), 0 no answer, -1 error. */
static int exchange(flow *f, const char *what, const uint8_t *req, size_t len, uint8_t *resp, size_t cap,
                    nt_stun_msg *m, const uint8_t *key, size_t keylen)
{
    nt_stun_msg q;
    nt_stun_parse(req, len, &q, NULL);
    nt_step *s = start(f, "exchange", NT_SCOPE_BEGIN, NULL);
    method_class(&f->t, &q);
    nt_step_str(s, "type", "exchange");
    nt_step_str(s, "request", f->t.p);
    if (*what) nt_step_str(s, "note", what);
    nt_step_textf(s, "  %s%s%s", f->t.p, *what ? " " : "", what);
    if (f->show_req) nt_step_textf(s, ", %zu bytes%s:\n", len, q.dialect == NT_STUN_MS_TURN ? " [MS-TURN]" : "");
    if (f->show_req && !q.nattrs) nt_step_empty_array(s, "request_attributes");
    emit(f);
    if (f->show_req) {
        attr_steps(f, "request_attributes", &q, NULL, 0);
        show(f, "   ");
    }
    nt_stun_result res;
    nt_error err;
    nt_error_clear(&err);
    int rc = 1;
    const char *why = NULL;
    int tr = nt_stun_transact(f->c, req, len, resp, cap, f->o->timeout_ms, &res, &err);
    s = start(f, "answer", NT_SCOPE_RECORD, NULL);
    nt_step_int(s, "sends", res.sends);
    if (tr < 0) {
        nt_step_str(s, "error", err.msg);
        nt_step_textf(s, ": %s\n", err.msg);
        rc = -1;
    } else if (!res.len) {
        nt_step_bool(s, "answered", false);
        if (res.unreachable) nt_step_int(s, "icmp_unreachable", res.unreachable);
        nt_step_textf(s, ": no answer in %.1f s (%d %s)", f->o->timeout_ms / 1000.0, res.sends,
                      res.sends == 1 ? "send" : "sends");
        if (res.unreachable) nt_step_textf(s, "; %d ICMP port unreachable", res.unreachable);
        nt_step_textf(s, "\n");
        rc = 0;
    } else if (nt_stun_parse(resp, res.len, m, &why) < 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "the answer (%zu bytes) is not STUN: %s", res.len, why);
        nt_step_str(s, "error", msg);
        nt_step_textf(s, ": %s\n", msg);
        rc = -1;
    } else {
        char ms[32];
        snprintf(ms, sizeof ms, "%.3f", res.rtt_us / 1000.0);
        method_class(&f->t, m);
        nt_step_bool(s, "answered", true);
        nt_step_str(s, "response", f->t.p);
        nt_step_raw(s, "rtt_ms", ms);
        nt_step_str(s, "dialect", m->dialect == NT_STUN_MS_TURN ? "MS-TURN" : "RFC5389");
        nt_step_bool(s, "malformed", m->malformed);
        if (!m->nattrs) nt_step_empty_array(s, "attributes");
        nt_step_textf(s, " -> %s in %.1f ms", f->t.p, res.rtt_us / 1000.0);
        if (res.sends > 1) nt_step_textf(s, " (after %d sends)", res.sends);
        if (m->dialect == NT_STUN_MS_TURN) nt_step_textf(s, " [MS-TURN]");
        if (m->malformed) nt_step_textf(s, " [malformed]");
        nt_step_textf(s, "\n");
    }
    emit(f);
    if (rc == 1) attr_steps(f, "attributes", m, key, keylen);
    start(f, "exchange-end", NT_SCOPE_END, NULL);
    emit(f);
    return rc;
}

static void timeout_advice(flow *f)
{
    const char *p = f->o->tr == NT_STUN_UDP ? "UDP" : "TCP";
    unsigned port = f->o->port;
    say(f,
        "The request timed out: STUN server '%s' is not reachable or does not respond.\n"
        "  Check that %s %u is allowed between the client and the STUN server (firewalls, NAT).\n"
        "  Check that the STUN/TURN service is running and listening on %s %u\n"
        "  (MediaRelaySvc.exe on a Lync/Skype A/V Edge: netstat -ano | find \":%u\"; turnserver for coturn).\n",
        f->o->host, p, port, p, port, port);
}

/* What a failed pseudo-TLS exchange says about the server. */
static void pseudo_tls_advice(flow *f, int rc, const nt_ptls_answer *a)
{
    unsigned port = f->o->port;
    if (rc == 0 || (rc < 0 && a->status == NT_PTLS_MORE))
        say(f,
            "The server %s MS-TURN's pseudo-TLS hello on TCP %u: it is not an A/V Edge's\n"
            "TURN service, or a device in between holds the hello. A standard TURN server\n"
            "does not speak pseudo-TLS: try --no-pseudo-tls.\n",
            rc == 0 ? "accepted the connection but did not answer" : "closed the connection after", port);
    else if (a->status == NT_PTLS_STUN)
        say(f, "The server speaks TURN over TCP without pseudo-TLS: try --no-pseudo-tls.\n");
    else if (a->status == NT_PTLS_ALERT || a->status == NT_PTLS_REAL_TLS || a->status == NT_PTLS_OTHER)
        say(f,
            "Something else answers on TCP %u (real TLS or another protocol: a web server, a reverse\n"
            "proxy, a TLS-inspecting firewall, or a standard TURN server that takes real TLS there,\n"
            "as coturn does on its TCP ports), not the A/V Edge's TURN service (MediaRelaySvc).\n"
            "Check that TCP %u on this address reaches the Edge's external A/V interface;\n"
            "for a standard TURN server try --tls, or --no-pseudo-tls.\n",
            port, port);
    say(f, "Result: FAILED (pseudo-TLS)\n");
}

/* MS-TURN 2.1.1: the pseudo-TLS hello and the server's answer, before any
 * TURN message. false (with the verdict said) when it did not work. */
static bool pseudo_tls(flow *f)
{
    uint8_t rnd[32];
    uint32_t t = (uint32_t)time(NULL);   /* the spec's Time Stamp, then 28 random bytes */
    rnd[0] = (uint8_t)(t >> 24), rnd[1] = (uint8_t)(t >> 16), rnd[2] = (uint8_t)(t >> 8), rnd[3] = (uint8_t)t;
    if (RAND_bytes(rnd + 4, 28) != 1)
        for (int i = 4; i < 32; i++) rnd[i] = (uint8_t)rand();
    nt_step *s = start(f, "pseudo-tls-hello", NT_SCOPE_TEXT, NULL);
    nt_step_textf(s, "  pseudo-TLS hello (MS-TURN 2.1.1, %d bytes)", NT_PTLS_HELLO_LEN);
    emit(f);
    nt_ptls_answer a;
    int64_t rtt = 0;
    nt_error err;
    nt_error_clear(&err);
    int rc = nt_stun_pseudo_tls(f->c, rnd, f->o->timeout_ms, &a, &rtt, &err);
    s = start(f, "pseudo-tls", NT_SCOPE_LINE, NULL);
    nt_step_str(s, "type", "pseudo_tls");
    nt_step_bool(s, "answered", rc == 1);
    if (rc == 1) {
        char ms[32];
        snprintf(ms, sizeof ms, "%.3f", rtt / 1000.0);
        nt_step_int(s, "bytes", (int64_t)a.len);
        nt_step_raw(s, "rtt_ms", ms);
        nt_step_textf(s, " -> ServerHello + ServerHelloDone (%zu bytes) in %.1f ms\n", a.len, rtt / 1000.0);
    } else if (rc == 0) {
        nt_step_textf(s, ": no answer in %.1f s\n", f->o->timeout_ms / 1000.0);
    } else {
        nt_step_str(s, "error", err.msg);
        nt_step_textf(s, ": %s\n", err.msg);
    }
    emit(f);
    if (rc == 1) return true;
    pseudo_tls_advice(f, rc, &a);
    return false;
}

static void build_allocate(nt_stun_builder *b, uint8_t *buf, size_t cap, bool ms, const uint8_t tid[12])
{
    nt_stun_build_start(b, buf, cap, NT_STUN_ALLOCATE, NT_STUN_REQUEST, tid);
    if (ms) {
        b->ms = true;
        nt_stun_build_u32(b, NT_STUN_A_MAGIC_COOKIE, NT_STUN_MS_COOKIE);
        nt_stun_build_u32(b, NT_STUN_A_MS_VERSION, 4);
        nt_stun_build_u32(b, NT_STUN_A_BANDWIDTH, 200);
        nt_stun_build_u32(b, NT_STUN_A_MS_SERVICE_QUALITY, 0x00010000); /* audio, best effort */
    } else {
        const uint8_t udp[4] = {17, 0, 0, 0};
        nt_stun_build_attr(b, NT_STUN_A_REQUESTED_TRANSPORT, udp, 4);
        nt_stun_build_attr(b, NT_STUN_A_SOFTWARE, "nettracer " NT_VERSION, strlen("nettracer " NT_VERSION));
        nt_stun_build_fingerprint(b);
    }
}

static void add_creds(nt_stun_builder *b, const char *user, const nt_stun_attr *realm, const nt_stun_attr *nonce,
                      const uint8_t key[16])
{
    nt_stun_build_attr(b, NT_STUN_A_USERNAME, user, strlen(user));
    nt_stun_build_attr(b, NT_STUN_A_REALM, realm->val, realm->len);
    nt_stun_build_attr(b, NT_STUN_A_NONCE, nonce->val, nonce->len);
    nt_stun_build_integrity(b, key, 16);
    nt_stun_build_fingerprint(b);
}

/* The buffers of one run: requests, the answer, REALM and NONCE kept. */
typedef struct bufs {
    uint8_t req[2048], resp[65600];
    nt_stun_msg m;
    uint8_t realm[768], nonce[768];
    nt_stun_attr realm_a, nonce_a;
    uint8_t key[16];
} bufs;

/* Connect (and pseudo-TLS); false with the verdict said when it failed. */
static bool connect_step(flow *f)
{
    const nt_stunflow_opts *o = f->o;
    char addr[128] = "", local[80];
    nt_error err;
    nt_error_clear(&err);
    say(f, "STUN/TURN test of %s port %u over %s%s%s\n", o->host, o->port, tr_name(o->tr),
        o->pseudo_tls ? " with pseudo-TLS" : "", o->ms ? " (MS-TURN dialect)" : "");
    f->c = nt_stun_connect(o->host, o->port, o->tr, o->family, o->timeout_ms, addr, sizeof addr, &err);
    if (!f->c) {
        say(f, "  %s\n", err.msg);
        if (err.code == ETIMEDOUT) timeout_advice(f);
        else if (err.code == ECONNREFUSED)
            say(f, "Nothing listens on %s port %u (connection refused): is the STUN/TURN service running?\n", addr,
                o->port);
        say(f, "Result: FAILED\n");
        return false;
    }
    nt_stun_conn_local(f->c, local, sizeof local);
    snprintf(f->server_addr, sizeof f->server_addr, "%s", addr);
    say(f, "  server address %s, local %s\n", addr, local);
    if (o->tr == NT_STUN_TLS) say(f, "  TLS: %s\n", nt_stun_conn_tls_info(f->c));
    return !o->pseudo_tls || pseudo_tls(f);
}

/* The Binding request; false with the verdict said when it failed. */
static bool binding_step(flow *f, bufs *b)
{
    uint8_t tid[12];
    nt_stun_builder sb;
    new_tid(tid);
    nt_stun_build_start(&sb, b->req, sizeof b->req, NT_STUN_BINDING, NT_STUN_REQUEST, tid);
    nt_stun_build_fingerprint(&sb);
    int rc = exchange(f, "", b->req, nt_stun_build_end(&sb), b->resp, sizeof b->resp, &b->m, NULL, 0);
    if (rc == 0) {
        timeout_advice(f);
        say(f, "Result: FAILED (no answer)\n");
        return false;
    }
    if (rc < 0) {
        say(f, "Result: FAILED\n");
        return false;
    }
    const nt_stun_attr *xa = nt_stun_find(&b->m, NT_STUN_A_XOR_MAPPED_ADDRESS);
    if (!xa) xa = nt_stun_find(&b->m, NT_STUN_A_MAPPED_ADDRESS);
    nt_stun_addr ad;
    if (b->m.cls == NT_STUN_SUCCESS && xa && nt_stun_attr_addr(&b->m, xa, &ad)) {
        nt_buf_reset(&f->t);
        nt_stun_addr_str(&ad, &f->t, true);
        snprintf(f->mapped, sizeof f->mapped, "%s", f->t.p);
        say(f, "    the server sees this client as %s\n", f->mapped);
    }
    return true;
}

/* The Allocate without credentials. Returns 1 when the 401 came (go on
 * with credentials), 0 when the run is over with the server alive, -1 over
 * and failed. */
static int unauth_allocate(flow *f, bufs *b)
{
    const nt_stunflow_opts *o = f->o;
    uint8_t tid[12];
    nt_stun_builder sb;
    size_t len;
    if (o->rawreq) {
        memcpy(b->req, o->rawreq, o->rawlen);
        len = o->rawlen;
    } else {
        new_tid(tid);
        build_allocate(&sb, b->req, sizeof b->req, o->ms, tid);
        len = nt_stun_build_end(&sb);
    }
    f->show_req = o->ms || o->rawreq;
    int rc = exchange(f, o->rawreq ? "(from --request-file, no credentials)" : "(no credentials)", b->req, len, b->resp,
                      sizeof b->resp, &b->m, NULL, 0);
    f->show_req = false;
    if (rc == 0 && f->mapped[0]) {
        /* the path is open (Binding answered): the server does not do TURN */
        say(f,
            "The server answers STUN Binding requests but not TURN Allocate requests: it is a STUN-only\n"
            "server, or its TURN relay is disabled (coturn --stun-only; on an A/V Edge check the\n"
            "relay service). The network path on %s %u is open.\nResult: FAILED (no TURN answer)\n",
            o->tr == NT_STUN_UDP ? "UDP" : "TCP", o->port);
        return -1;
    }
    if (rc <= 0) {
        if (rc == 0) timeout_advice(f);
        say(f, rc == 0 ? "Result: FAILED (no answer)\n" : "Result: FAILED\n");
        return -1;
    }
    const nt_stun_msg *m = &b->m;
    const nt_stun_attr *ea = nt_stun_find(m, NT_STUN_A_ERROR_CODE);
    unsigned code = 0;
    const char *reason = "";
    size_t rlen = 0;
    if (ea) nt_stun_attr_error(ea, &code, &reason, &rlen);
    f->code = code;
    if (m->cls == NT_STUN_SUCCESS) {
        say(f, "The TURN server allocated a relay without credentials (an open relay).\nResult: alive\n");
        return 0;
    }
    if (m->cls != NT_STUN_ERROR || code != 401) {
        if (m->cls == NT_STUN_ERROR)
            say(f, "The server answered, but with error %u (%s), not the 401 a TURN server sends to a request\n"
                   "without credentials: it is not a working TURN relay for this request.\nResult: FAILED\n",
                code, nt_stun_error_name(code));
        else
            say(f, "Unexpected answer (%s %s).\nResult: FAILED\n", nt_stun_method_name(m->method),
                nt_stun_class_name(m->cls));
        return -1;
    }
    const nt_stun_attr *ra = nt_stun_find(m, NT_STUN_A_REALM), *na = nt_stun_find(m, NT_STUN_A_NONCE);
    nt_buf_reset(&f->t);
    if (ra && !ra->malformed) {
        nt_buf_puts(&f->t, ", realm ");
        put_str_attr(&f->t, ra);
        snprintf(f->realm, sizeof f->realm, "%.*s", (int)ra->avail, (const char *)ra->val);
    }
    say(f, "The TURN server is alive and wants credentials (ERROR-CODE 401%s).\n", f->t.len ? f->t.p : "");
    if (!ra || !na) say(f, "  (but the answer lacks a REALM or NONCE, which RFC 5766 requires)\n");
    if (!o->user) {
        say(f, "Result: alive (give --user to test an authenticated allocation)\n");
        return 0;
    }
    if (o->ms || m->dialect == NT_STUN_MS_TURN) {
        say(f, "MS-TURN authentication needs a token from the A/V authentication service: not tested.\n"
               "Result: alive\n");
        return 0;
    }
    if (!ra || !na || ra->malformed || na->malformed) {
        say(f, "Cannot authenticate without REALM and NONCE.\nResult: FAILED\n");
        return -1;
    }
    /* keep REALM and NONCE: they point into resp, which the next answer overwrites */
    if (ra->len > sizeof b->realm || na->len > sizeof b->nonce) {
        say(f, "REALM or NONCE too long.\nResult: FAILED\n");
        return -1;
    }
    b->realm_a = *ra, b->nonce_a = *na;
    memcpy(b->realm, ra->val, ra->len), b->realm_a.val = b->realm;
    memcpy(b->nonce, na->val, na->len), b->nonce_a.val = b->nonce;
    return 1;
}

/* The long-term-credential Allocate (again once after a 438 stale nonce),
 * then the release. */
static bool auth_allocate(flow *f, bufs *b)
{
    const char *user = f->o->user;
    char pw[512];
    if (!f->o->password || !f->o->password(f->o->password_user, pw, sizeof pw)) {
        const char *src = f->o->password_file;
        say(f, "Cannot read the password%s%s.\nResult: FAILED\n", src ? " from " : "", src ? src : "");
        return false;
    }
    nt_stun_long_term_key(user, (const char *)b->realm, b->realm_a.len, pw, b->key);
    memset(pw, 0, sizeof pw);
    uint8_t tid[12];
    nt_stun_builder sb;
    int rc;
    unsigned code = 0;
    const char *reason;
    size_t rlen;
    for (int attempt = 0; attempt < 2; attempt++) {
        new_tid(tid);
        nt_stun_build_start(&sb, b->req, sizeof b->req, NT_STUN_ALLOCATE, NT_STUN_REQUEST, tid);
        const uint8_t udp[4] = {17, 0, 0, 0};
        nt_stun_build_attr(&sb, NT_STUN_A_REQUESTED_TRANSPORT, udp, 4);
        add_creds(&sb, user, &b->realm_a, &b->nonce_a, b->key);
        char what[300];
        snprintf(what, sizeof what, "(user %s)", user);
        rc = exchange(f, what, b->req, nt_stun_build_end(&sb), b->resp, sizeof b->resp, &b->m, b->key, 16);
        if (rc <= 0) {
            if (rc == 0) timeout_advice(f);
            say(f, "Result: FAILED\n");
            return false;
        }
        const nt_stun_attr *ea = nt_stun_find(&b->m, NT_STUN_A_ERROR_CODE), *na = nt_stun_find(&b->m, NT_STUN_A_NONCE);
        code = 0;
        if (ea) nt_stun_attr_error(ea, &code, &reason, &rlen);
        if (b->m.cls == NT_STUN_ERROR && code == 438 && na && !na->malformed && na->len <= sizeof b->nonce && attempt == 0) {
            memcpy(b->nonce, na->val, na->len), b->nonce_a.len = na->len;
            say(f, "    stale nonce: again with the new one\n");
            continue;
        }
        break;
    }
    const nt_stun_msg *m = &b->m;
    if (m->cls != NT_STUN_SUCCESS) {
        if (code == 401 || code == 441)
            say(f, "The server refused the credentials of '%s' (%u %s): wrong user name, password or realm.\n", user, code,
                nt_stun_error_name(code));
        else
            say(f, "The authenticated Allocate failed with %u (%s).\n", code, nt_stun_error_name(code));
        say(f, "Result: FAILED\n");
        return false;
    }
    const nt_stun_attr *rel = nt_stun_find(m, NT_STUN_A_XOR_RELAYED_ADDRESS), *lt = nt_stun_find(m, NT_STUN_A_LIFETIME),
                       *mi = nt_stun_find(m, NT_STUN_A_MESSAGE_INTEGRITY);
    nt_stun_addr ad;
    uint32_t life = 0;
    char lifes[32] = "";
    f->allocated = true;
    if (rel && nt_stun_attr_addr(m, rel, &ad)) {
        nt_buf_reset(&f->t);
        nt_stun_addr_str(&ad, &f->t, true);
        snprintf(f->relayed, sizeof f->relayed, "%s", f->t.p);
    }
    if (lt && nt_stun_attr_u32(lt, &life)) snprintf(lifes, sizeof lifes, " for %u s", life), f->lifetime = life;
    say(f, "Allocated relay address %s%s\n", f->relayed[0] ? f->relayed : "(none given)", lifes);
    if (!(mi && nt_stun_integrity_ok(m, mi, b->key, 16)))
        say(f, "  warning: the answer's MESSAGE-INTEGRITY is missing or does not match our key\n");

    /* release: Refresh with LIFETIME 0 */
    new_tid(tid);
    nt_stun_build_start(&sb, b->req, sizeof b->req, NT_STUN_REFRESH, NT_STUN_REQUEST, tid);
    nt_stun_build_u32(&sb, NT_STUN_A_LIFETIME, 0);
    add_creds(&sb, user, &b->realm_a, &b->nonce_a, b->key);
    rc = exchange(f, "(lifetime 0: release)", b->req, nt_stun_build_end(&sb), b->resp, sizeof b->resp, &b->m, b->key, 16);
    if (rc == 1 && b->m.cls == NT_STUN_SUCCESS) {
        f->released = true;
        say(f, "Allocation released.\nResult: alive (authenticated allocation works)\n");
        return true;
    }
    say(f, "The allocation was made but not released (it expires by itself).\nResult: alive\n");
    return true;
}

static bool run(flow *f, bufs *b)
{
    if (!connect_step(f)) return false;
    if (f->o->binding && !binding_step(f, b)) return false;
    int rc = unauth_allocate(f, b);
    if (rc <= 0) return rc == 0;
    return auth_allocate(f, b);
}

/* The facts, and the conclusions as one text. */
static void result_step(flow *f, bool alive)
{
    const nt_stunflow_opts *o = f->o;
    nt_step *s = start(f, "result", NT_SCOPE_LINE, NULL);
    s->verdict = alive ? NT_VERDICT_OK : NT_VERDICT_FAIL;
    nt_step_str(s, "type", "result");
    nt_step_str(s, "host", o->host);
    nt_step_int(s, "port", o->port);
    nt_step_str(s, "transport", tr_name(o->tr));
    nt_step_str(s, "server_address", f->server_addr);
    nt_step_bool(s, "pseudo_tls", o->pseudo_tls);
    nt_step_bool(s, "alive", alive);
    if (f->mapped[0]) nt_step_str(s, "mapped_address", f->mapped);
    if (f->code) nt_step_int(s, "error_code", f->code);
    if (f->realm[0]) nt_step_str(s, "realm", f->realm);
    nt_step_bool(s, "allocated", f->allocated);
    if (f->relayed[0]) nt_step_str(s, "relayed_address", f->relayed);
    if (f->lifetime >= 0) nt_step_int(s, "lifetime", f->lifetime);
    nt_step_bool(s, "released", f->released);
    nt_step_str(s, "text", f->out.p ? f->out.p : "");
    emit(f);
}

bool nt_stunflow_run(const nt_stunflow_opts *o, nt_step_fn fn, void *user)
{
    flow *f = calloc(1, sizeof *f);
    bufs *b = calloc(1, sizeof *b);
    bool alive = false;
    if (f && b) {
        f->o = o, f->fn = fn, f->user = user, f->lifetime = -1;
        nt_buf_init(&f->out);
        nt_buf_init(&f->t);
        alive = run(f, b);
        result_step(f, alive);
        nt_stun_close(f->c);
        nt_buf_free(&f->out);
        nt_buf_free(&f->t);
    }
    free(f);
    free(b);
    return alive;
}
