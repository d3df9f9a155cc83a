"""The benchmark's ingest baseline (scripts/bench), kept with the ledger's tables whose rows it
copies: binary COPY of the log's own rows into a scratch table of its shape.

The rows are the events the ingest just stored (same count, same sizes), read beforehand in
chunks; only the COPY and its commit are timed. The scratch table has the events table's
columns and indexes (primary key and position), so both pay the same index upkeep, and no
triggers, chain or tracking: it is what PostgreSQL can take in at most through one connection.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg
from psycopg import sql

SCRATCH = "bench_copy_scratch"
CHUNK = 10_000
COLUMNS = ("originator_id", "originator_version", "topic", "state", "notification_id")
TYPES = ("uuid", "int8", "text", "bytea", "int8")


@dataclass(frozen=True)
class CopyFigures:
    """Rows copied, their bytes, and the seconds spent in COPY."""

    rows: int
    state_bytes: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def copy_rate(database_url: str, events_table: str = "ledger_events") -> CopyFigures:
    """COPY every row of the events table into a fresh scratch table; dropped afterwards."""
    rows = state_bytes = 0
    seconds = 0.0
    columns = sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
    with psycopg.connect(database_url) as reader, psycopg.connect(database_url) as writer:
        writer.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(SCRATCH)))
        writer.execute(
            sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING INDEXES)").format(
                sql.Identifier(SCRATCH), sql.Identifier(events_table)
            )
        )
        writer.commit()
        with reader.cursor(name="bench_copy_source", binary=True) as source:
            source.itersize = CHUNK
            source.execute(
                sql.SQL("SELECT {} FROM {} ORDER BY notification_id").format(
                    columns, sql.Identifier(events_table)
                )
            )
            while chunk := source.fetchmany(CHUNK):
                state_bytes += sum(len(row[3] or b"") for row in chunk)
                seconds += _copy_chunk(writer, columns, chunk)
                rows += len(chunk)
        writer.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(SCRATCH)))
        writer.commit()
    return CopyFigures(rows, state_bytes, seconds)


def _copy_chunk(
    writer: psycopg.Connection[tuple[object, ...]],
    columns: sql.Composable,
    chunk: list[tuple[object, ...]],
) -> float:
    started = time.perf_counter()
    with writer.cursor() as curs:
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(SCRATCH), columns
        )
        with curs.copy(statement) as copy:
            copy.set_types(list(TYPES))
            for row in chunk:
                copy.write_row(row)
    writer.commit()
    return time.perf_counter() - started
