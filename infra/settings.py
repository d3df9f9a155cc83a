"""Settings, read once from the environment in `main()` and passed on explicitly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


CONSUMER_MODES = ("group", "assign")
# Committed aggregates the worker keeps across batches: a county of 70 000 persons has about
# 140 000 persons and accounts, so this holds most of them (a miss reads a snapshot and replays,
# over 200 µs an event more when most miss) for about 1 KB each: 237 MB at a million events
# against 290 MB for all of them (docs/benchmarks.md, "The 1M profile").
DEFAULT_AGGREGATE_CACHE_SIZE = 100_000


@dataclass(frozen=True)
class Settings:
    """Where the ledger's services are and how to talk to them.

    A `None` address means: use the embedded service kept under `home`.
    """

    database_url: str | None
    kafka_bootstrap_servers: str | None
    topic_prefix: str = "ledger."
    home: Path = Path(".ledger")
    consumer_group: str = "claims-ledger"
    topic_partitions: int = 3
    # Tansu completes a group join only after the rebalance timeout, so dev runs keep it short.
    max_poll_interval_ms: int = 300_000
    max_poll_records: int = 500
    # How long a fetch waits for data at the broker. Tansu answers a fetch only when this wait
    # is over, even if data arrived meanwhile, so it is the latency of a quiet consumer.
    fetch_max_wait_ms: int = 100
    # "group": partitions are shared out by the consumer group (several workers, failover).
    # "assign": the worker takes every partition itself, no group: no join, no rebalance
    # stalls; only ONE worker may then run against a store (docs/operations.md).
    consumer_mode: str = "group"
    # Committed aggregates the worker keeps across batches (infra/application/cache.py); 0 disables.
    aggregate_cache_size: int = DEFAULT_AGGREGATE_CACHE_SIZE
    # Seconds an outage of PostgreSQL or the broker may last, from its first failure, before a
    # worker exits non-zero for its supervisor to see (consumers/backoff.py).
    outage_give_up_s: int = 300
    # How often a running worker compares its stored offsets with the broker's log and its
    # cluster id with the broker's (consumers/offset_check.py).
    offset_check_interval_s: int = 30
    # How long the worker's merge waits for an assigned partition that has nothing buffered and
    # is not known caught up before deciding without it (Kafka Streams' max.task.idle.ms,
    # consumers/merge.py). Longer keeps the order across topics through slower fetches; it
    # costs latency only while such a partition lags (docs/operations.md).
    merge_idle_ms: int = 2_000
    # Records buffered per partition before the worker pauses fetching it (resumed at half); 0
    # never pauses. Bounds the worker's memory when a long stream was published before it
    # started (the merge holds what it cannot let go yet); resuming relies on the workaround
    # in infra/kafka.py `poll`.
    merge_buffer_records: int = 2_000
    # Who records what the CLI sends (`recorded_by`, e.g. `inspector:zhang`): a stated identity
    # for the traceable record, never guessed from the OS login (a shared account names no one).
    recorded_by: str | None = None
    # The hold limit of messages held for a reference not known yet (infra/application/held.py):
    # a held message becomes a dead letter once a later record's producer timestamp is more
    # than this many seconds past its own (stream time, so the outcome is deterministic), or
    # when more than this many messages are held (the oldest go first).
    hold_stream_s: int = 86_400
    hold_max_messages: int = 10_000

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        database_url = env.get("LEDGER_DATABASE_URL") or None
        bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS") or None
        embedded_broker = bootstrap is None
        consumer_mode = env.get("LEDGER_CONSUMER_MODE") or (
            "assign" if embedded_broker else "group"
        )
        if consumer_mode not in CONSUMER_MODES:
            raise ValueError(
                f"LEDGER_CONSUMER_MODE must be one of {', '.join(CONSUMER_MODES)},"
                f" got {consumer_mode!r}"
            )
        return cls(
            database_url=database_url,
            kafka_bootstrap_servers=bootstrap,
            topic_prefix=env.get("LEDGER_TOPIC_PREFIX", "ledger."),
            home=Path(env.get("LEDGER_HOME", ".ledger")),
            consumer_group=env.get("LEDGER_CONSUMER_GROUP", "claims-ledger"),
            topic_partitions=_int(env, "LEDGER_TOPIC_PARTITIONS", 3),
            max_poll_interval_ms=_int(
                env, "LEDGER_MAX_POLL_INTERVAL_MS", 3_000 if embedded_broker else 300_000
            ),
            max_poll_records=_int(env, "LEDGER_MAX_POLL_RECORDS", 500),
            fetch_max_wait_ms=_int(env, "LEDGER_FETCH_MAX_WAIT_MS", 100),
            aggregate_cache_size=_int(
                env, "LEDGER_AGGREGATE_CACHE_SIZE", DEFAULT_AGGREGATE_CACHE_SIZE
            ),
            consumer_mode=consumer_mode,
            outage_give_up_s=_int(env, "LEDGER_OUTAGE_GIVE_UP_S", 300),
            offset_check_interval_s=_int(env, "LEDGER_OFFSET_CHECK_S", 30),
            merge_idle_ms=_int(env, "LEDGER_MERGE_IDLE_MS", 2_000),
            merge_buffer_records=_int(env, "LEDGER_MERGE_BUFFER_RECORDS", 2_000),
            recorded_by=env.get("LEDGER_RECORDED_BY") or None,
            hold_stream_s=_int(env, "LEDGER_HOLD_STREAM_S", 86_400),
            hold_max_messages=_int(env, "LEDGER_HOLD_MAX_MESSAGES", 10_000),
        )
