-- Issue 15, ADR 0025: each running prompt names the node whose memory holds its model call; nodes keep a lease,
-- and the rows of a node whose lease expired are failed as INTERRUPTED by the others.
ALTER TABLE prompt_in_flight ADD COLUMN IF NOT EXISTS node_id VARCHAR(64);
CREATE TABLE IF NOT EXISTS service_node (node_id VARCHAR(64) PRIMARY KEY, heartbeat_at BIGINT NOT NULL);
