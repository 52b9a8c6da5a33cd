-- Records as served, nested objects and integration and custom fields
-- included, rendered after a sync so that a page is copied, not assembled.
-- fp fingerprints what else shapes the rendering (the scope config, the
-- selected and mapped fields): a doc with another fp is stale and its record
-- is rendered when read. A sync deletes the docs its changes touch, and
-- bumps data_version so that docs rendered from older data are not stored.
-- docs_version and docs_fp say when every employee not deleted has a doc of
-- that data version and fingerprint: a page is then read from record_docs
-- alone.

CREATE TABLE record_docs (
    integration_id  TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    fp              BIGINT NOT NULL,
    doc             TEXT NOT NULL,
    PRIMARY KEY (integration_id, id)
);

ALTER TABLE integrations ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE integrations ADD COLUMN docs_version BIGINT NOT NULL DEFAULT -1;
ALTER TABLE integrations ADD COLUMN docs_fp BIGINT NOT NULL DEFAULT 0;

-- What one apply changed (they share its changed_at), and updated_after.
CREATE INDEX records_by_changed ON records(integration_id, changed_at);
