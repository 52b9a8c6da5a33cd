/*
 * state — the run-time state of one simulated tool: the mutation overlay
 * (updated, deleted and added employees), queued faults, the throttle window,
 * token invalidation and the log of recent requests.
 *
 * The overlay is small (what tests mutate), so it is kept as two sorted
 * arrays; base records are never stored. Overlay reads take the read lock
 * (state_rdlock) for a batch of records; everything else is behind an
 * internal mutex. All of it lives until /__sim/reset or exit.
 */
#ifndef HB_SIM_STATE_H
#define HB_SIM_STATE_H

#include "sbuf.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define STATE_MAX_OVERLAY 1000000 /* updated + deleted entries per tool */
#define STATE_MAX_ADD     1000000 /* employees added per tool */
#define STATE_LOG_MAX     1000    /* requests remembered per tool */

struct state_ov {
    int64_t index;
    uint32_t version;
    int64_t modified_at;
};

struct state_del {
    int64_t index;
    int64_t deleted_at;
};

enum state_fault_kind {
    STATE_FAULT_NONE,
    STATE_FAULT_STATUS,   /* answer with `status` (the vendor's body for it) */
    STATE_FAULT_TRUNCATE, /* a correct answer whose body is cut short */
    STATE_FAULT_STALL,    /* a correct answer that stops mid-body for stall_ms */
};

struct state_fault {
    enum state_fault_kind kind;
    int status;
    int retry_after; /* seconds; 0 = no Retry-After header */
    int stall_ms;
};

struct state_log {
    int64_t ts_ms;
    int status;
    char method[8];
    char path[160];
    char query[256];
    char accept[64];
    char content_type[64];
    char auth[8]; /* "none", "basic", "bearer", "apikey" */
};

struct state {
    pthread_rwlock_t lock; /* overlay */
    struct state_ov *ov;   /* sorted by index */
    size_t n_ov, cap_ov;
    struct state_del *del; /* sorted by index */
    size_t n_del, cap_del;
    int64_t added;         /* employees appended after the base population */
    int64_t base_inactive; /* terminated people in the base population; -1 = not counted */

    pthread_mutex_t mu; /* everything below */
    struct state_fault fault;
    int fault_count;
    uint64_t seq; /* data requests seen, drives --fault-rate */
    int64_t window;
    int window_n;
    int64_t token_generation; /* bumped to expire every token issued so far */
    struct state_log *log;    /* ring of STATE_LOG_MAX */
    size_t log_head, log_n;
};

/* Initialises an empty state. Returns SIM_OK. */
int state_init(struct state *st);

/* Releases everything state_init() and later calls allocated. */
void state_free(struct state *st);

/* Forgets mutations, faults, the throttle window, expired tokens and the log. */
void state_reset(struct state *st);

/* Read lock for overlay lookups below (suffix _locked). */
void state_rdlock(struct state *st);
void state_unlock(struct state *st);

/* Number of employees visible: base + added - deleted. */
int64_t state_total_locked(const struct state *st, int64_t base);

/* One past the highest index that exists (base + added). */
int64_t state_end_locked(const struct state *st, int64_t base);

/* Version and modification time of index; returns 1 when it is in the
 * overlay, 0 otherwise (version 0, time 0). */
int state_version_locked(const struct state *st, int64_t index, uint32_t *version,
                         int64_t *modified_at);

/* 1 when index was deleted (and its deletion time in *at, may be NULL). */
int state_deleted_locked(const struct state *st, int64_t index, int64_t *at);

/* Index of the n-th (0-based) visible employee, or -1 past the end. */
int64_t state_nth_locked(const struct state *st, int64_t base, int64_t n);

/* Deleted entries, borrowed under the read lock. */
const struct state_del *state_deleted_list_locked(const struct state *st, size_t *n);

/* Overlay entries, borrowed under the read lock. */
const struct state_ov *state_overlay_list_locked(const struct state *st, size_t *n);

/* Mutations (take the write lock themselves). index must be < base + added.
 * Updating or deleting a deleted employee does nothing. Return SIM_OK,
 * SIM_ERR_NOT_FOUND or SIM_ERR_TOO_LARGE (overlay full). */
int state_update(struct state *st, int64_t base, int64_t index, int64_t now);
int state_delete(struct state *st, int64_t base, int64_t index, int64_t now);

/* Appends n employees; writes the first new index to *first. Returns SIM_OK
 * or SIM_ERR_TOO_LARGE. */
int state_add(struct state *st, int64_t base, int64_t n, int64_t now, int64_t *first);

/* Cached count of terminated people among the base population (computed by
 * the caller once, via count(cls)). */
int64_t state_base_inactive(struct state *st, int64_t (*count)(const void *cls), const void *cls);

/* Queues a fault for the next `count` data requests (count 0 clears). */
void state_set_fault(struct state *st, const struct state_fault *f, int count);

/* Takes one queued fault into *out; returns 1, or 0 when none is queued. */
int state_take_fault(struct state *st, struct state_fault *out);

/* Counts a data request and returns its sequence number (0-based). */
uint64_t state_next_seq(struct state *st);

/* Counts a request against `limit` per second; returns 1 when it is over. */
int state_throttled(struct state *st, int limit, int64_t now);

/* Expires every token issued so far (tokens carry the generation). */
void state_expire_tokens(struct state *st);

/* The current token generation. */
int64_t state_token_generation(struct state *st);

/* Remembers one request (oldest dropped beyond STATE_LOG_MAX). */
void state_log_add(struct state *st, const struct state_log *e);

/* Appends {"requests":[...]} (oldest first) to out. */
void state_log_json(struct state *st, struct sbuf *out);

#endif
