/* Unit tests for the TURN client state machine (probe/stunflow.c) against
 * crafted answers: a small STUN server in a thread on 127.0.0.1 (loopback
 * only) answers each request as a scripted server would (a live coturn, a
 * stale nonce, a STUN-only server, a wrong error, refused credentials),
 * and the tests read what the flow concluded from its step records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nettracer/stun.h"
#include "nettracer/stunflow.h"

typedef enum { LIVE, STALE_NONCE, STUN_ONLY, ERROR_403, BAD_CREDS } script;

typedef struct server {
    int fd;
    uint16_t port;
    script how;
    int stale_sent, allocs, refreshes;
    pthread_t th;
} server;

static const char realm[] = "contoso.test", nonce1[] = "nonce-one", nonce2[] = "nonce-two";

static void xor_addr(nt_stun_builder *b, uint16_t kind, const struct sockaddr_in *a)
{
    uint8_t v[8] = {0, 1};
    uint16_t port = ntohs(a->sin_port) ^ 0x2112;
    uint32_t ip = ntohl(a->sin_addr.s_addr) ^ 0x2112A442u;
    v[2] = (uint8_t)(port >> 8), v[3] = (uint8_t)port;
    v[4] = (uint8_t)(ip >> 24), v[5] = (uint8_t)(ip >> 16), v[6] = (uint8_t)(ip >> 8), v[7] = (uint8_t)ip;
    nt_stun_build_attr(b, kind, v, sizeof v);
}

static void error_code(nt_stun_builder *b, unsigned code, const char *reason)
{
    uint8_t v[64] = {0, 0, (uint8_t)(code / 100), (uint8_t)(code % 100)};
    size_t n = strlen(reason);
    memcpy(v + 4, reason, n);
    nt_stun_build_attr(b, NT_STUN_A_ERROR_CODE, v, 4 + n);
}

/* The answer to one request, or 0 bytes for none. */
static size_t answer(server *s, const nt_stun_msg *q, const struct sockaddr_in *from, uint8_t *out, size_t cap)
{
    nt_stun_builder b;
    uint8_t key[16];
    nt_stun_long_term_key("alice", realm, strlen(realm), "secret", key);
    bool creds = nt_stun_find(q, NT_STUN_A_USERNAME) != NULL;
    if (q->method == NT_STUN_BINDING) {
        nt_stun_build_start(&b, out, cap, NT_STUN_BINDING, NT_STUN_SUCCESS, q->tid);
        xor_addr(&b, NT_STUN_A_XOR_MAPPED_ADDRESS, from);
        return nt_stun_build_end(&b);
    }
    if (s->how == STUN_ONLY) return 0;
    if (q->method == NT_STUN_REFRESH) {
        s->refreshes++;
        nt_stun_build_start(&b, out, cap, NT_STUN_REFRESH, NT_STUN_SUCCESS, q->tid);
        nt_stun_build_u32(&b, NT_STUN_A_LIFETIME, 0);
        nt_stun_build_integrity(&b, key, 16);
        return nt_stun_build_end(&b);
    }
    s->allocs++;
    nt_stun_build_start(&b, out, cap, NT_STUN_ALLOCATE, NT_STUN_ERROR, q->tid);
    if (s->how == ERROR_403) {
        error_code(&b, 403, "Forbidden");
        return nt_stun_build_end(&b);
    }
    const nt_stun_attr *n = nt_stun_find(q, NT_STUN_A_NONCE);
    const char *want = s->how == STALE_NONCE && s->stale_sent ? nonce2 : nonce1;
    /* no credentials, wrong ones, or not the nonce given last: a 401 (the flow then fails) */
    bool nonce_ok = n && n->len == strlen(want) && !memcmp(n->val, want, n->len);
    if (!creds || s->how == BAD_CREDS || !nonce_ok) {
        error_code(&b, 401, "Unauthorized");
        nt_stun_build_attr(&b, NT_STUN_A_REALM, realm, strlen(realm));
        nt_stun_build_attr(&b, NT_STUN_A_NONCE, nonce1, strlen(nonce1));
        return nt_stun_build_end(&b);
    }
    if (s->how == STALE_NONCE && !s->stale_sent) {
        s->stale_sent = 1;
        error_code(&b, 438, "Stale Nonce");
        nt_stun_build_attr(&b, NT_STUN_A_NONCE, nonce2, strlen(nonce2));
        return nt_stun_build_end(&b);
    }
    nt_stun_build_start(&b, out, cap, NT_STUN_ALLOCATE, NT_STUN_SUCCESS, q->tid);
    struct sockaddr_in relay = {.sin_family = AF_INET, .sin_port = htons(50000)};
    inet_pton(AF_INET, "127.0.0.7", &relay.sin_addr);
    xor_addr(&b, NT_STUN_A_XOR_RELAYED_ADDRESS, &relay);
    nt_stun_build_u32(&b, NT_STUN_A_LIFETIME, 600);
    nt_stun_build_integrity(&b, key, 16);
    return nt_stun_build_end(&b);
}

/* Answers until no request came for 0.3 s (the flow is over). */
static void *serve(void *arg)
{
    server *s = arg;
    static uint8_t in[2048], out[2048];
    for (int idle = 0; idle < 1;) {
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, 300) <= 0) {
            idle++;
            continue;
        }
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(s->fd, in, sizeof in, 0, (struct sockaddr *)&from, &fl);
        nt_stun_msg q;
        if (n <= 0 || nt_stun_parse(in, (size_t)n, &q, NULL) < 0) continue;
        size_t len = answer(s, &q, &from, out, sizeof out);
        if (len) sendto(s->fd, out, len, 0, (struct sockaddr *)&from, fl);
    }
    return NULL;
}

static void server_start(server *s, script how)
{
    memset(s, 0, sizeof *s);
    s->how = how;
    s->fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t l = sizeof a;
    getsockname(s->fd, (struct sockaddr *)&a, &l);
    s->port = ntohs(a.sin_port);
    pthread_create(&s->th, NULL, serve, s);
}

static void server_stop(server *s)
{
    pthread_join(s->th, NULL);
    close(s->fd);
}

/* What the flow said: every conclusion's text, and the result step. */
typedef struct seen {
    char text[16384];
    int exchanges;
    nt_step result;
} seen;

static void collect(void *user, const nt_step *s)
{
    seen *w = user;
    if (!strcmp(s->step, "exchange")) w->exchanges++;
    if (!strcmp(s->step, "result")) nt_step_copy(&w->result, s);
    else if (strlen(w->text) + strlen(s->text) < sizeof w->text) strcat(w->text, s->text);
}

static bool give_password(void *user, char *pw, size_t n)
{
    snprintf(pw, n, "%s", (const char *)user);
    return true;
}

static const char *str(const nt_step *s, const char *key)
{
    const nt_step_value *v = nt_step_get(s, key);
    return v ? v->str : "";
}

static int64_t num(const nt_step *s, const char *key)
{
    const nt_step_value *v = nt_step_get(s, key);
    return v ? v->num : -1;
}

static bool run(script how, const char *user, const char *pw, seen *w, int timeout_ms)
{
    static server s;
    server_start(&s, how);
    nt_stunflow_opts o = {.host = "127.0.0.1", .port = s.port, .tr = NT_STUN_UDP, .timeout_ms = timeout_ms,
                          .user = user, .binding = true, .password = give_password, .password_user = (void *)pw};
    memset(w, 0, sizeof *w);
    bool alive = nt_stunflow_run(&o, collect, w);
    server_stop(&s);
    return alive;
}

static void alive_without_credentials(void **state)
{
    (void)state;
    static seen w;
    assert_true(run(LIVE, NULL, NULL, &w, 2000));
    assert_non_null(strstr(w.text, "the server sees this client as 127.0.0.1:"));
    assert_non_null(strstr(w.text, "alive and wants credentials (ERROR-CODE 401, realm \"contoso.test\")"));
    assert_non_null(strstr(w.text, "Result: alive (give --user"));
    assert_int_equal(w.exchanges, 2);
    assert_true(num(&w.result, "alive"));
    assert_int_equal(num(&w.result, "error_code"), 401);
    assert_string_equal(str(&w.result, "realm"), "contoso.test");
    assert_false(num(&w.result, "allocated"));
    assert_int_equal(w.result.verdict, NT_VERDICT_OK);
}

static void authenticated_allocation_and_release(void **state)
{
    (void)state;
    static seen w;
    assert_true(run(LIVE, "alice", "secret", &w, 2000));
    assert_non_null(strstr(w.text, "Allocated relay address 127.0.0.7:50000 for 600 s"));
    assert_null(strstr(w.text, "MESSAGE-INTEGRITY is missing"));
    assert_non_null(strstr(w.text, "Allocation released."));
    assert_int_equal(w.exchanges, 4);
    assert_true(num(&w.result, "allocated"));
    assert_true(num(&w.result, "released"));
    assert_string_equal(str(&w.result, "relayed_address"), "127.0.0.7:50000");
    assert_int_equal(num(&w.result, "lifetime"), 600);
}

static void stale_nonce_is_retried_once(void **state)
{
    (void)state;
    static seen w;
    assert_true(run(STALE_NONCE, "alice", "secret", &w, 2000));
    assert_non_null(strstr(w.text, "stale nonce: again with the new one"));
    assert_int_equal(w.exchanges, 5);   /* Binding, Allocate, Allocate (438), Allocate, Refresh */
    assert_true(num(&w.result, "allocated"));
}

static void wrong_password_fails(void **state)
{
    (void)state;
    static seen w;
    assert_false(run(BAD_CREDS, "alice", "wrong", &w, 2000));
    assert_non_null(strstr(w.text, "refused the credentials of 'alice' (401"));
    assert_non_null(strstr(w.text, "Result: FAILED"));
    assert_false(num(&w.result, "allocated"));
    assert_int_equal(w.result.verdict, NT_VERDICT_FAIL);
}

static void other_error_is_not_alive(void **state)
{
    (void)state;
    static seen w;
    assert_false(run(ERROR_403, NULL, NULL, &w, 2000));
    assert_non_null(strstr(w.text, "with error 403"));
    assert_int_equal(num(&w.result, "error_code"), 403);
}

static void stun_only_server(void **state)
{
    (void)state;
    static seen w;
    /* the Allocate goes unanswered: after the Binding, that names a STUN-only server */
    assert_false(run(STUN_ONLY, NULL, NULL, &w, 600));
    assert_non_null(strstr(w.text, "answers STUN Binding requests but not TURN Allocate requests"));
    assert_non_null(strstr(w.text, "Result: FAILED (no TURN answer)"));
    assert_string_equal(str(&w.result, "transport"), "UDP");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alive_without_credentials), cmocka_unit_test(authenticated_allocation_and_release),
        cmocka_unit_test(stale_nonce_is_retried_once), cmocka_unit_test(wrong_password_fails),
        cmocka_unit_test(other_error_is_not_alive),  cmocka_unit_test(stun_only_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
