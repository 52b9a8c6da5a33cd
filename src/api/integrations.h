/*
 * integrations — one integration's life: create (hrbridge's admin API,
 * POST /v1/integrations), read (GET /v1/integrations/{id}), enable or
 * disable (PUT …/enabled) and delete (DELETE …). Credentials are checked
 * for the tool's shape, sealed with the master key and never returned.
 */
#ifndef HB_API_INTEGRATIONS_H
#define HB_API_INTEGRATIONS_H

#include "http/request.h"
#include "http/response.h"

void integrations_create(struct req *rq, struct resp *rs);
void integrations_get(struct req *rq, struct resp *rs);
void integrations_delete(struct req *rq, struct resp *rs);
void integrations_set_enabled(struct req *rq, struct resp *rs);

/* Validates a POST /v1/integrations body. On success fills the tool, end
 * user, base URL and scope config id of *it (owned strings) and returns the
 * credentials as new compact JSON text in *credentials (caller wipes with
 * secret_free_text). Returns ERR_OK or ERR_INVALID with e naming the field.
 * Does not touch the store. */
int integrations_parse_create(json_t *body, struct store_integration *it, char **credentials,
                              const char **scope_config_id, struct err *e);

#endif
