/* tools — the catalog of supported remote HR systems. */
#include "model/tools.h"

#include <string.h>

static const char *const personio_keys[] = {"client_id", "client_secret", NULL};
static const char *const bamboohr_keys[] = {"company_domain", "api_key", NULL};
static const char *const hibob_keys[] = {"service_user_id", "service_user_token", NULL};
static const char *const factorial_keys[] = {"api_key", NULL};

/* Coverage says what hrbridge syncs today, not what the vendor could offer:
 * a model becomes SUPPORTED when its connector maps it. */
#define ALL_SUPPORTED                                                                              \
    {                                                                                              \
        COV_SUPPORTED, COV_SUPPORTED, COV_SUPPORTED, COV_SUPPORTED, COV_SUPPORTED, COV_SUPPORTED,  \
            COV_SUPPORTED, COV_SUPPORTED                                                           \
    }

/* What Personio's v1 API has no source for (remote-apis.md §7). */
static const char *const personio_unsupported[] = {"employee_number",
                                                   "nationality",
                                                   "personal_email",
                                                   "mobile_phone_number",
                                                   "ssn",
                                                   "tax_id",
                                                   "ethnicity",
                                                   "marital_status",
                                                   "avatar",
                                                   "home_address",
                                                   "bank_accounts",
                                                   NULL};

/* BambooHR keeps no nationality, tax or bank data in its standard fields. */
static const char *const bamboohr_unsupported[] = {
    "nationality",       "ssn", "tax_id", "ethnicity", "avatar", "home_address", "bank_accounts",
    "remote_created_at", NULL};

/* HiBob's people search has no legal entities and none of these fields. */
static const char *const hibob_unsupported[] = {
    "nationality", "mobile_phone_number", "ssn",           "tax_id", "ethnicity", "marital_status",
    "avatar",      "home_address",        "bank_accounts", NULL};

#define HIBOB_COVERAGE                                                                             \
    {                                                                                              \
        COV_SUPPORTED, COV_SUPPORTED, COV_SUPPORTED, COV_SUPPORTED, COV_UNSUPPORTED,               \
            COV_SUPPORTED, COV_SUPPORTED, COV_SUPPORTED                                            \
    }

static const char *const factorial_unsupported[] = {
    "mobile_phone_number", "ssn",           "tax_id", "ethnicity", "marital_status", "avatar",
    "home_address",        "bank_accounts", NULL};

static const struct tool_def tools[] = {
    {"personio", "Personio", "https://api.personio.de", personio_keys,
     "https://developer.personio.de/docs/getting-started-with-the-personio-api", ALL_SUPPORTED,
     personio_unsupported},
    {"bamboohr", "BambooHR", "https://api.bamboohr.com/api/gateway.php/{company_domain}",
     bamboohr_keys, "https://documentation.bamboohr.com/docs/getting-started", ALL_SUPPORTED,
     bamboohr_unsupported},
    {"hibob", "HiBob", "https://api.hibob.com", hibob_keys,
     "https://apidocs.hibob.com/docs/api-service-users", HIBOB_COVERAGE, hibob_unsupported},
    {"factorial", "Factorial", "https://api.factorialhr.com", factorial_keys,
     "https://apidoc.factorialhr.com/docs/authentication", ALL_SUPPORTED, factorial_unsupported},
};

const struct tool_def *tools_all(size_t *n)
{
    *n = sizeof(tools) / sizeof(tools[0]);
    return tools;
}

const struct tool_def *tools_find(const char *id)
{
    for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
        if (strcmp(tools[i].id, id) == 0)
            return &tools[i];
    }
    return NULL;
}

int tools_field_unsupported(const struct tool_def *tool, const char *field)
{
    for (const char *const *f = tool ? tool->unsupported_fields : NULL; f && *f; f++) {
        if (strcmp(*f, field) == 0)
            return 1;
    }
    return 0;
}

const char *tools_coverage_name(enum coverage c)
{
    switch (c) {
    case COV_SUPPORTED:
        return "SUPPORTED";
    case COV_UNSUPPORTED:
        return "UNSUPPORTED";
    case COV_NOT_IMPLEMENTED:
        return "NOT_IMPLEMENTED";
    default:
        return "UNKNOWN";
    }
}
