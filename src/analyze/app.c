/* app.c - application messages in TCP streams and UDP datagrams: picks
 * the protocol of a stream (well-known port, else the content), reassembles
 * TCP payload into messages and hands each complete one to its parser in
 * proto/.
 *
 * Reassembly, per direction, is Wireshark 4.0's with its default
 * preferences (desegment on, out-of-order reassembly off, no subdissector
 * on error): a message whose length is known is a multi-segment message
 * (MSP) that takes every byte falling inside it, in whatever order, and is
 * decoded in the frame that brings its last missing byte; bytes outside any
 * known message start a new one. So a lost segment whose retransmission is
 * captured costs nothing, and one never re-sent costs its message only:
 * decoding resumes at the next message boundary. A plain retransmission is
 * not used (Wireshark does not), a fast one or an out-of-order segment is.
 * Memory is bounded: a message keeps at most APP_KEEP bytes (a long HTTP
 * body is counted, not kept), at most MSP_OPEN incomplete messages per
 * direction keep bytes, and buffers exist only while a message is
 * incomplete. */
#include "app_int.h"

#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define APP_KEEP (256u * 1024)
#define HS_MAX (256u * 1024) /* a handshake message larger than this is not reassembled */

enum { FR_NEED = -1, FR_NOT = -2 };

/* A multi-segment message (Wireshark's "MSP"): relative sequence numbers
 * [seq, nxtpdu), the byte ranges received so far (offsets from seq, sorted,
 * disjoint) and the first APP_KEEP bytes. */
#define MSP_MAX 6       /* remembered per direction, complete or not */
#define MSP_OPEN 3      /* of which incomplete ones keep bytes */
#define MSP_RANGES 16   /* more holes than this: the message is given up */
typedef struct msp {
    bool used, done, broken;
    bool entire;             /* length not known yet: takes the whole next segment
                                (Wireshark's DESEGMENT_ONE_MORE_SEGMENT) */
    bool tail;               /* the bytes up to nxtpdu have arrived */
    bool reported;           /* a later frame said decoding resumed after it */
    uint32_t seq, nxtpdu;
    uint64_t first_frame;
    uint32_t nframes;
    uint8_t *buf;
    uint32_t cap;
    uint8_t nr;
    struct { uint32_t a, b; } r[MSP_RANGES];
} msp;

typedef struct rdir {
    msp *m;                  /* MSP_MAX, allocated at the first message spanning segments */
    /* TLS */
    bool ccs;                /* ChangeCipherSpec seen: handshake records are encrypted */
    uint8_t *hs;             /* a handshake message spanning records */
    uint32_t hs_len, hs_cap; /* hs_len: the message's bytes so far */
    bool hs_skip;            /* too large to keep: r->hs holds its header only */
} rdir;

#define HTTP_PENDING 8
struct nt_app_flow {
    uint8_t proto;           /* 0 undecided, NT_P_TLS, NT_P_HTTP, NT_P_DATA (none) */
    rdir d[2];
    uint16_t tls_version;    /* negotiated, 0 until a ServerHello */
    struct {
        uint64_t frame;
        nt_time ts;
        bool head;
    } req[HTTP_PENDING];
    uint8_t nreq, req0;
    bool http_seen;          /* an HTTP message: later non-message bytes are "Continuation" */
    /* DNS queries by ID, for the response's time (a small ring) */
    struct {
        uint16_t id;
        bool used, answered;
        uint64_t frame;
        nt_time ts;
    } dq[16];
    uint8_t dq_next;
};

/* buffers handed to a packet stay alive until the next frame */
#define HOLD_MAX (NT_APP_MAX_PDU + 4)
static void hold(nt_app *a, uint8_t *p)
{
    if (!p) return;
    if (a->nhold < HOLD_MAX) a->hold[a->nhold++] = p;
    else free(p); /* cannot happen: at most one buffer per message and per direction */
}

void nt_app_init(nt_app *a)
{
    memset(a, 0, sizeof *a);
    a->hold = calloc(HOLD_MAX, sizeof *a->hold);
    if (!a->hold) abort();
}

void nt_app_fini(nt_app *a)
{
    for (int i = 0; i < a->nhold; i++) free(a->hold[i]);
    free(a->hold);
}

void nt_app_begin(nt_app *a)
{
    for (int i = 0; i < a->nhold; i++) free(a->hold[i]);
    a->nhold = 0;
    nt_appdata *d = &a->data;
    d->npdu = 0;
    d->seg = 0;
    d->seg_tls = false;
    d->seg_info[0] = 0;
    d->has_tls = false;
    d->tls.nrec = 0;
    d->tls.has_ch = d->tls.has_sh = d->tls.has_certs = d->tls.has_certreq = d->tls.hello_request = false;
    d->nhttp = 0;
    d->ndns = 0;
    d->nsip = d->nsdp = d->nrtp = d->nrtcp = d->nstun = d->ndhcp = d->nnbns = d->ntpkt = 0;
    d->cut = false;
    d->quoted = false;
    d->has_media_stun = false;
    d->reasm_error = false;
    d->resync_from = d->resync_missing = 0;
}

void nt_app_flow_free(nt_app_flow *f)
{
    if (!f) return;
    for (int i = 0; i < 2; i++) {
        for (int k = 0; f->d[i].m && k < MSP_MAX; k++) free(f->d[i].m[k].buf);
        free(f->d[i].m);
        free(f->d[i].hs);
    }
    free(f);
}

/* ---- framing: how long is the message at p? -------------------------- */

/* Wireshark 4.0's "tcp.port" table for TLS and HTTP (`tshark -G decodes`) */
static bool is_tls_port(uint16_t p)
{
    static const uint16_t ports[] = {324,  443,  465,  636,  802,  853,  993,  995,  1300,  2221,  2443,  3249,
                                     3250, 3251, 3252, 3496, 5061, 5671, 5684, 5868, 8883, 11207, 19999, 27017};
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (p == ports[i]) return true;
    return false;
}
static bool is_http_port(uint16_t p)
{
    static const uint16_t ports[] = {80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371};
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (p == ports[i]) return true;
    return false;
}

/* Wireshark's HTTP heuristic (dissect_http_heur_tcp): the first line ends
 * with "HTTP/1.x" or begins with "HTTP/1." */
static bool http_heuristic(const uint8_t *p, uint32_t len)
{
    uint32_t l = 0;
    while (l + 1 < len && !(p[l] == '\r' && p[l + 1] == '\n')) l++;
    if (l + 1 >= len || l == 8) return false;
    if (l >= 8 && !strncasecmp((const char *)p + l - 8, "HTTP/1.", 7)) return true;
    return l >= 7 && !strncasecmp((const char *)p, "HTTP/1.", 7);
}

/* Length of a chunked body at p, or 0 while it is not complete. */
static uint64_t chunked_len(const uint8_t *p, uint32_t len)
{
    uint32_t i = 0;
    for (;;) {
        uint64_t n = 0;
        int digits = 0;
        while (i < len) {
            uint8_t ch = p[i];
            int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                                                        : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
            if (v < 0) break;
            if (n > (1ULL << 40)) return 0;
            n = n * 16 + (uint64_t)v, digits++, i++;
        }
        if (!digits) return 0;
        while (i < len && p[i] != '\n') i++; /* chunk extensions */
        if (i >= len) return 0;
        i++;
        if (n == 0) { /* trailers, then an empty line */
            for (;;) {
                if (i + 1 < len && p[i] == '\r' && p[i + 1] == '\n') return i + 2;
                if (i < len && p[i] == '\n') return i + 1;
                while (i < len && p[i] != '\n') i++;
                if (i >= len) return 0;
                i++;
            }
        }
        if ((uint64_t)len - i < n + 2) return 0;
        i += (uint32_t)n + 2;
    }
}

/* The HTTP message's total length, FR_NEED or FR_NOT. A message that is
 * chunked is measured on what is kept; one without a length (a response
 * read until the close) is its head. */
static int64_t http_frame(nt_app_flow *f, int dir, const uint8_t *p, uint32_t len)
{
    /* Wireshark waits for a first line whatever the bytes are; a first line
     * that does not start a message makes the rest "Continuation" */
    if (!memchr(p, '\n', len)) return len >= APP_KEEP ? (int64_t)len : FR_NEED;
    /* before any message, bytes that do not start one are not HTTP (tshark
     * leaves them to TCP) */
    if (!nt_http_sniff(p, len)) return f->http_seen ? (int64_t)len : FR_NOT;
    uint32_t hl = nt_http_head_len(p, len);
    if (!hl) return len >= APP_KEEP ? (int64_t)len : FR_NEED;
    nt_http h;
    if (!nt_http_parse(p, hl, &h)) return len;
    if (!h.request) {
        bool head = false;
        if (f->nreq && dir == 1) head = f->req[f->req0].head;
        if (head || h.code / 100 == 1 || h.code == 204 || h.code == 304) return hl;
    }
    if (h.chunked) {
        uint64_t b = chunked_len(p + hl, len - hl);
        if (b) return (int64_t)(hl + b);
        return len >= APP_KEEP ? (int64_t)len : FR_NEED;
    }
    if (h.has_content_length) return (int64_t)(hl + h.content_length);
    return hl;
}

static int64_t frame_len(nt_app_flow *f, int dir, const uint8_t *p, uint32_t len)
{
    switch (f->proto) {
    case NT_P_DNS: /* RFC 1035 4.2.2: a 2-byte length first */
        if (len < 2) return FR_NEED;
        return 2 + ((uint32_t)p[0] << 8 | p[1]);
    case NT_P_TLS: {
        int32_t l = nt_tls_record_len(p, len);
        /* bytes with an invalid content type (e.g. TURN after MS-TURN's
         * pseudo-TLS hello): tshark's TLS dissector takes the rest of the
         * segment as one unknown record, unless they start with four
         * printable characters ("unencrypted text": left to TCP) */
        if (l == 0 && (p[0] < NT_TLS_CT_CCS || p[0] > NT_TLS_CT_HEARTBEAT) &&
            !(isprint(p[0]) && isprint(p[1]) && isprint(p[2]) && isprint(p[3])))
            return len;
        return l < 0 ? FR_NEED : l == 0 ? FR_NOT : l;
    }
    case NT_P_HTTP: return http_frame(f, dir, p, len);
    case NT_P_SIP: {
        uint32_t ml = 0;
        int r = nt_sip_msg_len(p, len, &ml);
        if (r == NT_SIP_LEN_MORE && ml) return ml; /* headers complete: the body's length is known */
        return r == NT_SIP_LEN_OK ? (int64_t)ml : r == NT_SIP_LEN_MORE ? (len >= APP_KEEP ? FR_NOT : FR_NEED) : FR_NOT;
    }
    case NT_P_STUN: /* over TCP: framed by the header's length (RFC 5389 7.2.2) */
        if (len >= 1 && (p[0] & 0xc0) == 0x40) { /* ChannelData, padded to 4 bytes over TCP (RFC 5766 11.5) */
            if (len < 4) return FR_NEED;
            return (4 + ((uint32_t)p[2] << 8 | p[3]) + 3) & ~(uint32_t)3;
        }
        if (len < 20) return FR_NEED;
        if (!nt_stun_is_message(p, 20 + ((uint32_t)p[2] << 8 | p[3])) && (p[0] & 0xc0)) return FR_NOT;
        return 20 + ((uint32_t)p[2] << 8 | p[3]);
    case NT_P_TPKT: {
        uint32_t ml = 0;
        int r = nt_tpkt_msg_len(p, len, &ml);
        return r == NT_TPKT_LEN_OK ? (int64_t)ml : r == NT_TPKT_LEN_MORE ? FR_NEED : FR_NOT;
    }
    default: return FR_NOT;
    }
}

/* ---- decoding complete messages -------------------------------------- */

static void tls_hs_message(nt_app *a, nt_app_flow *f, uint8_t type, const uint8_t *body, uint32_t len)
{
    nt_tls_frame *t = &a->data.tls;
    switch (type) {
    case NT_TLS_HS_CLIENT_HELLO:
        t->has_ch = nt_tls_hello_parse(type, body, len, &t->ch);
        break;
    case NT_TLS_HS_SERVER_HELLO:
        t->has_sh = nt_tls_hello_parse(type, body, len, &t->sh);
        if (t->has_sh) f->tls_version = nt_tls_hello_selected(&t->sh);
        break;
    case NT_TLS_HS_CERTIFICATE:
        t->has_certs = nt_tls_certs_parse(body, len, f->tls_version == 0x0304, &t->certs);
        break;
    case NT_TLS_HS_CERTIFICATE_REQUEST:
        t->has_certreq = nt_tls_certreq_parse(body, len, f->tls_version == 0x0303, &t->certreq);
        break;
    case NT_TLS_HS_HELLO_REQUEST: t->hello_request = true; break;
    default: break;
    }
}

static void tls_note_hs(nt_tls_rec_info *ri, uint8_t type)
{
    if (ri->nhs < NT_TLS_REC_MAX_HS) ri->hs[ri->nhs++] = type;
}

/* The handshake messages in one record's body, with the part of a message
 * that continues in the next record kept in r->hs, as tshark 4.0's
 * dissect_tls_handshake: bytes go to a message still open first (whatever
 * they are, even after ChangeCipherSpec); only a record that continues
 * nothing may be taken as encrypted; a later message of an unknown type is
 * skipped (or, incomplete, opened) without a word; a fragment is named
 * only as the record's first message. A message too large to keep
 * (r->hs_skip) is counted, not kept. */
static void tls_handshake(nt_app *a, nt_app_flow *f, rdir *r, nt_tls_rec_info *ri, const uint8_t *p, uint32_t len)
{
    bool first = true;
    if (r->hs_len) { /* a message begun in an earlier record */
        uint32_t need = 4 + ((uint32_t)r->hs[1] << 16 | (uint32_t)r->hs[2] << 8 | r->hs[3]);
        uint32_t take = need - r->hs_len < len ? need - r->hs_len : len;
        if (!r->hs_skip) {
            if (r->hs_len + take > r->hs_cap) {
                uint32_t nc = r->hs_len + take;
                uint8_t *nb = realloc(r->hs, nc);
                if (!nb) abort();
                r->hs = nb, r->hs_cap = nc;
            }
            memcpy(r->hs + r->hs_len, p, take);
        }
        r->hs_len += take;
        p += take, len -= take;
        /* a continuation that does not complete the message adds nothing
         * to Info (step 2) */
        if (r->hs_len < need) return;
        if (nt_tls_hs_name(r->hs[0])) tls_note_hs(ri, r->hs[0]);
        if (!r->hs_skip) tls_hs_message(a, f, r->hs[0], r->hs + 4, need - 4);
        hold(a, r->hs);
        r->hs = NULL, r->hs_len = r->hs_cap = 0, r->hs_skip = false;
        first = false;
    }
    while (len >= 4) {
        uint8_t type = p[0];
        uint32_t ml = (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        bool known = nt_tls_hs_name(type) != NULL;
        if (first && !known) { /* not a message header: encrypted (Finished after a resumption) */
            ri->encrypted = true;
            ri->nhs = 0;
            return;
        }
        if (ml + 4 > len) {
            if (first && ml + 4 > HS_MAX) {
                ri->encrypted = true;
                return;
            }
            bool skip = ml + 4 > HS_MAX;
            uint32_t cap = skip ? 4 : ml + 4;
            r->hs = malloc(cap);
            if (!r->hs) abort();
            r->hs_cap = cap;
            memcpy(r->hs, p, skip ? 4 : len);
            r->hs_len = len;
            r->hs_skip = skip;
            ri->frag = first;
            ri->frag_type = type;
            return;
        }
        if (known) {
            tls_note_hs(ri, type);
            tls_hs_message(a, f, type, p + 4, ml);
        }
        p += 4 + ml, len -= 4 + ml;
        first = false;
    }
    if (len && first) ri->encrypted = true;
}

static void tls_record(nt_app *a, nt_app_flow *f, int dir, const uint8_t *p, uint32_t len)
{
    nt_tls_record rec;
    nt_tls_frame *t = &a->data.tls;
    if (!nt_tls_record_parse(p, len, &rec)) {
        if (!len || t->nrec >= NT_TLS_MAX_REC) return;
        a->data.has_tls = true;
        nt_tls_rec_info *ri = &t->rec[t->nrec++];
        memset(ri, 0, sizeof *ri);
        ri->type = p[0];
        ri->unknown = true;
        t->version = f->tls_version;
        return;
    }
    a->data.has_tls = true;
    if (t->nrec >= NT_TLS_MAX_REC) return;
    nt_tls_rec_info *ri = &t->rec[t->nrec++];
    memset(ri, 0, sizeof *ri);
    ri->type = rec.type, ri->version = rec.version, ri->length = rec.length;
    ri->opaque = rec.type == NT_TLS_CT_APPDATA && f->tls_version == 0x0304;
    rdir *r = &f->d[dir];
    switch (rec.type) {
    case NT_TLS_CT_CCS: r->ccs = true; break;
    case NT_TLS_CT_HANDSHAKE:
        /* a handshake message still open takes the next handshake record
         * of its direction whole or in part, even after ChangeCipherSpec:
         * tshark adds to a pending reassembly before it asks whether the
         * record is encrypted (a first fragment that arrives late, after
         * its continuation, leaves it open until the Finished record) */
        if (r->ccs && !r->hs_len) ri->encrypted = true;
        else tls_handshake(a, f, r, ri, rec.frag, rec.length);
        break;
    case NT_TLS_CT_ALERT:
        if (r->ccs || rec.length != 2) {
            ri->encrypted = true;
        } else {
            ri->alert_level = rec.frag[0];
            ri->alert_desc = rec.frag[1];
        }
        break;
    default: break;
    }
    t->version = f->tls_version ? f->tls_version : rec.version;
}

static void http_message(nt_app *a, nt_app_flow *f, int dir, const nt_frame *fr, nt_app_pdu *pdu)
{
    nt_appdata *d = &a->data;
    if (d->nhttp >= NT_APP_MAX_HTTP) return;
    nt_http_msg *m = &d->http[d->nhttp];
    memset(m, 0, sizeof *m);
    pdu->idx = d->nhttp++;
    uint32_t hl = nt_http_head_len(pdu->p, pdu->len);
    if (!hl && a->data.cut) hl = pdu->len; /* a head cut short: its complete lines */
    if (!hl || !nt_http_sniff(pdu->p, pdu->len) || !nt_http_parse(pdu->p, hl, &m->h)) {
        m->continuation = true;
        return;
    }
    f->http_seen = true;
    m->body_len = pdu->full_len - hl;
    if (m->h.request) {
        if (f->nreq == HTTP_PENDING) { /* forget the oldest unanswered request */
            f->req0 = (uint8_t)((f->req0 + 1) % HTTP_PENDING);
            f->nreq--;
        }
        int i = (f->req0 + f->nreq) % HTTP_PENDING;
        f->req[i].frame = pdu->first_frame;
        f->req[i].ts = fr->ts;
        f->req[i].head = m->h.method.len == 4 && !memcmp(m->h.method.p, "HEAD", 4);
        f->nreq++;
    } else if (f->nreq && m->h.code / 100 != 1) {
        (void)dir;
        m->request_in = f->req[f->req0].frame;
        m->has_time = true;
        m->time_ns = nt_time_diff_ns(fr->ts, f->req[f->req0].ts);
        f->req0 = (uint8_t)((f->req0 + 1) % HTTP_PENDING);
        f->nreq--;
    }
}

static bool dns_message(nt_app *a, nt_app_flow *f, const nt_frame *fr, nt_app_pdu *pdu, bool tcp)
{
    nt_appdata *d = &a->data;
    if (d->ndns >= sizeof d->dns / sizeof d->dns[0]) return false;
    const uint8_t *p = pdu->p + (tcp ? 2 : 0);
    uint32_t len = pdu->len - (tcp ? 2 : 0);
    nt_dns_info *m = &d->dns[d->ndns];
    if (!nt_app_dns_decode(m, p, len)) return false;
    pdu->idx = d->ndns++;
    int slot = -1;
    for (int i = 0; i < 16; i++)
        if (f->dq[i].used && f->dq[i].id == m->m.h.id) slot = i;
    if (!m->m.h.qr) {
        if (slot >= 0 && !f->dq[slot].answered) {
            m->retransmission = true;
            return true;
        }
        slot = f->dq_next;
        f->dq_next = (uint8_t)((f->dq_next + 1) % 16);
        f->dq[slot].used = true;
        f->dq[slot].answered = false;
        f->dq[slot].id = m->m.h.id;
        f->dq[slot].frame = fr->number;
        f->dq[slot].ts = fr->ts;
    } else if (slot >= 0) {
        m->response_to = f->dq[slot].frame;
        m->has_time = true;
        m->time_ns = nt_time_diff_ns(fr->ts, f->dq[slot].ts);
        if (f->dq[slot].answered) m->retransmission = true;
        f->dq[slot].answered = true;
    }
    return true;
}

static void add_ep(nt_app *a, uint8_t fam, const uint8_t *addr, uint16_t port, bool rtcp, const nt_sdp_media *m)
{
    nt_app_ep *e = NULL;
    for (int i = 0; i < a->neps && !e; i++)
        if (a->eps[i].family == fam && a->eps[i].port == port && !memcmp(a->eps[i].addr, addr, 16)) e = &a->eps[i];
    if (!e) { /* a full table forgets the oldest endpoint */
        e = &a->eps[a->ep_next];
        a->ep_next = (a->ep_next + 1) % NT_APP_MAX_EP;
        if (a->neps < NT_APP_MAX_EP) a->neps++;
    }
    e->family = fam;
    memcpy(e->addr, addr, 16);
    e->port = port;
    e->rtcp = rtcp;
    e->nmap = 0;
    for (int i = 0; i < m->nrtpmap && e->nmap < 8; i++) {
        e->map[e->nmap].pt = m->rtpmap[i].pt;
        nt_text_cstr(m->rtpmap[i].encoding, e->map[e->nmap].name, sizeof e->map[0].name);
        e->nmap++;
    }
}

static const nt_app_ep *find_ep(const nt_app *a, uint8_t fam, const uint8_t *addr, uint16_t port)
{
    uint8_t k[16] = {0};
    memcpy(k, addr, fam == 4 ? 4 : 16);
    for (int i = 0; i < a->neps; i++)
        if (a->eps[i].family == fam && a->eps[i].port == port && !memcmp(a->eps[i].addr, k, 16)) return &a->eps[i];
    return NULL;
}

bool nt_app_sdp_endpoint(const nt_app *a, uint8_t fam, const uint8_t *addr, uint16_t port)
{
    return find_ep(a, fam, addr, port) != NULL;
}

bool nt_app_rtp_media(const nt_sdp_media *m)
{
    return nt_text_ieq(m->proto, "RTP/AVP") || nt_text_ieq(m->proto, "RTP/SAVP");
}

/* RTP and RTCP flows announced by an SDP body */
static void learn_sdp(nt_app *a, const nt_sdp *s)
{
    nt_sdp_endpoint e[NT_SDP_MAX_MEDIA];
    int n = nt_sdp_endpoints(s, e, NT_SDP_MAX_MEDIA);
    for (int i = 0; i < n; i++) {
        const nt_sdp_media *m = &s->media[e[i].media_idx];
        if (!nt_app_rtp_media(m)) continue;
        uint8_t ad[16] = {0}, r[16] = {0};
        memcpy(ad, e[i].addr, e[i].family == 4 ? 4 : 16);
        memcpy(r, e[i].rtcp_addr, e[i].rtcp_family == 4 ? 4 : 16);
        add_ep(a, e[i].family, ad, e[i].rtp_port, false, m);
        if (e[i].rtcp_family) add_ep(a, e[i].rtcp_family, r, e[i].rtcp_port, true, m);
    }
}

static bool sip_message(nt_app *a, nt_app_pdu *pdu)
{
    nt_appdata *d = &a->data;
    if (d->nsip >= sizeof d->sip / sizeof d->sip[0]) return false;
    nt_sip *m = &d->sip[d->nsip];
    if (!nt_sip_parse(pdu->p, pdu->len, m)) return false;
    pdu->idx = d->nsip++;
    d->sip_sdp[pdu->idx] = -1;
    if (nt_sip_has_sdp(m) && d->nsdp < sizeof d->sdp / sizeof d->sdp[0] &&
        nt_sdp_parse(m->body, m->body_len, &d->sdp[d->nsdp])) {
        learn_sdp(a, &d->sdp[d->nsdp]);
        d->sip_sdp[pdu->idx] = (int8_t)d->nsdp++;
    }
    return true;
}

static bool tpkt_message(nt_app *a, nt_app_pdu *pdu)
{
    nt_appdata *d = &a->data;
    if (d->ntpkt >= sizeof d->tpkt / sizeof d->tpkt[0]) return false;
    if (!nt_tpkt_parse(pdu->p, pdu->len, &d->tpkt[d->ntpkt])) return false;
    pdu->idx = d->ntpkt++;
    return true;
}

static void emit(nt_app *a, nt_app_flow *f, int dir, const nt_frame *fr, const uint8_t *p, uint32_t len,
                 uint64_t full, uint64_t first, uint32_t nframes)
{
    nt_appdata *d = &a->data;
    if (d->npdu >= NT_APP_MAX_PDU) return;
    nt_app_pdu *pdu = &d->pdu[d->npdu++];
    pdu->proto = f->proto;
    pdu->idx = 0;
    pdu->p = p, pdu->len = len, pdu->full_len = full;
    pdu->first_frame = first, pdu->nframes = nframes;
    if (f->proto == NT_P_TLS) tls_record(a, f, dir, p, len);
    else if (f->proto == NT_P_HTTP) http_message(a, f, dir, fr, pdu);
    else if (f->proto == NT_P_DNS) dns_message(a, f, fr, pdu, true);
    else if (f->proto == NT_P_SIP) sip_message(a, pdu);
    else if (f->proto == NT_P_TPKT) tpkt_message(a, pdu);
    else if (f->proto == NT_P_STUN) {
        nt_appdata *d = &a->data;
        if (d->nstun < sizeof d->stun / sizeof d->stun[0] &&
            (nt_stun_parse(p, len, &d->stun[d->nstun], NULL) == 0 || nt_stun_parse_channeldata(p, len, &d->stun[d->nstun]) == 0))
            pdu->idx = d->nstun++;
        else
            d->npdu--;
    }
}

/* ---- TCP ------------------------------------------------------------- */

static uint32_t msp_total(const msp *m) { return m->nxtpdu - m->seq; }

static uint32_t msp_have(const msp *m)
{
    uint32_t n = 0;
    for (int i = 0; i < m->nr; i++) n += m->r[i].b - m->r[i].a;
    return n;
}

static bool msp_complete(const msp *m)
{
    return m->tail && !m->broken && m->nr == 1 && m->r[0].a == 0 && m->r[0].b >= msp_total(m);
}

static void msp_give_up(msp *m)
{
    free(m->buf);
    m->buf = NULL, m->cap = 0;
    m->broken = true;
}

/* Bytes at offset off of the message. A byte already received keeps its
 * first copy, as Wireshark's reassembly does; past APP_KEEP bytes are
 * counted, not kept. */
static void msp_add(msp *m, uint32_t off, const uint8_t *p, uint32_t n)
{
    if (!n || m->broken) return;
    uint32_t end = off + n, kend = end < APP_KEEP ? end : APP_KEEP;
    if (off < kend) {
        if (kend > m->cap) {
            uint32_t nc = m->cap ? m->cap : 2048;
            while (nc < kend) nc *= 2;
            if (nc > APP_KEEP) nc = APP_KEEP;
            uint8_t *nb = realloc(m->buf, nc);
            if (!nb) abort();
            m->buf = nb, m->cap = nc;
        }
        uint32_t pos = off; /* copy the holes of [off, kend) */
        for (int i = 0; i < m->nr && pos < kend; i++) {
            if (m->r[i].b <= pos) continue;
            uint32_t he = m->r[i].a < kend ? m->r[i].a : kend;
            if (he > pos) memcpy(m->buf + pos, p + (pos - off), he - pos);
            if (m->r[i].b > pos) pos = m->r[i].b;
        }
        if (pos < kend) memcpy(m->buf + pos, p + (pos - off), kend - pos);
    }
    /* merge [off, end) into the ranges */
    struct { uint32_t a, b; } t[MSP_RANGES + 1];
    int o = 0;
    bool placed = false;
    uint32_t a = off, b = end;
    for (int i = 0; i < m->nr; i++) {
        if (m->r[i].b < a) {
            t[o].a = m->r[i].a, t[o++].b = m->r[i].b;
        } else if (m->r[i].a > b) {
            if (!placed) t[o].a = a, t[o++].b = b, placed = true;
            t[o].a = m->r[i].a, t[o++].b = m->r[i].b;
        } else {
            if (m->r[i].a < a) a = m->r[i].a;
            if (m->r[i].b > b) b = m->r[i].b;
        }
        if (o >= MSP_RANGES) break;
    }
    if (!placed && o < MSP_RANGES + 1) t[o].a = a, t[o++].b = b;
    if (o > MSP_RANGES - 1) { /* too many holes: bounded state, the message is lost */
        msp_give_up(m);
        return;
    }
    for (int i = 0; i < o; i++) m->r[i].a = t[i].a, m->r[i].b = t[i].b;
    m->nr = (uint8_t)o;
}

/* The latest message starting at or before seq (Wireshark's lookup32_le). */
static msp *msp_le(rdir *r, uint32_t seq)
{
    msp *best = NULL;
    for (int k = 0; r->m && k < MSP_MAX; k++) {
        msp *m = &r->m[k];
        if (m->used && (int32_t)(seq - m->seq) >= 0 && (!best || (int32_t)(m->seq - best->seq) > 0)) best = m;
    }
    return best;
}

/* A new message at seq; bounded: at most MSP_OPEN incomplete ones keep
 * bytes (the oldest is given up), at most MSP_MAX are remembered. */
static msp *msp_new(rdir *r, uint32_t seq, uint32_t nxtpdu, uint64_t frame)
{
    if (!r->m) {
        r->m = calloc(MSP_MAX, sizeof *r->m);
        if (!r->m) abort();
    }
    msp *slot = NULL, *oldest_open = NULL;
    int open = 0;
    for (int k = 0; k < MSP_MAX; k++) {
        msp *m = &r->m[k];
        if (m->used && m->seq == seq) slot = m; /* replaces the message remembered there */
        if (m->used && !m->done && m->buf) {
            open++;
            if (!oldest_open || m->first_frame < oldest_open->first_frame) oldest_open = m;
        }
    }
    if (!slot && open >= MSP_OPEN) msp_give_up(oldest_open);
    for (int k = 0; !slot && k < MSP_MAX; k++)
        if (!r->m[k].used) slot = &r->m[k];
    if (!slot) { /* forget the oldest */
        slot = &r->m[0];
        for (int k = 1; k < MSP_MAX; k++)
            if (r->m[k].first_frame < slot->first_frame) slot = &r->m[k];
    }
    free(slot->buf);
    memset(slot, 0, sizeof *slot);
    slot->used = true;
    slot->seq = seq, slot->nxtpdu = nxtpdu;
    slot->first_frame = frame;
    slot->nframes = 1;
    return slot;
}

static void decide(nt_app_flow *f, const nt_tcp *t, const uint8_t *p, uint32_t len)
{
    uint16_t lo = t->sport < t->dport ? t->sport : t->dport, hi = t->sport < t->dport ? t->dport : t->sport;
    /* the lower port first, as Wireshark tries them */
    if (lo == 53 || (lo == 5353 && !is_http_port(hi) && !is_tls_port(hi))) f->proto = NT_P_DNS;
    else if (lo == 5060 || hi == 5060) f->proto = NT_P_SIP;
    else if (lo == 3389 && !nt_tls_sniff(p, len)) f->proto = NT_P_TPKT;
    else if (lo == 3478 || hi == 3478) f->proto = NT_P_STUN;
    else if (is_tls_port(lo) || (!is_http_port(lo) && is_tls_port(hi))) f->proto = NT_P_TLS;
    else if (is_http_port(lo) || is_http_port(hi)) f->proto = NT_P_HTTP;
    /* then the heuristics Wireshark enables by default, on any port */
    else if (nt_tls_sniff(p, len)) f->proto = NT_P_TLS;
    else if (http_heuristic(p, len)) f->proto = NT_P_HTTP;
    else if (nt_sip_detect(p, len)) f->proto = NT_P_SIP;
    else if (nt_stun_is_message(p, len)) f->proto = NT_P_STUN;
    else f->proto = NT_P_DATA;
}

/* An earlier message that ended before seq with bytes never received:
 * decoding resumed after it; -V says so once. */
static void note_resync(nt_app *a, nt_app_flow *f, int dir, uint32_t seq)
{
    rdir *r = &f->d[dir];
    for (int k = 0; r->m && k < MSP_MAX; k++) {
        msp *m = &r->m[k];
        if (!m->used || m->done || m->reported || (int32_t)(seq - m->nxtpdu) < 0) continue;
        m->reported = true;
        /* a response given up answered the oldest request: the next
         * response answers the next one (tshark matches it so) */
        if (f->proto == NT_P_HTTP && dir == 1 && f->nreq) {
            f->req0 = (uint8_t)((f->req0 + 1) % HTTP_PENDING);
            f->nreq--;
        }
        a->data.resync_from = m->first_frame;
        a->data.resync_missing = m->entire || m->broken ? 0 : msp_total(m) - msp_have(m);
    }
}

/* Messages in bytes that start at a message boundary (relative sequence
 * number seq); an incomplete one becomes a multi-segment message. */
static void scan(nt_app *a, nt_app_flow *f, int dir, const nt_frame *fr, const uint8_t *p, uint32_t len,
                 uint32_t seq, bool at_start)
{
    rdir *r = &f->d[dir];
    note_resync(a, f, dir, seq);
    while (len) {
        int64_t l = frame_len(f, dir, p, len);
        if (l == FR_NOT) return; /* not a message start: the rest is not decoded */
        if (l > 0 && (uint64_t)l <= len) {
            emit(a, f, dir, fr, p, (uint32_t)l, (uint64_t)l, fr->number, 1);
            p += l, len -= (uint32_t)l, seq += (uint32_t)l;
            at_start = false;
            continue;
        }
        /* a known length waits for exactly its bytes; an unknown one takes
         * the next segment whole and is measured again */
        bool entire = l <= 0;
        uint32_t total = entire ? len + 1 : l > 0x7fffffff ? 0x7fffffff : (uint32_t)l;
        msp *m = msp_new(r, seq, seq + total, fr->number);
        m->entire = entire;
        msp_add(m, 0, p, len);
        if (!a->data.npdu) {
            /* TLS clears Info before asking for more; HTTP writes its first
             * line once it has the head, else leaves TCP's */
            a->data.seg = at_start && f->proto == NT_P_TLS ? 2 : 1;
            a->data.seg_tls = f->proto == NT_P_TLS;
            if (at_start && f->proto == NT_P_HTTP) {
                uint32_t hl = nt_http_head_len(p, len);
                nt_http h;
                if (hl && nt_http_parse(p, hl, &h)) {
                    a->data.seg = 2;
                    uint32_t n = h.line.len < sizeof a->data.seg_info - 2 ? h.line.len : sizeof a->data.seg_info - 2;
                    memcpy(a->data.seg_info, h.line.p, n);
                    a->data.seg_info[n] = ' ';
                    a->data.seg_info[n + 1] = 0;
                }
            }
        }
        return;
    }
}

/* A message whose bytes have all arrived: decoded in this frame, unless
 * the frame is an out-of-order segment (no_subdissector_on_error: tshark
 * reassembles it there but does not decode it; observed) */
static void msp_finish(nt_app *a, nt_app_flow *f, int dir, const nt_packet *pkt, msp *m, uint32_t len)
{
    uint8_t *b = m->buf;
    m->buf = NULL, m->cap = 0;
    m->done = true;
    hold(a, b);
    if (pkt->ana.tcp_flags & NT_TA_OUT_OF_ORDER) return;
    emit(a, f, dir, pkt->frame, b, len, msp_total(m), m->first_frame, m->nframes);
}

static void seg_label(nt_app *a)
{
    if (!a->data.npdu && !a->data.seg) a->data.seg = 1;
}

/* A segment's bytes from seq on, as Wireshark's desegment_tcp() takes
 * them: bytes inside a known message fill it wherever they arrive from
 * (the message completes in the frame that brings its last missing
 * bytes); bytes outside any start a new message. */
static void tcp_bytes(nt_app *a, nt_app_flow *f, int dir, const nt_packet *pkt, const uint8_t *p, uint32_t len,
                      uint32_t seq)
{
    rdir *r = &f->d[dir];
    const nt_frame *fr = pkt->frame;
    bool at_start = true;
    while (len) {
        msp *m = msp_le(r, seq);
        if (m && m->seq == seq && m->first_frame != fr->number && (int32_t)(m->nxtpdu - (seq + len)) >= 0)
            return; /* the start of a known message again: "Retransmitted TCP segment data" */
        if (!m || (int32_t)(m->nxtpdu - seq) <= 0) {
            /* no_subdissector_on_error: an out-of-order segment starts nothing */
            if (!(pkt->ana.tcp_flags & NT_TA_OUT_OF_ORDER)) scan(a, f, dir, fr, p, len, seq, at_start);
            return;
        }
        if (m->done) {
            /* tshark 4.0 (observed): bytes again inside a message it has
             * already reassembled raise a reassembly error */
            a->data.reasm_error = true;
            return;
        }
        m->nframes++;
        if (m->entire) {
            msp_add(m, seq - m->seq, p, len);
            m->nxtpdu = seq + len;
            m->tail = true;
            uint32_t total = msp_total(m), kept = total < APP_KEEP ? total : APP_KEEP;
            int64_t l = msp_complete(m) ? frame_len(f, dir, m->buf, kept) : FR_NEED;
            if (l == FR_NOT) {
                msp_give_up(m);
                m->done = true;
                return;
            }
            if (l > 0 && (uint64_t)l <= total) {
                m->nxtpdu = m->seq + (uint32_t)l;
                m->entire = false;
                msp_finish(a, f, dir, pkt, m, (uint32_t)l < kept ? (uint32_t)l : kept);
            } else {
                if (l > 0) m->nxtpdu = m->seq + (l > 0x7fffffff ? 0x7fffffff : (uint32_t)l), m->entire = false;
                else m->nxtpdu = seq + len + 1;
                m->tail = false;
                seg_label(a);
                return;
            }
        } else {
            uint32_t n = (int32_t)(m->nxtpdu - (seq + len)) < 0 ? m->nxtpdu - seq : len;
            msp_add(m, seq - m->seq, p, n);
            if (seq + n == m->nxtpdu) m->tail = true;
            if (msp_complete(m)) {
                uint32_t total = msp_total(m);
                msp_finish(a, f, dir, pkt, m, total < APP_KEEP ? total : APP_KEEP);
            } else {
                seg_label(a);
            }
        }
        /* another message follows in this segment */
        if ((int32_t)(seq + len - m->nxtpdu) <= 0) return;
        uint32_t skip = (int32_t)(m->nxtpdu - seq) > 0 ? m->nxtpdu - seq : 0;
        p += skip, len -= skip, seq += skip;
        at_start = false;
    }
}

void nt_app_tcp(nt_app *a, nt_app_flow **fp, int dir, const nt_packet *pkt, const nt_tcp *t, uint32_t rel_seq)
{
    if (!t->payload_len || t->bad_hlen || (t->flags & NT_TCP_RST) || (pkt->flags & NT_PKT_SHORT)) return;
    /* as Wireshark (tcp.no_subdissector_on_error, no out-of-order
     * reassembly): a segment analysed as a plain retransmission is neither
     * reassembled nor decoded; a fast or spurious retransmission or an
     * out-of-order segment still fills a message it falls in */
    if (pkt->ana.tcp_flags & NT_TA_RETRANSMISSION) return;
    nt_app_flow *f = *fp;
    if (!f) {
        f = calloc(1, sizeof *f);
        if (!f) abort();
        *fp = f;
    }
    const uint8_t *p = t->payload;
    uint32_t len = t->payload_cap;
    if (f->proto == 0) decide(f, t, p, len);
    if (f->proto == NT_P_DATA) return;
    if (len < t->payload_len) {
        /* cut by the snap length: Wireshark does not reassemble, and hands
         * the bytes to HTTP, which shows its first line or "Continuation" */
        if (f->proto == NT_P_HTTP && !(pkt->ana.tcp_flags & NT_TA_OUT_OF_ORDER)) {
            a->data.cut = true;
            emit(a, f, dir, pkt->frame, p, len, t->payload_len, pkt->frame->number, 1);
        }
        return;
    }
    tcp_bytes(a, f, dir, pkt, p, len, rel_seq);
}

/* ---- UDP ------------------------------------------------------------- */

static nt_app_pdu *new_pdu(nt_app *a, uint8_t proto, const nt_packet *pkt, const nt_udp *u)
{
    nt_appdata *d = &a->data;
    if (d->npdu >= NT_APP_MAX_PDU) return NULL;
    nt_app_pdu *pdu = &d->pdu[d->npdu++];
    memset(pdu, 0, sizeof *pdu);
    pdu->proto = proto;
    pdu->p = u->payload, pdu->len = u->payload_cap, pdu->full_len = u->payload_len;
    pdu->first_frame = pkt->frame->number, pdu->nframes = 1;
    return pdu;
}

/* As Wireshark picks a UDP payload's protocol: a flow an SDP announced,
 * then the well-known port, then (with --rtp-heuristic) RTP/RTCP by content. */
void nt_app_udp(nt_app *a, nt_app_flow **fp, int dir, const nt_packet *pkt, const nt_udp *u, uint8_t fam,
                const uint8_t *src, const uint8_t *dst)
{
    (void)dir;
    if (!u->payload_len || u->bad_len || (pkt->flags & NT_PKT_SHORT)) return;
    nt_app_flow *f = *fp;
    if (!f) {
        f = calloc(1, sizeof *f);
        if (!f) abort();
        *fp = f;
    }
    nt_appdata *d = &a->data;
    const uint8_t *p = u->payload;
    uint32_t len = u->payload_cap;
    if (len < u->payload_len) d->cut = true;
    const nt_app_ep *ep = find_ep(a, fam, dst, u->dport);
    if (!ep) ep = find_ep(a, fam, src, u->sport);
    int kind = ep ? (ep->rtcp ? 2 : 1) : 0;
    uint16_t lo = u->sport < u->dport ? u->sport : u->dport;
    nt_app_pdu *pdu;
    if (!kind) {
        if (lo == 53) {
            if (!(pdu = new_pdu(a, NT_P_DNS, pkt, u))) return;
            if (!dns_message(a, f, pkt->frame, pdu, false)) d->npdu--;
            return;
        }
        if ((u->sport == 5060 || u->dport == 5060) && nt_sip_detect(p, len)) {
            if (!(pdu = new_pdu(a, NT_P_SIP, pkt, u))) return;
            if (!sip_message(a, pdu)) d->npdu--;
            return;
        }
        if ((u->sport == 3478 || u->dport == 3478) && (nt_stun_is_message(p, len) || nt_stun_is_channeldata(p, len))) {
            if (!(pdu = new_pdu(a, NT_P_STUN, pkt, u))) return;
            if (nt_stun_parse(p, len, &d->stun[0], NULL) == 0 || nt_stun_parse_channeldata(p, len, &d->stun[0]) == 0)
                pdu->idx = 0, d->nstun = 1;
            else d->npdu--;
            return;
        }
        if (u->sport == 67 || u->sport == 68 || u->dport == 67 || u->dport == 68 || u->sport == 4011 ||
            u->dport == 4011) {
            if (!(pdu = new_pdu(a, NT_P_DHCP, pkt, u))) return;
            if (nt_dhcp_parse(p, len, &d->dhcp[0])) pdu->idx = 0, d->ndhcp = 1;
            else d->npdu--;
            return;
        }
        if (u->sport == 137 || u->dport == 137) {
            if (!(pdu = new_pdu(a, NT_P_NBNS, pkt, u))) return;
            if (nt_nbns_parse(p, len, &d->nbns[0])) pdu->idx = 0, d->nnbns = 1;
            else d->npdu--;
            return;
        }
        /* Wireshark's UDP heuristics enabled by default: SIP and STUN */
        if (nt_sip_detect(p, len)) {
            if (!(pdu = new_pdu(a, NT_P_SIP, pkt, u))) return;
            if (!sip_message(a, pdu)) d->npdu--;
            return;
        }
        if (nt_stun_is_message(p, len)) {
            if (!(pdu = new_pdu(a, NT_P_STUN, pkt, u))) return;
            if (nt_stun_parse(p, len, &d->stun[0], NULL) == 0) pdu->idx = 0, d->nstun = 1;
            else d->npdu--;
            return;
        }
        if (a->rtp_heuristic) {
            if (u->dport % 2 && nt_rtcp_heuristic(p, len)) kind = 2;
            else if (nt_rtp_heuristic(p, len)) kind = 1;
        }
    }
    if (kind && nt_stun_is_message(p, len)) {
        d->has_media_stun = nt_stun_parse(p, len, &d->media_stun, NULL) == 0;
        return;
    }
    if (kind == 1) {
        if (!(pdu = new_pdu(a, NT_P_RTP, pkt, u))) return;
        if (!nt_rtp_parse(p, len, &d->rtp[0])) {
            d->npdu--;
            return;
        }
        pdu->idx = 0, d->nrtp = 1;
        d->rtp_encoding[0] = 0;
        for (int i = 0; ep && i < ep->nmap; i++)
            if (ep->map[i].pt == d->rtp[0].pt) snprintf(d->rtp_encoding, sizeof d->rtp_encoding, "%s", ep->map[i].name);
    } else if (kind == 2) {
        if (!(pdu = new_pdu(a, NT_P_RTCP, pkt, u))) return;
        if (nt_rtcp_parse(p, len, &d->rtcp[0])) pdu->idx = 0, d->nrtcp = 1;
        else d->npdu--;
    }
}

/* A UDP datagram quoted in an ICMP error: RTP/RTCP of an SDP flow is
 * decoded for the fields (Wireshark follows the conversation into the
 * quote); the columns stay the ICMP error's. */
void nt_app_udp_quoted(nt_app *a, const nt_packet *pkt, const nt_layer *l, const nt_udp *u, uint8_t fam,
                       const uint8_t *src, const uint8_t *dst)
{
    (void)pkt;
    if (l->span <= 8) return;
    const uint8_t *p = l->p + 8;
    uint32_t len = l->span - 8;
    if (u->ulen >= 8 && len > (uint32_t)u->ulen - 8) len = (uint32_t)u->ulen - 8;
    const nt_app_ep *ep = find_ep(a, fam, dst, u->dport);
    if (!ep) ep = find_ep(a, fam, src, u->sport);
    nt_appdata *d = &a->data;
    if (!ep) return;
    if (!ep->rtcp && !d->nrtp && nt_rtp_parse(p, len, &d->rtp[0])) d->nrtp = 1, d->quoted = true;
    else if (ep->rtcp && !d->nrtcp && nt_rtcp_parse(p, len, &d->rtcp[0])) d->nrtcp = 1, d->quoted = true;
}
