"""After the county year, the fund statement adds up and the per-institution report sums to it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from psycopg.rows import tuple_row

from infra.settings import Settings
from infra.setup import set_up
from infra.store import Ledger, open_ledger
from projections import queries
from projections.asof import Bitemporal, parse_instant
from projections.reconcile import reconcile
from projections.runner import catch_up, open_projections
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from tests.integration.county import feed_county

REGION = "430422"
INCOME = ("contributions", "subsidies", "recoveries", "other")


@pytest.fixture
def county(settings: Settings, ledger: Ledger, database_url: str) -> Iterator[Ledger]:
    """The tiny county year fed through the broker and worker, read models caught up."""
    set_up(database_url)
    with open_ledger(database_url) as watch:
        feed_county(settings, ledger, watch, county_year(config_for("tiny", None, seed=11)))
        catch_up(watch, open_projections(watch))
        yield watch


def test_the_fund_statement_and_the_institutions_reconcile_after_the_county_year(
    county: Ledger,
) -> None:
    now = datetime.now(UTC)
    at_now = Bitemporal.of(None, None, now)
    with county.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
        years = {y: queries.fund_statement(curs, REGION, y, at_now) for y in (2019, 2020)}
        for lines in (*years[2019].values(), *years[2020].values()):
            # Opening + income - spending = closing, per scheme and year: no flow unaccounted.
            flows = sum((lines[k] for k in INCOME), Decimal(0)) - lines["settlements"]
            assert lines["opening_balance"] + flows == lines["closing_balance"]
        for scheme, lines in years[2020].items():
            assert lines["opening_balance"] == years[2019][scheme]["closing_balance"]
        assert years[2019]["resident"]["settlements"] > 0
        # The per-institution report, pharmacies included, sums to the statement's settlements;
        # the named line for the rest is zero in a county whose persons use its own institutions.
        found = reconcile(curs, REGION, 2019, at_now)
        assert any(i.institution.startswith("P") and i.net > 0 for i in found.institutions)
        assert found.institutions_net == found.fund_settlements > 0
        assert found.cross_region == 0
        # --as-of within the year ends the period there: its closing is that day's balance.
        mid = Bitemporal.of(parse_instant("2019-06-30"), now, now)
        half = queries.fund_statement(curs, REGION, 2019, mid)
        for scheme, lines in half.items():
            account = f"fund:{REGION}:{scheme}:pooled"
            assert lines["closing_balance"] == queries.balance(curs, account, mid)
        assert half["resident"]["settlements"] < years[2019]["resident"]["settlements"]
        assert reconcile(curs, REGION, 2019, mid).cross_region == 0
