/*
 * bamboohr — the simulated BambooHR API under /bamboohr: Basic auth with the
 * API key, XML unless JSON is asked for, custom reports (string values, keys
 * echoing the requested ids, the 400-field cap), the directory, single
 * employees, field metadata and lists, the changed feed with deletions, time
 * off, and errors carried in X-BambooHR-Error-Message with empty bodies.
 *
 * Both base-path styles are served below the prefix:
 * /api/gateway.php/acme/v1/... and /api/v1/... (and plain /v1/...).
 */
#ifndef HB_SIM_BAMBOOHR_H
#define HB_SIM_BAMBOOHR_H

#include "sim.h"

#define BAMBOOHR_ID_BASE      101  /* employee id = base + index */
#define BAMBOOHR_FIELD_BASE   4047 /* custom field k has numeric id base + k */
#define BAMBOOHR_MAX_FIELDS   400
#define BAMBOOHR_TYPE_BASE    78   /* time-off type id */
#define BAMBOOHR_REQUEST_BASE 1000 /* time-off request id = base + index*2 + slot */

/* Writes the string value of report field `field` (a standard alias such as
 * "firstName", or a custom numeric id / alias) for p into buf and points
 * *value at it, or sets *value NULL for a null. Returns SIM_OK, or
 * SIM_ERR_NOT_FOUND for an unknown field. */
int bamboohr_field_value(const struct gen_config *gen, const struct gen_person *p,
                         const char *field, char *buf, size_t buflen, const char **value);

#endif
