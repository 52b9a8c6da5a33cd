-- What each remote response of the last FULL sync delivered, so that the
-- next FULL sync skips mapping a response whose bytes, and everything else
-- that shapes its records (the scope config, the collected fields), hash as
-- before. key: the request; memo: what the connector needs to carry on
-- without mapping the response (NULL: nothing); ids: the ids of the records
-- it delivered, 24 characters each, for the deletion check. The rows
-- describe the stored records only while pages_version = data_version:
-- every later apply, and every change of selection, moves data_version.

CREATE TABLE sync_pages (
    integration_id  TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    key             TEXT NOT NULL,
    hash            TEXT NOT NULL,
    memo            TEXT,
    ids             TEXT NOT NULL,
    PRIMARY KEY (integration_id, key)
);

ALTER TABLE integrations ADD COLUMN pages_version BIGINT;
