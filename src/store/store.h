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

/* Lets reads map up to bytes of a SQLite file instead of copying its pages
 * into a cache per connection (one shared copy; the mapped pages count
 * towards the process's RSS). No effect on PostgreSQL. Call before use. */
void store_map_reads(struct store *s, int64_t bytes);

/* Name of the backend: "sqlite" or "postgresql". */
const char *store_backend(const struct store *s);

/* Applies the migrations not applied yet, in order, each in its own
 * transaction. *applied (may be NULL) gets how many ran, *version (may be
 * NULL) the schema version afterwards. */
int store_migrate(struct store *s, int *applied, int *version);

/* Called after each table copied with the number of its rows. */
typedef void store_copy_fn(void *ud, const char *table, int64_t rows);

/* Copies everything from holds into to, which must be migrated to the same
 * schema version and hold no data yet (ERR_CONFLICT otherwise). Every id,
 * time and sealed credential is kept, so the same master key opens them.
 * Writers on from should be stopped first. All or nothing on to. */
int store_copy(struct store *from, struct store *to, store_copy_fn *progress, void *ud,
               struct err *e);

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

struct store_scope_config {
    char id[IDS_LEN + 1];
    char *name;   /* owned, may be NULL */
    char *config; /* owned: the JSON text of model/scope */
    int is_default;
    int64_t created_at;
};

void store_scope_config_free(struct store_scope_config *sc);

/* Creates a scope config of env_id; its id goes to id. */
int store_scope_config_create(struct store *s, const char *env_id, const char *name,
                              const char *config, char id[IDS_LEN + 1]);

/* Reads a scope config of env_id. ERR_NOT_FOUND when it is not there. */
int store_scope_config_get(struct store *s, const char *env_id, const char *id,
                           struct store_scope_config *out);

/* Calls fn for the scope configs of env_id ordered by id, after after_id
 * (NULL: from the start), at most limit. */
typedef void store_scope_config_fn(void *ud, const struct store_scope_config *sc);
int store_scope_configs_list(struct store *s, const char *env_id, const char *after_id, int limit,
                             store_scope_config_fn *fn, void *ud);

/* Replaces the name and config of a scope config of env_id and marks the
 * data of every integration using it expired at now (until its next
 * successful sync). ERR_NOT_FOUND when it is not there. */
int store_scope_config_update(struct store *s, const char *env_id, const char *id, const char *name,
                              const char *config, int64_t now);

/* Calls fn(ud, integration_id) for each integration using scope config id. */
typedef void store_id_fn(void *ud, const char *id);
int store_scope_config_integrations(struct store *s, const char *id, store_id_fn *fn, void *ud);

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
    char *scope_config;      /* owned: its JSON text (model/scope); filled by get */
    int64_t data_expired_at; /* 0: null */
    int64_t created_at;
    int64_t data_version; /* moves with every change of its records or fields; filled by get */
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

/* ---- sync runs, queue and schedule (syncs.c) ---------------------------- */

enum store_sync_type { SYNC_FULL, SYNC_DELTA };

#define STORE_STATE_MAX 12

struct store_sync_run {
    char id[IDS_LEN + 1];
    char integration_id[STORE_INTEGRATION_ID_MAX];
    int type;                                 /* enum store_sync_type */
    char state[STORE_STATE_MAX];              /* QUEUED, RUNNING, SUCCEEDED, FAILED */
    int64_t created_at, started_at, ended_at; /* 0: null */
    int64_t fetched, created, updated, deleted;
    char *error; /* owned, may be NULL */
};

/* Frees the owned members. Safe on a zeroed struct. */
void store_sync_run_free(struct store_sync_run *r);

/* "FULL" or "DELTA". */
const char *store_sync_type_name(int type);

/* Queues a sync of integration_id unless one is queued (then that one is
 * returned with *already set; a queued DELTA becomes the FULL asked for).
 * A running one also counts unless after_running is set: then a new run is
 * queued to follow it (for changes the running one cannot see). Fills
 * out->id and out->type. */
int store_sync_enqueue(struct store *s, const char *integration_id, int type, int after_running,
                       struct store_sync_run *out, int *already);

/* Claims the oldest queued run of an enabled integration, or a running one
 * whose lease expired, for worker until lease_until. A run taken over that
 * way is recorded as FAILED and a new run of its type (its id in *out) is
 * claimed instead. ERR_NOT_FOUND when there is none. Fills *out (free with
 * store_sync_run_free). */
int store_sync_claim(struct store *s, const char *worker, int64_t now, int64_t lease_until,
                     struct store_sync_run *out);

/* Claims one given run (queued, or running with an expired lease). ERR_CONFLICT
 * when another worker holds it; ERR_NOT_FOUND when it is over or unknown. */
int store_sync_claim_run(struct store *s, const char *run_id, const char *worker, int64_t now,
                         int64_t lease_until, struct store_sync_run *out);

/* Extends the lease of a run this worker holds. ERR_NOT_FOUND when the
 * lease was lost (another worker took the run over). */
int store_sync_heartbeat(struct store *s, const char *run_id, const char *worker,
                         int64_t lease_until);

/* Marks a held run FAILED with a readable reason, records its counts and
 * drops what it staged. */
int store_sync_fail(struct store *s, const struct store_sync_run *run, const char *worker,
                    const char *error);

/* Puts a held run back in the queue (the worker is stopping) and drops what
 * it staged, so another worker starts it afresh at once. When another run of
 * the integration is already queued, the held one is recorded as FAILED
 * instead and the queued one (made FULL if the held one was) takes its
 * place. A run the worker no longer holds is left alone (ERR_OK). */
int store_sync_release(struct store *s, const struct store_sync_run *run, const char *worker);

/* Calls fn for the runs of an integration of env_id, newest first, at most
 * limit. ERR_NOT_FOUND when the integration is not in env_id. */
typedef void store_sync_run_fn(void *ud, const struct store_sync_run *run);
int store_sync_list(struct store *s, const char *env_id, const char *integration_id, int limit,
                    store_sync_run_fn *fn, void *ud);

/* The start time of the integration's last successful sync (for DELTA).
 * ERR_NOT_FOUND when it never synced. */
int store_sync_last_success(struct store *s, const char *integration_id, int64_t *started_at);

/* Queues the syncs that are due at now: a FULL every full_s seconds and a
 * DELTA every delta_s (0: never), for enabled integrations whose credentials
 * are not invalid. A new integration is due at once. *queued gets how many
 * runs were queued. */
int store_schedule_due(struct store *s, int64_t now, long full_s, long delta_s, int *queued);

/* Records the outcome of authenticating to the remote: ok resets the count
 * of failures; the third failure in a row marks the integration INVALID. */
int store_integration_auth_result(struct store *s, const char *integration_id, int ok);

/* Reads an integration by id alone (for workers, which serve no tenant). */
int store_integration_get_any(struct store *s, const char *id, struct store_integration *out);

/* ---- integration fields (fields.c) -------------------------------------- */

struct store_field {
    char id[IDS_LEN + 1];
    char model[32];
    char type[8]; /* DEFAULT or CUSTOM */
    char *key;    /* owned */
    char *label;  /* owned, may be NULL */
    int passthrough;
    int mapped; /* a custom field is mapped onto it (store_fields_collected only) */
};

void store_field_free(struct store_field *f);

/* Calls fn for the fields of an integration ordered by id, starting after
 * after_id (NULL: from the start), at most limit. */
typedef void store_field_fn(void *ud, const struct store_field *f);
int store_fields_list(struct store *s, const char *integration_id, const char *after_id, int limit,
                      store_field_fn *fn, void *ud);

/* Reads one field of an integration. */
int store_field_get(struct store *s, const char *integration_id, const char *field_id,
                    struct store_field *out);

/* Switches passthrough; switching it off deletes the field's stored values
 * in the same transaction. */
int store_field_set_passthrough(struct store *s, const char *integration_id, const char *field_id,
                                int on);

/* Calls fn for the selected (passthrough) fields of a model, ordered by key. */
int store_fields_selected(struct store *s, const char *integration_id, const char *model,
                          store_field_fn *fn, void *ud);

/* The fields of a model whose values a sync collects: those selected for
 * passthrough and those a custom field is mapped onto (f->mapped). */
int store_fields_collected(struct store *s, const char *integration_id, const char *model,
                           store_field_fn *fn, void *ud);

/* ---- custom fields (custom_fields.c) ------------------------------------- */

#define STORE_CUSTOM_KEY_MAX 64

struct store_custom_field {
    char id[IDS_LEN + 1];
    char model[32];
    char *key;         /* owned */
    char *label;       /* owned, may be NULL */
    char *description; /* owned, may be NULL */
    /* Filled by store_custom_fields_list with an integration: */
    int mapped;
    struct store_field field; /* the integration field it is mapped onto */
};

void store_custom_field_free(struct store_custom_field *cf);

/* Creates a definition of env_id (its id goes to cf->id). ERR_CONFLICT when
 * the model already has the key. */
int store_custom_field_create(struct store *s, const char *env_id, struct store_custom_field *cf);

/* Reads a definition of env_id, with its mapping on integration_id (may be
 * NULL). ERR_NOT_FOUND when it is not there. */
int store_custom_field_get(struct store *s, const char *env_id, const char *integration_id,
                           const char *id, struct store_custom_field *out);

/* Deletes a definition of env_id with its mappings (values no longer needed
 * go with them). ERR_NOT_FOUND when it is not there. */
int store_custom_field_delete(struct store *s, const char *env_id, const char *id);

/* Calls fn for the definitions of env_id ordered by id, after after_id,
 * at most limit; with integration_id, each with its mapping there. */
typedef void store_custom_field_fn(void *ud, const struct store_custom_field *cf);
int store_custom_fields_list(struct store *s, const char *env_id, const char *integration_id,
                             const char *after_id, int limit, store_custom_field_fn *fn, void *ud);

/* Maps a definition onto an integration field of the integration (field_id
 * NULL unmaps). The field must be of the definition's model (ERR_INVALID);
 * ERR_NOT_FOUND when the field is not the integration's. */
int store_custom_field_map(struct store *s, const char *integration_id,
                           const struct store_custom_field *cf, const char *field_id);

/* Calls fn(ud, key, field_id) for each definition of model in the
 * integration's environment, ordered by key; field_id NULL when unmapped. */
typedef void store_custom_mapping_fn(void *ud, const char *key, const char *field_id);
int store_custom_fields_mapped(struct store *s, const char *integration_id, const char *model,
                               store_custom_mapping_fn *fn, void *ud);

/* ---- records: staging and applying a sync (records.c) ------------------- */

struct store_attr {
    const char *name;
    const char *value;
};

struct store_value {
    const char *field_id;
    const char *value; /* JSON text */
};

/* One record a sync found new or changed. All strings borrowed. */
struct store_staged {
    const char *id, *model, *remote_id;
    const char *body, *summary, *hash; /* summary "": the same as body */
    int is_new;
    const struct store_attr *attrs;
    int nattrs;
    const struct store_value *values;
    int nvalues;
};

/* Calls fn(ud, id, hash, deleted) for the records among ids (n of them)
 * that exist. */
typedef void store_state_fn(void *ud, const char *id, const char *hash, int deleted);
int store_records_state(struct store *s, const char *integration_id, const char *const ids[], int n,
                        store_state_fn *fn, void *ud);

/* A run's staging area: temporary tables on a connection the run holds
 * until store_stage_close, so staging writes neither the database's journal
 * nor its file and takes no lock other writers wait for, and nothing staged
 * outlives the run (nor the process, should it die). */
struct store_stage;

/* Takes a connection from the pool and makes its staging tables (empty).
 * Returns ERR_OK and *out, or the store's error. */
int store_stage_open(struct store *s, struct store_stage **out);

/* Drops what was staged and gives the connection back. Accepts NULL. */
void store_stage_close(struct store_stage *st);

/* Writes batch number batch (one remote page; numbered from 1 up) of new or
 * changed records in one transaction of the staging area. Each record is
 * staged once per run: the caller keeps to that (store_stage_take says
 * which records the run already took); nothing checks it here, so that
 * staging appends rows instead of keeping an index of them. */
int store_stage_write(struct store_stage *st, int batch, const struct store_staged *recs, int n);

/* The records a run has taken, kept in its staging area rather than in the
 * run's memory (which then stays the same however large the integration
 * is): for duplicates within the run and, at the end of a FULL run, for the
 * stored records it no longer returned. */

/* Takes ids (n of them, distinct) as delivered by known responses, whose
 * stored records stay; *added gets how many the run had not taken yet. */
int store_stage_keep(struct store_stage *st, const char *const ids[], int n, int64_t *added);

/* Takes ids (n of them, distinct) as mapped, and calls fn(ud, id, was_kept)
 * (fn may be NULL) for each one the run had not mapped yet (was_kept: a known response had
 * delivered it); the ids fn does not get are repeats within the run. */
typedef void store_taken_fn(void *ud, const char *id, int was_kept);
int store_stage_take(struct store_stage *st, const char *const ids[], int n, store_taken_fn *fn,
                     void *ud);

/* A field a sync discovered. */
struct store_field_def {
    const char *id, *model, *type, *key, *label;
};

/* Everything the final transaction of a sync needs. */
struct store_apply {
    const struct store_sync_run *run;
    const char *worker;
    int full;                  /* mark records the run did not take as deleted */
    const char *const *models; /* models this run synced, NULL-terminated */
    const struct store_field_def *fields;
    int nfields;
    const char *const *tombstones; /* ids the remote reported deleted */
    int ntombstones;
    const char *const *purged_models;  /* disabled by the scope: records dropped */
    const char *const *unfield_models; /* integration fields off: catalog dropped */
    /* Served docs (record_docs) that nest other records: the attributes
     * linking them to nested records, and the models of children pointing
     * at them by child_attr. The apply deletes the docs its changes touch. */
    const char *const *doc_links;
    const char *const *doc_children;
    const char *doc_child_attr;
    int64_t now;
    int64_t fetched;
    /* FULL: the data version store_pages_state gave when the run began; the
     * pages the run staged become the stored ones, valid if nothing else
     * was applied meanwhile. */
    int64_t pages_from;
    /* out */
    int64_t created, updated, deleted;
};

/* Applies what st staged in one transaction on its connection: upserts the
 * discovered fields, clears what changed records replace (batch by batch,
 * so its memory is that of one batch), moves staged records, attributes
 * and values into place sorted by key, marks records not taken (FULL) and
 * tombstoned ones deleted, marks the run SUCCEEDED and the integration set
 * up. ERR_NOT_FOUND when the worker lost the run's lease (nothing is
 * applied). The staging stays until store_stage_close. */
int store_sync_apply(struct store_stage *st, struct store_apply *a);

/* ---- pages: what each response of the last FULL sync delivered (pages.c) -- */

/* A remote response as a run saw it. */
struct store_page {
    const char *key;  /* the request */
    const char *hash; /* of its bytes and of everything else that shaped its records */
    const char *memo; /* what the connector left with it; may be NULL */
    const char *ids;  /* the ids of the records it delivered, IDS_LEN characters each */
    int known;        /* staged only: found unchanged, so its stored row stays */
};

/* Whether the stored pages of the integration describe its stored records
 * (*valid: the last apply was the FULL sync that wrote them, and no field's
 * values were dropped since), and its data version now (*version). */
int store_pages_state(struct store_stage *st, const char *integration_id, int *valid,
                      int64_t *version);

/* Calls fn(ud, page) with the page stored under key, if there is one. */
typedef void store_page_fn(void *ud, const struct store_page *p);
int store_page_get(struct store_stage *st, const char *integration_id, const char *key,
                   store_page_fn *fn, void *ud);

/* Stages pages a run saw (n of them; a key seen twice keeps the later). */
int store_stage_pages(struct store_stage *st, const struct store_page *pages, int n);

/* ---- records: reading what is served (reads.c) --------------------------- */

#define STORE_MAX_FILTERS 8

enum store_filter_op {
    FILTER_IN,       /* the attribute equals one of values */
    FILTER_CONTAINS, /* the attribute contains values[0] (stored lower-cased) */
    FILTER_GE,       /* the attribute is >= values[0] (ISO times compare as text) */
    FILTER_LE,       /* the attribute is <= values[0] */
};

/* A condition on a record's attribute; filters are ANDed. */
struct store_attr_filter {
    const char *name;
    const char *const *values;
    int n;
    int op;         /* enum store_filter_op */
    int or_missing; /* also match records without this attribute */
};

struct store_list_query {
    const char *integration_id;
    const char *model;
    const char *after_id; /* keyset position: NULL from the start */
    int limit;
    int64_t updated_after; /* 0: no filter */
    int include_deleted;
    const char *const *ids;
    int nids;
    const char *const *remote_ids;
    int nremote_ids;
    struct store_attr_filter filters[STORE_MAX_FILTERS];
    int nfilters;
    /* A stored field value (JSON text) to match: value_field_id's value is
     * value_json; with value_or_missing, records without a value (or with
     * null) match as well. value_none: nothing matches. */
    const char *value_field_id;
    const char *value_json;
    int value_or_missing;
    int value_none;
    /* For updated_after: attributes linking to nested records, and the
     * attribute by which child records point at this one (may be NULL). */
    const char *const *link_attrs;
    const char *child_attr;
    /* Rows come with their served doc (row.doc) when it was rendered with
     * fingerprint doc_fp; row.body is then NULL. */
    int with_docs;
    int64_t doc_fp;
};

/* One record as served. Borrowed for the duration of the callback. */
struct store_record_row {
    const char *id;
    const char *model;
    const char *remote_id;
    const char *body; /* see records.body */
    size_t body_len;
    int64_t changed_at;
    int64_t remote_deleted_at; /* 0: null */
    const char *doc;           /* with_docs: the record as served, or NULL */
    size_t doc_len;
};

typedef void store_record_fn(void *ud, const struct store_record_row *row);

/* Calls fn for the records matching q, ordered by id, at most q->limit. */
int store_records_list(struct store *s, const struct store_list_query *q, store_record_fn *fn,
                       void *ud);

/* Calls fn for every attribute of the records among ids. */
typedef void store_attr_fn(void *ud, const char *record_id, const char *name, const char *value);
int store_records_attrs(struct store *s, const char *integration_id, const char *const ids[], int n,
                        store_attr_fn *fn, void *ud);

/* Calls fn with the nested form (summary) of the records among ids; the
 * row's body holds the summary. */
int store_records_summaries(struct store *s, const char *integration_id, const char *const ids[],
                            int n, store_record_fn *fn, void *ud);

/* Calls fn(ud, parent, row) for records of model whose attribute attr holds
 * one of parent_ids, ordered by id; deleted ones only with include_deleted. */
typedef void store_child_fn(void *ud, const char *parent_id, const struct store_record_row *row);
int store_records_children(struct store *s, const char *integration_id, const char *model,
                           const char *attr, const char *const parent_ids[], int n,
                           int include_deleted, store_child_fn *fn, void *ud);

/* Calls fn for the stored values of selected fields of the records among ids. */
typedef void store_value_fn(void *ud, const char *record_id, const char *field_id,
                            const char *value, size_t len);
int store_field_values(struct store *s, const char *integration_id, const char *const ids[], int n,
                       store_value_fn *fn, void *ud);

/* ---- served docs (docs.c) ------------------------------------------------ */

/* How many syncs have been applied to the integration (integrations.data_version). */
int store_data_version(struct store *s, const char *integration_id, int64_t *version);

/* Calls fn for up to limit records of model, not deleted, ordered by id
 * after after_id, whose served doc is missing or has another fingerprint
 * than fp. */
int store_docs_stale(struct store *s, const char *integration_id, const char *model, int64_t fp,
                     const char *after_id, int limit, store_record_fn *fn, void *ud);

/* One rendered doc. */
struct store_doc {
    const char *id;
    const char *doc;
    size_t len;
};

/* Stores n docs rendered with fingerprint fp from the data of version, in
 * one transaction; ERR_CONFLICT (nothing stored) when a sync was applied
 * since version was read. */
int store_docs_put(struct store *s, const char *integration_id, int64_t version, int64_t fp,
                   const struct store_doc *docs, int n);

/* Records that every employee not deleted has a doc rendered with fp from
 * the data of version (a no-op when a sync was applied since). */
int store_docs_complete(struct store *s, const char *integration_id, int64_t version, int64_t fp);

/* When the docs of the integration are complete for fp and the current
 * data (one snapshot decides), calls fn for up to limit of them ordered by
 * id after after_id; *rows gets how many. No rows: the docs are not
 * complete, or nothing is left after after_id. */
typedef void store_doc_fn(void *ud, const char *id, const char *doc, size_t len);
int store_docs_page(struct store *s, const char *integration_id, int64_t fp, const char *after_id,
                    int limit, store_doc_fn *fn, void *ud, int *rows);

#endif
