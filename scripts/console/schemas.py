"""Marshmallow schemas of the API's bodies, for the OpenAPI document (apispec reads them) and,
for the request body, for loading it. Amounts are decimal strings, as the CLI's --json writes
them: a float would round money."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.sanction_rules import SanctionKind
from scripts.cli.sanctions import BASES, DEFAULT_VIOLATION, REFERRED_TO, TARGET_KINDS


def Amount(*, required: bool = False, allow_none: bool = False) -> fields.String:  # noqa: N802
    """An amount: a decimal string (reads as a field type)."""
    return fields.String(
        required=required,
        allow_none=allow_none,
        metadata={"description": "decimal string, e.g. 1234.50"},
    )


class Me(Schema):
    name = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": ["auditor", "inspector"]})
    can_record = fields.Boolean(required=True)
    recorded_by = fields.String(required=True)


class Point(Schema):
    as_of = fields.DateTime(required=True)
    known_at = fields.DateTime(required=True)


class Balance(Point):
    account = fields.String(required=True)
    balance = Amount(required=True)


class Hospital(Point):
    institution = fields.String(required=True)
    settled_cost = Amount()
    fund_share = Amount()
    visits = fields.Integer()
    refused = Amount()
    recovered = Amount()
    fines = Amount()
    disbursed = Amount()
    deposit_held = Amount()
    budget = Amount(allow_none=True)
    budget_used = Amount(allow_none=True)
    warning_level = fields.String()


class ActiveMeasure(Schema):
    kind = fields.String()
    case_id = fields.String()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)
    legal_basis = fields.String()


class Penalties(Point):
    target = fields.String(required=True)
    suspended = fields.Boolean()
    terminated = fields.Boolean()
    active = fields.List(fields.Nested(ActiveMeasure))
    fines_due = Amount()
    fines_paid = Amount()
    doctor_points = fields.Integer()
    misuse_due = Amount()
    measures = fields.List(fields.Nested("MeasureOnRecord"))


class MeasureOnRecord(Schema):
    """An agreement measure on the target's record and its state on as_of."""

    kind = fields.String()
    state = fields.String(
        metadata={"description": "taken, in_force, done, overdue, lifted, ended, ended_on_appeal"}
    )
    case_id = fields.String()
    decision_document = fields.String()
    decision_date = fields.Date()
    effective_from = fields.Date()
    deadline = fields.Date(allow_none=True)
    last_day = fields.Date(allow_none=True)
    referred_to = fields.String(allow_none=True)


class StatementLine(Schema):
    day = fields.Date()
    position = fields.Integer()
    event = fields.String()
    message_id = fields.UUID()
    recorded_at = fields.DateTime()
    amount = Amount()
    balance = Amount()


class Statement(Schema):
    account = fields.String(required=True)
    from_ = fields.Date(data_key="from", allow_none=True)
    to = fields.Date(allow_none=True)
    known_at = fields.DateTime()
    opening_balance = Amount()
    postings = fields.List(fields.Nested(StatementLine))
    closing_balance = Amount()


class Sanction(Schema):
    sanction_id = fields.String()
    kind = fields.String()
    legal_basis = fields.String()
    case_id = fields.String()
    decision_document = fields.String()
    decision_date = fields.Date()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)
    base_amount = Amount(allow_none=True)
    multiple = fields.String(allow_none=True)
    fine = Amount(allow_none=True)
    paid = Amount(allow_none=True)
    points = fields.Integer(allow_none=True)
    referred_to = fields.String(allow_none=True)
    events = fields.List(fields.String())
    state = fields.String(metadata={"description": "in force, ended, due 100.00, paid, ..."})


class Kafka(Schema):
    cluster = fields.String()
    topic = fields.String()
    partition = fields.Integer()
    offset = fields.Integer()


class HistoryEvent(Schema):
    position = fields.Integer(metadata={"description": "position in the log's global order"})
    entity = fields.String()
    version = fields.Integer()
    type = fields.String(metadata={"description": "e.g. Claim.Settled"})
    occurred_at = fields.DateTime(metadata={"description": "valid time"})
    recorded_at = fields.DateTime(metadata={"description": "known time"})
    committed_at = fields.DateTime(metadata={"description": "the ledger's commit"})
    recorded_by = fields.String()
    message_id = fields.UUID()
    kafka = fields.Nested(Kafka)
    data = fields.Dict(metadata={"description": "the event's own fields"})


def Figure() -> fields.Raw:  # noqa: N802 - reads as a field type
    """A diff's figure: a decimal string, a whole number for counts (visits, doctor_points)."""
    return fields.Raw(
        metadata={"description": "decimal string; a whole number for visits and doctor_points"}
    )


class DiffEvent(Schema):
    position = fields.Integer()
    event = fields.String()
    message_id = fields.UUID()
    document = fields.String(allow_none=True)
    known_at = fields.DateTime()
    amount = Figure()


class DiffFigure(Schema):
    figure = fields.String()
    before = Figure()
    after = Figure()
    difference = Figure()
    unexplained = Figure()
    events = fields.List(fields.Nested(DiffEvent))


class DiffMeasure(ActiveMeasure):
    change = fields.String(metadata={"description": "started or ended being in force"})
    events = fields.List(fields.Nested(DiffEvent))


class Diff(Schema):
    institution = fields.String(metadata={"description": "for kind hospital"})
    account = fields.String(metadata={"description": "for kind balance"})
    target = fields.String(metadata={"description": "for kind penalties"})
    as_of = fields.DateTime()
    known_at = fields.List(fields.DateTime(), metadata={"description": "earlier, later"})
    figures = fields.List(fields.Nested(DiffFigure))
    measures = fields.List(fields.Nested(DiffMeasure), metadata={"description": "penalties"})
    unexplained = fields.Boolean(
        metadata={"description": "a difference the events do not explain (the CLI exits 1)"}
    )


class FundRow(Schema):
    region = fields.String()
    year = fields.Integer()
    scheme = fields.String()
    known_at = fields.DateTime()
    opening_balance = Amount()
    contributions = Amount()
    subsidies = Amount()
    recoveries = Amount()
    other = Amount()
    settlements = Amount()
    closing_balance = Amount()


class SupervisionRow(Schema):
    """One row of `report supervision`: a total, source, violation or sanction kind."""

    year = fields.Integer()
    known_at = fields.DateTime()
    section = fields.String(metadata={"enum": ["total", "source", "violation", "sanction"]})
    name = fields.String()
    label = fields.String()
    cases = fields.Integer()
    found = Amount(allow_none=True)
    refused = Amount(allow_none=True)
    ordered = Amount(allow_none=True)
    recovered = Amount(allow_none=True)


class ReconciledInstitution(Schema):
    institution = fields.String()
    fund_share = Amount()
    refused = Amount()
    net = Amount()


class Reconciliation(Point):
    region = fields.String()
    year = fields.Integer()
    institutions = fields.List(fields.Nested(ReconciledInstitution))
    institutions_net = Amount()
    fund_settlements = Amount()
    cross_region = Amount()


class RejectedMessage(Schema):
    id = fields.Integer()
    reason = fields.String()
    detail = fields.String()
    message_id = fields.UUID(allow_none=True)
    kafka = fields.Nested(Kafka)
    key = fields.String(allow_none=True)
    value_base64 = fields.String(allow_none=True)
    value_text = fields.String(allow_none=True, metadata={"description": "if UTF-8"})
    rejected_at = fields.DateTime()


class HeldMessage(Schema):
    id = fields.Integer()
    held_at = fields.DateTime()
    age_seconds = fields.Integer()
    stream_at = fields.DateTime()
    kafka = fields.Nested(Kafka)
    message_type = fields.String()
    message_id = fields.UUID()
    awaits = fields.String(allow_none=True)
    waits_for = fields.String()
    reason = fields.String()
    detail = fields.String()


class Digest(Schema):
    digest = fields.String(metadata={"description": "POSITION:HASH"})
    position = fields.Integer()
    hash = fields.String()


class Verification(Schema):
    ok = fields.Boolean()
    checked = fields.Integer()
    head = fields.String()
    seconds = fields.Float()
    events_per_second = fields.Integer(allow_none=True)
    extends_digest = fields.String(allow_none=True)
    first_bad_position = fields.Integer()
    problem = fields.String()


class SanctionRequest(Schema):
    """`POST /sanctions`: the `claims-ledger sanction` command's options, by the same names
    (--base is `base`, --target is `target`); who records it comes from the login."""

    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in SanctionKind]))
    target = fields.String(required=True, metadata={"description": "institution, doctor or person"})
    target_kind = fields.String(load_default=None, validate=validate.OneOf(TARGET_KINDS))
    sanction_id = fields.String(
        load_default=None, metadata={"description": "default: derived from the natural key"}
    )
    case_id = fields.String(required=True)
    decision_document = fields.String(required=True)
    decision_date = fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    effective_from = fields.String(load_default=None, metadata={"description": "YYYY-MM-DD"})
    effective_to = fields.String(load_default=None, metadata={"description": "last day in force"})
    legal_basis = fields.String(required=True, validate=validate.OneOf(BASES))
    violation = fields.String(load_default=DEFAULT_VIOLATION)
    base = fields.String(load_default=None, metadata={"description": "fine base, e.g. 15000.00"})
    multiple = fields.String(load_default=None, metadata={"description": "e.g. 2 or 1.5"})
    fine_amount = fields.String(load_default=None, metadata={"description": "article 39 fine"})
    points = fields.Integer(load_default=None, strict=True)
    suspension_months = fields.Integer(load_default=None, strict=True)
    referred_to = fields.String(load_default=None, validate=validate.OneOf(REFERRED_TO))
    region = fields.String(load_default=None, metadata={"description": "default: from the code"})
    message_id = fields.String(load_default=None, metadata={"description": "default: derived"})


class SanctionSent(Schema):
    message_id = fields.UUID()
    type = fields.String()
    sanction_id = fields.String()
    topic = fields.String()
    partition = fields.Integer()
    offset = fields.Integer()
    verdict = fields.String(metadata={"enum": ["pending", "recorded"]})
    verdict_url = fields.String()


class Verdict(Schema):
    message_id = fields.UUID()
    verdict = fields.String(metadata={"enum": ["recorded", "rejected", "pending"]})
    sanction_id = fields.String(allow_none=True, metadata={"description": "when recorded"})
    reason = fields.String(metadata={"description": "when rejected: the reason code"})
    detail = fields.String(metadata={"description": "when rejected"})
    waits_for = fields.String(
        allow_none=True, metadata={"description": "when pending and held: what it waits for"}
    )


class EventMessage(Schema):
    message_id = fields.UUID()
    type = fields.String()
    content_sha256 = fields.String()
    kafka = fields.Nested(Kafka)
    recorded_at = fields.DateTime(metadata={"description": "the ledger's commit"})


class LoggedEvent(HistoryEvent):
    stream_id = fields.UUID(metadata={"description": "the aggregate's id"})
    message = fields.Nested(EventMessage, allow_none=True)


class EventsPage(Schema):
    events = fields.List(fields.Nested(LoggedEvent))
    next_after = fields.Integer(
        allow_none=True, metadata={"description": "pass as `after` for the next page; null: last"}
    )
