"""How many rows each live read model holds: the bench's "rows per event" per read model."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import sql

from infra.store import Ledger
from projections.models import NAMES, read_models
from projections.runner import LIVE_SCHEMA, plain


def row_counts(ledger: Ledger, names: Sequence[str] = NAMES) -> dict[str, dict[str, int]]:
    """Rows of each table of each named live read model (exact counts: a full scan each)."""
    counts: dict[str, dict[str, int]] = {}
    with ledger.datastore.transaction(commit=False) as dict_curs:
        curs = plain(dict_curs)
        for name, model in zip(names, read_models(LIVE_SCHEMA, names), strict=True):
            counts[name] = {}
            for table in model.tables():
                curs.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(LIVE_SCHEMA, table))
                )
                row = curs.fetchone()
                counts[name][table] = int(row[0]) if row else 0
    return counts
