/*
 * query — the target for query strings and filters. The input is a raw
 * request URI as libmicrohttpd hands it over. It is split and decoded by
 * req_parse_uri, then every GET /v1/hris/ list reads its paging and filter
 * parameters from it exactly as its handler does. api/hris.c is included to
 * reach its (static) filter parsers.
 */
#include "api/hris.c"

#include "fuzz/targets.h"

#include <stdlib.h>

static const struct list_def lists[] = {
    {MODEL_EMPLOYEES, "hris_employees", parse_employee_filters, NULL},
    {MODEL_EMPLOYMENTS, "hris_employments", parse_plain_filters, NULL},
    {MODEL_GROUPS, "hris_groups", parse_group_filters, NULL},
    {MODEL_GROUPS, "hris_teams", parse_plain_filters, NULL},
    {MODEL_LOCATIONS, "hris_locations", parse_named_filters, NULL},
    {MODEL_LEGAL_ENTITIES, "hris_legal_entities", parse_named_filters, NULL},
    {MODEL_ABSENCE_TYPES, "hris_absence_types", parse_plain_filters, NULL},
    {MODEL_ABSENCES, "hris_absences", parse_absence_filters, "type_id"},
    {MODEL_TIME_OFF_BALANCES, "hris_time_off_balances", parse_balance_filters, "type_id"},
};

/* Employee filters depend on the tool (unsupported fields). */
static const char *const tools[] = {"personio", "bamboohr", "hibob", "factorial"};

/* What a handler relies on once the filters parsed. */
static void check(const struct req *rq, const struct filters *f)
{
    int max = req_max_filter_values(rq);

    if (f->q.nfilters > STORE_MAX_FILTERS || f->nstores > 16 || f->q.nids > max ||
        f->q.nremote_ids > max)
        abort();
    for (int i = 0; i < f->q.nfilters; i++) {
        if (!f->q.filters[i].name || f->q.filters[i].n < 1)
            abort();
        for (int j = 0; j < f->q.filters[i].n; j++) {
            if (!f->q.filters[i].values[j])
                abort();
        }
    }
}

/* Time parameters are compared as the text isotime_format writes, so that
 * text must stand for the very instant the client gave. */
static void check_times(const struct req *rq)
{
    static const char *const names[] = {"updated_after", "date_from", "date_until", "time_from",
                                        "time_until"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = req_query_get(rq, names[i]);
        char ts[ISOTIME_LEN];
        int64_t ms, back;

        if (!v || isotime_parse(v, &ms) != ERR_OK)
            continue;
        isotime_format(ms, ts);
        if (isotime_parse(ts, &back) != ERR_OK || back != ms)
            abort();
    }
}

static void parse_list(struct req *rq, const struct list_def *d)
{
    struct filters f;
    struct paging pg;
    struct err e;
    int rc;

    memset(&f, 0, sizeof(f));
    err_init(&e);
    rc = paging_parse(rq, 100, 250, d->kind, rq->integration.id, &pg, &e);
    if (rc == ERR_OK && (pg.limit < 1 || pg.limit > 250 || strlen(pg.after) >= CURSOR_KEY_MAX))
        abort();
    if (rc == ERR_OK)
        rc = d->parse(rq, &f, &e);
    if (rc == ERR_OK)
        check(rq, &f);
    else if (!e.msg[0])
        abort(); /* a refusal always tells the client why */
    filters_free(&f);
}

int fuzz_query(const uint8_t *data, size_t size)
{
    struct req rq;
    struct err e;

    memset(&rq, 0, sizeof(rq));
    rq.app = fuzz_app();
    buf_init(&rq.body, 16);
    snprintf(rq.environment_id, sizeof(rq.environment_id), "%s", fuzz_environment());
    snprintf(rq.integration.id, sizeof(rq.integration.id), "%s", FUZZ_INTEGRATION);
    rq.has_integration = 1;
    /* The server receives the URI as a C string: it ends at a NUL byte. */
    rq.raw_uri = xstrndup((const char *)data, size);
    err_init(&e);
    if (req_parse_uri(&rq, &e) == ERR_OK) {
        check_times(&rq);
        for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
            snprintf(rq.integration.tool, sizeof(rq.integration.tool), "personio");
            parse_list(&rq, &lists[i]);
        }
        for (size_t i = 1; i < sizeof(tools) / sizeof(tools[0]); i++) {
            snprintf(rq.integration.tool, sizeof(rq.integration.tool), "%s", tools[i]);
            parse_list(&rq, &lists[0]);
        }
    } else if (!e.msg[0]) {
        abort();
    }
    req_free(&rq);
    return 0;
}
