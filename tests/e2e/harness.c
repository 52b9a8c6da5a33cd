/* harness — real processes on loopback ports, and HTTP to them. */
#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

const char *harness_bin(const char *name)
{
    static char path[1024];
    const char *dir = getenv("HB_BUILD_DIR");

    snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "build", name);
    return path;
}

int harness_tmpdir(char *out, size_t outlen)
{
    const char *base = getenv("TMPDIR");

    snprintf(out, outlen, "%s/hrbridge-e2e-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(out) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* ---- databases: SQLite files, or PostgreSQL databases in their place ---- */

#define PG_DBS_MAX 64

struct pg_db {
    char *sqlite_url; /* "sqlite:PATH" the test asked for */
    char *url;        /* the PostgreSQL database made for it */
    char name[64];
    char key_file[600]; /* "HRBRIDGE_MASTER_KEY_FILE=PATH.key" */
};

static struct pg_db pg_dbs[PG_DBS_MAX];
static int pg_ndbs;
static int pg_atexit_set;

/* Runs one statement on the server's maintenance database. */
static int pg_admin(const char *sql)
{
    const char *base = getenv("HRBRIDGE_TEST_PG");
    char url[512];
    PGconn *c;
    PGresult *r;
    int ok;

    snprintf(url, sizeof(url), "%s%spostgres", base,
             base[0] && base[strlen(base) - 1] == '/' ? "" : "/");
    c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "harness: cannot connect to %s: %s", url, PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "harness: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

static void pg_drop(struct pg_db *d)
{
    char sql[128];

    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", d->name);
    pg_admin(sql);
    free(d->sqlite_url);
    free(d->url);
    *d = pg_dbs[--pg_ndbs];
}

static void pg_drop_all(void)
{
    while (pg_ndbs > 0)
        pg_drop(&pg_dbs[pg_ndbs - 1]);
}

static struct pg_db *pg_find(const char *db)
{
    for (int i = 0; i < pg_ndbs; i++)
        if (strcmp(pg_dbs[i].sqlite_url, db) == 0)
            return &pg_dbs[i];
    return NULL;
}

const char *harness_db(const char *db)
{
    const char *base = getenv("HRBRIDGE_TEST_PG");
    static unsigned counter;
    struct pg_db *d;
    char sql[128], url[600];

    if (!db || !base || !*base || strncmp(db, "sqlite:", 7) != 0)
        return db;
    d = pg_find(db);
    if (d)
        return d->url;
    if (pg_ndbs == PG_DBS_MAX)
        return NULL;
    d = &pg_dbs[pg_ndbs];
    memset(d, 0, sizeof(*d));
    snprintf(d->name, sizeof(d->name), "hbtest_%ld_%u_%ld", (long)getpid(), counter++,
             (long)time(NULL));
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", d->name);
    if (pg_admin(sql) != 0)
        return NULL;
    snprintf(url, sizeof(url), "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/", d->name);
    d->sqlite_url = strdup(db);
    d->url = strdup(url);
    /* Where serve keeps its master key next to a SQLite file, so here too. */
    snprintf(d->key_file, sizeof(d->key_file), "HRBRIDGE_MASTER_KEY_FILE=%s.key", db + 7);
    pg_ndbs++;
    if (!pg_atexit_set) {
        atexit(pg_drop_all);
        pg_atexit_set = 1;
    }
    return d->url;
}

/* Runs sql on the database of db: a scalar query (*n gets the first column
 * of its first row) or, with n NULL, a statement without results. */
static int db_run(const char *db, const char *sql, const char *const params[], long long *n)
{
    const char *url = harness_db(db);
    int np = 0, rc = -1;

    while (params && params[np])
        np++;
    if (!url)
        return -1;
    if (strncmp(url, "sqlite:", 7) == 0) {
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        int step;

        if (sqlite3_open_v2(url + 7, &h, n ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, NULL) ==
            SQLITE_OK) {
            sqlite3_busy_timeout(h, 5000);
            if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
                for (int i = 0; i < np; i++)
                    sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT);
                step = sqlite3_step(st);
                if (n && step == SQLITE_ROW) {
                    *n = sqlite3_column_int64(st, 0);
                    rc = 0;
                } else if (!n && step == SQLITE_DONE) {
                    rc = 0;
                }
            }
            if (rc != 0)
                fprintf(stderr, "harness: %s: %s\n", sql, sqlite3_errmsg(h));
            sqlite3_finalize(st);
        }
        sqlite3_close(h);
    } else {
        /* `?` becomes $1..$n (test queries hold no '?' in literals). */
        size_t len = strlen(sql), k = 0;
        char *q = malloc(len * 4 + 1);
        PGconn *c = PQconnectdb(url);
        PGresult *r = NULL;
        int i = 0;

        for (const char *p = sql; q && *p; p++) {
            if (*p == '?')
                k += (size_t)snprintf(q + k, len * 4 + 1 - k, "$%d", ++i);
            else
                q[k++] = *p;
        }
        if (q)
            q[k] = '\0';
        if (q && PQstatus(c) == CONNECTION_OK)
            r = PQexecParams(c, q, np, NULL, (const char *const *)params, NULL, NULL, 0);
        if (n && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
            !PQgetisnull(r, 0, 0)) {
            *n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            rc = 0;
        } else if (!n && PQresultStatus(r) == PGRES_COMMAND_OK) {
            rc = 0;
        } else if (r && PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "harness: %s: %s", sql, PQresultErrorMessage(r));
        }
        PQclear(r);
        PQfinish(c);
        free(q);
    }
    return rc;
}

long long harness_db_scalar(const char *db, const char *sql, const char *const params[])
{
    long long n = -1;

    if (db_run(db, sql, params, &n) != 0)
        return -1;
    return n;
}

int harness_db_exec(const char *db, const char *sql, const char *const params[])
{
    return db_run(db, sql, params, NULL);
}

/* Maps the "sqlite:" arguments of a command (see harness_db) into args,
 * and adds the matching master key file to env (size envmax). */
static void map_argv(const char *const argv[], const char **args, size_t argmax,
                     const char *const env[], const char **envs, size_t envmax)
{
    size_t n = 0, m = 0;

    for (; env && env[m] && m + 2 < envmax; m++)
        envs[m] = env[m];
    for (; argv[n] && n + 1 < argmax; n++) {
        args[n] = argv[n];
        if (strncmp(argv[n], "sqlite:", 7) == 0 && getenv("HRBRIDGE_TEST_PG")) {
            const char *url = harness_db(argv[n]);
            struct pg_db *d = pg_find(argv[n]);
            if (url)
                args[n] = url;
            if (d && m + 2 < envmax)
                envs[m++] = d->key_file;
        }
    }
    args[n] = NULL;
    envs[m] = NULL;
}

void harness_rmtree(const char *dir)
{
    size_t len = dir ? strlen(dir) : 0;

    for (int i = pg_ndbs - 1; len && i >= 0; i--) {
        const char *path = pg_dbs[i].sqlite_url + 7;
        if (strncmp(path, dir, len) == 0 && path[len] == '/')
            pg_drop(&pg_dbs[i]);
    }
    if (dir && *dir && !getenv("HB_KEEP_TMP"))
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int harness_free_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void print_log(const char *path)
{
    char line[1024];
    FILE *f = fopen(path, "r");

    if (!f)
        return;
    fprintf(stderr, "---- %s ----\n", path);
    while (fgets(line, sizeof(line), f))
        fputs(line, stderr);
    fclose(f);
}

static pid_t spawn(const char *const argv[], const char *const env[], int out_fd)
{
    pid_t pid = fork();

    if (pid != 0)
        return pid;
    for (size_t i = 0; env && env[i]; i++)
        putenv((char *)env[i]);
    if (out_fd >= 0) {
        dup2(out_fd, STDOUT_FILENO);
        dup2(out_fd, STDERR_FILENO);
    }
    execv(argv[0], (char *const *)argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

int harness_spawn(struct hproc *p, const char *const argv_in[], const char *const env_in[],
                  const char *ready_path, int timeout_ms)
{
    const char *argv[64], *env[32];
    int fd, waited = 0, status;
    char url[256];

    map_argv(argv_in, argv, 64, env_in, env, 32);
    snprintf(p->base_url, sizeof(p->base_url), "http://127.0.0.1:%d", p->port);
    fd = open(p->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    p->pid = spawn(argv, env, fd);
    if (fd >= 0)
        close(fd);
    if (p->pid < 0)
        return -1;
    snprintf(url, sizeof(url), "%s%s", p->base_url, ready_path ? ready_path : "/");
    while (waited < timeout_ms) {
        struct hresp r;
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            fprintf(stderr, "harness: %s exited early\n", argv[0]);
            print_log(p->log_path);
            p->pid = 0;
            return -1;
        }
        if (harness_http("GET", url, NULL, NULL, 0, &r) == 0) {
            hresp_free(&r);
            return 0;
        }
        sleep_ms(20);
        waited += 20;
    }
    fprintf(stderr, "harness: %s did not answer within %d ms\n", argv[0], timeout_ms);
    print_log(p->log_path);
    harness_stop(p);
    return -1;
}

int harness_start_hrsim(struct hproc *p, const char *dir, const char *const extra[])
{
    const char *argv[32];
    char listen[64];
    size_t n = 0;

    memset(p, 0, sizeof(*p));
    p->port = harness_free_port();
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", p->port);
    snprintf(p->log_path, sizeof(p->log_path), "%s/hrsim.log", dir);
    argv[n++] = harness_bin("hrsim");
    argv[n++] = "--listen";
    argv[n++] = listen;
    for (size_t i = 0; extra && extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    return harness_spawn(p, argv, NULL, "/__sim/requests", 10000);
}

/* A fixed master key for tests, so every process of a test shares it. */
static const char test_master_key[] =
    "HRBRIDGE_MASTER_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

int harness_new_key(const char *db, const char *environment, char *out, size_t outlen)
{
    const char *argv[] = {harness_bin("hrbridge"), "keys",      "create", "--db", db,
                          "--environment",         environment, NULL};
    const char *env[] = {test_master_key, "HRBRIDGE_LOG_LEVEL=warn", NULL};
    char *text = NULL;
    size_t n;

    if (harness_run(argv, env, &text) != 0) {
        free(text);
        return -1;
    }
    n = strcspn(text, "\r\n");
    if (n == 0 || n >= outlen) {
        free(text);
        return -1;
    }
    memcpy(out, text, n);
    out[n] = '\0';
    free(text);
    return 0;
}

int harness_start_hrbridge(struct hproc *p, const char *dir, const char *db,
                           const char *const extra[])
{
    const char *argv[32];
    const char *env[] = {test_master_key, NULL};
    char listen[64];
    size_t n = 0;

    memset(p, 0, sizeof(*p));
    p->port = harness_free_port();
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", p->port);
    snprintf(p->log_path, sizeof(p->log_path), "%s/serve.log", dir);
    argv[n++] = harness_bin("hrbridge");
    argv[n++] = "serve";
    argv[n++] = "--db";
    argv[n++] = db;
    argv[n++] = "--listen";
    argv[n++] = listen;
    for (size_t i = 0; extra && extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    return harness_spawn(p, argv, env, "/v1/check-api-key", 10000);
}

int harness_stop(struct hproc *p)
{
    int status = -1, waited = 0;

    if (!p || p->pid <= 0)
        return -1;
    kill(p->pid, SIGTERM);
    while (waited < 5000) {
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = 0;
            return status;
        }
        sleep_ms(10);
        waited += 10;
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
    p->pid = 0;
    return status;
}

int harness_run(const char *const argv_in[], const char *const env_in[], char **out)
{
    const char *argv[64], *env[32];
    int pipefd[2], status = 0;
    size_t len = 0, cap = 4096;
    char *buf;
    pid_t pid;
    ssize_t n;

    map_argv(argv_in, argv, 64, env_in, env, 32);
    if (pipe(pipefd) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        for (size_t i = 0; env[i]; i++)
            putenv((char *)env[i]);
        dup2(pipefd[1], STDOUT_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    if (pid < 0) {
        close(pipefd[0]);
        return -1;
    }
    buf = malloc(cap);
    while (buf && (n = read(pipefd[0], buf + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    close(pipefd[0]);
    waitpid(pid, &status, 0);
    if (!buf)
        return -1;
    buf[len] = '\0';
    if (out)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct grow {
    char *p;
    size_t len;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct grow *g = ud;
    size_t n = size * nmemb;
    char *q = realloc(g->p, g->len + n + 1);

    if (!q)
        return 0;
    g->p = q;
    memcpy(g->p + g->len, ptr, n);
    g->len += n;
    g->p[g->len] = '\0';
    return n;
}

int harness_http(const char *method, const char *url, const char *const headers[], const char *body,
                 size_t body_len, struct hresp *out)
{
    static int curl_ready;
    struct grow b = {NULL, 0}, h = {NULL, 0};
    struct curl_slist *hl = NULL;
    CURL *c;
    CURLcode rc;

    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = 1;
    }
    memset(out, 0, sizeof(*out));
    c = curl_easy_init();
    if (!c)
        return -1;
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    /* Send bodies at once, without a 100-continue round trip. */
    if (body)
        hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    /* A server refusing a large body may answer and close before the body
     * is all sent: the answer counts, the failed send does not. */
    if ((rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR) && out->status > 0 && b.len > 0)
        rc = CURLE_OK;
    curl_easy_cleanup(c);
    curl_slist_free_all(hl);
    if (rc != CURLE_OK) {
        free(b.p);
        free(h.p);
        return -1;
    }
    out->body = b.p ? b.p : strdup("");
    out->len = b.len;
    out->headers = h.p ? h.p : strdup("");
    out->json = json_loadb(out->body, out->len, JSON_DECODE_ANY, NULL);
    return 0;
}

void hresp_free(struct hresp *r)
{
    if (!r)
        return;
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

int hresp_header(const struct hresp *r, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    const char *p = r->headers;

    while (p && *p) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            size_t vlen;
            while (*v == ' ')
                v++;
            vlen = len - (size_t)(v - p);
            if (vlen >= outlen)
                vlen = outlen - 1;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return 0;
        }
        p = eol ? eol + 2 : NULL;
    }
    return -1;
}
