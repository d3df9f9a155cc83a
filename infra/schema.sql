-- The ledger's own tables beside the eventsourcing library's `ledger_events` and
-- `ledger_tracking`. Idempotent: applied on every start.

-- One row per accepted message: the idempotency key across topics, partitions and restarts,
-- and the provenance of the events it produced.
CREATE TABLE IF NOT EXISTS ledger_messages (
    message_id       uuid PRIMARY KEY,
    content_sha256   bytea NOT NULL,
    message_type     text NOT NULL,
    source_cluster   text NOT NULL,
    source_topic     text NOT NULL,
    source_partition integer NOT NULL,
    source_offset    bigint NOT NULL,
    recorded_at      timestamptz NOT NULL
);

-- Dead letters: every message that could not be accepted, with its original bytes.
CREATE TABLE IF NOT EXISTS rejected_messages (
    id               bigserial PRIMARY KEY,
    source_cluster   text NOT NULL,
    source_topic     text NOT NULL,
    source_partition integer NOT NULL,
    source_offset    bigint NOT NULL,
    message_key      bytea,
    message_value    bytea,
    message_id       uuid,
    reason           text NOT NULL,
    detail           text NOT NULL,
    rejected_at      timestamptz NOT NULL,
    UNIQUE (source_cluster, source_topic, source_partition, source_offset)
);
CREATE INDEX IF NOT EXISTS rejected_messages_reason_idx ON rejected_messages (reason, id);
CREATE INDEX IF NOT EXISTS rejected_messages_message_id_idx ON rejected_messages (message_id);
