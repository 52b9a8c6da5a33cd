/*
 * targets — the fuzz targets as plain functions. Each libFuzzer binary
 * (fuzz/entry.c, built once per target by fuzz/fuzz.mk) calls one of them,
 * and the unit test tests/unit/fuzz/test_fuzz_replay.c runs every one over
 * the committed corpora and regression inputs, so an input that once broke
 * something stays tested in the ordinary build.
 *
 * A target takes any bytes, never opens a socket or a file, and returns 0.
 * It crashes (abort, sanitizer report) only on a real bug: an invariant the
 * code behind it promises and broke.
 */
#ifndef HB_FUZZ_TARGETS_H
#define HB_FUZZ_TARGETS_H

#include "api/app.h"
#include "sync/fetch.h"

#include <jansson.h>

#include <stddef.h>
#include <stdint.h>

typedef int fuzz_fn(const uint8_t *data, size_t size);

struct fuzz_target {
    const char *name; /* also the folder under fuzz/corpus and fuzz/regressions */
    fuzz_fn *fn;
};

/* Every target, ending with a NULL name. */
extern const struct fuzz_target fuzz_targets[];

/* cursor_decode on the input as a cursor, and encode/decode round trips of
 * the input as a position. */
int fuzz_cursor(const uint8_t *data, size_t size);

/* The input as a raw request URI: req_parse_uri, then paging and the
 * filters of every GET /v1/hris/ list (fuzz/query.c). */
int fuzz_query(const uint8_t *data, size_t size);

/* The input as a request body: req_json_object, then the validation of
 * every body the API takes (fuzz/body.c). */
int fuzz_body(const uint8_t *data, size_t size);

/* The input as a remote's answers: a connector authenticates and fetches
 * everything, each HTTP request answered by the next page of the input
 * (fuzz/connectors.c describes the format). */
int fuzz_personio(const uint8_t *data, size_t size);
int fuzz_bamboohr(const uint8_t *data, size_t size);
int fuzz_hibob(const uint8_t *data, size_t size);
int fuzz_factorial(const uint8_t *data, size_t size);

/* ---- shared by the targets ------------------------------------------------ */

#define FUZZ_INTEGRATION "personio:fuzz"

/* The application the API targets run against, made on first use: a fixed
 * master key and a migrated in-memory SQLite store holding one environment,
 * the integration FUZZ_INTEGRATION, one discovered employee field and two
 * custom field definitions (tshirt_size mapped onto that field, badge not
 * mapped). Aborts when it cannot be built. Borrowed for the process. */
const struct app *fuzz_app(void);

/* The environment of fuzz_app()'s integration. Borrowed. */
const char *fuzz_environment(void);

/* parse_body of api/scope_configs.c on body (fuzz/scope_body.c). Returns
 * its rc; aborts when the config it makes does not read back. */
int fuzz_scope_body(const json_t *body, struct err *e);

/* The fake HTTP transport the connector targets use: the link replaces the
 * connectors' calls of fetch_do with this (-Wl,--wrap=fetch_do), so no
 * request leaves the process. Answers from the script fuzz/connectors.c set. */
int __wrap_fetch_do(struct fetch_client *c, const struct fetch_req *req, struct fetch_resp *out,
                    struct err *e);

#endif
