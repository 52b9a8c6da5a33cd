/*
 * sim — what ties hrsim together: its options, the four simulated tools, and
 * the interface every vendor module implements (struct vendor). server.c owns
 * the HTTP side and the control endpoints (/__sim/...); each vendor module
 * renders the shared generated people (gen.h) in its own API's shapes.
 */
#ifndef HB_SIM_SIM_H
#define HB_SIM_SIM_H

#include "gen.h"
#include "http.h"
#include "state.h"

#include <stddef.h>
#include <stdint.h>

enum sim_tool { SIM_PERSONIO, SIM_BAMBOOHR, SIM_HIBOB, SIM_FACTORIAL, SIM_N_TOOLS };

struct sim_options {
    char host[64];
    int port;
    int64_t employees;
    int custom_fields;
    uint64_t seed;
    double fault_rate;
    int rate_limit; /* requests per second per tool; 0 = unlimited */
    int latency_ms;
    int stall_ms;                 /* how long a stalled response stalls */
    int bamboohr_throttle_status; /* 503 (today) or 429 (from 2026-09-16) */
};

/* What a vendor handler may use. Borrowed for the duration of one request. */
struct sim_ctx {
    const struct sim_options *opt;
    const struct gen_config *gen;
    struct state *st;
    enum sim_tool tool;
};

struct vendor {
    const char *name; /* URL prefix without slashes: "personio" */
    /* 1 when the request is a data request (counts for faults and throttle);
     * token exchanges are not. */
    int (*is_data)(const struct http_req *req);
    /* Answers one request below the prefix. */
    void (*handle)(const struct sim_ctx *ctx, const struct http_req *req, struct http_resp *resp);
    /* The vendor's throttle answer (status 429, or 503 for BambooHR);
     * retry_after 0 means the vendor would not send Retry-After. */
    void (*throttle)(const struct sim_ctx *ctx, int status, int retry_after,
                     struct http_resp *resp);
    /* The vendor's answer for a server-side failure (500, 503, ...). */
    void (*error)(const struct sim_ctx *ctx, int status, struct http_resp *resp);
    /* Remote employee id <-> logical index. id_to_index returns SIM_OK or
     * SIM_ERR_INVALID for something that cannot be one of this vendor's ids. */
    int (*id_to_index)(const char *id, int64_t *index);
    void (*index_to_id)(int64_t index, char *out, size_t outlen);
};

extern const struct vendor personio_vendor;
extern const struct vendor bamboohr_vendor;
extern const struct vendor hibob_vendor;
extern const struct vendor factorial_vendor;

/* Fills opt with the defaults (127.0.0.1:8081, 50 employees, 8 custom fields,
 * seed 1, no faults, no throttle, no latency, stalls of 10 s, BambooHR
 * throttling with 503). */
void sim_defaults(struct sim_options *opt);

/* Parses hrsim's command line into opt (which holds the defaults). Returns
 * SIM_OK, SIM_ERR_INVALID with a message in err, or SIM_ERR_NOT_FOUND when
 * --help was asked for. */
int sim_parse_args(int argc, char **argv, struct sim_options *opt, char *err, size_t errlen);

/* The --help text. */
extern const char sim_usage[];

/* The vendor serving tool t. */
const struct vendor *sim_vendor(enum sim_tool t);

/* A person as the tool currently shows it (overlay applied). Returns 0 when
 * index does not exist or was deleted; call under state_rdlock(). */
int sim_person_locked(const struct sim_ctx *ctx, int64_t index, struct gen_person *out);

/* Current time in seconds (CLOCK_REALTIME). */
int64_t sim_now(void);

#endif
