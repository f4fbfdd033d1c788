/* app_cols.h - the packet-list columns of application messages. */
#ifndef NT_ANALYZE_APP_COLS_H
#define NT_ANALYZE_APP_COLS_H

#include "nettracer/packet.h"

/* Write the column and return true when the frame completes application
 * messages; false leaves the column to the transport layer. */
bool nt_app_col_protocol(const nt_packet *pkt, nt_buf *b);
bool nt_app_col_info(const nt_packet *pkt, nt_buf *b);

#endif
