-- Sync runs and their queue, the integration-field catalog, synced records
-- with their filter attributes and selected field values, and the staging
-- area a sync writes to before it applies everything in one transaction.

ALTER TABLE integrations ADD COLUMN next_full_at BIGINT;
ALTER TABLE integrations ADD COLUMN next_delta_at BIGINT;
ALTER TABLE integrations ADD COLUMN auth_failures INTEGER NOT NULL DEFAULT 0;

-- state: QUEUED, RUNNING, SUCCEEDED, FAILED. At most one QUEUED and one
-- RUNNING run per integration (a change of selection while a run is going
-- queues the next one); a RUNNING run whose lease expired is taken over.
CREATE TABLE sync_runs (
    id               TEXT COLLATE "C" PRIMARY KEY,
    integration_id   TEXT COLLATE "C" NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    type             TEXT COLLATE "C" NOT NULL,
    state            TEXT COLLATE "C" NOT NULL,
    created_at       BIGINT NOT NULL,
    started_at       BIGINT,
    ended_at         BIGINT,
    lease_until      BIGINT,
    worker           TEXT COLLATE "C",
    records_fetched  BIGINT NOT NULL DEFAULT 0,
    records_created  BIGINT NOT NULL DEFAULT 0,
    records_updated  BIGINT NOT NULL DEFAULT 0,
    records_deleted  BIGINT NOT NULL DEFAULT 0,
    error            TEXT COLLATE "C"
);
CREATE UNIQUE INDEX sync_runs_one_queued ON sync_runs(integration_id) WHERE state = 'QUEUED';
CREATE UNIQUE INDEX sync_runs_one_running ON sync_runs(integration_id) WHERE state = 'RUNNING';
CREATE INDEX sync_runs_by_integration ON sync_runs(integration_id, created_at, id);
CREATE INDEX sync_runs_queue ON sync_runs(state, created_at);

-- id is derived from (integration, model, type, key): stable everywhere.
CREATE TABLE integration_fields (
    id              TEXT COLLATE "C" PRIMARY KEY,
    integration_id  TEXT COLLATE "C" NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    model           TEXT COLLATE "C" NOT NULL,
    type            TEXT COLLATE "C" NOT NULL,
    key             TEXT COLLATE "C" NOT NULL,
    label           TEXT COLLATE "C",
    passthrough     INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);
CREATE INDEX integration_fields_by_integration ON integration_fields(integration_id, id);

-- body: the record's unified JSON object without its closing brace and
-- without the keys added when it is served (changed_at, remote_deleted_at,
-- integration_fields, nested objects). summary: the same for its nested form.
CREATE TABLE records (
    integration_id     TEXT COLLATE "C" NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    id                 TEXT COLLATE "C" NOT NULL,
    model              TEXT COLLATE "C" NOT NULL,
    remote_id          TEXT COLLATE "C" NOT NULL,
    body               TEXT COLLATE "C" NOT NULL,
    summary            TEXT COLLATE "C" NOT NULL,
    hash               TEXT COLLATE "C" NOT NULL,
    changed_at         BIGINT NOT NULL,
    remote_deleted_at  BIGINT,
    PRIMARY KEY (integration_id, id)
);
CREATE INDEX records_by_model ON records(integration_id, model, id);
CREATE INDEX records_by_remote_id ON records(integration_id, model, remote_id);

-- Filterable attributes and links of a record (manager_id, group_id, ...).
CREATE TABLE record_attrs (
    integration_id  TEXT COLLATE "C" NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    record_id       TEXT COLLATE "C" NOT NULL,
    name            TEXT COLLATE "C" NOT NULL,
    value           TEXT COLLATE "C" NOT NULL
);
CREATE INDEX record_attrs_by_record ON record_attrs(integration_id, record_id, name);
CREATE INDEX record_attrs_by_value ON record_attrs(integration_id, name, value);

-- Values of selected integration fields only, as the remote's JSON text.
CREATE TABLE field_values (
    integration_id  TEXT COLLATE "C" NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    record_id       TEXT COLLATE "C" NOT NULL,
    field_id        TEXT COLLATE "C" NOT NULL REFERENCES integration_fields(id) ON DELETE CASCADE,
    value           TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (integration_id, record_id, field_id)
);
CREATE INDEX field_values_by_field ON field_values(field_id);

-- What a running sync found changed, applied at its end in one transaction.
CREATE TABLE staged_records (
    run_id     TEXT COLLATE "C" NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
    id         TEXT COLLATE "C" NOT NULL,
    model      TEXT COLLATE "C" NOT NULL,
    remote_id  TEXT COLLATE "C" NOT NULL,
    body       TEXT COLLATE "C" NOT NULL,
    summary    TEXT COLLATE "C" NOT NULL,
    hash       TEXT COLLATE "C" NOT NULL,
    is_new     INTEGER NOT NULL,
    PRIMARY KEY (run_id, id)
);
CREATE TABLE staged_attrs (
    run_id     TEXT COLLATE "C" NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
    record_id  TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    value      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX staged_attrs_by_run ON staged_attrs(run_id);
CREATE TABLE staged_values (
    run_id     TEXT COLLATE "C" NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
    record_id  TEXT COLLATE "C" NOT NULL,
    field_id   TEXT COLLATE "C" NOT NULL,
    value      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX staged_values_by_run ON staged_values(run_id);
