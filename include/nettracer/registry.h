/* registry.h - the one field registry of the library: the rows of every
 * layer (proto/ headers and message tables, analyze/ analysis and
 * application rows) in one constant, handed to the filter compiler, the
 * detail view and `nettracer fields`. */
#ifndef NETTRACER_REGISTRY_H
#define NETTRACER_REGISTRY_H

#include "nettracer/fields.h"

/* analyze/'s rows: what the session adds (fields_ana.c) and the
 * application messages it decodes (fields_app.c) */
extern const nt_field nt_ana_fields[];
extern const size_t nt_ana_nfields;
extern const nt_field nt_app_fields[];
extern const size_t nt_app_nfields;

extern const nt_field_registry nt_registry;

#endif
