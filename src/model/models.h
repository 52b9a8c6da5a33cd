/*
 * models — the unified HRIS read models hrbridge serves: their Kombo ids
 * ("hris_employees"), labels, endpoint paths and the unified fields a scope
 * config can switch on or off (from the OpenAPI file's record schemas).
 */
#ifndef HB_MODEL_MODELS_H
#define HB_MODEL_MODELS_H

#include <stddef.h>

enum model {
    MODEL_EMPLOYEES,
    MODEL_EMPLOYMENTS,
    MODEL_GROUPS,
    MODEL_LOCATIONS,
    MODEL_LEGAL_ENTITIES,
    MODEL_ABSENCE_TYPES,
    MODEL_ABSENCES,
    MODEL_TIME_OFF_BALANCES,
    MODEL_COUNT
};

struct model_def {
    const char *id;            /* "hris_employees" */
    const char *label;         /* "Employees" */
    const char *path;          /* "/hris/employees" */
    const char *const *fields; /* unified fields in output order, NULL-terminated */
    /* The nested form other records embed (e.g. an employee's manager). */
    const char *const *summary_fields;
    int summary_has_times; /* the nested form carries changed_at and remote_deleted_at */
    int has_custom_fields; /* records carry custom_fields and integration_fields */
    /* Unified fields also kept as filterable attributes (emails lower-cased). */
    const char *const *filter_fields;
};

/* How a served employee nests other records: the attributes linking it to
 * nested ones (manager, groups and teams, legal entity, work location), and
 * the child models pointing at it by MODELS_CHILD_ATTR (employments,
 * time-off balances). Both NULL-terminated. */
extern const char *const models_employee_links[];
extern const char *const models_employee_children[];
#define MODELS_CHILD_ATTR "employee_id"

/* The definition of m. */
const struct model_def *models_get(enum model m);

/* Finds a model by its id; returns 0 and *out, or -1. */
int models_find(const char *id, enum model *out);

#endif
