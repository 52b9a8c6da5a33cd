/* slowclient — a deadline for each request to arrive, and a watcher. */
#include "http/slowclient.h"

#include "core/alloc.h"
#include "core/isotime.h"
#include "core/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

enum slot_state { SLOT_FREE, SLOT_WAITING, SLOT_HANDLING, SLOT_DROPPED };

struct slot {
    int fd;
    int state;
    int64_t since_ms; /* when the clock started (SLOT_WAITING) */
};

struct slowclient {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int64_t timeout_ms;
    struct slot *slots;
    int *free_list; /* a stack of free slot numbers */
    int nfree;
    int nslots;
    int has_watcher;
    int stopping;
    pthread_t watcher;
};

static void *watch(void *arg)
{
    struct slowclient *sc = arg;
    /* Look a few times per time-out, and at least four times a second. */
    int64_t every = sc->timeout_ms / 4 < 250 ? sc->timeout_ms / 4 : 250;

    if (every < 10)
        every = 10;
    pthread_mutex_lock(&sc->lock);
    while (!sc->stopping) {
        struct timespec ts = isotime_wall_after(every);

        pthread_cond_timedwait(&sc->cond, &sc->lock, &ts);
        if (sc->stopping)
            break;
        pthread_mutex_unlock(&sc->lock);
        slowclient_sweep(sc, isotime_mono_ms());
        pthread_mutex_lock(&sc->lock);
    }
    pthread_mutex_unlock(&sc->lock);
    return NULL;
}

int slowclient_new(int64_t timeout_ms, size_t max_conns, int start_watcher, struct slowclient **out)
{
    struct slowclient *sc = xcalloc(1, sizeof(*sc));

    sc->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
    sc->nslots = max_conns > 0 ? (int)max_conns : 1;
    sc->slots = xcalloc((size_t)sc->nslots, sizeof(*sc->slots));
    sc->free_list = xcalloc((size_t)sc->nslots, sizeof(*sc->free_list));
    for (int i = 0; i < sc->nslots; i++)
        sc->free_list[sc->nfree++] = sc->nslots - 1 - i;
    pthread_mutex_init(&sc->lock, NULL);
    pthread_cond_init(&sc->cond, NULL);
    if (start_watcher) {
        if (pthread_create(&sc->watcher, NULL, watch, sc) != 0) {
            slowclient_destroy(sc);
            return ERR_INTERNAL;
        }
        sc->has_watcher = 1;
    }
    *out = sc;
    return ERR_OK;
}

void slowclient_destroy(struct slowclient *sc)
{
    if (!sc)
        return;
    if (sc->has_watcher) {
        pthread_mutex_lock(&sc->lock);
        sc->stopping = 1;
        pthread_cond_signal(&sc->cond);
        pthread_mutex_unlock(&sc->lock);
        pthread_join(sc->watcher, NULL);
    }
    pthread_mutex_destroy(&sc->lock);
    pthread_cond_destroy(&sc->cond);
    free(sc->slots);
    free(sc->free_list);
    free(sc);
}

int slowclient_open(struct slowclient *sc, int fd, int64_t now_ms)
{
    int slot = -1;

    pthread_mutex_lock(&sc->lock);
    if (sc->nfree > 0) {
        slot = sc->free_list[--sc->nfree];
        sc->slots[slot].fd = fd;
        sc->slots[slot].state = SLOT_WAITING;
        sc->slots[slot].since_ms = now_ms;
    }
    pthread_mutex_unlock(&sc->lock);
    return slot;
}

static void set_state(struct slowclient *sc, int slot, int state, int64_t now_ms)
{
    if (slot < 0 || slot >= sc->nslots)
        return;
    pthread_mutex_lock(&sc->lock);
    /* A dropped connection stays dropped until libmicrohttpd closes it. */
    if (sc->slots[slot].state != SLOT_FREE && sc->slots[slot].state != SLOT_DROPPED) {
        sc->slots[slot].state = state;
        sc->slots[slot].since_ms = now_ms;
    }
    pthread_mutex_unlock(&sc->lock);
}

void slowclient_arrived(struct slowclient *sc, int slot)
{
    set_state(sc, slot, SLOT_HANDLING, 0);
}

void slowclient_waiting(struct slowclient *sc, int slot, int64_t now_ms)
{
    set_state(sc, slot, SLOT_WAITING, now_ms);
}

void slowclient_close(struct slowclient *sc, int slot)
{
    if (slot < 0 || slot >= sc->nslots)
        return;
    pthread_mutex_lock(&sc->lock);
    if (sc->slots[slot].state != SLOT_FREE) {
        sc->slots[slot].state = SLOT_FREE;
        sc->slots[slot].fd = -1;
        sc->free_list[sc->nfree++] = slot;
    }
    pthread_mutex_unlock(&sc->lock);
}

int slowclient_sweep(struct slowclient *sc, int64_t now_ms)
{
    int n = 0;

    pthread_mutex_lock(&sc->lock);
    for (int i = 0; i < sc->nslots; i++) {
        struct slot *s = &sc->slots[i];

        if (s->state != SLOT_WAITING || now_ms - s->since_ms < sc->timeout_ms)
            continue;
        /* The socket stays open until libmicrohttpd has told us it closed
         * the connection (slowclient_close), so this fd is still that
         * connection's. Shutting it down makes its next read fail. */
        shutdown(s->fd, SHUT_RDWR);
        s->state = SLOT_DROPPED;
        n++;
    }
    pthread_mutex_unlock(&sc->lock);
    if (n)
        log_info("http", "msg=\"slow clients dropped\" count=%d timeout_ms=%lld", n,
                 (long long)sc->timeout_ms);
    return n;
}
