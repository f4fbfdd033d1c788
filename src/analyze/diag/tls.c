/* tls.c - the TLS rules, per TCP stream from the records and handshake
 * messages the session decoded: the hellos (the SNI the client asked
 * for), the server's certificates (names against the SNI and against the
 * name DNS resolved to this address, validity dates), the
 * CertificateRequest's CA list against SChannel's 16 KB limit, alerts,
 * renegotiation (in the clear, or seen as an encrypted handshake message
 * after both Finished) and a handshake the client cut off after the
 * server's hello. */
#include "diag_int.h"

#include "nettracer/app.h"
#include "nettracer/tls.h"

#include <stdlib.h>
#include <strings.h>

typedef struct tstream {
    bool used;
    char sni[128];
    uint64_t ch_frame, sh_frame, cert_frame, client_after_frame, server_after_frame;
    uint32_t nclient_hello;
    bool cert_checked;
    /* TLS 1.2 renegotiation, which is encrypted: per direction 0 before its
     * ChangeCipherSpec, 1 waiting for its Finished, 2 handshake done */
    uint8_t tls_st[2];
    bool reneg_on;
    uint32_t nreneg;
    uint64_t reneg_frame, reneg_fin_frame, reneg_reply_frame;
    int reneg_by;
    nt_time reneg_ts, fin_ts;
} tstream;

typedef struct tlsst {
    tstream *s;            /* by stream number */
    size_t cap;
} tlsst;

static tstream *tstream_slot(tlsst *t, uint32_t stream)
{
    t->s = nt_diag_grow(t->s, &t->cap, stream, sizeof *t->s);
    t->s[stream].used = true;
    return &t->s[stream];
}

bool nt_diag_tls_aborted(const nt_diag *d, uint32_t stream)
{
    const tlsst *t = d->st[DIAG_TLS];
    if (stream >= t->cap) return false;
    const tstream *s = &t->s[stream];
    return s->sh_frame && !s->server_after_frame;
}

/* The server's certificate against the name the client asked for (SNI)
 * and the name it resolved to reach this address. */
static void cert_names(nt_diag *d, const tstream *s, const nt_conn *c, uint64_t fr, const nt_x509 *x,
                       const char *flow)
{
    if (s->sni[0] && !nt_x509_name_matches(x, s->sni, false)) {
        nt_finding *f = finding(d, NT_F_TLS_CERT_NAME_MISMATCH);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, fr);
        ff(f, s->ch_frame);
        fstr(f, "sni", s->sni);
        fstr(f, "subject", x->subject);
        char names[128] = "";
        size_t at = 0;
        for (int k = 0; k < x->nsan && at < sizeof names - 1; k++)
            at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", k ? "," : "", x->san[k]);
        if (at >= sizeof names) at = sizeof names - 1;
        fstr(f, "dns_names", names);
        ftext(f,
              "The server's certificate (frame %llu) does not cover the name the client asked for, %s "
              "(SNI in frame %llu): it is for %s%s%s.",
              (unsigned long long)fr, s->sni, (unsigned long long)s->ch_frame, names[0] ? names : x->subject,
              x->nsan ? "" : " (no subjectAltName; the CN alone is not used by current clients)", "");
        fadvice(f,
                "Bind a certificate whose subjectAltName lists %s (a wildcard covers exactly one label) to "
                "this address and port, or check that the name resolves to the right server.",
                s->sni);
    }
    /* the name the client resolved to reach this address (the field notes'
     * DirectAccess case), when the SNI did not already say it */
    uint64_t dn_frame = 0;
    const char *dn = nt_diag_name_of(d, c->family, c->server, &dn_frame);
    if (dn && strcasecmp(dn, s->sni) && !nt_x509_name_matches(x, dn, false)) {
        nt_finding *f = finding(d, NT_F_DNS_RESOLVED_ELSEWHERE);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, dn_frame);
        ff(f, fr);
        fstr(f, "name", dn);
        fstr(f, "subject", x->subject);
        fnum(f, "dns_frame", (double)dn_frame);
        char sv[64];
        addr sa = {.fam = c->family};
        memcpy(sa.a, c->server, 16);
        nt_diag_addr_str(sv, sizeof sv, &sa);
        ftext(f,
              "DNS resolved %s to %s (frame %llu), but the certificate that address sends (frame %llu, %s) does "
              "not cover %s%s.",
              dn, sv, (unsigned long long)dn_frame, (unsigned long long)fr, x->subject, dn,
              s->sni[0] ? "" : " (the client sent no SNI)");
        fadvice(f,
                "The name points to the wrong server (or a server without the right certificate bound): check "
                "the DNS record for %s (internal vs. external zone) and the certificate on %s.",
                dn, sv);
    }
}

/* a certificate of the chain outside its validity at the capture's time */
static void cert_dates(nt_diag *d, uint64_t fr, int64_t now, const nt_x509 *x, int i, const char *flow)
{
    char when[64];
    if (x->not_after && now > x->not_after) {
        nt_finding *f = finding(d, NT_F_TLS_CERT_EXPIRED);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, fr);
        nt_buf b;
        nt_buf_init(&b);
        nt_buf_datetime(&b, (nt_time){x->not_after, 0}, 0, true);
        scpy(when, sizeof when, b.p);
        nt_buf_free(&b);
        fstr(f, "subject", x->subject);
        fstr(f, "not_after", when);
        fnum(f, "days_expired", (double)(now - x->not_after) / 86400.0);
        fnum(f, "chain_position", i);
        ftext(f, "The %s certificate sent in frame %llu (%s) expired on %s UTC, %lld days before the capture.",
              i == 0 ? "server's" : "chain's", (unsigned long long)fr, x->subject, when,
              (long long)((now - x->not_after) / 86400));
        fadvice(f, "Renew the certificate and bind the new one on the server (check every server behind the "
                   "name or load balancer).");
    } else if (x->not_before && now < x->not_before) {
        nt_finding *f = finding(d, NT_F_TLS_CERT_NOT_YET_VALID);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, fr);
        nt_buf b;
        nt_buf_init(&b);
        nt_buf_datetime(&b, (nt_time){x->not_before, 0}, 0, true);
        scpy(when, sizeof when, b.p);
        nt_buf_free(&b);
        fstr(f, "subject", x->subject);
        fstr(f, "not_before", when);
        fnum(f, "chain_position", i);
        ftext(f, "The certificate sent in frame %llu (%s) is valid only from %s UTC, after the capture's time.",
              (unsigned long long)fr, x->subject, when);
        fadvice(f, "Check the clocks of the server and the client (and of the capturing host), or the "
                   "certificate's validity dates.");
    }
}

static void check_cert(nt_diag *d, const tstream *s, const nt_conn *c, const nt_packet *pkt, const nt_tls_certs *certs)
{
    char flow[160];
    nt_diag_conn_flow(flow, sizeof flow, c);
    uint64_t fr = pkt->frame->number;
    int64_t now = pkt->frame->ts.sec;
    for (int i = 0; i < certs->n; i++) {
        nt_x509 x;
        if (!nt_x509_decode(certs->der[i], certs->der_len[i], &x)) continue;
        if (i == 0) cert_names(d, s, c, fr, &x, flow);
        cert_dates(d, fr, now, &x, i, flow);
    }
}

/* the hellos (the SNI, a renegotiation in the clear), the server's
 * certificates, a HelloRequest */
static void hellos(nt_diag *d, tstream *s, const nt_conn *c, int dir, const nt_packet *pkt)
{
    const nt_tls_frame *t = &pkt->app->tls;
    uint64_t fr = pkt->frame->number;
    if (t->has_ch && dir == 0) {
        s->nclient_hello++;
        if (!s->ch_frame) {
            s->ch_frame = fr;
            if (t->ch.has_sni) scpy(s->sni, sizeof s->sni, t->ch.sni);
        } else if (s->sh_frame && s->nclient_hello == 2) {
            nt_finding *f = finding(d, NT_F_TLS_RENEGOTIATION);
            nt_diag_conn_flow(f->flow, sizeof f->flow, c);
            ff(f, fr);
            ff(f, s->ch_frame);
            ftext(f, "The client sent a second ClientHello in the clear in frame %llu: a renegotiation (first "
                     "handshake at frame %llu).",
                  (unsigned long long)fr, (unsigned long long)s->ch_frame);
            fadvice(f, "Renegotiation is how IIS asks for a client certificate after the request: if the "
                       "connection fails here, look at the client certificate and the CA list.");
        }
    }
    if (t->has_sh && dir == 1 && !s->sh_frame) s->sh_frame = fr;
    if (t->has_certs && dir == 1 && !s->cert_checked) {
        s->cert_checked = true;
        s->cert_frame = fr;
        check_cert(d, s, c, pkt, &t->certs);
    }
    if (t->hello_request) {
        nt_finding *f = finding(d, NT_F_TLS_RENEGOTIATION);
        nt_diag_conn_flow(f->flow, sizeof f->flow, c);
        ff(f, fr);
        ftext(f, "The server asked for a renegotiation (HelloRequest) in frame %llu.", (unsigned long long)fr);
        fadvice(f, "Usually the server wants a client certificate for this resource: check that the client has "
                   "one issued by a CA the server's list names.");
    }
}

/* a CertificateRequest whose CA list nears or passes SChannel's limit */
static void ca_list(nt_diag *d, const nt_conn *c, const nt_packet *pkt)
{
    const nt_tls_frame *t = &pkt->app->tls;
    uint64_t fr = pkt->frame->number;
    uint32_t n = t->certreq.dn_len;
    if (n < d->o.ca_list_warn) return;
    bool over = n >= d->o.ca_list_limit;
    nt_finding *f = finding_sev(d, NT_F_TLS_CLIENT_CA_LIST_LARGE, over ? NT_SEV_ERROR : NT_SEV_WARNING);
    nt_diag_conn_flow(f->flow, sizeof f->flow, c);
    ff(f, fr);
    fnum(f, "ca_list_bytes", n);
    fnum(f, "ca_names", t->certreq.ndn);
    fnum(f, "limit_bytes", d->o.ca_list_limit);
    /* the first few names, so that the admin sees which store they come from */
    char first[400] = "";
    size_t fl = 0;
    int shown = 0;
    nt_cur dl = nt_cur_make(t->certreq.dn, t->certreq.dn ? t->certreq.dn_len : 0);
    while (shown < 3 && nt_cur_left(&dl) >= 2) {
        uint16_t l = nt_cur_be16(&dl);
        const uint8_t *p = nt_cur_ptr(&dl);
        if (!nt_cur_skip(&dl, l)) break;
        char cn[120];
        if (!nt_x509_name_cn(p, l, cn, sizeof cn)) continue;
        if (!shown) fstr(f, "first_ca", cn);
        fl += (size_t)snprintf(first + fl, sizeof first - fl, "%s%s", shown ? "; " : "", cn);
        if (fl >= sizeof first) fl = sizeof first - 1;
        shown++;
    }
    ftext(f,
          "The server's CertificateRequest in frame %llu lists %u CA names in %u bytes, %s the %u-byte "
          "limit of Windows' TLS stack (SChannel)%s%s.",
          (unsigned long long)fr, t->certreq.ndn, n, over ? "over" : "near", d->o.ca_list_limit,
          shown ? "; the first: " : "", first);
    fadvice(f, "Remove the CAs that do not issue client certificates from the server's trusted root "
               "store (or set SendTrustedIssuerList to 0 on IIS), so the list shrinks.");
}

/* Handshake progress, record by record: after a side's ChangeCipherSpec
 * its first encrypted handshake message is its Finished; any later one
 * (TLS 1.2 and below; 1.3 hides the record type) starts a renegotiation,
 * seen only as "Encrypted Handshake Message". */
static void progress(tstream *s, int dir, const nt_tls_rec_info *r, uint64_t fr, nt_time ts)
{
    if (r->type == NT_TLS_CT_CCS) {
        s->tls_st[dir] = 1;
    } else if (r->type == NT_TLS_CT_HANDSHAKE && r->encrypted && !r->opaque) {
        if (s->tls_st[dir] == 1) {
            s->tls_st[dir] = 2;
            if (!s->nreneg) s->reneg_fin_frame = fr, s->fin_ts = ts; /* the later Finished */
            if (s->reneg_on && s->tls_st[1 - dir] == 2) s->reneg_on = false;
        } else if (s->tls_st[dir] == 2 && s->tls_st[1 - dir] == 2 && !s->reneg_on) {
            s->reneg_on = true;
            if (!s->nreneg++) {
                s->reneg_frame = fr;
                s->reneg_by = dir;
                s->reneg_ts = ts;
            }
        } else if (s->reneg_on && s->nreneg == 1 && dir != s->reneg_by && !s->reneg_reply_frame) {
            s->reneg_reply_frame = fr;
        }
    }
    if (s->sh_frame) {
        if (dir == 0 && !s->client_after_frame && fr >= s->sh_frame &&
            (r->type == NT_TLS_CT_CCS || r->type == NT_TLS_CT_APPDATA || r->type == NT_TLS_CT_HANDSHAKE))
            s->client_after_frame = fr;
        else if (dir == 1 && s->client_after_frame && !s->server_after_frame && fr > s->client_after_frame &&
                 (r->type == NT_TLS_CT_CCS || r->type == NT_TLS_CT_APPDATA || r->type == NT_TLS_CT_HANDSHAKE))
            s->server_after_frame = fr;
    }
}

static void alert(nt_diag *d, const tstream *s, const nt_conn *c, int dir, const nt_tls_rec_info *r, uint64_t fr)
{
    if (r->type != NT_TLS_CT_ALERT || r->encrypted || r->opaque) return;
    if (r->alert_desc == 0 && r->alert_level == 1) return; /* close_notify */
    bool fatal = r->alert_level == 2;
    nt_finding *f = finding_sev(d, NT_F_TLS_ALERT, fatal ? NT_SEV_ERROR : NT_SEV_WARNING);
    nt_diag_conn_flow(f->flow, sizeof f->flow, c);
    ff(f, fr);
    fstr(f, "sender", dir ? "server" : "client");
    fnum(f, "level", r->alert_level);
    fnum(f, "description", r->alert_desc);
    const char *name = nt_tls_alert_name(r->alert_desc);
    fstr(f, "alert", name ? name : "unknown");
    ftext(f, "The %s sent a %s TLS alert in frame %llu: %s (%u).", dir ? "server" : "client",
          fatal ? "fatal" : "warning", (unsigned long long)fr, name ? name : "unknown", r->alert_desc);
    switch (r->alert_desc) {
    case 42: case 43: case 44: case 45: case 46: case 48:
        fadvice(f, "The %s rejected the peer's certificate: check its names, dates and chain against the "
                   "%s's trusted CAs.",
                dir ? "server" : "client", dir ? "server" : "client");
        break;
    case 40: case 70: case 71:
        fadvice(f, "No common protocol version or cipher suite: compare the ClientHello (frame %llu) with "
                   "what the server allows.",
                (unsigned long long)s->ch_frame);
        break;
    case 112:
        fadvice(f, "The server does not know the name in the SNI (%s): check the server's bindings.",
                s->sni[0] ? s->sni : "none sent");
        break;
    default: fadvice(f, "Look at the %s's TLS logs for why it gave up.", dir ? "server" : "client");
    }
}

/* a renegotiation seen as an encrypted handshake message; unfinished: the
 * connection ended before both sides' new Finished */
static void reneg_rule(nt_diag *d, const tstream *s, const char *flow)
{
    static const char *side[2] = {"client", "server"};
    char b1[32];
    if (s->nreneg) {
        bool open = s->reneg_on;
        nt_finding *f = finding_sev(d, NT_F_TLS_RENEGOTIATION, open ? NT_SEV_WARNING : NT_SEV_NOTICE);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, s->reneg_frame);
        if (s->reneg_reply_frame) ff(f, s->reneg_reply_frame);
        if (s->reneg_fin_frame) ff(f, s->reneg_fin_frame);
        fstr(f, "initiator", side[s->reneg_by]);
        fnum(f, "renegotiations", s->nreneg);
        fnum(f, "after_handshake_s", s->reneg_fin_frame ? secs(s->reneg_ts, s->fin_ts) : 0);
        fstr(f, "completed", open ? "no" : "yes");
        ftext(f,
              "The %s started a TLS renegotiation in frame %llu, %s after the handshake ended (frame %llu): an "
              "encrypted handshake message inside the established session%s%s.",
              side[s->reneg_by], (unsigned long long)s->reneg_frame,
              dur(b1, sizeof b1, s->reneg_fin_frame ? secs(s->reneg_ts, s->fin_ts) : 0),
              (unsigned long long)s->reneg_fin_frame, s->nreneg > 1 ? ", the first of several" : "",
              open ? "; it never completed" : "");
        if (s->reneg_by == 1)
            fadvice(f, "A server renegotiates (HelloRequest) mostly to ask for a client certificate for one "
                       "resource (IIS, client certificates negotiated per folder): check the client has a "
                       "certificate from a CA in the server's list, or require it in the first handshake.");
        else
            fadvice(f, "Client-initiated renegotiation is refused by many servers (and was a DoS vector): if the "
                       "connection failed here, look at the server's renegotiation settings.");
    }
}

/* the client never went on after the server's hello, and the connection closed */
static void aborted_rule(nt_diag *d, const tstream *s, const nt_conn *c, const char *flow)
{
    static const char *side[2] = {"client", "server"};
    if (s->sh_frame && !s->server_after_frame && nt_conn_end_of(c) != NT_END_OPEN) {
        nt_finding *f = finding(d, NT_F_TLS_HANDSHAKE_ABORTED);
        scpy(f->flow, sizeof f->flow, flow);
        ff(f, s->ch_frame);
        ff(f, s->sh_frame);
        ff(f, s->cert_frame);
        uint64_t endf = nt_conn_end_of(c) == NT_END_RESET ? c->rst_frame : c->fin_frame;
        int by = nt_conn_end_of(c) == NT_END_RESET ? c->rst_by : c->fin_by;
        ff(f, endf);
        fstr(f, "closed_by", side[by]);
        if (s->sni[0]) fstr(f, "sni", s->sni);
        ftext(f,
              "The TLS handshake did not complete: after the server's hello (frame %llu)%s the %s closed the "
              "connection (frame %llu).",
              (unsigned long long)s->sh_frame, s->cert_frame ? " and certificate" : "", side[by],
              (unsigned long long)endf);
        fadvice(f, "The %s did not accept the handshake: look for a TLS alert just before the close and check the "
                   "certificate (names, dates, chain) and the protocol versions both sides allow.",
                side[by]);
    }
}

static void *tls_init(nt_diag *d)
{
    (void)d;
    tlsst *t = calloc(1, sizeof *t);
    if (!t) abort();
    return t;
}

static void tls_observe(nt_diag *d, void *st, const diag_pkt *p)
{
    const nt_packet *pkt = p->pkt;
    if (!p->conn || !pkt->app || !pkt->app->has_tls) return;
    tstream *s = tstream_slot(st, p->stream);
    const nt_tls_frame *t = &pkt->app->tls;
    hellos(d, s, p->conn, p->dir, pkt);
    if (t->has_certreq && p->dir == 1) ca_list(d, p->conn, pkt);
    for (int i = 0; i < t->nrec; i++) {
        progress(s, p->dir, &t->rec[i], p->frame, p->ts);
        alert(d, s, p->conn, p->dir, &t->rec[i], p->frame);
    }
}

static void tls_finish(nt_diag *d, void *st, const nt_trace *tr)
{
    (void)tr;
    tlsst *t = st;
    for (size_t i = 0; i < t->cap && i < d->conns.max_stream_plus1; i++) {
        const tstream *s = &t->s[i];
        const nt_conn *c = &d->conns.c[i];
        if (!s->used || !c->used) continue;
        char flow[160];
        nt_diag_conn_flow(flow, sizeof flow, c);
        reneg_rule(d, s, flow);
        aborted_rule(d, s, c, flow);
    }
}

static void tls_free(void *st)
{
    tlsst *t = st;
    if (!t) return;
    free(t->s);
    free(t);
}

const nt_diag_rule nt_diag_tls_rule = {"tls", tls_init, tls_observe, tls_finish, tls_free};
