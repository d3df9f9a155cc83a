"""Which sanction fits which target and legal basis, and the ranges the regulation sets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.calendar import window_months_within
from domain.commands import ImposeSanction
from domain.money import cents
from domain.reasons import Reason, Rejected


class SanctionKind(StrEnum):
    """Every measure an inspector or the fund can decide."""

    INTERVIEW = "interview"
    PUBLIC_CRITICISM = "public_criticism"
    RECTIFICATION = "rectification"
    DEFERRED_SETTLEMENT = "deferred_settlement"  # 暂缓结算: payment held back, claims still settle
    SETTLEMENT_SUSPENSION = "settlement_suspension"
    AGREEMENT_TERMINATION = "agreement_termination"
    FINE = "fine"
    DOCTOR_POINTS = "doctor_points"
    NETWORKED_SETTLEMENT_SUSPENSION = "networked_settlement_suspension"
    REFERRAL = "referral"


class TargetKind(StrEnum):
    """Who a sanction is imposed on."""

    INSTITUTION = "institution"
    DOCTOR = "doctor"
    PERSON = "person"


class LegalBasis(StrEnum):
    """Articles of Decree 735, the service agreement, or the doctor-points rules."""

    ARTICLE_38 = "article_38"
    ARTICLE_39 = "article_39"
    ARTICLE_40 = "article_40"
    ARTICLE_41 = "article_41"
    AGREEMENT = "agreement"
    DOCTOR_POINTS = "doctor_points"


class AppealOutcome(StrEnum):
    """What an appeal decision does to a sanction."""

    UPHELD = "upheld"
    REDUCED = "reduced"
    REVOKED = "revoked"


ANY_TARGET = frozenset(TargetKind)
TARGETS = {
    SanctionKind.INTERVIEW: ANY_TARGET,
    SanctionKind.PUBLIC_CRITICISM: ANY_TARGET,
    SanctionKind.RECTIFICATION: ANY_TARGET,
    SanctionKind.REFERRAL: ANY_TARGET,
    SanctionKind.FINE: frozenset({TargetKind.INSTITUTION, TargetKind.PERSON}),
    SanctionKind.SETTLEMENT_SUSPENSION: frozenset({TargetKind.INSTITUTION}),
    SanctionKind.DEFERRED_SETTLEMENT: frozenset({TargetKind.INSTITUTION}),
    SanctionKind.AGREEMENT_TERMINATION: frozenset({TargetKind.INSTITUTION}),
    SanctionKind.NETWORKED_SETTLEMENT_SUSPENSION: frozenset({TargetKind.PERSON}),
    SanctionKind.DOCTOR_POINTS: frozenset({TargetKind.DOCTOR}),
}
# Kinds whose effect is a window; they can be lifted, and appeals shorten the window.
WINDOW_KINDS = frozenset(
    {
        SanctionKind.RECTIFICATION,
        SanctionKind.DEFERRED_SETTLEMENT,
        SanctionKind.SETTLEMENT_SUSPENSION,
        SanctionKind.AGREEMENT_TERMINATION,
        SanctionKind.NETWORKED_SETTLEMENT_SUSPENSION,
    }
)
# Window kinds that may be decided without a last day: a termination never has one; a deferral
# lasts until the fund lifts it (the office does not know when the institution will comply).
OPEN_ENDED_KINDS = frozenset({SanctionKind.AGREEMENT_TERMINATION, SanctionKind.DEFERRED_SETTLEMENT})
FINE_TARGET = {
    LegalBasis.ARTICLE_38: TargetKind.INSTITUTION,
    LegalBasis.ARTICLE_39: TargetKind.INSTITUTION,
    LegalBasis.ARTICLE_40: TargetKind.INSTITUTION,
    LegalBasis.ARTICLE_41: TargetKind.PERSON,
}
MULTIPLE_RANGE = {
    LegalBasis.ARTICLE_38: (Decimal(1), Decimal(2)),
    LegalBasis.ARTICLE_40: (Decimal(2), Decimal(5)),
    LegalBasis.ARTICLE_41: (Decimal(2), Decimal(5)),
}
FIXED_FINE_RANGE = (Decimal(10000), Decimal(50000))  # article 39
# Window lengths in whole months by (kind, basis); other bases are agreement measures.
WINDOW_MONTHS = {
    (SanctionKind.SETTLEMENT_SUSPENSION, LegalBasis.ARTICLE_38): (6, 12),
    (SanctionKind.SETTLEMENT_SUSPENSION, LegalBasis.ARTICLE_40): (6, 12),
    (SanctionKind.NETWORKED_SETTLEMENT_SUSPENSION, LegalBasis.ARTICLE_41): (3, 12),
}
ALLOWED_BASES = {
    SanctionKind.FINE: frozenset(FINE_TARGET),
    SanctionKind.SETTLEMENT_SUSPENSION: frozenset(
        {LegalBasis.ARTICLE_38, LegalBasis.ARTICLE_40, LegalBasis.AGREEMENT}
    ),
    SanctionKind.AGREEMENT_TERMINATION: frozenset({LegalBasis.ARTICLE_40, LegalBasis.AGREEMENT}),
    SanctionKind.DEFERRED_SETTLEMENT: frozenset({LegalBasis.AGREEMENT}),
    SanctionKind.NETWORKED_SETTLEMENT_SUSPENSION: frozenset(
        {LegalBasis.ARTICLE_41, LegalBasis.AGREEMENT}
    ),
    SanctionKind.DOCTOR_POINTS: frozenset({LegalBasis.DOCTOR_POINTS}),
}
DOCTOR_POINTS_RANGE = (1, 12)
DOCTOR_SUSPENSION_MONTHS = (1, 6)


def invalid(detail: str) -> Rejected:
    """A sanction whose fields contradict each other."""
    return Rejected(Reason.SCHEMA_INVALID, detail)


def check_imposition(command: ImposeSanction) -> Decimal | None:
    """Every rule a sanction's own fields must meet, in the order the ledger applies them; the
    fine it sets (None if it is not a fine). Needs no state, so the CLI runs it before sending."""
    check_fits(command.kind, command.target_kind, command.legal_basis)
    if command.kind == SanctionKind.DOCTOR_POINTS:
        check_doctor_points(command.points, command.suspension_months)
    elif (command.points, command.suspension_months) != (None, None):
        raise invalid(f"a {command.kind} has no points or suspension_months")
    if (command.kind == SanctionKind.REFERRAL) != (command.referred_to is not None):
        raise invalid("referred_to is stated by, and only by, a referral")
    check_window(command.kind, command.legal_basis, command.effective_from, command.effective_to)
    if command.kind == SanctionKind.FINE:
        return fine_amount(
            command.legal_basis, command.base_amount, command.multiple, command.fine_amount
        )
    if (command.base_amount, command.multiple, command.fine_amount) != (None, None, None):
        raise invalid(f"a {command.kind} has no base_amount, multiple or fine_amount")
    return None


def check_fits(kind: str, target_kind: str, legal_basis: str) -> None:
    """Refuse a kind imposed on a target, or under a basis, it does not apply to."""
    if target_kind not in TARGETS[SanctionKind(kind)]:
        raise invalid(f"a {kind} cannot be imposed on a {target_kind}")
    bases = ALLOWED_BASES.get(SanctionKind(kind))
    if bases is not None and legal_basis not in bases:
        raise invalid(f"a {kind} cannot rest on {legal_basis}")
    if kind == SanctionKind.FINE and FINE_TARGET[LegalBasis(legal_basis)] != target_kind:
        raise invalid(
            f"a fine under {legal_basis} is imposed on a {FINE_TARGET[LegalBasis(legal_basis)]}"
        )


def fine_amount(
    legal_basis: str,
    base_amount: Decimal | None,
    multiple: Decimal | None,
    fixed_amount: Decimal | None,
) -> Decimal:
    """The fine: multiple times base within the article's range, or article 39's fixed amount."""
    if legal_basis == LegalBasis.ARTICLE_39:
        if fixed_amount is None or base_amount is not None or multiple is not None:
            raise invalid("an article 39 fine states fine_amount only")
        low, high = FIXED_FINE_RANGE
        if not low <= fixed_amount <= high:
            raise Rejected(
                Reason.OUT_OF_RANGE, f"an article 39 fine lies in {low}-{high}, not {fixed_amount}"
            )
        return fixed_amount
    if base_amount is None or multiple is None or fixed_amount is not None:
        raise invalid(f"a fine under {legal_basis} states base_amount and multiple only")
    check_multiple(legal_basis, multiple)
    return cents(base_amount * multiple)


def check_multiple(legal_basis: str, multiple: Decimal) -> None:
    """Refuse a multiple outside its article's range."""
    low, high = MULTIPLE_RANGE[LegalBasis(legal_basis)]
    if not low <= multiple <= high:
        raise Rejected(
            Reason.OUT_OF_RANGE,
            f"a fine multiple under {legal_basis} lies in {low}-{high} times, not {multiple}",
        )


def check_window(
    kind: str, legal_basis: str, effective_from: date, effective_to: date | None
) -> None:
    """Refuse windows that are missing, backwards, or of a length the article forbids."""
    if effective_to is not None and effective_to < effective_from:
        raise Rejected(
            Reason.DATES_OUT_OF_ORDER,
            f"effective_to {effective_to} is before effective_from {effective_from}",
        )
    needs_end = kind in WINDOW_KINDS and kind not in OPEN_ENDED_KINDS
    if needs_end and effective_to is None:
        raise invalid(f"a {kind} needs an effective_to")
    if kind == SanctionKind.AGREEMENT_TERMINATION and effective_to is not None:
        raise invalid("an agreement termination has no effective_to")
    months = WINDOW_MONTHS.get((SanctionKind(kind), LegalBasis(legal_basis)))
    if months is not None and effective_to is not None:
        shortest, longest = months
        if not window_months_within(effective_from, effective_to, shortest, longest):
            raise Rejected(
                Reason.OUT_OF_RANGE,
                f"a {kind} under {legal_basis} lasts {shortest}-{longest} months, "
                f"not {effective_from} to {effective_to}",
            )


def check_doctor_points(points: int | None, suspension_months: int | None) -> None:
    """Refuse points or a suspension length outside the doctor-points rules."""
    if points is None or suspension_months is None:
        raise invalid("doctor_points states points and suspension_months")
    if not DOCTOR_POINTS_RANGE[0] <= points <= DOCTOR_POINTS_RANGE[1]:
        raise Rejected(Reason.OUT_OF_RANGE, f"points per incident lie in 1-12, not {points}")
    low, high = DOCTOR_SUSPENSION_MONTHS
    if not low <= suspension_months <= high:
        raise Rejected(
            Reason.OUT_OF_RANGE,
            f"a doctor suspension lasts {low}-{high} months, not {suspension_months}",
        )
