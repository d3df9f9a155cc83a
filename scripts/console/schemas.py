"""Marshmallow schemas of the API's bodies, for the OpenAPI document (apispec reads them) and,
for the request body, for loading it. Amounts are decimal strings, as the CLI's --json writes
them: a float would round money."""

from __future__ import annotations

from marshmallow import Schema, fields


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
