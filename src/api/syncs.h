/*
 * syncs — POST /v1/force-sync (Kombo: queue a sync of the integration named
 * by X-Integration-Id, or report the one already queued or running) and
 * hrbridge's GET /v1/integrations/{id}/syncs (the recorded runs, newest
 * first).
 */
#ifndef HB_API_SYNCS_H
#define HB_API_SYNCS_H

#include "http/request.h"
#include "http/response.h"

void syncs_force(struct req *rq, struct resp *rs);
void syncs_list(struct req *rq, struct resp *rs);

#endif
