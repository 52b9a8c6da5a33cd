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
#include "store/store.h"

void hris_employees(struct req *rq, struct resp *rs);
void hris_employments(struct req *rq, struct resp *rs);
void hris_groups(struct req *rq, struct resp *rs);
void hris_teams(struct req *rq, struct resp *rs); /* deprecated alias of groups */
void hris_locations(struct req *rq, struct resp *rs);
void hris_legal_entities(struct req *rq, struct resp *rs);
void hris_absence_types(struct req *rq, struct resp *rs);
void hris_absences(struct req *rq, struct resp *rs);
void hris_time_off_balances(struct req *rq, struct resp *rs);

/* Renders and stores the served docs of the integration's employees that
 * are missing or stale (after a sync, or a change of what they show), so
 * that reading them copies stored text. */
int hris_docs_refresh(struct store *s, const char *integration_id);

#endif
