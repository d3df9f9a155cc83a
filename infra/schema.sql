-- The ledger's own tables beside the eventsourcing library's `ledger_events` and
-- `ledger_tracking` (the read models' tables: projections/, `set_up_read_models`). Idempotent:
-- applied by infra/setup.py under its advisory lock (`claims-ledger up` and the long-running
-- commands' start); guarantees.sql then adds the triggers and roles.

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
-- The digest of the canonical content of a dead letter that passed the contract: a message id's
-- first decision fixes what the id means, also when it was a rejection (docs/events.md).
ALTER TABLE rejected_messages ADD COLUMN IF NOT EXISTS content_sha256 bytea;
CREATE INDEX IF NOT EXISTS rejected_messages_reason_idx ON rejected_messages (reason, id);
CREATE INDEX IF NOT EXISTS rejected_messages_message_id_idx ON rejected_messages (message_id);

-- The hash chain over the global order: one entry per event, same transaction as the event.
-- `hash` = SHA-256 over the predecessor's hash and the event's stored bytes and position
-- (infra/chain.py has the exact layout; docs/operations.md repeats it for auditors).
CREATE TABLE IF NOT EXISTS ledger_chain (
    position          bigint PRIMARY KEY,
    previous_position bigint NOT NULL,
    hash              bytea NOT NULL CHECK (length(hash) = 32)
);

-- Snapshots of aggregates (infra/snapshots.py), written with the batch that reached their
-- version: a cache of replayed state, appended like the log, never evidence. The chain and
-- `verify` cover the events only; `claims-ledger snapshots-check` compares these with a replay.
CREATE TABLE IF NOT EXISTS ledger_snapshots (
    originator_id      uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic              text NOT NULL,
    state              bytea NOT NULL,
    PRIMARY KEY (originator_id, originator_version)
);

-- How far each relay had published the log, before progress was kept per cluster and topic
-- (below). No longer written; read by a relay name's first stream, which takes the position
-- over if its topic holds records (docs/operations.md, "The relay after a broker reset ...").
CREATE TABLE IF NOT EXISTS ledger_relay_progress (
    relay_name  text PRIMARY KEY,
    position    bigint NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- How far each relay has published the log to one topic of one Kafka cluster; a new cluster or
-- a new topic starts from position 1. The one mutable row per stream: it moves forward only
-- after the broker acknowledged everything up to it, and goes back to 0 only when its topic is
-- found empty (a broker reset that kept its cluster id).
CREATE TABLE IF NOT EXISTS ledger_relay_streams (
    relay_name  text NOT NULL,
    cluster_id  text NOT NULL,
    topic       text NOT NULL,
    position    bigint NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (relay_name, cluster_id, topic)
);

-- Every dead-letter replay and every outcome of one, appended; never updated.
-- kind: 'submitted' (by `rejected replay`), then, written by the worker with the batch that
-- decided the replayed message: 'accepted', 'duplicate' or 'rejected' (reason in `reason`).
CREATE TABLE IF NOT EXISTS rejected_replays (
    id              bigserial PRIMARY KEY,
    rejected_id     bigint NOT NULL, -- rejected_messages.id, as the replay header named it
    kind            text NOT NULL
                    CHECK (kind IN ('submitted', 'accepted', 'duplicate', 'rejected')),
    reason          text,
    detail          text NOT NULL DEFAULT '',
    source_topic    text,
    source_partition integer,
    source_offset   bigint,
    recorded_at     timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rejected_replays_rejected_id_idx ON rejected_replays (rejected_id, id);

-- Every explicit move of a stored Kafka offset (`claims-ledger offsets reset`), appended in
-- the transaction that moves the tracking row; never updated. Offsets are Kafka's next offsets
-- (the next message to read); from_offset is NULL when nothing was stored for the partition.
CREATE TABLE IF NOT EXISTS ledger_offset_resets (
    id               bigserial PRIMARY KEY,
    source_cluster   text NOT NULL,
    source_topic     text NOT NULL,
    source_partition integer NOT NULL,
    from_offset      bigint,
    to_offset        bigint NOT NULL CHECK (to_offset >= 0),
    reason           text NOT NULL CHECK (btrim(reason) <> ''),
    reset_by         text NOT NULL CHECK (btrim(reset_by) <> ''),
    reset_at         timestamptz NOT NULL
);

-- One row per distinct setup applied to this database (infra/setup.py): the fingerprint of the
-- SQL and definitions it applied. A start whose fingerprint is the latest runs no DDL.
CREATE TABLE IF NOT EXISTS ledger_setup (
    fingerprint text PRIMARY KEY,
    applied_at  timestamptz NOT NULL
);

-- Messages held until an entity they reference is known (infra/application/held.py), instead
-- of dead-lettered. Not the event log: a row leaves the hold by a row in ledger_held_releases,
-- both written in the transaction of the batch that held or released it, after which its
-- offset is committed past. A row is owned by its record's topic-partition (source_*).
CREATE TABLE IF NOT EXISTS ledger_held (
    id               bigserial PRIMARY KEY,
    source_cluster   text NOT NULL,
    source_topic     text NOT NULL,
    source_partition integer NOT NULL,
    source_offset    bigint NOT NULL,
    message_key      bytea,
    message_value    bytea,
    message_id       uuid NOT NULL,
    content_sha256   bytea NOT NULL,
    message_type     text NOT NULL,
    entity_keys      text[] NOT NULL,
    awaits           text, -- "kind id"; NULL when held behind an earlier message of its entity
    reason           text NOT NULL, -- its dead letter's reason should the hold limit pass
    detail           text NOT NULL,
    queue_position   bigint NOT NULL,
    stream_at        timestamptz, -- the producer's timestamp, the hold limit's clock
    held_at          timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_held_message_id_idx ON ledger_held (message_id);
CREATE INDEX IF NOT EXISTS ledger_held_cluster_idx ON ledger_held (source_cluster, id);

-- One row per held message that left the hold: 'decided' (accepted, rejected, or held again
-- under a new row) or 'expired' (a dead letter after the hold limit). The primary key makes a
-- second release of the same row (another worker's) fail its batch instead of deciding twice.
CREATE TABLE IF NOT EXISTS ledger_held_releases (
    held_id     bigint PRIMARY KEY REFERENCES ledger_held (id),
    outcome     text NOT NULL CHECK (outcome IN ('decided', 'expired')),
    released_at timestamptz NOT NULL
);
