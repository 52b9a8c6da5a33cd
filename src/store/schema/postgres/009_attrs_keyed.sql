-- The by-value index carries the record id, so finding a parent's children
-- is an index-only scan. (SQLite also makes the table its own by-record
-- index; a PostgreSQL table is a heap either way.)
DROP INDEX record_attrs_by_value;
CREATE INDEX record_attrs_by_value ON record_attrs(integration_id, name, value, record_id);
