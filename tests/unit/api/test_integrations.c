/* Unit tests for api/integrations.c: validation of new integrations. */
#include "api/integrations.h"

#include "core/secret.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Parses body text; returns the rc and fills *it / *creds on success. */
static int parse(const char *text, struct store_integration *it, char **creds, struct err *e)
{
    json_t *body = json_loads(text, 0, NULL);
    const char *scope = NULL;
    int rc;

    assert_non_null(body);
    memset(it, 0, sizeof(*it));
    *creds = NULL;
    err_init(e);
    rc = integrations_parse_create(body, it, creds, &scope, e);
    json_decref(body);
    return rc;
}

static void valid_personio(void **state)
{
    struct store_integration it;
    char *creds;
    struct err e;

    (void)state;
    assert_int_equal(parse("{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Acme\","
                           "\"origin_id\":\"o1\",\"creator_email\":null},"
                           "\"credentials\":{\"client_secret\":\"s\",\"client_id\":\"c\"},"
                           "\"base_url\":\"http://127.0.0.1:8081/personio//\"}",
                           &it, &creds, &e),
                     ERR_OK);
    assert_string_equal(it.tool, "personio");
    assert_string_equal(it.organization_name, "Acme");
    assert_string_equal(it.origin_id, "o1");
    assert_null(it.creator_email);
    assert_string_equal(it.base_url, "http://127.0.0.1:8081/personio"); /* trailing / dropped */
    assert_string_equal(creds, "{\"client_id\":\"c\",\"client_secret\":\"s\"}");
    secret_free_text(creds);
    store_integration_free(&it);
}

static void default_base_urls(void **state)
{
    struct store_integration it;
    char *creds;
    struct err e;

    (void)state;
    assert_int_equal(parse("{\"tool\":\"bamboohr\",\"end_user\":{\"organization_name\":\"A\"},"
                           "\"credentials\":{\"company_domain\":\"acme\",\"api_key\":\"k\"}}",
                           &it, &creds, &e),
                     ERR_OK);
    assert_string_equal(it.base_url, "https://api.bamboohr.com/api/gateway.php/acme");
    secret_free_text(creds);
    store_integration_free(&it);
    assert_int_equal(
        parse("{\"tool\":\"hibob\",\"end_user\":{\"organization_name\":\"A\"},"
              "\"credentials\":{\"service_user_id\":\"u\",\"service_user_token\":\"t\"}}",
              &it, &creds, &e),
        ERR_OK);
    assert_string_equal(it.base_url, "https://api.hibob.com");
    secret_free_text(creds);
    store_integration_free(&it);
}

static void rejections_name_the_field(void **state)
{
    static const struct {
        const char *body, *msg;
    } cases[] = {
        {"{}", "tool: required"},
        {"{\"tool\":null}", "tool: required"},
        {"{\"tool\":\"personio\"}", "end_user: required"},
        {"{\"tool\":\"personio\",\"end_user\":[]}", "end_user: expected an object"},
        {"{\"tool\":\"personio\",\"end_user\":{}}", "end_user.organization_name: required"},
        {"{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"\"}}",
         "end_user.organization_name: must not be empty"},
        {"{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\",\"x\":1}}",
         "end_user.x: unknown field"},
        {"{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"}}",
         "credentials: required"},
        {"{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":\"x\"}",
         "credentials: expected an object"},
        {"{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},"
         "\"credentials\":{\"client_id\":\"\",\"client_secret\":\"s\"}}",
         "credentials.client_id: must not be empty"},
        {"{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},"
         "\"credentials\":{\"client_id\":\"c\",\"client_secret\":\"s\"},\"base_url\":\"http:///"
         "x\"}",
         "base_url: expected an http:// or https:// URL without credentials, query or fragment"},
        {"{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},"
         "\"credentials\":{\"client_id\":\"c\",\"client_secret\":\"s\"},\"base_url\":\"http://h/"
         "?q\"}",
         "base_url: expected an http:// or https:// URL without credentials, query or fragment"},
        {"{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\",\"creator_email\":\"a@"
         "b\"},"
         "\"credentials\":{\"client_id\":\"c\",\"client_secret\":\"s\"}}",
         "end_user.creator_email: not an e-mail address"},
    };
    struct store_integration it;
    char *creds;
    struct err e;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(parse(cases[i].body, &it, &creds, &e), ERR_INVALID);
        assert_string_equal(e.msg, cases[i].msg);
        assert_null(creds);
        assert_null(it.organization_name); /* nothing half-filled */
    }
}

static void long_values_are_refused(void **state)
{
    char *body = malloc(10000), *name = malloc(400);
    struct store_integration it;
    char *creds;
    struct err e;

    (void)state;
    memset(name, 'n', 300);
    name[300] = '\0';
    snprintf(body, 10000,
             "{\"tool\":\"factorial\",\"end_user\":{\"organization_name\":\"%s\"},"
             "\"credentials\":{\"api_key\":\"k\"}}",
             name);
    assert_int_equal(parse(body, &it, &creds, &e), ERR_INVALID);
    assert_string_equal(e.msg, "end_user.organization_name: longer than 256 characters");
    free(body);
    free(name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_personio),
        cmocka_unit_test(default_base_urls),
        cmocka_unit_test(rejections_name_the_field),
        cmocka_unit_test(long_values_are_refused),
    };
    return cmocka_run_group_tests_name("api/integrations", tests, NULL, NULL);
}
