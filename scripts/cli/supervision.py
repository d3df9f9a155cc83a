"""`report supervision`: a year's findings and recoveries by decision date, by detection source
and violation type, with the sanctions by kind (the table a county's supervision report prints).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from domain.sanction_rules import SanctionKind
from domain.supervision import NO_VIOLATION, UNKNOWN_SOURCE, Figures, SupervisionReport
from domain.violations import DetectionSource, Violation
from infra.clock import utc_now
from infra.services import reader_url
from infra.settings import Settings
from infra.store import READER_ROLE, open_ledger
from projections.queries import money
from projections.supervision import supervision_report
from scripts.cli.exits import UsageError

# The names the published tables use.
LABELS: dict[str, str] = {
    "total": "合计",
    DetectionSource.SMART_REVIEW: "智能审核",
    DetectionSource.ONSITE_INSPECTION: "现场检查",
    DetectionSource.FLIGHT_INSPECTION: "飞行检查",
    DetectionSource.RECORD_REVIEW: "病历评审",
    DetectionSource.SELF_INSPECTION: "自查自纠",
    DetectionSource.INDICATOR_DEDUCTION: "指标性扣款",
    DetectionSource.TIP_OFF: "举报",
    DetectionSource.OTHER: "其他",
    UNKNOWN_SOURCE: "来源不明",
    Violation.SPLIT_ADMISSION: "分解住院",
    Violation.PHANTOM_BED: "挂床住院",
    Violation.IMPERSONATION: "冒名就医",
    Violation.FAKE_RECORDS: "虚假住院/伪造医疗文书",
    Violation.OVER_TREATMENT: "过度诊疗/过度检查",
    Violation.SPLIT_PRESCRIPTION: "分解处方",
    Violation.EXCESSIVE_DRUGS: "超量/重复开药",
    Violation.DUPLICATE_CHARGING: "重复收费",
    Violation.OVER_STANDARD_CHARGING: "超标准收费",
    Violation.SPLIT_ITEM_CHARGING: "分解项目收费",
    Violation.ITEM_SWAPPING: "串换项目",
    Violation.SERVICES_NOT_RENDERED: "虚构服务",
    Violation.INDUCED_ADMISSION: "诱导住院",
    Violation.CARD_LENDING: "出借医保卡",
    Violation.DRUG_RESELLING: "倒卖药品",
    Violation.THIRD_PARTY_LIABILITY: "应由第三方负担",
    Violation.MANAGEMENT_FAILURE: "内部管理不到位",
    Violation.OTHER: "其他",
    NO_VIOLATION: "扣款, 未认定违规",
    SanctionKind.INTERVIEW: "约谈",
    SanctionKind.PUBLIC_CRITICISM: "通报批评",
    SanctionKind.RECTIFICATION: "责令整改",
    SanctionKind.DEFERRED_SETTLEMENT: "暂缓结算",
    SanctionKind.SETTLEMENT_SUSPENSION: "暂停结算",
    SanctionKind.AGREEMENT_TERMINATION: "解除协议",
    SanctionKind.FINE: "罚款",
    SanctionKind.DOCTOR_POINTS: "医保医师记分",
    SanctionKind.NETWORKED_SETTLEMENT_SUSPENSION: "暂停联网结算",
    SanctionKind.REFERRAL: "移送",
}
# Every published source is listed, found or not; "other" and "unknown" only when they occur.
PUBLISHED_SOURCES = [s for s in DetectionSource if s != DetectionSource.OTHER]


def supervision_rows(report: SupervisionReport, known_at: datetime) -> list[dict[str, Any]]:
    """One row per total, source, violation and sanction kind: the same columns in each (a CSV
    of one table); a sanction row counts decisions and has no amounts."""
    point = {"year": report.year, "known_at": known_at}

    def row(section: str, name: str, f: Figures | None, count: int = 0) -> dict[str, Any]:
        amounts: dict[str, Any] = dict.fromkeys(("found", "refused", "ordered", "recovered"))
        if f is not None:
            count = f.cases
            amounts = {
                "found": money(f.found),
                "refused": money(f.refused),
                "ordered": money(f.ordered),
                "recovered": money(f.recovered),
            }
        head = {"section": section, "name": name, "label": LABELS.get(name, name)}
        return point | head | {"cases": count} | amounts

    sources = [*PUBLISHED_SOURCES, *sorted(set(report.by_source) - set(PUBLISHED_SOURCES))]
    violations = sorted(report.by_violation, key=lambda v: (-report.by_violation[v].found, v))
    return [
        row("total", "total", report.total),
        *(row("source", s, report.by_source.get(s, Figures())) for s in sources),
        *(row("violation", v, report.by_violation[v]) for v in violations),
        *(row("sanction", k, None, report.sanctions.get(k, 0)) for k in SanctionKind),
    ]


RowsOut = Callable[[argparse.Namespace, Sequence[Mapping[str, Any]]], None]


def cmd_supervision(settings: Settings, args: argparse.Namespace, rows_out: RowsOut) -> int:
    """`report supervision --year Y [--known-at T] [--csv | --json]`."""
    if args.year is None:
        raise UsageError("--year is required: the report counts the decisions dated in it")
    if args.as_of is not None or args.region is not None:
        # The figures are of the decisions dated in the year, whenever their effects fall, and
        # of every region the ledger holds: --known-at says which records count.
        raise UsageError("report supervision takes --year and --known-at, not --as-of or --region")
    rows_out(args, supervision_doc_rows(settings, args.year, args.known_at))
    return 0


def supervision_doc_rows(
    settings: Settings, year: int, known_at: datetime | None
) -> list[dict[str, Any]]:
    """The report's rows for the CLI and the console alike; known_at defaults to now."""
    point = known_at or utc_now()
    with open_ledger(reader_url(settings), role=READER_ROLE) as ledger:
        report = supervision_report(ledger, year, point)
    return supervision_rows(report, point)
