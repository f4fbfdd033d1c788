/* filter.h - Wireshark display filters: compile once, then test packets.
 * The language and its semantics follow Wireshark 4.0 (tshark -Y). A
 * compiled filter evaluates without allocating; it is not thread-safe. */
#ifndef NETTRACER_FILTER_H
#define NETTRACER_FILTER_H

#include "nettracer/fields.h"

typedef struct nt_filter nt_filter;

/* NULL with err->msg set on a bad expression: the message, then the
 * expression and a caret line under the offending part, as tshark shows. */
nt_filter *nt_filter_compile(const char *expr, const nt_field_registry *reg, nt_error *err);
bool nt_filter_match(nt_filter *f, const nt_packet *pkt);
void nt_filter_free(nt_filter *f);

#endif
