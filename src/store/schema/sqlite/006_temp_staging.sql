-- Staging moved to temporary tables of the connection a run holds (records.c).
DROP TABLE staged_values;
DROP TABLE staged_attrs;
DROP TABLE staged_records;
