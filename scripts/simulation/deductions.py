"""An indicator deduction (指标性扣款): not tied to claims, decided on a quarter's data.

The office measures an institution's quarter (cost per admission against its target) and
deducts a share of what the fund paid it for that quarter; the ledger bounds a deduction by
those disbursements, so the books pick the institution and the amount from what they disbursed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from scripts.simulation.books import Books
from scripts.simulation.messages import MessageFactory, amount, at, document_number
from scripts.simulation.plan import Phase, Planned

CENT = Decimal("0.01")


def quarter_paid(books: Books, year: int, quarter: int) -> dict[tuple[str, str], Decimal]:
    """What each institution was disbursed for a quarter's months, by scheme."""
    months = {f"{year}-{m:02d}" for m in range(3 * quarter - 2, 3 * quarter + 1)}
    paid: dict[tuple[str, str], Decimal] = {}
    for (code, scheme, period), gross in books.disbursed.items():
        if period in months:
            paid[(code, scheme)] = paid.get((code, scheme), Decimal(0)) + gross
    return paid


def indicator_deduction(
    books: Books,
    ids: MessageFactory,
    month: int,
    deduction_id: str,
    quarter: tuple[int, int],
    share: str,
    decided: date,
) -> Planned | None:
    """A deduction of `share` of the quarter's payments to the hospital paid the most for it
    (None if no hospital was paid): booked on the quarter's last day, decided later."""
    year, number = quarter
    paid = quarter_paid(books, year, number)
    hospitals = [(gross, key) for key, gross in paid.items() if key[0].startswith("H")]
    if not hospitals:
        return None
    gross, (code, scheme) = max(hospitals)
    last_day = date(year, 3 * number + 1, 1) if number < 4 else date(year + 1, 1, 1)
    payload = {
        "deduction_id": deduction_id,
        "institution": code,
        "kind": "indicator",
        "scheme": scheme,
        "period": f"{year}-Q{number}",
        "basis": "次均住院费用超出控制指标",
        "case_id": f"JC-{deduction_id}",
        "decision_document": document_number("医保发", decided.year, deduction_id[-3:]),
        "decision_date": decided.isoformat(),
        "amount": amount((gross * Decimal(share)).quantize(CENT)),
    }
    booked = date.fromordinal(last_day.toordinal() - 1)
    return ids.planned(
        month, Phase.CLAWBACKS, code, "DeductionImposed", at(booked, 0), "fund:audit", payload
    )
