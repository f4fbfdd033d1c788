/* fields_app.h - the application protocols' rows of the field registry. */
#ifndef NT_PROTO_FIELDS_APP_H
#define NT_PROTO_FIELDS_APP_H

#include "nettracer/fields.h"

extern const nt_field nt_app_fields[];
extern const size_t nt_app_nfields;

#endif
