/*
 * hibob — the simulated HiBob ("Bob") API under /hibob: Basic auth with the
 * service user, POST /v1/people/search with values both nested and flattened
 * ("/work/title": {"value": ...}), humanReadable APPEND/REPLACE, one equals
 * filter on root.id / root.email, 19-digit string ids, field metadata and
 * named lists, time off, and the {"key","error"} error bodies.
 */
#ifndef HB_SIM_HIBOB_H
#define HB_SIM_HIBOB_H

#include "sim.h"

#define HIBOB_ID_BASE    3332883884017713238ULL /* id = base + index * step */
#define HIBOB_ID_STEP    7919ULL
#define HIBOB_FIELD_TS   1651169416679LL /* custom field k: work.custom.field_<ts + k> */
#define HIBOB_COLUMN_TS  1644862416222LL /* multi-list k: work.customColumns.column_<ts + k> */
#define HIBOB_MAX_FIELDS 400

/* Writes the 19-digit id of person index into out (>= 21 bytes). */
void hibob_format_id(int64_t index, char *out, size_t outlen);

/* Parses a HiBob employee id back to its index. Returns SIM_OK or
 * SIM_ERR_INVALID. */
int hibob_parse_id(const char *id, int64_t *index);

#endif
