/* jobs — the worker thread: schedule, claim, run. */
#include "sync/jobs.h"

#include "core/alloc.h"
#include "core/isotime.h"
#include "core/log.h"
#include "sync/engine.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct jobs {
    struct jobs_opts o;
    char worker[128];
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_cond_t ended; /* signalled when the thread is about to return */
    volatile int stopping;
    int woken;
    int done;
    /* The run being synced (its ids only), so a stop that cannot wait for
     * the engine can still put it back in the queue. */
    struct store_sync_run current;
    int has_current;
};

void jobs_worker_name(char *out, size_t outlen)
{
    char host[64] = "host";

    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    snprintf(out, outlen, "%s:%ld:%08x", host, (long)getpid(), randombytes_random());
}

static void wait_for_work(struct jobs *j, int ms)
{
    struct timespec ts = isotime_wall_after(ms);

    pthread_mutex_lock(&j->lock);
    while (!j->woken && !j->stopping) {
        if (pthread_cond_timedwait(&j->cond, &j->lock, &ts) != 0)
            break;
    }
    j->woken = 0;
    pthread_mutex_unlock(&j->lock);
}

static void set_current(struct jobs *j, const struct store_sync_run *run)
{
    pthread_mutex_lock(&j->lock);
    j->has_current = run != NULL;
    if (run) {
        memset(&j->current, 0, sizeof(j->current));
        memcpy(j->current.id, run->id, sizeof(j->current.id));
        memcpy(j->current.integration_id, run->integration_id, sizeof(j->current.integration_id));
        j->current.type = run->type;
    }
    pthread_mutex_unlock(&j->lock);
}

static void *worker_main(void *arg)
{
    struct jobs *j = arg;
    struct engine_env env = {j->o.store, j->o.master, j->worker,    j->o.lease_ms, j->o.connections,
                             NULL,       NULL,        &j->stopping, j->o.applied,  j->o.applied_ud};
    int64_t last_schedule = 0;

    log_info("sync", "msg=\"worker started\" worker=%s", j->worker);
    while (!j->stopping) {
        struct store_sync_run run;
        int64_t now = isotime_now_ms();
        int rc;

        if (now - last_schedule >= 1000) {
            int queued = 0;
            if (store_schedule_due(j->o.store, now, j->o.full_interval_s, j->o.delta_interval_s,
                                   &queued) == ERR_OK &&
                queued)
                log_info("sync", "msg=\"scheduled syncs queued\" count=%d", queued);
            last_schedule = now;
        }
        rc = store_sync_claim(j->o.store, j->worker, now, now + j->o.lease_ms, &run);
        if (rc == ERR_OK) {
            struct err e;
            set_current(j, &run);
            engine_run(&env, &run, &e);
            set_current(j, NULL);
            store_sync_run_free(&run);
            continue; /* there may be more */
        }
        wait_for_work(j, j->o.poll_ms);
    }
    log_info("sync", "msg=\"worker stopped\" worker=%s", j->worker);
    pthread_mutex_lock(&j->lock);
    j->done = 1;
    pthread_cond_broadcast(&j->ended);
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

int jobs_start(const struct jobs_opts *opts, struct jobs **out)
{
    struct jobs *j = xcalloc(1, sizeof(*j));

    j->o = *opts;
    if (j->o.poll_ms <= 0)
        j->o.poll_ms = 1000;
    if (j->o.lease_ms <= 0)
        j->o.lease_ms = 60000;
    jobs_worker_name(j->worker, sizeof(j->worker));
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->cond, NULL);
    pthread_cond_init(&j->ended, NULL);
    if (pthread_create(&j->thread, NULL, worker_main, j) != 0) {
        pthread_mutex_destroy(&j->lock);
        pthread_cond_destroy(&j->cond);
        pthread_cond_destroy(&j->ended);
        free(j);
        return ERR_INTERNAL;
    }
    *out = j;
    return ERR_OK;
}

void jobs_wake(struct jobs *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->lock);
    j->woken = 1;
    pthread_cond_signal(&j->cond);
    pthread_mutex_unlock(&j->lock);
}

void jobs_request_stop(struct jobs *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->lock);
    j->stopping = 1;
    pthread_cond_signal(&j->cond);
    pthread_mutex_unlock(&j->lock);
}

int jobs_stop(struct jobs *j, int64_t deadline_ms)
{
    struct store_sync_run held;
    int done, has_current;

    if (!j)
        return ERR_OK;
    jobs_request_stop(j);
    pthread_mutex_lock(&j->lock);
    while (!j->done) {
        int64_t wait_ms = deadline_ms < 0 ? 100 : deadline_ms - isotime_mono_ms();
        struct timespec ts;

        if (wait_ms <= 0)
            break;
        /* The monotonic deadline is checked often. */
        ts = isotime_wall_after(wait_ms > 100 ? 100 : wait_ms);
        pthread_cond_timedwait(&j->ended, &j->lock, &ts);
    }
    done = j->done;
    has_current = j->has_current;
    held = j->current;
    pthread_mutex_unlock(&j->lock);
    if (!done) {
        /* The run is stuck between safe points (a slow remote). Put it back
         * in the queue from here: every write of the engine checks it still
         * holds the run, so whatever the thread does next applies nothing. */
        if (has_current && store_sync_release(j->o.store, &held, j->worker) == ERR_OK)
            log_warn("sync",
                     "msg=\"sync released at the end of the grace period\" "
                     "integration=%s run=%s",
                     held.integration_id, held.id);
        return ERR_INTERNAL;
    }
    pthread_join(j->thread, NULL);
    pthread_mutex_destroy(&j->lock);
    pthread_cond_destroy(&j->cond);
    pthread_cond_destroy(&j->ended);
    free(j);
    return ERR_OK;
}
