-- record_attrs keyed by what it is read by: a record's attributes are its
-- key range, so the table is its own by-record index (one B-tree fewer to
-- write in a sync's apply), and the by-value index carries the record id
-- (finding a parent's children no longer reads the table row).
CREATE TABLE record_attrs_keyed (
    integration_id  TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    record_id       TEXT NOT NULL,
    name            TEXT NOT NULL,
    value           TEXT NOT NULL,
    PRIMARY KEY (integration_id, record_id, name, value)
) WITHOUT ROWID;
INSERT OR IGNORE INTO record_attrs_keyed (integration_id, record_id, name, value)
    SELECT integration_id, record_id, name, value FROM record_attrs
    ORDER BY integration_id, record_id, name, value;
DROP TABLE record_attrs;
ALTER TABLE record_attrs_keyed RENAME TO record_attrs;
CREATE INDEX record_attrs_by_value ON record_attrs(integration_id, name, value);
