/*
 * store — the one interface the rest of hrbridge uses to keep and read its
 * data, whatever database sits behind it (SQLite file or PostgreSQL). A
 * struct store is thread-safe: it holds a pool of connections and each call
 * borrows one. Every call returns ERR_OK, ERR_NOT_FOUND (nothing matched),
 * ERR_CONFLICT (a unique key is taken) or ERR_STORE (the database failed;
 * details are logged, never returned). Times are ms since the epoch.
 *
 * Tenancy: every lookup of an integration takes the caller's environment
 * id, and an integration of another environment is simply not found.
 */
#ifndef HB_STORE_STORE_H
#define HB_STORE_STORE_H

#include "core/err.h"
#include "core/ids.h"

#include <stddef.h>
#include <stdint.h>

struct store;

#define STORE_INTEGRATION_ID_MAX 64
#define STORE_TOOL_MAX           32

/* Opens the database at url ("sqlite:PATH" or "postgresql://..."), with up
 * to pool_size connections. Does not migrate. Returns ERR_OK and *out, or
 * ERR_INVALID / ERR_STORE with e saying why. */
int store_open(const char *url, int pool_size, struct store **out, struct err *e);

/* Closes every connection. Accepts NULL. */
void store_close(struct store *s);

/* Name of the backend: "sqlite" or "postgresql". */
const char *store_backend(const struct store *s);

/* Applies the migrations not applied yet, in order, each in its own
 * transaction. *applied (may be NULL) gets how many ran, *version (may be
 * NULL) the schema version afterwards. */
int store_migrate(struct store *s, int *applied, int *version);

/* ---- environments and API keys ---------------------------------------- */

/* Finds the environment called name, creating it (with its default scope
 * config) when missing. Writes its id into env_id. */
int store_environment_ensure(struct store *s, const char *name, char env_id[IDS_LEN + 1]);

/* Records an API key, by its hash only, for an environment. */
int store_apikey_insert(struct store *s, const char *env_id, const char *key_hash);

/* Finds the environment of a key hash. ERR_NOT_FOUND for an unknown key. */
int store_apikey_lookup(struct store *s, const char *key_hash, char env_id[IDS_LEN + 1]);

/* ---- scope configs ------------------------------------------------------ */

/* The default scope config of an environment: its id and name. */
int store_scope_config_default(struct store *s, const char *env_id, char id[IDS_LEN + 1],
                               char *name, size_t name_len);

/* Whether scope config id exists in env_id: ERR_OK or ERR_NOT_FOUND. */
int store_scope_config_check(struct store *s, const char *env_id, const char *id);

/* ---- integrations ------------------------------------------------------- */

enum store_setup_status { SETUP_INCOMPLETE, SETUP_FINAL_SYNC_PENDING, SETUP_COMPLETED };

struct store_integration {
    char id[STORE_INTEGRATION_ID_MAX];
    char environment_id[IDS_LEN + 1];
    char tool[STORE_TOOL_MAX];
    int enabled;
    int auth_invalid;
    int setup_status;           /* enum store_setup_status */
    char *organization_name;    /* owned */
    char *creator_email;        /* owned, may be NULL */
    char *origin_id;            /* owned, may be NULL */
    char *base_url;             /* owned */
    unsigned char *credentials; /* owned, sealed by core/secret */
    size_t credentials_len;
    char scope_config_id[IDS_LEN + 1];
    char *scope_config_name; /* owned, may be NULL; filled by get */
    int64_t data_expired_at; /* 0: null */
    int64_t created_at;
};

/* Frees the owned members (not the struct). Safe on a zeroed struct. */
void store_integration_free(struct store_integration *it);

/* Inserts a new integration. ERR_CONFLICT when the id exists. */
int store_integration_insert(struct store *s, const struct store_integration *it);

/* Reads an integration of env_id into *out (caller frees with
 * store_integration_free). ERR_NOT_FOUND when absent or of another env. */
int store_integration_get(struct store *s, const char *env_id, const char *id,
                          struct store_integration *out);

/* Deletes an integration and everything stored for it. */
int store_integration_delete(struct store *s, const char *env_id, const char *id);

/* Sets the enabled flag. */
int store_integration_set_enabled(struct store *s, const char *env_id, const char *id, int enabled);

#endif
