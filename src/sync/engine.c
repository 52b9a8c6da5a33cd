/* engine — one sync run: connector -> change detection -> staging -> apply. */
#include "sync/engine.h"

#include "connectors/connector.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/failpoint.h"
#include "core/ids.h"
#include "core/idset.h"
#include "core/isotime.h"
#include "core/jsonarena.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "model/models.h"
#include "model/scope.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FIELDS_PER_RUN 50000
#define MAX_BATCH          5000
#define MAX_TOMBSTONES     1000000
#define MAX_PENDING_PAGES  256
#define KEPT_FLUSH         1024 /* ids of known responses taken at once */
/* Part of every response's hash: raise it when what a response maps to
 * changes (the mapping, the stored forms), so that no response is skipped
 * for records stored by an older mapping. */
#define PAGES_FORMAT "hrbridge pages 1"

/* A record waiting for the end of its page, with owned copies of everything. */
struct pending {
    char id[IDS_LEN + 1];
    int model;
    char *remote_id, *body, *summary;
    char hash[33];
    struct store_attr *attrs;
    int nattrs;
    struct store_value *values;
    int nvalues;
};

struct selected {
    char id[IDS_LEN + 1];
    char *key;
};

/* A response the run saw, waiting to be staged with the next batch. */
struct pending_page {
    char *key, *memo, *ids; /* owned; memo may be NULL */
    char hash[33];
    int known;
};

/* FULL runs: which responses deliver what is stored already (pages.c). */
struct pages {
    int on;                /* responses are hashed and staged */
    int valid;             /* the stored pages describe the stored records */
    int64_t from;          /* the data version when the run began */
    unsigned char fp[32];  /* what else shapes every response's records */
    struct buf kept;       /* ids of records known responses delivered, not yet taken */
    char *key;             /* a response being mapped: its request (NULL: none), */
    char hash[33];         /*   its hash, */
    struct buf ids;        /*   the records it delivered, */
    struct idset open_ids; /*   once each */
    struct pending_page pending[MAX_PENDING_PAGES];
    int npending;
    char *memo; /* of the last known response */
    int64_t known, total;
};

struct run_state {
    const struct engine_env *env;
    struct store_sync_run *run;
    struct err *e;
    const char *integration_id;
    json_t *fields;         /* "model\x1fkey" -> {"custom":bool,"label":str|null} */
    struct idset batch_ids; /* the ids in batch: repeats within a page */
    struct selected *selected[MODEL_COUNT];
    int nselected[MODEL_COUNT];
    struct pending *batch;
    int nbatch;
    struct store_stage *stage;       /* where new and changed records wait for the apply */
    int nstaged_batches;             /* store_stage_write calls so far, which number the batches */
    char (*tombstones)[IDS_LEN + 1]; /* records the remote reported deleted */
    int ntombstones;
    int64_t last_beat;
    struct scope scope;             /* the integration's scope config */
    int nests_as_body[MODEL_COUNT]; /* the nested form is the body itself (nests_as_served) */
    struct pages pages;
};

/* ---- fields --------------------------------------------------------------- */

static int on_field(void *ud, const struct conn_field *f)
{
    struct run_state *st = ud;
    char key[1024];
    const char *model;
    size_t mlen;
    json_t *known;

    if (!f->key || !*f->key || strlen(f->key) > 512)
        return ERR_OK; /* nothing an API user could select */
    if (!st->scope.m[f->model].enabled || !st->scope.m[f->model].integration_fields)
        return ERR_OK; /* the scope config keeps this model's raw fields out */
    /* "model\x1fkey", built without printf: this runs for every raw field
     * of every record. */
    model = models_get(f->model)->id;
    mlen = strlen(model);
    memcpy(key, model, mlen);
    key[mlen] = '\x1f';
    memcpy(key + mlen + 1, f->key, strlen(f->key) + 1);
    known = json_object_get(st->fields, key);
    if (known) {
        /* Metadata labels win; a record's own label fills a gap. */
        if (f->label && json_is_null(json_object_get(known, "label")))
            json_object_set_new(known, "label", json_string(f->label));
        return ERR_OK;
    }
    if (json_object_size(st->fields) >= MAX_FIELDS_PER_RUN)
        return err_set(st->e, ERR_TOO_LARGE, "the remote returned more than %d distinct fields",
                       MAX_FIELDS_PER_RUN);
    json_object_set_new(st->fields, key,
                        json_pack("{s:b, s:o}", "custom", f->custom, "label",
                                  f->label ? json_string(f->label) : json_null()));
    return ERR_OK;
}

static void on_selected(void *ud, const struct store_field *f)
{
    struct run_state *st = ud;
    enum model m;

    if (models_find(f->model, &m) != 0)
        return;
    /* Values are collected only for what the scope config lets through. */
    if (!(f->passthrough && st->scope.m[m].integration_fields) &&
        !(f->mapped && st->scope.m[m].custom_fields))
        return;
    st->selected[m] =
        xrealloc(st->selected[m], sizeof(struct selected) * (size_t)(st->nselected[m] + 1));
    memcpy(st->selected[m][st->nselected[m]].id, f->id, sizeof(f->id));
    st->selected[m][st->nselected[m]].key = xstrdup(f->key);
    st->nselected[m]++;
}

/* ---- one record ------------------------------------------------------------ */

static void derive_id(const char *integration, enum model m, const char *remote_id,
                      char out[IDS_LEN + 1])
{
    const char *parts[3] = {integration, models_get(m)->id, remote_id};

    ids_derive(out, parts, 3);
}

/* The index of r's first link filling attr, or -1. */
static int find_link(const struct conn_record *r, const char *attr)
{
    for (int i = 0; i < r->nlinks; i++) {
        if (strcmp(r->links[i].attr, attr) == 0)
            return i;
    }
    return -1;
}

/* Appends `,"key":value` for each of the unified fields of r, links as our
 * ids (link_ids, one per link of r); fields the scope switched off are null.
 * Built without printf: this runs for every field of every record. */
static int append_fields(struct buf *b, const struct scope *sc, const struct conn_record *r,
                         char (*link_ids)[IDS_LEN + 1], const char *const *fields)
{
    int rc = ERR_OK;

    for (const char *const *k = fields; rc == ERR_OK && *k; k++) {
        int l = find_link(r, *k);
        json_t *v = scope_field_on(sc, r->model, *k) ? json_object_get(r->unified, *k) : NULL;

        rc = buf_append(b, ",\"", 2);
        if (rc == ERR_OK)
            rc = buf_append_str(b, *k);
        if (rc == ERR_OK)
            rc = buf_append(b, "\":", 2);
        if (rc != ERR_OK)
            break;
        if (l >= 0) {
            rc = buf_append_char(b, '"');
            if (rc == ERR_OK)
                rc = buf_append(b, link_ids[l], IDS_LEN);
            if (rc == ERR_OK)
                rc = buf_append_char(b, '"');
        } else {
            rc = v ? jsonx_dump(v, b) : buf_append(b, "null", 4);
        }
    }
    return rc;
}

/* Appends `{"id":"<id>","remote_id":<remote id>`, the head of every stored form. */
static int append_head(struct buf *b, const char *id, const char *remote_id)
{
    int rc = buf_append(b, "{\"id\":\"", 7);

    if (rc == ERR_OK)
        rc = buf_append(b, id, IDS_LEN);
    if (rc == ERR_OK)
        rc = buf_append(b, "\",\"remote_id\":", 14);
    if (rc == ERR_OK)
        rc = buf_append_json_string(b, remote_id, strlen(remote_id));
    return rc;
}

/* Whether a model's nested form has the same fields as its body and ends
 * as it does, so the two texts are equal. */
static int nests_as_served(const struct model_def *md)
{
    int i = 0;

    if (!md->summary_has_times)
        return 0;
    for (; md->fields[i] && md->summary_fields[i]; i++) {
        if (strcmp(md->fields[i], md->summary_fields[i]) != 0)
            return 0;
    }
    return !md->fields[i] && !md->summary_fields[i];
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static void add_attr(struct pending *p, const char *name, const char *value)
{
    char *v = xstrdup(value);

    /* E-mails and names are matched without regard to case. */
    if (strstr(name, "email") || strcmp(name, "name") == 0)
        lower(v);
    p->attrs = xrealloc(p->attrs, sizeof(*p->attrs) * (size_t)(p->nattrs + 1));
    p->attrs[p->nattrs].name = name; /* static strings from models.c and connectors */
    p->attrs[p->nattrs].value = v;
    p->nattrs++;
}

static void hash_record(struct pending *p)
{
    crypto_generichash_state h;
    unsigned char out[16];
    static const unsigned char sep = 0x1e;

    crypto_generichash_init(&h, NULL, 0, sizeof(out));
    crypto_generichash_update(&h, (const unsigned char *)p->body, strlen(p->body));
    for (int i = 0; i < p->nattrs; i++) {
        crypto_generichash_update(&h, &sep, 1);
        crypto_generichash_update(&h, (const unsigned char *)p->attrs[i].name,
                                  strlen(p->attrs[i].name) + 1);
        crypto_generichash_update(&h, (const unsigned char *)p->attrs[i].value,
                                  strlen(p->attrs[i].value));
    }
    for (int i = 0; i < p->nvalues; i++) {
        crypto_generichash_update(&h, &sep, 1);
        crypto_generichash_update(&h, (const unsigned char *)p->values[i].field_id, IDS_LEN);
        crypto_generichash_update(&h, (const unsigned char *)p->values[i].value,
                                  strlen(p->values[i].value));
    }
    crypto_generichash_final(&h, out, sizeof(out));
    sodium_bin2hex(p->hash, sizeof(p->hash), out, sizeof(out));
}

static void pending_free(struct pending *p)
{
    free(p->remote_id);
    free(p->body);
    free(p->summary);
    for (int i = 0; i < p->nattrs; i++)
        free((char *)p->attrs[i].value);
    free(p->attrs);
    for (int i = 0; i < p->nvalues; i++)
        free((char *)p->values[i].value);
    free(p->values);
    memset(p, 0, sizeof(*p));
}

static int on_record(void *ud, const struct conn_record *r)
{
    struct run_state *st = ud;
    const struct model_def *md = models_get(r->model);
    struct pending *p;
    struct buf b;
    char id[IDS_LEN + 1], link_ids[CONN_MAX_LINKS][IDS_LEN + 1];
    int rc;

    if (!st->scope.m[r->model].enabled)
        return ERR_OK; /* a disabled model is not stored */
    if (!r->remote_id || !*r->remote_id)
        return err_set(st->e, ERR_REMOTE, "a %s record without a remote id", md->id);
    derive_id(st->integration_id, r->model, r->remote_id, id);
    if (st->pages.key && idset_add(&st->pages.open_ids, id))
        buf_append(&st->pages.ids, id, IDS_LEN);
    /* Nested records repeat; the first one counts (store_stage_take
     * drops those an earlier page delivered). */
    if (!idset_add(&st->batch_ids, id))
        return ERR_OK;
    if (st->nbatch >= MAX_BATCH)
        return err_set(st->e, ERR_TOO_LARGE, "a remote page held more than %d records", MAX_BATCH);
    p = &st->batch[st->nbatch];
    memset(p, 0, sizeof(*p));
    memcpy(p->id, id, sizeof(id));
    p->model = r->model;
    p->remote_id = xstrdup(r->remote_id);

    for (int i = 0; i < r->nlinks; i++)
        derive_id(st->integration_id, r->links[i].target, r->links[i].remote_id, link_ids[i]);
    buf_init(&b, 0);
    rc = append_head(&b, id, r->remote_id);
    if (rc == ERR_OK)
        rc = append_fields(&b, &st->scope, r, link_ids, md->fields);
    if (rc == ERR_OK)
        rc = buf_append_str(&b, ",\"remote_data\":null");
    p->body = buf_take(&b);

    /* Most models nest exactly as they are served: stored once, not twice. */
    if (!st->nests_as_body[r->model]) {
        rc = append_head(&b, id, r->remote_id);
        if (rc == ERR_OK)
            rc = append_fields(&b, &st->scope, r, link_ids, md->summary_fields);
        if (rc == ERR_OK && md->summary_has_times)
            rc = buf_append_str(&b, ",\"remote_data\":null");
    }
    p->summary = buf_take(&b);

    for (int i = 0; i < r->nlinks; i++)
        add_attr(p, r->links[i].attr, link_ids[i]);
    for (const char *const *k = md->filter_fields; *k; k++) {
        const char *v = scope_field_on(&st->scope, r->model, *k)
                            ? json_string_value(json_object_get(r->unified, *k))
                            : NULL;
        if (v && *v)
            add_attr(p, *k, v);
    }
    for (int i = 0; i < st->nselected[r->model]; i++) {
        json_t *v = json_object_get(r->raw, st->selected[r->model][i].key);
        if (!v)
            continue; /* not returned for this record: served as null */
        buf_reset(&b);
        rc = jsonx_dump(v, &b);
        p->values = xrealloc(p->values, sizeof(*p->values) * (size_t)(p->nvalues + 1));
        p->values[p->nvalues].field_id = st->selected[r->model][i].id;
        p->values[p->nvalues].value = buf_take(&b);
        p->nvalues++;
    }
    buf_free(&b);
    hash_record(p);
    st->nbatch++;
    return rc;
}

static int on_deleted(void *ud, enum model m, const char *remote_id)
{
    struct run_state *st = ud;

    if (!remote_id || !*remote_id)
        return ERR_OK;
    if (st->ntombstones >= MAX_TOMBSTONES)
        return err_set(st->e, ERR_TOO_LARGE, "the remote reported more than %d deletions",
                       MAX_TOMBSTONES);
    st->tombstones =
        xrealloc(st->tombstones, sizeof(*st->tombstones) * (size_t)(st->ntombstones + 1));
    derive_id(st->integration_id, m, remote_id, st->tombstones[st->ntombstones]);
    st->ntombstones++;
    return ERR_OK;
}

/* ---- responses a FULL run may skip ----------------------------------------- */

/* The hash of a response: of the run's fingerprint, its request and its bytes. */
static void hash_response(const struct pages *pg, const char *key, const struct buf *body,
                          char out[33])
{
    crypto_generichash_state h;
    unsigned char d[16];

    crypto_generichash_init(&h, NULL, 0, sizeof(d));
    crypto_generichash_update(&h, pg->fp, sizeof(pg->fp));
    crypto_generichash_update(&h, (const unsigned char *)key, strlen(key) + 1);
    crypto_generichash_update(&h, (const unsigned char *)buf_str(body), body->len);
    crypto_generichash_final(&h, d, sizeof(d));
    sodium_bin2hex(out, 33, d, sizeof(d));
}

/* Mixes data into the fingerprint. */
static void fp_mix(struct pages *pg, const void *data, size_t len)
{
    crypto_generichash_state h;

    crypto_generichash_init(&h, NULL, 0, sizeof(pg->fp));
    crypto_generichash_update(&h, pg->fp, sizeof(pg->fp));
    crypto_generichash_update(&h, data, len);
    crypto_generichash_final(&h, pg->fp, sizeof(pg->fp));
}

/* What shapes the records of every response besides its bytes: the format,
 * the tool, the scope config and the fields collected per model. */
static void fp_init(struct run_state *st, const char *tool, const char *scope_config)
{
    const char *texts[] = {PAGES_FORMAT, tool, scope_config ? scope_config : ""};

    memset(st->pages.fp, 0, sizeof(st->pages.fp));
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        fp_mix(&st->pages, texts[i], strlen(texts[i]) + 1);
    for (int m = 0; m < MODEL_COUNT; m++) {
        fp_mix(&st->pages, models_get((enum model)m)->id, strlen(models_get((enum model)m)->id));
        for (int i = 0; i < st->nselected[m]; i++)
            fp_mix(&st->pages, st->selected[m][i].id, IDS_LEN);
    }
}

static void on_context(void *ud, const void *data, size_t len)
{
    fp_mix(&((struct run_state *)ud)->pages, data, len);
}

static void pending_page_free(struct pending_page *p)
{
    free(p->key);
    free(p->memo);
    free(p->ids);
}

/* Stages the responses seen since the last time. */
static int flush_pages(struct run_state *st)
{
    struct pages *pg = &st->pages;
    struct store_page rows[MAX_PENDING_PAGES];
    int rc;

    for (int i = 0; i < pg->npending; i++) {
        const struct pending_page *p = &pg->pending[i];
        rows[i] = (struct store_page){p->key, p->hash, p->memo, p->ids ? p->ids : "", p->known};
    }
    rc = store_stage_pages(st->stage, rows, pg->npending);
    for (int i = 0; i < pg->npending; i++)
        pending_page_free(&pg->pending[i]);
    pg->npending = 0;
    if (rc != ERR_OK)
        err_set(st->e, rc, "staging the responses seen failed");
    return rc;
}

static int add_pending_page(struct run_state *st, struct pending_page p)
{
    st->pages.pending[st->pages.npending++] = p;
    return st->pages.npending == MAX_PENDING_PAGES ? flush_pages(st) : ERR_OK;
}

/* Ends the response being mapped without keeping it (it is mapped next time). */
static void close_page(struct pages *pg)
{
    free(pg->key);
    pg->key = NULL;
}

struct stored_page {
    char hash[33];
    char *memo, *ids;
    int found;
};

static void on_stored_page(void *ud, const struct store_page *p)
{
    struct stored_page *sp = ud;

    snprintf(sp->hash, sizeof(sp->hash), "%s", p->hash);
    sp->memo = p->memo ? xstrdup(p->memo) : NULL;
    sp->ids = xstrdup(p->ids);
    sp->found = 1;
}

/* Takes the records known responses delivered (st->pages.kept) as this run's. */
static int take_kept(struct run_state *st)
{
    struct buf *kept = &st->pages.kept;
    int n = (int)(kept->len / IDS_LEN);
    const char **ids;
    char(*copy)[IDS_LEN + 1];
    int64_t added = 0;
    int rc;

    if (n == 0)
        return ERR_OK;
    ids = xcalloc((size_t)n, sizeof(*ids));
    copy = xcalloc((size_t)n, sizeof(*copy));
    for (int i = 0; i < n; i++) {
        memcpy(copy[i], buf_str(kept) + (size_t)i * IDS_LEN, IDS_LEN);
        ids[i] = copy[i];
    }
    rc = store_stage_keep(st->stage, ids, n, &added);
    st->run->fetched += added;
    buf_reset(kept);
    free(copy);
    free(ids);
    if (rc != ERR_OK)
        err_set(st->e, rc, "taking the records of known responses failed");
    return rc;
}

static int on_known(void *ud, const char *key, const struct buf *body, int *is_known,
                    const char **memo)
{
    struct run_state *st = ud;
    struct pages *pg = &st->pages;
    struct stored_page sp = {{0}, NULL, NULL, 0};
    char hash[33];
    int rc = ERR_OK;

    if (!pg->on)
        return ERR_OK;
    close_page(pg); /* a response whose mapping was never reported */
    hash_response(pg, key, body, hash);
    pg->total++;
    if (pg->valid)
        rc = store_page_get(st->stage, st->integration_id, key, on_stored_page, &sp);
    if (rc != ERR_OK)
        return err_set(st->e, rc, "reading the responses of the last sync failed");
    if (sp.found && strcmp(sp.hash, hash) == 0) {
        /* The stored ids of one response are distinct, each IDS_LEN long. */
        buf_append(&pg->kept, sp.ids, strlen(sp.ids) / IDS_LEN * IDS_LEN);
        free(sp.ids);
        if (pg->kept.len >= KEPT_FLUSH * IDS_LEN && (rc = take_kept(st)) != ERR_OK)
            return rc;
        free(pg->memo);
        pg->memo = sp.memo;
        *memo = pg->memo;
        *is_known = 1;
        pg->known++;
        return add_pending_page(st, (struct pending_page){xstrdup(key), NULL, NULL, {0}, 1});
    }
    free(sp.memo);
    free(sp.ids);
    pg->key = xstrdup(key);
    memcpy(pg->hash, hash, sizeof(hash));
    buf_reset(&pg->ids);
    idset_free(&pg->open_ids);
    idset_init(&pg->open_ids);
    return ERR_OK;
}

static int on_mapped(void *ud, const char *memo)
{
    struct run_state *st = ud;
    struct pages *pg = &st->pages;
    struct pending_page p;

    if (!pg->key)
        return ERR_OK; /* no response is being mapped */
    p = (struct pending_page){pg->key, memo ? xstrdup(memo) : NULL, buf_take(&pg->ids), {0}, 0};
    memcpy(p.hash, pg->hash, sizeof(p.hash));
    pg->key = NULL;
    return add_pending_page(st, p);
}

/* ---- pages ------------------------------------------------------------------ */

struct state_lookup {
    struct run_state *st;
    char (*hash)[33];
    int *exists;
};

static void on_state(void *ud, const char *id, const char *hash, int deleted)
{
    struct state_lookup *l = ud;

    for (int i = 0; i < l->st->nbatch; i++) {
        if (strcmp(l->st->batch[i].id, id) == 0) {
            l->exists[i] = 1;
            /* A deleted record that comes back counts as changed. */
            snprintf(l->hash[i], 33, "%s", deleted ? "" : hash ? hash : "");
            break;
        }
    }
}

static int heartbeat(struct run_state *st)
{
    int64_t now = isotime_now_ms();
    int rc;

    /* Beat four times per lease, so one slow page never loses it. */
    if (now - st->last_beat < st->env->lease_ms / 4)
        return ERR_OK;
    if (FAILPOINT("sync.heartbeat"))
        return ERR_STORE;
    rc =
        store_sync_heartbeat(st->env->store, st->run->id, st->env->worker, now + st->env->lease_ms);
    if (rc == ERR_NOT_FOUND)
        return err_set(st->e, ERR_CONFLICT, "the run's lease was lost to another worker");
    st->last_beat = now;
    return rc;
}

struct take_lookup {
    struct run_state *st;
    int *first; /* per record of the batch: the run's first time */
    int next;   /* where the next id is looked for */
};

static void on_taken(void *ud, const char *id, int was_kept)
{
    struct take_lookup *t = ud;
    int n = t->st->nbatch;

    /* The ids mostly come back in the order they went. */
    for (int k = 0; id && k < n; k++) {
        int i = (t->next + k) % n;
        if (strcmp(t->st->batch[i].id, id) == 0) {
            t->first[i] = 1;
            if (!was_kept)
                t->st->run->fetched++;
            t->next = i + 1;
            break;
        }
    }
}

static int on_page_done(void *ud)
{
    struct run_state *st = ud;
    struct state_lookup l = {st, NULL, NULL};
    struct take_lookup t = {st, NULL, 0};
    const char **ids = NULL;
    struct store_staged *staged = NULL;
    int n = 0, nfirst = 0, rc = ERR_OK;

    if (st->env->stopping && *st->env->stopping)
        return err_set(st->e, ERR_CONFLICT, "the worker is stopping");
    rc = flush_pages(st);
    if (rc == ERR_OK)
        rc = take_kept(st);
    if (rc != ERR_OK)
        return rc;
    if (st->nbatch == 0)
        return heartbeat(st);
    idset_free(&st->batch_ids);
    idset_init(&st->batch_ids);
    ids = xcalloc((size_t)st->nbatch, sizeof(*ids));
    t.first = xcalloc((size_t)st->nbatch, sizeof(*t.first));
    l.hash = xcalloc((size_t)st->nbatch, sizeof(*l.hash));
    l.exists = xcalloc((size_t)st->nbatch, sizeof(*l.exists));
    staged = xcalloc((size_t)st->nbatch, sizeof(*staged));
    for (int i = 0; i < st->nbatch; i++)
        ids[i] = st->batch[i].id;
    rc = store_stage_take(st->stage, ids, st->nbatch, on_taken, &t);
    if (rc != ERR_OK)
        err_set(st->e, rc, "taking the records of a page failed");
    /* Only what the run had not mapped yet is compared and staged. */
    for (int i = 0; i < st->nbatch; i++) {
        if (t.first[i])
            ids[nfirst++] = st->batch[i].id;
    }
    if (rc == ERR_OK)
        rc = store_records_state(st->env->store, st->integration_id, ids, nfirst, on_state, &l);
    for (int i = 0; rc == ERR_OK && i < st->nbatch; i++) {
        struct pending *p = &st->batch[i];
        if (!t.first[i])
            continue; /* an earlier page delivered it */
        if (l.exists[i] && strcmp(l.hash[i], p->hash) == 0)
            continue; /* unchanged: nothing to write */
        staged[n].id = p->id;
        staged[n].model = models_get((enum model)p->model)->id;
        staged[n].remote_id = p->remote_id;
        staged[n].body = p->body;
        staged[n].summary = p->summary;
        staged[n].hash = p->hash;
        staged[n].is_new = !l.exists[i];
        staged[n].attrs = p->attrs;
        staged[n].nattrs = p->nattrs;
        staged[n].values = p->values;
        staged[n].nvalues = p->nvalues;
        n++;
    }
    if (rc == ERR_OK)
        rc = store_stage_write(st->stage, ++st->nstaged_batches, staged, n);
    if (rc != ERR_OK && !st->e->msg[0])
        err_set(st->e, rc, "writing the staged records failed");
    for (int i = 0; i < st->nbatch; i++)
        pending_free(&st->batch[i]);
    st->nbatch = 0;
    free(ids);
    free(t.first);
    free(l.hash);
    free(l.exists);
    free(staged);
    if (rc == ERR_OK)
        rc = heartbeat(st);
    if (rc == ERR_OK && st->env->progress)
        st->env->progress(st->env->progress_ud, st->run->fetched);
    return rc;
}

/* A retry's wait that ends early when the worker is stopping. */
static void sleep_unless_stopping(int ms, void *ud)
{
    const struct engine_env *env = ud;

    for (; ms > 0 && !(env->stopping && *env->stopping); ms -= 50) {
        struct timespec ts = {0, (ms < 50 ? ms : 50) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* ---- the run ---------------------------------------------------------------- */

static int apply(struct run_state *st, const struct connector *conn, int full)
{
    struct store_field_def *defs;
    const char **tomb;
    const char *models[MODEL_COUNT + 1], *purged[MODEL_COUNT + 1], *unfield[MODEL_COUNT + 1];
    struct store_apply a;
    char(*ids)[IDS_LEN + 1];
    const char *key;
    json_t *v;
    enum model m;
    int n = 0, nm = 0, np = 0, nu = 0, rc;

    tomb = xcalloc((size_t)st->ntombstones + 1, sizeof(*tomb));
    for (int i = 0; i < st->ntombstones; i++)
        tomb[i] = st->tombstones[i];
    defs = xcalloc(json_object_size(st->fields) + 1, sizeof(*defs));
    ids = xcalloc(json_object_size(st->fields) + 1, sizeof(*ids));
    json_object_foreach (st->fields, key, v) {
        const char *sep = strchr(key, '\x1f');
        char model[64];
        const char *type = json_is_true(json_object_get(v, "custom")) ? "CUSTOM" : "DEFAULT";
        const char *parts[4];

        snprintf(model, sizeof(model), "%.*s", (int)(sep - key), key);
        parts[0] = st->integration_id;
        parts[1] = model;
        parts[2] = type;
        parts[3] = sep + 1;
        ids_derive(ids[n], parts, 4);
        defs[n].id = ids[n];
        /* The key was made from a model id, so it is found; use its static name. */
        defs[n].model = models_find(model, &m) == 0 ? models_get(m)->id : "";
        defs[n].type = type;
        defs[n].key = sep + 1;
        defs[n].label = json_string_value(json_object_get(v, "label"));
        n++;
    }
    for (int i = 0; i < MODEL_COUNT; i++) {
        const char *id = models_get((enum model)i)->id;
        if (!(conn->models & (1u << i)))
            continue;
        if (st->scope.m[i].enabled)
            models[nm++] = id;
        else
            purged[np++] = id;
        if (!st->scope.m[i].enabled || !st->scope.m[i].integration_fields)
            unfield[nu++] = id;
    }
    models[nm] = purged[np] = unfield[nu] = NULL;

    memset(&a, 0, sizeof(a));
    a.run = st->run;
    a.worker = st->env->worker;
    a.full = full;
    a.models = models;
    a.fields = defs;
    a.nfields = n;
    a.tombstones = tomb;
    a.ntombstones = st->ntombstones;
    a.purged_models = purged;
    a.unfield_models = unfield;
    a.doc_links = models_employee_links;
    a.doc_children = models_employee_children;
    a.doc_child_attr = MODELS_CHILD_ATTR;
    a.now = isotime_now_ms();
    a.fetched = st->run->fetched;
    a.pages_from = st->pages.on ? st->pages.from : -1;
    rc = store_sync_apply(st->stage, &a);
    if (rc == ERR_NOT_FOUND)
        err_set(st->e, ERR_CONFLICT, "the run's lease was lost to another worker");
    else if (rc != ERR_OK)
        err_set(st->e, rc, "applying the sync failed");
    st->run->created = a.created;
    st->run->updated = a.updated;
    st->run->deleted = a.deleted;
    free(defs);
    free(ids);
    free(tomb);
    return rc;
}

int engine_run(const struct engine_env *env, struct store_sync_run *run, struct err *e)
{
    struct store_integration it;
    struct run_state st;
    struct conn_ctx ctx;
    struct fetch_client *http = NULL;
    struct fetch_opts fo;
    const struct connector *conn;
    json_t *credentials = NULL;
    char *plain = NULL;
    int64_t t0 = isotime_mono_ms();
    int rc, full = run->type == SYNC_FULL;

    memset(&it, 0, sizeof(it));
    memset(&st, 0, sizeof(st));
    memset(&ctx, 0, sizeof(ctx));
    err_init(e);
    rc = store_integration_get_any(env->store, run->integration_id, &it);
    if (rc != ERR_OK) {
        err_set(e, rc, "the integration could not be read");
        goto out;
    }
    conn = connector_find(it.tool);
    if (!conn) {
        rc = err_set(e, ERR_INVALID, "no connector for tool %s", it.tool);
        goto out;
    }
    rc = secret_open(env->master, it.id, it.credentials, it.credentials_len, &plain);
    if (rc != ERR_OK) {
        err_set(e, rc, "the stored credentials cannot be decrypted with this master key");
        goto out;
    }
    credentials = json_loads(plain, 0, NULL);
    if (!credentials) {
        rc = err_set(e, ERR_INVALID, "the stored credentials are not valid JSON");
        goto out;
    }
    if (!full && (!conn->supports_delta ||
                  store_sync_last_success(env->store, it.id, &ctx.since_ms) != ERR_OK))
        full = 1; /* nothing to take changes from: fetch everything */
    if (!full)
        ctx.since_ms -= 60000; /* tolerate clock skew between us and the remote */

    memset(&fo, 0, sizeof(fo));
    fo.integration = it.id;
    fo.throttle_status = 0;
    fo.sleep_fn = sleep_unless_stopping;
    fo.sleep_ud = (void *)env;
    fo.connections = env->connections;
    rc = fetch_client_new(&fo, &http);
    if (rc != ERR_OK) {
        err_set(e, rc, "the HTTP client could not be created");
        goto out;
    }
    ctx.integration_id = it.id;
    ctx.base_url = it.base_url;
    ctx.credentials = credentials;
    ctx.http = http;
    ctx.err = e;

    st.env = env;
    st.run = run;
    st.e = e;
    st.integration_id = it.id;
    st.fields = json_object();
    scope_from_text(it.scope_config, &st.scope);
    idset_init(&st.batch_ids);
    buf_init(&st.pages.kept, 0);
    idset_init(&st.pages.open_ids);
    buf_init(&st.pages.ids, 0);
    st.batch = xcalloc(MAX_BATCH, sizeof(*st.batch));
    st.last_beat = isotime_now_ms();
    for (int m = 0; m < MODEL_COUNT; m++)
        st.nests_as_body[m] = nests_as_served(models_get((enum model)m));
    rc = store_stage_open(env->store, &st.stage);
    if (rc != ERR_OK) {
        err_set(e, rc, "the staging area could not be made");
        goto out;
    }
    for (int m = 0; m < MODEL_COUNT; m++) {
        if (conn->models & (1u << m)) {
            rc = store_fields_collected(env->store, it.id, models_get((enum model)m)->id,
                                        on_selected, &st);
            if (rc != ERR_OK) {
                err_set(e, rc, "the selected fields could not be read");
                goto out;
            }
        }
    }

    st.pages.on = full;
    if (full) {
        rc = store_pages_state(st.stage, it.id, &st.pages.valid, &st.pages.from);
        if (rc != ERR_OK) {
            err_set(e, rc, "the responses of the last sync could not be read");
            goto out;
        }
        fp_init(&st, it.tool, it.scope_config);
    }

    log_info("sync", "msg=\"sync started\" integration=%s run=%s type=%s", it.id, run->id,
             full ? "FULL" : "DELTA");
    rc = conn->authenticate(&ctx);
    if (ctx.auth_failed || rc == ERR_OK)
        store_integration_auth_result(env->store, it.id, rc == ERR_OK);
    if (rc == ERR_OK) {
        struct conn_sink sink = {on_field, on_record, on_deleted, on_page_done,
                                 &st,      on_known,  on_mapped,  on_context};
        rc = conn->fetch(&ctx, &sink);
        if (rc == ERR_OK)
            rc = on_page_done(&st); /* whatever the last page left */
        if (ctx.auth_failed)
            store_integration_auth_result(env->store, it.id, 0);
    }
    if (rc == ERR_OK) {
        log_debug("sync", "msg=\"fetched, applying\" integration=%s run=%s ms=%lld", it.id, run->id,
                  (long long)(isotime_mono_ms() - t0));
        rc = apply(&st, conn, full);
    }
out:
    if (rc != ERR_OK && env->stopping && *env->stopping) {
        store_sync_release(env->store, run, env->worker);
        log_info("sync", "msg=\"sync released\" integration=%s run=%s", run->integration_id,
                 run->id);
    } else if (rc != ERR_OK) {
        if (!e->msg[0])
            err_set(e, rc, "the sync failed (%s)", err_name(rc));
        store_sync_fail(env->store, run, env->worker, e->msg);
        log_warn("sync", "msg=\"sync failed\" integration=%s run=%s reason=\"%s\" fetched=%lld",
                 run->integration_id, run->id, e->msg, (long long)run->fetched);
    } else {
        log_info("sync",
                 "msg=\"sync succeeded\" integration=%s run=%s fetched=%lld created=%lld "
                 "updated=%lld deleted=%lld responses=%lld known=%lld ms=%lld",
                 run->integration_id, run->id, (long long)run->fetched, (long long)run->created,
                 (long long)run->updated, (long long)run->deleted, (long long)st.pages.total,
                 (long long)st.pages.known, (long long)(isotime_mono_ms() - t0));
        if (env->applied)
            env->applied(env->applied_ud, run->integration_id);
    }
    store_stage_close(st.stage);
    for (int i = 0; st.batch && i < st.nbatch; i++)
        pending_free(&st.batch[i]);
    free(st.batch);
    free(st.tombstones);
    for (int m = 0; m < MODEL_COUNT; m++) {
        for (int i = 0; i < st.nselected[m]; i++)
            free(st.selected[m][i].key);
        free(st.selected[m]);
    }
    json_decref(st.fields);
    idset_free(&st.batch_ids);
    close_page(&st.pages);
    for (int i = 0; i < st.pages.npending; i++)
        pending_page_free(&st.pages.pending[i]);
    free(st.pages.memo);
    buf_free(&st.pages.kept);
    idset_free(&st.pages.open_ids);
    buf_free(&st.pages.ids);
    json_decref(credentials);
    secret_free_text(plain);
    sodium_memzero(ctx.token, sizeof(ctx.token));
    fetch_client_destroy(http);
    store_integration_free(&it);
    jsonarena_thread_done();
    return rc;
}
