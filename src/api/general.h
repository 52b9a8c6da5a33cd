/*
 * general — Kombo's "General" endpoints that are not about one integration:
 * GET /v1/check-api-key, GET /v1/tools/{category}, and the tool logos the
 * integration objects link to (GET /assets/tools/{tool}/{file}).
 */
#ifndef HB_API_GENERAL_H
#define HB_API_GENERAL_H

#include "http/request.h"
#include "http/response.h"

void general_check_api_key(struct req *rq, struct resp *rs);
void general_tools(struct req *rq, struct resp *rs);
void general_tool_asset(struct req *rq, struct resp *rs);

/* Absolute URL of a tool's asset ("logo.svg", "icon.svg", "icon-black.svg")
 * as a new jansson string. */
json_t *general_asset_url(const struct req *rq, const char *tool, const char *file);

#endif
