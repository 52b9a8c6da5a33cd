/* models — the catalog of unified read models and their fields. */
#include "model/models.h"

#include <string.h>

static const char *const employee_fields[] = {"employee_number",
                                              "first_name",
                                              "last_name",
                                              "nationality",
                                              "display_full_name",
                                              "job_title",
                                              "work_email",
                                              "personal_email",
                                              "mobile_phone_number",
                                              "ssn",
                                              "tax_id",
                                              "gender",
                                              "ethnicity",
                                              "marital_status",
                                              "employment_status",
                                              "employment_type",
                                              "weekly_hours",
                                              "avatar",
                                              "work_location_id",
                                              "legal_entity_id",
                                              "manager_id",
                                              "home_address",
                                              "bank_accounts",
                                              "date_of_birth",
                                              "start_date",
                                              "termination_date",
                                              "remote_created_at",
                                              NULL};
static const char *const employment_fields[] = {"employee_id",  "job_title",      "pay_rate",
                                                "pay_period",   "pay_frequency",  "employment_type",
                                                "pay_currency", "effective_date", NULL};
static const char *const group_fields[] = {"name", "type", "parent_id", NULL};
static const char *const location_fields[] = {"name", "address", "type", NULL};
static const char *const legal_entity_fields[] = {"name", "address", NULL};
static const char *const absence_type_fields[] = {"name", "unit", "half_days_supported",
                                                  "exact_times_supported", NULL};
static const char *const absence_fields[] = {"employee_id",
                                             "approver_id",
                                             "start_date",
                                             "end_date",
                                             "start_half_day",
                                             "end_half_day",
                                             "start_time",
                                             "end_time",
                                             "amount",
                                             "unit",
                                             "status",
                                             "employee_note",
                                             "type_id",
                                             "remote_created_at",
                                             "remote_updated_at",
                                             NULL};
static const char *const balance_fields[] = {"employee_id", "type_id",   "balance", "balance_unit",
                                             "used",        "used_unit", NULL};

/* Nested forms, from the OpenAPI file's employee object (manager, groups, ...). */
static const char *const employee_summary[] = {
    "first_name",        "last_name",        "display_full_name", "employee_number",
    "employment_status", "termination_date", "work_email",        NULL};
static const char *const group_summary[] = {"name", "type", NULL};
static const char *const location_summary[] = {"name", "address", "type", NULL};
static const char *const legal_entity_summary[] = {"name", "address", NULL};

static const char *const employee_filters[] = {"employment_status", "work_email", "personal_email",
                                               NULL};
static const char *const group_filters[] = {"type", "name", NULL};
static const char *const name_filters[] = {"name", NULL};
static const char *const absence_filters[] = {"start_date", "end_date", NULL};
static const char *const none[] = {NULL};

static const struct model_def defs[MODEL_COUNT] = {
    [MODEL_EMPLOYEES] = {"hris_employees", "Employees", "/hris/employees", employee_fields,
                         employee_summary, 0, 1, employee_filters},
    [MODEL_EMPLOYMENTS] = {"hris_employments", "Employments", "/hris/employments",
                           employment_fields, employment_fields, 1, 1, none},
    [MODEL_GROUPS] = {"hris_teams", "Groups", "/hris/groups", group_fields, group_summary, 0, 0,
                      group_filters},
    [MODEL_LOCATIONS] = {"hris_locations", "Work locations", "/hris/locations", location_fields,
                         location_summary, 1, 0, name_filters},
    [MODEL_LEGAL_ENTITIES] = {"hris_legal_entities", "Legal entities", "/hris/legal-entities",
                              legal_entity_fields, legal_entity_summary, 0, 0, name_filters},
    [MODEL_ABSENCE_TYPES] = {"hris_absence_types", "Absence types", "/hris/absence-types",
                             absence_type_fields, absence_type_fields, 1, 0, none},
    [MODEL_ABSENCES] = {"hris_absences", "Absences", "/hris/absences", absence_fields,
                        absence_fields, 1, 0, absence_filters},
    [MODEL_TIME_OFF_BALANCES] = {"hris_time_off_balances", "Time off balances",
                                 "/hris/time-off-balances", balance_fields, balance_fields, 1, 0,
                                 none},
};

const struct model_def *models_get(enum model m)
{
    return &defs[m];
}

int models_find(const char *id, enum model *out)
{
    for (int i = 0; i < MODEL_COUNT; i++) {
        if (strcmp(defs[i].id, id) == 0) {
            *out = (enum model)i;
            return 0;
        }
    }
    return -1;
}

const char *const models_employee_links[] = {"manager_id", "group_id", "legal_entity_id",
                                             "work_location_id", NULL};
const char *const models_employee_children[] = {"hris_employments", "hris_time_off_balances", NULL};
