/* columns.h - the packet-list columns as Wireshark fills them: Source,
 * Destination, Protocol and Info for a dissected (and analysed) packet. */
#ifndef NETTRACER_COLUMNS_H
#define NETTRACER_COLUMNS_H

#include "nettracer/packet.h"

void nt_col_src(const nt_packet *pkt, nt_buf *b);
void nt_col_dst(const nt_packet *pkt, nt_buf *b);
void nt_col_protocol(const nt_packet *pkt, nt_buf *b);
void nt_col_info(const nt_packet *pkt, nt_buf *b);

/* Names used by the columns and the detail view. */
const char *nt_icmp_type_str(uint8_t type);
const char *nt_icmp_code_str(uint8_t type, uint8_t code);
const char *nt_icmpv6_type_str(uint8_t type);
const char *nt_icmpv6_code_str(uint8_t type, uint8_t code);
void nt_tcp_flags_str(uint16_t flags, nt_buf *b); /* "SYN, ACK" */

#endif
