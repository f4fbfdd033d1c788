/* detail.h - every decoded field of every layer of a packet, as the
 * indented text of `show -V` or as the JSON object of `show --json`. Both
 * come from one walk over the packet, so they cannot disagree. */
#ifndef NETTRACER_DETAIL_H
#define NETTRACER_DETAIL_H

#include "nettracer/packet.h"

typedef struct nt_detail_opts {
    bool absolute_seq;
} nt_detail_opts;

/* Times come from pkt->ana (relative, delta, delta displayed). */
void nt_detail_text(const nt_packet *pkt, const nt_detail_opts *o, nt_buf *out);
void nt_detail_json(const nt_packet *pkt, const nt_detail_opts *o, nt_buf *out);

#endif
