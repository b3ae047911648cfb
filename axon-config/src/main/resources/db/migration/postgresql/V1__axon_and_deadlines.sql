-- The events database on PostgreSQL: Axon's event, snapshot and token tables, the dead-letter table (payments
-- Stripe inbox) and db-scheduler's table of Axon's deadlines. Axon's DDL is what its table factories generate
-- (PostgresEventTableFactory, PostgresTokenTableFactory, GenericDeadLetterTableFactory with BYTEA),
-- only with IF NOT EXISTS everywhere: a data directory made by the hand-run DDL of earlier versions migrates
-- cleanly (it is baselined at version 0, then this script finds its tables in place; ADR 0024).

CREATE TABLE IF NOT EXISTS DomainEventEntry (
globalIndex BIGSERIAL NOT NULL,
aggregateIdentifier VARCHAR(255) NOT NULL,
sequenceNumber BIGINT NOT NULL,
type VARCHAR(255),
eventIdentifier VARCHAR(255) NOT NULL,
metaData bytea,
payload bytea NOT NULL,
payloadRevision VARCHAR(255),
payloadType VARCHAR(255) NOT NULL,
timeStamp  VARCHAR(255) NOT NULL  ,
PRIMARY KEY (globalIndex),
UNIQUE (aggregateIdentifier, sequenceNumber),
UNIQUE (eventIdentifier)
);

CREATE TABLE IF NOT EXISTS SnapshotEventEntry (
aggregateIdentifier VARCHAR(255) NOT NULL,
sequenceNumber BIGINT NOT NULL,
type VARCHAR(255) NOT NULL,
eventIdentifier VARCHAR(255) NOT NULL,
metaData bytea,
payload bytea NOT NULL,
payloadRevision VARCHAR(255),
payloadType VARCHAR(255) NOT NULL,
timeStamp  VARCHAR(255) NOT NULL  ,
PRIMARY KEY (aggregateIdentifier, sequenceNumber),
UNIQUE (eventIdentifier)
);

CREATE TABLE IF NOT EXISTS TokenEntry (
processorName VARCHAR(255) NOT NULL,
segment INTEGER NOT NULL,
token bytea NULL,
tokenType VARCHAR(255) NULL,
timestamp VARCHAR(255) NULL,
owner VARCHAR(255) NULL,
PRIMARY KEY (processorName,segment)
);

CREATE TABLE IF NOT EXISTS DeadLetterEntry (
deadLetterIdentifier VARCHAR(255) NOT NULL,
processingGroup VARCHAR(255) NOT NULL,
sequenceIdentifier VARCHAR(255) NOT NULL,
sequenceIndex BIGINT NOT NULL,
messageType VARCHAR(255) NOT NULL,
eventIdentifier VARCHAR(255) NOT NULL,
timestamp VARCHAR(255) NOT NULL,
payloadType VARCHAR(255) NOT NULL,
payloadRevision VARCHAR(255),
payload BYTEA NOT NULL,
metaData BYTEA,
type VARCHAR(255),
aggregateIdentifier VARCHAR(255),
sequenceNumber BIGINT,
tokenType VARCHAR(255),
token BYTEA,
enqueuedAt VARCHAR(255) NOT NULL,
lastTouched VARCHAR(255),
processingStarted VARCHAR(255),
causeType VARCHAR(255),
causeMessage VARCHAR(1023),
diagnostics BYTEA,
CONSTRAINT PK PRIMARY KEY (deadLetterIdentifier),
CONSTRAINT sequenceIndex_INDEX UNIQUE (processingGroup,sequenceIdentifier,sequenceIndex)
);

CREATE INDEX IF NOT EXISTS processingGroup_INDEX ON DeadLetterEntry (processingGroup);

CREATE INDEX IF NOT EXISTS sequenceIdentifier_INDEX ON DeadLetterEntry (processingGroup,sequenceIdentifier);

-- db-scheduler (Axon's DbSchedulerDeadlineManager: hold and prompt expiry); db-scheduler does not create it
CREATE TABLE IF NOT EXISTS scheduled_tasks (
task_name varchar(100) not null,
task_instance varchar(100) not null,
task_data bytea,
execution_time timestamp with time zone not null,
picked boolean not null,
picked_by varchar(50),
last_success timestamp with time zone,
last_failure timestamp with time zone,
consecutive_failures int,
last_heartbeat timestamp with time zone,
version bigint not null,
priority smallint,
primary key (task_name, task_instance)
);

CREATE INDEX IF NOT EXISTS scheduled_tasks_execution_time_idx ON scheduled_tasks (execution_time);
