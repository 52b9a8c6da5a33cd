/*
 * passthrough — POST /v1/passthrough/{tool}/{api}: forwards a raw request
 * to the remote API of the integration named by X-Integration-Id, with its
 * stored credentials (see sync/passthrough.h).
 */
#ifndef HB_API_PASSTHROUGH_H
#define HB_API_PASSTHROUGH_H

#include "http/request.h"
#include "http/response.h"

void passthrough_post(struct req *rq, struct resp *rs);

#endif
