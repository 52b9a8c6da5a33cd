/*
 * sim — options, command line, and helpers shared by the vendor modules.
 */
#include "sim.h"

#include "simerr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char sim_usage[] =
    "usage: hrsim [--listen HOST:PORT] [--employees N] [--custom-fields N] [--seed N]\n"
    "             [--fault-rate P] [--rate-limit N] [--latency-ms N]\n"
    "             [--stall-ms N] [--bamboohr-throttle 503|429]\n"
    "\n"
    "Simulated Personio, BambooHR, HiBob and Factorial APIs under\n"
    "http://HOST:PORT/personio, /bamboohr, /hibob and /factorial.\n"
    "\n"
    "  --listen HOST:PORT     address to listen on (default 127.0.0.1:8081)\n"
    "  --employees N          employees per tool (default 50, up to 100000000)\n"
    "  --custom-fields N      custom fields per tool (default 8, up to 5000)\n"
    "  --seed N               data seed: same seed, same bytes (default 1)\n"
    "  --fault-rate P         fraction 0..1 of data requests answered with a fault:\n"
    "                         500, 503, a truncated body or a stalled body (default 0)\n"
    "  --rate-limit N         data requests per second per tool before the vendor's\n"
    "                         throttle answer (default 0 = unlimited)\n"
    "  --latency-ms N         delay before every data response (default 0)\n"
    "  --stall-ms N           how long a stalled response stalls (default 10000)\n"
    "  --bamboohr-throttle S  BambooHR's throttle status: 503 (default) or 429\n"
    "  --help                 this text\n"
    "\n"
    "Credentials: personio sim-client/sim-secret, bamboohr key sim-key,\n"
    "hibob sim-user:sim-token, factorial x-api-key sim-key.\n"
    "Control endpoints under each prefix: POST /__sim/mutate, POST /__sim/fault,\n"
    "GET /__sim/requests, POST /__sim/reset.\n";

void sim_defaults(struct sim_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    snprintf(opt->host, sizeof(opt->host), "127.0.0.1");
    opt->port = 8081;
    opt->employees = 50;
    opt->custom_fields = 8;
    opt->seed = 1;
    opt->stall_ms = 10000;
    opt->bamboohr_throttle_status = 503;
}

static int parse_ll(const char *s, long long min, long long max, long long *out)
{
    char *end = NULL;
    long long v;

    if (!s || !*s)
        return SIM_ERR_INVALID;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return SIM_ERR_INVALID;
    *out = v;
    return SIM_OK;
}

static int parse_listen(const char *s, struct sim_options *opt)
{
    const char *colon = strrchr(s, ':');
    long long port;

    if (!colon || colon == s || (size_t)(colon - s) >= sizeof(opt->host))
        return SIM_ERR_INVALID;
    if (parse_ll(colon + 1, 0, 65535, &port))
        return SIM_ERR_INVALID;
    snprintf(opt->host, sizeof(opt->host), "%.*s", (int)(colon - s), s);
    opt->port = (int)port;
    return SIM_OK;
}

int sim_parse_args(int argc, char **argv, struct sim_options *opt, char *err, size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
        const char *eq = strchr(a, '=');
        char name[32];
        long long n;
        int rc = SIM_OK;

        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return SIM_ERR_NOT_FOUND;
        if (strncmp(a, "--", 2) != 0) {
            snprintf(err, errlen, "unexpected argument: %s", a);
            return SIM_ERR_INVALID;
        }
        if (eq) {
            snprintf(name, sizeof(name), "%.*s", (int)(eq - a), a);
            v = eq + 1;
        } else {
            snprintf(name, sizeof(name), "%s", a);
            if (i + 1 < argc)
                v = argv[++i];
        }
        if (!v) {
            snprintf(err, errlen, "%s: missing value", name);
            return SIM_ERR_INVALID;
        }
        if (!strcmp(name, "--listen")) {
            rc = parse_listen(v, opt);
        } else if (!strcmp(name, "--employees")) {
            rc = parse_ll(v, 0, GEN_MAX_EMPLOYEES, &n);
            opt->employees = n;
        } else if (!strcmp(name, "--custom-fields")) {
            rc = parse_ll(v, 0, GEN_MAX_CUSTOM_FIELDS, &n);
            opt->custom_fields = (int)n;
        } else if (!strcmp(name, "--seed")) {
            char *end = NULL;

            errno = 0;
            opt->seed = strtoull(v, &end, 10);
            rc = (errno || *end || !*v || *v == '-') ? SIM_ERR_INVALID : SIM_OK;
        } else if (!strcmp(name, "--fault-rate")) {
            char *end = NULL;

            errno = 0;
            opt->fault_rate = strtod(v, &end);
            rc = (errno || *end || !*v || !(opt->fault_rate >= 0.0 && opt->fault_rate <= 1.0))
                     ? SIM_ERR_INVALID
                     : SIM_OK;
        } else if (!strcmp(name, "--rate-limit")) {
            rc = parse_ll(v, 0, 1000000, &n);
            opt->rate_limit = (int)n;
        } else if (!strcmp(name, "--latency-ms")) {
            rc = parse_ll(v, 0, 600000, &n);
            opt->latency_ms = (int)n;
        } else if (!strcmp(name, "--stall-ms")) {
            rc = parse_ll(v, 0, 600000, &n);
            opt->stall_ms = (int)n;
        } else if (!strcmp(name, "--bamboohr-throttle")) {
            rc = parse_ll(v, 429, 503, &n);
            if (!rc && n != 429 && n != 503)
                rc = SIM_ERR_INVALID;
            opt->bamboohr_throttle_status = (int)n;
        } else {
            snprintf(err, errlen, "unknown option: %s", name);
            return SIM_ERR_INVALID;
        }
        if (rc) {
            snprintf(err, errlen, "%s: invalid value '%s'", name, v);
            return SIM_ERR_INVALID;
        }
    }
    return SIM_OK;
}

const struct vendor *sim_vendor(enum sim_tool t)
{
    switch (t) {
    case SIM_PERSONIO:
        return &personio_vendor;
    case SIM_BAMBOOHR:
        return &bamboohr_vendor;
    case SIM_HIBOB:
        return &hibob_vendor;
    case SIM_FACTORIAL:
        return &factorial_vendor;
    default:
        return NULL;
    }
}

int sim_person_locked(const struct sim_ctx *ctx, int64_t index, struct gen_person *out)
{
    uint32_t version;
    int64_t mod;

    if (index < 0 || index >= state_end_locked(ctx->st, ctx->gen->employees))
        return 0;
    if (state_deleted_locked(ctx->st, index, NULL))
        return 0;
    state_version_locked(ctx->st, index, &version, &mod);
    gen_person(ctx->gen, index, version, mod, out);
    return 1;
}

int64_t sim_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}
