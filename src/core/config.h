/*
 * config — the one table of settings. Each entry names a key ("db.url"), its
 * environment variable, command-line flag, type, default, bounds and place in
 * struct config. The same table drives parsing, validation, --help text and
 * `hrbridge config show`. Precedence, lowest to highest: defaults, config
 * file (--config FILE or $HRBRIDGE_CONFIG, lines "key = value"), environment,
 * command-line flags. After startup the config is read-only.
 */
#ifndef HB_CORE_CONFIG_H
#define HB_CORE_CONFIG_H

#include "core/err.h"

#include <stdio.h>

#define CONFIG_STR_MAX 1024

struct config {
    char db_url[CONFIG_STR_MAX];
    char listen[CONFIG_STR_MAX];
    char public_url[CONFIG_STR_MAX];
    char master_key[CONFIG_STR_MAX];
    char master_key_file[CONFIG_STR_MAX];
    char environment[CONFIG_STR_MAX];
    char log_level[32];
    char log_trace[128];
    long db_mmap_mb;
    long http_threads;
    long http_max_body;
    long http_max_connections;
    long http_max_connections_per_ip;
    long http_max_header_size;
    long http_max_url_length;
    long http_max_query_params;
    long http_max_filter_values;
    long http_idle_timeout;
    long http_request_timeout;
    long http_rate_limit;
    long http_rate_burst;
    long shutdown_grace;
    long no_worker;
    long sync_full_interval;
    long sync_delta_interval;
    long sync_lease;
    long sync_connections;
};

/* Command groups a setting belongs to, for --help. */
enum config_scope {
    CFG_SCOPE_ALL = 0xff,
    CFG_SCOPE_SERVE = 1,
    CFG_SCOPE_KEYS = 2,
};

/* Fills c with defaults, then the config file, the environment and argv.
 * Recognised flags are removed from argv (argc updated); unknown flags that
 * start with "--" are an error so typos do not pass silently, except those
 * listed in passthrough (NULL-terminated, may be NULL). Validates everything.
 * Returns ERR_OK, or ERR_INVALID with e naming the key and the reason. */
int config_load(struct config *c, int *argc, char **argv, const char *const passthrough[],
                struct err *e);

/* Prints "  --flag VALUE  (ENV)  help [default]" lines for the settings of scope. */
void config_print_help(FILE *f, unsigned scope);

/* Prints every setting as "key = value", secrets redacted. */
void config_print(FILE *f, const struct config *c);

/* The path of the master key file that goes with c (explicit setting, else
 * beside the SQLite database, else ./hrbridge.key). Written into out. */
void config_master_key_path(const struct config *c, char *out, size_t outlen);

#endif
