"""Errors in the words the user typed: payload fields named by the CLI flags that set them."""

from __future__ import annotations

import json
import re

# Payload fields by the flag that sets them, so an error names what the user typed.
FLAGS = {
    "sanction_id": "--sanction-id",
    "target_kind": "--target-kind",
    "target_id": "--target",
    "case_id": "--case-id",
    "decision_document": "--decision-document",
    "decision_date": "--decision-date",
    "effective_from": "--effective-from",
    "effective_to": "--effective-to",
    "legal_basis": "--legal-basis",
    "base_amount": "--base",
    "fine_amount": "--fine-amount",
    "suspension_months": "--suspension-months",
    "referred_to": "--referred-to",
    "receipt_no": "--receipt-no",
    "appeal_id": "--appeal-id",
    "recorded_by": "--recorded-by",
    "message_id": "--message-id",
    "region": "--region",
    # Plain words are fields only where the rules' prose uses them so ("has no points").
    "points": "--points",
    "multiple": "--multiple",
}
# Plain words that name a field only as a key of the contract's error object.
QUOTED_ONLY = ("kind", "violation", "amount", "reason", "outcome", "target")
FIELD = re.compile(r'(?<![\w-])"?(' + "|".join([*FLAGS, *QUOTED_ONLY]) + r')"?(?![\w-])')


def name_flags(detail: str, occurred_flag: str) -> str:
    """An error's detail with payload fields named by their flags; the contract's error object
    (`payload: {"base_amount": ["..."]}`) as `--base: ...`."""
    prefix, _, rest = detail.partition("payload: ")
    try:
        errors = json.loads(rest) if not prefix else None
    except ValueError:
        errors = None
    if isinstance(errors, dict):
        detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in errors.items())

    def flag(match: re.Match[str]) -> str:
        name = match.group(1)
        quoted = match.group(0).startswith('"') or match.start() == 0
        if name in FLAGS:
            return FLAGS[name]
        return f"--{name.replace('_', '-')}" if quoted else match.group(0)

    detail = detail.replace("occurred_at", occurred_flag)
    # A contract error's key starts the line or a `; `-separated part.
    return "; ".join(FIELD.sub(flag, part) for part in detail.split("; "))
