/*
 * integration_fields — GET /v1/integrations/{id}/integration-fields (every
 * raw field the remote system showed, paged: default 250, at most 2000)
 * and PATCH …/{field_id} {"enable_passthrough": true|false|null}, which
 * selects a field for passthrough (a FULL sync is queued at once to collect
 * its values) or deselects it (its stored values are deleted at once).
 */
#ifndef HB_API_INTEGRATION_FIELDS_H
#define HB_API_INTEGRATION_FIELDS_H

#include "http/request.h"
#include "http/response.h"

void integration_fields_list(struct req *rq, struct resp *rs);
void integration_fields_update(struct req *rq, struct resp *rs);

#endif
