/*
 * test_isolation — tenant isolation on every endpoint. Two environments,
 * A and B, each with an API key, an integration synced from hrsim (A:
 * Personio, B: BambooHR, the same simulated company), a custom field
 * definition and a scope config. With B's key, every route is called on A's
 * objects and on ids that do not exist: the two answers must be the same
 * (status, error code, and message once the id is swapped), so B learns
 * nothing, not even that A's object exists. B's lists never hold A's rows,
 * A's cursors do not work for B, and afterwards every read endpoint of A
 * answers byte for byte what it answered before.
 *
 * The route list is read from src/http/routes.c: a route this file does not
 * cover fails the test.
 */
#include "harness.h"

#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

static char tmp[256], db[512];
static struct hproc sim, srv;
static char key_a[128], key_b[128];
static char integ_a[128], integ_b[128];
static char field_a[64], field_b[64];
static char cfd_a[64], cfd_b[64];
static char scope_a[64], scope_b[64], scope_a_default[64];
static char env_a[64], env_b[64];

/* Ids of the same shapes that exist nowhere. */
#define FAKE_INTEG "personio:2222222222222222222222Zz"
#define FAKE_ID    "3333333333333333333333Yy"

/* Routes covered below, "METHOD pattern" as routes.c writes them. */
static const char *covered[64];
static int ncovered;

static void cover(const char *route)
{
    for (int i = 0; i < ncovered; i++)
        if (!strcmp(covered[i], route))
            return;
    assert_true(ncovered < 64);
    covered[ncovered++] = route;
}

/* ---- helpers ------------------------------------------------------------- */

static long api(const char *key, const char *method, const char *path, const char *integ,
                const char *body, struct hresp *out)
{
    char url[4096], auth[256], xi[256];
    const char *h[4] = {NULL, NULL, NULL, NULL};
    int n = 0;

    snprintf(url, sizeof(url), "%s%s", srv.base_url, path);
    if (key) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
        h[n++] = auth;
    }
    if (integ) {
        snprintf(xi, sizeof(xi), "X-Integration-Id: %s", integ);
        h[n++] = xi;
    }
    assert_int_equal(harness_http(method, url, h, body, body ? strlen(body) : 0, out), 0);
    return out->status;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A successful call's data (a new reference). */
static json_t *ok(const char *key, const char *method, const char *path, const char *integ,
                  const char *body, long status)
{
    struct hresp r;
    json_t *d;

    if (api(key, method, path, integ, body, &r) != status)
        fail_msg("%s %s: %ld %s, expected %ld", method, path, r.status, r.body, status);
    d = json_incref(json_object_get(r.json, "data"));
    hresp_free(&r);
    return d;
}

static void copy_id(json_t *d, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", str(d, "id"));
    json_decref(d);
}

/* s with every occurrence of from replaced by to (caller frees). */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t flen = strlen(from), tlen = strlen(to), cap = strlen(s) * 2 + tlen * 8 + 64, len = 0;
    char *out = malloc(cap);

    while (*s) {
        if (flen && strncmp(s, from, flen) == 0) {
            if (len + tlen + 1 > cap)
                out = realloc(out, cap = (len + tlen + 1) * 2);
            memcpy(out + len, to, tlen);
            len += tlen;
            s += flen;
        } else {
            if (len + 2 > cap)
                out = realloc(out, cap *= 2);
            out[len++] = *s++;
        }
    }
    out[len] = '\0';
    return out;
}

/*
 * The heart of the file: with B's key, a request naming A's objects and one
 * naming objects that do not exist must get the same answer. real/fake are
 * the ids that differ between the two (swapped in the message before it is
 * compared; up to two pairs).
 */
struct probe {
    const char *route; /* "METHOD pattern" from routes.c */
    const char *method;
    const char *path_a, *integ_a, *body_a;
    const char *path_x, *integ_x, *body_x;
    const char *real[2], *fake[2];
};

static void same_as_missing(const struct probe *p)
{
    struct hresp ra, rx;
    const char *code_a, *code_x, *msg_a, *msg_x;
    char *swapped, *tmpmsg;

    cover(p->route);
    api(key_b, p->method, p->path_a, p->integ_a, p->body_a, &ra);
    api(key_b, p->method, p->path_x, p->integ_x, p->body_x, &rx);
    if (ra.status < 400 || ra.status >= 500)
        fail_msg("%s %s as B: %ld %s", p->method, p->path_a, ra.status, ra.body);
    if (ra.status != rx.status)
        fail_msg("%s %s as B: %ld, but %ld for a missing id (%s / %s)", p->method, p->path_a,
                 ra.status, rx.status, ra.body, rx.body);
    code_a = str(json_object_get(ra.json, "error"), "code");
    code_x = str(json_object_get(rx.json, "error"), "code");
    msg_a = str(json_object_get(ra.json, "error"), "message");
    msg_x = str(json_object_get(rx.json, "error"), "message");
    assert_non_null(code_a);
    assert_non_null(code_x);
    if (strcmp(code_a, code_x) != 0)
        fail_msg("%s %s as B: code %s, but %s for a missing id", p->method, p->path_a, code_a,
                 code_x);
    swapped = strdup(msg_a);
    for (int i = 0; i < 2 && p->real[i]; i++) {
        tmpmsg = replace_all(swapped, p->real[i], p->fake[i]);
        free(swapped);
        swapped = tmpmsg;
    }
    if (strcmp(swapped, msg_x) != 0)
        fail_msg("%s %s as B: message \"%s\", but \"%s\" for a missing id", p->method, p->path_a,
                 msg_a, msg_x);
    free(swapped);
    hresp_free(&ra);
    hresp_free(&rx);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void wait_first_sync(const char *key, const char *integ)
{
    char path[256];

    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs", integ);
    for (int i = 0; i < 600; i++) {
        struct hresp r;
        api(key, "GET", path, NULL, NULL, &r);
        if (strstr(r.body, "\"SUCCEEDED\"")) {
            hresp_free(&r);
            return;
        }
        if (strstr(r.body, "\"FAILED\""))
            fail_msg("sync of %s failed: %s", integ, r.body);
        hresp_free(&r);
        sleep_ms(50);
    }
    fail_msg("no sync of %s within 30 s", integ);
}

static void first_field(const char *key, const char *integ, char *out, size_t outlen)
{
    char path[256];
    json_t *d;

    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=1", integ);
    d = ok(key, "GET", path, NULL, NULL, 200);
    snprintf(out, outlen, "%s", str(json_array_get(json_object_get(d, "results"), 0), "id"));
    json_decref(d);
    assert_true(out[0]);
}

/* ---- fixture ------------------------------------------------------------- */

static const char *const hris_lists[] = {"employees",
                                         "employments",
                                         "groups",
                                         "teams",
                                         "locations",
                                         "legal-entities",
                                         "absence-types",
                                         "absences",
                                         "time-off-balances",
                                         NULL};

static void new_environment(const char *name, const char *tool, char *key, char *integ, char *cfd,
                            const char *cfd_key, char *scope, char *env)
{
    char body[1024];
    json_t *d;

    assert_int_equal(harness_new_key(db, name, key, 128), 0);
    d = ok(key, "GET", "/v1/check-api-key", NULL, NULL, 200);
    snprintf(env, 64, "%s", str(d, "environment_id"));
    json_decref(d);
    snprintf(body, sizeof(body),
             "{\"model\":\"hris_employees\",\"key\":\"%s\",\"label\":\"Secret of %s\"}", cfd_key,
             name);
    copy_id(ok(key, "POST", "/v1/custom-field-definitions", NULL, body, 201), cfd, 64);
    snprintf(body, sizeof(body),
             "{\"name\":\"scope of %s\",\"models\":{\"hris_employees\":{\"disabled_fields\":"
             "[\"ssn\"]}}}",
             name);
    copy_id(ok(key, "POST", "/v1/scope-configs", NULL, body, 201), scope, 64);
    if (!strcmp(tool, "personio"))
        snprintf(body, sizeof(body),
                 "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"%s\"},"
                 "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"},"
                 "\"base_url\":\"%s/personio\",\"scope_config_id\":\"%s\"}",
                 name, sim.base_url, scope);
    else
        snprintf(body, sizeof(body),
                 "{\"tool\":\"bamboohr\",\"end_user\":{\"organization_name\":\"%s\"},"
                 "\"credentials\":{\"company_domain\":\"acme\",\"api_key\":\"sim-key\"},"
                 "\"base_url\":\"%s/bamboohr\",\"scope_config_id\":\"%s\"}",
                 name, sim.base_url, scope);
    copy_id(ok(key, "POST", "/v1/integrations", NULL, body, 201), integ, 128);
}

static int setup(void **state)
{
    const char *sim_args[] = {"--employees", "20", NULL};
    json_t *d, *e;
    size_t i;

    (void)state;
    if (harness_tmpdir(tmp, sizeof(tmp)) != 0)
        return -1;
    snprintf(db, sizeof(db), "sqlite:%s/hb.db", tmp);
    if (harness_start_hrsim(&sim, tmp, sim_args) != 0 ||
        harness_new_key(db, "bootstrap", key_a, sizeof(key_a)) != 0 ||
        harness_start_hrbridge(&srv, tmp, db, NULL) != 0)
        return -1;
    new_environment("env-a", "personio", key_a, integ_a, cfd_a, "shirt", scope_a, env_a);
    new_environment("env-b", "bamboohr", key_b, integ_b, cfd_b, "badge", scope_b, env_b);
    wait_first_sync(key_a, integ_a);
    wait_first_sync(key_b, integ_b);
    first_field(key_a, integ_a, field_a, sizeof(field_a));
    first_field(key_b, integ_b, field_b, sizeof(field_b));
    d = ok(key_a, "GET", "/v1/scope-configs", NULL, NULL, 200);
    json_array_foreach (json_object_get(d, "results"), i, e) {
        if (json_is_true(json_object_get(e, "is_default")))
            snprintf(scope_a_default, sizeof(scope_a_default), "%s", str(e, "id"));
    }
    json_decref(d);
    return scope_a_default[0] ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    harness_stop(&srv);
    harness_stop(&sim);
    harness_rmtree(tmp);
    return 0;
}

/* ---- A's view -------------------------------------------------------------- */

/* Every read endpoint of A, as A sees it, concatenated. */
static char *snapshot_a(void)
{
    char paths[32][256];
    int n = 0;
    size_t cap = 1 << 20, len = 0;
    char *all = malloc(cap);

    snprintf(paths[n++], 256, "/v1/check-api-key");
    snprintf(paths[n++], 256, "/v1/integrations/%s", integ_a);
    snprintf(paths[n++], 256, "/v1/integrations/%s/integration-fields?page_size=2000", integ_a);
    snprintf(paths[n++], 256, "/v1/integrations/%s/custom-fields", integ_a);
    snprintf(paths[n++], 256, "/v1/integrations/%s/syncs", integ_a);
    snprintf(paths[n++], 256, "/v1/custom-field-definitions");
    snprintf(paths[n++], 256, "/v1/scope-configs");
    snprintf(paths[n++], 256, "/v1/scope-configs/%s", scope_a);
    snprintf(paths[n++], 256, "/v1/scope-configs/%s", scope_a_default);
    for (int i = 0; hris_lists[i]; i++)
        snprintf(paths[n++], 256, "/v1/hris/%s?page_size=250&include_deleted=true", hris_lists[i]);
    all[0] = '\0';
    for (int i = 0; i < n; i++) {
        struct hresp r;
        size_t need;
        api(key_a, "GET", paths[i], strncmp(paths[i], "/v1/hris/", 9) ? NULL : integ_a, NULL, &r);
        if (r.status != 200)
            fail_msg("A: GET %s: %ld %s", paths[i], r.status, r.body);
        need = strlen(paths[i]) + r.len + 8;
        if (len + need > cap)
            all = realloc(all, cap = (len + need) * 2);
        len += (size_t)snprintf(all + len, cap - len, "%s\n%s\n", paths[i], r.body);
        hresp_free(&r);
    }
    return all;
}

/* Every "id" value anywhere in A's snapshot that looks like an object id
 * (24 base58 characters), collected into ids (NULL-terminated). */
static int collect_ids(const char *snap, char ids[][32], int max)
{
    regex_t re;
    regmatch_t m[2];
    const char *p = snap;
    int n = 0;

    assert_int_equal(regcomp(&re, "\"id\":\"([a-z]*:?[1-9A-HJ-NP-Za-km-z]{24})\"", REG_EXTENDED),
                     0);
    while (n < max && regexec(&re, p, 2, m, 0) == 0) {
        int len = (int)(m[1].rm_eo - m[1].rm_so);
        snprintf(ids[n++], 32, "%.*s", len, p + m[1].rm_so);
        p += m[0].rm_eo;
    }
    regfree(&re);
    return n;
}

/* ---- the tests ------------------------------------------------------------- */

static void other_environment_learns_nothing_and_changes_nothing(void **state)
{
    char p_a[256], p_x[256], p_a2[1024], p_x2[1024], b_a[1024], b_x[1024];
    char *before, *after;

    (void)state;
    before = snapshot_a();

    /* General routes on A's integration. */
    snprintf(p_a, sizeof(p_a), "/v1/integrations/%s", integ_a);
    snprintf(p_x, sizeof(p_x), "/v1/integrations/%s", FAKE_INTEG);
    same_as_missing(&(struct probe){"GET /v1/integrations/{}",
                                    "GET",
                                    p_a,
                                    NULL,
                                    NULL,
                                    p_x,
                                    NULL,
                                    NULL,
                                    {integ_a},
                                    {FAKE_INTEG}});
    snprintf(p_a2, sizeof(p_a2), "%s/enabled", p_a);
    snprintf(p_x2, sizeof(p_x2), "%s/enabled", p_x);
    same_as_missing(&(struct probe){"PUT /v1/integrations/{}/enabled",
                                    "PUT",
                                    p_a2,
                                    NULL,
                                    "{\"value\":false}",
                                    p_x2,
                                    NULL,
                                    "{\"value\":false}",
                                    {integ_a},
                                    {FAKE_INTEG}});
    snprintf(p_a2, sizeof(p_a2), "%s/integration-fields", p_a);
    snprintf(p_x2, sizeof(p_x2), "%s/integration-fields", p_x);
    same_as_missing(&(struct probe){"GET /v1/integrations/{}/integration-fields",
                                    "GET",
                                    p_a2,
                                    NULL,
                                    NULL,
                                    p_x2,
                                    NULL,
                                    NULL,
                                    {integ_a},
                                    {FAKE_INTEG}});
    snprintf(p_a2, sizeof(p_a2), "%s/integration-fields/%s", p_a, field_a);
    snprintf(p_x2, sizeof(p_x2), "%s/integration-fields/%s", p_x, FAKE_ID);
    same_as_missing(&(struct probe){"PATCH /v1/integrations/{}/integration-fields/{}",
                                    "PATCH",
                                    p_a2,
                                    NULL,
                                    "{\"enable_passthrough\":true}",
                                    p_x2,
                                    NULL,
                                    "{\"enable_passthrough\":true}",
                                    {integ_a, field_a},
                                    {FAKE_INTEG, FAKE_ID}});
    /* B's own integration, A's field. */
    snprintf(p_a2, sizeof(p_a2), "/v1/integrations/%s/integration-fields/%s", integ_b, field_a);
    snprintf(p_x2, sizeof(p_x2), "/v1/integrations/%s/integration-fields/%s", integ_b, FAKE_ID);
    same_as_missing(&(struct probe){"PATCH /v1/integrations/{}/integration-fields/{}",
                                    "PATCH",
                                    p_a2,
                                    NULL,
                                    "{\"enable_passthrough\":true}",
                                    p_x2,
                                    NULL,
                                    "{\"enable_passthrough\":true}",
                                    {field_a},
                                    {FAKE_ID}});
    snprintf(p_a2, sizeof(p_a2), "%s/custom-fields", p_a);
    snprintf(p_x2, sizeof(p_x2), "%s/custom-fields", p_x);
    same_as_missing(&(struct probe){"GET /v1/integrations/{}/custom-fields",
                                    "GET",
                                    p_a2,
                                    NULL,
                                    NULL,
                                    p_x2,
                                    NULL,
                                    NULL,
                                    {integ_a},
                                    {FAKE_INTEG}});
    snprintf(p_a2, sizeof(p_a2), "%s/custom-fields/%s", p_a, cfd_a);
    snprintf(p_x2, sizeof(p_x2), "%s/custom-fields/%s", p_x, FAKE_ID);
    snprintf(b_a, sizeof(b_a), "{\"integration_field_id\":\"%s\"}", field_a);
    snprintf(b_x, sizeof(b_x), "{\"integration_field_id\":\"%s\"}", FAKE_ID);
    same_as_missing(&(struct probe){"PUT /v1/integrations/{}/custom-fields/{}",
                                    "PUT",
                                    p_a2,
                                    NULL,
                                    b_a,
                                    p_x2,
                                    NULL,
                                    b_x,
                                    {integ_a, field_a},
                                    {FAKE_INTEG, FAKE_ID}});
    /* B's integration, A's definition; then B's definition mapped onto A's field. */
    snprintf(p_a2, sizeof(p_a2), "/v1/integrations/%s/custom-fields/%s", integ_b, cfd_a);
    snprintf(p_x2, sizeof(p_x2), "/v1/integrations/%s/custom-fields/%s", integ_b, FAKE_ID);
    same_as_missing(&(struct probe){"PUT /v1/integrations/{}/custom-fields/{}",
                                    "PUT",
                                    p_a2,
                                    NULL,
                                    "{\"integration_field_id\":null}",
                                    p_x2,
                                    NULL,
                                    "{\"integration_field_id\":null}",
                                    {cfd_a},
                                    {FAKE_ID}});
    snprintf(p_a2, sizeof(p_a2), "/v1/integrations/%s/custom-fields/%s", integ_b, cfd_b);
    same_as_missing(&(struct probe){"PUT /v1/integrations/{}/custom-fields/{}",
                                    "PUT",
                                    p_a2,
                                    NULL,
                                    b_a,
                                    p_a2,
                                    NULL,
                                    b_x,
                                    {field_a},
                                    {FAKE_ID}});
    snprintf(p_a2, sizeof(p_a2), "%s/syncs", p_a);
    snprintf(p_x2, sizeof(p_x2), "%s/syncs", p_x);
    same_as_missing(&(struct probe){"GET /v1/integrations/{}/syncs",
                                    "GET",
                                    p_a2,
                                    NULL,
                                    NULL,
                                    p_x2,
                                    NULL,
                                    NULL,
                                    {integ_a},
                                    {FAKE_INTEG}});

    /* Environment-level objects. */
    snprintf(p_a2, sizeof(p_a2), "/v1/custom-field-definitions/%s", cfd_a);
    snprintf(p_x2, sizeof(p_x2), "/v1/custom-field-definitions/%s", FAKE_ID);
    same_as_missing(&(struct probe){"DELETE /v1/custom-field-definitions/{}",
                                    "DELETE",
                                    p_a2,
                                    NULL,
                                    NULL,
                                    p_x2,
                                    NULL,
                                    NULL,
                                    {cfd_a},
                                    {FAKE_ID}});
    for (int k = 0; k < 2; k++) {
        const char *sc = k ? scope_a_default : scope_a;
        snprintf(p_a2, sizeof(p_a2), "/v1/scope-configs/%s", sc);
        snprintf(p_x2, sizeof(p_x2), "/v1/scope-configs/%s", FAKE_ID);
        same_as_missing(&(struct probe){"GET /v1/scope-configs/{}",
                                        "GET",
                                        p_a2,
                                        NULL,
                                        NULL,
                                        p_x2,
                                        NULL,
                                        NULL,
                                        {sc},
                                        {FAKE_ID}});
        same_as_missing(&(struct probe){"PUT /v1/scope-configs/{}",
                                        "PUT",
                                        p_a2,
                                        NULL,
                                        "{\"name\":\"taken\",\"models\":{\"hris_absences\":"
                                        "{\"enabled\":false}}}",
                                        p_x2,
                                        NULL,
                                        "{\"name\":\"taken\",\"models\":{\"hris_absences\":"
                                        "{\"enabled\":false}}}",
                                        {sc},
                                        {FAKE_ID}});
        /* An integration of B's made with A's scope config. */
        snprintf(b_a, sizeof(b_a),
                 "{\"tool\":\"factorial\",\"end_user\":{\"organization_name\":\"B\"},"
                 "\"credentials\":{\"api_key\":\"k\"},\"base_url\":\"http://127.0.0.1:9\","
                 "\"scope_config_id\":\"%s\"}",
                 sc);
        snprintf(b_x, sizeof(b_x),
                 "{\"tool\":\"factorial\",\"end_user\":{\"organization_name\":\"B\"},"
                 "\"credentials\":{\"api_key\":\"k\"},\"base_url\":\"http://127.0.0.1:9\","
                 "\"scope_config_id\":\"%s\"}",
                 FAKE_ID);
        same_as_missing(&(struct probe){"POST /v1/integrations",
                                        "POST",
                                        "/v1/integrations",
                                        NULL,
                                        b_a,
                                        "/v1/integrations",
                                        NULL,
                                        b_x,
                                        {sc},
                                        {FAKE_ID}});
    }

    /* Routes that take X-Integration-Id. */
    same_as_missing(&(struct probe){"POST /v1/force-sync",
                                    "POST",
                                    "/v1/force-sync",
                                    integ_a,
                                    "{\"type\":\"FULL\"}",
                                    "/v1/force-sync",
                                    FAKE_INTEG,
                                    "{\"type\":\"FULL\"}",
                                    {integ_a},
                                    {FAKE_INTEG}});
    same_as_missing(&(struct probe){"POST /v1/passthrough/{}/{}",
                                    "POST",
                                    "/v1/passthrough/personio/personnel",
                                    integ_a,
                                    "{\"method\":\"GET\",\"path\":\"/company/employees\"}",
                                    "/v1/passthrough/personio/personnel",
                                    FAKE_INTEG,
                                    "{\"method\":\"GET\",\"path\":\"/company/employees\"}",
                                    {integ_a},
                                    {FAKE_INTEG}});
    for (int i = 0; hris_lists[i]; i++) {
        static char route[9][64];
        snprintf(p_a2, sizeof(p_a2), "/v1/hris/%s", hris_lists[i]);
        snprintf(route[i], sizeof(route[i]), "GET /v1/hris/%s", hris_lists[i]);
        same_as_missing(&(struct probe){
            route[i], "GET", p_a2, integ_a, NULL, p_a2, FAKE_INTEG, NULL, {integ_a}, {FAKE_INTEG}});
    }

    /* Deleting last: it must not happen. */
    same_as_missing(&(struct probe){"DELETE /v1/integrations/{}",
                                    "DELETE",
                                    p_a,
                                    NULL,
                                    "{}",
                                    p_x,
                                    NULL,
                                    "{}",
                                    {integ_a},
                                    {FAKE_INTEG}});

    after = snapshot_a();
    if (strcmp(before, after) != 0)
        fail_msg("A's data changed after B's requests");
    free(before);
    free(after);
    assert_int_equal(harness_db_scalar(db, "SELECT count(*) FROM integrations WHERE id = ?",
                                       (const char *[]){integ_a, NULL}),
                     1);
    assert_int_equal(harness_db_scalar(db, "SELECT count(*) FROM integrations WHERE id = ?",
                                       (const char *[]){FAKE_INTEG, NULL}),
                     0);
}

static void lists_of_the_other_environment_hold_nothing_of_this_one(void **state)
{
    char *snap = snapshot_a();
    static char ids[4096][32];
    int nids = collect_ids(snap, ids, 4096);
    char path[1024];
    struct hresp r;
    const char *b_paths[32];
    char b_buf[32][256];
    int nb = 0;

    (void)state;
    assert_true(nids > 50);
    /* Everything B can list. */
    b_paths[nb++] = "/v1/check-api-key";
    b_paths[nb++] = "/v1/custom-field-definitions";
    b_paths[nb++] = "/v1/scope-configs";
    snprintf(b_buf[nb], 256, "/v1/integrations/%s", integ_b);
    b_paths[nb] = b_buf[nb];
    nb++;
    snprintf(b_buf[nb], 256, "/v1/integrations/%s/integration-fields?page_size=2000", integ_b);
    b_paths[nb] = b_buf[nb];
    nb++;
    snprintf(b_buf[nb], 256, "/v1/integrations/%s/custom-fields", integ_b);
    b_paths[nb] = b_buf[nb];
    nb++;
    snprintf(b_buf[nb], 256, "/v1/integrations/%s/syncs", integ_b);
    b_paths[nb] = b_buf[nb];
    nb++;
    for (int i = 0; hris_lists[i]; i++) {
        snprintf(b_buf[nb], 256, "/v1/hris/%s?page_size=250&include_deleted=true", hris_lists[i]);
        b_paths[nb] = b_buf[nb];
        nb++;
    }
    cover("GET /v1/check-api-key");
    cover("GET /v1/custom-field-definitions");
    cover("GET /v1/scope-configs");
    for (int i = 0; i < nb; i++) {
        int hris = strncmp(b_paths[i], "/v1/hris/", 9) == 0;
        api(key_b, "GET", b_paths[i], hris ? integ_b : NULL, NULL, &r);
        if (r.status != 200)
            fail_msg("B: GET %s: %ld %s", b_paths[i], r.status, r.body);
        for (int k = 0; k < nids; k++)
            if (strstr(r.body, ids[k]))
                fail_msg("B: GET %s shows A's id %s", b_paths[i], ids[k]);
        if (strstr(r.body, env_a) || strstr(r.body, "env-a") || strstr(r.body, "\"shirt\""))
            fail_msg("B: GET %s shows something of A: %.300s", b_paths[i], r.body);
        hresp_free(&r);
    }
    free(snap);

    /* Names are per environment: B may take A's custom field key (no conflict
     * that would reveal it), A may not take it twice. */
    cover("POST /v1/custom-field-definitions");
    cover("POST /v1/scope-configs");
    json_decref(ok(key_b, "POST", "/v1/custom-field-definitions", NULL,
                   "{\"model\":\"hris_employees\",\"key\":\"shirt\",\"label\":\"B's\"}", 201));
    api(key_a, "POST", "/v1/custom-field-definitions", NULL,
        "{\"model\":\"hris_employees\",\"key\":\"shirt\",\"label\":\"again\"}", &r);
    assert_int_equal(r.status, 409);
    hresp_free(&r);
    json_decref(ok(key_b, "POST", "/v1/scope-configs", NULL, "{\"name\":\"scope of env-a\"}", 201));

    /* A's cursors are refused for B exactly like forged ones. */
    {
        json_t *d;
        char cur[600], forged[600];
        struct hresp rf;

        snprintf(path, sizeof(path), "/v1/hris/employees?page_size=1");
        d = ok(key_a, "GET", path, integ_a, NULL, 200);
        snprintf(cur, sizeof(cur), "%s", str(d, "next"));
        json_decref(d);
        snprintf(forged, sizeof(forged), "%s", cur);
        forged[strlen(forged) - 2] = forged[strlen(forged) - 2] == 'A' ? 'B' : 'A';
        snprintf(path, sizeof(path), "/v1/hris/employees?cursor=%s", cur);
        api(key_b, "GET", path, integ_b, NULL, &r);
        snprintf(path, sizeof(path), "/v1/hris/employees?cursor=%s", forged);
        api(key_b, "GET", path, integ_b, NULL, &rf);
        assert_int_equal(r.status, 400);
        assert_int_equal(rf.status, 400);
        assert_string_equal(str(json_object_get(r.json, "error"), "code"),
                            str(json_object_get(rf.json, "error"), "code"));
        hresp_free(&r);
        hresp_free(&rf);

        d = ok(key_a, "GET", "/v1/scope-configs?page_size=1", NULL, NULL, 200);
        snprintf(cur, sizeof(cur), "%s", str(d, "next"));
        json_decref(d);
        snprintf(path, sizeof(path), "/v1/scope-configs?page_size=1&cursor=%s", cur);
        api(key_b, "GET", path, NULL, NULL, &r);
        assert_int_equal(r.status, 400);
        assert_string_equal(str(json_object_get(r.json, "error"), "code"),
                            "PLATFORM.INPUT_INVALID");
        hresp_free(&r);
    }

    /* The catalog and the assets are the same for everybody. */
    {
        struct hresp ra, rb;
        const char *const shared[] = {"/v1/tools/hris", "/assets/tools/personio/logo.svg", NULL};
        cover("GET /v1/tools/{}");
        cover("GET /assets/tools/{}/{}");
        for (int i = 0; shared[i]; i++) {
            api(key_a, "GET", shared[i], NULL, NULL, &ra);
            api(key_b, "GET", shared[i], NULL, NULL, &rb);
            assert_int_equal(ra.status, 200);
            assert_int_equal(rb.status, 200);
            assert_string_equal(ra.body, rb.body);
            hresp_free(&ra);
            hresp_free(&rb);
        }
    }
}

/* Every route of src/http/routes.c was exercised above. */
static void every_route_is_covered(void **state)
{
    FILE *f = fopen("src/http/routes.c", "r");
    char line[512];
    regex_t re;
    regmatch_t m[3];
    int routes = 0;

    (void)state;
    assert_non_null(f);
    assert_int_equal(regcomp(&re, "\\{\"([A-Z]+)\", \"([^\"]+)\"", REG_EXTENDED), 0);
    while (fgets(line, sizeof(line), f)) {
        char route[300];
        int found = 0;
        if (regexec(&re, line, 3, m, 0) != 0)
            continue;
        snprintf(route, sizeof(route), "%.*s %.*s", (int)(m[1].rm_eo - m[1].rm_so),
                 line + m[1].rm_so, (int)(m[2].rm_eo - m[2].rm_so), line + m[2].rm_so);
        for (int i = 0; i < ncovered; i++)
            found |= !strcmp(covered[i], route);
        if (!found)
            fail_msg("route %s has no isolation test", route);
        routes++;
    }
    regfree(&re);
    fclose(f);
    print_message("%d routes, all covered\n", routes);
    assert_true(routes >= 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(other_environment_learns_nothing_and_changes_nothing),
        cmocka_unit_test(lists_of_the_other_environment_hold_nothing_of_this_one),
        cmocka_unit_test(every_route_is_covered),
    };

    return cmocka_run_group_tests_name("isolation", tests, setup, teardown);
}
