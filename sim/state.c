/*
 * state — per-tool run-time state: mutation overlay, faults, throttle, log.
 */
#include "state.h"

#include "simerr.h"

#include <stdlib.h>
#include <string.h>

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 16;
    void *q;

    if (need <= *cap)
        return p;
    while (n < need)
        n *= 2;
    q = realloc(p, n * size);
    if (!q)
        abort();
    *cap = n;
    return q;
}

int state_init(struct state *st)
{
    memset(st, 0, sizeof(*st));
    pthread_rwlock_init(&st->lock, NULL);
    pthread_mutex_init(&st->mu, NULL);
    st->base_inactive = -1;
    st->log = calloc(STATE_LOG_MAX, sizeof(*st->log));
    if (!st->log)
        abort();
    return SIM_OK;
}

void state_free(struct state *st)
{
    if (!st)
        return;
    free(st->ov);
    free(st->del);
    free(st->log);
    pthread_rwlock_destroy(&st->lock);
    pthread_mutex_destroy(&st->mu);
    memset(st, 0, sizeof(*st));
}

void state_reset(struct state *st)
{
    pthread_rwlock_wrlock(&st->lock);
    st->n_ov = 0;
    st->n_del = 0;
    st->added = 0;
    pthread_rwlock_unlock(&st->lock);
    pthread_mutex_lock(&st->mu);
    memset(&st->fault, 0, sizeof(st->fault));
    st->fault_count = 0;
    st->seq = 0;
    st->window = 0;
    st->window_n = 0;
    st->log_head = 0;
    st->log_n = 0;
    pthread_mutex_unlock(&st->mu);
}

void state_rdlock(struct state *st)
{
    pthread_rwlock_rdlock(&st->lock);
}

void state_unlock(struct state *st)
{
    pthread_rwlock_unlock(&st->lock);
}

static size_t ov_lower(const struct state *st, int64_t key)
{
    size_t lo = 0, hi = st->n_ov;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (st->ov[mid].index < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t del_lower(const struct state *st, int64_t key)
{
    size_t lo = 0, hi = st->n_del;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (st->del[mid].index < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int64_t state_total_locked(const struct state *st, int64_t base)
{
    return base + st->added - (int64_t)st->n_del;
}

int64_t state_end_locked(const struct state *st, int64_t base)
{
    return base + st->added;
}

int state_version_locked(const struct state *st, int64_t index, uint32_t *version,
                         int64_t *modified_at)
{
    size_t i;

    *version = 0;
    *modified_at = 0;
    if (!st->n_ov)
        return 0;
    i = ov_lower(st, index);
    if (i == st->n_ov || st->ov[i].index != index)
        return 0;
    *version = st->ov[i].version;
    *modified_at = st->ov[i].modified_at;
    return 1;
}

int state_deleted_locked(const struct state *st, int64_t index, int64_t *at)
{
    size_t i;

    if (!st->n_del)
        return 0;
    i = del_lower(st, index);
    if (i == st->n_del || st->del[i].index != index)
        return 0;
    if (at)
        *at = st->del[i].deleted_at;
    return 1;
}

int64_t state_nth_locked(const struct state *st, int64_t base, int64_t n)
{
    int64_t end = base + st->added;
    int64_t p = n, q;

    if (n < 0)
        return -1;
    /* p converges to the smallest index with n visible ones before it. */
    for (;;) {
        q = n + (int64_t)del_lower(st, p);
        if (q == p)
            break;
        p = q;
    }
    while (p < end && state_deleted_locked(st, p, NULL))
        p++;
    return p < end ? p : -1;
}

const struct state_del *state_deleted_list_locked(const struct state *st, size_t *n)
{
    *n = st->n_del;
    return st->del;
}

const struct state_ov *state_overlay_list_locked(const struct state *st, size_t *n)
{
    *n = st->n_ov;
    return st->ov;
}

static int bump_locked(struct state *st, int64_t index, int64_t now)
{
    size_t i = ov_lower(st, index);

    if (i < st->n_ov && st->ov[i].index == index) {
        st->ov[i].version++;
        st->ov[i].modified_at = now > st->ov[i].modified_at ? now : st->ov[i].modified_at + 1;
        return SIM_OK;
    }
    if (st->n_ov + st->n_del >= STATE_MAX_OVERLAY)
        return SIM_ERR_TOO_LARGE;
    st->ov = grow(st->ov, &st->cap_ov, st->n_ov + 1, sizeof(*st->ov));
    memmove(&st->ov[i + 1], &st->ov[i], (st->n_ov - i) * sizeof(*st->ov));
    st->ov[i].index = index;
    st->ov[i].version = 1;
    st->ov[i].modified_at = now;
    st->n_ov++;
    return SIM_OK;
}

int state_update(struct state *st, int64_t base, int64_t index, int64_t now)
{
    int rc;

    pthread_rwlock_wrlock(&st->lock);
    if (index < 0 || index >= base + st->added || state_deleted_locked(st, index, NULL))
        rc = SIM_ERR_NOT_FOUND;
    else
        rc = bump_locked(st, index, now);
    pthread_rwlock_unlock(&st->lock);
    return rc;
}

int state_delete(struct state *st, int64_t base, int64_t index, int64_t now)
{
    int rc = SIM_OK;
    size_t i;

    pthread_rwlock_wrlock(&st->lock);
    if (index < 0 || index >= base + st->added || state_deleted_locked(st, index, NULL)) {
        rc = SIM_ERR_NOT_FOUND;
        goto out;
    }
    if (st->n_ov + st->n_del >= STATE_MAX_OVERLAY) {
        rc = SIM_ERR_TOO_LARGE;
        goto out;
    }
    i = del_lower(st, index);
    st->del = grow(st->del, &st->cap_del, st->n_del + 1, sizeof(*st->del));
    memmove(&st->del[i + 1], &st->del[i], (st->n_del - i) * sizeof(*st->del));
    st->del[i].index = index;
    st->del[i].deleted_at = now;
    st->n_del++;
out:
    pthread_rwlock_unlock(&st->lock);
    return rc;
}

int state_add(struct state *st, int64_t base, int64_t n, int64_t now, int64_t *first)
{
    int rc = SIM_OK;
    int64_t start;

    pthread_rwlock_wrlock(&st->lock);
    if (n < 0 || st->added + n > STATE_MAX_ADD ||
        st->n_ov + st->n_del + (size_t)n > STATE_MAX_OVERLAY) {
        rc = SIM_ERR_TOO_LARGE;
        goto out;
    }
    start = base + st->added;
    /* Added people are new: mark them modified now so delta filters see them. */
    for (int64_t i = 0; i < n; i++)
        bump_locked(st, start + i, now);
    st->added += n;
    *first = start;
out:
    pthread_rwlock_unlock(&st->lock);
    return rc;
}

int64_t state_base_inactive(struct state *st, int64_t (*count)(const void *cls), const void *cls)
{
    int64_t n;

    pthread_mutex_lock(&st->mu);
    if (st->base_inactive < 0)
        st->base_inactive = count(cls);
    n = st->base_inactive;
    pthread_mutex_unlock(&st->mu);
    return n;
}

void state_set_fault(struct state *st, const struct state_fault *f, int count)
{
    pthread_mutex_lock(&st->mu);
    st->fault = *f;
    st->fault_count = count > 0 ? count : 0;
    pthread_mutex_unlock(&st->mu);
}

int state_take_fault(struct state *st, struct state_fault *out)
{
    int taken = 0;

    pthread_mutex_lock(&st->mu);
    if (st->fault_count > 0) {
        st->fault_count--;
        *out = st->fault;
        taken = 1;
    }
    pthread_mutex_unlock(&st->mu);
    return taken;
}

uint64_t state_next_seq(struct state *st)
{
    uint64_t n;

    pthread_mutex_lock(&st->mu);
    n = st->seq++;
    pthread_mutex_unlock(&st->mu);
    return n;
}

int state_throttled(struct state *st, int limit, int64_t now)
{
    int over;

    pthread_mutex_lock(&st->mu);
    if (st->window != now) {
        st->window = now;
        st->window_n = 0;
    }
    st->window_n++;
    over = st->window_n > limit;
    pthread_mutex_unlock(&st->mu);
    return over;
}

void state_expire_tokens(struct state *st)
{
    pthread_mutex_lock(&st->mu);
    st->token_generation++;
    pthread_mutex_unlock(&st->mu);
}

int64_t state_token_generation(struct state *st)
{
    int64_t t;

    pthread_mutex_lock(&st->mu);
    t = st->token_generation;
    pthread_mutex_unlock(&st->mu);
    return t;
}

void state_log_add(struct state *st, const struct state_log *e)
{
    pthread_mutex_lock(&st->mu);
    st->log[(st->log_head + st->log_n) % STATE_LOG_MAX] = *e;
    if (st->log_n < STATE_LOG_MAX)
        st->log_n++;
    else
        st->log_head = (st->log_head + 1) % STATE_LOG_MAX;
    pthread_mutex_unlock(&st->mu);
}

void state_log_json(struct state *st, struct sbuf *out)
{
    pthread_mutex_lock(&st->mu);
    sbuf_adds(out, "{\"requests\":[");
    for (size_t i = 0; i < st->log_n; i++) {
        const struct state_log *e = &st->log[(st->log_head + i) % STATE_LOG_MAX];

        if (i)
            sbuf_addc(out, ',');
        sbuf_adds(out, "{\"ts_ms\":");
        sbuf_add_i64(out, e->ts_ms);
        sbuf_adds(out, ",\"method\":");
        sbuf_add_jstr(out, e->method);
        sbuf_adds(out, ",\"path\":");
        sbuf_add_jstr(out, e->path);
        sbuf_adds(out, ",\"query\":");
        sbuf_add_jstr(out, e->query);
        sbuf_adds(out, ",\"status\":");
        sbuf_add_i64(out, e->status);
        sbuf_adds(out, ",\"accept\":");
        sbuf_add_jstr(out, e->accept);
        sbuf_adds(out, ",\"content_type\":");
        sbuf_add_jstr(out, e->content_type);
        sbuf_adds(out, ",\"auth\":");
        sbuf_add_jstr(out, e->auth);
        sbuf_addc(out, '}');
    }
    sbuf_adds(out, "]}");
    pthread_mutex_unlock(&st->mu);
}
