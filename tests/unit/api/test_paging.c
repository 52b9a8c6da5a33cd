/* Unit tests for api/paging.c. */
#include "api/paging.h"

#include "api/app.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct app app;

static struct req make(const char *uri)
{
    struct req r;
    struct err e;

    memset(&r, 0, sizeof(r));
    r.app = &app;
    buf_init(&r.body, 16);
    r.raw_uri = strdup(uri);
    assert_int_equal(req_parse_uri(&r, &e), ERR_OK);
    return r;
}

static void page_size_is_strict(void **state)
{
    static const char *const bad[] = {"0",  "251", "-1", "1.5", "ten", "", "99999999999999999999",
                                      " 5", "5 "};
    struct paging pg;
    struct err e;
    struct req r;
    char uri[128];

    (void)state;
    r = make("/x");
    assert_int_equal(paging_parse(&r, 100, 250, "k", "i", &pg, &e), ERR_OK);
    assert_int_equal(pg.limit, 100);
    assert_string_equal(pg.after, "");
    req_free(&r);
    r = make("/x?page_size=250");
    assert_int_equal(paging_parse(&r, 100, 250, "k", "i", &pg, &e), ERR_OK);
    assert_int_equal(pg.limit, 250);
    req_free(&r);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(uri, sizeof(uri), "/x?page_size=%s", bad[i]);
        for (char *p = uri; *p; p++)
            if (*p == ' ')
                *p = '+';
        r = make(uri);
        assert_int_equal(paging_parse(&r, 100, 250, "k", "i", &pg, &e), ERR_INVALID);
        req_free(&r);
    }
}

static void next_cursor_round_trips(void **state)
{
    struct paging pg;
    struct err e;
    struct req r;
    json_t *next;
    char uri[700];

    (void)state;
    r = make("/x");
    assert_int_equal(paging_parse(&r, 100, 250, "k", "i", &pg, &e), ERR_OK);
    next = paging_next(&r, &pg, 0, "abc");
    assert_true(json_is_null(next));
    json_decref(next);
    next = paging_next(&r, &pg, 1, "abc");
    assert_true(json_is_string(next));
    req_free(&r);
    snprintf(uri, sizeof(uri), "/x?cursor=%s", json_string_value(next));
    json_decref(next);
    r = make(uri);
    assert_int_equal(paging_parse(&r, 100, 250, "k", "i", &pg, &e), ERR_OK);
    assert_string_equal(pg.after, "abc");
    assert_int_equal(paging_parse(&r, 100, 250, "k", "other", &pg, &e), ERR_INVALID);
    req_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(page_size_is_strict),
        cmocka_unit_test(next_cursor_round_trips),
    };
    if (secret_init() != ERR_OK ||
        secret_master_from_hex(&app.master, "000102030405060708090a0b0c0d0e0f"
                                            "101112131415161718191a1b1c1d1e1f") != ERR_OK)
        return 1;
    return cmocka_run_group_tests_name("api/paging", tests, NULL, NULL);
}
