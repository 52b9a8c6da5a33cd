/*
 * factorial — the simulated Factorial public API under /factorial:
 * x-api-key or OAuth2 Bearer (POST /oauth/token with authorization_code and
 * refresh_token grants), versioned resources /api/{version}/resources/...,
 * cursor pagination (limit <= 100, after_id/before_id = base64 of an id),
 * employees, contract versions, custom field definitions, options and values,
 * locations, legal entities, teams, leave types, leaves and allowances.
 */
#ifndef HB_SIM_FACTORIAL_H
#define HB_SIM_FACTORIAL_H

#include "sim.h"

#define FACTORIAL_MAX_LIMIT   100
#define FACTORIAL_FIELD_BASE  75 /* custom field k has id base + k */
#define FACTORIAL_COMPANY_ID  5
#define FACTORIAL_ENTITY_BASE 7  /* legal entity id = base + entity */
#define FACTORIAL_LOC_BASE    3  /* location id = base + office */
#define FACTORIAL_TEAM_BASE   40 /* team id = base + department */
#define FACTORIAL_TYPE_BASE   11 /* leave type id */

/* Encodes an id as Factorial's opaque cursor (base64 of its decimal form). */
void factorial_cursor(int64_t id, char *out, size_t outlen);

/* Decodes a cursor. Returns SIM_OK and *id, or SIM_ERR_INVALID. */
int factorial_parse_cursor(const char *cursor, int64_t *id);

#endif
