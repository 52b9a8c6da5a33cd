/*
 * personio — the simulated Personio Personnel Data API v1 under /personio:
 * token exchange (POST /v1/auth), the employee list with its attribute
 * wrapper and updated_since quirk, attribute metadata, time-off types,
 * time-offs and balances, and Personio's error bodies.
 */
#ifndef HB_SIM_PERSONIO_H
#define HB_SIM_PERSONIO_H

#include "sim.h"

#define PERSONIO_ID_BASE      1001   /* employee id = base + index */
#define PERSONIO_DEPT_BASE    281521 /* department id = base + department */
#define PERSONIO_OFFICE_BASE  131014
#define PERSONIO_SUBCO_BASE   7001
#define PERSONIO_TYPE_BASE    600001 /* time-off type id */
#define PERSONIO_ABSENCE_BASE 500000 /* time-off id = base + index*2 + slot */
#define PERSONIO_DYN_BASE     24407  /* custom field k = dynamic_<base + k> */
#define PERSONIO_DOB_KEY      "dynamic_1146666"
#define PERSONIO_MAX_LIMIT    100

/* Appends one employee object ({"type":"Employee","attributes":{...}}) for p.
 * sel: NULL for every attribute, else only those whose key is listed (n_sel
 * keys; "id" is always included). limited: the credential's whitelist leaves
 * out fix_salary and the date of birth (they are then missing entirely). */
void personio_render_employee(const struct gen_config *gen, const struct gen_person *p,
                              const char *const *sel, int n_sel, int limited, struct sbuf *out);

/* Makes a token for generation gen_no, issued at `now`, for the full or the
 * limited credential. out >= 80 bytes. */
void personio_make_token(uint64_t seed, int64_t gen_no, int64_t now, int limited, char *out,
                         size_t outlen);

/* Checks a token: SIM_OK and *limited, or SIM_ERR_UNAUTHORIZED when it is
 * malformed, was not made by this simulator and seed, is older than 24 h or
 * its generation was expired. */
int personio_check_token(uint64_t seed, int64_t gen_no, int64_t now, const char *token,
                         int *limited);

#endif
