/*
 * harness — what every end-to-end test needs: start real processes (hrsim,
 * hrbridge) on random loopback ports with temporary state, talk HTTP to them
 * with libcurl, and read the JSON they answer. Tests built on it are cmocka
 * programs; nothing here mocks anything.
 */
#ifndef HB_TESTS_E2E_HARNESS_H
#define HB_TESTS_E2E_HARNESS_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

/* A child process listening on 127.0.0.1:port. */
struct hproc {
    pid_t pid;
    int port;
    char base_url[64];  /* "http://127.0.0.1:PORT" */
    char log_path[512]; /* its stdout and stderr */
};

/* One HTTP answer. Owned by the caller; release with hresp_free(). */
struct hresp {
    long status;
    char *body; /* NUL-terminated */
    size_t len;
    char *headers; /* raw response header block, NUL-terminated */
    json_t *json;  /* parsed body, or NULL when it is not JSON */
};

/* Path of a built program, e.g. harness_bin("hrsim") -> "<repo>/build/hrsim".
 * Honours $HB_BUILD_DIR. Borrowed, valid until the next call. */
const char *harness_bin(const char *name);

/* Creates a fresh temporary directory (mode 0700) and writes its path to out.
 * Returns 0, or -1 on failure. */
int harness_tmpdir(char *out, size_t outlen);

/* Removes a directory tree made by harness_tmpdir(), and drops the
 * PostgreSQL databases made for paths inside it (see harness_db). */
void harness_rmtree(const char *dir);

/* The database behind a test's "sqlite:PATH" URL. Normally that URL itself;
 * with HRBRIDGE_TEST_PG set to a base URL ("postgresql://USER@HOST:PORT/"),
 * a fresh PostgreSQL database made for PATH on first use (the same one on
 * every later call) and dropped by harness_rmtree() of a directory holding
 * PATH, or at exit. Every process the harness starts (harness_spawn,
 * harness_run) gets its "sqlite:" arguments mapped this way. Borrowed until
 * the database is dropped; NULL when it could not be created. */
const char *harness_db(const char *db);

/* The first column of the first row of sql (an integer) in the database of
 * db (as harness_db maps it), or -1. sql may hold `?` placeholders for the
 * text params (NULL-terminated, may be NULL). */
long long harness_db_scalar(const char *db, const char *sql, const char *const params[]);

/* Runs one statement without results (sql may hold `?` placeholders for
 * the text params, NULL-terminated, may be NULL) on the database of db.
 * Returns 0, or -1 (the error is printed). */
int harness_db_exec(const char *db, const char *sql, const char *const params[]);

/* A TCP port on 127.0.0.1 that was free a moment ago. */
int harness_free_port(void);

/* Starts argv[0] with argv (NULL-terminated) and env additions (NULL-terminated
 * "K=V" list, may be NULL), output to log_path, then waits up to timeout_ms
 * until GET base_url+ready_path answers any HTTP status. p->port must be set
 * by the caller (it is only used to fill base_url). Returns 0, or -1 when the
 * process died or never answered (its log is printed to stderr). */
int harness_spawn(struct hproc *p, const char *const argv[], const char *const env[],
                  const char *ready_path, int timeout_ms);

/* Starts build/hrsim on a free port with extra flags (NULL-terminated, may be
 * NULL). Logs go to dir/hrsim.log. Returns 0 or -1. */
int harness_start_hrsim(struct hproc *p, const char *dir, const char *const extra[]);

/* Runs `hrbridge keys create` against db (e.g. "sqlite:/tmp/x/hb.db") for
 * environment, writing the key into out. Returns 0 or -1. */
int harness_new_key(const char *db, const char *environment, char *out, size_t outlen);

/* Starts `hrbridge serve` on a free port with db, a master key and extra
 * flags (NULL-terminated, may be NULL). Logs go to dir/serve.log. Returns 0
 * or -1. */
int harness_start_hrbridge(struct hproc *p, const char *dir, const char *db,
                           const char *const extra[]);

/* Sends SIGTERM, waits up to 5 s, then SIGKILL. Returns the exit status as
 * waitpid() reports it, or -1. Safe on a zeroed struct. */
int harness_stop(struct hproc *p);

/* Runs a command to completion (argv NULL-terminated, env additions may be
 * NULL), capturing its stdout into *out (NUL-terminated, caller frees).
 * Returns the exit code, or -1 when it could not run. */
int harness_run(const char *const argv[], const char *const env[], char **out);

/* Performs one HTTP request. headers: NULL-terminated "Name: value" list (may
 * be NULL). body may be NULL. Returns 0 and fills *out, or -1 on a transport
 * error. */
int harness_http(const char *method, const char *url, const char *const headers[], const char *body,
                 size_t body_len, struct hresp *out);

/* Frees what harness_http() filled. Safe on a zeroed struct. */
void hresp_free(struct hresp *r);

/* Value of a response header (case-insensitive name), copied into out.
 * Returns 0, or -1 when absent. */
int hresp_header(const struct hresp *r, const char *name, char *out, size_t outlen);

#endif
