/*
 * Unit tests for core/jsonarena.c: trees parsed into chunks behave like
 * jansson's own, mix with malloc'd values, and give their chunks back when
 * their last value goes. The .c is included to see the chunk table.
 */
#include "core/jsonarena.c"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static const char page[] =
    "{\"data\":[{\"attributes\":{\"id\":{\"label\":\"ID\",\"value\":1001,\"type\":\"integer\"},"
    "\"first_name\":{\"label\":\"First name\",\"value\":\"Emma\"},\"dynamic_1\":{\"value\":1.5},"
    "\"tags\":{\"value\":[\"a\",\"b\",null,true]}}}],\"metadata\":{\"total_pages\":3}}";

static int setup(void **state)
{
    (void)state;
    jsonarena_install();
    jsonarena_install(); /* once is enough; again does nothing */
    return 0;
}

static void parses_like_jansson(void **state)
{
    json_t *a, *b;

    (void)state;
    a = jsonarena_loadb(page, strlen(page), 0, NULL);
    b = json_loadb(page, strlen(page), 0, NULL);
    assert_non_null(a);
    assert_int_equal(json_equal(a, b), 1);
    assert_true(nchunks > 0);
    json_decref(a);
    assert_int_equal(nchunks, 0); /* the last value took its chunks along */
    json_decref(b);
}

static void a_value_kept_keeps_the_chunks(void **state)
{
    json_t *tree = jsonarena_loadb(page, strlen(page), 0, NULL);
    json_t *data = json_object_get(tree, "data");
    json_t *mine = json_object();

    (void)state;
    /* Values of the tree held by a malloc'd object, and the tree changed
     * (its table grows and frees the old one) before it is dropped. */
    json_object_set(mine, "data", data);
    for (int i = 0; i < 64; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        json_object_set_new(tree, key, json_integer(i));
    }
    json_decref(tree);
    assert_true(nchunks > 0);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(json_array_get(data, 0), "attributes"), "id"),
            "value")),
        1001);
    json_decref(mine);
    assert_int_equal(nchunks, 0);
}

static void errors_and_large_values(void **state)
{
    json_error_t je;
    size_t n = CHUNK_SMALL * 3;
    char *big = malloc(n + 3);
    json_t *v;

    (void)state;
    assert_null(jsonarena_loadb("{\"a\":[1,2", 9, 0, &je));
    assert_true(strlen(je.text) > 0);
    assert_int_equal(nchunks, 0);
    /* A string larger than a chunk's share gets a malloc of its own. */
    big[0] = '"';
    memset(big + 1, 'x', n);
    big[n + 1] = '"';
    big[n + 2] = '\0';
    v = jsonarena_loadb(big, n + 2, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    assert_int_equal(json_string_length(v), n);
    json_decref(v);
    assert_int_equal(nchunks, 0);
    free(big);
}

/* A thread that parses and ends without jsonarena_thread_done: its spare
 * chunks are freed as it ends (LeakSanitizer would report them). */
static void *parse_and_end(void *arg)
{
    json_t *tree = jsonarena_loadb(page, strlen(page), 0, NULL);

    (void)arg;
    json_decref(tree);
    return nspare > 0 ? (void *)1 : NULL;
}

static void *parse_elsewhere(void *arg)
{
    json_t *tree = jsonarena_loadb(page, strlen(page), 0, NULL);
    int ok = tree && nchunks > 0;

    (void)arg;
    json_decref(tree);
    ok = ok && nchunks == 0;
    jsonarena_thread_done();
    return ok ? (void *)1 : NULL;
}

static void threads_keep_their_own_chunks(void **state)
{
    json_t *here = jsonarena_loadb(page, strlen(page), 0, NULL);
    int before = nchunks;
    pthread_t t;
    void *ok = NULL;

    (void)state;
    assert_int_equal(pthread_create(&t, NULL, parse_elsewhere, NULL), 0);
    assert_int_equal(pthread_join(t, &ok), 0);
    assert_non_null(ok);
    assert_int_equal(nchunks, before);
    json_decref(here);
    assert_int_equal(nchunks, 0);
    assert_true(nspare > 0); /* kept for the next tree */
    jsonarena_thread_done();
    assert_int_equal(nspare, 0);
    assert_int_equal(pthread_create(&t, NULL, parse_and_end, NULL), 0);
    assert_int_equal(pthread_join(t, &ok), 0);
    assert_non_null(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_like_jansson),
        cmocka_unit_test(a_value_kept_keeps_the_chunks),
        cmocka_unit_test(errors_and_large_values),
        cmocka_unit_test(threads_keep_their_own_chunks),
    };
    return cmocka_run_group_tests_name("core/jsonarena", tests, setup, NULL);
}
