-- Custom field definitions (per environment and model) and, per
-- integration, the integration field each one is mapped onto. Records no
-- longer store an empty custom_fields object: it is filled when served.

CREATE TABLE custom_field_definitions (
    id              TEXT COLLATE "C" PRIMARY KEY,
    environment_id  TEXT COLLATE "C" NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    model           TEXT COLLATE "C" NOT NULL,
    key             TEXT COLLATE "C" NOT NULL,
    label           TEXT COLLATE "C",
    description     TEXT COLLATE "C",
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX custom_field_definitions_key
    ON custom_field_definitions(environment_id, model, key);

CREATE TABLE custom_field_mappings (
    integration_id   TEXT COLLATE "C" NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    custom_field_id  TEXT COLLATE "C" NOT NULL REFERENCES custom_field_definitions(id) ON DELETE CASCADE,
    field_id         TEXT COLLATE "C" NOT NULL REFERENCES integration_fields(id) ON DELETE CASCADE,
    PRIMARY KEY (integration_id, custom_field_id)
);
CREATE INDEX custom_field_mappings_by_field ON custom_field_mappings(field_id);

UPDATE records SET body = replace(body, ',"custom_fields":{}', '');
