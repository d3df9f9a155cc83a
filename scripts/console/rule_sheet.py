"""The sanction rules the inspectors' form shows beside its fields, read from the very tables
the domain checks a sanction against (domain/sanction_rules.py): one rule set, no copy in JS."""

from __future__ import annotations

from typing import Any

from consumers.schemas.sanctions import REFERRED_TO
from domain import sanction_rules as rules
from scripts.cli.sanctions import BASES


def _basis_option(basis: str) -> str:
    """The form's (and the CLI's) spelling of a legal basis: article_38 is typed 38."""
    return basis.removeprefix("article_")


def rule_sheet() -> dict[str, Any]:
    """Per kind: the targets it fits, the bases it may rest on, the ranges the regulation sets."""
    kinds: dict[str, Any] = {}
    for kind in rules.SanctionKind:
        bases = rules.ALLOWED_BASES.get(kind)
        windows = {
            _basis_option(basis): list(months)
            for (windowed, basis), months in rules.WINDOW_MONTHS.items()
            if windowed == kind
        }
        kinds[kind.value] = {
            "targets": sorted(rules.TARGETS[kind]),
            "bases": sorted(_basis_option(b) for b in bases) if bases else list(BASES),
            "needs_effective_to": kind in rules.WINDOW_KINDS
            and kind != rules.SanctionKind.AGREEMENT_TERMINATION,
            "no_effective_to": kind == rules.SanctionKind.AGREEMENT_TERMINATION,
            "window_months": windows,
        }
    return {
        "kinds": kinds,
        "bases": list(BASES),
        "target_kinds": [t.value for t in rules.TargetKind],
        "referred_to": list(REFERRED_TO.choices),
        "fine_target": {_basis_option(b): t.value for b, t in rules.FINE_TARGET.items()},
        "multiple_range": {
            _basis_option(b): [str(low), str(high)]
            for b, (low, high) in rules.MULTIPLE_RANGE.items()
        },
        "fixed_fine_range": [str(v) for v in rules.FIXED_FINE_RANGE],
        "fixed_fine_basis": _basis_option(rules.LegalBasis.ARTICLE_39),
        "doctor_points_range": list(rules.DOCTOR_POINTS_RANGE),
        "doctor_suspension_months": list(rules.DOCTOR_SUSPENSION_MONTHS),
    }
