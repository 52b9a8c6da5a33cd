-- PostgreSQL dialect of ../sqlite/001_init.sql: the same tables, indexes and
-- names; every text column compares bytewise (COLLATE "C"), as SQLite does,
-- so ordered answers are the same on both backends; blobs are BYTEA.

-- Accounts, API keys, scope configs and integrations.
-- Times are BIGINT milliseconds since the Unix epoch, in every table.

CREATE TABLE environments (
    id          TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

-- API keys are kept only as hashes.
CREATE TABLE api_keys (
    key_hash        TEXT COLLATE "C" PRIMARY KEY,
    environment_id  TEXT COLLATE "C" NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL
);

CREATE TABLE scope_configs (
    id              TEXT COLLATE "C" PRIMARY KEY,
    environment_id  TEXT COLLATE "C" NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    name            TEXT COLLATE "C",
    is_default      INTEGER NOT NULL DEFAULT 0,
    config          TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX scope_configs_one_default ON scope_configs(environment_id)
    WHERE is_default = 1;

-- credentials: sealed (XChaCha20-Poly1305) with the master key, bound to id.
CREATE TABLE integrations (
    id                 TEXT COLLATE "C" PRIMARY KEY,
    environment_id     TEXT COLLATE "C" NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    tool               TEXT COLLATE "C" NOT NULL,
    enabled            INTEGER NOT NULL DEFAULT 1,
    auth_invalid       INTEGER NOT NULL DEFAULT 0,
    setup_status       INTEGER NOT NULL DEFAULT 0,
    organization_name  TEXT COLLATE "C" NOT NULL,
    creator_email      TEXT COLLATE "C",
    origin_id          TEXT COLLATE "C",
    base_url           TEXT COLLATE "C" NOT NULL,
    credentials        BYTEA NOT NULL,
    scope_config_id    TEXT COLLATE "C" NOT NULL REFERENCES scope_configs(id),
    data_expired_at    BIGINT,
    created_at         BIGINT NOT NULL
);
CREATE INDEX integrations_environment ON integrations(environment_id, created_at);
