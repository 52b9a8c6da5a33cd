-- Staged rows carry the number of the page they came with, so a run is
-- applied (and its staging dropped) one page at a time inside its single
-- transaction: the memory that takes stays that of one page, whatever the
-- size of the run. Rows staged before this migration are batch 0.

ALTER TABLE staged_records ADD COLUMN batch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staged_attrs ADD COLUMN batch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staged_values ADD COLUMN batch INTEGER NOT NULL DEFAULT 0;

CREATE INDEX staged_records_by_batch ON staged_records(run_id, batch);
DROP INDEX staged_attrs_by_run;
CREATE INDEX staged_attrs_by_batch ON staged_attrs(run_id, batch);
DROP INDEX staged_values_by_run;
CREATE INDEX staged_values_by_batch ON staged_values(run_id, batch);
