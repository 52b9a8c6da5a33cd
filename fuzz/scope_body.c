/*
 * scope_body — reaches the body parser of POST/PUT /v1/scope-configs for the
 * body target. api/scope_configs.c is included for its static parse_body.
 */
#include "api/scope_configs.c"

#include "fuzz/targets.h"

int fuzz_scope_body(const json_t *body, struct err *e)
{
    const char *name = NULL;
    char *config = NULL;
    int rc = parse_body(body, &name, &config, e);

    /* What is stored must read back as the same scope. */
    if (rc == ERR_OK) {
        struct scope sc;
        json_t *j = config ? json_loads(config, 0, NULL) : NULL, *again;
        char *text;
        struct err e2;

        err_init(&e2);
        if (!j || scope_from_json(j, &sc, &e2) != ERR_OK)
            abort();
        again = scope_to_json(&sc);
        text = json_dumps(again, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text || strcmp(text, config) != 0)
            abort();
        free(text);
        json_decref(again);
        json_decref(j);
    }
    free(config);
    return rc;
}
