/*
 * test_failpoints — walks every failpoint of a sync (docs/internals/
 * failpoints.md). For each point it first learns how often a sync passes it
 * (a sync with every point armed at an unreachable pass logs the counts at
 * exit), then runs `hrbridge sync` with the point failing (`error`) at its
 * first, middle and last pass and killing the process (`abort`) at its
 * middle one, against hrsim data that the sync changes. After each fault:
 * the API shows the complete old data or the complete new data, byte for
 * byte; a run that did not apply is recorded FAILED with a reason (an
 * aborted one once its lease expired and the next sync took it over);
 * nothing stays RUNNING (staging goes with the run's connection); and the next sync without
 * failpoints succeeds with the data equal to hrsim's.
 */
#include "harness.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define LEASE_S 2

static const char *const points[] = {
    "fetch.page",
    "store.stage",
    "store.write",
    "store.commit",
    "sync.apply.before_commit",
    "sync.apply.after_commit",
    "docs.put",
    "sync.heartbeat",
    NULL,
};

/* The change every case syncs: updates, deletions and additions. */
static const char mutation[] = "{\"update\":[1003,1077,1150,1290],\"delete\":[1012,1201],"
                               "\"add\":3}";

static char tmp[256], db[400];
static struct hproc sim, slow_sim, srv;
static char key[128];

/* ---- helpers ------------------------------------------------------------- */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static long api(const char *method, const char *path, const char *integration, const char *body,
                struct hresp *out)
{
    char url[2048], auth[256], integ[160];
    const char *h[4] = {auth, NULL, NULL, NULL};

    snprintf(url, sizeof(url), "%s%s", srv.base_url, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
    if (integration) {
        snprintf(integ, sizeof(integ), "X-Integration-Id: %s", integration);
        h[1] = integ;
    }
    assert_int_equal(harness_http(method, url, h, body, body ? strlen(body) : 0, out), 0);
    return out->status;
}

static json_t *data(const struct hresp *r)
{
    return json_object_get(r->json, "data");
}

static void sim_post(const struct hproc *s, const char *path, const char *body)
{
    char url[512];
    struct hresp r;

    snprintf(url, sizeof(url), "%s%s", s->base_url, path);
    assert_int_equal(harness_http("POST", url, NULL, body, strlen(body), &r), 0);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
}

static void new_integration(const struct hproc *s, char *id, size_t idlen)
{
    char body[512];
    struct hresp r;

    snprintf(body, sizeof(body),
             "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Faults\"},"
             "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"},"
             "\"base_url\":\"%s/personio\"}",
             s->base_url);
    assert_int_equal(api("POST", "/v1/integrations", NULL, body, &r), 201);
    snprintf(id, idlen, "%s", json_string_value(json_object_get(data(&r), "id")));
    hresp_free(&r);
}

/* Runs `hrbridge sync id` with failpoints (may be NULL), output appended to
 * log. Returns the wait status. */
static int run_sync(const char *id, const char *failpoints, const char *log)
{
    char fp[512], lease[64];
    int status = 0, fd;
    pid_t pid;

    snprintf(fp, sizeof(fp), "HRBRIDGE_FAILPOINTS=%s", failpoints ? failpoints : "");
    snprintf(lease, sizeof(lease), "HRBRIDGE_SYNC_LEASE=%d", LEASE_S);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    pid = fork();
    if (pid == 0) {
        putenv("HRBRIDGE_MASTER_KEY="
               "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        putenv(lease);
        putenv(fp);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execl(harness_bin("hrbridge"), "hrbridge", "sync", "--db", harness_db(db), id,
              (char *)NULL);
        _exit(127);
    }
    close(fd);
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = calloc(1, 1 << 20);
    size_t n = 0;

    if (f && text) {
        n = fread(text, 1, (1 << 20) - 1, f);
        text[n] = '\0';
    }
    if (f)
        fclose(f);
    return text;
}

static void print_file(const char *path)
{
    char *text = slurp(path);

    fprintf(stderr, "---- %s ----\n%s\n", path, text ? text : "");
    free(text);
}

/* Every employee the API serves, as one JSON array (pages of 100). */
static json_t *served(const char *id)
{
    json_t *all = json_array();
    char cursor[600] = "";

    for (int pages = 0; pages < 1000; pages++) {
        char path[1024];
        struct hresp r;
        json_t *next, *e;
        size_t i;

        snprintf(path, sizeof(path), "/v1/hris/employees?page_size=100%s%s",
                 cursor[0] ? "&cursor=" : "", cursor);
        if (api("GET", path, id, NULL, &r) != 200)
            fail_msg("GET %s: %ld %s", path, r.status, r.body);
        json_array_foreach (json_object_get(data(&r), "results"), i, e)
            json_array_append(all, e);
        next = json_object_get(data(&r), "next");
        if (!json_is_string(next)) {
            hresp_free(&r);
            return all;
        }
        snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
        hresp_free(&r);
    }
    fail_msg("more than 1000 pages");
    return all;
}

/* FNV-1a of the served pages, to print with a state. */
static uint64_t checksum(const json_t *emps)
{
    char *text = json_dumps(emps, JSON_COMPACT);
    uint64_t h = 1469598103934665603ULL;

    for (const char *p = text; p && *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    free(text);
    return h;
}

static const char *str_or_empty(const json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : "";
}

/* remote id -> "first|last|job title" of what the API serves. */
static json_t *project_served(const json_t *emps)
{
    json_t *out = json_object(), *e;
    size_t i;

    json_array_foreach (emps, i, e) {
        char line[512];
        snprintf(line, sizeof(line), "%s|%s|%s", str_or_empty(json_object_get(e, "first_name")),
                 str_or_empty(json_object_get(e, "last_name")),
                 str_or_empty(json_object_get(e, "job_title")));
        json_object_set_new(out, str_or_empty(json_object_get(e, "remote_id")), json_string(line));
    }
    return out;
}

static const char *attr(const json_t *attrs, const char *name)
{
    return str_or_empty(json_object_get(json_object_get(attrs, name), "value"));
}

/* The same projection of hrsim's own Personio employees. */
static json_t *project_sim(const struct hproc *s)
{
    char url[512], auth[600];
    const char *h[] = {auth, NULL};
    json_t *out = json_object(), *item;
    struct hresp r;
    size_t i;

    snprintf(url, sizeof(url), "%s/personio/v1/auth?client_id=sim-client&client_secret=sim-secret",
             s->base_url);
    assert_int_equal(harness_http("POST", url, NULL, "", 0, &r), 0);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
             json_string_value(json_object_get(json_object_get(r.json, "data"), "token")));
    hresp_free(&r);
    for (int off = 0; off < 100000; off += 100) {
        size_t n;
        snprintf(url, sizeof(url), "%s/personio/v1/company/employees?limit=100&offset=%d",
                 s->base_url, off);
        assert_int_equal(harness_http("GET", url, h, NULL, 0, &r), 0);
        n = json_array_size(json_object_get(r.json, "data"));
        json_array_foreach (json_object_get(r.json, "data"), i, item) {
            json_t *a = json_object_get(item, "attributes");
            char rid[32], line[512];
            snprintf(
                rid, sizeof(rid), "%lld",
                (long long)json_integer_value(json_object_get(json_object_get(a, "id"), "value")));
            snprintf(line, sizeof(line), "%s|%s|%s", attr(a, "first_name"), attr(a, "last_name"),
                     attr(a, "position"));
            json_object_set_new(out, rid, json_string(line));
        }
        hresp_free(&r);
        if (n < 100)
            break;
    }
    return out;
}

/* The integration's runs, newest first (a new reference). */
static json_t *runs(const char *id)
{
    char path[256];
    struct hresp r;
    json_t *list;

    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs?page_size=50", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
    list = json_incref(json_object_get(data(&r), "results"));
    hresp_free(&r);
    return list;
}

static const char *run_state(const json_t *run)
{
    return str_or_empty(json_object_get(run, "state"));
}

static long long db_count(const char *sql, const char *id)
{
    const char *params[] = {id, NULL};

    return harness_db_scalar(db, sql, id ? params : NULL);
}

/* ---- learning the passes --------------------------------------------------- */

/* How often a clean sync of the case's shape passes each point: a fresh
 * integration synced once, the mutation, then a sync with every point
 * armed at a pass it never reaches. Returns name -> passes. */
static json_t *learn_passes(const struct hproc *s)
{
    char id[128], spec[1024] = "", log[400], *text, *p;
    json_t *counts = json_object();
    size_t len = 0;

    sim_post(s, "/__sim/reset", "{}");
    new_integration(s, id, sizeof(id));
    snprintf(log, sizeof(log), "%s/learn.log", tmp);
    assert_int_equal(run_sync(id, NULL, log), 0);
    sim_post(s, "/personio/__sim/mutate", mutation);
    for (int i = 0; points[i]; i++)
        len += (size_t)snprintf(spec + len, sizeof(spec) - len, "%s%s=1000000000", i ? "," : "",
                                points[i]);
    assert_int_equal(run_sync(id, spec, log), 0);
    text = slurp(log);
    for (p = strstr(text, "msg=\"failpoint passes\""); p;
         p = strstr(p + 1, "msg=\"failpoint passes\"")) {
        char name[64];
        long n = 0;
        if (sscanf(p, "msg=\"failpoint passes\" name=%63s passes=%ld", name, &n) == 2)
            json_object_set_new(counts, name, json_integer(n));
    }
    free(text);
    return counts;
}

/* ---- one case ------------------------------------------------------------- */

/* Runs one sync with `point=nth:action`, then checks everything the file
 * comment promises. */
static void one_case(const struct hproc *s, const char *point, long nth, const char *action)
{
    char id[128], spec[128], log[400], reached[160], reason[160] = "", *text;
    json_t *old, *mid, *fin, *before_runs, *after_runs, *expect, *got;
    size_t nbefore;
    int status, aborted, is_old, is_new;
    const json_t *faulty = NULL;

    snprintf(spec, sizeof(spec), "%s=%ld:%s", point, nth, action);
    snprintf(log, sizeof(log), "%s/case.log", tmp);
    sim_post(s, "/__sim/reset", "{}");
    new_integration(s, id, sizeof(id));
    assert_int_equal(run_sync(id, NULL, log), 0);
    old = served(id);
    before_runs = runs(id);
    nbefore = json_array_size(before_runs);
    sim_post(s, "/personio/__sim/mutate", mutation);

    /* The faulty sync. */
    status = run_sync(id, spec, log);
    text = slurp(log);
    snprintf(reached, sizeof(reached), "msg=\"failpoint reached\" name=%s pass=%ld", point, nth);
    if (!strstr(text, reached)) {
        print_file(log);
        fail_msg("%s: the failpoint was not reached", spec);
    }
    free(text);
    aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    if (!strcmp(action, "abort") && !aborted) {
        print_file(log);
        fail_msg("%s: the process did not abort (status %d)", spec, status);
    }
    if (!strcmp(action, "error") && !WIFEXITED(status)) {
        print_file(log);
        fail_msg("%s: the process died (status %d)", spec, status);
    }

    /* Complete old or complete new, never a mix. */
    mid = served(id);
    is_old = json_equal(mid, old);
    after_runs = runs(id);
    if (json_array_size(after_runs) > nbefore)
        faulty = json_array_get(after_runs, 0);
    if (faulty && json_is_string(json_object_get(faulty, "error")))
        snprintf(reason, sizeof(reason), "%s", json_string_value(json_object_get(faulty, "error")));
    if (!is_old) {
        /* Applied: it must be the faulty run, recorded as succeeded. */
        if (!faulty || strcmp(run_state(faulty), "SUCCEEDED") != 0)
            fail_msg("%s: the data changed but the run is %s", spec,
                     faulty ? run_state(faulty) : "missing");
    } else if (faulty && !aborted) {
        /* Not applied: a run that was claimed is FAILED with a reason; one
         * whose claim failed is still QUEUED. */
        const char *st = run_state(faulty);
        const char *err = json_string_value(json_object_get(faulty, "error"));
        if (!strcmp(st, "FAILED")) {
            if (!err || !*err)
                fail_msg("%s: FAILED without a reason", spec);
        } else if (strcmp(st, "QUEUED") != 0) {
            print_file(log);
            fail_msg("%s: the data is old but the run is %s", spec, st);
        }
    }
    if (!aborted) {
        assert_int_equal(db_count("SELECT count(*) FROM sync_runs WHERE integration_id = ? AND "
                                  "state = 'RUNNING'",
                                  id),
                         0);
    }

    /* An aborted run keeps its lease until it expires; then the next sync
     * records it FAILED and takes over. */
    if (aborted && faulty && !strcmp(run_state(faulty), "RUNNING"))
        sleep_ms(LEASE_S * 1000 + 300);
    status = run_sync(id, NULL, log);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        print_file(log);
        fail_msg("%s: the sync after the fault failed", spec);
    }
    if (aborted && faulty && !strcmp(run_state(faulty), "RUNNING")) {
        json_t *now = runs(id), *r;
        size_t k;
        int found = 0;
        json_array_foreach (now, k, r) {
            if (json_equal(json_object_get(r, "id"), json_object_get(faulty, "id"))) {
                const char *err = json_string_value(json_object_get(r, "error"));
                found = !strcmp(run_state(r), "FAILED") && err && strstr(err, "stopped answering");
            }
        }
        json_decref(now);
        if (!found)
            fail_msg("%s: the aborted run was not recorded FAILED", spec);
    }
    assert_int_equal(
        db_count("SELECT count(*) FROM sync_runs WHERE integration_id = ? AND state = 'RUNNING'",
                 id),
        0);

    fin = served(id);
    is_new = json_equal(mid, fin);
    if (!is_old && !is_new)
        fail_msg("%s: served data after the fault is neither the old nor the new state", spec);
    assert_false(json_equal(old, fin));
    expect = project_sim(s);
    got = project_served(fin);
    if (!json_equal(expect, got))
        fail_msg("%s: the data after the next sync differs from hrsim's", spec);
    printf("  %-34s run %-9s served %s (%zu employees, %016llx); next sync %zu employees, "
           "%016llx%s%s\n",
           spec, faulty ? run_state(faulty) : "none", is_old ? "old" : "new", json_array_size(mid),
           (unsigned long long)checksum(mid), json_array_size(fin),
           (unsigned long long)checksum(fin), reason[0] ? "; reason: " : "", reason);
    json_decref(expect);
    json_decref(got);
    json_decref(old);
    json_decref(mid);
    json_decref(fin);
    json_decref(before_runs);
    json_decref(after_runs);
}

/* Walks one point: error at its first, middle and last pass, abort at its
 * middle one. */
static void walk(const struct hproc *s, const char *point)
{
    json_t *counts = learn_passes(s);
    long n = (long)json_integer_value(json_object_get(counts, point));
    long at[3] = {1, (n + 1) / 2, n};

    json_decref(counts);
    printf("  %s: %ld passes in a sync\n", point, n);
    if (n < 1)
        fail_msg("a sync never passes %s", point);
    for (int i = 0; i < 3; i++) {
        if (i > 0 && at[i] == at[i - 1])
            continue;
        one_case(s, point, at[i], "error");
    }
    one_case(s, point, at[1], "abort");
}

/* ---- fixtures and tests ------------------------------------------------------ */

static int group_setup(void **state)
{
    const char *sim_args[] = {"--employees", "300", "--seed", "11", NULL};
    char conf[400];
    const char *extra[] = {"--config", conf, "--no-worker", NULL};
    FILE *f;

    (void)state;
    setvbuf(stdout, NULL, _IONBF, 0);
    if (harness_tmpdir(tmp, sizeof(tmp)) != 0)
        return -1;
    snprintf(db, sizeof(db), "sqlite:%s/hb.db", tmp);
    snprintf(conf, sizeof(conf), "%s/hrbridge.conf", tmp);
    f = fopen(conf, "w");
    fprintf(f, "sync.full_interval = 0\nsync.delta_interval = 0\nsync.lease = %d\n", LEASE_S);
    fclose(f);
    if (harness_start_hrsim(&sim, tmp, sim_args) != 0)
        return -1;
    if (harness_new_key(db, "faults", key, sizeof(key)) != 0)
        return -1;
    return harness_start_hrbridge(&srv, tmp, db, extra);
}

static int group_teardown(void **state)
{
    (void)state;
    harness_stop(&srv);
    harness_stop(&slow_sim);
    harness_stop(&sim);
    harness_rmtree(tmp);
    return 0;
}

static void fetch_page(void **state)
{
    (void)state;
    walk(&sim, "fetch.page");
}

static void store_stage(void **state)
{
    (void)state;
    walk(&sim, "store.stage");
}

static void store_write(void **state)
{
    (void)state;
    walk(&sim, "store.write");
}

static void store_commit(void **state)
{
    (void)state;
    walk(&sim, "store.commit");
}

static void apply_before_commit(void **state)
{
    (void)state;
    walk(&sim, "sync.apply.before_commit");
}

static void apply_after_commit(void **state)
{
    (void)state;
    /* After the commit the sync is done; only dying there is a fault. */
    one_case(&sim, "sync.apply.after_commit", 1, "abort");
}

static void docs_put(void **state)
{
    (void)state;
    walk(&sim, "docs.put");
}

static void heartbeat(void **state)
{
    /* Beats come every lease/4: a slower remote makes a sync long enough. */
    const char *slow_args[] = {"--employees", "300", "--seed", "11", "--latency-ms", "5", NULL};

    (void)state;
    assert_int_equal(harness_start_hrsim(&slow_sim, tmp, slow_args), 0);
    walk(&slow_sim, "sync.heartbeat");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fetch_page),
        cmocka_unit_test(store_stage),
        cmocka_unit_test(store_write),
        cmocka_unit_test(store_commit),
        cmocka_unit_test(apply_before_commit),
        cmocka_unit_test(apply_after_commit),
        cmocka_unit_test(docs_put),
        cmocka_unit_test(heartbeat),
    };

    return cmocka_run_group_tests_name("failpoints", tests, group_setup, group_teardown);
}
