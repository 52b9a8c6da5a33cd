-- A record's id is derived from its integration, model and remote id, so
-- remote_ids filters go through the primary key: this index only cost a
-- random insert per record written.
DROP INDEX records_by_remote_id;
