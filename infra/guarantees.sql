-- What an auditor relies on: the triggers that keep history append-only, and the two roles.
-- Idempotent. Applied by infra/setup.py under its advisory lock, by the owner of the tables,
-- after schema.sql, the read models' tables and the eventsourcing library's own tables.

-- Refuses any change to history, whoever asks. Only the owner (or a superuser) can disable
-- the trigger, and verify detects what they do while it is off.
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'claims ledger: % on % is refused, history is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'record a correcting event instead';
END;
$$;

DO $$
DECLARE
    protected text;
BEGIN
    FOREACH protected IN ARRAY ARRAY[
        'ledger_events', 'ledger_chain', 'ledger_messages', 'rejected_messages', 'rejected_replays',
        'ledger_offset_resets', 'ledger_held', 'ledger_held_releases', 'ledger_snapshots'
    ] LOOP
        IF NOT EXISTS (
            SELECT 1 FROM pg_trigger
            WHERE tgrelid = protected::regclass AND tgname = protected || '_append_only'
        ) THEN
            EXECUTE format(
                'CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I'
                ' FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()',
                protected || '_append_only', protected);
            EXECUTE format(
                'CREATE TRIGGER %I BEFORE TRUNCATE ON %I'
                ' FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()',
                protected || '_no_truncate', protected);
        END IF;
    END LOOP;
END;
$$;

-- Roles are cluster-wide, so parallel test databases on one server create them concurrently:
-- whoever loses the race gets duplicate_object or unique_violation, and the role exists.
DO $$
DECLARE
    wanted text;
BEGIN
    FOREACH wanted IN ARRAY ARRAY['claims_ledger_writer', 'claims_ledger_reader'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = wanted) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', wanted);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END;
$$;

-- A non-superuser owner must be a member to `SET ROLE` its pooled connections to the writer.
DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        IF NOT pg_has_role(current_user, 'claims_ledger_writer', 'MEMBER') THEN
            EXECUTE format('GRANT claims_ledger_writer TO %I', current_user);
        END IF;
        IF NOT pg_has_role(current_user, 'claims_ledger_reader', 'MEMBER') THEN
            EXECUTE format('GRANT claims_ledger_reader TO %I', current_user);
        END IF;
    END IF;
END;
$$;

-- The library locks the events table IN EXCLUSIVE MODE so that insert order equals commit
-- order. PostgreSQL only lets a role take that lock with UPDATE, DELETE or TRUNCATE rights,
-- which the writer must not have; this owner-run function takes the lock on its behalf.
CREATE OR REPLACE FUNCTION ledger_lock_events_for_append() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    LOCK TABLE public.ledger_events IN EXCLUSIVE MODE;
END;
$$;
REVOKE ALL ON FUNCTION ledger_lock_events_for_append() FROM PUBLIC;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO claims_ledger_writer, claims_ledger_reader',
                   current_database());
END;
$$;
GRANT USAGE ON SCHEMA public TO claims_ledger_writer, claims_ledger_reader;
GRANT EXECUTE ON FUNCTION ledger_lock_events_for_append() TO claims_ledger_writer;

-- The writer: append and read history; move its own offsets and relay positions forward.
GRANT SELECT, INSERT ON ledger_events, ledger_chain, ledger_messages, rejected_messages,
    rejected_replays, ledger_offset_resets, ledger_held, ledger_held_releases, ledger_snapshots
    TO claims_ledger_writer;
GRANT SELECT, INSERT, UPDATE ON ledger_tracking, ledger_relay_progress, ledger_relay_streams
    TO claims_ledger_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO claims_ledger_writer;

-- The reader: reporting and auditing, nothing else.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO claims_ledger_reader;
-- Tables created later (projections, say) are readable for reporting without another start.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO claims_ledger_reader;
