/* Unit tests for core/secret.c. */
#include "core/secret.h"

#include "core/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static const char hex_key[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static void seal_and_open_round_trip(void **state)
{
    struct secret_master m;
    const char plain[] = "{\"client_secret\":\"s3cr3t\"}";
    unsigned char *sealed;
    size_t len = 0;
    char *out = NULL;

    (void)state;
    assert_int_equal(secret_master_from_hex(&m, hex_key), ERR_OK);
    sealed = secret_seal(&m, "personio:abc", plain, strlen(plain), &len);
    assert_true(len > strlen(plain));
    assert_null(memmem(sealed, len, "s3cr3t", 6));
    assert_int_equal(secret_open(&m, "personio:abc", sealed, len, &out), ERR_OK);
    assert_string_equal(out, plain);
    secret_free_text(out);

    /* Bound to the row: another id cannot open it. */
    assert_int_equal(secret_open(&m, "personio:xyz", sealed, len, &out), ERR_INVALID);
    /* Tampering is detected. */
    sealed[len - 1] ^= 1;
    assert_int_equal(secret_open(&m, "personio:abc", sealed, len, &out), ERR_INVALID);
    assert_int_equal(secret_open(&m, "personio:abc", sealed, 3, &out), ERR_INVALID);
    free(sealed);
}

static void wrong_master_key_cannot_open(void **state)
{
    struct secret_master a, b;
    unsigned char *sealed;
    size_t len = 0;
    char *out = NULL;

    (void)state;
    assert_int_equal(secret_master_from_hex(&a, hex_key), ERR_OK);
    assert_int_equal(secret_master_from_hex(
                         &b, "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
                     ERR_OK);
    sealed = secret_seal(&a, "id", "x", 1, &len);
    assert_int_equal(secret_open(&b, "id", sealed, len, &out), ERR_INVALID);
    free(sealed);
}

static void master_key_hex_is_strict(void **state)
{
    struct secret_master m;

    (void)state;
    assert_int_equal(secret_master_from_hex(&m, ""), ERR_INVALID);
    assert_int_equal(secret_master_from_hex(&m, "00"), ERR_INVALID);
    assert_int_equal(secret_master_from_hex(
                         &m, "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
                     ERR_INVALID);
}

static void key_file_is_created_private_and_reloaded(void **state)
{
    char dir[] = "/tmp/hb-secret-XXXXXX", path[64];
    struct secret_master a, b;
    struct stat st;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/k", dir);
    assert_int_equal(secret_master_load(&a, path, 0), ERR_NOT_FOUND);
    assert_int_equal(secret_master_load(&a, path, 1), ERR_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(secret_master_load(&b, path, 0), ERR_OK);
    assert_memory_equal(a.key, b.key, sizeof(a.key));
    chmod(path, 0640);
    assert_int_equal(secret_master_load(&b, path, 0), ERR_INVALID);
    unlink(path);
    rmdir(dir);
}

static void api_keys_are_random_and_hashed(void **state)
{
    char k1[SECRET_APIKEY_MAX], k2[SECRET_APIKEY_MAX];
    char h1[SECRET_HASH_HEX], h2[SECRET_HASH_HEX];

    (void)state;
    secret_apikey_new(k1);
    secret_apikey_new(k2);
    assert_memory_equal(k1, "hb_", 3);
    assert_true(strlen(k1) >= 40);
    assert_string_not_equal(k1, k2);
    secret_apikey_hash(k1, strlen(k1), h1);
    secret_apikey_hash(k1, strlen(k1), h2);
    assert_string_equal(h1, h2);
    assert_int_equal(strlen(h1), 64);
    assert_null(strstr(h1, k1 + 3));
    secret_apikey_hash(k2, strlen(k2), h2);
    assert_string_not_equal(h1, h2);
    assert_true(secret_equal(h1, h1, 64));
    assert_false(secret_equal(h1, h2, 64));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seal_and_open_round_trip),
        cmocka_unit_test(wrong_master_key_cannot_open),
        cmocka_unit_test(master_key_hex_is_strict),
        cmocka_unit_test(key_file_is_created_private_and_reloaded),
        cmocka_unit_test(api_keys_are_random_and_hashed),
    };
    if (secret_init() != ERR_OK)
        return 1;
    return cmocka_run_group_tests_name("core/secret", tests, NULL, NULL);
}
