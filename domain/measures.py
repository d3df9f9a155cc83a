"""Agreement measures (协议管理措施) in the penalty status, and how each stands on a day.

Interviews (约谈), public criticisms (通报批评) and referrals (移送) are acts done on a day: from
then on they are on the target's record (`taken`), with nothing in force. A rectification order
(责令整改/限期整改) is in force from its effective date through its deadline (`effective_to`)
unless it is recorded done first (`SanctionLifted`: from the day it is lifted it is `done`).
Once the deadline passes without that record the order is `overdue`, no longer in force: the
order ran its term, and refusing to correct is a new finding the office decides as a new
sanction (条例 第三十八条: suspension), so the ledger does not keep an overdue order in force for
ever, and a rectification done after its deadline cannot be recorded as done in time. A deferred
settlement (暂缓结算) is in force until its last day (`ended`) or until it is `lifted`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.sanction_rules import WINDOW_KINDS, SanctionKind

MEASURE_KINDS = frozenset(
    {
        SanctionKind.INTERVIEW,
        SanctionKind.PUBLIC_CRITICISM,
        SanctionKind.RECTIFICATION,
        SanctionKind.DEFERRED_SETTLEMENT,
        SanctionKind.REFERRAL,
    }
)
# Measures with a window: shown among the sanctions in force while it runs.
WINDOWED_MEASURES = MEASURE_KINDS & WINDOW_KINDS


class EndedBy(StrEnum):
    """What ended a measure's window before its planned last day."""

    LIFTED = "lifted"
    APPEAL = "appeal"


class MeasureState(StrEnum):
    """Where a measure stands on a day."""

    TAKEN = "taken"  # an act on its day: interview, public criticism, referral
    IN_FORCE = "in_force"
    DONE = "done"  # a rectification recorded done before its deadline
    OVERDUE = "overdue"  # a rectification whose deadline passed without being recorded done
    LIFTED = "lifted"  # a deferred settlement lifted before its last day
    ENDED = "ended"  # a deferred settlement past its last day
    ENDED_ON_APPEAL = "ended_on_appeal"  # revoked or shortened by an appeal decision


def measure_state(
    kind: str,
    *,
    effective_from: date,
    last_day: date | None,
    ended_by: str | None,
    day: date,
) -> MeasureState | None:
    """How a measure stands on `day` (None before it takes effect). `last_day` is its last day
    in force as known (after any lift or appeal; None: open-ended), `ended_by` what cut it."""
    if day < effective_from:
        return None
    over = last_day is not None and day > last_day
    if over and ended_by == EndedBy.APPEAL:
        return MeasureState.ENDED_ON_APPEAL  # an act revoked on appeal, or a window cut by one
    if kind not in WINDOWED_MEASURES:
        return MeasureState.TAKEN
    if not over:
        return MeasureState.IN_FORCE
    rectification = kind == SanctionKind.RECTIFICATION
    if ended_by == EndedBy.LIFTED:
        return MeasureState.DONE if rectification else MeasureState.LIFTED
    return MeasureState.OVERDUE if rectification else MeasureState.ENDED
