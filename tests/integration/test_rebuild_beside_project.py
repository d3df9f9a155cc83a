"""`rebuild` of one read model while `project` runs: neither loses nor doubles an event."""

from __future__ import annotations

import threading

from infra.store import Ledger, open_ledger
from projections import queries
from projections.check import check, rebuild
from projections.runner import ProjectionError, follow, open_projections
from tests.integration.test_projections import (
    H,
    history_2019,
    lookup,
    point,
    suspend_and_revoke,
)
from tests.integration.workers import wait_until
from tests.projection_events import open_test_ledger


def positions(ledger: Ledger) -> dict[str, int]:
    return {p.model.name: p.position() for p in open_projections(ledger)}


def test_a_project_running_beside_a_rebuild_goes_on_with_the_other_models_then_after_it(
    database_url: str,
) -> None:
    # Three ledgers, as three processes would have: the writer, `project`, and `rebuild`.
    with (
        open_test_ledger(database_url) as writer,
        open_ledger(database_url) as projecting,
        open_ledger(database_url) as rebuilding,
    ):
        history_2019(writer)
        first_head = writer.recorder.max_notification_id() or 0
        stop = threading.Event()
        failures: list[ProjectionError] = []

        def run_project() -> None:
            try:
                follow(projecting, open_projections(projecting), stop, poll_seconds=0.01)
            except ProjectionError as error:
                failures.append(error)

        project = threading.Thread(target=run_project)
        project.start()
        try:
            wait_until(
                lambda: set(positions(writer).values()) == {first_head}, 30, "first catch-up"
            )

            def meanwhile(_: int) -> None:
                # Inside the rebuild's transaction: new facts come, and `project` applies them
                # to the models not being rebuilt while penalties waits for the rebuild.
                suspend_and_revoke(writer)
                head = writer.recorder.max_notification_id() or 0
                wait_until(
                    lambda: positions(writer)["hospitals"] == head, 30, "project beside rebuild"
                )
                assert positions(writer)["penalties"] == first_head

            assert rebuild(rebuilding, ["penalties"], on_page=meanwhile) == first_head
            head = writer.recorder.max_notification_id() or 0
            assert head > first_head
            wait_until(lambda: set(positions(writer).values()) == {head}, 30, "catch-up after")
        finally:
            stop.set()
            project.join()
        assert failures == []
        report = check(writer)
        assert report.ok, report.samples
        # The revoked suspension of suspend_and_revoke: applied once, after the rebuild.
        assert lookup(writer, queries.penalties, H, point("2019-09-14")).suspended
        assert not lookup(writer, queries.penalties, H, point("2019-09-15")).suspended
