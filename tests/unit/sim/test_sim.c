/*
 * Unit tests for sim/sim.c and sim/http.c: the command line and the small
 * request helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"
#include "simerr.h"

static int parse(struct sim_options *opt, int argc, const char **argv)
{
    char err[128];

    sim_defaults(opt);
    return sim_parse_args(argc, (char **)argv, opt, err, sizeof(err));
}

static void test_args(void **state)
{
    struct sim_options opt;
    const char *ok[] = {"hrsim",           "--listen", "0.0.0.0:9000", "--employees=1000000",
                        "--custom-fields", "2000",     "--seed",       "7",
                        "--fault-rate",    "0.25",     "--rate-limit", "5",
                        "--latency-ms",    "3"};
    const char *help[] = {"hrsim", "--help"};
    const char *bad1[] = {"hrsim", "--employees", "-1"};
    const char *bad2[] = {"hrsim", "--fault-rate", "1.5"};
    const char *bad3[] = {"hrsim", "--listen", "nocolon"};
    const char *bad4[] = {"hrsim", "--wat", "1"};
    const char *bad5[] = {"hrsim", "--seed"};

    (void)state;
    sim_defaults(&opt);
    assert_string_equal(opt.host, "127.0.0.1");
    assert_int_equal(opt.port, 8081);
    assert_int_equal(opt.employees, 50);
    assert_int_equal(opt.custom_fields, 8);
    assert_int_equal(parse(&opt, 14, ok), SIM_OK);
    assert_string_equal(opt.host, "0.0.0.0");
    assert_int_equal(opt.port, 9000);
    assert_int_equal(opt.employees, 1000000);
    assert_int_equal(opt.custom_fields, 2000);
    assert_int_equal(opt.seed, 7);
    assert_true(opt.fault_rate > 0.24 && opt.fault_rate < 0.26);
    assert_int_equal(opt.rate_limit, 5);
    assert_int_equal(opt.latency_ms, 3);
    assert_int_equal(parse(&opt, 2, help), SIM_ERR_NOT_FOUND);
    assert_int_equal(parse(&opt, 3, bad1), SIM_ERR_INVALID);
    assert_int_equal(parse(&opt, 3, bad2), SIM_ERR_INVALID);
    assert_int_equal(parse(&opt, 3, bad3), SIM_ERR_INVALID);
    assert_int_equal(parse(&opt, 3, bad4), SIM_ERR_INVALID);
    assert_int_equal(parse(&opt, 2, bad5), SIM_ERR_INVALID);
}

static void test_form_and_ints(void **state)
{
    const char *body = "a=1&client_id=sim%2Dclient&client_secret=s+t&x";
    char out[32];
    long long n;

    (void)state;
    assert_int_equal(http_form_value(body, strlen(body), "client_id", out, sizeof(out)), SIM_OK);
    assert_string_equal(out, "sim-client");
    assert_int_equal(http_form_value(body, strlen(body), "client_secret", out, sizeof(out)),
                     SIM_OK);
    assert_string_equal(out, "s t");
    assert_int_equal(http_form_value(body, strlen(body), "x", out, sizeof(out)), SIM_ERR_NOT_FOUND);
    assert_int_equal(http_form_value("k=%4", 4, "k", out, sizeof(out)), SIM_OK);
    assert_string_equal(out, "%4");
    assert_int_equal(http_parse_int("100", 0, 100, &n), SIM_OK);
    assert_int_equal(n, 100);
    assert_int_equal(http_parse_int("101", 0, 100, &n), SIM_ERR_INVALID);
    assert_int_equal(http_parse_int("1x", 0, 100, &n), SIM_ERR_INVALID);
    assert_int_equal(http_parse_int("", 0, 100, &n), SIM_ERR_INVALID);
    assert_int_equal(http_parse_bool("TRUE", 0), 1);
    assert_int_equal(http_parse_bool("no", 1), 0);
    assert_int_equal(http_parse_bool("maybe", 1), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_form_and_ints),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
