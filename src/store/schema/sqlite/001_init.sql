-- Accounts, API keys, scope configs and integrations.
-- Times are BIGINT milliseconds since the Unix epoch, in every table.

CREATE TABLE environments (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

-- API keys are kept only as hashes.
CREATE TABLE api_keys (
    key_hash        TEXT PRIMARY KEY,
    environment_id  TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL
);

CREATE TABLE scope_configs (
    id              TEXT PRIMARY KEY,
    environment_id  TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    name            TEXT,
    is_default      INTEGER NOT NULL DEFAULT 0,
    config          TEXT NOT NULL DEFAULT '{}',
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX scope_configs_one_default ON scope_configs(environment_id)
    WHERE is_default = 1;

-- credentials: sealed (XChaCha20-Poly1305) with the master key, bound to id.
CREATE TABLE integrations (
    id                 TEXT PRIMARY KEY,
    environment_id     TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    tool               TEXT NOT NULL,
    enabled            INTEGER NOT NULL DEFAULT 1,
    auth_invalid       INTEGER NOT NULL DEFAULT 0,
    setup_status       INTEGER NOT NULL DEFAULT 0,
    organization_name  TEXT NOT NULL,
    creator_email      TEXT,
    origin_id          TEXT,
    base_url           TEXT NOT NULL,
    credentials        BLOB NOT NULL,
    scope_config_id    TEXT NOT NULL REFERENCES scope_configs(id),
    data_expired_at    BIGINT,
    created_at         BIGINT NOT NULL
);
CREATE INDEX integrations_environment ON integrations(environment_id, created_at);
