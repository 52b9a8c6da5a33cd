/* scope — parsing and rendering scope configs. */
#include "model/scope.h"

#include <string.h>

void scope_default(struct scope *sc)
{
    for (int m = 0; m < MODEL_COUNT; m++) {
        sc->m[m].enabled = 1;
        sc->m[m].integration_fields = 1;
        sc->m[m].custom_fields = 1;
        sc->m[m].fields_off = 0;
    }
}

static int field_index(enum model m, const char *field)
{
    const char *const *f = models_get(m)->fields;

    for (int i = 0; f[i] && i < 64; i++) {
        if (strcmp(f[i], field) == 0)
            return i;
    }
    return -1;
}

/* Fields that link records to others (nested objects and filters hang on
 * them), so they cannot be switched off. */
static int links_records(const char *field)
{
    static const char *const links[] = {"employee_id",     "manager_id", "work_location_id",
                                        "legal_entity_id", "parent_id",  "approver_id",
                                        "type_id",         NULL};

    for (const char *const *l = links; *l; l++) {
        if (strcmp(*l, field) == 0)
            return 1;
    }
    return 0;
}

static int read_bool(const json_t *obj, const char *model, const char *key, int *out, struct err *e)
{
    const json_t *v = json_object_get(obj, key);

    if (!v)
        return ERR_OK;
    if (!json_is_boolean(v))
        return err_set(e, ERR_INVALID, "models.%s.%s: expected true or false", model, key);
    *out = json_is_true(v);
    return ERR_OK;
}

static int read_model(const json_t *obj, enum model m, struct scope_model *sm, struct err *e)
{
    const char *id = models_get(m)->id, *key;
    const json_t *v, *off;
    size_t i;
    int rc = ERR_OK;

    if (!json_is_object(obj))
        return err_set(e, ERR_INVALID, "models.%s: expected an object", id);
    json_object_foreach ((json_t *)obj, key, v) {
        if (strcmp(key, "enabled") != 0 && strcmp(key, "integration_fields") != 0 &&
            strcmp(key, "custom_fields") != 0 && strcmp(key, "disabled_fields") != 0)
            return err_set(e, ERR_INVALID, "models.%s.%.64s: unknown key", id, key);
    }
    rc = read_bool(obj, id, "enabled", &sm->enabled, e);
    if (rc == ERR_OK)
        rc = read_bool(obj, id, "integration_fields", &sm->integration_fields, e);
    if (rc == ERR_OK)
        rc = read_bool(obj, id, "custom_fields", &sm->custom_fields, e);
    off = json_object_get(obj, "disabled_fields");
    if (rc == ERR_OK && off && !json_is_array(off))
        return err_set(e, ERR_INVALID, "models.%s.disabled_fields: expected a list of fields", id);
    json_array_foreach ((json_t *)off, i, v) {
        const char *f = json_string_value(v);
        int ix = f ? field_index(m, f) : -1;

        if (ix < 0)
            return err_set(e, ERR_INVALID, "models.%s.disabled_fields: \"%.64s\" is not a field",
                           id, f ? f : "(not a string)");
        if (links_records(f))
            return err_set(e, ERR_INVALID,
                           "models.%s.disabled_fields: \"%s\" links records and stays on", id, f);
        sm->fields_off |= UINT64_C(1) << ix;
    }
    return rc;
}

int scope_from_json(const json_t *models, struct scope *sc, struct err *e)
{
    const char *key;
    json_t *v;

    scope_default(sc);
    if (!models || json_is_null(models))
        return ERR_OK;
    if (!json_is_object(models))
        return err_set(e, ERR_INVALID, "models: expected an object keyed by model id");
    json_object_foreach ((json_t *)models, key, v) {
        enum model m;
        int rc;

        if (models_find(key, &m) != 0)
            return err_set(e, ERR_INVALID, "models.%.64s: not a model", key);
        rc = read_model(v, m, &sc->m[m], e);
        if (rc != ERR_OK)
            return rc;
    }
    return ERR_OK;
}

void scope_from_text(const char *text, struct scope *sc)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;

    if (scope_from_json(j, sc, NULL) != ERR_OK)
        scope_default(sc);
    json_decref(j);
}

json_t *scope_to_json(const struct scope *sc)
{
    json_t *out = json_object();

    for (int m = 0; m < MODEL_COUNT; m++) {
        const struct model_def *md = models_get((enum model)m);
        json_t *off = json_array();

        for (int i = 0; md->fields[i] && i < 64; i++) {
            if (sc->m[m].fields_off & (UINT64_C(1) << i))
                json_array_append_new(off, json_string(md->fields[i]));
        }
        json_object_set_new(out, md->id,
                            json_pack("{s:b, s:b, s:b, s:o}", "enabled", sc->m[m].enabled,
                                      "integration_fields", sc->m[m].integration_fields,
                                      "custom_fields", sc->m[m].custom_fields, "disabled_fields",
                                      off));
    }
    return out;
}

int scope_field_on(const struct scope *sc, enum model m, const char *field)
{
    int ix;

    if (!sc->m[m].fields_off)
        return 1; /* the common case, asked for every field of every record a sync renders */
    ix = field_index(m, field);
    return ix < 0 || !(sc->m[m].fields_off & (UINT64_C(1) << ix));
}
