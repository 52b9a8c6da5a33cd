/*
 * main — the hrbridge command line: serve | migrate | keys create | config
 * show. Each command loads the configuration table (flags > environment >
 * config file > defaults), opens the store and does one job.
 */
#include "api/app.h"
#include "api/hris.h"
#include "api/integrations.h"
#include "core/bytecache.h"
#include "core/config.h"
#include "core/isotime.h"
#include "core/jsonarena.h"
#include "core/log.h"
#include "core/secret.h"
#include "http/server.h"
#include "store/store.h"
#include "sync/engine.h"
#include "sync/jobs.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: hrbridge COMMAND [options]\n\n"
               "commands:\n"
               "  serve         run the API server (and a sync worker)\n"
               "  worker        run a sync worker only\n"
               "  sync ID       run one sync of an integration in the foreground\n"
               "  demo          hrsim + server + a demo integration, in the foreground\n"
               "  migrate       create or upgrade the database schema\n"
               "  copy --to URL copy every row into another (empty) database\n"
               "  keys create   create an API key and print it (only the key)\n"
               "  config show   print the effective configuration (secrets redacted)\n\n"
               "Run \"hrbridge COMMAND --help\" for the options of a command.\n");
}

static void command_help(const char *synopsis, const char *what, unsigned scope)
{
    printf("usage: hrbridge %s\n\n%s\n\noptions (flag, environment variable, default):\n", synopsis,
           what);
    config_print_help(stdout, scope);
}

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

/* Loads the configuration and the logging settings; prints the error. */
static int load_config(struct config *cfg, int *argc, char **argv, const char *const pass[])
{
    struct err e;

    err_init(&e);
    if (config_load(cfg, argc, argv, pass, &e) != ERR_OK) {
        fprintf(stderr, "hrbridge: %s\n", e.msg);
        return -1;
    }
    log_set_level(cfg->log_level);
    log_set_trace(cfg->log_trace);
    return 0;
}

/* Opens and migrates the store, reads mapping up to map_bytes of a SQLite
 * file (serve); prints the error. */
static int open_store(const struct config *cfg, int pool, int64_t map_bytes, struct store **out)
{
    struct err e;
    int rc;

    err_init(&e);
    rc = store_open(cfg->db_url, pool, out, &e);
    if (rc != ERR_OK) {
        fprintf(stderr, "hrbridge: %s\n", e.msg);
        return -1;
    }
    store_map_reads(*out, map_bytes);
    rc = store_migrate(*out, NULL, NULL);
    if (rc != ERR_OK) {
        fprintf(stderr, "hrbridge: migrating %s failed (%s)\n", store_backend(*out), err_name(rc));
        store_close(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* The master key from HRBRIDGE_MASTER_KEY, else the key file (created when
 * create is set). */
static int load_master_key(const struct config *cfg, struct secret_master *m, int create)
{
    char path[CONFIG_STR_MAX + 8];
    int rc;

    if (cfg->master_key[0]) {
        if (secret_master_from_hex(m, cfg->master_key) != ERR_OK) {
            fprintf(stderr, "hrbridge: secret.master_key: expected 64 hex characters\n");
            return -1;
        }
        return 0;
    }
    config_master_key_path(cfg, path, sizeof(path));
    rc = secret_master_load(m, path, create);
    if (rc == ERR_NOT_FOUND)
        fprintf(stderr,
                "hrbridge: no master key: set HRBRIDGE_MASTER_KEY or run serve once "
                "to create %s\n",
                path);
    else if (rc == ERR_INVALID)
        fprintf(stderr,
                "hrbridge: master key file %s must hold 64 hex characters and be "
                "readable by its owner only (mode 0600)\n",
                path);
    else if (rc != ERR_OK)
        fprintf(stderr, "hrbridge: cannot read or create master key file %s\n", path);
    return rc == ERR_OK ? 0 : -1;
}

/* After a sync: renders the employees the API serves from its data. */
static void render_docs(void *ud, const char *integration_id)
{
    int64_t t0 = isotime_mono_ms();
    int rc = hris_docs_refresh(ud, integration_id);

    if (rc == ERR_OK)
        log_info("sync", "msg=\"served docs rendered\" integration=%s ms=%lld", integration_id,
                 (long long)(isotime_mono_ms() - t0));
    else
        log_warn("sync", "msg=\"served docs not rendered; reads render them\" integration=%s rc=%s",
                 integration_id, err_name(rc));
}

static int start_worker(const struct config *cfg, struct store *store,
                        const struct secret_master *master, struct jobs **out)
{
    struct jobs_opts o = {store,
                          master,
                          cfg->sync_full_interval,
                          cfg->sync_delta_interval,
                          cfg->sync_lease * 1000,
                          0,
                          (int)cfg->sync_connections,
                          render_docs,
                          store};

    if (jobs_start(&o, out) != ERR_OK) {
        fprintf(stderr, "hrbridge: the sync worker could not start\n");
        return -1;
    }
    return 0;
}

/* Blocks SIGINT and SIGTERM in every thread; the caller takes them with sigwait. */
static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The monotonic time by which a graceful stop must be over (shutdown.grace). */
static int64_t shutdown_deadline(const struct config *cfg, int sig)
{
    log_info("main", "msg=\"shutting down\" signal=%d grace_s=%ld", sig, cfg->shutdown_grace);
    return isotime_mono_ms() + cfg->shutdown_grace * 1000;
}

/* The grace period is over and a thread is still busy (a slow handler or
 * remote call): end the process without waiting for it. Its sync run, if
 * any, is already back in the queue; open transactions roll back. */
static void hard_exit(void)
{
    log_warn("main", "msg=\"grace period over; exiting with work still in progress\"");
    fflush(NULL);
    _exit(1);
}

static int cmd_serve(int argc, char **argv)
{
    static struct app app;
    static struct config cfg;
    struct server *srv = NULL;
    int64_t deadline;
    sigset_t set;
    struct err e;
    int sig = 0, threads;

    if (wants_help(argc, argv)) {
        command_help("serve [--db URL] [--listen HOST:PORT] [--no-worker]", "Runs the API server.",
                     CFG_SCOPE_SERVE);
        return 0;
    }
    if (load_config(&cfg, &argc, argv, NULL) != 0)
        return 2;
    if (argc > 1) {
        fprintf(stderr, "hrbridge serve: unexpected argument %s\n", argv[1]);
        return 2;
    }
    /* Signals are taken by sigwait below, so block them before any thread starts. */
    block_signals(&set);

    threads = cfg.http_threads > 0 ? (int)cfg.http_threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    app.cfg = &cfg;
    app.fields_pages = bytecache_new(APP_FIELDS_PAGES, APP_FIELDS_PAGE_BYTES);
    if (open_store(&cfg, threads + 2, (int64_t)cfg.db_mmap_mb << 20, &app.store) != 0)
        return 1;
    if (load_master_key(&cfg, &app.master, 1) != 0) {
        store_close(app.store);
        return 1;
    }
    if (cfg.public_url[0])
        snprintf(app.public_url, sizeof(app.public_url), "%s", cfg.public_url);
    else
        snprintf(app.public_url, sizeof(app.public_url), "http://%s", cfg.listen);
    for (size_t n = strlen(app.public_url); n > 0 && app.public_url[n - 1] == '/'; n--)
        app.public_url[n - 1] = '\0';

    err_init(&e);
    if (server_start(&app, &srv, &e) != ERR_OK) {
        fprintf(stderr, "hrbridge: %s\n", e.msg);
        store_close(app.store);
        return 1;
    }
    if (!cfg.no_worker && start_worker(&cfg, app.store, &app.master, &app.jobs) != 0) {
        server_stop(srv);
        store_close(app.store);
        return 1;
    }
    log_info("main", "msg=started backend=%s worker=%s", store_backend(app.store),
             app.jobs ? "in-process" : "none");
    sigwait(&set, &sig);
    deadline = shutdown_deadline(&cfg, sig);
    /* The worker winds down while the last requests are answered. */
    jobs_request_stop(app.jobs);
    if (server_drain(srv, deadline) > 0)
        hard_exit(); /* a handler is still busy: stopping the server would wait for it */
    server_stop(srv);
    if (jobs_stop(app.jobs, deadline) != ERR_OK)
        hard_exit();
    store_close(app.store);
    bytecache_free(app.fields_pages);
    sodium_memzero(&app.master, sizeof(app.master));
    log_info("main", "msg=stopped");
    return 0;
}

static int cmd_worker(int argc, char **argv)
{
    struct config cfg;
    struct store *store = NULL;
    struct secret_master master;
    struct jobs *jobs = NULL;
    sigset_t set;
    int sig = 0;

    if (wants_help(argc, argv)) {
        command_help("worker [--db URL]",
                     "Runs a sync worker: queues scheduled syncs and runs queued ones. Any number "
                     "of workers\nand servers can share one database.",
                     CFG_SCOPE_ALL & ~(unsigned)CFG_SCOPE_KEYS);
        return 0;
    }
    if (load_config(&cfg, &argc, argv, NULL) != 0)
        return 2;
    if (argc > 1) {
        fprintf(stderr, "hrbridge worker: unexpected argument %s\n", argv[1]);
        return 2;
    }
    block_signals(&set);
    if (open_store(&cfg, 4, 0, &store) != 0)
        return 1;
    if (load_master_key(&cfg, &master, 0) != 0 || start_worker(&cfg, store, &master, &jobs) != 0) {
        store_close(store);
        return 1;
    }
    sigwait(&set, &sig);
    if (jobs_stop(jobs, shutdown_deadline(&cfg, sig)) != ERR_OK)
        hard_exit();
    store_close(store);
    sodium_memzero(&master, sizeof(master));
    log_info("main", "msg=stopped");
    return 0;
}

static void print_progress(void *ud, int64_t fetched)
{
    fprintf(stderr, "\rsyncing %s: %lld records fetched", (const char *)ud, (long long)fetched);
    fflush(stderr);
}

/* Set by SIGINT/SIGTERM during `hrbridge sync`: the engine then puts the
 * run back in the queue at its next page. */
static volatile sig_atomic_t sync_interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    sync_interrupted = 1;
}

static int cmd_sync(int argc, char **argv)
{
    static const char *const pass[] = {"--type", NULL};
    struct config cfg;
    struct store *store = NULL;
    struct secret_master master;
    struct store_sync_run run;
    struct store_integration it;
    struct engine_env env;
    const char *id = NULL, *type_name = "FULL";
    char worker[128];
    struct err e;
    int already = 0, rc, type;

    if (wants_help(argc, argv)) {
        command_help("sync [--db URL] INTEGRATION_ID [--type FULL|DELTA]",
                     "Runs one sync of an integration in the foreground and prints its outcome.\n"
                     "Exits 1 with the reason when the sync fails.",
                     CFG_SCOPE_ALL & ~(unsigned)(CFG_SCOPE_SERVE | CFG_SCOPE_KEYS));
        return 0;
    }
    if (load_config(&cfg, &argc, argv, pass) != 0)
        return 2;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--type") == 0 && i + 1 < argc)
            type_name = argv[++i];
        else if (!id && argv[i][0] != '-')
            id = argv[i];
        else {
            fprintf(stderr, "hrbridge sync: unexpected argument %s\n", argv[i]);
            return 2;
        }
    }
    if (!id || (strcmp(type_name, "FULL") && strcmp(type_name, "DELTA"))) {
        fprintf(stderr, "usage: hrbridge sync [--db URL] INTEGRATION_ID [--type FULL|DELTA]\n");
        return 2;
    }
    type = strcmp(type_name, "DELTA") == 0 ? SYNC_DELTA : SYNC_FULL;
    signal(SIGPIPE, SIG_IGN);
    {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_interrupt;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }
    if (open_store(&cfg, 4, 0, &store) != 0)
        return 1;
    rc = load_master_key(&cfg, &master, 0) == 0 ? ERR_OK : ERR_INVALID;
    if (rc == ERR_OK) {
        rc = store_integration_get_any(store, id, &it);
        if (rc == ERR_NOT_FOUND)
            fprintf(stderr, "hrbridge sync: no integration %s\n", id);
        if (rc == ERR_OK)
            store_integration_free(&it);
    }
    if (rc == ERR_OK)
        rc = store_sync_enqueue(store, id, type, 0, &run, &already);
    jobs_worker_name(worker, sizeof(worker));
    if (rc == ERR_OK) {
        int64_t now = isotime_now_ms();
        rc = store_sync_claim_run(store, run.id, worker, now, now + cfg.sync_lease * 1000, &run);
        if (rc == ERR_CONFLICT)
            fprintf(stderr, "hrbridge sync: a sync of %s is already running (run %s)\n", id,
                    run.id);
    }
    if (rc == ERR_OK) {
        memset(&env, 0, sizeof(env));
        env.store = store;
        env.master = &master;
        env.worker = worker;
        env.lease_ms = cfg.sync_lease * 1000;
        env.connections = (int)cfg.sync_connections;
        env.stopping = &sync_interrupted;
        env.applied = render_docs;
        env.applied_ud = store;
        if (isatty(STDERR_FILENO)) {
            env.progress = print_progress;
            env.progress_ud = (void *)id;
        }
        rc = engine_run(&env, &run, &e);
        if (env.progress)
            fputc('\n', stderr);
        if (rc == ERR_OK)
            printf("sync %s of %s succeeded: %lld fetched, %lld created, %lld updated, %lld "
                   "deleted\n",
                   run.id, id, (long long)run.fetched, (long long)run.created,
                   (long long)run.updated, (long long)run.deleted);
        else if (sync_interrupted)
            fprintf(stderr, "hrbridge sync: interrupted; sync %s of %s is back in the queue\n",
                    run.id, id);
        else
            fprintf(stderr, "hrbridge sync: sync %s of %s failed: %s\n", run.id, id, e.msg);
        store_sync_run_free(&run);
    }
    store_close(store);
    sodium_memzero(&master, sizeof(master));
    return rc == ERR_OK ? 0 : 1;
}

static int cmd_migrate(int argc, char **argv)
{
    struct config cfg;
    struct store *store = NULL;
    struct err e;
    int applied = 0, version = 0, rc;

    if (wants_help(argc, argv)) {
        command_help("migrate [--db URL]", "Creates or upgrades the database schema.",
                     CFG_SCOPE_ALL & ~(unsigned)(CFG_SCOPE_SERVE | CFG_SCOPE_KEYS));
        return 0;
    }
    if (load_config(&cfg, &argc, argv, NULL) != 0)
        return 2;
    err_init(&e);
    if (store_open(cfg.db_url, 1, &store, &e) != ERR_OK) {
        fprintf(stderr, "hrbridge: %s\n", e.msg);
        return 1;
    }
    rc = store_migrate(store, &applied, &version);
    store_close(store);
    if (rc != ERR_OK) {
        fprintf(stderr, "hrbridge: migration failed (%s)\n", err_name(rc));
        return 1;
    }
    printf("schema version %d (%d migration%s applied)\n", version, applied,
           applied == 1 ? "" : "s");
    return 0;
}

static void print_copied(void *ud, const char *table, int64_t rows)
{
    (void)ud;
    printf("%-26s %lld rows\n", table, (long long)rows);
}

static int cmd_copy(int argc, char **argv)
{
    static const char *const pass[] = {"--to", NULL};
    struct config cfg;
    struct store *from = NULL, *to = NULL;
    const char *to_url = NULL;
    struct err e;
    int rc;

    if (wants_help(argc, argv)) {
        command_help("copy [--db URL] --to URL",
                     "Copies everything in the database --db into the empty database --to\n"
                     "(e.g. from SQLite to PostgreSQL), keeping every id. Stop servers and\n"
                     "workers first; run them on --to afterwards with the same master key.",
                     CFG_SCOPE_ALL & ~(unsigned)(CFG_SCOPE_SERVE | CFG_SCOPE_KEYS));
        return 0;
    }
    if (load_config(&cfg, &argc, argv, pass) != 0)
        return 2;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--to") == 0 && i + 1 < argc && !to_url) {
            to_url = argv[++i];
        } else {
            fprintf(stderr, "hrbridge copy: unexpected argument %s\n", argv[i]);
            return 2;
        }
    }
    if (!to_url) {
        fprintf(stderr, "usage: hrbridge copy [--db URL] --to URL\n");
        return 2;
    }
    if (open_store(&cfg, 1, 0, &from) != 0)
        return 1;
    snprintf(cfg.db_url, sizeof(cfg.db_url), "%s", to_url);
    if (open_store(&cfg, 1, 0, &to) != 0) {
        store_close(from);
        return 1;
    }
    err_init(&e);
    rc = store_copy(from, to, print_copied, NULL, &e);
    if (rc != ERR_OK)
        fprintf(stderr, "hrbridge copy: %s; nothing was copied\n", e.msg);
    store_close(to);
    store_close(from);
    return rc == ERR_OK ? 0 : 1;
}

static int cmd_keys(int argc, char **argv)
{
    struct config cfg;
    struct store *store = NULL;
    char key[SECRET_APIKEY_MAX], hash[SECRET_HASH_HEX], env[IDS_LEN + 1];
    int rc;

    if (argc < 2 || strcmp(argv[1], "create") != 0 || wants_help(argc, argv)) {
        command_help(
            "keys create [--db URL] [--environment NAME]",
            "Creates an API key for an environment (created when new) and prints only "
            "the key.\nThe key is stored only as a hash: keep it, it cannot be shown again.",
            CFG_SCOPE_KEYS | (CFG_SCOPE_ALL & ~(unsigned)CFG_SCOPE_SERVE));
        return wants_help(argc, argv) ? 0 : 2;
    }
    argv++;
    argc--;
    if (load_config(&cfg, &argc, argv, NULL) != 0)
        return 2;
    if (argc > 1) {
        fprintf(stderr, "hrbridge keys create: unexpected argument %s\n", argv[1]);
        return 2;
    }
    if (open_store(&cfg, 1, 0, &store) != 0)
        return 1;
    rc = store_environment_ensure(store, cfg.environment, env);
    if (rc == ERR_OK) {
        secret_apikey_new(key);
        secret_apikey_hash(key, strlen(key), hash);
        rc = store_apikey_insert(store, env, hash);
    }
    store_close(store);
    if (rc != ERR_OK) {
        fprintf(stderr, "hrbridge: creating the key failed (%s)\n", err_name(rc));
        return 1;
    }
    printf("%s\n", key);
    sodium_memzero(key, sizeof(key));
    return 0;
}

/* ---- demo ------------------------------------------------------------------- */

/* Starts hrsim (beside this program) on listen; returns its pid or -1. */
static pid_t start_hrsim(const char *listen)
{
    char self[4096], sim[4200];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;
    pid_t pid;

    if (n <= 0)
        return -1;
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(sim, sizeof(sim), "%s/hrsim", self);
    if (access(sim, X_OK) != 0) {
        fprintf(stderr, "hrbridge demo: %s not found; build it with make\n", sim);
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none); /* the parent blocks them for sigwait; hrsim needs them */
        sigprocmask(SIG_SETMASK, &none, NULL);
        execl(sim, "hrsim", "--listen", listen, "--employees", "50", "--seed", "1", (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Creates the demo's key and its Personio integration pointing at hrsim. */
static int demo_setup(struct app *app, const char *sim_url, char key[SECRET_APIKEY_MAX],
                      char id[STORE_INTEGRATION_ID_MAX])
{
    struct store_integration it;
    char env[IDS_LEN + 1], hash[SECRET_HASH_HEX], rid[IDS_LEN + 1], name[64];
    const char *scope = NULL;
    char *creds = NULL;
    json_t *body;
    struct err e;
    int rc;

    memset(&it, 0, sizeof(it));
    err_init(&e);
    body = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s}", "tool", "personio", "end_user",
                     "organization_name", "Demo GmbH", "origin_id", "demo-1", "credentials",
                     "client_id", "sim-client", "client_secret", "sim-secret", "base_url", sim_url);
    rc = store_environment_ensure(app->store, "demo", env);
    if (rc == ERR_OK) {
        secret_apikey_new(key);
        secret_apikey_hash(key, strlen(key), hash);
        rc = store_apikey_insert(app->store, env, hash);
    }
    if (rc == ERR_OK)
        rc = integrations_parse_create(body, &it, &creds, &scope, &e);
    if (rc == ERR_OK)
        rc = store_scope_config_default(app->store, env, it.scope_config_id, name, sizeof(name));
    if (rc == ERR_OK) {
        ids_random(rid);
        snprintf(it.id, sizeof(it.id), "personio:%s", rid);
        snprintf(it.environment_id, sizeof(it.environment_id), "%s", env);
        it.enabled = 1;
        it.setup_status = SETUP_FINAL_SYNC_PENDING;
        it.created_at = isotime_now_ms();
        it.credentials =
            secret_seal(&app->master, it.id, creds, strlen(creds), &it.credentials_len);
        rc = store_integration_insert(app->store, &it);
        snprintf(id, STORE_INTEGRATION_ID_MAX, "%s", it.id);
    }
    secret_free_text(creds);
    store_integration_free(&it);
    json_decref(body);
    return rc;
}

/* Remembers the first custom field, the one the demo suggests selecting. */
static void first_custom_field(void *ud, const struct store_field *f)
{
    char *id = ud;
    if (!id[0] && strcmp(f->type, "CUSTOM") == 0)
        snprintf(id, IDS_LEN + 1, "%s", f->id);
}

static int cmd_demo(int argc, char **argv)
{
    static struct app app;
    static struct config cfg;
    struct server *srv = NULL;
    char key[SECRET_APIKEY_MAX], id[STORE_INTEGRATION_ID_MAX], sim_listen[64], sim_url[128];
    char path[CONFIG_STR_MAX + 8], field[IDS_LEN + 1] = "";
    const char *colon;
    int64_t synced = 0;
    sigset_t set;
    struct err e;
    int sig = 0, port;
    pid_t sim;

    if (wants_help(argc, argv)) {
        command_help("demo [--listen HOST:PORT]",
                     "Starts hrsim beside this program (on the next port) and the server on a\n"
                     "fresh database in ./hrbridge-demo/, with an API key and a Personio\n"
                     "integration that syncs from hrsim, then prints curl lines to try.",
                     CFG_SCOPE_SERVE);
        return 0;
    }
    if (load_config(&cfg, &argc, argv, NULL) != 0)
        return 2;
    colon = strrchr(cfg.listen, ':');
    port = colon ? (int)strtol(colon + 1, NULL, 10) : 0;
    if (port <= 0 || port >= 65535) {
        fprintf(stderr, "hrbridge demo: --listen needs a fixed port\n");
        return 2;
    }
    snprintf(sim_listen, sizeof(sim_listen), "127.0.0.1:%d", port + 1);
    snprintf(sim_url, sizeof(sim_url), "http://%s/personio", sim_listen);
    if (mkdir("hrbridge-demo", 0700) != 0 && errno != EEXIST) {
        perror("hrbridge demo: mkdir hrbridge-demo");
        return 1;
    }
    unlink("hrbridge-demo/hrbridge.db");
    unlink("hrbridge-demo/hrbridge.db-wal");
    unlink("hrbridge-demo/hrbridge.db-shm");
    snprintf(cfg.db_url, sizeof(cfg.db_url), "sqlite:hrbridge-demo/hrbridge.db");
    block_signals(&set);
    sim = start_hrsim(sim_listen);
    if (sim < 0)
        return 1;
    app.cfg = &cfg;
    app.fields_pages = bytecache_new(APP_FIELDS_PAGES, APP_FIELDS_PAGE_BYTES);
    snprintf(app.public_url, sizeof(app.public_url), "http://%s", cfg.listen);
    err_init(&e);
    if (open_store(&cfg, 8, (int64_t)cfg.db_mmap_mb << 20, &app.store) != 0 ||
        load_master_key(&cfg, &app.master, 1) != 0 ||
        demo_setup(&app, sim_url, key, id) != ERR_OK || server_start(&app, &srv, &e) != ERR_OK ||
        start_worker(&cfg, app.store, &app.master, &app.jobs) != 0) {
        fprintf(stderr, "hrbridge demo: could not start%s%s\n", e.msg[0] ? ": " : "", e.msg);
        kill(sim, SIGTERM);
        return 1;
    }
    /* The new integration syncs at once; wait for it (30 s at most). */
    for (int i = 0; i < 300 && store_sync_last_success(app.store, id, &synced) != ERR_OK; i++)
        usleep(100000);
    store_fields_list(app.store, id, NULL, 2000, first_custom_field, field);
    config_master_key_path(&cfg, path, sizeof(path));
    printf("\nhrbridge demo: API on http://%s, simulated HR systems on http://%s\n"
           "database hrbridge-demo/hrbridge.db, master key %s; first sync %s\n\n",
           cfg.listen, sim_listen, path, synced ? "done" : "still running");
    printf("  KEY=%s\n  ID=%s\n  H=\"Authorization: Bearer $KEY\"\n\n", key, id);
    printf("  curl -s http://%s/v1/check-api-key -H \"$H\"\n", cfg.listen);
    printf("  curl -s \"http://%s/v1/hris/employees?page_size=2\" -H \"$H\" "
           "-H \"X-Integration-Id: $ID\"\n",
           cfg.listen);
    printf("  curl -s \"http://%s/v1/integrations/$ID/integration-fields?page_size=5\" -H \"$H\"\n",
           cfg.listen);
    printf("\nSelect a custom field for passthrough (a sync runs at once), then see it on every "
           "employee:\n");
    printf("  curl -s -X PATCH http://%s/v1/integrations/$ID/integration-fields/%s -H \"$H\" "
           "-d '{\"enable_passthrough\":true}'\n",
           cfg.listen, field);
    printf("  curl -s http://%s/v1/integrations/$ID/syncs -H \"$H\"\n", cfg.listen);
    printf("  curl -s \"http://%s/v1/hris/employees?page_size=2\" -H \"$H\" "
           "-H \"X-Integration-Id: $ID\"\n\nPress Ctrl-C to stop.\n",
           cfg.listen);
    fflush(stdout);
    sigwait(&set, &sig);
    server_drain(srv, shutdown_deadline(&cfg, sig));
    server_stop(srv);
    jobs_stop(app.jobs, -1);
    store_close(app.store);
    bytecache_free(app.fields_pages);
    kill(sim, SIGTERM);
    waitpid(sim, NULL, 0);
    sodium_memzero(&app.master, sizeof(app.master));
    sodium_memzero(key, sizeof(key));
    return 0;
}

static int cmd_config(int argc, char **argv)
{
    struct config cfg;

    if (argc < 2 || strcmp(argv[1], "show") != 0 || wants_help(argc, argv)) {
        command_help("config show [options]", "Prints the effective configuration.", CFG_SCOPE_ALL);
        return wants_help(argc, argv) ? 0 : 2;
    }
    argv++;
    argc--;
    if (load_config(&cfg, &argc, argv, NULL) != 0)
        return 2;
    config_print(stdout, &cfg);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (secret_init() != ERR_OK) {
        fprintf(stderr, "hrbridge: libsodium failed to initialise\n");
        return 1;
    }
    jsonarena_install();
    if (!cmd || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(cmd ? stdout : stderr);
        return cmd ? 0 : 2;
    }
    argv++;
    argc--;
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc, argv);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate(argc, argv);
    if (strcmp(cmd, "worker") == 0)
        return cmd_worker(argc, argv);
    if (strcmp(cmd, "sync") == 0)
        return cmd_sync(argc, argv);
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(argc, argv);
    if (strcmp(cmd, "keys") == 0)
        return cmd_keys(argc, argv);
    if (strcmp(cmd, "copy") == 0)
        return cmd_copy(argc, argv);
    if (strcmp(cmd, "config") == 0)
        return cmd_config(argc, argv);
    fprintf(stderr, "hrbridge: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return 2;
}
