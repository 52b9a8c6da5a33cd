/* routes — the route table: every endpoint hrbridge serves. */
#include "http/router.h"

#include "api/custom_fields.h"
#include "api/general.h"
#include "api/hris.h"
#include "api/integration_fields.h"
#include "api/integrations.h"
#include "api/passthrough.h"
#include "api/scope_configs.h"
#include "api/syncs.h"

#include <stddef.h>

#define AUTH  ROUTE_AUTH
#define INTEG (ROUTE_AUTH | ROUTE_INTEGRATION)

const struct route router_routes[] = {
    {"GET", "/v1/check-api-key", general_check_api_key, FAMILY_GENERAL, AUTH},
    {"GET", "/v1/tools/{}", general_tools, FAMILY_GENERAL, AUTH},
    {"POST", "/v1/integrations", integrations_create, FAMILY_GENERAL, AUTH},
    {"GET", "/v1/integrations/{}", integrations_get, FAMILY_GENERAL, AUTH},
    {"DELETE", "/v1/integrations/{}", integrations_delete, FAMILY_GENERAL, AUTH},
    {"PUT", "/v1/integrations/{}/enabled", integrations_set_enabled, FAMILY_GENERAL, AUTH},
    {"GET", "/v1/integrations/{}/integration-fields", integration_fields_list, FAMILY_GENERAL,
     AUTH},
    {"PATCH", "/v1/integrations/{}/integration-fields/{}", integration_fields_update,
     FAMILY_GENERAL, AUTH},
    {"GET", "/v1/integrations/{}/custom-fields", integration_custom_fields_list, FAMILY_GENERAL,
     AUTH},
    {"PUT", "/v1/integrations/{}/custom-fields/{}", integration_custom_fields_update,
     FAMILY_GENERAL, AUTH},
    {"GET", "/v1/integrations/{}/syncs", syncs_list, FAMILY_GENERAL, AUTH},
    {"POST", "/v1/custom-field-definitions", custom_field_definitions_create, FAMILY_GENERAL, AUTH},
    {"GET", "/v1/custom-field-definitions", custom_field_definitions_list, FAMILY_GENERAL, AUTH},
    {"DELETE", "/v1/custom-field-definitions/{}", custom_field_definitions_delete, FAMILY_GENERAL,
     AUTH},
    {"POST", "/v1/scope-configs", scope_configs_create, FAMILY_GENERAL, AUTH},
    {"GET", "/v1/scope-configs", scope_configs_list, FAMILY_GENERAL, AUTH},
    {"GET", "/v1/scope-configs/{}", scope_configs_get, FAMILY_GENERAL, AUTH},
    {"PUT", "/v1/scope-configs/{}", scope_configs_update, FAMILY_GENERAL, AUTH},
    {"POST", "/v1/force-sync", syncs_force, FAMILY_GENERAL, INTEG},
    {"POST", "/v1/passthrough/{}/{}", passthrough_post, FAMILY_GENERAL, INTEG},
    {"GET", "/v1/hris/employees", hris_employees, FAMILY_HRIS, INTEG},
    {"GET", "/v1/hris/employments", hris_employments, FAMILY_HRIS, INTEG},
    {"GET", "/v1/hris/groups", hris_groups, FAMILY_HRIS, INTEG},
    {"GET", "/v1/hris/teams", hris_teams, FAMILY_HRIS, INTEG},
    {"GET", "/v1/hris/locations", hris_locations, FAMILY_HRIS, INTEG},
    {"GET", "/v1/hris/legal-entities", hris_legal_entities, FAMILY_HRIS, INTEG},
    {"GET", "/v1/hris/absence-types", hris_absence_types, FAMILY_HRIS, INTEG},
    {"GET", "/v1/hris/absences", hris_absences, FAMILY_HRIS, INTEG},
    {"GET", "/v1/hris/time-off-balances", hris_time_off_balances, FAMILY_HRIS, INTEG},
    {"GET", "/assets/tools/{}/{}", general_tool_asset, FAMILY_GENERAL, 0},
    {NULL, NULL, NULL, 0, 0},
};
