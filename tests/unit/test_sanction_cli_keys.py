"""The sanction CLI's derived ids, flag names in errors, and the listing's fold of events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from consumers.schemas.base import OPAQUE_ID
from scripts.cli.sanction_flags import name_flags
from scripts.cli.sanction_keys import message_id, sanction_id
from scripts.cli.sanction_list import summaries

DOC = "衡南医保罚〔2020〕7号"  # noqa: RUF001 - the real bracket


def test_a_sanction_id_is_the_same_for_the_same_natural_key_and_fits_the_contract() -> None:
    first = sanction_id("HN-JC-2020-007", DOC, "fine", "H43042200011")
    assert first == sanction_id("HN-JC-2020-007", DOC, "fine", "H43042200011")
    OPAQUE_ID(first)  # raises if the contract would refuse it
    others = {
        sanction_id("HN-JC-2020-008", DOC, "fine", "H43042200011"),
        sanction_id("HN-JC-2020-007", DOC + "1", "fine", "H43042200011"),
        sanction_id("HN-JC-2020-007", DOC, "settlement_suspension", "H43042200011"),
        sanction_id("HN-JC-2020-007", DOC, "fine", "H43042200012"),
        # The separator keeps shifted boundaries apart.
        sanction_id("HN-JC-2020-00", "7" + DOC, "fine", "H43042200011"),
    }
    assert first not in others
    assert len(others) == 4 + 1


def test_a_message_id_depends_on_the_event_type_and_its_key() -> None:
    assert message_id("FinePaid", "SAN-1", "GK-1") == message_id("FinePaid", "SAN-1", "GK-1")
    assert message_id("FinePaid", "SAN-1", "GK-1") != message_id("FinePaid", "SAN-1", "GK-2")
    assert message_id("AppealFiled", "SAN-1", "GK-1") != message_id("FinePaid", "SAN-1", "GK-1")


def test_errors_name_the_flags_not_the_payload_fields() -> None:
    said = name_flags('payload: {"base_amount": ["invalid_amount: \'1e3\'"]}', "--decision-date")
    assert said == "--base: invalid_amount: '1e3'"
    said = name_flags("effective_to 2020-04-01 is before effective_from 2020-05-01", "--date")
    assert said == "--effective-to 2020-04-01 is before --effective-from 2020-05-01"
    assert name_flags('{"violation": ["Must be one of"]}', "--date") == (
        '{--violation: ["Must be one of"]}'
    )
    # Prose that uses a plain word keeps it.
    assert name_flags("a fine of this kind", "--date") == "a fine of this kind"


def test_the_listing_folds_payments_and_appeals_into_the_state() -> None:
    fine, interview = uuid4(), uuid4()
    imposed = {
        "sanction_id": "SAN-1",
        "kind": "fine",
        "legal_basis": "article_40",
        "case_id": "C",
        "decision_document": DOC,
        "decision_date": date(2020, 4, 15),
        "effective_from": date(2020, 4, 15),
        "effective_to": None,
        "base_amount": Decimal("5525.00"),
        "multiple": Decimal(3),
        "fine_amount": Decimal("16575.00"),
        "points": None,
        "referred_to": None,
    }
    found = summaries(
        [
            (fine, "Sanction.Imposed", imposed),
            (interview, "Sanction.Imposed", {**imposed, "sanction_id": "SAN-2",
                                             "kind": "interview", "base_amount": None,
                                             "multiple": None, "fine_amount": None}),
            (fine, "Sanction.AppealFiled", {"appeal_id": "SS-1"}),
            (fine, "Sanction.AppealDecided", {"outcome": "reduced", "fine_amount":
                                              Decimal("11050.00"), "multiple": Decimal(2),
                                              "effective_to": None, "points": None}),
            (fine, "Sanction.FinePaid", {"amount": Decimal("11050.00")}),
        ]
    )  # fmt: skip
    today = date(2020, 6, 1)
    assert [(s.sanction_id, s.state(today)) for s in found] == [
        ("SAN-1", "paid, appeal reduced"),
        ("SAN-2", "recorded"),
    ]
