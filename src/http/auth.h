/*
 * auth — who is calling. API keys arrive as "Authorization: Bearer <key>",
 * are hashed and looked up by hash (keys are never stored in clear), and
 * establish the caller's environment. Endpoints that act on one integration
 * take its id from X-Integration-Id; an id of another environment is
 * reported exactly like one that does not exist.
 */
#ifndef HB_HTTP_AUTH_H
#define HB_HTTP_AUTH_H

#include "http/request.h"
#include "http/response.h"

/* Checks the API key, sets rq->environment_id and takes one request from
 * the key's rate limit. On failure fills rs with 401
 * PLATFORM.AUTHENTICATION_INVALID, 429 PLATFORM.RATE_LIMIT_EXCEEDED (with
 * rs->retry_after; returns ERR_REMOTE_RATE_LIMIT) or 500, and returns its
 * ERR_*. */
int auth_api_key(struct req *rq, struct resp *rs);

/* Loads the integration named by X-Integration-Id into rq->integration. On
 * failure fills rs (400 when the header is missing, 404
 * PLATFORM.INTEGRATION_NOT_FOUND when unknown) and returns its ERR_*. */
int auth_integration(struct req *rq, struct resp *rs);

/* Loads integration id of rq's environment into rq->integration, answering
 * 404 PLATFORM.INTEGRATION_NOT_FOUND in rs when it is not there. */
int auth_load_integration(struct req *rq, struct resp *rs, const char *id);

#endif
