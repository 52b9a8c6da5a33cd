/*
 * app — what every request handler and background task shares for the life
 * of the process: the read-only configuration, the store and the master key.
 * Built once in main.c; never changed after the server starts.
 */
#ifndef HB_API_APP_H
#define HB_API_APP_H

#include "core/config.h"
#include "core/secret.h"
#include "store/store.h"

struct jobs;
struct bytecache;

struct app {
    const struct config *cfg;
    struct store *store;
    struct secret_master master;
    char public_url[CONFIG_STR_MAX + 16]; /* no trailing slash */
    struct jobs *jobs;                    /* the in-process worker, or NULL (--no-worker) */
    struct bytecache *fields_pages;       /* rendered integration-field pages, or NULL */
};

/* What app->fields_pages holds: pages of up to 2,000 fields (~360 KB),
 * 8 MiB at most. */
#define APP_FIELDS_PAGES      16
#define APP_FIELDS_PAGE_BYTES (512 * 1024)

#endif
