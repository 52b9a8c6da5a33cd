/*
 * test_crash — kill -9 at random moments of a large sync, 20 times in a
 * row. hrsim serves a few thousand employees; each round starts `hrbridge
 * sync` (which takes over the run the previous round left RUNNING once its
 * lease expired; the test ages the lease instead of waiting), kills it after a random delay, and
 * checks: the SQLite file passes PRAGMA integrity_check (PostgreSQL answers and its rows hang
 * together), and the API (a separate `serve`, not killed) shows the
 * complete old data, byte for byte, or the complete new data. When a round
 * finished its sync before the kill, hrsim changes again, so every round
 * has a sync to interrupt. At the end a sync completes and equals hrsim.
 * The delays come from a seed printed first; HB_CRASH_SEED repeats a run.
 */
#include "harness.h"

#include <setjmp.h>
#include <signal.h>
#include <sqlite3.h>
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

#define EMPLOYEES 2000
#define KILLS     20
#define LEASE_S   2

static char tmp[256], db[400];
static struct hproc sim, srv;
static char key[128];
static uint64_t rng;

/* ---- helpers ------------------------------------------------------------- */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* xorshift64*: reproducible delays from the printed seed. */
static uint64_t next_random(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ULL;
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

static void sim_post(const char *path, const char *body)
{
    char url[512];
    struct hresp r;

    snprintf(url, sizeof(url), "%s%s", sim.base_url, path);
    assert_int_equal(harness_http("POST", url, NULL, body, strlen(body), &r), 0);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
}

/* Starts `hrbridge sync id` (output to dir/sync.log). */
static pid_t start_sync(const char *id)
{
    char log[400];
    pid_t pid;

    snprintf(log, sizeof(log), "%s/sync.log", tmp);
    pid = fork();
    if (pid == 0) {
        char lease[64];
        snprintf(lease, sizeof(lease), "HRBRIDGE_SYNC_LEASE=%d", LEASE_S);
        putenv("HRBRIDGE_MASTER_KEY="
               "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        putenv(lease);
        freopen(log, "a", stdout);
        freopen(log, "a", stderr);
        execl(harness_bin("hrbridge"), "hrbridge", "sync", "--db", harness_db(db), id,
              (char *)NULL);
        _exit(127);
    }
    assert_true(pid > 0);
    return pid;
}

/* Runs a sync to its end; returns its exit status. */
static int sync_to_end(const char *id)
{
    int status = 0;
    pid_t pid = start_sync(id);

    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *str_or_empty(const json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : "";
}

/* Every employee the API serves (pages of 250). */
static json_t *served(const char *id)
{
    json_t *all = json_array();
    char cursor[600] = "";

    for (int pages = 0; pages < 1000; pages++) {
        char path[1024];
        struct hresp r;
        json_t *next, *e;
        size_t i;

        snprintf(path, sizeof(path), "/v1/hris/employees?page_size=250%s%s",
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

static uint64_t checksum(const json_t *emps)
{
    char *text = json_dumps(emps, JSON_COMPACT);
    uint64_t h = 1469598103934665603ULL;

    for (const char *p = text; p && *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    free(text);
    return h;
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
static json_t *project_sim(void)
{
    char url[512], auth[600];
    const char *h[] = {auth, NULL};
    json_t *out = json_object(), *item;
    struct hresp r;
    size_t i;

    snprintf(url, sizeof(url), "%s/personio/v1/auth?client_id=sim-client&client_secret=sim-secret",
             sim.base_url);
    assert_int_equal(harness_http("POST", url, NULL, "", 0, &r), 0);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
             json_string_value(json_object_get(json_object_get(r.json, "data"), "token")));
    hresp_free(&r);
    for (int off = 0; off < 1000000; off += 100) {
        size_t n;
        snprintf(url, sizeof(url), "%s/personio/v1/company/employees?limit=100&offset=%d",
                 sim.base_url, off);
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

/* A change touching about a third of the employees, different each round. */
static void mutate(int round)
{
    char body[16384];
    size_t len = 0;

    len += (size_t)snprintf(body + len, sizeof(body) - len, "{\"update\":[");
    for (int i = 0; i < 1000; i++)
        len += (size_t)snprintf(body + len, sizeof(body) - len, "%s%d", i ? "," : "",
                                1001 + (round * 7 + i * 3) % EMPLOYEES);
    len += (size_t)snprintf(body + len, sizeof(body) - len, "],\"delete\":[%d,%d],\"add\":5}",
                            1001 + (round * 131 + 17) % EMPLOYEES,
                            1001 + (round * 131 + 911) % EMPLOYEES);
    sim_post("/personio/__sim/mutate", body);
}

/* The store is sound: SQLite's integrity_check, and on both backends no
 * row pointing at a record that is not there. */
static void check_store(void)
{
    const char *url = harness_db(db);
    static const char *const orphans[] = {
        "SELECT count(*) FROM record_attrs a WHERE NOT EXISTS (SELECT 1 FROM records r WHERE "
        "r.integration_id = a.integration_id AND r.id = a.record_id)",
        "SELECT count(*) FROM record_docs d WHERE NOT EXISTS (SELECT 1 FROM records r WHERE "
        "r.integration_id = d.integration_id AND r.id = d.id)",
        "SELECT count(*) FROM sync_runs WHERE state = 'RUNNING' AND lease_until IS NULL",
    };

    if (strncmp(url, "sqlite:", 7) == 0) {
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        const char *res = NULL;

        assert_int_equal(sqlite3_open_v2(url + 7, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        sqlite3_busy_timeout(h, 5000);
        assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        res = (const char *)sqlite3_column_text(st, 0);
        if (!res || strcmp(res, "ok") != 0)
            fail_msg("integrity_check: %s", res ? res : "(null)");
        sqlite3_finalize(st);
        sqlite3_close(h);
    } else {
        assert_int_equal(harness_db_scalar(db, "SELECT 1", NULL), 1);
    }
    for (size_t i = 0; i < sizeof(orphans) / sizeof(orphans[0]); i++)
        assert_int_equal(harness_db_scalar(db, orphans[i], NULL), 0);
}

/* ---- fixtures and the test --------------------------------------------------- */

static int group_setup(void **state)
{
    const char *sim_args[] = {"--employees", "2000", "--seed", "5", "--custom-fields", "4", NULL};
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
    if (harness_new_key(db, "crash", key, sizeof(key)) != 0)
        return -1;
    return harness_start_hrbridge(&srv, tmp, db, extra);
}

static int group_teardown(void **state)
{
    (void)state;
    harness_stop(&srv);
    harness_stop(&sim);
    harness_rmtree(tmp);
    return 0;
}

static void kill_nine_twenty_times(void **state)
{
    const char *seed_env = getenv("HB_CRASH_SEED");
    char id[128], body[512];
    json_t *old, *expect, *now, *got;
    struct hresp r;
    long t0, full_ms, window_ms;
    int round = 0, olds = 0, news = 0, finished = 0;
    uint64_t seed;

    (void)state;
    seed = seed_env && *seed_env ? strtoull(seed_env, NULL, 10)
                                 : ((uint64_t)time(NULL) << 16) ^ (uint64_t)getpid();
    rng = seed ? seed : 1;
    printf("  seed %llu (HB_CRASH_SEED=%llu repeats these delays)\n", (unsigned long long)seed,
           (unsigned long long)seed);

    snprintf(body, sizeof(body),
             "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Crash\"},"
             "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"},"
             "\"base_url\":\"%s/personio\"}",
             sim.base_url);
    assert_int_equal(api("POST", "/v1/integrations", NULL, body, &r), 201);
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(data(&r), "id")));
    hresp_free(&r);

    /* The first sync, whole; then how long a sync of a change takes. */
    t0 = now_ms();
    assert_int_equal(sync_to_end(id), 0);
    full_ms = now_ms() - t0;
    mutate(round++);
    t0 = now_ms();
    assert_int_equal(sync_to_end(id), 0);
    window_ms = now_ms() - t0;
    printf("  first sync %ld ms, a sync of a change %ld ms\n", full_ms, window_ms);
    old = served(id);
    mutate(round++);
    expect = project_sim();

    for (int k = 1; k <= KILLS; k++) {
        /* Half anywhere in the sync, half in its second half, where the
         * apply and the rendering of served documents run. */
        uint64_t x = next_random();
        long delay = x & 1 ? (long)((x >> 1) % (uint64_t)(window_ms + 1))
                           : window_ms / 2 + (long)((x >> 1) % (uint64_t)(window_ms / 2 + 1));
        int status = 0, is_old, is_new;
        pid_t pid = start_sync(id);

        sleep_ms(delay);
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status))
            finished++;

        check_store();
        now = served(id);
        got = project_served(now);
        is_old = json_equal(now, old);
        is_new = !is_old && json_equal(got, expect);
        printf("  kill %2d after %4ld ms: %s; integrity ok; served %s (%zu employees, %016llx)\n",
               k, delay, WIFSIGNALED(status) ? "killed" : "had finished", is_old ? "old" : "new",
               json_array_size(now), (unsigned long long)checksum(now));
        if (!is_old && !is_new)
            fail_msg("kill %d (seed %llu, %ld ms): served data is neither the old nor the new "
                     "state",
                     k, (unsigned long long)seed, delay);
        json_decref(got);
        if (is_new) {
            /* The change is in: change the remote again for the next round. */
            news++;
            json_decref(old);
            old = now;
            mutate(round++);
            json_decref(expect);
            expect = project_sim();
        } else {
            olds++;
            json_decref(now);
        }
        /* The next round takes the dead run over once its lease expired;
         * the lease is aged here rather than waited for (test_sync and
         * test_failpoints wait for real). */
        {
            const char *params[] = {id, NULL};
            assert_int_equal(harness_db_exec(db,
                                             "UPDATE sync_runs SET lease_until = 1 WHERE "
                                             "integration_id = ? AND state = 'RUNNING'",
                                             params),
                             0);
        }
    }

    /* A sync completes and equals hrsim. */
    assert_int_equal(sync_to_end(id), 0);
    check_store();
    now = served(id);
    got = project_served(now);
    assert_false(json_equal(now, old));
    if (!json_equal(got, expect))
        fail_msg("the data after the last sync differs from hrsim's (seed %llu)",
                 (unsigned long long)seed);
    {
        const char *params[] = {id, NULL};
        assert_int_equal(harness_db_scalar(db,
                                           "SELECT count(*) FROM sync_runs WHERE "
                                           "integration_id = ? AND state = 'RUNNING'",
                                           params),
                         0);
        printf("  %d kills: %d left the old data, %d the new; %d syncs had finished first; "
               "%lld runs recorded as taken over; final sync %zu employees = hrsim\n",
               KILLS, olds, news, finished,
               harness_db_scalar(db,
                                 "SELECT count(*) FROM sync_runs WHERE integration_id = ? AND "
                                 "state = 'FAILED' AND error LIKE '%stopped answering%'",
                                 params),
               json_array_size(now));
    }
    json_decref(got);
    json_decref(now);
    json_decref(old);
    json_decref(expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kill_nine_twenty_times),
    };

    return cmocka_run_group_tests_name("crash", tests, group_setup, group_teardown);
}
