/*
 * scope_configs — hrbridge's admin API for scope configs (Kombo keeps them
 * in its dashboard): POST /v1/scope-configs {"name", "models"}, GET (paged:
 * default 100, at most 250), GET …/{id} and PUT …/{id}, which replaces the
 * config, marks the data of its integrations expired and queues a FULL sync
 * for each (so switched-off data is dropped and switched-on data fetched).
 * "models" is model/scope.h's form; each environment has a default config.
 */
#ifndef HB_API_SCOPE_CONFIGS_H
#define HB_API_SCOPE_CONFIGS_H

#include "http/request.h"
#include "http/response.h"

void scope_configs_create(struct req *rq, struct resp *rs);
void scope_configs_list(struct req *rq, struct resp *rs);
void scope_configs_get(struct req *rq, struct resp *rs);
void scope_configs_update(struct req *rq, struct resp *rs);

#endif
