"""The history of an institution, doctor or person with what concerns it: the claims settled
there (or for them, or by them), the clawbacks, refunds and sanctions naming it.

Those are other aggregates' events. A claim names its institution, person and doctor only in
`Claim.Settled`, a sanction its target only in `Sanction.Imposed`; their later events (a
reversal, a refusal, a fine paid, an appeal) name neither. So: one pass keeps the events whose
stored JSON holds the quoted name (a byte search on the server, nothing decoded), and whose
decoded fields really name it; a second reads every event of the aggregates they belong to.
Both are one statement; the first is a scan of the log, meant for one entity at a time.
"""

from __future__ import annotations

from uuid import UUID

from infra.queries import HistoryEntry, entity_candidates, history_of
from infra.statement import json_needle
from infra.store import Ledger

# The fields by which another aggregate's event names an institution, doctor or person.
NAMING_FIELDS = ("institution", "person_id", "doctor_id", "target_id")
# The id field that names each related aggregate in its first event, for the `entity` column.
ID_FIELDS = {"Claim": "claim_id", "Clawback": "clawback_id", "Refund": "refund_id"}
ID_FIELDS |= {"Sanction": "sanction_id", "MisuseRecovery": "recovery_id"}


# The `history` kind of an aggregate whose name is not its kind, lowercased.
KINDS = {"MisuseRecovery": "recovery"}


def _label(entry: HistoryEntry) -> str | None:
    aggregate = entry.event_type.split(".", 1)[0]
    field = ID_FIELDS.get(aggregate)
    value = entry.data.get(field) if field else None
    return f"{KINDS.get(aggregate, aggregate.lower())}:{value}" if value else None


def history_with_related(ledger: Ledger, entity: str) -> list[HistoryEntry]:
    """The entity's own events and every event of the aggregates that name it, in log order."""
    own = entity_candidates(entity)
    name = entity.partition(":")[2] if ":" in entity else entity
    needle = json_needle(name)
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT DISTINCT originator_id FROM ledger_events"
            " WHERE position(%s::bytea IN state) > 0 AND NOT originator_id = ANY(%s)",
            (needle, list(own)),
        )
        mentioning = [row["originator_id"] for row in curs.fetchall()]
    entries = history_of(ledger, own | dict.fromkeys(mentioning, ""))
    # Keep the aggregates whose decoded fields name the entity: the byte search also finds a
    # name inside free text, such as a reason.
    related: dict[UUID, str] = {}
    for entry, uuid in entries:
        if uuid in own:
            continue
        if any(entry.data.get(f) == name for f in NAMING_FIELDS):
            related.setdefault(uuid, _label(entry) or f"{entry.event_type}:{uuid}")
    labels = own | related
    return [
        HistoryEntry(e.position, labels[uuid], e.version, e.event_type, e.provenance, e.data)
        for e, uuid in entries
        if uuid in labels
    ]
