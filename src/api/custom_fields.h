/*
 * custom_fields — named custom fields and their mapping per integration.
 *
 * hrbridge's admin API keeps the definitions of an environment:
 * POST /v1/custom-field-definitions {"model","key","label","description"},
 * GET (paged: default 100, at most 250) and DELETE …/{id}. Kombo's API maps
 * them per integration: GET /v1/integrations/{id}/custom-fields and
 * PUT …/{custom_field_id} {"integration_field_id": id|null}; a new mapping
 * queues a FULL sync, which collects its values.
 */
#ifndef HB_API_CUSTOM_FIELDS_H
#define HB_API_CUSTOM_FIELDS_H

#include "http/request.h"
#include "http/response.h"

void custom_field_definitions_create(struct req *rq, struct resp *rs);
void custom_field_definitions_list(struct req *rq, struct resp *rs);
void custom_field_definitions_delete(struct req *rq, struct resp *rs);
void integration_custom_fields_list(struct req *rq, struct resp *rs);
void integration_custom_fields_update(struct req *rq, struct resp *rs);

#endif
