/*
 * scope — what a scope config lets an integration sync, store and serve:
 * per model whether it is enabled, which of its unified fields are switched
 * off, and whether its integration fields and custom fields are collected.
 * Stored as JSON text in the scope config; everything is on by default.
 */
#ifndef HB_MODEL_SCOPE_H
#define HB_MODEL_SCOPE_H

#include "core/err.h"
#include "model/models.h"

#include <jansson.h>
#include <stdint.h>

struct scope_model {
    int enabled;
    int integration_fields; /* discover and pass through its raw fields */
    int custom_fields;      /* fill its custom fields */
    uint64_t fields_off;    /* bit i: models_get(m)->fields[i] is switched off */
};

struct scope {
    struct scope_model m[MODEL_COUNT];
};

/* Everything on. */
void scope_default(struct scope *sc);

/* Reads {"hris_employees": {"enabled", "integration_fields", "custom_fields",
 * "disabled_fields": [...]}, ...} (every key optional; what is left out is
 * on). Unknown models, keys or fields, wrong types and switching off a field
 * that links records (manager_id, employee_id, …) are ERR_INVALID. NULL is
 * the default. */
int scope_from_json(const json_t *models, struct scope *sc, struct err *e);

/* Reads stored text; anything unreadable is the default. */
void scope_from_text(const char *text, struct scope *sc);

/* The full form: every model with every key. */
json_t *scope_to_json(const struct scope *sc);

/* Whether field of model m is on (fields the scope does not know are on). */
int scope_field_on(const struct scope *sc, enum model m, const char *field);

#endif
