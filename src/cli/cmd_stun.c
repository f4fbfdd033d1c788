/* cmd_stun.c - `nettracer stun HOST`: is this STUN/TURN server alive?
 * A Binding request (what address does the server see), then a TURN
 * Allocate without credentials: an ERROR-CODE 401 with REALM and NONCE is
 * the healthy answer, decided by the code and never by the reason text
 * (coturn says "Unauthorized", Microsoft's Edge "The request did not
 * contain a Message-Integrity attribute"). With credentials, the long-term
 * credential Allocate, then a Refresh with lifetime 0 to release it.
 * Messages come from proto/stun, the sockets from probe/stunprobe. */
#include "cli.h"
#include "nettracer/stun.h"
#include "nettracer/stunprobe.h"

#include <errno.h>
#include <getopt.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

const char nt_stun_help[] =
    "usage: nettracer stun [OPTIONS] HOST\n"
    "\n"
    "Test a STUN/TURN server (coturn, a Lync/Skype/Teams A/V Edge): a Binding\n"
    "request shows the address the server sees (XOR-MAPPED-ADDRESS); a TURN\n"
    "Allocate without credentials must get ERROR-CODE 401 with a REALM and a\n"
    "NONCE (\"alive, wants credentials\"). With --user and a password, the\n"
    "authenticated Allocate prints the relayed address and lifetime, and the\n"
    "allocation is released (Refresh, lifetime 0). Every answer is decoded\n"
    "attribute by attribute. Over UDP a request is sent again after 0.5, 1.5,\n"
    "3.5, 7.5 s (RFC 5389) until --timeout.\n"
    "\n"
    "Options:\n"
    "  --port N            server port (default 3478; 5349 is usual for --tls)\n"
    "  --udp | --tcp | --tls   transport (default UDP; TLS does not verify the\n"
    "                      server's certificate, it describes it)\n"
    "  --timeout SEC       how long to wait for each answer (default 10)\n"
    "  -4, -6              use IPv4 or IPv6 only\n"
    "  --user NAME         TURN long-term credential user name\n"
    "  --password-file F   read the password from the first line of F\n"
    "                      (without it, --user prompts for it without echo)\n"
    "  --ms-turn           Microsoft's MS-TURN dialect (A/V Edge): MAGIC-COOKIE\n"
    "                      first, MS-VERSION, NONCE/REALM with swapped numbers;\n"
    "                      with --tcp the port defaults to 443\n"
    "  --pseudo-tls, --no-pseudo-tls\n"
    "                      over TCP, first send MS-TURN's pseudo-TLS hello and\n"
    "                      wait for its ServerHello/ServerHelloDone, as an A/V\n"
    "                      Edge expects on TCP 443 (default: on for --ms-turn\n"
    "                      --tcp on port 443, off otherwise)\n"
    "  --request-file F    send the bytes of F as the unauthenticated Allocate\n"
    "                      (e.g. a request copied from a trace or a script)\n"
    "  --no-binding        skip the Binding request\n"
    "  --json              JSON Lines: one object per request/answer (every\n"
    "                      attribute decoded), then a result object\n"
    "\n"
    "Exit status: 0 the server answered as a live TURN server (401, or a\n"
    "successful authenticated allocation); 1 no answer, or an error other than\n"
    "the expected 401; 2 bad arguments.\n";

enum { O_PORT = 1000, O_UDP, O_TCP, O_TLS, O_TIMEOUT, O_USER, O_PWFILE, O_MSTURN, O_REQFILE, O_NOBIND, O_JSON, O_PTLS, O_NOPTLS };

typedef struct stun_run {
    const char *host;
    uint16_t port;
    nt_stun_transport tr;
    int timeout_ms;
    nt_stun_conn *c;
    bool show_req;          /* print the request's attributes too */
    bool json;              /* JSON Lines: exchanges as objects, the rest in the result's text */
    nt_buf out;             /* text (in JSON mode: the verdict lines only) */
    nt_buf jout;            /* JSON objects waiting to be printed */
    nt_buf scratch;         /* JSON mode: exchange text, discarded */
    /* facts for the JSON result */
    char server_addr[128], mapped[80], relayed[80], realm[256];
    unsigned code;          /* ERROR-CODE of the unauthenticated Allocate */
    long lifetime;          /* -1: none */
    bool allocated, released;
    bool pseudo_tls;        /* the MS-TURN pseudo-TLS hello first (TCP) */
} stun_run;

static const char *tr_name(nt_stun_transport t) { return t == NT_STUN_UDP ? "UDP" : t == NT_STUN_TCP ? "TCP" : "TLS"; }

static void flush(stun_run *r)
{
    if (r->json) nt_buf_flush(&r->jout, stdout);
    else nt_buf_flush(&r->out, stdout);
    fflush(stdout);
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

/* Every attribute on its own line, decoded. */
static void print_attrs(nt_buf *b, const nt_stun_msg *m, const uint8_t *key, size_t keylen)
{
    for (unsigned i = 0; i < m->nattrs; i++) {
        nt_buf_puts(b, "      ");
        attr_name(b, &m->attrs[i]);
        nt_buf_puts(b, ": ");
        attr_value(b, m, &m->attrs[i], key, keylen);
        nt_buf_putc(b, '\n');
    }
    if (m->more_attrs) nt_buf_puts(b, "      (more attributes not shown)\n");
}

/* JSON: the attributes as [{"name":..,"value":..}] */
static void json_attrs(nt_json *j, const char *key_name, const nt_stun_msg *m, const uint8_t *key, size_t keylen)
{
    nt_buf t;
    nt_buf_init(&t);
    nt_json_arr_open(j, key_name);
    for (unsigned i = 0; i < m->nattrs; i++) {
        nt_json_obj_open(j, NULL);
        nt_buf_reset(&t);
        attr_name(&t, &m->attrs[i]);
        nt_json_str(j, "name", t.p);
        nt_buf_reset(&t);
        attr_value(&t, m, &m->attrs[i], key, keylen);
        nt_json_str(j, "value", t.p);
        nt_json_obj_close(j);
    }
    nt_json_arr_close(j);
    nt_buf_free(&t);
}

/* JSON: one object per transaction. */
static void json_exchange(stun_run *r, const nt_stun_msg *q, const char *what, const nt_stun_result *res,
                          const nt_stun_msg *m, const char *error, const uint8_t *key, size_t keylen)
{
    nt_json j;
    nt_buf t;
    nt_buf_init(&t);
    nt_json_begin(&j, &r->jout);
    nt_json_obj_open(&j, NULL);
    nt_json_str(&j, "type", "exchange");
    nt_buf_printf(&t, "%s %s", nt_stun_method_name(q->method), nt_stun_class_name(q->cls));
    nt_json_str(&j, "request", t.p);
    if (*what) nt_json_str(&j, "note", what);
    if (r->show_req) json_attrs(&j, "request_attributes", q, NULL, 0);
    nt_json_u64(&j, "sends", (uint64_t)(res ? res->sends : 0));
    if (error) {
        nt_json_str(&j, "error", error);
    } else if (!m) {
        nt_json_bool(&j, "answered", false);
        if (res && res->unreachable) nt_json_u64(&j, "icmp_unreachable", (uint64_t)res->unreachable);
    } else {
        nt_json_bool(&j, "answered", true);
        nt_buf_reset(&t);
        nt_buf_printf(&t, "%s %s", nt_stun_method_name(m->method), nt_stun_class_name(m->cls));
        nt_json_str(&j, "response", t.p);
        nt_buf_reset(&t);
        nt_buf_printf(&t, "%.3f", res->rtt_us / 1000.0);
        nt_json_raw(&j, "rtt_ms", t.p);
        nt_json_str(&j, "dialect", m->dialect == NT_STUN_MS_TURN ? "MS-TURN" : "RFC5389");
        nt_json_bool(&j, "malformed", m->malformed);
        json_attrs(&j, "attributes", m, key, keylen);
    }
    nt_json_obj_close(&j);
    nt_buf_putc(&r->jout, '\n');
    nt_buf_free(&t);
}

static void new_tid(uint8_t tid[12])
{
    if (RAND_bytes(tid, 12) != 1)
        for (int i = 0; i < 12; i++) tid[i] = (uint8_t)rand();
}

/* One transaction, printed. Returns 1 answered (m filled), 0 no answer, -1 error. */
static int exchange(stun_run *r, const char *what, const uint8_t *req, size_t len, uint8_t *resp, size_t cap,
                    nt_stun_msg *m, const uint8_t *key, size_t keylen)
{
    nt_buf *o = r->json ? &r->scratch : &r->out;
    nt_stun_msg q;
    nt_stun_parse(req, len, &q, NULL);
    nt_buf_printf(o, "  %s %s%s%s", nt_stun_method_name(q.method), nt_stun_class_name(q.cls), *what ? " " : "", what);
    if (r->show_req) {
        nt_buf_printf(o, ", %zu bytes%s:\n", len, q.dialect == NT_STUN_MS_TURN ? " [MS-TURN]" : "");
        print_attrs(o, &q, NULL, 0);
        nt_buf_puts(o, "   ");
    }
    flush(r);
    nt_stun_result res;
    nt_error err;
    nt_error_clear(&err);
    int rc = 1;
    const char *why = NULL;
    char msg[600];
    if (nt_stun_transact(r->c, req, len, resp, cap, r->timeout_ms, &res, &err) < 0) {
        nt_buf_printf(o, ": %s\n", err.msg);
        snprintf(msg, sizeof msg, "%s", err.msg);
        rc = -1;
    } else if (!res.len) {
        nt_buf_printf(o, ": no answer in %.1f s (%d %s)", r->timeout_ms / 1000.0, res.sends,
                      res.sends == 1 ? "send" : "sends");
        if (res.unreachable) nt_buf_printf(o, "; %d ICMP port unreachable", res.unreachable);
        nt_buf_putc(o, '\n');
        rc = 0;
    } else if (nt_stun_parse(resp, res.len, m, &why) < 0) {
        nt_buf_printf(o, ": the answer (%zu bytes) is not STUN: %s\n", res.len, why);
        snprintf(msg, sizeof msg, "the answer (%zu bytes) is not STUN: %s", res.len, why);
        rc = -1;
    } else {
        nt_buf_printf(o, " -> %s %s in %.1f ms", nt_stun_method_name(m->method), nt_stun_class_name(m->cls),
                      res.rtt_us / 1000.0);
        if (res.sends > 1) nt_buf_printf(o, " (after %d sends)", res.sends);
        if (m->dialect == NT_STUN_MS_TURN) nt_buf_puts(o, " [MS-TURN]");
        if (m->malformed) nt_buf_puts(o, " [malformed]");
        nt_buf_putc(o, '\n');
        print_attrs(o, m, key, keylen);
    }
    if (r->json) {
        json_exchange(r, &q, what, &res, rc == 1 ? m : NULL, rc < 0 ? msg : NULL, key, keylen);
        nt_buf_reset(&r->scratch);
    }
    return rc;
}

static void timeout_advice(stun_run *r)
{
    const char *p = r->tr == NT_STUN_UDP ? "UDP" : "TCP";
    nt_buf_printf(&r->out,
                  "The request timed out: STUN server '%s' is not reachable or does not respond.\n"
                  "  Check that %s %u is allowed between the client and the STUN server (firewalls, NAT).\n"
                  "  Check that the STUN/TURN service is running and listening on %s %u\n"
                  "  (MediaRelaySvc.exe on a Lync/Skype A/V Edge: netstat -ano | find \":%u\"; turnserver for coturn).\n",
                  r->host, p, r->port, p, r->port, r->port);
}


/* MS-TURN 2.1.1: the pseudo-TLS hello and the server's answer, before any
 * TURN message. false (with the verdict printed) when it did not work. */
static bool pseudo_tls(stun_run *r)
{
    nt_buf *o = r->json ? &r->scratch : &r->out;
    uint8_t rnd[32];
    uint32_t t = (uint32_t)time(NULL);   /* the spec's Time Stamp, then 28 random bytes */
    rnd[0] = (uint8_t)(t >> 24), rnd[1] = (uint8_t)(t >> 16), rnd[2] = (uint8_t)(t >> 8), rnd[3] = (uint8_t)t;
    if (RAND_bytes(rnd + 4, 28) != 1)
        for (int i = 4; i < 32; i++) rnd[i] = (uint8_t)rand();
    nt_buf_printf(o, "  pseudo-TLS hello (MS-TURN 2.1.1, %d bytes)", NT_PTLS_HELLO_LEN);
    flush(r);
    nt_ptls_answer a;
    int64_t rtt = 0;
    nt_error err;
    nt_error_clear(&err);
    int rc = nt_stun_pseudo_tls(r->c, rnd, r->timeout_ms, &a, &rtt, &err);
    if (rc == 1)
        nt_buf_printf(o, " -> ServerHello + ServerHelloDone (%zu bytes) in %.1f ms\n", a.len, rtt / 1000.0);
    else if (rc == 0)
        nt_buf_printf(o, ": no answer in %.1f s\n", r->timeout_ms / 1000.0);
    else
        nt_buf_printf(o, ": %s\n", err.msg);
    if (r->json) {
        nt_json j;
        nt_json_begin(&j, &r->jout);
        nt_json_obj_open(&j, NULL);
        nt_json_str(&j, "type", "pseudo_tls");
        nt_json_bool(&j, "answered", rc == 1);
        if (rc == 1) {
            nt_json_u64(&j, "bytes", a.len);
            char ms[32];
            snprintf(ms, sizeof ms, "%.3f", rtt / 1000.0);
            nt_json_raw(&j, "rtt_ms", ms);
        } else if (rc < 0) {
            nt_json_str(&j, "error", err.msg);
        }
        nt_json_obj_close(&j);
        nt_buf_putc(&r->jout, '\n');
        nt_buf_reset(&r->scratch);
    }
    if (rc == 1) return true;
    if (rc == 0 || (rc < 0 && a.status == NT_PTLS_MORE))
        nt_buf_printf(&r->out,
                      "The server %s MS-TURN's pseudo-TLS hello on TCP %u: it is not an A/V Edge's\n"
                      "TURN service, or a device in between holds the hello. A standard TURN server\n"
                      "does not speak pseudo-TLS: try --no-pseudo-tls.\n",
                      rc == 0 ? "accepted the connection but did not answer" : "closed the connection after", r->port);
    else if (a.status == NT_PTLS_STUN)
        nt_buf_puts(&r->out, "The server speaks TURN over TCP without pseudo-TLS: try --no-pseudo-tls.\n");
    else if (a.status == NT_PTLS_ALERT || a.status == NT_PTLS_REAL_TLS || a.status == NT_PTLS_OTHER)
        nt_buf_printf(&r->out,
                      "Something else answers on TCP %u (real TLS or another protocol: a web server, a reverse\n"
                      "proxy, a TLS-inspecting firewall, or a standard TURN server that takes real TLS there,\n"
                      "as coturn does on its TCP ports), not the A/V Edge's TURN service (MediaRelaySvc).\n"
                      "Check that TCP %u on this address reaches the Edge's external A/V interface;\n"
                      "for a standard TURN server try --tls, or --no-pseudo-tls.\n",
                      r->port, r->port);
    nt_buf_puts(&r->out, "Result: FAILED (pseudo-TLS)\n");
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

static int run(stun_run *r, const char *user, const char *pwfile, bool ms, const uint8_t *rawreq, size_t rawlen,
               bool binding, int family)
{
    static uint8_t req[2048], resp[65600];
    static nt_stun_msg m;
    nt_buf_printf(&r->out, "STUN/TURN test of %s port %u over %s%s%s\n", r->host, r->port, tr_name(r->tr),
                  r->pseudo_tls ? " with pseudo-TLS" : "", ms ? " (MS-TURN dialect)" : "");
    char addr[128] = "";
    nt_error err;
    nt_error_clear(&err);
    r->c = nt_stun_connect(r->host, r->port, r->tr, family, r->timeout_ms, addr, sizeof addr, &err);
    if (!r->c) {
        nt_buf_printf(&r->out, "  %s\n", err.msg);
        if (err.code == ETIMEDOUT) timeout_advice(r);
        else if (err.code == ECONNREFUSED)
            nt_buf_printf(&r->out, "Nothing listens on %s port %u (connection refused): is the STUN/TURN service running?\n",
                          addr, r->port);
        nt_buf_puts(&r->out, "Result: FAILED\n");
        return NT_EXIT_PROBLEM;
    }
    char local[80];
    nt_stun_conn_local(r->c, local, sizeof local);
    snprintf(r->server_addr, sizeof r->server_addr, "%s", addr);
    nt_buf_printf(&r->out, "  server address %s, local %s\n", addr, local);
    if (r->tr == NT_STUN_TLS) nt_buf_printf(&r->out, "  TLS: %s\n", nt_stun_conn_tls_info(r->c));

    if (r->pseudo_tls && !pseudo_tls(r)) return NT_EXIT_PROBLEM;

    uint8_t tid[12];
    nt_stun_builder b;
    if (binding) {
        new_tid(tid);
        nt_stun_build_start(&b, req, sizeof req, NT_STUN_BINDING, NT_STUN_REQUEST, tid);
        nt_stun_build_fingerprint(&b);
        int rc = exchange(r, "", req, nt_stun_build_end(&b), resp, sizeof resp, &m, NULL, 0);
        if (rc == 0) {
            timeout_advice(r);
            nt_buf_puts(&r->out, "Result: FAILED (no answer)\n");
            return NT_EXIT_PROBLEM;
        }
        if (rc < 0) {
            nt_buf_puts(&r->out, "Result: FAILED\n");
            return NT_EXIT_PROBLEM;
        }
        const nt_stun_attr *xa = nt_stun_find(&m, NT_STUN_A_XOR_MAPPED_ADDRESS);
        if (!xa) xa = nt_stun_find(&m, NT_STUN_A_MAPPED_ADDRESS);
        nt_stun_addr ad;
        if (m.cls == NT_STUN_SUCCESS && xa && nt_stun_attr_addr(&m, xa, &ad)) {
            nt_buf_puts(&r->out, "    the server sees this client as ");
            size_t at = r->out.len;
            nt_stun_addr_str(&ad, &r->out, true);
            snprintf(r->mapped, sizeof r->mapped, "%s", r->out.p + at);
            nt_buf_putc(&r->out, '\n');
        }
    }

    /* Allocate without credentials */
    size_t len;
    if (rawreq) {
        memcpy(req, rawreq, rawlen);
        len = rawlen;
    } else {
        new_tid(tid);
        build_allocate(&b, req, sizeof req, ms, tid);
        len = nt_stun_build_end(&b);
    }
    r->show_req = ms || rawreq;
    int rc = exchange(r, rawreq ? "(from --request-file, no credentials)" : "(no credentials)", req, len, resp,
                      sizeof resp, &m, NULL, 0);
    r->show_req = false;
    if (rc == 0 && r->mapped[0]) {
        /* the path is open (Binding answered): the server does not do TURN */
        nt_buf_printf(&r->out,
                      "The server answers STUN Binding requests but not TURN Allocate requests: it is a STUN-only\n"
                      "server, or its TURN relay is disabled (coturn --stun-only; on an A/V Edge check the\n"
                      "relay service). The network path on %s %u is open.\nResult: FAILED (no TURN answer)\n",
                      r->tr == NT_STUN_UDP ? "UDP" : "TCP", r->port);
        return NT_EXIT_PROBLEM;
    }
    if (rc <= 0) {
        if (rc == 0) timeout_advice(r);
        nt_buf_puts(&r->out, rc == 0 ? "Result: FAILED (no answer)\n" : "Result: FAILED\n");
        return NT_EXIT_PROBLEM;
    }
    const nt_stun_attr *ea = nt_stun_find(&m, NT_STUN_A_ERROR_CODE);
    unsigned code = 0;
    const char *reason = "";
    size_t rlen = 0;
    if (ea) nt_stun_attr_error(ea, &code, &reason, &rlen);
    r->code = code;
    if (m.cls == NT_STUN_SUCCESS) {
        nt_buf_puts(&r->out, "The TURN server allocated a relay without credentials (an open relay).\nResult: alive\n");
        return NT_EXIT_OK;
    }
    if (m.cls != NT_STUN_ERROR || code != 401) {
        if (m.cls == NT_STUN_ERROR)
            nt_buf_printf(&r->out, "The server answered, but with error %u (%s), not the 401 a TURN server sends to a request\n"
                                   "without credentials: it is not a working TURN relay for this request.\nResult: FAILED\n",
                          code, nt_stun_error_name(code));
        else
            nt_buf_printf(&r->out, "Unexpected answer (%s %s).\nResult: FAILED\n", nt_stun_method_name(m.method),
                          nt_stun_class_name(m.cls));
        return NT_EXIT_PROBLEM;
    }
    const nt_stun_attr *ra = nt_stun_find(&m, NT_STUN_A_REALM), *na = nt_stun_find(&m, NT_STUN_A_NONCE);
    nt_buf_printf(&r->out, "The TURN server is alive and wants credentials (ERROR-CODE 401");
    if (ra && !ra->malformed) {
        nt_buf_puts(&r->out, ", realm ");
        put_str_attr(&r->out, ra);
        snprintf(r->realm, sizeof r->realm, "%.*s", (int)ra->avail, (const char *)ra->val);
    }
    nt_buf_puts(&r->out, ").\n");
    if (!ra || !na) nt_buf_puts(&r->out, "  (but the answer lacks a REALM or NONCE, which RFC 5766 requires)\n");
    if (!user) {
        nt_buf_puts(&r->out, "Result: alive (give --user to test an authenticated allocation)\n");
        return NT_EXIT_OK;
    }
    if (ms || m.dialect == NT_STUN_MS_TURN) {
        nt_buf_puts(&r->out, "MS-TURN authentication needs a token from the A/V authentication service: not tested.\n"
                             "Result: alive\n");
        return NT_EXIT_OK;
    }
    if (!ra || !na || ra->malformed || na->malformed) {
        nt_buf_puts(&r->out, "Cannot authenticate without REALM and NONCE.\nResult: FAILED\n");
        return NT_EXIT_PROBLEM;
    }
    char pw[512];
    flush(r);
    if (!nt_read_password(pwfile, user, pw, sizeof pw)) {
        nt_buf_printf(&r->out, "Cannot read the password%s%s.\nResult: FAILED\n", pwfile ? " from " : "", pwfile ? pwfile : "");
        return NT_EXIT_PROBLEM;
    }
    /* keep REALM and NONCE: they point into resp, which the next answer overwrites */
    static uint8_t realm[768], nonce[768];
    nt_stun_attr realm_a = *ra, nonce_a = *na;
    if (ra->len > sizeof realm || na->len > sizeof nonce) {
        nt_buf_puts(&r->out, "REALM or NONCE too long.\nResult: FAILED\n");
        return NT_EXIT_PROBLEM;
    }
    memcpy(realm, ra->val, ra->len), realm_a.val = realm;
    memcpy(nonce, na->val, na->len), nonce_a.val = nonce;
    uint8_t key[16];
    nt_stun_long_term_key(user, (const char *)realm, realm_a.len, pw, key);
    memset(pw, 0, sizeof pw);

    for (int attempt = 0; attempt < 2; attempt++) {
        new_tid(tid);
        nt_stun_build_start(&b, req, sizeof req, NT_STUN_ALLOCATE, NT_STUN_REQUEST, tid);
        const uint8_t udp[4] = {17, 0, 0, 0};
        nt_stun_build_attr(&b, NT_STUN_A_REQUESTED_TRANSPORT, udp, 4);
        add_creds(&b, user, &realm_a, &nonce_a, key);
        char what[300];
        snprintf(what, sizeof what, "(user %s)", user);
        rc = exchange(r, what, req, nt_stun_build_end(&b), resp, sizeof resp, &m, key, 16);
        if (rc <= 0) {
            if (rc == 0) timeout_advice(r);
            nt_buf_puts(&r->out, "Result: FAILED\n");
            return NT_EXIT_PROBLEM;
        }
        ea = nt_stun_find(&m, NT_STUN_A_ERROR_CODE);
        code = 0;
        if (ea) nt_stun_attr_error(ea, &code, &reason, &rlen);
        na = nt_stun_find(&m, NT_STUN_A_NONCE);
        if (m.cls == NT_STUN_ERROR && code == 438 && na && !na->malformed && na->len <= sizeof nonce && attempt == 0) {
            memcpy(nonce, na->val, na->len), nonce_a.len = na->len;
            nt_buf_puts(&r->out, "    stale nonce: again with the new one\n");
            continue;
        }
        break;
    }
    if (m.cls != NT_STUN_SUCCESS) {
        if (code == 401 || code == 441)
            nt_buf_printf(&r->out, "The server refused the credentials of '%s' (%u %s): wrong user name, password or realm.\n",
                          user, code, nt_stun_error_name(code));
        else
            nt_buf_printf(&r->out, "The authenticated Allocate failed with %u (%s).\n", code, nt_stun_error_name(code));
        nt_buf_puts(&r->out, "Result: FAILED\n");
        return NT_EXIT_PROBLEM;
    }
    const nt_stun_attr *rel = nt_stun_find(&m, NT_STUN_A_XOR_RELAYED_ADDRESS), *lt = nt_stun_find(&m, NT_STUN_A_LIFETIME),
                       *mi = nt_stun_find(&m, NT_STUN_A_MESSAGE_INTEGRITY);
    nt_stun_addr ad;
    uint32_t life = 0;
    nt_buf_puts(&r->out, "Allocated relay address ");
    r->allocated = true;
    if (rel && nt_stun_attr_addr(&m, rel, &ad)) {
        size_t at = r->out.len;
        nt_stun_addr_str(&ad, &r->out, true);
        snprintf(r->relayed, sizeof r->relayed, "%s", r->out.p + at);
    } else {
        nt_buf_puts(&r->out, "(none given)");
    }
    if (lt && nt_stun_attr_u32(lt, &life)) nt_buf_printf(&r->out, " for %u s", life), r->lifetime = life;
    nt_buf_putc(&r->out, '\n');
    bool integrity_ok = mi && nt_stun_integrity_ok(&m, mi, key, 16);
    if (!integrity_ok) nt_buf_puts(&r->out, "  warning: the answer's MESSAGE-INTEGRITY is missing or does not match our key\n");

    /* release: Refresh with LIFETIME 0 */
    new_tid(tid);
    nt_stun_build_start(&b, req, sizeof req, NT_STUN_REFRESH, NT_STUN_REQUEST, tid);
    nt_stun_build_u32(&b, NT_STUN_A_LIFETIME, 0);
    add_creds(&b, user, &realm_a, &nonce_a, key);
    rc = exchange(r, "(lifetime 0: release)", req, nt_stun_build_end(&b), resp, sizeof resp, &m, key, 16);
    if (rc == 1 && m.cls == NT_STUN_SUCCESS) {
        r->released = true;
        nt_buf_puts(&r->out, "Allocation released.\nResult: alive (authenticated allocation works)\n");
        return NT_EXIT_OK;
    }
    nt_buf_puts(&r->out, "The allocation was made but not released (it expires by itself).\nResult: alive\n");
    return NT_EXIT_OK;
}

static bool read_request_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    *len = fread(buf, 1, cap, f);
    bool ok = !ferror(f);
    fclose(f);
    return ok;
}

int cmd_stun(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"help", no_argument, NULL, 'h'}, {"port", required_argument, NULL, O_PORT},
        {"udp", no_argument, NULL, O_UDP}, {"tcp", no_argument, NULL, O_TCP}, {"tls", no_argument, NULL, O_TLS},
        {"timeout", required_argument, NULL, O_TIMEOUT}, {"user", required_argument, NULL, O_USER},
        {"password-file", required_argument, NULL, O_PWFILE}, {"ms-turn", no_argument, NULL, O_MSTURN},
        {"request-file", required_argument, NULL, O_REQFILE}, {"no-binding", no_argument, NULL, O_NOBIND},
        {"json", no_argument, NULL, O_JSON}, {"pseudo-tls", no_argument, NULL, O_PTLS},
        {"no-pseudo-tls", no_argument, NULL, O_NOPTLS}, {NULL, 0, NULL, 0}};
    stun_run r = {.port = 3478, .tr = NT_STUN_UDP, .timeout_ms = 10000, .lifetime = -1};
    const char *user = NULL, *pwfile = NULL, *reqfile = NULL;
    bool ms = false, binding = true, port_set = false;
    int family = 0, ch, ptls = -1;   /* -1: by the defaults */
    uint64_t v;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h46", lopts, NULL)) != -1) {
        switch (ch) {
        case 'h': fputs(nt_stun_help, stdout); return NT_EXIT_OK;
        case '4': family = 4; break;
        case '6': family = 6; break;
        case O_PORT:
            if (!nt_parse_u64(optarg, &v) || v == 0 || v > 65535)
                return nt_usage_error("stun", "--port needs a port number 1-65535, not '%s'", optarg);
            r.port = (uint16_t)v, port_set = true;
            break;
        case O_UDP: r.tr = NT_STUN_UDP; break;
        case O_TCP: r.tr = NT_STUN_TCP; break;
        case O_TLS: r.tr = NT_STUN_TLS; break;
        case O_TIMEOUT: {
            char *end;
            double d = strtod(optarg, &end);
            if (*end || !(d > 0 && d <= 3600))
                return nt_usage_error("stun", "--timeout needs seconds (0-3600], not '%s'", optarg);
            r.timeout_ms = (int)(d * 1000);
            break;
        }
        case O_USER: user = optarg; break;
        case O_PWFILE: pwfile = optarg; break;
        case O_MSTURN: ms = true; break;
        case O_REQFILE: reqfile = optarg; break;
        case O_NOBIND: binding = false; break;
        case O_JSON: r.json = true; break;
        case O_PTLS: ptls = 1; break;
        case O_NOPTLS: ptls = 0; break;
        default:
            if (optopt) return nt_usage_error("stun", "option '%s' needs a value", argv[optind - 1]);
            return nt_usage_error("stun", "unknown option '%s' (see 'nettracer stun --help')", argv[optind - 1]);
        }
    }
    if (optind >= argc) return nt_usage_error("stun", "no server given (usage: nettracer stun HOST)");
    if (optind + 1 < argc) return nt_usage_error("stun", "one server at a time (unexpected '%s')", argv[optind + 1]);
    r.host = argv[optind];
    if (pwfile && !user) return nt_usage_error("stun", "--password-file needs --user");
    if (pwfile && access(pwfile, R_OK) != 0)
        return nt_usage_error("stun", "cannot read the password file '%s': %s", pwfile, strerror(errno));
    if (r.tr == NT_STUN_TLS && !port_set) r.port = 5349;
    if (r.tr == NT_STUN_TCP && ms && !port_set) r.port = 443;   /* where an A/V Edge takes TURN over TCP */
    if (ptls == 1 && r.tr != NT_STUN_TCP)
        return nt_usage_error("stun", "--pseudo-tls needs --tcp (it replaces a real TLS handshake)");
    r.pseudo_tls = ptls == 1 || (ptls == -1 && ms && r.tr == NT_STUN_TCP && r.port == 443);
    static uint8_t raw[2048];
    size_t rawlen = 0;
    if (reqfile) {
        nt_stun_msg m;
        const char *why = NULL;
        if (!read_request_file(reqfile, raw, sizeof raw, &rawlen))
            return nt_usage_error("stun", "cannot read '%s': %s", reqfile, strerror(errno));
        if (nt_stun_parse(raw, rawlen, &m, &why) < 0 || m.cls != NT_STUN_REQUEST)
            return nt_usage_error("stun", "'%s' is not a STUN request: %s", reqfile, why ? why : "not a request");
    }
    nt_buf_init(&r.out);
    nt_buf_init(&r.jout);
    nt_buf_init(&r.scratch);
    int rc = run(&r, user, pwfile, ms, reqfile ? raw : NULL, rawlen, binding, family);
    if (r.json) {
        nt_json j;
        nt_json_begin(&j, &r.jout);
        nt_json_obj_open(&j, NULL);
        nt_json_str(&j, "type", "result");
        nt_json_str(&j, "host", r.host);
        nt_json_u64(&j, "port", r.port);
        nt_json_str(&j, "transport", tr_name(r.tr));
        nt_json_str(&j, "server_address", r.server_addr);
        nt_json_bool(&j, "pseudo_tls", r.pseudo_tls);
        nt_json_bool(&j, "alive", rc == NT_EXIT_OK);
        if (r.mapped[0]) nt_json_str(&j, "mapped_address", r.mapped);
        if (r.code) nt_json_u64(&j, "error_code", r.code);
        if (r.realm[0]) nt_json_str(&j, "realm", r.realm);
        nt_json_bool(&j, "allocated", r.allocated);
        if (r.relayed[0]) nt_json_str(&j, "relayed_address", r.relayed);
        if (r.lifetime >= 0) nt_json_u64(&j, "lifetime", (uint64_t)r.lifetime);
        nt_json_bool(&j, "released", r.released);
        nt_json_str(&j, "text", r.out.p ? r.out.p : "");
        nt_json_obj_close(&j);
        nt_buf_putc(&r.jout, '\n');
    }
    flush(&r);
    nt_stun_close(r.c);
    nt_buf_free(&r.out);
    nt_buf_free(&r.jout);
    nt_buf_free(&r.scratch);
    return rc;
}
