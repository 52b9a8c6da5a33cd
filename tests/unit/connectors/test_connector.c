/* Unit tests for connectors/connector.c: the tool table and escaping what
 * a remote sends into a request's path or query. */
#include "connectors/connector.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void finds_every_tool(void **state)
{
    (void)state;
    assert_ptr_equal(connector_find("personio"), &connector_personio);
    assert_ptr_equal(connector_find("bamboohr"), &connector_bamboohr);
    assert_ptr_equal(connector_find("hibob"), &connector_hibob);
    assert_ptr_equal(connector_find("factorial"), &connector_factorial);
    assert_null(connector_find("workday"));
}

static const char *escaped(struct buf *b, const char *s)
{
    buf_reset(b);
    assert_int_equal(conn_escape(b, s), ERR_OK);
    return buf_str(b);
}

/* A remote id stays one path segment whatever it holds. */
static void escapes_ids_into_one_segment(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 0);
    assert_string_equal(escaped(&b, "1042"), "1042");
    assert_string_equal(escaped(&b, "a-b_c.d~e"), "a-b_c.d~e");
    assert_string_equal(escaped(&b, "12/../x?y=1#z"), "12%2F..%2Fx%3Fy%3D1%23z");
    assert_string_equal(escaped(&b, ".."), "%2E%2E");
    assert_string_equal(escaped(&b, "."), "%2E");
    assert_string_equal(escaped(&b, "..."), "...");
    assert_string_equal(escaped(&b, "a b%\r\n"), "a%20b%25%0D%0A");
    assert_string_equal(escaped(&b, "\xc3\xa9"), "%C3%A9");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_every_tool),
        cmocka_unit_test(escapes_ids_into_one_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
