-- The key vault's own database (ADR 0024): keys only ever stored wrapped by the KEK. IF NOT EXISTS: a vault
-- created by the hand-run DDL of earlier versions is baselined at version 0 and migrates cleanly.
CREATE TABLE IF NOT EXISTS platform_secret (name VARCHAR(64) PRIMARY KEY, kek_id VARCHAR(32) NOT NULL,
    sealed BYTEA NOT NULL);
-- One row per key scope: the wrapped key while ACTIVE, and the tombstone once FENCED/DESTROYED.
CREATE TABLE IF NOT EXISTS scope_key (scope VARCHAR(128) PRIMARY KEY, owner_id VARCHAR(64),
    state VARCHAR(16) NOT NULL, kek_id VARCHAR(32), sealed BYTEA, fingerprint VARCHAR(64) NOT NULL,
    created_at TIMESTAMP NOT NULL, fenced_at TIMESTAMP, destroyed_at TIMESTAMP, request_id VARCHAR(64));
CREATE INDEX IF NOT EXISTS scope_key_owner ON scope_key (owner_id);
