/*
 * failpoint — the table of armed points and their counters. The table is
 * written once (failpoint_configure, before threads pass points) and read
 * after; each entry's counter is atomic, so concurrent passes each get a
 * distinct number and exactly one of them is the Nth.
 */
#include "core/failpoint.h"

#include "core/err.h"
#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct point {
    char name[FAILPOINT_NAME_MAX];
    long nth;
    enum failpoint_action action;
    atomic_long passes;
};

static struct point points[FAILPOINT_MAX];
static int npoints;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

/* Parses one "name=N[:action]" of len bytes into *p. Returns 0 or -1. */
static int parse_one(const char *s, size_t len, struct point *p)
{
    const char *eq = memchr(s, '=', len), *colon;
    const char *action;
    size_t nlen, alen;
    char num[24];
    char *end = NULL;

    if (!eq || eq == s || (size_t)(eq - s) >= sizeof(p->name))
        return -1;
    nlen = (size_t)(eq - s);
    colon = memchr(eq + 1, ':', len - nlen - 1);
    if (!colon)
        colon = s + len;
    if (colon == eq + 1 || (size_t)(colon - eq - 1) >= sizeof(num))
        return -1;
    memcpy(num, eq + 1, (size_t)(colon - eq - 1));
    num[colon - eq - 1] = '\0';
    errno = 0;
    p->nth = strtol(num, &end, 10);
    if (errno || !end || *end != '\0' || num[0] < '0' || num[0] > '9' || p->nth < 1)
        return -1;
    action = colon < s + len ? colon + 1 : "error";
    alen = colon < s + len ? (size_t)(s + len - action) : strlen("error");
    if (alen == 5 && memcmp(action, "error", 5) == 0)
        p->action = FAILPOINT_ERROR;
    else if (alen == 5 && memcmp(action, "abort", 5) == 0)
        p->action = FAILPOINT_ABORT;
    else
        return -1;
    memcpy(p->name, s, nlen);
    p->name[nlen] = '\0';
    atomic_init(&p->passes, 0);
    return 0;
}

static int configure(const char *spec)
{
    struct point parsed[FAILPOINT_MAX];
    int n = 0;

    while (spec && *spec) {
        size_t len = strcspn(spec, ",");

        if (len > 0) {
            if (n == FAILPOINT_MAX || parse_one(spec, len, &parsed[n]) != 0) {
                log_error("failpoint", "msg=\"bad HRBRIDGE_FAILPOINTS entry\" entry=\"%.*s\"",
                          (int)(len > 100 ? 100 : len), spec);
                return ERR_INVALID;
            }
            n++;
        }
        spec += len;
        if (*spec == ',')
            spec++;
    }
    for (int i = 0; i < n; i++) {
        memcpy(points[i].name, parsed[i].name, sizeof(points[i].name));
        points[i].nth = parsed[i].nth;
        points[i].action = parsed[i].action;
        atomic_store(&points[i].passes, 0);
    }
    npoints = n;
    return ERR_OK;
}

/* At exit, how often each armed point was passed: a test arms every point
 * with a large N to learn how many passes a sync makes, then walks them. */
static void report(void)
{
    for (int i = 0; i < npoints; i++)
        log_warn("failpoint", "msg=\"failpoint passes\" name=%s passes=%ld", points[i].name,
                 atomic_load(&points[i].passes));
}

static void configure_from_env(void)
{
    if (configure(getenv("HRBRIDGE_FAILPOINTS")) != ERR_OK)
        _exit(2);
    if (npoints > 0)
        atexit(report);
}

int failpoint_configure(const char *spec)
{
    pthread_once(&env_once, configure_from_env);
    npoints = 0;
    return configure(spec);
}

static struct point *find(const char *name)
{
    for (int i = 0; i < npoints; i++) {
        if (strcmp(points[i].name, name) == 0)
            return &points[i];
    }
    return NULL;
}

int failpoint_hit(const char *name)
{
    struct point *p;
    long n;

    pthread_once(&env_once, configure_from_env);
    p = find(name);
    if (!p)
        return 0;
    n = atomic_fetch_add(&p->passes, 1) + 1;
    if (n != p->nth)
        return 0;
    log_warn("failpoint", "msg=\"failpoint reached\" name=%s pass=%ld action=%s", name, n,
             p->action == FAILPOINT_ABORT ? "abort" : "error");
    if (p->action == FAILPOINT_ABORT)
        abort();
    return 1;
}

long failpoint_count(const char *name)
{
    struct point *p;

    pthread_once(&env_once, configure_from_env);
    p = find(name);
    return p ? atomic_load(&p->passes) : -1;
}
