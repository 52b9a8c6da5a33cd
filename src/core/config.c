/* config — table-driven settings: defaults, file, environment, flags. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum cfg_type { CFG_STR, CFG_INT, CFG_BOOL };

#define CFG_SECRET 1 /* redacted by config_print */

struct cfg_entry {
    const char *key;
    const char *env;
    const char *flag; /* NULL: not settable on the command line */
    const char *def;
    long min, max;
    enum cfg_type type;
    size_t offset;
    size_t size; /* for CFG_STR */
    unsigned flags;
    unsigned scope;
    const char *help;
};

#define STR(field)       CFG_STR, offsetof(struct config, field), sizeof(((struct config *)0)->field)
#define NUM(type, field) type, offsetof(struct config, field), 0

static const struct cfg_entry table[] = {
    {"db.url", "HRBRIDGE_DB", "--db", "sqlite:hrbridge.db", 0, 0, STR(db_url), 0, CFG_SCOPE_ALL,
     "database: sqlite:PATH or postgresql://..."},
    {"db.mmap_mb", "HRBRIDGE_DB_MMAP_MB", NULL, "1024", 0, 1 << 20, NUM(CFG_INT, db_mmap_mb), 0,
     CFG_SCOPE_SERVE,
     "MiB of a SQLite database serve reads through a memory map (0: none); mapped pages count "
     "towards its RSS"},
    {"http.listen", "HRBRIDGE_LISTEN", "--listen", "127.0.0.1:8080", 0, 0, STR(listen), 0,
     CFG_SCOPE_SERVE, "address the API listens on (HOST:PORT)"},
    {"http.public_url", "HRBRIDGE_PUBLIC_URL", NULL, "", 0, 0, STR(public_url), 0, CFG_SCOPE_SERVE,
     "URL clients reach the server at (default http://LISTEN)"},
    {"http.threads", "HRBRIDGE_HTTP_THREADS", NULL, "0", 0, 256, NUM(CFG_INT, http_threads), 0,
     CFG_SCOPE_SERVE, "HTTP worker threads (0: one per core)"},
    {"http.max_body", "HRBRIDGE_HTTP_MAX_BODY", NULL, "1048576", 1024, 64 << 20,
     NUM(CFG_INT, http_max_body), 0, CFG_SCOPE_SERVE, "largest request body in bytes"},
    {"http.max_connections", "HRBRIDGE_HTTP_MAX_CONNECTIONS", NULL, "1024", 1, 65536,
     NUM(CFG_INT, http_max_connections), 0, CFG_SCOPE_SERVE, "concurrent connections"},
    {"http.max_connections_per_ip", "HRBRIDGE_HTTP_MAX_CONNECTIONS_PER_IP", NULL, "0", 0, 65536,
     NUM(CFG_INT, http_max_connections_per_ip), 0, CFG_SCOPE_SERVE,
     "concurrent connections from one IP address (0: no limit of its own)"},
    {"http.max_header_size", "HRBRIDGE_HTTP_MAX_HEADER_SIZE", NULL, "16384", 1024, 1 << 20,
     NUM(CFG_INT, http_max_header_size), 0, CFG_SCOPE_SERVE,
     "bytes of request headers, all together"},
    {"http.max_url_length", "HRBRIDGE_HTTP_MAX_URL_LENGTH", NULL, "8192", 256, 1 << 20,
     NUM(CFG_INT, http_max_url_length), 0, CFG_SCOPE_SERVE, "bytes of the request URL"},
    {"http.max_query_params", "HRBRIDGE_HTTP_MAX_QUERY_PARAMS", NULL, "64", 1, 1024,
     NUM(CFG_INT, http_max_query_params), 0, CFG_SCOPE_SERVE, "query parameters per request"},
    {"http.max_filter_values", "HRBRIDGE_HTTP_MAX_FILTER_VALUES", NULL, "250", 1, 10000,
     NUM(CFG_INT, http_max_filter_values), 0, CFG_SCOPE_SERVE,
     "values in one list filter (ids=a,b,...)"},
    {"http.idle_timeout", "HRBRIDGE_HTTP_IDLE_TIMEOUT", NULL, "30", 1, 3600,
     NUM(CFG_INT, http_idle_timeout), 0, CFG_SCOPE_SERVE,
     "seconds a connection may stay silent before it is closed"},
    {"http.request_timeout", "HRBRIDGE_HTTP_REQUEST_TIMEOUT", NULL, "30", 1, 3600,
     NUM(CFG_INT, http_request_timeout), 0, CFG_SCOPE_SERVE,
     "seconds a client has to send a whole request (slow clients are dropped)"},
    {"http.rate_limit", "HRBRIDGE_HTTP_RATE_LIMIT", NULL, "1000", 0, 1000000,
     NUM(CFG_INT, http_rate_limit), 0, CFG_SCOPE_SERVE,
     "requests per second per API key, in this process (0: no limit)"},
    {"http.rate_burst", "HRBRIDGE_HTTP_RATE_BURST", NULL, "2000", 1, 1000000,
     NUM(CFG_INT, http_rate_burst), 0, CFG_SCOPE_SERVE,
     "requests one API key may make at once before the rate applies"},
    {"secret.master_key", "HRBRIDGE_MASTER_KEY", NULL, "", 0, 0, STR(master_key), CFG_SECRET,
     CFG_SCOPE_ALL, "64 hex characters encrypting stored credentials"},
    {"secret.master_key_file", "HRBRIDGE_MASTER_KEY_FILE", NULL, "", 0, 0, STR(master_key_file), 0,
     CFG_SCOPE_ALL, "file holding the master key (default: beside the SQLite database)"},
    {"keys.environment", "HRBRIDGE_ENVIRONMENT", "--environment", "default", 0, 0, STR(environment),
     0, CFG_SCOPE_KEYS, "environment the new key belongs to"},
    {"log.level", "HRBRIDGE_LOG_LEVEL", "--log-level", "info", 0, 0, STR(log_level), 0,
     CFG_SCOPE_ALL, "error, warn, info or debug"},
    {"log.trace", "HRBRIDGE_LOG_TRACE", NULL, "", 0, 0, STR(log_trace), 0, CFG_SCOPE_ALL,
     "components logged at debug level, e.g. http,store"},
    {"serve.no_worker", "HRBRIDGE_NO_WORKER", "--no-worker", "false", 0, 1,
     NUM(CFG_BOOL, no_worker), 0, CFG_SCOPE_SERVE, "do not run the in-process sync worker"},
    {"sync.full_interval", "HRBRIDGE_SYNC_FULL_INTERVAL", NULL, "10800", 0, 31 * 86400,
     NUM(CFG_INT, sync_full_interval), 0, CFG_SCOPE_SERVE,
     "seconds between scheduled FULL syncs (0: never)"},
    {"sync.delta_interval", "HRBRIDGE_SYNC_DELTA_INTERVAL", NULL, "900", 0, 31 * 86400,
     NUM(CFG_INT, sync_delta_interval), 0, CFG_SCOPE_SERVE,
     "seconds between scheduled DELTA syncs (0: never)"},
    {"sync.lease", "HRBRIDGE_SYNC_LEASE", NULL, "60", 2, 3600, NUM(CFG_INT, sync_lease), 0,
     CFG_SCOPE_ALL & ~(unsigned)CFG_SCOPE_KEYS,
     "seconds before another worker takes over a run whose worker stopped answering"},
    {"sync.connections", "HRBRIDGE_SYNC_CONNECTIONS", NULL, "4", 1, 16,
     NUM(CFG_INT, sync_connections), 0, CFG_SCOPE_ALL & ~(unsigned)CFG_SCOPE_KEYS,
     "requests a sync has in flight to the remote at most (1: one at a time)"},
    {"shutdown.grace", "HRBRIDGE_SHUTDOWN_GRACE", NULL, "10", 0, 3600, NUM(CFG_INT, shutdown_grace),
     0, CFG_SCOPE_ALL & ~(unsigned)CFG_SCOPE_KEYS,
     "seconds SIGTERM waits for requests in flight and a running sync to stop"},
};

#define NENTRIES (sizeof(table) / sizeof(table[0]))

static int set_value(struct config *c, const struct cfg_entry *t, const char *v, const char *from,
                     struct err *e)
{
    char *p = (char *)c + t->offset;

    if (t->type == CFG_STR) {
        if (strlen(v) >= t->size)
            return err_set(e, ERR_INVALID, "%s (%s): value longer than %zu bytes", t->key, from,
                           t->size - 1);
        memcpy(p, v, strlen(v) + 1);
        return ERR_OK;
    }
    if (t->type == CFG_BOOL) {
        long b;
        if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0)
            b = 1;
        else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "no") == 0)
            b = 0;
        else
            return err_set(e, ERR_INVALID, "%s (%s): expected true or false", t->key, from);
        memcpy(p, &b, sizeof(b));
        return ERR_OK;
    }
    {
        char *end = NULL;
        long n;
        errno = 0;
        n = strtol(v, &end, 10);
        if (errno || end == v || *end != '\0')
            return err_set(e, ERR_INVALID, "%s (%s): expected an integer", t->key, from);
        if (n < t->min || n > t->max)
            return err_set(e, ERR_INVALID, "%s (%s): %ld is outside %ld..%ld", t->key, from, n,
                           t->min, t->max);
        memcpy(p, &n, sizeof(n));
    }
    return ERR_OK;
}

static const struct cfg_entry *find_key(const char *key)
{
    for (size_t i = 0; i < NENTRIES; i++) {
        if (strcmp(table[i].key, key) == 0)
            return &table[i];
    }
    return NULL;
}

static char *trim(char *s)
{
    char *end;

    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

static int load_file(struct config *c, const char *path, struct err *e)
{
    char line[CONFIG_STR_MAX + 128];
    int lineno = 0, rc = ERR_OK;
    FILE *f = fopen(path, "r");

    if (!f)
        return err_set(e, ERR_INVALID, "config file %s: %s", path, strerror(errno));
    while (rc == ERR_OK && fgets(line, sizeof(line), f)) {
        char *s = trim(line), *eq, *key;
        const struct cfg_entry *t;
        char from[64];

        lineno++;
        if (*s == '\0' || *s == '#')
            continue;
        eq = strchr(s, '=');
        if (!eq) {
            rc = err_set(e, ERR_INVALID, "config file %s:%d: expected key = value", path, lineno);
            break;
        }
        *eq = '\0';
        key = trim(s);
        t = find_key(key);
        if (!t) {
            rc = err_set(e, ERR_INVALID, "config file %s:%d: unknown key %s", path, lineno, key);
            break;
        }
        snprintf(from, sizeof(from), "config file line %d", lineno);
        rc = set_value(c, t, trim(eq + 1), from, e);
    }
    fclose(f);
    return rc;
}

static int is_passthrough(const char *arg, const char *const passthrough[])
{
    for (size_t i = 0; passthrough && passthrough[i]; i++) {
        if (strcmp(arg, passthrough[i]) == 0)
            return 1;
    }
    return 0;
}

static int validate(struct config *c, struct err *e)
{
    if (strncmp(c->db_url, "sqlite:", 7) != 0 && strncmp(c->db_url, "postgresql://", 13) != 0 &&
        strncmp(c->db_url, "postgres://", 11) != 0)
        return err_set(e, ERR_INVALID, "db.url: expected sqlite:PATH or postgresql://...");
    if (!strrchr(c->listen, ':'))
        return err_set(e, ERR_INVALID, "http.listen: expected HOST:PORT");
    if (strcmp(c->log_level, "error") && strcmp(c->log_level, "warn") &&
        strcmp(c->log_level, "info") && strcmp(c->log_level, "debug"))
        return err_set(e, ERR_INVALID, "log.level: expected error, warn, info or debug");
    if (c->master_key[0] && strlen(c->master_key) != 64)
        return err_set(e, ERR_INVALID, "secret.master_key: expected 64 hex characters");
    if (!c->environment[0])
        return err_set(e, ERR_INVALID, "keys.environment: must not be empty");
    return ERR_OK;
}

int config_load(struct config *c, int *argc, char **argv, const char *const passthrough[],
                struct err *e)
{
    const char *file = getenv("HRBRIDGE_CONFIG");
    int i, out, rc;

    memset(c, 0, sizeof(*c));
    for (size_t k = 0; k < NENTRIES; k++) {
        rc = set_value(c, &table[k], table[k].def, "default", e);
        if (rc != ERR_OK)
            return rc;
    }
    for (i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < *argc)
            file = argv[i + 1];
    }
    if (file && *file) {
        rc = load_file(c, file, e);
        if (rc != ERR_OK)
            return rc;
    }
    for (size_t k = 0; k < NENTRIES; k++) {
        const char *v = getenv(table[k].env);
        if (v) {
            rc = set_value(c, &table[k], v, table[k].env, e);
            if (rc != ERR_OK)
                return rc;
        }
    }
    /* Flags: consume the ones we know, keep positional arguments in order. */
    for (i = 1, out = 1; i < *argc; i++) {
        const char *arg = argv[i];
        const struct cfg_entry *t = NULL;

        if (strcmp(arg, "--config") == 0) {
            i++;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0 || is_passthrough(arg, passthrough)) {
            argv[out++] = argv[i];
            continue;
        }
        for (size_t k = 0; k < NENTRIES; k++) {
            if (table[k].flag && strcmp(table[k].flag, arg) == 0)
                t = &table[k];
        }
        if (!t)
            return err_set(e, ERR_INVALID, "unknown option %s", arg);
        if (t->type == CFG_BOOL) {
            rc = set_value(c, t, "true", arg, e);
        } else {
            if (i + 1 >= *argc)
                return err_set(e, ERR_INVALID, "%s needs a value", arg);
            rc = set_value(c, t, argv[++i], arg, e);
        }
        if (rc != ERR_OK)
            return rc;
    }
    *argc = out;
    argv[out] = NULL;
    return validate(c, e);
}

void config_print_help(FILE *f, unsigned scope)
{
    for (size_t k = 0; k < NENTRIES; k++) {
        const struct cfg_entry *t = &table[k];
        char left[64];

        if (!(t->scope & scope))
            continue;
        if (t->flag)
            snprintf(left, sizeof(left), "%s%s", t->flag, t->type == CFG_BOOL ? "" : " VALUE");
        else
            snprintf(left, sizeof(left), "%s", t->key);
        fprintf(f, "  %-22s %s (%s)%s%s%s\n", left, t->help, t->env, t->def[0] ? " [" : "", t->def,
                t->def[0] ? "]" : "");
    }
    fprintf(f, "  %-22s %s\n", "--config FILE", "settings file of \"key = value\" lines");
}

void config_print(FILE *f, const struct config *c)
{
    for (size_t k = 0; k < NENTRIES; k++) {
        const struct cfg_entry *t = &table[k];
        const char *p = (const char *)c + t->offset;
        long n;

        if (t->type == CFG_STR) {
            fprintf(f, "%s = %s\n", t->key, (t->flags & CFG_SECRET) && *p ? "(redacted)" : p);
        } else {
            memcpy(&n, p, sizeof(n));
            if (t->type == CFG_BOOL)
                fprintf(f, "%s = %s\n", t->key, n ? "true" : "false");
            else
                fprintf(f, "%s = %ld\n", t->key, n);
        }
    }
}

void config_master_key_path(const struct config *c, char *out, size_t outlen)
{
    if (c->master_key_file[0])
        snprintf(out, outlen, "%s", c->master_key_file);
    else if (strncmp(c->db_url, "sqlite:", 7) == 0)
        snprintf(out, outlen, "%s.key", c->db_url + 7);
    else
        snprintf(out, outlen, "hrbridge.key");
}
