-- The command side's own tables in the events database (same DDL on H2 and PostgreSQL). They were created by each
-- component's constructor before (ADR 0024); IF NOT EXISTS keeps data directories of those versions working.

-- accounts: AccountLookup (HMAC of unique personal values -> user)
CREATE TABLE IF NOT EXISTS account_lookup (key_hash VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL);
CREATE INDEX IF NOT EXISTS account_lookup_user ON account_lookup (user_id);

-- accounts: SessionStore
CREATE TABLE IF NOT EXISTS account_session (session_id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL,
    role VARCHAR(16) NOT NULL, expires_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP);
-- the session list shows when each session began and was last used (issue 13); tables from before lack them
ALTER TABLE account_session ADD COLUMN IF NOT EXISTS created_at TIMESTAMP;
ALTER TABLE account_session ADD COLUMN IF NOT EXISTS last_seen_at TIMESTAMP;
CREATE TABLE IF NOT EXISTS account_role (user_id VARCHAR(64) PRIMARY KEY, role VARCHAR(16) NOT NULL);

-- accounts: AccountPrivacyStore
CREATE TABLE IF NOT EXISTS account_policy (user_id VARCHAR(64) PRIMARY KEY, accepted_version VARCHAR(64),
    accepted_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS account_choices (user_id VARCHAR(64) PRIMARY KEY, model_improvement BOOLEAN NOT NULL,
    analytics_cookies BOOLEAN NOT NULL, product_emails BOOLEAN NOT NULL, policy_version VARCHAR(64),
    updated_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS account_device (session_id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL,
    device_type VARCHAR(1024), os VARCHAR(1024), browser VARCHAR(1024), ip_address VARCHAR(1024),
    recorded_at TIMESTAMP NOT NULL);
CREATE INDEX IF NOT EXISTS account_device_user ON account_device (user_id);

-- apikeys: ApiKeyStore
CREATE TABLE IF NOT EXISTS api_key (key_id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL,
    secret_hash VARCHAR(64) NOT NULL, prefix VARCHAR(32) NOT NULL, label VARCHAR(2000), monthly_budget BIGINT,
    expires_at TIMESTAMP, models VARCHAR(2000) NOT NULL, created_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP,
    last_used_at TIMESTAMP);
CREATE UNIQUE INDEX IF NOT EXISTS api_key_secret ON api_key (secret_hash);
CREATE INDEX IF NOT EXISTS api_key_user ON api_key (user_id);
CREATE TABLE IF NOT EXISTS api_key_prompt (prompt_id VARCHAR(64) PRIMARY KEY, key_id VARCHAR(64) NOT NULL,
    cost BIGINT NOT NULL, answered_at TIMESTAMP);
CREATE INDEX IF NOT EXISTS api_key_prompt_key ON api_key_prompt (key_id, answered_at);

-- conversations: InterruptedPrompts
CREATE TABLE IF NOT EXISTS prompt_in_flight (prompt_id VARCHAR(64) PRIMARY KEY,
    conversation_id VARCHAR(64) NOT NULL, user_id VARCHAR(64) NOT NULL, accepted_at TIMESTAMP NOT NULL);

-- payments: BillingRecordRetention
CREATE TABLE IF NOT EXISTS retention_billing (payment_id VARCHAR(128) PRIMARY KEY, user_id VARCHAR(64) NOT NULL,
    fulfilled_at TIMESTAMP NOT NULL);

-- privacy: RetentionSweep
CREATE TABLE IF NOT EXISTS retention_schedule (name VARCHAR(64) PRIMARY KEY, next_run_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS retention_run (run_id VARCHAR(64) PRIMARY KEY, ran_at TIMESTAMP NOT NULL,
    counts VARCHAR(1000) NOT NULL, held_persons INT NOT NULL);

-- privacy: LegalHolds (the reason stays in the encrypted event only: it is free text)
CREATE TABLE IF NOT EXISTS legal_hold (user_id VARCHAR(64) PRIMARY KEY, placed_by VARCHAR(64),
    placed_at TIMESTAMP NOT NULL);

-- privacy: ConversationRetention
CREATE TABLE IF NOT EXISTS retention_conversation (conversation_id VARCHAR(64) PRIMARY KEY,
    user_id VARCHAR(64) NOT NULL, last_activity_at TIMESTAMP NOT NULL);
CREATE INDEX IF NOT EXISTS retention_conversation_activity ON retention_conversation (last_activity_at);

-- privacy: DataExportProcess
CREATE TABLE IF NOT EXISTS data_export (export_id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL, progress INT NOT NULL, requested_at TIMESTAMP NOT NULL, ready_at TIMESTAMP,
    expires_at TIMESTAMP, size_bytes BIGINT);
CREATE INDEX IF NOT EXISTS data_export_user ON data_export (user_id);

-- privacy: DeviceRecordRetention
CREATE TABLE IF NOT EXISTS retention_device (session_id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL,
    recorded_at TIMESTAMP NOT NULL);

-- privacy: NoticeOutbox
CREATE TABLE IF NOT EXISTS notice_outbox (notice_id VARCHAR(200) PRIMARY KEY, user_id VARCHAR(64) NOT NULL,
    kind VARCHAR(32) NOT NULL, reference VARCHAR(100), created_at TIMESTAMP NOT NULL, sent_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS policy_announcement (version VARCHAR(64) PRIMARY KEY, announced_at TIMESTAMP NOT NULL,
    notices INT NOT NULL);
