/* mark.h - sending ping markers: one ICMP or ICMPv6 echo request whose
 * payload size marks the start (22 bytes) or the end (33 bytes) of a
 * reproduction in a trace (see markers.h for how they are read back), to
 * the default gateway from the kernel's routing table or to an address. */
#ifndef NETTRACER_MARK_H
#define NETTRACER_MARK_H

#include "nettracer/core.h"

#define NT_MARK_MAX_SIZE 65000

/* The default gateway in /proc/net/route (family 4) or /proc/net/ipv6_route
 * (family 6) text: the lowest-metric default route through a gateway.
 * addr gets 4 or 16 bytes, iface the interface. 0, or -1 when none. */
int nt_route_default_parse(int family, const char *text, uint8_t addr[16], char *iface, size_t iface_len);
/* The same from the running kernel. */
int nt_route_default(int family, uint8_t addr[16], char *iface, size_t iface_len, nt_error *err);

typedef struct nt_mark_req {
    int family;              /* 4 or 6 */
    const char *to;          /* address, or NULL for the default gateway */
    uint32_t size;           /* payload bytes */
    double wait;             /* seconds to wait for the reply (0: do not wait) */
} nt_mark_req;

typedef struct nt_mark_result {
    char dst[64];            /* where it went */
    char iface[32];          /* the gateway's interface (default gateway only) */
    bool gateway;            /* dst is the default gateway */
    const char *socket;      /* "datagram" (unprivileged ping socket) or "raw" */
    uint16_t id, seq;
    bool replied;
    double rtt_ms;
} nt_mark_result;

/* Sends one marker; 0 once sent (replied says whether it was answered). */
int nt_mark_send(const nt_mark_req *req, nt_mark_result *res, nt_error *err);
/* The payload bytes a marker carries: "nettracer marker " repeated to size. */
void nt_mark_payload(uint8_t *dst, uint32_t size);

#endif
