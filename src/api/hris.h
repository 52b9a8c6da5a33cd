/*
 * hris — the unified HRIS read endpoints, served from the store. Each list
 * is a keyset page of stored record JSON plus batched lookups for what the
 * records nest (manager, groups, location, legal entity, employments) and
 * their selected integration fields; no JSON is parsed on the way out.
 */
#ifndef HB_API_HRIS_H
#define HB_API_HRIS_H

#include "http/request.h"
#include "http/response.h"

void hris_employees(struct req *rq, struct resp *rs);

#endif
