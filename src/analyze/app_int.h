/* app_int.h - the application-message driver (app.c) as the session uses
 * it: one nt_app per session (the current frame's messages), one
 * nt_app_flow per TCP/UDP flow (protocol, reassembly, request matching). */
#ifndef NT_ANALYZE_APP_INT_H
#define NT_ANALYZE_APP_INT_H

#include "nettracer/app.h"
#include "nettracer/packet.h"

typedef struct nt_app_flow nt_app_flow;

typedef struct nt_app {
    nt_appdata data;     /* the current frame's messages */
    uint8_t **hold;      /* buffers its messages point into, freed at the next frame */
    int nhold;
} nt_app;

void nt_app_init(nt_app *a);
void nt_app_fini(nt_app *a);
/* Starts a new frame: forgets the previous frame's messages. */
void nt_app_begin(nt_app *a);
void nt_app_flow_free(nt_app_flow *f);
/* A TCP segment of a flow, direction dir (0/1), relative sequence number. */
void nt_app_tcp(nt_app *a, nt_app_flow **f, int dir, const nt_packet *pkt, const nt_tcp *t, uint32_t rel_seq);

/* A UDP datagram of a flow, direction dir. */
void nt_app_udp(nt_app *a, nt_app_flow **f, int dir, const nt_packet *pkt, const nt_udp *u);

/* DNS (app_dns.c) */
bool nt_app_dns_decode(nt_dns_info *d, const uint8_t *p, uint32_t len);
void nt_app_dns_info(const nt_dns_info *d, nt_buf *b);
const char *nt_app_dns_str(const nt_dns_info *d, uint16_t off);

#endif
