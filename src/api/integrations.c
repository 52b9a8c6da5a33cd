/* integrations — create, read, enable/disable and delete integrations. */
#include "api/integrations.h"

#include "api/app.h"
#include "api/general.h"
#include "core/alloc.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/secret.h"
#include "http/auth.h"
#include "model/scope.h"
#include "model/tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT       256
#define MAX_CREDENTIAL 4096
#define MAX_URL        2048

/* ---- validation --------------------------------------------------------- */

static int check_keys(json_t *obj, const char *where, const char *const allowed[], struct err *e)
{
    const char *key;
    json_t *v;

    json_object_foreach (obj, key, v) {
        int ok = 0;
        for (size_t i = 0; allowed[i]; i++)
            ok |= strcmp(allowed[i], key) == 0;
        if (!ok)
            return err_set(e, ERR_INVALID, "%s%s%.64s: unknown field", where, *where ? "." : "",
                           key);
    }
    return ERR_OK;
}

/* Reads an optional string (absent or null gives NULL) of at most max bytes. */
static int opt_string(json_t *obj, const char *key, const char *where, size_t max, int required,
                      const char **out, struct err *e)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_INVALID, "%s%s%s: required", where, *where ? "." : "", key);
        return ERR_OK;
    }
    if (!json_is_string(v))
        return err_set(e, ERR_INVALID, "%s%s%s: expected a string", where, *where ? "." : "", key);
    if (json_string_length(v) > max)
        return err_set(e, ERR_INVALID, "%s%s%s: longer than %zu characters", where,
                       *where ? "." : "", key, max);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return err_set(e, ERR_INVALID, "%s%s%s: contains a NUL character", where, *where ? "." : "",
                       key);
    if (required && json_string_length(v) == 0)
        return err_set(e, ERR_INVALID, "%s%s%s: must not be empty", where, *where ? "." : "", key);
    *out = json_string_value(v);
    return ERR_OK;
}

/* A loose but safe e-mail check: local@domain.tld, no spaces or controls. */
static int valid_email(const char *s)
{
    const char *at = strchr(s, '@');

    if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.'))
        return 0;
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return 0;
    }
    return at[1] != '.' && s[strlen(s) - 1] != '.';
}

static int valid_base_url(const char *s)
{
    const char *host;

    if (strncmp(s, "http://", 7) == 0)
        host = s + 7;
    else if (strncmp(s, "https://", 8) == 0)
        host = s + 8;
    else
        return 0;
    if (!*host || *host == '/')
        return 0;
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '?' || *p == '#')
            return 0;
    }
    /* No credentials in the URL: they belong in "credentials". */
    for (const char *p = host; *p && *p != '/'; p++) {
        if (*p == '@')
            return 0;
    }
    return 1;
}

static int valid_domain_label(const char *s)
{
    if (!*s || strlen(s) > 63)
        return 0;
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-'))
            return 0;
    }
    return 1;
}

static char *default_base_url(const struct tool_def *t, json_t *credentials)
{
    const char *tpl = t->default_base_url;
    const char *mark = strstr(tpl, "{company_domain}");
    const char *domain;
    char url[MAX_URL];

    if (!mark)
        return xstrdup(tpl);
    domain = json_string_value(json_object_get(credentials, "company_domain"));
    snprintf(url, sizeof(url), "%.*s%s%s", (int)(mark - tpl), tpl, domain ? domain : "",
             mark + strlen("{company_domain}"));
    return xstrdup(url);
}

int integrations_parse_create(json_t *body, struct store_integration *it, char **credentials,
                              const char **scope_config_id, struct err *e)
{
    static const char *const top_keys[] = {"tool",     "end_user",        "credentials",
                                           "base_url", "scope_config_id", NULL};
    static const char *const end_user_keys[] = {"organization_name", "origin_id", "creator_email",
                                                NULL};
    const struct tool_def *t;
    const char *tool, *org, *origin, *email, *base, *scope;
    json_t *end_user, *creds;
    const char *key;
    json_t *v;
    int rc;

    rc = check_keys(body, "", top_keys, e);
    if (rc == ERR_OK)
        rc = opt_string(body, "tool", "", 64, 1, &tool, e);
    if (rc != ERR_OK)
        return rc;
    t = tools_find(tool);
    if (!t)
        return err_set(e, ERR_INVALID,
                       "tool: unknown tool \"%.64s\"; supported: personio, bamboohr, hibob, "
                       "factorial",
                       tool);

    end_user = json_object_get(body, "end_user");
    if (!json_is_object(end_user))
        return err_set(e, ERR_INVALID, "end_user: %s",
                       end_user ? "expected an object" : "required");
    rc = check_keys(end_user, "end_user", end_user_keys, e);
    if (rc == ERR_OK)
        rc = opt_string(end_user, "organization_name", "end_user", MAX_TEXT, 1, &org, e);
    if (rc == ERR_OK)
        rc = opt_string(end_user, "origin_id", "end_user", MAX_TEXT, 0, &origin, e);
    if (rc == ERR_OK)
        rc = opt_string(end_user, "creator_email", "end_user", MAX_TEXT, 0, &email, e);
    if (rc != ERR_OK)
        return rc;
    if (email && !valid_email(email))
        return err_set(e, ERR_INVALID, "end_user.creator_email: not an e-mail address");

    creds = json_object_get(body, "credentials");
    if (!json_is_object(creds))
        return err_set(e, ERR_INVALID, "credentials: %s",
                       creds ? "expected an object" : "required");
    rc = check_keys(creds, "credentials", t->credential_keys, e);
    for (const char *const *k = t->credential_keys; rc == ERR_OK && *k; k++) {
        const char *val;
        rc = opt_string(creds, *k, "credentials", MAX_CREDENTIAL, 1, &val, e);
    }
    if (rc != ERR_OK)
        return rc;
    json_object_foreach (creds, key, v) {
        if (strcmp(key, "company_domain") == 0 && !valid_domain_label(json_string_value(v)))
            return err_set(e, ERR_INVALID,
                           "credentials.company_domain: letters, digits and '-' only");
    }

    rc = opt_string(body, "base_url", "", MAX_URL, 0, &base, e);
    if (rc == ERR_OK)
        rc = opt_string(body, "scope_config_id", "", 64, 0, &scope, e);
    if (rc != ERR_OK)
        return rc;
    if (base && !valid_base_url(base))
        return err_set(e, ERR_INVALID,
                       "base_url: expected an http:// or https:// URL without credentials, "
                       "query or fragment");

    snprintf(it->tool, sizeof(it->tool), "%s", t->id);
    it->organization_name = xstrdup(org);
    it->origin_id = origin ? xstrdup(origin) : NULL;
    it->creator_email = email ? xstrdup(email) : NULL;
    if (base) {
        size_t n = strlen(base);
        while (n > 0 && base[n - 1] == '/')
            n--;
        it->base_url = xstrndup(base, n);
    } else {
        it->base_url = default_base_url(t, creds);
    }
    *credentials = json_dumps(creds, JSON_COMPACT | JSON_SORT_KEYS);
    *scope_config_id = scope;
    return ERR_OK;
}

/* ---- rendering ---------------------------------------------------------- */

static const char *status_name(const struct store_integration *it)
{
    if (!it->enabled)
        return "INACTIVE";
    return it->auth_invalid ? "INVALID" : "ACTIVE";
}

static const char *setup_status_name(int s)
{
    switch (s) {
    case SETUP_INCOMPLETE:
        return "INCOMPLETE";
    case SETUP_FINAL_SYNC_PENDING:
        return "FINAL_SYNC_PENDING";
    default:
        return "COMPLETED";
    }
}

static json_t *nullable(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *time_json(int64_t ms)
{
    char ts[ISOTIME_LEN];

    if (!ms)
        return json_null();
    isotime_format(ms, ts);
    return json_string(ts);
}

/* Per model and field: what the tool covers, what the scope config lets
 * through, and so whether it is available. */
static json_t *read_models_json(const struct tool_def *t, const struct scope *sc)
{
    json_t *models = json_array();

    for (int m = 0; m < MODEL_COUNT; m++) {
        const struct model_def *md = models_get((enum model)m);
        enum coverage cov = t ? t->coverage[m] : COV_UNKNOWN;
        int on = sc->m[m].enabled, available = cov == COV_SUPPORTED && on;
        json_t *fields = json_array();

        for (const char *const *f = md->fields; *f; f++) {
            int field_on = on && scope_field_on(sc, (enum model)m, *f);
            enum coverage fcov =
                cov == COV_SUPPORTED && tools_field_unsupported(t, *f) ? COV_UNSUPPORTED : cov;
            json_array_append_new(
                fields, json_pack("{s:s, s:b, s:s, s:s, s:b}", "id", *f, "is_available",
                                  available && field_on && fcov == COV_SUPPORTED, "coverage_status",
                                  tools_coverage_name(fcov), "scope_config_setting",
                                  field_on ? "ENABLED" : "DISABLED", "opted_out_by_customer", 0));
        }
        json_array_append_new(models, json_pack("{s:s, s:s, s:b, s:s, s:s, s:b, s:o}", "id", md->id,
                                                "label", md->label, "is_available", available,
                                                "coverage_status", tools_coverage_name(cov),
                                                "scope_config_setting", on ? "ENABLED" : "DISABLED",
                                                "opted_out_by_customer", 0, "fields", fields));
    }
    return models;
}

static json_t *integration_json(const struct req *rq, const struct store_integration *it)
{
    const struct tool_def *t = tools_find(it->tool);
    struct scope sc;

    scope_from_text(it->scope_config, &sc);
    return json_pack(
        "{s:s, s:{s:s, s:s, s:n, s:o, s:o}, s:s, s:s, s:s, s:{s:s, s:o, s:o}, s:{s:s, s:o}, "
        "s:o, s:o, s:b, s:o, s:[]}",
        "id", it->id, "tool", "id", it->tool, "label", t ? t->label : it->tool, "internal_label",
        "logo_url", general_asset_url(rq, it->tool, "logo.svg"), "icon_url",
        general_asset_url(rq, it->tool, "icon.svg"), "category", "HRIS", "status", status_name(it),
        "setup_status", setup_status_name(it->setup_status), "end_user", "organization_name",
        it->organization_name, "creator_email", nullable(it->creator_email), "origin_id",
        nullable(it->origin_id), "scope_config", "id", it->scope_config_id, "name",
        nullable(it->scope_config_name), "data_expired_at", time_json(it->data_expired_at),
        "created_at", time_json(it->created_at), "beta", 0, "read_models", read_models_json(t, &sc),
        "write_actions");
}

/* ---- handlers ----------------------------------------------------------- */

void integrations_create(struct req *rq, struct resp *rs)
{
    const struct app *app = rq->app;
    struct store_integration it, saved;
    const char *scope_id = NULL;
    char scope_name[256];
    char *credentials = NULL;
    json_t *body = NULL;
    struct err e;
    int rc;

    memset(&it, 0, sizeof(it));
    memset(&saved, 0, sizeof(saved));
    err_init(&e);
    rc = req_json_object(rq, 0, &body, &e);
    if (rc == ERR_OK)
        rc = integrations_parse_create(body, &it, &credentials, &scope_id, &e);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, &e);
        goto out;
    }
    if (scope_id) {
        rc = store_scope_config_check(app->store, rq->environment_id, scope_id);
        if (rc == ERR_NOT_FOUND) {
            resp_error(rs, HE_INPUT_INVALID, "scope_config_id: no scope config %.64s", scope_id);
            goto out;
        }
        snprintf(it.scope_config_id, sizeof(it.scope_config_id), "%s", scope_id);
    } else {
        rc = store_scope_config_default(app->store, rq->environment_id, it.scope_config_id,
                                        scope_name, sizeof(scope_name));
    }
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, NULL);
        goto out;
    }

    {
        char rid[IDS_LEN + 1];
        ids_random(rid);
        snprintf(it.id, sizeof(it.id), "%s:%s", it.tool, rid);
    }
    snprintf(it.environment_id, sizeof(it.environment_id), "%s", rq->environment_id);
    it.enabled = 1;
    it.setup_status = SETUP_FINAL_SYNC_PENDING;
    it.created_at = isotime_now_ms();
    it.credentials =
        secret_seal(&app->master, it.id, credentials, strlen(credentials), &it.credentials_len);
    rc = store_integration_insert(app->store, &it);
    if (rc == ERR_OK)
        rc = store_integration_get(app->store, rq->environment_id, it.id, &saved);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, NULL);
        goto out;
    }
    log_info("api", "msg=\"integration created\" integration=%s environment=%s", saved.id,
             rq->environment_id);
    resp_success_take(rs, 201, integration_json(rq, &saved));
out:
    secret_free_text(credentials);
    store_integration_free(&it);
    store_integration_free(&saved);
    json_decref(body);
}

void integrations_get(struct req *rq, struct resp *rs)
{
    if (auth_load_integration(rq, rs, rq->params[0]) != ERR_OK)
        return;
    resp_success_take(rs, 200, integration_json(rq, &rq->integration));
}

void integrations_delete(struct req *rq, struct resp *rs)
{
    json_t *body = NULL;
    struct err e;
    int rc;

    err_init(&e);
    /* Kombo's clients send {} (or nothing); anything that is not an object is refused. */
    rc = req_json_object(rq, 1, &body, &e);
    json_decref(body);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, &e);
        return;
    }
    rc = store_integration_delete(rq->app->store, rq->environment_id, rq->params[0]);
    if (rc == ERR_NOT_FOUND) {
        resp_error(rs, HE_INTEGRATION_NOT_FOUND, "integration %.80s does not exist", rq->params[0]);
        return;
    }
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, NULL);
        return;
    }
    log_info("api", "msg=\"integration deleted\" integration=%.80s environment=%s", rq->params[0],
             rq->environment_id);
    resp_success_take(rs, 200, json_object());
}

void integrations_set_enabled(struct req *rq, struct resp *rs)
{
    static const char *const keys[] = {"value", NULL};
    json_t *body = NULL, *value;
    struct err e;
    int rc;

    err_init(&e);
    rc = req_json_object(rq, 0, &body, &e);
    if (rc == ERR_OK)
        rc = check_keys(body, "", keys, &e);
    if (rc == ERR_OK) {
        value = json_object_get(body, "value");
        if (!json_is_boolean(value))
            rc = err_set(&e, ERR_INVALID, "value: %s",
                         value ? "expected true or false" : "required");
    }
    if (rc != ERR_OK) {
        json_decref(body);
        resp_from_err(rs, rc, &e);
        return;
    }
    rc = store_integration_set_enabled(rq->app->store, rq->environment_id, rq->params[0],
                                       json_is_true(value));
    json_decref(body);
    if (rc == ERR_NOT_FOUND) {
        resp_error(rs, HE_INTEGRATION_NOT_FOUND, "integration %.80s does not exist", rq->params[0]);
        return;
    }
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, NULL);
        return;
    }
    resp_success_take(rs, 200, json_object());
}
