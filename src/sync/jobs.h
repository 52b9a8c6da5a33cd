/*
 * jobs — the sync worker: a thread that queues what the schedule says is
 * due, claims queued runs from the store (with a lease that a heartbeat
 * extends, so a dead worker's run is taken over), and runs them one at a
 * time. Everything it knows lives in the store, so any number of workers in
 * any number of processes can share one database.
 */
#ifndef HB_SYNC_JOBS_H
#define HB_SYNC_JOBS_H

#include "core/err.h"
#include "core/secret.h"
#include "store/store.h"

#include <stdint.h>

struct jobs_opts {
    struct store *store;
    const struct secret_master *master;
    long full_interval_s;  /* 0: never */
    long delta_interval_s; /* 0: never */
    long lease_ms;         /* how long a claim lasts without a heartbeat */
    int poll_ms;           /* how often to look for work when idle (default 1000) */
    int connections;       /* requests a run has in flight to the remote (engine_env) */
    /* Called after each applied run (see engine_env); may be NULL. */
    void (*applied)(void *ud, const char *integration_id);
    void *applied_ud;
};

struct jobs;

/* Starts the worker thread. Returns ERR_OK and *out, or ERR_INTERNAL. */
int jobs_start(const struct jobs_opts *opts, struct jobs **out);

/* Wakes the worker at once (a sync was just queued). Accepts NULL. */
void jobs_wake(struct jobs *j);

/* Asks the worker to stop and returns at once: a running sync is put back
 * in the queue at its next page (see docs/internals/jobs.md). Accepts NULL. */
void jobs_request_stop(struct jobs *j);

/* Stops the worker and waits for its thread until the monotonic clock
 * reaches deadline_ms (negative: as long as it takes). Returns ERR_OK when
 * the thread ended, j then freed. Returns ERR_INTERNAL when it is still
 * busy (a slow remote call): the run it holds has been put back in the
 * queue from here, and j stays allocated because the thread still uses it,
 * so the caller should end the process. Accepts NULL. */
int jobs_stop(struct jobs *j, int64_t deadline_ms);

/* A worker name unique to this process: "host:pid:random". */
void jobs_worker_name(char *out, size_t outlen);

#endif
