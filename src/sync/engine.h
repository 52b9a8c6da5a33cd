/*
 * engine — one sync run of one integration: authenticate through the
 * integration's connector, take its records page by page, work out what is
 * new or changed (a content hash per record), stage that, and apply the
 * whole run in one transaction at the end, so clients see the old data or
 * the new data and never a mix. Memory stays bounded by a page plus one
 * small entry per record id seen (for deletions).
 */
#ifndef HB_SYNC_ENGINE_H
#define HB_SYNC_ENGINE_H

#include "core/err.h"
#include "core/secret.h"
#include "store/store.h"

#include <stdint.h>

struct engine_env {
    struct store *store;
    const struct secret_master *master;
    const char *worker; /* who holds the run's lease */
    int64_t lease_ms;   /* how long a heartbeat extends it */
    int connections;    /* requests in flight to the remote at most (0: 1) */
    /* Called after each page with the records fetched so far; may be NULL. */
    void (*progress)(void *ud, int64_t fetched);
    void *progress_ud;
    /* Set (by another thread) when the worker is stopping: the run is put
     * back in the queue at the next page instead of finishing. May be NULL. */
    const volatile int *stopping;
    /* Called after a run was applied, e.g. to render what the API serves
     * from the new data. May be NULL. */
    void (*applied)(void *ud, const char *integration_id);
    void *applied_ud;
};

/* Runs a claimed run to its end: SUCCEEDED (applied), FAILED (with the
 * reason recorded on the run) or, when the worker is stopping, back in the
 * queue. Returns ERR_OK when the run succeeded; otherwise its code, with e
 * holding the reason. run's counts are updated. */
int engine_run(const struct engine_env *env, struct store_sync_run *run, struct err *e);

#endif
