/* app_int.h - the application-message driver (app.c) as the session uses
 * it: one nt_app per session (the current frame's messages), one
 * nt_app_flow per TCP/UDP flow (protocol, reassembly, request matching). */
#ifndef NT_ANALYZE_APP_INT_H
#define NT_ANALYZE_APP_INT_H

#include "nettracer/app.h"
#include "nettracer/packet.h"

typedef struct nt_app_flow nt_app_flow;

/* an RTP or RTCP endpoint announced in SDP */
#define NT_APP_MAX_EP 256
typedef struct nt_app_ep {
    uint8_t family, addr[16];
    uint16_t port;
    bool rtcp;
    uint8_t nmap;
    struct {
        uint8_t pt;
        char name[32];
    } map[8];
} nt_app_ep;

typedef struct nt_app {
    nt_appdata data;     /* the current frame's messages */
    uint8_t **hold;      /* buffers its messages point into, freed at the next frame */
    int nhold;
    bool rtp_heuristic;  /* RTP/RTCP on any UDP port by content (Wireshark's rtp_udp) */
    int neps, ep_next;
    nt_app_ep eps[NT_APP_MAX_EP];
} nt_app;

void nt_app_init(nt_app *a);
void nt_app_fini(nt_app *a);
/* Starts a new frame: forgets the previous frame's messages. */
void nt_app_begin(nt_app *a);
void nt_app_flow_free(nt_app_flow *f);
/* A TCP segment of a flow, direction dir (0/1), relative sequence number. */
void nt_app_tcp(nt_app *a, nt_app_flow **f, int dir, const nt_packet *pkt, const nt_tcp *t, uint32_t rel_seq);

/* A UDP datagram of a flow, direction dir. */
void nt_app_udp(nt_app *a, nt_app_flow **f, int dir, const nt_packet *pkt, const nt_udp *u, uint8_t family,
                const uint8_t *src, const uint8_t *dst);

void nt_app_udp_quoted(nt_app *a, const nt_packet *pkt, const nt_layer *l, const nt_udp *u, uint8_t fam,
                       const uint8_t *src, const uint8_t *dst);

/* Whether SDP announced addr:port as an RTP or RTCP endpoint. */
bool nt_app_sdp_endpoint(const nt_app *a, uint8_t fam, const uint8_t *addr, uint16_t port);

/* DNS (app_dns.c) */
bool nt_app_dns_decode(nt_dns_info *d, const uint8_t *p, uint32_t len);
void nt_app_dns_info(const nt_dns_info *d, nt_buf *b);
const char *nt_app_dns_str(const nt_dns_info *d, uint16_t off);

#endif
